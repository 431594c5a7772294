/* tokenize: words for the search index, folded (see tokenize.h). */
#include "tokenize.h"

#include "text.h"

#include <ctype.h>

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

int tokenize_fold(buf *out, unsigned cp) {
    if (cp < 0x80) {
        if (!isalnum((int)cp))
            return 0;
        buf_putc(out, (char)tolower((int)cp));
        return 1;
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

void tokenize(const char *text, size_t len, buf *scratch, token_fn fn, void *ctx) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    int joined = 0; /* the separator since the last word was a lone hyphen or slash */
    buf_clear(scratch);
    while (i < len) {
        unsigned cp;
        size_t n = text_utf8_decode(s + i, len - i, &cp);
        size_t before = scratch->len;
        if (tokenize_fold(scratch, cp)) {
            i += n;
            continue;
        }
        scratch->len = before;
        if (is_apostrophe(cp) && scratch->len && i + n < len && isalpha(s[i + n])) {
            buf_putc(scratch, '\''); /* inside a word: "patient's", "don't" */
            i += n;
            continue;
        }
        if (scratch->len) {
            fn(ctx, scratch->data, scratch->len, joined);
            buf_clear(scratch);
            joined = (cp == '-' || cp == '/') && i + n < len && isalnum(s[i + n]);
        } else {
            joined = 0;
        }
        i += n;
    }
    if (scratch->len) {
        fn(ctx, scratch->data, scratch->len, joined);
        buf_clear(scratch);
    }
}
