/* Tests for check.c: edit distance and front matter key suggestions, review
 * due dates, and anchor checking over a small project written under /tmp. */
#include "buf.h"
#include "check.h"
#include "fsutil.h"
#include "test.h"

#include <stdlib.h>

TEST(check_edit_distance_counts_edits_and_swaps) {
    CHECK_INT(check_edit_distance("", ""), 0);
    CHECK_INT(check_edit_distance("", "tags"), 4);
    CHECK_INT(check_edit_distance("tags", ""), 4);
    CHECK_INT(check_edit_distance("tags", "tags"), 0);
    CHECK_INT(check_edit_distance("kitten", "sitting"), 3);
    CHECK_INT(check_edit_distance("tgas", "tags"), 1); /* a swap is one edit */
    CHECK_INT(check_edit_distance("contraindication", "contraindications"), 1);
    CHECK_INT(check_edit_distance("call-provider-if", "call_provider_if"), 2);
}

/* The banded distance agrees with the whole table up to its limit. */
TEST(check_edit_distance_within_agrees_with_the_full_distance) {
    unsigned seed = 12345;
    char a[12], b[12];
    for (int round = 0; round < 20000; round++) {
        size_t n = (seed = seed * 1103515245 + 12345) >> 16 & 7;
        size_t m = (seed = seed * 1103515245 + 12345) >> 16 & 7;
        for (size_t i = 0; i < n; i++)
            a[i] = (char)('a' + ((seed = seed * 1103515245 + 12345) >> 16) % 3);
        for (size_t i = 0; i < m; i++)
            b[i] = (char)('a' + ((seed = seed * 1103515245 + 12345) >> 16) % 3);
        a[n] = b[m] = '\0';
        size_t full = check_edit_distance(a, b);
        for (size_t max = 0; max <= 4; max++) {
            size_t within = check_edit_distance_within(a, b, max);
            if (within != (full <= max ? full : max + 1)) {
                test_fail(__FILE__, __LINE__, "'%s' '%s' max %zu: %zu, full distance %zu", a, b,
                          max, within, full);
                return;
            }
        }
    }
    CHECK_INT(check_edit_distance_within("abcdef", "abcdfe", 1), 1);
    CHECK_INT(check_edit_distance_within("abcdef", "xyz", 2), 3);
}

TEST(check_key_suggestion_names_the_key_a_typo_was_meant_to_be) {
    CHECK_STR(check_key_suggestion("contraindication"), "contraindications");
    CHECK_STR(check_key_suggestion("Title"), "title"); /* case */
    CHECK_STR(check_key_suggestion("reviwed"), "reviewed");
    CHECK_STR(check_key_suggestion("tgas"), "tags");
    CHECK_STR(check_key_suggestion("aftrcare"), "aftercare");
    CHECK_STR(check_key_suggestion("how-performed"), "how_performed");
    CHECK(check_key_suggestion("title") == NULL);    /* known */
    CHECK(check_key_suggestion("reviewer") == NULL); /* known, one edit from reviewed */
    CHECK(check_key_suggestion("audience") == NULL); /* far from every key */
    CHECK(check_key_suggestion("id") == NULL);       /* short: one edit at most */
    CHECK(check_key_suggestion("contra") == NULL);
}

TEST(check_add_months_keeps_the_day_or_takes_the_month_end) {
    page_date d = check_add_months((page_date){2025, 3, 14}, 12);
    CHECK_INT(d.year, 2026);
    CHECK_INT(d.month, 3);
    CHECK_INT(d.day, 14);
    d = check_add_months((page_date){2025, 11, 30}, 3);
    CHECK_INT(d.year, 2026);
    CHECK_INT(d.month, 2);
    CHECK_INT(d.day, 28);
    d = check_add_months((page_date){2023, 8, 31}, 6);
    CHECK_INT(d.month, 2);
    CHECK_INT(d.day, 29); /* 2024 is a leap year */
}

/* ---- anchors, over a project ---- */

typedef struct project_dir {
    char dir[40]; /* /tmp/cgcheck-XXXXXX */
} project_dir;

static void put(const project_dir *p, const char *rel, const char *text) {
    char *path = fs_join(p->dir, rel);
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    free(path);
}

static int project_make(project_dir *p) {
    snprintf(p->dir, sizeof p->dir, "/tmp/cgcheck-XXXXXX");
    if (!mkdtemp(p->dir)) {
        test_fail(__FILE__, __LINE__, "mkdtemp failed");
        return -1;
    }
    put(p, "site.yaml", "title: \"Test\"\ntheme: mini\n");
    put(p, "themes/mini/templates/page.html",
        "<html><body><main id=\"main\"><cg-block "
        "cg-html=\"page.content\"/></main></body></html>\n");
    return 0;
}

