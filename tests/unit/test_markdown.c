/* Tests for markdown and render_html together: a page body goes through
 * markdown_parse, markdown_prepare and render_html as in the build. */
#include "ast.h"
#include "buf.h"
#include "lua_ast.h"
#include "markdown.h"
#include "render_html.h"
#include "test.h"

#include <stdlib.h>

/* The link resolver stub: other.md is a page at /other/, nothing else is. */
static char *stub_resolve(void *ctx, const char *page_dir, const char *target, char **error) {
    int *calls = ctx;
    if (calls)
        (*calls)++;
    (void)page_dir;
    if (!strcmp(target, "other.md"))
        return xstrdup("/other/");
    if (!strcmp(target, "my page.md"))
        return xstrdup("/my-page/");
    if (!strcmp(target, "diagram.png"))
        return xstrdup("/procedures/peel/diagram.png");
    *error = xasprintf("the link '%s' finds no page or file", target);
    return NULL;
}

typedef struct rendered {
    md_doc doc;
    char *html;
    int prepare_rc;
    diag_list d;
} rendered;

typedef struct opts {
    const char *title;
    int unsafe;
    int line_offset;
    const char *const *reserved;
    int no_links;
} opts;

static rendered render(const char *md, opts o) {
    rendered r;
    memset(&r, 0, sizeof r);
    markdown_parse(&r.doc, md, strlen(md));
    md_source src = {"content/procedures/peel.md", o.line_offset, o.title};
    link_resolver links = {stub_resolve, NULL, "procedures"};
    r.prepare_rc = markdown_prepare(&r.doc, &src, o.no_links ? NULL : &links, o.reserved, &r.d);
    render_options ro = {o.unsafe, "content/procedures/peel.md", o.line_offset};
    buf out = BUF_INIT;
    render_html(r.doc.ast.root, &ro, &out, &r.d);
    r.html = buf_detach(&out);
    return r;
}

static void rendered_free(rendered *r) {
    md_doc_free(&r->doc);
    free(r->html);
    diag_free(&r->d);
}

/* Every message, one per line, as diag_print writes them. */
static char *messages(const diag_list *d) {
    buf b = BUF_INIT;
    for (size_t i = 0; i < d->len; i++) {
        const diag *m = &d->items[i];
        buf_printf(&b, "%s:%d:%d: %s: %s\n", m->file, m->line, m->col,
                   m->level == DIAG_ERROR ? "error" : "warning", m->message);
    }
    return buf_detach(&b);
}

/* ---- headings ---- */

TEST(md_heading_ids_are_slugged_and_deduplicated) {
    rendered r =
        render("## Risks\n\nText.\n\n## Risks\n\n### Risks & benefits\n\n## Risks 1\n", (opts){0});
    CHECK_STR(r.html, "<h2 id=\"risks\">Risks</h2>\n"
                      "<p>Text.</p>\n"
                      "<h2 id=\"risks-1\">Risks</h2>\n"
                      "<h3 id=\"risks-benefits\">Risks &amp; benefits</h3>\n"
                      "<h2 id=\"risks-1-1\">Risks 1</h2>\n");
    CHECK_INT(r.doc.n_headings, 4);
    if (r.doc.n_headings == 4) {
        CHECK_STR(r.doc.headings[0].id, "risks");
        CHECK_STR(r.doc.headings[1].id, "risks-1");
        CHECK_INT(r.doc.headings[2].level, 3);
        CHECK_STR(r.doc.headings[2].text, "Risks & benefits");
        CHECK_STR(r.doc.headings[3].id, "risks-1-1");
    }
    CHECK_INT(r.prepare_rc, 0);
    CHECK_INT(r.d.len, 0);
    rendered_free(&r);
}

/* Each text remembers its next suffix: 20,000 headings of one text took
 * 22 s when each tried every suffix from 1. */
TEST(md_many_headings_of_one_text_get_suffixes_in_order) {
    buf md = BUF_INIT;
    buf_puts(&md, "## A\n\n## A 2\n\n");
    for (int i = 0; i < 5000; i++)
        buf_puts(&md, "## A\n\n");
    rendered r = render(buf_cstr(&md), (opts){0});
    CHECK_INT(r.doc.n_headings, 5002);
    if (r.doc.n_headings == 5002) {
        CHECK_STR(r.doc.headings[0].id, "a");
        CHECK_STR(r.doc.headings[1].id, "a-2");
        CHECK_STR(r.doc.headings[2].id, "a-1");
        CHECK_STR(r.doc.headings[3].id, "a-3"); /* a-2 is taken */
        CHECK_STR(r.doc.headings[5001].id, "a-5001");
    }
    rendered_free(&r);
    buf_free(&md);
}

