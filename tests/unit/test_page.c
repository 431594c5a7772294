/* Tests for page: front matter splitting, dates, and loading pages from
 * files (titles, kinds, URLs, typed fields and their error messages). */
#include "buf.h"
#include "fsutil.h"
#include "page.h"
#include "test.h"

#include <stdlib.h>

/* ---- page_split_front_matter ---- */

static int split(const char *text, front_matter_split *out, diag_list *d) {
    return page_split_front_matter(text, strlen(text), out, "content/x.md", d);
}

/* The YAML part as a string (for CHECK_STR); caller frees. */
static char *yaml_of(const front_matter_split *s) {
    return s->yaml ? xstrndup(s->yaml, s->yaml_len) : xstrdup("(none)");
}

TEST(page_split_without_front_matter) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    CHECK_INT(split("# Title\n\nBody\n", &s, &d), 0);
    CHECK(s.yaml == NULL);
    CHECK_INT(s.body_offset, 0);
    CHECK_INT(s.body_line, 1);
    CHECK_INT(d.len, 0);
    /* A thematic break of four dashes is no front matter. */
    CHECK_INT(split("----\ntitle: x\n----\n", &s, &d), 0);
    CHECK(s.yaml == NULL);
    CHECK_INT(split("---title\n", &s, &d), 0);
    CHECK(s.yaml == NULL);
    CHECK_INT(d.len, 0);
    diag_free(&d);
}

TEST(page_split_finds_yaml_and_body) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    const char *text = "---\ntitle: Peel\nkind: procedure\n---\nBody line\n";
    CHECK_INT(split(text, &s, &d), 0);
    char *y = yaml_of(&s);
    CHECK_STR(y, "title: Peel\nkind: procedure\n");
    free(y);
    CHECK_INT(s.yaml_line, 2);
    CHECK_STR(text + s.body_offset, "Body line\n");
    CHECK_INT(s.body_line, 5);
    CHECK_INT(d.len, 0);
    diag_free(&d);
}

TEST(page_split_accepts_dots_and_trailing_blanks_on_the_closing_line) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    const char *text = "--- \ntitle: A\n...\t\nBody\n";
    CHECK_INT(split(text, &s, &d), 0);
    char *y = yaml_of(&s);
    CHECK_STR(y, "title: A\n");
    free(y);
    CHECK_STR(text + s.body_offset, "Body\n");
    CHECK_INT(s.body_line, 4);
    diag_free(&d);
}

TEST(page_split_empty_front_matter_and_no_body) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    const char *text = "---\n---\n";
    CHECK_INT(split(text, &s, &d), 0);
    CHECK(s.yaml != NULL);
    CHECK_INT(s.yaml_len, 0);
    CHECK_INT(s.body_offset, strlen(text));
    CHECK_INT(s.body_line, 3);
    text = "---\na: 1\n---"; /* closing line without a newline */
    CHECK_INT(split(text, &s, &d), 0);
    char *y = yaml_of(&s);
    CHECK_STR(y, "a: 1\n");
    free(y);
    CHECK_INT(s.body_offset, strlen(text));
    CHECK_INT(d.len, 0);
    diag_free(&d);
}

TEST(page_split_skips_a_byte_order_mark) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    const char *text = "\xEF\xBB\xBF---\ntitle: BOM\n---\nBody\n";
    CHECK_INT(split(text, &s, &d), 0);
    char *y = yaml_of(&s);
    CHECK_STR(y, "title: BOM\n");
    free(y);
    CHECK_INT(s.yaml_line, 2);
    CHECK_STR(text + s.body_offset, "Body\n");
    CHECK_INT(s.body_line, 4);
    /* Without front matter the body starts after the mark. */
    text = "\xEF\xBB\xBF# Title\n";
    CHECK_INT(split(text, &s, &d), 0);
    CHECK(s.yaml == NULL);
    CHECK_INT(s.body_offset, 3);
    CHECK_INT(s.body_line, 1);
    CHECK_INT(d.len, 0);
    diag_free(&d);
}

