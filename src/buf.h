/*
 * buf: a growable, always NUL-terminated byte string.
 *
 * A buf owns its bytes. Initialise with BUF_INIT (no allocation until the
 * first append), release with buf_free. buf_detach hands the bytes to the
 * caller, who frees them with free(). Allocation failure aborts: a static
 * site generator has no useful way to continue without memory.
 */
#ifndef CLINICGEN_BUF_H
#define CLINICGEN_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *data; /* NUL-terminated when cap > 0; NULL before first append */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT                                                                                   \
    { NULL, 0, 0 }

void buf_grow(buf *b, size_t extra);

/* Appending is inline: pages are written a few bytes at a time, and the
 * length of a literal is then known when compiling. */
static inline void buf_append(buf *b, const char *s, size_t n) {
    if (b->len + n >= b->cap)
        buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void buf_puts(buf *b, const char *s) {
    buf_append(b, s, strlen(s));
}

static inline void buf_putc(buf *b, char c) {
    if (b->len + 1 >= b->cap)
        buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
void buf_put_uint(buf *b, unsigned long long v); /* in decimal, faster than buf_printf */
void buf_clear(buf *b);
void buf_free(buf *b);
char *buf_detach(buf *b);           /* never NULL; caller frees */
const char *buf_cstr(const buf *b); /* "" when empty */

/* HTML escaping: text escapes & < >; attribute values also escape ". */
void buf_html_text(buf *b, const char *s, size_t n);
void buf_html_attr(buf *b, const char *s, size_t n);

/* A JSON string literal with its quotes. Escapes what JSON requires, and
 * also '<', U+2028 and U+2029, so the text is safe inside a script. */
void buf_json_string(buf *b, const char *s, size_t n);

/* Allocation helpers that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* a, b and c one after the other (what xasprintf("%s%s%s") gives, with no
 * format to read: paths and URLs are joined per page). */
char *xstrcat3(const char *a, const char *b, const char *c);

#endif
