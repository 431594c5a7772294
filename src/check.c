/* check: the content lint, run over the build's own stages. */
#include "check.h"

#include "ast.h"
#include "filter.h"
#include "fsutil.h"
#include "markdown.h"
#include "project.h"
#include "readability.h"
#include "render_html.h"
#include "site.h"
#include "strmap.h"
#include "template_render.h"
#include "text.h"
#include "threads.h"
#include "tokenize.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Front matter keys clinicgen, its filters and its templates read. */
static const char *const known_keys[] = {
    "title",     "summary",          "kind",        "date",          "updated",
    "reviewed",  "reviewer",         "tags",        "concerns",      "contraindications",
    "aftercare", "call_provider_if", "preparation", "how_performed", "aliases",
    "draft",     "weight",           "slug",        "layout"};

enum { N_KNOWN_KEYS = sizeof known_keys / sizeof *known_keys };

/* ---- small pieces ---- */

size_t check_edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    size_t *rows = xcalloc(3 * (m + 1), sizeof *rows);
    size_t *before = rows, *prev = rows + m + 1, *cur = rows + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + 1 < best)
                best = before[j - 2] + 1; /* two neighbours swapped */
            cur[j] = best;
        }
        size_t *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    size_t distance = prev[m];
    free(rows);
    return distance;
}

