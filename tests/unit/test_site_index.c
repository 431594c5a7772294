/* Tests for the site model's indexes (site_index.c): the A-Z order and
 * groups, concerns linked both ways (written and made-up concern pages),
 * related procedures. Each test writes a small content/ folder under /tmp
 * and builds the site model from it. */
#include "buf.h"
#include "fsutil.h"
#include "site.h"
#include "site_index.h"
#include "test.h"
#include "tokenize.h"

#include <stdlib.h>

typedef struct fixture {
    char dir[40]; /* /tmp/cgindex-XXXXXX */
    char *content;
    site_config cfg;
    site_model m;
    diag_list d;
    buf messages; /* every message as "file:line: message\n" */
} fixture;

static int fixture_open(fixture *f) {
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cgindex-XXXXXX");
    if (!mkdtemp(f->dir)) {
        test_fail(__FILE__, __LINE__, "mkdtemp failed");
        return -1;
    }
    f->content = fs_join(f->dir, "content");
    f->cfg.title = xstrdup("Test clinic");
    f->cfg.description = xstrdup("");
    f->cfg.base_url = xstrdup("https://t.example/");
    f->cfg.base_path = xstrdup("/");
    f->cfg.language = xstrdup("en");
    f->cfg.theme = xstrdup("clinic");
    f->cfg.raw = value_new(VALUE_MAP, 0, 0);
    return 0;
}

/* Writes content/REL with the given front matter lines and a short body. */
static void put(fixture *f, const char *rel, const char *front) {
    char *path = fs_join(f->content, rel);
    char *text = xasprintf("---\n%s---\n\nBody.\n", front);
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    free(text);
    free(path);
}

static void build(fixture *f, int az) {
    site_inputs in = {&f->cfg, f->content, "content", 0, 0, az, 2, NULL, 1, NULL};
    site_model_build(&f->m, &in, &f->d);
    for (size_t i = 0; i < f->d.len; i++)
        buf_printf(&f->messages, "%s:%d: %s\n", f->d.items[i].file ? f->d.items[i].file : "",
                   f->d.items[i].line, f->d.items[i].message);
}

static page *at(const fixture *f, const char *url_path) {
    return strmap_get(&f->m.by_url, url_path);
}

static void fixture_close(fixture *f) {
    site_model_free(&f->m);
    config_free(&f->cfg);
    diag_free(&f->d);
    buf_free(&f->messages);
    fs_remove_tree(f->dir);
    free(f->content);
}

/* The titles of a list of pages, joined with " | ". Caller frees. */
static char *titles(page *const *list, size_t n) {
    buf out = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        buf_printf(&out, "%s%s", i ? " | " : "", list[i]->title);
    return buf_detach(&out);
}

/* The A-Z group g's titles. Caller frees. */
static char *az_group(const fixture *f, int g) {
    const size_t *start = f->m.az_start;
    return titles(f->m.az->children + start[g], start[g + 1] - start[g]);
}

/* ---- A-Z ---- */

/* Listings are put in order by each page's rank in the whole site: a long
 * one (here a section of 80 pages and its tag, most of the site) without
 * comparisons, a short one sorted. Weighted pages first, then titles
 * whatever the case; a page that names a tag twice is in its listing twice,
 * next to itself. */
TEST(site_listings_long_and_short_are_in_listing_order) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    char *dir = fs_join(f.content, "notes");
    CHECK_INT(fs_mkdirs(dir), 0);
    free(dir);
    buf want = BUF_INIT, want_tag = BUF_INIT;
    for (int i = 0; i < 80; i++) { /* titles in the reverse order of the files */
        char rel[32], front[96];
        snprintf(rel, sizeof rel, "notes/n%02d.md", i);
        snprintf(front, sizeof front, "title: \"%c note %02d\"\ntags: [%s]\n%s", i % 2 ? 'B' : 'b',
                 79 - i, i == 7 ? "Skin, skin" : "Skin", i == 50 ? "weight: 1\n" : "");
        put(&f, rel, front);
    }
    put(&f, "notes/_index.md", "title: Notes\n");
    buf_puts(&want, "b note 29"); /* weighted */
    buf_puts(&want_tag, "b note 29");
    for (int t = 0; t < 80; t++) {
        int i = 79 - t;
        if (i == 50)
            continue;
        buf_printf(&want, " | %c note %02d", i % 2 ? 'B' : 'b', t);
        buf_printf(&want_tag, " | %c note %02d", i % 2 ? 'B' : 'b', t);
        if (i == 7)
            buf_printf(&want_tag, " | %c note %02d", i % 2 ? 'B' : 'b', t);
    }
    build(&f, 0);
    CHECK_STR(f.messages.data ? f.messages.data : "", "");
    page *notes = at(&f, "notes/"), *tag = at(&f, "tags/skin/");
    CHECK(notes && tag);
    if (notes && tag) {
        char *got = titles(notes->children, notes->n_children);
        CHECK_STR(got, buf_cstr(&want));
        free(got);
        got = titles(tag->children, tag->n_children);
        CHECK_STR(got, buf_cstr(&want_tag));
        free(got);
        got = titles(at(&f, "")->subsections, at(&f, "")->n_subsections);
        CHECK_STR(got, "Notes");
        free(got);
    }
    buf_free(&want);
    buf_free(&want_tag);
    fixture_close(&f);
}

