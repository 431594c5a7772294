/* filter: loading filters, the sandbox, limits and the tree traversal. */
#include "filter.h"

#include "buf.h"
#include "fsutil.h"
#include "lua_ast.h"
#include "lua_strlib.h"
#include "lua_value.h"
#include "markdown.h"
#include "pool.h"

#include <errno.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    DEFAULT_INSTRUCTIONS = 20000000,
    DEFAULT_MEMORY_MB = 64,
    DEFAULT_SECONDS = 10,
    HOOK_EVERY = 1000,  /* instructions between limit checks */
    MAX_MESSAGES = 20,  /* log.warn, log.error and print per page and filter */
    MAX_MESSAGE = 1000, /* bytes of one message kept */
    BIG_BLOCK = 64 * 1024
};

/* ---- the set ---- */

static void add_filter(filter_set *set, const char *name, const char *shown, char *source,
                       size_t len) {
    set->items = xrealloc(set->items, (set->len + 1) * sizeof *set->items);
    set->items[set->len++] = (filter_file){xstrdup(name), xstrdup(shown), source, len};
}

static int syntax_check(const char *shown, const char *source, size_t len, diag_list *d) {
    lua_State *L = luaL_newstate();
    char *chunkname = xasprintf("@%s", shown);
    int rc = luaL_loadbufferx(L, source, len, chunkname, "t");
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        const char *p = msg ? strstr(msg, ".lua:") : NULL;
        int line = p ? atoi(p + 5) : 0;
        const char *text = p ? strstr(p + 5, ": ") : NULL;
        diag_error(d, shown, line, 0, "%s", text ? text + 2 : (msg ? msg : "cannot load"));
    }
    free(chunkname);
    lua_close(L);
    return rc == LUA_OK ? 0 : -1;
}

static int read_filter(filter_set *set, const char *name, const char *path, const char *shown,
                       diag_list *d) {
    size_t len;
    char *source = fs_read_file(path, &len);
    if (!source) {
        diag_error(d, shown, 0, 0, "cannot read: %s", fs_strerror(errno));
        return -1;
    }
    if (syntax_check(shown, source, len, d) != 0) {
        free(source);
        return -1;
    }
    add_filter(set, name, shown, source, len);
    return 0;
}

int filter_set_add_file(filter_set *set, const char *path, diag_list *d) {
    return read_filter(set, path, path, path, d);
}

int filter_set_load(filter_set *set, const value *names, const char *const *dirs,
                    const char *const *shown_dirs, size_t n_dirs, const char *where, diag_list *d) {
    if (!names || names->type == VALUE_NULL)
        return 0;
    if (names->type != VALUE_LIST) {
        diag_error(d, where, names->line, names->col, "'filters' must be a list of filter names");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < names->len; i++) {
        const value *v = names->items[i];
        const char *name = value_string(v);
        if (!name || !*name || strchr(name, '/') || name[0] == '.') {
            diag_error(d, where, v->line, v->col, "a filter is named by a word, like aftercare");
            rc = -1;
            continue;
        }
        size_t k;
        for (k = 0; k < n_dirs; k++) {
            char *file = xasprintf("%s.lua", name);
            char *path = fs_join(dirs[k], file);
            char *shown = fs_join(shown_dirs[k], file);
            int found = fs_is_file(path);
            if (found)
                rc |= read_filter(set, name, path, shown, d);
            free(file);
            free(path);
            free(shown);
            if (found)
                break;
        }
        if (k == n_dirs) {
            diag_error(d, where, v->line, v->col,
                       "no filter '%s': looked for filters/%s.lua in the project, the theme and "
                       "the installed filters",
                       name, name);
            rc = -1;
        }
    }
    return rc;
}

void filter_set_limits(filter_set *set, const value *settings, const char *where, diag_list *d) {
    set->instruction_limit = DEFAULT_INSTRUCTIONS;
    set->memory_limit = (size_t)DEFAULT_MEMORY_MB << 20;
    set->time_limit = DEFAULT_SECONDS;
    const value *v = value_map_get(settings, "filter_instruction_limit");
    if (v && v->type == VALUE_NUMBER && v->number >= 1000 && v->number <= 1e12)
        set->instruction_limit = (long long)v->number;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, where, v->line, v->col,
                   "'filter_instruction_limit' must be a number from 1000 to 1000000000000");
    v = value_map_get(settings, "filter_memory_limit_mb");
    if (v && v->type == VALUE_NUMBER && v->number >= 1 && v->number <= 65536)
        set->memory_limit = (size_t)v->number << 20;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, where, v->line, v->col,
                   "'filter_memory_limit_mb' must be a number of megabytes from 1 to 65536");
    v = value_map_get(settings, "filter_time_limit_seconds");
    if (v && v->type == VALUE_NUMBER && v->number >= 1 && v->number <= 3600)
        set->time_limit = (int)v->number;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, where, v->line, v->col,
                   "'filter_time_limit_seconds' must be a number of seconds from 1 to 3600");
}

