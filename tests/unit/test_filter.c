/* Tests for the Lua filter engine (filter.c, lua_ast.c) against the user's
 * contract in docs/filters.md: return kinds, traversal order, every
 * constructor rendered to HTML, lazy conversion, error messages, globals
 * and very deep trees. The sandbox and the limits are in
 * test_filter_sandbox.c, which shares the helpers below (tf_*).
 *
 * A filter's source is written to filters/NAME.lua in a fresh folder under
 * /tmp; messages are printed as "file:line: level: message" with that
 * folder cut off, so they read as they would in a project. */
#include "ast.h"
#include "buf.h"
#include "diag.h"
#include "filter.h"
#include "markdown.h"
#include "render_html.h"
#include "test.h"
#include "value.h"
#include "yaml_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers (shared with test_filter_sandbox.c) ---- */

enum { TF_MAX_FILES = 4 };

typedef struct tf {
    char dir[32];                 /* /tmp/cgfilter-XXXXXX */
    char paths[TF_MAX_FILES][96]; /* the files written */
    size_t n_files;
    filter_set set;
    value *settings, *data;
    filter_env *env;
    diag_list load; /* messages while loading the filters and the YAML */
} tf;

typedef struct tf_page {
    const char *title;      /* page.title, and the title markdown_prepare sees */
    const char *front_yaml; /* front matter (as if below a --- on line 1) */
    int unsafe_html;
} tf_page;

typedef struct tf_result {
    int rc;     /* filter_env_run */
    char *html; /* after markdown_prepare and render_html */
    char *msgs; /* every message of the run, one per line */
    diag_list d;
} tf_result;

void tf_init(tf *f, const char *settings_yaml, const char *data_yaml);
void tf_add(tf *f, const char *name, const char *lua);
void tf_start(tf *f);
tf_result tf_run(tf *f, const char *md, tf_page p);
void tf_result_free(tf_result *r);
void tf_release(tf *f);
void tf_free(tf *f);
tf_result tf_filter(const char *lua, const char *md);
char *tf_plain(const char *md);
char *tf_messages(const tf *f, const diag_list *d);

void tf_init(tf *f, const char *settings_yaml, const char *data_yaml) {
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cgfilter-XXXXXX");
    if (!mkdtemp(f->dir)) {
        test_fail(__FILE__, __LINE__, "mkdtemp failed");
        f->dir[0] = '\0';
        return;
    }
    char sub[64];
    snprintf(sub, sizeof sub, "%s/filters", f->dir);
    mkdir(sub, 0700);
    if (settings_yaml)
        f->settings =
            yaml_value_parse(settings_yaml, strlen(settings_yaml), "site.yaml", 0, &f->load);
    if (data_yaml)
        f->data = yaml_value_parse(data_yaml, strlen(data_yaml), "content/_data", 0, &f->load);
}

void tf_add(tf *f, const char *name, const char *lua) {
    if (f->n_files == TF_MAX_FILES || !f->dir[0])
        return;
    char dir[sizeof f->dir];
    memcpy(dir, f->dir, sizeof dir);
    char *path = f->paths[f->n_files++];
    snprintf(path, sizeof f->paths[0], "%s/filters/%s.lua", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        test_fail(__FILE__, __LINE__, "cannot write %s", path);
        return;
    }
    fputs(lua, fp);
    fclose(fp);
    filter_set_add_file(&f->set, path, &f->load);
}

void tf_start(tf *f) {
    filter_set_limits(&f->set, f->settings, "site.yaml", &f->load);
    f->env = filter_env_new(&f->set, f->settings, f->data);
}

char *tf_messages(const tf *f, const diag_list *d) {
    buf b = BUF_INIT;
    size_t cut = f ? strlen(f->dir) : 0;
    for (size_t i = 0; i < d->len; i++) {
        const diag *m = &d->items[i];
        const char *file = m->file ? m->file : "(none)";
        if (cut && !strncmp(file, f->dir, cut) && file[cut] == '/')
            file += cut + 1;
        buf_puts(&b, file);
        if (m->line)
            buf_printf(&b, ":%d", m->line);
        buf_printf(&b, ": %s: %s\n", m->level == DIAG_ERROR ? "error" : "warning", m->message);
    }
    return buf_detach(&b);
}

tf_result tf_run(tf *f, const char *md, tf_page p) {
    tf_result r;
    memset(&r, 0, sizeof r);
    md_doc doc;
    markdown_parse(&doc, md, strlen(md));
    value *front = NULL;
    if (p.front_yaml)
        front = yaml_value_parse(p.front_yaml, strlen(p.front_yaml), "content/x.md", 1, &r.d);
    const char *title = p.title ? p.title : "X page";
    filter_page page = {"content/x.md", front, "x.md", "/x/", "page", "", title};
    r.rc = filter_env_run(f->env, &doc.ast, &page, &r.d);
    md_source src = {"content/x.md", 0, title};
    markdown_prepare(&doc, &src, NULL, NULL, &r.d);
    render_options ro = {p.unsafe_html, "content/x.md", 0};
    buf out = BUF_INIT;
    render_html(doc.ast.root, &ro, &out, &r.d);
    r.html = buf_detach(&out);
    r.msgs = tf_messages(f, &r.d);
    md_doc_free(&doc);
    value_free(front);
    return r;
}

void tf_result_free(tf_result *r) {
    free(r->html);
    free(r->msgs);
    diag_free(&r->d);
}

/* The memory only (a forked child's copy); tf_free also removes the files. */
void tf_release(tf *f) {
    filter_env_free(f->env);
    filter_set_free(&f->set);
    value_free(f->settings);
    value_free(f->data);
    diag_free(&f->load);
    f->env = NULL;
    f->settings = f->data = NULL;
}

void tf_free(tf *f) {
    tf_release(f);
    for (size_t i = 0; i < f->n_files; i++)
        unlink(f->paths[i]);
    if (f->dir[0]) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s/filters", f->dir);
        rmdir(sub);
        rmdir(f->dir);
    }
}

/* One filter (filters/a.lua), default limits, one page. */
tf_result tf_filter(const char *lua, const char *md) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "a", lua);
    if (f.load.len) {
        char *m = tf_messages(&f, &f.load);
        test_fail(__FILE__, __LINE__, "loading the filter: %s", m);
        free(m);
    }
    tf_start(&f);
    tf_result r = tf_run(&f, md, (tf_page){0});
    tf_free(&f);
    return r;
}

/* The HTML of md without any filter. */
char *tf_plain(const char *md) {
    md_doc doc;
    markdown_parse(&doc, md, strlen(md));
    diag_list d = DIAG_LIST_INIT;
    md_source src = {"content/x.md", 0, "X page"};
    markdown_prepare(&doc, &src, NULL, NULL, &d);
    render_options ro = {0, "content/x.md", 0};
    buf out = BUF_INIT;
    render_html(doc.ast.root, &ro, &out, &d);
    md_doc_free(&doc);
    diag_free(&d);
    return buf_detach(&out);
}

/* A Document function that appends a paragraph holding `calls` (a Lua
 * list of strings the other functions filled), joined by commas. */
#define APPEND_CALLS                                                                               \
    "  Document = function(doc)\n"                                                                 \
    "    local c = doc.children\n"                                                                 \
    "    c[#c + 1] = Paragraph(table.concat(calls, \",\"))\n"                                      \
    "    return doc\n"                                                                             \
    "  end,\n"

static const char SAMPLE[] = "Hello *world*.\n\n## Head\n";

/* ---- what a function returns ---- */

