/* page_cache: each page's messages and search records, kept between builds
 * (see page_cache.h for the file's form). */
#include "page_cache.h"

#include "binio.h"
#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char MAGIC[] = "clinicgen-pages 3\n";
enum { BASE_AT = sizeof MAGIC - 1 + 16, HEADER_BYTES = BASE_AT + 16 };

/* The base of a delta at path: path-base. Caller frees. */
static char *base_path(const char *path) {
    return xasprintf("%s-base", path);
}

uint64_t page_cache_key(uint64_t seed, const page *p, uint64_t text_hash) {
    return hash64_u64(text_hash, hash64_str(p->out_path, seed));
}

/* ---- reading ---- */

/* A record: u32 length, u64 hash of what follows it, then the rest. */
enum { RECORD_HEAD = sizeof(uint32_t) + sizeof(uint64_t) };

/* A table at [at, end) followed by a u64 hash of it: NULL when the hash
 * does not match, else a reader of it. */
static int table_reader(const char *at, const char *end, binio_reader *r) {
    uint64_t sum;
    if (at > end)
        return -1;
    memcpy(&sum, end, sizeof sum);
    *r = (binio_reader){at, end, 0};
    return hash64(at, (size_t)(end - at), 0) == sum ? 0 : -1;
}

static int read_terms(page_cache *c, const char *at, const char *end) {
    binio_reader r;
    if (table_reader(at, end, &r) != 0)
        return -1;
    uint32_t n_terms = binio_u32(&r);
    for (uint32_t i = 0; i < n_terms && !r.bad; i++) {
        uint32_t len;
        const char *term = binio_span(&r, &len);
        /* each term once, in order: its id is its number */
        if (!term || search_collector_intern(c->terms, term, len) != i)
            r.bad = 1;
    }
    return r.bad || r.p != r.end ? -1 : 0;
}

/* Indexes the records from at to end (the header and the terms). */
static int index_records(page_cache *c, const char *at, const char *end) {
    binio_reader r = {at, end, 0};
    while (!r.bad && r.p < r.end) {
        const char *record = r.p;
        uint32_t len = binio_u32(&r);
        binio_reader in = {r.p, r.p + len, 0};
        if (r.bad || (size_t)(r.end - r.p) < len)
            return -1;
        r.p += len;
        binio_u64(&in); /* the hash: checked when the record is read */
        binio_u64(&in);
        uint32_t path_len;
        const char *out_path = binio_span(&in, &path_len); /* the map copies it */
        if (in.bad || !out_path)
            return -1;
        strmap_put(&c->records, out_path, (void *)record);
    }
    return r.bad ? -1 : 0;
}

/* Each page's first search record number: out_path -> number + 1. */
static int read_starts(page_cache *c, const char *at, const char *end) {
    binio_reader r;
    if (table_reader(at, end, &r) != 0)
        return -1;
    uint32_t n = binio_u32(&r);
    binio_need(&r, n, 8);
    strmap_reserve(&c->starts, n);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        uint32_t path_len;
        const char *out_path = binio_span(&r, &path_len);
        uint32_t first = binio_u32(&r);
        if (out_path && !r.bad)
            strmap_put(&c->starts, out_path, (void *)((uintptr_t)first + 1));
        r.bad |= !out_path;
    }
    return r.bad || r.p != r.end ? -1 : 0;
}

/* Where the parts of a file are. */
typedef struct layout {
    uint64_t build, seed, base_len, base_build;
    const char *terms, *starts, *hashes_end; /* the starts' hash is at hashes_end */
} layout;

