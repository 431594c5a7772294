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

/* What the per-character pass looks at; most bytes are none of these. */
enum {
    CH_OTHER,
    CH_BLANK, /* ends a word (cmark_isspace) */
    CH_LINK,  /* may start "@", "&#", "&commat;", "://" or "www." */
    CH_PAREN, /* ')' */
    CH_OPEN,  /* '[' */
    CH_ANGLE, /* '<' */
    CH_CLOSE  /* ']' */
};
static const unsigned char char_class[256] = {
    [' '] = CH_BLANK,  ['\t'] = CH_BLANK, ['\r'] = CH_BLANK, ['\n'] = CH_BLANK, ['\f'] = CH_BLANK,
    ['\v'] = CH_BLANK, ['@'] = CH_LINK,   ['&'] = CH_LINK,   [':'] = CH_LINK,   ['w'] = CH_LINK,
    [')'] = CH_PAREN,  ['['] = CH_OPEN,   ['<'] = CH_ANGLE,  [']'] = CH_CLOSE,
};

/* Whether an address the autolink extension looks for starts at p (p holds
 * one of the CH_LINK bytes); "&#64;" is an '@' too, once parsed. */
static int starts_link(const unsigned char *p, const unsigned char *end) {
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

static void note_word(bad_word *bad, const unsigned char *word, const unsigned char *end,
                      size_t links, size_t parens) {
    if (!bad->start && (links > MD_MAX_WORD_LINKS || parens > MD_MAX_WORD_LINKS))
        *bad = (bad_word){(const char *)word, (size_t)(end - word), links, parens};
}

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

/* One pass over a line's bytes: the block's '[' and '<', the text's ']',
 * and the first word with too many addresses (or an address and too
 * many ')'). A table of byte classes keeps the common byte to one test. */
static void count_line(scan *s, const char *line, const char *end, bad_word *bad) {
    const unsigned char *p = (const unsigned char *)line, *e = (const unsigned char *)end;
    const unsigned char *word = p;
    size_t links = 0, parens = 0, brackets = 0, angles = 0, closers = 0;
    for (; p < e; p++) {
        unsigned cls = char_class[*p];
        if (cls == CH_OTHER) /* apart from the switch: no indirect jump per byte */
            continue;
        switch (cls) {
        case CH_BLANK:
            if (links)
                note_word(bad, word, p, links, parens);
            word = p + 1;
            links = parens = 0;
            break;
        case CH_LINK: links += starts_link(p, e); break;
        case CH_PAREN: parens++; break;
        case CH_OPEN: brackets++; break;
        case CH_ANGLE: angles++; break;
        default: closers++;
        }
    }
    if (links)
        note_word(bad, word, p, links, parens);
    s->block_brackets += brackets;
    s->block_angles += angles;
    s->closers += closers;
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
