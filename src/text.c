/* text: slugs, URL escaping and URL safety checks. */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length
 * (1 for a stray byte, which then reads as U+FFFD). */
size_t text_utf8_decode(const unsigned char *s, size_t n, unsigned *cp) {
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    return len;
}

void text_utf8_encode(buf *b, unsigned cp) {
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xC0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Spaces and punctuation beyond ASCII: Latin-1's, general punctuation,
 * CJK and full-width punctuation, replacement characters. */
int text_is_unicode_separator(unsigned cp) {
    return (cp >= 0x80 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) || cp == 0xD7 ||
           cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFE10 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF0F) || cp == 0xFFFD ||
           cp == 0xFEFF;
}

/* Lower case for the alphabets clinic sites are written in: Latin-1,
 * Latin Extended-A, Greek and Cyrillic. Other letters stay as they are. */
unsigned text_unicode_lower(unsigned cp) {
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
        (cp >= 0x410 && cp <= 0x42F))
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 &&
        cp != 0x17F) {
        int odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (odd_upper ? (cp & 1) : !(cp & 1))
            return cp + 1;
    }
    return cp;
}

/* An ASCII letter, digit or underscore, lowered; 0 for any other byte.
 * (isalnum and tolower agree in every locale below 0x80, through a call.) */
static unsigned ascii_word_lower(unsigned c) {
    if (c >= 'A' && c <= 'Z')
        return c + ('a' - 'A');
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : 0;
}

char *text_slugify(const char *s, size_t n) {
    buf out = BUF_INIT;
    buf_grow(&out, n + 1); /* a slug is rarely longer than its text */
    buf_clear(&out);       /* terminated, in case it stays empty */
    int pending_dash = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp = p[i];
        i += cp < 0x80 ? 1 : text_utf8_decode(p + i, n - i, &cp);
        unsigned lower = cp < 0x80                        ? ascii_word_lower(cp)
                         : !text_is_unicode_separator(cp) ? text_unicode_lower(cp)
                                                          : 0;
        if (lower) {
            if (pending_dash && out.len)
                buf_putc(&out, '-');
            pending_dash = 0;
            if (lower < 0x80)
                buf_putc(&out, (char)lower);
            else
                text_utf8_encode(&out, lower);
        } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D || cp == 0xB4) {
            continue; /* curly quotes and apostrophes are dropped like ASCII ones */
        } else if (cp == ' ' || cp == '-' || cp == '\t' || cp == '\n' || cp == '/' || cp == '.' ||
                   (cp >= 0x80 && cp != 0xFFFD)) {
            pending_dash = 1;
        }
        /* other ASCII punctuation is dropped, as GitHub does for heading ids */
    }
    return buf_detach(&out);
}

const char *text_append_folder_slugs(buf *b, const char *path) {
    const char *part = path;
    for (const char *slash; (slash = strchr(part, '/')); part = slash + 1) {
        char *s = text_slugify(part, (size_t)(slash - part));
        buf_printf(b, "%s/", s);
        free(s);
    }
    return part;
}

/* A byte that a URL keeps as it is ('%' and '&' are looked at apart). */
static int url_plain(unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' &&
           c != '`' && c != '{' && c != '|' && c != '}' && c != '%' && c != '&';
}

static void append_url(buf *b, const char *url, size_t n, int html) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        size_t run = i;
        while (run < n && url_plain((unsigned char)url[run]))
            run++;
        buf_append(b, url + i, run - i); /* most of a URL, copied at once */
        if ((i = run) == n)
            break;
        unsigned char c = (unsigned char)url[i];
        if (c == '&') {
            buf_puts(b, html ? "&amp;" : "&");
        } else if (c == '%') {
            int escape = i + 2 < n && isxdigit((unsigned char)url[i + 1]) &&
                         isxdigit((unsigned char)url[i + 2]);
            buf_puts(b, escape ? "%" : "%25");
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}

void text_append_href(buf *b, const char *url, size_t n) {
    append_url(b, url, n, 1);
}
void text_append_url(buf *b, const char *url, size_t n) {
    append_url(b, url, n, 0);
}

