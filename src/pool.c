/* pool: size-class free lists over slabs (see pool.h). */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer, blocks on a free list and unused slab space are
 * poisoned, so a use after release is still reported. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(block, n) ASAN_POISON_MEMORY_REGION(block, n)
#define UNPOISON(block, n) ASAN_UNPOISON_MEMORY_REGION(block, n)
#else
#define POISON(block, n) ((void)(block), (void)(n))
#define UNPOISON(block, n) ((void)(block), (void)(n))
#endif

#define SLAB_BYTES (64 * 1024)

struct pool_slab {
    pool_slab *next;
    max_align_t align; /* blocks start after this, suitably aligned */
};

static int pooled(size_t size) {
    return size > 0 && size <= POOL_LARGEST;
}

static size_t class_of(size_t size) {
    return (size - 1) / 16;
}

void *pool_alloc(pool *p, size_t size) {
    if (!pooled(size))
        return malloc(size);
    size_t c = class_of(size);
    void *block = p->free_list[c];
    size_t bytes = (c + 1) * 16;
    if (block) {
        UNPOISON(block, sizeof(void *));
        memcpy(&p->free_list[c], block, sizeof(void *));
        POISON(block, bytes);
        UNPOISON(block, size);
        return block;
    }
    if ((size_t)(p->end - p->next) < bytes) {
        pool_slab *slab = malloc(SLAB_BYTES);
        if (!slab)
            return NULL;
        slab->next = p->slabs;
        p->slabs = slab;
        p->next = (char *)&slab->align;
        p->end = (char *)slab + SLAB_BYTES;
        POISON(p->next, (size_t)(p->end - p->next));
    }
    block = p->next;
    p->next += bytes;
    UNPOISON(block, size);
    return block;
}

void pool_release(pool *p, void *block, size_t size) {
    if (!block)
        return;
    if (!pooled(size)) {
        free(block);
        return;
    }
    size_t c = class_of(size);
    UNPOISON(block, sizeof(void *));
    memcpy(block, &p->free_list[c], sizeof(void *));
    POISON(block, (c + 1) * 16);
    p->free_list[c] = block;
}

void *pool_resize(pool *p, void *block, size_t old, size_t size) {
    if (!block)
        return pool_alloc(p, size);
    if (!pooled(old) && !pooled(size))
        return realloc(block, size);
    if (pooled(old) && pooled(size) && class_of(old) == class_of(size)) {
        POISON(block, (class_of(old) + 1) * 16);
        UNPOISON(block, size);
        return block;
    }
    void *moved = pool_alloc(p, size);
    if (!moved)
        return NULL;
    memcpy(moved, block, old < size ? old : size);
    pool_release(p, block, old);
    return moved;
}

void pool_free(pool *p) {
    while (p->slabs) {
        pool_slab *next = p->slabs->next;
        UNPOISON(p->slabs, SLAB_BYTES);
        free(p->slabs);
        p->slabs = next;
    }
    *p = (pool)POOL_INIT;
}
