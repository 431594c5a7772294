/* Tests for model_cache: a page made from its entry equals the page read
 * from its file (fields, front matter, messages), a changed file or other
 * inputs are read again, and damaged files are refused. Each test works in
 * its own mkdtemp folder. */
#include "buf.h"
#include "fsutil.h"
#include "model_cache.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { INPUTS = 77 };

typedef struct fixture {
    char *dir, *content, *cache;
    site_model m;
    diag_list d;
} fixture;

static const char PAGE[] = "---\n"
                           "title: \"\"\n"
                           "summary: Fine needles, then calm skin.\n"
                           "reviewed: 2026-03-01\n"
                           "tags: [needling, \"skin care\"]\n"
                           "weight: 1.50\n"
                           "draft: false\n"
                           "aftercare:\n"
                           "  - {day: 1, do: [rest, \"no make-up\"]}\n"
                           "  - ~\n"
                           "kind: nonsense\n"
                           "---\n"
                           "\n"
                           "# Microneedling\n"
                           "\n"
                           "Body.\n";

static int fixture_open(fixture *f) {
    memset(f, 0, sizeof *f);
    char tmpl[] = "/tmp/clinicgen-model-XXXXXX";
    if (!mkdtemp(tmpl))
        return -1;
    f->dir = xstrdup(tmpl);
    f->content = fs_join(f->dir, "content");
    f->cache = fs_join(f->dir, "site.model");
    char *path = fs_join(f->content, "procedures/microneedling.md");
    CHECK_INT(fs_write_file(path, PAGE, strlen(PAGE)), 0);
    free(path);
    page *p = xcalloc(1, sizeof *p);
    page_load(p, f->content, "procedures/microneedling.md", "content/procedures/microneedling.md",
              &f->d);
    site_add_page(&f->m, p);
    return 0;
}

static void fixture_close(fixture *f) {
    for (size_t i = 0; i < f->m.n_pages; i++)
        page_free(f->m.pages[i]);
    free(f->m.pages);
    diag_free(&f->d);
    fs_remove_tree(f->dir);
    free(f->dir);
    free(f->content);
    free(f->cache);
}

/* Writes the model cache as a build that succeeds does. */
static int save(fixture *f) {
    char *tmp = model_cache_write(&f->m, f->cache, INPUTS);
    int rc = tmp && rename(tmp, f->cache) == 0 ? 0 : -1;
    free(tmp);
    return rc;
}

/* Two value trees alike: types, text, places, keys in order. */
static int same_value(const value *a, const value *b) {
    if (!a || !b)
        return a == b;
    if (a->type != b->type || a->line != b->line || a->col != b->col || a->len != b->len ||
        a->boolean != b->boolean || a->number != b->number || a->text_len != b->text_len ||
        (a->text == NULL) != (b->text == NULL) ||
        (a->text && memcmp(a->text, b->text, a->text_len)))
        return 0;
    for (size_t i = 0; i < a->len; i++) {
        if (a->type == VALUE_LIST && !same_value(a->items[i], b->items[i]))
            return 0;
        if (a->type == VALUE_MAP &&
            (strcmp(a->pairs[i].key, b->pairs[i].key) || a->pairs[i].line != b->pairs[i].line ||
             a->pairs[i].col != b->pairs[i].col || !same_value(a->pairs[i].val, b->pairs[i].val)))
            return 0;
    }
    return 1;
}

static page *restore(fixture *f, model_cache *c, diag_list *d, int *restored) {
    page *p = xcalloc(1, sizeof *p);
    *restored = model_cache_restore(c, p, f->content, "procedures/microneedling.md",
                                    "content/procedures/microneedling.md", d);
    return p;
}

TEST(model_cache_gives_the_page_its_file_gave) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    const page *read = f.m.pages[0];
    CHECK_INT(f.d.errors, 1); /* kind: nonsense */
    CHECK_INT(save(&f), 0);
    model_cache c;
    CHECK_INT(model_cache_load(&c, f.cache, INPUTS), 0);
    diag_list d = DIAG_LIST_INIT;
    int restored;
    page *p = restore(&f, &c, &d, &restored);
    CHECK_INT(restored, 1);
    CHECK(same_value(p->front, read->front));
    CHECK_STR(p->title, "Microneedling"); /* from the opening heading */
    CHECK(p->title_from_heading);
    CHECK_STR(p->summary, read->summary);
    CHECK_STR(p->url_path, "procedures/microneedling/");
    CHECK(p->kind == read->kind && p->weight == 1.5 && p->n_tags == 2);
    CHECK(p->reviewed.year == 2026 && p->reviewed.month == 3);
    CHECK(p->body_offset == read->body_offset && p->body_line == read->body_line);
    CHECK(p->text_hash == read->text_hash && p->model_hash == read->model_hash);
    CHECK(p->file_id == read->file_id && p->file_id != 0);
    /* the same messages, at the same places */
    CHECK(d.len == f.d.len && d.errors == f.d.errors);
    for (size_t i = 0; i < d.len && i < f.d.len; i++) {
        CHECK_STR(d.items[i].message, f.d.items[i].message);
        CHECK(d.items[i].line == f.d.items[i].line && d.items[i].col == f.d.items[i].col);
    }
    page_free(p);
    diag_free(&d);
    model_cache_free(&c);
    fixture_close(&f);
}

TEST(model_cache_reads_a_changed_file_again) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    CHECK_INT(save(&f), 0);
    model_cache c;
    CHECK_INT(model_cache_load(&c, f.cache, INPUTS + 1), -1); /* other inputs */
    CHECK_INT(model_cache_load(&c, f.cache, INPUTS), 0);
    /* the same size, written again: another inode and modification time */
    char *path = fs_join(f.content, "procedures/microneedling.md");
    char *changed = xstrdup(PAGE);
    changed[strlen(changed) - 2] = 'X';
    unlink(path);
    CHECK_INT(fs_write_file(path, changed, strlen(changed)), 0);
    diag_list d = DIAG_LIST_INIT;
    int restored;
    page *p = restore(&f, &c, &d, &restored);
    CHECK_INT(restored, 0);
    CHECK(p->source == NULL && p->front == NULL); /* left for page_load */
    page_free(p);
    unlink(path); /* gone */
    p = restore(&f, &c, &d, &restored);
    CHECK_INT(restored, 0);
    page_free(p);
    diag_free(&d);
    model_cache_free(&c);
    free(changed);
    free(path);
    fixture_close(&f);
}

/* A file cut short or with any byte changed does not load: the hash at
 * its end no longer matches. */
TEST(model_cache_refuses_damaged_files) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    CHECK_INT(save(&f), 0);
    size_t len;
    char *data = fs_read_file(f.cache, &len);
    CHECK(data != NULL);
    model_cache c;
    for (size_t cut = 0; data && cut < len; cut++) {
        fs_write_file(f.cache, data, cut);
        CHECK_INT(model_cache_load(&c, f.cache, INPUTS), -1);
    }
    for (size_t at = 0; data && at < len; at++) {
        data[at] ^= 0x41;
        fs_write_file(f.cache, data, len);
        data[at] ^= 0x41;
        CHECK_INT(model_cache_load(&c, f.cache, INPUTS), -1);
    }
    fs_write_file(f.cache, data, len);
    CHECK_INT(model_cache_load(&c, f.cache, INPUTS), 0);
    model_cache_free(&c);
    free(data);
    fixture_close(&f);
}
