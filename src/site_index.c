/* site_index: concerns, related procedures and the A-Z index. */
#include "site_index.h"

#include "buf.h"
#include "text.h"
#include "tokenize.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- concerns ---- */

static const char CONCERNS_SECTION[] = "concerns";

/* The last part of a URL path: "concerns/acne-scars/" -> "acne-scars". */
static char *url_slug(const char *url_path) {
    size_t n = strlen(url_path);
    while (n && url_path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start && url_path[start - 1] != '/')
        start--;
    return xstrndup(url_path + start, n - start);
}

static int in_concerns_section(const page *p) {
    size_t n = sizeof CONCERNS_SECTION - 1;
    return !strncmp(p->section_path, CONCERNS_SECTION, n) &&
           (p->section_path[n] == '\0' || p->section_path[n] == '/');
}

/* The concerns/ listing shows every concern, also those written elsewhere. */
static void list_concern(site_model *m, page *concern) {
    if (in_concerns_section(concern))
        return; /* its own section lists it */
    page *listing = site_section_page(m, CONCERNS_SECTION);
    page_list_push(&listing->children, &listing->n_children, concern);
}

/* Every written concern page by its slug. */
static void index_concern_pages(site_model *m, strmap *by_slug, diag_list *d) {
    size_t n = m->n_pages; /* the concerns/ listing may be added */
    for (size_t i = 0; i < n; i++) {
        page *p = m->pages[i];
        if (p->kind != KIND_CONCERN)
            continue;
        char *slug = url_slug(p->url_path);
        page *other = strmap_put(by_slug, slug, p);
        if (other) {
            strmap_put(by_slug, slug, other);
            diag_error(d, p->display_path, 0, 0,
                       "this concern page and %s both have the slug '%s', which procedures "
                       "name in 'concerns'; give one of them another 'slug'",
                       other->display_path, slug);
        }
        free(slug);
        list_concern(m, p);
    }
}

/* The title of a concern named without a page: as the procedure wrote it,
 * or from its slug ("acne-scars" -> "Acne scars"). */
static char *concern_title(const char *name, const char *slug) {
    if (strcmp(name, slug) != 0)
        return xstrdup(name);
    char *title = xstrdup(slug);
    for (char *c = title; *c; c++)
        if (*c == '-')
            *c = ' ';
    title[0] = (char)toupper((unsigned char)title[0]);
    return title;
}

static page *made_up_concern(site_model *m, const char *name, const char *slug) {
    char *url = xasprintf("%s/%s/", CONCERNS_SECTION, slug);
    char *title = concern_title(name, slug);
    page *c = page_new_virtual(KIND_CONCERN, url, title);
    free(url);
    free(title);
    free(c->section_path);
    c->section_path = xstrdup(CONCERNS_SECTION);
    c->parent = site_section_page(m, CONCERNS_SECTION);
    page_list_push(&c->parent->children, &c->parent->n_children, c);
    site_add_page(m, c);
    return c;
}

static int has_page(page *const *list, size_t n, const page *p) {
    for (size_t i = 0; i < n; i++)
        if (list[i] == p)
            return 1;
    return 0;
}

static void link_procedure(site_model *m, page *p, strmap *by_slug) {
    for (size_t k = 0; k < p->n_concerns; k++) {
        char *slug = text_slugify(p->concerns[k], strlen(p->concerns[k]));
        if (!*slug) {
            free(slug);
            slug = xstrdup("concern");
        }
        page *c = strmap_get(by_slug, slug);
        if (!c) {
            c = made_up_concern(m, p->concerns[k], slug);
            strmap_put(by_slug, slug, c);
        }
        free(slug);
        if (has_page(p->concern_pages, p->n_concern_pages, c))
            continue; /* named twice */
        page_list_push(&p->concern_pages, &p->n_concern_pages, c);
        page_list_push(&c->treated_by, &c->n_treated_by, p);
    }
}

