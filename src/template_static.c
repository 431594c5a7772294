/* template_static: the parts of a template set that come out the same on
 * every page (see template.h: tnode.static_id), found once when the set
 * is compiled.
 *
 * A part qualifies when every expression in it, through its includes, is
 * a dotted path read from `site` or from a name bound inside the part
 * (cg-define, cg-each, loop), or url, asset or absolute_url called with a
 * literal: "site.home.url", "section.title", "asset('favicon.svg')". It
 * holds no slot and no fill. The renderer writes such a part once per
 * worker and copies it for every later page (but for an offline site,
 * whose URLs are relative to the page).
 *
 * That is sound only while those names mean, on every page, what they
 * mean on the first: nothing in the set may bind site or a helper to
 * something else, or change what site holds. An expression could, by an
 * assignment (site = page, or an alias's field set), by a function
 * defined in it, by the table library (insert, remove, sort, move), or by
 * names looked up as it runs (_ENV): a set with any of these has no
 * static parts at all. */
#include "template.h"

#include <string.h>

enum { BOUND_MAX = 64 };

static const char *const globals_read[] = {"site", "url", "asset", "absolute_url"};

typedef struct bound {
    const char *names[BOUND_MAX];
    size_t len;
} bound;

static int is_global_read(const char *name) {
    for (size_t i = 0; i < sizeof globals_read / sizeof *globals_read; i++)
        if (!strcmp(name, globals_read[i]))
            return 1;
    return 0;
}

static int is_bound(const bound *b, const char *name) {
    for (size_t i = 0; i < b->len; i++)
        if (!strcmp(b->names[i], name))
            return 1;
    return 0;
}

static int bind(bound *b, const char *name) {
    if (!name)
        return 1;
    if (b->len == BOUND_MAX)
        return 0;
    b->names[b->len++] = name;
    return 1;
}

/* Expression e reads only the site, a helper with a literal, or names in b. */
static int expr_is_static(const template_set *set, int e, const bound *b) {
    if (e < 0)
        return 1;
    const texpr *x = &set->exprs[e];
    if (!x->path_len)
        return 0; /* any other Lua is not looked into */
    if (is_bound(b, x->path[0]))
        return 1;
    if (!strcmp(x->path[0], "site"))
        return !x->call_arg;
    return x->call_arg && x->path_len == 1 && is_global_read(x->path[0]);
}

static int part_is_static(const template_set *set, const tnode *n, bound b, int depth);

static int children_are_static(const template_set *set, const tnode *n, const bound *b, int depth) {
    for (size_t i = 0; i < n->n_children; i++)
        if (!part_is_static(set, n->children[i], *b, depth))
            return 0;
    return 1;
}

/* The directives are read in their order (define, if, each, the rest):
 * each sees the names bound before it. b is the part's names above n. */
static int part_is_static(const template_set *set, const tnode *n, bound b, int depth) {
    if (n->kind == TNODE_TEXT)
        return 1;
    if (n->kind == TNODE_SLOT || n->kind == TNODE_LAYOUT || n->is_fill)
        return 0;
    for (size_t i = 0; i < n->n_defines; i++)
        if (!expr_is_static(set, n->defines[i].expr, &b) || !bind(&b, n->defines[i].name))
            return 0;
    if (!expr_is_static(set, n->if_expr, &b) || !expr_is_static(set, n->each_expr, &b))
        return 0;
    if (n->each_expr >= 0 &&
        !(bind(&b, n->each_key) && bind(&b, n->each_value) && bind(&b, "loop")))
        return 0;
    if (!expr_is_static(set, n->text_expr, &b) || !expr_is_static(set, n->html_expr, &b))
        return 0;
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!expr_is_static(set, n->attrs[i].expr, &b))
            return 0;
    if (n->kind == TNODE_INCLUDE) {
        const template *t = template_set_get(set, n->name);
        if (!t || depth == TEMPLATE_INCLUDE_DEPTH_MAX ||
            !part_is_static(set, t->root, b, depth + 1))
            return 0;
    }
    return children_are_static(set, n, &b, depth);
}

/* Whether n or a node below it has an expression: a part without one is
 * already written as fast as a copy. */