void filter_set_free(filter_set *set) {
    for (size_t i = 0; i < set->len; i++) {
        free(set->items[i].name);
        free(set->items[i].shown);
        free(set->items[i].source);
    }
    free(set->items);
    memset(set, 0, sizeof *set);
}

/* ---- the worker's state ---- */

struct filter_env {
    lua_State *L;
    const filter_set *set;
    pool pool;          /* the Lua state's memory: pages make many small objects */
    size_t used, limit; /* bytes; limit 0: none */
    size_t arena_base;  /* the page arena's size when the filter started */
    long long steps, step_limit;
    long long deadline_ms; /* CLOCK_MONOTONIC_COARSE; 0: none */
    int stopped;           /* a limit was passed: nothing may catch that error */
    const char *stop_hint; /* check_limits' guess at the cause */
    int messages;          /* log.warn, log.error and print of this filter on this page */
    int errors_shown;      /* of those, a log.error */
    int chunks_ref;        /* registry: compiled filter chunks, by index */
    int env_mt_ref;        /* registry: metatable of filter environments */
    int site_ref;          /* registry: read-only site table */
    /* per page */
    ast_doc *doc;
    const filter_page *page;
    const filter_file *current;
    diag_list *d;
};

static filter_env *env_of(lua_State *L) {
    return *(filter_env **)lua_getextraspace(L);
}

/* The page arena's growth since the filter started: parse, inlines,
 * SimpleTable and returned nodes live there, outside Lua's allocator, and
 * count against the same cap. */
static size_t arena_growth(const filter_env *e) {
    return e->doc && e->doc->bytes > e->arena_base ? e->doc->bytes - e->arena_base : 0;
}

static long long now_ms(void);
static void count_hook(lua_State *L, lua_Debug *ar);

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    filter_env *e = ud;
    /* A big block is a big copy to come (rep, upper, ..): past the time
     * limit, have the hook run at the very next instruction rather than
     * after a thousand more such copies. (lua_sethook may be called from
     * anywhere, even a signal handler.) */
    if (nsize >= BIG_BLOCK && e->deadline_ms && now_ms() > e->deadline_ms)
        lua_sethook(e->L, count_hook, LUA_MASKCOUNT, 1);
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        pool_release(&e->pool, ptr, old);
        e->used -= old;
        return NULL;
    }
    if (e->limit && nsize > old && e->used + arena_growth(e) + (nsize - old) > e->limit)
        return NULL; /* Lua raises "not enough memory" */
    void *p = pool_resize(&e->pool, ptr, old, nsize);
    if (p)
        e->used = e->used - old + nsize;
    return p;
}

/* A coarse clock (a few milliseconds, read without a system call): cheap
 * enough for every limit check. */
static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void push_filter_where(lua_State *L);

/* Raises the limit error when a limit is passed. The instruction count is
 * deterministic; the clock is the backstop for work the count cannot see
 * (a C library call that copies or compares megabytes as one instruction).
 * Once raised, the error is raised at every later check and pcall passes
 * it on (safe_pcall), so a filter cannot catch it and go on. */
static void check_limits(lua_State *L, const char *hint) {
    filter_env *e = env_of(L);
    int instructions = e->step_limit && e->steps > e->step_limit;
    int time = e->deadline_ms && now_ms() > e->deadline_ms;
    if (!instructions && !time)
        return;
    e->stopped = 1;
    e->stop_hint = hint;
    push_filter_where(L); /* name the line the filter was running */
    if (instructions)
        lua_pushfstring(L,
                        "the filter ran past filter_instruction_limit (%I instructions) on "
                        "this page (%s?)",
                        (lua_Integer)e->step_limit, hint);
    else
        lua_pushfstring(L,
                        "the filter ran longer than filter_time_limit_seconds (%d s) on this "
                        "page (%s?)",
                        e->set->time_limit, hint);
    lua_concat(L, 2);
    lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    env_of(L)->steps += HOOK_EVERY;
    check_limits(L, "an endless loop");
}

/* meter(steps): the pattern functions' steps count as instructions
 * (lua_strlib.h), so a pattern that backtracks for ever is stopped too. */
static int meter_steps(lua_State *L) {
    env_of(L)->steps += lua_tointeger(L, 1);
    check_limits(L, "a pattern that backtracks too much");
    return 0;
}

