/* search_index: BM25 scores, shards and record files (see search_index.h). */
#include "search_index.h"

#include "buf.h"
#include "strmap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct term_postings {
    const char *term; /* a collector's copy */
    uint32_t *records;
    float *weights; /* field-weighted counts, then BM25 scores */
    unsigned char *scores;
    size_t n;
} term_postings;

typedef struct inverted {
    term_postings *terms;
    size_t n_terms, cap_terms;
    float *lengths; /* per record */
    size_t n_records;
} inverted;

/* Gives every collector term a global number. map[c][local] = global. */
static uint32_t **merge_dictionaries(inverted *ix, search_collector *const *collectors,
                                     size_t n_collectors) {
    strmap global = STRMAP_INIT;
    uint32_t **map = xcalloc(n_collectors ? n_collectors : 1, sizeof *map);
    for (size_t c = 0; c < n_collectors; c++) {
        size_t n = collectors[c] ? search_collector_terms(collectors[c])
                                 : 0; /* a worker that never started */
        map[c] = xmalloc((n ? n : 1) * sizeof **map);
        for (size_t t = 0; t < n; t++) {
            const char *term = search_collector_term(collectors[c], (uint32_t)t);
            uintptr_t g = (uintptr_t)strmap_get(&global, term);
            if (!g) {
                if (ix->n_terms == ix->cap_terms) {
                    ix->cap_terms = ix->cap_terms ? ix->cap_terms * 2 : 1024;
                    ix->terms = xrealloc(ix->terms, ix->cap_terms * sizeof *ix->terms);
                }
                ix->terms[ix->n_terms] = (term_postings){.term = term};
                g = ++ix->n_terms;
                strmap_put(&global, term, (void *)g);
            }
            map[c][t] = (uint32_t)(g - 1);
        }
    }
    strmap_free(&global);
    return map;
}

/* Sizes each term's postings exactly: the index is the build's largest
 * structure. */
static void allocate_postings(inverted *ix, const search_page *pages, size_t n_pages,
                              uint32_t **map) {
    for (size_t p = 0; p < n_pages; p++) {
        ix->n_records += pages[p].n_records;
        for (size_t i = 0; i < pages[p].n_postings; i++)
            ix->terms[map[pages[p].collector][pages[p].postings[i].term]].n++;
    }
    for (size_t t = 0; t < ix->n_terms; t++) {
        term_postings *tp = &ix->terms[t];
        tp->records = xmalloc((tp->n ? tp->n : 1) * sizeof *tp->records);
        tp->weights = xmalloc((tp->n ? tp->n : 1) * sizeof *tp->weights);
        tp->n = 0;
    }
}

/* Moves the pages' postings into the index, freeing them as it goes. */
static void gather(inverted *ix, search_page *pages, size_t n_pages, uint32_t **map) {
    allocate_postings(ix, pages, n_pages, map);
    ix->lengths = xmalloc((ix->n_records ? ix->n_records : 1) * sizeof *ix->lengths);
    uint32_t r = 0;
    for (size_t p = 0; p < n_pages; p++) {
        search_page *pg = &pages[p];
        for (size_t k = 0; k < pg->n_records; k++, r++) {
            const search_record *rec = &pg->records[k];
            ix->lengths[r] = rec->length;
            for (size_t i = rec->first; i < rec->first + rec->count; i++) {
                const search_posting *sp = &pg->postings[i];
                term_postings *tp = &ix->terms[map[pg->collector][sp->term]];
                tp->records[tp->n] = r;
                tp->weights[tp->n++] = sp->weight;
            }
        }
        free(pg->postings);
        pg->postings = NULL;
        pg->n_postings = 0;
    }
}

/* A dictionary may hold terms no page of this build uses (the page cache's
 * holds those of earlier builds): they have no place in the index. */