TEST(filter_return_nil_keeps_the_node) {
    tf_result r = tf_filter("return { Paragraph = function(el) return nil end,\n"
                            "  Emph = function(el) end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h2 id=\"head\">Head</h2>\n");
    CHECK_STR(r.msgs, "");
    tf_result_free(&r);
}

TEST(filter_return_node_replaces) {
    tf_result r = tf_filter("return { Heading = function(el)\n"
                            "  return CodeBlock(stringify(el) .. \"\\n\", \"txt\") end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n"
                      "<pre><code class=\"language-txt\">Head\n</code></pre>\n");
    tf_result_free(&r);
}

TEST(filter_return_list_splices) {
    tf_result r = tf_filter("return { Paragraph = function(el)\n"
                            "  return {Paragraph(\"one\"), Paragraph(\"two\")} end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>one</p>\n<p>two</p>\n<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
}

TEST(filter_return_inline_list_splices) {
    tf_result r = tf_filter("return { Emph = function(el)\n"
                            "  return {Strong(el.children), \" and \", Code(\"c\")} end }\n",
                            SAMPLE);
    CHECK_STR(r.html, "<p>Hello <strong>world</strong> and <code>c</code>.</p>\n"
                      "<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
}

TEST(filter_return_empty_table_deletes) {
    tf_result r = tf_filter("return { Heading = function(el) return {} end,\n"
                            "  Emph = function(el) return {} end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello .</p>\n");
    tf_result_free(&r);
}

TEST(filter_return_string_from_inline_function_becomes_text) {
    tf_result r = tf_filter("return { Emph = function(el) return \"a<b & c\" end }\n", SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello a&lt;b &amp; c.</p>\n<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
}

/* ---- traversal order ---- */

TEST(filter_default_order_is_children_before_parents) {
    tf_result r =
        tf_filter("local calls = {}\n"
                  "return {\n"
                  "  Paragraph = function(el) calls[#calls + 1] = \"P\" end,\n"
                  "  Emph = function(el) calls[#calls + 1] = \"E\" end,\n"
                  "  Text = function(el) calls[#calls + 1] = \"T:\" .. el.text end,\n"
                  "  Heading = function(el) calls[#calls + 1] = \"H\" end,\n" APPEND_CALLS "}\n",
                  SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h2 id=\"head\">Head</h2>\n"
                      "<p>T:Hello ,T:world,E,T:.,P,T:Head,H</p>\n");
    tf_result_free(&r);
}

TEST(filter_topdown_calls_parents_first_and_false_skips_children) {
    tf_result r =
        tf_filter("local calls = {}\n"
                  "return {\n"
                  "  traverse = \"topdown\",\n"
                  "  Paragraph = function(el) calls[#calls + 1] = \"P\" end,\n"
                  "  Emph = function(el) calls[#calls + 1] = \"E\"; return nil, false end,\n"
                  "  Text = function(el) calls[#calls + 1] = \"T:\" .. el.text end,\n"
                  "  Heading = function(el) calls[#calls + 1] = \"H\" end,\n" APPEND_CALLS "}\n",
                  SAMPLE);
    CHECK_INT(r.rc, 0);
    /* the Emph's Text "world" is skipped; the Heading's is not */
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h2 id=\"head\">Head</h2>\n"
                      "<p>P,T:Hello ,E,T:.,H,T:Head</p>\n");
    tf_result_free(&r);
}

TEST(filter_topdown_delete_last_child_goes_on_with_the_rest) {
    tf_result r =
        tf_filter("local calls = {}\n"
                  "return {\n"
                  "  traverse = \"topdown\",\n"
                  "  Emph = function(el) return {} end,\n"
                  "  Text = function(el) calls[#calls + 1] = el.text end,\n" APPEND_CALLS "}\n",
                  "a *b*\n\nc *d*\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>a </p>\n<p>c </p>\n<p>a ,c </p>\n");
    tf_result_free(&r);
}

TEST(filter_block_and_inline_catch_alls) {
    tf_result r = tf_filter(
        "local calls = {}\n"
        "return {\n"
        "  Block = function(el) calls[#calls + 1] = \"B:\" .. el.t end,\n"
        "  Inline = function(el) calls[#calls + 1] = \"I:\" .. el.t end,\n" APPEND_CALLS "}\n",
        "Hello *world*.\n\n> ## Head\n");
    CHECK_INT(r.rc, 0);
    CHECK_CONTAINS(r.html, "<p>I:Text,I:Text,I:Emph,I:Text,B:Paragraph,I:Text,B:Heading,"
                           "B:BlockQuote</p>\n");
    tf_result_free(&r);
}

TEST(filter_specific_key_wins_over_the_catch_all) {
    tf_result r =
        tf_filter("local calls = {}\n"
                  "return {\n"
                  "  Block = function(el) calls[#calls + 1] = \"B:\" .. el.t end,\n"
                  "  Paragraph = function(el) calls[#calls + 1] = \"P\" end,\n"
                  "  Inline = function(el) calls[#calls + 1] = \"I:\" .. el.t end,\n"
                  "  Emph = function(el) calls[#calls + 1] = \"E\" end,\n" APPEND_CALLS "}\n",
                  SAMPLE);
    CHECK_CONTAINS(r.html, "<p>I:Text,I:Text,E,I:Text,P,I:Text,B:Heading</p>\n");
    tf_result_free(&r);
}

TEST(filter_document_runs_once_at_the_end_and_appends) {
    tf_result r = tf_filter(
        "local calls, docs = {}, 0\n"
        "return {\n"
        "  Heading = function(el) calls[#calls + 1] = \"H\" end,\n"
        "  Document = function(doc)\n"
        "    docs = docs + 1\n"
        "    local c = doc.children\n"
        "    c[#c + 1] = Paragraph(table.concat(calls, \",\") .. \" then Document \" .. docs)\n"
        "    c[#c + 1] = ThematicBreak()\n"
        "    return doc\n"
        "  end,\n"
        "}\n",
        SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h2 id=\"head\">Head</h2>\n"
                      "<p>H then Document 1</p>\n<hr>\n");
    tf_result_free(&r);
}

TEST(filter_file_returning_a_list_runs_each_table_in_order) {
    tf_result r = tf_filter("return {\n"
                            "  { Text = function(el) return Text(el.text:upper()) end },\n"
                            "  { Text = function(el) return Text(el.text .. \"!\") end,\n"
                            "    Document = function(doc)\n"
                            "      local c = doc.children\n"
                            "      c[#c + 1] = Paragraph(\"last\")\n"
                            "      return doc\n"
                            "    end },\n"
                            "}\n",
                            "ab *cd*\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>AB !<em>CD!</em></p>\n<p>last</p>\n");
    tf_result_free(&r);
}

TEST(filter_files_run_in_the_listed_order) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "first", "return { Text = function(el) return Text(el.text .. \"1\") end }\n");
    tf_add(&f, "second", "return { Text = function(el) return Text(el.text .. \"2\") end }\n");
    tf_start(&f);
    tf_result r = tf_run(&f, "x\n", (tf_page){0});
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>x12</p>\n");
    tf_result_free(&r);
    tf_free(&f);
}

TEST(filter_top_level_locals_start_afresh_on_every_page) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "a",
           "local seen = 0\n"
           "return { Paragraph = function(el) seen = seen + 1 end,\n"
           "  Document = function(doc)\n"
           "    local c = doc.children; c[#c + 1] = Paragraph(\"seen \" .. seen); return doc\n"
           "  end }\n");
    tf_start(&f);
    tf_result r1 = tf_run(&f, "a\n\nb\n", (tf_page){0});
    tf_result r2 = tf_run(&f, "c\n", (tf_page){0});
    CHECK_STR(r1.html, "<p>a</p>\n<p>b</p>\n<p>seen 2</p>\n");
    CHECK_STR(r2.html, "<p>c</p>\n<p>seen 1</p>\n");
    tf_result_free(&r1);
    tf_result_free(&r2);
    tf_free(&f);
}