static void limits_on(filter_env *e) {
    e->steps = 0;
    e->step_limit = e->set->instruction_limit;
    e->limit = e->used + e->set->memory_limit;
    e->arena_base = e->doc ? e->doc->bytes : 0;
    e->deadline_ms = now_ms() + (long long)e->set->time_limit * 1000;
    e->stopped = 0;
    e->messages = 0;
    e->errors_shown = 0;
    lua_sethook(e->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
}

static void limits_off(filter_env *e) {
    lua_sethook(e->L, NULL, 0, 0);
    e->limit = 0;
    e->step_limit = 0;
    e->deadline_ms = 0;
}

/* ---- frozen tables: site and the libraries ---- */

/* Pushes "file:line: " of the innermost filter function running: errors
 * raised inside a library function still point at the filter's line. */
static void push_filter_where(lua_State *L) {
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source[0] == '@') {
            lua_pushfstring(L, "%s:%d: ", ar.source + 1, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

static int ro_newindex(lua_State *L) {
    push_filter_where(L);
    lua_pushliteral(L, "site and the libraries are read-only: they are shared by every page");
    lua_concat(L, 2);
    return lua_error(L);
}

static int ro_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int ro_next(lua_State *L) {
    lua_settop(L, 2);
    if (!lua_next(L, lua_upvalueindex(1)))
        return 0;
    return 2; /* nested tables are frozen already (push_frozen_tree) */
}

static int ro_pairs(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, ro_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* ---- helpers for filters: log, parse, walk ---- */

static const char *page_shown(filter_env *e) {
    return e->page && e->page->display_path ? e->page->display_path : "<input>";
}

/* Messages a filter writes are kept short and few: each is copied outside
 * the filter's memory cap, and a loop could otherwise print gigabytes.
 * Returns whether this one is to be shown. */
static int message_allowed(filter_env *e, int line) {
    if (++e->messages <= MAX_MESSAGES)
        return 1;
    if (e->messages == MAX_MESSAGES + 1)
        diag_warning(e->d, e->current ? e->current->shown : NULL, line, 0,
                     "more than %d messages from this filter: the rest are left out (while "
                     "filtering %s)",
                     MAX_MESSAGES, page_shown(e));
    return 0;
}

static int shown_length(size_t len) {
    return len > MAX_MESSAGE ? MAX_MESSAGE : (int)len;
}

static int log_warn(lua_State *L) {
    filter_env *e = env_of(L);
    size_t len;
    const char *msg = luaL_checklstring(L, 1, &len);
    lua_Debug ar;
    int line = 0;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
        line = ar.currentline;
    if (message_allowed(e, line))
        diag_warning(e->d, e->current ? e->current->shown : NULL, line, 0,
                     "%.*s%s (while filtering %s)", shown_length(len), msg,
                     len > MAX_MESSAGE ? "..." : "", page_shown(e));
    return 0;
}

/* print(...): a warning like log.warn, the values separated by tabs. */
static int log_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_replace(L, 1);
    lua_settop(L, 1);
    return log_warn(L);
}

static int log_error(lua_State *L) {
    filter_env *e = env_of(L);
    size_t len;
    const char *msg = luaL_checklstring(L, 1, &len);
    int line = (int)luaL_optinteger(L, 2, 0);
    /* the first error is always shown: it is what fails the build */
    if (message_allowed(e, line) || !e->errors_shown) {
        diag_error(e->d, page_shown(e), line, 0, "%.*s%s", shown_length(len), msg,
                   len > MAX_MESSAGE ? "..." : "");
        e->errors_shown = 1;
    }
    return 0;
}

/* A Document node holding the blocks of text, in the page's arena. Text
 * past markdown_check_limits (front matter may hold anything) is a Lua
 * error rather than minutes in cmark-gfm. */
static ast_node *parse_blocks(lua_State *L, filter_env *e, const char *text, size_t len) {
    ast_node *simple = markdown_parse_simple(e->doc, text, len);
    if (simple) /* the common case for table cells: no parser needed */
        return simple;
    diag_list d = DIAG_LIST_INIT;
    if (markdown_check_limits(text, len, NULL, 0, &d) != 0) {
        luaL_where(L, 1); /* the filter's line that called parse() */
        lua_pushfstring(L, "this Markdown text is past a limit (its line %d: %s)", d.items[0].line,
                        d.items[0].message);
        diag_free(&d);
        lua_concat(L, 2);
        lua_error(L);
    }
    return markdown_parse_into(e->doc, text, len);
}

static int parse_markdown(lua_State *L) {
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_ast_push_children(L, parse_blocks(L, env_of(L), text, len));
    return 1;
}

/* inlines(markdown): the inlines of a Markdown string, for a table cell or
 * a heading. Paragraphs give their inlines, joined by a space; anything
 * else (a line Markdown reads as a list or a heading, say) stays the text
 * the writer typed. nil gives no inlines. */
static int parse_inlines(lua_State *L) {
    filter_env *e = env_of(L);
    size_t len;
    const char *text = luaL_optlstring(L, 1, "", &len);
    if (!len) {
        lua_newtable(L);
        return 1;
    }
    ast_node *blocks = parse_blocks(L, e, text, len);
    ast_node *inlines = ast_new(e->doc, AST_PARAGRAPH);
    ast_node *b = blocks->first;
    while (b && b->type == AST_PARAGRAPH)
        b = b->next;
    if (b) { /* the words as typed */
        ast_append(inlines, ast_new_text(e->doc, text, len));
    } else {
        for (ast_node *para = blocks->first; para; para = para->next) {
            if (para != blocks->first)
                ast_append(inlines, ast_new_text(e->doc, " ", 1));
            ast_move_children(inlines, para);
        }
    }
    /* made as tables only if the filter reads it: a SimpleTable cell takes
     * the nodes themselves */
    lua_ast_push_lazy_children(L, inlines);
    return 1;
}

/* page_line(key, ...): the front matter line of page[key][...], or of the
 * nearest enclosing value that exists; nil without front matter. */
static int page_line(lua_State *L) {
    filter_env *e = env_of(L);
    const value *v = e->page ? e->page->front : NULL;
    if (!v)
        return 0;
    int line = v->line, top = lua_gettop(L);
    for (int arg = 1; arg <= top && v; arg++) {
        if (v->type == VALUE_MAP && lua_type(L, arg) == LUA_TSTRING)
            v = value_map_get(v, lua_tostring(L, arg));
        else if (v->type == VALUE_LIST && lua_isinteger(L, arg))
            v = lua_tointeger(L, arg) >= 1 && (size_t)lua_tointeger(L, arg) <= v->len
                    ? v->items[lua_tointeger(L, arg) - 1]
                    : NULL;
        else
            v = NULL;
        if (v)
            line = v->line;
    }
    lua_pushinteger(L, line);
    return 1;
}

typedef struct traversal {
    filter_env *e;
    int ftable; /* stack index of the table of functions */
    const char *key[AST_TYPE_COUNT];
    int wants_blocks, wants_inlines; /* some function for a block, an inline */
    int topdown;
    int failed;
} traversal;

static void traverse(traversal *tr, ast_node *root);
static int setup_traversal(traversal *tr, lua_State *L, int ftable);

/* A temporary parent that can hold node, so walk can replace it. */
static ast_type holder_for(ast_type t) {
    switch (t) {
    case AST_ITEM: return AST_LIST;
    case AST_TABLE_ROW: return AST_TABLE;
    case AST_TABLE_CELL: return AST_TABLE_ROW;
    default: return ast_is_block(t) ? AST_DOCUMENT : AST_PARAGRAPH;
    }
}

static int walk(lua_State *L) {
    filter_env *e = env_of(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    buf err = BUF_INIT;
    ast_node **nodes;
    int n = lua_ast_from(L, 1, e->doc, &nodes, &err);
    if (n < 0) {
        lua_pushfstring(L, "walk: %s", buf_cstr(&err));
        buf_free(&err);
        return lua_error(L);
    }
    buf_free(&err);
    ast_node *holder = ast_new(e->doc, n ? holder_for(nodes[0]->type) : AST_DOCUMENT);
    for (int i = 0; i < n; i++)
        if (ast_append(holder, nodes[i]) != 0)
            return luaL_error(L, "walk: give it one node or a list of nodes of one kind");
    traversal tr = {.e = e};
    setup_traversal(&tr, L, 2);
    traverse(&tr, holder);
    if (tr.failed)
        return luaL_error(L, "walk: a function failed (see the error above)");
    int single = 0;
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "t");
        single = !lua_isnil(L, -1);
        lua_pop(L, 1);
    }
    if (single && holder->first && holder->first == holder->last) {
        lua_ast_push(L, holder->first);
        return 1;
    }
    lua_ast_push_children(L, holder);
    return 1;
}

/* ---- the sandbox ---- */

/* next, rawget and rawlen as Lua's, for a list inlines() gave too: it is
 * made first (lua_ast_push_lazy_children). */
static int settled_next(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_ast_settle(L, 1);
    lua_settop(L, 2);
    if (lua_next(L, 1))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int settled_rawget(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    lua_ast_settle(L, 1);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

static int settled_rawlen(lua_State *L) {
    int t = lua_type(L, 1);
    luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
    lua_ast_settle(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}

static int safe_getmetatable(lua_State *L) {
    luaL_checkany(L, 1);
    lua_ast_settle(L, 1); /* a list inlines() gave shows no metatable */
    if (lua_type(L, 1) == LUA_TSTRING || !lua_getmetatable(L, 1)) {
        lua_pushnil(L); /* the string metatable is shared by every page: not shown */
        return 1;
    }
    lua_pushliteral(L, "__metatable");
    if (lua_rawget(L, -2) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    return 1;
}

/* pcall and xpcall as Lua's, except that they pass a limit error on: a
 * filter that catches "ran past filter_instruction_limit" in a loop would
 * never stop. */
static int pcall_result(lua_State *L, int status, int base) {
    filter_env *e = env_of(L);
    if (status != LUA_OK && e->stopped) {
        check_limits(L, e->stop_hint); /* the limit's own message, whatever error came */
        return lua_error(L);
    }
    if (status != LUA_OK) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    return lua_gettop(L) - base;
}

static int safe_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1); /* true, f, args... */
    return pcall_result(L, lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0), 0);
}

static int safe_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2); /* f, handler, true, f, args... */
    return pcall_result(L, lua_pcall(L, n - 2, LUA_MULTRET, 2), 2);
}

/* setmetatable as Lua's, without __gc: a finalizer runs whenever the
 * collector gets to it, on a later page or when the state closes, where
 * no limit applies and its errors are only warnings. */
static int safe_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    lua_ast_settle(L, 1);
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            push_filter_where(L);
            lua_pushliteral(L, "setmetatable: __gc metamethods are not allowed in filters");
            lua_concat(L, 2);
            return lua_error(L);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* load: source text only, with the filter's environment by default. */
static int safe_load(lua_State *L) {
    size_t len;
    const char *chunk = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    if (len && chunk[0] == LUA_SIGNATURE[0]) {
        lua_pushnil(L);
        lua_pushliteral(L, "load: precompiled chunks are not allowed in filters");
        return 2;
    }
    int has_env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, chunk, len, name, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushvalue(L, has_env ? 4 : lua_upvalueindex(1));
    lua_setupvalue(L, -2, 1);
    return 1;
}

/* A library table filters may read but not change: the change would
 * reach every later page. Reads go straight to the real table. */
static void push_frozen(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    lua_createtable(L, 0, 5);
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, ro_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, ro_len, 1);
    lua_setfield(L, -2, "__len");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* A frozen copy of the tree at idx, built once: every nested table is
 * frozen too, and reads are plain table lookups (no C call per access). */
static void push_frozen_tree(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "data nested too deeply");
    lua_newtable(L);
    int copy = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_istable(L, -1)) {
            push_frozen_tree(L, -1);
            lua_replace(L, -2);
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, copy);
    }
    push_frozen(L, copy);
    lua_remove(L, copy);
}