/* Runs the lint; returns every message as "file:line:col: message\n". */
static char *lint(const project_dir *p, size_t *errors) {
    check_options opt = {p->dir, 0, 0, {2026, 6, 1}};
    check_result r;
    CHECK_INT(check_project(&opt, &r), 0);
    buf out = BUF_INIT;
    for (size_t i = 0; i < r.diags.len; i++) {
        const diag *m = &r.diags.items[i];
        buf_printf(&out, "%s:%d:%d: %s\n", m->file ? m->file : "", m->line, m->col, m->message);
    }
    *errors = r.diags.errors;
    check_result_free(&r);
    return buf_detach(&out);
}

TEST(check_anchor_links_must_name_a_heading_of_their_page) {
    project_dir p;
    if (project_make(&p) != 0)
        return;
    put(&p, "content/peel.md",
        "---\ntitle: \"Peel\"\n---\n"
        "## Costs\n\nSee [costs](#costs), [top](#main), [note](#footnote-1).[^1]\n\n"
        "## How it works\n\nSee [nothing](#nothing) and [costs](#cots).\n\n"
        "[^1]: A note.\n");
    put(&p, "content/faq/peel/index.md",
        "---\ntitle: \"Peel FAQ\"\nreviewed: 2026-01-01\n---\n"
        "Read [how](../../peel.md#how-it-works), [how](/peel/#how-it-work) and\n"
        "[the bundle](index.md#does-it-hurt), not [that](../../peel.md#pain).\n\n"
        "## Does it hurt?\n\nNo. [Elsewhere](https://example.org/#x) is not checked.\n");
    size_t errors = 0;
    char *messages = lint(&p, &errors);
    CHECK_STR(messages,
              "content/faq/peel/index.md:5:41: the link '/peel/#how-it-work' names "
              "'#how-it-work', which is no heading of content/peel.md (did you mean "
              "'#how-it-works'?)\n"
              "content/faq/peel/index.md:6:42: the link '../../peel.md#pain' names '#pain', "
              "which is no heading of content/peel.md\n"
              "content/peel.md:10:5: the link '#nothing' names no heading of this page\n"
              "content/peel.md:10:29: the link '#cots' names no heading of this page (did you "
              "mean '#costs'?)\n");
    CHECK_INT(errors, 4);
    free(messages);
    fs_remove_tree(p.dir);
}

/* Found while probing clinicgen check with large pages: an id exactly
 * three edits away, met before any nearer one, was compared with no best
 * yet (strcmp with NULL: a crash). */
TEST(check_anchor_three_edits_from_an_id_gets_no_suggestion) {
    project_dir p;
    if (project_make(&p) != 0)
        return;
    put(&p, "content/p.md", "---\ntitle: \"P\"\n---\n## xyz\n\n[x](#abc) [y](#xya)\n");
    size_t errors = 0;
    char *messages = lint(&p, &errors);
    CHECK_STR(messages, "content/p.md:6:1: the link '#abc' names no heading of this page\n"
                        "content/p.md:6:11: the link '#xya' names no heading of this page (did "
                        "you mean '#xyz'?)\n");
    CHECK_INT(errors, 2);
    free(messages);
    fs_remove_tree(p.dir);
}

/* Hints compare a broken anchor with every id of its page: a page's first
 * CHECK_MAX_ANCHOR_HINTS get one (2,000 broken anchors against 2,000
 * headings took 6 s), every one its error. */
TEST(check_broken_anchor_hints_are_capped_per_page) {
    project_dir p;
    if (project_make(&p) != 0)
        return;
    buf md = BUF_INIT;
    buf_puts(&md, "---\ntitle: \"P\"\n---\n## Costs\n\n");
    for (int i = 0; i < CHECK_MAX_ANCHOR_HINTS + 5; i++)
        buf_puts(&md, "[x](#cots)\n");
    put(&p, "content/p.md", buf_cstr(&md));
    size_t errors = 0;
    char *messages = lint(&p, &errors);
    CHECK_INT(errors, CHECK_MAX_ANCHOR_HINTS + 5);
    size_t hints = 0;
    for (const char *h = messages; (h = strstr(h, "did you mean '#costs'")); h++)
        hints++;
    CHECK_INT(hints, CHECK_MAX_ANCHOR_HINTS);
    free(messages);
    buf_free(&md);
    fs_remove_tree(p.dir);
}

TEST(check_anchor_to_a_dropped_opening_heading_and_a_link_to_nothing) {
    project_dir p;
    if (project_make(&p) != 0)
        return;
    /* the opening heading repeats the title: it is dropped, so its id is gone */
    put(&p, "content/a.md", "# A\n\nSee [b](b.md#b-heading) and [a](#a).\n");
    put(&p, "content/b.md", "---\ntitle: \"B\"\n---\n## B heading\n\n[x](missing.md#y)\n");
    size_t errors = 0;
    char *messages = lint(&p, &errors);
    CHECK_STR(messages, "content/a.md:3:29: the link '#a' names no heading of this page\n"
                        "content/b.md:6:1: the link 'missing.md' finds no page or file (looked "
                        "for content/missing.md)\n");
    CHECK_INT(errors, 2);
    free(messages);
    fs_remove_tree(p.dir);
}