/* ---- constructors, rendered ---- */

/* A Document function that replaces the body with the blocks in `blocks`. */
static tf_result build(const char *blocks, int unsafe) {
    char *lua = xasprintf("return { Document = function(doc)\n"
                          "  return Document{\n%s\n  }\n"
                          "end }\n",
                          blocks);
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "a", lua);
    free(lua);
    tf_start(&f);
    tf_result r = tf_run(&f, "placeholder\n", (tf_page){.unsafe_html = unsafe});
    tf_free(&f);
    return r;
}

TEST(filter_construct_heading_levels) {
    /* (a paragraph first: an opening level-1 heading is the page title's business) */
    tf_result r = build("Paragraph(\"p\"), Heading(1, \"One\"), Heading(3, \"Three\"), "
                        "Heading(6, {\"Six\"})",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>p</p>\n<h1 id=\"one\">One</h1>\n<h3 id=\"three\">Three</h3>\n"
                      "<h6 id=\"six\">Six</h6>\n");
    CHECK_STR(r.msgs, "");
    tf_result_free(&r);
}

TEST(filter_construct_paragraph_and_blockquote) {
    tf_result r = build("Paragraph(\"plain\"),\n"
                        "BlockQuote{Paragraph(\"quoted\"), BlockQuote(Paragraph(\"deeper\"))}",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>plain</p>\n<blockquote>\n<p>quoted</p>\n"
                      "<blockquote>\n<p>deeper</p>\n</blockquote>\n</blockquote>\n");
    tf_result_free(&r);
}

TEST(filter_construct_lists_and_items) {
    tf_result r = build("List({Item{Paragraph(\"a\")}, Item{Paragraph(\"b\")}}, true, 3),\n"
                        "List({Item(Paragraph(\"x\")), Item{Paragraph(\"y\")}}),\n"
                        "List({Item{Paragraph(\"p\"), Paragraph(\"q\")}}, false, 1, false),\n"
                        "List{ordered = true, children = {Item{Paragraph(\"one\")}}}",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n"
                      "<ul>\n<li>x</li>\n<li>y</li>\n</ul>\n"
                      "<ul>\n<li>\n<p>p</p>\n<p>q</p>\n</li>\n</ul>\n"
                      "<ol>\n<li>one</li>\n</ol>\n");
    tf_result_free(&r);
}

TEST(filter_construct_code_block_with_info) {
    tf_result r = build("CodeBlock(\"int x = a < b;\\n\", \"c extra words\"),\n"
                        "CodeBlock(\"plain\\n\")",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<pre><code class=\"language-c\">int x = a &lt; b;\n</code></pre>\n"
                      "<pre><code>plain\n</code></pre>\n");
    tf_result_free(&r);
}

