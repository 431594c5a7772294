/* cache: the build cache's manifest and the digest of a build's inputs. */
#define _GNU_SOURCE
#include "cache.h"

#include "buf.h"
#include "fsutil.h"
#include "hash.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when the manifest's form or what a build writes for the same
 * inputs changes in a way the binary's identity would not show. */
static const char MAGIC[] = "clinicgen-cache 1";

char *cache_file_path(const char *out_dir, const char *kind) {
    size_t n = strlen(out_dir);
    while (n > 1 && out_dir[n - 1] == '/')
        n--;
    char *dir = xstrndup(out_dir, n);
    char *slash = strrchr(dir, '/');
    char *path =
        slash ? xasprintf("%.*s/.clinicgen-cache/%s.%s", (int)(slash - dir), dir, slash + 1, kind)
              : xasprintf(".clinicgen-cache/%s.%s", dir, kind);
    free(dir);
    return path;
}

/* ---- entries ---- */

void cache_manifest_reserve(cache_manifest *m, size_t n) {
    if (n <= m->cap)
        return;
    m->cap = n;
    m->entries = xrealloc(m->entries, m->cap * sizeof *m->entries);
}

/* Appends e as it is (its path then belongs to m). */
static cache_entry *append_entry(cache_manifest *m, const cache_entry *e) {
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->entries = xrealloc(m->entries, m->cap * sizeof *m->entries);
    }
    m->entries[m->len] = *e;
    return &m->entries[m->len++];
}

void cache_manifest_add(cache_manifest *m, const cache_entry *e) {
    append_entry(m, e)->path = xstrdup(e->path);
}

void cache_manifest_index(cache_manifest *m) {
    strmap_free(&m->by_path);
    m->by_path = (strmap)STRMAP_INIT;
    strmap_reserve(&m->by_path, m->len);
    for (size_t i = 0; i < m->len; i++)
        strmap_put(&m->by_path, m->entries[i].path, &m->entries[i]);
}

const cache_entry *cache_manifest_find(const cache_manifest *m, const char *path) {
    return strmap_get(&m->by_path, path);
}

void cache_manifest_set_roots(cache_manifest *m, char **roots, size_t n) {
    for (size_t i = 0; i < m->n_roots; i++)
        free(m->roots[i]);
    free(m->roots);
    m->roots = roots;
    m->n_roots = n;
}

void cache_manifest_free(cache_manifest *m) {
    cache_manifest_set_roots(m, NULL, 0);
    for (size_t i = 0; i < m->len; i++)
        free(m->entries[i].path);
    free(m->entries);
    free(m->messages);
    strmap_free(&m->by_path);
    *m = (cache_manifest)CACHE_MANIFEST_INIT;
}

/* ---- reading and writing ----
 * Text, one record per line; strings are length-prefixed, so any byte may
 * be in a path:
 *   clinicgen-cache 1
 *   inputs HEX pages N files N
 *   root LEN PATH
 *   messages LEN BYTES
 *   out HEX SIZE MTIME_NS INO LEN PATH                                     */

typedef struct reader {
    const char *p, *end;
    int bad;
} reader;

/* The value of a hex (lowercase) or decimal digit, or -1. */
static int digit_value(char c, int base) {
    if (c >= '0' && c <= '9')
        return c - '0';
    return base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A number and the space or newline after it. By hand, not strtoull: a
 * manifest holds four numbers a file, and every rebuild reads them all. */
static uint64_t read_number(reader *r, int base) {
    const char *p = r->p;
    uint64_t v = 0;
    int d;
    if (r->bad || p >= r->end || digit_value(*p, base) < 0) {
        r->bad = 1;
        return 0;
    }
    for (; p < r->end && (d = digit_value(*p, base)) >= 0; p++) {
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v)) {
            r->bad = 1; /* too large: not a manifest this build wrote */
            return 0;
        }
    }
    if (p >= r->end || (*p != ' ' && *p != '\n'))
        r->bad = 1;
    else
        r->p = p + 1;
    return v;
}