static int read_layout(const char *data, size_t len, layout *l) {
    enum { TAIL = 2 * sizeof(uint64_t) }; /* the two tables' offsets */
    if (len < HEADER_BYTES + TAIL + 2 * sizeof(uint64_t) || memcmp(data, MAGIC, sizeof MAGIC - 1))
        return -1;
    binio_reader r = {data + sizeof MAGIC - 1, data + len, 0};
    l->build = binio_u64(&r);
    l->seed = binio_u64(&r);
    l->base_len = binio_u64(&r);
    l->base_build = binio_u64(&r);
    uint64_t terms_at, starts_at;
    memcpy(&terms_at, data + len - TAIL, sizeof terms_at);
    memcpy(&starts_at, data + len - TAIL + sizeof terms_at, sizeof starts_at);
    size_t hashes_end = len - TAIL - sizeof(uint64_t);
    if (terms_at < HEADER_BYTES || starts_at < terms_at + sizeof(uint64_t) ||
        starts_at > hashes_end)
        return -1;
    l->terms = data + terms_at;
    l->starts = data + starts_at;
    l->hashes_end = data + hashes_end;
    return 0;
}

/* A delta's base: the full file it names, whose records come first. */
static int load_base(page_cache *c, const char *path, const layout *delta) {
    char *from = base_path(path);
    c->base = fs_map_file(from, &c->base_len);
    free(from);
    layout l;
    if (!c->base || c->base_len != delta->base_len || read_layout(c->base, c->base_len, &l) != 0 ||
        l.build != delta->base_build || l.seed != delta->seed || l.base_len != 0)
        return -1;
    return index_records(c, c->base + HEADER_BYTES, l.terms);
}

static int parse(page_cache *c, const char *path, uint64_t build, uint64_t seed) {
    layout l;
    if (read_layout(c->data, c->len, &l) != 0 || l.build != build || l.seed != seed)
        return -1;
    if (l.base_len && load_base(c, path, &l) != 0)
        return -1;
    return read_terms(c, l.terms, l.starts - sizeof(uint64_t)) != 0 ||
                   read_starts(c, l.starts, l.hashes_end) != 0 ||
                   index_records(c, c->data + HEADER_BYTES, l.terms) != 0
               ? -1
               : 0;
}

int page_cache_first_record(const page_cache *c, const char *out_path, size_t *first) {
    uintptr_t known = (uintptr_t)strmap_get(&c->starts, out_path);
    if (!known)
        return -1;
    *first = (size_t)(known - 1);
    return 0;
}

int page_cache_load(page_cache *c, const char *path, uint64_t build, uint64_t seed,
                    const search_synonyms *syn, int collector_id) {
    *c = (page_cache)PAGE_CACHE_INIT;
    c->data = fs_map_file(path, &c->len);
    if (!c->data)
        return -1;
    c->terms = search_collector_new(syn, collector_id);
    c->collector_id = collector_id;
    if (parse(c, path, build, seed) != 0) {
        page_cache_free(c);
        return -1;
    }
    return 0;
}

const char *page_cache_previous(const page_cache *c, const char *out_path) {
    return strmap_get(&c->records, out_path);
}

size_t page_cache_searched_pages(const page_cache *c) {
    return c->starts.len;
}

const char *page_cache_find(const page_cache *c, const char *out_path, uint64_t key) {
    const char *record = page_cache_previous(c, out_path);
    if (!record)
        return NULL;
    uint64_t stored;
    memcpy(&stored, record + RECORD_HEAD, sizeof stored);
    return stored == key ? record : NULL;
}

static void read_messages(binio_reader *r, diag_list *d) {
    uint32_t n = binio_u32(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        unsigned char level = binio_u8(r);
        int32_t line = (int32_t)binio_u32(r), col = (int32_t)binio_u32(r);
        char *file = binio_string(r), *text = binio_string(r);
        if (!r->bad && text)
            diag_add(d, level ? DIAG_ERROR : DIAG_WARNING, file, line, col, "%s", text);
        else
            r->bad = 1;
        free(file);
        free(text);
    }
}

/* A string of the file in place (binio.h: NUL-terminated). */
static char *borrowed_string(binio_reader *r) {
    uint32_t len;
    return (char *)binio_span(r, &len);
}

/* sp borrows its texts and postings from c's bytes (search_collect.h).
 * The postings are not unpacked here: the record's hash says they are
 * what the last build wrote, and the index checks each term's number. */
