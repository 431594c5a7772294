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

static const char MAGIC[] = "clinicgen-model 1\n";
enum { HEADER_BYTES = sizeof MAGIC - 1 + 8, MAX_DEPTH = 256 };

char *model_cache_path(const char *out_dir) {
    char *manifest = cache_manifest_path(out_dir);
    size_t n = strlen(manifest) - strlen(".manifest");
    char *path = xasprintf("%.*s.model", (int)n, manifest);
    free(manifest);
    return path;
}

/* ---- reading ---- */

static value *read_value(binio_reader *r, int depth);

static void read_children(binio_reader *r, value *v, int depth) {
    uint32_t n = binio_u32(r);
    binio_need(r, n, 22); /* a value takes 22 bytes or more */
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        if (v->type == VALUE_LIST) {
            value *item = read_value(r, depth + 1);
            if (item)
                value_list_push(v, item);
            continue;
        }
        char *key = binio_string(r);
        int line = (int)binio_u32(r), col = (int)binio_u32(r);
        value *val = read_value(r, depth + 1);
        if (key && val) {
            value_map_add(v, key, val);
            v->pairs[v->len - 1].line = line; /* the key's place */
            v->pairs[v->len - 1].col = col;
        } else {
            value_free(val);
            r->bad = 1;
        }
        free(key);
    }
}

static value *read_value(binio_reader *r, int depth) {
    unsigned char type = binio_u8(r);
    int line = (int)binio_u32(r), col = (int)binio_u32(r);
    if (r->bad || type > VALUE_MAP || depth > MAX_DEPTH) {
        r->bad = 1;
        return NULL;
    }
    value *v = value_new((value_type)type, line, col);
    uint32_t len;
    const char *text = binio_span(r, &len);
    if (text) {
        v->text = xstrndup(text, len);
        v->text_len = len;
    }
    v->boolean = binio_u8(r);
    v->number = binio_f64(r);
    if (v->type == VALUE_LIST || v->type == VALUE_MAP)
        read_children(r, v, depth);
    return v;
}

int model_cache_load(model_cache *c, const char *path, uint64_t inputs) {
    *c = (model_cache)MODEL_CACHE_INIT;
    c->data = fs_read_file(path, &c->len);
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
        char *source = binio_string(&in);
        if (!source)
            r.bad = 1;
        else
            strmap_put(&c->entries, source, (void *)entry);
        free(source);
        r.p += r.bad ? 0 : len;
        sum = r.bad ? sum : hash64(entry, sizeof len + len, sum);
    }
    if (r.bad || sum != stored_sum) {
        model_cache_free(c);
        return -1;
    }
    return 0;
}

/* The entry's facts and front matter (the caller frees both unless a page
 * takes the front matter), if the file's identity is still file_id;
 * else, or for an entry that does not parse, -1. */
static int read_entry(const char *entry, uint64_t file_id, page_known *k, char **heading) {
    uint32_t len;
    memcpy(&len, entry, sizeof len);
    binio_reader r = {entry + sizeof len, entry + sizeof len + len, 0};
    uint32_t source_len;
    binio_span(&r, &source_len);
    k->file_id = binio_u64(&r);
    if (r.bad || k->file_id != file_id)
        return -1;
    k->text_hash = binio_u64(&r);
    k->model_hash = binio_u64(&r);
    k->body_offset = (size_t)binio_u64(&r);
    k->body_line = (int)binio_u32(&r);
    *heading = binio_string(&r);
    k->heading_title = *heading;
    k->front = read_value(&r, 0);
    if (r.bad || r.p != r.end || !k->front || k->front->type != VALUE_MAP) {
        value_free(k->front);
        free(*heading);
        return -1;
    }
    return 0;
}

int model_cache_restore(const model_cache *c, page *p, const char *content_dir, const char *source,
                        const char *display_path, diag_list *d) {
    const char *entry = strmap_get(&c->entries, source);
    if (!entry)
        return 0;
    char *path = fs_join(content_dir, source);
    struct stat st;
    uint64_t file_id =
        stat(path, &st) == 0 && S_ISREG(st.st_mode) ? cache_stat_identity(path, &st) : 0;
    free(path);
    page_known k;
    char *heading;
    if (!file_id || read_entry(entry, file_id, &k, &heading) != 0)
        return 0;
    page_load_known(p, source, display_path, &k, d);
    free(heading);
    return 1;
}

void model_cache_free(model_cache *c) {
    free(c->data);
    strmap_free(&c->entries);
    *c = (model_cache)MODEL_CACHE_INIT;
}

/* ---- writing ---- */

static void put_value(buf *b, const value *v) {
    buf_putc(b, (char)v->type);
    binio_put_u32(b, (uint32_t)v->line);
    binio_put_u32(b, (uint32_t)v->col);
    if (v->text)
        binio_put_bytes(b, v->text, v->text_len);
    else
        binio_put_u32(b, BINIO_NULL);
    buf_putc(b, (char)(v->boolean != 0));
    binio_put_f64(b, v->number);
    if (v->type != VALUE_LIST && v->type != VALUE_MAP)
        return;
    binio_put_u32(b, (uint32_t)v->len);
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_LIST) {
            put_value(b, v->items[i]);
            continue;
        }
        binio_put_string(b, v->pairs[i].key);
        binio_put_u32(b, (uint32_t)v->pairs[i].line);
        binio_put_u32(b, (uint32_t)v->pairs[i].col);
        put_value(b, v->pairs[i].val);
    }
}

static void put_page(buf *b, const page *p) {
    size_t start = b->len;
    binio_put_u32(b, 0); /* the length, filled in below */
    binio_put_string(b, p->source);
    binio_put_u64(b, p->file_id);
    binio_put_u64(b, p->text_hash);
    binio_put_u64(b, p->model_hash);
    binio_put_u64(b, (uint64_t)p->body_offset);
    binio_put_u32(b, (uint32_t)p->body_line);
    binio_put_string(b, p->title_from_heading ? p->title : NULL);
    put_value(b, p->front);
    uint32_t len = (uint32_t)(b->len - start - sizeof len);
    memcpy(b->data + start, &len, sizeof len);
}

/* Entries are written as they are made, so the file never waits whole in
 * memory. */
char *model_cache_write(const site_model *m, const char *path, uint64_t inputs) {
    char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
    char *dir = fs_dirname(path);
    FILE *f = !*dir || fs_mkdirs(dir) == 0 ? fopen(tmp, "wb") : NULL;
    free(dir);
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
        if (!p->source || !p->file_id || p->skip_body || !p->front)
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
