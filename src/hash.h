/*
 * hash: a fast 64-bit hash of bytes (wyhash's way: words folded in through
 * 64x64->128-bit products), for the build cache: it tells whether a file's
 * new content differs from what the last build wrote, and whether a page's
 * inputs differ from the last build's. Not for security: a collision only
 * skips one write.
 */
#ifndef CLINICGEN_HASH_H
#define CLINICGEN_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

uint64_t hash64(const void *data, size_t len, uint64_t seed);
/* Chaining helpers: the hash of a string (NULL hashes as no bytes) or a
 * number, seeded with what came before. */
uint64_t hash64_str(const char *s, uint64_t seed);
uint64_t hash64_u64(uint64_t value, uint64_t seed);

/* What hash64 and strmap's table hash share: wyhash's constants, the
 * unaligned reads of a key's bytes, and the mixing step. */
#define HASH_K0 0xa0761d6478bd642fULL
#define HASH_K1 0xe7037ed1a0b428dbULL
#define HASH_K2 0x8ebc6af09c88c6e3ULL

static inline uint64_t hash_load64(const void *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t hash_load32(const void *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The 128-bit product of a and b, its halves xored. */
static inline uint64_t hash_mix(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else /* the same, from 32-bit halves */
    uint64_t ha = a >> 32, hb = b >> 32, la = (uint32_t)a, lb = (uint32_t)b;
    uint64_t mid0 = ha * lb, mid1 = la * hb, low = la * lb;
    uint64_t t = low + (mid0 << 32), lo = t + (mid1 << 32);
    uint64_t carry = (t < low) + (lo < t);
    return lo ^ (ha * hb + (mid0 >> 32) + (mid1 >> 32) + carry);
#endif
}

#endif