TEST(md_heading_ids_use_plain_text) {
    rendered r =
        render("## *Before* `care` [links](https://x.org)\n\n## !!!\n\n## !!!\n", (opts){0});
    CHECK_STR(r.html, "<h2 id=\"before-care-links\"><em>Before</em> <code>care</code> "
                      "<a href=\"https://x.org\">links</a></h2>\n"
                      "<h2 id=\"section\">!!!</h2>\n"
                      "<h2 id=\"section-1\">!!!</h2>\n");
    rendered_free(&r);
}

TEST(md_heading_ids_avoid_reserved_ids) {
    const char *const reserved[] = {"main", "search", "toc", NULL};
    rendered r =
        render("## Main\n\n## Search\n\n## Search\n\n## Other\n", (opts){.reserved = reserved});
    CHECK_STR(r.html, "<h2 id=\"main-1\">Main</h2>\n"
                      "<h2 id=\"search-1\">Search</h2>\n"
                      "<h2 id=\"search-2\">Search</h2>\n"
                      "<h2 id=\"other\">Other</h2>\n");
    rendered_free(&r);
}

/* Ids of many headings with one text are numbered in order, skipping ids
 * taken otherwise (each is found without retrying the ones before). */
TEST(md_heading_ids_of_many_equal_headings) {
    const char *const reserved[] = {"answer-2", NULL};
    buf md = BUF_INIT;
    buf_puts(&md, "## Answer 4\n\n");
    for (int i = 0; i < 3000; i++)
        buf_puts(&md, "## Answer\n\n");
    rendered r = render(buf_cstr(&md), (opts){.reserved = reserved});
    CHECK_INT(r.doc.n_headings, 3001);
    if (r.doc.n_headings == 3001) {
        CHECK_STR(r.doc.headings[0].id, "answer-4");
        CHECK_STR(r.doc.headings[1].id, "answer");
        CHECK_STR(r.doc.headings[2].id, "answer-1");
        CHECK_STR(r.doc.headings[3].id, "answer-3");
        CHECK_STR(r.doc.headings[4].id, "answer-5");
        CHECK_STR(r.doc.headings[3000].id, "answer-3001");
    }
    rendered_free(&r);
    buf_free(&md);
}

TEST(md_opening_h1_matching_the_title_is_dropped) {
    rendered r =
        render("# Chemical peel\n\nIntro.\n\n## Risks\n", (opts){.title = "Chemical peel"});
    CHECK_STR(r.html, "<p>Intro.</p>\n<h2 id=\"risks\">Risks</h2>\n");
    CHECK_INT(r.doc.n_headings, 1);
    CHECK_INT(r.d.len, 0);
    rendered_free(&r);
}

TEST(md_opening_h1_differing_from_the_title_is_dropped_with_a_warning) {
    rendered r =
        render("\n# Peel basics\n\nIntro.\n", (opts){.title = "Chemical peel", .line_offset = 5});
    CHECK_STR(r.html, "<p>Intro.</p>\n");
    char *m = messages(&r.d);
    CHECK_STR(m, "content/procedures/peel.md:7:1: warning: the body opens with the heading "
                 "'Peel basics' but the title is 'Chemical peel'; the heading is left out so "
                 "the page has one title\n");
    free(m);
    rendered_free(&r);
}

TEST(md_later_h1_is_kept) {
    rendered r = render("Intro.\n\n# Second title\n", (opts){.title = "T"});
    CHECK_STR(r.html, "<p>Intro.</p>\n<h1 id=\"second-title\">Second title</h1>\n");
    CHECK_INT(r.d.len, 0);
    rendered_free(&r);
}

/* ---- blocks ---- */

