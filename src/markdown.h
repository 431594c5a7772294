/*
 * markdown: the Markdown stage of a page (cmark-gfm).
 *
 * markdown_parse turns a page body into a cmark tree with the GFM table,
 * strikethrough, autolink and tag filter extensions and footnotes.
 * markdown_prepare then readies the tree for rendering: it drops an opening
 * level-1 heading that repeats the title, gives every heading a stable id,
 * collects the outline (for the table of contents) and rewrites links to
 * other Markdown files and bundle files into site URLs.
 *
 * The md_doc owns the tree and the outline; md_doc_free releases both.
 * Heading ids are attached to heading nodes as cmark user data (borrowed
 * from the outline) for the renderer.
 */
#ifndef CLINICGEN_MARKDOWN_H
#define CLINICGEN_MARKDOWN_H

#include "diag.h"

#include <cmark-gfm.h>
#include <stddef.h>

typedef struct md_heading {
    int level;
    char *id;   /* owned */
    char *text; /* owned plain text */
} md_heading;

typedef struct md_doc {
    cmark_node *root; /* owned */
    md_heading *headings;
    size_t n_headings;
} md_doc;

/* Where a page's Markdown came from, for messages. */
typedef struct md_source {
    const char *display_path;
    int line_offset; /* add to cmark's line numbers (front matter above) */
    const char *title; /* the page's title */
} md_source;

/* Resolves a relative link written in a page in folder page_dir (below
 * content/). Returns the site URL (caller frees), or NULL with *error set
 * to a message the caller frees. */
typedef struct link_resolver {
    char *(*resolve)(void *ctx, const char *page_dir, const char *target, char **error);
    void *ctx;
    const char *page_dir;
} link_resolver;

/* Registers the GFM extensions; call once before any thread starts. */
void markdown_init(void);

cmark_node *markdown_parse(const char *text, size_t len);
int markdown_prepare(md_doc *doc, const md_source *src, const link_resolver *links,
                     const char *const *reserved_ids, diag_list *d);
void md_doc_free(md_doc *doc);

/* Plain text of a node's inline content ("*a* `b`" -> "a b"). */
char *markdown_plain_text(cmark_node *node);

/* If the body opens with a level-1 heading, its plain text; else NULL. */
char *markdown_opening_heading(const char *body, size_t len);

#endif
