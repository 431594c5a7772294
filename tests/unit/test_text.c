/* Tests for text: slugs, URL escaping and the script URL check. */
#include "test.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>

static void check_slug(const char *file, int line, const char *in, const char *expected) {
    char *s = text_slugify(in, strlen(in));
    if (strcmp(s, expected) != 0)
        test_fail(file, line, "text_slugify(\"%s\") is \"%s\", expected \"%s\"", in, s, expected);
    free(s);
}
#define CHECK_SLUG(in, expected) check_slug(__FILE__, __LINE__, in, expected)

TEST(text_slugify_makes_url_words) {
    CHECK_SLUG("Aftercare", "aftercare");
    CHECK_SLUG("Chemical Peel", "chemical-peel");
    CHECK_SLUG("Risks & benefits", "risks-benefits");
    CHECK_SLUG("  Day 1:  what to expect  ", "day-1-what-to-expect");
    CHECK_SLUG("Before/after photos", "before-after-photos");
    CHECK_SLUG("a -- b", "a-b");
    CHECK_SLUG("Why?", "why");
    CHECK_SLUG("snake_case stays", "snake_case-stays");
    CHECK_SLUG("v2.1 notes", "v2-1-notes");
    CHECK_SLUG("", "");
    CHECK_SLUG("?!", "");
}

TEST(text_slugify_keeps_letters_beyond_ascii) {
    CHECK_SLUG("Über Ärzte", "über-ärzte");
    CHECK_SLUG("Пилинг лица", "пилинг-лица");
    CHECK_SLUG("Café crème", "café-crème");
}

/* GitHub's heading ids: ASCII punctuation is dropped, so writers' links
 * to anchors work on GitHub and here alike. */
TEST(text_slugify_drops_ascii_punctuation_like_github) {
    CHECK_SLUG("Risks & benefits", "risks-benefits");
    CHECK_SLUG("Risks&benefits", "risksbenefits");
    CHECK_SLUG("Open 9:30", "open-930");
    CHECK_SLUG("What's next?", "whats-next");
}

/* Writers paste from word processors: no-break spaces, dashes and curly
 * quotes are not letters and must not end up inside URLs and ids. */
TEST(text_slugify_drops_non_ascii_spaces_and_punctuation) {
    char *s = text_slugify("Day\xC2\xA0"
                           "1 \xE2\x80\x94 what\xE2\x80\x99s next",
                           strlen("Day\xC2\xA0"
                                  "1 \xE2\x80\x94 what\xE2\x80\x99s next"));
    CHECK(!strstr(s, "\xC2\xA0"));     /* no-break space */
    CHECK(!strstr(s, "\xE2\x80\x94")); /* em dash */
    CHECK(!strstr(s, "\xE2\x80\x99")); /* right single quotation mark */
    CHECK(!strstr(s, "--"));
    CHECK_CONTAINS(s, "day");
    CHECK_CONTAINS(s, "next");
    free(s);
}

/* Every ASCII byte between two letters: a letter, digit or underscore
 * stays (lowered), a space, tab, newline, hyphen, slash or full stop
 * becomes a hyphen, and any other byte goes. */
TEST(text_slugify_treats_each_ascii_byte_by_its_class) {
    for (int c = 1; c < 0x80; c++) {
        char in[4] = {'a', (char)c, 'B', '\0'}, expected[4] = {'a', 0, 'b', '\0'};
        if (isalnum(c) || c == '_')
            expected[1] = (char)tolower(c);
        else if (strchr(" \t\n-/.", c))
            expected[1] = '-';
        else
            memmove(expected + 1, expected + 2, 2);
        CHECK_SLUG(in, expected);
    }
}

TEST(text_slugify_reads_only_n_bytes) {
    char *s = text_slugify("Microneedling.md", 13);
    CHECK_STR(s, "microneedling");
    free(s);
}