static void read_search(const page_cache *c, binio_reader *r, search_page *sp) {
    sp->collector = c->collector_id;
    sp->borrowed = 1;
    sp->title = borrowed_string(r);
    uint32_t n = binio_u32(r);
    binio_need(r, n, 27); /* a record takes 27 bytes or more */
    if (r->bad)
        return;
    sp->records = xcalloc(n ? n : 1, sizeof *sp->records);
    for (; sp->n_records < n && !r->bad; sp->n_records++) {
        search_record *rec = &sp->records[sp->n_records];
        rec->url = borrowed_string(r);
        rec->heading = borrowed_string(r);
        rec->excerpt = borrowed_string(r);
        rec->length = binio_f32(r);
        rec->first = binio_u32(r);
        rec->count = binio_u32(r);
        r->bad |= !rec->url || !rec->excerpt;
    }
    n = binio_u32(r);
    uint32_t len;
    const char *packed = binio_span(r, &len);
    if (r->bad || !packed) {
        r->bad = 1;
        return;
    }
    sp->postings = (unsigned char *)packed;
    sp->postings_len = len;
    sp->n_postings = n;
    for (size_t i = 0; i < sp->n_records; i++)
        r->bad |= sp->records[i].first + sp->records[i].count > sp->n_postings;
}

int page_cache_read(const page_cache *c, const char *record, diag_list *d, search_page *sp,
                    int *searched) {
    uint32_t len;
    uint64_t sum;
    memcpy(&len, record, sizeof len);
    memcpy(&sum, record + sizeof len, sizeof sum);
    if (len < sizeof sum || hash64(record + RECORD_HEAD, len - sizeof sum, 0) != sum)
        return -1; /* damaged since it was written */
    binio_reader r = {record + RECORD_HEAD, record + sizeof len + len, 0};
    binio_u64(&r);
    uint32_t path_len;
    binio_span(&r, &path_len);
    diag_list messages = DIAG_LIST_INIT;
    read_messages(&r, &messages);
    unsigned char search = binio_u8(&r);
    search_page page;
    memset(&page, 0, sizeof page);
    if (search)
        read_search(c, &r, &page);
    if (r.bad || r.p != r.end) {
        diag_free(&messages);
        search_page_free(&page);
        return -1;
    }
    diag_move(d, &messages);
    diag_free(&messages);
    *searched = search;
    if (search)
        *sp = page;
    return 0;
}

void page_cache_free(page_cache *c) {
    fs_unmap_file(c->data, c->len);
    fs_unmap_file(c->base, c->base_len);
    strmap_free(&c->records);
    strmap_free(&c->starts);
    search_collector_free(c->terms);
    *c = (page_cache)PAGE_CACHE_INIT;
}

/* ---- writing ---- */

/* The writer's number of a term, added if new; called with the lock held. */
static uint32_t writer_term(page_cache_writer *w, const char *term) {
    return search_collector_intern(w->dict, term, strlen(term));
}

int page_cache_writer_open(page_cache_writer *w, const char *path, uint64_t build, uint64_t seed,
                           const page_cache *previous) {
    memset(w, 0, sizeof *w);
    w->path = xstrdup(path);
    w->tmp = fs_temp_beside(path);
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        int err = errno;
        free(w->path);
        free(w->tmp);
        errno = err;
        return -1;
    }
    setvbuf(w->f, NULL, _IOFBF, 1 << 20); /* tens of megabytes: not in 4 KB writes */
    pthread_mutex_init(&w->lock, NULL);
    w->previous = previous;
    w->dict = search_collector_new(NULL, 0);
    size_t n_terms = previous ? search_collector_terms(previous->terms) : 0;
    for (size_t i = 0; i < n_terms; i++)
        writer_term(w, search_collector_term(previous->terms, (uint32_t)i));
    uint64_t no_base[2] = {0, 0}; /* set at commit if the file is a delta */
    fwrite(MAGIC, 1, sizeof MAGIC - 1, w->f);
    fwrite(&build, sizeof build, 1, w->f);
    fwrite(&seed, sizeof seed, 1, w->f);
    fwrite(no_base, sizeof no_base, 1, w->f);
    return 0;
}

/* The full file a delta of this build would name as its base: the last
 * build's base, or its own file if that was a full one. */
