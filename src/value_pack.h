/*
 * value_pack: a value tree (value.h) as one compact byte string, and back.
 *
 * A build parses each page's front matter when it loads the site model,
 * drops the tree to save memory, and needs it again when it builds the
 * page. Parsing the YAML again costs ten times what unpacking costs, and
 * the tree itself takes several times the text's size; the packed string
 * takes about the YAML's size. Unpacking gives back the same tree: types,
 * scalar text (with its length, NUL bytes included), numbers, booleans,
 * keys in order, and every line and column (of nodes and of keys).
 *
 * value_pack returns a string the caller owns (free()). value_unpack
 * borrows the bytes and returns a new tree the caller frees with
 * value_free, or NULL when the bytes are not a whole packed tree (never
 * the case for bytes value_pack made; checked anyway, as every read is
 * checked against the end, so a damaged string cannot crash it).
 */
#ifndef CLINICGEN_VALUE_PACK_H
#define CLINICGEN_VALUE_PACK_H

#include "value.h"

#include <stddef.h>

char *value_pack(const value *v, size_t *len);
value *value_unpack(const char *data, size_t len);

#endif
