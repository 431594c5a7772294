/*
 * search_scores: every search term's best postings as a build scored them
 * (search_index.c), kept in the build cache (OUT_PARENT/.clinicgen-cache/
 * OUT_NAME.search) so that the next build, when it built a few pages
 * again and no record moved, scores only those pages' terms again instead
 * of every posting of the site.
 *
 * A term keeps its df (the records holding it) and its best postings, at
 * most SEARCH_CANDIDATES_MAX, best first: BM25 without the idf (a factor
 * of the term's own), ties to the earlier record. With n == df the list
 * is complete; otherwise every posting not in it ranks below its last.
 *
 * The file is binary (binio.h): "clinicgen-scores 1\n", u64 build (the
 * inputs digest of the build that wrote it, as the page cache's), u32
 * records, f64 the average record length (on its grid), u32 terms; per
 * term str term, u32 df, u32 n and n times u32 record, f32 score, u32
 * n_shown and n_shown times u32 record, u8 score; a u64 hash of
 * everything before it.
 *
 * A loaded search_scores owns the file's bytes (the terms point into
 * them) and its lists; search_scores_free frees them.
 */
#ifndef CLINICGEN_SEARCH_SCORES_H
#define CLINICGEN_SEARCH_SCORES_H

#include "buf.h"
#include "strmap.h"

#include <stddef.h>
#include <stdint.h>

/* More than a term's file shows (search_index.h: SEARCH_POSTINGS_MAX):
 * the room an edit needs to move a term's best without a full scoring. */
enum { SEARCH_CANDIDATES_MAX = 320 };

typedef struct search_scored {
    float score; /* BM25 without the idf */
    uint32_t record;
} search_scored;

typedef struct search_term_scores {
    const char *term;
    uint32_t df, n;
    search_scored *best; /* n, best first */
    /* what its file shows: the first n_shown of best, by record, with
     * their scores 1..255 */
    uint32_t n_shown;
    uint32_t *records;
    unsigned char *scores;
} search_term_scores;

typedef struct search_scores {
    uint64_t build;
    uint32_t n_records;
    double avg_length;
    search_term_scores *terms;
    size_t n_terms;
    search_scored *lists; /* every term's best, one after another */
    uint32_t *records;    /* every term's records shown, one after another */
    unsigned char *scores;
    strmap by_term; /* term -> index + 1 */
    char *data;     /* the file */
} search_scores;

/* Loads path if the build that wrote it had the inputs digest build.
 * Returns 0, or -1 (s is then empty) when there is no such file. */
int search_scores_load(search_scores *s, const char *path, uint64_t build);
/* The term's scores, or NULL when the last build had no such term. */
const search_term_scores *search_scores_find(const search_scores *s, const char *term);
void search_scores_free(search_scores *s);

/* Writing: begin, one put per term, end (which adds the hash). */
void search_scores_begin(buf *b, uint64_t build, uint32_t n_records, double avg_length,
                         uint32_t n_terms);
void search_scores_put(buf *b, const search_term_scores *ts);
void search_scores_end(buf *b);

/* Does a rank above b? The higher score does; of equal ones the earlier
 * record. */
static inline int search_scored_above(search_scored a, search_scored b) {
    return a.score > b.score || (a.score == b.score && a.record < b.record);
}

#endif