/* site_sort_as_before: elements carrying their places from "the last
 * build" sort exactly as qsort sorts them, whether the places still hold,
 * some moved, some are unknown or two claim one. */
typedef struct placed {
    int key;
    size_t before;
} placed;

static int compare_placed(const void *a, const void *b) {
    int x = ((const placed *)a)->key, y = ((const placed *)b)->key;
    return (x > y) - (x < y);
}

static size_t placed_before(const void *e) {
    return ((const placed *)e)->before;
}

TEST(sort_as_before_sorts_as_qsort_does_whatever_the_places) {
    enum { N = 500 };
    static placed items[N], expected[N];
    unsigned seed = 7;
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < N; i++) { /* keys 0, 3, 6, ... shuffled; place = rank + 1 */
            seed = seed * 1103515245u + 12345u;
            items[i] = (placed){i * 3, (size_t)i + 1};
        }
        for (int i = N - 1; i > 0; i--) {
            seed = seed * 1103515245u + 12345u;
            int j = (int)(seed % (unsigned)(i + 1));
            placed t = items[i];
            items[i] = items[j];
            items[j] = t;
        }
        if (round == 1) /* one moved: a key now between two others */
            items[10].key = 301;
        if (round == 2) /* a few never placed, and a new key among them */
            for (int i = 0; i < 20; i++)
                items[i * 7].before = 0, items[i * 7].key = i * 50 + 1;
        if (round == 3) /* two claim one place */
            items[3].before = items[4].before;
        if (round == 4) /* places past the end (pages removed) */
            for (int i = 0; i < N; i++)
                items[i].before += items[i].before > N / 2 ? 100 : 0;
        if (round == 5) /* most unknown: plain qsort */
            for (int i = 0; i < N - 10; i++)
                items[i].before = 0;
        memcpy(expected, items, sizeof items);
        qsort(expected, N, sizeof *expected, compare_placed);
        site_sort_as_before(items, N, sizeof *items, compare_placed, placed_before);
        int same = 1;
        for (int i = 0; i < N; i++)
            same &= items[i].key == expected[i].key;
        CHECK(same);
    }
}

TEST(tokenize_fold_text_keeps_what_is_not_a_letter) {
    buf out = BUF_INIT;
    const char *title = "\xC3\x89"
                        "clat \xE2\x80\x93 Stra\xC3\x9F"
                        "e 3, \xC3\x86on!";
    tokenize_fold_text(&out, title, strlen(title));
    CHECK_STR(buf_cstr(&out), "eclat \xE2\x80\x93 strasse 3, aeon!");
    buf_free(&out);
}

