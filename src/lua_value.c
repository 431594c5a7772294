/* lua_value: value trees to Lua tables. */
#include "lua_value.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>

int lua_pairs_as_raw(lua_State *L) {
    lua_getglobal(L, "next");
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

void lua_push_value(lua_State *L, const value *v) {
    luaL_checkstack(L, 4, "data nested too deeply");
    if (!v) {
        lua_pushnil(L);
        return;
    }
    switch (v->type) {
    case VALUE_NULL: lua_pushnil(L); break;
    case VALUE_BOOL: lua_pushboolean(L, v->boolean); break;
    case VALUE_NUMBER:
        if (v->number == floor(v->number) && fabs(v->number) < 9.0e15)
            lua_pushinteger(L, (lua_Integer)v->number);
        else
            lua_pushnumber(L, v->number);
        break;
    case VALUE_STRING: lua_pushlstring(L, v->text, v->text_len); break;
    case VALUE_LIST:
        lua_createtable(L, (int)v->len, 0);
        for (size_t i = 0; i < v->len; i++) {
            if (v->items[i]->type == VALUE_NULL)
                lua_pushboolean(L, 0);
            else
                lua_push_value(L, v->items[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case VALUE_MAP:
        lua_createtable(L, 0, (int)v->len);
        for (size_t i = 0; i < v->len; i++) {
            lua_push_value(L, v->pairs[i].val);
            lua_setfield(L, -2, v->pairs[i].key);
        }
        break;
    }
}

void lua_push_value_lines(lua_State *L, const value *v) {
    luaL_checkstack(L, 4, "data nested too deeply");
    if (!v) {
        lua_pushnil(L);
        return;
    }
    if (v->type != VALUE_LIST && v->type != VALUE_MAP) {
        lua_pushinteger(L, v->line);
        return;
    }
    lua_createtable(L, v->type == VALUE_LIST ? (int)v->len : 0,
                    v->type == VALUE_MAP ? (int)v->len : 0);
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_LIST) {
            lua_push_value_lines(L, v->items[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        } else {
            lua_push_value_lines(L, v->pairs[i].val);
            lua_setfield(L, -2, v->pairs[i].key);
        }
    }
}

void lua_open_safe_libs(lua_State *L) {
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                                    {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8}};
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
}
