/*
 * ast: clinicgen's document tree, the one filters, the renderer and the
 * search index all see.
 *
 * cmark-gfm parses; ast_from_cmark copies its tree into these nodes, whose
 * every field is public and settable (cmark keeps the data of tables and
 * footnotes private, so a filter could not build them there). Node types
 * are named as filters name them (Heading, TableCell, ...).
 *
 * All nodes and strings of a document live in the document's arena: they
 * are never freed one by one, and ast_doc_free releases everything at once.
 * Strings passed to the setters are copied. Nodes link to parent and
 * siblings, so walking the tree (ast_next) needs no stack, however deep.
 */
#ifndef CLINICGEN_AST_H
#define CLINICGEN_AST_H

#include <cmark-gfm.h>
#include <stddef.h>

typedef enum {
    /* blocks */
    AST_DOCUMENT,
    AST_HEADING,
    AST_PARAGRAPH,
    AST_BLOCK_QUOTE,
    AST_LIST,
    AST_ITEM,
    AST_CODE_BLOCK,
    AST_HTML_BLOCK,
    AST_THEMATIC_BREAK,
    AST_TABLE,
    AST_TABLE_ROW,
    AST_TABLE_CELL,
    AST_FOOTNOTE_DEFINITION,
    AST_DIV, /* a block container that filters make: <div>, <section> or <aside> */
    /* inlines */
    AST_TEXT,
    AST_EMPH,
    AST_STRONG,
    AST_STRIKETHROUGH,
    AST_LINK,
    AST_IMAGE,
    AST_CODE,
    AST_HTML_INLINE,
    AST_SOFT_BREAK,
    AST_LINE_BREAK,
    AST_FOOTNOTE_REFERENCE,
    AST_TYPE_COUNT
} ast_type;

typedef enum { AST_ALIGN_NONE, AST_ALIGN_LEFT, AST_ALIGN_CENTER, AST_ALIGN_RIGHT } ast_align;

typedef struct ast_node ast_node;
struct ast_node {
    ast_type type;
    int line, col; /* in the Markdown body; 0 when made by a filter */
    ast_node *parent, *first, *last, *prev, *next;
    const char *text;          /* Text, Code, CodeBlock, HtmlBlock, HtmlInline */
    const char *url;           /* Link, Image */
    const char *title;         /* Link, Image */
    const char *info;          /* CodeBlock */
    const char *id;            /* Heading: set by markdown_prepare */
    int level;                 /* Heading: 1-6 */
    int ordered, start, tight; /* List */
    int number;                /* FootnoteReference, FootnoteDefinition */
    int header;                /* TableRow: the header row */
    const char *class_name;    /* Div: class attribute (letters, digits, '-', '_', ' ') */
    const char *element;       /* Div: "div", "section" or "aside" */
    int n_columns;             /* Table */
    const char *caption;       /* Table: what the table shows, or NULL */
    unsigned char *alignments; /* Table: n_columns ast_align values */
    int flags;                 /* AST_MOVED, AST_NO_CALL: bookkeeping of the filter engine */
    ast_node *moved_to;        /* AST_MOVED: the node that took this one's children */
};

enum { AST_MOVED = 1, AST_NO_CALL = 2 };

typedef struct ast_arena_block ast_arena_block;

typedef struct ast_doc {
    ast_node *root;
    ast_arena_block *blocks;
    size_t used, cap; /* in the newest block */
    size_t bytes;     /* taken from malloc so far: the filter sandbox counts it */
} ast_doc;

void ast_doc_init(ast_doc *doc);
void ast_doc_free(ast_doc *doc);

ast_node *ast_new(ast_doc *doc, ast_type type);
const char *ast_strdup(ast_doc *doc, const char *s, size_t n);
/* A Text node holding a copy of s. */
ast_node *ast_new_text(ast_doc *doc, const char *s, size_t n);
void *ast_alloc(ast_doc *doc, size_t n);

/* Tree edits. Each returns 0, or -1 if the child cannot go there
 * (ast_can_contain) and nothing changed. */
int ast_append(ast_node *parent, ast_node *child);
int ast_insert_before(ast_node *sibling, ast_node *node);
void ast_unlink(ast_node *node);
/* Moves every child of from to the end of to's children, in order, without
 * asking ast_can_contain: for a node that takes the place of another of
 * the same type. */
void ast_move_children(ast_node *to, ast_node *from);
int ast_can_contain(const ast_node *parent, const ast_node *child);

static inline int ast_is_block(ast_type t) {
    return t < AST_TEXT;
}
/* Types that never have children (their text is in a field). */
int ast_is_leaf(ast_type t);

/* The name filters use: "Heading", "TableCell", ... */
const char *ast_type_name(ast_type t);
/* -1 for an unknown name. */
int ast_type_from_name(const char *name);

/* Pre-order walk with enter/exit events, like cmark_iter: returns the next
 * (node, entering) after (node, entering), or NULL after the root's exit. */
ast_node *ast_next(ast_node *root, ast_node *node, int *entering);

/* Copies a cmark-gfm tree into doc's arena; returns its Document node. */
ast_node *ast_from_cmark(ast_doc *doc, cmark_node *root);

/* A copy of node and its subtree in doc, unlinked. */
ast_node *ast_copy(ast_doc *doc, const ast_node *node);

/* Plain text of a node's content ("*a* `b`" -> "a b"); caller frees. */
char *ast_plain_text(const ast_node *node);

#endif
