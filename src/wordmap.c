/* wordmap: short words kept inside open-addressed slots (see wordmap.h). */
#include "wordmap.h"

#include "buf.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

typedef struct word_key {
    uint64_t w[WORDMAP_INLINE / 8];
} word_key;

static word_key key_of(const char *word, size_t len) {
    word_key k = {{0, 0, 0}};
    memcpy(k.w, word, len);
    return k;
}

static size_t slot_of(const word_key *k, size_t len, size_t mask) {
    uint64_t h = hash_mix(k->w[0] ^ HASH_K0, k->w[1] ^ HASH_K1 ^ len);
    return (size_t)hash_mix(h, k->w[2] ^ HASH_K2) & mask;
}

static int same(const wordmap_slot *s, const word_key *k, size_t len) {
    return s->len == len && s->key[0] == k->w[0] && s->key[1] == k->w[1] && s->key[2] == k->w[2];
}

int wordmap_get(const wordmap *m, const char *word, size_t len, uint32_t *value) {
    if (len > WORDMAP_INLINE) {
        uintptr_t v = (uintptr_t)strmap_get_n(&m->longer, word, len);
        *value = v ? (uint32_t)(v - 1) : 0;
        return v != 0;
    }
    if (!m->len)
        return 0;
    word_key k = key_of(word, len);
    for (size_t i = slot_of(&k, len, m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const wordmap_slot *s = &m->slots[i];
        if (!s->len)
            return 0;
        if (same(s, &k, len)) {
            *value = s->value;
            return 1;
        }
    }
}

static void put(wordmap_slot *slots, size_t cap, const word_key *k, size_t len, uint32_t value) {
    size_t i = slot_of(k, len, cap - 1);
    while (slots[i].len)
        i = (i + 1) & (cap - 1);
    memcpy(slots[i].key, k->w, sizeof k->w);
    slots[i].len = (uint32_t)len;
    slots[i].value = value;
}

/* Keeps the table at most half full: probes stay short. */
static void grow(wordmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 1024;
    wordmap_slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        const wordmap_slot *s = &m->slots[i];
        if (s->len) {
            word_key k;
            memcpy(k.w, s->key, sizeof k.w);
            put(slots, cap, &k, s->len, s->value);
        }
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void wordmap_add(wordmap *m, const char *word, size_t len, uint32_t value) {
    if (len > WORDMAP_INLINE) {
        char *key = xstrndup(word, len);
        strmap_put(&m->longer, key, (void *)((uintptr_t)value + 1));
        free(key);
        return;
    }
    if (2 * (m->len + 1) > m->cap)
        grow(m);
    word_key k = key_of(word, len);
    put(m->slots, m->cap, &k, len, value);
    m->len++;
}

void wordmap_free(wordmap *m) {
    free(m->slots);
    strmap_free(&m->longer);
    *m = (wordmap)WORDMAP_INIT;
}
