/* value_pack: value trees to and from compact byte strings.
 *
 * A node is a tag byte (the type in bits 0-2; bit 3: it has text; bit 4:
 * boolean set; bit 5: number set), its line as the difference from the
 * line of the node or key before it and its column (both zigzag varints:
 * lines mostly grow by 0 or 1, so most take one byte), then the text (a
 * varint length and the bytes), the number (8 bytes, as in memory: the
 * string never leaves the process), and for a list or map a varint count
 * and the children; a map's child is its key (length, bytes, line, column)
 * and then its value. */
#include "value_pack.h"

#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    TAG_TYPE = 7,
    TAG_TEXT = 8,
    TAG_BOOL = 16,
    TAG_NUMBER = 32,
    MAX_DEPTH = 1000 /* trees from YAML are at most a few hundred deep */
};

typedef struct packer {
    buf out;
    long long line; /* of the node or key before */
} packer;

static void put_uvarint(buf *b, uint64_t v) {
    while (v >= 0x80) {
        buf_putc(b, (char)(v | 0x80));
        v >>= 7;
    }
    buf_putc(b, (char)v);
}

static void put_svarint(buf *b, long long v) {
    put_uvarint(b, ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0));
}

static void put_place(packer *pk, int line, int col) {
    put_svarint(&pk->out, line - pk->line);
    put_svarint(&pk->out, col);
    pk->line = line;
}

static void pack_node(packer *pk, const value *v) {
    unsigned tag = (unsigned)v->type & TAG_TYPE;
    tag |= v->text ? TAG_TEXT : 0;
    tag |= v->boolean ? TAG_BOOL : 0;
    uint64_t bits; /* -0.0 (YAML's -0) is not 0.0 */
    memcpy(&bits, &v->number, sizeof bits);
    tag |= bits ? TAG_NUMBER : 0;
    buf_putc(&pk->out, (char)tag);
    put_place(pk, v->line, v->col);
    if (v->text) {
        put_uvarint(&pk->out, v->text_len);
        buf_append(&pk->out, v->text, v->text_len);
    }
    if (tag & TAG_NUMBER)
        buf_append(&pk->out, (const char *)&v->number, sizeof v->number);
    if (v->type != VALUE_LIST && v->type != VALUE_MAP)
        return;
    put_uvarint(&pk->out, v->len);
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_LIST) {
            pack_node(pk, v->items[i]);
            continue;
        }
        const value_pair *kv = &v->pairs[i];
        size_t n = strlen(kv->key);
        put_uvarint(&pk->out, n);
        buf_append(&pk->out, kv->key, n);
        put_place(pk, kv->line, kv->col);
        pack_node(pk, kv->val);
    }
}

char *value_pack(const value *v, size_t *len) {
    packer pk = {BUF_INIT, 0};
    pack_node(&pk, v);
    size_t n = *len = pk.out.len;
    /* kept for the whole build, one per page: no room to spare */
    return xrealloc(buf_detach(&pk.out), n + 1);
}

/* ---- unpacking: every read checked against the end ---- */

typedef struct unpacker {
    const unsigned char *p, *end;
    long long line;
    int bad;
} unpacker;

static uint64_t get_uvarint(unpacker *u) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (u->p == u->end)
            break;
        unsigned char c = *u->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    u->bad = 1;
    return 0;
}

static long long get_svarint(unpacker *u) {
    uint64_t z = get_uvarint(u);
    return (long long)(z >> 1) ^ -(long long)(z & 1);
}

/* A line or column: an int, else the string is damaged. */
static int get_int(unpacker *u, long long v) {
    if (v < INT32_MIN || v > INT32_MAX) {
        u->bad = 1;
        return 0;
    }
    return (int)v;
}

static void get_place(unpacker *u, int *line, int *col) {
    long long delta = get_svarint(u);
    if (delta < -(1LL << 33) || delta > (1LL << 33)) /* keeps the sum below from overflowing */
        u->bad = 1;
    else
        *line = get_int(u, u->line + delta);
    *col = get_int(u, get_svarint(u));
    u->line = *line;
}

/* n bytes in place, or NULL when fewer are left. */
static const char *get_bytes(unpacker *u, uint64_t n) {
    if (u->bad || n > (uint64_t)(u->end - u->p)) {
        u->bad = 1;
        return NULL;
    }
    const char *s = (const char *)u->p;
    u->p += n;
    return s;
}

static value *unpack_node(unpacker *u, int depth);

/* The count of a list or map: each child takes at least `least` bytes. */
static size_t get_count(unpacker *u, size_t least) {
    uint64_t n = get_uvarint(u);
    if (n > (uint64_t)(u->end - u->p) / least) {
        u->bad = 1;
        return 0;
    }
    return (size_t)n;
}

static void unpack_children(unpacker *u, value *v, int depth) {
    int is_map = v->type == VALUE_MAP;
    size_t n = get_count(u, is_map ? 6 : 3);
    if (!n || u->bad)
        return;
    if (is_map)
        v->pairs = xcalloc(n, sizeof *v->pairs);
    else
        v->items = xcalloc(n, sizeof *v->items);
    v->cap = n;
    for (size_t i = 0; i < n && !u->bad; i++) {
        if (!is_map) {
            value *item = unpack_node(u, depth + 1);
            if (item)
                v->items[v->len++] = item;
            continue;
        }
        uint64_t key_len = get_uvarint(u);
        const char *key = get_bytes(u, key_len);
        if (!key || memchr(key, '\0', (size_t)key_len)) {
            u->bad = 1;
            return;
        }
        value_pair *kv = &v->pairs[v->len];
        get_place(u, &kv->line, &kv->col);
        kv->val = unpack_node(u, depth + 1);
        if (kv->val) {
            kv->key = xstrndup(key, (size_t)key_len);
            v->len++;
        }
    }
}

static value *unpack_node(unpacker *u, int depth) {
    if (u->p == u->end || depth > MAX_DEPTH) {
        u->bad = 1;
        return NULL;
    }
    unsigned tag = *u->p++;
    unsigned type = tag & TAG_TYPE;
    if (type > VALUE_MAP || (tag & ~(unsigned)(TAG_TYPE | TAG_TEXT | TAG_BOOL | TAG_NUMBER))) {
        u->bad = 1;
        return NULL;
    }
    int line = 0, col = 0;
    get_place(u, &line, &col);
    value *v = value_new((value_type)type, line, col);
    v->boolean = (tag & TAG_BOOL) != 0;
    if (tag & TAG_TEXT) {
        uint64_t n = get_uvarint(u);
        const char *text = get_bytes(u, n);
        if (text) {
            v->text = xstrndup(text, (size_t)n);
            v->text_len = (size_t)n;
        }
    }
    if (tag & TAG_NUMBER) {
        const char *number = get_bytes(u, sizeof v->number);
        if (number)
            memcpy(&v->number, number, sizeof v->number);
    }
    if (v->type == VALUE_LIST || v->type == VALUE_MAP)
        unpack_children(u, v, depth);
    if (u->bad) {
        value_free(v);
        return NULL;
    }
    return v;
}

value *value_unpack(const char *data, size_t len) {
    unpacker u = {(const unsigned char *)data, (const unsigned char *)data + len, 0, 0};
    value *v = unpack_node(&u, 0);
    if (v && u.p != u.end) { /* bytes left over: not what value_pack made */
        value_free(v);
        v = NULL;
    }
    return v;
}
