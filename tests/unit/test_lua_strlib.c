/* Tests for lua_strlib: the metered find, match, gmatch, gsub and rep give
 * what Lua's own give (compared on many patterns, errors included), and
 * their meter sees the work a pattern does. */
#include "buf.h"
#include "lua_strlib.h"
#include "test.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>

/* Runs every string function on (s, p, init) under pcall and prints the
 * results, types and errors, one line per call. */
static const char COMPARE_LUA[] =
    "local function ser(...)\n"
    "  local t, out = table.pack(...), {}\n"
    "  for i = 1, t.n do out[i] = type(t[i]) .. ':' .. tostring(t[i]) end\n"
    "  return table.concat(out, ',')\n"
    "end\n"
    "local function try(f, ...) return ser(pcall(f, ...)) end\n"
    "return function(s, p, init)\n"
    "  local out = {}\n"
    "  out[#out + 1] = try(string.find, s, p, init)\n"
    "  out[#out + 1] = try(string.find, s, p, init, true)\n"
    "  out[#out + 1] = try(string.match, s, p, init)\n"
    "  out[#out + 1] = try(function()\n"
    "    local r = {}\n"
    "    for a, b, c in string.gmatch(s, p, init) do r[#r + 1] = ser(a, b, c) end\n"
    "    return table.concat(r, ';')\n"
    "  end)\n"
    "  out[#out + 1] = try(string.gsub, s, p, '<%0>')\n"
    "  out[#out + 1] = try(string.gsub, s, p, '%1|%%')\n"
    "  out[#out + 1] = try(string.gsub, s, p, '%2')\n"
    "  out[#out + 1] = try(string.gsub, s, p, '%x')\n"
    "  out[#out + 1] = try(string.gsub, s, p, function(...) return ser(...) end)\n"
    "  out[#out + 1] = try(string.gsub, s, p, function() return false end)\n"
    "  out[#out + 1] = try(string.gsub, s, p, function() return {} end)\n"
    "  out[#out + 1] = try(string.gsub, s, p, {a = 'A', l = 1, [''] = 'E'})\n"
    "  out[#out + 1] = try(string.gsub, s, p, 'x', 2)\n"
    "  out[#out + 1] = try(string.gsub, s, p, true)\n"
    "  out[#out + 1] = try(('').match, s, p)\n"
    "  return table.concat(out, '\\n')\n"
    "end\n";

/* The meters add the steps to the counter the state's extra space points
 * at (new_state's total). */
static long long *total_of(lua_State *L) {
    return *(long long **)lua_getextraspace(L);
}

static int count_steps(lua_State *L) {
    *total_of(L) += lua_tointeger(L, 1);
    return 0;
}

static int stop_after_a_million(lua_State *L) {
    *total_of(L) += lua_tointeger(L, 1);
    if (*total_of(L) > 1000000)
        return luaL_error(L, "stopped by the meter");
    return 0;
}

/* A state with Lua's libraries; metered: with lua_strlib installed, its
 * meter counting into *total. */
static lua_State *new_state(int metered, lua_CFunction meter, long long *total) {
    lua_State *L = luaL_newstate();
    *(long long **)lua_getextraspace(L) = total;
    luaL_openlibs(L);
    if (metered) {
        lua_getglobal(L, "string");
        lua_strlib_install(L, -1, meter);
        lua_pop(L, 1);
    }
    return L;
}

/* The output of COMPARE_LUA for one case in state L; caller frees. The
 * function is compiled once per state, and kept at stack index 1. */
static char *compare_output(lua_State *L, const char *s, size_t ls, const char *p, size_t lp,
                            int init) {
    if (lua_gettop(L) == 0 &&
        (luaL_loadstring(L, COMPARE_LUA) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK))
        return xstrdup(lua_tostring(L, -1));
    lua_pushvalue(L, 1);
    lua_pushlstring(L, s, ls);
    lua_pushlstring(L, p, lp);
    if (init)
        lua_pushinteger(L, init);
    else
        lua_pushnil(L);
    char *out = lua_pcall(L, 3, 1, 0) == LUA_OK ? xstrdup(lua_tostring(L, -1))
                                                : xasprintf("error: %s", lua_tostring(L, -1));
    lua_settop(L, 1);
    return out;
}

