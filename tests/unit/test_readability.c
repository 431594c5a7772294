/* Tests for readability.c: syllables by the documented heuristic, words
 * and sentences, the prose of a document, and the Flesch-Kincaid grade. */
#include "markdown.h"
#include "readability.h"
#include "test.h"

#include <math.h>

static size_t syl(const char *word) {
    return readability_syllables(word, strlen(word));
}

TEST(readability_syllables_of_common_words) {
    CHECK_INT(syl("skin"), 1);
    CHECK_INT(syl("the"), 1);
    CHECK_INT(syl("make"), 1);    /* silent e */
    CHECK_INT(syl("makes"), 1);   /* read as "make" */
    CHECK_INT(syl("table"), 2);   /* consonant + le */
    CHECK_INT(syl("needles"), 2); /* "needle" */
    CHECK_INT(syl("uses"), 2);    /* es after s */
    CHECK_INT(syl("stages"), 2);  /* es after g */
    CHECK_INT(syl("washes"), 2);  /* es after sh */
    CHECK_INT(syl("agree"), 2);   /* ee is not silent */
    CHECK_INT(syl("used"), 1);    /* silent ed */
    CHECK_INT(syl("treated"), 2); /* ed after t */
    CHECK_INT(syl("needed"), 2);  /* ed after d */
    CHECK_INT(syl("reviewed"), 2);
    CHECK_INT(syl("tiny"), 2);  /* y inside a word */
    CHECK_INT(syl("yes"), 1);   /* y first */
    CHECK_INT(syl("layer"), 2); /* y before a vowel */
    CHECK_INT(syl("day"), 1);
    CHECK_INT(syl("procedure"), 3);
    CHECK_INT(syl("patients"), 2);
    CHECK_INT(syl("microneedling"), 4);
    CHECK_INT(syl("anaesthetic"), 4);
}

TEST(readability_syllables_of_word_parts_and_odd_words) {
    CHECK_INT(syl("micro-needling"), 4); /* parts add up */
    CHECK_INT(syl("patient's"), 2);      /* the apostrophe joins */
    CHECK_INT(syl("patient\xE2\x80\x99s"), 2);
    CHECK_INT(syl("\xC3\x89"
                  "clat"),
              2);               /* Éclat: accents fold */
    CHECK_INT(syl("skin,"), 1); /* punctuation is no part */
    CHECK_INT(syl("24"), 1);    /* no letters: one */
    CHECK_INT(syl("24-hour"), 1);
    CHECK_INT(syl("hmm"), 1); /* no vowel: still one */
}

static readability text(const char *s) {
    readability r = {0, 0, 0};
    readability_add_text(&r, s, strlen(s));
    return r;
}

TEST(readability_counts_words_and_sentences) {
    readability r = text("The cat sat on the mat.");
    CHECK_INT(r.words, 6);
    CHECK_INT(r.sentences, 1);
    CHECK_INT(r.syllables, 6);
    r = text("Rinse it. Does it sting? Yes! Then stop");
    CHECK_INT(r.words, 8);
    CHECK_INT(r.sentences, 4); /* the paragraph's end closes the last one */
    r = text("Use a mild cleanser, e.g. the one we give you. Ask Dr. Lee.");
    CHECK_INT(r.sentences, 2); /* abbreviations end no sentence */
    r = text("She said \"stop.\" Then (later.) it healed.");
    CHECK_INT(r.sentences, 3); /* closing quotes and brackets */
    r = text(" - \xE2\x80\x94 ... ");
    CHECK_INT(r.words, 0); /* no letters or digits: no words */
    CHECK_INT(r.sentences, 0);
}

TEST(readability_grade_is_flesch_kincaid) {
    readability r = text("The cat sat on the mat.");
    /* 0.39 * 6 / 1 + 11.8 * 6 / 6 - 15.59 */
    CHECK(fabs(readability_grade(&r) - (-1.45)) < 1e-9);
    r = (readability){100, 5, 150};
    /* 0.39 * 20 + 11.8 * 1.5 - 15.59 = 9.91 */
    CHECK(fabs(readability_grade(&r) - 9.91) < 1e-9);
    r = (readability){0, 0, 0};
    CHECK(readability_grade(&r) == 0);
}

TEST(readability_reads_only_prose) {
    const char *md = "# Heading words are not counted\n"
                     "\n"
                     "One two three.[^1] Code `not counted here` is left out.\n"
                     "\n"
                     "- Four five.\n"
                     "- Six ![alt text is not counted](x.png) seven.\n"
                     "\n"
                     "> Eight nine.\n"
                     "\n"
                     "| a table | is not prose |\n"
                     "|---|---|\n"
                     "| nor | its cells |\n"
                     "\n"
                     "```\n"
                     "code blocks are not prose\n"
                     "```\n"
                     "\n"
                     "[^1]: Footnotes are not prose either.\n";
    md_doc doc;
    markdown_parse(&doc, md, strlen(md));
    readability r = {0, 0, 0};
    readability_add_doc(&r, doc.ast.root);
    /* One two three. Code is left out. | Four five. | Six seven. | Eight nine. */
    CHECK_INT(r.words, 13);
    CHECK_INT(r.sentences, 5);
    md_doc_free(&doc);
}
