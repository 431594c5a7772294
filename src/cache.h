/*
 * cache: the build cache (incremental builds). After each successful
 * build, a manifest beside the output folder (OUT's parent
 * /.clinicgen-cache/OUT's name.manifest) records
 *
 *   - a digest of everything the build read: the name, size, times and
 *     inode of every file under the input roots (content/, templates,
 *     static files, filters, the theme, site.yaml, the clinicgen binary)
 *     and the build options;
 *   - every file the build wrote: its path below the output folder, a hash
 *     of its content, and its size, modification time and inode as
 *     written, so that a file changed by anyone since is noticed;
 *   - the build's summary and warnings, to repeat them when nothing
 *     changed.
 *
 * The next build uses it twice: when the inputs' digest is the same and
 * every output is as it was, there is nothing to do; otherwise only files
 * whose content hash differs are written (output.h, update mode).
 *
 * A manifest owns its strings and entries; cache_manifest_free frees them.
 * Any manifest that cannot be read counts as none: the build is then full.
 */
#ifndef CLINICGEN_CACHE_H
#define CLINICGEN_CACHE_H

#include "fsutil.h"
#include "strmap.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

typedef struct cache_entry {
    char *path;                   /* below the output folder */
    uint64_t hash;                /* of the content (output_copy: of the source's identity) */
    uint64_t size, mtime_ns, ino; /* the output file as written */
} cache_entry;

typedef struct cache_manifest {
    uint64_t inputs; /* cache_inputs_digest of the build */
    char **roots;    /* the input roots the digest covers */
    size_t n_roots;
    size_t pages, files; /* pages built and files copied, for the summary */
    char *messages;      /* the warnings the build printed ("" for none) */
    cache_entry *entries;
    size_t len, cap;
    strmap by_path; /* path -> entry (filled by cache_manifest_index) */
} cache_manifest;

#define CACHE_MANIFEST_INIT                                                                        \
    { 0, NULL, 0, 0, 0, NULL, NULL, 0, 0, STRMAP_INIT }

/* OUT_PARENT/.clinicgen-cache/OUT_NAME.KIND: the manifest ("manifest"), the
 * page cache ("pages", page_cache.h), the model cache ("model",
 * model_cache.h), the search scores ("search", search_scores.h). Caller
 * frees. */
char *cache_file_path(const char *out_dir, const char *kind);

/* Returns 0, or -1 when there is no readable manifest of this version
 * (m is then empty). */
int cache_manifest_load(cache_manifest *m, const char *path);
/* Writes it (through a temporary file and a rename). Returns 0 or -1. */
int cache_manifest_save(const cache_manifest *m, const char *path);
void cache_manifest_free(cache_manifest *m);

/* Entries: add copies path; index makes cache_manifest_find work. */
void cache_manifest_add(cache_manifest *m, const cache_entry *e);
/* Room for n entries in all, made at once (an update writes about as many
 * files as the last build did: no copy of a growing array). */
void cache_manifest_reserve(cache_manifest *m, size_t n);
void cache_manifest_index(cache_manifest *m);
const cache_entry *cache_manifest_find(const cache_manifest *m, const char *path);
void cache_manifest_set_roots(cache_manifest *m, char **roots, size_t n); /* takes them */

/* Fills e's size, mtime_ns and inode from st (the file as written). */
void cache_entry_set_stat(cache_entry *e, const struct stat *st);
/* A hash of a file's name and of its size, times and inode from st, as
 * the inputs' digest describes it: the same while the file is unchanged.
 * Callers name a file as the project sees it (below content/, say), not
 * by a path that depends on how -C was spelled. */
uint64_t cache_stat_identity(const char *name, const struct stat *st);
/* The same for the file at path, looked at now (0 when it cannot be),
 * named name. */
uint64_t cache_file_identity(const char *path, const char *name);

/* Is every file of the manifest in out_dir as the build left it? */
int cache_outputs_intact(const cache_manifest *m, const char *out_dir);

/* A digest of the names, sizes, times and inodes of every file and folder
 * below roots (a root may be a file, a link or missing), and of options.
 * Links below a root are described, not followed. listings: NULL, or n
 * places for what each root holds as the digest saw it (NULL for a root
 * that is not a folder), for the content walk to take rather than look
 * again; the caller frees them (fs_listing_free). */
uint64_t cache_inputs_digest(char *const *roots, size_t n, const char *options,
                             fs_listing **listings);

#endif