int text_is_unsafe_url(const char *url) {
    const char *first = url;
    while (*first && (unsigned char)*first <= 0x20)
        first++;
    if (!isalpha((unsigned char)*first))
        return 0; /* "/...", "#...": every scheme refused starts with a letter */
    /* Browsers ignore ASCII whitespace and control characters inside the
     * scheme, so compare a squeezed, lower-cased copy. */
    char scheme[16];
    size_t n = 0;
    for (const char *p = url; *p && n < sizeof scheme - 1; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20)
            continue;
        scheme[n++] = (char)tolower(c);
        if (c == ':')
            break;
    }
    scheme[n] = '\0';
    if (!strcmp(scheme, "javascript:") || !strcmp(scheme, "vbscript:") || !strcmp(scheme, "file:"))
        return 1;
    if (strcmp(scheme, "data:") != 0)
        return 0;
    const char *rest = strchr(url, ':') + 1;
    static const char *images[] = {"image/png", "image/gif", "image/jpeg", "image/webp"};
    for (size_t i = 0; i < sizeof images / sizeof *images; i++)
        if (!strncasecmp(rest, images[i], strlen(images[i])))
            return 0;
    return 1;
}

int text_url_has_scheme(const char *url) {
    if (url[0] == '/' && url[1] == '/')
        return 1;
    const char *p = url;
    if (!isalpha((unsigned char)*p))
        return 0;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    return *p == ':';
}

size_t text_bom_length(const char *s, size_t n) {
    return n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

char *text_percent_decode(const char *s, size_t n) {
    buf out = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            buf_putc(&out, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            buf_putc(&out, s[i]);
        }
    }
    return buf_detach(&out);
}

/* Whether 8 bytes are all ASCII other than NUL (0x01-0x7F): a NUL byte
 * becomes 0xFF less one, a byte from 0x80 has its top bit already; a
 * borrow only follows a NUL. */
static int plain_ascii8(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return !(((v - 0x0101010101010101u) | v) & 0x8080808080808080u);
}

/* Whether 16 bytes are all ASCII other than NUL. */
static int plain_ascii16(const unsigned char *p) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return !_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, _mm_setzero_si128())));
#else
    return plain_ascii8(p) && plain_ascii8(p + 8);
#endif
}

size_t text_find_bad_byte(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 16 && plain_ascii16(p + i)) {
            i += 16;
            continue;
        }
        if (n - i >= 8 && plain_ascii8(p + i)) { /* most text: 8 bytes at a time */
            i += 8;
            continue;
        }
        unsigned c = p[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || len > n - i)
            return i; /* NUL, a stray continuation byte, 0xF8-0xFF, or cut short */
        unsigned cp = c & (0xFF >> (len + 1));
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        static const unsigned least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/* Windows-1252, the usual encoding of a file that is not UTF-8, for the
 * bytes 0x80-0x9F (0xA0-0xFF are Latin-1's, the same code points). */
static unsigned windows_1252(unsigned char c) {
    static const unsigned short high[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
    return c >= 0xA0 ? c : c >= 0x80 ? high[c - 0x80] : 0;
}

int text_check_encoding(const char *s, size_t n, const char *file, int line_offset, diag_list *d) {
    if (n >= 2 && ((unsigned char)s[0] == 0xFF || (unsigned char)s[0] == 0xFE) &&
        (unsigned char)s[1] == ((unsigned char)s[0] ^ 0x01)) {
        diag_error(d, file, 1 + line_offset, 1, "the file is UTF-16 text; save it as UTF-8");
        return -1;
    }
    size_t bad = text_find_bad_byte(s, n);
    if (bad == n)
        return 0;
    int line = 1, col = 1;
    for (size_t i = 0; i < bad; i++) {
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            col++; /* one per character: continuation bytes do not count */
        }
    }
    unsigned char c = (unsigned char)s[bad];
    unsigned guess = windows_1252(c);
    if (!c) {
        diag_error(d, file, line + line_offset, col,
                   "a NUL byte in the text: remove it (is this a text file?)");
    } else if (guess) {
        buf shown = BUF_INIT;
        text_utf8_encode(&shown, guess);
        diag_error(d, file, line + line_offset, col,
                   "not valid UTF-8 (byte 0x%02X, which is '%s' in Windows-1252); save the file "
                   "as UTF-8",
                   c, buf_cstr(&shown));
        buf_free(&shown);
    } else {
        diag_error(d, file, line + line_offset, col,
                   "not valid UTF-8 (byte 0x%02X); save the file as UTF-8", c);
    }
    return -1;
}
