/* lua_strlib: metered find, match, gmatch, gsub and rep (see lua_strlib.h).
 *
 * The matching follows the Lua 5.4 reference manual (section 6.4.1) and
 * tries alternatives in the order Lua's own matcher does, so filters see
 * the same captures and the same errors; tests/unit/test_lua_strlib.c
 * compares the two on many patterns. */
#include "lua_strlib.h"

#include <ctype.h>
#include <lauxlib.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

enum {
    MAX_CAPTURES = 32, /* as Lua's LUA_MAXCAPTURES */
    MAX_DEPTH = 200,   /* nested match calls, as Lua's MAXCCALLS: bounds the C stack */
    CAPTURE_OPEN = -1,
    CAPTURE_POSITION = -2
};

/* Upvalue 1 of every function here is the meter. */
#define METER lua_upvalueindex(1)

typedef struct capture {
    const char *start;
    ptrdiff_t len; /* or CAPTURE_OPEN, CAPTURE_POSITION */
} capture;

typedef struct matcher {
    lua_State *L;
    const char *subject, *subject_end, *pattern_end;
    int depth_left;
    int n_captures;
    capture captures[MAX_CAPTURES];
    long long pending; /* steps not yet given to the meter */
} matcher;

/* Gives the pending steps to the meter (which may raise an error). The
 * stack use is balanced, as a luaL_Buffer in use requires. */
static void settle(matcher *m) {
    if (!m->pending)
        return;
    lua_pushvalue(m->L, METER);
    lua_pushinteger(m->L, (lua_Integer)m->pending);
    m->pending = 0;
    lua_call(m->L, 1, 0);
}

static void step(matcher *m, long long n) {
    m->pending += n;
    if (m->pending >= LUA_STRLIB_CHUNK)
        settle(m);
}

static void matcher_init(matcher *m, lua_State *L, const char *s, size_t ls, const char *p,
                         size_t lp) {
    m->L = L;
    m->subject = s;
    m->subject_end = s + ls;
    m->pattern_end = p + lp;
    m->depth_left = MAX_DEPTH;
    m->n_captures = 0;
    m->pending = 0;
}

/* ---- single characters and classes ---- */

/* Where the single-character class at p ends ("%a", "[a-z]", "."). */
static const char *class_end(matcher *m, const char *p) {
    char c = *p++;
    if (c == '%') {
        if (p == m->pattern_end)
            luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (*p == '^')
            p++;
        /* the first character after '[' or '[^' is in the set, even ']';
         * Lua strings end in '\0', so reading *pattern_end is safe */
        do {
            if (p == m->pattern_end)
                luaL_error(m->L, "malformed pattern (missing ']')");
            if (*p++ == '%' && p < m->pattern_end)
                p++;
        } while (*p != ']');
        return p + 1;
    }
    return p;
}

/* %a, %d, ... (upper case: the complement); any other letter: itself. */
static int in_class(int c, int cl) {
    int yes;
    switch (tolower(cl)) {
    case 'a': yes = isalpha(c); break;
    case 'c': yes = iscntrl(c); break;
    case 'd': yes = isdigit(c); break;
    case 'g': yes = isgraph(c); break;
    case 'l': yes = islower(c); break;
    case 'p': yes = ispunct(c); break;
    case 's': yes = isspace(c); break;
    case 'u': yes = isupper(c); break;
    case 'w': yes = isalnum(c); break;
    case 'x': yes = isxdigit(c); break;
    case 'z': yes = c == 0; break; /* deprecated, still accepted by Lua */
    default: return cl == c;
    }
    return islower(cl) ? yes != 0 : !yes;
}

/* c against the set from '[' at p to its ']' at close. */
static int in_set(int c, const char *p, const char *close) {
    int want = 1;
    if (p[1] == '^') {
        want = 0;
        p++;
    }
    while (++p < close) {
        if (*p == '%') {
            p++;
            if (in_class(c, (unsigned char)*p))
                return want;
        } else if (p[1] == '-' && p + 2 < close) {
            p += 2;
            if ((unsigned char)p[-2] <= c && c <= (unsigned char)*p)
                return want;
        } else if ((unsigned char)*p == c) {
            return want;
        }
    }
    return !want;
}

