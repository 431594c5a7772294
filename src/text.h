/*
 * text: small string functions shared by several stages: slugs for URLs
 * and heading ids, URL escaping and the check that refuses script URLs.
 * Returned strings are owned by the caller.
 */
#ifndef CLINICGEN_TEXT_H
#define CLINICGEN_TEXT_H

#include "buf.h"
#include "diag.h"

#include <stddef.h>

/* GitHub-style slug: lower-cases, turns spaces, hyphens, '/', '.' and
 * punctuation beyond ASCII into single '-', drops other ASCII punctuation
 * ("Risks & benefits" -> "risks-benefits", "9:30" -> "930"), keeps letters
 * and digits of any alphabet. No leading or trailing '-'; "" when nothing
 * is left. */
char *text_slugify(const char *s, size_t n);

/* Appends the folder parts of a content path to b, each slugified and
 * followed by '/' ("Hair Loss/x.md" -> "hair-loss/"); returns the file
 * name part ("x.md"). Pages and bundle files share this URL rule. */
const char *text_append_folder_slugs(buf *b, const char *path);

/* Appends url to b for an href: percent-encodes bytes that are not allowed
 * in a URL (spaces, non-ASCII, quotes) and HTML-escapes '&'. */
void text_append_href(buf *b, const char *url, size_t n);
/* The same percent-encoding without HTML escaping (for XML writers). */
void text_append_url(buf *b, const char *url, size_t n);

/* True for javascript:, vbscript:, file: and data: URLs other than raster
 * images, however they are spelt (case, spaces, control characters). */
int text_is_unsafe_url(const char *url);

/* True when url has a scheme ("https:", "mailto:") or starts with "//". */
int text_url_has_scheme(const char *url);

/* The first n bytes of s with each %XX replaced by its byte. Caller frees. */
char *text_percent_decode(const char *s, size_t n);

/* UTF-8: decodes one sequence at s (n bytes left) and returns its length (1
 * for a stray byte, which reads as U+FFFD); appends cp encoded. */
size_t text_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);
void text_utf8_encode(buf *b, unsigned cp);
/* Spaces and punctuation beyond ASCII (Latin-1's, general punctuation,
 * CJK and full-width punctuation, replacement characters). */
int text_is_unicode_separator(unsigned cp);
/* Lower case for Latin-1, Latin Extended-A, Greek and Cyrillic. */
unsigned text_unicode_lower(unsigned cp);

/* The length of a leading UTF-8 byte-order mark (0 or 3). */
size_t text_bom_length(const char *s, size_t n);

/* The offset of the first byte that keeps s from being clean UTF-8 text: a
 * NUL, or the start of an invalid sequence (a stray or missing continuation
 * byte, an overlong form, a surrogate, beyond U+10FFFF); n when none. */
size_t text_find_bad_byte(const char *s, size_t n);

/* Writers' files are UTF-8 (a byte-order mark is fine). The first NUL byte,
 * invalid UTF-8 sequence or UTF-16 byte-order mark is an error in d at its
 * line and column (in characters), with line_offset added to the line;
 * returns 0 when the text is clean, else -1. Only the first problem is
 * reported: a file in the wrong encoding would give one per line. */
int text_check_encoding(const char *s, size_t n, const char *file, int line_offset, diag_list *d);

#endif
