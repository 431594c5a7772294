/* readability: Flesch-Kincaid grade level with a spelling-based syllable count. */
#include "readability.h"

#include "buf.h"
#include "text.h"
#include "tokenize.h"

#include <string.h>

/* ---- syllables ---- */

static int is_aeiou(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* 'y' is a vowel inside a word ("tiny", "day"), not first or before a
 * vowel ("yes", "layer"). s is NUL-terminated. */
static int is_vowel(const char *s, size_t i) {
    return is_aeiou(s[i]) || (s[i] == 'y' && i > 0 && !is_aeiou(s[i + 1]));
}

static size_t vowel_groups(const char *s, size_t n) {
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        if (is_vowel(s, i) && (i == 0 || !is_vowel(s, i - 1)))
            groups++;
    return groups;
}

/* "es" read as a syllable of its own: "uses", "boxes", "stages", "washes". */
static int voiced_es(const char *s, size_t n) {
    char c = s[n - 3];
    if (c == 's' || c == 'x' || c == 'z' || c == 'c' || c == 'g')
        return 1;
    return c == 'h' && n >= 4 && (s[n - 4] == 'c' || s[n - 4] == 's');
}

/* One part of a word: lower-case letters only. */
static size_t part_syllables(const char *s, size_t n) {
    size_t count = vowel_groups(s, n);
    int plural = n >= 3 && s[n - 1] == 's' && !strchr("siu", s[n - 2]);
    if (plural && s[n - 2] == 'e' && voiced_es(s, n))
        return count ? count : 1;
    if (plural)
        n--; /* "makes" is read as "make" */
    if (count > 1 && n >= 2 && s[n - 1] == 'e') {
        int syllabic_le = s[n - 2] == 'l' && n >= 3 && !is_vowel(s, n - 3);
        if (!syllabic_le && s[n - 2] != 'e')
            count--;
    } else if (count > 1 && n >= 3 && s[n - 2] == 'e' && s[n - 1] == 'd') {
        char c = s[n - 3];
        if (c != 't' && c != 'd' && !is_vowel(s, n - 3))
            count--;
    }
    return count ? count : 1;
}

static int is_apostrophe(unsigned cp) {
    return cp == '\'' || cp == 0x2019;
}

size_t readability_syllables(const char *word, size_t len) {
    buf part = BUF_INIT;
    size_t total = 0;
    const unsigned char *s = (const unsigned char *)word;
    for (size_t i = 0; i <= len;) {
        unsigned cp = 0;
        size_t n = i < len ? text_utf8_decode(s + i, len - i, &cp) : 1;
        if (i < len && is_apostrophe(cp)) { /* "patient's" reads as "patients" */
            i += n;
            continue;
        }
        size_t before = part.len;
        int letter = i < len && !(cp >= '0' && cp <= '9') && tokenize_fold(&part, cp);
        if (!letter) {
            part.len = before;
            if (part.len)
                total += part_syllables(part.data, part.len);
            buf_clear(&part);
        }
        i += n;
    }
    buf_free(&part);
    return total ? total : 1;
}

/* ---- words and sentences ---- */

static int holds_letter_or_digit(const char *w, size_t len, buf *scratch) {
    const unsigned char *s = (const unsigned char *)w;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = text_utf8_decode(s + i, len - i, &cp);
        buf_clear(scratch);
        if (tokenize_fold(scratch, cp))
            return 1;
        i += n;
    }
    return 0;
}

/* Closing punctuation that may follow a sentence's full stop. */
static size_t closing_length(const char *w, size_t len) {
    if (len && strchr(")]\"'*_", w[len - 1]))
        return 1;
    if (len >= 3 && (unsigned char)w[len - 3] == 0xE2 && (unsigned char)w[len - 2] == 0x80 &&
        ((unsigned char)w[len - 1] == 0x99 || (unsigned char)w[len - 1] == 0x9D))
        return 3; /* ’ ” */
    return 0;
}

static int is_abbreviation(const char *w, size_t len) {
    static const char *const abbreviations[] = {"e.g.", "i.e.", "dr.", "mr.", "mrs.", "ms.", "vs."};
    while (len && strchr("(\"'*_", *w)) {
        w++;
        len--;
    }
    for (size_t i = 0; i < sizeof abbreviations / sizeof *abbreviations; i++) {
        size_t n = strlen(abbreviations[i]);
        if (len == n && !strncasecmp(w, abbreviations[i], n))
            return 1;
    }
    return 0;
}

static int ends_sentence(const char *w, size_t len) {
    for (size_t c; (c = closing_length(w, len)) > 0;)
        len -= c;
    if (!len || !strchr(".!?", w[len - 1]))
        return 0;
    return !is_abbreviation(w, len);
}

void readability_add_text(readability *r, const char *text, size_t len) {
    buf scratch = BUF_INIT;
    int open = 0; /* words since the last sentence ended */
    for (size_t i = 0; i < len;) {
        while (i < len && strchr(" \t\r\n", text[i]))
            i++;
        size_t start = i;
        while (i < len && !strchr(" \t\r\n", text[i]))
            i++;
        if (i == start || !holds_letter_or_digit(text + start, i - start, &scratch))
            continue;
        r->words++;
        r->syllables += readability_syllables(text + start, i - start);
        open = 1;
        if (ends_sentence(text + start, i - start)) {
            r->sentences++;
            open = 0;
        }
    }
    r->sentences += open;
    buf_free(&scratch);
}

/* ---- the prose of a document ---- */

/* The words of a paragraph: text and links, not code, images or notes. */
static void inline_text(const ast_node *block, buf *out) {
    int entering = 1;
    ast_node *root = (ast_node *)block;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        if (!entering)
            continue;
        if (n->type == AST_TEXT && n->text)
            buf_puts(out, n->text);
        else if (n->type == AST_SOFT_BREAK || n->type == AST_LINE_BREAK || n->type == AST_CODE)
            buf_putc(out, ' ');
        else if (n->type == AST_IMAGE && n != root)
            entering = 0; /* its description is not read as prose */
    }
}

static int is_left_out(ast_type t) {
    return t == AST_HEADING || t == AST_TABLE || t == AST_CODE_BLOCK || t == AST_HTML_BLOCK ||
           t == AST_FOOTNOTE_DEFINITION;
}

void readability_add_doc(readability *r, const ast_node *root) {
    buf text = BUF_INIT;
    int entering = 1;
    ast_node *top = (ast_node *)root;
    for (ast_node *n = top; n; n = ast_next(top, n, &entering)) {
        if (!entering || !ast_is_block(n->type))
            continue;
        if (is_left_out(n->type)) {
            entering = 0; /* skip what is inside */
        } else if (n->first && !ast_is_block(n->first->type)) {
            buf_clear(&text); /* a paragraph, or a list item a filter made of inlines */
            inline_text(n, &text);
            readability_add_text(r, buf_cstr(&text), text.len);
            entering = 0;
        }
    }
    buf_free(&text);
}

double readability_grade(const readability *r) {
    if (!r->words || !r->sentences)
        return 0;
    return 0.39 * (double)r->words / (double)r->sentences +
           11.8 * (double)r->syllables / (double)r->words - 15.59;
}
