/*
 * lua_strlib: the string functions of the filter sandbox whose work the
 * Lua VM cannot see, with a meter.
 *
 * Lua's instruction hook runs between VM instructions, never inside a C
 * function, and Lua's pattern matcher backtracks in C without limit:
 * ("a"):rep(5000):find(".-.-.-.-x") runs for hours as one instruction, and
 * string.rep("", 2^62) loops 2^62 times copying nothing. These versions
 * of find, match, gmatch, gsub and rep behave as Lua 5.4's do (the same
 * results, the same backtracking order, the same error messages) but count
 * their steps (a pattern position tried, a character scanned or compared)
 * and call a meter function with the count every LUA_STRLIB_CHUNK steps and
 * at the end of each call. The meter may raise an error: that stops the
 * function, whatever it was doing.
 */
#ifndef CLINICGEN_LUA_STRLIB_H
#define CLINICGEN_LUA_STRLIB_H

#include <lua.h>

enum { LUA_STRLIB_CHUNK = 4096 };

/* Replaces find, match, gmatch, gsub and rep in the table at stack index
 * lib (the state's string library, which is also the strings' __index) by
 * the metered versions. meter is called as meter(steps). */
void lua_strlib_install(lua_State *L, int lib, lua_CFunction meter);

#endif
