/* search_index: BM25 scores, shards and record files (see search_index.h). */
#include "search_index.h"

#include "buf.h"
#include "strmap.h"
#include "threads.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* One term's best postings: while scoring, those kept (keep_best); then
 * its SEARCH_CANDIDATES_MAX best, best first (search_scores.h), and the
 * SEARCH_POSTINGS_MAX of them its file shows, by record, with scores
 * 1..255 (records, scores). */
typedef struct term_postings {
    const char *term;    /* a collector's copy */
    uint32_t df;         /* records holding it */
    size_t n, cap;       /* cap: room in kept, grown to 2 * SEARCH_CANDIDATES_MAX */
    search_scored *kept; /* scores without the term's idf */
    int ranked;          /* kept is best first */
    size_t n_shown;      /* records and scores made (finish_term) or */
    uint32_t *records;   /* kept from the last build */
    unsigned char *scores;
    int as_before; /* kept from the last build as it was (keep_term) */
} term_postings;

typedef struct inverted {
    term_postings *terms;
    size_t n_terms, cap_terms;
    double *norms; /* per record: BM25's length normalisation */
    size_t n_records;
    double avg_length;   /* of a record, on its grid (on_grid) */
    int updated;         /* the last build's scores brought up to date */
    strmap dropped_keys; /* then: the shard keys of the terms no page holds now */
} inverted;

/* Every collector's term numbers: map[c][local] = global, local < len[c]. */
typedef struct term_map {
    uint32_t **map;
    size_t *len;
    size_t n_collectors;
} term_map;

/* The shard key: the term's first two characters (UTF-8 aware). */
static size_t key_length(const char *term) {
    size_t i = 0;
    for (int chars = 0; chars < 2 && term[i]; chars++)
        do
            i++;
        while ((term[i] & 0xC0) == 0x80);
    return i;
}

/* Gives every collector term a global number. */
static void merge_dictionaries(inverted *ix, search_collector *const *collectors, term_map *tm) {
    strmap global = STRMAP_INIT;
    size_t n_collectors = tm->n_collectors;
    uint32_t **map = tm->map = xcalloc(n_collectors ? n_collectors : 1, sizeof *map);
    tm->len = xcalloc(n_collectors ? n_collectors : 1, sizeof *tm->len);
    for (size_t c = 0; c < n_collectors; c++) {
        size_t n = collectors[c] ? search_collector_terms(collectors[c])
                                 : 0; /* a worker that never started */
        tm->len[c] = n;
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
}

static void term_map_free(term_map *tm) {
    for (size_t c = 0; c < tm->n_collectors; c++)
        free(tm->map[c]);
    free(tm->map);
    free(tm->len);
}

/* BM25 with k1 = 1.2, b = 0.75 over field-weighted counts and lengths. */
static double bm25_idf(const inverted *ix, size_t df) {
    double n = (double)ix->n_records;
    return log(1.0 + (n - (double)df + 0.5) / ((double)df + 0.5));
}

static double bm25_norm(float length, double avg) {
    return 1.2 * (0.25 + 0.75 * length / avg);
}

/* BM25 but for the term's idf, a factor common to all its postings: the
 * best postings of a term are found before its idf is known. */
static float bm25_without_idf(float weight, double norm) {
    return (float)(weight * 2.2 / (weight + norm));
}

/* Is a a worse posting to keep than b? Lower scores are, and of equal
 * ones the later record: the earliest wins a tie. */
static int worse(search_scored a, search_scored b) {
    return search_scored_above(b, a);
}

static void swap_postings(search_scored *a, search_scored *b) {
    search_scored t = *a;
    *a = *b;
    *b = t;
}

/* Moves the n best of h[0..len) (n <= len) to its front, the n-th best
 * of them last (quickselect, the pivot the middle of three). */
static void select_best(search_scored *h, size_t len, size_t n) {
    size_t lo = 0, hi = len, want = n - 1; /* want's place is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        if (worse(h[mid], h[lo]))
            swap_postings(&h[mid], &h[lo]);
        if (worse(h[last], h[lo]))
            swap_postings(&h[last], &h[lo]);
        if (worse(h[mid], h[last]))
            swap_postings(&h[mid], &h[last]); /* h[last]: the middle of the three */
        size_t store = lo;
        for (size_t i = lo; i < last; i++)
            if (worse(h[last], h[i]))
                swap_postings(&h[i], &h[store++]);
        swap_postings(&h[store], &h[last]);
        if (store == want)
            return;
        if (want < store)
            hi = store;
        else
            lo = store + 1;
    }
}

