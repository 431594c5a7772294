/* Tests for wordmap: words inside their slots and past them, prefixes and
 * lengths at the slot's word boundaries, growth. */
#include "test.h"
#include "wordmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int get(const wordmap *m, const char *word, uint32_t *value) {
    return wordmap_get(m, word, strlen(word), value);
}

TEST(wordmap_empty_map_finds_nothing) {
    wordmap m = WORDMAP_INIT;
    uint32_t v = 7;
    CHECK(!get(&m, "skin", &v));
    CHECK(!get(&m, "a-word-longer-than-twenty-four-bytes", &v));
    wordmap_free(&m);
    wordmap_free(&m); /* freeing twice is harmless */
}

/* Words that share a prefix, or differ only past a machine word, or only
 * in length, are different words; 24 bytes fit a slot and 25 do not. */
TEST(wordmap_words_at_every_length_boundary) {
    static const char *const words[] = {"a",
                                        "ab",
                                        "abcdefg",
                                        "abcdefgh",
                                        "abcdefghi",
                                        "abcdefghijklmnop",
                                        "abcdefghijklmnopq",
                                        "abcdefghijklmnopqrstuvwx",
                                        "abcdefghijklmnopqrstuvwxy",
                                        "abcdefghijklmnopqrstuvwxyz",
                                        "abcdefghijklmnopqrstuvwxyz0123456789",
                                        "abcdefgH",
                                        "abcdefghijklmnoP",
                                        "abcdefghijklmnopqrstuvwX",
                                        "b\xC3\xA9t\xC3\xA9"};
    enum { N = sizeof words / sizeof *words };
    wordmap m = WORDMAP_INIT;
    uint32_t v;
    for (uint32_t i = 0; i < N; i++) {
        CHECK(!get(&m, words[i], &v));
        wordmap_add(&m, words[i], strlen(words[i]), i * 10);
    }
    for (uint32_t i = 0; i < N; i++) {
        v = 12345;
        CHECK(get(&m, words[i], &v));
        CHECK_INT(v, i * 10);
    }
    CHECK(!get(&m, "abcdefghijklmnopqrstuvw", &v));
    CHECK(!get(&m, "abcdefghijklmnopqrstuvwxyz012345678", &v));
    CHECK(wordmap_get(&m, "abz", 2, &v)); /* only len bytes are the word */
    CHECK_INT(v, 10);
    wordmap_free(&m);
}

/* Thousands of words (the table grows many times) all keep their values. */
TEST(wordmap_keeps_every_word_while_it_grows) {
    wordmap m = WORDMAP_INIT;
    char word[64];
    uint32_t v;
    for (uint32_t i = 0; i < 50000; i++) {
        int len = snprintf(word, sizeof word, "w%u%s", i, i % 7 ? "" : "-and-a-much-longer-tail");
        CHECK(!wordmap_get(&m, word, (size_t)len, &v));
        wordmap_add(&m, word, (size_t)len, i);
    }
    int wrong = 0;
    for (uint32_t i = 0; i < 50000; i++) {
        int len = snprintf(word, sizeof word, "w%u%s", i, i % 7 ? "" : "-and-a-much-longer-tail");
        wrong += !wordmap_get(&m, word, (size_t)len, &v) || v != i;
    }
    CHECK_INT(wrong, 0);
    CHECK(!get(&m, "w50000", &v));
    wordmap_free(&m);
}

/* Words alike but for the bytes of one of the slot's three machine words:
 * with thousands of them some share a probe path, and each must still
 * find its own value. */
TEST(wordmap_words_differing_in_one_machine_word) {
    for (int part = 0; part < 3; part++) {
        wordmap m = WORDMAP_INIT;
        char word[25];
        uint32_t v;
        int wrong = 0;
        for (uint32_t pass = 0; pass < 2; pass++) {
            for (uint32_t i = 0; i < 4000; i++) {
                memset(word, 'x', 24);
                word[24] = '\0';
                char digits[9];
                snprintf(digits, sizeof digits, "%08u", i);
                memcpy(word + part * 8, digits, 8);
                if (pass == 0)
                    wordmap_add(&m, word, 24, i);
                else
                    wrong += !wordmap_get(&m, word, 24, &v) || v != i;
            }
        }
        CHECK_INT(wrong, 0);
        wordmap_free(&m);
    }
}
