/* Tests for page_cache: a page's record read back as it was written, the
 * key and the build that make a record usable, kept records copied into
 * the next file with their terms, and files that do not parse. Each test
 * works in its own mkdtemp folder. */
#include "fsutil.h"
#include "page_cache.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BUILD = 11, SEED = 22 };

static char *make_tmp(void) {
    char tmpl[] = "/tmp/clinicgen-pages-XXXXXX";
    char *dir = mkdtemp(tmpl);
    return dir ? xstrdup(dir) : NULL;
}

/* A page's search records as a collector would make them: the page's own
 * record and one section, over three terms of c. */
static void fill_search(search_page *sp, search_collector *c) {
    memset(sp, 0, sizeof *sp);
    sp->title = xstrdup("Microneedling");
    sp->n_records = 2;
    sp->records = xcalloc(2, sizeof *sp->records);
    sp->records[0] = (search_record){xstrdup("procedures/microneedling/"),
                                     NULL,
                                     xstrdup("Fine needles make small channels."),
                                     0,
                                     2,
                                     9.5f};
    sp->records[1] = (search_record){xstrdup("procedures/microneedling/#aftercare"),
                                     xstrdup("Aftercare"),
                                     xstrdup("Keep out of the sun."),
                                     2,
                                     1,
                                     3.25f};
    search_posting posts[] = {{search_collector_intern(c, "needl", 5), 8.0f},
                              {search_collector_intern(c, "channel", 7), 1.5f},
                              {search_collector_intern(c, "sun", 3), 300.0f}};
    buf packed = BUF_INIT;
    for (int i = 0; i < 3; i++)
        search_posting_pack(&packed, posts[i]);
    sp->n_postings = 3;
    sp->postings_len = packed.len;
    sp->postings = (unsigned char *)buf_detach(&packed);
}

/* The i-th of a page's packed postings. */
static search_posting posting_at(const search_page *sp, size_t i) {
    search_posting post = {0, 0};
    const unsigned char *p = sp->postings, *end = p + sp->postings_len;
    for (size_t k = 0; k <= i; k++)
        if (search_posting_unpack(&p, end, &post) != 0)
            return (search_posting){UINT32_MAX, -1};
    return post;
}

static void check_search(const search_page *sp, const page_cache *c) {
    CHECK_STR(sp->title, "Microneedling");
    CHECK(sp->n_records == 2 && sp->n_postings == 3);
    if (sp->n_records != 2 || sp->n_postings != 3)
        return;
    CHECK_STR(sp->records[0].url, "procedures/microneedling/");
    CHECK(sp->records[0].heading == NULL);
    CHECK_STR(sp->records[1].heading, "Aftercare");
    CHECK_STR(sp->records[1].excerpt, "Keep out of the sun.");
    CHECK(sp->records[0].length == 9.5f && sp->records[1].length == 3.25f);
    CHECK(sp->records[1].first == 2 && sp->records[1].count == 1);
    CHECK(sp->collector == c->collector_id);
    search_posting p0 = posting_at(sp, 0), p1 = posting_at(sp, 1), p2 = posting_at(sp, 2);
    size_t n_terms = search_collector_terms(c->terms);
    CHECK(p0.term < n_terms && p2.term < n_terms);
    if (p0.term < n_terms && p2.term < n_terms) {
        CHECK_STR(search_collector_term(c->terms, p0.term), "needl");
        CHECK_STR(search_collector_term(c->terms, p2.term), "sun");
    }
    CHECK(p0.weight == 8.0f && p1.weight == 1.5f);
    CHECK(p2.weight == 300.0f);                  /* past what one byte holds */
    CHECK(posting_at(sp, 3).term == UINT32_MAX); /* and no more */
}

/* Writes one built page (with a warning and search records) and one
 * without search; returns the file's path. */
static char *write_file(const char *dir) {
    char *path = fs_join(dir, "site.pages");
    page_cache_writer w;
    CHECK(page_cache_writer_open(&w, path, BUILD, SEED, NULL) == 0);
    search_collector *c = search_collector_new(NULL, 0);
    search_collector_intern(c, "unused", 6); /* a term no kept page uses */
    search_page sp;
    fill_search(&sp, c);
    diag_list d = DIAG_LIST_INIT;
    diag_warning(&d, "content/procedures/microneedling.md", 7, 3, "raw HTML is left out");
    page_cache_terms map = {NULL, 0};
    page_cache_put_built(&w, &map, "procedures/microneedling/index.html", 101, &d, &sp, c);
    diag_free(&d);
    page_cache_put_built(&w, &map, "404.html", 102, &d, NULL, c);
    page_cache_put_first_record(&w, "procedures/microneedling/index.html", 12);
    CHECK(page_cache_writer_commit(&w) == 0);
    page_cache_terms_free(&map);
    search_page_free(&sp);
    search_collector_free(c);
    return path;
}