TEST(lua_strlib_matches_like_lua_on_many_patterns) {
    static const char *const subjects[] = {"hello world",
                                           "",
                                           "aaa",
                                           "  trim me  ",
                                           "key = value",
                                           "THE (quick) [brown] fox",
                                           "a,b,,c",
                                           "x=1, y=22, z=333",
                                           "caf\xC3\xA9 \xE2\x80\x94 na\xC3\xAFve",
                                           "((a)(b))",
                                           "ab\nab\n",
                                           "$100 %d",
                                           "2024-01-05",
                                           "abcabcabc",
                                           "l",
                                           "[[x]]"};
    static const char *const patterns[] = {"o",
                                           "l+",
                                           "l*",
                                           "l-",
                                           "l?",
                                           "^h",
                                           "d$",
                                           "^$",
                                           ".",
                                           ".-",
                                           ".*",
                                           "(o)",
                                           "()o()",
                                           "(l)(l)",
                                           "%a+",
                                           "%A+",
                                           "%d+",
                                           "%s*(.-)%s*$",
                                           "^%s*(.-)%s*$",
                                           "(%w+)%s*=%s*(%w+)",
                                           "%b()",
                                           "%b[]",
                                           "%f[%a]%a+",
                                           "%f[%A]",
                                           "%f[%w]%w+%f[%W]",
                                           "[%a_][%w_]*",
                                           "[^,]*",
                                           "[]]",
                                           "[^]]",
                                           "[a-c]+",
                                           "[%-]",
                                           "%%",
                                           "(a)%1",
                                           "(.)%1",
                                           "%1",
                                           "(()",
                                           "())",
                                           "(",
                                           ")",
                                           "%",
                                           "[a",
                                           "[^",
                                           "%b",
                                           "%bx",
                                           "%f",
                                           "%fa",
                                           "%g+",
                                           "%p",
                                           "%c",
                                           "%u%l*",
                                           "%x+",
                                           "%z",
                                           "%0",
                                           "a-b",
                                           "$",
                                           "^",
                                           "^^",
                                           "$$",
                                           "a$b",
                                           "[%]]",
                                           "[a-]",
                                           "[-a]",
                                           "x*$",
                                           "()",
                                           "(%d+)-(%d+)-(%d+)",
                                           "((a)(b))",
                                           "[^%s]+",
                                           ".-b",
                                           "a.-b",
                                           "(.-)c",
                                           "[%w%.]+",
                                           "%.",
                                           "[\xC3\x80-\xC3\xBF]",
                                           "\xC3",
                                           "[.]",
                                           "[%%]",
                                           "%[(.-)%]",
                                           "^(%a)",
                                           "l()",
                                           "(h)(e)(l)(l)(o)",
                                           "[a-]+",
                                           "%f[%z]",
                                           "%s",
                                           "\n",
                                           "b\n$",
                                           "%d%d?%d?"};
    static const int inits[] = {0, 2, -3, 100};
    long long total = 0;
    lua_State *plain = new_state(0, NULL, NULL), *metered = new_state(1, count_steps, &total);
    int failures = 0;
    for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++)
        for (size_t j = 0; j < sizeof patterns / sizeof *patterns; j++)
            for (size_t k = 0; k < sizeof inits / sizeof *inits; k++) {
                const char *s = subjects[i], *p = patterns[j];
                char *want = compare_output(plain, s, strlen(s), p, strlen(p), inits[k]);
                char *got = compare_output(metered, s, strlen(s), p, strlen(p), inits[k]);
                if (strcmp(want, got) != 0 && failures++ < 5)
                    test_fail(__FILE__, __LINE__,
                              "subject \"%s\", pattern \"%s\", init %d:\nLua:\n%s\nmetered:\n%s", s,
                              p, inits[k], want, got);
                free(want);
                free(got);
            }
    CHECK_INT(failures, 0);
    lua_close(plain);
    lua_close(metered);
}

/* Patterns with '\0' inside, on subjects with '\0' inside. */
TEST(lua_strlib_matches_like_lua_with_zero_bytes) {
    static const struct {
        const char *s, *p;
        size_t ls, lp;
    } cases[] = {{"a\0b\0c", "\0", 5, 1},  {"a\0b\0c", "%z", 5, 2}, {"a\0b\0c", "[\0b]+", 5, 5},
                 {"a\0b\0c", "b\0", 5, 2}, {"a\0b", "%b\0b", 3, 4}, {"a\0\0b", "(\0)%1", 4, 4}};
    long long total = 0;
    lua_State *plain = new_state(0, NULL, NULL), *metered = new_state(1, count_steps, &total);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *want = compare_output(plain, cases[i].s, cases[i].ls, cases[i].p, cases[i].lp, 0);
        char *got = compare_output(metered, cases[i].s, cases[i].ls, cases[i].p, cases[i].lp, 0);
        CHECK_STR(got, want);
        free(want);
        free(got);
    }
    lua_close(plain);
    lua_close(metered);
}

