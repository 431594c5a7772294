/* strmap: open addressing with linear probing over FNV-1a hashes. */
#include "strmap.h"

#include "buf.h"

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

static strmap_slot *find_slot(const strmap *m, const char *key, size_t len, size_t hash) {
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == hash && !memcmp(s->key, key, len) && s->key[len] == '\0'))
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
        const char *key = old.slots[i].key;
        *find_slot(m, key, strlen(key), old.slots[i].hash) = old.slots[i];
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
    size_t len = strlen(key), hash = strmap_hash(key, len);
    strmap_slot *s = find_slot(m, key, len, hash);
    if (s->key) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    s->key = xstrdup(key);
    s->hash = hash;
    s->value = value;
    m->len++;
    return NULL;
}

void *strmap_get_n(const strmap *m, const char *key, size_t len) {
    if (!m->len)
        return NULL;
    strmap_slot *s = find_slot(m, key, len, strmap_hash(key, len));
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