/* Keeps a scored posting better than the term's floor (score_part). The
 * kept grow as they fill, most terms being on a few records only; once
 * twice SEARCH_CANDIDATES_MAX are kept, only the best SEARCH_CANDIDATES_MAX
 * stay. Returns 1 then: the worst of those (the last) is the new floor. */
static int keep_best(term_postings *tp, float score, uint32_t record) {
    if (tp->n == tp->cap) {
        tp->cap = tp->cap ? tp->cap * 4 : 4;
        if (tp->cap > 2 * SEARCH_CANDIDATES_MAX)
            tp->cap = 2 * SEARCH_CANDIDATES_MAX;
        tp->kept = xrealloc(tp->kept, tp->cap * sizeof *tp->kept);
    }
    tp->kept[tp->n++] = (search_scored){score, record};
    if (tp->n < 2 * SEARCH_CANDIDATES_MAX)
        return 0;
    select_best(tp->kept, tp->n, SEARCH_CANDIDATES_MAX);
    tp->n = SEARCH_CANDIDATES_MAX;
    return 1;
}

/* ---- scoring, on several threads ----
 * The pages are cut into one part per thread, of about as many postings
 * each. One pass goes over every part's packed postings: it counts each
 * term's records (for its idf) and keeps each term's SEARCH_CANDIDATES_MAX
 * best postings of the part (keep_best), scored without the idf, which
 * ranks a term's postings all alike. The parts' best are then merged (the
 * best of the whole site are among the best of its parts). Only those are ever held: the postings
 * of a large site are not copied into the index. */

typedef struct score_part {
    const search_page *pages;
    size_t n_pages;
    uint32_t first_record; /* the number of its first page's first record */
    uint32_t *df;          /* per term, its records in the part */
    term_postings *best;   /* per term, its best in the part */
    /* per term, the score a posting must beat to be kept: the worst of
     * the SEARCH_CANDIDATES_MAX best once there were more, else -1. Most
     * postings are turned away here: a small array stays in the cache. */
    float *floor;
} score_part;

typedef struct scoring {
    inverted *ix;
    const term_map *map;
    score_part *parts;
    size_t n_parts;
    atomic_size_t next_part;
} scoring;

/* The pass over a part's postings, in record order. A record's postings
 * follow its page's earlier records' (search_collect.h). */
static void score_part_pass(const scoring *s, score_part *part) {
    uint32_t record = part->first_record;
    for (size_t p = 0; p < part->n_pages; p++) {
        const search_page *pg = &part->pages[p];
        const uint32_t *map = s->map->map[pg->collector];
        size_t n_local = s->map->len[pg->collector];
        const unsigned char *at = pg->postings, *end = at + pg->postings_len;
        for (size_t k = 0; k < pg->n_records; k++, record++) {
            double norm = s->ix->norms[record];
            for (size_t i = 0; i < pg->records[k].count; i++) {
                search_posting post;
                if (search_posting_unpack(&at, end, &post) != 0 || post.term >= n_local) {
                    at = end; /* the page's others are skipped too (none are malformed:
                               * the collector and the page cache made them) */
                    break;
                }
                uint32_t t = map[post.term];
                part->df[t]++;
                /* most postings score no better than the term's worst kept:
                 * turned away by a product, without a division (the factor
                 * leaves the ties near the floor to the exact test) */
                float floor = part->floor[t];
                if (post.weight * 2.2 < floor * (post.weight + norm) * (1 - 1e-6))
                    continue;
                float score = bm25_without_idf(post.weight, norm);
                if (score <= floor)
                    continue;
                term_postings *best = &part->best[t];
                if (keep_best(best, score, record))
                    part->floor[t] = best->kept[SEARCH_CANDIDATES_MAX - 1].score;
            }
        }
    }
}

static void *score_worker(void *arg) {
    scoring *s = arg;
    for (size_t i; (i = atomic_fetch_add(&s->next_part, 1)) < s->n_parts;)
        score_part_pass(s, &s->parts[i]);
    return NULL;
}