/* Does the subject character at s match the class from p to ep? */
static int single_match(matcher *m, const char *s, const char *p, const char *ep) {
    if (s >= m->subject_end)
        return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case '%': return in_class(c, (unsigned char)p[1]);
    case '[': return in_set(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* ---- the backtracking matcher ---- */

static const char *match(matcher *m, const char *s, const char *p);

/* %bxy at s: the end of the balanced run, or NULL. */
static const char *match_balance(matcher *m, const char *s, const char *p) {
    if (p >= m->pattern_end - 1)
        luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->subject_end || *s != *p)
        return NULL;
    char open = p[0], close = p[1];
    int depth = 1;
    while (++s < m->subject_end) {
        step(m, 1);
        if (*s == close) {
            if (--depth == 0)
                return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

/* x* and x+ after the first: as many as possible, then fewer. */
static const char *max_expand(matcher *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t i = 0;
    while (single_match(m, s + i, p, ep)) {
        i++;
        step(m, 1);
    }
    for (; i >= 0; i--) {
        const char *end = match(m, s + i, ep + 1);
        if (end)
            return end;
    }
    return NULL;
}

/* x-: as few as possible, then more. */
static const char *min_expand(matcher *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *end = match(m, s, ep + 1);
        if (end)
            return end;
        if (!single_match(m, s, p, ep))
            return NULL;
        s++;
        step(m, 1);
    }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t what) {
    int level = m->n_captures;
    if (level >= MAX_CAPTURES)
        luaL_error(m->L, "too many captures");
    m->captures[level].start = s;
    m->captures[level].len = what;
    m->n_captures = level + 1;
    const char *end = match(m, s, p);
    if (!end)
        m->n_captures--;
    return end;
}

static const char *close_capture(matcher *m, const char *s, const char *p) {
    int level = m->n_captures - 1;
    while (level >= 0 && m->captures[level].len != CAPTURE_OPEN)
        level--;
    if (level < 0)
        luaL_error(m->L, "invalid pattern capture");
    m->captures[level].len = s - m->captures[level].start;
    const char *end = match(m, s, p);
    if (!end)
        m->captures[level].len = CAPTURE_OPEN;
    return end;
}

/* %1 to %9: the text of an earlier capture, again. */
static const char *match_back_reference(matcher *m, const char *s, int digit) {
    int i = digit - '1';
    if (i < 0 || i >= m->n_captures || m->captures[i].len == CAPTURE_OPEN)
        luaL_error(m->L, "invalid capture index %%%d", i + 1);
    size_t len = (size_t)m->captures[i].len;
    step(m, (long long)len);
    if ((size_t)(m->subject_end - s) >= len && !memcmp(m->captures[i].start, s, len))
        return s + len;
    return NULL;
}

/* The end of a match of pattern p at subject position s, or NULL. Each
 * pattern item tried is a step. */
static const char *match(matcher *m, const char *s, const char *p) {
    if (m->depth_left-- == 0)
        luaL_error(m->L, "pattern too complex");
    while (s && p != m->pattern_end) {
        step(m, 1);
        if (*p == '(') {
            s = p[1] == ')' ? open_capture(m, s, p + 2, CAPTURE_POSITION)
                            : open_capture(m, s, p + 1, CAPTURE_OPEN);
            break;
        }
        if (*p == ')') {
            s = close_capture(m, s, p + 1);
            break;
        }
        if (*p == '$' && p + 1 == m->pattern_end) {
            s = s == m->subject_end ? s : NULL;
            break;
        }
        if (*p == '%' && p[1] == 'b') {
            s = match_balance(m, s, p + 2);
            p += 4;
            continue;
        }
        if (*p == '%' && p[1] == 'f') {
            p += 2;
            if (*p != '[')
                luaL_error(m->L, "missing '[' after '%%f' in pattern");
            const char *ep = class_end(m, p);
            int before = s == m->subject ? '\0' : (unsigned char)s[-1];
            /* *subject_end is the string's '\0' */
            if (in_set(before, p, ep - 1) || !in_set((unsigned char)*s, p, ep - 1))
                s = NULL;
            p = ep;
            continue;
        }
        if (*p == '%' && isdigit((unsigned char)p[1])) {
            s = match_back_reference(m, s, (unsigned char)p[1]);
            p += 2;
            continue;
        }
        /* a single-character class, maybe followed by *, +, - or ? */
        const char *ep = class_end(m, p);
        if (!single_match(m, s, p, ep)) {
            if (*ep == '*' || *ep == '?' || *ep == '-') {
                p = ep + 1; /* zero repetitions do */
                continue;
            }
            s = NULL;
            break;
        }
        if (*ep == '?') {
            const char *end = match(m, s + 1, ep + 1);
            if (end) {
                s = end;
                break;
            }
            p = ep + 1;
            continue;
        }
        if (*ep == '+' || *ep == '*') {
            s = max_expand(m, *ep == '+' ? s + 1 : s, p, ep);
            break;
        }
        if (*ep == '-') {
            s = min_expand(m, s, p, ep);
            break;
        }
        s++;
        p = ep;
    }
    m->depth_left++;
    return s;
}

/* ---- captures as results ---- */

/* Capture i's text in *text, and its length; a position capture is pushed
 * and gives CAPTURE_POSITION. Without captures, capture 0 is the whole
 * match s..e. */
static ptrdiff_t get_capture(matcher *m, int i, const char *s, const char *e, const char **text) {
    if (i >= m->n_captures) {
        if (i != 0)
            luaL_error(m->L, "invalid capture index %%%d", i + 1);
        *text = s;
        return e - s;
    }
    ptrdiff_t len = m->captures[i].len;
    *text = m->captures[i].start;
    if (len == CAPTURE_OPEN)
        luaL_error(m->L, "unfinished capture");
    else if (len == CAPTURE_POSITION)
        lua_pushinteger(m->L, (lua_Integer)(m->captures[i].start - m->subject) + 1);
    return len;
}

static void push_capture(matcher *m, int i, const char *s, const char *e) {
    const char *text;
    ptrdiff_t len = get_capture(m, i, s, e, &text);
    if (len != CAPTURE_POSITION)
        lua_pushlstring(m->L, text, (size_t)len);
}

/* Pushes every capture (or the whole match when s is not NULL and there
 * are none); returns how many. */
static int push_captures(matcher *m, const char *s, const char *e) {
    int n = (m->n_captures == 0 && s) ? 1 : m->n_captures;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(m, i, s, e);
    return n;
}

/* ---- find, match, gmatch ---- */

/* A 1-based, possibly negative, string position as Lua reads it. */
static size_t start_position(lua_Integer pos, size_t len) {
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 1;
    return len + (size_t)pos + 1;
}

static int has_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++)
        if (p[i] && strchr("^$*+?.([%-", p[i]))
            return 1;
    return 0;
}

/* Plain search: memchr for the first byte, then compare the rest. Each
 * byte scanned or compared is a step (a long needle that almost matches
 * everywhere costs its length at every position). */
static const char *find_plain(matcher *m, const char *s, size_t ls, const char *p, size_t lp) {
    if (lp == 0)
        return s;
    if (lp > ls)
        return NULL;
    const char *end = s + (ls - lp) + 1; /* no match starts at or after end */
    while (s < end) {
        const char *hit = memchr(s, *p, (size_t)(end - s));
        step(m, (hit ? hit + 1 : end) - s);
        if (!hit)
            return NULL;
        step(m, (long long)lp - 1);
        if (!memcmp(hit + 1, p + 1, lp - 1))
            return hit;
        s = hit + 1;
    }
    return NULL;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) {
        lua_pushnil(L);
        return 1;
    }
    matcher m;
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        matcher_init(&m, L, s, ls, p, lp);
        const char *at = find_plain(&m, s + init, ls - init, p, lp);
        settle(&m);
        if (at) {
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(at - s) + (lua_Integer)lp);
            return 2;
        }
        lua_pushnil(L);
        return 1;
    }
    int anchor = *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    matcher_init(&m, L, s, ls, p, lp);
    const char *from = s + init;
    do {
        m.n_captures = 0;
        const char *end = match(&m, from, p);
        if (end) {
            settle(&m);
            if (!find)
                return push_captures(&m, from, end);
            lua_pushinteger(L, (lua_Integer)(from - s) + 1);
            lua_pushinteger(L, (lua_Integer)(end - s));
            return push_captures(&m, NULL, NULL) + 2;
        }
    } while (from++ < m.subject_end && !anchor);
    settle(&m);
    lua_pushnil(L);
    return 1;
}

