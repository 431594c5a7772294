/* html_sanitize: raw HTML made fit for the site (see html_sanitize.h).
 *
 * The tag reader follows the HTML5 tokenizer's states for tags (tag name,
 * attribute name, the three kinds of attribute value, '/' and '>'), so a
 * tag is split into attributes exactly where a browser splits it. */
#include "html_sanitize.h"

#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct span {
    const char *s;
    size_t n;
} span;

typedef struct sanitizer {
    buf *out;
    html_refusal *first;
    size_t refused;
} sanitizer;

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int span_is(span a, const char *word) {
    return a.n == strlen(word) && !strncasecmp(a.s, word, a.n);
}

static void refuse(sanitizer *z, const char *fmt, span name) {
    z->refused++;
    if (z->first && !z->first->what[0])
        snprintf(z->first->what, sizeof z->first->what, fmt, (int)(name.n > 40 ? 40 : name.n),
                 name.s);
}

/* Tags shown as text (see html_sanitize.h for why each). */
static int is_refused_tag(span name) {
    static const char *const tags[] = {"title",         "textarea",
                                       "style",         "xmp",
                                       "iframe",        "noembed",
                                       "noframes",      "script",
                                       "plaintext",     "noscript",
                                       "object",        "embed",
                                       "applet",        "base",
                                       "meta",          "link",
                                       "frame",         "frameset",
                                       "animate",       "set",
                                       "animatemotion", "animatetransform",
                                       "handler",       "listener"};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
        if (span_is(name, tags[i]))
            return 1;
    return 0;
}

/* Attributes whose value is a URL (their local name, after any prefix such
 * as SVG's xlink:). */
static int is_url_attribute(span name) {
    static const char *const names[] = {"href",   "src",        "action",  "formaction", "data",
                                        "poster", "background", "cite",    "codebase",   "srcset",
                                        "ping",   "lowsrc",     "dynsrc",  "longdesc",   "manifest",
                                        "icon",   "archive",    "classid", "profile",    "usemap"};
    const char *colon = memchr(name.s, ':', name.n);
    if (colon) {
        name.n -= (size_t)(colon + 1 - name.s);
        name.s = colon + 1;
    }
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (span_is(name, names[i]))
            return 1;
    return 0;
}

/* Names written back: letters, digits and - (a tag); also _ : . (an
 * attribute). Anything else is a name no page needs. */
static int is_plain_name(span name, int attribute) {
    if (!name.n || !(isalpha((unsigned char)name.s[0]) || (attribute && strchr("_:", name.s[0]))))
        return 0;
    for (size_t i = 1; i < name.n; i++) {
        unsigned char c = (unsigned char)name.s[i];
        if (!isalnum(c) && c != '-' && !(attribute && (c == '_' || c == ':' || c == '.')))
            return 0;
    }
    return 1;
}

/* The value as the browser reads it: numeric character references (with
 * or without ';', any number of digits) and the named ones that can spell
 * a URL scheme (&Tab; &NewLine; &colon;) decoded. Other named references
 * stay as written: none of them gives an ASCII letter. Caller frees. */
