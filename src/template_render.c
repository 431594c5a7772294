/* template_render: Lua-evaluated directives, layouts and HTML5 output. */
#include "template_render.h"

#include "lua_value.h"
#include "pool.h"
#include "site_index.h"
#include "text.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    /* Lua instructions one expression may run: a template's loop that never
     * ends is an error at its line, not a build that hangs */
    EXPR_INSTRUCTION_LIMIT = 10000000
};

static const char HTML_MT[] = "clinicgen.html"; /* metatable of trusted HTML */

struct render_env {
    lua_State *L;
    pool pool; /* the Lua state's memory */
    const template_set *set;
    const site_model *m;
    const strmap *static_assets;
    int exprs_ref;   /* registry: compiled expressions by id */
    int globals_ref; /* registry: the table every scope falls back to */
    /* registry: the names of every path expression (texpr.path) as Lua
     * strings, made once: a C string key costs a lookup in Lua's string
     * table on each read. Expression i's names start at path_keys[i]. */
    int path_keys_ref;
    int *path_keys;
    int page_mt_ref;    /* registry: the metatable of page (page_front_index) */
    const value *front; /* the front matter of the page being written; else NULL */
    /* the parts that come out the same on every page (template_static.c),
     * by tnode.static_id, as this worker first wrote them; NULL for an
     * offline site, whose URLs are relative to the page */
    struct static_part *parts;
};

typedef struct static_part {
    enum { PART_UNKNOWN, PART_SHOWN, PART_HIDDEN } state;
    buf html;
} static_part;

typedef struct fill {
    const tnode *node; /* a cg-fill */
    struct fill *next;
} fill;

typedef struct rctx {
    render_env *e;
    lua_State *L;
    buf *out;
    diag_list *d;
    const page *p;
    int exprs; /* stack index of the compiled expressions (exprs_ref) */
    int keys;  /* stack index of the path names (path_keys_ref) */
    fill *fills;
    int depth;
    int failed;
} rctx;

/* ---- helpers visible to templates ---- */

/* url(path): the site's base path and path. */
static void push_url_of_path(lua_State *L, const site_model *m, const char *path) {
    while (*path == '/')
        path++;
    lua_pushfstring(L, "%s%s", m->cfg->base_path, path);
}

static int helper_url(lua_State *L) {
    push_url_of_path(L, lua_touserdata(L, lua_upvalueindex(1)), luaL_checkstring(L, 1));
    return 1;
}

static int helper_absolute_url(lua_State *L) {
    const site_model *m = lua_touserdata(L, lua_upvalueindex(1));
    const char *path = luaL_checkstring(L, 1);
    if (text_url_has_scheme(path)) {
        lua_pushstring(L, path);
        return 1;
    }
    const char *base_path = m->cfg->base_path;
    size_t n = strlen(base_path);
    if (!strncmp(path, base_path, n))
        path += n;
    while (*path == '/')
        path++;
    lua_pushfstring(L, "%s%s", m->cfg->base_url, path);
    return 1;
}

/* Upvalue 1: a table of every static file's URL by name
 * (push_asset_urls). */
static int helper_asset(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    if (lua_getfield(L, lua_upvalueindex(1), name) != LUA_TSTRING)
        return luaL_error(L, "asset('%s'): no such file in the theme's or project's static folder",
                          name);
    return 1;
}

/* Made once per state: each page asks for the same few assets. */
static void push_asset_urls(lua_State *L, const site_model *m, const strmap *assets) {
    lua_createtable(L, 0, (int)assets->len);
    for (size_t i = 0; i < assets->cap; i++) {
        if (!assets->slots[i].key)
            continue;
        lua_pushfstring(L, "%s%s", m->cfg->base_path, (const char *)assets->slots[i].value);
        lua_setfield(L, -2, assets->slots[i].key);
    }
}

static int helper_format_date(lua_State *L) {
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    const char *s = luaL_optstring(L, 1, NULL);
    page_date date;
    if (!s || page_parse_date(s, &date) != 0) {
        lua_pushstring(L, s ? s : "");
        return 1;
    }
    /* "2 September 2026" by hand: listings format a date per card */
    char text[32], *t = text;
    if (date.day >= 10)
        *t++ = (char)('0' + date.day / 10);
    *t++ = (char)('0' + date.day % 10);
    *t++ = ' ';
    size_t n = strlen(months[date.month - 1]);
    memcpy(t, months[date.month - 1], n);
    t += n;
    *t++ = ' ';
    for (int div = 1000; div; div /= 10) /* page_parse_date: 1900 to 9999 */
        *t++ = (char)('0' + date.year / div % 10);
    lua_pushlstring(L, text, (size_t)(t - text));
    return 1;
}

/* ---- the Lua state ---- */

static void copy_globals(lua_State *L, int to) {
    static const char *const names[] = {"assert",   "error",  "ipairs",   "next",     "pairs",
                                        "pcall",    "select", "tonumber", "tostring", "type",
                                        "rawequal", "rawget", "rawlen",   "string",   "table",
                                        "math",     "utf8"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        lua_getglobal(L, names[i]);
        lua_setfield(L, to, names[i]);
    }
}

static void push_summary(lua_State *L, const site_model *m, const page *p);
static void push_summaries(lua_State *L, const site_model *m, page *const *list, size_t n);

static void push_site(lua_State *L, const site_model *m) {
    const site_config *cfg = m->cfg;
    lua_createtable(L, 0, 10);
    lua_pushstring(L, cfg->title);
    lua_setfield(L, -2, "title");
    lua_pushstring(L, cfg->description);
    lua_setfield(L, -2, "description");
    lua_pushstring(L, cfg->base_url);
    lua_setfield(L, -2, "base_url");
    lua_pushstring(L, cfg->base_path);
    lua_setfield(L, -2, "base_path");
    lua_pushstring(L, cfg->language);
    lua_setfield(L, -2, "language");
    lua_push_value(L, cfg->raw);
    lua_setfield(L, -2, "params");
    lua_push_value(L, m->data);
    lua_setfield(L, -2, "data");
    push_summaries(L, m, m->home->subsections, m->home->n_subsections);
    lua_setfield(L, -2, "sections");
    push_summary(L, m, m->home);
    lua_setfield(L, -2, "home");
    if (m->az) {
        push_summary(L, m, m->az);
        lua_setfield(L, -2, "az");
    }
}

