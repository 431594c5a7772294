/* Tests for markdown_check_limits: what a writer types passes, the shapes
 * that make cmark-gfm 0.29.0.gfm.6 slow or greedy are refused at their
 * line. */
#include "buf.h"
#include "markdown.h"
#include "test.h"

#include <stdlib.h>

/* The result of checking text; *message gets the first message as
 * "line:col: text" (caller frees) or NULL. */
static int check(const char *text, size_t len, char **message) {
    diag_list d = DIAG_LIST_INIT;
    int rc = markdown_check_limits(text, len, "content/x.md", 3, &d);
    *message =
        d.len ? xasprintf("%d:%d: %s", d.items[0].line, d.items[0].col, d.items[0].message) : NULL;
    if (d.len > 1)
        test_fail(__FILE__, __LINE__, "%zu messages, expected at most 1", d.len);
    diag_free(&d);
    return rc;
}

static void repeat(buf *b, const char *s, int times) {
    for (int i = 0; i < times; i++)
        buf_puts(b, s);
}

TEST(limits_accept_what_writers_write) {
    const char page[] =
        "# Microneedling\n\nFine needles make [tiny channels](../x.md) in *numbed* skin.\n\n"
        "- Ask us: clinic@example.org or www.example.org (Mon-Fri)\n"
        "- See https://example.org/a_(b)\n\n"
        "| when | do |\n|:-----|---:|\n| Day 1 | Rest |\n\n"
        "[ref]: https://example.org/ref \"Reference\"\n\n[^1]: A footnote.\n";
    char *m = NULL;
    CHECK_INT(check(page, strlen(page), &m), 0);
    CHECK(m == NULL);
    free(m);
    /* cmark's "deeply nested lists": indentation does not count as text */
    buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) {
        for (int k = 0; k < i; k++)
            buf_puts(&b, "  ");
        buf_puts(&b, "* a\n");
    }
    CHECK_INT(check(b.data, b.len, &m), 0);
    free(m);
    /* a long tight list: each item is a block of its own */
    buf_clear(&b);
    repeat(&b, "- [a link](page.md) in a list of many links\n", 5000);
    CHECK_INT(check(b.data, b.len, &m), 0);
    free(m);
    buf_free(&b);
}

TEST(limits_refuse_a_block_too_long_at_its_first_line) {
    buf b = BUF_INIT;
    buf_puts(&b, "Intro.\n\n");
    repeat(&b, "words and more words without a blank line between them, on and on\n", 5000);
    char *m = NULL;
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_STR(m, "6:1: this paragraph (or list or table) runs on for more than 256 KB without a "
                 "blank line; split it with blank lines");
    free(m);
    buf_free(&b);
}

TEST(limits_refuse_many_brackets_or_angles_in_one_block) {
    buf b = BUF_INIT;
    repeat(&b, "![[]()", 2000); /* cmark's "pattern ![[]() repeated" */
    char *m = NULL;
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_STR(m, "4:1: this paragraph (or list or table) holds more than 1000 '[' before a blank "
                 "line; split it with blank lines");
    free(m);
    buf_clear(&b);
    buf_puts(&b, "x");
    repeat(&b, "<?", 1500); /* raw HTML scans */
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_CONTAINS(m, "more than 1000 '<'");
    free(m);
    /* a line of a vertical tab is no blank line: the paragraph goes on */
    buf_clear(&b);
    for (int i = 0; i < 3; i++) {
        repeat(&b, "[a] ", 400);
        buf_puts(&b, "\n\v\n");
    }
    CHECK_INT(check(b.data, b.len, &m), -1);
    free(m);
    /* the same brackets spread over blocks are fine */
    buf_clear(&b);
    for (int i = 0; i < 4; i++) {
        repeat(&b, "[a] ", 900);
        buf_puts(&b, "\n\n");
    }
    CHECK_INT(check(b.data, b.len, &m), 0);
    free(m);
    buf_free(&b);
}

TEST(limits_refuse_a_word_with_many_addresses) {
    buf b = BUF_INIT;
    buf_puts(&b, "Text\n\nmore ");
    repeat(&b, "www._", 100); /* the autolink extension rescans the word for each */
    char *m = NULL;
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_STR(m, "6:6: this word of 500 characters holds 100 web or e-mail addresses (www., :// "
                 "or @): put spaces between them");
    free(m);
    buf_clear(&b);
    buf_puts(&b, "www.a.b");
    repeat(&b, ")", 100); /* ... and counts brackets for each ')' it drops */
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_STR(m, "4:1: this word holds a web or e-mail address and 100 ')': put spaces between "
                 "them");
    free(m);
    buf_clear(&b);
    repeat(&b, "a&#64;b.", 100); /* an '@' once the entity is read */
    CHECK_INT(check(b.data, b.len, &m), -1);
    free(m);
    /* the same addresses between spaces are fine, and so is a URL with many
     * query parameters or parentheses and no address */
    buf_clear(&b);
    repeat(&b, "www.a.b ", 100);
    buf_puts(&b, "\nhttps://x.org/?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14"
                 "&o=15&p=16&q=17&r=18 ((((((((((((((((((((x))))))))))))))))))))\n");
    CHECK_INT(check(b.data, b.len, &m), 0);
    free(m);
    buf_free(&b);
}

TEST(limits_refuse_tables_too_wide_or_too_big) {
    buf b = BUF_INIT;
    buf_puts(&b, "intro\n\n");
    repeat(&b, "|h", 101);
    buf_puts(&b, "|\n");
    repeat(&b, "|-", 101);
    buf_puts(&b, "|\n");
    char *m = NULL;
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_STR(m, "7:1: this table has 101 columns; a table may have at most 100");
    free(m);
    /* short rows are filled up: 100 columns of 1001 one-cell rows */
    buf_clear(&b);
    repeat(&b, "|h", 100);
    buf_puts(&b, "|\n");
    repeat(&b, "|-", 100);
    buf_puts(&b, "|\n");
    repeat(&b, "- x\n", 999); /* a table row too, though it looks like a list item */
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_STR(m, "5:1: this table has more than 100000 cells (100 columns, 1001 rows so far); "
                 "split it into smaller tables");
    free(m);
    /* inside a block quote too; a blank line ends the table */
    buf_clear(&b);
    buf_puts(&b, "> |a|b|\n> |:-|-:|\n> |1|2|\n\n|c|\n|-|\n");
    CHECK_INT(check(b.data, b.len, &m), 0);
    free(m);
    buf_free(&b);
}

TEST(limits_refuse_a_reference_copied_into_too_many_links) {
    buf b = BUF_INIT;
    buf_puts(&b, "[x]: /");
    repeat(&b, "long-address/", 4000); /* 52 KB */
    buf_puts(&b, "\n\n");
    for (int i = 0; i < 400; i++)
        buf_puts(&b, "[x] and [x]\n\n");
    char *m = NULL;
    CHECK_INT(check(b.data, b.len, &m), -1);
    CHECK_CONTAINS(m, "4:1: this link reference definition (52007 bytes with the text after it) "
                      "could be copied into 801 links");
    free(m);
    /* footnotes are not copied: many uses of a long one are fine */
    buf_clear(&b);
    buf_puts(&b, "[^x]: ");
    repeat(&b, "a long note ", 4000);
    buf_puts(&b, "\n\n");
    repeat(&b, "[^x] ", 800);
    CHECK_INT(check(b.data, b.len, &m), 0);
    free(m);
    buf_free(&b);
}
