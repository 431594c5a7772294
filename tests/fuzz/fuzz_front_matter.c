/*
 * fuzz_front_matter: a page's front matter from arbitrary bytes, as
 * page_load reads a file: the split at the `---` lines, YAML to a value
 * tree (yaml_value.c), every typed field of the content model (title,
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