static const char *next_base(const page_cache_writer *w, size_t *len) {
    const page_cache *prev = w->previous;
    *len = !prev ? 0 : prev->base ? prev->base_len : prev->len;
    return !prev ? NULL : prev->base ? prev->base : prev->data;
}

/* The writer's numbers of c's terms, looked up once per term per worker. */
static uint32_t mapped_term(page_cache_writer *w, page_cache_terms *map, const search_collector *c,
                            uint32_t local) {
    if (local >= map->len) {
        size_t len = search_collector_terms(c);
        map->number = xrealloc(map->number, len * sizeof *map->number);
        memset(map->number + map->len, 0, (len - map->len) * sizeof *map->number);
        map->len = len;
    }
    if (!map->number[local]) {
        pthread_mutex_lock(&w->lock);
        map->number[local] = writer_term(w, search_collector_term(c, local)) + 1;
        pthread_mutex_unlock(&w->lock);
    }
    return map->number[local] - 1;
}

static void put_search(buf *b, page_cache_writer *w, page_cache_terms *map, const search_page *sp,
                       const search_collector *c) {
    binio_put_string(b, sp->title);
    binio_put_u32(b, (uint32_t)sp->n_records);
    for (size_t i = 0; i < sp->n_records; i++) {
        const search_record *rec = &sp->records[i];
        binio_put_string(b, rec->url);
        binio_put_string(b, rec->heading);
        binio_put_string(b, rec->excerpt);
        binio_put_f32(b, rec->length);
        binio_put_u32(b, (uint32_t)rec->first);
        binio_put_u32(b, (uint32_t)rec->count);
    }
    binio_put_u32(b, (uint32_t)sp->n_postings);
    buf packed = BUF_INIT;
    const unsigned char *p = sp->postings, *end = p + sp->postings_len;
    search_posting post;
    while (p < end && search_posting_unpack(&p, end, &post) == 0) {
        post.term = mapped_term(w, map, c, post.term);
        search_posting_pack(&packed, post);
    }
    binio_put_bytes(b, packed.data ? packed.data : "", packed.len);
    buf_free(&packed);
}

static void write_record(page_cache_writer *w, const char *data, size_t len) {
    pthread_mutex_lock(&w->lock);
    if (fwrite(data, 1, len, w->f) != len)
        w->failed = 1;
    pthread_mutex_unlock(&w->lock);
}

void page_cache_put_built(page_cache_writer *w, page_cache_terms *map, const char *out_path,
                          uint64_t key, const diag_list *d, const search_page *sp,
                          const search_collector *c) {
    buf b = BUF_INIT;
    binio_put_u32(&b, 0); /* the length and the hash, filled in below */
    binio_put_u64(&b, 0);
    binio_put_u64(&b, key);
    binio_put_string(&b, out_path);
    binio_put_u32(&b, (uint32_t)d->len);
    for (size_t i = 0; i < d->len; i++) {
        const diag *m = &d->items[i];
        buf_putc(&b, (char)(m->level == DIAG_ERROR));
        binio_put_u32(&b, (uint32_t)m->line);
        binio_put_u32(&b, (uint32_t)m->col);
        binio_put_string(&b, m->file);
        binio_put_string(&b, m->message);
    }
    buf_putc(&b, (char)(sp != NULL));
    if (sp)
        put_search(&b, w, map, sp, c);
    uint32_t len = (uint32_t)(b.len - sizeof len);
    uint64_t sum = hash64(b.data + RECORD_HEAD, b.len - RECORD_HEAD, 0);
    memcpy(b.data, &len, sizeof len);
    memcpy(b.data + sizeof len, &sum, sizeof sum);
    write_record(w, b.data, b.len);
    buf_free(&b);
}

static void write_kept(page_cache_writer *w, const char *record) {
    uint32_t len;
    memcpy(&len, record, sizeof len);
    write_record(w, record, sizeof len + len);
}

