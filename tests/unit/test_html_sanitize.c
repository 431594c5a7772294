/* Tests for html_sanitize: what trusted raw HTML (unsafe_html: true) may
 * still not carry into a page. */
#include "html_sanitize.h"
#include "test.h"

#include <stdlib.h>

/* The sanitized HTML of s; *why gets the first refusal. Caller frees. */
static char *clean(const char *s, html_refusal *why) {
    buf out = BUF_INIT;
    html_refusal ignored;
    html_sanitize(&out, s, strlen(s), why ? why : &ignored);
    return buf_detach(&out);
}

#define CHECK_CLEAN(in, expected)                                                                  \
    do {                                                                                           \
        char *c_ = clean(in, NULL);                                                                \
        CHECK_STR(c_, expected);                                                                   \
        free(c_);                                                                                  \
    } while (0)

TEST(html_sanitize_keeps_ordinary_markup) {
    CHECK_CLEAN("<details open><summary>More</summary><p class=\"note\" id=x>Hi &amp; "
                "bye</p></details>",
                "<details open><summary>More</summary><p class=\"note\" id=\"x\">Hi &amp; "
                "bye</p></details>");
    CHECK_CLEAN("<a href=\"https://example.org/?a=1&amp;b=2\" title='it\"s'>x</a><br/>",
                "<a href=\"https://example.org/?a=1&amp;b=2\" title=\"it&quot;s\">x</a><br />");
    CHECK_CLEAN("<img src=\"data:image/png;base64,AAAA\" alt=\"\">",
                "<img src=\"data:image/png;base64,AAAA\" alt=\"\">");
}

TEST(html_sanitize_script_tags_are_text) {
    html_refusal why;
    char *c = clean("<script>alert(1)</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>", &why);
    CHECK_STR(c, "&lt;script>alert(1)&lt;/script>&lt;SCRIPT SRC=//evil.example/x.js>&lt;/SCRIPT>");
    CHECK_STR(why.what, "the tag <script>");
    free(c);
}

TEST(html_sanitize_style_tags_are_text) {
    CHECK_CLEAN("<style>body{display:none}</style>", "&lt;style>body{display:none}&lt;/style>");
}

TEST(html_sanitize_raw_text_tags_are_text) {
    /* inside these a browser stops reading tags: what looked like an
     * attribute to us would be markup to it */
    static const char *const tags[] = {"title",   "textarea", "xmp",       "iframe",
                                       "noembed", "noframes", "plaintext", "noscript"};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        char *in = xasprintf("<%s><p title=\"</%s><img src=x onerror=alert(1)>\"></%s>", tags[i],
                             tags[i], tags[i]);
        char *want = xasprintf("&lt;%s><p title=\"&lt;/%s&gt;&lt;img src=x "
                               "onerror=alert(1)&gt;\">&lt;/%s>",
                               tags[i], tags[i], tags[i]);
        CHECK_CLEAN(in, want);
        free(in);
        free(want);
    }
}

TEST(html_sanitize_embedding_tags_are_text) {
    static const char *const tags[] = {"object", "embed", "applet", "base",
                                       "meta",   "link",  "frame",  "frameset"};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        char *in = xasprintf("<%s href=\"//evil.example/\">", tags[i]);
        char *want = xasprintf("&lt;%s href=\"//evil.example/\">", tags[i]);
        CHECK_CLEAN(in, want);
        free(in);
        free(want);
    }
}

TEST(html_sanitize_event_handlers_are_left_out) {
    html_refusal why;
    char *c = clean("<img src=x onerror=alert(1)><div OnClick=\"alert(2)\" id=d>"
                    "<svg onload=alert(3)></svg><details open ontoggle='alert(4)'>",
                    &why);
    CHECK_STR(c, "<img src=\"x\"><div id=\"d\"><svg></svg><details open>");
    CHECK_STR(why.what, "the event handler attribute 'onerror'");
    free(c);
}

/* Attribute boundaries as a browser reads them: '/' between attributes,
 * no space after a quoted value, a quote in a name. */
TEST(html_sanitize_event_handlers_hidden_by_odd_syntax_are_left_out) {
    CHECK_CLEAN("<img src=\"x\"/onerror=\"alert(1)\">", "<img src=\"x\">");
    CHECK_CLEAN("<img src=\"x\"onerror=\"alert(1)\">", "<img src=\"x\">");
    CHECK_CLEAN("<img/src=x/onerror=alert(1)>", "<img src=\"x/onerror=alert(1)\">");
    CHECK_CLEAN("<img \"\"\" onerror=alert(1)>", "<img>");
    CHECK_CLEAN("<img\tsrc=x\nonerror\f=\ralert(1)>", "<img src=\"x\">");
    CHECK_CLEAN("<img src='x' onmouseover = alert(1) >", "<img src=\"x\">");
}

