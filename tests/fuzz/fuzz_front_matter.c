/*
 * fuzz_front_matter: a page's front matter from arbitrary bytes, as
 * page_load reads a file: the split at the `---` lines, YAML to a value
 * tree (yaml_value.c; a tree read without libyaml must be the one libyaml
 * reads, yaml_fast.h), every typed field of the content model (title,
 * dates, tags, kind, ...), the title from an opening heading, the URL.
 *
 * The input is one Markdown file. Its text is copied into a buffer that
 * ends in a NUL, as fs_read_file gives it, with the NUL outside the length.
 */
#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "page.h"
#include "value.h"
#include "yaml_fast.h"
#include "yaml_value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    markdown_init(); /* once, as main() does: the title may come from a heading */
    return 0;
}

/* Reads every part of a value tree the way templates and filters do. */
static size_t walk_value(const value *v) {
    size_t n = 1;
    if (value_string(v))
        n += strlen(value_string(v));
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_MAP) {
            n += strlen(v->pairs[i].key);
            n += walk_value(v->pairs[i].val);
        } else {
            n += walk_value(v->items[i]);
        }
    }
    return n;
}

/* 1 when a and b are the same tree: types, texts, numbers and places. */
static int same_tree(const value *a, const value *b) {
    if (a->type != b->type || a->line != b->line || a->col != b->col ||
        a->text_len != b->text_len || (a->text == NULL) != (b->text == NULL) ||
        (a->text && memcmp(a->text, b->text, a->text_len) != 0) || a->boolean != b->boolean ||
        a->number != b->number || a->len != b->len)
        return 0;
    for (size_t i = 0; i < a->len; i++) {
        if (a->type == VALUE_LIST) {
            if (!same_tree(a->items[i], b->items[i]))
                return 0;
        } else if (strcmp(a->pairs[i].key, b->pairs[i].key) != 0 ||
                   a->pairs[i].line != b->pairs[i].line || a->pairs[i].col != b->pairs[i].col ||
                   !same_tree(a->pairs[i].val, b->pairs[i].val)) {
            return 0;
        }
    }
    return 1;
}

/* Whatever the reader without libyaml takes, libyaml reads the same way
 * (yaml_fast.h); yaml_value_parse used one of the two for v. */
static void check_same_as_libyaml(const value *v, const char *yaml, size_t len, int line_offset) {
    value *fast = yaml_fast_parse(yaml, len, line_offset);
    if (!fast)
        return;
    diag_list d = DIAG_LIST_INIT;
    value *slow = yaml_value_parse_libyaml(yaml, len, "content/fuzz.md", line_offset, &d);
    if (!slow || !same_tree(fast, slow) || !same_tree(v, fast))
        abort();
    value_free(slow);
    value_free(fast);
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    /* The split and the YAML parse on their own (clinicgen check and the
     * build both go through page_load, but these are the module's API). */
    diag_list d = DIAG_LIST_INIT;
    front_matter_split split;
    if (page_split_front_matter(text, size, &split, "content/fuzz.md", &d) == 0 && split.yaml) {
        value *v = yaml_value_parse(split.yaml, split.yaml_len, "content/fuzz.md",
                                    split.yaml_line - 1, &d);
        if (v && d.len == 0)
            check_same_as_libyaml(v, split.yaml, split.yaml_len, split.yaml_line - 1);
        if (v) {
            value *copy = value_copy(v);
            if (walk_value(copy) != walk_value(v))
                abort(); /* a copy must hold the same tree */
            value_free(copy);
        }
        value_free(v);
    }
    diag_free(&d);

    /* The whole of page_load: typed fields, title, kind, URL. A section
     * page and a bundle page take other paths through the content model. */
    static const char *const paths[] = {"content/procedures/fuzz.md", "content/faq/_index.md",
                                        "content/Hair Loss/x/index.md"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        diag_list pd = DIAG_LIST_INIT;
        page *p = xcalloc(1, sizeof *p);
        page_load_text(p, text, size, paths[i], &pd);
        if (!p->title || !p->url_path || !p->out_path || !p->front)
            abort(); /* every page has these, whatever its front matter */
        walk_value(p->front);
        char date[16];
        page_format_date(&p->date, date, sizeof date);
        page_format_date(&p->reviewed, date, sizeof date);
        (void)page_kind_name(p->kind);
        page_free(p);
        diag_free(&pd);
    }
    free(text);
    return 0;
}