void site_index_concerns(site_model *m, diag_list *d) {
    strmap by_slug = STRMAP_INIT;
    index_concern_pages(m, &by_slug, d);
    size_t n = m->n_pages; /* made-up concerns are added below */
    for (size_t i = 0; i < n; i++) {
        page *p = m->pages[i];
        if (!p->n_concerns)
            continue;
        if (p->kind == KIND_PROCEDURE) {
            link_procedure(m, p, &by_slug);
        } else {
            diag_warning(d, p->display_path, p->concerns_line, p->concerns_col,
                         "'concerns' links a procedure to the concerns it treats; this page is "
                         "a %s, so its concerns are not linked",
                         page_kind_name(p->kind));
        }
    }
    strmap_free(&by_slug); /* the site model sorts treated_by with the other listings */
}

/* ---- related procedures ---- */

/* The procedures (by listing rank) that share one concern or tag. */
typedef struct posting {
    size_t *ranks; /* ascending */
    size_t n;
    unsigned weight;
} posting;

/* One procedure's concerns and tags, each once. */
typedef struct terms {
    posting **items; /* borrowed from the postings map */
    size_t n;
} terms;

typedef struct related_index {
    strmap by_key; /* "c:URL" or "t:SLUG" -> posting (owned) */
    terms *of;     /* per procedure, by rank */
    page **procs;  /* the procedures in listing order */
    size_t n_procs;
} related_index;

static void add_term(related_index *ix, size_t rank, const char *key, unsigned weight) {
    posting *post = strmap_get(&ix->by_key, key);
    if (!post) {
        post = xcalloc(1, sizeof *post);
        post->weight = weight;
        strmap_put(&ix->by_key, key, post);
    }
    if (post->n && post->ranks[post->n - 1] == rank)
        return; /* the same tag twice on one page */
    post->ranks = xrealloc(post->ranks, (post->n + 1) * sizeof *post->ranks);
    post->ranks[post->n++] = rank;
    terms *t = &ix->of[rank];
    t->items = xrealloc(t->items, (t->n + 1) * sizeof *t->items);
    t->items[t->n++] = post;
}

static void related_index_build(related_index *ix, const site_model *m) {
    memset(ix, 0, sizeof *ix);
    ix->procs = xcalloc(m->n_pages + 1, sizeof *ix->procs);
    for (size_t i = 0; i < m->n_pages; i++)
        if (m->pages[i]->kind == KIND_PROCEDURE)
            ix->procs[ix->n_procs++] = m->pages[i];
    qsort(ix->procs, ix->n_procs, sizeof *ix->procs, site_compare_ranked);
    ix->of = xcalloc(ix->n_procs + 1, sizeof *ix->of);
    buf key = BUF_INIT;
    for (size_t r = 0; r < ix->n_procs; r++) {
        page *p = ix->procs[r];
        p->procedure_rank = r + 1;
        for (size_t k = 0; k < p->n_concern_pages; k++) {
            buf_clear(&key);
            buf_puts(&key, "c:");
            buf_puts(&key, p->concern_pages[k]->url_path);
            add_term(ix, r, buf_cstr(&key), 2);
        }
        for (size_t k = 0; k < p->n_tags; k++) {
            char *slug = text_slugify(p->tags[k], strlen(p->tags[k]));
            buf_clear(&key);
            buf_puts(&key, "t:");
            buf_puts(&key, slug);
            free(slug);
            add_term(ix, r, buf_cstr(&key), 1);
        }
    }
    buf_free(&key);
}

static void related_index_free(related_index *ix) {
    for (size_t i = 0; i < ix->by_key.cap; i++) {
        posting *post = ix->by_key.slots[i].key ? ix->by_key.slots[i].value : NULL;
        if (post) {
            free(post->ranks);
            free(post);
        }
    }
    strmap_free(&ix->by_key);
    for (size_t r = 0; r < ix->n_procs; r++)
        free(ix->of[r].items);
    free(ix->of);
    free(ix->procs);
}

/* A procedure's score and listing rank, as the result ranks them. */
typedef struct ranked {
    unsigned score;
    size_t rank;
} ranked;