TEST(md_tables_are_wrapped_with_header_scope_and_align_classes) {
    rendered r = render("| Condition | Severity | Days |\n"
                        "|:----------|:--------:|-----:|\n"
                        "| Pregnancy | absolute | 0 |\n"
                        "| Acne *active* | relative | 14 |\n",
                        (opts){0});
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n"
                      "<thead>\n"
                      "<tr>\n"
                      "<th scope=\"col\" class=\"align-left\">Condition</th>\n"
                      "<th scope=\"col\" class=\"align-center\">Severity</th>\n"
                      "<th scope=\"col\" class=\"align-right\">Days</th>\n"
                      "</tr>\n"
                      "</thead>\n"
                      "<tbody>\n"
                      "<tr>\n"
                      "<td class=\"align-left\">Pregnancy</td>\n"
                      "<td class=\"align-center\">absolute</td>\n"
                      "<td class=\"align-right\">0</td>\n"
                      "</tr>\n"
                      "<tr>\n"
                      "<td class=\"align-left\">Acne <em>active</em></td>\n"
                      "<td class=\"align-center\">relative</td>\n"
                      "<td class=\"align-right\">14</td>\n"
                      "</tr>\n"
                      "</tbody>\n"
                      "</table></div>\n");
    CHECK(!strstr(r.html, "align=\""));
    CHECK(!strstr(r.html, "style="));
    rendered_free(&r);
}

/* Cells find their column's alignment by a count kept per row (counting
 * the cells before each one was quadratic in the width of the table). */
TEST(md_wide_table_cells_keep_their_column_alignment) {
    buf md = BUF_INIT;
    for (int row = 0; row < 3; row++) {
        for (int c = 0; c < 600; c++)
            buf_puts(&md, row == 1 ? (c == 599 ? "|--:" : "|---") : "| x ");
        buf_puts(&md, "|\n");
    }
    buf_puts(&md, "\n| a | b |\n|:-:|---|\n| c | d |\n");
    rendered r = render(buf_cstr(&md), (opts){0});
    const char *right = strstr(r.html, "class=\"align-right\"");
    CHECK(right != NULL);
    CHECK(right && !strstr(right + 1, "class=\"align-right\">x</th>")); /* one header cell */
    CHECK_CONTAINS(r.html, "<th scope=\"col\" class=\"align-right\">x</th>\n</tr>");
    CHECK_CONTAINS(r.html, "<td class=\"align-right\">x</td>\n</tr>");
    /* the next table's rows count from their own first cell */
    CHECK_CONTAINS(r.html, "<th scope=\"col\" class=\"align-center\">a</th>\n"
                           "<th scope=\"col\">b</th>");
    CHECK_CONTAINS(r.html, "<td class=\"align-center\">c</td>\n<td>d</td>");
    rendered_free(&r);
    buf_free(&md);
}

TEST(md_table_without_alignment_or_body) {
    rendered r = render("| A | B |\n|---|---|\n", (opts){0});
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n"
                      "<thead>\n"
                      "<tr>\n"
                      "<th scope=\"col\">A</th>\n"
                      "<th scope=\"col\">B</th>\n"
                      "</tr>\n"
                      "</thead>\n"
                      "</table></div>\n");
    rendered_free(&r);
}

TEST(md_footnotes_are_numbered_with_backrefs) {
    rendered r = render("Peels help[^study] a lot[^b] as shown[^study].\n"
                        "\n"
                        "[^b]: Second source.\n"
                        "[^study]: First *study*.\n"
                        "[^unused]: Never referenced.\n",
                        (opts){0});
    CHECK_STR(
        r.html,
        "<p>Peels help<sup class=\"footnote-ref\"><a href=\"#footnote-1\" "
        "id=\"footnote-ref-1\">1</a></sup> a lot<sup class=\"footnote-ref\"><a "
        "href=\"#footnote-2\" id=\"footnote-ref-2\">2</a></sup> as shown<sup "
        "class=\"footnote-ref\"><a href=\"#footnote-1\" id=\"footnote-ref-1-2\">1</a></sup>.</p>\n"
        "<section class=\"footnotes\" aria-label=\"References\">\n"
        "<ol>\n"
        "<li id=\"footnote-1\">\n"
        "<p>First <em>study</em>. <a href=\"#footnote-ref-1\" class=\"footnote-backref\" "
        "aria-label=\"Back to reference 1\">\xE2\x86\xA9</a> <a href=\"#footnote-ref-1-2\" "
        "class=\"footnote-backref\" aria-label=\"Back to reference 1\">\xE2\x86\xA9</a></p>\n"
        "</li>\n"
        "<li id=\"footnote-2\">\n"
        "<p>Second source. <a href=\"#footnote-ref-2\" class=\"footnote-backref\" "
        "aria-label=\"Back to reference 2\">\xE2\x86\xA9</a></p>\n"
        "</li>\n"
        "</ol>\n"
        "</section>\n");
    CHECK(!strstr(r.html, "Never referenced"));
    rendered_free(&r);
}