TEST(page_split_handles_crlf_line_ends) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    const char *text = "---\r\ntitle: Windows\r\ndate: 2026-01-02\r\n---\r\nBody\r\n";
    CHECK_INT(split(text, &s, &d), 0);
    char *y = yaml_of(&s);
    CHECK_STR(y, "title: Windows\r\ndate: 2026-01-02\r\n");
    free(y);
    CHECK_STR(text + s.body_offset, "Body\r\n");
    CHECK_INT(s.body_line, 5);
    CHECK_INT(d.len, 0);
    diag_free(&d);
}

TEST(page_split_unclosed_front_matter_is_an_error_at_line_1) {
    diag_list d = DIAG_LIST_INIT;
    front_matter_split s;
    CHECK_INT(split("---\ntitle: Open\n\n# Body\n", &s, &d), -1);
    CHECK_INT(d.errors, 1);
    if (d.len) {
        CHECK_STR(d.items[0].file, "content/x.md");
        CHECK_INT(d.items[0].line, 1);
        CHECK_INT(d.items[0].col, 1);
        CHECK_STR(d.items[0].message,
                  "front matter opened with '---' is never closed (add a '---' line after it)");
    }
    diag_free(&d);
    CHECK_INT(split("\xEF\xBB\xBF---\r\ntitle: x\r\n", &s, &d), -1);
    CHECK_INT(d.errors, 1);
    CHECK_INT(d.len ? d.items[0].line : 0, 1);
    diag_free(&d);
    CHECK_INT(split("---", &s, &d), -1);
    CHECK_INT(d.errors, 1);
    diag_free(&d);
}

/* ---- dates ---- */

TEST(page_parse_date_reads_both_spellings) {
    page_date dt = {0, 0, 0};
    CHECK_INT(page_parse_date("2026-09-02", &dt), 0);
    CHECK_INT(dt.year, 2026);
    CHECK_INT(dt.month, 9);
    CHECK_INT(dt.day, 2);
    dt = (page_date){0, 0, 0};
    CHECK_INT(page_parse_date("2025/12/31", &dt), 0);
    CHECK_INT(dt.year, 2025);
    CHECK_INT(dt.month, 12);
    CHECK_INT(dt.day, 31);
    CHECK_INT(page_parse_date("2026-09-02T10:30:00Z", &dt), 0);
    CHECK_INT(dt.day, 2);
    CHECK_INT(page_parse_date("2026-09-03 10:30", &dt), 0);
    CHECK_INT(dt.day, 3);
    CHECK_INT(page_parse_date("2024-02-29", &dt), 0); /* leap year */
    CHECK_INT(page_parse_date("2000-02-29", &dt), 0);
}

TEST(page_parse_date_refuses_impossible_dates) {
    page_date dt;
    CHECK_INT(page_parse_date("2026-02-30", &dt), -1);
    CHECK_INT(page_parse_date("2026-13-01", &dt), -1);
    CHECK_INT(page_parse_date("2026-00-10", &dt), -1);
    CHECK_INT(page_parse_date("2026-01-00", &dt), -1);
    CHECK_INT(page_parse_date("2026-04-31", &dt), -1);
    CHECK_INT(page_parse_date("2025-02-29", &dt), -1);
    CHECK_INT(page_parse_date("1900-02-29", &dt), -1);
}

TEST(page_parse_date_refuses_other_spellings) {
    page_date dt;
    CHECK_INT(page_parse_date("", &dt), -1);
    CHECK_INT(page_parse_date("2026-9-2", &dt), -1);
    CHECK_INT(page_parse_date("02/09/2026", &dt), -1);
    CHECK_INT(page_parse_date("2026.09.02", &dt), -1);
    CHECK_INT(page_parse_date("2026-09/02", &dt), -1);
    CHECK_INT(page_parse_date("20260902", &dt), -1);
    CHECK_INT(page_parse_date("2026-09-02x", &dt), -1);
    CHECK_INT(page_parse_date("2026-09-021", &dt), -1);
    CHECK_INT(page_parse_date("September 2, 2026", &dt), -1);
}

TEST(page_parse_date_refuses_blanks_and_signs_inside) {
    page_date dt;
    CHECK_INT(page_parse_date("2026-09- 2", &dt), -1);
    CHECK_INT(page_parse_date("2026- 9-02", &dt), -1);
    CHECK_INT(page_parse_date("2026-+9-02", &dt), -1);
}