static void drop_unused_terms(inverted *ix) {
    size_t kept = 0;
    for (size_t t = 0; t < ix->n_terms; t++) {
        if (ix->terms[t].n) {
            ix->terms[kept++] = ix->terms[t];
        } else {
            free(ix->terms[t].records);
            free(ix->terms[t].weights);
        }
    }
    ix->n_terms = kept;
}

/* BM25 with k1 = 1.2, b = 0.75 over field-weighted counts and lengths. */
static double bm25_idf(const inverted *ix, size_t df) {
    double n = (double)ix->n_records;
    return log(1.0 + (n - (double)df + 0.5) / ((double)df + 0.5));
}

static double bm25(const inverted *ix, double avg, double idf, float weight, uint32_t record) {
    double norm = 1.2 * (0.25 + 0.75 * ix->lengths[record] / avg);
    return idf * weight * 2.2 / (weight + norm);
}

static void swap_scores(float *a, float *b) {
    float t = *a;
    *a = *b;
    *b = t;
}

/* The k-th largest of a[0..n) (k < n), by quickselect with a three-way
 * partition (scores often tie); reorders a. */
static float kth_largest(float *a, size_t n, size_t k) {
    size_t lo = 0, hi = n;
    for (;;) {
        float pivot = a[lo + (hi - lo) / 2];
        size_t above = lo, i = lo, below = hi; /* [lo,above) > pivot, [below,hi) < pivot */
        while (i < below) {
            if (a[i] > pivot)
                swap_scores(&a[above++], &a[i++]);
            else if (a[i] < pivot)
                swap_scores(&a[i], &a[--below]);
            else
                i++;
        }
        if (k < above)
            hi = above;
        else if (k >= below)
            lo = below;
        else
            return pivot;
    }
}

/* Keeps the SEARCH_POSTINGS_MAX best of a term's scored postings, in record
 * order; the earliest records win a tie at the cut. */
static size_t keep_best(term_postings *tp, float *scores, float *spare) {
    if (tp->n <= SEARCH_POSTINGS_MAX)
        return tp->n;
    memcpy(spare, scores, tp->n * sizeof *spare);
    float cut = kth_largest(spare, tp->n, SEARCH_POSTINGS_MAX - 1);
    size_t above = 0, kept = 0;
    for (size_t i = 0; i < tp->n; i++)
        above += scores[i] > cut;
    size_t ties = SEARCH_POSTINGS_MAX - above;
    for (size_t i = 0; i < tp->n; i++) {
        if (scores[i] < cut || (scores[i] == cut && ties == 0))
            continue;
        ties -= scores[i] == cut;
        tp->records[kept] = tp->records[i];
        scores[kept++] = scores[i];
    }
    return kept;
}

/* Scores each posting (in place of its weight), keeps each term's best
 * records and turns their scores into 1..255. */
static void score_terms(inverted *ix) {
    double avg = 0, best = 0;
    for (size_t r = 0; r < ix->n_records; r++)
        avg += ix->lengths[r];
    avg = ix->n_records && avg > 0 ? avg / (double)ix->n_records : 1;
    float *spare = NULL;
    size_t spare_cap = 0;
    for (size_t t = 0; t < ix->n_terms; t++) {
        term_postings *tp = &ix->terms[t];
        double idf = bm25_idf(ix, tp->n);
        for (size_t i = 0; i < tp->n; i++)
            tp->weights[i] = (float)bm25(ix, avg, idf, tp->weights[i], tp->records[i]);
        if (tp->n > spare_cap)
            spare = xrealloc(spare, (spare_cap = tp->n) * sizeof *spare);
        tp->n = keep_best(tp, tp->weights, spare);
        for (size_t i = 0; i < tp->n; i++)
            if (tp->weights[i] > best)
                best = tp->weights[i];
    }
    free(spare);
    for (size_t t = 0; t < ix->n_terms; t++) {
        term_postings *tp = &ix->terms[t];
        tp->scores = xmalloc(tp->n ? tp->n : 1);
        for (size_t i = 0; i < tp->n; i++) {
            long q = best > 0 ? lround(tp->weights[i] / best * 255.0) : 1;
            tp->scores[i] = (unsigned char)(q < 1 ? 1 : q > 255 ? 255 : q);
        }
        free(tp->weights);
        tp->weights = NULL;
    }
}