static int metered_find(lua_State *L) {
    return find_or_match(L, 1);
}

static int metered_match(lua_State *L) {
    return find_or_match(L, 0);
}

typedef struct gmatch_state {
    const char *from, *pattern, *last_end;
    matcher m;
} gmatch_state;

/* Upvalues: the meter, the subject, the pattern (kept alive), the state. */
static int gmatch_next(lua_State *L) {
    gmatch_state *g = lua_touserdata(L, lua_upvalueindex(4));
    g->m.L = L;
    for (const char *from = g->from; from <= g->m.subject_end; from++) {
        g->m.n_captures = 0;
        const char *end = match(&g->m, from, g->pattern);
        if (end && end != g->last_end) { /* no empty match where the last one ended */
            g->from = g->last_end = end;
            settle(&g->m);
            return push_captures(&g->m, from, end);
        }
    }
    settle(&g->m);
    return 0;
}

static int metered_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls)
        init = ls + 1; /* past the end: finds nothing, without overflow */
    lua_settop(L, 2);
    lua_pushvalue(L, METER);
    lua_insert(L, 1);
    gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0);
    matcher_init(&g->m, L, s, ls, p, lp);
    g->from = s + init;
    g->pattern = p;
    g->last_end = NULL;
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

/* ---- gsub ---- */