TEST(filter_construct_html_block_is_left_out_with_a_warning) {
    tf_result r = build("Paragraph(\"before\"), HtmlBlock(\"<div class=x>raw</div>\"), "
                        "Paragraph(\"after\")",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>before</p>\n<p>after</p>\n");
    CHECK_STR(r.msgs, "content/x.md: warning: raw HTML is left out of the page (set "
                      "'unsafe_html: true' in site.yaml only if you trust every writer)\n");
    tf_result_free(&r);
    r = build("HtmlBlock(\"<div class=x>raw</div>\")", 1);
    CHECK_STR(r.html, "<div class=\"x\">raw</div>\n"); /* as html_sanitize writes tags */
    CHECK_STR(r.msgs, "");
    tf_result_free(&r);
}

TEST(filter_construct_thematic_break) {
    tf_result r = build("Paragraph(\"a\"), ThematicBreak(), Paragraph(\"b\")", 0);
    CHECK_STR(r.html, "<p>a</p>\n<hr>\n<p>b</p>\n");
    tf_result_free(&r);
}

TEST(filter_construct_table_from_rows_and_cells) {
    tf_result r = build("Table({\n"
                        "  TableRow({TableCell(\"H1\"), TableCell(\"H2\")}, true),\n"
                        "  TableRow({TableCell(\"a\"), TableCell{Emph(\"b\")}}),\n"
                        "  TableRow({TableCell(\"c\")}),\n"
                        "}, {\"left\", \"right\"})",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\" class=\"align-left\">H1</th>\n"
                      "<th scope=\"col\" class=\"align-right\">H2</th>\n"
                      "</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td class=\"align-left\">a</td>\n"
                      "<td class=\"align-right\"><em>b</em></td>\n"
                      "</tr>\n<tr>\n"
                      "<td class=\"align-left\">c</td>\n"
                      "<td class=\"align-right\"></td>\n"
                      "</tr>\n</tbody>\n</table></div>\n");
    tf_result_free(&r);
}

TEST(filter_construct_simple_table) {
    tf_result r =
        build("SimpleTable({\"When\", \"Do\", \"Note\"},\n"
              "  {{\"Day 1\", \"Rest\"}, {\"Day 2\", Emph{\"Walk\"}, {\"a \", Code(\"b\")}}},\n"
              "  {\"\", \"center\", \"right\"})",
              0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\">When</th>\n"
                      "<th scope=\"col\" class=\"align-center\">Do</th>\n"
                      "<th scope=\"col\" class=\"align-right\">Note</th>\n"
                      "</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td>Day 1</td>\n"
                      "<td class=\"align-center\">Rest</td>\n"
                      "<td class=\"align-right\"></td>\n"
                      "</tr>\n<tr>\n"
                      "<td>Day 2</td>\n"
                      "<td class=\"align-center\"><em>Walk</em></td>\n"
                      "<td class=\"align-right\">a <code>b</code></td>\n"
                      "</tr>\n</tbody>\n</table></div>\n");
    tf_result_free(&r);
}

TEST(filter_construct_simple_table_without_alignments) {
    tf_result r = build("SimpleTable({\"A\", \"B\"}, {{\"1\"}})", 0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\">A</th>\n<th scope=\"col\">B</th>\n"
                      "</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td>1</td>\n<td></td>\n"
                      "</tr>\n</tbody>\n</table></div>\n");
    tf_result_free(&r);
}

TEST(filter_construct_footnotes) {
    tf_result r = build("Paragraph{\"Note\", FootnoteReference(1), \".\"},\n"
                        "FootnoteDefinition(1, {Paragraph(\"The note.\")})",
                        0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Note<sup class=\"footnote-ref\"><a href=\"#footnote-1\" "
                      "id=\"footnote-ref-1\">1</a></sup>.</p>\n"
                      "<section class=\"footnotes\" aria-label=\"References\">\n<ol>\n"
                      "<li id=\"footnote-1\">\n"
                      "<p>The note. <a href=\"#footnote-ref-1\" class=\"footnote-backref\" "
                      "aria-label=\"Back to reference 1\">\xE2\x86\xA9</a></p>\n"
                      "</li>\n</ol>\n</section>\n");
    tf_result_free(&r);
}

TEST(filter_construct_div_aside_is_labelled_by_its_heading) {
    tf_result r =
        build("Div({Paragraph(\"intro\"), Heading(2, \"Call us\"), Paragraph(\"Phone\")},\n"
              "    \"call-provider box\", \"aside\"),\n"
              "Div({Heading(3, \"Part\")}, nil, \"section\"),\n"
              "Div({Paragraph(\"plain\")}, \"note\"),\n"
              "Heading(2, \"Before\"), Div({Paragraph(\"boxed\")}, \"\", \"aside\")",
              0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<aside class=\"call-provider box\" aria-labelledby=\"call-us\">\n"
                      "<p>intro</p>\n<h2 id=\"call-us\">Call us</h2>\n<p>Phone</p>\n</aside>\n"
                      "<section aria-labelledby=\"part\">\n<h3 id=\"part\">Part</h3>\n</section>\n"
                      "<div class=\"note\">\n<p>plain</p>\n</div>\n"
                      "<h2 id=\"before\">Before</h2>\n"
                      "<aside aria-labelledby=\"before\">\n<p>boxed</p>\n</aside>\n");
    tf_result_free(&r);
}

TEST(filter_construct_every_inline) {
    tf_result r =
        build("Paragraph{Text(\"t \"), Emph(\"e\"), \" \", Strong{\"s\"}, \" \",\n"
              "  Strikethrough(\"k\"), \" \", Link(\"our FAQ\", \"/faq/\", \"Questions\"),\n"
              "  \" \", Link({Emph(\"x\")}, \"/y/\"), \" \",\n"
              "  Image({\"alt \", Emph(\"text\")}, \"/i.png\", \"T\"), \" \",\n"
              "  Code(\"c<\"), \" \", HtmlInline(\"<b>\"), \"h\", SoftBreak(), \"l\",\n"
              "  LineBreak(), \"m\"}",
              0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>t <em>e</em> <strong>s</strong> <del>k</del> "
                      "<a href=\"/faq/\" title=\"Questions\">our FAQ</a> "
                      "<a href=\"/y/\"><em>x</em></a> "
                      "<img src=\"/i.png\" alt=\"alt text\" title=\"T\" loading=\"lazy\"> "
                      "<code>c&lt;</code> h\nl<br>\nm</p>\n");
    CHECK_STR(r.msgs, "content/x.md: warning: raw HTML is left out of the page (set "
                      "'unsafe_html: true' in site.yaml only if you trust every writer)\n");
    tf_result_free(&r);
    r = build("Paragraph{\"a\", HtmlInline(\"<b>\"), \"b\", HtmlInline(\"</b>\")}", 1);
    CHECK_STR(r.html, "<p>a<b>b</b></p>\n");
    tf_result_free(&r);
}

TEST(filter_construct_named_fields_equal_positional) {
    tf_result named =
        build("Heading{level = 2, children = {\"x\"}},\n"
              "Paragraph{Link{url = \"/a/\", title = \"T\", children = {\"l\"}}},\n"
              "List{ordered = true, start = 4, children = {Item{Paragraph(\"i\")}}},\n"
              "CodeBlock{text = \"t\\n\", info = \"sh\"},\n"
              "Div{class = \"c\", element = \"aside\", children = {Heading{level = 3, children = "
              "\"h\"}}},\n"
              "Paragraph{FootnoteReference{number = 1}},\n"
              "FootnoteDefinition{number = 1, children = {Paragraph{children = {\"n\"}}}}",
              0);
    tf_result positional = build("Heading(2, \"x\"),\n"
                                 "Paragraph{Link(\"l\", \"/a/\", \"T\")},\n"
                                 "List({Item{Paragraph(\"i\")}}, true, 4),\n"
                                 "CodeBlock(\"t\\n\", \"sh\"),\n"
                                 "Div({Heading(3, \"h\")}, \"c\", \"aside\"),\n"
                                 "Paragraph(FootnoteReference(1)),\n"
                                 "FootnoteDefinition(1, {Paragraph(\"n\")})",
                                 0);
    CHECK_INT(named.rc, 0);
    CHECK_STR(named.msgs, "");
    CHECK_INT(positional.rc, 0);
    CHECK_STR(named.html, positional.html);
    CHECK_CONTAINS(named.html, "<h2 id=\"x\">x</h2>\n<p><a href=\"/a/\" title=\"T\">l</a></p>\n"
                               "<ol start=\"4\">\n<li>i</li>\n</ol>\n");
    tf_result_free(&named);
    tf_result_free(&positional);
}

TEST(filter_construct_strings_accepted_where_inlines_are_expected) {
    tf_result r =
        build("Heading(2, \"h\"), Paragraph(\"p\"), Paragraph{\"a\", Emph{\"b\"}, \"c\"},\n"
              "Paragraph{Strong(\"s\"), Link(\"l\", \"/u/\"), Image(\"alt\", \"/i.png\")},\n"
              "SimpleTable({TableCell(\"x\")}, {{\"y\"}})",
              0);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<h2 id=\"h\">h</h2>\n<p>p</p>\n<p>a<em>b</em>c</p>\n"
                      "<p><strong>s</strong><a href=\"/u/\">l</a>"
                      "<img src=\"/i.png\" alt=\"alt\" loading=\"lazy\"></p>\n"
                      "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\">x</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td>y</td>\n</tr>\n</tbody>\n</table></div>\n");
    tf_result_free(&r);
}

TEST(filter_node_fields_as_documented) {
    tf_result r = tf_filter(
        "local out = {}\n"
        "local function add(s) out[#out + 1] = s end\n"
        "return {\n"
        "  Heading = function(el) add(el.t .. \" \" .. el.level) end,\n"
        "  List = function(el) add(el.t .. \" \" .. tostring(el.ordered) .. \" \" .. el.start .. "
        "\" \" .. tostring(el.tight)) end,\n"
        "  CodeBlock = function(el) add(el.t .. \" \" .. el.info .. \" \" .. el.text) end,\n"
        "  Link = function(el) add(el.t .. \" \" .. el.url .. \" \" .. el.title .. \" \" .. "
        "stringify(el.children)) end,\n"
        "  Image = function(el) add(el.t .. \" \" .. el.url .. \" [\" .. el.title .. \"] \" .. "
        "stringify(el)) end,\n"
        "  Code = function(el) add(el.t .. \" \" .. el.text) end,\n"
        "  Table = function(el) add(el.t .. \" \" .. table.concat(el.alignments, \"|\") .. \" \" "
        ".. #el.children) end,\n"
        "  TableRow = function(el) add(el.t .. \" \" .. tostring(el.header)) end,\n"
        "  FootnoteReference = function(el) add(el.t .. \" \" .. el.number) end,\n"
        "  FootnoteDefinition = function(el) add(el.t .. \" \" .. el.number) end,\n"
        "  Document = function(doc) local c = doc.children; c[#c + 1] = "
        "CodeBlock(table.concat(out, \"\\n\")); return doc end,\n"
        "}\n",
        "## Title\n\n3. one\n4. two\n\n```lua x\nprint(1)\n```\n\n[l *e*](/u/ \"T\") "
        "![alt](/i.png) `c`[^n]\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n[^n]: note\n");
    CHECK_INT(r.rc, 0);
    CHECK_CONTAINS(r.html, "<pre><code>Heading 2\n"
                           "List true 3 true\n"
                           "CodeBlock lua x print(1)\n\n"
                           "Link /u/ T l e\n"
                           "Image /i.png [] alt\n"
                           "Code c\n"
                           "FootnoteReference 1\n"
                           "TableRow true\n"
                           "TableRow false\n"
                           "Table left|right 2\n"
                           "FootnoteDefinition 1</code></pre>\n");
    tf_result_free(&r);
}

/* ---- helpers ---- */

TEST(filter_stringify_node_list_and_string) {
    tf_result r = tf_filter(
        "return { Paragraph = function(el)\n"
        "  return Paragraph{\"[\" .. stringify(el) .. \"] [\" ..\n"
        "    stringify({Text(\"a\"), Emph{\"b\", Code(\"c\")}, \"d\", LineBreak(), \"e\"}) ..\n"
        "    \"] [\" .. stringify(\"s\") .. \"]\"}\n"
        "end }\n",
        "Hello *world* `x`\nnext\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>[Hello world x next] [abcd e] [s]</p>\n");
    tf_result_free(&r);
}

