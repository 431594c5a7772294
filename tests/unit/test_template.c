/* Tests for template: loading template folders, compiling directives, and
 * the messages a theme author sees for broken templates. */
#include "buf.h"
#include "fsutil.h"
#include "template.h"
#include "test.h"

#include <stdlib.h>

/* A project with templates/ and a theme's templates folder. */
typedef struct project {
    char *root;
    char *templates; /* root/templates */
    char *theme;     /* root/themes/clinic/templates */
} project;

static project project_new(void) {
    char tmpl[] = "/tmp/clinicgen-template-XXXXXX";
    char *dir = mkdtemp(tmpl);
    project p = {0};
    CHECK(dir != NULL);
    if (!dir)
        return p;
    p.root = xstrdup(dir);
    p.templates = fs_join(p.root, "templates");
    p.theme = fs_join(p.root, "themes/clinic/templates");
    return p;
}

static void project_free(project *p) {
    if (p->root)
        CHECK_INT(fs_remove_tree(p->root), 0);
    free(p->root);
    free(p->templates);
    free(p->theme);
}

static void put(const char *dir, const char *name, const char *text) {
    if (!dir)
        return;
    char *path = fs_join(dir, name);
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    free(path);
}

/* Loads the project's templates/ then the theme's, as the build does. */
static template_set *load(const project *p, diag_list *d) {
    if (!p->root)
        return NULL;
    const char *dirs[] = {p->templates, p->theme};
    const char *shown[] = {"templates", "themes/clinic/templates"};
    return template_set_load(dirs, shown, 2, d);
}

/* Loads a single theme template; returns the number of errors. */
static size_t load_one(const char *text, diag_list *d) {
    project p = project_new();
    put(p.theme, "page.html", text);
    template_set *set = load(&p, d);
    CHECK(d->errors ? set == NULL : set != NULL);
    template_set_free(set);
    project_free(&p);
    return d->errors;
}

static char *messages(const diag_list *d) {
    buf b = BUF_INIT;
    for (size_t i = 0; i < d->len; i++) {
        const diag *m = &d->items[i];
        buf_printf(&b, "%s:%d:%d: %s\n", m->file ? m->file : "-", m->line, m->col, m->message);
    }
    return buf_detach(&b);
}

static const tnode *child_element(const tnode *n, size_t k) {
    for (size_t i = 0; n && i < n->n_children; i++)
        if (n->children[i]->kind != TNODE_TEXT && k-- == 0)
            return n->children[i];
    return NULL;
}

static const tattr *find_attr(const tnode *n, const char *name) {
    for (size_t i = 0; n && i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name))
            return &n->attrs[i];
    return NULL;
}