TEST(page_cache_reads_back_a_page_as_written) {
    char *dir = make_tmp();
    char *path = write_file(dir);
    page_cache c;
    CHECK(page_cache_load(&c, path, BUILD, SEED, NULL, 4) == 0);
    const char *record = page_cache_find(&c, "procedures/microneedling/index.html", 101);
    CHECK(record != NULL);
    diag_list d = DIAG_LIST_INIT;
    search_page sp;
    memset(&sp, 0, sizeof sp);
    int searched = 0;
    CHECK(record && page_cache_read(&c, record, &d, &sp, &searched) == 0);
    CHECK(searched == 1 && d.len == 1 && d.warnings == 1);
    if (d.len == 1) {
        CHECK_STR(d.items[0].file, "content/procedures/microneedling.md");
        CHECK(d.items[0].line == 7 && d.items[0].col == 3);
        CHECK_STR(d.items[0].message, "raw HTML is left out");
    }
    check_search(&sp, &c);
    CHECK(c.collector_id == 4);
    search_page_free(&sp);
    diag_free(&d);
    record = page_cache_find(&c, "404.html", 102);
    searched = 1;
    CHECK(record && page_cache_read(&c, record, &d, &sp, &searched) == 0 && searched == 0);
    CHECK(d.len == 0);
    size_t first = 0;
    CHECK(page_cache_first_record(&c, "procedures/microneedling/index.html", &first) == 0);
    CHECK(first == 12);
    CHECK(page_cache_first_record(&c, "404.html", &first) == -1); /* no search records */
    page_cache_free(&c);
    free(path);
    fs_remove_tree(dir);
    free(dir);
}

TEST(page_cache_finds_a_record_only_under_its_key_and_build) {
    char *dir = make_tmp();
    char *path = write_file(dir);
    page_cache c;
    CHECK(page_cache_load(&c, path, BUILD, SEED, NULL, 0) == 0);
    CHECK(page_cache_find(&c, "procedures/microneedling/index.html", 100) == NULL);
    CHECK(page_cache_find(&c, "procedures/other/index.html", 101) == NULL);
    page_cache_free(&c);
    CHECK(page_cache_load(&c, path, BUILD + 1, SEED, NULL, 0) == -1); /* another build's */
    CHECK(page_cache_load(&c, path, BUILD, SEED + 1, NULL, 0) == -1); /* other inputs */
    CHECK(c.data == NULL && c.records.len == 0);
    free(path);
    fs_remove_tree(dir);
    free(dir);
}

/* A kept record is copied byte for byte: its term numbers must still name
 * the same terms in the new file, whatever the new pages add. */
TEST(page_cache_keeps_records_with_their_terms) {
    char *dir = make_tmp();
    char *path = write_file(dir);
    page_cache old;
    CHECK(page_cache_load(&old, path, BUILD, SEED, NULL, 0) == 0);
    page_cache_writer w;
    CHECK(page_cache_writer_open(&w, path, BUILD + 1, SEED, &old) == 0);
    search_collector *c = search_collector_new(NULL, 0);
    search_collector_intern(c, "sun", 3); /* numbered differently in c */
    search_page sp;
    fill_search(&sp, c);
    diag_list none = DIAG_LIST_INIT;
    page_cache_terms map = {NULL, 0};
    page_cache_put_built(&w, &map, "faq/index.html", 7, &none, &sp, c);
    page_cache_put_kept(&w, page_cache_find(&old, "procedures/microneedling/index.html", 101));
    CHECK(page_cache_writer_commit(&w) == 0);
    page_cache_terms_free(&map);
    search_page_free(&sp);
    search_collector_free(c);
    page_cache_free(&old);

    page_cache now;
    CHECK(page_cache_load(&now, path, BUILD + 1, SEED, NULL, 0) == 0);
    CHECK(page_cache_find(&now, "404.html", 102) == NULL); /* not carried over */
    const char *names[] = {"procedures/microneedling/index.html", "faq/index.html"};
    uint64_t keys[] = {101, 7};
    for (int i = 0; i < 2; i++) {
        const char *record = page_cache_find(&now, names[i], keys[i]);
        diag_list d = DIAG_LIST_INIT;
        int searched = 0;
        memset(&sp, 0, sizeof sp);
        CHECK(record && page_cache_read(&now, record, &d, &sp, &searched) == 0 && searched);
        check_search(&sp, &now);
        CHECK(d.len == (i == 0 ? 1u : 0u));
        search_page_free(&sp);
        diag_free(&d);
    }
    page_cache_free(&now);
    free(path);
    fs_remove_tree(dir);
    free(dir);
}

