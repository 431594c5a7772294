/*
 * md_arena: the memory of one cmark-gfm parse.
 *
 * cmark-gfm makes and frees hundreds of small blocks per page (a node, a
 * string buffer per node, ...), all dead once markdown.c has copied the
 * tree into its own. An md_arena hands them out of large chunks instead:
 * a release is nothing (or gives back the newest block), and md_arena_end
 * returns the chunks at once, with whatever cmark did not free. Blocks
 * over MD_ARENA_SMALL bytes are malloc'd one by one and freed as cmark
 * frees them, so a block grown many times leaves no copies behind.
 *
 * cmark's allocator callbacks carry no context, so md_arena_mem's find the
 * arena of the calling thread: md_arena_begin sets it, md_arena_end puts
 * back the one before (parses may nest). md_arena_end releases the
 * parser and every node it made: they need not be freed one by one, and
 * must not be used after. An arena belongs to one thread; it lives on the
 * stack of its parse.
 */
#ifndef CLINICGEN_MD_ARENA_H
#define CLINICGEN_MD_ARENA_H

#include <cmark-gfm.h>
#include <stddef.h>

enum { MD_ARENA_SMALL = 4096 };

typedef struct md_arena_chunk md_arena_chunk;
typedef struct md_arena_big md_arena_big;

typedef struct md_arena {
    char *next, *end;       /* the unused rest of the newest chunk */
    md_arena_chunk *chunks; /* newest first */
    md_arena_big *bigs;     /* large blocks not yet freed */
    struct md_arena *outer; /* the thread's arena before this one */
} md_arena;

/* Makes a the calling thread's arena until md_arena_end(a). */
void md_arena_begin(md_arena *a);
void md_arena_end(md_arena *a);

/* The allocator to give cmark_parser_new_with_mem: the calling thread's
 * current arena. */
cmark_mem *md_arena_mem(void);

#endif