TEST(template_loads_a_valid_template) {
    project p = project_new();
    put(p.theme, "page.html",
        "<!DOCTYPE html>\n"
        "<html lang=\"en\">\n"
        "<head><title cg-text=\"page.title\">Title</title></head>\n"
        "<body>\n"
        "  <main id=\"main\" class=\"prose\" cg-html=\"page.content\"/>\n"
        "  <ul cg-if=\"#page.tags > 0\">\n"
        "    <li cg-each=\"tag in page.tags\"><a cg-attr-href=\"url('tags/' .. tag)\" "
        "cg-text=\"tag\">t</a></li>\n"
        "  </ul>\n"
        "  <p cg-else=\"\">No tags &amp; no &mdash; fuss</p>\n"
        "  <cg-include name=\"partials/footer.html\"/>\n"
        "</body>\n"
        "</html>\n");
    put(p.theme, "partials/footer.html",
        "<footer cg-define=\"year = 2026; who = site.title\"><br/><img src=\"logo.png\" alt=\"\"/>"
        "</footer>\n");
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set != NULL);
    CHECK_INT(d.len, 0);
    if (set) {
        CHECK_INT(set->len, 2);
        const template *t = template_set_get(set, "page.html");
        CHECK(t != NULL);
        CHECK(template_set_get(set, "partials/footer.html") != NULL);
        CHECK(template_set_get(set, "missing.html") == NULL);
        if (t) {
            CHECK_STR(t->path, "themes/clinic/templates/page.html");
            CHECK_STR(t->root->name, "html");
            const tnode *head = child_element(t->root, 0);
            const tnode *body = child_element(t->root, 1);
            const tnode *title = child_element(head, 0);
            CHECK(title && title->text_expr >= 0);
            if (title && title->text_expr >= 0 && (size_t)title->text_expr < set->n_exprs) {
                CHECK_CONTAINS(set->exprs[title->text_expr].source, "page.title");
                CHECK_INT(set->exprs[title->text_expr].line, 3);
                CHECK_STR(set->exprs[title->text_expr].file, "themes/clinic/templates/page.html");
            }
            const tnode *main_el = child_element(body, 0);
            CHECK(main_el && main_el->html_expr >= 0);
            CHECK(main_el && main_el->line == 5);
            const tnode *ul = child_element(body, 1);
            CHECK(ul && ul->if_expr >= 0);
            const tnode *li = child_element(ul, 0);
            CHECK(li && li->each_expr >= 0);
            CHECK_STR(li ? li->each_value : NULL, "tag");
            CHECK(li && li->each_key == NULL);
            const tnode *a = child_element(li, 0);
            const tattr *href = find_attr(a, "href");
            CHECK(href && href->expr >= 0 && href->is_url);
            CHECK(find_attr(a, "cg-attr-href") == NULL); /* directives are stripped */
            const tnode *p_else = child_element(body, 2);
            CHECK(p_else && p_else->is_else);
            const tnode *inc = child_element(body, 3);
            CHECK(inc && inc->kind == TNODE_INCLUDE);
            CHECK_STR(inc ? inc->name : NULL, "partials/footer.html");
        }
        const template *f = template_set_get(set, "partials/footer.html");
        if (f) {
            CHECK_INT(f->root->n_defines, 2);
            if (f->root->n_defines == 2) {
                CHECK_STR(f->root->defines[0].name, "year");
                CHECK_STR(f->root->defines[1].name, "who");
            }
            const tnode *br = child_element(f->root, 0);
            CHECK(br && br->is_void);
        }
    }
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

TEST(template_html_entities_are_accepted) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<p>&copy; 2026 &ndash; caf&#233; &nbsp; &lt;ok&gt;</p>\n", &d), 0);
    char *m = messages(&d);
    CHECK_STR(m, "");
    free(m);
    diag_free(&d);
}

TEST(template_malformed_xml_names_file_and_line) {
    diag_list d = DIAG_LIST_INIT;
    CHECK(load_one("<html>\n<body>\n<p>Unclosed paragraph\n</body>\n</html>\n", &d) >= 1);
    if (d.len) {
        CHECK_STR(d.items[0].file, "themes/clinic/templates/page.html");
        CHECK_INT(d.items[0].line, 4);
        CHECK_CONTAINS(d.items[0].message, "template is not well-formed XML: ");
        CHECK_CONTAINS(d.items[0].message, "mismatch");
    }
    diag_free(&d);
    /* An attribute without quotes, as HTML allows and XML does not. */
    CHECK(load_one("<div>\n  <a href=x>y</a>\n</div>\n", &d) >= 1);
    if (d.len) {
        CHECK_INT(d.items[0].line, 2);
        CHECK(d.items[0].col > 0);
    }
    diag_free(&d);
}

TEST(template_unknown_directive_is_an_error) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<div>\n<p cg-txt=\"page.title\">x</p>\n</div>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:2:0: unknown directive 'cg-txt' (cg-define, "
                 "cg-if, cg-else, cg-each, cg-text, cg-html, cg-attr-NAME)\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<div>\n\n<cg-partial name=\"x.html\"/>\n</div>\n", &d), 1);
    m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:3:0: unknown element <cg-partial> (cg-layout, "
                 "cg-fill, cg-slot, cg-include, cg-block)\n");
    free(m);
    diag_free(&d);
}

