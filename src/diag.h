/*
 * diag: error and warning messages in the `file:line:col: level: message`
 * form that editors and CI parse.
 *
 * A diag_list owns its messages. Each pipeline stage that works on one page
 * gets its own list (no sharing between worker threads); the build merges
 * the lists in page order and prints them once, so output is deterministic.
 * line or col 0 means unknown and is left out of the printed location.
 */
#ifndef CLINICGEN_DIAG_H
#define CLINICGEN_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum { DIAG_WARNING, DIAG_ERROR } diag_level;

typedef struct diag {
    diag_level level;
    char *file; /* owned; may be NULL for messages about the whole build */
    int line, col;
    char *message; /* owned */
} diag;

typedef struct diag_list {
    diag *items;
    size_t len, cap;
    size_t errors, warnings;
} diag_list;

#define DIAG_LIST_INIT                                                                             \
    { NULL, 0, 0, 0, 0 }

void diag_add(diag_list *d, diag_level level, const char *file, int line, int col, const char *fmt,
              ...) __attribute__((format(printf, 6, 7)));
#define diag_error(d, file, line, col, ...) diag_add(d, DIAG_ERROR, file, line, col, __VA_ARGS__)
#define diag_warning(d, file, line, col, ...)                                                      \
    diag_add(d, DIAG_WARNING, file, line, col, __VA_ARGS__)

/* Moves every message of src to the end of dst; src is left empty. */
void diag_move(diag_list *dst, diag_list *src);
void diag_print(const diag_list *d, FILE *out, int with_warnings);
void diag_free(diag_list *d);

#endif
