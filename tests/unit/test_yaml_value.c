/* Tests for yaml_value: YAML text to value trees, types, locations, errors. */
#include "buf.h"
#include "fsutil.h"
#include "test.h"
#include "yaml_value.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static value *parse(const char *text, int line_offset, diag_list *d) {
    return yaml_value_parse(text, strlen(text), "content/x.md", line_offset, d);
}

/* The first message, printed as the user sees it (without the newline). */
static char *first_message(const diag_list *d) {
    if (!d->len)
        return xstrdup("(no message)");
    const diag *m = &d->items[0];
    return xasprintf("%s:%d:%d: %s", m->file ? m->file : "-", m->line, m->col, m->message);
}

TEST(yaml_plain_scalars_resolve_like_yaml_1_2) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: ~\n"
                     "b: null\n"
                     "c:\n"
                     "d: true\n"
                     "e: False\n"
                     "f: no\n"
                     "g: yes\n"
                     "h: on\n"
                     "i: 42\n"
                     "j: 1.10\n"
                     "k: -3.5e2\n"
                     "l: 2026-09-02\n"
                     "m: 555-0100\n"
                     "n: 1.2.3\n"
                     "o: text, with - signs\n",
                     0, &d);
    CHECK(v != NULL);
    CHECK_INT(d.len, 0);
    if (!v) {
        diag_free(&d);
        return;
    }
    CHECK_INT(v->type, VALUE_MAP);
    CHECK_INT(value_map_get(v, "a")->type, VALUE_NULL);
    CHECK_INT(value_map_get(v, "b")->type, VALUE_NULL);
    CHECK_INT(value_map_get(v, "c")->type, VALUE_NULL);
    CHECK_INT(value_map_get(v, "d")->type, VALUE_BOOL);
    CHECK_INT(value_map_get(v, "d")->boolean, 1);
    CHECK_INT(value_map_get(v, "e")->type, VALUE_BOOL);
    CHECK_INT(value_map_get(v, "e")->boolean, 0);
    CHECK_INT(value_map_get(v, "f")->type, VALUE_STRING); /* Norway stays Norway */
    CHECK_STR(value_string(value_map_get(v, "f")), "no");
    CHECK_INT(value_map_get(v, "g")->type, VALUE_STRING);
    CHECK_INT(value_map_get(v, "h")->type, VALUE_STRING);
    CHECK_INT(value_map_get(v, "i")->type, VALUE_NUMBER);
    CHECK(value_map_get(v, "i")->number == 42);
    CHECK_INT(value_map_get(v, "j")->type, VALUE_NUMBER);
    CHECK_STR(value_string(value_map_get(v, "j")), "1.10"); /* source text kept */
    CHECK(value_map_get(v, "j")->number == 1.1);
    CHECK_INT(value_map_get(v, "k")->type, VALUE_NUMBER);
    CHECK(value_map_get(v, "k")->number == -350);
    CHECK_INT(value_map_get(v, "l")->type, VALUE_STRING);
    CHECK_STR(value_string(value_map_get(v, "l")), "2026-09-02");
    CHECK_INT(value_map_get(v, "m")->type, VALUE_STRING);
    CHECK_INT(value_map_get(v, "n")->type, VALUE_STRING);
    CHECK_STR(value_string(value_map_get(v, "o")), "text, with - signs");
    value_free(v);
    diag_free(&d);
}

TEST(yaml_quoted_scalars_are_always_text) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: \"true\"\nb: '42'\nc: \"\"\nd: 'null'\ne: !!str 7\n", 0, &d);
    CHECK(v != NULL);
    if (!v) {
        diag_free(&d);
        return;
    }
    const char *keys[] = {"a", "b", "c", "d", "e"};
    const char *texts[] = {"true", "42", "", "null", "7"};
    for (int i = 0; i < 5; i++) {
        value *x = value_map_get(v, keys[i]);
        CHECK(x != NULL);
        if (!x)
            continue;
        CHECK_INT(x->type, VALUE_STRING);
        CHECK_STR(value_string(x), texts[i]);
    }
    value_free(v);
    diag_free(&d);
}