/* A filter's globals: a fresh table per page and filter, falling back to
 * the shared, frozen base (libraries, constructors, helpers). */
static void push_env(filter_env *e, int page_idx, int lines_idx) {
    lua_State *L = e->L;
    luaL_checkstack(L, 8, NULL);
    lua_createtable(L, 0, 8);
    int env = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->env_mt_ref);
    lua_setmetatable(L, env);
    lua_pushvalue(L, env);
    lua_pushcclosure(L, safe_load, 1);
    lua_setfield(L, env, "load");
    lua_pushvalue(L, page_idx);
    lua_setfield(L, env, "page");
    lua_pushvalue(L, lines_idx);
    lua_setfield(L, env, "page_lines");
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->site_ref);
    lua_setfield(L, env, "site");
    lua_pushvalue(L, env);
    lua_setfield(L, env, "_G");
}

static void save_libs(filter_env *e) {
    lua_State *L = e->L;
    lua_getglobal(L, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump"); /* also gone for ("x"):dump, through the string metatable */
    lua_strlib_install(L, -1, meter_steps);
    lua_pop(L, 1);
    lua_newtable(L); /* base: safe globals, libraries, constructors, helpers */
    int base = lua_gettop(L);
    static const char *const safe[] = {"assert", "error",    "ipairs",   "pairs", "rawequal",
                                       "select", "tonumber", "tostring", "type"};
    for (size_t i = 0; i < sizeof safe / sizeof *safe; i++) {
        lua_getglobal(L, safe[i]);
        lua_setfield(L, base, safe[i]);
    }
    lua_pushcfunction(L, settled_next);
    lua_setfield(L, base, "next");
    lua_pushcfunction(L, settled_rawget);
    lua_setfield(L, base, "rawget");
    lua_pushcfunction(L, settled_rawlen);
    lua_setfield(L, base, "rawlen");
    lua_pushcfunction(L, safe_pcall);
    lua_setfield(L, base, "pcall");
    lua_pushcfunction(L, safe_xpcall);
    lua_setfield(L, base, "xpcall");
    lua_pushcfunction(L, safe_setmetatable);
    lua_setfield(L, base, "setmetatable");
    lua_pushcfunction(L, safe_getmetatable);
    lua_setfield(L, base, "getmetatable");
    lua_pushcfunction(L, log_print);
    lua_setfield(L, base, "print");
    lua_pushliteral(L, LUA_VERSION);
    lua_setfield(L, base, "_VERSION");
    static const char *const libnames[] = {"string", "table", "math", "utf8"};
    for (size_t i = 0; i < 4; i++) {
        lua_getglobal(L, libnames[i]);
        push_frozen(L, -1);
        lua_setfield(L, base, libnames[i]);
        lua_pop(L, 1);
    }
    lua_ast_init(L); /* constructors, SimpleTable, stringify */
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, base);
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, walk);
    lua_setfield(L, base, "walk");
    lua_pushcfunction(L, parse_markdown);
    lua_setfield(L, base, "parse");
    lua_pushcfunction(L, parse_inlines);
    lua_setfield(L, base, "inlines");
    lua_pushcfunction(L, page_line);
    lua_setfield(L, base, "page_line");
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, log_warn);
    lua_setfield(L, -2, "warn");
    lua_pushcfunction(L, log_error);
    lua_setfield(L, -2, "error");
    push_frozen(L, -1);
    lua_setfield(L, base, "log");
    lua_pop(L, 1);
    lua_createtable(L, 0, 2); /* the metatable of every filter environment */
    lua_pushvalue(L, base);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    e->env_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
}