TEST(text_append_href_percent_encodes_and_escapes) {
    buf b = BUF_INIT;
    const char *url = "/a b/\"q\"?x=1&y=<2>";
    text_append_href(&b, url, strlen(url));
    CHECK_STR(buf_cstr(&b), "/a%20b/%22q%22?x=1&amp;y=%3C2%3E");
    buf_clear(&b);
    text_append_href(&b, "/caf\xC3\xA9/", 7);
    CHECK_STR(buf_cstr(&b), "/caf%C3%A9/");
    buf_clear(&b);
    url = "/already%20encoded/100%";
    text_append_href(&b, url, strlen(url));
    CHECK_STR(buf_cstr(&b), "/already%20encoded/100%25");
    buf_clear(&b);
    url = "https://example.org/a#frag";
    text_append_href(&b, url, strlen(url));
    CHECK_STR(buf_cstr(&b), "https://example.org/a#frag");
    buf_free(&b);
}

TEST(text_append_url_does_not_html_escape) {
    buf b = BUF_INIT;
    const char *url = "https://h/x y?a=1&b=2";
    text_append_url(&b, url, strlen(url));
    CHECK_STR(buf_cstr(&b), "https://h/x%20y?a=1&b=2");
    buf_free(&b);
}

TEST(text_refuses_script_urls_however_spelt) {
    CHECK(text_is_unsafe_url("javascript:alert(1)"));
    CHECK(text_is_unsafe_url("JavaScript:alert(1)"));
    CHECK(text_is_unsafe_url("  javascript:alert(1)"));
    CHECK(text_is_unsafe_url("java\tscript:alert(1)"));
    CHECK(text_is_unsafe_url("java\nscript:alert(1)"));
    CHECK(text_is_unsafe_url("\x01javascript:alert(1)"));
    CHECK(text_is_unsafe_url("VBScript:msgbox"));
    CHECK(text_is_unsafe_url("file:///etc/passwd"));
    CHECK(text_is_unsafe_url("data:text/html,<script>alert(1)</script>"));
    CHECK(text_is_unsafe_url("data:image/svg+xml;base64,PHN2Zz4="));
}

TEST(text_allows_ordinary_urls) {
    CHECK(!text_is_unsafe_url("https://example.org/"));
    CHECK(!text_is_unsafe_url("mailto:info@clinic.example"));
    CHECK(!text_is_unsafe_url("tel:+15555550100"));
    CHECK(!text_is_unsafe_url("/procedures/peel/"));
    CHECK(!text_is_unsafe_url("other.md"));
    CHECK(!text_is_unsafe_url("#aftercare"));
    CHECK(!text_is_unsafe_url(""));
    CHECK(!text_is_unsafe_url("javascript-basics.md"));
    CHECK(!text_is_unsafe_url("data:image/png;base64,iVBORw0KGgo="));
    CHECK(!text_is_unsafe_url("DATA:IMAGE/JPEG;base64,/9j/"));
    CHECK(!text_is_unsafe_url("data:image/webp;base64,UklGR"));
}

TEST(text_url_has_scheme_tells_external_links) {
    CHECK(text_url_has_scheme("https://example.org"));
    CHECK(text_url_has_scheme("mailto:a@b.c"));
    CHECK(text_url_has_scheme("tel:+1555"));
    CHECK(text_url_has_scheme("//cdn.example.org/x.js"));
    CHECK(text_url_has_scheme("svn+ssh://host/repo"));
    CHECK(!text_url_has_scheme("other.md"));
    CHECK(!text_url_has_scheme("/procedures/"));
    CHECK(!text_url_has_scheme("../faq/pain.md"));
    CHECK(!text_url_has_scheme("dir/a:b.md"));
    CHECK(!text_url_has_scheme("#top"));
    CHECK(!text_url_has_scheme("1http://x"));
    CHECK(!text_url_has_scheme(""));
}

TEST(text_bom_length_finds_utf8_bom) {
    CHECK_INT(text_bom_length("\xEF\xBB\xBF---", 6), 3);
    CHECK_INT(text_bom_length("---", 3), 0);
    CHECK_INT(text_bom_length("\xEF\xBB", 2), 0);
    CHECK_INT(text_bom_length("", 0), 0);
}

