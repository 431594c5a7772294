/*
 * stem: Snowball English stemming (libstemmer) for the search index, so
 * "microneedle", "microneedles" and "microneedling" meet in one term. The
 * browser stems queries with themes/clinic/static/js/stem.js, a port
 * checked word for word against this library (tests/search/stem-check.sh).
 *
 * A stemmer is not thread-safe: one per worker. The stem returned lives in
 * the stemmer until the next call.
 */
#ifndef CLINICGEN_STEM_H
#define CLINICGEN_STEM_H

#include <stddef.h>

typedef struct stemmer stemmer;

stemmer *stemmer_new(void); /* NULL if libstemmer has no English */
const char *stemmer_stem(stemmer *s, const char *word, size_t len, size_t *stem_len);
void stemmer_free(stemmer *s);

#endif