TEST(page_format_date_pads) {
    page_date dt = {2026, 9, 2};
    char out[16];
    page_format_date(&dt, out, sizeof out);
    CHECK_STR(out, "2026-09-02");
}

/* ---- page_load ---- */

typedef struct fixture {
    char *dir; /* the content folder */
} fixture;

static fixture fixture_new(void) {
    char tmpl[] = "/tmp/clinicgen-page-XXXXXX";
    char *dir = mkdtemp(tmpl);
    fixture f = {dir ? xstrdup(dir) : NULL};
    CHECK(f.dir != NULL);
    return f;
}

static void fixture_free(fixture *f) {
    if (f->dir)
        CHECK_INT(fs_remove_tree(f->dir), 0);
    free(f->dir);
}

/* Writes content/source and loads it; *rc gets page_load's result. */
static page *load(fixture *f, const char *source, const char *text, diag_list *d, int *rc) {
    if (!f->dir)
        return NULL;
    char *path = fs_join(f->dir, source);
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    free(path);
    char *display = fs_join("content", source);
    page *p = xcalloc(1, sizeof *p);
    int r = page_load(p, f->dir, source, display, d);
    if (rc)
        *rc = r;
    free(display);
    return p;
}

/* The first message as printed, without the level: "file:line:col: msg". */
static char *first_message(const diag_list *d) {
    if (!d->len)
        return xstrdup("(no message)");
    const diag *m = &d->items[0];
    return xasprintf("%s:%d:%d: %s", m->file ? m->file : "-", m->line, m->col, m->message);
}

TEST(page_load_title_from_front_matter) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "procedures/chemical-peel.md",
                   "---\n"
                   "title: Chemical peel\n"
                   "summary: A peel.\n"
                   "reviewer: Dr Rivera\n"
                   "date: 2026-01-15\n"
                   "reviewed: 2026/03/01\n"
                   "tags: [skin, Face care]\n"
                   "weight: 2\n"
                   "draft: true\n"
                   "---\n"
                   "# Chemical peel\n\nBody.\n",
                   &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_INT(d.len, 0);
        CHECK_STR(p->title, "Chemical peel");
        CHECK_INT(p->title_from_heading, 0);
        CHECK_STR(p->summary, "A peel.");
        CHECK_STR(p->reviewer, "Dr Rivera");
        CHECK_INT(p->kind, KIND_PROCEDURE);
        CHECK_STR(page_kind_name(p->kind), "procedure");
        CHECK_INT(p->date.year, 2026);
        CHECK_INT(p->date.month, 1);
        CHECK_INT(p->date.day, 15);
        CHECK_INT(p->reviewed.month, 3);
        CHECK_INT(p->updated.year, 0); /* not set */
        CHECK_INT(p->n_tags, 2);
        if (p->n_tags == 2)
            CHECK_STR(p->tags[1], "Face care");
        CHECK(p->weight == 2);
        CHECK_INT(p->draft, 1);
        CHECK_STR(p->source, "procedures/chemical-peel.md");
        CHECK_STR(p->display_path, "content/procedures/chemical-peel.md");
        CHECK_STR(p->dir, "procedures");
        CHECK_STR(p->section_path, "procedures");
        CHECK_STR(p->url_path, "procedures/chemical-peel/");
        CHECK_STR(p->out_path, "procedures/chemical-peel/index.html");
        CHECK_INT(p->body_line, 11);
        CHECK_INT(p->body_offset, strlen("---\ntitle: Chemical peel\nsummary: A peel.\n"
                                         "reviewer: Dr Rivera\ndate: 2026-01-15\n"
                                         "reviewed: 2026/03/01\ntags: [skin, Face care]\n"
                                         "weight: 2\ndraft: true\n---\n"));
        CHECK_STR(value_string(value_map_get(p->front, "summary")), "A peel.");
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

/* A page new from an archetype has summary: "" and may have reviewer: "":
 * none, so templates write no empty description and no "by". */
