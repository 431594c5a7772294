/* markdown_simple: one line of words, with at most plain emphasis, made
 * into a tree without cmark-gfm (see markdown.h: markdown_parse_simple).
 *
 * Filters call inlines() on short front matter texts, a few per table row:
 * "Avoid **retinoids** for a week." Setting up cmark-gfm and its four
 * extensions for each costs ten times the text's own parse. Here the text
 * is accepted only when no rule of CommonMark could read it another way:
 * no character that starts a block, a link, code, an entity, an escape,
 * HTML, an autolink, a table or strikethrough; and each run of '*' either
 * opens (the start, a space, ( " or ' before, a letter or digit after) or closes (a
 * letter or digit before, a space, the end or . , ; : ? ) " ' after), one
 * or two long, in pairs of the same length that do not nest. Emphasis with
 * '_' and anything subtler goes to cmark-gfm. */
#include "markdown.h"

#include "text.h"

#include <string.h>

enum { RUNS_MAX = 32 };

/* Bytes no simple text holds: each starts some other Markdown, or is a
 * control character (cmark-gfm rewrites NUL and trims line ends, tabs, \v
 * and \f). ':' and 'w' are checked for an autolink ("://", "www."). */
static const unsigned char inline_mark[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
    [0x7F] = 1, ['\\'] = 1, ['`'] = 1,  ['_'] = 1,  ['['] = 1,  [']'] = 1,  ['<'] = 1,  ['>'] = 1,
    ['!'] = 1,  ['&'] = 1,  ['~'] = 1,  ['|'] = 1,  ['@'] = 1,  [':'] = 2,  ['w'] = 2,  ['*'] = 3};

static int is_ascii_alnum(int c) {
    return (c >= '0' && c <= '9') || ((unsigned)(c | 0x20) - 'a') < 26;
}

/* What may follow a closing run: cmark-gfm reads the run as closing only
 * (it cannot open before these). -1 is the end of the text. */
static int ends_emphasis(int c) {
    return c == -1 || c == ' ' || (c && strchr(".,;:?)\"'", c));
}

typedef struct star_run {
    size_t at, len;
} star_run;

/* The runs of '*' in s, checked as above; -1 when the text is not simple. */
static int find_runs(const char *s, size_t n, star_run *runs) {
    int count = 0, non_ascii = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        non_ascii |= c >= 0x80;
        unsigned char mark = inline_mark[c];
        if (!mark)
            continue;
        if (mark == 1)
            return -1;
        if (mark == 2) {
            if ((c == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/') ||
                (c == 'w' && n - i >= 4 && !memcmp(s + i, "www.", 4)))
                return -1;
            continue;
        }
        size_t end = i;
        while (end < n && s[end] == '*')
            end++;
        int before = i ? (unsigned char)s[i - 1] : -1, after = end < n ? (unsigned char)s[end] : -1;
        int opens = (before == -1 || (before && strchr(" (\"'", before))) && is_ascii_alnum(after);
        int closes = is_ascii_alnum(before) && ends_emphasis(after);
        /* runs alternate: an opener, then a closer of its length */
        if (end - i > 2 || count == RUNS_MAX || (count % 2 ? !closes : !opens) ||
            (count % 2 && runs[count - 1].len != end - i))
            return -1;
        runs[count++] = (star_run){i, end - i};
        i = end - 1;
    }
    if (count % 2 || (non_ascii && text_find_bad_byte(s, n) != n))
        return -1; /* an opener left open; or bytes cmark-gfm would replace */
    return count;
}

static ast_node *node_at(ast_doc *doc, ast_type type, size_t offset) {
    ast_node *node = ast_new(doc, type);
    node->line = 1;
    node->col = (int)offset + 1;
    return node;
}

static void append_text(ast_doc *doc, ast_node *parent, const char *s, size_t from, size_t to) {
    if (from == to)
        return;
    ast_node *text = node_at(doc, AST_TEXT, from);
    text->text = ast_strdup(doc, s + from, to - from);
    ast_append(parent, text);
}

ast_node *markdown_parse_simple(ast_doc *doc, const char *text, size_t len) {
    static const char block_starts[] = "#>-+=: 0123456789";
    if (!len || memchr(block_starts, text[0], sizeof block_starts - 1) || text[len - 1] == ' ')
        return NULL;
    star_run runs[RUNS_MAX];
    int count = find_runs(text, len, runs);
    if (count < 0)
        return NULL;
    ast_node *root = node_at(doc, AST_DOCUMENT, 0), *para = node_at(doc, AST_PARAGRAPH, 0);
    ast_append(root, para);
    size_t done = 0;
    for (int k = 0; k < count; k += 2) {
        const star_run *open = &runs[k], *close = &runs[k + 1];
        append_text(doc, para, text, done, open->at);
        ast_node *span = node_at(doc, open->len == 2 ? AST_STRONG : AST_EMPH, open->at);
        append_text(doc, span, text, open->at + open->len, close->at);
        ast_append(para, span);
        done = close->at + close->len;
    }
    append_text(doc, para, text, done, len);
    return root;
}
