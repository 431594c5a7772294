/* Tests for strmap: lookups, replacement, growth and key ownership. */
#include "strmap.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(strmap_empty_map_finds_nothing) {
    strmap m = STRMAP_INIT;
    CHECK(strmap_get(&m, "anything") == NULL);
    CHECK(strmap_get(&m, "") == NULL);
    strmap_free(&m);
    strmap_free(&m); /* freeing twice is harmless: free resets the map */
}

TEST(strmap_put_get_and_replace) {
    strmap m = STRMAP_INIT;
    int a = 1, b = 2, c = 3;
    CHECK(strmap_put(&m, "skin", &a) == NULL);
    CHECK(strmap_put(&m, "face", &b) == NULL);
    CHECK(strmap_get(&m, "skin") == &a);
    CHECK(strmap_get(&m, "face") == &b);
    CHECK(strmap_get(&m, "Skin") == NULL);
    CHECK(strmap_get(&m, "ski") == NULL);
    CHECK(strmap_put(&m, "skin", &c) == &a); /* returns the value it had */
    CHECK(strmap_get(&m, "skin") == &c);
    CHECK_INT(m.len, 2);
    CHECK(strmap_put(&m, "", &a) == NULL); /* the empty key is a key too */
    CHECK(strmap_get(&m, "") == &a);
    strmap_free(&m);
    CHECK(m.slots == NULL && m.len == 0 && m.cap == 0);
}

TEST(strmap_copies_its_keys) {
    strmap m = STRMAP_INIT;
    char key[8] = "alpha";
    int v = 7;
    strmap_put(&m, key, &v);
    key[0] = 'X';
    CHECK(strmap_get(&m, "alpha") == &v);
    CHECK(strmap_get(&m, "Xlpha") == NULL);
    strmap_free(&m);
}

TEST(strmap_grows_past_many_keys) {
    strmap m = STRMAP_INIT;
    static int values[5000];
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "procedures/page-%d", i);
        values[i] = i;
        CHECK(strmap_put(&m, key, &values[i]) == NULL);
    }
    CHECK_INT(m.len, 5000);
    CHECK(m.cap > m.len);
    int missing = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "procedures/page-%d", i);
        int *v = strmap_get(&m, key);
        if (!v || *v != i)
            missing++;
    }
    CHECK_INT(missing, 0);
    CHECK(strmap_get(&m, "procedures/page-5000") == NULL);
    strmap_free(&m);
}

/* Keys of every length up to 40 that differ from each other in one byte
 * anywhere (the table's hash reads a key in overlapping pieces), and the
 * same keys cut short or given one byte more (strmap_get_n): each found as
 * itself, none as another. */
TEST(strmap_tells_apart_keys_differing_in_any_byte_at_any_length) {
    strmap m = STRMAP_INIT;
    static int values[41][41];
    char key[48];
    for (int n = 0; n <= 40; n++)
        for (int k = 0; k <= n; k++) {
            memset(key, 'a', (size_t)n);
            key[n] = '\0';
            if (k < n)
                key[k] = 'b'; /* k == n: the key of n a's */
            CHECK(strmap_put(&m, key, &values[n][k]) == NULL);
        }
    int wrong = 0;
    for (int n = 0; n <= 40; n++)
        for (int k = 0; k <= n; k++) {
            memset(key, 'a', sizeof key);
            if (k < n)
                key[k] = 'b';
            key[n] = '\0';
            wrong += strmap_get(&m, key) != &values[n][k];
            key[n] = 'a'; /* n bytes of a longer string */
            wrong += strmap_get_n(&m, key, (size_t)n) != &values[n][k];
        }
    CHECK_INT(wrong, 0);
    CHECK_INT(m.len, 41 * 42 / 2);
    strmap_free(&m);
}

TEST(strmap_hash_is_stable_and_length_bound) {
    CHECK(strmap_hash("abc", 3) == strmap_hash("abcdef", 3));
    CHECK(strmap_hash("abc", 3) != strmap_hash("abd", 3));
    CHECK(strmap_hash("", 0) == strmap_hash("xyz", 0));
}

/* Room made up front is room enough: the map does not grow while the keys
 * it was told of go in, keeps what it held, and grows past them. */
TEST(strmap_reserve_makes_room_up_front) {
    strmap m = STRMAP_INIT;
    int v[1000];
    strmap_put(&m, "held", &v[0]);
    strmap_reserve(&m, 1000);
    size_t cap = m.cap;
    CHECK(cap * 3 >= 1000 * 4);
    CHECK(strmap_get(&m, "held") == &v[0]);
    char key[32];
    for (int i = 1; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        strmap_put(&m, key, &v[i]);
    }
    CHECK_INT(m.cap, cap);
    CHECK_INT(m.len, 1000);
    strmap_reserve(&m, 10); /* never shrinks */
    CHECK_INT(m.cap, cap);
    for (size_t i = 0; i < cap; i++) { /* as many keys as it has slots */
        snprintf(key, sizeof key, "more%zu", i);
        strmap_put(&m, key, &v[0]);
    }
    CHECK(m.cap > cap);
    for (int i = 1; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        CHECK(strmap_get(&m, key) == &v[i]);
    }
    strmap_free(&m);
}
