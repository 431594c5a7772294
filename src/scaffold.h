/*
 * scaffold: `clinicgen new KIND "Title"`, a new page for a writer to fill.
 *
 * The page is written from an archetype, archetypes/KIND.md, looked up in
 * the project and then in its theme: front matter with every structured
 * field of that kind and a comment on each, and the body's usual sections.
 * In the archetype, {{title}} becomes the title (quoted for YAML where it
 * stands inside double quotes) and {{date}} the date given. The page goes
 * to content/SECTION/SLUG.md (procedures/, faq/, concerns/, or content/
 * itself for a plain page) and starts as a draft. An existing page of that
 * name, as a file or as a bundle, is never overwritten.
 */
#ifndef CLINICGEN_SCAFFOLD_H
#define CLINICGEN_SCAFFOLD_H

#include "diag.h"
#include "page.h"

/* The kinds `new` knows: procedure, faq, concern, page. */
int scaffold_is_kind(const char *kind);

/* Writes the page; returns its path as messages show it (caller frees), or
 * NULL after reporting an error to d. */
char *scaffold_new_page(const char *project_dir, int dir_given, const char *kind, const char *title,
                        const page_date *today, diag_list *d);

#endif
