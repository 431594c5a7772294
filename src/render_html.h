/*
 * render_html: a cmark-gfm tree to HTML5 for the page body.
 *
 * Our own renderer over our own tree (ast.h), because the body must fit
 * the page around it: headings carry the ids markdown_prepare gave them,
 * tables sit in a scrollable wrapper and align with classes (no obsolete
 * `align` attribute, no inline style), footnotes link by number, raw HTML
 * is left out with a warning unless the site trusts its writers, and the
 * tag filter applies when it does. The tree is walked with ast_next, so
 * deep nesting costs no C stack.
 */
#ifndef CLINICGEN_RENDER_HTML_H
#define CLINICGEN_RENDER_HTML_H

#include "ast.h"
#include "buf.h"
#include "diag.h"

typedef struct render_options {
    int unsafe_html;          /* pass raw HTML through (tag filter still applies) */
    const char *display_path; /* for warnings */
    int line_offset;
} render_options;

/* Appends the HTML of root's children to out. */
void render_html(const ast_node *root, const render_options *opt, buf *out, diag_list *d);

#endif