TEST(template_inline_event_and_style_attributes_are_refused) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<div>\n<button onclick=\"go()\">Go</button>\n</div>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:2:0: the attribute 'onclick' is not allowed: "
                 "pages carry no inline scripts or styles (use a class and the theme's CSS or "
                 "JavaScript files)\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<div>\n<p style=\"color: red\">x</p>\n</div>\n", &d), 1);
    m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:2:0: the attribute 'style' is not allowed: "
                 "pages carry no inline scripts or styles (use a class and the theme's CSS or "
                 "JavaScript files)\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<div><img src=\"x.png\" alt=\"\" ONLOAD=\"x()\"/></div>\n", &d), 1);
    diag_free(&d);
    CHECK_INT(load_one("<div><p cg-attr-onmouseover=\"'x()'\">x</p></div>\n", &d), 1);
    diag_free(&d);
    CHECK_INT(load_one("<div><p cg-attr-style=\"'color: red'\">x</p></div>\n", &d), 1);
    diag_free(&d);
}

TEST(template_inline_scripts_styles_and_script_urls_are_refused) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<html><head><script>alert(1)</script></head></html>\n", &d), 1);
    diag_free(&d);
    CHECK_INT(load_one("<html><head><style>p{}</style></head></html>\n", &d), 1);
    diag_free(&d);
    CHECK_INT(load_one("<div><a href=\"javascript:alert(1)\">x</a></div>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:1:0: the URL 'javascript:alert(1)' is "
                 "refused: no script URLs\n");
    free(m);
    diag_free(&d);
    /* A script file and a JSON-LD data block are fine. */
    CHECK_INT(load_one("<html><head><script src=\"search.js\" defer=\"\"></script>"
                       "<script type=\"application/ld+json\" cg-text=\"'{}'\"></script>"
                       "</head></html>\n",
                       &d),
              0);
    diag_free(&d);
}

TEST(template_else_needs_an_if_before_it) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<div>\n<p>first</p>\n<p cg-else=\"\">second</p>\n</div>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:3:0: cg-else must come right after an "
                 "element with cg-if\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<div>\n<p cg-else=\"\">alone</p>\n</div>\n", &d), 1);
    diag_free(&d);
    /* Text and comments between the two are fine. */
    CHECK_INT(
        load_one("<div><p cg-if=\"x\">a</p>\n  <!-- note -->\n  <p cg-else=\"\">b</p></div>\n", &d),
        0);
    diag_free(&d);
}

TEST(template_lua_syntax_error_reports_the_template_line) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(
        load_one("<html>\n<body>\n\n<h1 cg-text=\"page.title ..\">x</h1>\n</body>\n</html>\n", &d),
        1);
    if (d.len) {
        CHECK_STR(d.items[0].file, "themes/clinic/templates/page.html");
        CHECK_INT(d.items[0].line, 4);
        CHECK_CONTAINS(d.items[0].message, "in the Lua expression cg-text=\"page.title ..\": ");
    }
    diag_free(&d);
    CHECK_INT(load_one("<div>\n<p cg-text=\"page.title page.summary\">x</p>\n</div>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:2:0: in the Lua expression "
                 "cg-text=\"page.title page.summary\": <eof> expected near 'page'\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<div>\n<p cg-define=\"x = = 1\">x</p>\n</div>\n", &d), 1);
    CHECK_INT(d.len ? d.items[0].line : 0, 2);
    diag_free(&d);
}

/* An expression that ends too early ("a ==") must not show the internal
 * chunk name or a line 2 that the writer never wrote. */
TEST(template_lua_error_message_hides_the_wrapper_chunk) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<div>\n<p cg-if=\"page.draft ==\">x</p>\n</div>\n", &d), 1);
    if (d.len) {
        CHECK_INT(d.items[0].line, 2);
        CHECK_STR(d.items[0].message,
                  "in the Lua expression cg-if=\"page.draft ==\": unexpected symbol near <eof>");
        CHECK(!strstr(d.items[0].message, "template:"));
    }
    diag_free(&d);
}

/* A start tag written over several lines: the message points at the line
 * where the tag (and here the faulty attribute) is, not where it ends. */
TEST(template_error_in_a_multi_line_tag_points_at_its_first_line) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(
        load_one("<div>\n<p cg-text=\"a b\"\n   class=\"x\"\n   title=\"y\">x</p>\n</div>\n", &d),
        1);
    CHECK_INT(d.len ? d.items[0].line : 0, 2);
    diag_free(&d);
    CHECK_INT(load_one("<div>\n<button onclick=\"go()\"\n   class=\"x\">Go</button>\n</div>\n", &d),
              1);
    CHECK_INT(d.len ? d.items[0].line : 0, 2);
    diag_free(&d);
}

