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
