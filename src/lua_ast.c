/* lua_ast: lazy node tables, conversion back with checks, constructors. */
#include "lua_ast.h"

#include "lua_value.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

/* Registry keys: the addresses of these (lightuserdata, no string lookup). */
static const char NODE_MT = 'm'; /* the metatable of node tables with children */
static const char ORIGINS = 'o'; /* node table -> ast_node, per page */
static const char DOC = 'd';     /* the page's ast_doc, while open */
static const char LAZY_MT = 'l'; /* the metatable of lists not yet made */
static const char LAZY = 'z';    /* lazy list -> the node holding its items, per page */
static const char *const align_names[] = {"", "left", "center", "right"};

/* ---- ast -> Lua ---- */

static void set_str(lua_State *L, const char *key, const char *value) {
    lua_push_text(L, value ? value : "");
    lua_setfield(L, -2, key);
}

static void set_int(lua_State *L, const char *key, int value) {
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

static void set_bool(lua_State *L, const char *key, int value) {
    lua_pushboolean(L, value);
    lua_setfield(L, -2, key);
}

static void push_fields(lua_State *L, const ast_node *n) {
    switch (n->type) {
    case AST_HEADING: set_int(L, "level", n->level); break;
    case AST_LIST:
        set_bool(L, "ordered", n->ordered);
        set_int(L, "start", n->start);
        set_bool(L, "tight", n->tight);
        break;
    case AST_CODE_BLOCK:
        set_str(L, "info", n->info);
        set_str(L, "text", n->text);
        break;
    case AST_HTML_BLOCK:
    case AST_HTML_INLINE:
    case AST_TEXT:
    case AST_CODE: set_str(L, "text", n->text); break;
    case AST_LINK:
    case AST_IMAGE:
        set_str(L, "url", n->url);
        set_str(L, "title", n->title);
        break;
    case AST_TABLE:
        lua_createtable(L, n->n_columns, 0);
        for (int i = 0; i < n->n_columns; i++) {
            lua_pushstring(L, align_names[n->alignments ? n->alignments[i] & 3 : 0]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "alignments");
        set_str(L, "caption", n->caption);
        break;
    case AST_TABLE_ROW: set_bool(L, "header", n->header); break;
    case AST_FOOTNOTE_DEFINITION:
    case AST_FOOTNOTE_REFERENCE: set_int(L, "number", n->number); break;
    case AST_DIV:
        set_str(L, "class", n->class_name);
        set_str(L, "element", n->element ? n->element : "div");
        break;
    default: break;
    }
}

void lua_ast_push(lua_State *L, ast_node *n) {
    luaL_checkstack(L, 8, "document nested too deeply");
    lua_createtable(L, 0, 4);
    lua_pushstring(L, ast_type_name(n->type));
    lua_setfield(L, -2, "t");
    push_fields(L, n);
    if (ast_is_leaf(n->type))
        return;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &NODE_MT);
    lua_setmetatable(L, -2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ORIGINS);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, n);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

void lua_ast_push_children(lua_State *L, ast_node *parent) {
    int count = 0;
    for (ast_node *c = parent->first; c; c = c->next)
        count++;
    lua_createtable(L, count, 0);
    int i = 0;
    for (ast_node *c = parent->first; c; c = c->next) {
        lua_ast_push(L, c);
        lua_rawseti(L, -2, ++i);
    }
}

/* ---- lazy lists ---- */

void lua_ast_push_lazy_children(lua_State *L, ast_node *parent) {
    lua_newtable(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LAZY);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, parent);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LAZY_MT);
    lua_setmetatable(L, -2);
}

static int is_lazy(lua_State *L, int idx) {
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LAZY_MT);
    int lazy = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return lazy;
}

/* The node that the page's table at registry key `map` (ORIGINS, LAZY)
 * gives for the table at idx; NULL for none, or for a table kept past its
 * page, whose nodes are gone. */
static ast_node *page_node_of(lua_State *L, const char *map, int idx) {
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, map);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    ast_node *n = lua_touserdata(L, -1);
    lua_pop(L, 2);
    return n;
}

/* The node holding the items of the lazy list at idx (a kept one settles
 * as an empty list). */
static ast_node *lazy_parent(lua_State *L, int idx) {
    return page_node_of(L, &LAZY, idx);
}

void lua_ast_settle(lua_State *L, int idx) {
    if (!is_lazy(L, idx))
        return;
    idx = lua_absindex(L, idx);
    ast_node *parent = lazy_parent(L, idx);
    lua_pushnil(L);
    lua_setmetatable(L, idx); /* a plain list from now on */
    lua_Integer i = 0;
    for (ast_node *c = parent ? parent->first : NULL; c; c = c->next) {
        lua_ast_push(L, c);
        lua_rawseti(L, idx, ++i);
    }
}