/* Cuts the pages into n parts of about as many postings each. */
static void cut_parts(scoring *s, const search_page *pages, size_t n_pages, size_t n) {
    size_t total = 0, done = 0, p = 0;
    uint32_t record = 0;
    for (size_t i = 0; i < n_pages; i++)
        total += pages[i].n_postings;
    s->parts = xcalloc(n, sizeof *s->parts);
    s->n_parts = n;
    for (size_t k = 0; k < n; k++) {
        score_part *part = &s->parts[k];
        part->pages = pages + p;
        part->first_record = record;
        size_t goal = total / n * (k + 1);
        for (; p < n_pages && (k == n - 1 || done < goal); p++, part->n_pages++) {
            done += pages[p].n_postings;
            record += (uint32_t)pages[p].n_records;
        }
        part->df = xcalloc(s->ix->n_terms + 1, sizeof *part->df);
        part->best = xcalloc(s->ix->n_terms + 1, sizeof *part->best);
        part->floor = xmalloc((s->ix->n_terms + 1) * sizeof *part->floor);
        for (size_t t = 0; t <= s->ix->n_terms; t++)
            part->floor[t] = -1;
    }
}

/* The parts' best postings and record counts of a term become its own. */
static void merge_best(scoring *s, size_t t) {
    term_postings *tp = &s->ix->terms[t];
    for (size_t k = 0; k < s->n_parts; k++) {
        term_postings *h = &s->parts[k].best[t];
        tp->df += s->parts[k].df[t];
        if (!tp->kept) {
            *tp = (term_postings){
                .term = tp->term, .df = tp->df, .n = h->n, .cap = h->cap, .kept = h->kept};
            continue;
        }
        for (size_t i = 0; i < h->n; i++)
            keep_best(tp, h->kept[i].score, h->kept[i].record);
        free(h->kept);
    }
    if (tp->n > SEARCH_CANDIDATES_MAX) {
        select_best(tp->kept, tp->n, SEARCH_CANDIDATES_MAX);
        tp->n = SEARCH_CANDIDATES_MAX;
    }
}

/* x > 0 to the nearest power of 2^(1/16): within 2.2%. */
static double on_grid(double x) {
    return exp2(round(log2(x) * 16.0) / 16.0);
}

/* Each record's length normalisation, once, not once per posting. The
 * average record length is taken on a grid (on_grid): BM25's ranking
 * barely moves with that, and an edit to one page then nearly always
 * leaves it as it was, so that the terms the page does not hold keep
 * their scores, and their files stay as they are. */
static void set_norms(inverted *ix, const search_page *pages, size_t n_pages) {
    for (size_t p = 0; p < n_pages; p++)
        ix->n_records += pages[p].n_records;
    ix->norms = xmalloc((ix->n_records ? ix->n_records : 1) * sizeof *ix->norms);
    double avg = 0;
    for (size_t p = 0; p < n_pages; p++)
        for (size_t k = 0; k < pages[p].n_records; k++)
            avg += pages[p].records[k].length;
    avg = ix->avg_length = ix->n_records && avg > 0 ? on_grid(avg / (double)ix->n_records) : 1;
    size_t r = 0;
    for (size_t p = 0; p < n_pages; p++)
        for (size_t k = 0; k < pages[p].n_records; k++)
            ix->norms[r++] = bm25_norm(pages[p].records[k].length, avg);
}

static int by_record(const void *a, const void *b) {
    uint32_t x = ((const search_scored *)a)->record, y = ((const search_scored *)b)->record;
    return x < y ? -1 : x > y;
}

static int by_rank(const void *a, const void *b) {
    search_scored x = *(const search_scored *)a, y = *(const search_scored *)b;
    return search_scored_above(x, y) ? -1 : search_scored_above(y, x);
}

/* A term's kept postings are put best first; the file shows the first
 * SEARCH_POSTINGS_MAX, in record order, their scores given the term's idf
 * and then as 1..255 of scale. */
static void finish_term(const inverted *ix, term_postings *tp, double scale) {
    if (tp->records)
        return; /* as the last build showed it */
    if (!tp->ranked)
        qsort(tp->kept, tp->n, sizeof *tp->kept, by_rank);
    tp->ranked = 1;
    tp->n_shown = tp->n < SEARCH_POSTINGS_MAX ? tp->n : SEARCH_POSTINGS_MAX;
    search_scored shown[SEARCH_POSTINGS_MAX];
    memcpy(shown, tp->kept, tp->n_shown * sizeof *shown);
    qsort(shown, tp->n_shown, sizeof *shown, by_record);
    tp->records = xmalloc((tp->n_shown ? tp->n_shown : 1) * sizeof *tp->records);
    tp->scores = xmalloc(tp->n_shown ? tp->n_shown : 1);
    double idf = bm25_idf(ix, tp->df);
    for (size_t i = 0; i < tp->n_shown; i++) {
        float score = (float)(idf * shown[i].score);
        long q = scale > 0 ? lround(score / scale * 255.0) : 1;
        tp->scores[i] = (unsigned char)(q < 1 ? 1 : q > 255 ? 255 : q);
        tp->records[i] = shown[i].record;
    }
}