TEST(page_load_empty_summary_and_reviewer_are_none) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "procedures/new.md",
                   "---\ntitle: \"New\"\nsummary: \"\"\nreviewer: ''\n---\nBody.\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_INT(d.len, 0);
        CHECK(p->summary == NULL);
        CHECK(p->reviewer == NULL);
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_title_from_opening_heading) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "faq/does-it-hurt.md",
                   "---\nsummary: About pain.\n---\n\n# Does *it* hurt?\n\nA little.\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_STR(p->title, "Does it hurt?");
        CHECK_INT(p->title_from_heading, 1);
        CHECK_INT(p->kind, KIND_FAQ);
        CHECK_STR(p->url_path, "faq/does-it-hurt/");
    }
    page_free(p);
    /* A level-2 heading is not a title. */
    p = load(&f, "faq/second.md", "## Not a title\n\nText\n", &d, &rc);
    if (p) {
        CHECK_STR(p->title, "Second");
        CHECK_INT(p->title_from_heading, 0);
    }
    page_free(p);
    /* A setext heading is. */
    p = load(&f, "faq/third.md", "Setext title\n============\n\nText\n", &d, &rc);
    if (p)
        CHECK_STR(p->title, "Setext title");
    page_free(p);
    CHECK_INT(d.len, 0);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_indented_code_is_not_a_title) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    /* Four spaces make an indented code block, not a heading. */
    page *p = load(&f, "notes.md", "    # not a heading\n\nText\n", &d, &rc);
    if (p) {
        CHECK_STR(p->title, "Notes");
        CHECK_INT(p->title_from_heading, 0);
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_title_from_file_name) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "about-our_clinic.md", "Just text, no heading.\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_STR(p->title, "About our clinic");
        CHECK_INT(p->title_from_heading, 0);
        CHECK_INT(p->kind, KIND_PAGE);
        CHECK_STR(p->dir, "");
        CHECK_STR(p->section_path, "");
        CHECK_STR(p->url_path, "about-our_clinic/");
    }
    page_free(p);
    /* A page bundle takes its folder's name and lists in the parent section. */
    p = load(&f, "procedures/laser-hair-removal/index.md", "Text.\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_STR(p->title, "Laser hair removal");
        CHECK_INT(p->kind, KIND_PROCEDURE);
        CHECK_STR(p->dir, "procedures/laser-hair-removal");
        CHECK_STR(p->section_path, "procedures");
        CHECK_STR(p->url_path, "procedures/laser-hair-removal/");
        CHECK_STR(p->out_path, "procedures/laser-hair-removal/index.html");
    }
    page_free(p);
    CHECK_INT(d.len, 0);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_kind_from_section_folder) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    static const struct {
        const char *source;
        page_kind kind;
    } cases[] = {
        {"procedures/botox.md", KIND_PROCEDURE},
        {"procedures/face/filler.md", KIND_PROCEDURE},
        {"faq/cost.md", KIND_FAQ},
        {"concerns/acne.md", KIND_CONCERN},
        {"blog/news.md", KIND_PAGE},
        {"procedures-old/x.md", KIND_PAGE},
        {"procedures/_index.md", KIND_SECTION},
        {"_index.md", KIND_HOME},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = -2;
        page *p = load(&f, cases[i].source, "Text.\n", &d, &rc);
        if (!p)
            continue;
        CHECK_INT(rc, 0);
        if ((int)p->kind != (int)cases[i].kind)
            test_fail(__FILE__, __LINE__, "%s: kind is %s, expected %s", cases[i].source,
                      page_kind_name(p->kind), page_kind_name(cases[i].kind));
        page_free(p);
    }
    CHECK_INT(d.len, 0);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_section_and_home_pages) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc;
    page *p = load(&f, "_index.md", "Welcome.\n", &d, &rc);
    if (p) {
        CHECK_STR(p->title, "Home");
        CHECK_STR(p->url_path, "");
        CHECK_STR(p->out_path, "index.html");
    }
    page_free(p);
    p = load(&f, "procedures/_index.md", "All procedures.\n", &d, &rc);
    if (p) {
        CHECK_STR(p->title, "Procedures");
        CHECK_STR(p->url_path, "procedures/");
        CHECK_STR(p->section_path, "procedures");
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_front_matter_kind_overrides_the_section) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "procedures/what-to-bring.md", "---\nkind: faq\n---\nText\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_INT(p->kind, KIND_FAQ);
    }
    page_free(p);
    p = load(&f, "procedures/x.md", "---\ntitle: X\nkind: recipe\n---\nText\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        char *m = first_message(&d);
        CHECK_STR(m, "content/procedures/x.md:3:7: 'kind' must be procedure, faq, concern or page");
        free(m);
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_slug_sets_the_url) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "Procedures/Old Name.md", "---\nslug: New Name\n---\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_STR(p->url_path, "procedures/new-name/");
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_title_list_is_an_error_on_its_line) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "procedures/peel.md", "---\nkind: procedure\ntitle: [a, b]\n---\n# Peel\n",
                   &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        CHECK_INT(d.errors, 1);
        char *m = first_message(&d);
        CHECK_STR(m, "content/procedures/peel.md:3:8: 'title' must be text, not a list");
        free(m);
        /* The page still gets a title, so later stages can go on. */
        CHECK_STR(p->title, "Peel");
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_reports_each_wrongly_typed_field) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "faq/x.md",
                   "---\n"
                   "summary:\n"
                   "  short: no\n"
                   "date: 2026-02-30\n"
                   "updated: yesterday\n"
                   "draft: maybe\n"
                   "weight: heavy\n"
                   "tags: [ok, [nested]]\n"
                   "slug: [a, b]\n"
                   "layout: {name: wide}\n"
                   "---\n",
                   &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        CHECK_INT(d.errors, 8);
        buf all = BUF_INIT;
        for (size_t i = 0; i < d.len; i++)
            buf_printf(&all, "%d:%d: %s\n", d.items[i].line, d.items[i].col, d.items[i].message);
        CHECK_CONTAINS(buf_cstr(&all), "3:3: 'summary' must be text, not a map\n");
        CHECK_CONTAINS(buf_cstr(&all),
                       "4:7: 'date' must be a real date written YYYY-MM-DD (or YYYY/MM/DD), "
                       "not '2026-02-30'\n");
        CHECK_CONTAINS(buf_cstr(&all),
                       "5:10: 'updated' must be a real date written YYYY-MM-DD (or YYYY/MM/DD), "
                       "not 'yesterday'\n");
        CHECK_CONTAINS(buf_cstr(&all), "6:8: 'draft' must be true or false\n");
        CHECK_CONTAINS(buf_cstr(&all), "7:9: 'weight' must be a number\n");
        CHECK_CONTAINS(buf_cstr(&all), "8:12: each tag must be a word or phrase\n");
        /* in the order they are written, whatever order they are read in */
        CHECK_CONTAINS(buf_cstr(&all), "8:12: each tag must be a word or phrase\n"
                                       "9:7: 'slug' must be text, not a list\n"
                                       "10:9: 'layout' must be text, not a map\n");
        CHECK_INT(d.items[0].line, 3);
        buf_free(&all);
        CHECK_INT(p->n_tags, 1);
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_yaml_errors_are_located_in_the_file) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "a.md", "---\ntitle: A\nsummary: s\ntitle: B\n---\nBody\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        char *m = first_message(&d);
        CHECK_STR(m, "content/a.md:4:1: YAML: duplicate key 'title'");
        free(m);
        CHECK(p->front != NULL);  /* still an (empty) map */
        CHECK_STR(p->title, "A"); /* from the file name */
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_front_matter_must_be_a_map) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "a.md", "---\n- one\n- two\n---\nBody\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        char *m = first_message(&d);
        CHECK_STR(m, "content/a.md:2:1: front matter must be a map of fields (key: value), not "
                     "a list");
        free(m);
    }
    page_free(p);
    diag_free(&d);
    p = load(&f, "b.md", "---\n---\nBody\n", &d, &rc); /* empty is fine */
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_INT(p->front->type, VALUE_MAP);
        CHECK_INT(p->body_line, 3);
    }
    page_free(p);
    CHECK_INT(d.len, 0);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_unclosed_front_matter) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "faq/open.md", "---\ntitle: Open\n\nBody\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        CHECK_INT(d.errors, 1);
        char *m = first_message(&d);
        CHECK_STR(m, "content/faq/open.md:1:1: front matter opened with '---' is never closed "
                     "(add a '---' line after it)");
        free(m);
        CHECK(p->title != NULL);
        CHECK(p->url_path != NULL);
    }
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_bom_and_crlf) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = -2;
    page *p = load(&f, "faq/win.md",
                   "\xEF\xBB\xBF---\r\ntitle: From Windows\r\ndate: 2026-05-06\r\n---\r\n"
                   "Body\r\n",
                   &d, &rc);
    if (p) {
        CHECK_INT(rc, 0);
        CHECK_STR(p->title, "From Windows");
        CHECK_INT(p->date.day, 6);
        CHECK_INT(p->body_line, 5);
    }
    page_free(p);
    p = load(&f, "faq/win2.md", "\xEF\xBB\xBF# Heading after BOM\r\n\r\nBody\r\n", &d, &rc);
    if (p)
        CHECK_STR(p->title, "Heading after BOM");
    page_free(p);
    CHECK_INT(d.len, 0);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_missing_file) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    if (f.dir) {
        page *p = xcalloc(1, sizeof *p);
        int rc = page_load(p, f.dir, "nope.md", "content/nope.md", &d);
        CHECK_INT(rc, -1);
        char *m = first_message(&d);
        CHECK_STR(m, "content/nope.md:0:0: cannot read: No such file or directory");
        free(m);
        page_free(p);
    }
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_refuses_text_that_is_not_utf8_and_skips_its_body) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    int rc = 0;
    /* a page saved as Windows-1252: the error names the line and column */
    page *p = load(&f, "latin.md", "---\ntitle: Caf\xE9\n---\nBody\n", &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        CHECK(p->skip_body);
        CHECK_STR(p->title, "Latin"); /* from the file name: the text is not read */
    }
    char *m = first_message(&d);
    CHECK_STR(m, "content/latin.md:2:11: not valid UTF-8 (byte 0xE9, which is '\xC3\xA9' in "
                 "Windows-1252); save the file as UTF-8");
    free(m);
    page_free(p);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_refuses_a_page_past_the_size_limit) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    if (f.dir) {
        char *path = fs_join(f.dir, "huge.md");
        size_t n = (size_t)PAGE_MAX_BYTES + 1;
        char *text = xmalloc(n);
        memset(text, 'a', n);
        CHECK_INT(fs_write_file(path, text, n), 0);
        free(text);
        free(path);
        page *p = xcalloc(1, sizeof *p);
        CHECK_INT(page_load(p, f.dir, "huge.md", "content/huge.md", &d), -1);
        CHECK(p->skip_body);
        CHECK_STR(p->url_path, "huge/");
        char *m = first_message(&d);
        CHECK_STR(m, "content/huge.md:0:0: this page is 4.0 MB; a page may be at most 4 MB (split "
                     "it into several pages, and keep images in files of their own)");
        free(m);
        page_free(p);
    }
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_load_applies_the_markdown_limits_before_looking_for_a_title) {
    fixture f = fixture_new();
    diag_list d = DIAG_LIST_INIT;
    buf text = BUF_INIT;
    buf_puts(&text, "---\nsummary: x\n---\n# ");
    for (int i = 0; i < 2000; i++)
        buf_puts(&text, "![[]()"); /* quadratic in cmark-gfm 0.29.0.gfm.6 */
    buf_putc(&text, '\n');
    int rc = 0;
    page *p = load(&f, "odd.md", buf_cstr(&text), &d, &rc);
    if (p) {
        CHECK_INT(rc, -1);
        CHECK(p->skip_body);
        CHECK_STR(p->title, "Odd");
    }
    char *m = first_message(&d);
    CHECK_CONTAINS(
        m, "content/odd.md:4:1: this paragraph (or list or table) holds more than 1000 '['");
    free(m);
    page_free(p);
    buf_free(&text);
    diag_free(&d);
    fixture_free(&f);
}

TEST(page_new_virtual_makes_listing_pages) {
    page *p = page_new_virtual(KIND_TAG, "tags/skin/", "Skin");
    CHECK_STR(p->title, "Skin");
    CHECK_STR(p->url_path, "tags/skin/");
    CHECK_STR(p->out_path, "tags/skin/index.html");
    CHECK_STR(p->section_path, "tags/skin");
    CHECK(p->source == NULL);
    CHECK_INT(p->front->type, VALUE_MAP);
    CHECK_STR(page_kind_name(p->kind), "tag");
    page_free(p);
    page_free(NULL);
}