TEST(md_footnote_ending_in_a_list_still_links_back) {
    rendered r = render("Note[^a].\n\n[^a]: Sources:\n\n    - one\n    - two\n", (opts){0});
    CHECK_CONTAINS(r.html, "<li id=\"footnote-1\">");
    CHECK_CONTAINS(r.html, "href=\"#footnote-ref-1\" class=\"footnote-backref\"");
    rendered_free(&r);
}

TEST(md_tight_and_loose_lists) {
    rendered r = render("- one\n- two\n\ntext\n\n1. first\n\n2. second\n", (opts){0});
    CHECK_STR(r.html, "<ul>\n"
                      "<li>one</li>\n"
                      "<li>two</li>\n"
                      "</ul>\n"
                      "<p>text</p>\n"
                      "<ol>\n"
                      "<li>\n"
                      "<p>first</p>\n"
                      "</li>\n"
                      "<li>\n"
                      "<p>second</p>\n"
                      "</li>\n"
                      "</ol>\n");
    rendered_free(&r);
}

TEST(md_nested_tight_list_and_ordered_start) {
    rendered r = render("3. three\n   - a\n   - b\n4. four\n", (opts){0});
    CHECK_STR(r.html, "<ol start=\"3\">\n"
                      "<li>three\n"
                      "<ul>\n"
                      "<li>a</li>\n"
                      "<li>b</li>\n"
                      "</ul>\n"
                      "</li>\n"
                      "<li>four</li>\n"
                      "</ol>\n");
    rendered_free(&r);
}

TEST(md_code_blocks_and_inline_text_are_escaped) {
    rendered r =
        render("Use `a<b>` & \"quotes\".\n\n```aftercare extra words\nif a < b && c\n```\n\n"
               "> quoted\n\n---\n",
               (opts){0});
    CHECK_STR(r.html, "<p>Use <code>a&lt;b&gt;</code> &amp; \"quotes\".</p>\n"
                      "<pre><code class=\"language-aftercare\">if a &lt; b &amp;&amp; c\n"
                      "</code></pre>\n"
                      "<blockquote>\n"
                      "<p>quoted</p>\n"
                      "</blockquote>\n"
                      "<hr>\n");
    rendered_free(&r);
}

/* Text that is not UTF-8 (a filter's parse() may be handed any bytes)
 * has each bad sequence replaced by one U+FFFD; valid text, checked on the fast path,
 * comes through byte for byte. */
TEST(md_bad_utf8_becomes_replacement_characters) {
    static const char bad[] = "Caf\xE9 \xC0\xAF and \xED\xA0\x80 then \xF4\x90\x80\x80 end\n";
    rendered r = render(bad, (opts){0});
    CHECK_STR(r.html, "<p>Caf\xEF\xBF\xBD \xEF\xBF\xBD and \xEF\xBF\xBD then \xEF\xBF\xBD "
                      "end</p>\n");
    rendered_free(&r);
    rendered ok = render("Caf\xC3\xA9, \xE2\x80\x94 and \xF0\x9F\x98\x80\n", (opts){0});
    CHECK_STR(ok.html, "<p>Caf\xC3\xA9, \xE2\x80\x94 and \xF0\x9F\x98\x80</p>\n");
    rendered_free(&ok);
}

/* ---- inlines ---- */

TEST(md_strikethrough_is_del) {
    rendered r = render("Price ~~$200~~ now $150, not ~single~.\n", (opts){0});
    CHECK_STR(r.html, "<p>Price <del>$200</del> now $150, not <del>single</del>.</p>\n");
    rendered_free(&r);
}

