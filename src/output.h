/*
 * output: writing the site atomically (pipeline stage 9).
 *
 * output_begin makes a fresh staging folder beside the output folder;
 * every file is written there. output_commit swaps it into place in one
 * rename, so readers never see a half-written site; output_abort throws
 * it away and leaves the previous site untouched. An existing output
 * folder is only ever replaced if clinicgen made it (it holds a marker
 * file) or it is empty; the project root, a folder holding content/, a
 * folder inside content/ and any folder that contains the project are
 * refused. Paths given to output_write are checked to stay inside, and
 * each path is written once: a second write to it is an error.
 *
 * Every file written is recorded (cache.h) with a hash of its content. Given
 * the previous build's manifest, whose files are all intact in the output
 * folder, output_begin starts an update instead: a file whose content has
 * the same hash as before is not written again, and output_commit moves
 * only the new and changed files into the existing folder and deletes
 * those the build no longer writes. Nothing in the output folder changes
 * before output_commit, so a failed build still leaves it as it was.
 *
 * Writes from several threads are safe: each writes its own files.
 */
#ifndef CLINICGEN_OUTPUT_H
#define CLINICGEN_OUTPUT_H

#include "cache.h"
#include "diag.h"

#include <pthread.h>
#include <stddef.h>

typedef struct output {
    char *final_dir;                /* as given */
    char *stage_dir;                /* owned temporary folder */
    const cache_manifest *previous; /* update mode: the last build's files; else NULL */
    pthread_mutex_t lock;           /* guards what follows */
    cache_manifest written;         /* every file of this build, as written */
    strmap taken;                   /* their paths: each is written once */
    strmap folders;                 /* folders made in the staging folder */
    char **staged;                  /* update mode: the files to move into place */
    size_t n_staged;
} output;

/* previous: NULL for a full build, or a manifest whose files are intact in
 * out_dir (cache_outputs_intact) for an update; borrowed until commit. */
int output_begin(output *o, const char *out_dir, const char *project_dir,
                 const cache_manifest *previous, diag_list *d);
int output_write(output *o, const char *rel, const char *data, size_t len, diag_list *d);
int output_copy(output *o, const char *rel, const char *from, const char *from_shown, diag_list *d);
/* Update mode: keeps rel as the previous build wrote it, for a file whose
 * inputs have not changed (page_cache.h), and sets *size (unless NULL) to
 * its size. Returns 0; 1 when the previous
 * build did not write rel (the caller writes it instead); -1 after
 * reporting that rel is taken already. */
int output_keep(output *o, const char *rel, uint64_t *size, diag_list *d);
/* On success the files written are in o->written (the caller may take the
 * manifest: it is freed with the output). */
int output_commit(output *o, diag_list *d);
void output_abort(output *o);
void output_free(output *o);

#endif