/* Scores are given as 1..255 of the highest BM25 can give on this many
 * records (a term of one record, all but saturated there), not of the
 * highest given: an edit that changes that one changes no other term's
 * scores. The highest is close to the bound on any site. */
static void finish_terms(inverted *ix) {
    double bound = 2.2 * bm25_idf(ix, 1);
    for (size_t t = 0; t < ix->n_terms; t++)
        finish_term(ix, &ix->terms[t], bound);
}

/* Scores the pages' postings on jobs threads (see above). A term no page
 * of this build uses (the page cache's dictionary holds those of earlier
 * builds) is dropped. */
static void score_terms(inverted *ix, const search_page *pages, size_t n_pages, const term_map *map,
                        int jobs) {
    scoring s = {.ix = ix, .map = map};
    cut_parts(&s, pages, n_pages, jobs > 1 ? (size_t)jobs : 1);
    atomic_init(&s.next_part, 0);
    threads_run(jobs, score_worker, &s);
    size_t kept = 0;
    for (size_t t = 0; t < ix->n_terms; t++) {
        merge_best(&s, t);
        if (ix->terms[t].df)
            ix->terms[kept++] = ix->terms[t];
    }
    ix->n_terms = kept;
    for (size_t k = 0; k < s.n_parts; k++) {
        free(s.parts[k].df);
        free(s.parts[k].best);
        free(s.parts[k].floor);
    }
    free(s.parts);
}

/* ---- bringing the last build's scores up to date ----
 * When a rebuild built a few pages again and every record has the number
 * the last build gave it, a term none of those pages holds, before or
 * now, has the scores the last build gave it: the same records, the same
 * weights and norms (the average length is on a grid), the same df. A
 * term one of them holds loses their old postings and gains their new
 * ones. Its best are then exact if its list held all its postings, or
 * still holds SEARCH_POSTINGS_MAX ranked above every posting it left out
 * (those of the changed pages too: their new postings below the old list's
 * last are left out). Otherwise the whole site is scored again. */

typedef struct term_posting {
    uint32_t term; /* global */
    search_scored scored;
} term_posting;

static int by_term_and_rank(const void *a, const void *b) {
    const term_posting *x = a, *y = b;
    if (x->term != y->term)
        return x->term < y->term ? -1 : 1;
    return by_rank(&x->scored, &y->scored);
}

/* What the changed pages hold, old and new, by global term. */
typedef struct changed_terms {
    uint32_t *old_df, *new_df;
    term_posting *added; /* the new postings, by term then rank */
    size_t n_added;
    unsigned char *in_changed; /* per record: 1 if a changed page's */
} changed_terms;

/* Adds a page's postings to ct: counted (df) and, when scored is set,
 * scored from record first on. Returns -1 for a term number past its
 * collector's (a page the last build numbered otherwise). */
static int add_page_terms(changed_terms *ct, const inverted *ix, const term_map *map,
                          const search_page *pg, uint32_t first, int scored, size_t *cap) {
    if ((size_t)pg->collector >= map->n_collectors)
        return -1;
    const uint32_t *to_global = map->map[pg->collector];
    const unsigned char *at = pg->postings, *end = at + pg->postings_len;
    for (size_t k = 0; k < pg->n_records; k++) {
        for (size_t i = 0; i < pg->records[k].count; i++) {
            search_posting post;
            if (search_posting_unpack(&at, end, &post) != 0 || post.term >= map->len[pg->collector])
                return -1;
            uint32_t t = to_global[post.term];
            if (!scored) {
                ct->old_df[t]++;
                continue;
            }
            ct->new_df[t]++;
            if (ct->n_added == *cap) {
                *cap = *cap ? *cap * 2 : 256;
                ct->added = xrealloc(ct->added, *cap * sizeof *ct->added);
            }
            uint32_t record = first + (uint32_t)k;
            ct->added[ct->n_added++] =
                (term_posting){t, {bm25_without_idf(post.weight, ix->norms[record]), record}};
        }
    }
    return 0;
}

