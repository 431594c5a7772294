/*
 * value: the dynamic data tree behind front matter, site.yaml and data files.
 *
 * A value is null, a boolean, a number, a string, a list or a map (keys in
 * source order). Every scalar keeps its source text, so `1.10` prints as
 * written. Every node remembers where it came from (line, col) for errors.
 * A value owns its children; value_free frees the whole tree.
 */
#ifndef CLINICGEN_VALUE_H
#define CLINICGEN_VALUE_H

#include <stddef.h>

typedef enum {
    VALUE_NULL,
    VALUE_BOOL,
    VALUE_NUMBER,
    VALUE_STRING,
    VALUE_LIST,
    VALUE_MAP
} value_type;

typedef struct value value;

typedef struct value_pair {
    char *key;  /* owned */
    value *val; /* owned */
    /* where the key is (for a pair not parsed from YAML: the value's place) */
    int line, col;
} value_pair;

struct value {
    value_type type;
    int line, col;
    char *text; /* owned scalar text (NULL for lists and maps) */
    size_t text_len;
    int boolean;
    double number;
    size_t len, cap;
    value **items;     /* VALUE_LIST */
    value_pair *pairs; /* VALUE_MAP */
};

value *value_new(value_type type, int line, int col);
value *value_new_string(const char *s, size_t n, int line, int col);
void value_list_push(value *list, value *item);
/* Adds key=val; returns 0 if the key already exists (val is not taken).
 * It looks at every key: building a large map, keep the keys seen
 * elsewhere and use value_map_add. */
int value_map_put(value *map, const char *key, value *val);
/* Adds key=val without looking for key, which the caller knows is new. */
void value_map_add(value *map, const char *key, value *val);
value *value_map_get(const value *map, const char *key);
value *value_copy(const value *v);
void value_free(value *v);

/* The scalar text, or NULL for null, lists and maps. */
const char *value_string(const value *v);
const char *value_type_name(value_type t);

#endif