/* Every shorter file does not load; with any one byte changed, a record
 * either is not found, does not read, or reads as written: never another
 * page's data. */
TEST(page_cache_refuses_damaged_files) {
    char *dir = make_tmp();
    char *path = write_file(dir);
    size_t len;
    char *data = fs_read_file(path, &len);
    CHECK(data != NULL);
    for (size_t cut = 0; data && cut < len; cut++) {
        fs_write_file(path, data, cut);
        page_cache c;
        CHECK(page_cache_load(&c, path, BUILD, SEED, NULL, 0) == -1);
    }
    size_t read_as_written = 0;
    for (size_t at = 0; data && at < len; at++) {
        data[at] ^= 0x5a;
        fs_write_file(path, data, len);
        data[at] ^= 0x5a;
        page_cache c;
        if (page_cache_load(&c, path, BUILD, SEED, NULL, 0) != 0)
            continue;
        const char *record = page_cache_find(&c, "procedures/microneedling/index.html", 101);
        diag_list d = DIAG_LIST_INIT;
        search_page sp;
        memset(&sp, 0, sizeof sp);
        int searched = 0;
        if (record && page_cache_read(&c, record, &d, &sp, &searched) == 0) {
            check_search(&sp, &c);
            CHECK(d.len == 1 && searched);
            read_as_written++; /* the change was in the other record */
        }
        search_page_free(&sp);
        diag_free(&d);
        page_cache_free(&c);
    }
    CHECK(read_as_written > 0);
    free(data);
    free(path);
    fs_remove_tree(dir);
    free(dir);
}

/* ---- deltas ---- */

enum { PAGES = 40 };

static char *page_name(int i) {
    return xasprintf("p%d/index.html", i);
}

/* A build that builds the pages in [built_from, built_to) under key
 * 5000 + i + 100 * generation and keeps the others from old (under their
 * key in keys[]), then commits. */
static void rebuild(const char *path, uint64_t build, page_cache *old, int built_from, int built_to,
                    int generation, uint64_t *keys) {
    page_cache_writer w;
    CHECK(page_cache_writer_open(&w, path, build, SEED, old) == 0);
    search_collector *c = search_collector_new(NULL, 0);
    page_cache_terms map = {NULL, 0};
    diag_list none = DIAG_LIST_INIT;
    for (int i = 0; i < PAGES; i++) {
        char *name = page_name(i);
        if (i >= built_from && i < built_to) {
            search_page sp;
            fill_search(&sp, c);
            keys[i] = 5000 + (uint64_t)i + 100 * (uint64_t)generation;
            page_cache_put_built(&w, &map, name, keys[i], &none, &sp, c);
            search_page_free(&sp);
        } else {
            const char *record = page_cache_find(old, name, keys[i]);
            CHECK(record != NULL);
            if (record)
                page_cache_put_kept(&w, record);
        }
        page_cache_put_first_record(&w, name, 2 * (size_t)i);
        free(name);
    }
    CHECK(page_cache_writer_commit(&w) == 0);
    page_cache_terms_free(&map);
    search_collector_free(c);
}

