/*
 * template: loading and compiling HTML templates (libxml2's XML parser).
 *
 * A template is a well-formed HTML file. Directives are attributes and
 * elements with the prefix `cg-`, carrying Lua expressions:
 *
 *   cg-define="name = expr; other = expr"   local names for the element
 *   cg-if="expr" / cg-else                  keep the element or not; an
 *   cg-else cg-if="expr"                    element with both continues the
 *                                           chain (else-if)
 *   cg-each="item in expr" / "k, v in expr" repeat it (loop.index, .first,
 *                                           .last, .length)
 *   cg-text="expr" / cg-html="expr"         replace the children (text is
 *                                           escaped; html only if trusted)
 *   cg-attr-NAME="expr"                     set attribute NAME
 *   <cg-layout name="base.html">            wrap this template in a layout,
 *   <cg-fill slot="main">                   filling its named slots
 *   <cg-slot name="main">default</cg-slot>  a slot in a layout
 *   <cg-include name="partials/x.html"/>    a partial
 *   <cg-block>                              an element that writes only its
 *                                           children
 *
 * Directives apply in that fixed order: define, if, each, text or html,
 * attributes. A template_set is built once, before worker threads start,
 * and is read-only afterwards; it owns every template and expression.
 */
#ifndef CLINICGEN_TEMPLATE_H
#define CLINICGEN_TEMPLATE_H

#include "diag.h"

#include <stddef.h>

typedef enum {
    TNODE_TEXT,    /* static text, already escaped (or raw inside script/style) */
    TNODE_ELEMENT, /* an HTML element */
    TNODE_BLOCK,   /* cg-block, cg-fill: children only */
    TNODE_SLOT,    /* cg-slot */
    TNODE_INCLUDE, /* cg-include */
    TNODE_LAYOUT   /* cg-layout: the root of a template that uses a layout */
} tnode_kind;

typedef struct tdefine {
    char *name;
    int expr;
} tdefine;

typedef struct tattr {
    char *name;
    int expr;   /* -1 for a static attribute */
    char *text; /* static value (unescaped), or NULL for a bare attribute */
    int is_url; /* value is a URL: script URLs are refused */
    /* A static attribute that is not a URL, as written out (' name="v"'),
     * made once: "" when a computed one of that name overrides it; NULL
     * for the others, which are written out per page. Owned. */
    char *html;
    size_t html_len;
} tattr;

typedef struct tnode {
    tnode_kind kind;
    int line;
    char *name; /* element name; slot, include, layout or fill name */
    char *text; /* TNODE_TEXT */
    size_t text_len;
    tdefine *defines;
    size_t n_defines;
    int if_expr;   /* -1: none */
    int is_else;   /* cg-else: shown when no element of its if-chain was */
    int each_expr; /* -1: none */
    char *each_key, *each_value;
    /* cg-each: whether a repetition may read `loop`; when no expression
     * below it names loop (nor _ENV) and no partial or slot is there, the
     * table is not made for each repetition */
    int each_reads_loop;
    int text_expr, html_expr; /* -1: none */
    tattr *attrs;
    size_t n_attrs;
    int is_void, is_raw_text;
    int is_fill; /* a cg-fill (a TNODE_BLOCK): only directly inside cg-layout */
    /* An element's "<name" and "</name>", made once (owned; NULL when the
     * node is no element) */
    char *open_tag, *close_tag;
    size_t open_len, close_len;
    struct tnode **children;
    size_t n_children;
    /* A part that comes out the same on every page (template_static.c):
     * its number, from 0 to the set's n_static; else -1 */
    int static_id;
} tnode;

typedef struct texpr {
    char *source; /* the Lua chunk: "return expr" */
    char *file;   /* the template's display path */
    int line;
    /* An expression that only reads a dotted path of names ("page.title",
     * "item.url"), or calls one with a string literal ("asset('x.css')"):
     * the names, which the renderer may look up without running the chunk,
     * and the literal (NULL for a path); NULL and 0 for every other
     * expression. Owned. */
    char **path;
    size_t path_len;
    char *call_arg;
} texpr;

typedef struct template {
    char *name; /* "page.html", "partials/header.html" */
    char *path; /* display path */
    tnode *root;
}
template;

typedef struct template_set {
    template **items;
    size_t len;
    texpr *exprs;
    size_t n_exprs;
    char **reserved_ids; /* NULL-terminated: static ids found in templates */
    size_t n_reserved;
    size_t n_static; /* parts numbered by tnode.static_id */
} template_set;

/* Loads every *.html below each dir; earlier dirs override later ones
 * (project templates/ before the theme's). display_dirs name them in
 * messages. Returns NULL after reporting errors. */
template_set *template_set_load(const char *const *dirs, const char *const *display_dirs,
                                size_t n_dirs, diag_list *d);
/* A set of the one template text (len bytes, need not end in NUL), named
 * and shown in messages as name: for tests and fuzzing, with nothing read
 * from disk. Returns NULL after reporting errors. */
template_set *template_set_compile(const char *name, const char *text, size_t len, diag_list *d);
const template *template_set_get(const template_set *set, const char *name);
void template_set_free(template_set *set);

/* How deep templates may include or extend one another: deeper is taken
 * for a loop (the renderer's error) and is no static part. */
enum { TEMPLATE_INCLUDE_DEPTH_MAX = 16 };

/* Numbers the set's parts that come out the same on every page
 * (tnode.static_id, n_static): template_static.c says which. */
void template_find_static_parts(template_set *set);

/* A Lua error message without the chunk name of the expression wrapper. */
const char *template_lua_message(const char *msg);

#endif
