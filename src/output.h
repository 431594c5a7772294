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
 * Writes from several threads are safe: each writes its own files.
 */
#ifndef CLINICGEN_OUTPUT_H
#define CLINICGEN_OUTPUT_H

#include "diag.h"

#include <stddef.h>

typedef struct output {
    char *final_dir; /* as given */
    char *stage_dir; /* owned temporary folder */
} output;

int output_begin(output *o, const char *out_dir, const char *project_dir, diag_list *d);
int output_write(output *o, const char *rel, const char *data, size_t len, diag_list *d);
int output_copy(output *o, const char *rel, const char *from, const char *from_shown, diag_list *d);
int output_commit(output *o, diag_list *d);
void output_abort(output *o);

#endif