/* The lazy list's metamethods: the list is made, then read as a plain one. */
static int lazy_index(lua_State *L) {
    lua_ast_settle(L, 1);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

static int lazy_newindex(lua_State *L) {
    lua_ast_settle(L, 1);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 0;
}

static int lazy_len(lua_State *L) {
    lua_ast_settle(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}

static int lazy_pairs(lua_State *L) {
    lua_ast_settle(L, 1);
    return lua_pairs_as_raw(L);
}

/* Copies of the items of a lazy list into an arena array, as
 * lua_ast_from gives them; -1 when idx is not a lazy list of this page. */
static int copy_lazy(lua_State *L, int idx, ast_doc *doc, ast_node ***out) {
    ast_node *parent = is_lazy(L, idx) ? lazy_parent(L, idx) : NULL;
    if (!parent)
        return -1;
    int count = 0;
    for (ast_node *c = parent->first; c; c = c->next)
        count++;
    *out = ast_alloc(doc, sizeof **out * (size_t)(count + 1));
    count = 0;
    for (ast_node *c = parent->first; c; c = c->next)
        (*out)[count++] = ast_copy(doc, c);
    return count;
}

static ast_node *origin_of(lua_State *L, int idx) {
    return page_node_of(L, &ORIGINS, idx);
}

/* __index: the children of a node table, made on first access. */
static int node_index(lua_State *L) {
    if (!lua_isstring(L, 2) || strcmp(lua_tostring(L, 2), "children") != 0)
        return 0;
    ast_node *n = origin_of(L, 1);
    while (n && (n->flags & AST_MOVED))
        n = n->moved_to;
    if (!n)
        return 0;
    lua_ast_push_children(L, n);
    lua_pushvalue(L, -1);
    lua_setfield(L, 1, "children"); /* rawset: the table has no __newindex */
    return 1;
}

/* A fresh table of origins per page, so tables kept past their page find no
 * origin (and never a freed node). */
void lua_ast_open(lua_State *L, ast_doc *doc) {
    lua_createtable(L, 0, doc ? 16 : 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ORIGINS);
    lua_createtable(L, 0, doc ? 16 : 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LAZY);
    if (doc)
        lua_pushlightuserdata(L, doc);
    else
        lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &DOC);
}

void lua_ast_close(lua_State *L) {
    lua_ast_open(L, NULL);
}

ast_doc *lua_ast_doc(lua_State *L) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &DOC);
    ast_doc *doc = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return doc;
}

/* ---- Lua -> ast ---- */

typedef struct frame {
    ast_node *parent;
    int list;    /* stack index of the children table */
    int restore; /* stack top to go back to when the list is done */
    lua_Integer next;
} frame;

typedef struct frames {
    frame *items;
    size_t len, cap;
} frames;

typedef struct conv {
    lua_State *L;
    ast_doc *doc;
    buf *err;
    int failed;
    /* build_tree's work list; owned by lua_ast_from, outside the protected
     * call, so a Lua error thrown while building (a stack overflow, the
     * memory cap) cannot leak it */
    frames *st;
} conv;

static void conv_error(conv *c, const char *fmt, const char *a, const char *b) {
    if (c->failed++)
        return;
    buf_printf(c->err, fmt, a, b);
}

const char *lua_ast_a(ast_type t) {
    static const char *const with_article[AST_TYPE_COUNT] = {"a Document",
                                                             "a Heading",
                                                             "a Paragraph",
                                                             "a BlockQuote",
                                                             "a List",
                                                             "an Item",
                                                             "a CodeBlock",
                                                             "an HtmlBlock",
                                                             "a ThematicBreak",
                                                             "a Table",
                                                             "a TableRow",
                                                             "a TableCell",
                                                             "a FootnoteDefinition",
                                                             "a Div",
                                                             "a Text",
                                                             "an Emph",
                                                             "a Strong",
                                                             "a Strikethrough",
                                                             "a Link",
                                                             "an Image",
                                                             "a Code",
                                                             "an HtmlInline",
                                                             "a SoftBreak",
                                                             "a LineBreak",
                                                             "a FootnoteReference"};
    return t < AST_TYPE_COUNT ? with_article[t] : "a node";
}

const char *lua_ast_expected_children(ast_type t) {
    switch (t) {
    case AST_DOCUMENT:
    case AST_BLOCK_QUOTE:
    case AST_ITEM:
    case AST_FOOTNOTE_DEFINITION:
    case AST_DIV: return "blocks: Paragraph, Heading, List, Table, ...";
    case AST_LIST: return "Items";
    case AST_TABLE: return "TableRows";
    case AST_TABLE_ROW: return "TableCells";
    case AST_LINK: return "inlines other than Link: Text, Emph, Code, ... or strings";
    default: return ast_is_leaf(t) ? "no children" : "inlines: Text, Emph, Link, ... or strings";
    }
}

static int accepts_inlines(ast_type t) {
    ast_node parent = {.type = t}, child = {.type = AST_TEXT};
    return ast_can_contain(&parent, &child);
}