TEST(filter_walk_on_a_node) {
    tf_result r =
        tf_filter("return { Heading = function(el)\n"
                  "  if el.level ~= 2 then return nil end\n"
                  "  return walk(el, { Text = function(t) return Text(t.text:upper()) end })\n"
                  "end }\n",
                  "### Small *one*\n\n## Big *one*\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<h3 id=\"small-one\">Small <em>one</em></h3>\n"
                      "<h2 id=\"big-one\">BIG <em>ONE</em></h2>\n");
    tf_result_free(&r);
}

TEST(filter_parse_returns_blocks_usable_in_a_filter) {
    tf_result r =
        tf_filter("return { Heading = function(el)\n"
                  "  local blocks = parse(\"*a* b\")\n"
                  "  local cell = parse(\"`c` d\")[1].children\n"
                  "  blocks[#blocks + 1] = SimpleTable({\"H\"}, {{cell}})\n"
                  "  blocks[#blocks + 1] = Paragraph{\"t=\" .. blocks[1].t, \" n=\" .. #blocks}\n"
                  "  return blocks\n"
                  "end }\n",
                  "## Head\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p><em>a</em> b</p>\n"
                      "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\">H</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td><code>c</code> d</td>\n</tr>\n</tbody>\n</table></div>\n"
                      "<p>t=Paragraph n=2</p>\n");
    tf_result_free(&r);
}

TEST(filter_parse_refuses_text_past_the_markdown_limits) {
    /* front matter can hold anything; cmark-gfm would take minutes on this */
    tf_result r = tf_filter("return { Heading = function(el)\n"
                            "  return parse(string.rep(\"![[]()\", 5000))\n"
                            "end }\n",
                            "## Head\n");
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:2: error: this Markdown text is past a limit (its line 1: "
                      "this paragraph (or list or table) holds more than 1000 '[' before a blank "
                      "line; split it with blank lines) (in the Heading function, while filtering "
                      "content/x.md)\n");
    tf_result_free(&r);
}

/* ---- lazy conversion ---- */

static const char RICH[] =
    "Intro with *emph **strong** `code`* and [a link](/x/ \"t\") and ![img](/i.png).\n"
    "Second line[^1].\n"
    "\n"
    "> Quote with a list:\n"
    ">\n"
    "> 1. one *two*\n"
    ">    - nested ~~gone~~\n"
    ">\n"
    ">    more text\n"
    "\n"
    "| a | b |\n"
    "|:-:|---|\n"
    "| *x* | y |\n"
    "\n"
    "[^1]: The *note* here.\n";

TEST(filter_lazy_return_el_unchanged_is_identity) {
    char *plain = tf_plain(RICH);
    tf_result r = tf_filter("return { Paragraph = function(el) return el end }\n", RICH);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, plain);
    tf_result_free(&r);
    r = tf_filter("return { Block = function(el) return el end,\n"
                  "  Inline = function(el) return el end }\n",
                  RICH);
    CHECK_STR(r.html, plain);
    tf_result_free(&r);
    free(plain);
}

TEST(filter_lazy_rebuilt_from_children_is_identity) {
    char *plain = tf_plain(RICH);
    tf_result r =
        tf_filter("return { Paragraph = function(el) return Paragraph(el.children) end }\n", RICH);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, plain);
    tf_result_free(&r);
    r = tf_filter("return { BlockQuote = function(el) return BlockQuote(el.children) end,\n"
                  "  Emph = function(el) return Emph(el.children) end }\n",
                  RICH);
    CHECK_STR(r.html, plain);
    tf_result_free(&r);
    free(plain);
}

TEST(filter_lazy_same_table_returned_twice_duplicates) {
    tf_result r = tf_filter("return { Paragraph = function(el) return {el, el} end }\n", SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<p>Hello <em>world</em>.</p>\n"
                      "<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
    r = tf_filter("return { BlockQuote = function(el) return {el, ThematicBreak(), el} end }\n",
                  "> a *b*\n>\n> - c\n");
    CHECK_STR(r.html,
              "<blockquote>\n<p>a <em>b</em></p>\n<ul>\n<li>c</li>\n</ul>\n</blockquote>\n"
              "<hr>\n"
              "<blockquote>\n<p>a <em>b</em></p>\n<ul>\n<li>c</li>\n</ul>\n</blockquote>\n");
    tf_result_free(&r);
    /* children read first: the child tables are the ones used twice */
    r = tf_filter(
        "return { Paragraph = function(el) local _ = el.children; return {el, el} end }\n", SAMPLE);
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<p>Hello <em>world</em>.</p>\n"
                      "<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
}

/* ---- errors ---- */

TEST(filter_error_constructor_level_out_of_range) {
    tf_result r = tf_filter("return { Heading = function(el)\n"
                            "  return Heading(9, \"x\") end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:2: error: Heading.level must be a whole number from 1 to 6 "
                      "(in the Heading function, while filtering content/x.md)\n");
    CHECK_INT(r.d.len, 1);
    if (r.d.len) {
        CHECK_CONTAINS(r.d.items[0].file, "/filters/a.lua");
        CHECK_INT(r.d.items[0].line, 2);
        CHECK_INT(r.d.items[0].level, DIAG_ERROR);
    }
    tf_result_free(&r);
}

TEST(filter_error_constructor_block_inside_paragraph) {
    tf_result r = tf_filter("return {\n"
                            "  Heading = function(el)\n"
                            "    return Paragraph(Heading(2, \"x\")) end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:3: error: a Heading cannot go inside a Paragraph, which holds "
                      "inlines: Text, Emph, Link, ... or strings (in the Heading function, while "
                      "filtering content/x.md)\n");
    tf_result_free(&r);
}

TEST(filter_error_constructor_row_longer_than_the_table) {
    tf_result r =
        tf_filter("return { Heading = function(el)\n"
                  "  local row = TableRow({TableCell(\"a\"), TableCell(\"b\"), TableCell(\"c\")})\n"
                  "  return Table({row}, {\"left\", \"right\"}) end }\n",
                  SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:3: error: a TableRow has 3 cells but the table has 2 columns "
                      "(in the Heading function, while filtering content/x.md)\n");
    tf_result_free(&r);
    r = tf_filter("return { Heading = function(el)\n"
                  "  return SimpleTable({\"a\"}, {{\"1\", \"2\"}}) end }\n",
                  SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.msgs, "filters/a.lua:2: error: a TableRow has 2 cells but the table has 1 ");
    CHECK_CONTAINS(r.msgs, "(in the Heading function, while filtering content/x.md)\n");
    tf_result_free(&r);
}

TEST(filter_error_block_returned_where_an_inline_belongs) {
    tf_result r = tf_filter("return {\n"
                            "  Text = function(el) return Paragraph(\"x\") end,\n"
                            "}\n",
                            SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.d.errors, 1);
    if (r.d.len) {
        CHECK_CONTAINS(r.d.items[0].file, "/filters/a.lua");
        CHECK_INT(r.d.items[0].line, 2); /* the function's line */
        CHECK_CONTAINS(r.d.items[0].message, "the Text function returned a Paragraph");
        CHECK_CONTAINS(r.d.items[0].message, "cannot go inside a Paragraph");
        CHECK_CONTAINS(r.d.items[0].message, "inlines");
        CHECK_CONTAINS(r.d.items[0].message, "while filtering content/x.md");
    }
    /* nothing of the failed replacement is left in the page */
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
}

TEST(filter_error_hand_built_node_returned_wrong) {
    tf_result r = tf_filter(
        "return {\n"
        "  Heading = function(el) return {t = \"Heading\", level = 9, children = {\"x\"}} end,\n"
        "}\n",
        SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:2: error: the Heading function returned a node built wrong: "
                      "Heading.level must be a whole number from 1 to 6 (while filtering "
                      "content/x.md)\n");
    tf_result_free(&r);
    r = tf_filter("return {\n"
                  "  Paragraph = function(el) return {t = \"Paragraph\", children = {{t = "
                  "\"Heading\", level = 2}}} end,\n"
                  "}\n",
                  SAMPLE);
    CHECK_STR(r.msgs, "filters/a.lua:2: error: the Paragraph function returned a node built wrong: "
                      "a Heading cannot go inside a Paragraph, which holds inlines: Text, Emph, "
                      "Link, ... or strings (while filtering content/x.md)\n");
    tf_result_free(&r);
    /* a field read through a metamethod that fails after a mistake was
     * found: the mistake is the message, not the two run together */
    r = tf_filter("return {\n"
                  "  Heading = function(el) return setmetatable({t = \"Link\", url = {}},\n"
                  "    {__index = function() error(\"boom\") end}) end,\n"
                  "}\n",
                  SAMPLE);
    CHECK_STR(r.msgs, "filters/a.lua:2: error: the Heading function returned a node built wrong: "
                      "Link must be text ('url' is a table) (while filtering content/x.md)\n");
    tf_result_free(&r);
}

TEST(filter_error_at_runtime_names_line_function_and_page) {
    tf_result r = tf_filter("return {\n"
                            "  Heading = function(el)\n"
                            "    local x = nil; x.y = 1\n"
                            "  end,\n"
                            "}\n",
                            SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:3: error: attempt to index a nil value (local 'x') (in the "
                      "Heading function, while filtering content/x.md)\n");
    tf_result_free(&r);
}

TEST(filter_error_filter_not_returning_a_table) {
    tf_result r = tf_filter("local x = 1\nreturn 42\n", SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua: error: a filter must return a table of functions (when "
                      "loaded, while filtering content/x.md)\n");
    /* the page is left as it was */
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h2 id=\"head\">Head</h2>\n");
    tf_result_free(&r);
}

TEST(filter_error_syntax_when_the_file_is_added) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "a", "return {\n  Heading = function(el)\n    return el +\n  end }\n");
    CHECK_INT(f.set.len, 0);
    char *m = tf_messages(&f, &f.load);
    CHECK_CONTAINS(m, "filters/a.lua:4: error: unexpected symbol near 'end'");
    free(m);
    tf_free(&f);
}

