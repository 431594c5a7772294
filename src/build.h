/*
 * build: the whole pipeline of DESIGN.md, from site.yaml to a swapped-in
 * site/. build_site runs it and returns the exit status (0 success, 1
 * content, template or output errors); it prints every message itself.
 *
 * With the build cache (cache.h), a build whose inputs have not changed
 * since the last one does nothing, and otherwise writes only the files
 * whose content changed.
 */
#ifndef CLINICGEN_BUILD_H
#define CLINICGEN_BUILD_H

#include "diag.h"

typedef enum { VERBOSITY_QUIET, VERBOSITY_NORMAL, VERBOSITY_VERBOSE } verbosity;

typedef struct build_options {
    const char *project_dir; /* where site.yaml is; "." by default */
    int project_dir_given;   /* -C was used: show it in messages */
    const char *out_dir;     /* NULL: project_dir/site */
    int drafts;
    int offline;  /* --offline: as site.yaml's offline: true */
    int jobs;     /* worker threads; 0: one per core */
    int no_cache; /* --no-cache: write every file, as if there were no cache */
    verbosity verbosity;
    int exits_after;   /* the process ends when the build returns (clinicgen build) */
    diag_list *report; /* when set, the build's messages are moved here after
                        * printing (clinicgen serve shows them in the browser);
                        * the caller owns the list */
} build_options;

int build_site(const build_options *opt);

#endif