static const char *field_string(conv *c, int idx, const char *type, const char *key) {
    lua_State *L = c->L;
    lua_getfield(L, idx, key);
    const char *s = NULL;
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
        size_t n;
        const char *v = lua_tolstring(L, -1, &n);
        s = c->doc ? ast_strdup(c->doc, v, n) : ""; /* no doc: only checking */
    } else if (!lua_isnil(L, -1)) {
        conv_error(c, "%s must be text", type, NULL);
        buf_printf(c->err, " ('%s' is a %s)", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return s;
}

static int field_int(conv *c, int idx, const char *type, const char *key, int fallback, int min,
                     int max) {
    lua_State *L = c->L;
    lua_getfield(L, idx, key);
    int v = fallback, ok = 1;
    if (lua_isinteger(L, -1) || (lua_isnumber(L, -1) && lua_type(L, -1) == LUA_TNUMBER)) {
        lua_Number x = lua_tonumber(L, -1);
        ok = x >= min && x <= max && x == (lua_Number)(int)x;
        v = (int)x;
    } else if (!lua_isnil(L, -1)) {
        ok = 0;
    }
    lua_pop(L, 1);
    if (!ok) {
        conv_error(c, "%s.%s must be a whole number", type, key);
        buf_printf(c->err, " from %d to %d", min, max);
    }
    return v;
}

static int field_bool(conv *c, int idx, const char *key, int fallback) {
    lua_getfield(c->L, idx, key);
    int v = lua_isnil(c->L, -1) ? fallback : lua_toboolean(c->L, -1);
    lua_pop(c->L, 1);
    return v;
}

/* Alignments from the list at idx: "", "left", "center" or "right" each. */
static void read_alignments(conv *c, int idx, ast_node *n) {
    lua_State *L = c->L;
    int count = (int)lua_rawlen(L, idx);
    n->n_columns = count;
    n->alignments = c->doc ? ast_alloc(c->doc, (size_t)count + 1) : NULL;
    for (int i = 0; i < count; i++) {
        lua_rawgeti(L, idx, i + 1);
        const char *a = lua_tostring(L, -1);
        int k = 0;
        while (k < 4 && (!a || strcmp(a, align_names[k]) != 0))
            k++;
        if (k == 4 && a)
            conv_error(c,
                       "Table.alignments holds '%s'; use \"left\", \"center\", \"right\" or \"\"",
                       a, NULL);
        if (n->alignments) /* NULL when only checking */
            n->alignments[i] = (unsigned char)(k == 4 ? 0 : k);
        lua_pop(L, 1);
    }
}

static void field_alignments(conv *c, int idx, ast_node *n) {
    lua_State *L = c->L;
    lua_getfield(L, idx, "alignments");
    if (lua_istable(L, -1))
        read_alignments(c, lua_gettop(L), n);
    else if (!lua_isnil(L, -1))
        conv_error(c, "Table.alignments must be a list%s", "", NULL);
    lua_pop(L, 1);
}

/* Div: the class is limited to safe characters and the element to three. */
static void read_div(conv *c, int idx, ast_node *n) {
    n->class_name = field_string(c, idx, "Div", "class");
    n->element = field_string(c, idx, "Div", "element");
    if (n->class_name &&
        strspn(n->class_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "0123456789-_ ") != strlen(n->class_name))
        conv_error(c, "Div.class '%s' may hold only letters, digits, '-', '_' and spaces%s",
                   n->class_name, "");
    if (!n->element || !*n->element)
        n->element = "div";
    else if (strcmp(n->element, "div") && strcmp(n->element, "section") &&
             strcmp(n->element, "aside"))
        conv_error(c, "Div.element must be \"div\", \"section\" or \"aside\", not '%s'%s",
                   n->element, "");
}

static void read_fields(conv *c, int idx, ast_node *n) {
    const char *type = ast_type_name(n->type);
    switch (n->type) {
    case AST_HEADING: n->level = field_int(c, idx, type, "level", 1, 1, 6); break;
    case AST_LIST:
        n->ordered = field_bool(c, idx, "ordered", 0);
        n->start = field_int(c, idx, type, "start", 1, 0, 999999999);
        n->tight = field_bool(c, idx, "tight", 1);
        break;
    case AST_CODE_BLOCK:
        n->info = field_string(c, idx, type, "info");
        n->text = field_string(c, idx, type, "text");
        break;
    case AST_HTML_BLOCK:
    case AST_HTML_INLINE:
    case AST_TEXT:
    case AST_CODE: n->text = field_string(c, idx, type, "text"); break;
    case AST_LINK:
    case AST_IMAGE:
        n->url = field_string(c, idx, type, "url");
        n->title = field_string(c, idx, type, "title");
        break;
    case AST_TABLE:
        field_alignments(c, idx, n);
        n->caption = field_string(c, idx, type, "caption");
        break;
    case AST_TABLE_ROW: n->header = field_bool(c, idx, "header", 0); break;
    case AST_FOOTNOTE_DEFINITION:
    case AST_FOOTNOTE_REFERENCE:
        n->number = field_int(c, idx, type, "number", 1, 1, 1000000);
        break;
    case AST_DIV: read_div(c, idx, n); break;
    default: break;
    }
}

/* A node from the value at idx, without its children. */
static ast_node *make_node(conv *c, int idx) {
    lua_State *L = c->L;
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return ast_new_text(c->doc, s, len);
    }
    if (!lua_istable(L, idx)) {
        conv_error(c, "expected a node or a string, not a %s%s", luaL_typename(L, idx), "");
        return NULL;
    }
    lua_getfield(L, idx, "t");
    const char *name = lua_tostring(L, -1);
    int type = name ? ast_type_from_name(name) : -1;
    lua_pop(L, 1);
    if (type < 0) {
        conv_error(c, name ? "unknown node type '%s'%s" : "a table without a node type t%s%s",
                   name ? name : "", "");
        return NULL;
    }
    ast_node *n = ast_new(c->doc, (ast_type)type);
    read_fields(c, idx, n);
    if (!ast_is_leaf(n->type)) {
        const ast_node *origin = origin_of(L, idx);
        if (origin) { /* keep its place in the page, for messages */
            n->line = origin->line;
            n->col = origin->col;
        }
    }
    return c->failed ? NULL : n;
}