static char *decode_value(span v) {
    static const struct {
        const char *name;
        char c;
    } named[] = {{"Tab;", '\t'}, {"NewLine;", '\n'}, {"colon;", ':'}, {"amp;", '&'}, {"lt;", '<'},
                 {"gt;", '>'},   {"quot;", '"'},     {"apos;", '\''}, {"sol;", '/'}};
    buf out = BUF_INIT;
    for (size_t i = 0; i < v.n;) {
        if (v.s[i] != '&') {
            buf_putc(&out, v.s[i++]);
            continue;
        }
        size_t j = i + 1;
        if (j < v.n && v.s[j] == '#') {
            int hex = j + 1 < v.n && (v.s[j + 1] == 'x' || v.s[j + 1] == 'X');
            size_t k = j + 1 + (size_t)hex;
            unsigned long cp = 0;
            size_t digits = 0;
            while (k < v.n &&
                   (hex ? isxdigit((unsigned char)v.s[k]) : isdigit((unsigned char)v.s[k]))) {
                if (cp <= 0x10FFFF)
                    cp = cp * (hex ? 16 : 10) +
                         (unsigned long)(isdigit((unsigned char)v.s[k])
                                             ? v.s[k] - '0'
                                             : tolower((unsigned char)v.s[k]) - 'a' + 10);
                k++;
                digits++;
            }
            if (digits) {
                if (k < v.n && v.s[k] == ';')
                    k++;
                text_utf8_encode(&out, cp == 0 || cp > 0x10FFFF ? 0xFFFD : (unsigned)cp);
                i = k;
                continue;
            }
        }
        size_t m;
        for (m = 0; m < sizeof named / sizeof *named; m++) {
            size_t len = strlen(named[m].name);
            if (v.n - j >= len && !memcmp(v.s + j, named[m].name, len)) {
                buf_putc(&out, named[m].c);
                i = j + len;
                break;
            }
        }
        if (m == sizeof named / sizeof *named)
            buf_putc(&out, v.s[i++]);
    }
    return buf_detach(&out);
}

/* A URL attribute's value holds a script URL; srcset is a list of them. */
static int is_script_url(span name, span value) {
    char *decoded = decode_value(value);
    int unsafe = 0;
    if (span_is(name, "srcset")) {
        for (char *part = decoded; part && !unsafe;) {
            char *comma = strchr(part, ',');
            if (comma)
                *comma = '\0';
            unsafe = text_is_unsafe_url(part);
            part = comma ? comma + 1 : NULL;
        }
    } else {
        unsafe = text_is_unsafe_url(decoded);
    }
    free(decoded);
    return unsafe;
}

/* Is the attribute refused? Records why. */
static int refuse_attribute(sanitizer *z, span name, span value, int has_value) {
    if (name.n >= 2 && !strncasecmp(name.s, "on", 2)) {
        refuse(z, "the event handler attribute '%.*s'", name);
        return 1;
    }
    if (span_is(name, "style") || span_is(name, "srcdoc")) {
        refuse(z, "the attribute '%.*s'", name);
        return 1;
    }
    if (has_value && is_url_attribute(name) && is_script_url(name, value)) {
        refuse(z, "a script URL in the attribute '%.*s'", name);
        return 1;
    }
    return 0;
}

static void append_lower(buf *b, span s) {
    for (size_t i = 0; i < s.n; i++)
        buf_putc(b, (char)tolower((unsigned char)s.s[i]));
}

/* The tag at p ('<' then a letter, or '</' then a letter): written to out
 * if allowed. Returns the bytes it takes, or 0 when it is to be shown as
 * text (refused, or not closed by '>' within the fragment). */
