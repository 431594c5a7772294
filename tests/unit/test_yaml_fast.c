/* Tests for yaml_fast: the trees it makes are libyaml's, and it declines
 * what it cannot read the same way. */
#include "buf.h"
#include "test.h"
#include "yaml_fast.h"
#include "yaml_value.h"

#include <stdint.h>
#include <stdlib.h>

/* Why a and b differ (at path), or NULL when they are the same tree:
 * types, texts, numbers, places of nodes and keys. */
static char *tree_difference(const value *a, const value *b, const char *path) {
    if (a->type != b->type)
        return xasprintf("%s: type %s, libyaml %s", path, value_type_name(a->type),
                         value_type_name(b->type));
    if (a->line != b->line || a->col != b->col)
        return xasprintf("%s: at %d:%d, libyaml %d:%d", path, a->line, a->col, b->line, b->col);
    if ((a->text == NULL) != (b->text == NULL) || a->text_len != b->text_len ||
        (a->text && memcmp(a->text, b->text, a->text_len) != 0))
        return xasprintf("%s: text \"%s\", libyaml \"%s\"", path, a->text ? a->text : "(none)",
                         b->text ? b->text : "(none)");
    if (a->boolean != b->boolean || a->number != b->number)
        return xasprintf("%s: boolean or number differ", path);
    if (a->len != b->len)
        return xasprintf("%s: %zu children, libyaml %zu", path, a->len, b->len);
    for (size_t i = 0; i < a->len; i++) {
        char *why, *sub;
        if (a->type == VALUE_MAP) {
            const value_pair *pa = &a->pairs[i], *pb = &b->pairs[i];
            if (strcmp(pa->key, pb->key) != 0 || pa->line != pb->line || pa->col != pb->col)
                return xasprintf("%s: key '%s' at %d:%d, libyaml '%s' at %d:%d", path, pa->key,
                                 pa->line, pa->col, pb->key, pb->line, pb->col);
            sub = xasprintf("%s.%s", path, pa->key);
            why = tree_difference(pa->val, pb->val, sub);
        } else {
            sub = xasprintf("%s[%zu]", path, i);
            why = tree_difference(a->items[i], b->items[i], sub);
        }
        free(sub);
        if (why)
            return why;
    }
    return NULL;
}

/* Reads text both ways. Returns 1 when the fast reader took it (and then
 * checks that libyaml gives the same tree), 0 when it declined it. */
static int compare_readers(const char *text, int line_offset) {
    size_t len = strlen(text);
    value *fast = yaml_fast_parse(text, len, line_offset);
    diag_list d = DIAG_LIST_INIT;
    value *slow = yaml_value_parse_libyaml(text, len, "x.md", line_offset, &d);
    if (fast && !slow)
        test_fail(__FILE__, __LINE__, "read without libyaml, which says %s:\n%s",
                  d.len ? d.items[0].message : "nothing", text);
    if (fast && slow) {
        char *why = tree_difference(fast, slow, "root");
        if (why)
            test_fail(__FILE__, __LINE__, "%s, in:\n%s", why, text);
        free(why);
    }
    int took = fast != NULL;
    value_free(fast);
    value_free(slow);
    diag_free(&d);
    return took;
}

TEST(yaml_fast_reads_front_matter_as_libyaml_does) {
    static const char *const texts[] = {
        "title: \"Microneedling: what to expect\"\n"
        "date: 2026-01-05\n"
        "reviewed: 2026-02-01\n"
        "tags: [skin, \"acne scars\", 'it''s', 42, true, ~]\n"
        "summary: Tiny needles, a few days of redness.\n"
        "weight: -3\n"
        "draft: false\n",
        "# a comment first\n\ntitle: Peels   \n  # an indented comment\nempty:\nnone: null\n",
        "contraindications:\n  - ref: eczema\n  - ref: active-acne\n    note: 'ask first'\n"
        "aftercare:\n  - when: \"Day 0\"\n    do: \"Rest.\"\n    avoid: Sun\n  - when: Week 1\n",
        "list:\n- a\n- 'b'\n- \"c \\\"d\\\" \\\\ e\"\nnext: 1\n",
        "nested:\n  deeper:\n    deepest: [ ]\n  back: 1.10\nroot: .5\n",
        "unicode: Ça va – “bien”\nafter: [é, ü, x]\nkey_2.b-c: 😀 and more\n",
        "urls: https://example.org/a?b=c&d\ntime: 10:30\nemail: a@b.c\n",
        "numbers: [1, -1, +1, 1e3, 0x1F, 1_000, .5, -.5, 1.2.3]\n",
        "x: 'single with \\ backslash'\ny: \"double with 'single'\"\n",
        "a:\n  - b: 1\n    c:\n      - d\n  - e: [f]\n",
        "a:\n  b:\n  c: 2\n",
        "last:\n",
        "a: 1\n\n\n",
        "k: v\r\n",
        "a: b\n  c\n",
        "a: [b, c\n  d]\n",
        "a: b # comment\n",
        "a: \"b\" # comment\n",
        "a: 1\na: 2\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: {b: 1}\n",
        "a: b: c\n",
        "a:b\n",
        "- a\n- b\n",
        "  a: 1\n  b: 2\n",
        "a:\n  - b\n  c: 1\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: 'unclosed\n",
        "a: \"\\t escape\"\n",
        "a:\tb\n",
        "a: [b,]\n",
        "a: [b]]\n",
        "a: [[b]]\n",
        "a: [b: c]\n",
        "a: -\n",
        "a: - b\n",
        "? a\n: b\n",
        "---\na: 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: line\u2028break\n",
        "a: b\n- c\n",
        "-\n  a: 1\n",
        "a:\n  -\n    b: 1\n",
        "a: x:\n",
        "\"quoted key\": 1\n",
        "a b: 1\n",
        "a: \"trailing\"x\n",
        "",
        "# only a comment\n",
    };
    int took = 0;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        took += compare_readers(texts[i], 1);
    /* the first thirteen are in the subset; the rest are libyaml's */
    CHECK_INT(took, 13);
}