TEST(filter_log_warn_at_the_calling_line) {
    tf_result r = tf_filter("return {\n"
                            "  Heading = function(el)\n"
                            "    log.warn(\"careful: \" .. stringify(el))\n"
                            "  end,\n"
                            "}\n",
                            SAMPLE);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "filters/a.lua:3: warning: careful: Head (while filtering content/x.md)\n");
    CHECK_INT(r.d.warnings, 1);
    CHECK_INT(r.d.errors, 0);
    tf_result_free(&r);
}

TEST(filter_log_error_at_the_page_line_and_goes_on) {
    tf_result r = tf_filter("return {\n"
                            "  Heading = function(el)\n"
                            "    log.error(\"the heading is wrong\", 7)\n"
                            "    log.error(\"no line\")\n"
                            "    return Heading(3, \"changed\")\n"
                            "  end,\n"
                            "}\n",
                            SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "content/x.md:7: error: the heading is wrong\n"
                      "content/x.md: error: no line\n");
    if (r.d.len) {
        CHECK_STR(r.d.items[0].file, "content/x.md");
        CHECK_INT(r.d.items[0].line, 7);
    }
    CHECK_STR(r.html, "<p>Hello <em>world</em>.</p>\n<h3 id=\"changed\">changed</h3>\n");
    tf_result_free(&r);
}

/* ---- globals ---- */

static const char FRONT[] = "title: Peel\n"
                            "duration: 30\n"
                            "tags: [skin, face]\n"
                            "contraindications:\n"
                            "  - ref: pregnancy\n"
                            "  - ref: isotretinoin\n"
                            "    months: 6\n";

TEST(filter_globals_page_and_page_lines) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(
        &f, "a",
        "return { Document = function(doc)\n"
        "  local c = doc.children\n"
        "  c[#c + 1] = Paragraph(page.title .. \"|\" .. page.kind .. \"|\" .. page.url ..\n"
        "    \"|\" .. page.path .. \"|\" .. page.duration .. \"|\" .. page.tags[2] .. \"|\" .. "
        "#page.tags ..\n"
        "    \"|\" .. page.contraindications[2].ref .. \"|\" .. page.contraindications[2].months)\n"
        "  c[#c + 1] = Paragraph(page_lines.title .. \"|\" .. page_lines.duration .. \"|\" ..\n"
        "    page_lines.contraindications[2].ref .. \"|\" .. "
        "page_lines.contraindications[2].months)\n"
        "  local keys = {}\n"
        "  for k in pairs(page.contraindications[1]) do keys[#keys + 1] = k end\n"
        "  local n = 0\n"
        "  for _, v in ipairs(page.tags) do n = n + #v end\n"
        "  c[#c + 1] = Paragraph(table.concat(keys, \",\") .. \"|\" .. n)\n"
        "  return doc\n"
        "end }\n");
    tf_start(&f);
    tf_result r = tf_run(&f, "body\n", (tf_page){.title = "Peel", .front_yaml = FRONT});
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<p>body</p>\n"
                      "<p>Peel|page|/x/|x.md|30|face|2|isotretinoin|6</p>\n"
                      "<p>2|3|7|8</p>\n"
                      "<p>ref|8</p>\n");
    tf_result_free(&r);
    tf_free(&f);
}

TEST(filter_globals_site_and_data) {
    tf f;
    tf_init(&f,
            "title: Bright Clinic\nbase_url: https://clinic.example/\nlanguage: en\n"
            "params_key: 5\n",
            "clinics:\n  - name: North\n    phone: \"555-0100\"\n  - name: South\n");
    tf_add(
        &f, "a",
        "return { Document = function(doc)\n"
        "  local c = doc.children\n"
        "  c[#c + 1] = Paragraph(site.title .. \"|\" .. site.base_url .. \"|\" .. site.language "
        "..\n"
        "    \"|\" .. site.params.params_key .. \"|\" .. site.data.clinics[1].phone .. \"|\" ..\n"
        "    site.data.clinics[2].name .. \"|\" .. #site.data.clinics)\n"
        "  return doc\n"
        "end }\n");
    tf_start(&f);
    tf_result r = tf_run(&f, "body\n", (tf_page){0});
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<p>body</p>\n"
                      "<p>Bright Clinic|https://clinic.example/|en|5|555-0100|South|2</p>\n");
    tf_result_free(&r);
    tf_free(&f);
}

TEST(filter_globals_page_lines_has_the_shape_of_the_front_matter) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(
        &f, "a",
        "return { Document = function(doc)\n"
        "  local keys = {}\n"
        "  for k, line in pairs(page_lines) do keys[#keys + 1] = k .. \"=\" .. tostring(line) end\n"
        "  table.sort(keys)\n"
        "  local c = doc.children\n"
        "  c[#c + 1] = Paragraph(table.concat(keys, \",\"))\n"
        "  return doc\n"
        "end }\n");
    tf_start(&f);
    tf_result r = tf_run(&f, "body\n",
                         (tf_page){.title = "Peel", .front_yaml = "title: Peel\nduration: 30\n"});
    CHECK_INT(r.rc, 0);
    /* pairs over page_lines, before any key was read */
    CHECK_STR(r.html, "<p>body</p>\n<p>duration=3,title=2</p>\n");
    tf_result_free(&r);
    tf_free(&f);
}

