/* search_scores: the last build's scores, read and written (see search_scores.h). */
#include "search_scores.h"

#include "binio.h"
#include "fsutil.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

static const char MAGIC[] = "clinicgen-scores 1\n";

void search_scores_begin(buf *b, uint64_t build, uint32_t n_records, double avg_length,
                         uint32_t n_terms) {
    buf_puts(b, MAGIC);
    binio_put_u64(b, build);
    binio_put_u32(b, n_records);
    binio_put_f64(b, avg_length);
    binio_put_u32(b, n_terms);
}

void search_scores_put(buf *b, const search_term_scores *ts) {
    binio_put_string(b, ts->term);
    binio_put_u32(b, ts->df);
    binio_put_u32(b, ts->n);
    for (uint32_t i = 0; i < ts->n; i++) {
        binio_put_u32(b, ts->best[i].record);
        binio_put_f32(b, ts->best[i].score);
    }
    binio_put_u32(b, ts->n_shown);
    for (uint32_t i = 0; i < ts->n_shown; i++) {
        binio_put_u32(b, ts->records[i]);
        buf_putc(b, (char)ts->scores[i]);
    }
}

void search_scores_end(buf *b) {
    binio_put_u64(b, hash64(b->data, b->len, 0));
}

/* Room for n more in the lists (sizes in *cap). */
static void reserve(search_scores *s, size_t used, size_t n, size_t *cap) {
    if (used + n <= *cap)
        return;
    *cap = (used + n) * 2;
    s->lists = xrealloc(s->lists, *cap * sizeof *s->lists);
    s->records = xrealloc(s->records, *cap * sizeof *s->records);
    s->scores = xrealloc(s->scores, *cap);
}

/* Reads the terms; the lists are copied out of the file, whose bytes are
 * not aligned for them. The terms' pointers are offsets until the lists
 * stop moving. */
static void read_terms(search_scores *s, binio_reader *r, uint32_t n_terms) {
    binio_need(r, n_terms, 4 + 1 + 4 + 4 + 4); /* the least a term takes */
    if (r->bad)
        return;
    s->terms = xcalloc(n_terms ? n_terms : 1, sizeof *s->terms);
    size_t listed = 0, shown = 0, cap = 0;
    for (uint32_t t = 0; t < n_terms && !r->bad; t++) {
        search_term_scores *ts = &s->terms[t];
        uint32_t len;
        ts->term = binio_span(r, &len);
        ts->df = binio_u32(r);
        ts->n = binio_u32(r);
        binio_need(r, ts->n, 8);
        if (!ts->term || r->bad || ts->n > ts->df || ts->n > SEARCH_CANDIDATES_MAX)
            break;
        reserve(s, listed, ts->n, &cap); /* shown <= listed */
        for (uint32_t i = 0; i < ts->n; i++) {
            s->lists[listed + i].record = binio_u32(r);
            s->lists[listed + i].score = binio_f32(r);
            r->bad |= s->lists[listed + i].record >= s->n_records;
        }
        ts->n_shown = binio_u32(r);
        binio_need(r, ts->n_shown, 5);
        if (r->bad || ts->n_shown > ts->n)
            break; /* a record past the last, too */
        for (uint32_t i = 0; i < ts->n_shown; i++) {
            s->records[shown + i] = binio_u32(r);
            s->scores[shown + i] = binio_u8(r);
            r->bad |= s->records[shown + i] >= s->n_records;
        }
        ts->best = (search_scored *)(uintptr_t)listed;
        ts->records = (uint32_t *)(uintptr_t)shown;
        listed += ts->n;
        shown += ts->n_shown;
        strmap_put(&s->by_term, ts->term, (void *)(uintptr_t)(t + 1));
        s->n_terms++;
    }
    for (size_t t = 0; t < s->n_terms; t++) {
        search_term_scores *ts = &s->terms[t];
        ts->best = s->lists + (uintptr_t)ts->best;
        ts->scores = s->scores + (uintptr_t)ts->records;
        ts->records = s->records + (uintptr_t)ts->records;
    }
}

int search_scores_load(search_scores *s, const char *path, uint64_t build) {
    memset(s, 0, sizeof *s);
    size_t len, head = sizeof MAGIC - 1;
    s->data = fs_read_file(path, &len);
    uint64_t sum;
    if (!s->data || len < head + sizeof sum || memcmp(s->data, MAGIC, head) != 0) {
        search_scores_free(s);
        return -1;
    }
    memcpy(&sum, s->data + len - sizeof sum, sizeof sum);
    binio_reader r = {s->data + head, s->data + len - sizeof sum, 0};
    r.bad = hash64(s->data, len - sizeof sum, 0) != sum;
    s->build = binio_u64(&r);
    s->n_records = binio_u32(&r);
    s->avg_length = binio_f64(&r);
    uint32_t n_terms = binio_u32(&r);
    if (!r.bad && s->build == build)
        read_terms(s, &r, n_terms);
    if (r.bad || s->build != build || r.p != r.end || s->n_terms != n_terms) {
        search_scores_free(s);
        return -1;
    }
    return 0;
}

const search_term_scores *search_scores_find(const search_scores *s, const char *term) {
    uintptr_t i = (uintptr_t)strmap_get(&s->by_term, term);
    return i ? &s->terms[i - 1] : NULL;
}

void search_scores_free(search_scores *s) {
    free(s->terms);
    free(s->lists);
    free(s->records);
    free(s->scores);
    strmap_free(&s->by_term);
    free(s->data);
    memset(s, 0, sizeof *s);
}