/* A small generator of texts near the subset's edges: lines of keys,
 * list entries, scalars, flow lists and comments at a few indents. */
static uint64_t next_random(uint64_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static const char *pick(uint64_t *state, const char *const *options, size_t n) {
    return options[next_random(state) % n];
}

TEST(yaml_fast_agrees_with_libyaml_on_generated_texts) {
    static const char *const starts[] = {"key: ",   "key: ",   "key: ", "key:", "- ", "- ",
                                         "- key: ", "- key: ", "-",     "# ",   ""};
    static const char *const values[] = {"plain text",
                                         "42",
                                         "-1.5",
                                         "true",
                                         "null",
                                         "~",
                                         "",
                                         "\"quoted\"",
                                         "'single'",
                                         "[a, b]",
                                         "[\"x\", 'y', 3]",
                                         "[]",
                                         "2026-01-01",
                                         "'it''s'",
                                         "é ü",
                                         "\"\\\"\"",
                                         "'\\'",
                                         "a:b",
                                         "-x",
                                         "x:",
                                         "a: b",
                                         "x #c",
                                         "\"open",
                                         "[a,",
                                         "- y",
                                         "{a: 1}",
                                         "&a x",
                                         "*a",
                                         "[a]b",
                                         "\"a\" b",
                                         "|",
                                         ">-",
                                         "!t x",
                                         "? x",
                                         "@x",
                                         "%x",
                                         "'a' #c"};
    enum { N_VALID = 17 }; /* values before this one are in the subset */
    uint64_t state = 0x9E3779B97F4A7C15u;
    int took = 0, declined = 0;
    buf text = BUF_INIT;
    for (int round = 0; round < 20000; round++) {
        buf_clear(&text);
        int lines = 1 + (int)(next_random(&state) % 8), level = 0, opened = 0;
        for (int i = 0; i < lines; i++) {
            uint64_t r = next_random(&state);
            /* deeper mostly below a line that opens a block, as writers do */
            if (i > 0 && (opened || r % 16 == 0) && r % 8 >= 2)
                level++;
            else if (level > 0 && r % 8 >= 6)
                level--;
            for (int k = 0; k < level; k++)
                buf_puts(&text, "  ");
            if ((r >> 8) % 32 == 0)
                buf_puts(&text, " "); /* an odd indent now and then */
            /* front matter is a mapping: most texts start with a key */
            const char *start = i == 0 && r % 8
                                    ? starts[r % 4]
                                    : pick(&state, starts, sizeof starts / sizeof *starts);
            const char *key = strstr(start, "key");
            buf_append(&text, start, key ? (size_t)(key - start) : strlen(start));
            if (key) /* keys differ within a map, mostly */
                buf_printf(&text, "k%d:%s", (int)(next_random(&state) % 6), key[4] ? " " : "");
            uint64_t v = next_random(&state);
            size_t n = v % 4 ? N_VALID : sizeof values / sizeof *values;
            opened = !strcmp(start, "-") || !strcmp(start, "key:");
            if (!opened && *start != '#' && *start)
                buf_puts(&text, values[(v >> 8) % n]);
            buf_puts(&text, "\n");
        }
        if (compare_readers(buf_cstr(&text), 0))
            took++;
        else
            declined++;
    }
    buf_free(&text);
    /* both sides of the subset's edge were reached */
    CHECK(took > 3000);
    CHECK(declined > 3000);
}