static size_t tag(sanitizer *z, const char *p, size_t len) {
    int end_tag = p[1] == '/';
    size_t i = end_tag ? 2 : 1;
    span name = {p + i, 0};
    while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>')
        i++;
    name.n = (size_t)(p + i - name.s);
    buf tagbuf = BUF_INIT; /* written out only once the tag is known to end */
    sanitizer local = {&tagbuf, NULL, 0};
    html_refusal why = {{0}};
    local.first = &why;
    buf_puts(&tagbuf, end_tag ? "</" : "<");
    append_lower(&tagbuf, name);
    int self_closing = 0;
    for (;;) {
        while (i < len && (is_space(p[i]) || p[i] == '/')) {
            self_closing = p[i] == '/' && i + 1 < len && p[i + 1] == '>';
            i++;
        }
        if (i >= len)
            break; /* not closed */
        if (p[i] == '>') {
            i++;
            int refused_tag = !is_plain_name(name, 0) || is_refused_tag(name);
            if (refused_tag && is_plain_name(name, 0)) {
                refuse(z, "the tag <%.*s>", name);
            } else if (!refused_tag) {
                buf_puts(&tagbuf, self_closing && !end_tag ? " />" : ">");
                buf_append(z->out, tagbuf.data, tagbuf.len);
                z->refused += local.refused;
                if (z->first && !z->first->what[0])
                    *z->first = why;
            }
            buf_free(&tagbuf);
            return refused_tag ? 0 : i;
        }
        /* an attribute: its name runs to a space, '/', '>' or '=' (a first
         * '=' belongs to the name) */
        span attr = {p + i, 0};
        i++;
        while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>' && p[i] != '=')
            i++;
        attr.n = (size_t)(p + i - attr.s);
        while (i < len && is_space(p[i]))
            i++;
        span value = {p + i, 0};
        int has_value = 0;
        if (i < len && p[i] == '=') {
            i++;
            while (i < len && is_space(p[i]))
                i++;
            if (i >= len)
                break;
            has_value = 1;
            if (p[i] == '"' || p[i] == '\'') {
                const char *close = memchr(p + i + 1, p[i], len - i - 1);
                if (!close)
                    break;
                value = (span){p + i + 1, (size_t)(close - p - i - 1)};
                i = (size_t)(close - p) + 1;
            } else {
                value.s = p + i;
                while (i < len && !is_space(p[i]) && p[i] != '>')
                    i++;
                if (i >= len)
                    break;
                value.n = (size_t)(p + i - value.s);
            }
        }
        if (end_tag || !is_plain_name(attr, 1) || refuse_attribute(&local, attr, value, has_value))
            continue; /* an end tag's attributes mean nothing: dropped */
        buf_putc(&tagbuf, ' ');
        append_lower(&tagbuf, attr);
        if (has_value) {
            buf_puts(&tagbuf, "=\"");
            size_t start = 0;
            for (size_t k = 0; k < value.n; k++) {
                const char *rep = value.s[k] == '"'   ? "&quot;"
                                  : value.s[k] == '<' ? "&lt;"
                                  : value.s[k] == '>' ? "&gt;"
                                                      : NULL;
                if (rep) {
                    buf_append(&tagbuf, value.s + start, k - start);
                    buf_puts(&tagbuf, rep);
                    start = k + 1;
                }
            }
            buf_append(&tagbuf, value.s + start, value.n - start);
            buf_putc(&tagbuf, '"');
        }
    }
    buf_free(&tagbuf);
    return 0;
}

/* A comment: its length if it ends within the fragment (it is left out),
 * else 0 (it is shown as text: open, it would hide the rest of the page). */
static size_t comment(const char *p, size_t len) {
    if (len >= 5 && p[4] == '>')
        return 5; /* <!--> */
    if (len >= 6 && p[4] == '-' && p[5] == '>')
        return 6; /* <!---> */
    for (size_t i = 4; i + 2 < len; i++) {
        if (p[i] == '-' && p[i + 1] == '-' && p[i + 2] == '>')
            return i + 3;
        if (i + 3 < len && p[i] == '-' && p[i + 1] == '-' && p[i + 2] == '!' && p[i + 3] == '>')
            return i + 4;
    }
    return 0;
}

size_t html_sanitize(buf *out, const char *s, size_t n, html_refusal *first) {
    sanitizer z = {out, first, 0};
    if (first)
        first->what[0] = '\0';
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '<') {
            i++;
            continue;
        }
        buf_append(out, s + start, i - start);
        size_t used = 0;
        if (i + 3 < n && !memcmp(s + i, "<!--", 4))
            used = comment(s + i, n - i);
        else if (i + 1 < n && (isalpha((unsigned char)s[i + 1]) ||
                               (s[i + 1] == '/' && i + 2 < n && isalpha((unsigned char)s[i + 2]))))
            used = tag(&z, s + i, n - i);
        if (!used) { /* text: whatever follows is read again as text and tags */
            buf_puts(out, "&lt;");
            used = 1;
        }
        i += used;
        start = i;
    }
    buf_append(out, s + start, n - start);
    return z.refused;
}
