/* Tests for the search stages: tokenize.c, stem.c, search_collect.c and
 * search_index.c, on small fixed inputs. */
#include "buf.h"
#include "fsutil.h"
#include "markdown.h"
#include "output.h"
#include "search_collect.h"
#include "search_index.h"
#include "search_scores.h"
#include "stem.h"
#include "test.h"
#include "tokenize.h"
#include "yaml_value.h"

#include <stdlib.h>
#include <unistd.h>

static void join_word(void *ctx, const char *word, size_t len, const char *before,
                      size_t before_len) {
    buf *out = ctx;
    if (before) /* the word it is joined to is the one just before */
        CHECK(out->len >= before_len &&
              !memcmp(out->data + out->len - before_len, before, before_len));
    buf_printf(out, "%s%.*s", out->len ? (before ? "+" : " ") : "", (int)len, word);
}

static char *words_of(const char *text) {
    buf out = BUF_INIT, scratch = BUF_INIT;
    tokenize(text, strlen(text), &scratch, join_word, &out);
    buf_free(&scratch);
    return buf_detach(&out);
}

TEST(tokenize_folds_case_and_accents_and_marks_hyphen_joins) {
    char *w = words_of("Éclat STRASSE Straße, micro-needling; don't ÆON 0.5mm a - b na\xC3\xAFve");
    CHECK_STR(w, "eclat strasse strasse micro+needling don't aeon 0 5mm a b naive");
    free(w);
    w = words_of(
        "patient\xE2\x80\x99s \xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1 x/y 'quoted' X-Ray-like");
    CHECK_STR(w, "patient's \xCE\xB1\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1 x+y quoted x+ray+like");
    free(w);
}

/* All-ASCII text takes a fast path; the same text followed by a word with
 * an accent takes the general one. Both must find the same words, joins
 * included, wherever a word falls against the fast path's 16- and 64-byte
 * blocks. */
TEST(tokenize_ascii_fast_path_agrees_with_the_general_one) {
    static const char *const fixed[] = {
        "",
        "a",
        "A-B",
        "don't",
        "'tis",
        "patients' rights",
        "rock'n'roll",
        "x'1",
        "a--b",
        "micro-needling/RF-based",
        "a-",
        "-a",
        "1/2",
        "o'",
        "ab'cd'",
        "mid-'word'",
        "The QUICK brown fox - 12mm, 0.5 mL; see @home [links] {braces} `code` z~z",
    };
    static const char alphabet[] = "aZ9'-/ .,;@[`{";
    unsigned seed = 12345;
    for (size_t t = 0; t < sizeof fixed / sizeof *fixed + 400; t++) {
        char text[200];
        if (t < sizeof fixed / sizeof *fixed) {
            snprintf(text, sizeof text, "%s", fixed[t]);
        } else {
            size_t n = (t * 7) % 150;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
            }
            text[n] = '\0';
        }
        char slow_text[220];
        snprintf(slow_text, sizeof slow_text, "%s \xC3\xA9", text);
        char *fast = words_of(text), *slow = words_of(slow_text);
        buf want = BUF_INIT;
        buf_printf(&want, "%s%se", fast, *fast ? " " : "");
        if (strcmp(want.data, slow) != 0)
            fprintf(stderr, "    text: \"%s\"\n", text);
        CHECK_STR(want.data, slow);
        buf_free(&want);
        free(fast);
        free(slow);
    }
}

TEST(stem_brings_word_forms_together) {
    stemmer *s = stemmer_new();
    CHECK(s != NULL);
    const char *forms[] = {"microneedling", "microneedles", "microneedle", "microneedled"};
    for (size_t i = 0; s && i < 4; i++) {
        size_t n;
        const char *out = stemmer_stem(s, forms[i], strlen(forms[i]), &n);
        char got[64];
        snprintf(got, sizeof got, "%.*s", (int)n, out);
        CHECK_STR(got, "microneedl");
    }
    stemmer_free(s);
}

/* A page from Markdown, collected; returns the terms of record k. */
static char *record_terms(search_collector *c, search_page *p, size_t k) {
    buf out = BUF_INIT;
    const unsigned char *at = p->postings, *end = at + p->postings_len;
    for (size_t i = 0; i < p->records[k].first + p->records[k].count; i++) {
        search_posting post;
        if (search_posting_unpack(&at, end, &post) != 0) {
            buf_puts(&out, " (packed postings end early)");
            break;
        }
        if (i >= p->records[k].first)
            buf_printf(&out, "%s%s=%g", out.len ? " " : "", search_collector_term(c, post.term),
                       post.weight);
    }
    return buf_detach(&out);
}