/* Adds q to best[0..n) (best first; a lower rank wins a tie) if it is among
 * the SITE_RELATED_MAX best; returns the new count. */
static size_t place(ranked *best, size_t n, ranked q) {
    size_t at = n;
    while (at > 0 && (best[at - 1].score < q.score ||
                      (best[at - 1].score == q.score && best[at - 1].rank > q.rank)))
        at--;
    if (at >= SITE_RELATED_MAX)
        return n;
    if (n == SITE_RELATED_MAX)
        n--;
    memmove(best + at + 1, best + at, (n - at) * sizeof *best);
    best[at] = q;
    return n + 1;
}

static size_t set_related(const related_index *ix, const ranked *best, size_t n, page **out) {
    for (size_t i = 0; i < n; i++)
        out[i] = ix->procs[best[i].rank];
    return n;
}

/* Scores every procedure sharing a term with procedure r. */
static size_t rank_related(const related_index *ix, size_t r, page **out) {
    unsigned *score = xcalloc(ix->n_procs + 1, sizeof *score);
    size_t *touched = xcalloc(ix->n_procs + 1, sizeof *touched);
    size_t n_touched = 0;
    const terms *t = &ix->of[r];
    for (size_t k = 0; k < t->n; k++) {
        const posting *post = t->items[k];
        for (size_t j = 0; j < post->n; j++) {
            size_t q = post->ranks[j];
            if (q == r)
                continue;
            if (!score[q])
                touched[n_touched++] = q;
            score[q] += post->weight;
        }
    }
    ranked best[SITE_RELATED_MAX];
    size_t n_best = 0;
    for (size_t i = 0; i < n_touched; i++)
        n_best = place(best, n_best, (ranked){score[touched[i]], touched[i]});
    free(score);
    free(touched);
    return set_related(ix, best, n_best, out);
}

/* ---- the same, without visiting every procedure that shares a term ----
 * A procedure q's score is the weight of the set of r's terms it shares,
 * S(q). Taking the subsets S of r's terms heaviest first, and for each the
 * procedures whose S(q) is exactly S in listing order, meets candidates in
 * the order the result ranks them; it stops once no lighter subset can
 * place one. Popular tags no longer cost every procedure a pass over
 * everyone holding them, which made this quadratic in the site's size. */

enum { SUBSET_TERMS = 8 }; /* more terms than this: score everyone (2^8 subsets) */

/* The set of t's terms (bit j: t->items[j]) that procedure q has too. */
static unsigned shared_terms(const related_index *ix, const terms *t, size_t q) {
    const terms *u = &ix->of[q];
    unsigned set = 0;
    for (size_t j = 0; j < t->n; j++)
        for (size_t k = 0; k < u->n; k++)
            if (u->items[k] == t->items[j]) {
                set |= 1u << j;
                break;
            }
    return set;
}

typedef struct subset {
    unsigned set, weight;
} subset;

static int heavier_first(const void *a, const void *b) {
    const subset *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return x->set < y->set ? -1 : x->set > y->set;
}

/* The procedures sharing exactly the terms `set` with r, in listing order. */
static size_t place_subset(const related_index *ix, size_t r, subset s, ranked *best, size_t n) {
    const terms *t = &ix->of[r];
    const posting *shortest = NULL;
    for (size_t j = 0; j < t->n; j++)
        if ((s.set >> j & 1) && (!shortest || t->items[j]->n < shortest->n))
            shortest = t->items[j];
    for (size_t i = 0; i < shortest->n; i++) {
        size_t q = shortest->ranks[i];
        if (n == SITE_RELATED_MAX && s.weight == best[n - 1].score && q > best[n - 1].rank)
            break; /* ties go to the earlier procedure: no later one places */
        if (q != r && shared_terms(ix, t, q) == s.set)
            n = place(best, n, (ranked){s.weight, q});
    }
    return n;
}