TEST(az_sorts_by_folded_title_and_groups_by_first_letter) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "_index.md", "title: Home\n");
    put(&f, "about.md", "title: \"zinc and you\"\n");
    put(&f, "procedures/_index.md", "title: Procedures\n");
    put(&f, "procedures/apple.md", "title: Apple\ntags: [fruit]\n");
    put(&f, "procedures/angstrom.md", "title: \"\xC3\xA5ngstr\xC3\xB6m\"\n"); /* ångström */
    put(&f, "procedures/eclat.md",
        "title: \"\xC3\x89"
        "clat peel\"\n"); /* Éclat */
    put(&f, "procedures/eczema.md", "title: eczema care\n");
    put(&f, "procedures/banana.md", "title: BANANA\n");
    put(&f, "faq/three.md", "title: \"3 things to know\"\n");
    put(&f, "faq/quoted.md", "title: \"\xE2\x80\x9CQuoted\xE2\x80\x9D title\"\n");
    build(&f, 1);
    CHECK_INT(f.d.errors, 0);
    CHECK(f.m.az != NULL && at(&f, "a-z/") == f.m.az);
    if (!f.m.az) {
        fixture_close(&f);
        return;
    }
    CHECK_INT(f.m.az->kind, KIND_AZ);
    /* every written page, not the home page, section listings or tags */
    CHECK_INT(f.m.az->n_children, 8);
    char *s;
    CHECK_STR(s = az_group(&f, 0), "\xC3\xA5ngstr\xC3\xB6m | Apple");
    free(s);
    CHECK_STR(s = az_group(&f, 1), "BANANA");
    free(s);
    CHECK_STR(s = az_group(&f, 4), "\xC3\x89"
                                   "clat peel | eczema care");
    free(s);
    CHECK_STR(s = az_group(&f, 25), "zinc and you");
    free(s);
    CHECK_STR(s = az_group(&f, SITE_AZ_GROUPS - 1),
              "3 things to know | \xE2\x80\x9CQuoted\xE2\x80\x9D title");
    free(s);
    CHECK_INT(f.m.az_start[3], f.m.az_start[2]); /* C and D: no pages */
    CHECK_INT(f.m.az_start[SITE_AZ_GROUPS], 8);
    fixture_close(&f);
}

TEST(az_is_made_only_when_asked) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "a-z.md", "title: Glossary\n");
    build(&f, 0);
    CHECK(f.m.az == NULL);
    CHECK_INT(f.d.errors, 0);
    CHECK(at(&f, "a-z/") && at(&f, "a-z/")->source);
    fixture_close(&f);
}

TEST(az_url_taken_by_a_written_page_is_an_error_naming_it) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "a-z.md", "title: Glossary\n");
    build(&f, 1);
    CHECK_INT(f.d.errors, 1);
    CHECK_CONTAINS(buf_cstr(&f.messages),
                   "content/a-z.md:0: this page wants the URL /a-z/, which clinicgen makes "
                   "for the page 'A\xE2\x80\x93Z index'");
    fixture_close(&f);
}

/* ---- concerns ---- */

TEST(concerns_link_procedures_and_concern_pages_both_ways) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "procedures/peel.md", "title: Peel\nweight: 2\nconcerns: [acne-scars, Wrinkles]\n");
    put(&f, "procedures/laser.md", "title: Laser\nweight: 1\nconcerns: [acne-scars, acne-scars]\n");
    put(&f, "procedures/roller.md", "title: Roller\nconcerns: stretch-marks\n");
    put(&f, "concerns/acne-scars.md", "title: Scars from acne\n");
    build(&f, 0);
    CHECK_INT(f.d.errors, 0);
    page *peel = at(&f, "procedures/peel/"), *acne = at(&f, "concerns/acne-scars/");
    page *wrinkles = at(&f, "concerns/wrinkles/"), *marks = at(&f, "concerns/stretch-marks/");
    CHECK(peel && acne && wrinkles && marks);
    if (!peel || !acne || !wrinkles || !marks) {
        fixture_close(&f);
        return;
    }
    /* the written concern page wins; the others are made up */
    CHECK(acne->source != NULL);
    CHECK(wrinkles->source == NULL && wrinkles->kind == KIND_CONCERN);
    CHECK_STR(wrinkles->title, "Wrinkles");
    CHECK_STR(marks->title, "Stretch marks");
    char *s;
    CHECK_STR(s = titles(peel->concern_pages, peel->n_concern_pages), "Scars from acne | Wrinkles");
    free(s);
    /* in listing order (by weight), each procedure once */
    CHECK_STR(s = titles(acne->treated_by, acne->n_treated_by), "Laser | Peel");
    free(s);
    CHECK_STR(s = titles(marks->treated_by, marks->n_treated_by), "Roller");
    free(s);
    /* concerns/ lists every concern, made-up ones included */
    page *listing = at(&f, "concerns/");
    CHECK(listing && listing->kind == KIND_SECTION);
    CHECK(wrinkles->parent == listing);
    if (listing) {
        CHECK_STR(s = titles(listing->children, listing->n_children),
                  "Scars from acne | Stretch marks | Wrinkles");
        free(s);
    }
    fixture_close(&f);
}