/* Start tags are found by one forward scan (a 50,000-line template took
 * 7 s when each element searched from the top of the file); comments,
 * CDATA and the DOCTYPE's internal subset are skipped on the way. */
TEST(template_error_lines_after_comments_cdata_and_doctype) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<!DOCTYPE div [\n<!ENTITY e \"<p x>\">\n]>\n"
                       "<div>\n<!-- <p cg-txt=\"a\">\n -->\n<script type=\"application/ld+json\">"
                       "<![CDATA[\n<p\n]]></script>\n<p>ok</p><p\n cg-txt=\"b\">x</p>\n</div>\n",
                       &d),
              1);
    CHECK_INT(d.len ? d.items[0].line : 0, 10);
    CHECK_CONTAINS(d.len ? d.items[0].message : "", "cg-txt");
    diag_free(&d);
    buf big = BUF_INIT;
    buf_puts(&big, "<div>\n");
    for (int i = 0; i < 3000; i++)
        buf_puts(&big, "<p class=\"x\">x</p>\n");
    buf_puts(&big, "<p\n\n cg-if=\"(\">x</p>\n</div>\n");
    CHECK_INT(load_one(buf_cstr(&big), &d), 1);
    CHECK_INT(d.len ? d.items[0].line : 0, 3002);
    diag_free(&d);
    buf_free(&big);
}

TEST(template_each_and_define_syntax_errors) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<ul>\n<li cg-each=\"page.tags\">x</li>\n</ul>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:2:0: cg-each takes 'item in expression' or "
                 "'key, value in expression', not 'page.tags'\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<ul><li cg-each=\"k, v in pairs(page)\">x</li></ul>\n", &d), 0);
    diag_free(&d);
    CHECK_INT(load_one("<div cg-define=\"1x = 2\">x</div>\n", &d), 1);
    m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:1:0: cg-define takes 'name = expression' "
                 "pairs separated by ';', not '1x = 2'\n");
    free(m);
    diag_free(&d);
    /* Semicolons inside brackets and strings do not split. */
    CHECK_INT(load_one("<div cg-define=\"t = {1; 2}; s = 'a;b'\">x</div>\n", &d), 0);
    diag_free(&d);
}

TEST(template_element_rules) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("<div><p cg-text=\"a\" cg-html=\"b\">x</p></div>\n", &d), 1);
    diag_free(&d);
    CHECK_INT(load_one("<div><br>x</br></div>\n", &d), 1);
    diag_free(&d);
    CHECK_INT(load_one("<div><cg-include/></div>\n", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:1:0: this cg- element needs a "
                 "name=\"...\" attribute\n");
    free(m);
    diag_free(&d);
    CHECK_INT(load_one("<div><cg-include name=\"x.html\" class=\"y\"/></div>\n", &d), 1);
    diag_free(&d);
}

/* cg-layout is a template's outermost element and holds only cg-fills,
 * each with its slot: anything else would be dropped or written as a
 * made-up element. */
static char *compile_messages(const char *text) {
    diag_list d = DIAG_LIST_INIT;
    template_set *set = template_set_compile("t.html", text, strlen(text), &d);
    CHECK(d.errors ? set == NULL : set != NULL);
    char *m = messages(&d);
    template_set_free(set);
    diag_free(&d);
    return m;
}

