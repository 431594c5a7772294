/* Tests for buf: growth, formatting and HTML escaping. */
#include "buf.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

TEST(buf_appends_and_formats) {
    buf b = BUF_INIT;
    CHECK_STR(buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_putc(&b, 'x');
    CHECK_INT(b.len, 1000);
    buf_clear(&b);
    buf_printf(&b, "%s-%d", "page", 42);
    CHECK_STR(buf_cstr(&b), "page-42");
    char *s = buf_detach(&b);
    CHECK_STR(s, "page-42");
    CHECK(b.data == NULL && b.len == 0);
    free(s);
}

TEST(buf_escapes_html) {
    buf b = BUF_INIT;
    buf_html_text(&b, "a < b & \"c\" > d", 16);
    CHECK_STR(buf_cstr(&b), "a &lt; b &amp; \"c\" &gt; d");
    buf_clear(&b);
    buf_html_attr(&b, "say \"hi\" & <go>", 15);
    CHECK_STR(buf_cstr(&b), "say &quot;hi&quot; &amp; &lt;go&gt;");
    buf_free(&b);
}

/* The escapers look at sixteen or eight bytes at a time: each special
 * byte is tried at every place in and around two such blocks and the tail
 * after them, among bytes that are not special (letters, DEL, UTF-8). */
TEST(buf_escapes_a_special_byte_wherever_it_falls) {
    static const struct {
        const char *in, *text, *attr, *json;
    } cases[] = {
        {"&", "&amp;", "&amp;", "&"},
        {"<", "&lt;", "&lt;", "\\u003c"},
        {">", "&gt;", "&gt;", ">"},
        {"\"", "\"", "&quot;", "\\\""},
        {"\\", "\\", "\\", "\\\\"},
        {"\n", "\n", "\n", "\\u000a"},
        {"\x1f", "\x1f", "\x1f", "\\u001f"},
        {"\x7f", "\x7f", "\x7f", "\x7f"},
        {"\xC3\xA9", "\xC3\xA9", "\xC3\xA9", "\xC3\xA9"},
        {"\xE2\x80\xA8", "\xE2\x80\xA8", "\xE2\x80\xA8", "\\u2028"},
        {"\xE2\x80\x94", "\xE2\x80\x94", "\xE2\x80\x94", "\xE2\x80\x94"},
        {"\x80", "\x80", "\x80", "\x80"},
        {"\x1f\x20", "\x1f ", "\x1f ", "\\u001f "},
    };
    buf b = BUF_INIT, want = BUF_INIT;
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        for (size_t at = 0; at < 40; at++) {
            char in[64];
            size_t n = strlen(cases[k].in), len = at + n + 5;
            memset(in, 'a', sizeof in);
            memcpy(in + at, cases[k].in, n);
            for (int which = 0; which < 3; which++) {
                const char *esc = which == 0   ? cases[k].text
                                  : which == 1 ? cases[k].attr
                                               : cases[k].json;
                buf_clear(&want);
                if (which == 2)
                    buf_putc(&want, '"');
                buf_append(&want, in, at);
                buf_puts(&want, esc);
                buf_append(&want, in + at + n, 5);
                if (which == 2)
                    buf_putc(&want, '"');
                buf_clear(&b);
                if (which == 0)
                    buf_html_text(&b, in, len);
                else if (which == 1)
                    buf_html_attr(&b, in, len);
                else
                    buf_json_string(&b, in, len);
                CHECK_STR(buf_cstr(&b), buf_cstr(&want));
            }
        }
    }
    buf_free(&b);
    buf_free(&want);
}
