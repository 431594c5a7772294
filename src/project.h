/*
 * project: what every command that reads a whole project shares (build,
 * check): where the project is and how messages name its files, its
 * settings (site.yaml), its theme, its templates and its Lua filters, each
 * looked up the same way (the project's own folder first, then the
 * theme's, then the installed one).
 *
 * A project owns every string, the settings, the template set and the
 * filter set; project_free releases them, also after a failed open.
 */
#ifndef CLINICGEN_PROJECT_H
#define CLINICGEN_PROJECT_H

#include "config.h"
#include "diag.h"
#include "filter.h"
#include "markdown.h"
#include "page.h"
#include "template.h"

#include <stddef.h>

typedef struct project {
    const char *dir; /* where site.yaml is (borrowed) */
    int dir_given;   /* -C was used: messages show dir */
    site_config cfg;
    char *content_dir, *content_shown; /* "DIR/content"; "content" or "DIR/content" */
    char *theme_dir, *theme_shown;     /* NULL when the project does without a theme */
    template_set *templates;
    filter_set filters;
} project;

/* Reads site.yaml, finds the theme and loads the templates and the filters
 * site.yaml lists. Returns 0, or -1 after reporting errors. */
int project_open(project *pr, const char *dir, int dir_given, diag_list *d);
/* Only site.yaml, the content folder and the theme (clinicgen new). */
int project_open_settings(project *pr, const char *dir, int dir_given, diag_list *d);
void project_free(project *pr);

/* A path below the project as messages show it ("site.yaml" or
 * "DIR/site.yaml"). Caller frees. */
char *project_shown_path(const project *pr, const char *rel);

/* The project's folder SUB and the theme's, in the order in which their
 * files override each other, with their names for messages. Returns how
 * many (1 without a theme); free with project_free_dirs. */
size_t project_override_dirs(const project *pr, const char *sub, char *dirs[2], char *shown[2]);
void project_free_dirs(char *dirs[2], char *shown[2]);

/* Every file and folder a build of the project reads, for the build
 * cache's digest (cache.h): site.yaml, content/, the project's templates/,
 * static/ and filters/, the theme, the installed filters and clinicgen
 * itself; each as an absolute path (fs_absolute), so that the cache holds
 * however -C is spelled. The caller frees the array and its strings. */
char **project_input_roots(const project *pr, size_t *n);

/* Reads page p's source below content/ (or takes p->small_text, as
 * page_load read it) and parses its body (after the front matter) into doc, which the caller frees
 * with md_doc_free; sets *text_hash to the hash of the text read (page.h: text_hash) and, unless
 * front is NULL, *front to its front matter again (caller frees: the site
 * model does not keep it: site_inputs.keep_front_matter). Returns 0,
 * or -1 after reporting a file that cannot be read, is past
 * markdown_check_limits or changed its front matter's length since it was
 * loaded; -1 without a message for a page whose body page_load refused
 * already (skip_body). */
int project_parse_body(const project *pr, const page *p, md_doc *doc, value **front,
                       uint64_t *text_hash, diag_list *d);

#endif