TEST(template_layout_rules) {
    char *m = compile_messages("<cg-layout name=\"base.html\">\n  <cg-fill slot=\"main\"><p>x</p>"
                               "</cg-fill>\n  <!-- a comment -->\n</cg-layout>\n");
    CHECK_STR(m, "");
    free(m);
    m = compile_messages("<div>\n<cg-layout name=\"base.html\"/>\n</div>\n");
    CHECK_STR(m, "t.html:2:0: <cg-layout> must be the outermost element of its template\n");
    free(m);
    m = compile_messages("<cg-layout name=\"base.html\">\n<p>lost</p>\n</cg-layout>\n");
    CHECK_STR(m, "t.html:2:0: inside <cg-layout> only <cg-fill slot=\"...\"> elements may "
                 "stand, not <p>\n");
    free(m);
    m = compile_messages("<cg-layout name=\"base.html\">lost text</cg-layout>\n");
    CHECK_STR(m, "t.html:1:0: inside <cg-layout> only <cg-fill slot=\"...\"> elements may "
                 "stand, not text\n");
    free(m);
    m = compile_messages("<cg-layout name=\"base.html\"><cg-block>x</cg-block></cg-layout>\n");
    CHECK_STR(m, "t.html:1:0: inside <cg-layout> only <cg-fill slot=\"...\"> elements may "
                 "stand, not a cg- element\n");
    free(m);
    m = compile_messages("<cg-layout name=\"base.html\"><cg-fill>x</cg-fill></cg-layout>\n");
    CHECK_STR(m, "t.html:1:0: cg-fill needs a slot=\"...\" attribute\n");
    free(m);
    m = compile_messages("<div><cg-fill slot=\"main\">x</cg-fill></div>\n");
    CHECK_STR(m, "t.html:1:0: <cg-fill> must stand directly inside <cg-layout>\n");
    free(m);
}

TEST(template_project_dir_overrides_theme_by_name) {
    project p = project_new();
    put(p.theme, "page.html", "<p id=\"theme-page\">theme</p>\n");
    put(p.theme, "partials/header.html", "<header id=\"theme-header\">theme</header>\n");
    put(p.theme, "base.html", "<html><body><cg-slot name=\"main\"/></body></html>\n");
    put(p.templates, "partials/header.html", "<header id=\"project-header\">mine</header>\n");
    put(p.templates, "extra.html", "<p>extra</p>\n");
    put(p.templates, "notes.txt", "not a template <");
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set != NULL);
    CHECK_INT(d.len, 0);
    if (set) {
        CHECK_INT(set->len, 4);
        const template *h = template_set_get(set, "partials/header.html");
        CHECK(h != NULL);
        if (h) {
            CHECK_STR(h->path, "templates/partials/header.html");
            const tattr *id = find_attr(h->root, "id");
            CHECK_STR(id ? id->text : NULL, "project-header");
        }
        const template *pg = template_set_get(set, "page.html");
        CHECK_STR(pg ? pg->path : NULL, "themes/clinic/templates/page.html");
        CHECK(template_set_get(set, "extra.html") != NULL);
        CHECK(template_set_get(set, "notes.txt") == NULL);
    }
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

TEST(template_overridden_theme_file_is_not_compiled) {
    project p = project_new();
    put(p.theme, "page.html", "<p>broken theme file"); /* never read: the project's wins */
    put(p.templates, "page.html", "<p>fixed</p>\n");
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set != NULL);
    CHECK_INT(d.len, 0);
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

/* A misspelt partial or layout is found when the templates are loaded,
 * at its line, whichever pages would use it; the theme's partials count. */
TEST(template_include_and_layout_names_must_exist) {
    project p = project_new();
    put(p.theme, "partials/footer.html", "<footer>theme</footer>\n");
    put(p.templates, "page.html",
        "<html>\n<body>\n<cg-include name=\"partials/footer.html\"/>\n"
        "<cg-include name=\"partials/fotter.html\"/>\n</body>\n</html>\n");
    put(p.templates, "faq.html", "<cg-layout name=\"base.html\">\n</cg-layout>\n");
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set == NULL);
    char *m = messages(&d);
    CHECK_STR(m, "templates/faq.html:1:0: no template named 'base.html' to use as the layout\n"
                 "templates/page.html:4:0: no template named 'partials/fotter.html' to include\n");
    free(m);
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

/* A project partial that does not compile is not also reported missing. */
TEST(template_a_broken_partial_is_reported_once) {
    project p = project_new();
    put(p.theme, "partials/footer.html", "<footer>theme</footer>\n");
    put(p.theme, "page.html",
        "<html><body><cg-include name=\"partials/footer.html\"/></body></html>\n");
    put(p.templates, "partials/footer.html",
        "<footer>\n<p cg-text=\"site.title ..\">x</p>\n</footer>\n");
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set == NULL);
    char *m = messages(&d);
    CHECK_STR(m, "templates/partials/footer.html:2:0: in the Lua expression cg-text=\"site.title "
                 "..\": unexpected symbol near <eof>\n");
    free(m);
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

