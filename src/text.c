/* text: slugs, URL escaping and URL safety checks. */
#include "text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

char *text_slugify(const char *s, size_t n) {
    buf out = BUF_INIT;
    int pending_dash = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || isalnum(c) || c == '_') {
            if (pending_dash && out.len)
                buf_putc(&out, '-');
            pending_dash = 0;
            buf_putc(&out, (char)(c < 0x80 ? tolower(c) : c));
        } else if (c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '/' || c == '.') {
            pending_dash = 1;
        }
        /* other punctuation is dropped, as GitHub does for heading ids */
    }
    return buf_detach(&out);
}

static void append_url(buf *b, const char *url, size_t n, int html) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c == '&' && html) {
            buf_puts(b, "&amp;");
        } else if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
                   c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        } else if (c == '%' && !(i + 2 < n && isxdigit((unsigned char)url[i + 1]) &&
                                 isxdigit((unsigned char)url[i + 2]))) {
            buf_puts(b, "%25");
        } else {
            buf_putc(b, (char)c);
        }
    }
}

void text_append_href(buf *b, const char *url, size_t n) { append_url(b, url, n, 1); }
void text_append_url(buf *b, const char *url, size_t n) { append_url(b, url, n, 0); }

int text_is_unsafe_url(const char *url) {
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
    if (!strcmp(scheme, "javascript:") || !strcmp(scheme, "vbscript:") ||
        !strcmp(scheme, "file:"))
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