static void collect(search_collector *c, search_page *p, const char *url, const char *title,
                    const char *summary, int faq, const char *md) {
    md_doc doc;
    markdown_parse(&doc, md, strlen(md));
    diag_list d = DIAG_LIST_INIT;
    md_source src = {"x.md", 0, title};
    markdown_prepare(&doc, &src, NULL, NULL, &d);
    search_collect_page(c, p, url, title, summary, faq, doc.ast.root);
    md_doc_free(&doc);
    diag_free(&d);
}

TEST(search_collect_makes_records_with_weighted_terms) {
    markdown_init();
    diag_list d = DIAG_LIST_INIT;
    const char yaml[] = "- [blood thinners, anticoagulants]\n";
    value *groups = yaml_value_parse(yaml, strlen(yaml), "synonyms.yaml", 0, &d);
    search_synonyms *syn = search_synonyms_new(groups, "synonyms.yaml", &d);
    CHECK_INT(d.errors, 0);
    search_collector *c = search_collector_new(syn, 0);
    search_page p = {0};
    collect(c, &p, "peel/", "Peel", "A light peel.", 0,
            "Intro words.\n\n## Before the peel\n\nStop blood thinners only if told.\n\n"
            "| When | Do |\n|---|---|\n| Day 1 | Rest |\n");
    CHECK_INT((int)p.n_records, 2);
    if (p.n_records == 2) {
        CHECK_STR(p.records[0].url, "peel/");
        CHECK_STR(p.records[0].excerpt, "A light peel. Intro words.");
        CHECK_STR(p.records[1].url, "peel/#before-the-peel");
        CHECK_STR(p.records[1].heading, "Before the peel");
        char *t = record_terms(c, &p, 0);
        CHECK_STR(t, "peel=23.2857 a=5 light=5 intro=1 word=1"); /* 8 / 0.4375 + 5: a short title */
        free(t);
        t = record_terms(c, &p, 1);
        CHECK_STR(t, "befor=3.69231 the=3.69231 peel=5.69231 stop=1 blood=1 thinner=1 ~0=1 onli=1 "
                     "if=1 told=1 when=2 do=2 day=2 1=2 rest=2");
        free(t);
    }
    char *json_text;
    buf json = BUF_INIT;
    search_synonyms_json(syn, &json);
    json_text = buf_detach(&json);
    CHECK_STR(json_text, "[[[\"blood\",\"thinner\"],[\"anticoagul\"]]]");
    free(json_text);
    search_page_free(&p);
    search_collector_free(c);
    search_synonyms_free(syn);
    value_free(groups);
    diag_free(&d);
}

TEST(search_excerpt_is_cut_once_at_a_word) {
    markdown_init();
    search_collector *c = search_collector_new(NULL, 0);
    search_page p = {0};
    buf md = BUF_INIT;
    for (int i = 0; i < 40; i++)
        buf_puts(&md, "needling ");
    buf_puts(&md, "\n\nA second paragraph that no excerpt shows.\n");
    collect(c, &p, "x/", "X", NULL, 0, buf_cstr(&md));
    const char *e = p.n_records ? p.records[0].excerpt : "";
    size_t n = strlen(e);
    CHECK(n <= SEARCH_EXCERPT_MAX + 4);
    CHECK(n > 4 && !strcmp(e + n - 4, " \xE2\x80\xA6")); /* ends " ..." */
    CHECK(strstr(e, "second") == NULL);
    CHECK(strstr(e, "\xE2\x80\xA6") == e + n - 3); /* one ellipsis only */
    buf_free(&md);
    search_page_free(&p);
    search_collector_free(c);
}

static char *read_out(const char *dir, const char *name) {
    char *path = xasprintf("%s/site/%s", dir, name);
    size_t n;
    char *text = fs_read_file(path, &n);
    free(path);
    return text;
}

/* Writes the index of pages into dir/site, its scores made as update says
 * (NULL: every posting scored, none kept). */
