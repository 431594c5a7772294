/*
 * assets: the theme's and project's static files (stylesheets, scripts,
 * images). A project's static/ file overrides the theme's of the same name.
 * CSS and JavaScript get a content hash in their file name
 * (css/style.css -> css/style.1a2b3c4d5e.css) so hosts can cache them
 * forever; templates find the hashed name with asset("css/style.css").
 * The static_files owns every string; names maps logical name -> out path
 * (borrowed from the static_files).
 */
#ifndef CLINICGEN_ASSETS_H
#define CLINICGEN_ASSETS_H

#include "diag.h"
#include "strmap.h"

#include <stddef.h>

typedef struct static_file {
    char *name;     /* "css/style.css" */
    char *path;     /* file to copy */
    char *shown;    /* path for messages */
    char *out_path; /* "css/style.1a2b3c4d5e.css" */
} static_file;

typedef struct static_files {
    static_file *items;
    size_t len;
    strmap names;
} static_files;

/* dirs in priority order (project static/ first). Returns 0 or -1. */
int assets_collect(static_files *out, const char *const *dirs, const char *const *shown,
                   size_t n_dirs, diag_list *d);
void assets_free(static_files *files);

#endif