/* Runs one statement in a Heading function; returns the messages. */
static char *readonly_try(const char *stmt) {
    tf f;
    tf_init(&f, "title: Bright Clinic\n", "clinics:\n  - name: North\n");
    char *lua = xasprintf("return {\n  Heading = function(el)\n    %s\n  end,\n}\n", stmt);
    tf_add(&f, "a", lua);
    free(lua);
    tf_start(&f);
    tf_result r = tf_run(&f, SAMPLE, (tf_page){.front_yaml = FRONT});
    CHECK_INT(r.rc, -1);
    char *m = r.msgs;
    r.msgs = NULL;
    tf_result_free(&r);
    tf_free(&f);
    return m;
}

TEST(filter_globals_site_and_libraries_are_read_only) {
    static const char *const stmts[] = {
        "site.title = 1",
        "site.x = 1",
        "site.data.clinics[1].name = \"x\"",
        "site.params.title = \"x\"",
        "string.upper = nil",
        "table.concat = nil",
        "math.pi = 3",
        "utf8.char = nil",
        "log.warn = nil",
    };
    for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++) {
        char *m = readonly_try(stmts[i]);
        int ok = m && strstr(m, "filters/a.lua:3: error: ") && strstr(m, "read-only") &&
                 strstr(m, "(in the Heading function, while filtering content/x.md)\n");
        if (!ok)
            test_fail(__FILE__, __LINE__, "%s: expected a read-only error, got \"%s\"", stmts[i],
                      m ? m : "(null)");
        free(m);
    }
    char *m = readonly_try("site.title = 1");
    CHECK_STR(m, "filters/a.lua:3: error: site and the libraries are read-only: they are shared "
                 "by every page (in the Heading function, while filtering content/x.md)\n");
    free(m);
}

/* The change is made inside a library function (table.insert): the error
 * should still point at the filter's line, like every other error. */
TEST(filter_globals_read_only_error_through_a_library_names_the_line) {
    char *m = readonly_try("table.insert(site.data.clinics, \"x\")");
    CHECK_STR(m, "filters/a.lua:3: error: site and the libraries are read-only: they are shared "
                 "by every page (in the Heading function, while filtering content/x.md)\n");
    free(m);
}

TEST(filter_globals_page_changes_reach_later_filters_of_the_same_page_only) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "first",
           "if page.title == \"one\" then\n"
           "  page.x = \"set\"\n"
           "  page.duration = 99\n"
           "  page.contraindications[1].ref = \"changed\"\n"
           "  page_lines.duration = 1\n"
           "end\n"
           "return {}\n");
    tf_add(
        &f, "second",
        "return { Document = function(doc)\n"
        "  local c = doc.children\n"
        "  c[#c + 1] = Paragraph(tostring(page.x) .. \"|\" .. tostring(page.duration) .. \"|\" ..\n"
        "    page.contraindications[1].ref .. \"|\" .. tostring(page_lines.duration))\n"
        "  return doc\n"
        "end }\n");
    tf_start(&f);
    tf_result r1 = tf_run(&f, "body\n", (tf_page){.title = "one", .front_yaml = FRONT});
    tf_result r2 = tf_run(&f, "body\n", (tf_page){.title = "two", .front_yaml = FRONT});
    CHECK_INT(r1.rc, 0);
    CHECK_STR(r1.msgs, "");
    CHECK_STR(r1.html, "<p>body</p>\n<p>set|99|changed|1</p>\n");
    CHECK_INT(r2.rc, 0);
    CHECK_STR(r2.html, "<p>body</p>\n<p>nil|30|pregnancy|3</p>\n");
    tf_result_free(&r1);
    tf_result_free(&r2);
    tf_free(&f);
}

TEST(filter_globals_page_pairs_deletes_and_metatable) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(&f, "first",
           "page.duration = nil\n"
           "page.tags = nil\n"
           "page.tags = {\"new\"}\n"
           "return {}\n");
    tf_add(&f, "second",
           "return { Document = function(doc)\n"
           "  local keys = {}\n"
           "  for k, v in pairs(page) do keys[#keys + 1] = k .. \"=\" .. type(v) end\n"
           "  table.sort(keys)\n"
           "  local c = doc.children\n"
           "  c[#c + 1] = Paragraph(table.concat(keys, \",\"))\n"
           "  c[#c + 1] = Paragraph(tostring(page.duration) .. \"|\" .. page.tags[1] .. \"|\" ..\n"
           "    tostring(getmetatable(page)) .. \"|\" .. tostring(page.nothing))\n"
           "  return doc\n"
           "end }\n");
    tf_start(&f);
    tf_result r = tf_run(&f, "body\n", (tf_page){.title = "Peel", .front_yaml = FRONT});
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<p>body</p>\n"
                      "<p>contraindications=table,kind=string,path=string,section=string,"
                      "tags=table,title=string,url=string</p>\n"
                      "<p>nil|new|false|nil</p>\n");
    tf_result_free(&r);
    tf_free(&f);
}

TEST(filter_helper_page_line_finds_the_nearest_line) {
    tf f;
    tf_init(&f, NULL, NULL);
    tf_add(
        &f, "a",
        "return { Document = function(doc)\n"
        "  local c = doc.children\n"
        "  c[#c + 1] = Paragraph(page_line(\"duration\") .. \"|\" ..\n"
        "    page_line(\"contraindications\", 2, \"months\") .. \"|\" ..\n"
        "    page_line(\"contraindications\", 2, \"missing\") .. \"|\" ..\n"
        "    page_line(\"contraindications\", 9) .. \"|\" .. page_line(\"tags\", 2) .. \"|\" ..\n"
        "    page_line(\"contraindications\"))\n"
        "  return doc\n"
        "end }\n");
    tf_start(&f);
    tf_result r = tf_run(&f, "body\n", (tf_page){.title = "Peel", .front_yaml = FRONT});
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    /* FRONT starts on line 2; the second entry's ref is on line 7 */
    CHECK_STR(r.html, "<p>body</p>\n<p>3|8|7|6|4|6</p>\n");
    tf_result_free(&r);
    tf_free(&f);
}

TEST(filter_helper_inlines_reads_markdown_for_a_cell) {
    tf_result r = tf_filter(
        "return { Heading = function(el)\n"
        "  local function show(list)\n"
        "    local t = {}\n"
        "    for _, n in ipairs(list) do t[#t + 1] = n.t end\n"
        "    return table.concat(t, \",\")\n"
        "  end\n"
        "  return {\n"
        "    Paragraph(show(inlines(\"plain words\")) .. \"|\" .. show(inlines(\"a *b* `c`\")) .. "
        "\"|\" ..\n"
        "      show(inlines(\"one\\n\\ntwo\")) .. \"|\" .. show(inlines(nil)) .. \"|\" ..\n"
        "      show(inlines(\"- a list\")) .. \"|\" .. inlines(\"- a list\")[1].text),\n"
        "    Paragraph(inlines(\"see [the FAQ](/faq/) **now**\")),\n"
        "    Paragraph(inlines(\"one\\n\\ntwo\")),\n"
        "  }\n"
        "end }\n",
        "## Head\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<p>Text|Text,Emph,Text,Code|Text,Text,Text||Text|- a list</p>\n"
                      "<p>see <a href=\"/faq/\">the FAQ</a> <strong>now</strong></p>\n"
                      "<p>one two</p>\n");
    tf_result_free(&r);
}

