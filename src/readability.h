/*
 * readability: a reading-grade estimate of a page's prose, for
 * clinicgen check.
 *
 * The Flesch-Kincaid grade level:
 *
 *   0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59
 *
 * over a document's prose: the text of its paragraphs, including those in
 * list items, block quotes and the boxes filters make; not headings, code,
 * tables, footnotes, raw HTML or image descriptions.
 *
 * A word is a run of characters between spaces that holds a letter or a
 * digit ("micro-needling" is one word, "24" is one). A sentence ends at a
 * word ending in '.', '!' or '?' (closing quotes and brackets after it
 * allowed; "e.g.", "i.e.", "Dr.", "Mr.", "Mrs.", "Ms." and "vs." do not end
 * one), and at the end of each paragraph or list item.
 *
 * Syllables are estimated, as every readability tool does, from spelling:
 * letters are folded to lower-case ASCII (tokenize_fold), and each part of
 * a word between non-letters ("micro", "needling") counts its groups of
 * vowels (a e i o u, and y except first or before a vowel: "tiny", "day",
 * but "yes", "layer"), then
 *   - a final 'e' is silent ("make", "fine") unless it follows a consonant
 *     and 'l' ("table") or another 'e' ("agree");
 *   - a final "es" or "s" is read as the word without it ("makes" as
 *     "make", "needles" as "needle"), except "es" after s, x, z, c, g or
 *     "ch"/"sh", which is a syllable of its own ("uses", "stages");
 *   - a final "ed" is silent unless it follows 't', 'd' or a vowel
 *     ("used", but "treated", "needed", "agreed");
 *   - every part has at least one syllable; a word without letters ("24")
 *     has one.
 * The estimate misses some words (two vowels read apart: "area", "coagulate")
 * and is right for most of the short, common words plain writing uses.
 */
#ifndef CLINICGEN_READABILITY_H
#define CLINICGEN_READABILITY_H

#include "ast.h"

#include <stddef.h>

typedef struct readability {
    size_t words, sentences, syllables;
} readability;

/* The syllables of one word (any text without spaces). */
size_t readability_syllables(const char *word, size_t len);
/* Adds one paragraph (or list item) of plain text. */
void readability_add_text(readability *r, const char *text, size_t len);
/* Adds the prose of a document's tree. */
void readability_add_doc(readability *r, const ast_node *root);
/* The grade level; 0 when there are no words. */
double readability_grade(const readability *r);

#endif