filter_env *filter_env_new(const filter_set *set, const value *settings, const value *data) {
    filter_env *e = xcalloc(1, sizeof *e);
    e->set = set;
    lua_State *L = e->L = lua_newstate(limited_alloc, e);
    if (!L) {
        pool_free(&e->pool);
        free(e);
        return NULL;
    }
    *(filter_env **)lua_getextraspace(L) = e;
    lua_open_safe_libs(L);
    lua_gc(L, LUA_GCINC, 1000, 100, 0); /* pages make short-lived tables: collect rarely */
    save_libs(e);
    /* site: settings and data, read-only, the same for every page */
    lua_createtable(L, 0, 6);
    const char *keys[] = {"title", "base_url", "language", "description"};
    for (size_t i = 0; i < 4; i++) {
        lua_push_value(L, value_map_get(settings, keys[i]));
        lua_setfield(L, -2, keys[i]);
    }
    lua_push_value(L, settings);
    lua_setfield(L, -2, "params");
    lua_push_value(L, data);
    lua_setfield(L, -2, "data");
    push_frozen_tree(L, -1);
    e->site_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    lua_createtable(L, (int)set->len, 0);
    for (size_t i = 0; i < set->len; i++) {
        const filter_file *f = &set->items[i];
        char *chunkname = xasprintf("@%s", f->shown);
        if (luaL_loadbufferx(L, f->source, f->len, chunkname, "t") == LUA_OK)
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        else
            lua_pop(L, 1); /* the set checked it already */
        free(chunkname);
    }
    e->chunks_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return e;
}

