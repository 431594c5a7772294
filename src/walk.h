/*
 * walk: the content walker. Lists what content/ holds, in sorted order:
 * Markdown pages, other files (page bundles: copied next to their page) and
 * data files (content/_data/NAME.yaml). Names starting with '.' are skipped;
 * names starting with '_' are not pages, except _index.md (a section page).
 * A symbolic link is followed only when it resolves inside content/; one
 * that leads outside is an error, so nothing outside is ever published.
 * Every path is relative to content/ and owned by the content_files.
 */
#ifndef CLINICGEN_WALK_H
#define CLINICGEN_WALK_H

#include "diag.h"
#include "fsutil.h"

#include <stddef.h>
#include <sys/stat.h>

typedef struct path_list {
    char **items;
    size_t len, cap;
} path_list;

typedef struct content_files {
    path_list pages;    /* "procedures/microneedling/index.md" */
    struct stat *stats; /* each page file's, as the walk found it */
    size_t stats_cap;
    path_list assets; /* "procedures/microneedling/diagram.svg" */
    path_list data;   /* "_data/conditions.yaml" */
} content_files;

/* Returns 0, or -1 after reporting unreadable folders. listed: what
 * content_dir holds, as the build's inputs digest saw it (cache.h), so
 * that no file is looked at twice; NULL to look now. */
int walk_content(const char *content_dir, const char *display_dir, const fs_listing *listed,
                 content_files *out, diag_list *d);
void content_files_free(content_files *files);
/* Only the data files (content_dir/_data/NAME.yaml) into out->data. */
void walk_data_files(const char *content_dir, const char *display_dir, content_files *out,
                     diag_list *d);
void path_list_push(path_list *list, char *owned_path);

#endif
