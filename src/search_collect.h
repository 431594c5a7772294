/*
 * search_collect: what each page gives the search index (pipeline stage 8,
 * on the workers).
 *
 * A page becomes records: one for the page itself (title and summary), one
 * per h2/h3 section, and on FAQ pages one per question (an h2). Each
 * record has a URL (with the heading's #anchor), its heading, a plain-text
 * excerpt, and its terms: folded words (tokenize.h), stemmed (stem.h),
 * weighted by field (title 8, summary and FAQ question 5, heading 3, table
 * cell 2, body 1; a section also carries its page's title at 2). Words
 * joined by a hyphen also give their compound ("micro-needling" adds
 * "microneedling"); a phrase of a synonym group adds the group's term
 * "~N" (content/_data/synonyms.yaml: a list of groups, each a list of
 * words or phrases that mean the same).
 *
 * A collector belongs to one worker: its own stemmer and dictionary of
 * terms (search_page.term ids are the collector's). search_index merges the
 * collectors' pages after all pages are built. A search_page owns its
 * records and postings; search_page_free releases them.
 */
#ifndef CLINICGEN_SEARCH_COLLECT_H
#define CLINICGEN_SEARCH_COLLECT_H

#include "ast.h"
#include "buf.h"
#include "diag.h"
#include "strmap.h"
#include "value.h"

#include <stddef.h>
#include <stdint.h>

enum { SEARCH_EXCERPT_MAX = 150 }; /* bytes of plain text kept per record */

typedef struct search_posting {
    uint32_t term; /* in the collector's dictionary */
    float weight;  /* field-weighted term frequency */
} search_posting;

/* A page's postings are kept packed, in record order (a large site has
 * tens of millions): each is its term as a base-128 varint, then its
 * weight as one byte when it is a whole number from 1 to 254 (most are:
 * counts of a word in the body), else the byte 255 and the float. */
void search_posting_pack(buf *b, search_posting post);
/* Reads the posting at *p into out and moves *p past it; returns 0, or -1
 * when it does not end before end. */
int search_posting_unpack(const unsigned char **p, const unsigned char *end, search_posting *out);

typedef struct search_record {
    char *url, *heading, *excerpt; /* owned; heading NULL for the page itself */
    size_t first, count;           /* its postings: the page's first-th on */
    float length;                  /* field-weighted number of words */
} search_record;

typedef struct search_page {
    char *title; /* owned */
    search_record *records;
    size_t n_records;
    unsigned char *postings; /* packed (search_posting_pack) */
    size_t postings_len;     /* bytes */
    size_t n_postings;
    int collector; /* which collector's dictionary the term ids belong to */
    /* The title, the records' texts and the postings are not owned but
     * point into a page cache's bytes (page_cache_read), which outlive the
     * page: a kept page's records are then read without a copy. */
    int borrowed;
} search_page;

typedef struct search_synonyms search_synonyms;
typedef struct search_collector search_collector;

/* Synonym groups from the data file's value (a list of lists of strings),
 * stemmed; NULL value: none. Read-only once made: workers share it. Errors
 * (a group that is not a list of text) go to d, at their line. */
search_synonyms *search_synonyms_new(const value *groups, const char *file, diag_list *d);
void search_synonyms_free(search_synonyms *s);
/* The groups as stems, for the browser: [[["blood","thinner"],["anticoagul"]], ...] */
void search_synonyms_json(const search_synonyms *s, buf *out);

search_collector *search_collector_new(const search_synonyms *syn, int id);
/* Fills out from a page: its URL, title, summary (may be NULL), whether it
 * is an FAQ (h2s are questions) and its rendered tree (headings carry ids). */
void search_collect_page(search_collector *c, search_page *out, const char *url, const char *title,
                         const char *summary, int faq, const ast_node *root);
/* The id of a term in c's dictionary, added if it is new (the page cache
 * fills one collector's dictionary with the terms of the pages it keeps). */
uint32_t search_collector_intern(search_collector *c, const char *term, size_t len);
/* The term of id in c's dictionary. */
const char *search_collector_term(const search_collector *c, uint32_t id);
size_t search_collector_terms(const search_collector *c);
void search_collector_free(search_collector *c);
void search_page_free(search_page *p);
/* Frees the records' url, heading and excerpt (NULL after), once their
 * file is written: the index needs only the records' numbers. */
void search_page_free_texts(search_page *p);

#endif
