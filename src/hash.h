/*
 * hash: a fast 64-bit hash of bytes (after MurmurHash3's mixing), for the
 * build cache: it tells whether a file's new content differs from what the
 * last build wrote, and whether a page's inputs differ from the last
 * build's. Not for security: a collision only skips one write.
 */
#ifndef CLINICGEN_HASH_H
#define CLINICGEN_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash64(const void *data, size_t len, uint64_t seed);
/* Chaining helpers: the hash of a string (NULL hashes as no bytes) or a
 * number, seeded with what came before. */
uint64_t hash64_str(const char *s, uint64_t seed);
uint64_t hash64_u64(uint64_t value, uint64_t seed);

#endif