TEST(concerns_listing_is_made_and_lists_concern_pages_written_elsewhere) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "procedures/peel.md", "title: Peel\nconcerns: [rosacea, redness]\n");
    put(&f, "skin/rosacea.md", "title: Rosacea\nkind: concern\n");
    put(&f, "faq/redness.md", "title: Redness FAQ\nconcerns: [rosacea]\n");
    build(&f, 0);
    CHECK_INT(f.d.errors, 0);
    page *listing = at(&f, "concerns/"), *rosacea = at(&f, "skin/rosacea/");
    CHECK(listing && listing->kind == KIND_SECTION && listing->parent == f.m.home);
    CHECK(at(&f, "concerns/rosacea/") == NULL);   /* the written one is used */
    CHECK(rosacea && rosacea->n_treated_by == 1); /* the FAQ's concerns are not linked */
    if (listing) {
        CHECK_STR(listing->title, "Concerns");
        char *s = titles(listing->children, listing->n_children);
        CHECK_STR(s, "Redness | Rosacea");
        free(s);
    }
    CHECK_INT(f.d.warnings, 1);
    CHECK_CONTAINS(buf_cstr(&f.messages),
                   "content/faq/redness.md:3: 'concerns' links a procedure to the concerns it "
                   "treats; this page is a faq");
    fixture_close(&f);
}

TEST(concerns_two_concern_pages_with_one_slug_is_an_error) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "concerns/acne.md", "title: Acne\n");
    put(&f, "skin/acne.md", "title: Acne again\nkind: concern\n");
    build(&f, 0);
    CHECK_INT(f.d.errors, 1);
    CHECK_CONTAINS(buf_cstr(&f.messages), "both have the slug 'acne'");
    fixture_close(&f);
}

TEST(concerns_a_made_up_concern_page_never_replaces_a_written_page) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    /* not a concern page, but at the URL a made-up concern would take */
    put(&f, "concerns/acne.md", "title: Acne notes\nkind: page\n");
    put(&f, "procedures/peel.md", "title: Peel\nconcerns: [acne]\n");
    build(&f, 0);
    CHECK_INT(f.d.errors, 1);
    CHECK_CONTAINS(buf_cstr(&f.messages),
                   "content/concerns/acne.md:0: this page wants the URL /concerns/acne/");
    fixture_close(&f);
}

/* ---- related procedures ---- */

TEST(related_ranks_by_shared_concerns_then_tags_at_most_five) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "procedures/a.md", "title: A\nconcerns: [c1, c2]\ntags: [t1, t2]\n");
    put(&f, "procedures/b.md", "title: B\nconcerns: [c1, c2]\n");         /* 4 */
    put(&f, "procedures/c.md", "title: C\nconcerns: [c1]\ntags: [t1]\n"); /* 3 */
    put(&f, "procedures/e.md", "title: E\nweight: 3\nconcerns: [c1]\n");  /* 2 */
    put(&f, "procedures/y.md", "title: Y\nweight: 1\ntags: [t2, t1]\n");  /* 2, listed first */
    put(&f, "procedures/d.md", "title: D\nweight: 5\ntags: [t1, T1]\n");  /* 1, not 2 */
    put(&f, "procedures/h.md", "title: H\nweight: 4\ntags: [t1]\n");      /* 1 */
    put(&f, "procedures/g.md", "title: G\nweight: 6\ntags: [t1]\n");      /* 1 */
    put(&f, "procedures/z.md", "title: Z\ntags: [other]\n");              /* 0 */
    put(&f, "faq/a-faq.md", "title: A FAQ\ntags: [t1]\n");                /* not a procedure */
    build(&f, 0);
    CHECK_INT(f.d.errors, 0);
    page *a = at(&f, "procedures/a/"), *z = at(&f, "procedures/z/");
    CHECK(a && z);
    if (!a || !z) {
        fixture_close(&f);
        return;
    }
    /* ties (Y and E score 2; H, D, G 1) go in listing order, by weight */
    page *related[SITE_RELATED_MAX];
    char *s = titles(related, site_related(&f.m, a, related));
    CHECK_STR(s, "B | C | Y | E | H");
    free(s);
    CHECK_INT(site_related(&f.m, z, related), 0);
    s = titles(related, site_related(&f.m, at(&f, "procedures/b/"), related));
    CHECK_STR(s, "A | E | C"); /* C and E tie: E has a weight, so it is listed first */
    free(s);
    fixture_close(&f);
}

/* Against every pair scored by brute force, on 400 procedures with random
 * concerns (2 points) and tags (1 point): up to 13 terms a page, so both
 * ways of ranking (by subsets of up to 8 terms, and scoring everyone) run,
 * with many ties. */
