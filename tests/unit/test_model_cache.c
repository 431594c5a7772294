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
#include <sys/stat.h>
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
                           "concerns: [acne-scars]\n"
                           "slug: needling\n"
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

static page *restore(fixture *f, model_cache *c, int *restored) {
    page *p = xcalloc(1, sizeof *p);
    char *path = fs_join(f->content, "procedures/microneedling.md");
    struct stat st; /* as the content walk takes it */
    if (stat(path, &st) != 0)
        memset(&st, 0, sizeof st);
    free(path);
    *restored = model_cache_restore(c, p, "procedures/microneedling.md", &st,
                                    "content/procedures/microneedling.md");
    return p;
}

static int same_strings(char *const *a, size_t na, char *const *b, size_t nb) {
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]))
            return 0;
    return 1;
}

static int same_date(const page_date *a, const page_date *b) {
    return a->year == b->year && a->month == b->month && a->day == b->day;
}

TEST(model_cache_gives_the_page_its_file_gave) {
    fixture f;
    if (fixture_open(&f) != 0)
        return;
    const page *read = f.m.pages[0];
    CHECK_INT((int)f.d.len, 0);
    CHECK_INT(save(&f), 0);
    model_cache c;
    CHECK_INT(model_cache_load(&c, f.cache, INPUTS), 0);
    int restored;
    page *p = restore(&f, &c, &restored);
    CHECK_INT(restored, 1);
    CHECK(p->front == NULL);              /* read again with the body when the page is built */
    CHECK_STR(p->title, "Microneedling"); /* from the opening heading */
    CHECK(p->title_from_heading);
    CHECK_STR(p->summary, read->summary);
    CHECK(p->reviewer == NULL);
    CHECK_STR(p->url_path, "procedures/needling/"); /* its slug */
    CHECK_STR(p->out_path, read->out_path);
    CHECK_STR(p->section_path, read->section_path);
    CHECK(p->kind == KIND_PROCEDURE && p->kind == read->kind);
    CHECK(p->weight == 1.5 && p->draft == 0);
    CHECK(same_strings(p->tags, p->n_tags, read->tags, read->n_tags) && p->n_tags == 2);
    CHECK(same_strings(p->concerns, p->n_concerns, read->concerns, read->n_concerns));
    CHECK(p->concerns_line == read->concerns_line && p->concerns_line == 11);
    CHECK(same_date(&p->reviewed, &read->reviewed) && p->reviewed.year == 2026);
    CHECK(same_date(&p->date, &read->date) && same_date(&p->updated, &read->updated));
    CHECK(p->body_offset == read->body_offset && p->body_line == read->body_line);
    CHECK(p->text_hash == read->text_hash && p->model_hash == read->model_hash);
    CHECK(p->file_id == read->file_id && p->file_id != 0);
    page_free(p);
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
    int restored;
    page *p = restore(&f, &c, &restored);
    CHECK_INT(restored, 0);
    CHECK(p->source == NULL && p->front == NULL); /* left for page_load */
    page_free(p);
    unlink(path); /* gone */
    p = restore(&f, &c, &restored);
    CHECK_INT(restored, 0);
    page_free(p);
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
