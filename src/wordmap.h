/*
 * wordmap: a number for each word, for the search collector's cache of
 * stems (pipeline stage 8).
 *
 * Every word of every page is looked up here, hundreds a page. A word of
 * up to WORDMAP_INLINE bytes, nearly all of them, is kept inside its slot:
 * a lookup hashes three machine words, reads one slot and compares three
 * machine words, with no pointer to follow and no call to compare. Longer
 * words are kept in a strmap.
 *
 * Keys are copied in; wordmap_free releases everything. Not thread-safe:
 * one map per collector.
 */
#ifndef CLINICGEN_WORDMAP_H
#define CLINICGEN_WORDMAP_H

#include "strmap.h"

#include <stddef.h>
#include <stdint.h>

enum { WORDMAP_INLINE = 24 };

typedef struct wordmap_slot {
    uint64_t key[WORDMAP_INLINE / 8]; /* the word, zero-padded */
    uint32_t len;                     /* 0: an empty slot */
    uint32_t value;
} wordmap_slot;

typedef struct wordmap {
    wordmap_slot *slots;
    size_t cap, len; /* cap is 0 or a power of two */
    strmap longer;   /* words past WORDMAP_INLINE bytes -> value + 1 */
} wordmap;

#define WORDMAP_INIT                                                                               \
    { NULL, 0, 0, STRMAP_INIT }

/* The value of the len bytes at word (len > 0): returns 1 with *value set,
 * or 0 when the word is not in the map. */
int wordmap_get(const wordmap *m, const char *word, size_t len, uint32_t *value);
/* Adds word (len > 0), which is not in the map yet, with value. */
void wordmap_add(wordmap *m, const char *word, size_t len, uint32_t value);
void wordmap_free(wordmap *m);

#endif