static int has_expression(const tnode *n) {
    if (n->n_defines || n->if_expr >= 0 || n->each_expr >= 0 || n->text_expr >= 0 ||
        n->html_expr >= 0 || n->kind == TNODE_INCLUDE)
        return 1;
    for (size_t i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].expr >= 0)
            return 1;
    for (size_t i = 0; i < n->n_children; i++)
        if (has_expression(n->children[i]))
            return 1;
    return 0;
}

/* Numbers the largest static parts at and below n. */
static void number_parts(template_set *set, tnode *n) {
    if ((n->kind == TNODE_ELEMENT || (n->kind == TNODE_BLOCK && !n->is_fill)) &&
        part_is_static(set, n, (bound){{NULL}, 0}, 0) && has_expression(n)) {
        n->static_id = (int)set->n_static++;
        return;
    }
    for (size_t i = 0; i < n->n_children; i++)
        number_parts(set, n->children[i]);
}

static int is_name_char(char c) {
    return c == '_' || (c >= '0' && c <= '9') || ((unsigned)(c | 0x20) - 'a') < 26;
}

/* Whether a name at p (a global, not a field) lets the chunk change a
 * name or a table: a function, _ENV (names chosen as it runs), or the
 * table library but for concat, unpack and pack. */
static int is_changing_name(const char *p, size_t len) {
    if ((len == 8 && !strncmp(p, "function", 8)) || (len == 4 && !strncmp(p, "_ENV", 4)))
        return 1;
    if (len != 5 || strncmp(p, "table", 5))
        return 0;
    const char *q = p + 5;
    while (*q == ' ')
        q++;
    if (*q++ != '.')
        return 1; /* table['sort'], or the library handed on */
    while (*q == ' ')
        q++;
    static const char *const reading[] = {"concat", "unpack", "pack"};
    for (size_t i = 0; i < sizeof reading / sizeof *reading; i++) {
        size_t n = strlen(reading[i]);
        if (!strncmp(q, reading[i], n) && !is_name_char(q[n]))
            return 0;
    }
    return 1;
}

/* Whether the chunk could change a name or a table: an '=' outside a
 * table constructor (not ==, ~=, <=, >=), or a name is_changing_name
 * refuses. String literals are skipped; a long string or a comment only
 * makes the answer a cautious yes. */
static int may_change_things(const char *src) {
    int braces = 0;
    for (const char *p = src; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char quote = *p;
            while (p[1] && p[1] != quote)
                p += p[1] == '\\' && p[2] ? 2 : 1;
            if (!p[1])
                return 1;
            p++;
            continue;
        }
        if (*p == '[' && (p[1] == '[' || p[1] == '='))
            return 1; /* a long string */
        if (*p == '-' && p[1] == '-')
            return 1; /* a comment */
        braces += (*p == '{') - (*p == '}');
        if (*p == '=' && braces <= 0 && !strchr("=~<>", p == src ? ' ' : p[-1]) && p[1] != '=')
            return 1;
        if (is_name_char(*p) &&
            (p == src || (!is_name_char(p[-1]) && p[-1] != '.' && p[-1] != ':'))) {
            const char *end = p;
            while (is_name_char(*end))
                end++;
            if (is_changing_name(p, (size_t)(end - p)))
                return 1;
            p = end - 1;
        }
    }
    return 0;
}

static int binds_a_global_read(const tnode *n) {
    for (size_t i = 0; i < n->n_defines; i++)
        if (is_global_read(n->defines[i].name))
            return 1;
    if (n->each_expr >= 0 && ((n->each_key && is_global_read(n->each_key)) ||
                              (n->each_value && is_global_read(n->each_value))))
        return 1;
    for (size_t i = 0; i < n->n_children; i++)
        if (binds_a_global_read(n->children[i]))
            return 1;
    return 0;
}

void template_find_static_parts(template_set *set) {
    set->n_static = 0;
    for (size_t i = 0; i < set->n_exprs; i++)
        if (!set->exprs[i].path_len && may_change_things(set->exprs[i].source))
            return;
    for (size_t i = 0; i < set->len; i++)
        if (binds_a_global_read(set->items[i]->root))
            return;
    for (size_t i = 0; i < set->len; i++)
        number_parts(set, set->items[i]->root);
}