size_t check_edit_distance_within(const char *a, const char *b, size_t max) {
    size_t n = strlen(a), m = strlen(b), far = max + 1;
    if ((n > m ? n - m : m - n) > max)
        return far;
    /* only the band |i - j| <= max of the table can hold a distance up to
     * max; the cells beside the band read as far */
    size_t *rows = xcalloc(3 * (m + 2), sizeof *rows);
    size_t *before = rows, *prev = rows + m + 2, *cur = rows + 2 * (m + 2);
    for (size_t j = 0; j <= m + 1; j++)
        before[j] = prev[j] = cur[j] = far;
    for (size_t j = 0; j <= m && j <= max; j++)
        prev[j] = j;
    size_t distance = far;
    for (size_t i = 1; i <= n; i++) {
        size_t lo = i > max ? i - max : 1, hi = i + max < m ? i + max : m;
        cur[lo - 1] = lo == 1 && i <= max ? i : far;
        size_t row_min = cur[lo - 1];
        for (size_t j = lo; j <= hi; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            cur[j] = best < far ? best : far;
            if (cur[j] < row_min)
                row_min = cur[j];
        }
        cur[hi + 1] = far;
        if (row_min > max)
            goto done; /* every path from here only grows */
        size_t *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    distance = prev[m] < far ? prev[m] : far;
done:
    free(rows);
    return distance;
}

static int is_known_key(const char *key) {
    for (size_t i = 0; i < N_KNOWN_KEYS; i++)
        if (!strcmp(key, known_keys[i]))
            return 1;
    return 0;
}

const char *check_key_suggestion(const char *key) {
    if (is_known_key(key))
        return NULL;
    char *lower = xstrdup(key);
    for (char *c = lower; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    size_t allowed = strlen(key) < 5 ? 1 : 2;
    const char *best = NULL;
    size_t best_distance = allowed + 1;
    for (size_t i = 0; i < N_KNOWN_KEYS; i++) {
        size_t dist = check_edit_distance(lower, known_keys[i]);
        if (dist < best_distance) {
            best = known_keys[i];
            best_distance = dist;
        }
    }
    free(lower);
    return best;
}

static int days_in_month(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

page_date check_add_months(page_date d, int months) {
    int m = d.year * 12 + (d.month - 1) + months;
    page_date r = {m / 12, m % 12 + 1, d.day};
    int last = days_in_month(r.year, r.month);
    if (r.day > last)
        r.day = last;
    return r;
}

static int date_compare(const page_date *a, const page_date *b) {
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    return a->day < b->day ? -1 : a->day > b->day;
}

static const value_pair *front_pair(const value *front, const char *key) {
    for (size_t i = 0; front && front->type == VALUE_MAP && i < front->len; i++)
        if (!strcmp(front->pairs[i].key, key))
            return &front->pairs[i];
    return NULL;
}

/* ---- what the lint keeps of each page ---- */

/* A link that names an anchor, for the second pass. */
typedef struct anchor_link {
    int line, col;
    char *written; /* the link as written */
    char *id;      /* the anchor, percent-decoded */
    size_t target; /* the page it names (index), or SIZE_MAX: not checked */
} anchor_link;

typedef struct page_check {
    diag_list d;
    int read;   /* the body went through the filters: ids is complete */
    strmap ids; /* ids on the page (values unused) */
    anchor_link *links;
    size_t n_links;
    int title_line; /* where the title is written; 0 when unknown */
    readability prose;
} page_check;

typedef struct check_ctx {
    const check_options *opt;
    project pr;
    site_model model;
    filter_env *filters;
    page_check *pages; /* one per page of the model */
    strmap by_url;     /* url_path -> page_check, for written pages */
    buf scratch;       /* rendered HTML, thrown away */
} check_ctx;

static const page *page_at(const check_ctx *c, size_t i) {
    return c->model.pages[i];
}

/* ---- front matter ---- */

static void check_front_keys(const page *p, diag_list *d) {
    for (size_t i = 0; p->front->type == VALUE_MAP && i < p->front->len; i++) {
        const value_pair *kv = &p->front->pairs[i];
        const char *known = check_key_suggestion(kv->key);
        if (known)
            diag_warning(d, p->display_path, kv->line, kv->col,
                         "unknown front matter key '%s': did you mean '%s'?", kv->key, known);
    }
}

static int needs_review(page_kind kind) {
    return kind == KIND_PROCEDURE || kind == KIND_FAQ || kind == KIND_CONCERN;
}

static void check_review(const check_ctx *c, const page *p, diag_list *d) {
    const value_pair *kv = front_pair(p->front, "reviewed");
    if (!p->reviewed.year) {
        if ((!kv || kv->val->type == VALUE_NULL) && needs_review(p->kind))
            diag_warning(d, p->display_path, 1, 0,
                         "no 'reviewed' date: %s pages need the date of their last medical "
                         "review (reviewed: YYYY-MM-DD)",
                         p->kind == KIND_FAQ ? "FAQ" : page_kind_name(p->kind));
        return;
    }
    int line = kv ? kv->line : 0, col = kv ? kv->col : 0;
    char when[16], due_s[16];
    page_format_date(&p->reviewed, when, sizeof when);
    if (date_compare(&p->reviewed, &c->opt->today) > 0) {
        diag_warning(d, p->display_path, line, col, "'reviewed' is %s, a date in the future", when);
        return;
    }
    int max = c->pr.cfg.review_max_age_months;
    page_date due = check_add_months(p->reviewed, max);
    if (date_compare(&c->opt->today, &due) > 0) {
        page_format_date(&due, due_s, sizeof due_s);
        diag_warning(d, p->display_path, line, col,
                     "the last review (%s) is more than %d month%s old: the next was due by %s "
                     "(review_max_age_months in site.yaml)",
                     when, max, max == 1 ? "" : "s", due_s);
    }
}

/* ---- the body, before the filters ---- */

/* A fence the filters fill (```aftercare) that adds rows of its own. */
static int has_filled_fence(const ast_node *root, const char *name) {
    int entering = 1;
    ast_node *top = (ast_node *)root;
    size_t n = strlen(name);
    for (ast_node *x = top; x; x = ast_next(top, x, &entering)) {
        if (!entering || x->type != AST_CODE_BLOCK || !x->info)
            continue;
        const char *info = x->info + strspn(x->info, " \t");
        if (strncmp(info, name, n) != 0 || (info[n] && !isspace((unsigned char)info[n])))
            continue;
        if (x->text && x->text[strspn(x->text, " \t\r\n")])
            return 1;
    }
    return 0;
}

static void check_care(const page *p, const ast_node *root, diag_list *d) {
    static const char *const keys[] = {"contraindications", "aftercare"};
    if (p->kind != KIND_PROCEDURE)
        return;
    for (size_t i = 0; i < 2; i++) {
        const value_pair *kv = front_pair(p->front, keys[i]);
        const value *v = kv ? kv->val : NULL;
        int listed = v && v->type != VALUE_NULL && !(v->type == VALUE_LIST && v->len == 0);
        if (listed || has_filled_fence(root, keys[i]))
            continue;
        diag_warning(d, p->display_path, kv ? kv->line : 1, kv ? kv->col : 0,
                     "this procedure lists no %s: add '%s' to its front matter (see the "
                     "README's 'Contraindications, preparation, aftercare and when to call')",
                     keys[i], keys[i]);
    }
}

/* Where the title is written: its front matter line, or the opening heading's. */
static int title_line(const page *p, const md_doc *doc) {
    const value_pair *kv = front_pair(p->front, "title");
    if (kv && !p->title_from_heading)
        return kv->line;
    const ast_node *first = doc->ast.root->first;
    if (p->title_from_heading && first && first->type == AST_HEADING && first->line)
        return first->line + p->body_line - 1;
    return 0;
}

/* ---- the body, after the filters ---- */

static int filter_body(check_ctx *c, const page *p, md_doc *doc, diag_list *d) {
    char *url = site_page_url(&c->model, p);
    filter_page fp = {p->display_path,         p->front,        p->source, url,
                      page_kind_name(p->kind), p->section_path, p->title};
    int rc = filter_env_run(c->filters, &doc->ast, &fp, d);
    free(url);
    return rc;
}

static int body_line(const page *p, const ast_node *n) {
    return n->line ? n->line + p->body_line - 1 : 0;
}

static void check_images(const page *p, const ast_node *root, diag_list *d) {
    int entering = 1;
    ast_node *top = (ast_node *)root;
    for (ast_node *n = top; n; n = ast_next(top, n, &entering)) {
        if (!entering || n->type != AST_IMAGE)
            continue;
        char *alt = ast_plain_text(n);
        if (!alt[strspn(alt, " \t\r\n")])
            diag_error(d, p->display_path, body_line(p, n), n->line ? n->col : 0,
                       "the image '%s' has no alt text: say what it shows between the "
                       "brackets, ![what it shows](%s)",
                       n->url ? n->url : "", n->url ? n->url : "");
        free(alt);
    }
}

/* Links that name an anchor, before markdown_prepare rewrites them; their
 * nodes go to *nodes (caller frees) to find the pages they resolve to. */
static size_t collect_anchor_links(page_check *pc, const page *p, const md_doc *doc,
                                   ast_node ***nodes) {
    int entering = 1;
    ast_node *root = doc->ast.root;
    *nodes = NULL;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        const char *hash = entering && n->type == AST_LINK && n->url ? strchr(n->url, '#') : NULL;
        if (!hash || !hash[1] || text_url_has_scheme(n->url))
            continue;
        pc->links = xrealloc(pc->links, (pc->n_links + 1) * sizeof *pc->links);
        *nodes = xrealloc(*nodes, (pc->n_links + 1) * sizeof **nodes);
        (*nodes)[pc->n_links] = n;
        pc->links[pc->n_links++] =
            (anchor_link){body_line(p, n), n->line ? n->col : 0, xstrdup(n->url),
                          text_percent_decode(hash + 1, strlen(hash + 1)), SIZE_MAX};
    }
    return pc->n_links;
}

/* The page a rewritten link names: a site URL of a written page. */
static size_t link_target(const check_ctx *c, size_t from, const anchor_link *l, const char *url) {
    if (l->written[0] == '#')
        return from;
    const char *base = c->pr.cfg.base_path;
    size_t n = strlen(base);
    if (strncmp(url, base, n) != 0 || url[1] == '/')
        return SIZE_MAX; /* left as written: it found nothing, or it is another site's */
    const char *rest = url + n;
    const page_check *t = strmap_get_n(&c->by_url, rest, strcspn(rest, "?#"));
    return t ? (size_t)(t - c->pages) : SIZE_MAX;
}

static void collect_ids(page_check *pc, const md_doc *doc) {
    for (size_t i = 0; i < doc->n_headings; i++)
        strmap_put(&pc->ids, doc->headings[i].id, pc);
    int entering = 1;
    ast_node *root = doc->ast.root;
    char id[48];
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        if (!entering)
            continue;
        if (n->type == AST_FOOTNOTE_DEFINITION)
            snprintf(id, sizeof id, "footnote-%d", n->number);
        else if (n->type == AST_FOOTNOTE_REFERENCE)
            snprintf(id, sizeof id, "footnote-ref-%d", n->number);
        else
            continue;
        strmap_put(&pc->ids, id, pc);
    }
}

/* Heading ids and links as the build makes them; the HTML (for its
 * warnings about raw HTML) is thrown away. */
static void prepare_body(check_ctx *c, size_t i, md_doc *doc) {
    const page *p = page_at(c, i);
    page_check *pc = &c->pages[i];
    ast_node **nodes;
    size_t n = collect_anchor_links(pc, p, doc, &nodes);
    md_source src = {p->display_path, p->body_line - 1, p->title};
    site_link_origin origin = {&c->model, p};
    link_resolver links = {site_resolve_link, &origin, p->dir};
    markdown_prepare(doc, &src, &links, (const char *const *)c->pr.templates->reserved_ids, &pc->d);
    render_options ropt = {c->pr.cfg.unsafe_html, p->display_path, p->body_line - 1};
    buf_clear(&c->scratch);
    render_html(doc->ast.root, &ropt, &c->scratch, &pc->d);
    for (size_t k = 0; k < n; k++)
        pc->links[k].target = link_target(c, i, &pc->links[k], nodes[k]->url);
    free(nodes);
    collect_ids(pc, doc);
    pc->read = 1;
}

/* The first pass: everything one page can tell about itself. */
static void check_page(check_ctx *c, size_t i) {
    const page *p = page_at(c, i);
    page_check *pc = &c->pages[i];
    check_front_keys(p, &pc->d);
    render_template_for(c->pr.templates, p, &pc->d); /* warns about a missing layout */
    check_review(c, p, &pc->d);
    md_doc doc;
    uint64_t text_hash;
    if (project_parse_body(&c->pr, p, &doc, NULL, &text_hash, &pc->d) != 0)
        return;
    pc->title_line = title_line(p, &doc);
    check_care(p, doc.ast.root, &pc->d);
    if (filter_body(c, p, &doc, &pc->d) == 0) {
        check_images(p, doc.ast.root, &pc->d);
        prepare_body(c, i, &doc);
        readability_add_doc(&pc->prose, doc.ast.root);
    }
    md_doc_free(&doc);
}

/* ---- across pages ---- */

static int is_reserved_id(const check_ctx *c, const char *id) {
    const template_set *t = c->pr.templates;
    for (size_t i = 0; i < t->n_reserved; i++)
        if (!strcmp(t->reserved_ids[i], id))
            return 1;
    return 0;
}

/* The id of target nearest to id, at most two edits away; NULL if none. */
static const char *nearest_id(const page_check *target, const char *id) {
    const char *best = NULL;
    size_t best_distance = 3;
    for (size_t i = 0; i < target->ids.cap; i++) {
        const char *key = target->ids.slots[i].key;
        if (!key)
            continue;
        size_t dist = check_edit_distance_within(id, key, best_distance); /* exact up to a tie */
        if (dist < best_distance || (best && dist == best_distance && strcmp(key, best) < 0)) {
            best = key;
            best_distance = dist;
        }
    }
    return best;
}

static void check_anchors(const check_ctx *c, size_t i) {
    page_check *pc = &c->pages[i];
    size_t hints = 0;
    for (size_t k = 0; k < pc->n_links; k++) {
        const anchor_link *l = &pc->links[k];
        if (l->target == SIZE_MAX)
            continue;
        const page_check *t = &c->pages[l->target];
        if (!t->read || strmap_get(&t->ids, l->id) || is_reserved_id(c, l->id))
            continue;
        /* each hint compares with every id of the target page */
        const char *near = hints++ < CHECK_MAX_ANCHOR_HINTS ? nearest_id(t, l->id) : NULL;
        buf hint = BUF_INIT;
        if (near)
            buf_printf(&hint, " (did you mean '#%s'?)", near);
        if (l->written[0] == '#')
            diag_error(&pc->d, page_at(c, i)->display_path, l->line, l->col,
                       "the link '%s' names no heading of this page%s", l->written,
                       buf_cstr(&hint));
        else
            diag_error(&pc->d, page_at(c, i)->display_path, l->line, l->col,
                       "the link '%s' names '#%s', which is no heading of %s%s", l->written, l->id,
                       page_at(c, l->target)->display_path, buf_cstr(&hint));
        buf_free(&hint);
    }
}

static void check_title(check_ctx *c, size_t i, strmap *titles, buf *key) {
    const page *p = page_at(c, i);
    buf_clear(key);
    tokenize_fold_text(key, p->title, strlen(p->title));
    const page *first = strmap_get(titles, buf_cstr(key));
    if (!first) {
        strmap_put(titles, buf_cstr(key), (void *)p);
        return;
    }
    diag_warning(&c->pages[i].d, p->display_path, c->pages[i].title_line, 0,
                 "%s has the same title, '%s': patients cannot tell the two pages apart",
                 first->display_path, first->title);
}

static void check_grade(check_ctx *c, size_t i, buf *grades) {
    const page *p = page_at(c, i);
    const readability *r = &c->pages[i].prose;
    if (!c->pages[i].read)
        return;
    if (r->words < CHECK_MIN_WORDS) {
        buf_printf(grades, "%s: reading grade -, too little prose to grade (%zu words)\n",
                   p->display_path, r->words);
        return;
    }
    double grade = floor(readability_grade(r) * 10 + 0.5) / 10;
    buf_printf(grades, "%s: reading grade %.1f (%zu words, %zu sentences, %.2f syllables a word)\n",
               p->display_path, grade, r->words, r->sentences,
               (double)r->syllables / (double)r->words);
    double max = c->pr.cfg.reading_grade_max;
    if (grade > max)
        diag_warning(&c->pages[i].d, p->display_path, 0, 0,
                     "reading grade %.1f is above %g (reading_grade_max in site.yaml): shorter "
                     "sentences and everyday words make it easier to read",
                     grade, max);
}

static int diag_after(const diag *a, const diag *b) {
    return a->line != b->line ? a->line > b->line : a->col > b->col;
}

/* A page's messages by line and column, in the order they came on one place. */
static void sort_by_line(diag_list *d) {
    for (size_t i = 1; i < d->len; i++) {
        diag m = d->items[i];
        size_t k = i;
        for (; k > 0 && diag_after(&d->items[k - 1], &m); k--)
            d->items[k] = d->items[k - 1];
        d->items[k] = m;
    }
}

static void check_pages(check_ctx *c, check_result *out) {
    size_t n = c->model.n_pages;
    for (size_t i = 0; i < n; i++) {
        if (page_at(c, i)->source) {
            check_page(c, i);
            out->pages++;
        }
    }
    strmap titles = STRMAP_INIT;
    buf key = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (!page_at(c, i)->source)
            continue;
        check_anchors(c, i);
        check_title(c, i, &titles, &key);
        check_grade(c, i, &out->grades);
    }
    buf_free(&key);
    strmap_free(&titles);
    for (size_t i = 0; i < n; i++) {
        sort_by_line(&c->pages[i].d);
        diag_move(&out->diags, &c->pages[i].d);
    }
}

