/* Tests for diag: collecting messages and printing them in the
 * `file:line:col: level: message` form editors and CI parse. */
#include "diag.h"
#include "test.h"

#include <stdlib.h>

/* Prints d into a temporary file and returns what was written. */
static char *printed(const diag_list *d, int with_warnings) {
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    diag_print(d, f, with_warnings);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    return s;
}

TEST(diag_prints_file_line_col) {
    diag_list d = DIAG_LIST_INIT;
    diag_error(&d, "content/procedures/microneedling.md", 7, 3, "'%s' must be text, not %s",
               "title", "a list");
    char *out = printed(&d, 1);
    CHECK_STR(out, "content/procedures/microneedling.md:7:3: error: 'title' must be text, not "
                   "a list\n");
    free(out);
    diag_free(&d);
}

TEST(diag_leaves_out_unknown_column_and_line) {
    diag_list d = DIAG_LIST_INIT;
    diag_warning(&d, "content/faq/pain.md", 12, 0, "review is %d months old", 30);
    diag_error(&d, "content/faq/pain.md", 0, 0, "cannot read: %s", "Permission denied");
    diag_error(&d, "site.yaml", 0, 5, "odd");
    char *out = printed(&d, 1);
    CHECK_STR(out, "content/faq/pain.md:12: warning: review is 30 months old\n"
                   "content/faq/pain.md: error: cannot read: Permission denied\n"
                   "site.yaml: error: odd\n");
    free(out);
    diag_free(&d);
}

TEST(diag_without_file_names_the_program) {
    diag_list d = DIAG_LIST_INIT;
    diag_error(&d, NULL, 0, 0, "no site.yaml here");
    char *out = printed(&d, 1);
    CHECK_STR(out, "clinicgen: error: no site.yaml here\n");
    free(out);
    diag_free(&d);
}

TEST(diag_hides_warnings_when_asked) {
    diag_list d = DIAG_LIST_INIT;
    diag_warning(&d, "a.md", 1, 1, "just a warning");
    diag_error(&d, "b.md", 2, 4, "a real error");
    CHECK_INT(d.errors, 1);
    CHECK_INT(d.warnings, 1);
    char *quiet = printed(&d, 0);
    CHECK_STR(quiet, "b.md:2:4: error: a real error\n");
    char *loud = printed(&d, 1);
    CHECK_STR(loud, "a.md:1:1: warning: just a warning\nb.md:2:4: error: a real error\n");
    free(quiet);
    free(loud);
    diag_free(&d);
    CHECK_INT(d.len, 0);
    CHECK_INT(d.errors, 0);
}

TEST(diag_move_keeps_order_and_counts) {
    diag_list all = DIAG_LIST_INIT, page = DIAG_LIST_INIT;
    diag_error(&all, "a.md", 1, 1, "first");
    for (int i = 0; i < 20; i++)
        diag_warning(&page, "b.md", i + 1, 0, "w%d", i);
    diag_error(&page, "b.md", 30, 2, "last");
    diag_move(&all, &page);
    CHECK_INT(page.len, 0);
    CHECK_INT(page.errors, 0);
    CHECK(page.items == NULL);
    CHECK_INT(all.len, 22);
    CHECK_INT(all.errors, 2);
    CHECK_INT(all.warnings, 20);
    CHECK_STR(all.items[0].message, "first");
    CHECK_STR(all.items[1].message, "w0");
    CHECK_STR(all.items[21].message, "last");
    CHECK_STR(all.items[21].file, "b.md");
    diag_free(&all);
    diag_free(&page);
}

TEST(diag_copies_the_file_name) {
    diag_list d = DIAG_LIST_INIT;
    char file[16] = "x.md";
    diag_error(&d, file, 3, 1, "%s", "100% sure");
    file[0] = 'y';
    char *out = printed(&d, 1);
    CHECK_STR(out, "x.md:3:1: error: 100% sure\n");
    free(out);
    diag_free(&d);
}
