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
 * markdown_check_limits (markdown_limits.c) refuses, before parsing, the
 * few shapes of text on which Debian 12's cmark-gfm (0.29.0.gfm.6, older
 * than the fixes for CVE-2023-22483, -22484, -24824, -26485 and -37463)
 * takes time that grows with the square of their length, or memory that
 * grows with the square of the input: every page body goes through it.
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
/* The same, for text known to be valid UTF-8 without NUL bytes (a page
 * body that text_check_encoding passed): it is not read once more. */
void markdown_parse_valid(md_doc *doc, const char *text, size_t len);
/* Parses text into an existing arena; returns the new Document node. */
ast_node *markdown_parse_into(ast_doc *doc, const char *text, size_t len);
/* The same tree as markdown_parse_into (types, text and positions) for
 * one line of words with at most plain '*' emphasis, made without
 * cmark-gfm (markdown_simple.c says exactly which texts); NULL for any
 * other text, which the caller then parses. */
ast_node *markdown_parse_simple(ast_doc *doc, const char *text, size_t len);
/* links may be NULL (links are left as written); reserved_ids is a
 * NULL-terminated list of ids the page template uses, or NULL. Returns 0,
 * or -1 after reporting errors. */
int markdown_prepare(md_doc *doc, const md_source *src, const link_resolver *links,
                     const char *const *reserved_ids, diag_list *d);
void md_doc_free(md_doc *doc);

/* The limits, each far above what a writer types (README, "Limits"):
 *   - a block (text up to a blank line, a list item's line or a heading)
 *     of at most MD_MAX_BLOCK_BYTES, holding at most MD_MAX_BLOCK_OPENERS
 *     '[' and as many '<' (cmark-gfm's bracket and raw HTML scans are
 *     quadratic in them);
 *   - a word (text between spaces) with at most MD_MAX_WORD_LINKS of
 *     "www.", "://", '@' and '&' (the autolink extension rescans the word
 *     for each), and as many ')' when it holds one;
 *   - a table of at most MD_MAX_TABLE_COLUMNS columns and MD_MAX_TABLE_CELLS
 *     cells (short rows are filled up with empty cells);
 *   - link reference definitions that, copied into every link that could
 *     use them (a ']' each), make at most MD_MAX_REFERENCE_BYTES.
 * Reports the first limit passed at its line (line_offset added) and
 * returns -1; 0 when the text is within every limit. */
enum {
    MD_MAX_BLOCK_BYTES = 256 * 1024,
    MD_MAX_BLOCK_OPENERS = 1000,
    MD_MAX_WORD_LINKS = 16,
    MD_MAX_TABLE_COLUMNS = 100,
    MD_MAX_TABLE_CELLS = 100000,
    MD_MAX_REFERENCE_BYTES = 16 * 1024 * 1024
};
int markdown_check_limits(const char *text, size_t len, const char *file, int line_offset,
                          diag_list *d);

/* If the body opens with a level-1 heading, its plain text; else NULL. */
char *markdown_opening_heading(const char *body, size_t len);

#endif