static int by_term(const void *a, const void *b) {
    return strcmp(((const term_postings *)a)->term, ((const term_postings *)b)->term);
}

/* The shard key: the term's first two characters (UTF-8 aware). */
static size_t key_length(const char *term) {
    size_t i = 0;
    for (int chars = 0; chars < 2 && term[i]; chars++)
        do
            i++;
        while ((term[i] & 0xC0) == 0x80);
    return i;
}

static int write_file(output *out, search_stats *st, const char *rel, const buf *b, diag_list *d) {
    st->files++;
    st->bytes += b->len;
    return output_write(out, rel, b->data ? b->data : "", b->len, d);
}

static int write_shards(const inverted *ix, output *out, buf *keys, search_stats *st,
                        diag_list *d) {
    buf b = BUF_INIT, name = BUF_INIT;
    int rc = 0;
    for (size_t t = 0; t < ix->n_terms && rc == 0;) {
        const char *first = ix->terms[t].term;
        size_t klen = key_length(first);
        buf_clear(&b);
        buf_puts(&b, "clinicgenSearch.terms(");
        buf_json_string(&b, first, klen);
        buf_puts(&b, ",{");
        buf_puts(keys, keys->len > 1 ? "," : "");
        buf_json_string(keys, first, klen);
        size_t start = t;
        for (; t < ix->n_terms && key_length(ix->terms[t].term) == klen &&
               !strncmp(ix->terms[t].term, first, klen);
             t++) {
            const term_postings *tp = &ix->terms[t];
            if (t > start)
                buf_putc(&b, ',');
            buf_json_string(&b, tp->term, strlen(tp->term));
            buf_puts(&b, ":[");
            for (size_t i = 0; i < tp->n; i++) {
                if (i)
                    buf_putc(&b, ',');
                buf_put_uint(&b, tp->records[i] - (i ? tp->records[i - 1] : 0));
                buf_putc(&b, ',');
                buf_put_uint(&b, tp->scores[i]);
            }
            buf_putc(&b, ']');
        }
        buf_puts(&b, "});\n");
        buf_clear(&name);
        buf_puts(&name, "search/t-");
        for (size_t i = 0; i < klen; i++)
            buf_printf(&name, "%02x", (unsigned char)first[i]);
        buf_puts(&name, ".js");
        rc = write_file(out, st, buf_cstr(&name), &b, d);
    }
    buf_free(&b);
    buf_free(&name);
    return rc;
}

/* A record right after another of its page names only its #anchor and
 * leaves the title empty: the browser takes both from the record before. */
static void record_json(buf *b, const search_page *pg, const search_record *rec, int same_page) {
    const char *heading = rec->heading ? rec->heading : "";
    const char *anchor = same_page ? strchr(rec->url, '#') : NULL;
    const char *url = anchor ? anchor : rec->url;
    const char *title = anchor ? "" : pg->title;
    buf_putc(b, '[');
    buf_json_string(b, url, strlen(url));
    buf_putc(b, ',');
    buf_json_string(b, title, strlen(title));
    buf_putc(b, ',');
    buf_json_string(b, heading, strlen(heading));
    buf_putc(b, ',');
    buf_json_string(b, rec->excerpt, strlen(rec->excerpt));
    buf_putc(b, ']');
}