/* The limits Lua's matcher has: captures and nesting. */
TEST(lua_strlib_matches_like_lua_at_the_limits) {
    buf many = BUF_INIT, deep = BUF_INIT, subject = BUF_INIT;
    for (int i = 0; i < 33; i++)
        buf_puts(&many, "(a)");
    for (int i = 0; i < 300; i++)
        buf_puts(&deep, "a?");
    for (int i = 0; i < 300; i++)
        buf_puts(&subject, "a");
    const char *patterns[] = {buf_cstr(&many), buf_cstr(&deep)};
    long long total = 0;
    lua_State *plain = new_state(0, NULL, NULL), *metered = new_state(1, count_steps, &total);
    for (size_t i = 0; i < 2; i++) {
        char *want =
            compare_output(plain, subject.data, subject.len, patterns[i], strlen(patterns[i]), 0);
        char *got =
            compare_output(metered, subject.data, subject.len, patterns[i], strlen(patterns[i]), 0);
        CHECK_STR(got, want);
        CHECK_CONTAINS(got, i == 0 ? "too many captures" : "pattern too complex");
        free(want);
        free(got);
    }
    lua_close(plain);
    lua_close(metered);
    buf_free(&many);
    buf_free(&deep);
    buf_free(&subject);
}

static char *eval(lua_State *L, const char *code) {
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
        char *msg = xasprintf("error: %s", lua_tostring(L, -1));
        lua_settop(L, 0);
        return msg;
    }
    char *out = xstrdup(luaL_tolstring(L, -1, NULL));
    lua_settop(L, 0);
    return out;
}

TEST(lua_strlib_rep_like_lua) {
    static const char *const cases[] = {"return string.rep('ab', 3)",
                                        "return string.rep('ab', 3, ', ')",
                                        "return string.rep('ab', 1, ', ')",
                                        "return ('x'):rep(0)",
                                        "return ('x'):rep(-5)",
                                        "return string.rep('', 5)",
                                        "return string.rep('', 5, '-')",
                                        "return #string.rep('abc', 1000)",
                                        "return string.rep('x', 2^40)",
                                        "return string.rep('x', 2^31, 'y')",
                                        "return string.rep('x', 1.5)",
                                        "return string.rep()",
                                        "return (pcall(string.rep, {}, 2))",
                                        "return string.rep('x', '3')"};
    long long total = 0;
    lua_State *plain = new_state(0, NULL, NULL), *metered = new_state(1, count_steps, &total);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *want = eval(plain, cases[i]), *got = eval(metered, cases[i]);
        CHECK_STR(got, want);
        free(want);
        free(got);
    }
    lua_close(plain);
    lua_close(metered);
}

/* Lua's rep loops once per copy, copying nothing: rep("", 2^62) would not
 * end. The metered one returns "" at once. */
TEST(lua_strlib_rep_of_nothing_a_huge_number_of_times_ends) {
    long long total = 0;
    lua_State *L = new_state(1, count_steps, &total);
    char *got = eval(L, "return '[' .. string.rep('', 2^62) .. string.rep('', math.maxinteger, "
                        "'') .. ('').rep('', 2^53) .. ']'");
    CHECK_STR(got, "[]");
    free(got);
    lua_close(L);
}

/* A pattern that backtracks: the meter sees its steps, and stops it. */
TEST(lua_strlib_meter_sees_backtracking) {
    long long total = 0;
    lua_State *L = new_state(1, count_steps, &total);
    /* 400 bytes: enough to tell cubic from linear, and quick under memcheck */
    char *got = eval(L, "return tostring(string.find(('a'):rep(400), '.-.-x'))");
    CHECK_STR(got, "nil");
    CHECK(total > 1000000); /* about 400^3 / 6 = 10.7 million steps, not 400 */
    free(got);
    total = 0;
    got = eval(L, "return tostring(string.find('hello', 'l+'))");
    CHECK_STR(got, "3");
    CHECK(total > 0 && total < 100);
    free(got);
    lua_close(L);
}

static const char *const SLOW_CALLS[] = {
    "string.find(('a'):rep(5000), '.-.-.-.-.-x')",
    "string.match(('a'):rep(100000), '.*x')",
    "string.find(('('):rep(200000), '%b()')",
    "string.gsub(('a'):rep(5000), '.-.-.-x', '')",
    "for _ in string.gmatch(('a'):rep(5000), '.-.-.-x') do end",
    "string.find(('a'):rep(200000), ('a'):rep(100000) .. 'b', 1, true)",
    "string.find(('ab'):rep(100000), '(a)(b).-%1%2.-%1%2.-x')",
    "string.find(('a'):rep(100000), '%a*%d')"};

TEST(lua_strlib_meter_stops_catastrophic_patterns) {
    for (size_t i = 0; i < sizeof SLOW_CALLS / sizeof *SLOW_CALLS; i++) {
        long long total = 0;
        lua_State *L = new_state(1, stop_after_a_million, &total);
        char *code = xasprintf("%s; return 'not stopped'", SLOW_CALLS[i]);
        char *got = eval(L, code);
        CHECK_CONTAINS(got, "stopped by the meter");
        CHECK(total < 1000000 + 2 * LUA_STRLIB_CHUNK);
        free(code);
        free(got);
        lua_close(L);
    }
}
