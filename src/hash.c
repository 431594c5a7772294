/* hash: hash64, wyhash's reading of bytes and folding of words. */
#include "hash.h"

#include <string.h>

enum { LANE = 16 };
static const uint64_t K0 = HASH_K0, K1 = HASH_K1, K2 = HASH_K2, K3 = 0x589965cc75374cc3ULL;

/* Long inputs go 48 bytes at a time through three independent products,
 * which the processor works out at once; about half an instruction a byte
 * (the page cache's checks of every kept page's record wait on it). */
static uint64_t fold_long(const unsigned char **pp, size_t *left, uint64_t seed) {
    const unsigned char *p = *pp;
    size_t n = *left;
    if (n > 3 * LANE) {
        uint64_t s1 = seed, s2 = seed;
        do {
            seed = hash_mix(hash_load64(p) ^ K1, hash_load64(p + 8) ^ seed);
            s1 = hash_mix(hash_load64(p + 16) ^ K2, hash_load64(p + 24) ^ s1);
            s2 = hash_mix(hash_load64(p + 32) ^ K3, hash_load64(p + 40) ^ s2);
            p += 3 * LANE;
            n -= 3 * LANE;
        } while (n > 3 * LANE);
        seed ^= s1 ^ s2;
    }
    for (; n > LANE; n -= LANE, p += LANE)
        seed = hash_mix(hash_load64(p) ^ K1, hash_load64(p + 8) ^ seed);
    *pp = p;
    *left = n;
    return seed;
}

uint64_t hash64(const void *data, size_t len, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t a = 0, b = 0;
    seed ^= hash_mix(seed ^ K0, K1);
    if (len <= LANE) { /* the first and last bytes, overlapping */
        if (len >= 4) {
            size_t step = (len >> 3) << 2;
            a = hash_load32(p) << 32 | hash_load32(p + step);
            b = hash_load32(p + len - 4) << 32 | hash_load32(p + len - 4 - step);
        } else if (len > 0) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
        }
    } else {
        size_t n = len;
        seed = fold_long(&p, &n, seed);
        a = hash_load64(p + n - LANE); /* the last 16 bytes, read again where they overlap */
        b = hash_load64(p + n - 8);
    }
    return hash_mix(hash_mix(a ^ K1, b ^ seed) ^ K0 ^ len, K2); /* the length apart */
}

uint64_t hash64_str(const char *s, uint64_t seed) {
    return hash64(s ? s : "", s ? strlen(s) : 0, seed ^ (s ? 0 : 0x6e756c6cULL));
}

uint64_t hash64_u64(uint64_t value, uint64_t seed) {
    return hash64(&value, sizeof value, seed);
}
