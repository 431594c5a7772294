/* value: construction, lookup and freeing of the dynamic data tree. */
#include "value.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

value *value_new(value_type type, int line, int col) {
    value *v = xcalloc(1, sizeof *v);
    v->type = type;
    v->line = line;
    v->col = col;
    return v;
}

value *value_new_string(const char *s, size_t n, int line, int col) {
    value *v = value_new(VALUE_STRING, line, col);
    v->text = xstrndup(s, n);
    v->text_len = n;
    return v;
}

static void value_reserve(value *v, size_t size) {
    if (v->len < v->cap)
        return;
    v->cap = v->cap ? v->cap * 2 : 4;
    if (v->type == VALUE_LIST)
        v->items = xrealloc(v->items, v->cap * sizeof *v->items);
    else
        v->pairs = xrealloc(v->pairs, v->cap * size);
}

void value_list_push(value *list, value *item) {
    value_reserve(list, sizeof *list->items);
    list->items[list->len++] = item;
}

value *value_map_get(const value *map, const char *key) {
    if (!map || map->type != VALUE_MAP)
        return NULL;
    for (size_t i = 0; i < map->len; i++)
        if (strcmp(map->pairs[i].key, key) == 0)
            return map->pairs[i].val;
    return NULL;
}

void value_map_add(value *map, const char *key, value *val) {
    value_reserve(map, sizeof *map->pairs);
    map->pairs[map->len].key = xstrdup(key);
    map->pairs[map->len].val = val;
    map->pairs[map->len].line = val->line;
    map->pairs[map->len].col = val->col;
    map->len++;
}

int value_map_put(value *map, const char *key, value *val) {
    if (value_map_get(map, key))
        return 0;
    value_map_add(map, key, val);
    return 1;
}

value *value_copy(const value *v) {
    value *c = value_new(v->type, v->line, v->col);
    c->boolean = v->boolean;
    c->number = v->number;
    if (v->text) {
        c->text = xstrndup(v->text, v->text_len);
        c->text_len = v->text_len;
    }
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_LIST) {
            value_list_push(c, value_copy(v->items[i]));
        } else { /* the keys of v are distinct already */
            value_map_add(c, v->pairs[i].key, value_copy(v->pairs[i].val));
            c->pairs[c->len - 1].line = v->pairs[i].line;
            c->pairs[c->len - 1].col = v->pairs[i].col;
        }
    }
    return c;
}

void value_free(value *v) {
    if (!v)
        return;
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_LIST) {
            value_free(v->items[i]);
        } else {
            free(v->pairs[i].key);
            value_free(v->pairs[i].val);
        }
    }
    free(v->items);
    free(v->pairs);
    free(v->text);
    free(v);
}

const char *value_string(const value *v) {
    if (!v || v->type == VALUE_NULL || v->type == VALUE_LIST || v->type == VALUE_MAP)
        return NULL;
    return v->text;
}

const char *value_type_name(value_type t) {
    switch (t) {
    case VALUE_NULL: return "nothing";
    case VALUE_BOOL: return "a boolean";
    case VALUE_NUMBER: return "a number";
    case VALUE_STRING: return "text";
    case VALUE_LIST: return "a list";
    case VALUE_MAP: return "a map";
    }
    return "?";
}