TEST(yaml_maps_and_lists_keep_order_and_nesting) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("title: Chemical peel\n"
                     "tags: [skin, face]\n"
                     "aftercare:\n"
                     "  - when: Day 1\n"
                     "    do: Keep it clean\n"
                     "  - when: Week 1\n"
                     "    avoid: Sun\n"
                     "zeta: last\n"
                     "alpha: after zeta\n",
                     0, &d);
    CHECK(v != NULL);
    if (!v) {
        diag_free(&d);
        return;
    }
    CHECK_INT(v->len, 5);
    CHECK_STR(v->pairs[0].key, "title");
    CHECK_STR(v->pairs[3].key, "zeta");
    CHECK_STR(v->pairs[4].key, "alpha");
    value *tags = value_map_get(v, "tags");
    CHECK_INT(tags->type, VALUE_LIST);
    CHECK_INT(tags->len, 2);
    CHECK_STR(value_string(tags->items[1]), "face");
    value *after = value_map_get(v, "aftercare");
    CHECK_INT(after->type, VALUE_LIST);
    CHECK_INT(after->len, 2);
    if (after->len == 2) {
        CHECK_INT(after->items[0]->type, VALUE_MAP);
        CHECK_STR(value_string(value_map_get(after->items[0], "do")), "Keep it clean");
        CHECK_STR(value_string(value_map_get(after->items[1], "avoid")), "Sun");
        CHECK(value_map_get(after->items[1], "do") == NULL);
    }
    value_free(v);
    diag_free(&d);
}

TEST(yaml_nodes_remember_line_and_column_with_offset) {
    diag_list d = DIAG_LIST_INIT;
    /* As in front matter: the YAML starts on line 2 of the file. */
    value *v = parse("title: Peel\ntags:\n  - skin\n  - face\n", 1, &d);
    CHECK(v != NULL);
    if (!v) {
        diag_free(&d);
        return;
    }
    value *title = value_map_get(v, "title");
    CHECK_INT(title->line, 2);
    CHECK_INT(title->col, 8);
    value *tags = value_map_get(v, "tags");
    CHECK_INT(tags->line, 4);
    CHECK_INT(tags->col, 3);
    CHECK_INT(tags->items[1]->line, 5);
    CHECK_INT(tags->items[1]->col, 5);
    value_free(v);
    diag_free(&d);
}

TEST(yaml_empty_text_is_null) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("", 0, &d);
    CHECK(v != NULL);
    CHECK_INT(v ? (int)v->type : -1, VALUE_NULL);
    value_free(v);
    v = parse("# only a comment\n", 0, &d);
    CHECK(v != NULL);
    CHECK_INT(v ? (int)v->type : -1, VALUE_NULL);
    value_free(v);
    CHECK_INT(d.len, 0);
    diag_free(&d);
}

TEST(yaml_reads_only_the_first_document) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: 1\n---\nb: 2\n", 0, &d);
    CHECK(v != NULL);
    CHECK(value_map_get(v, "a") != NULL);
    CHECK(value_map_get(v, "b") == NULL);
    value_free(v);
    diag_free(&d);
}

TEST(yaml_duplicate_key_is_an_error_at_the_second_key) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("title: A\nsummary: x\ntitle: B\n", 1, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    char *m = first_message(&d);
    CHECK_STR(m, "content/x.md:4:1: YAML: duplicate key 'title'");
    free(m);
    value_free(v);
    diag_free(&d);
}

/* Duplicates are found through a hash of the keys so far: a front matter
 * of 50,000 keys took 4.6 s when each key was compared with every other. */
