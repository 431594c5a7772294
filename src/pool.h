/*
 * pool: a small-block allocator for one thread, behind a Lua state.
 *
 * Lua makes and drops many small objects per page (tables, strings,
 * closures). Blocks up to POOL_LARGEST bytes come from slabs, in 16-byte
 * size classes; a released block goes on its class's free list and is
 * reused. Larger blocks go to malloc. As in lua_Alloc, the caller passes a
 * block's size back when it resizes or releases it, so blocks carry no
 * header. A pool is not thread-safe: one per worker. pool_free returns
 * every slab to the system at once.
 *
 * Under AddressSanitizer released blocks and unused slab space are
 * poisoned, so a use after release is still reported.
 */
#ifndef CLINICGEN_POOL_H
#define CLINICGEN_POOL_H

#include <stddef.h>

#define POOL_LARGEST 512
#define POOL_CLASSES (POOL_LARGEST / 16)

typedef struct pool_slab pool_slab;

typedef struct pool {
    void *free_list[POOL_CLASSES]; /* released blocks, by size class */
    pool_slab *slabs;              /* every slab, newest first */
    char *next, *end;              /* the unused rest of the newest slab */
} pool;

#define POOL_INIT                                                                                  \
    { {0}, NULL, NULL, NULL }

/* NULL when out of memory. pool_resize keeps the first min(old, size)
 * bytes; on failure the block is left as it was. */
void *pool_alloc(pool *p, size_t size);
void *pool_resize(pool *p, void *block, size_t old, size_t size);
void pool_release(pool *p, void *block, size_t size);
void pool_free(pool *p);

#endif