void filter_env_free(filter_env *e) {
    if (!e)
        return;
    lua_close(e->L);
    pool_free(&e->pool);
    free(e);
}

/* ---- running filters ---- */

/* "filters/x.lua:12: message" -> file, line and message for diag; a
 * message without a place is put at `line` (the function's first line). */
static void report_at(filter_env *e, int line, const char *msg, const char *context) {
    const char *file = e->current ? e->current->shown : "filter";
    size_t n = strlen(file);
    if (msg && !strncmp(msg, file, n) && msg[n] == ':') {
        line = atoi(msg + n + 1);
        const char *rest = strchr(msg + n + 1, ':');
        msg = rest && rest[1] == ' ' ? rest + 2 : msg;
    } else if (msg && !strcmp(msg, "not enough memory")) {
        msg = "the filter used more memory than filter_memory_limit_mb allows on one page";
    }
    if (!msg)
        msg = "error";
    size_t len = strlen(msg); /* error(s) with a huge s: kept short, like log messages */
    const char *more = len > MAX_MESSAGE ? "..." : "";
    if (context)
        diag_error(e->d, file, line, 0, "%.*s%s (%s, while filtering %s)", shown_length(len), msg,
                   more, context, page_shown(e));
    else
        diag_error(e->d, file, line, 0, "%.*s%s (while filtering %s)", shown_length(len), msg, more,
                   page_shown(e));
}

static void report_lua_error(filter_env *e, const char *msg, const char *context) {
    report_at(e, 0, msg, context);
}

static int setup_traversal(traversal *tr, lua_State *L, int ftable) {
    tr->ftable = lua_absindex(L, ftable);
    int block_fn = 0, inline_fn = 0;
    for (int t = 0; t < AST_TYPE_COUNT; t++)
        tr->key[t] = NULL;
    /* a filter names few types: look at its keys, not at every type name */
    lua_pushnil(L);
    while (lua_next(L, tr->ftable)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1)) {
            const char *name = lua_tostring(L, -2);
            int t = ast_type_from_name(name);
            if (t > 0) /* Document runs once, at the end */
                tr->key[t] = ast_type_name((ast_type)t);
            block_fn |= !strcmp(name, "Block");
            inline_fn |= !strcmp(name, "Inline");
        }
        lua_pop(L, 1);
    }
    for (int t = 1; t < AST_TYPE_COUNT; t++) {
        if (!tr->key[t] && (ast_is_block((ast_type)t) ? block_fn : inline_fn))
            tr->key[t] = ast_is_block((ast_type)t) ? "Block" : "Inline";
        if (tr->key[t] && ast_is_block((ast_type)t))
            tr->wants_blocks = 1;
        else if (tr->key[t])
            tr->wants_inlines = 1;
    }
    lua_getfield(L, tr->ftable, "traverse");
    tr->topdown = lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), "topdown");
    lua_pop(L, 1);
    return 0;
}

/* Calls the function for n. Returns 0 (keep), 1 (replaced: *first..*last
 * are the new nodes, NULL when deleted) or -1 (error reported). */