TEST(yaml_large_map_finds_the_duplicate_and_copies_in_order) {
    buf text = BUF_INIT;
    for (int i = 0; i < 30000; i++)
        buf_printf(&text, "key%d: %d\n", i, i);
    diag_list d = DIAG_LIST_INIT;
    value *v = parse(buf_cstr(&text), 0, &d);
    CHECK(v != NULL);
    CHECK_INT(v ? v->len : 0, 30000);
    value *copy = v ? value_copy(v) : NULL;
    CHECK_INT(copy ? copy->len : 0, 30000);
    CHECK_STR(copy && copy->len == 30000 ? copy->pairs[29999].key : NULL, "key29999");
    CHECK_INT(copy && copy->len == 30000 ? copy->pairs[29999].line : 0, 30000);
    CHECK_STR(value_string(value_map_get(copy, "key12345")), "12345");
    value_free(copy);
    value_free(v);
    buf_puts(&text, "key7: again\n");
    v = parse(buf_cstr(&text), 0, &d);
    CHECK(v == NULL);
    char *m = first_message(&d);
    CHECK_STR(m, "content/x.md:30001:1: YAML: duplicate key 'key7'");
    free(m);
    diag_free(&d);
    buf_free(&text);
}

/* Aliases find their anchor through a hash of the names (a scan of every
 * anchor per alias was 5 s for a 1 MB front matter); an anchor defined
 * again stands for its latest value, as YAML says. */
TEST(yaml_aliases_find_the_latest_anchor_of_their_name) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: &x one\nb: &x two\nc: *x\nd: &y [1, 2]\ne: *y\n", 0, &d);
    CHECK(v != NULL);
    CHECK_STR(value_string(value_map_get(v, "c")), "two");
    const value *e = value_map_get(v, "e");
    CHECK(e && e->type == VALUE_LIST && e->len == 2);
    value_free(v);
    buf text = BUF_INIT;
    for (int i = 0; i < 3000; i++)
        buf_printf(&text, "k%d: &a%d v%d\n", i, i, i);
    buf_puts(&text, "all: [");
    for (int i = 0; i < 3000; i++)
        buf_printf(&text, "%s*a%d", i ? ", " : "", 2999 - i);
    buf_puts(&text, "]\n");
    v = parse(buf_cstr(&text), 0, &d);
    CHECK(v != NULL);
    const value *all = value_map_get(v, "all");
    CHECK(all && all->len == 3000);
    CHECK_STR(all && all->len == 3000 ? value_string(all->items[0]) : NULL, "v2999");
    CHECK_STR(all && all->len == 3000 ? value_string(all->items[2999]) : NULL, "v0");
    CHECK_INT(d.len, 0);
    value_free(v);
    buf_free(&text);
    diag_free(&d);
}

TEST(yaml_non_text_keys_are_errors) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("ok: 1\n[a, b]: 2\n", 0, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    char *m = first_message(&d);
    CHECK_STR(m, "content/x.md:2:1: YAML: a key must be plain text");
    free(m);
    diag_free(&d);
    v = parse("? {a: 1}\n: 2\n", 0, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    diag_free(&d);
}

TEST(yaml_syntax_error_is_located_with_offset) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("title: x\ntags: [a, b\n", 1, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    if (d.len) { /* at the '[' that is never closed, not at the end of the text */
        CHECK_STR(d.items[0].file, "content/x.md");
        CHECK_INT(d.items[0].line, 3);
        CHECK_INT(d.items[0].col, 7);
        CHECK_STR(d.items[0].message, "YAML: the list that opens here with '[' is not closed: "
                                      "add the closing ']' (or a missing ',')");
    }
    diag_free(&d);
    v = parse("a: 1\nb: {x: 1, y: 2\nc: 3\n", 0, &d);
    CHECK(v == NULL);
    if (d.len) {
        CHECK_INT(d.items[0].line, 2);
        CHECK_INT(d.items[0].col, 4);
        CHECK_CONTAINS(d.items[0].message, "the map that opens here with '{' is not closed");
    }
    diag_free(&d);
}

TEST(yaml_tab_indentation_gets_a_hint) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: 1\n\tb: 2\n", 0, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    if (d.len) {
        CHECK_INT(d.items[0].line, 2);
        CHECK_STR(d.items[0].message, "YAML: this line is indented with a tab; indent with spaces");
    }
    diag_free(&d);
}