static size_t rank_related_by_subsets(const related_index *ix, size_t r, page **out) {
    const terms *t = &ix->of[r];
    subset subsets[1u << SUBSET_TERMS];
    size_t n_subsets = 0;
    for (unsigned set = 1; set < 1u << t->n; set++) {
        unsigned weight = 0;
        for (size_t j = 0; j < t->n; j++)
            weight += (set >> j & 1) ? t->items[j]->weight : 0;
        subsets[n_subsets++] = (subset){set, weight};
    }
    qsort(subsets, n_subsets, sizeof *subsets, heavier_first);
    ranked best[SITE_RELATED_MAX];
    size_t n = 0;
    for (size_t i = 0; i < n_subsets; i++) {
        if (n == SITE_RELATED_MAX && subsets[i].weight < best[n - 1].score)
            break;
        n = place_subset(ix, r, subsets[i], best, n);
    }
    return set_related(ix, best, n, out);
}

void site_index_related(site_model *m) {
    site_index_related_free(m);
    m->related = xmalloc(sizeof *m->related);
    related_index_build(m->related, m);
}

void site_index_related_free(site_model *m) {
    if (!m->related)
        return;
    related_index_free(m->related);
    free(m->related);
    m->related = NULL;
}

size_t site_related(const site_model *m, const page *p, page **out) {
    const related_index *ix = m->related;
    if (!ix || !p->procedure_rank || p->procedure_rank > ix->n_procs)
        return 0; /* p may be a worker's copy of the model's page: its rank tells which */
    size_t r = p->procedure_rank - 1;
    return ix->of[r].n <= SUBSET_TERMS ? rank_related_by_subsets(ix, r, out)
                                       : rank_related(ix, r, out);
}

/* ---- the A-Z index ---- */

typedef struct az_entry {
    page *p;
    char *key; /* the title folded: lower case, no accents */
    int group;
} az_entry;

static int compare_az(const void *a, const void *b) {
    const az_entry *x = a, *y = b;
    if (x->group != y->group)
        return x->group - y->group;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    c = strcmp(x->p->title, y->p->title);
    return c ? c : strcmp(x->p->url_path, y->p->url_path);
}

static size_t az_before(const void *e) {
    return ((const az_entry *)e)->p->az_before;
}

static int is_written(const page *p) {
    return p->source && p->kind != KIND_HOME && p->kind != KIND_SECTION;
}

void site_index_az(site_model *m) {
    az_entry *entries = xcalloc(m->n_pages + 1, sizeof *entries);
    size_t n = 0;
    buf key = BUF_INIT;
    for (size_t i = 0; i < m->n_pages; i++) {
        page *p = m->pages[i];
        if (!is_written(p))
            continue;
        buf_clear(&key);
        tokenize_fold_text(&key, p->title, strlen(p->title));
        char first = buf_cstr(&key)[0];
        entries[n].p = p;
        entries[n].key = xstrdup(buf_cstr(&key));
        entries[n].group = first >= 'a' && first <= 'z' ? first - 'a' : SITE_AZ_GROUPS - 1;
        n++;
    }
    buf_free(&key);
    site_sort_as_before(entries, n, sizeof *entries, compare_az, az_before);
    for (size_t i = 0; i < n; i++)
        entries[i].p->az_rank = i + 1;
    page *az = page_new_virtual(KIND_AZ, "a-z/", "A\xE2\x80\x93Z index");
    az->parent = m->home;
    az->children = xcalloc(n + 1, sizeof *az->children);
    memset(m->az_start, 0, sizeof m->az_start);
    for (size_t i = 0; i < n; i++) {
        az->children[az->n_children++] = entries[i].p;
        m->az_start[entries[i].group + 1] = i + 1;
        free(entries[i].key);
    }
    for (int g = 1; g <= SITE_AZ_GROUPS; g++) /* empty groups start where the last one ended */
        if (m->az_start[g] < m->az_start[g - 1])
            m->az_start[g] = m->az_start[g - 1];
    free(entries);
    site_add_page(m, az);
    m->az = az;
}