static int write_records(const search_page *pages, size_t n_pages, output *out, search_stats *st,
                         diag_list *d) {
    buf b = BUF_INIT, name = BUF_INIT;
    size_t r = 0, file = 0;
    int rc = 0;
    for (size_t p = 0; p < n_pages && rc == 0; p++) {
        for (size_t k = 0; k < pages[p].n_records && rc == 0; k++, r++) {
            int first_in_file = r % SEARCH_RECORDS_PER_FILE == 0;
            if (first_in_file)
                buf_printf(&b, "clinicgenSearch.records(%zu,[", file);
            else
                buf_putc(&b, ',');
            record_json(&b, &pages[p], &pages[p].records[k], k > 0 && !first_in_file);
            if (r % SEARCH_RECORDS_PER_FILE == SEARCH_RECORDS_PER_FILE - 1) {
                buf_puts(&b, "]);\n");
                buf_clear(&name);
                buf_printf(&name, "search/r-%zu.js", file++);
                rc = write_file(out, st, buf_cstr(&name), &b, d);
                buf_clear(&b);
            }
        }
    }
    if (rc == 0 && b.len) {
        buf_puts(&b, "]);\n");
        buf_clear(&name);
        buf_printf(&name, "search/r-%zu.js", file);
        rc = write_file(out, st, buf_cstr(&name), &b, d);
    }
    buf_free(&b);
    buf_free(&name);
    return rc;
}

static void free_index(inverted *ix) {
    for (size_t t = 0; t < ix->n_terms; t++) {
        free(ix->terms[t].records);
        free(ix->terms[t].weights);
        free(ix->terms[t].scores);
    }
    free(ix->terms);
    free(ix->lengths);
}

/* The record files need only the pages' records, so they are written on a
 * thread of their own while the terms are scored. */
typedef struct records_job {
    const search_page *pages;
    size_t n_pages;
    output *out;
    search_stats stats;
    diag_list d;
    int rc;
} records_job;

static void *write_records_job(void *arg) {
    records_job *job = arg;
    job->rc = write_records(job->pages, job->n_pages, job->out, &job->stats, &job->d);
    return NULL;
}

int search_index_write(search_page *pages, size_t n_pages, search_collector *const *collectors,
                       const search_synonyms *syn, output *out, search_stats *stats, diag_list *d) {
    records_job job = {pages, n_pages, out, {0}, DIAG_LIST_INIT, 0};
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, write_records_job, &job) == 0;
    if (!threaded)
        write_records_job(&job);
    inverted ix = {0};
    size_t n_collectors = 0;
    for (size_t p = 0; p < n_pages; p++)
        if ((size_t)pages[p].collector + 1 > n_collectors)
            n_collectors = (size_t)pages[p].collector + 1;
    uint32_t **map = merge_dictionaries(&ix, collectors, n_collectors);
    gather(&ix, pages, n_pages, map);
    drop_unused_terms(&ix);
    for (size_t c = 0; c < n_collectors; c++)
        free(map[c]);
    free(map);
    score_terms(&ix);
    if (ix.n_terms) /* a site with nothing to search: qsort must not see NULL */
        qsort(ix.terms, ix.n_terms, sizeof *ix.terms, by_term);
    memset(stats, 0, sizeof *stats);
    stats->records = ix.n_records;
    stats->terms = ix.n_terms;
    buf keys = BUF_INIT, meta = BUF_INIT;
    buf_putc(&keys, '[');
    int rc = write_shards(&ix, out, &keys, stats, d);
    if (threaded)
        pthread_join(thread, NULL);
    diag_move(d, &job.d);
    stats->files += job.stats.files;
    stats->bytes += job.stats.bytes;
    if (rc == 0)
        rc = job.rc;
    buf_putc(&keys, ']');
    buf_printf(&meta,
               "clinicgenSearch.meta({\"n\":%zu,\"per\":%d,\"keys\":%s,\"syn\":", ix.n_records,
               SEARCH_RECORDS_PER_FILE, buf_cstr(&keys));
    search_synonyms_json(syn, &meta);
    buf_puts(&meta, "});\n");
    stats->meta_bytes = meta.len;
    if (rc == 0)
        rc = write_file(out, stats, "search/meta.js", &meta, d);
    buf_free(&keys);
    buf_free(&meta);
    free_index(&ix);
    return rc;
}