/* Tables: the first row is the header; short rows get empty cells, as a
 * GFM table's do; long rows are an error. */
static void finish_table(conv *c, ast_node *table) {
    int columns = table->n_columns;
    if (!columns && table->first)
        for (ast_node *cell = table->first->first; cell; cell = cell->next)
            columns++;
    if (table->n_columns != columns) {
        unsigned char *a = ast_alloc(c->doc, (size_t)columns + 1);
        memset(a, 0, (size_t)columns + 1);
        table->alignments = a;
        table->n_columns = columns;
    }
    for (ast_node *row = table->first; row; row = row->next) {
        row->header = row == table->first;
        int cells = 0;
        for (ast_node *cell = row->first; cell; cell = cell->next)
            cells++;
        if (cells > columns) {
            char detail[64];
            snprintf(detail, sizeof detail, "%d cells but the table has %d column%s", cells,
                     columns, columns == 1 ? "" : "s");
            conv_error(c, "a TableRow has %s%s", detail, "");
            return;
        }
        for (; cells < columns; cells++)
            ast_append(row, ast_new(c->doc, AST_TABLE_CELL));
    }
}

static void push_frame(conv *c, frames *st, ast_node *parent, int list, int restore) {
    luaL_checkstack(c->L, 4, "document nested too deeply");
    if (st->len == st->cap)
        st->items = xrealloc(st->items, (st->cap = st->cap ? st->cap * 2 : 16) * sizeof(frame));
    st->items[st->len++] = (frame){parent, list, restore, 1};
}

static void place_child(conv *c, ast_node *parent, ast_node *child) {
    if (ast_append(parent, child) != 0) {
        conv_error(c, "%s cannot go inside %s", lua_ast_a(child->type), lua_ast_a(parent->type));
        buf_printf(c->err, ", which holds %s", lua_ast_expected_children(parent->type));
    }
}

/* After a node is made from the table at idx: its children come from the
 * table, from the subtree it was made from (children never read), or from
 * a string. Returns 1 if a frame was pushed (its list is on the stack). */
static int start_children(conv *c, frames *st, ast_node *n, int idx, int restore) {
    lua_State *L = c->L;
    if (ast_is_leaf(n->type) || !lua_istable(L, idx))
        return 0;
    lua_pushliteral(L, "children");
    lua_rawget(L, idx);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        ast_node *origin = origin_of(L, idx);
        if (!origin)
            return 0;
        if (origin->flags & AST_MOVED) { /* the same table used twice: copy */
            for (ast_node *k = origin->moved_to->first; k && !c->failed; k = k->next)
                place_child(c, n, ast_copy(c->doc, k));
            return 0;
        }
        if (n->type == origin->type) {
            ast_move_children(n, origin); /* what it held, as it was */
        } else {                          /* the filter changed its type: each child must fit */
            while (origin->first && !c->failed)
                place_child(c, n, origin->first); /* a refused one is an error */
        }
        origin->flags |= AST_MOVED;
        origin->moved_to = n;
        return 0;
    }
    ast_node **copies;
    int count = copy_lazy(L, lua_gettop(L), c->doc, &copies);
    if (count >= 0) { /* copies, so that the list may be used again */
        for (int i = 0; i < count && !c->failed; i++)
            place_child(c, n, copies[i]);
        lua_pop(L, 1);
        return 0;
    }
    if (lua_type(L, -1) == LUA_TSTRING && accepts_inlines(n->type)) {
        ast_node *text = make_node(c, lua_gettop(L));
        if (text)
            ast_append(n, text);
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_istable(L, -1)) {
        conv_error(c, "%s.children must be a list of %s", ast_type_name(n->type),
                   lua_ast_expected_children(n->type));
        lua_pop(L, 1);
        return 0;
    }
    push_frame(c, st, n, lua_gettop(L), restore);
    return 1;
}

/* A list's item may be written as a plain list of blocks. */
static int is_bare_item(lua_State *L, const ast_node *parent, int item) {
    if (parent->type != AST_LIST || !lua_istable(L, item))
        return 0;
    lua_getfield(L, item, "t");
    int bare = lua_isnil(L, -1);
    lua_pop(L, 1);
    return bare;
}

