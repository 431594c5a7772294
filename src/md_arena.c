/* md_arena: chunks for cmark-gfm's small blocks (see md_arena.h). */
#include "md_arena.h"

#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer, released blocks and unused chunk space are
 * poisoned, so a use after release is still reported. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(block, n) ASAN_POISON_MEMORY_REGION(block, n)
#define UNPOISON(block, n) ASAN_UNPOISON_MEMORY_REGION(block, n)
#else
#define POISON(block, n) ((void)(block), (void)(n))
#define UNPOISON(block, n) ((void)(block), (void)(n))
#endif

#define CHUNK_BYTES (64 * 1024)

enum { KIND_SMALL = 0x5311, KIND_BIG = 0xB16 };

/* Right before every block; 16 bytes, so blocks stay aligned for any type. */
typedef struct header {
    size_t size; /* as asked for */
    size_t kind;
} header;

struct md_arena_chunk {
    md_arena_chunk *next;
    max_align_t align; /* blocks start after this, suitably aligned */
};

struct md_arena_big {
    md_arena_big *prev, *next;
    header h;
};

/* The arena of the thread's parse in progress: cmark's callbacks take no
 * context. Set and put back only by md_arena_begin and md_arena_end. */
static _Thread_local md_arena *current;

static size_t rounded(size_t n) {
    return (n + 15) & ~(size_t)15;
}

static header *header_of(void *block) {
    return (header *)block - 1;
}

static void *small_alloc(md_arena *a, size_t n) {
    size_t need = sizeof(header) + rounded(n ? n : 1);
    if ((size_t)(a->end - a->next) < need) {
        md_arena_chunk *c = xmalloc(CHUNK_BYTES);
        c->next = a->chunks;
        a->chunks = c;
        a->next = (char *)&c->align;
        a->end = (char *)c + CHUNK_BYTES;
        POISON(a->next, (size_t)(a->end - a->next));
    }
    header *h = (header *)a->next;
    a->next += need;
    UNPOISON(h, sizeof *h + n);
    h->size = n;
    h->kind = KIND_SMALL;
    return h + 1;
}

static void big_link(md_arena *a, md_arena_big *b) {
    b->prev = NULL;
    b->next = a->bigs;
    if (a->bigs)
        a->bigs->prev = b;
    a->bigs = b;
}

static void big_unlink(md_arena *a, md_arena_big *b) {
    if (b->prev)
        b->prev->next = b->next;
    else
        a->bigs = b->next;
    if (b->next)
        b->next->prev = b->prev;
}

static void *big_alloc(md_arena *a, size_t n) {
    md_arena_big *b = xmalloc(sizeof *b + n);
    b->h.size = n;
    b->h.kind = KIND_BIG;
    big_link(a, b);
    return b + 1;
}

static void *arena_alloc(md_arena *a, size_t n) {
    return n > MD_ARENA_SMALL ? big_alloc(a, n) : small_alloc(a, n);
}

/* Whether block is the newest small block, which can grow or be undone. */
static int is_newest(const md_arena *a, void *block) {
    return (char *)block + rounded(header_of(block)->size ? header_of(block)->size : 1) == a->next;
}

static void arena_free(void *block) {
    if (!block)
        return;
    md_arena *a = current;
    header *h = header_of(block);
    if (h->kind == KIND_BIG) {
        md_arena_big *b = (md_arena_big *)block - 1;
        big_unlink(a, b);
        free(b);
        return;
    }
    if (is_newest(a, block))
        a->next = (char *)h;
    POISON(block, rounded(h->size));
}

static void *arena_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size)
        abort(); /* as cmark's own calloc would fail */
    void *block = arena_alloc(current, count * size);
    memset(block, 0, count * size);
    return block;
}

static void *arena_realloc(void *block, size_t n) {
    md_arena *a = current;
    if (!block)
        return arena_alloc(a, n);
    header *h = header_of(block);
    if (h->kind == KIND_BIG && n > MD_ARENA_SMALL) {
        md_arena_big *b = (md_arena_big *)block - 1;
        big_unlink(a, b);
        b = xrealloc(b, sizeof *b + n);
        b->h.size = n;
        big_link(a, b);
        return b + 1;
    }
    if (h->kind == KIND_SMALL && n <= MD_ARENA_SMALL &&
        (n <= rounded(h->size ? h->size : 1) ||
         (is_newest(a, block) && (size_t)(a->end - (char *)block) >= rounded(n)))) {
        if (is_newest(a, block))
            a->next = (char *)block + rounded(n ? n : 1);
        UNPOISON(block, n);
        h->size = n;
        return block;
    }
    size_t old = h->size;
    void *moved = arena_alloc(a, n);
    memcpy(moved, block, old < n ? old : n);
    arena_free(block);
    return moved;
}

static const cmark_mem arena_mem = {arena_calloc, arena_realloc, arena_free};

void md_arena_begin(md_arena *a) {
    memset(a, 0, sizeof *a);
    a->outer = current;
    current = a;
}

void md_arena_end(md_arena *a) {
    while (a->bigs) {
        md_arena_big *next = a->bigs->next;
        free(a->bigs);
        a->bigs = next;
    }
    while (a->chunks) {
        md_arena_chunk *next = a->chunks->next;
        UNPOISON(a->chunks, CHUNK_BYTES);
        free(a->chunks);
        a->chunks = next;
    }
    current = a->outer;
}

cmark_mem *md_arena_mem(void) {
    return (cmark_mem *)&arena_mem; /* cmark never writes to it */
}