static void free_changed_terms(changed_terms *ct) {
    free(ct->old_df);
    free(ct->new_df);
    free(ct->added);
    free(ct->in_changed);
}

/* The changed pages' terms; -1 when a page's records are not as many as
 * before or its postings do not read. */
static int find_changed_terms(changed_terms *ct, const inverted *ix, const search_page *pages,
                              size_t n_pages, const term_map *map, const search_update *up) {
    ct->old_df = xcalloc(ix->n_terms + 1, sizeof *ct->old_df);
    ct->new_df = xcalloc(ix->n_terms + 1, sizeof *ct->new_df);
    ct->in_changed = xcalloc(ix->n_records + 1, 1);
    size_t cap = 0, c = 0;
    uint32_t first = 0;
    for (size_t p = 0; p < n_pages && c < up->n_changes; p++) {
        const search_page *pg = &pages[p];
        if (up->changes[c].page == p) {
            const search_page *old = &up->changes[c++].old;
            if (old->n_records != pg->n_records ||
                add_page_terms(ct, ix, map, old, first, 0, &cap) != 0 ||
                add_page_terms(ct, ix, map, pg, first, 1, &cap) != 0)
                return -1;
            memset(ct->in_changed + first, 1, pg->n_records);
        }
        first += (uint32_t)pg->n_records;
    }
    if (c < up->n_changes)
        return -1;
    if (ct->n_added)
        qsort(ct->added, ct->n_added, sizeof *ct->added, by_term_and_rank);
    return 0;
}

/* Term t's best from the last build's (prev, NULL for a new term) and the
 * changed pages' postings added (n of them, best first). Returns 0, or
 * -1 when its best cannot be known without scoring every posting. */
static int update_term(term_postings *tp, const search_term_scores *prev, const changed_terms *ct,
                       uint32_t t, const term_posting *added, size_t n) {
    uint32_t df = prev ? prev->df : 0;
    if (df < ct->old_df[t])
        return -1; /* not the scores of the pages the page cache holds */
    tp->df = df - ct->old_df[t] + ct->new_df[t];
    int complete = !prev || prev->n == prev->df;
    if (!complete && prev->n == 0)
        return -1;
    tp->cap = (prev ? prev->n : 0) + n;
    tp->kept = xmalloc((tp->cap ? tp->cap : 1) * sizeof *tp->kept);
    tp->n = 0;
    for (uint32_t i = 0; prev && i < prev->n; i++)
        if (!ct->in_changed[prev->best[i].record])
            tp->kept[tp->n++] = prev->best[i];
    for (size_t i = 0; i < n; i++) /* below an incomplete list's last, it may not be next */
        if (complete || search_scored_above(added[i].scored, prev->best[prev->n - 1]))
            tp->kept[tp->n++] = added[i].scored;
    if (complete && tp->n != tp->df)
        return -1; /* the counts disagree: not the pages these scores were made of */
    qsort(tp->kept, tp->n, sizeof *tp->kept, by_rank);
    tp->ranked = 1;
    if (tp->n > SEARCH_CANDIDATES_MAX)
        tp->n = SEARCH_CANDIDATES_MAX;
    size_t needed = tp->df < SEARCH_POSTINGS_MAX ? tp->df : SEARCH_POSTINGS_MAX;
    return complete || tp->n >= needed ? 0 : -1;
}

/* A term none of the changed pages holds, as the last build left it. */
static void keep_term(term_postings *tp, const search_term_scores *known) {
    tp->df = known->df;
    tp->n = tp->cap = known->n;
    tp->kept = xmalloc((tp->n ? tp->n : 1) * sizeof *tp->kept);
    memcpy(tp->kept, known->best, tp->n * sizeof *tp->kept);
    tp->ranked = 1;
    tp->n_shown = known->n_shown;
    tp->records = xmalloc((tp->n_shown ? tp->n_shown : 1) * sizeof *tp->records);
    memcpy(tp->records, known->records, tp->n_shown * sizeof *tp->records);
    tp->scores = xmalloc(tp->n_shown ? tp->n_shown : 1);
    memcpy(tp->scores, known->scores, tp->n_shown);
    tp->as_before = 1;
}