TEST(md_autolinks) {
    rendered r = render("See www.example.org, https://example.org/a?b=1&c=2 and "
                        "<https://example.org/x> or info@clinic.example.\n",
                        (opts){0});
    CHECK_STR(r.html,
              "<p>See <a href=\"http://www.example.org\">www.example.org</a>, "
              "<a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a> "
              "and <a href=\"https://example.org/x\">https://example.org/x</a> or "
              "<a href=\"mailto:info@clinic.example\">info@clinic.example</a>.</p>\n");
    CHECK_INT(r.d.len, 0);
    rendered_free(&r);
}

/* cmark puts an autolink inside a link's text; links do not nest (the
 * tree's rules, HTML's <a>), so its text joins the outer link. Such a
 * tree, returned by a filter, once made the engine loop for ever. */
TEST(md_autolink_inside_a_link_joins_its_text) {
    rendered r = render("[l<https://x.org>ink](a.md) [*<https://y.org>*](b.md) "
                        "[see[^1]](c.md)\n\n[^1]: Note.\n",
                        (opts){.no_links = 1});
    CHECK_CONTAINS(r.html, "<p><a href=\"a.md\">lhttps://x.orgink</a> <a href=\"b.md\"><em>"
                           "https://y.org</em></a> <a href=\"c.md\">see<sup "
                           "class=\"footnote-ref\" id=\"footnote-ref-1\">1</sup></a></p>\n");
    CHECK_CONTAINS(r.html, "<a href=\"#footnote-ref-1\" class=\"footnote-backref\"");
    const ast_node *para = r.doc.ast.root->first;
    const ast_node *link = para ? para->first : NULL;
    CHECK(link && link->type == AST_LINK);
    int links = 0, entering = 1;
    for (const ast_node *n = link; n; n = ast_next((ast_node *)link, (ast_node *)n, &entering))
        links += entering && n->type == AST_LINK;
    CHECK_INT(links, 1);
    rendered_free(&r);
}

TEST(md_links_keep_titles_and_line_breaks) {
    rendered r = render("[FAQ](https://x.org/faq \"Say \\\"hi\\\"\")  \nnext\nline\n", (opts){0});
    CHECK_STR(r.html, "<p><a href=\"https://x.org/faq\" title=\"Say &quot;hi&quot;\">FAQ</a><br>\n"
                      "next\nline</p>\n");
    rendered_free(&r);
}

TEST(md_image_alt_is_plain_text) {
    rendered r =
        render("![A *bold* `x` [link](https://x.org) & \"q\"](https://x.org/p.png \"Photo\")\n",
               (opts){0});
    CHECK_STR(r.html,
              "<p><img src=\"https://x.org/p.png\" alt=\"A bold x link &amp; &quot;q&quot;\" "
              "title=\"Photo\" loading=\"lazy\"></p>\n");
    rendered_free(&r);
}

TEST(md_image_inside_image_alt_stays_inside_the_alt) {
    rendered r =
        render("![outer ![inner](https://x.org/i.png) end](https://x.org/o.png)\n", (opts){0});
    CHECK_STR(r.html, "<p><img src=\"https://x.org/o.png\" alt=\"outer inner end\" "
                      "loading=\"lazy\"></p>\n");
    rendered_free(&r);
}

/* ---- raw HTML ---- */

TEST(md_raw_html_is_left_out_with_one_warning) {
    rendered r =
        render("Text <b>bold</b> and <span>x</span>.\n\n<div class=\"box\">\nblock\n</div>\n\n"
               "<script>alert(1)</script>\n",
               (opts){.line_offset = 3});
    CHECK_STR(r.html, "<p>Text bold and x.</p>\n");
    CHECK_INT(r.d.warnings, 1);
    CHECK_INT(r.d.errors, 0);
    char *m = messages(&r.d);
    CHECK_STR(m, "content/procedures/peel.md:4:6: warning: raw HTML is left out of the page (set "
                 "'unsafe_html: true' in site.yaml only if you trust every writer)\n");
    free(m);
    rendered_free(&r);
}

