/*
 * lua_ast: document nodes as Lua tables, and back (docs/filters.md).
 *
 * A node becomes a plain table {t = "Heading", level = 2, ...}. Its
 * children are converted only when a filter reads `children` (a metatable
 * fills the field on first access), so a function that looks at one node
 * costs one table however large the subtree. Converting back reuses the
 * original subtree of every table whose children were never read.
 *
 * The ast nodes behind the tables live in the page's ast_doc, which must
 * stay alive from lua_ast_open to lua_ast_close; close forgets them
 * (tables kept longer lose their children, and never reach freed nodes).
 * Nothing here recurses on the C stack: depth costs Lua stack slots only.
 */
#ifndef CLINICGEN_LUA_AST_H
#define CLINICGEN_LUA_AST_H

#include "ast.h"
#include "buf.h"

#include <lua.h>

/* Registers the node metatable and constructors; call once per state.
 * Leaves a table of constructors and helpers (stringify, SimpleTable) on
 * the stack, for the filter environment. */
void lua_ast_init(lua_State *L);

/* Begins and ends the use of doc's nodes as tables. While open, SimpleTable
 * builds its nodes in doc. */
void lua_ast_open(lua_State *L, ast_doc *doc);
void lua_ast_close(lua_State *L);
/* The doc opened, or NULL. */
ast_doc *lua_ast_doc(lua_State *L);

/* Pushes node as a table. */
void lua_ast_push(lua_State *L, ast_node *node);
/* Pushes the list of parent's children as tables. */
void lua_ast_push_children(lua_State *L, ast_node *parent);
/* Pushes the same list made lazily: a table that gets its items when a
 * filter first reads it (an index, #, pairs, next, rawget, rawlen), until
 * then empty with a metatable. Converting it back copies parent's
 * children without making a table for any: inlines() gives such lists,
 * which SimpleTable cells and node children mostly take as they are. */
void lua_ast_push_lazy_children(lua_State *L, ast_node *parent);
/* Gives the lazy list at idx its items now (anything else is left as it
 * is): for the functions that read a table raw. */
void lua_ast_settle(lua_State *L, int idx);

/* Builds nodes from the value at idx: a node table, a string (a Text, where
 * inlines may go), or a list of those. On success returns the number of
 * nodes and puts them in *out (an arena array; unlinked nodes). On error
 * (a node built wrong, a tree too deep or containing itself) returns -1
 * with a message in err. Lua errors inside are caught. */
int lua_ast_from(lua_State *L, int idx, ast_doc *doc, ast_node ***out, buf *err);

/* "a Heading", "an Item": the type name with its article, for messages. */
const char *lua_ast_a(ast_type t);

/* What a node of type t holds, for messages: "blocks (Paragraph, ...)". */
const char *lua_ast_expected_children(ast_type t);

/* Appends the tree in the form `render --to ast` prints. */
void lua_ast_dump(const ast_node *node, buf *out);

#endif
