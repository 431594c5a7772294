/* model_cache: page files' front matter and facts, kept between builds
 * (see model_cache.h for the file's form). */
#include "model_cache.h"

#include "binio.h"
#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MAGIC[] = "clinicgen-model 4\n";
enum { HEADER_BYTES = sizeof MAGIC - 1 + 8 };

/* ---- reading ---- */

int model_cache_load(model_cache *c, const char *path, uint64_t inputs) {
    *c = (model_cache)MODEL_CACHE_INIT;
    c->data = fs_map_file(path, &c->len);
    if (!c->data)
        return -1;
    /* the last 8 bytes: the header's and the entries' hashes, chained */
    uint64_t sum = 0, stored_sum = 0, stored_inputs = 0;
    if (c->len >= HEADER_BYTES + sizeof sum)
        memcpy(&stored_sum, c->data + c->len - sizeof sum, sizeof sum);
    binio_reader r = {c->data, c->data + c->len - sizeof sum, 0};
    if (c->len >= HEADER_BYTES + sizeof sum && !memcmp(c->data, MAGIC, sizeof MAGIC - 1)) {
        r.p += sizeof MAGIC - 1;
        stored_inputs = binio_u64(&r);
        sum = hash64(c->data, HEADER_BYTES, 0);
    }
    r.bad |= stored_inputs != inputs;
    while (!r.bad && r.p < r.end) {
        const char *entry = r.p;
        uint32_t len = binio_u32(&r);
        binio_need(&r, len, 1);
        binio_reader in = {r.p, r.p + len, r.bad};
        uint32_t source_len;
        const char *source = binio_span(&in, &source_len); /* the map copies it */
        if (!source)
            r.bad = 1;
        else
            strmap_put(&c->entries, source, (void *)entry);
        r.p += r.bad ? 0 : len;
        sum = r.bad ? sum : hash64(entry, sizeof len + len, sum);
    }
    if (r.bad || sum != stored_sum) {
        model_cache_free(c);
        return -1;
    }
    return 0;
}

static char **read_strings(binio_reader *r, size_t *n) {
    uint32_t count = binio_u32(r);
    binio_need(r, count, 4);
    if (r->bad || !count)
        return NULL;
    char **list = xcalloc(count, sizeof *list);
    for (*n = 0; *n < count && !r->bad; (*n)++)
        r->bad |= !(list[*n] = binio_string(r));
    return list;
}

static void read_date(binio_reader *r, page_date *d) {
    d->year = (int)binio_u32(r);
    d->month = (int)binio_u32(r);
    d->day = (int)binio_u32(r);
}

/* Fills p (started) from the entry's fields; -1 for an entry that does
 * not parse. */
static int read_fields(binio_reader *r, page *p) {
    p->text_hash = binio_u64(r);
    p->model_hash = binio_u64(r);
    p->body_offset = (size_t)binio_u64(r);
    p->body_line = (int)binio_u32(r);
    unsigned char kind = binio_u8(r);
    p->kind = kind <= KIND_NOT_FOUND ? (page_kind)kind : KIND_PAGE;
    p->title = binio_string(r);
    p->title_from_heading = binio_u8(r);
    p->summary = binio_string(r);
    p->reviewer = binio_string(r);
    read_date(r, &p->date);
    read_date(r, &p->updated);
    read_date(r, &p->reviewed);
    p->tags = read_strings(r, &p->n_tags);
    p->concerns = read_strings(r, &p->n_concerns);
    p->concerns_line = (int)binio_u32(r);
    p->concerns_col = (int)binio_u32(r);
    p->draft = binio_u8(r);
    p->weight = binio_f64(r);
    char *url = binio_string(r);
    if (url)
        page_set_url(p, url);
    free(url);
    return r->bad || r->p != r->end || kind > KIND_NOT_FOUND || !p->title || !p->url_path ? -1 : 0;
}

/* A reader of source's entry, at its file identity; 0 when it has none. */
static int open_entry(const model_cache *c, const char *source, binio_reader *r) {
    const char *entry = strmap_get(&c->entries, source);
    if (!entry)
        return 0;
    uint32_t len, source_len;
    memcpy(&len, entry, sizeof len);
    *r = (binio_reader){entry + sizeof len, entry + sizeof len + len, 0};
    binio_span(r, &source_len);
    return !r->bad;
}