static search_stats write_index_updating(const char *dir, search_page *pages, size_t n,
                                         search_collector *c, int jobs,
                                         const search_update *update) {
    diag_list d = DIAG_LIST_INIT;
    output out;
    search_stats st = {0};
    char *site = xasprintf("%s/site", dir);
    CHECK_INT(output_begin(&out, site, dir, NULL, &d), 0);
    search_records *records = search_records_new(&out); /* as the build adds them */
    for (size_t i = 0; i < n; i++)
        CHECK_INT(search_records_add(records, &pages[i], 0, &d), 0);
    CHECK_INT(search_records_finish(records, &d), 0);
    CHECK_INT(search_index_write(pages, n, &c, NULL, records, jobs, update, &out, &st, &d), 0);
    search_records_free(records);
    CHECK_INT(output_commit(&out, &d), 0);
    CHECK_INT((int)d.errors, 0);
    output_free(&out);
    diag_free(&d);
    free(site);
    return st;
}

static search_stats write_index_on(const char *dir, search_page *pages, size_t n,
                                   search_collector *c, int jobs) {
    return write_index_updating(dir, pages, n, c, jobs, NULL);
}

static search_stats write_index(const char *dir, search_page *pages, size_t n,
                                search_collector *c) {
    return write_index_on(dir, pages, n, c, 1);
}

static void remove_dir(const char *dir) {
    char *cmd = xasprintf("rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
    free(cmd);
}

/* 400 pages of words from a small vocabulary: "skin" is on every page,
 * more than a term keeps, so each thread's part has its own best to merge. */
static void collect_one(search_collector *c, search_page *page, size_t i, const char *skin,
                        size_t shift) {
    static const char *const words[] = {"peel",  "laser", "needle",  "serum",    "redness",
                                        "scar",  "acne",  "tone",    "collagen", "sun",
                                        "cream", "cheek", "swelling"};
    buf md = BUF_INIT;
    for (size_t k = 0; k < 3 + i % 7; k++)
        buf_printf(&md, "%s %s %s. ", skin, words[(i * 7 + k + shift) % 13],
                   words[(i * 3 + k * k) % 13]);
    buf_printf(&md, "\n\n## Aftercare %zu\n\n%s %s.\n", i % 5, skin, words[(i + shift) % 13]);
    char url[32], title[32];
    snprintf(url, sizeof url, "p%zu/", i);
    snprintf(title, sizeof title, "Page %zu", i);
    collect(c, page, url, title, NULL, 0, buf_cstr(&md));
    buf_free(&md);
}

static void collect_many(search_collector *c, search_page *pages, size_t n) {
    for (size_t i = 0; i < n; i++)
        collect_one(c, &pages[i], i, "skin", 0);
}

TEST(search_index_is_the_same_for_every_number_of_threads) {
    enum { N = 400 };
    markdown_init();
    char dir1[] = "/tmp/cgsearch-XXXXXX", dir3[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir1) != NULL && mkdtemp(dir3) != NULL);
    search_collector *c = search_collector_new(NULL, 0);
    search_page *one = xcalloc(N, sizeof *one), *three = xcalloc(N, sizeof *three);
    collect_many(c, one, N);
    collect_many(c, three, N);
    search_stats st1 = write_index_on(dir1, one, N, c, 1);
    search_stats st3 = write_index_on(dir3, three, N, c, 3);
    CHECK_INT((int)st1.terms, (int)st3.terms);
    CHECK((int)st1.terms > 10);
    static const char *const files[] = {"search/meta.js", "search/t-736b.js", "search/t-7065.js",
                                        "search/t-6e65.js", "search/t-6166.js"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char *a = read_out(dir1, files[f]), *b = read_out(dir3, files[f]);
        CHECK(a != NULL && b != NULL);
        if (a && b && strcmp(a, b) != 0)
            CHECK_STR(b, a);
        free(a);
        free(b);
    }
    char *skin = read_out(dir1, "search/t-736b.js"); /* "sk": on all 400 pages' records */
    size_t numbers = 0;
    for (const char *p = skin ? strstr(skin, "\"skin\":[") : NULL; p && *p && *p != ']'; p++)
        numbers += *p == ',';
    CHECK_INT((int)(numbers + 1) / 2, SEARCH_POSTINGS_MAX); /* gap,score pairs */
    free(skin);
    for (size_t i = 0; i < N; i++) {
        search_page_free(&one[i]);
        search_page_free(&three[i]);
    }
    free(one);
    free(three);
    search_collector_free(c);
    remove_dir(dir1);
    remove_dir(dir3);
}