/* inlines() gives a list whose node tables are made when the filter first
 * reads it; every way of reading it, raw ones included, sees the same list,
 * and the list stays usable after it went into a table or a node. */
TEST(filter_inlines_list_reads_the_same_every_way) {
    tf_result r = tf_filter(
        "return { Heading = function(el)\n"
        "  local md = \"a *b* c\"\n"
        "  local n = {}\n"
        "  n[1] = #inlines(md)\n"
        "  n[2] = rawlen(inlines(md))\n"
        "  n[3] = rawget(inlines(md), 2).t\n"
        "  n[4] = select(2, next(inlines(md))).t\n"
        "  local k = 0\n"
        "  for _ in pairs(inlines(md)) do k = k + 1 end\n"
        "  n[5] = k\n"
        "  n[6] = tostring(getmetatable(inlines(md)))\n"
        "  n[7] = stringify(inlines(md)) .. \"/\" ..\n"
        "    stringify({ t = \"Paragraph\", children = inlines(md) })\n"
        "  local l = inlines(md)\n"
        "  table.insert(l, \"!\")\n"
        "  n[8] = #l\n"
        "  local m = setmetatable(inlines(md), {__index = function() return \"x\" end})\n"
        "  n[9] = m[2].t .. m[9]\n"
        "  local twice = inlines(\"*r*\")\n"
        "  local t = SimpleTable({\"A\", \"B\"}, {{twice, twice}})\n"
        "  n[10] = twice[1].t .. #twice\n"
        "  return { t, Paragraph(table.concat(n, \"|\")), Paragraph(l),\n"
        "    { t = \"Paragraph\", children = inlines(md) }, Paragraph({ Emph(twice) }) }\n"
        "end }\n",
        "## Head\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\">A</th>\n<th scope=\"col\">B</th>\n"
                      "</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td><em>r</em></td>\n<td><em>r</em></td>\n"
                      "</tr>\n</tbody>\n</table></div>\n"
                      "<p>3|3|Emph|Text|3|nil|a b c/a b c|4|Emphx|Emph1</p>\n"
                      "<p>a <em>b</em> c!</p>\n"
                      "<p>a <em>b</em> c</p>\n"
                      "<p><em><em>r</em></em></p>\n");
    tf_result_free(&r);
}

TEST(filter_simple_table_children_can_be_read_and_changed) {
    tf_result r = tf_filter(
        "return { Heading = function(el)\n"
        "  local t = SimpleTable({\"When\", \"Do\"}, {{\"Day 1\", inlines(\"*Rest*\")}})\n"
        "  local row = t.children[2]\n"
        "  local first = row.children[1].children[1].text\n"
        "  row.children[1] = TableCell(first .. \" to 2\")\n"
        "  return { t, Paragraph(t.t .. \"|\" .. #t.children .. \"|\" .. t.alignments[2] .. \"|\" "
        "..\n"
        "    row.children[2].children[1].t) }\n"
        "end }\n",
        "## Head\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_STR(r.html, "<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n"
                      "<th scope=\"col\">When</th>\n<th scope=\"col\">Do</th>\n"
                      "</tr>\n</thead>\n<tbody>\n<tr>\n"
                      "<td>Day 1 to 2</td>\n<td><em>Rest</em></td>\n"
                      "</tr>\n</tbody>\n</table></div>\n"
                      "<p>Table|2||Emph</p>\n");
    tf_result_free(&r);
}

TEST(filter_table_caption_is_written_escaped_and_can_be_changed) {
    tf_result r = tf_filter("return { Heading = function(el)\n"
                            "  local t = SimpleTable({\"A\"}, {{\"1\"}}, nil, \"Steps <1>\")\n"
                            "  return { t, Paragraph(t.caption) } end,\n"
                            "  Table = function(t) t.caption = \"Costs\" return t end }\n",
                            "## Head\n\n| x |\n|---|\n| y |\n");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK_CONTAINS(r.html, "<table>\n<caption>Steps &lt;1&gt;</caption>\n<thead>");
    CHECK_CONTAINS(r.html, "<p>Steps &lt;1&gt;</p>");
    CHECK_CONTAINS(r.html,
                   "<table>\n<caption>Costs</caption>\n<thead>\n<tr>\n<th scope=\"col\">x</th>");
    tf_result_free(&r);
}

TEST(filter_simple_table_refuses_a_block_in_a_cell_at_the_filter_line) {
    tf_result r = tf_filter("return { Heading = function(el)\n"
                            "  local cell = { Paragraph(\"no\") }\n"
                            "  return SimpleTable({\"a\"}, {{cell}}) end }\n",
                            SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.msgs, "filters/a.lua:3: error: a Paragraph cannot go inside a TableCell, which "
                      "holds inlines: Text, Emph, Link, ... or strings (in the Heading function, "
                      "while filtering content/x.md)\n");
    tf_result_free(&r);
    r = tf_filter("return { Heading = function(el)\n"
                  "  return SimpleTable({\"a\"}, {{\"1\"}}, {\"middle\"}) end }\n",
                  SAMPLE);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.msgs, "filters/a.lua:2: error: Table.alignments holds 'middle'");
    tf_result_free(&r);
}

/* ---- depth ---- */

static char *nested_emphasis(int n) {
    buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        buf_puts(&b, "*a **a ");
    buf_putc(&b, 'b');
    for (int i = 0; i < n; i++)
        buf_puts(&b, " a** a*");
    buf_putc(&b, '\n');
    return buf_detach(&b);
}

TEST(filter_deep_emphasis_through_an_identity_filter) {
    char *md = nested_emphasis(10000); /* 20,000 levels of Emph and Strong */
    char *plain = tf_plain(md);
    CHECK(strlen(plain) > 200000);
    CHECK_CONTAINS(plain, "<p><em>a <strong>a <em>a ");
    tf_result r = tf_filter("return { Inline = function(el) return el end }\n", md);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK(r.html && !strcmp(r.html, plain));
    tf_result_free(&r);
    r = tf_filter("return { traverse = \"topdown\", Inline = function(el) return el end }\n", md);
    CHECK_INT(r.rc, 0);
    CHECK(r.html && !strcmp(r.html, plain));
    tf_result_free(&r);
    r = tf_filter("return { Emph = function(el) return Emph(el.children) end }\n", md);
    CHECK_INT(r.rc, 0);
    CHECK(r.html && !strcmp(r.html, plain));
    tf_result_free(&r);
    free(plain);
    free(md);
}

TEST(filter_deep_block_quotes_through_an_identity_filter) {
    buf b = BUF_INIT;
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "> ");
    buf_puts(&b, "x\n");
    char *md = buf_detach(&b);
    char *plain = tf_plain(md);
    CHECK_CONTAINS(plain, "<blockquote>\n<blockquote>\n");
    CHECK_CONTAINS(plain, "<p>x</p>\n</blockquote>\n");
    tf_result r = tf_filter("return { Block = function(el) return el end }\n", md);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.msgs, "");
    CHECK(r.html && !strcmp(r.html, plain));
    tf_result_free(&r);
    r = tf_filter("return { traverse = \"topdown\", Block = function(el) return el end }\n", md);
    CHECK_INT(r.rc, 0);
    CHECK(r.html && !strcmp(r.html, plain));
    tf_result_free(&r);
    r = tf_filter("return { BlockQuote = function(el) return BlockQuote(el.children) end }\n", md);
    CHECK_INT(r.rc, 0);
    CHECK(r.html && !strcmp(r.html, plain));
    tf_result_free(&r);
    free(plain);
    free(md);
}
