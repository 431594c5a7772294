/*
 * filter: Lua filters over each page's document tree (pipeline stage 4;
 * docs/filters.md is the user's side of this contract).
 *
 * A filter_set is the list of filter files from site.yaml, resolved and
 * read once before workers start; it is read-only afterwards. A filter_env
 * belongs to one worker: its own Lua state, with a memory allocator that
 * enforces the per-page cap, the sandboxed libraries, and each filter
 * compiled once. filter_env_run runs every filter over one page's tree in
 * a fresh environment. The env borrows the set and the site's settings and
 * data, which must outlive it.
 */
#ifndef CLINICGEN_FILTER_H
#define CLINICGEN_FILTER_H

#include "ast.h"
#include "diag.h"
#include "value.h"

#include <stddef.h>

typedef struct filter_file {
    char *name;  /* as listed: "aftercare" */
    char *shown; /* the path in messages: "filters/aftercare.lua" */
    char *source;
    size_t len;
} filter_file;

typedef struct filter_set {
    filter_file *items;
    size_t len;
    long long instruction_limit; /* per page and filter */
    size_t memory_limit;         /* bytes, per page and filter */
    int time_limit;              /* seconds, per page and filter */
} filter_set;

/* Looks each name up in dirs (in order: the project's, the theme's, the
 * installed filters/), reads and syntax-checks it. Returns 0 or -1. */
int filter_set_load(filter_set *set, const value *names, const char *const *dirs,
                    const char *const *shown_dirs, size_t n_dirs, const char *where, diag_list *d);
/* A set from explicit files (clinicgen render --filter FILE). */
int filter_set_add_file(filter_set *set, const char *path, diag_list *d);
/* Reads filter_instruction_limit, filter_memory_limit_mb and
 * filter_time_limit_seconds from site.yaml. */
void filter_set_limits(filter_set *set, const value *settings, const char *where, diag_list *d);
void filter_set_free(filter_set *set);

/* What a filter sees of the page being filtered. */
typedef struct filter_page {
    const char *display_path; /* for messages */
    const value *front;       /* front matter map, may be NULL */
    const char *path, *url, *kind, *section, *title;
} filter_page;

typedef struct filter_env filter_env;

filter_env *filter_env_new(const filter_set *set, const value *settings, const value *data);
/* Runs every filter over doc (root replaced if a Document function says
 * so). Returns 0, or -1 after reporting an error. */
int filter_env_run(filter_env *e, ast_doc *doc, const filter_page *page, diag_list *d);
void filter_env_free(filter_env *e);

#endif