TEST(md_raw_html_passes_through_the_tag_filter_when_unsafe) {
    rendered r = render("Text <b>bold</b> <iframe src=\"x\"></iframe>.\n\n"
                        "<div class=\"box\">\n<script>alert(1)</script>\n</div>\n\n"
                        "<STYLE>p{}</STYLE>\n",
                        (opts){.unsafe = 1});
    CHECK_STR(r.html, "<p>Text <b>bold</b> &lt;iframe src=\"x\">&lt;/iframe>.</p>\n"
                      "<div class=\"box\">\n&lt;script>alert(1)&lt;/script>\n</div>\n"
                      "&lt;STYLE>p{}&lt;/STYLE>\n");
    CHECK_INT(r.d.warnings, 1); /* once per page, at the first refusal */
    char *m = messages(&r.d);
    CHECK_STR(m, "content/procedures/peel.md:1:18: warning: raw HTML: the tag <iframe> is "
                 "refused: pages carry no scripts, inline styles or script URLs, even with "
                 "'unsafe_html: true'\n");
    free(m);
    rendered_free(&r);
}

TEST(md_raw_html_loses_event_handlers_and_script_urls_when_unsafe) {
    rendered r = render("<img src=x onerror=alert(1)> [ok](/ok/)\n\n"
                        "<div onclick=\"alert(2)\" style=\"color:red\"><a "
                        "href=\"java&#x09;script:alert(3)\">x</a></div>\n",
                        (opts){.unsafe = 1});
    CHECK_STR(r.html, "<p><img src=\"x\"> <a href=\"/ok/\">ok</a></p>\n"
                      "<div><a>x</a></div>\n");
    CHECK_INT(r.d.warnings, 1);
    rendered_free(&r);
}

/* ---- links ---- */

TEST(md_javascript_links_are_errors_with_location) {
    rendered r = render("Intro.\n\nClick [here](javascript:alert(1)) or <JavaScript:alert(2)>.\n",
                        (opts){.line_offset = 4});
    CHECK_INT(r.prepare_rc, -1);
    char *m = messages(&r.d);
    CHECK_STR(m, "content/procedures/peel.md:7:7: error: the link 'javascript:alert(1)' is "
                 "refused: script and file URLs are not allowed\n"
                 "content/procedures/peel.md:7:38: error: the link 'JavaScript:alert(2)' is "
                 "refused: script and file URLs are not allowed\n");
    free(m);
    CHECK(!strstr(r.html, "href=\"javascript:"));
    CHECK(!strstr(r.html, "href=\"JavaScript:"));
    rendered_free(&r);
}

TEST(md_script_urls_in_images_are_errors) {
    rendered r = render("![x](data:text/html,hi)\n", (opts){.no_links = 1});
    CHECK_INT(r.prepare_rc, -1);
    CHECK_INT(r.d.errors, 1);
    CHECK(!strstr(r.html, "data:"));
    rendered_free(&r);
}

TEST(md_links_to_pages_are_resolved) {
    rendered r = render("See [other](other.md), [section](other.md#risks), [q](other.md?x=1#y), "
                        "[spaced](my%20page.md), [anchor](#risks), [ext](https://x.org/a.md), "
                        "[mail](mailto:a@b.c).\n\n![d](diagram.png)\n",
                        (opts){0});
    CHECK_INT(r.prepare_rc, 0);
    CHECK_INT(r.d.len, 0);
    CHECK_STR(r.html,
              "<p>See <a href=\"/other/\">other</a>, <a href=\"/other/#risks\">section</a>, "
              "<a href=\"/other/?x=1#y\">q</a>, <a href=\"/my-page/\">spaced</a>, "
              "<a href=\"#risks\">anchor</a>, <a href=\"https://x.org/a.md\">ext</a>, "
              "<a href=\"mailto:a@b.c\">mail</a>.</p>\n"
              "<p><img src=\"/procedures/peel/diagram.png\" alt=\"d\" loading=\"lazy\"></p>\n");
    rendered_free(&r);
}

TEST(md_broken_link_is_an_error_at_its_line) {
    rendered r = render("First line.\n\nSecond paragraph\nwith [a link](missing.md) inside.\n",
                        (opts){.line_offset = 6});
    CHECK_INT(r.prepare_rc, -1);
    CHECK_INT(r.d.errors, 1);
    char *m = messages(&r.d);
    CHECK_STR(m, "content/procedures/peel.md:10:6: error: the link 'missing.md' finds no page or "
                 "file\n");
    free(m);
    rendered_free(&r);
}