static int call_on(traversal *tr, ast_node *n, const char *key, ast_node **first, ast_node **last,
                   int *skip_children) {
    filter_env *e = tr->e;
    lua_State *L = e->L;
    int top = lua_gettop(L);
    lua_getfield(L, tr->ftable, key);
    lua_pushvalue(L, -1); /* kept at top + 1, to name its line in messages */
    lua_ast_push(L, n);
    if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
        char context[80];
        snprintf(context, sizeof context, "in the %s function", key);
        report_lua_error(e, lua_tostring(L, -1), context);
        lua_settop(L, top);
        return -1;
    }
    if (lua_isboolean(L, -1) && !lua_toboolean(L, -1))
        *skip_children = 1;
    if (lua_isnil(L, -2)) {
        lua_settop(L, top);
        return 0;
    }
    buf err = BUF_INIT;
    buf_printf(&err, "the %s function returned a node built wrong: ", key);
    ast_node **nodes;
    int count = lua_ast_from(L, -2, e->doc, &nodes, &err);
    int rc = 1;
    *first = *last = NULL;
    for (int i = 0; count > 0 && i < count && rc == 1; i++) {
        if (ast_insert_before(n, nodes[i]) != 0) {
            ast_type parent = n->parent->type;
            buf_clear(&err);
            buf_printf(&err, "the %s function returned %s, which cannot go inside %s (it holds %s)",
                       key, lua_ast_a(nodes[i]->type), lua_ast_a(parent),
                       lua_ast_expected_children(parent));
            rc = -1;
            break;
        }
        if (!*first)
            *first = nodes[i];
        *last = nodes[i];
    }
    if (count < 0 || rc < 0) {
        for (ast_node *k = *first; k && k != n;) { /* undo */
            ast_node *next = k->next;
            ast_unlink(k);
            k = next;
        }
        lua_Debug ar;
        lua_pushvalue(L, top + 1);
        report_at(e, lua_getinfo(L, ">S", &ar) ? ar.linedefined : 0, buf_cstr(&err), NULL);
        rc = -1;
    } else {
        ast_unlink(n);
    }
    buf_free(&err);
    lua_settop(L, top);
    return rc;
}

/* Children before parents (or parents first with traverse = "topdown"),
 * walking parent and sibling links: no recursion, however deep. */
static void traverse(traversal *tr, ast_node *root) {
    ast_node *n = root->first;
    int entering = 1;
    while (n && !tr->failed) {
        ast_node *next = n->next, *parent = n->parent;
        const char *key = tr->key[n->type];
        if (entering) {
            int skip = 0;
            if (tr->topdown && key && !(n->flags & AST_NO_CALL)) {
                ast_node *first, *last;
                int rc = call_on(tr, n, key, &first, &last, &skip);
                if (rc < 0) {
                    tr->failed = 1;
                    return;
                }
                if (rc == 1 && first) { /* walk into the new nodes without calling on them */
                    for (ast_node *k = first;; k = k->next) {
                        k->flags |= AST_NO_CALL;
                        if (k == last)
                            break;
                    }
                    n = first;
                    continue;
                }
                if (rc == 1) { /* deleted */
                    n = next ? next : parent;
                    entering = next != NULL;
                    if (n == root)
                        return;
                    continue;
                }
            }
            n->flags &= ~AST_NO_CALL;
            /* inlines hold only inlines: no need to enter them without an
             * inline function */
            if (!skip && n->first && (tr->wants_inlines || ast_is_block(n->first->type))) {
                n = n->first;
                continue;
            }
            entering = 0;
        }
        if (!tr->topdown && key) {
            ast_node *first, *last;
            int skip = 0;
            if (call_on(tr, n, key, &first, &last, &skip) < 0) {
                tr->failed = 1;
                return;
            }
        }
        if (next) {
            n = next;
            entering = 1;
        } else {
            n = parent;
            if (n == root)
                return;
        }
    }
}

static int run_document(traversal *tr, ast_doc *doc) {
    filter_env *e = tr->e;
    lua_State *L = e->L;
    if (lua_getfield(L, tr->ftable, "Document") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    lua_ast_push(L, doc->root);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        report_lua_error(e, lua_tostring(L, -1), "in the Document function");
        lua_pop(L, 1);
        return -1;
    }
    int rc = 0;
    if (!lua_isnil(L, -1)) {
        buf err = BUF_INIT;
        ast_node **nodes;
        buf_puts(&err, "the Document function returned a node built wrong: ");
        int count = lua_ast_from(L, -1, doc, &nodes, &err);
        if (count == 1 && nodes[0]->type == AST_DOCUMENT) {
            doc->root = nodes[0];
        } else {
            if (count >= 0) {
                buf_clear(&err);
                buf_puts(&err, "the Document function must return a Document or nil");
            }
            report_lua_error(e, buf_cstr(&err), NULL);
            rc = -1;
        }
        buf_free(&err);
    }
    lua_pop(L, 1);
    return rc;
}

/* Runs one filter table (the value at the top of the stack). */
static int run_table(filter_env *e, ast_doc *doc) {
    lua_State *L = e->L;
    if (!lua_istable(L, -1)) {
        report_lua_error(e, "a filter must return a table of functions", "when loaded");
        return -1;
    }
    traversal tr = {.e = e};
    setup_traversal(&tr, L, -1);
    if (tr.wants_blocks || tr.wants_inlines)
        traverse(&tr, doc->root);
    if (tr.failed)
        return -1;
    return run_document(&tr, doc);
}

