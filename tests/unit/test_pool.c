/* Tests for pool.c: the small-block allocator behind each filter Lua state. */
#include "pool.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

TEST(pool_blocks_are_aligned_distinct_and_hold_their_bytes) {
    pool p = POOL_INIT;
    unsigned char *blocks[200];
    for (int i = 0; i < 200; i++) {
        size_t size = (size_t)(i % 40) * 13 + 1; /* 1 .. 508 bytes, every class */
        blocks[i] = pool_alloc(&p, size);
        CHECK(blocks[i] != NULL);
        CHECK((uintptr_t)blocks[i] % 16 == 0);
        memset(blocks[i], i, size);
    }
    for (int i = 0; i < 200; i++) {
        size_t size = (size_t)(i % 40) * 13 + 1;
        for (size_t k = 0; k < size; k++)
            if (blocks[i][k] != (unsigned char)i) {
                test_fail(__FILE__, __LINE__, "block %d byte %zu was overwritten", i, k);
                break;
            }
    }
    for (int i = 0; i < 200; i++)
        pool_release(&p, blocks[i], (size_t)(i % 40) * 13 + 1);
    pool_free(&p);
}

TEST(pool_reuses_a_released_block_of_the_same_class) {
    pool p = POOL_INIT;
    void *a = pool_alloc(&p, 40);
    void *b = pool_alloc(&p, 40);
    CHECK(a != b);
    pool_release(&p, a, 40);
    CHECK(pool_alloc(&p, 33) == a); /* 33 and 40 bytes share the 48-byte class */
    CHECK(pool_alloc(&p, 40) != a);
    pool_free(&p);
}

TEST(pool_resize_keeps_the_bytes_across_classes_and_to_malloc) {
    pool p = POOL_INIT;
    char *s = pool_alloc(&p, 10);
    memcpy(s, "abcdefghij", 10);
    char *same = pool_resize(&p, s, 10, 16); /* same class: the block stays */
    CHECK(same == s);
    char *grown = pool_resize(&p, same, 16, 300);
    CHECK(grown != NULL && !memcmp(grown, "abcdefghij", 10));
    char *large = pool_resize(&p, grown, 300, 100000); /* beyond the pool: malloc */
    CHECK(large != NULL && !memcmp(large, "abcdefghij", 10));
    large[99999] = 'z';
    char *back = pool_resize(&p, large, 100000, 20);
    CHECK(back != NULL && !memcmp(back, "abcdefghij", 10));
    pool_release(&p, back, 20);
    CHECK(pool_resize(&p, NULL, 0, 24) != NULL); /* NULL block: a new one */
    pool_free(&p);
}

TEST(pool_spans_many_slabs_and_frees_them_all) {
    pool p = POOL_INIT;
    for (int i = 0; i < 5000; i++) { /* 5000 x 512 bytes: about 40 slabs */
        char *b = pool_alloc(&p, 512);
        CHECK(b != NULL);
        if (!b)
            break;
        b[0] = b[511] = 'x';
    }
    pool_free(&p);
    CHECK(p.slabs == NULL); /* LeakSanitizer would report a slab left behind */
}
