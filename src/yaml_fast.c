/* yaml_fast: front matter's common subset of YAML, line by line. */
#include "yaml_fast.h"

#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Past these the text goes to libyaml: they bound the work done here. */
enum { FAST_MAX_LINES = 256, FAST_MAX_DEPTH = 16, FAST_MAX_KEYS = 64 };

typedef struct fast_line {
    const char *begin; /* the line's first byte */
    const char *start; /* its content: first byte that is not a space */
    const char *end;   /* past the content's last byte that is not a space */
    int indent;        /* columns before start */
    int number;        /* from 1 */
} fast_line;

typedef struct fast {
    fast_line lines[FAST_MAX_LINES]; /* content lines only */
    size_t n, next;                  /* lines, and the first not yet read */
    int line_offset;
    int depth;
} fast;

void yaml_resolve_plain(value *v) {
    const char *s = v->text;
    size_t n = v->text_len;
    if (n == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL")) {
        v->type = VALUE_NULL;
    } else if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        v->type = VALUE_BOOL;
        v->boolean = 1;
    } else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        v->type = VALUE_BOOL;
    } else if (strlen(s) == n) {
        const char *p = s + (*s == '+' || *s == '-');
        if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
            return;
        char *end;
        double number = strtod(s, &end);
        if (*end == '\0') {
            v->type = VALUE_NUMBER;
            v->number = number;
        }
    }
}

/* A character libyaml reads as printable and not as a line break; the
 * others (U+0085, U+2028, U+2029 break lines there) are libyaml's to read. */
static int printable_code_point(unsigned cp) {
    return (cp >= 0xA0 && cp <= 0xD7FF && cp != 0x2028 && cp != 0x2029) ||
           (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || cp >= 0x10000;
}

/* The length of the valid UTF-8 sequence at p (before end), or 0 when it
 * is a character declined. */
static size_t accepted_character(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0], cp;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if ((size_t)(end - p) < n)
        return 0;
    cp = c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++)
        cp = cp << 6 | (p[i] & 0x3F);
    return printable_code_point(cp) ? n : 0;
}

/* Splits the text into content lines (blank and comment lines left out).
 * Returns 0, or -1 for a byte or line declined: tabs, carriage returns,
 * control characters, document markers and directives. */
static int split_lines(fast *f, const char *text, size_t len) {
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    int number = 0;
    while (p < end) {
        const unsigned char *begin = p, *last = p;
        number++;
        while (p < end && *p != '\n') {
            if (*p >= 0x80) {
                size_t n = accepted_character(p, end);
                if (!n)
                    return -1;
                p += n;
                last = p;
            } else if (*p < 0x20 || *p == 0x7F) {
                return -1;
            } else if (*p++ != ' ') {
                last = p;
            }
        }
        if (p < end)
            p++; /* the newline */
        const unsigned char *start = begin;
        while (start < last && *start == ' ')
            start++;
        if (start == last || *start == '#')
            continue;
        if (start == begin && (*start == '%' || (last - start >= 3 && (!memcmp(start, "---", 3) ||
                                                                       !memcmp(start, "...", 3)))))
            return -1;
        if (f->n == FAST_MAX_LINES)
            return -1;
        f->lines[f->n++] = (fast_line){(const char *)begin, (const char *)start, (const char *)last,
                                       (int)(start - begin), number};
    }
    return 0;
}

/* Column (from 1) of p in its line: libyaml counts characters, not bytes. */
static int column(const fast_line *ln, const char *p) {
    int col = 1;
    for (const char *q = ln->begin; q < p; q++)
        col += ((unsigned char)*q & 0xC0) != 0x80;
    return col;
}

static value *new_scalar(const fast *f, const fast_line *ln, const char *at, const char *s,
                         size_t n) {
    return value_new_string(s, n, ln->number + f->line_offset, column(ln, at));
}

static int is_key_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* The end of a key at p (a ':' follows it, then a space or the end of
 * the content), or NULL. */
static const char *key_end(const char *p, const char *end) {
    if (p == end || !(isalnum((unsigned char)*p) || *p == '_'))
        return NULL;
    const char *q = p;
    while (q < end && is_key_char(*q))
        q++;
    if (q == end || *q != ':' || (q + 1 < end && q[1] != ' '))
        return NULL;
    return q;
}

