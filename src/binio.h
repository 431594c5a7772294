/*
 * binio: the build cache's binary records (page_cache.h, model_cache.h):
 * numbers in the machine's own byte order (a cache is only read by the
 * binary that wrote it), strings as a u32 length, the bytes and a NUL, so
 * that a reader may use them in place (length BINIO_NULL: no string), and a reader that checks
 * every read against the end of its bytes: past the end, or on a value that makes no sense, it is
 * marked bad and reads zeros from then on.
 *
 * The put functions append to a buf (buf.h); the reader borrows its bytes.
 */
#ifndef CLINICGEN_BINIO_H
#define CLINICGEN_BINIO_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

#define BINIO_NULL 0xffffffffu

typedef struct binio_reader {
    const char *p, *end;
    int bad;
} binio_reader;

void binio_read(binio_reader *r, void *out, size_t n);
uint32_t binio_u32(binio_reader *r);
uint64_t binio_u64(binio_reader *r);
float binio_f32(binio_reader *r);
double binio_f64(binio_reader *r);
unsigned char binio_u8(binio_reader *r);
/* A string in place (NUL-terminated), or NULL: none or bad. */
const char *binio_span(binio_reader *r, uint32_t *len);
/* The same copied (caller frees); NULL for none or bad. */
char *binio_string(binio_reader *r);
/* Marks r bad unless at least n items of size bytes are left: a count
 * read from the file is checked before it sizes an allocation. */
void binio_need(binio_reader *r, uint32_t n, size_t size);

void binio_put_u32(buf *b, uint32_t v);
void binio_put_u64(buf *b, uint64_t v);
void binio_put_f32(buf *b, float v);
void binio_put_f64(buf *b, double v);
void binio_put_string(buf *b, const char *s);
void binio_put_bytes(buf *b, const char *s, size_t n);

#endif