/* A replacement string: %0 to %9 and %%. */
static void add_replacement_text(matcher *m, luaL_Buffer *b, const char *s, const char *e) {
    lua_State *L = m->L;
    size_t len;
    const char *r = lua_tolstring(L, 3, &len);
    const char *pct;
    while ((pct = memchr(r, '%', len)) != NULL) {
        luaL_addlstring(b, r, (size_t)(pct - r));
        pct++;
        if (*pct == '%') {
            luaL_addchar(b, '%');
        } else if (*pct == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)*pct)) {
            const char *text;
            ptrdiff_t n = get_capture(m, *pct - '1', s, e, &text);
            if (n == CAPTURE_POSITION)
                luaL_addvalue(b);
            else
                luaL_addlstring(b, text, (size_t)n);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", '%');
        }
        len -= (size_t)(pct + 1 - r);
        r = pct + 1;
    }
    luaL_addlstring(b, r, len);
}

/* Adds the replacement of the match s..e; returns whether it changed the
 * text (a function or table giving nil or false keeps the match). */
static int add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int type) {
    lua_State *L = m->L;
    if (type == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(m, s, e);
        lua_call(L, n, 1);
    } else if (type == LUA_TTABLE) {
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        add_replacement_text(m, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int metered_gsub(lua_State *L) {
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int type = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L,
                     type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION ||
                         type == LUA_TTABLE,
                     3, "string/function/table");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int anchor = *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    matcher m;
    matcher_init(&m, L, src, ls, p, lp);
    const char *last_end = NULL;
    lua_Integer n = 0;
    int changed = 0;
    while (n < max) {
        m.n_captures = 0;
        const char *end = match(&m, src, p);
        if (end && end != last_end) {
            n++;
            changed |= add_replacement(&m, &b, src, end, type);
            src = last_end = end;
        } else if (src < m.subject_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor)
            break;
    }
    settle(&m);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, (size_t)(m.subject_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* ---- rep ---- */

/* Lua's rep loops once per copy even when a copy is empty: rep("", 2^62)
 * would run for ever without allocating anything. */
static int safe_rep(lua_State *L) {
    size_t l, lsep;
    const char *s = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || l + lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (l + lsep < l || l + lsep > (size_t)INT_MAX / (lua_Unsigned)n)
        return luaL_error(L, "resulting string too large");
    size_t total = (size_t)n * l + (size_t)(n - 1) * lsep;
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, total);
    for (lua_Integer i = 0; i < n; i++) {
        memcpy(out, s, l);
        out += l;
        if (i + 1 < n && lsep) {
            memcpy(out, sep, lsep);
            out += lsep;
        }
    }
    luaL_pushresultsize(&b, total);
    return 1;
}

void lua_strlib_install(lua_State *L, int lib, lua_CFunction meter) {
    static const luaL_Reg metered[] = {{"find", metered_find},
                                       {"match", metered_match},
                                       {"gmatch", metered_gmatch},
                                       {"gsub", metered_gsub},
                                       {NULL, NULL}};
    lua_pushvalue(L, lib);
    lua_pushcfunction(L, meter);
    luaL_setfuncs(L, metered, 1); /* each a closure with the meter */
    lua_pushcfunction(L, safe_rep);
    lua_setfield(L, -2, "rep");
    lua_pop(L, 1);
}
