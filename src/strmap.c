/* strmap: open addressing with linear probing; keys hashed a word at a
 * time (most are short: words, paths, names). */
#include "strmap.h"

#include "buf.h"
#include "hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t strmap_hash(const char *s, size_t n) {
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* The table's hash: wyhash's way of reading a key (its first and last
 * eight, four or one bytes, overlapping, with eight at a time between) and
 * of mixing (a 64x64->128-bit product folded), which costs a few
 * instructions whatever a short key's length, where FNV-1a costs a
 * multiplication per byte. Nothing written out depends on it. */
static uint64_t key_hash(const char *s, size_t n) {
    const uint64_t k1 = HASH_K1, k2 = HASH_K2;
    uint64_t seed = HASH_K0, a = 0, b = 0;
    if (n > 16) {
        size_t i = 0;
        for (; i + 16 < n; i += 16)
            seed = hash_mix(hash_load64(s + i) ^ k1, hash_load64(s + i + 8) ^ seed);
        a = hash_load64(s + n - 16);
        b = hash_load64(s + n - 8);
    } else if (n >= 8) {
        a = hash_load64(s);
        b = hash_load64(s + n - 8);
    } else if (n >= 4) {
        a = hash_load32(s);
        b = hash_load32(s + n - 4);
    } else if (n > 0) {
        a = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
            (unsigned char)s[n - 1];
    }
    return hash_mix(k2 ^ n, hash_mix(a ^ k1, b ^ seed)); /* the length mixed apart from the bytes */
}

/* What a slot holds of a key: its hash, and its length, so that only keys
 * of the same length are compared (and none is read past its end; keys are
 * words, paths and names, far below the 4 GiB the length is kept to). */
static uint64_t hash_len(uint64_t hash, size_t len) {
    return (hash & ~(uint64_t)UINT32_MAX) | (uint32_t)len;
}

static strmap_slot *find_slot(const strmap *m, const char *key, size_t len, uint64_t hl) {
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)(hl >> 32) & mask;; i = (i + 1) & mask) {
        strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash_len == hl && !memcmp(s->key, key, len)))
            return s;
    }
}

/* To cap slots (a power of two, above the keys held). */
static void resize(strmap *m, size_t cap) {
    strmap old = *m;
    m->cap = cap;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slots[i].key)
            continue;
        *find_slot(m, old.slots[i].key, (uint32_t)old.slots[i].hash_len, old.slots[i].hash_len) =
            old.slots[i];
    }
    free(old.slots);
}

/* At most three quarters full: probes stay short. */
static size_t room_for(size_t n) {
    size_t cap = 16;
    while (n * 4 > cap * 3)
        cap *= 2;
    return cap;
}

void strmap_reserve(strmap *m, size_t n) {
    size_t cap = room_for(n);
    if (cap > m->cap)
        resize(m, cap);
}

void *strmap_put(strmap *m, const char *key, void *value) {
    if ((m->len + 1) * 4 > m->cap * 3)
        resize(m, m->cap ? m->cap * 2 : 16);
    size_t len = strlen(key);
    uint64_t hl = hash_len(key_hash(key, len), len);
    strmap_slot *s = find_slot(m, key, len, hl);
    if (s->key) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    s->key = xstrdup(key);
    s->hash_len = hl;
    s->value = value;
    m->len++;
    return NULL;
}

void *strmap_get_n(const strmap *m, const char *key, size_t len) {
    if (!m->len)
        return NULL;
    strmap_slot *s = find_slot(m, key, len, hash_len(key_hash(key, len), len));
    return s->key ? s->value : NULL;
}

void *strmap_get(const strmap *m, const char *key) {
    return strmap_get_n(m, key, strlen(key));
}

void strmap_free(strmap *m) {
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    *m = (strmap)STRMAP_INIT;
}