/* ---- text encoding ---- */

TEST(text_find_bad_byte_accepts_utf8_and_finds_what_is_not) {
    const char ok[] = "plain, \xC3\xA9t\xC3\xA9, \xE2\x80\x94, \xF0\x9F\x98\x80";
    CHECK_INT(text_find_bad_byte(ok, strlen(ok)), strlen(ok));
    CHECK_INT(text_find_bad_byte("ab\0cd", 5), 2);            /* NUL */
    CHECK_INT(text_find_bad_byte("caf\xE9 noir", 9), 3);      /* Latin-1 */
    CHECK_INT(text_find_bad_byte("a\x80", 2), 1);             /* stray continuation */
    CHECK_INT(text_find_bad_byte("a\xC3", 2), 1);             /* cut short */
    CHECK_INT(text_find_bad_byte("\xC0\xAF", 2), 0);          /* overlong '/' */
    CHECK_INT(text_find_bad_byte("x\xED\xA0\x80", 4), 1);     /* surrogate */
    CHECK_INT(text_find_bad_byte("\xF4\x90\x80\x80", 4), 0);  /* past U+10FFFF */
    CHECK_INT(text_find_bad_byte("\xEF\xBB\xBFtitle", 8), 8); /* a BOM is fine */
}

/* The check reads sixteen and eight ASCII bytes at a time: a bad byte is
 * found, and a good sequence passed, at every place in and around such
 * blocks. */
TEST(text_find_bad_byte_at_every_place_of_a_block) {
    static const char *const bad[] = {"\0", "\x80", "\xE9", "\xC3("};
    static const char *const good[] = {"\x7F", "\xC3\xA9", "\xE2\x80\x94", "\xF0\x9F\x98\x80"};
    char text[64];
    int wrong = 0;
    for (size_t at = 0; at < 40; at++) {
        for (size_t k = 0; k < 4; k++) {
            size_t n = k ? strlen(bad[k]) : 1;
            memset(text, 'a', sizeof text);
            memcpy(text + at, bad[k], n);
            wrong += text_find_bad_byte(text, 48) != at;
            memset(text, 'a', sizeof text);
            memcpy(text + at, good[k], strlen(good[k]));
            wrong += text_find_bad_byte(text, 48) != 48;
        }
    }
    CHECK_INT(wrong, 0);
}

TEST(text_check_encoding_reports_the_first_problem_at_its_line_and_column) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(text_check_encoding("---\ntitle: x\n---\r\nok\n", 21, "content/a.md", 0, &d), 0);
    CHECK_INT(d.len, 0);
    /* column counts characters: "é" before the bad byte is one */
    const char latin[] = "line one\n\xC3\xA9 and \x92quoted\x92\n";
    CHECK_INT(text_check_encoding(latin, strlen(latin), "content/a.md", 0, &d), -1);
    CHECK_INT(d.len, 1);
    CHECK_INT(d.items[0].line, 2);
    CHECK_INT(d.items[0].col, 7);
    CHECK_STR(d.items[0].message,
              "not valid UTF-8 (byte 0x92, which is '\xE2\x80\x99' in Windows-1252); save the "
              "file as UTF-8");
    CHECK_INT(text_check_encoding("a\nb\0", 4, "content/_data/x.yaml", 10, &d), -1);
    CHECK_INT(d.items[1].line, 12);
    CHECK_INT(d.items[1].col, 2);
    CHECK_STR(d.items[1].message, "a NUL byte in the text: remove it (is this a text file?)");
    CHECK_INT(text_check_encoding("\xFF\xFE-\0-\0-\0", 8, "content/a.md", 0, &d), -1);
    CHECK_STR(d.items[2].message, "the file is UTF-16 text; save it as UTF-8");
    CHECK_INT(d.errors, 3);
    diag_free(&d);
}
