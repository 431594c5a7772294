/*
 * strmap: a hash map from strings to borrowed pointers.
 *
 * The map copies and owns its keys; the values are the caller's. Insertion
 * order is not kept. strmap_free releases the keys and the table, never the
 * values. Not safe for concurrent writers; concurrent readers are fine.
 */
#ifndef CLINICGEN_STRMAP_H
#define CLINICGEN_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap_slot {
    char *key;
    void *value;
    uint64_t hash_len; /* the key's hash in the high half, its length in the low */
} strmap_slot;

typedef struct strmap {
    strmap_slot *slots;
    size_t cap, len;
} strmap;

#define STRMAP_INIT                                                                                \
    { NULL, 0, 0 }

/* Sets key to value; returns the value it had before, or NULL. */
void *strmap_put(strmap *m, const char *key, void *value);
/* Makes room for n keys in all, so that a map whose size is known up front
 * is not grown (and every key hashed again) on the way. */
void strmap_reserve(strmap *m, size_t n);
void *strmap_get(const strmap *m, const char *key);
/* The same for a key of len bytes that need not end in NUL. */
void *strmap_get_n(const strmap *m, const char *key, size_t len);
void strmap_free(strmap *m);
/* FNV-1a of n bytes: the same in every version and on every machine, for
 * names made from contents (asset fingerprints). The table itself uses a
 * faster hash of its own. */
size_t strmap_hash(const char *s, size_t n);

#endif