/* Every page is found under its key and reads as written. */
static void check_pages(const char *path, uint64_t build, const uint64_t *keys) {
    page_cache c;
    CHECK(page_cache_load(&c, path, build, SEED, NULL, 0) == 0);
    for (int i = 0; i < PAGES; i++) {
        char *name = page_name(i);
        const char *record = page_cache_find(&c, name, keys[i]);
        diag_list d = DIAG_LIST_INIT;
        search_page sp;
        memset(&sp, 0, sizeof sp);
        int searched = 0;
        CHECK(record && page_cache_read(&c, record, &d, &sp, &searched) == 0 && searched);
        if (searched)
            check_search(&sp, &c);
        size_t first = 0;
        CHECK(page_cache_first_record(&c, name, &first) == 0 && first == 2 * (size_t)i);
        search_page_free(&sp);
        diag_free(&d);
        free(name);
    }
    page_cache_free(&c);
}

static long file_size(const char *path) {
    size_t len;
    char *data = fs_read_file(path, &len);
    free(data);
    return data ? (long)len : -1;
}

TEST(page_cache_rebuild_writes_a_delta_over_the_last_full_file) {
    char *dir = make_tmp();
    char *path = fs_join(dir, "site.pages"), *base = fs_join(dir, "site.pages-base");
    uint64_t keys[PAGES];
    rebuild(path, BUILD, NULL, 0, PAGES, 0, keys); /* every page built: a full file */
    long full = file_size(path);
    CHECK(full > 0 && file_size(base) == -1);
    check_pages(path, BUILD, keys);

    page_cache old; /* one page rebuilt: the last file becomes the base */
    CHECK(page_cache_load(&old, path, BUILD, SEED, NULL, 0) == 0);
    uint64_t first_key = keys[3];
    rebuild(path, BUILD + 1, &old, 3, 4, 1, keys);
    page_cache_free(&old);
    CHECK(file_size(base) == full);
    CHECK(file_size(path) > 0 && file_size(path) < full / 4);
    check_pages(path, BUILD + 1, keys);
    page_cache c; /* the page's record in the base is not the one found */
    CHECK(page_cache_load(&c, path, BUILD + 1, SEED, NULL, 0) == 0);
    char *name = page_name(3);
    CHECK(page_cache_find(&c, name, first_key) == NULL);
    free(name);
    page_cache_free(&c);

    /* another: the same base, and the last delta's record carried over */
    CHECK(page_cache_load(&old, path, BUILD + 1, SEED, NULL, 0) == 0);
    rebuild(path, BUILD + 2, &old, 7, 8, 2, keys);
    page_cache_free(&old);
    CHECK(file_size(base) == full);
    check_pages(path, BUILD + 2, keys);

    /* many pages rebuilt: a full file again, and no base */
    CHECK(page_cache_load(&old, path, BUILD + 2, SEED, NULL, 0) == 0);
    rebuild(path, BUILD + 3, &old, 0, PAGES / 2, 3, keys);
    page_cache_free(&old);
    CHECK(file_size(base) == -1);
    CHECK(file_size(path) >= full * 9 / 10);
    check_pages(path, BUILD + 3, keys);
    free(path);
    free(base);
    fs_remove_tree(dir);
    free(dir);
}

TEST(page_cache_delta_without_its_base_counts_as_none) {
    char *dir = make_tmp();
    char *path = fs_join(dir, "site.pages"), *base = fs_join(dir, "site.pages-base");
    uint64_t keys[PAGES];
    rebuild(path, BUILD, NULL, 0, PAGES, 0, keys);
    page_cache old;
    CHECK(page_cache_load(&old, path, BUILD, SEED, NULL, 0) == 0);
    rebuild(path, BUILD + 1, &old, 3, 4, 1, keys);
    page_cache_free(&old);
    page_cache c;
    CHECK(page_cache_load(&c, path, BUILD + 1, SEED, NULL, 0) == 0);
    page_cache_free(&c);
    size_t len; /* a base of the right length from another build */
    char *data = fs_read_file(base, &len);
    CHECK(data != NULL);
    if (data) {
        memcpy(data + 18, "\x01", 1); /* its build, just after the magic line */
        fs_write_file(base, data, len);
        CHECK(page_cache_load(&c, path, BUILD + 1, SEED, NULL, 0) == -1);
        fs_write_file(base, data, len - 1); /* or of another length */
        CHECK(page_cache_load(&c, path, BUILD + 1, SEED, NULL, 0) == -1);
    }
    unlink(base);
    CHECK(page_cache_load(&c, path, BUILD + 1, SEED, NULL, 0) == -1);
    CHECK(c.data == NULL && c.base == NULL);
    free(data);
    free(path);
    free(base);
    fs_remove_tree(dir);
    free(dir);
}