TEST(md_resolver_gets_the_page_folder_and_decoded_target) {
    int calls = 0;
    md_doc doc;
    const char *md = "[a](other.md) [b](https://x.org) [c](#x)\n";
    markdown_parse(&doc, md, strlen(md));
    md_source src = {"content/a.md", 0, NULL};
    link_resolver links = {stub_resolve, &calls, "procedures"};
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(markdown_prepare(&doc, &src, &links, NULL, &d), 0);
    CHECK_INT(calls, 1); /* only the relative link asks the resolver */
    md_doc_free(&doc);
    diag_free(&d);
}

/* ---- helpers ---- */

TEST(md_plain_text_and_opening_heading) {
    const char *md = "# The *real* `title`\nsecond line\n\nBody\n";
    char *h = markdown_opening_heading(md, strlen(md));
    CHECK_STR(h, "The real title");
    free(h);
    md = "\n\n# Late start\n";
    h = markdown_opening_heading(md, strlen(md));
    CHECK_STR(h, "Late start");
    free(h);
    md = "Intro first\n\n# Not opening\n";
    h = markdown_opening_heading(md, strlen(md));
    CHECK(h == NULL);
    free(h);
    md = "## Level two\n";
    h = markdown_opening_heading(md, strlen(md));
    CHECK(h == NULL);
    free(h);
    md = "#\n";
    h = markdown_opening_heading(md, strlen(md));
    CHECK(h == NULL);
    free(h);
    h = markdown_opening_heading("", 0);
    CHECK(h == NULL);
    free(h);

    md = "A *b*\nc `d`";
    md_doc doc;
    markdown_parse(&doc, md, strlen(md));
    char *t = ast_plain_text(doc.ast.root);
    CHECK_STR(t, "A b c d");
    free(t);
    md_doc_free(&doc);
}

TEST(md_deep_nesting_renders_without_crashing) {
    buf b = BUF_INIT;
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "> ");
    buf_puts(&b, "deep\n");
    rendered r = render(buf_cstr(&b), (opts){0});
    CHECK_CONTAINS(r.html, "<p>deep</p>");
    buf_free(&b);
    rendered_free(&r);
}

TEST(markdown_table_caption_from_a_following_table_paragraph) {
    md_doc doc;
    const char md[] = "| a |\n|---|\n| 1 |\n\nTable: Prices *per* session\n\n"
                      "> | b |\n> |---|\n> | 2 |\n>\n> Table: Inside a quote\n\n"
                      "| c |\n|---|\n\nNot a caption: Table: here\n";
    markdown_init();
    markdown_parse(&doc, md, strlen(md));
    buf html = BUF_INIT;
    diag_list d = DIAG_LIST_INIT;
    render_options opt = {0, "x.md", 0};
    render_html(doc.ast.root, &opt, &html, &d);
    CHECK_CONTAINS(buf_cstr(&html), "<table>\n<caption>Prices per session</caption>\n");
    CHECK_CONTAINS(buf_cstr(&html), "<table>\n<caption>Inside a quote</caption>\n");
    CHECK_CONTAINS(buf_cstr(&html), "<p>Not a caption: Table: here</p>");
    CHECK(!strstr(buf_cstr(&html), "<p>Table:"));
    buf_free(&html);
    diag_free(&d);
    md_doc_free(&doc);
}

/* clinicgen render --to ast shows the tree as filters see it: a table's
 * caption too. */
TEST(markdown_ast_dump_shows_a_table_caption) {
    md_doc doc;
    const char *md = "| a |\n|---|\n| 1 |\n\nTable: Prices \"per\" session\n\n| b |\n|---|\n";
    markdown_parse(&doc, md, strlen(md));
    buf out = BUF_INIT;
    lua_ast_dump(doc.ast.root, &out);
    CHECK_CONTAINS(buf_cstr(&out),
                   "{t = \"Table\", alignments = {\"\"}, caption = \"Prices \\\"per\\\" session\", "
                   "children = {\n");
    CHECK_CONTAINS(buf_cstr(&out), "{t = \"Table\", alignments = {\"\"}, children = {\n");
    buf_free(&out);
    md_doc_free(&doc);
}

/* ---- one line without cmark-gfm (markdown_simple.c) ---- */

/* Every node's type, position and text, depth first. */
static void dump_tree(const ast_node *n, buf *out) {
    buf_printf(out, "(%d %d:%d", (int)n->type, n->line, n->col);
    if (n->text)
        buf_printf(out, " \"%s\"", n->text);
    for (const ast_node *c = n->first; c; c = c->next)
        dump_tree(c, out);
    buf_putc(out, ')');
}