/* One step: the next child of the innermost list, or the end of it. */
static void build_step(conv *c, frames *st) {
    lua_State *L = c->L;
    frame *f = &st->items[st->len - 1];
    if (lua_rawgeti(L, f->list, f->next++) == LUA_TNIL) {
        ast_node *parent = f->parent;
        lua_settop(L, f->restore);
        st->len--;
        if (parent->type == AST_TABLE)
            finish_table(c, parent);
        return;
    }
    int item = lua_gettop(L);
    ast_node *parent = f->parent;
    if (is_bare_item(L, parent, item)) {
        ast_node *it = ast_new(c->doc, AST_ITEM);
        place_child(c, parent, it);
        push_frame(c, st, it, item, item - 1);
        return;
    }
    ast_node *child = make_node(c, item);
    if (!child)
        return;
    place_child(c, parent, child);
    if (!start_children(c, st, child, item, item - 1))
        lua_settop(L, item - 1);
}

/* Builds one root node and its whole subtree, without recursion. */
static ast_node *build_tree(conv *c, int idx) {
    ast_node *root = make_node(c, idx);
    if (!root)
        return NULL;
    frames *st = c->st;
    st->len = 0;
    int base = lua_gettop(c->L);
    start_children(c, st, root, idx, base);
    while (st->len && !c->failed)
        build_step(c, st);
    lua_settop(c->L, base);
    return c->failed ? NULL : root;
}

typedef struct from_args {
    int unused;
    ast_doc *doc;
    ast_node ***out;
    buf *err;
    int result;
    frames st;
} from_args;

static int from_unprotected(lua_State *L, int idx, from_args *a);

static int from_protected(lua_State *L) {
    from_args *a = lua_touserdata(L, 2); /* the value is argument 1 */
    a->result = from_unprotected(L, 1, a);
    return 0;
}

/* Lua errors inside (a tree too deep for the stack, a cycle) become an
 * error message, never an abort. */
int lua_ast_from(lua_State *L, int idx, ast_doc *doc, ast_node ***out, buf *err) {
    from_args a = {0, doc, out, err, -1, {NULL, 0, 0}};
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, from_protected);
    lua_pushvalue(L, idx);
    lua_pushlightuserdata(L, &a);
    size_t reported = err->len;
    int status = lua_pcall(L, 2, 0, 0);
    free(a.st.items);
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (err->len == reported) { /* else a mistake found before the error says more */
            if (msg && strstr(msg, "stack"))
                msg = "the nodes nest too deeply (does a node contain itself?)";
            else if (msg && !strcmp(msg, "not enough memory")) /* the filter's memory cap */
                msg = "the nodes take more memory than filter_memory_limit_mb allows (does a "
                      "node contain itself?)";
            buf_printf(err, "%s", msg ? msg : "error");
        }
        lua_pop(L, 1);
        return -1;
    }
    return a.result;
}

static int from_unprotected(lua_State *L, int idx, from_args *a) {
    ast_doc *doc = a->doc;
    ast_node ***out = a->out;
    conv c = {L, doc, a->err, 0, &a->st};
    idx = lua_absindex(L, idx);
    int copied = copy_lazy(L, idx, doc, out);
    if (copied >= 0)
        return copied;
    int is_list = 0;
    if (lua_istable(L, idx)) {
        lua_getfield(L, idx, "t");
        is_list = lua_isnil(L, -1);
        lua_pop(L, 1);
    }
    lua_Integer count = is_list ? (lua_Integer)lua_rawlen(L, idx) : 1;
    *out = ast_alloc(doc, sizeof **out * (size_t)(count + 1));
    for (lua_Integer i = 0; i < count; i++) {
        if (is_list)
            lua_rawgeti(L, idx, i + 1);
        else
            lua_pushvalue(L, idx);
        (*out)[i] = build_tree(&c, lua_gettop(L));
        lua_pop(L, 1);
        if (!(*out)[i])
            return -1;
    }
    return (int)count;
}

/* ---- constructors ---- */

/* The fields a constructor takes in order, per type. */
static const char *const positional[AST_TYPE_COUNT] = {
    [AST_DOCUMENT] = "children",
    [AST_HEADING] = "level children",
    [AST_PARAGRAPH] = "children",
    [AST_BLOCK_QUOTE] = "children",
    [AST_LIST] = "children ordered start tight",
    [AST_ITEM] = "children",
    [AST_CODE_BLOCK] = "text info",
    [AST_HTML_BLOCK] = "text",
    [AST_THEMATIC_BREAK] = "",
    [AST_TABLE] = "children alignments caption",
    [AST_TABLE_ROW] = "children header",
    [AST_TABLE_CELL] = "children",
    [AST_FOOTNOTE_DEFINITION] = "number children",
    [AST_DIV] = "children class element",
    [AST_TEXT] = "text",
    [AST_EMPH] = "children",
    [AST_STRONG] = "children",
    [AST_STRIKETHROUGH] = "children",
    [AST_LINK] = "children url title",
    [AST_IMAGE] = "children url title",
    [AST_CODE] = "text",
    [AST_HTML_INLINE] = "text",
    [AST_SOFT_BREAK] = "",
    [AST_LINE_BREAK] = "",
    [AST_FOOTNOTE_REFERENCE] = "number",
};