static int is_list_entry(const fast_line *ln) {
    return *ln->start == '-' && (ln->start + 1 == ln->end || ln->start[1] == ' ');
}

/* A plain scalar may not start with an indicator; "-5" and "-.5" may. */
static int plain_may_start(const char *p, const char *end) {
    if (strchr("-?:,[]{}#&*!|>'\"%@`", *p) == NULL)
        return 1;
    return *p == '-' && p + 1 < end && (isdigit((unsigned char)p[1]) || p[1] == '.');
}

/* A quoted scalar at p, closed on this line: its end (past the closing
 * quote) and its text in *out, or NULL. */
static const char *read_quoted(const char *p, const char *end, buf *out) {
    char quote = *p++;
    buf_clear(out);
    for (;;) {
        const char *run = p;
        while (p < end && *p != quote && !(quote == '"' && *p == '\\'))
            p++;
        buf_append(out, run, (size_t)(p - run));
        if (p == end)
            return NULL;
        if (*p == '\\') { /* only \" and \\ here; libyaml reads the others */
            if (p + 1 == end || (p[1] != '"' && p[1] != '\\'))
                return NULL;
            buf_append(out, p + 1, 1);
            p += 2;
        } else if (quote == '\'' && p + 1 < end && p[1] == '\'') {
            buf_append(out, "'", 1);
            p += 2;
        } else {
            return p + 1;
        }
    }
}

static value *quoted_value(const fast *f, const fast_line *ln, const char *p, const char **after,
                           buf *scratch) {
    *after = read_quoted(p, ln->end, scratch);
    if (!*after)
        return NULL;
    return new_scalar(f, ln, p, scratch->data ? scratch->data : "", scratch->len);
}

static value *plain_value(const fast *f, const fast_line *ln, const char *p, const char *end) {
    value *v = new_scalar(f, ln, p, p, (size_t)(end - p));
    yaml_resolve_plain(v);
    return v;
}

/* A one-line flow list at p ('['), the whole rest of the line. */
static value *flow_list(const fast *f, const fast_line *ln, const char *p, buf *scratch) {
    const char *end = ln->end;
    value *list = value_new(VALUE_LIST, ln->number + f->line_offset, column(ln, p));
    p++;
    while (p < end && *p == ' ')
        p++;
    if (p < end && *p == ']' && p + 1 == end)
        return list;
    while (p < end) {
        value *item;
        if (*p == '"' || *p == '\'') {
            item = quoted_value(f, ln, p, &p, scratch);
        } else {
            const char *q = p;
            while (q < end && !strchr(",[]{}#:", *q))
                q++;
            const char *last = q;
            while (last > p && last[-1] == ' ')
                last--;
            item = last > p && plain_may_start(p, end) ? plain_value(f, ln, p, last) : NULL;
            p = q;
        }
        if (!item)
            break;
        value_list_push(list, item);
        while (p < end && *p == ' ')
            p++;
        if (p < end && *p == ']')
            return p + 1 == end ? list : (value_free(list), NULL);
        if (p == end || *p != ',')
            break;
        p++;
        while (p < end && *p == ' ')
            p++;
    }
    value_free(list);
    return NULL;
}

/* The scalar or flow list at p, which must take the rest of the line. */
static value *inline_value(const fast *f, const fast_line *ln, const char *p, buf *scratch) {
    if (*p == '[')
        return flow_list(f, ln, p, scratch);
    if (*p == '"' || *p == '\'') {
        const char *after;
        value *v = quoted_value(f, ln, p, &after, scratch);
        if (v && after != ln->end) { /* a comment, or more text */
            value_free(v);
            return NULL;
        }
        return v;
    }
    if (!plain_may_start(p, ln->end) || ln->end[-1] == ':')
        return NULL;
    for (const char *q = p; q + 1 < ln->end; q++)
        if ((q[0] == ':' && q[1] == ' ') || (q[0] == ' ' && q[1] == '#'))
            return NULL; /* "a: b: c" is an error, " #" starts a comment */
    return plain_value(f, ln, p, ln->end);
}

static value *read_block(fast *f, int indent, buf *scratch);

/* After a value that ends on its line, nothing may go on below it. */
static int ends_here(const fast *f, int indent) {
    return f->next == f->n || f->lines[f->next].indent <= indent;
}