TEST(template_missing_folders_give_an_empty_set) {
    project p = project_new();
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set != NULL);
    CHECK_INT(set ? set->len : 99, 0);
    CHECK_INT(d.len, 0);
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

static int has_id(const template_set *set, const char *id) {
    for (size_t i = 0; i < set->n_reserved; i++)
        if (!strcmp(set->reserved_ids[i], id))
            return 1;
    return 0;
}

TEST(template_reserved_ids_collects_static_ids) {
    project p = project_new();
    put(p.theme, "base.html",
        "<html><body><header id=\"top\"/><main id=\"main\"><cg-slot name=\"main\"/></main>"
        "<div id=\"search\" cg-attr-data-x=\"1\"/><p "
        "cg-attr-id=\"'dynamic'\">x</p></body></html>\n");
    put(p.theme, "partials/toc.html", "<nav id=\"toc\"><a href=\"#top\" id=\"main\">x</a></nav>\n");
    diag_list d = DIAG_LIST_INIT;
    template_set *set = load(&p, &d);
    CHECK(set != NULL);
    if (set) {
        CHECK_INT(set->n_reserved, 4); /* top, main, search, toc: each once */
        CHECK(has_id(set, "top"));
        CHECK(has_id(set, "main"));
        CHECK(has_id(set, "search"));
        CHECK(has_id(set, "toc"));
        CHECK(!has_id(set, "dynamic"));
        CHECK(set->reserved_ids[set->n_reserved] == NULL);
    }
    template_set_free(set);
    diag_free(&d);
    project_free(&p);
}

/* A theme is code from elsewhere; its templates must not pull local files
 * (ssh keys, /etc/passwd) into the published site via external entities. */
TEST(template_external_entities_are_not_read) {
    project p = project_new();
    if (p.root) {
        char *secret = fs_join(p.root, "secret.txt");
        CHECK_INT(fs_write_file(secret, "TOP-SECRET", 10), 0);
        char *text =
            xasprintf("<!DOCTYPE p [<!ENTITY e SYSTEM \"file://%s\">]>\n<p>&e;</p>\n", secret);
        put(p.theme, "page.html", text);
        diag_list d = DIAG_LIST_INIT;
        template_set *set = load(&p, &d);
        const template *t = set ? template_set_get(set, "page.html") : NULL;
        int leaked = 0;
        for (size_t i = 0; t && i < t->root->n_children; i++)
            if (t->root->children[i]->text && strstr(t->root->children[i]->text, "TOP-SECRET"))
                leaked = 1;
        CHECK(!leaked);
        template_set_free(set);
        diag_free(&d);
        free(text);
        free(secret);
    }
    project_free(&p);
}

/* Found by fuzz_template: libxml2 reports nothing for an empty file, and
 * the template was dropped in silence (the page then had "no template"). */
TEST(template_empty_file_is_an_error) {
    diag_list d = DIAG_LIST_INIT;
    CHECK_INT(load_one("", &d), 1);
    char *m = messages(&d);
    CHECK_STR(m, "themes/clinic/templates/page.html:1:0: template is not well-formed XML: "
                 "Document is empty\n");
    free(m);
    diag_free(&d);
    /* an empty project file overriding the theme's is reported, not skipped */
    project p = project_new();
    put(p.templates, "page.html", "");
    put(p.theme, "page.html", "<p>theme</p>\n");
    template_set *set = load(&p, &d);
    CHECK(set == NULL);
    m = messages(&d);
    CHECK_STR(m, "templates/page.html:1:0: template is not well-formed XML: Document is empty\n");
    free(m);
    diag_free(&d);
    template_set_free(set);
    project_free(&p);
}

TEST(template_set_compile_reads_text_from_memory) {
    diag_list d = DIAG_LIST_INIT;
    const char *text = "<p cg-text=\"page.title\">x</p>IGNORED";
    template_set *set = template_set_compile("page.html", text, strlen(text) - 7, &d);
    CHECK(set != NULL);
    CHECK_INT(d.len, 0);
    const template *t = set ? template_set_get(set, "page.html") : NULL;
    CHECK(t != NULL);
    CHECK_STR(t ? t->root->name : NULL, "p");
    CHECK(t && t->root->text_expr >= 0);
    template_set_free(set);
    set = template_set_compile("partials/x.html", "<p>\n<b></p>", 11, &d);
    CHECK(set == NULL);
    CHECK_INT(d.errors, 1);
    CHECK_STR(d.len ? d.items[0].file : NULL, "partials/x.html");
    diag_free(&d);
}