static int has_field(ast_type t, const char *key) {
    const char *p = positional[t];
    size_t n = strlen(key);
    for (const char *f = strstr(p, key); f; f = strstr(f + 1, key))
        if ((f == p || f[-1] == ' ') && (f[n] == ' ' || f[n] == '\0'))
            return 1;
    return 0;
}

/* Named form: Heading{level = 2, children = {...}}: one table that is not
 * itself a node (no t) and has a key of the type's fields. */
static int is_named_form(lua_State *L, ast_type t) {
    if (lua_gettop(L) != 1 || !lua_istable(L, 1))
        return 0;
    if (lua_getfield(L, 1, "t") != LUA_TNIL) {
        lua_pop(L, 1);
        return 0; /* a node given as the first argument: Item(Paragraph("x")) */
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING && has_field(t, lua_tostring(L, -1))) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* The type of the node table at idx, or -1. */
static int table_type(lua_State *L, int idx) {
    lua_getfield(L, idx, "t");
    const char *name = lua_tostring(L, -1);
    int t = name ? ast_type_from_name(name) : -1;
    lua_pop(L, 1);
    return t;
}

/* Checks one child of a node of type parent; returns an error or NULL. */
static const char *check_child(lua_State *L, ast_type parent, int child, char *msg, size_t size) {
    ast_node p = {.type = parent}, c = {.type = AST_TEXT};
    if (lua_type(L, child) == LUA_TSTRING) {
        if (ast_can_contain(&p, &c))
            return NULL;
    } else if (lua_istable(L, child)) {
        int t = table_type(L, child);
        if (t < 0 && parent == AST_LIST)
            return NULL; /* an item written as its list of blocks */
        if (t < 0) {
            snprintf(msg, size, "%s.children holds a table without a node type t",
                     ast_type_name(parent));
            return msg;
        }
        c.type = (ast_type)t;
        if (ast_can_contain(&p, &c))
            return NULL;
    }
    snprintf(msg, size, "%s cannot go inside %s, which holds %s",
             lua_istable(L, child) ? lua_ast_a(c.type) : luaL_typename(L, child), lua_ast_a(parent),
             lua_ast_expected_children(parent));
    return msg;
}

/* Raises message as an error at the filter line that called the running C
 * function; frees scratch first (message may point into it). */
static int raise_at_caller(lua_State *L, const char *message, buf *scratch) {
    luaL_where(L, 1);
    lua_pushstring(L, message);
    buf_free(scratch);
    lua_concat(L, 2);
    return lua_error(L);
}

/* A constructor checks what it was given (its fields, and what kind of
 * node each child is), so a mistake is reported at the filter's line.
 * Children were checked by their own constructors; anything built by hand
 * is checked when the filter's result is converted. */
static int check_shallow(lua_State *L, int idx, ast_type t) {
    buf err = BUF_INIT;
    conv c = {L, NULL, &err, 0, NULL};
    ast_node fields = {.type = t};
    read_fields(&c, idx, &fields);
    char msg[256];
    const char *problem = c.failed ? buf_cstr(&err) : NULL;
    lua_getfield(L, idx, "children");
    int children = lua_gettop(L);
    lua_Integer n = lua_istable(L, children) ? (lua_Integer)lua_rawlen(L, children) : 0;
    for (lua_Integer i = 1; !problem && i <= n; i++) {
        lua_rawgeti(L, children, i);
        problem = check_child(L, t, lua_gettop(L), msg, sizeof msg);
        if (!problem && t == AST_TABLE && fields.n_columns && lua_istable(L, -1)) {
            lua_getfield(L, -1, "children");
            int cells = lua_istable(L, -1) ? (int)lua_rawlen(L, -1) : 0;
            lua_pop(L, 1);
            if (cells > fields.n_columns) {
                snprintf(msg, sizeof msg, "a TableRow has %d cells but the table has %d column%s",
                         cells, fields.n_columns, fields.n_columns == 1 ? "" : "s");
                problem = msg;
            }
        }
        lua_pop(L, 1);
    }
    lua_settop(L, children - 1);
    if (problem)
        return raise_at_caller(L, problem, &err);
    buf_free(&err);
    return 0;
}

static int construct(lua_State *L) {
    ast_type t = (ast_type)lua_tointeger(L, lua_upvalueindex(1));
    int named = is_named_form(L, t);
    lua_createtable(L, 0, 4);
    int node = lua_gettop(L);
    if (named) {
        lua_pushnil(L);
        while (lua_next(L, 1)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, node);
        }
    } else {
        const char *p = positional[t];
        for (int arg = 1; *p && arg < node; arg++) {
            size_t n = strcspn(p, " ");
            lua_pushlstring(L, p, n);
            lua_pushvalue(L, arg);
            lua_rawset(L, node);
            p += n + (p[n] == ' ');
        }
    }
    lua_pushstring(L, ast_type_name(t));
    lua_setfield(L, node, "t");
    /* children given as one string or one node: a list of it */
    lua_getfield(L, node, "children");
    int wrap = lua_type(L, -1) == LUA_TSTRING;
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "t");
        wrap = !lua_isnil(L, -1);
        lua_pop(L, 1);
    }
    if (wrap) {
        lua_createtable(L, 1, 0);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
        lua_setfield(L, node, "children");
    }
    lua_settop(L, node);
    check_shallow(L, node, t);
    return 1;
}