TEST(related_equals_brute_force_on_random_procedures) {
    enum { N = 400, CONCERNS = 5, TAGS = 8 };
    site_config cfg = {0};
    cfg.base_path = "/";
    site_model m;
    memset(&m, 0, sizeof m);
    m.cfg = &cfg;
    page *concerns[CONCERNS];
    for (int c = 0; c < CONCERNS; c++) {
        char *url = xasprintf("concerns/c%d/", c);
        concerns[c] = page_new_virtual(KIND_CONCERN, url, url);
        free(url);
    }
    unsigned has[N]; /* bits 0-4: concerns, 5-12: tags */
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        char url[32], title[16];
        snprintf(url, sizeof url, "procedures/p%03d/", i);
        snprintf(title, sizeof title, "P%03d", i);
        page *p = page_new_virtual(KIND_PROCEDURE, url, title);
        seed = seed * 1103515245u + 12345u;
        /* mostly few terms, now and then many */
        has[i] = (seed >> 8) & ((seed >> 28) < 3 ? 0x1fffu : 0x0c63u);
        for (int c = 0; c < CONCERNS; c++)
            if (has[i] >> c & 1)
                page_list_push(&p->concern_pages, &p->n_concern_pages, concerns[c]);
        for (int t = 0; t < TAGS; t++)
            if (has[i] >> (CONCERNS + t) & 1) {
                p->tags = xrealloc(p->tags, (p->n_tags + 1) * sizeof *p->tags);
                p->tags[p->n_tags++] = xasprintf("tag%d", t);
            }
        site_add_page(&m, p);
    }
    site_index_related(&m);
    int mismatches = 0;
    for (int r = 0; r < N; r++) {
        int best[SITE_RELATED_MAX], score[SITE_RELATED_MAX], n = 0;
        for (int q = 0; q < N; q++) { /* in listing order: a tie keeps the earlier */
            unsigned shared = has[r] & has[q];
            int sc = 2 * __builtin_popcount(shared & 0x1f) + __builtin_popcount(shared >> CONCERNS);
            if (q == r || sc == 0)
                continue;
            int at = n;
            while (at > 0 && score[at - 1] < sc)
                at--;
            if (at >= SITE_RELATED_MAX)
                continue;
            if (n == SITE_RELATED_MAX)
                n--;
            memmove(best + at + 1, best + at, (size_t)(n - at) * sizeof *best);
            memmove(score + at + 1, score + at, (size_t)(n - at) * sizeof *score);
            best[at] = q;
            score[at] = sc;
            n++;
        }
        page *related[SITE_RELATED_MAX];
        int same = (int)site_related(&m, m.pages[r], related) == n;
        for (int k = 0; same && k < n; k++)
            same = related[k] == m.pages[best[k]];
        mismatches += !same;
    }
    CHECK_INT(mismatches, 0);
    site_index_related_free(&m);
    for (size_t i = 0; i < m.n_pages; i++)
        page_free(m.pages[i]);
    free(m.pages);
    for (int c = 0; c < CONCERNS; c++)
        page_free(concerns[c]);
}

/* ---- URL clashes (site.c's claim_urls) ---- */

TEST(names_that_differ_only_in_case_are_errors_naming_both) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    put(&f, "About.md", "title: About us\n");
    put(&f, "about.md", "title: About\n");
    put(&f, "Hair Loss/a.md", "title: A\n"); /* a folder with no _index.md ... */
    put(&f, "hair loss/b.md", "title: B\n"); /* ... and its twin in other case */
    char *photo = fs_join(f.content, "peel/Photo.png"),
         *twin = fs_join(f.content, "peel/photo.png");
    CHECK_INT(fs_write_file(photo, "1", 1), 0);
    CHECK_INT(fs_write_file(twin, "2", 1), 0);
    put(&f, "peel/index.md", "title: Peel\n");
    build(&f, 0);
    CHECK_STR(buf_cstr(&f.messages),
              "content/about.md:0: this page and content/About.md both want the URL /about/; "
              "rename one or give it a 'slug' (their names differ only in case, which Windows and "
              "macOS do not tell apart)\n"
              "content/hair loss:0: this folder and the folder content/Hair Loss both want the URL "
              "/hair-loss/; rename one (their names differ only in case, which Windows and macOS "
              "do not tell apart)\n"
              "content/peel/photo.png:0: this file and content/peel/Photo.png differ only in case; "
              "they would be one file on Windows and macOS hosts: rename one\n");
    free(photo);
    free(twin);
    fixture_close(&f);
}