int model_cache_restore(const model_cache *c, page *p, const char *source, const struct stat *st,
                        const char *display_path) {
    binio_reader r;
    if (!open_entry(c, source, &r))
        return 0;
    uint64_t file_id = S_ISREG(st->st_mode) ? cache_stat_identity(source, st) : 0;
    if (!file_id || binio_u64(&r) != file_id || r.bad)
        return 0;
    page_start(p, source, display_path);
    p->file_id = file_id;
    p->listed_before = binio_u32(&r);
    p->az_before = binio_u32(&r);
    if (read_fields(&r, p) != 0) {
        page_free_fields(p);
        return 0;
    }
    return 1;
}

void model_cache_places(const model_cache *c, page *p) {
    binio_reader r;
    if (!p->source || !open_entry(c, p->source, &r))
        return;
    binio_u64(&r);
    uint32_t listed = binio_u32(&r), az = binio_u32(&r);
    if (!r.bad) {
        p->listed_before = listed;
        p->az_before = az;
    }
}

void model_cache_free(model_cache *c) {
    fs_unmap_file(c->data, c->len);
    strmap_free(&c->entries);
    *c = (model_cache)MODEL_CACHE_INIT;
}

/* ---- writing ---- */

static void put_strings(buf *b, char *const *list, size_t n) {
    binio_put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        binio_put_string(b, list[i]);
}

static void put_date(buf *b, const page_date *d) {
    binio_put_u32(b, (uint32_t)d->year);
    binio_put_u32(b, (uint32_t)d->month);
    binio_put_u32(b, (uint32_t)d->day);
}

static void put_page(buf *b, const page *p) {
    size_t start = b->len;
    binio_put_u32(b, 0); /* the length, filled in below */
    binio_put_string(b, p->source);
    binio_put_u64(b, p->file_id);
    binio_put_u32(b, (uint32_t)(p->listed_rank + 1));
    binio_put_u32(b, (uint32_t)p->az_rank);
    binio_put_u64(b, p->text_hash);
    binio_put_u64(b, p->model_hash);
    binio_put_u64(b, (uint64_t)p->body_offset);
    binio_put_u32(b, (uint32_t)p->body_line);
    buf_putc(b, (char)p->kind);
    binio_put_string(b, p->title);
    buf_putc(b, (char)(p->title_from_heading != 0));
    binio_put_string(b, p->summary);
    binio_put_string(b, p->reviewer);
    put_date(b, &p->date);
    put_date(b, &p->updated);
    put_date(b, &p->reviewed);
    put_strings(b, p->tags, p->n_tags);
    put_strings(b, p->concerns, p->n_concerns);
    binio_put_u32(b, (uint32_t)p->concerns_line);
    binio_put_u32(b, (uint32_t)p->concerns_col);
    buf_putc(b, (char)(p->draft != 0));
    binio_put_f64(b, p->weight);
    binio_put_string(b, p->url_path);
    uint32_t len = (uint32_t)(b->len - start - sizeof len);
    memcpy(b->data + start, &len, sizeof len);
}

/* Entries are written as they are made, so the file never waits whole in
 * memory. */
char *model_cache_write(const site_model *m, const char *path, uint64_t inputs) {
    char *tmp = fs_temp_beside(path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(tmp);
        return NULL;
    }
    buf b = BUF_INIT;
    buf_puts(&b, MAGIC);
    binio_put_u64(&b, inputs);
    uint64_t sum = hash64(b.data, b.len, 0);
    int failed = fwrite(b.data, 1, b.len, f) != b.len;
    for (size_t i = 0; i < m->n_pages && !failed; i++) {
        const page *p = m->pages[i];
        if (!p->source || !p->file_id || p->skip_body)
            continue;
        buf_clear(&b);
        put_page(&b, p);
        sum = hash64(b.data, b.len, sum);
        failed = fwrite(b.data, 1, b.len, f) != b.len;
    }
    failed |= fwrite(&sum, sizeof sum, 1, f) != 1;
    failed |= fclose(f) != 0;
    buf_free(&b);
    if (failed) {
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    return tmp;
}