void page_cache_put_kept(page_cache_writer *w, const char *record) {
    size_t len;
    uintptr_t base = (uintptr_t)next_base(w, &len), at = (uintptr_t)record;
    if (!base || at < base || at >= base + len) {
        write_kept(w, record); /* the last delta's: the next one has it too */
        return;
    }
    pthread_mutex_lock(&w->lock);
    if (w->n_in_base == w->cap_in_base) {
        w->cap_in_base = w->cap_in_base ? w->cap_in_base * 2 : 1024;
        w->in_base = xrealloc(w->in_base, w->cap_in_base * sizeof *w->in_base);
    }
    w->in_base[w->n_in_base++] = record;
    pthread_mutex_unlock(&w->lock);
}

static void free_writer(page_cache_writer *w) {
    pthread_mutex_destroy(&w->lock);
    search_collector_free(w->dict);
    free(w->in_base);
    buf_free(&w->starts);
    free(w->path);
    free(w->tmp);
    memset(w, 0, sizeof *w);
}

void page_cache_put_first_record(page_cache_writer *w, const char *out_path, size_t first) {
    pthread_mutex_lock(&w->lock);
    binio_put_string(&w->starts, out_path);
    binio_put_u32(&w->starts, (uint32_t)first);
    w->n_starts++;
    pthread_mutex_unlock(&w->lock);
}

/* A delta while its records stay under a quarter of its base's size;
 * else the kept records of the base are written too, and it is a full
 * file. Returns whether it is a delta. */
static int settle_base(page_cache_writer *w) {
    size_t base_len;
    const char *base = next_base(w, &base_len);
    long at = ftell(w->f);
    if (base && at >= 0 && (size_t)at - HEADER_BYTES <= base_len / 4) {
        uint64_t fields[2] = {base_len, 0}; /* its length and build */
        memcpy(&fields[1], base + sizeof MAGIC - 1, sizeof fields[1]);
        if (fflush(w->f) != 0 || fseek(w->f, BASE_AT, SEEK_SET) != 0 ||
            fwrite(fields, sizeof fields, 1, w->f) != 1 || fseek(w->f, 0, SEEK_END) != 0)
            w->failed = 1;
        return 1;
    }
    for (size_t i = 0; i < w->n_in_base; i++)
        write_kept(w, w->in_base[i]);
    return 0;
}

/* Renames the finished file into place; a delta's base, the last full
 * file, moves aside to NAME.pages-base first. */
static int put_in_place(page_cache_writer *w, int delta) {
    char *base = base_path(w->path);
    int rc = 0;
    if (delta && !w->previous->base)
        rc = rename(w->path, base);
    rc = rc || fs_replace_cache_file(w->tmp, w->path);
    if (rc == 0 && !delta)
        unlink(base); /* a full file needs none */
    free(base);
    return rc ? -1 : 0;
}

int page_cache_writer_commit(page_cache_writer *w) {
    int delta = settle_base(w);
    long at = ftell(w->f);
    buf b = BUF_INIT;
    uint32_t n_terms = (uint32_t)search_collector_terms(w->dict);
    binio_put_u32(&b, n_terms);
    for (uint32_t i = 0; i < n_terms; i++)
        binio_put_string(&b, search_collector_term(w->dict, i));
    binio_put_u64(&b, hash64(b.data, b.len, 0));
    size_t starts_at = (size_t)at + b.len;
    size_t from = b.len;
    binio_put_u32(&b, w->n_starts);
    buf_append(&b, w->starts.data ? w->starts.data : "", w->starts.len);
    binio_put_u64(&b, hash64(b.data + from, b.len - from, 0));
    binio_put_u64(&b, (uint64_t)at);
    binio_put_u64(&b, (uint64_t)starts_at);
    int failed = w->failed || at < 0 || fwrite(b.data, 1, b.len, w->f) != b.len;
    failed |= fclose(w->f) != 0;
    failed = failed || put_in_place(w, delta) != 0;
    if (failed)
        unlink(w->tmp);
    buf_free(&b);
    free_writer(w);
    return failed ? -1 : 0;
}

void page_cache_writer_abort(page_cache_writer *w) {
    fclose(w->f);
    unlink(w->tmp);
    free_writer(w);
}

void page_cache_terms_free(page_cache_terms *map) {
    free(map->number);
    map->number = NULL;
    map->len = 0;
}