static int read_word(reader *r, const char *word) {
    size_t n = strlen(word);
    if (r->bad || (size_t)(r->end - r->p) <= n || memcmp(r->p, word, n) != 0 || r->p[n] != ' ')
        return 0;
    r->p += n + 1;
    return 1;
}

/* LEN BYTES\n */
static char *read_string(reader *r) {
    uint64_t n = read_number(r, 10);
    if (r->bad || (uint64_t)(r->end - r->p) <= n || r->p[n] != '\n') {
        r->bad = 1;
        return NULL;
    }
    char *s = xstrndup(r->p, (size_t)n);
    r->p += n + 1;
    return s;
}

static void read_entries(cache_manifest *m, reader *r) {
    while (!r->bad && read_word(r, "out")) {
        cache_entry e;
        e.hash = read_number(r, 16);
        e.size = read_number(r, 10);
        e.mtime_ns = read_number(r, 10);
        e.ino = read_number(r, 10);
        e.path = read_string(r);
        if (r->bad)
            break;
        append_entry(m, &e);
    }
}

static void read_manifest(cache_manifest *m, reader *r) {
    size_t magic = strlen(MAGIC);
    if ((size_t)(r->end - r->p) <= magic || memcmp(r->p, MAGIC, magic) || r->p[magic] != '\n') {
        r->bad = 1;
        return;
    }
    r->p += magic + 1;
    if (!read_word(r, "inputs"))
        r->bad = 1;
    m->inputs = read_number(r, 16);
    r->bad |= !read_word(r, "pages");
    m->pages = (size_t)read_number(r, 10);
    r->bad |= !read_word(r, "files");
    m->files = (size_t)read_number(r, 10);
    while (!r->bad && read_word(r, "root")) {
        char *root = read_string(r);
        if (!root)
            break;
        m->roots = xrealloc(m->roots, (m->n_roots + 1) * sizeof *m->roots);
        m->roots[m->n_roots++] = root;
    }
    r->bad |= !read_word(r, "messages");
    m->messages = read_string(r);
    read_entries(m, r);
    if (r->p != r->end)
        r->bad = 1;
}

int cache_manifest_load(cache_manifest *m, const char *path) {
    *m = (cache_manifest)CACHE_MANIFEST_INIT;
    size_t len;
    char *text = fs_read_file(path, &len);
    if (!text)
        return -1;
    reader r = {text, text + len, 0};
    read_manifest(m, &r);
    free(text);
    if (r.bad) {
        cache_manifest_free(m);
        return -1;
    }
    cache_manifest_index(m);
    return 0;
}

/* The manifest and the digest are tens of thousands of lines: written
 * without printf, which would be a good part of a rebuild's time. */
static void put_hex64(buf *b, uint64_t v) { /* as %016llx */
    char text[16];
    for (int i = 15; i >= 0; i--, v >>= 4)
        text[i] = "0123456789abcdef"[v & 15];
    buf_append(b, text, sizeof text);
}

static void put_uints(buf *b, const unsigned long long *v, size_t n, char sep) {
    for (size_t i = 0; i < n; i++) {
        buf_put_uint(b, v[i]);
        buf_putc(b, sep);
    }
}

static void put_string(buf *b, const char *s) {
    size_t n = strlen(s);
    buf_put_uint(b, n);
    buf_putc(b, ' ');
    buf_append(b, s, n);
    buf_putc(b, '\n');
}

int cache_manifest_save(const cache_manifest *m, const char *path) {
    buf b = BUF_INIT;
    buf_printf(&b, "%s\ninputs %016llx pages %zu files %zu\n", MAGIC, (unsigned long long)m->inputs,
               m->pages, m->files);
    for (size_t i = 0; i < m->n_roots; i++) {
        buf_puts(&b, "root ");
        put_string(&b, m->roots[i]);
    }
    buf_puts(&b, "messages ");
    put_string(&b, m->messages ? m->messages : "");
    for (size_t i = 0; i < m->len; i++) {
        const cache_entry *e = &m->entries[i];
        unsigned long long numbers[] = {e->size, e->mtime_ns, e->ino};
        buf_puts(&b, "out ");
        put_hex64(&b, e->hash);
        buf_putc(&b, ' ');
        put_uints(&b, numbers, 3, ' ');
        put_string(&b, e->path);
    }
    char *tmp = fs_temp_beside(path);
    int rc = fs_write_file(tmp, b.data ? b.data : "", b.len);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    buf_free(&b);
    return rc;
}