/* ---- parts the same on every page (template_static.c) ---- */

/* The static parts of a one-template set, as "tag#id" in document order:
 * "nav#0 form#1". */
static char *static_parts(const char *text) {
    diag_list d = DIAG_LIST_INIT;
    template_set *set = template_set_compile("page.html", text, strlen(text), &d);
    CHECK_INT(d.len, 0);
    buf b = BUF_INIT;
    const tnode *stack[64];
    size_t top = 0, found = 0;
    if (set)
        stack[top++] = set->items[0]->root;
    while (top) {
        const tnode *n = stack[--top];
        if (n->static_id >= 0) {
            buf_printf(&b, "%s%s#%d", found++ ? " " : "", n->name ? n->name : "block",
                       n->static_id);
            continue; /* a part's nodes are not parts of their own */
        }
        for (size_t i = n->n_children; i-- > 0 && top < 64;)
            stack[top++] = n->children[i];
    }
    CHECK_INT(found, set ? set->n_static : 0);
    template_set_free(set);
    diag_free(&d);
    return buf_detach(&b);
}

TEST(template_static_parts_read_only_the_site_helpers_and_their_own_names) {
    char *s = static_parts("<body><nav><a cg-attr-href=\"site.home.url\">Home</a>"
                           "<li cg-each=\"section in site.sections\"><b cg-text=\"section.title\"/>"
                           "<i cg-text=\"loop.index\"/></li></nav>"
                           "<p cg-text=\"loop.index\"/>"
                           "<img cg-attr-src=\"asset('logo.svg')\"/>"
                           "<form cg-attr-action=\"url('search/')\"><input/></form>"
                           "<p cg-text=\"page.title\"/><p>static</p>"
                           "<ul cg-define=\"items = page.tags\"><li cg-each=\"t in items\">"
                           "<b cg-text=\"site.title\"/><i cg-text=\"t.name\"/></li></ul>"
                           "<div cg-define=\"kinds = {a = 'A'}\" cg-text=\"kinds.a\"/></body>");
    /* nav: names bound inside it; not a loop's name bound outside, the
     * page's title, a static <p> (no expression to spare) or a loop over
     * the page's tags, though the <b> in it is; a table constructor is no
     * assignment, but a define of anything but a path is not looked into */
    CHECK_STR(s, "nav#0 img#1 form#2 b#3");
    free(s);
}

TEST(template_static_parts_none_when_a_name_could_change) {
    static const char *const sets[] = {
        /* site or a helper bound to something else */
        "<body cg-define=\"site = page\"><p cg-text=\"site.title\"/></body>",
        "<body><p cg-each=\"url in page.links\" cg-text=\"url\"/><p "
        "cg-text=\"site.title\"/></body>",
        /* an assignment, a function, or site's tables changed */
        "<body><p cg-text=\"(function() return 1 end)()\"/><p cg-text=\"site.title\"/></body>",
        "<body><p cg-text=\"table.sort(site.sections) or ''\"/><p cg-text=\"site.title\"/></body>",
        "<body><p cg-text=\"pcall(table['sort'], site.sections) and ''\"/>"
        "<p cg-text=\"site.title\"/></body>",
        "<body><p cg-text=\"_ENV['site'].title\"/><p cg-text=\"site.title\"/></body>",
        "<body><p cg-text=\"page.x == 1 or (1 >= 1) and table.concat({1}, ',')\"/>"
        "<p cg-text=\"site.title\"/></body>"};
    for (size_t i = 0; i + 1 < sizeof sets / sizeof *sets; i++) {
        char *s = static_parts(sets[i]);
        CHECK_STR(s, "");
        free(s);
    }
    /* comparisons are no assignment, and table.concat changes nothing */
    char *s = static_parts(sets[sizeof sets / sizeof *sets - 1]);
    CHECK_STR(s, "p#0");
    free(s);
}
