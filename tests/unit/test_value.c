/* Tests for value: building, looking up, copying and freeing data trees. */
#include "test.h"
#include "value.h"

#include <stdlib.h>

TEST(value_string_keeps_text_and_location) {
    value *v = value_new_string("1.10 and more", 4, 3, 7);
    CHECK_INT(v->type, VALUE_STRING);
    CHECK_STR(value_string(v), "1.10");
    CHECK_INT(v->text_len, 4);
    CHECK_INT(v->line, 3);
    CHECK_INT(v->col, 7);
    value_free(v);
}

TEST(value_string_is_null_for_containers_and_null) {
    value *n = value_new(VALUE_NULL, 1, 1);
    value *l = value_new(VALUE_LIST, 1, 1);
    value *m = value_new(VALUE_MAP, 1, 1);
    CHECK(value_string(n) == NULL);
    CHECK(value_string(l) == NULL);
    CHECK(value_string(m) == NULL);
    CHECK(value_string(NULL) == NULL);
    value *b = value_new_string("true", 4, 1, 1);
    b->type = VALUE_BOOL;
    b->boolean = 1;
    CHECK_STR(value_string(b), "true");
    value_free(n);
    value_free(l);
    value_free(m);
    value_free(b);
    value_free(NULL); /* allowed */
}

TEST(value_list_grows_and_keeps_order) {
    value *l = value_new(VALUE_LIST, 1, 1);
    char text[16];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(text, sizeof text, "item%d", i);
        value_list_push(l, value_new_string(text, (size_t)n, i + 1, 1));
    }
    CHECK_INT(l->len, 100);
    CHECK_STR(value_string(l->items[0]), "item0");
    CHECK_STR(value_string(l->items[57]), "item57");
    CHECK_STR(value_string(l->items[99]), "item99");
    CHECK_INT(l->items[99]->line, 100);
    value_free(l);
}

TEST(value_map_keeps_source_order_and_refuses_duplicates) {
    value *m = value_new(VALUE_MAP, 1, 1);
    CHECK_INT(value_map_put(m, "title", value_new_string("Peel", 4, 1, 8)), 1);
    CHECK_INT(value_map_put(m, "kind", value_new_string("procedure", 9, 2, 7)), 1);
    CHECK_INT(value_map_put(m, "aaa", value_new_string("x", 1, 3, 6)), 1);
    for (int i = 0; i < 20; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        CHECK_INT(value_map_put(m, key, value_new(VALUE_NULL, 4 + i, 1)), 1);
    }
    CHECK_INT(m->len, 23);
    CHECK_STR(m->pairs[0].key, "title");
    CHECK_STR(m->pairs[1].key, "kind");
    CHECK_STR(m->pairs[2].key, "aaa");
    CHECK_STR(m->pairs[22].key, "k19");
    CHECK_STR(value_string(value_map_get(m, "kind")), "procedure");
    CHECK(value_map_get(m, "missing") == NULL);

    value *dup = value_new_string("Other", 5, 9, 8);
    CHECK_INT(value_map_put(m, "title", dup), 0);
    CHECK_STR(value_string(value_map_get(m, "title")), "Peel"); /* first one wins */
    CHECK_INT(m->len, 23);
    value_free(dup); /* not taken by the map */
    value_free(m);
}

TEST(value_map_get_on_non_maps_is_null) {
    value *l = value_new(VALUE_LIST, 1, 1);
    value_list_push(l, value_new_string("a", 1, 1, 1));
    CHECK(value_map_get(l, "a") == NULL);
    CHECK(value_map_get(NULL, "a") == NULL);
    value_free(l);
}

TEST(value_copy_is_deep_and_independent) {
    value *m = value_new(VALUE_MAP, 2, 1);
    value *tags = value_new(VALUE_LIST, 3, 7);
    value_list_push(tags, value_new_string("skin", 4, 3, 8));
    value_list_push(tags, value_new_string("face", 4, 3, 14));
    value_map_put(m, "tags", tags);
    value *num = value_new_string("1.10", 4, 4, 9);
    num->type = VALUE_NUMBER;
    num->number = 1.1;
    value_map_put(m, "weight", num);

    value *c = value_copy(m);
    CHECK(c != m);
    CHECK_INT(c->type, VALUE_MAP);
    CHECK_INT(c->len, 2);
    CHECK_INT(c->line, 2);
    value *ctags = value_map_get(c, "tags");
    CHECK(ctags != NULL && ctags != tags);
    CHECK_INT(ctags ? ctags->len : 0, 2);
    if (ctags && ctags->len == 2) {
        CHECK_STR(value_string(ctags->items[1]), "face");
        CHECK_INT(ctags->items[1]->col, 14);
        CHECK(ctags->items[1]->text != tags->items[1]->text);
    }
    value *cnum = value_map_get(c, "weight");
    CHECK_INT(cnum->type, VALUE_NUMBER);
    CHECK_STR(value_string(cnum), "1.10");
    CHECK(cnum->number == 1.1);

    value_free(m); /* the copy survives the original */
    CHECK_STR(value_string(value_map_get(c, "tags")->items[0]), "skin");
    value_free(c);
}

TEST(value_type_names_read_well_in_messages) {
    CHECK_STR(value_type_name(VALUE_NULL), "nothing");
    CHECK_STR(value_type_name(VALUE_BOOL), "a boolean");
    CHECK_STR(value_type_name(VALUE_NUMBER), "a number");
    CHECK_STR(value_type_name(VALUE_STRING), "text");
    CHECK_STR(value_type_name(VALUE_LIST), "a list");
    CHECK_STR(value_type_name(VALUE_MAP), "a map");
}