TEST(search_index_ranks_a_title_above_a_passing_mention) {
    markdown_init();
    char dir[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    search_collector *c = search_collector_new(NULL, 0);
    search_page pages[3] = {{0}};
    collect(c, &pages[0], "a/", "Chemical peel", NULL, 0, "Other words here.\n");
    collect(c, &pages[1], "b/", "Microneedling", NULL, 0, "Needles make tiny wounds.\n");
    collect(c, &pages[2], "c/", "Costs", NULL, 0,
            "A long page about prices, which mentions microneedling once among many other "
            "words about money, payment plans, deposits and refunds.\n");
    search_stats st = write_index(dir, pages, 3, c);
    CHECK_INT((int)st.records, 3);
    char *shard = read_out(dir, "search/t-6d69.js"); /* "mi" */
    CHECK(shard != NULL);
    if (shard) {
        /* record 1 (the title) scores higher than record 2 (the mention) */
        unsigned gap1, s1, gap2, s2;
        const char *p = strstr(shard, "\"microneedl\":[");
        CHECK(p != NULL);
        if (p && sscanf(p, "\"microneedl\":[%u,%u,%u,%u]", &gap1, &s1, &gap2, &s2) == 4) {
            CHECK_INT((int)gap1, 1);
            CHECK_INT((int)gap2, 1);
            CHECK(s1 > s2);
        } else {
            test_fail(__FILE__, __LINE__, "unexpected shard: %s", shard);
        }
    }
    char *records = read_out(dir, "search/r-0.js");
    CHECK_STR(records, "clinicgenSearch.records(0,[[\"a/\",\"Chemical peel\",\"\",\"Other words "
                       "here.\"],[\"b/\",\"Microneedling\",\"\",\"Needles make tiny wounds.\"],"
                       "[\"c/\",\"Costs\",\"\",\"A long page about prices, which mentions "
                       "microneedling once among many other words about money, payment plans, "
                       "deposits and refunds.\"]]);\n");
    char *meta = read_out(dir, "search/meta.js");
    CHECK(meta && strstr(meta, "clinicgenSearch.meta({\"n\":3,\"per\":10,\"keys\":[") == meta);
    free(shard);
    free(records);
    free(meta);
    for (int i = 0; i < 3; i++)
        search_page_free(&pages[i]);
    search_collector_free(c);
    remove_dir(dir);
}

/* The build takes the record files made while it holds its lock and
 * writes them after: take hands over each complete file once, by name and
 * bytes; a file still filling is not handed over, and finish writes it. */
TEST(search_records_hands_over_complete_files_to_write) {
    markdown_init();
    char dir[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    search_collector *c = search_collector_new(NULL, 0);
    search_page pages[13] = {{0}}; /* two records each */
    collect_many(c, pages, 13);
    diag_list d = DIAG_LIST_INIT;
    output out;
    char *site = xasprintf("%s/site", dir);
    CHECK_INT(output_begin(&out, site, dir, NULL, &d), 0);
    search_records *records = search_records_new(&out);
    for (size_t i = 0; i < 10; i++)
        CHECK_INT(search_records_add(records, &pages[i], 0, &d), 0);
    search_files made = {0};
    search_records_take(records, &made);
    CHECK_INT((int)made.len, 20 / SEARCH_RECORDS_PER_FILE);
    char *first = made.len ? xstrdup(buf_cstr(&made.items[0].data)) : NULL;
    CHECK_STR(made.len ? made.items[0].rel : "", "search/r-0.js");
    CHECK_INT(search_files_write(&made, &out, &d), 0);
    CHECK(made.len == 0 && made.items == NULL);
    for (size_t i = 10; i < 13; i++)
        CHECK_INT(search_records_add(records, &pages[i], 0, &d), 0);
    search_records_take(records, &made);
    CHECK_INT((int)made.len, 26 / SEARCH_RECORDS_PER_FILE - 20 / SEARCH_RECORDS_PER_FILE);
    CHECK_INT(search_files_write(&made, &out, &d), 0);
    CHECK_INT(search_records_finish(records, &d), 0);
    search_records_free(records);
    CHECK_INT(output_commit(&out, &d), 0);
    CHECK_INT((int)d.errors, 0);
    char *on_disk = read_out(dir, "search/r-0.js");
    CHECK_STR(on_disk, first ? first : "");
    char last_name[32];
    snprintf(last_name, sizeof last_name, "search/r-%d.js", (26 - 1) / SEARCH_RECORDS_PER_FILE);
    char *last = read_out(dir, last_name);
    CHECK(last != NULL && strstr(last, "Page 12") != NULL);
    free(first);
    free(on_disk);
    free(last);
    output_free(&out);
    diag_free(&d);
    free(site);
    for (size_t i = 0; i < 13; i++)
        search_page_free(&pages[i]);
    search_collector_free(c);
    remove_dir(dir);
}

TEST(search_index_ranks_the_page_named_by_the_query_first) {
    markdown_init();
    char dir[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    search_collector *c = search_collector_new(NULL, 0);
    search_page pages[2] = {{0}};
    collect(c, &pages[0], "faq/", "Microneedling: questions and answers", NULL, 1,
            "Microneedling pain, microneedling costs, microneedling healing.\n");
    collect(c, &pages[1], "mn/", "Microneedling", NULL, 0, "Fine needles.\n");
    write_index(dir, pages, 2, c);
    char *shard = read_out(dir, "search/t-6d69.js"); /* "mi" */
    unsigned gap1 = 0, s1 = 0, gap2 = 0, s2 = 0;
    const char *p = shard ? strstr(shard, "\"microneedl\":[") : NULL;
    CHECK(p && sscanf(p, "\"microneedl\":[%u,%u,%u,%u]", &gap1, &s1, &gap2, &s2) == 4);
    CHECK(s2 > s1); /* record 1, "Microneedling", over record 0 */
    free(shard);
    for (int i = 0; i < 2; i++)
        search_page_free(&pages[i]);
    search_collector_free(c);
    remove_dir(dir);
}

TEST(search_records_of_one_page_share_its_title_and_url) {
    markdown_init();
    char dir[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    search_collector *c = search_collector_new(NULL, 0);
    search_page page = {0};
    collect(c, &page, "peel/", "Chemical peel", NULL, 0,
            "A peel.\n\n## Aftercare\n\nKeep it clean.\n");
    write_index(dir, &page, 1, c);
    char *records = read_out(dir, "search/r-0.js");
    CHECK_STR(records, "clinicgenSearch.records(0,[[\"peel/\",\"Chemical peel\",\"\",\"A peel.\"],"
                       "[\"#aftercare\",\"\",\"Aftercare\",\"Keep it clean.\"]]);\n");
    free(records);
    search_page_free(&page);
    search_collector_free(c);
    remove_dir(dir);
}

/* Packed postings read back as written: small and large term numbers,
 * whole and fractional weights; cut short, they do not read. */
TEST(search_postings_pack_and_unpack) {
    search_posting posts[] = {{0, 1},          {127, 254},  {128, 255}, {16383, 0.5f},
                              {UINT32_MAX, 8}, {300000, 0}, {5, 1e9f}};
    size_t n = sizeof posts / sizeof *posts;
    buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        search_posting_pack(&b, posts[i]);
    CHECK(b.data[b.len] == '\0');     /* still a buf (buf.h) */
    CHECK(b.len < n * sizeof *posts); /* smaller than as an array */
    const unsigned char *p = (const unsigned char *)b.data, *end = p + b.len;
    for (size_t i = 0; i < n; i++) {
        search_posting got = {0, 0};
        CHECK(search_posting_unpack(&p, end, &got) == 0);
        CHECK(got.term == posts[i].term && got.weight == posts[i].weight);
    }
    CHECK(p == end);
    for (size_t cut = 1; cut < 8; cut++) { /* the last posting cut short */
        const unsigned char *q = (const unsigned char *)b.data;
        search_posting got;
        for (size_t i = 0; i + 1 < n; i++)
            search_posting_unpack(&q, end, &got);
        CHECK(search_posting_unpack(&q, end - cut, &got) == -1);
    }
    buf_free(&b);
}

/* The pages of collect_many, every step-th from first on written again
 * (the same two records each), with other words, or without "skin". */
static void collect_changed(search_collector *c, search_page *pages, size_t n, size_t first,
                            size_t step, int drop_skin) {
    for (size_t i = 0; i < n; i++)
        if (i >= first && (i - first) % step == 0)
            collect_one(c, &pages[i], i, drop_skin ? "face" : "skin", 5);
        else
            collect_one(c, &pages[i], i, "skin", 0);
}

/* A rebuild: the index of the changed pages, from the scores the index of
 * the last pages kept (or scored again when they cannot be brought up to
 * date), is the index a full build of them writes. Returns whether the
 * scores were brought up to date. */
static int rebuild_index_matches(size_t first, size_t step, int drop_skin) {
    enum { N = 400 };
    char dir1[] = "/tmp/cgsearch-XXXXXX", dir2[] = "/tmp/cgsearch-XXXXXX",
         dir3[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir1) && mkdtemp(dir2) && mkdtemp(dir3));
    search_collector *c = search_collector_new(NULL, 0);
    search_page *before = xcalloc(N, sizeof *before), *after = xcalloc(N, sizeof *after),
                *again = xcalloc(N, sizeof *again);
    collect_many(c, before, N);
    buf saved = BUF_INIT, resaved = BUF_INIT;
    search_update full = {.build = 7, .scores = &saved};
    write_index_updating(dir1, before, N, c, 1, &full);
    char *path = xasprintf("%s/scores", dir1);
    CHECK_INT(fs_write_file(path, saved.data, saved.len), 0);
    search_scores previous;
    CHECK_INT(search_scores_load(&previous, path, 8), -1); /* another build's */
    CHECK_INT(search_scores_load(&previous, path, 7), 0);
    collect_changed(c, after, N, first, step, drop_skin);
    collect_changed(c, again, N, first, step, drop_skin);
    search_change *changes = xcalloc(N, sizeof *changes);
    size_t n_changes = 0;
    for (size_t i = first; i < N; i += step)
        changes[n_changes++] = (search_change){i, before[i]};
    search_update update = {&previous, changes, n_changes, 8, &resaved};
    search_stats st = write_index_updating(dir2, after, N, c, 1, &update);
    write_index_updating(dir3, again, N, c, 2, NULL);
    char *cmd = xasprintf("diff -r %s/site %s/site >&2", dir2, dir3);
    CHECK_INT(system(cmd), 0);
    free(cmd);
    CHECK(resaved.len > 0);
    for (size_t i = 0; i < N; i++) {
        search_page_free(&before[i]);
        search_page_free(&after[i]);
        search_page_free(&again[i]);
    }
    free(before);
    free(after);
    free(again);
    free(changes);
    search_scores_free(&previous);
    buf_free(&saved);
    buf_free(&resaved);
    free(path);
    search_collector_free(c);
    remove_dir(dir1);
    remove_dir(dir2);
    remove_dir(dir3);
    return st.updated;
}

TEST(search_index_brings_the_last_scores_up_to_date) {
    markdown_init();
    CHECK_INT(rebuild_index_matches(200, 1000, 0), 1); /* one page */
    CHECK_INT(rebuild_index_matches(3, 40, 0), 1);     /* ten */
    /* "skin", on every record, keeps its 320 best: five pages without it
     * leave enough of them to know its 250 best */
    CHECK_INT(rebuild_index_matches(0, 80, 1), 1);
    /* the first 200 pages without it: its 250 best are no longer known */
    CHECK_INT(rebuild_index_matches(0, 2, 1), 0);
}

TEST(search_scores_refuse_damaged_files) {
    char dir[] = "/tmp/cgsearch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    buf b = BUF_INIT;
    search_scored best[] = {{2.0f, 4}, {1.0f, 9}};
    uint32_t records[] = {4, 9};
    unsigned char scores[] = {200, 100};
    search_scores_begin(&b, 5, 10, 3.5, 1);
    search_term_scores ts = {"skin", 2, 2, best, 2, records, scores};
    search_scores_put(&b, &ts);
    search_scores_end(&b);
    char *path = xasprintf("%s/scores", dir);
    search_scores s;
    CHECK_INT(fs_write_file(path, b.data, b.len), 0);
    CHECK_INT(search_scores_load(&s, path, 5), 0);
    const search_term_scores *got = search_scores_find(&s, "skin");
    CHECK(got && got->df == 2 && got->n == 2 && got->best[1].record == 9 &&
          got->best[0].score == 2.0f && got->n_shown == 2 && got->scores[1] == 100);
    CHECK(search_scores_find(&s, "face") == NULL);
    CHECK_INT((int)s.n_records, 10);
    search_scores_free(&s);
    for (size_t at = 0; at < b.len; at += 7) { /* any byte changed, or the file cut short */
        b.data[at] ^= 0x20;
        CHECK_INT(fs_write_file(path, b.data, b.len), 0);
        CHECK_INT(search_scores_load(&s, path, 5), -1);
        b.data[at] ^= 0x20;
        CHECK_INT(fs_write_file(path, b.data, at), 0);
        CHECK_INT(search_scores_load(&s, path, 5), -1);
    }
    free(path);
    buf_free(&b);
    remove_dir(dir);
}