static void clear_terms(inverted *ix) {
    for (size_t t = 0; t < ix->n_terms; t++) {
        free(ix->terms[t].kept);
        free(ix->terms[t].records);
        free(ix->terms[t].scores);
        ix->terms[t] = (term_postings){.term = ix->terms[t].term};
    }
}

/* Brings up->previous up to date for the changed pages (see above).
 * Returns the number of terms scored again, or -1 (ix as it was) when the
 * site must be scored as a whole. */
static long update_scores(inverted *ix, const search_page *pages, size_t n_pages,
                          const term_map *map, const search_update *up) {
    const search_scores *prev = up->previous;
    if (prev->n_records != ix->n_records || prev->avg_length != ix->avg_length)
        return -1;
    changed_terms ct = {0};
    long updated = 0;
    int rc = find_changed_terms(&ct, ix, pages, n_pages, map, up);
    const term_posting *added = ct.added;
    for (size_t t = 0; rc == 0 && t < ix->n_terms; t++) {
        term_postings *tp = &ix->terms[t];
        const search_term_scores *known = search_scores_find(prev, tp->term);
        size_t n = 0;
        while (added + n < ct.added + ct.n_added && added[n].term == t)
            n++;
        if (ct.old_df[t] || ct.new_df[t]) {
            rc = update_term(tp, known, &ct, (uint32_t)t, added, n);
            updated++;
        } else if (known) {
            keep_term(tp, known);
        } /* else no page holds it: dropped below */
        added += n;
    }
    free_changed_terms(&ct);
    if (rc != 0) {
        clear_terms(ix);
        return -1;
    }
    size_t kept = 0;
    for (size_t t = 0; t < ix->n_terms; t++) {
        term_postings *tp = &ix->terms[t];
        if (tp->df) {
            ix->terms[kept++] = *tp;
            continue;
        }
        free(tp->kept);                           /* a term kept as it was has df > 0 */
        if (search_scores_find(prev, tp->term)) { /* its shard loses it */
            size_t len = key_length(tp->term);
            char *key = xmalloc(len + 1);
            memcpy(key, tp->term, len);
            key[len] = '\0';
            strmap_put(&ix->dropped_keys, key, ix); /* (any value: the key is what counts) */
            free(key);
        }
    }
    ix->n_terms = kept;
    ix->updated = 1;
    return updated;
}

/* This build's scores, for the next (search_scores.h). */
static void save_scores(const inverted *ix, const search_update *up) {
    search_scores_begin(up->scores, up->build, (uint32_t)ix->n_records, ix->avg_length,
                        (uint32_t)ix->n_terms);
    for (size_t t = 0; t < ix->n_terms; t++) {
        const term_postings *tp = &ix->terms[t];
        search_term_scores ts = {
            tp->term,    tp->df,    (uint32_t)tp->n, tp->kept, (uint32_t)tp->n_shown,
            tp->records, tp->scores};
        search_scores_put(up->scores, &ts);
    }
    search_scores_end(up->scores);
}

static int by_term(const void *a, const void *b) {
    return strcmp(((const term_postings *)a)->term, ((const term_postings *)b)->term);
}

static int write_file(output *out, search_stats *st, const char *rel, const buf *b, diag_list *d) {
    st->files++;
    st->bytes += b->len;
    return output_write(out, rel, b->data ? b->data : "", b->len, d);
}

/* Whether the shard of terms from to to - 1 has the bytes the last build
 * wrote: its scores were brought up to date, none of its terms changed
 * and none left it. */
static int shard_as_before(const inverted *ix, size_t from, size_t to, size_t klen) {
    if (!ix->updated || strmap_get_n(&ix->dropped_keys, ix->terms[from].term, klen))
        return 0;
    for (size_t t = from; t < to; t++)
        if (!ix->terms[t].as_before)
            return 0;
    return 1;
}

static void shard_json(const inverted *ix, size_t from, size_t to, size_t klen, buf *b) {
    buf_clear(b);
    buf_puts(b, "clinicgenSearch.terms(");
    buf_json_string(b, ix->terms[from].term, klen);
    buf_puts(b, ",{");
    for (size_t t = from; t < to; t++) {
        const term_postings *tp = &ix->terms[t];
        if (t > from)
            buf_putc(b, ',');
        buf_json_string(b, tp->term, strlen(tp->term));
        buf_puts(b, ":[");
        for (size_t i = 0; i < tp->n_shown; i++) {
            if (i)
                buf_putc(b, ',');
            buf_put_uint(b, tp->records[i] - (i ? tp->records[i - 1] : 0));
            buf_putc(b, ',');
            buf_put_uint(b, tp->scores[i]);
        }
        buf_putc(b, ']');
    }
    buf_puts(b, "});\n");
}

