/* tokenize: words for the search index, folded (see tokenize.h). */
#include "tokenize.h"

#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* Any text: every character decoded and folded (see tokenize.h). */
static void tokenize_folding(const char *text, size_t len, buf *scratch, token_fn fn, void *ctx) {
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

/* ---- all-ASCII text, most of it: found word by word in a lowered copy ---- */

/* Byte i of the lowered text is a letter or digit. */
static int is_word_byte(const uint64_t *mask, size_t i) {
    return (int)(mask[i / 64] >> (i % 64) & 1);
}

/* The first i >= from (below len) whose bit in mask is set (want 1) or
 * clear (want 0); len if none. */
static size_t next_bit(const uint64_t *mask, size_t from, size_t len, int want) {
    size_t k = from / 64;
    uint64_t bits = (want ? mask[k] : ~mask[k]) & (~UINT64_C(0) << (from % 64));
    while (!bits) {
        if (++k * 64 >= len)
            return len;
        bits = want ? mask[k] : ~mask[k];
    }
    size_t i = k * 64 + (size_t)__builtin_ctzll(bits);
    return i < len ? i : len;
}

#if defined(__SSE2__)
/* Lowers 16 bytes at s into to and returns which are letters or digits,
 * or -1 when one is not ASCII. */
static int32_t lower_block(const unsigned char *s, char *to) {
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    if (_mm_movemask_epi8(v))
        return -1;
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    __m128i low = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    _mm_storeu_si128((__m128i *)to, low);
    return _mm_movemask_epi8(_mm_or_si128(letter, digit));
}
#endif

/* Lowers text (len bytes) into scratch, followed by a bit per byte that is
 * a letter or digit; returns the bits, or NULL when a byte is not ASCII. */
static const uint64_t *lower_ascii(const unsigned char *s, size_t len, buf *scratch) {
    size_t words = len / 64 + 1, at = (len + 1 + 7) & ~(size_t)7;
    buf_clear(scratch);
    buf_grow(scratch, at + words * sizeof(uint64_t) + 16);
    char *to = scratch->data;
    uint64_t *mask = (uint64_t *)(void *)(to + at);
    memset(mask, 0, words * sizeof *mask);
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= len; i += 16) {
        int32_t bits = lower_block(s + i, to + i);
        if (bits < 0)
            return NULL;
        mask[i / 64] |= (uint64_t)bits << (i % 64);
    }
#endif
    for (; i < len; i++) { /* the last bytes, or all of them without SSE2 */
        if (s[i] >= 0x80)
            return NULL;
        char c = ascii_folded[s[i]];
        to[i] = c ? c : (char)s[i];
        mask[i / 64] |= (uint64_t)(c != 0) << (i % 64);
    }
    to[len] = '\0';
    return mask;
}

static int is_ascii_alpha(unsigned char c) {
    return (unsigned char)((c | 0x20) - 'a') < 26;
}

/* The same words as tokenize_folding gives, read as slices of the lowered
 * copy: an apostrophe between a letter or digit and a letter stays in the
 * word, and a word ended by a hyphen or slash with a letter or digit after
 * it is handed on as the next word's before. Returns 0, having called
 * nothing, when the text is not all ASCII. */
static int tokenize_ascii(const char *text, size_t len, buf *scratch, token_fn fn, void *ctx) {
    const unsigned char *s = (const unsigned char *)text;
    const uint64_t *mask = lower_ascii(s, len, scratch);
    if (!mask)
        return 0;
    char *low = scratch->data;
    const char *before = NULL;
    size_t before_len = 0;
    for (size_t start = next_bit(mask, 0, len, 1); start < len;) {
        size_t end = next_bit(mask, start, len, 0);
        while (end + 1 < len && s[end] == '\'' && is_ascii_alpha(s[end + 1]))
            end = next_bit(mask, end + 1, len, 0);
        char sep = low[end]; /* NUL at the text's end */
        low[end] = '\0';     /* left so: a joined word is the next one's before */
        fn(ctx, low + start, end - start, before, before_len);
        int joins = (sep == '-' || sep == '/') && end + 1 < len && is_word_byte(mask, end + 1);
        before = joins ? low + start : NULL;
        before_len = joins ? end - start : 0;
        start = joins ? end + 1 : next_bit(mask, end, len, 1);
    }
    buf_clear(scratch);
    return 1;
}

void tokenize(const char *text, size_t len, buf *scratch, token_fn fn, void *ctx) {
    if (!tokenize_ascii(text, len, scratch, fn, ctx))
        tokenize_folding(text, len, scratch, fn, ctx);
}
