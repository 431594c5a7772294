/* hash: hash64, one lane of MurmurHash3's 64-bit mixing and its finalizer. */
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

uint64_t hash64(const void *data, size_t len, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t h = seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL);
    size_t n = len;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h ^= mix_word(w);
        h = rotl(h, 27) * 5 + 0x52dce729;
    }
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
