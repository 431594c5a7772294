/* markdown_limits: the shapes of text cmark-gfm 0.29.0.gfm.6 cannot parse
 * in linear time or memory, found with one pass over the lines. */
#include "markdown.h"

#include "buf.h"

#include <stdarg.h>
#include <string.h>

/* What the pass knows; a block is text up to a blank line, a list item's
 * line or a heading, a table runs from its delimiter row to a blank line. */
typedef struct scan {
    const char *file;
    int line_offset;
    diag_list *d;
    int line;       /* of the line being read, from 1 */
    int block_line; /* 0: no block open */
    size_t block_bytes, block_brackets, block_angles;
    size_t block_def_from; /* a link reference definition starts this many bytes in */
    int block_def_line;    /* 0: none in this block */
    int block_def_closed;  /* "]:" seen since it started */
    int table_line;        /* of the open table's delimiter row; 0: none */
    size_t table_columns, table_rows;
    size_t closers;   /* ']' in the whole text: each may use a definition */
    size_t def_bytes; /* the largest definition (with what follows it in its block) */
    int def_line;
    int failed;
} scan;

static void __attribute__((format(printf, 4, 5)))
limit_error(scan *s, int line, int col, const char *fmt, ...) {
    if (s->failed)
        return;
    s->failed = 1;
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diag_error(s->d, s->file, line + s->line_offset, col, "%s", buf_cstr(&msg));
    buf_free(&msg);
}

/* What ends a word for the autolink extension (cmark_isspace). */
static int is_blank_char(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* A line that always begins a new block: a bullet list item with text, or
 * an ATX heading, indented by at most three spaces (deeper, it may be a
 * paragraph's continuation, so it is counted with the paragraph). */
static int starts_block(const char *p, const char *end) {
    int indent = 0;
    while (p < end && *p == ' ' && indent < 4) {
        p++;
        indent++;
    }
    if (indent > 3 || p >= end)
        return 0;
    if (*p == '-' || *p == '*' || *p == '+') {
        const char *q = p + 1;
        if (q >= end || (*q != ' ' && *q != '\t'))
            return 0;
        while (q < end && is_blank_char(*q))
            q++;
        return q < end;
    }
    int hashes = 0;
    while (p < end && *p == '#' && hashes < 7) {
        p++;
        hashes++;
    }
    return hashes >= 1 && hashes <= 6 && (p >= end || *p == ' ' || *p == '\t' || *p == '\r');
}

/* The number of columns if the line is a table's delimiter row (| :-- |
 * --: |), else 0. Block quote markers before it are skipped. */
static size_t delimiter_columns(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '>'))
        p++;
    size_t columns = 0, pipes = 0;
    int in_dashes = 0;
    for (; p < end; p++) {
        if (*p == '-' || *p == ':') {
            columns += !in_dashes && *p == '-';
            in_dashes = *p == '-' || in_dashes;
        } else if (*p == '|') {
            pipes++;
            in_dashes = 0;
        } else if (*p == ' ' || *p == '\t' || *p == '\r') {
            in_dashes = in_dashes && (p + 1 < end && (p[1] == '-' || p[1] == ':'));
        } else {
            return 0;
        }
    }
    return pipes ? columns : 0;
}

static void end_block(scan *s) {
    if (s->block_def_line && s->block_def_closed &&
        s->block_bytes - s->block_def_from > s->def_bytes) {
        s->def_bytes = s->block_bytes - s->block_def_from;
        s->def_line = s->block_def_line;
    }
    s->block_line = 0;
    s->block_bytes = s->block_brackets = s->block_angles = 0;
    s->block_def_line = s->block_def_closed = 0;
}

/* Whether an address the autolink extension looks for starts at p (p holds
 * one of link_chars); "&#64;" is an '@' too, once parsed. */
static int starts_link(const char *p, const char *end) {
    size_t left = (size_t)(end - p);
    switch (*p) {
    case '@': return 1;
    case '&': return (left >= 2 && p[1] == '#') || (left >= 8 && !memcmp(p, "&commat;", 8));
    case ':': return left >= 3 && p[1] == '/' && p[2] == '/';
    default: /* 'w' */ return left >= 4 && !memcmp(p, "www.", 4);
    }
}

/* The first word of a line that makes the autolink extension rescan too
 * much: where it starts (NULL: none), its length and its counts. */
typedef struct bad_word {
    const char *start;
    size_t length, links, parens;
} bad_word;

static void report_word(scan *s, const char *line, const bad_word *w) {
    int col = 1;
    for (const char *c = line; c < w->start; c++)
        col += ((unsigned char)*c & 0xC0) != 0x80;
    if (w->links > MD_MAX_WORD_LINKS)
        limit_error(s, s->line, col,
                    "this word of %zu characters holds %zu web or e-mail addresses "
                    "(www., :// or @): put spaces between them",
                    w->length, w->links);
    else
        limit_error(s, s->line, col,
                    "this word holds a web or e-mail address and %zu ')': put spaces "
                    "between them",
                    w->parens);
}