TEST(html_sanitize_style_attributes_are_left_out) {
    CHECK_CLEAN("<p style=\"background:url(javascript:alert(1))\">x</p>", "<p>x</p>");
    CHECK_CLEAN("<iframe srcdoc=\"x\">", "&lt;iframe srcdoc=\"x\">");
    CHECK_CLEAN("<p srcdoc=\"&lt;script&gt;\">", "<p>");
}

TEST(html_sanitize_script_urls_are_left_out) {
    static const char *const urls[] = {"javascript:alert(1)",
                                       "JaVaScRiPt:alert(1)",
                                       " javascript:alert(1)",
                                       "java&#x09;script:alert(1)",
                                       "java&#9;script:alert(1)",
                                       "&#106;avascript:alert(1)",
                                       "&#x6A;avascript:alert(1)",
                                       "&#0000106avascript:alert(1)",
                                       "javascript&colon;alert(1)",
                                       "java&Tab;script:alert(1)",
                                       "java&NewLine;script:alert(1)",
                                       "&#14;javascript:alert(1)",
                                       "vbscript:msgbox(1)",
                                       "data:text/html,<script>alert(1)</script>",
                                       "DATA:text/html;base64,PHNjcmlwdD4="};
    static const char *const attrs[] = {"href",       "src",    "action", "formaction",
                                        "xlink:href", "poster", "data"};
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++)
        for (size_t k = 0; k < sizeof attrs / sizeof *attrs; k++) {
            char *in = xasprintf("<a %s=\"%s\" id=\"k\">x</a>", attrs[k], urls[i]);
            CHECK_CLEAN(in, "<a id=\"k\">x</a>");
            free(in);
        }
    CHECK_CLEAN("<a href=javascript:alert(1)>x</a>", "<a>x</a>");
    CHECK_CLEAN("<img srcset=\"a.png 1x, javascript:alert(1) 2x\">", "<img>");
    CHECK_CLEAN("<a href=\"/ok\" title=\"javascript: a how-to\">x</a>",
                "<a href=\"/ok\" title=\"javascript: a how-to\">x</a>");
}

TEST(html_sanitize_svg_animation_is_text) {
    CHECK_CLEAN("<svg><a><animate attributeName=href values=javascript:alert(1) /><set "
                "attributeName=href to=javascript:alert(1)/><text>x</text></a></svg>",
                "<svg><a>&lt;animate attributeName=href values=javascript:alert(1) />&lt;set "
                "attributeName=href to=javascript:alert(1)/><text>x</text></a></svg>");
}

TEST(html_sanitize_unclosed_tag_is_text) {
    /* the next markup of the page would finish it: shown as text instead */
    CHECK_CLEAN("<img src=x onerror=alert(1)", "&lt;img src=x onerror=alert(1)");
    CHECK_CLEAN("<a title=\"x>", "&lt;a title=\"x>");
    CHECK_CLEAN("<a title='x", "&lt;a title='x");
}

TEST(html_sanitize_comments) {
    CHECK_CLEAN("a<!-- note -->b<!---->c<!-->d", "abcd");
    CHECK_CLEAN("a<!-- open", "a&lt;!-- open");
    CHECK_CLEAN("<!DOCTYPE html><?xml x?><![CDATA[<img src=x onerror=alert(1)>]]>",
                "&lt;!DOCTYPE html>&lt;?xml x?>&lt;![CDATA[<img src=\"x\">]]>");
}

/* What looks like a value to a careless reader, but a tag to a browser,
 * and the reverse: attribute values are written back with < > " escaped. */
TEST(html_sanitize_values_cannot_hide_tags) {
    CHECK_CLEAN("<a title=\"<img src=x onerror=alert(1)>\">x</a>",
                "<a title=\"&lt;img src=x onerror=alert(1)&gt;\">x</a>");
    CHECK_CLEAN("<a title=x\"onclick=alert(1)>x</a>", "<a title=\"x&quot;onclick=alert(1)\">x</a>");
    CHECK_CLEAN("<scr<script>ipt>alert(1)</script>", "&lt;scr&lt;script>ipt>alert(1)&lt;/script>");
}

TEST(html_sanitize_end_tags_lose_their_attributes) {
    CHECK_CLEAN("<b>x</b onclick=alert(1) class=\"y\">", "<b>x</b>");
    CHECK_CLEAN("</script>", "&lt;/script>");
}
