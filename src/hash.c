/* hash: hash64, MurmurHash3's 64-bit mixing in four lanes, and its finalizer. */
#include "hash.h"

#include <string.h>

static uint64_t rotl(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

static uint64_t mix_word(uint64_t k) {
    k *= 0x87c37b91114253d5ULL;
    k = rotl(k, 31);
    return k * 0x4cf5ad432745937fULL;
}

static uint64_t finalize(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static uint64_t step(uint64_t h, const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    h ^= mix_word(w);
    return rotl(h, 27) * 5 + 0x52dce729;
}

/* Long inputs go through four lanes of 8 bytes each, independent of each
 * other, so that the processor mixes them at once: three times the speed
 * of one lane (which the build cache's checks of large files waited on). */
uint64_t hash64(const void *data, size_t len, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t h = seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL);
    size_t n = len;
    if (n >= 32) {
        uint64_t a = h, b = h ^ 0x6a09e667f3bcc908ULL, c = h ^ 0xbb67ae8584caa73bULL,
                 d = h ^ 0x3c6ef372fe94f82bULL;
        for (; n >= 32; n -= 32, p += 32) {
            a = step(a, p);
            b = step(b, p + 8);
            c = step(c, p + 16);
            d = step(d, p + 24);
        }
        h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18);
    }
    for (; n >= 8; n -= 8, p += 8)
        h = step(h, p);
    uint64_t tail = 0;
    memcpy(&tail, p, n); /* the last 0 to 7 bytes, zero-padded */
    h ^= mix_word(tail ^ (uint64_t)n);
    return finalize(h);
}

uint64_t hash64_str(const char *s, uint64_t seed) {
    return hash64(s ? s : "", s ? strlen(s) : 0, seed ^ (s ? 0 : 0x6e756c6cULL));
}

uint64_t hash64_u64(uint64_t value, uint64_t seed) {
    return hash64(&value, sizeof value, seed);
}
