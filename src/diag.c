/* diag: collecting and printing located error and warning messages. */
#include "diag.h"

#include "buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_add(diag_list *d, diag_level level, const char *file, int line, int col, const char *fmt,
              ...) {
    if (d->len == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diag *item = &d->items[d->len++];
    item->level = level;
    item->file = file ? xstrdup(file) : NULL;
    item->line = line;
    item->col = col;
    item->message = buf_detach(&msg);
    if (level == DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

void diag_move(diag_list *dst, diag_list *src) {
    for (size_t i = 0; i < src->len; i++) {
        if (dst->len == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 8;
            dst->items = xrealloc(dst->items, dst->cap * sizeof *dst->items);
        }
        dst->items[dst->len++] = src->items[i];
    }
    dst->errors += src->errors;
    dst->warnings += src->warnings;
    free(src->items);
    *src = (diag_list)DIAG_LIST_INIT;
}

void diag_print(const diag_list *d, FILE *out, int with_warnings) {
    for (size_t i = 0; i < d->len; i++) {
        const diag *m = &d->items[i];
        if (m->level == DIAG_WARNING && !with_warnings)
            continue;
        const char *level = m->level == DIAG_ERROR ? "error" : "warning";
        if (!m->file)
            fprintf(out, "clinicgen: %s: %s\n", level, m->message);
        else if (m->line > 0 && m->col > 0)
            fprintf(out, "%s:%d:%d: %s: %s\n", m->file, m->line, m->col, level, m->message);
        else if (m->line > 0)
            fprintf(out, "%s:%d: %s: %s\n", m->file, m->line, level, m->message);
        else
            fprintf(out, "%s: %s: %s\n", m->file, level, m->message);
    }
}

void diag_free(diag_list *d) {
    for (size_t i = 0; i < d->len; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    *d = (diag_list)DIAG_LIST_INIT;
}