static int run_filter(filter_env *e, size_t i, ast_doc *doc, int page_idx, int lines_idx) {
    lua_State *L = e->L;
    int top = lua_gettop(L);
    e->current = &e->set->items[i];
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->chunks_ref);
    if (lua_rawgeti(L, -1, (lua_Integer)i + 1) != LUA_TFUNCTION) {
        lua_settop(L, top);
        return -1;
    }
    push_env(e, page_idx, lines_idx);
    lua_setupvalue(L, -2, 1);
    limits_on(e);
    int rc = 0;
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        report_lua_error(e, lua_tostring(L, -1), "when loaded");
        rc = -1;
    } else if (lua_istable(L, -1) && lua_rawlen(L, -1) > 0) { /* a list of filter tables */
        int list = lua_gettop(L);
        for (lua_Integer k = 1; rc == 0 && k <= (lua_Integer)lua_rawlen(L, list); k++) {
            lua_rawgeti(L, list, k);
            rc = run_table(e, doc);
            lua_pop(L, 1);
        }
    } else {
        rc = run_table(e, doc);
    }
    limits_off(e);
    lua_settop(L, top);
    return rc;
}

/* page: the front matter is converted a key at a time, on first read, so a
 * filter that never looks at it costs nothing. Keys the filter sets or
 * deletes stay as it left them (the metatable's "done" set). */
static int page_load_key(lua_State *L) { /* __index(t, k) and __newindex(t, k, v) */
    filter_env *e = env_of(L);
    int setting = lua_gettop(L) >= 3;
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "done");
    lua_pushvalue(L, 2);
    int done = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 1);
    lua_pushvalue(L, 2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    if (setting) {
        lua_settop(L, 3);
        lua_rawset(L, 1);
        return 0;
    }
    if (done || !e->page || !e->page->front || lua_type(L, 2) != LUA_TSTRING)
        return 0;
    lua_push_value(L, value_map_get(e->page->front, lua_tostring(L, 2)));
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

static int page_pairs(lua_State *L) {
    filter_env *e = env_of(L);
    const value *front = e->page ? e->page->front : NULL;
    for (size_t i = 0; front && i < front->len; i++) {
        lua_pushcfunction(L, page_load_key);
        lua_pushvalue(L, 1);
        lua_pushstring(L, front->pairs[i].key);
        lua_call(L, 2, 0);
    }
    return lua_pairs_as_raw(L);
}

static void push_page(lua_State *L, const filter_page *p) {
    lua_createtable(L, 0, 8);
    const char *keys[] = {"path", "url", "kind", "section", "title"};
    const char *values[] = {p->path, p->url, p->kind, p->section, p->title};
    lua_createtable(L, 0, 5); /* metatable */
    lua_createtable(L, 0, 5); /* keys done: these five come from the page, not its front matter */
    for (size_t i = 0; i < 5; i++) {
        if (!values[i])
            continue;
        lua_push_text(L, values[i]);
        lua_setfield(L, -4, keys[i]);
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, keys[i]);
    }
    lua_setfield(L, -2, "done");
    lua_pushcfunction(L, page_load_key);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, page_load_key);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, page_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* page_lines is needed only to report an error: it is built on first use
 * (a key read, pairs or #), then every lookup is a plain table lookup. */
static void push_lines_real(lua_State *L, int proxy) {
    filter_env *e = env_of(L);
    lua_getmetatable(L, proxy);
    if (lua_getfield(L, -1, "real") == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    if (e->page)
        lua_push_value_lines(L, e->page->front);
    if (!e->page || !lua_istable(L, -1)) {
        if (e->page)
            lua_pop(L, 1);
        lua_newtable(L); /* no front matter, or kept past its page */
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "real");
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__index");
    lua_remove(L, -2);
}

static int lines_index(lua_State *L) {
    push_lines_real(L, 1);
    lua_pushvalue(L, 2);
    lua_gettable(L, -2);
    return 1;
}

static int lines_pairs(lua_State *L) {
    lua_getglobal(L, "next");
    push_lines_real(L, 1);
    lua_pushnil(L);
    return 3;
}

static int lines_len(lua_State *L) {
    push_lines_real(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

static void push_lazy_lines(lua_State *L) {
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, lines_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lines_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushcfunction(L, lines_len);
    lua_setfield(L, -2, "__len");
    lua_pushboolean(L, 0); /* its functions assume this metatable */
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

int filter_env_run(filter_env *e, ast_doc *doc, const filter_page *page, diag_list *d) {
    if (!e || !e->set->len)
        return 0;
    lua_State *L = e->L;
    int top = lua_gettop(L);
    e->doc = doc;
    e->page = page;
    e->d = d;
    lua_ast_open(L, doc);
    /* page and page_lines belong to this page: a change one filter makes is
     * seen by the later filters of the same page, and by nothing else */
    push_page(L, page);
    int page_idx = lua_gettop(L);
    push_lazy_lines(L);
    int lines_idx = lua_gettop(L);
    size_t errors = d->errors;
    int rc = 0;
    for (size_t i = 0; i < e->set->len && rc == 0; i++)
        rc = run_filter(e, i, doc, page_idx, lines_idx);
    lua_ast_close(L);
    lua_settop(L, top);
    e->doc = NULL;
    e->page = NULL;
    e->current = NULL;
    return rc == 0 && d->errors == errors ? 0 : -1;
}
