/*
 * lua_value: pushing value trees onto a Lua stack, and opening the safe
 * libraries every clinicgen Lua state starts with.
 *
 * Maps become tables with string keys, lists become sequences, scalars
 * become strings, numbers (integers when whole) and booleans. Null is nil
 * in a map (the key is absent) and false in a list, so sequences keep
 * their length. Nothing is retained: Lua owns what it receives.
 */
#ifndef CLINICGEN_LUA_VALUE_H
#define CLINICGEN_LUA_VALUE_H

#include "value.h"

#include <lua.h>
#include <string.h>

/* Pushes text made per page (a title, a URL, a node's text). Not
 * lua_pushstring: that looks s up by its address in Lua's small cache of
 * API strings, with a strcmp, and text made per page is never there; each
 * miss also evicts a key that lua_setfield is about to look up the same
 * way ("title", "url"), so both then pay the full lookup. */
static inline void lua_push_text(lua_State *L, const char *s) {
    lua_pushlstring(L, s, strlen(s));
}

void lua_push_value(lua_State *L, const value *v);

/* The end of a __pairs whose table (argument 1) now holds every field:
 * returns next, the table and nil, as pairs gives for a plain table. */
int lua_pairs_as_raw(lua_State *L);

/* Opens only the libraries templates and filters may use: base, string,
 * table, math and utf8 (no io, os, package or debug). */
void lua_open_safe_libs(lua_State *L);
/* The same shape with each value replaced by its source line number. */
void lua_push_value_lines(lua_State *L, const value *v);

#endif
