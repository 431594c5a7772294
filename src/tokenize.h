/*
 * tokenize: the words of a text, for the search index (pipeline stage 8).
 *
 * A word is a run of letters and digits (any alphabet), with apostrophes
 * inside it ("patient's"). Words are folded: lower case, and Latin letters
 * lose their accents ("Éclat" -> "eclat", "Straße" -> "strasse"), so a
 * patient finds a page whichever way they type. The browser's search.js
 * folds queries with the same table; the two must agree.
 *
 * tokenize calls fn for each word in order. When the word was joined to
 * the one before by a hyphen or slash alone ("micro-needling"), fn also
 * gets that word (before: "micro"), so the index can add the compound;
 * else before is NULL. Both words live in scratch until fn returns, each
 * NUL-terminated.
 */
#ifndef CLINICGEN_TOKENIZE_H
#define CLINICGEN_TOKENIZE_H

#include "buf.h"

#include <stddef.h>

typedef void (*token_fn)(void *ctx, const char *word, size_t len, const char *before,
                         size_t before_len);

void tokenize(const char *text, size_t len, buf *scratch, token_fn fn, void *ctx);

/* Appends the folded form of code point cp (a letter or digit) to out;
 * returns 0 when cp does not belong in a word. */
int tokenize_fold(buf *out, unsigned cp);

/* Appends the whole text folded the same way, every character that is not
 * a letter or digit kept as it is: a key to sort and group titles by
 * ("Éclat peel" -> "eclat peel"), for the A-Z index. */
void tokenize_fold_text(buf *out, const char *text, size_t len);

#endif
