/*
 * page_cache: what building each page gave, so that the next build can
 * keep a page nothing it depends on has changed for instead of building it
 * again (the second half of the build cache; cache.h is the first).
 *
 * Beside the manifest, OUT_PARENT/.clinicgen-cache/OUT_NAME.pages holds a
 * record per page written: its output path, its key, its messages and its
 * search records. A page's key (page_cache_key) is a hash of everything its
 * output depends on: its own file, the site model as every page sees it
 * (site_model.digest: titles, front matter, data files, ...) and the rest
 * of the inputs (templates, filters, site.yaml, the theme, clinicgen
 * itself, the options). A page whose key is the one recorded, and whose
 * file the previous build left intact, is kept: output_keep keeps its
 * file, and its messages and search records come from its record.
 *
 * The file is binary (binio.h: str is a string, or none):
 *   "clinicgen-pages 3\n" u64 build  u64 seed  u64 base length  u64 base build
 *   records:  u32 length, u64 hash of the rest, then u64 key, str out_path, u32 n, n messages
 *             (u8 level, i32 line, i32 col, str file, str text), u8 search,
 *             and if 1 the page's search_page (str title, u32 n, n records
 *             (str url, str heading, str excerpt, f32 length, u32 first,
 *             u32 count), u32 n and the n postings packed as in memory
 *             (search_collect.h: search_posting_pack) in a str)
 *   the terms the postings number: u32 n, n strs, a u64 hash of them;
 *   each page's first search record number: u32 n, n times str out_path
 *   and u32, a u64 hash of them; then the two tables' u64 offsets
 * A file that does not parse counts as none: every page is then built.
 *
 * A rebuild that keeps most pages does not write every record again: its
 * file is a delta, holding only the records it built and those of the
 * last delta it kept, and naming as its base (by length and build) the
 * full file NAME.pages-base, whose records it keeps in place; its own
 * records and tables win. Once a delta's records pass a quarter of its
 * base's size, the next file is a full one again (base length 0). A delta
 * whose base is not the one it names counts as none.
 *
 * A page_cache owns the file's mapping, the index of its records and the
 * collector whose dictionary numbers the kept pages' terms. A writer owns
 * its temporary file until commit or abort. Workers may read one cache and
 * write through one writer at once.
 */
#ifndef CLINICGEN_PAGE_CACHE_H
#define CLINICGEN_PAGE_CACHE_H

#include "diag.h"
#include "page.h"
#include "search_collect.h"
#include "strmap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

typedef struct page_cache {
    const char *data; /* the file, mapped (fsutil.h: fs_map_file) */
    size_t len;
    const char *base; /* its base, mapped, when it is a delta; else NULL */
    size_t base_len;
    strmap records;          /* out_path -> the record's start in data */
    strmap starts;           /* out_path -> its first search record's number + 1 */
    search_collector *terms; /* the file's terms, numbered as its postings */
    int collector_id;        /* the terms' collector number in the search index */
} page_cache;

#define PAGE_CACHE_INIT                                                                            \
    { NULL, 0, NULL, 0, STRMAP_INIT, STRMAP_INIT, NULL, 0 }

/* The key of page p, whose file's text hashes to text_hash (0 for a page
 * made up by the site model), for a build whose other inputs give seed. */
uint64_t page_cache_key(uint64_t seed, const page *p, uint64_t text_hash);

/* Loads the file at path if the build that wrote it had the inputs digest
 * build and the seed seed. The kept pages' terms get a collector numbered
 * collector_id. Returns 0, or -1 (c is then empty) when there is no such
 * file. */
int page_cache_load(page_cache *c, const char *path, uint64_t build, uint64_t seed,
                    const search_synonyms *syn, int collector_id);
/* The number the last build gave the first search record of the page at
 * out_path (search_index.h: record files); -1 if it had none. */
int page_cache_first_record(const page_cache *c, const char *out_path, size_t *first);
/* The record of the page at out_path, if its key is key; else NULL. */
const char *page_cache_find(const page_cache *c, const char *out_path, uint64_t key);
/* The record of the page at out_path whatever its key (the last build's
 * version of a page built again), or NULL. */
const char *page_cache_previous(const page_cache *c, const char *out_path);
/* The pages the last build gave search records. */
size_t page_cache_searched_pages(const page_cache *c);
/* Adds the record's messages to d and, if it has search records, fills sp
 * (owned by the caller, numbered by c->terms) and sets *searched. Returns
 * 0, or -1 for a record that does not parse (nothing added). */
int page_cache_read(const page_cache *c, const char *record, diag_list *d, search_page *sp,
                    int *searched);
void page_cache_free(page_cache *c);

/* ---- writing the next build's file ---- */

typedef struct page_cache_writer {
    FILE *f;
    char *path, *tmp;
    const page_cache *previous; /* the last build's, or NULL */
    /* kept records that are in the base the file would have as a delta:
     * written at commit only if it is a full file */
    const char **in_base;
    size_t n_in_base, cap_in_base;
    pthread_mutex_t lock;   /* guards the file and the terms */
    search_collector *dict; /* the file's terms, numbered as its postings */
    buf starts;             /* str out_path, u32 first search record: per page with records */
    uint32_t n_starts;
    int failed;
} page_cache_writer;

/* A worker's numbering of its collector's terms in the writer's file:
 * local id -> number + 1 (0: not looked up yet). Zero-initialise; free
 * with page_cache_terms_free. */
typedef struct page_cache_terms {
    uint32_t *number;
    size_t len;
} page_cache_terms;

/* Starts the file for a build (inputs digest build, seed). Records kept
 * from previous (NULL: none will be; else it must stay loaded until the
 * writer is done) are copied as they are, or left in the base, so its
 * terms keep their numbers. Returns 0, or -1 with errno set. */
int page_cache_writer_open(page_cache_writer *w, const char *path, uint64_t build, uint64_t seed,
                           const page_cache *previous);
/* A page built by this build: its messages d and, if sp is not NULL, its
 * search records, whose terms are in collector c (numbered through map). */
void page_cache_put_built(page_cache_writer *w, page_cache_terms *map, const char *out_path,
                          uint64_t key, const diag_list *d, const search_page *sp,
                          const search_collector *c);
/* A page kept: its record, copied from the previous file. */
void page_cache_put_kept(page_cache_writer *w, const char *record);
/* The number of the first search record of the page at out_path. */
void page_cache_put_first_record(page_cache_writer *w, const char *out_path, size_t first);
/* Finishes the file, as a delta or a full one, and renames it into place
 * (and the last full file to NAME.pages-base when it becomes the base);
 * returns 0 or -1. Either way the writer is freed. */
int page_cache_writer_commit(page_cache_writer *w);
void page_cache_writer_abort(page_cache_writer *w);
void page_cache_terms_free(page_cache_terms *map);

#endif