/* The fast path's tree for text, or NULL when it leaves text to cmark-gfm;
 * a tree must be cmark-gfm's own. */
static char *simple_tree(const char *text, int *differs) {
    ast_doc fast, slow;
    ast_doc_init(&fast);
    ast_doc_init(&slow);
    const ast_node *tree = markdown_parse_simple(&fast, text, strlen(text));
    char *shown = NULL;
    if (tree) {
        buf a = BUF_INIT, b = BUF_INIT;
        dump_tree(tree, &a);
        dump_tree(markdown_parse_into(&slow, text, strlen(text)), &b);
        if (strcmp(buf_cstr(&a), buf_cstr(&b))) {
            test_fail(__FILE__, __LINE__, "'%s': fast %s, cmark-gfm %s", text, buf_cstr(&a),
                      buf_cstr(&b));
            ++*differs;
        }
        shown = buf_detach(&a);
        buf_free(&b);
    }
    ast_doc_free(&fast);
    ast_doc_free(&slow);
    return shown;
}

TEST(md_simple_takes_words_and_plain_emphasis) {
    static const char *const taken[] = {"Avoid retinoids for a week.",
                                        "Avoid **retinoids** for a week.",
                                        "*Gently* wash, then **pat dry**: no rubbing.",
                                        "**Day 0**",
                                        "Call us if it *spreads*, or \"**hurts**\" (or *worse*)",
                                        "(*note*)",
                                        "Caf\xC3\xA9 **cr\xC3\xA8me** 2"};
    static const char *const left[] = {
        "a*b*c",         "*open",       "(* note*)",      "**mixed*",  "***both***",
        "_under_",       "- item",      "Call [us](/x/)", "www.x.org", "trailing ",
        "see https://x", "line\nbreak", "bad \xC3 byte"};
    int differs = 0;
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++) {
        char *tree = simple_tree(taken[i], &differs);
        if (!tree)
            test_fail(__FILE__, __LINE__, "'%s' went to cmark-gfm", taken[i]);
        free(tree);
    }
    for (size_t i = 0; i < sizeof left / sizeof *left; i++) {
        char *tree = simple_tree(left[i], &differs);
        if (tree)
            test_fail(__FILE__, __LINE__, "'%s' was taken: %s", left[i], tree);
        free(tree);
    }
    CHECK_INT(differs, 0);
}

/* Lines of random pieces: whatever the fast path takes, it makes exactly
 * as cmark-gfm does. Counts the lines taken, and those taken with a star. */
static int random_lines(const char *const *pieces, size_t n_pieces, int *taken, int *starred) {
    unsigned long long seed = 7;
    int differs = 0;
    for (int round = 0; round < 10000 && differs < 5; round++) {
        char line[256] = "";
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int n = 1 + (int)((seed >> 33) % 12);
        for (int k = 0; k < n; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            strcat(line, pieces[(seed >> 33) % n_pieces]);
        }
        char *tree = simple_tree(line, &differs);
        *taken += tree != NULL;
        *starred += tree && strchr(line, '*');
        free(tree);
    }
    return differs;
}

TEST(md_simple_trees_equal_cmark_gfm_on_random_lines) {
    static const char *const any[] = {"care", "Day",  "7",   "\xC3\xA9t\xC3\xA9",
                                      " ",    " ",    "*",   "**",
                                      "***",  ".",    ",",   ":",
                                      "?",    "(",    ")",   "'",
                                      "\"",   "_",    "-",   "#",
                                      "w",    "www.", "://", "!",
                                      "\\",   "`",    "\t",  "&",
                                      "\v",   "\f",   "\x7f"};
    static const char *const words_and_stars[] = {
        "care", " care", "Day 7 ", " *care*", "*Day*", " **Day 7**", "**care**", " ",
        "*",    "**",    ".",      ",",       " (",    ")",          "'",        "\""};
    int taken = 0, starred = 0;
    CHECK_INT(random_lines(any, sizeof any / sizeof *any, &taken, &starred), 0);
    CHECK(taken > 500); /* a path that something takes */
    taken = starred = 0;
    CHECK_INT(random_lines(words_and_stars, sizeof words_and_stars / sizeof *words_and_stars,
                           &taken, &starred),
              0);
    CHECK(starred > 500);
}