TEST(yaml_nul_byte_and_bad_utf8_are_errors_at_their_place) {
    diag_list d = DIAG_LIST_INIT;
    const char text[] = "a: 1\nb: x\0y\n";
    value *v = yaml_value_parse(text, sizeof text - 1, "f.yaml", 10, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    if (d.len) {
        CHECK_INT(d.items[0].line, 12);
        CHECK_INT(d.items[0].col, 5);
        CHECK_STR(d.items[0].message, "a NUL byte in the text: remove it (is this a text file?)");
    }
    diag_free(&d);
    /* libyaml itself would say "invalid leading UTF-8 octet" at the document's start */
    const char latin[] = "a: 1\nb: 2\nname: Caf\xE9\n";
    v = yaml_value_parse(latin, sizeof latin - 1, "f.yaml", 0, &d);
    CHECK(v == NULL);
    if (d.len) {
        CHECK_INT(d.items[0].line, 3);
        CHECK_INT(d.items[0].col, 10);
        CHECK_CONTAINS(d.items[0].message, "not valid UTF-8 (byte 0xE9");
    }
    diag_free(&d);
}

TEST(yaml_aliases_copy_the_anchored_value) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("base: &care\n  when: Day 1\n  do: Rest\nagain: *care\n", 0, &d);
    CHECK(v != NULL);
    CHECK_INT(d.len, 0);
    if (!v) {
        diag_free(&d);
        return;
    }
    value *again = value_map_get(v, "again");
    CHECK(again != NULL && again != value_map_get(v, "base"));
    CHECK_INT(again ? (int)again->type : -1, VALUE_MAP);
    CHECK_STR(value_string(value_map_get(again, "do")), "Rest");
    value_free(v); /* no double free: the alias is a copy */
    diag_free(&d);
}

TEST(yaml_unknown_alias_is_an_error) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: *nope\n", 0, &d);
    CHECK(v == NULL);
    char *m = first_message(&d);
    CHECK_STR(m, "content/x.md:1:4: YAML: unknown alias '*nope'");
    free(m);
    diag_free(&d);
}

TEST(yaml_alias_bomb_is_refused) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                     "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                     "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
                     0, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    if (d.len)
        CHECK_CONTAINS(d.items[0].message, "expands to too much data");
    value_free(v);
    diag_free(&d);
}