/* lua_Alloc over the env's pool: a page's many small tables and strings
 * come from free lists rather than malloc. */
static void *pool_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    pool *p = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        pool_release(p, ptr, old);
        return NULL;
    }
    return pool_resize(p, ptr, old, nsize);
}

static void intern_path_keys(render_env *e) {
    lua_State *L = e->L;
    const template_set *set = e->set;
    e->path_keys = xmalloc((set->n_exprs ? set->n_exprs : 1) * sizeof *e->path_keys);
    lua_newtable(L);
    int n = 0;
    for (size_t i = 0; i < set->n_exprs; i++) {
        e->path_keys[i] = n + 1;
        for (size_t k = 0; k < set->exprs[i].path_len; k++) {
            lua_pushstring(L, set->exprs[i].path[k]);
            lua_rawseti(L, -2, ++n);
        }
    }
    e->path_keys_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static void push_page_metatable(lua_State *L, render_env *e);

static int panic(lua_State *L) {
    fprintf(stderr, "clinicgen: error in a template's Lua state: %s\n", lua_tostring(L, -1));
    return 0; /* Lua aborts */
}

render_env *render_env_new(const template_set *set, const site_model *m,
                           const strmap *static_assets) {
    render_env *e = xcalloc(1, sizeof *e);
    e->set = set;
    e->m = m;
    e->static_assets = static_assets;
    e->pool = (pool)POOL_INIT;
    lua_State *L = e->L = lua_newstate(pool_lua_alloc, &e->pool);
    if (!L) {
        fprintf(stderr, "clinicgen: out of memory\n");
        abort();
    }
    lua_atpanic(L, panic);
    lua_open_safe_libs(L);
    lua_gc(L, LUA_GCINC, 1000, 100, 0); /* a page's tables die with it: collect rarely */
    luaL_newmetatable(L, HTML_MT);
    lua_pop(L, 1);
    lua_createtable(L, (int)set->n_exprs, 0);
    e->exprs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    intern_path_keys(e);
    push_page_metatable(L, e);
    e->page_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (set->n_static && !m->cfg->offline)
        e->parts = xcalloc(set->n_static, sizeof *e->parts);
    lua_newtable(L);
    int g = lua_gettop(L);
    copy_globals(L, g);
    lua_pushlightuserdata(L, (void *)m);
    lua_pushcclosure(L, helper_url, 1);
    lua_setfield(L, g, "url");
    lua_pushlightuserdata(L, (void *)m);
    lua_pushcclosure(L, helper_absolute_url, 1);
    lua_setfield(L, g, "absolute_url");
    push_asset_urls(L, m, static_assets);
    lua_pushcclosure(L, helper_asset, 1);
    lua_setfield(L, g, "asset");
    lua_pushcfunction(L, helper_format_date);
    lua_setfield(L, g, "format_date");
    push_site(L, m);
    lua_setfield(L, g, "site");
    e->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return e;
}

void render_env_free(render_env *e) {
    if (!e)
        return;
    lua_close(e->L);
    pool_free(&e->pool);
    free(e->path_keys);
    for (size_t i = 0; e->parts && i < e->set->n_static; i++)
        buf_free(&e->parts[i].html);
    free(e->parts);
    free(e);
}

/* ---- the page table ---- */

static void push_text_or_nil(lua_State *L, const char *s) {
    if (s)
        lua_push_text(L, s);
    else
        lua_pushnil(L);
}

/* A field clinicgen computes; NULL clears a front matter key of that name
 * (a page's `summary: ""` is no summary). */
static void set_string(lua_State *L, const char *key, const char *value) {
    push_text_or_nil(L, value);
    lua_setfield(L, -2, key);
}

/* The site model has the URLs of its pages made (page.url, tag_pages);
 * a page outside it gets them made here. */
static void push_url(lua_State *L, const site_model *m, const page *p) {
    if (p->url)
        lua_push_text(L, p->url);
    else
        lua_pushfstring(L, "%s%s", m->cfg->base_path, p->url_path);
}

static void push_tag_url(lua_State *L, const site_model *m, const page *p, size_t i) {
    if (p->tag_pages && p->tag_pages[i]) {
        push_url(L, m, p->tag_pages[i]);
        return;
    }
    char *slug = text_slugify(p->tags[i], strlen(p->tags[i]));
    lua_pushfstring(L, "%stags/%s/", m->cfg->base_path, *slug ? slug : "tag");
    free(slug);
}

static void push_tags(lua_State *L, const site_model *m, const page *p) {
    lua_createtable(L, (int)p->n_tags, 0);
    for (size_t i = 0; i < p->n_tags; i++) {
        lua_createtable(L, 0, 2);
        set_string(L, "name", p->tags[i]);
        push_tag_url(L, m, p, i);
        lua_setfield(L, -2, "url");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* The fields every page has, in both listings and its own page. */
enum {
    FIELD_TITLE,
    FIELD_SUMMARY,
    FIELD_KIND,
    FIELD_URL,
    FIELD_DATE,
    FIELD_UPDATED,
    FIELD_REVIEWED,
    FIELD_REVIEWER,
    FIELD_WEIGHT,
    FIELD_COUNT,
    FIELD_TAGS,
    COMMON_FIELDS
};
static const char *const common_field_names[COMMON_FIELDS] = {
    "title",    "summary",  "kind",   "url",   "date", "updated",
    "reviewed", "reviewer", "weight", "count", "tags"};

static int push_date(lua_State *L, const page_date *d) {
    if (!d->year)
        return 0;
    char text[16];
    page_format_date(d, text, sizeof text);
    lua_push_text(L, text);
    return 1;
}

/* Pushes field f of p. Returns 0, with nothing pushed, for a date p does
 * not have (the field is left as it is); a NULL text is a nil, as in
 * set_string. */
static int push_common_field(lua_State *L, const site_model *m, const page *p, int f) {
    switch (f) {
    case FIELD_TITLE: push_text_or_nil(L, p->title); return 1;
    case FIELD_SUMMARY: push_text_or_nil(L, p->summary); return 1;
    case FIELD_KIND: lua_push_text(L, page_kind_name(p->kind)); return 1;
    case FIELD_URL: push_url(L, m, p); return 1;
    case FIELD_DATE: return push_date(L, &p->date);
    case FIELD_UPDATED: return push_date(L, &p->updated);
    case FIELD_REVIEWED: return push_date(L, &p->reviewed);
    case FIELD_REVIEWER: push_text_or_nil(L, p->reviewer); return 1;
    case FIELD_WEIGHT:
        if (p->weight == floor(p->weight) && fabs(p->weight) < 9.0e15)
            lua_pushinteger(L, (lua_Integer)p->weight); /* 10, as written, not 10.0 */
        else
            lua_pushnumber(L, p->weight);
        return 1;
    case FIELD_COUNT: lua_pushinteger(L, (lua_Integer)p->n_children); return 1;
    default: push_tags(L, m, p); return 1;
    }
}

static void set_common_fields(lua_State *L, const site_model *m, const page *p) {
    for (int f = 0; f < COMMON_FIELDS; f++)
        if (push_common_field(L, m, p, f))
            lua_setfield(L, -2, common_field_names[f]);
}

/* ---- summaries: fields made when read ---- */

/* __index of a summary: the field, kept in the table once made.
 * Upvalues: the site model, the page. */
static int summary_index(lua_State *L) {
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    for (int f = 0; key && f < COMMON_FIELDS; f++) {
        if (strcmp(key, common_field_names[f]))
            continue;
        if (!push_common_field(L, lua_touserdata(L, lua_upvalueindex(1)),
                               lua_touserdata(L, lua_upvalueindex(2)), f))
            break;
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    lua_pushnil(L);
    return 1;
}

/* Reads every field of the summary at idx once (summary_index keeps it):
 * then a raw walk of the table sees them all. */
static void summary_fill(lua_State *L, int idx) {
    for (int f = 0; f < COMMON_FIELDS; f++) {
        lua_getfield(L, idx, common_field_names[f]);
        lua_pop(L, 1);
    }
}

/* __pairs of a summary: every field made, then the table's own next. */
static int summary_pairs(lua_State *L) {
    summary_fill(L, 1);
    return lua_pairs_as_raw(L);
}

/* A page as a listing, a related list or site.* shows it: a table whose
 * fields are made when first read, since a card reads four of the eleven
 * (and seldom the tags, the dearest). pairs sees every field; rawget and
 * next only those read so far. */
static void push_summary(lua_State *L, const site_model *m, const page *p) {
    luaL_checkstack(L, 8, NULL);
    lua_createtable(L, 0, 4);
    lua_createtable(L, 0, 2);
    lua_pushlightuserdata(L, (void *)m);
    lua_pushlightuserdata(L, (void *)p);
    lua_pushcclosure(L, summary_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, summary_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_setmetatable(L, -2);
}

/* A list of summaries made now: for a list the caller does not keep, and
 * for site.sections, which every page of a worker shares. */
static void push_summaries(lua_State *L, const site_model *m, page *const *list, size_t n) {
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_summary(L, m, list[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* ---- listings: summaries made as they are read ---- */

/* __index of a listing. Upvalues: the site model, its array of pages, how
 * many. */
static int listing_index(lua_State *L) {
    int is_number;
    lua_Integer i = lua_tointegerx(L, 2, &is_number);
    if (!is_number || i < 1 || i > lua_tointeger(L, lua_upvalueindex(3))) {
        lua_pushnil(L);
        return 1;
    }
    page *const *list = lua_touserdata(L, lua_upvalueindex(2));
    push_summary(L, lua_touserdata(L, lua_upvalueindex(1)), list[i - 1]);
    return 1;
}

static int listing_length(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
}

static int listing_next(lua_State *L) {
    lua_Integer i = luaL_checkinteger(L, 2) + 1;
    if (lua_geti(L, 1, i) == LUA_TNIL)
        return 1;
    lua_pushinteger(L, i);
    lua_insert(L, -2);
    return 2;
}

static int listing_pairs(lua_State *L) {
    lua_pushcfunction(L, listing_next);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

/* The pages of a listing that the site model keeps (a section's, a tag's,
 * the A-Z's): a table whose summaries are made when read and not kept, so
 * that a page listing 50,000 others holds one summary at a time, not
 * hundreds of megabytes of them, and a listing no template reads costs
 * nothing. #, ipairs, pairs and cg-each see a list of n summaries; one
 * read twice gives two equal tables. */
static void push_page_list(lua_State *L, const site_model *m, page *const *list, size_t n) {
    lua_newtable(L);
    if (n == 0)
        return;
    lua_createtable(L, 0, 3);
    lua_pushlightuserdata(L, (void *)m);
    lua_pushlightuserdata(L, (void *)list);
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushcclosure(L, listing_index, 3);
    lua_setfield(L, -2, "__index");
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushcclosure(L, listing_length, 1);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, listing_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_setmetatable(L, -2);
}

/* toc: h2 entries, each with its h3 entries as children. */
static void push_toc(lua_State *L, const page_body *body) {
    lua_newtable(L);
    lua_Integer top = 0, sub = 0;
    for (size_t i = 0; body && i < body->n_headings; i++) {
        const md_heading *h = &body->headings[i];
        if (h->level < 2 || h->level > 3)
            continue;
        lua_createtable(L, 0, 4);
        set_string(L, "id", h->id);
        set_string(L, "text", h->text);
        lua_pushinteger(L, h->level);
        lua_setfield(L, -2, "level");
        if (h->level == 3 && top > 0) {
            lua_rawgeti(L, -2, top);
            lua_getfield(L, -1, "children");
            lua_pushvalue(L, -3);
            lua_rawseti(L, -2, ++sub);
            lua_pop(L, 3);
            continue;
        }
        lua_newtable(L);
        lua_setfield(L, -2, "children");
        lua_rawseti(L, -2, ++top);
        sub = 0;
    }
}

static void push_breadcrumbs(lua_State *L, const site_model *m, const page *p) {
    size_t n = 0;
    for (const page *q = p->parent; q; q = q->parent)
        n++;
    lua_createtable(L, (int)n, 0);
    lua_Integer i = (lua_Integer)n;
    for (const page *q = p->parent; q; q = q->parent, i--) {
        lua_createtable(L, 0, 2);
        set_string(L, "title", q->title);
        push_url(L, m, q);
        lua_setfield(L, -2, "url");
        lua_rawseti(L, -2, i);
    }
}

static void push_trusted_html(lua_State *L, const char *html, size_t len) {
    lua_createtable(L, 0, 1);
    lua_pushlstring(L, html, len);
    lua_setfield(L, -2, "html");
    luaL_setmetatable(L, HTML_MT);
}

/* concerns: {name, url} of each concern a procedure treats. */
static void push_concern_links(lua_State *L, const site_model *m, const page *p) {
    lua_createtable(L, (int)p->n_concern_pages, 0);
    for (size_t i = 0; i < p->n_concern_pages; i++) {
        lua_createtable(L, 0, 2);
        set_string(L, "name", p->concern_pages[i]->title);
        push_url(L, m, p->concern_pages[i]);
        lua_setfield(L, -2, "url");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* One A-Z group's heading fields: letter ("A" or "#"), label, id, count. */
static void set_az_group_fields(lua_State *L, const site_model *m, int g) {
    int other = g == SITE_AZ_GROUPS - 1;
    char letter[2] = {other ? '#' : (char)('A' + g), '\0'};
    char id[16] = "letter-other";
    if (!other)
        snprintf(id, sizeof id, "letter-%c", 'a' + g);
    set_string(L, "letter", letter);
    set_string(L, "label", other ? "Numbers and other characters" : letter);
    set_string(L, "id", id);
    lua_pushinteger(L, (lua_Integer)(m->az_start[g + 1] - m->az_start[g]));
    lua_setfield(L, -2, "count");
}

/* letters: every letter A to Z, then '#' when titles start otherwise;
 * groups: the letters that have pages, each with its pages. */
static void push_az(lua_State *L, const site_model *m) {
    lua_Integer n_letters = 0, n_groups = 0;
    lua_newtable(L);
    lua_newtable(L);
    for (int g = 0; g < SITE_AZ_GROUPS; g++) {
        size_t start = m->az_start[g], end = m->az_start[g + 1];
        if (g == SITE_AZ_GROUPS - 1 && start == end)
            break;
        lua_createtable(L, 0, 4);
        set_az_group_fields(L, m, g);
        lua_rawseti(L, -3, ++n_letters);
        if (start == end)
            continue;
        lua_createtable(L, 0, 5);
        set_az_group_fields(L, m, g);
        push_page_list(L, m, m->az->children + start, end - start);
        lua_setfield(L, -2, "pages");
        lua_rawseti(L, -2, ++n_groups);
    }
    lua_setfield(L, -3, "groups");
    lua_setfield(L, -2, "letters");
}

/* The site model's indexes that reach this page. */
static void set_index_fields(lua_State *L, const site_model *m, const page *p) {
    if (p->kind == KIND_PROCEDURE) {
        push_concern_links(L, m, p);
        lua_setfield(L, -2, "concerns");
        page *related[SITE_RELATED_MAX];
        push_summaries(L, m, related, site_related(m, p, related));
        lua_setfield(L, -2, "related");
    } else if (p->kind == KIND_CONCERN) {
        push_page_list(L, m, p->treated_by, p->n_treated_by);
        lua_setfield(L, -2, "treated_by");
    } else if (p->kind == KIND_AZ) {
        push_az(L, m);
    }
}

/* ---- page's front matter: converted when read ---- */

/* The fields push_page sets even to nil: the page's own, which hide a
 * front matter field of the same name ("summary: ''" is no summary). */
static const char *const page_nil_fields[] = {"title", "summary", "reviewer", "path", "section"};

/* The front matter field key, unless the page's own field hides it. */
static const value *page_front_field(const render_env *e, const char *key) {
    if (!e->front || !key)
        return NULL;
    for (size_t i = 0; i < sizeof page_nil_fields / sizeof *page_nil_fields; i++)
        if (!strcmp(key, page_nil_fields[i]))
            return NULL;
    return value_map_get(e->front, key);
}

/* A theme reads a few front matter fields, if any (the shipped one none):
 * each is converted on first read and kept in the table. Only while its
 * page is written: a page table kept past it finds nothing more. */
static int page_front_index(lua_State *L) {
    const render_env *e = lua_touserdata(L, lua_upvalueindex(1));
    const value *v = page_front_field(e, lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL);
    if (!v) {
        lua_pushnil(L);
        return 1;
    }
    lua_push_value(L, v);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* Reads every front matter field of the page table at idx that the page's
 * own fields do not hide: then a raw walk sees them all. */
static void page_front_fill(lua_State *L, const render_env *e, int idx) {
    idx = lua_absindex(L, idx);
    for (size_t i = 0; e->front && i < e->front->len; i++) {
        lua_getfield(L, idx, e->front->pairs[i].key);
        lua_pop(L, 1);
    }
}

static int page_front_pairs(lua_State *L) {
    page_front_fill(L, lua_touserdata(L, lua_upvalueindex(1)), 1);
    return lua_pairs_as_raw(L);
}

static void push_page_metatable(lua_State *L, render_env *e) {
    lua_createtable(L, 0, 2);
    lua_pushlightuserdata(L, e);
    lua_pushcclosure(L, page_front_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushlightuserdata(L, e);
    lua_pushcclosure(L, page_front_pairs, 1);
    lua_setfield(L, -2, "__pairs");
}

/* The fields push_page sets, at most. */
enum { PAGE_FIELDS = 24 };

static void push_page(lua_State *L, const render_env *e, const page *p, const page_body *body) {
    const site_model *m = e->m;
    lua_createtable(L, 0, PAGE_FIELDS);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->page_mt_ref);
    lua_setmetatable(L, -2);
    set_common_fields(L, m, p);
    lua_pushfstring(L, "%s%s", m->cfg->base_url, p->url_path);
    lua_setfield(L, -2, "permalink");
    set_string(L, "path", p->source);
    set_string(L, "section", p->section_path);
    lua_pushboolean(L, p->kind == KIND_HOME);
    lua_setfield(L, -2, "is_home");
    push_toc(L, body);
    lua_setfield(L, -2, "toc");
    push_trusted_html(L, body ? body->html : "", body ? body->len : 0);
    lua_setfield(L, -2, "content");
    if (body && body->jsonld) { /* JSON, safe inside its script element */
        push_trusted_html(L, body->jsonld, strlen(body->jsonld));
        lua_setfield(L, -2, "jsonld");
    }
    push_page_list(L, m, p->children, p->n_children);
    lua_setfield(L, -2, "pages");
    push_page_list(L, m, p->subsections, p->n_subsections);
    lua_setfield(L, -2, "sections");
    push_breadcrumbs(L, m, p);
    lua_setfield(L, -2, "breadcrumbs");
    set_index_fields(L, m, p);
}

/* ---- expressions ---- */

static void report(rctx *r, int expr, const char *msg) {
    const texpr *x = &r->e->set->exprs[expr];
    const char *shown = r->p->display_path ? r->p->display_path : r->p->out_path;
    diag_error(r->d, x->file, x->line, 0, "%s (while writing %s)", msg, shown);
    r->failed = 1;
}

static void expression_too_long(lua_State *L, lua_Debug *ar) {
    (void)ar;
    luaL_error(L, "the expression ran more than %d Lua instructions (a loop that never ends?)",
               (int)EXPR_INSTRUCTION_LIMIT);
}

enum { PATH_STACK_MAX = 1000 };

/* A dotted path read as the chunk would read it (lua_gettable, with the
 * names interned once), without starting the Lua VM: most expressions
 * are one ("page.title"). Safe
 * outside a protected call because templates cannot set metatables: every
 * table they reach has none, a scope's (__index is a table) or a
 * listing's, a summary's or page's (__index is listing_index,
 * summary_index or page_front_index, which raise no error short of
 * running out of memory, which ends the build either way). A step
 * into anything but a table (an error, or a string's method) is left to
 * the chunk. Returns 1 with the value pushed, or 0 with nothing pushed. */
static int read_path(rctx *r, int expr, int scope) {
    lua_State *L = r->L;
    int key = r->e->path_keys[expr];
    size_t len = r->e->set->exprs[expr].path_len;
    lua_rawgeti(L, r->keys, key);
    lua_gettable(L, scope);
    for (size_t i = 1; i < len; i++) {
        if (!lua_istable(L, -1)) {
            lua_pop(L, 1);
            return 0;
        }
        lua_rawgeti(L, r->keys, key + (int)i);
        lua_gettable(L, -2);
        lua_remove(L, -2);
    }
    return 1;
}

/* The function on top of the stack called with the string arg, when it is
 * url or asset (as the chunk would call it, and for an asset that exists,
 * so that neither can raise an error): replaces it with the result and
 * returns 1; else returns 0 with the stack as it was. Each page asks for
 * the same few assets and pages by a literal name. */
static int call_helper(lua_State *L, const char *arg) {
    lua_CFunction f = lua_tocfunction(L, -1);
    if (f != helper_url && f != helper_asset)
        return 0;
    lua_getupvalue(L, -1, 1);
    if (f == helper_url) {
        push_url_of_path(L, lua_touserdata(L, -1), arg);
    } else if (lua_getfield(L, -1, arg) != LUA_TSTRING) {
        lua_pop(L, 2); /* no such asset: the chunk reports it */
        return 0;
    }
    lua_replace(L, -3);
    lua_pop(L, 1);
    return 1;
}

/* Pushes the value of expression `expr` evaluated in the scope table at
 * stack index `scope`. Returns 0, or -1 (nothing pushed) after reporting. */
static int eval(rctx *r, int expr, int scope) {
    lua_State *L = r->L;
    const texpr *x = &r->e->set->exprs[expr];
    /* Every scope above this one is on the stack: below this many, its
     * chain is far from Lua's limit on __index chains (2,000), whose
     * error only a protected call reports. */
    if (x->path_len && lua_gettop(L) < PATH_STACK_MAX && read_path(r, expr, scope)) {
        if (!x->call_arg || call_helper(L, x->call_arg))
            return 0;
        lua_pop(L, 1);
    }
    if (lua_rawgeti(L, r->exprs, expr) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        const char *src = r->e->set->exprs[expr].source;
        if (luaL_loadbufferx(L, src, strlen(src), "=template", "t") != LUA_OK) {
            report(r, expr, lua_tostring(L, -1));
            lua_pop(L, 1);
            return -1;
        }
        lua_pushvalue(L, -1);
        lua_rawseti(L, r->exprs, expr);
    }
    lua_pushvalue(L, scope);
    lua_setupvalue(L, -2, 1);
    lua_sethook(L, expression_too_long, LUA_MASKCOUNT, EXPR_INSTRUCTION_LIMIT);
    int rc = lua_pcall(L, 0, 1, 0);
    lua_sethook(L, NULL, 0, 0);
    if (rc != LUA_OK) {
        report(r, expr, template_lua_message(lua_tostring(L, -1)));
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

static int is_trusted_html(lua_State *L, int idx) {
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return 0;
    luaL_getmetatable(L, HTML_MT);
    int same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

/* Text of the value on top of the stack; NULL (with an error) for tables. */
static const char *value_text(rctx *r, int expr, size_t *len) {
    lua_State *L = r->L;
    switch (lua_type(L, -1)) {
    case LUA_TNIL: *len = 0; return "";
    case LUA_TBOOLEAN:
        *len = lua_toboolean(L, -1) ? 4 : 5;
        return lua_toboolean(L, -1) ? "true" : "false";
    case LUA_TSTRING:
    case LUA_TNUMBER: return lua_tolstring(L, -1, len);
    default:
        if (is_trusted_html(L, -1)) {
            lua_getfield(L, -1, "html");
            lua_replace(L, -2);
            return lua_tolstring(L, -1, len);
        }
        report(r, expr,
               lua_pushfstring(L, "the expression gives a %s where text is expected",
                               luaL_typename(L, -1)));
        lua_pop(L, 1);
        return NULL;
    }
}

/* ---- nodes ---- */

static void render_children(rctx *r, const tnode *n, int scope);
static void render_template(rctx *r, const template *t, int scope);

/* The metatable of scopes inside the scope at index parent: a name they
 * do not hold is looked up there. */
static void push_scope_mt(lua_State *L, int parent) {
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, parent);
    lua_setfield(L, -2, "__index");
}

/* A scope for `names` names (sized for them up front) with the metatable
 * at index mt; one metatable serves every item of a loop. */
static void new_scope_mt(lua_State *L, int mt, int names) {
    lua_createtable(L, 0, names);
    lua_pushvalue(L, mt);
    lua_setmetatable(L, -2);
}

static void new_scope(lua_State *L, int parent, int names) {
    lua_createtable(L, 0, names);
    push_scope_mt(L, parent);
    lua_setmetatable(L, -2);
}

/* A URL attribute's value; in an offline site, site URLs become relative. */
static void append_url(rctx *r, const tattr *a, const char *url, size_t len, int computed) {
    if (!strcmp(a->name, "srcset")) { /* a list of URLs: left as written */
        buf_html_attr(r->out, url, len);
        return;
    }
    char *offline = site_offline_url(r->e->m, r->p->out_path, url);
    if (offline) {
        url = offline;
        len = strlen(offline);
    }
    if (computed)
        text_append_href(r->out, url, len); /* a computed URL is made valid: spaces, non-ASCII */
    else
        buf_html_attr(r->out, url, len);
    free(offline);
}

static void render_attr(rctx *r, const tnode *n, const tattr *a, int scope) {
    buf *out = r->out;
    if (a->html) { /* made when compiling (prepare_output) */
        buf_append(out, a->html, a->html_len);
        return;
    }
    if (a->expr < 0) {
        for (size_t i = 0; i < n->n_attrs; i++)
            if (n->attrs[i].expr >= 0 && !strcmp(n->attrs[i].name, a->name))
                return; /* a computed value overrides the written one */
        buf_putc(out, ' ');
        buf_puts(out, a->name);
        if (a->text) {
            buf_puts(out, "=\"");
            if (a->is_url)
                append_url(r, a, a->text, strlen(a->text), 0);
            else
                buf_html_attr(out, a->text, strlen(a->text));
            buf_putc(out, '"');
        }
        return;
    }
    if (eval(r, a->expr, scope) != 0)
        return;
    lua_State *L = r->L;
    if (lua_isnil(L, -1) || (lua_isboolean(L, -1) && !lua_toboolean(L, -1))) {
        lua_pop(L, 1);
        return;
    }
    if (lua_isboolean(L, -1)) {
        buf_putc(out, ' ');
        buf_puts(out, a->name);
        lua_pop(L, 1);
        return;
    }
    size_t len;
    const char *v = value_text(r, a->expr, &len);
    if (!v)
        return;
    if (a->is_url && text_is_unsafe_url(v)) {
        report(r, a->expr, lua_pushfstring(L, "the URL '%s' is refused: no script URLs", v));
        lua_pop(L, 2);
        return;
    }
    buf_putc(out, ' ');
    buf_puts(out, a->name);
    buf_puts(out, "=\"");
    if (a->is_url)
        append_url(r, a, v, len, 1);
    else
        buf_html_attr(out, v, len);
    buf_putc(out, '"');
    lua_pop(L, 1);
}

static void render_content(rctx *r, const tnode *n, int scope) {
    int expr = n->text_expr >= 0 ? n->text_expr : n->html_expr;
    if (expr < 0) {
        render_children(r, n, scope);
        return;
    }
    if (eval(r, expr, scope) != 0)
        return;
    int trusted = n->html_expr >= 0 && is_trusted_html(r->L, -1);
    size_t len;
    const char *v = value_text(r, expr, &len);
    if (!v)
        return;
    if (trusted)
        buf_append(r->out, v, len);
    else
        buf_html_text(r->out, v, len);
    lua_pop(r->L, 1);
}

static void render_element(rctx *r, const tnode *n, int scope) {
    if (n->kind == TNODE_BLOCK) {
        render_content(r, n, scope);
        return;
    }
    buf_append(r->out, n->open_tag, n->open_len);
    for (size_t i = 0; i < n->n_attrs; i++)
        render_attr(r, n, &n->attrs[i], scope);
    buf_putc(r->out, '>');
    if (n->is_void)
        return;
    render_content(r, n, scope);
    buf_append(r->out, n->close_tag, n->close_len);
}

static void render_slot(rctx *r, const tnode *n, int scope) {
    for (fill *f = r->fills; f; f = f->next)
        if (f->node->name && !strcmp(f->node->name, n->name)) {
            render_children(r, f->node, scope);
            return;
        }
    render_children(r, n, scope);
}

static void render_include(rctx *r, const tnode *n, int scope) {
    const template *t = template_set_get(r->e->set, n->name);
    if (!t) {
        diag_error(r->d, NULL, 0, 0, "no template named '%s' to include", n->name);
        r->failed = 1;
        return;
    }
    render_template(r, t, scope);
}

/* One repetition of an element, after cg-each. */
static void render_body(rctx *r, const tnode *n, int scope) {
    switch (n->kind) {
    case TNODE_TEXT: buf_append(r->out, n->text, n->text_len); break;
    case TNODE_SLOT: render_slot(r, n, scope); break;
    case TNODE_INCLUDE: render_include(r, n, scope); break;
    default: render_element(r, n, scope); break;
    }
}

static void set_loop(lua_State *L, lua_Integer index, lua_Integer length) {
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, index);
    lua_setfield(L, -2, "index");
    lua_pushboolean(L, index == 1);
    lua_setfield(L, -2, "first");
    lua_pushboolean(L, index == length);
    lua_setfield(L, -2, "last");
    lua_pushinteger(L, length);
    lua_setfield(L, -2, "length");
    lua_setfield(L, -2, "loop");
}

/* scope_mt: the index of the loop's scope metatable (push_scope_mt). */
static void render_item(rctx *r, const tnode *n, int scope_mt, lua_Integer index,
                        lua_Integer length) {
    /* stack: key, value */
    lua_State *L = r->L;
    new_scope_mt(L, scope_mt, 3); /* the value, the key, loop */
    lua_insert(L, -3);
    lua_setfield(L, -3, n->each_value);
    if (n->each_key)
        lua_setfield(L, -2, n->each_key);
    else
        lua_pop(L, 1);
    if (n->each_reads_loop)
        set_loop(L, index, length);
    render_body(r, n, lua_gettop(L));
    lua_pop(L, 1);
}

static int compare_keys(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A map: its string keys in sorted order, so output never depends on
 * Lua's hash order. */
static void render_each_map(rctx *r, const tnode *n, int scope_mt, int map) {
    lua_State *L = r->L;
    if (luaL_getmetafield(L, map, "__pairs") != LUA_TNIL) { /* a summary: all of it */
        if (lua_tocfunction(L, -1) == summary_pairs)
            summary_fill(L, map);
        else if (lua_tocfunction(L, -1) == page_front_pairs)
            page_front_fill(L, r->e, map);
        lua_pop(L, 1);
    }
    size_t count = 0, cap = 8;
    const char **keys = xmalloc(cap * sizeof *keys);
    lua_pushnil(L);
    while (lua_next(L, map)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            continue;
        if (count == cap)
            keys = xrealloc(keys, (cap *= 2) * sizeof *keys);
        keys[count++] = lua_tostring(L, -1); /* the table keeps it alive */
    }
    qsort(keys, count, sizeof *keys, compare_keys);
    for (size_t i = 0; i < count && !r->failed; i++) {
        lua_pushstring(L, keys[i]);
        lua_getfield(L, map, keys[i]);
        render_item(r, n, scope_mt, (lua_Integer)i + 1, (lua_Integer)count);
    }
    free(keys);
}

static void render_each(rctx *r, const tnode *n, int scope) {
    lua_State *L = r->L;
    if (eval(r, n->each_expr, scope) != 0)
        return;
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (!lua_istable(L, -1)) {
        report(r, n->each_expr,
               lua_pushfstring(L, "cg-each needs a list or a map, not a %s", luaL_typename(L, -1)));
        lua_pop(L, 2);
        return;
    }
    int list = lua_gettop(L);
    push_scope_mt(L, scope);
    int mt = lua_gettop(L);
    lua_Integer length = luaL_len(L, list); /* a listing's is its __len */
    if (length == 0) { /* a map (or nothing): by key, with or without a key name */
        render_each_map(r, n, mt, list);
    } else {
        for (lua_Integer i = 1; i <= length && !r->failed; i++) {
            lua_pushinteger(L, i);
            lua_geti(L, list, i);
            render_item(r, n, mt, i, length);
        }
    }
    lua_pop(L, 2);
}

static int render_directives_now(rctx *r, const tnode *n, int scope);

/* Returns whether the element was shown (for a following cg-else). A
 * static part is written once (template_static.c), then copied. */
static int render_directives(rctx *r, const tnode *n, int scope) {
    if (n->static_id < 0 || !r->e->parts)
        return render_directives_now(r, n, scope);
    static_part *part = &r->e->parts[n->static_id];
    if (part->state != PART_UNKNOWN) {
        if (part->html.len)
            buf_append(r->out, part->html.data, part->html.len);
        return part->state == PART_SHOWN;
    }
    size_t start = r->out->len;
    int shown = render_directives_now(r, n, scope);
    if (!r->failed) {
        if (r->out->len > start)
            buf_append(&part->html, r->out->data + start, r->out->len - start);
        part->state = shown ? PART_SHOWN : PART_HIDDEN;
    }
    return shown;
}

static int render_directives_now(rctx *r, const tnode *n, int scope) {
    lua_State *L = r->L;
    int top = lua_gettop(L);
    if (n->n_defines) {
        new_scope(L, scope, (int)n->n_defines);
        scope = lua_gettop(L);
        for (size_t i = 0; i < n->n_defines && !r->failed; i++) {
            if (eval(r, n->defines[i].expr, scope) == 0)
                lua_setfield(L, scope, n->defines[i].name);
        }
    }
    int shown = 1;
    if (n->if_expr >= 0 && !r->failed && eval(r, n->if_expr, scope) == 0) {
        shown = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    if (shown && !r->failed) {
        if (n->each_expr >= 0)
            render_each(r, n, scope);
        else
            render_body(r, n, scope);
    }
    lua_settop(L, top);
    return shown;
}

/* previous_shown: whether the chain of cg-if and cg-else elements so far
 * has shown one. An element with both cg-else and cg-if continues the
 * chain (else-if): it is tried only when nothing before it was shown, and
 * a cg-else after it is shown only when it was not. */
static void render_children(rctx *r, const tnode *n, int scope) {
    int previous_shown = 1;
    for (size_t i = 0; i < n->n_children && !r->failed; i++) {
        const tnode *c = n->children[i];
        if (c->is_else && previous_shown)
            continue;
        if (c->kind == TNODE_TEXT) {
            buf_append(r->out, c->text, c->text_len);
            continue;
        }
        previous_shown = render_directives(r, c, scope) || c->if_expr < 0;
    }
}

static void render_template(rctx *r, const template *t, int scope) {
    if (++r->depth > TEMPLATE_INCLUDE_DEPTH_MAX) {
        diag_error(r->d, t->path, 0, 0, "templates include or extend each other in a loop");
        r->failed = 1;
        r->depth--;
        return;
    }
    const tnode *root = t->root;
    if (root->kind != TNODE_LAYOUT) {
        render_directives(r, root, scope);
        r->depth--;
        return;
    }
    const template *layout = template_set_get(r->e->set, root->name);
    if (!layout) {
        diag_error(r->d, t->path, root->line, 0, "no layout template named '%s'", root->name);
        r->failed = 1;
        r->depth--;
        return;
    }
    lua_State *L = r->L;
    int top = lua_gettop(L);
    if (root->n_defines) {
        new_scope(L, scope, (int)root->n_defines);
        scope = lua_gettop(L);
        for (size_t i = 0; i < root->n_defines && !r->failed; i++)
            if (eval(r, root->defines[i].expr, scope) == 0)
                lua_setfield(L, scope, root->defines[i].name);
    }
    /* This template's fills go after those of the templates that extend it:
     * the most specific template wins a slot. */
    fill *added = NULL, **tail = &r->fills;
    while (*tail)
        tail = &(*tail)->next;
    for (size_t i = 0; i < root->n_children; i++) {
        if (root->children[i]->kind != TNODE_BLOCK)
            continue;
        fill *f = xcalloc(1, sizeof *f);
        f->node = root->children[i];
        *tail = f;
        tail = &f->next;
        if (!added)
            added = f;
    }
    render_template(r, layout, scope);
    for (fill **pp = &r->fills; *pp;) {
        if (*pp == added) {
            fill *f = *pp;
            while (f) {
                fill *next = f->next;
                free(f);
                f = next;
            }
            *pp = NULL;
            break;
        }
        pp = &(*pp)->next;
    }
    lua_settop(L, top);
    r->depth--;
}

/* ---- pages ---- */

/* The templates each kind of page may use, the first found. */
static const char *const kind_templates[][3] = {
    [KIND_PAGE] = {"page.html", NULL, NULL},
    [KIND_PROCEDURE] = {"procedure.html", "page.html", NULL},
    [KIND_FAQ] = {"faq.html", "page.html", NULL},
    [KIND_CONCERN] = {"concern.html", "page.html", NULL},
    [KIND_HOME] = {"home.html", "section.html", NULL},
    [KIND_SECTION] = {"section.html", NULL, NULL},
    [KIND_TAGS] = {"tags.html", "section.html", NULL},
    [KIND_TAG] = {"tag.html", "section.html", NULL},
    [KIND_SEARCH] = {"search.html", "page.html", NULL},
    [KIND_AZ] = {"az.html", NULL, NULL},
    [KIND_NOT_FOUND] = {"404.html", NULL, NULL},
};

const template *render_template_for(const template_set *set, const page *p, diag_list *d) {
    const template *kind_t = NULL;
    for (size_t i = 0; i < 3 && kind_templates[p->kind][i] && !kind_t; i++)
        kind_t = template_set_get(set, kind_templates[p->kind][i]);
    const value *layout = value_map_get(p->front, "layout");
    if (!layout || !layout->text || layout->type == VALUE_NULL)
        return kind_t;
    char *name = xasprintf("%s.html", layout->text);
    const template *t = template_set_get(set, name);
    if (!t)
        diag_warning(d, p->display_path, layout->line, layout->col,
                     "layout '%s': there is no template %s, so the page uses %s", layout->text,
                     name, kind_t ? kind_t->name : "none");
    free(name);
    return t ? t : kind_t;
}

static int is_html_document(const template_set *set, const template *t) {
    for (int depth = 0; t && depth < TEMPLATE_INCLUDE_DEPTH_MAX; depth++) {
        if (t->root->kind != TNODE_LAYOUT)
            return t->root->name && !strcmp(t->root->name, "html");
        t = template_set_get(set, t->root->name);
    }
    return 0;
}

int render_env_page(render_env *e, const page *p, const page_body *body, buf *out, diag_list *d) {
    const template *t = render_template_for(e->set, p, d);
    if (!t) {
        const char *name = kind_templates[p->kind][0];
        if (p->display_path)
            diag_error(d, p->display_path, 0, 0,
                       "no template for this page of kind '%s' (add templates/%s)",
                       page_kind_name(p->kind), name);
        else /* a page clinicgen makes: a listing, the search page, 404.html */
            diag_error(d, NULL, 0, 0, "no template for the page %s (add templates/%s)", p->out_path,
                       name);
        return -1;
    }
    lua_State *L = e->L;
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->exprs_ref); /* at hand for every expression */
    int exprs = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->path_keys_ref);
    int keys = lua_gettop(L);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->globals_ref);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    e->front = p->front;
    push_page(L, e, p, body);
    lua_setfield(L, -2, "page");
    rctx r = {.e = e, .L = L, .out = out, .d = d, .p = p, .exprs = exprs, .keys = keys};
    if (is_html_document(e->set, t))
        buf_puts(out, "<!DOCTYPE html>\n");
    render_template(&r, t, lua_gettop(L));
    buf_putc(out, '\n');
    lua_settop(L, top);
    e->front = NULL;
    return r.failed ? -1 : 0;
}
