/* tokenize: words for the search index, folded (see tokenize.h). */
#include "tokenize.h"

#include "text.h"

#include <ctype.h>
#include <string.h>

/* U+00C0 to U+017F without accents, lower case; "" for the two signs (×, ÷)
 * among them. Kept in step with FOLD in themes/clinic/static/js/search.js. */
static const char *const latin_folded[0x180 - 0xC0] = {
    "a", "a", "a",  "a",  "a", "a", "ae", "c",  "e",  "e", "e", "e", "i",  "i",  "i", "i", "d", "n",
    "o", "o", "o",  "o",  "o", "",  "o",  "u",  "u",  "u", "u", "y", "th", "ss", "a", "a", "a", "a",
    "a", "a", "ae", "c",  "e", "e", "e",  "e",  "i",  "i", "i", "i", "d",  "n",  "o", "o", "o", "o",
    "o", "",  "o",  "u",  "u", "u", "u",  "y",  "th", "y", "a", "a", "a",  "a",  "a", "a", "c", "c",
    "c", "c", "c",  "c",  "c", "c", "d",  "d",  "d",  "d", "e", "e", "e",  "e",  "e", "e", "e", "e",
    "e", "e", "g",  "g",  "g", "g", "g",  "g",  "g",  "g", "h", "h", "h",  "h",  "i", "i", "i", "i",
    "i", "i", "i",  "i",  "i", "i", "ij", "ij", "j",  "j", "k", "k", "k",  "l",  "l", "l", "l", "l",
    "l", "l", "l",  "l",  "l", "n", "n",  "n",  "n",  "n", "n", "n", "n",  "n",  "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r",  "r",  "r",  "r", "s", "s", "s",  "s",  "s", "s", "s", "s",
    "t", "t", "t",  "t",  "t", "t", "u",  "u",  "u",  "u", "u", "u", "u",  "u",  "u", "u", "u", "u",
    "w", "w", "y",  "y",  "y", "z", "z",  "z",  "z",  "z", "z", "s",
};

/* ASCII letters and digits in lower case; 0 for every other byte (the
 * upper half, zero too, spares the fast path a test for non-ASCII). */
/* clang-format off */
static const char ascii_folded[256] = {
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',   0,   0,   0,   0,   0,   0,
      0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',   0,   0,   0,   0,   0,
      0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',   0,   0,   0,   0,   0,
};
/* clang-format on */

int tokenize_fold(buf *out, unsigned cp) {
    if (cp < 0x80) {
        char c = ascii_folded[cp];
        if (c)
            buf_putc(out, c);
        return c != 0;
    }
    if (cp >= 0xC0 && cp < 0x180) {
        buf_puts(out, latin_folded[cp - 0xC0]);
        return latin_folded[cp - 0xC0][0] != '\0';
    }
    if (text_is_unicode_separator(cp))
        return 0;
    text_utf8_encode(out, text_unicode_lower(cp));
    return 1;
}

void tokenize_fold_text(buf *out, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = text_utf8_decode(s + i, len - i, &cp);
        size_t before = out->len;
        if (!tokenize_fold(out, cp)) {
            out->len = before;
            buf_append(out, text + i, n);
        }
        i += n;
    }
}

static int is_apostrophe(unsigned cp) {
    return cp == '\'' || cp == 0x2019;
}

/* The word in scratch from start ends: hands it to fn, and keeps it at the
 * front of scratch when the separator cp joins it to the next word. */
static size_t end_word(buf *scratch, size_t start, int joins_next, token_fn fn, void *ctx) {
    size_t len = scratch->len - start;
    scratch->data[scratch->len] = '\0'; /* the fast path leaves it off */
    fn(ctx, scratch->data + start, len, start ? scratch->data : NULL, start ? start - 1 : 0);
    if (!joins_next) {
        buf_clear(scratch);
        return 0;
    }
    memmove(scratch->data, scratch->data + start, len);
    scratch->data[len] = '\0';
    scratch->len = len + 1;
    return len + 1;
}

void tokenize(const char *text, size_t len, buf *scratch, token_fn fn, void *ctx) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    size_t start = 0; /* the word being read starts here; before it, the word it joins */
    buf_clear(scratch);
    while (i < len) {
        unsigned cp = s[i];
        size_t n = 1;
        if (cp < 0x80) {
            if (ascii_folded[cp]) { /* most words: ASCII, copied in one loop */
                size_t room = len - i < 64 ? len - i : 64;
                buf_grow(scratch, room);
                char *to = scratch->data + scratch->len, *stop = to + room, c;
                const unsigned char *from = s + i;
                while (to < stop && (c = ascii_folded[*from]) != 0) {
                    *to++ = c;
                    from++;
                }
                scratch->len = (size_t)(to - scratch->data);
                i = (size_t)(from - s);
                continue;
            }
        } else {
            n = text_utf8_decode(s + i, len - i, &cp);
            size_t before = scratch->len;
            if (tokenize_fold(scratch, cp)) {
                i += n;
                continue;
            }
            scratch->len = before;
        }
        int in_word = scratch->len > start;
        const unsigned char *next = i + n < len ? s + i + n : NULL;
        if (in_word && is_apostrophe(cp) && next && isalpha(*next)) {
            buf_putc(scratch, '\''); /* inside a word: "patient's", "don't" */
        } else if (in_word) {
            int joins = (cp == '-' || cp == '/') && next && isalnum(*next);
            start = end_word(scratch, start, joins, fn, ctx);
        } else {
            buf_clear(scratch);
            start = 0;
        }
        i += n;
    }
    if (scratch->len > start)
        end_word(scratch, start, 0, fn, ctx);
    buf_clear(scratch);
}