/* ---- the whole lint ---- */

static int open_site(check_ctx *c, diag_list *d) {
    const check_options *opt = c->opt;
    if (project_open(&c->pr, opt->project_dir, opt->project_dir_given, d) != 0)
        return -1;
    c->pr.cfg.offline = 0; /* links resolve to site URLs, which name their pages */
    const template_set *t = c->pr.templates;
    site_inputs in = {&c->pr.cfg,
                      c->pr.content_dir,
                      c->pr.content_shown,
                      opt->drafts,
                      template_set_get(t, "search.html") != NULL,
                      template_set_get(t, "az.html") != NULL,
                      threads_default_jobs(),
                      NULL,
                      1,
                      NULL};
    site_model_build(&c->model, &in, d);
    c->filters = filter_env_new(&c->pr.filters, c->pr.cfg.raw, c->model.data);
    c->pages = xcalloc(c->model.n_pages + 1, sizeof *c->pages);
    for (size_t i = 0; i < c->model.n_pages; i++)
        if (page_at(c, i)->source)
            strmap_put(&c->by_url, page_at(c, i)->url_path, &c->pages[i]);
    return 0;
}

static void close_ctx(check_ctx *c) {
    for (size_t i = 0; c->pages && i < c->model.n_pages; i++) {
        page_check *pc = &c->pages[i];
        diag_free(&pc->d);
        strmap_free(&pc->ids);
        for (size_t k = 0; k < pc->n_links; k++) {
            free(pc->links[k].written);
            free(pc->links[k].id);
        }
        free(pc->links);
    }
    free(c->pages);
    strmap_free(&c->by_url);
    filter_env_free(c->filters);
    site_model_free(&c->model);
    project_free(&c->pr);
    buf_free(&c->scratch);
}

int check_project(const check_options *opt, check_result *out) {
    memset(out, 0, sizeof *out);
    check_ctx c;
    memset(&c, 0, sizeof c);
    c.opt = opt;
    int rc = open_site(&c, &out->diags);
    if (rc == 0)
        check_pages(&c, out);
    close_ctx(&c);
    return rc;
}

void check_result_free(check_result *r) {
    diag_free(&r->diags);
    buf_free(&r->grades);
}

int check_run(const check_options *opt, int verbose) {
    check_result r;
    markdown_init();
    int rc = check_project(opt, &r);
    diag_print(&r.diags, stderr, 1);
    if (verbose) {
        fputs(buf_cstr(&r.grades), stdout);
        fflush(stdout);
    }
    size_t e = r.diags.errors, w = r.diags.warnings;
    fprintf(stderr, "clinicgen check: %zu page%s, %zu error%s, %zu warning%s\n", r.pages,
            r.pages == 1 ? "" : "s", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
    int status = (rc != 0 || e) ? 1 : 0;
    check_result_free(&r);
    return status;
}