TEST(yaml_deep_nesting_is_refused) {
    buf b = BUF_INIT;
    for (int i = 0; i < 300; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 300; i++)
        buf_putc(&b, ']');
    diag_list d = DIAG_LIST_INIT;
    value *v = parse(buf_cstr(&b), 0, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    if (d.len)
        CHECK_CONTAINS(d.items[0].message, "nested more than 200 levels deep");
    buf_free(&b);
    diag_free(&d);
}

/* Each anchor below nests 150 levels and holds the one before it: written
 * out, no level is deeper than 150, but the copies would nest 300 deep
 * (and, repeated, deep enough to overflow the stack of whatever walks
 * the tree). */
TEST(yaml_alias_may_not_nest_deeper_than_the_depth_limit) {
    buf text = BUF_INIT;
    buf_puts(&text, "a: &a ");
    for (int i = 0; i < 150; i++)
        buf_putc(&text, '[');
    buf_putc(&text, '1');
    for (int i = 0; i < 150; i++)
        buf_putc(&text, ']');
    buf_puts(&text, "\nb: ");
    for (int i = 0; i < 150; i++)
        buf_putc(&text, '[');
    buf_puts(&text, "*a");
    for (int i = 0; i < 150; i++)
        buf_putc(&text, ']');
    buf_putc(&text, '\n');
    diag_list d = DIAG_LIST_INIT;
    value *v = parse(buf_cstr(&text), 0, &d);
    CHECK(v == NULL);
    CHECK_INT(d.errors, 1);
    if (d.len) {
        CHECK_INT(d.items[0].line, 2);
        CHECK_STR(d.items[0].message, "YAML: alias '*a' nests the data more than 200 levels deep");
    }
    value_free(v);
    diag_free(&d);
    /* a shallow alias of the same anchor is fine */
    v = parse("a: &a [[[1]]]\nb: [[*a]]\n", 0, &d);
    CHECK(v != NULL);
    CHECK_INT(d.len, 0);
    value_free(v);
    diag_free(&d);
    buf_free(&text);
}

/* An anchor may sit on a key (`&k key: v`), and YAML lets a later alias
 * refer to it. Runs in a child process: a memory error there must not take
 * the whole test run down. */
static int parse_anchored_key(void) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("&k key: 1\nother: *k\n", 0, &d);
    int ok = v && v->type == VALUE_MAP && value_string(value_map_get(v, "other")) &&
             !strcmp(value_string(value_map_get(v, "other")), "key");
    int reported = d.errors > 0;
    value_free(v);
    diag_free(&d);
    return ok || reported ? 0 : 3; /* either reading it or an error is fine */
}

TEST(yaml_alias_of_an_anchored_key_is_safe) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(4);
        _exit(parse_anchored_key());
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
}

TEST(yaml_load_file_reads_and_reports_missing_files) {
    char tmpl[] = "/tmp/clinicgen-yaml-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *path = fs_join(dir, "conditions.yaml");
    const char *text = "pregnancy:\n  name: Pregnancy\n  severity: absolute\n";
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    diag_list d = DIAG_LIST_INIT;
    value *v = yaml_value_load_file(path, "content/_data/conditions.yaml", &d);
    CHECK(v != NULL);
    CHECK_STR(value_string(value_map_get(value_map_get(v, "pregnancy"), "severity")), "absolute");
    value_free(v);

    char *missing = fs_join(dir, "synonyms.yaml");
    v = yaml_value_load_file(missing, "content/_data/synonyms.yaml", &d);
    CHECK(v == NULL);
    char *m = first_message(&d);
    CHECK_STR(m, "content/_data/synonyms.yaml:0:0: cannot read: No such file or directory");
    free(m);

    const char *bad = "a: 1\na: 2\n";
    CHECK_INT(fs_write_file(path, bad, strlen(bad)), 0);
    diag_free(&d);
    v = yaml_value_load_file(path, "content/_data/conditions.yaml", &d);
    CHECK(v == NULL);
    m = first_message(&d);
    CHECK_STR(m, "content/_data/conditions.yaml:2:1: YAML: duplicate key 'a'");
    free(m);
    diag_free(&d);
    free(missing);
    free(path);
    CHECK_INT(fs_remove_tree(dir), 0);
}

TEST(yaml_map_keys_remember_where_they_are) {
    diag_list d = DIAG_LIST_INIT;
    value *v = parse("title: x\n"
                     "contraindication:\n"
                     "  - ref: a\n"
                     "nested: {inner: 1}\n",
                     1, &d);
    CHECK(v != NULL);
    if (!v)
        return;
    CHECK_INT(v->pairs[1].line, 3); /* the key's line, not its list's */
    CHECK_INT(v->pairs[1].col, 1);
    CHECK_INT(v->pairs[1].val->line, 4);
    const value *nested = value_map_get(v, "nested");
    CHECK_INT(nested->pairs[0].line, 5);
    CHECK_INT(nested->pairs[0].col, 10);
    value *copy = value_copy(v);
    CHECK_INT(copy->pairs[1].line, 3);
    value_free(copy);
    value_free(v);
    diag_free(&d);
}