/* A SimpleTable cell from the value at idx: a string is its text; a
 * TableCell, an inline or a list of inlines goes through the checks every
 * converted node gets. */
static ast_node *simple_cell(lua_State *L, ast_doc *doc, int idx) {
    ast_node *cell = ast_new(doc, AST_TABLE_CELL);
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        ast_append(cell, ast_new_text(doc, s, n));
        return cell;
    }
    buf err = BUF_INIT;
    ast_node **nodes;
    int count = copy_lazy(L, idx, doc, &nodes); /* inlines(text), as it came */
    if (count < 0)
        count = lua_ast_from(L, idx, doc, &nodes, &err);
    if (count == 1 && nodes[0]->type == AST_TABLE_CELL)
        cell = nodes[0];
    else
        for (int i = 0; i < count; i++)
            if (ast_append(cell, nodes[i]) != 0) {
                buf_printf(&err, "%s cannot go inside a TableCell, which holds %s",
                           lua_ast_a(nodes[i]->type), lua_ast_expected_children(AST_TABLE_CELL));
                count = -1;
            }
    if (count < 0)
        raise_at_caller(L, buf_cstr(&err), &err);
    buf_free(&err);
    return cell;
}

static ast_node *simple_row(lua_State *L, ast_doc *doc, int cells, int header) {
    ast_node *row = ast_new(doc, AST_TABLE_ROW);
    row->header = header;
    lua_Integer n = (lua_Integer)lua_rawlen(L, cells);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, cells, i);
        ast_append(row, simple_cell(L, doc, lua_gettop(L)));
        lua_pop(L, 1);
    }
    return row;
}

/* SimpleTable(headers, rows [, alignments [, caption]]). The table is built here, in
 * the page's tree, and handed back as a node table whose children are
 * converted only if the filter reads them: a filter that just places the
 * table pays for no Lua tables per cell. */
static int simple_table(lua_State *L) {
    lua_settop(L, 4); /* alignments and caption may be absent */
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t caption_len;
    const char *caption = luaL_optlstring(L, 4, NULL, &caption_len);
    ast_doc *doc = lua_ast_doc(L);
    if (!doc)
        return luaL_error(L, "SimpleTable works only while a page is being filtered");
    buf err = BUF_INIT;
    conv c = {L, doc, &err, 0, NULL};
    ast_node *table = ast_new(doc, AST_TABLE);
    table->caption = caption ? ast_strdup(doc, caption, caption_len) : NULL;
    if (lua_istable(L, 3))
        read_alignments(&c, 3, table);
    else if (!lua_isnil(L, 3))
        conv_error(&c, "Table.alignments must be a list%s", "", NULL);
    if (c.failed)
        return raise_at_caller(L, buf_cstr(&err), &err);
    ast_append(table, simple_row(L, doc, 1, 1));
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        luaL_argexpected(L, lua_istable(L, -1), 2, "a list of rows, each a list of cells");
        ast_append(table, simple_row(L, doc, lua_gettop(L), 0));
        lua_pop(L, 1);
    }
    finish_table(&c, table); /* the header row sets the width; short rows are padded */
    if (c.failed)
        return raise_at_caller(L, buf_cstr(&err), &err);
    buf_free(&err);
    lua_ast_push(L, table);
    return 1;
}

/* ---- stringify ---- */

/* stringify(value): plain text; a work list on the Lua stack, no recursion.
 * A table is read once, however often it is reached (cycles end). */
static int stringify(lua_State *L) {
    lua_settop(L, 1);
    lua_newtable(L); /* tables seen */
    lua_insert(L, 1);
    int seen = 1, bottom = 2;
    buf text = BUF_INIT;
    while (lua_gettop(L) >= bottom) {
        luaL_checkstack(L, 4, "document nested too deeply");
        int v = lua_gettop(L);
        if (lua_type(L, v) == LUA_TSTRING || lua_type(L, v) == LUA_TNUMBER) {
            size_t n;
            const char *s = lua_tolstring(L, v, &n);
            buf_append(&text, s, n);
            lua_pop(L, 1);
            continue;
        }
        if (!lua_istable(L, v)) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, v);
        if (lua_rawget(L, seen) != LUA_TNIL) {
            lua_pop(L, 2);
            continue;
        }
        lua_pop(L, 1);
        lua_pushvalue(L, v);
        lua_pushboolean(L, 1);
        lua_rawset(L, seen);
        lua_getfield(L, v, "t");
        const char *t = lua_tostring(L, -1);
        if (t && (!strcmp(t, "Text") || !strcmp(t, "Code"))) {
            lua_getfield(L, v, "text");
            lua_replace(L, v);
            lua_pop(L, 1);
            continue;
        }
        if (t && (!strcmp(t, "SoftBreak") || !strcmp(t, "LineBreak"))) {
            buf_putc(&text, ' ');
            lua_pop(L, 2);
            continue;
        }
        lua_pop(L, 1);
        if (t) {
            lua_getfield(L, v, "children");
            lua_replace(L, v);
            lua_ast_settle(L, v);
        }
        /* a list: push its items in reverse so the first comes out first */
        int list = lua_gettop(L);
        lua_Integer n = lua_istable(L, list) ? (lua_Integer)lua_rawlen(L, list) : 0;
        luaL_checkstack(L, (int)(n > 1000000 ? 1000000 : n) + 4, "document too large");
        for (lua_Integer i = n; i >= 1; i--)
            lua_rawgeti(L, list, i);
        lua_remove(L, list);
    }
    lua_pushlstring(L, buf_cstr(&text), text.len);
    buf_free(&text);
    return 1;
}

