/* Tests for buf: growth, formatting and HTML escaping. */
#include "buf.h"
#include "test.h"

#include <stdlib.h>

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
