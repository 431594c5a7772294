/* Tests for value_pack: the packed tree unpacks to the same tree, places
 * included, and damaged bytes give NULL rather than a crash. */
#include "buf.h"
#include "test.h"
#include "value_pack.h"
#include "yaml_value.h"

#include <math.h>
#include <stdlib.h>

/* Everything a value holds but its capacity. */
static int same_tree(const value *a, const value *b) {
    if (a->type != b->type || a->line != b->line || a->col != b->col || a->boolean != b->boolean ||
        a->number != b->number || a->len != b->len || !a->text != !b->text ||
        a->text_len != b->text_len || (a->text && memcmp(a->text, b->text, a->text_len + 1) != 0))
        return 0;
    for (size_t i = 0; i < a->len; i++) {
        if (a->type == VALUE_LIST) {
            if (!same_tree(a->items[i], b->items[i]))
                return 0;
            continue;
        }
        const value_pair *p = &a->pairs[i], *q = &b->pairs[i];
        if (strcmp(p->key, q->key) != 0 || p->line != q->line || p->col != q->col ||
            !same_tree(p->val, q->val))
            return 0;
    }
    return 1;
}

static const char sample[] =
    "title: \"Chemical peel\"\n"
    "weight: 1.10\n"
    "big: -3.5e2\n"
    "draft: false\n"
    "shown: True\n"
    "none: ~\n"
    "empty:\n"
    "nul: \"a\\0b\"\n"
    "tags: [pores, 'stretch marks', 42]\n"
    "base: &b\n"
    "  severity: relative\n"
    "  note: |\n"
    "    Two lines\n"
    "    of text.\n"
    "nested: {a: [], b: {}, c: [[1, [2, {d: e}]]]}\n"
    "again: *b\n"
    "long: \"" /* a length past one varint byte */
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n";

static value *parse_sample(void) {
    diag_list d = DIAG_LIST_INIT;
    /* a line offset, as front matter has: positions are whatever the tree says */
    value *v = yaml_value_parse(sample, strlen(sample), "x.md", 1, &d);
    CHECK_INT(d.len, 0);
    diag_free(&d);
    return v;
}

TEST(value_pack_round_trip_keeps_everything) {
    value *v = parse_sample();
    CHECK(v != NULL);
    if (!v)
        return;
    size_t len;
    char *packed = value_pack(v, &len);
    CHECK(len < 2 * strlen(sample)); /* about the YAML's size, not the tree's */
    value *u = value_unpack(packed, len);
    CHECK(u != NULL);
    CHECK(u && same_tree(v, u));
    const value *nul = u ? value_map_get(u, "nul") : NULL;
    CHECK(nul && nul->text_len == 3 && nul->text[1] == '\0' && nul->text[2] == 'b');
    const value *again = u ? value_map_get(u, "again") : NULL; /* an alias: an earlier line */
    CHECK_INT(again ? again->line : 0, 11); /* the anchored map, line 10 of the text */
    /* the unpacked tree grows like any other */
    if (u) {
        value_map_add(u, "added", value_new_string("x", 1, 0, 0));
        value_list_push(value_map_get(u, "tags"), value_new(VALUE_NULL, 0, 0));
        CHECK_INT(value_map_get(u, "tags")->len, 4);
    }
    value_free(u);
    value_free(v);
    free(packed);
}

TEST(value_pack_odd_places_and_made_up_values) {
    value *m = value_new(VALUE_MAP, 7, 3);
    value_map_add(m, "neg", value_new_string("", 0, -5, 2000000000));
    value_map_add(m, "far", value_new(VALUE_LIST, 2147483647, 0));
    m->pairs[1].line = -2147483647 - 1;
    value *n = value_new(VALUE_NUMBER, 1, 1);
    n->number = -0.0; /* not 0.0: YAML's -0 prints as -0.0 in Lua */
    value_map_add(m, "zero", n);
    size_t len;
    char *packed = value_pack(m, &len);
    value *u = value_unpack(packed, len);
    CHECK(u && same_tree(m, u));
    CHECK(u && signbit(value_map_get(u, "zero")->number));
    value_free(u);
    free(packed);
    value_free(m);
}

TEST(value_unpack_refuses_damaged_bytes) {
    value *v = parse_sample();
    if (!v)
        return;
    size_t len;
    char *packed = value_pack(v, &len);
    for (size_t n = 0; n < len; n++) /* every cut is noticed */
        CHECK(value_unpack(packed, n) == NULL);
    char *longer = xmalloc(len + 1);
    memcpy(longer, packed, len);
    longer[len] = 0;
    CHECK(value_unpack(longer, len + 1) == NULL); /* bytes left over */
    free(longer);
    for (size_t i = 0; i < len; i++) /* any byte changed: NULL or some tree, never a crash */
        for (int bit = 0; bit < 8; bit++) {
            packed[i] ^= (char)(1 << bit);
            value_free(value_unpack(packed, len));
            packed[i] ^= (char)(1 << bit);
        }
    static const char huge_count[] = {VALUE_LIST, 0, 0, (char)0xff, (char)0xff, (char)0xff, 0x7f};
    CHECK(value_unpack(huge_count, sizeof huge_count) == NULL);
    static const char bad_tag[] = {(char)0x47, 0, 0};
    CHECK(value_unpack(bad_tag, sizeof bad_tag) == NULL);
    char deep[4 * 2000];
    for (size_t i = 0; i < sizeof deep; i += 4) { /* a list in a list in ...: too deep */
        deep[i] = VALUE_LIST;
        deep[i + 1] = deep[i + 2] = 0;
        deep[i + 3] = 1;
    }
    CHECK(value_unpack(deep, sizeof deep) == NULL);
    value_free(v);
    free(packed);
}