void lua_ast_init(lua_State *L) {
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &NODE_MT);
    lua_pushcfunction(L, node_index);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0); /* shared by every page: not to be changed by a filter */
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_createtable(L, 0, 4); /* getmetatable and setmetatable settle the list first */
    lua_pushcfunction(L, lazy_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lazy_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, lazy_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, lazy_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LAZY_MT);
    lua_ast_close(L); /* empty origins and lazy lists tables */
    lua_createtable(L, 0, AST_TYPE_COUNT + 4);
    for (int t = 0; t < AST_TYPE_COUNT; t++) {
        lua_pushinteger(L, t);
        lua_pushcclosure(L, construct, 1);
        lua_setfield(L, -2, ast_type_name((ast_type)t));
    }
    lua_pushcfunction(L, simple_table);
    lua_setfield(L, -2, "SimpleTable");
    lua_pushcfunction(L, stringify);
    lua_setfield(L, -2, "stringify");
}

/* ---- dump ---- */

static void dump_string(buf *out, const char *s) {
    buf_putc(out, '"');
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_printf(out, "\\%c", ch);
        else if (ch == '\n')
            buf_puts(out, "\\n");
        else if (ch < 0x20)
            buf_printf(out, "\\%03d", ch);
        else
            buf_putc(out, (char)ch);
    }
    buf_putc(out, '"');
}

static void dump_fields(const ast_node *n, buf *out) {
    switch (n->type) {
    case AST_HEADING: buf_printf(out, ", level = %d", n->level); break;
    case AST_LIST:
        buf_printf(out, ", ordered = %s, start = %d, tight = %s", n->ordered ? "true" : "false",
                   n->start, n->tight ? "true" : "false");
        break;
    case AST_CODE_BLOCK:
        buf_puts(out, ", info = ");
        dump_string(out, n->info);
        /* fall through */
    case AST_HTML_BLOCK:
    case AST_HTML_INLINE:
    case AST_TEXT:
    case AST_CODE:
        buf_puts(out, ", text = ");
        dump_string(out, n->text);
        break;
    case AST_LINK:
    case AST_IMAGE:
        buf_puts(out, ", url = ");
        dump_string(out, n->url);
        buf_puts(out, ", title = ");
        dump_string(out, n->title);
        break;
    case AST_TABLE:
        buf_puts(out, ", alignments = {");
        for (int i = 0; i < n->n_columns; i++)
            buf_printf(out, "%s\"%s\"", i ? ", " : "",
                       align_names[n->alignments ? n->alignments[i] & 3 : 0]);
        buf_puts(out, "}");
        if (n->caption) { /* as filters see it: only when there is one */
            buf_puts(out, ", caption = ");
            dump_string(out, n->caption);
        }
        break;
    case AST_TABLE_ROW: buf_printf(out, ", header = %s", n->header ? "true" : "false"); break;
    case AST_FOOTNOTE_DEFINITION:
    case AST_FOOTNOTE_REFERENCE: buf_printf(out, ", number = %d", n->number); break;
    case AST_DIV:
        buf_puts(out, ", class = ");
        dump_string(out, n->class_name);
        buf_puts(out, ", element = ");
        dump_string(out, n->element ? n->element : "div");
        break;
    default: break;
    }
}

static void indent(buf *out, int depth) {
    for (int i = 0; i < depth && i < 40; i++)
        buf_puts(out, "  ");
}

void lua_ast_dump(const ast_node *node, buf *out) {
    int entering = 1, depth = 0;
    ast_node *root = (ast_node *)node;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        if (!entering) {
            if (n->first) {
                depth--;
                indent(out, depth);
                buf_puts(out, n == root ? "}}\n" : "}},\n");
            }
            continue;
        }
        indent(out, depth);
        buf_printf(out, "{t = \"%s\"", ast_type_name(n->type));
        dump_fields(n, out);
        if (n->first) {
            buf_puts(out, ", children = {\n");
            depth++;
        } else {
            buf_puts(out, n == root ? "}\n" : "},\n");
        }
    }
}
