/*
 * markdown: the Markdown stage of a page (cmark-gfm, then our ast).
 *
 * markdown_parse parses a page body with the GFM table, strikethrough,
 * autolink and tag filter extensions and footnotes, into an ast_doc.
 * markdown_prepare readies the tree for rendering, after the filters: it
 * drops an opening level-1 heading that repeats the title, gives every
 * heading a stable id, collects the outline (for the table of contents)
 * and rewrites links to other Markdown files and bundle files into URLs.
 *
 * An md_doc owns its tree and outline; md_doc_free releases both.
 */
#ifndef CLINICGEN_MARKDOWN_H
#define CLINICGEN_MARKDOWN_H

#include "ast.h"
#include "diag.h"

#include <stddef.h>

typedef struct md_heading {
    int level;
    char *id;   /* owned */
    char *text; /* owned plain text */
} md_heading;

typedef struct md_doc {
    ast_doc ast;
    md_heading *headings;
    size_t n_headings;
} md_doc;

/* Where a page's Markdown came from, for messages. */
typedef struct md_source {
    const char *display_path;
    int line_offset;   /* add to the body's line numbers (front matter above) */
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

/* Parses text into doc (initialised here); free with md_doc_free. */
void markdown_parse(md_doc *doc, const char *text, size_t len);
/* Parses text into an existing arena; returns the new Document node. */
ast_node *markdown_parse_into(ast_doc *doc, const char *text, size_t len);
/* links may be NULL (links are left as written); reserved_ids is a
 * NULL-terminated list of ids the page template uses, or NULL. Returns 0,
 * or -1 after reporting errors. */
int markdown_prepare(md_doc *doc, const md_source *src, const link_resolver *links,
                     const char *const *reserved_ids, diag_list *d);
void md_doc_free(md_doc *doc);

/* If the body opens with a level-1 heading, its plain text; else NULL. */
char *markdown_opening_heading(const char *body, size_t len);

#endif