/* The value of a key with nothing after its ':' (at colon): a block
 * below it, deeper or a list at the key's own indent, or null. */
static value *value_below(fast *f, const fast_line *key_line, int indent, const char *colon,
                          buf *scratch) {
    if (f->next < f->n) {
        const fast_line *below = &f->lines[f->next];
        if (below->indent > indent || (below->indent == indent && is_list_entry(below)))
            return read_block(f, below->indent, scratch);
    }
    return plain_value(f, key_line, colon + 1, colon + 1);
}

static value *read_map(fast *f, int indent, buf *scratch) {
    const fast_line *first = &f->lines[f->next];
    value *map = value_new(VALUE_MAP, first->number + f->line_offset, column(first, first->start));
    while (f->next < f->n && f->lines[f->next].indent == indent) {
        const fast_line *ln = &f->lines[f->next];
        const char *colon = key_end(ln->start, ln->end);
        if (!colon || map->len == FAST_MAX_KEYS)
            break;
        char *key = xstrndup(ln->start, (size_t)(colon - ln->start));
        value *val = NULL;
        if (!value_map_get(map, key)) { /* libyaml reports a duplicate key */
            const char *p = colon + 1;
            while (p < ln->end && *p == ' ')
                p++;
            f->next++;
            if (p == ln->end)
                val = value_below(f, ln, indent, colon, scratch);
            else if ((val = inline_value(f, ln, p, scratch)) && !ends_here(f, indent))
                val = (value_free(val), NULL);
        }
        if (!val) {
            free(key);
            break;
        }
        value_map_add(map, key, val);
        map->pairs[map->len - 1].line = ln->number + f->line_offset;
        map->pairs[map->len - 1].col = column(ln, ln->start);
        free(key);
        if (f->next < f->n && f->lines[f->next].indent > indent)
            break;
        if (f->next == f->n || f->lines[f->next].indent < indent)
            return map;
    }
    value_free(map);
    return NULL;
}

static value *read_list(fast *f, int indent, buf *scratch) {
    const fast_line *first = &f->lines[f->next];
    value *list =
        value_new(VALUE_LIST, first->number + f->line_offset, column(first, first->start));
    while (f->next < f->n && f->lines[f->next].indent == indent &&
           is_list_entry(&f->lines[f->next])) {
        fast_line *ln = &f->lines[f->next];
        const char *p = ln->start + 1;
        while (p < ln->end && *p == ' ')
            p++;
        value *item = NULL;
        if (p == ln->end) {
            break; /* "-" alone: libyaml's to read */
        } else if (key_end(p, ln->end)) {
            /* "- key: value": a mapping whose keys are at the first key's column */
            ln->indent = (int)(p - ln->begin);
            ln->start = p;
            item = read_block(f, ln->indent, scratch);
        } else {
            item = inline_value(f, ln, p, scratch);
            f->next++;
            if (item && !ends_here(f, indent))
                item = (value_free(item), NULL);
        }
        if (!item)
            break;
        value_list_push(list, item);
        if (f->next < f->n && f->lines[f->next].indent > indent)
            break;
        if (f->next == f->n || f->lines[f->next].indent < indent ||
            !is_list_entry(&f->lines[f->next]))
            return list;
    }
    value_free(list);
    return NULL;
}

/* The mapping or list whose first line is the next one, at indent. */
static value *read_block(fast *f, int indent, buf *scratch) {
    if (f->depth == FAST_MAX_DEPTH)
        return NULL;
    f->depth++;
    value *v = is_list_entry(&f->lines[f->next]) ? read_list(f, indent, scratch)
                                                 : read_map(f, indent, scratch);
    f->depth--;
    return v;
}

value *yaml_fast_parse(const char *text, size_t len, int line_offset) {
    fast *f = xmalloc(sizeof *f);
    f->n = f->next = 0;
    f->line_offset = line_offset;
    f->depth = 0;
    value *root = NULL;
    buf scratch = BUF_INIT;
    if (split_lines(f, text, len) == 0 && f->n > 0 && f->lines[0].indent == 0 &&
        !is_list_entry(&f->lines[0])) {
        root = read_block(f, 0, &scratch);
        if (root && f->next != f->n) {
            value_free(root);
            root = NULL;
        }
    }
    buf_free(&scratch);
    free(f);
    return root;
}