/* A file per shard key; one whose terms are as the last build left them
 * is kept without being made again. */
static int write_shards(const inverted *ix, output *out, buf *keys, search_stats *st,
                        diag_list *d) {
    buf b = BUF_INIT, name = BUF_INIT;
    int rc = 0;
    for (size_t t = 0; t < ix->n_terms && rc == 0;) {
        const char *first = ix->terms[t].term;
        size_t klen = key_length(first), start = t;
        buf_puts(keys, keys->len > 1 ? "," : "");
        buf_json_string(keys, first, klen);
        while (t < ix->n_terms && key_length(ix->terms[t].term) == klen &&
               !strncmp(ix->terms[t].term, first, klen))
            t++;
        buf_clear(&name);
        buf_puts(&name, "search/t-");
        for (size_t i = 0; i < klen; i++)
            buf_printf(&name, "%02x", (unsigned char)first[i]);
        buf_puts(&name, ".js");
        uint64_t size = 0;
        int kept =
            shard_as_before(ix, start, t, klen) ? output_keep(out, buf_cstr(&name), &size, d) : 1;
        if (kept == 0) {
            st->files++;
            st->bytes += size;
            continue;
        }
        if (kept < 0) {
            rc = -1;
            break;
        }
        shard_json(ix, start, t, klen, &b);
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

/* The records of one file, until it is complete: a page's records from
 * from to to (the last of its records when last is set). */
typedef struct pending_records {
    search_page *pg;
    size_t from, to;
    int last;
} pending_records;

struct search_records {
    output *out;
    buf name;
    size_t r, files; /* records so far; files done */
    pending_records pending[SEARCH_RECORDS_PER_FILE];
    size_t n_pending;
    int unchanged;     /* every record of the file so far is as the last build wrote it */
    search_files made; /* not yet taken */
    search_stats stats;
    int rc;
};

search_records *search_records_new(output *out) {
    search_records *w = xcalloc(1, sizeof *w);
    w->out = out;
    return w;
}

/* Makes the file of the pending records, unless it is the last build's
 * (the last file, which may have held more records, is always made); then
 * frees the strings of the pages whose last records these were. */
static void flush_records(search_records *w, int last_file, diag_list *d) {
    buf_clear(&w->name);
    buf_printf(&w->name, "search/r-%zu.js", w->files);
    uint64_t size;
    int kept = w->unchanged && !last_file ? output_keep(w->out, buf_cstr(&w->name), &size, d) : 1;
    if (kept < 0) {
        w->rc = -1; /* reported: the path is taken */
    } else if (kept == 0) {
        w->stats.files++;
        w->stats.bytes += size;
    } else {
        buf file = BUF_INIT;
        buf_printf(&file, "clinicgenSearch.records(%zu,[", w->files);
        size_t at = 0; /* the record's place in the file */
        for (size_t i = 0; i < w->n_pending; i++) {
            const pending_records *p = &w->pending[i];
            for (size_t k = p->from; k < p->to; k++, at++) {
                if (at)
                    buf_putc(&file, ',');
                record_json(&file, p->pg, &p->pg->records[k], k > 0 && at > 0);
            }
        }
        buf_puts(&file, "]);\n");
        w->stats.files++;
        w->stats.bytes += file.len;
        search_files *made = &w->made;
        if (made->len == made->cap) {
            made->cap = made->cap ? made->cap * 2 : 8;
            made->items = xrealloc(made->items, made->cap * sizeof *made->items);
        }
        made->items[made->len++] = (search_file){xstrdup(buf_cstr(&w->name)), file};
    }
    for (size_t i = 0; i < w->n_pending; i++)
        if (w->pending[i].last) /* the index needs only their numbers */
            search_page_free_texts(w->pending[i].pg);
    w->files++;
    w->n_pending = 0;
}

int search_records_add(search_records *w, search_page *pg, int unchanged, diag_list *d) {
    for (size_t k = 0; k < pg->n_records;) {
        size_t in_file = w->r % SEARCH_RECORDS_PER_FILE;
        size_t take = SEARCH_RECORDS_PER_FILE - in_file;
        if (take > pg->n_records - k)
            take = pg->n_records - k;
        w->unchanged = (in_file == 0 || w->unchanged) && unchanged;
        w->pending[w->n_pending++] = (pending_records){pg, k, k + take, k + take == pg->n_records};
        k += take;
        w->r += take;
        if (w->r % SEARCH_RECORDS_PER_FILE == 0)
            flush_records(w, 0, d);
    }
    return w->rc;
}

void search_records_take(search_records *w, search_files *out) {
    search_files *made = &w->made;
    if (out->len + made->len > out->cap) {
        out->cap = out->len + made->len;
        out->items = xrealloc(out->items, out->cap * sizeof *out->items);
    }
    if (made->len)
        memcpy(out->items + out->len, made->items, made->len * sizeof *made->items);
    out->len += made->len;
    made->len = 0;
}

static void search_files_free(search_files *f) {
    for (size_t i = 0; i < f->len; i++) {
        free(f->items[i].rel);
        buf_free(&f->items[i].data);
    }
    free(f->items);
    *f = (search_files){0};
}

int search_files_write(search_files *f, output *out, diag_list *d) {
    int rc = 0;
    for (size_t i = 0; i < f->len; i++) {
        const buf *data = &f->items[i].data;
        if (output_write(out, f->items[i].rel, data->data ? data->data : "", data->len, d) != 0)
            rc = -1;
    }
    search_files_free(f);
    return rc;
}

int search_records_finish(search_records *w, diag_list *d) {
    if (w->n_pending)
        flush_records(w, 1, d);
    search_files rest = {0};
    search_records_take(w, &rest);
    if (search_files_write(&rest, w->out, d) != 0)
        w->rc = -1;
    return w->rc;
}

void search_records_free(search_records *w) {
    if (!w)
        return;
    search_files_free(&w->made); /* made but not written: the build failed */
    buf_free(&w->name);
    free(w);
}

static void free_index(inverted *ix) {
    for (size_t t = 0; t < ix->n_terms; t++) {
        free(ix->terms[t].kept);
        free(ix->terms[t].records);
        free(ix->terms[t].scores);
    }
    free(ix->terms);
    free(ix->norms);
    strmap_free(&ix->dropped_keys);
}

/* Every term's best postings, from the last build's when they can be
 * brought up to date, else from scoring every posting. */
static void make_scores(inverted *ix, const search_page *pages, size_t n_pages,
                        search_collector *const *collectors, int jobs, const search_update *up,
                        search_stats *stats) {
    term_map map = {0};
    for (size_t p = 0; p < n_pages; p++)
        if ((size_t)pages[p].collector + 1 > map.n_collectors)
            map.n_collectors = (size_t)pages[p].collector + 1;
    for (size_t c = 0; up && c < up->n_changes; c++)
        if ((size_t)up->changes[c].old.collector + 1 > map.n_collectors)
            map.n_collectors = (size_t)up->changes[c].old.collector + 1;
    merge_dictionaries(ix, collectors, &map);
    set_norms(ix, pages, n_pages);
    long updated = up && up->previous ? update_scores(ix, pages, n_pages, &map, up) : -1;
    if (updated < 0)
        score_terms(ix, pages, n_pages, &map, jobs);
    stats->updated = updated >= 0;
    stats->terms_updated = updated >= 0 ? (size_t)updated : 0;
    term_map_free(&map);
    finish_terms(ix);
    if (ix->n_terms) /* a site with nothing to search: qsort must not see NULL */
        qsort(ix->terms, ix->n_terms, sizeof *ix->terms, by_term);
    if (up && up->scores)
        save_scores(ix, up);
}

int search_index_write(search_page *pages, size_t n_pages, search_collector *const *collectors,
                       const search_synonyms *syn, const search_records *records, int jobs,
                       const search_update *update, output *out, search_stats *stats,
                       diag_list *d) {
    inverted ix = {0};
    memset(stats, 0, sizeof *stats);
    make_scores(&ix, pages, n_pages, collectors, jobs, update, stats);
    stats->records = ix.n_records;
    stats->terms = ix.n_terms;
    buf keys = BUF_INIT, meta = BUF_INIT;
    buf_putc(&keys, '[');
    int rc = write_shards(&ix, out, &keys, stats, d);
    stats->files += records->stats.files;
    stats->bytes += records->stats.bytes;
    if (rc == 0)
        rc = records->rc;
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
