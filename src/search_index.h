/*
 * search_index: the site's search index (pipeline stage 8, after every
 * page is built), written as plain JavaScript files under search/ that the
 * browser loads with <script> elements, so search works on any host and
 * from file:// (themes/clinic/static/js/search.js reads them):
 *
 *   search/meta.js      clinicgenSearch.meta({n, per, keys, syn})
 *                       n records, per records in each record file, the
 *                       shard keys that exist, the synonym groups as stems
 *   search/t-HEX.js     clinicgenSearch.terms(KEY, {TERM: [gap, score, ...]})
 *                       every term starting with KEY (its first two
 *                       characters; HEX is KEY's UTF-8 bytes), each with
 *                       its best records: record-number gaps and BM25
 *                       scores from 1 to 255, comparable across terms
 *   search/r-K.js       clinicgenSearch.records(K, [[url, title, heading, excerpt], ...])
 *                       a record that follows one of its own page in the
 *                       file has the title "" and only "#anchor" as url
 *
 * Scores are BM25 (k1 1.2, b 0.75) over the field-weighted counts of
 * search_collect.h, worked out here so the browser only adds them up. A
 * term keeps its SEARCH_POSTINGS_MAX best records: a word on every page
 * ranks nothing and would only make its file heavy. A term's scores
 * depend on its own records and on the number of records only: 1..255
 * are of the highest score BM25 can give on that many records, and the
 * average record length is taken on a grid of 2.2% steps. So an edit to
 * one page rewrites the files of its own words, not every file.
 */
#ifndef CLINICGEN_SEARCH_INDEX_H
#define CLINICGEN_SEARCH_INDEX_H

#include "diag.h"
#include "output.h"
#include "search_collect.h"
#include "search_scores.h"

enum { SEARCH_POSTINGS_MAX = 250, SEARCH_RECORDS_PER_FILE = 10 };

typedef struct search_stats {
    size_t records, terms, files, bytes, meta_bytes;
    int updated;          /* the last build's scores were brought up to date */
    size_t terms_updated; /* the terms scored again then */
} search_stats;

/* The record files (search/r-K.js), made while the pages are built so
 * that a large site's excerpts are never all held at once: the build adds
 * each page in site order once it and every page before it are done.
 * Not thread-safe: the build adds pages under its own lock, and takes the
 * files made (search_records_take) to write them once it has let go. */
typedef struct search_records search_records;

/* Record files made and not yet written: each is a path and its bytes. */
typedef struct search_file {
    char *rel;
    buf data;
} search_file;

typedef struct search_files {
    search_file *items; /* owned, with their paths and bytes */
    size_t len, cap;
} search_files;

search_records *search_records_new(output *out);
/* Adds pg's records, making every file they complete, and frees their
 * url, heading and excerpt once in a file: the index needs only their
 * numbers. unchanged: the page was kept (page_cache.h) and its records
 * have the numbers the last build gave them; a file of such records only
 * is the last build's, kept as it is (output_keep) without being made.
 * Returns 0, or -1 once a file could not be kept (reported to d). */
int search_records_add(search_records *w, search_page *pg, int unchanged, diag_list *d);
/* Moves the files made so far into *out (appended), for the caller to write
 * with search_files_write. */
void search_records_take(search_records *w, search_files *out);
/* Writes the files, then frees them (*f is left empty). Thread-safe as
 * output_write is. Returns 0, or -1 after reporting to d. */
int search_files_write(search_files *f, output *out, diag_list *d);
/* Makes the last file, if records are left for it, and writes every file
 * not taken. Returns as search_records_add. */
int search_records_finish(search_records *w, diag_list *d);
void search_records_free(search_records *w);

/* A page built again by a rebuild that kept the others. */
typedef struct search_change {
    size_t page;     /* its index in the pages */
    search_page old; /* as the last build had it (page_cache_read; owned by the caller) */
} search_change;

/* How the scores are made: a rebuild may bring the last build's up to
 * date (search_scores.h) rather than score every posting; every build
 * may keep its own for the next. */
typedef struct search_update {
    const search_scores *previous; /* the last build's scores, or NULL: score everything */
    const search_change *changes;  /* the pages built again, in site order: all others kept */
    size_t n_changes;
    uint64_t build; /* this build's inputs digest, kept with its scores */
    buf *scores;    /* if not NULL, gets this build's scores (search_scores.h's file) */
} search_update;

/* Writes the terms' files and meta.js for pages (in site order; their term
 * ids belong to collectors[page.collector]), whose records went through
 * records, scoring them on jobs threads (update: how; may be NULL). The pages are read, not
 * changed. Returns 0, or -1 after reporting (also when writing records failed). */
int search_index_write(search_page *pages, size_t n_pages, search_collector *const *collectors,
                       const search_synonyms *syn, const search_records *records, int jobs,
                       const search_update *update, output *out, search_stats *stats, diag_list *d);

#endif