/* ---- checking outputs ---- */

static uint64_t mtime_ns(const struct stat *st) {
    return (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
}

void cache_entry_set_stat(cache_entry *e, const struct stat *st) {
    e->size = (uint64_t)st->st_size;
    e->mtime_ns = mtime_ns(st);
    e->ino = (uint64_t)st->st_ino;
}

int cache_outputs_intact(const cache_manifest *m, const char *out_dir) {
    int dir = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return 0;
    int intact = m->len > 0;
    for (size_t i = 0; intact && i < m->len; i++) {
        const cache_entry *e = &m->entries[i];
        struct stat st;
        cache_entry now;
        intact = fstatat(dir, e->path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
        if (intact)
            cache_entry_set_stat(&now, &st);
        intact = intact && now.size == e->size && now.mtime_ns == e->mtime_ns && now.ino == e->ino;
    }
    close(dir);
    return intact;
}

/* ---- the inputs' digest ---- */

enum { CACHE_MAX_DEPTH = 64 };

/* A folder is described by its name and what it holds, not its times,
 * which change whenever an editor makes a scratch file in it; a file by
 * its name and numbers, as bytes (a rebuild describes every input: no
 * decimal). Names hold no NUL, so a description reads one way only. */
static void describe(buf *b, const char *name, const struct stat *st) {
    buf_append(b, name, strlen(name) + 1);
    if (S_ISDIR(st->st_mode)) {
        buf_putc(b, '/');
        return;
    }
    uint64_t numbers[] = {st->st_mode,
                          (uint64_t)st->st_size,
                          mtime_ns(st),
                          (uint64_t)st->st_ctim.tv_sec,
                          (uint64_t)st->st_ctim.tv_nsec,
                          st->st_ino};
    buf_append(b, (const char *)numbers, sizeof numbers);
}

/* A folder's entries, depth-first in name order, and an empty name after
 * them. Links are described, not followed: one inside content/ must point
 * inside it (walk.c), where its target is described in its own place, and
 * one that points elsewhere fails the build anyway. */
static void describe_listing(buf *b, const fs_listing *listing) {
    for (size_t i = 0; i < listing->n; i++) {
        const fs_entry *e = &listing->entries[i];
        describe(b, e->name, &e->st);
        if (e->folder) {
            describe_listing(b, e->folder);
            buf_putc(b, '\0');
        }
    }
}

uint64_t cache_stat_identity(const char *name, const struct stat *st) {
    buf b = BUF_INIT;
    describe(&b, name, st);
    uint64_t h = hash64(b.data, b.len, 1);
    buf_free(&b);
    return h;
}

uint64_t cache_file_identity(const char *path, const char *name) {
    struct stat st;
    return stat(path, &st) == 0 ? cache_stat_identity(name, &st) : 0;
}

uint64_t cache_inputs_digest(char *const *roots, size_t n, const char *options,
                             fs_listing **listings) {
    buf b = BUF_INIT;
    buf_puts(&b, options);
    buf_putc(&b, '\n');
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(roots[i], &st) != 0)
            memset(&st, 0, sizeof st);
        describe(&b, roots[i], &st);
        int fd = S_ISDIR(st.st_mode) ? open(roots[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        fs_listing *listing = fd >= 0 ? fs_listing_read(fd, CACHE_MAX_DEPTH - 1) : NULL;
        if (listing)
            describe_listing(&b, listing);
        if (listings)
            listings[i] = listing;
        else
            fs_listing_free(listing);
    }
    uint64_t digest = hash64(b.data, b.len, 0);
    buf_free(&b);
    return digest;
}
