/*
 * hash: a fast 64-bit hash of bytes (after MurmurHash3's mixing), for the
 * build cache: it tells whether a file's new content differs from what the
 * last build wrote. Not for security: a collision only skips one write.
 */
#ifndef CLINICGEN_HASH_H
#define CLINICGEN_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash64(const void *data, size_t len, uint64_t seed);

#endif