static size_t count_byte(const char *p, const char *end, char c) {
    size_t n = 0;
    while (p < end && (p = memchr(p, c, (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* The word around p, an address: its addresses and ')' counted; returns
 * where it ends. */
static const char *check_word(const char *line, const char *end, const char *p, bad_word *bad) {
    const char *word = p, *after = p;
    while (word > line && !is_blank_char(word[-1]))
        word--;
    while (after < end && !is_blank_char(*after))
        after++;
    size_t links = 0, parens = 0;
    for (const char *q = word; q < after; q++) {
        links += (*q == '@' || *q == '&' || *q == ':' || *q == 'w') && starts_link(q, end);
        parens += *q == ')';
    }
    if (links > MD_MAX_WORD_LINKS || parens > MD_MAX_WORD_LINKS)
        *bad = (bad_word){word, (size_t)(after - word), links, parens};
    return after;
}

/* The first word of the line with too many addresses, or an address and
 * too many ')'. Only words with an address can be: they are found from
 * the bytes that start one, in order, with memchr (a few per line). */
static void check_words(const char *line, const char *end, bad_word *bad) {
    static const char link_chars[4] = {'@', '&', ':', 'w'};
    const char *next[4];
    for (int k = 0; k < 4; k++)
        next[k] = memchr(line, link_chars[k], (size_t)(end - line));
    const char *checked = line; /* the words before it are */
    while (!bad->start) {
        int first = -1;
        for (int k = 0; k < 4; k++)
            if (next[k] && (first < 0 || next[k] < next[first]))
                first = k;
        if (first < 0)
            return;
        const char *p = next[first];
        next[first] = memchr(p + 1, link_chars[first], (size_t)(end - p - 1));
        if (p >= checked && starts_link(p, end))
            checked = check_word(line, end, p, bad);
    }
}

/* The block's '[' and '<', the text's ']', and the first word that makes
 * the autolink extension rescan too much: memchr over the line, not a
 * test per byte. */
static void count_line(scan *s, const char *line, const char *end, bad_word *bad) {
    s->block_brackets += count_byte(line, end, '[');
    s->block_angles += count_byte(line, end, '<');
    s->closers += count_byte(line, end, ']');
    check_words(line, end, bad);
}

/* A table's size: its columns when the delimiter row is read, its cells
 * as rows come (each row is filled up to the header's width). */
static void check_table(scan *s, const char *line, const char *end) {
    size_t columns = delimiter_columns(line, end);
    if (columns) {
        s->table_line = s->line;
        s->table_columns = columns;
        s->table_rows = 2; /* the header and this row */
        if (columns > MD_MAX_TABLE_COLUMNS)
            limit_error(s, s->line, 1, "this table has %zu columns; a table may have at most %d",
                        columns, MD_MAX_TABLE_COLUMNS);
    } else if (s->table_line && ++s->table_rows * s->table_columns > MD_MAX_TABLE_CELLS) {
        limit_error(s, s->table_line, 1,
                    "this table has more than %d cells (%zu columns, %zu rows so far); split it "
                    "into smaller tables",
                    MD_MAX_TABLE_CELLS, s->table_columns, s->table_rows);
    }
}

/* A link reference definition "[label]: url 'title'" starts a line (after
 * block quote markers and spaces); footnotes ("[^1]: ...") are not copied
 * into their uses, so they do not count. */
static void note_definition(scan *s, const char *line, const char *end) {
    const char *p = line;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '>'))
        p++;
    if (!s->block_def_line && p + 1 < end && p[0] == '[' && p[1] != '^') {
        s->block_def_line = s->line;
        s->block_def_from = s->block_bytes;
    }
    if (s->block_def_line)
        for (const char *q = p; q + 1 < end; q++)
            if (q[0] == ']' && q[1] == ':')
                s->block_def_closed = 1;
}

static void check_line(scan *s, const char *line, const char *end) {
    /* A blank line holds spaces and tabs only, for CommonMark: a line of
     * "\v" or "\f" continues a paragraph, so it must not end a block here. */
    const char *p = line;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '>'))
        p++;
    if (p == end) { /* a blank line (also inside a block quote) */
        end_block(s);
        s->table_line = 0;
        return;
    }
    if (s->block_line && starts_block(line, end))
        end_block(s);
    if (!s->block_line)
        s->block_line = s->line;
    note_definition(s, line, end);
    /* indentation and quote markers are not part of the text cmark-gfm
     * scans inline (a deeply nested list is mostly spaces) */
    s->block_bytes += (size_t)(end - p) + 1;
    bad_word bad = {0};
    count_line(s, line, end, &bad);
    if (s->block_bytes > MD_MAX_BLOCK_BYTES)
        limit_error(s, s->block_line, 1,
                    "this paragraph (or list or table) runs on for more than %d KB without a "
                    "blank line; split it with blank lines",
                    MD_MAX_BLOCK_BYTES / 1024);
    else if (s->block_brackets > MD_MAX_BLOCK_OPENERS || s->block_angles > MD_MAX_BLOCK_OPENERS)
        limit_error(s, s->block_line, 1,
                    "this paragraph (or list or table) holds more than %d '%c' before a blank "
                    "line; split it with blank lines",
                    MD_MAX_BLOCK_OPENERS, s->block_brackets > MD_MAX_BLOCK_OPENERS ? '[' : '<');
    if (bad.start) /* after the block's errors, which come first on a line */
        report_word(s, line, &bad);
    check_table(s, line, end);
}

int markdown_check_limits(const char *text, size_t len, const char *file, int line_offset,
                          diag_list *d) {
    scan s = {.file = file, .line_offset = line_offset, .d = d};
    const char *p = text, *end = text + len;
    while (p < end && !s.failed) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        s.line++;
        check_line(&s, p, eol);
        p = nl ? nl + 1 : end;
    }
    end_block(&s);
    if (!s.failed && s.def_line && s.def_bytes * s.closers > MD_MAX_REFERENCE_BYTES)
        limit_error(&s, s.def_line, 1,
                    "this link reference definition (%zu bytes with the text after it) could be "
                    "copied into %zu links, more than %d MB in all; shorten it or separate it "
                    "from the text after it with a blank line",
                    s.def_bytes, s.closers, MD_MAX_REFERENCE_BYTES / (1024 * 1024));
    return s.failed ? -1 : 0;
}
