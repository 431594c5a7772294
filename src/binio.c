/* binio: checked reads and plain writes of the build cache's records. */
#include "binio.h"

#include <string.h>

void binio_read(binio_reader *r, void *out, size_t n) {
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
}

uint32_t binio_u32(binio_reader *r) {
    uint32_t v;
    binio_read(r, &v, sizeof v);
    return v;
}

uint64_t binio_u64(binio_reader *r) {
    uint64_t v;
    binio_read(r, &v, sizeof v);
    return v;
}

float binio_f32(binio_reader *r) {
    float v;
    binio_read(r, &v, sizeof v);
    return v;
}

double binio_f64(binio_reader *r) {
    double v;
    binio_read(r, &v, sizeof v);
    return v;
}

unsigned char binio_u8(binio_reader *r) {
    unsigned char v;
    binio_read(r, &v, 1);
    return v;
}

const char *binio_span(binio_reader *r, uint32_t *len) {
    *len = binio_u32(r);
    if (*len == BINIO_NULL || r->bad)
        return NULL;
    if ((size_t)(r->end - r->p) <= *len || r->p[*len] != '\0') {
        r->bad = 1;
        return NULL;
    }
    const char *s = r->p;
    r->p += *len + 1;
    return s;
}

char *binio_string(binio_reader *r) {
    uint32_t len;
    const char *s = binio_span(r, &len);
    return s ? xstrndup(s, len) : NULL;
}

void binio_need(binio_reader *r, uint32_t n, size_t size) {
    if (r->bad || (size_t)(r->end - r->p) / size < n)
        r->bad = 1;
}

void binio_put_u32(buf *b, uint32_t v) {
    buf_append(b, (const char *)&v, sizeof v);
}

void binio_put_u64(buf *b, uint64_t v) {
    buf_append(b, (const char *)&v, sizeof v);
}

void binio_put_f32(buf *b, float v) {
    buf_append(b, (const char *)&v, sizeof v);
}

void binio_put_f64(buf *b, double v) {
    buf_append(b, (const char *)&v, sizeof v);
}

void binio_put_bytes(buf *b, const char *s, size_t n) {
    binio_put_u32(b, (uint32_t)n);
    buf_append(b, s, n);
    buf_putc(b, '\0');
}

void binio_put_string(buf *b, const char *s) {
    if (s)
        binio_put_bytes(b, s, strlen(s));
    else
        binio_put_u32(b, BINIO_NULL);
}
