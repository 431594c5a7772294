/*
 * model_cache: what reading each page file gave the site model (its
 * fields: title, summary, dates, tags, concerns, URL..., where its body
 * starts and its hashes), so that the next build need not read and parse
 * a file that is unchanged since: the third part of the build cache
 * (cache.h, page_cache.h).
 *
 * After each successful build, OUT_PARENT/.clinicgen-cache/OUT_NAME.model
 * holds an entry per page file, with the file's identity (its size, times
 * and inode: cache_stat_identity) as it was read. A build whose other
 * inputs (clinicgen itself, site.yaml, the theme...) are the same makes
 * the page from a file's entry instead of reading the file while its
 * identity is the same. A page read in a successful build gave no
 * message, so none is kept. Its front matter is not kept either: the
 * build reads it with the body of the page being built.
 *
 * The file is binary (binio.h): "clinicgen-model 4\n", u64 inputs, then
 * per file: u32 length, str source, u64 file_id, u32 listed_before and
 * az_before (page.h), u64 text_hash, model_hash, body_offset, u32
 * body_line, and the fields model_cache.c's put_page
 * writes; last a u64 hash of the header and the entries (each hashed with
 * the hash before it as the seed). A file that does not parse counts as
 * none: its pages are read.
 *
 * A model_cache owns the file's mapping and the index of its entries; it is
 * read-only once loaded, so the threads that read pages share it.
 */
#ifndef CLINICGEN_MODEL_CACHE_H
#define CLINICGEN_MODEL_CACHE_H

#include "diag.h"
#include "page.h"
#include "site.h"
#include "strmap.h"

#include <stdint.h>
#include <sys/stat.h>

typedef struct model_cache {
    const char *data; /* the file, mapped (fsutil.h: fs_map_file) */
    size_t len;
    strmap entries; /* source -> the entry's start in data */
} model_cache;

#define MODEL_CACHE_INIT                                                                           \
    { NULL, 0, STRMAP_INIT }

/* Loads the file at path if the build that wrote it had the same inputs
 * besides content/ (inputs). Returns 0, or -1 (c is then empty). */
int model_cache_load(model_cache *c, const char *path, uint64_t inputs);
/* Fills the zeroed page p from the entry of source when the file source
 * below content/, whose status is st (the content walk's), is as it was
 * then; returns 1, or 0 when the file is to be read (p is left zeroed). */
int model_cache_restore(const model_cache *c, page *p, const char *source, const struct stat *st,
                        const char *display_path);
/* Sets p's listed_before and az_before from its source's entry, if it has
 * one: for a page read again because its file changed, whose places most
 * likely did not. */
void model_cache_places(const model_cache *c, page *p);
void model_cache_free(model_cache *c);

/* Writes an entry for every page of m read from a file into a temporary
 * file beside path, which the caller renames to path when the build
 * succeeds, or removes. Returns its name (caller frees), or NULL. */
char *model_cache_write(const site_model *m, const char *path, uint64_t inputs);

#endif
