/* buf: growable strings and the allocation helpers everything else uses. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("clinicgen: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xcalloc(size_t count, size_t n) {
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p) {
        fputs("clinicgen: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("clinicgen: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *xstrdup(const char *s) {
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...) {
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_detach(&b);
}

char *xstrcat3(const char *a, const char *b, const char *c) {
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = xmalloc(la + lb + lc + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

void buf_grow(buf *b, size_t extra) {
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

/* Formats into the room the buffer has (or, when that is short, into a
 * small array first); only text that does not fit is formatted a second
 * time, after growing. */
void buf_vprintf(buf *b, const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    size_t room = b->cap - b->len; /* cap > len whenever cap > 0: the NUL */
    char small[256];               /* an empty or full buffer: format once, here */
    int in_small = room < sizeof small;
    int n =
        vsnprintf(in_small ? small : b->data + b->len, in_small ? sizeof small : room, fmt, copy);
    va_end(copy);
    if (n < 0) {
        if (b->cap)
            b->data[b->len] = '\0';
        return;
    }
    if (in_small && (size_t)n < sizeof small) {
        buf_append(b, small, (size_t)n);
        return;
    }
    if (in_small || (size_t)n >= room) {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_clear(buf *b) {
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *buf_detach(buf *b) {
    char *p = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *buf_cstr(const buf *b) {
    return b->data ? b->data : "";
}

/* ---- escaping: runs of plain bytes are found sixteen (SSE2) or eight
 * at a time ---- */

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Nonzero when a byte of x is below n (n at most 128): exact as a yes or
 * no, though not as to which byte. */
static inline uint64_t any_below(uint64_t x, unsigned n) {
    return (x - ONES * n) & ~x & HIGHS;
}

static inline uint64_t any_equal(uint64_t x, unsigned char c) {
    return any_below(x ^ (ONES * c), 1);
}

static inline uint64_t load8(const char *s) {
    uint64_t x;
    memcpy(&x, s, sizeof x);
    return x;
}

static int html_special(unsigned char c) {
    return c == '&' || c == '<' || c == '>' || c == '"';
}

#if defined(__SSE2__)
static inline __m128i load16(const char *s) {
    return _mm_loadu_si128((const __m128i *)(const void *)s);
}

static inline __m128i equal16(__m128i v, char c) {
    return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}
#endif

/* How many bytes from s on need no escape in HTML (text or attribute). */
static size_t html_plain_run(const char *s, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = load16(s + i);
        __m128i hit = _mm_or_si128(_mm_or_si128(equal16(v, '&'), equal16(v, '<')),
                                   _mm_or_si128(equal16(v, '>'), equal16(v, '"')));
        if (_mm_movemask_epi8(hit))
            return i + (size_t)__builtin_ctz((unsigned)_mm_movemask_epi8(hit));
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x = load8(s + i);
        if (any_equal(x, '&') | any_equal(x, '<') | any_equal(x, '>') | any_equal(x, '"'))
            break;
    }
    while (i < n && !html_special((unsigned char)s[i]))
        i++;
    return i;
}

static void buf_escape(buf *b, const char *s, size_t n, int quotes) {
    buf_grow(b, n);
    for (size_t i = 0; i < n; i++) {
        size_t run = html_plain_run(s + i, n - i);
        buf_append(b, s + i, run);
        if ((i += run) == n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c == '&')
            buf_append(b, "&amp;", 5);
        else if (c == '<')
            buf_append(b, "&lt;", 4);
        else if (c == '>')
            buf_append(b, "&gt;", 4);
        else if (quotes)
            buf_append(b, "&quot;", 6);
        else
            buf_putc(b, '"');
    }
}

void buf_html_text(buf *b, const char *s, size_t n) {
    buf_escape(b, s, n, 0);
}
void buf_html_attr(buf *b, const char *s, size_t n) {
    buf_escape(b, s, n, 1);
}

void buf_put_uint(buf *b, unsigned long long v) {
    char digits[20];
    size_t n = 0;
    do
        digits[sizeof digits - ++n] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    buf_append(b, digits + sizeof digits - n, n);
}

static int json_needs_escape(unsigned char c) {
    return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == 0xE2;
}

/* How many bytes from s on go into a JSON string as they are. */
static size_t json_plain_run(const char *s, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = load16(s + i);
        /* below 0x20: the byte is its own minimum with 0x1F */
        __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
        __m128i hit = _mm_or_si128(
            _mm_or_si128(control, equal16(v, '"')),
            _mm_or_si128(_mm_or_si128(equal16(v, '\\'), equal16(v, '<')), equal16(v, (char)0xE2)));
        if (_mm_movemask_epi8(hit))
            return i + (size_t)__builtin_ctz((unsigned)_mm_movemask_epi8(hit));
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x = load8(s + i);
        if (any_below(x, 0x20) | any_equal(x, '"') | any_equal(x, '\\') | any_equal(x, '<') |
            any_equal(x, 0xE2))
            break;
    }
    while (i < n && !json_needs_escape((unsigned char)s[i]))
        i++;
    return i;
}

void buf_json_string(buf *b, const char *s, size_t n) {
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        size_t run = json_plain_run(s + i, n - i);
        if (run) { /* plain text, copied at once */
            buf_append(b, s + i, run);
            if ((i += run) == n)
                break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c < 0x20 || c == '<') {
            buf_printf(b, "\\u%04x", c);
        } else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            buf_printf(b, "\\u%04x", (unsigned char)s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
            i += 2; /* line and paragraph separators end a line in older JavaScript */
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}
