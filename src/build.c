/* build: runs the pipeline stages in order and owns what they share. */
#include "build.h"

#include "assets.h"
#include "buf.h"
#include "cache.h"
#include "config.h"
#include "diag.h"
#include "filter.h"
#include "fsutil.h"
#include "hash.h"
#include "jsonld.h"
#include "markdown.h"
#include "model_cache.h"
#include "output.h"
#include "page_cache.h"
#include "progress.h"
#include "project.h"
#include "render_html.h"
#include "search_collect.h"
#include "search_index.h"
#include "site.h"
#include "sitefiles.h"
#include "strmap.h"
#include "template.h"
#include "template_render.h"
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { PAGE_BUILT = 1, PAGE_KEPT = 2 };

/* Pages a worker takes at once: few enough that the workers finish
 * together, enough that a rebuild keeping most pages (a few microseconds
 * each) does not spend its time on the lock of pages_done. */
enum { PAGES_AT_ONCE = 8 };

/* Everything the page workers share; read-only while they run. */
typedef struct build_ctx {
    const build_options *opt;
    project pr; /* settings, theme, templates, filters */
    site_model model;
    static_files statics;
    output out;
    int jobs;              /* worker threads */
    diag_list *page_diags; /* one list per page: merged in page order */
    atomic_size_t next_page;
    /* search: each worker collects its pages' records with its own
     * collector; the index is written from them after the pages */
    int search; /* the theme has search.html: index the site */
    search_synonyms *synonyms;
    search_page *search_pages; /* one per page, in page order */
    search_collector **collectors;
    /* the record files, written as the pages before them are done */
    search_records *records;
    pthread_mutex_t done_lock; /* guards what follows */
    unsigned char *done;       /* per page: 0, or PAGE_BUILT or PAGE_KEPT once done */
    size_t frontier;           /* pages before it are done and their records written */
    size_t records_before;     /* the records of the pages before the frontier */
    diag_list records_diags;
    atomic_int next_worker;
    /* the build cache (cache.h) */
    char *out_dir;
    char *manifest_path;
    char *options;           /* the options that change what is written */
    cache_manifest previous; /* the last build's, or empty */
    int previous_intact;     /* its files are all in out_dir as it left them */
    pthread_t outputs_check; /* works out previous_intact while the model is built */
    int checking_outputs;    /* outputs_check is to be joined (outputs_checked) */
    uint64_t inputs;         /* this build's digest of its inputs */
    int inputs_known;        /* taken already, of the last build's roots */
    fs_listing **listings;   /* what each root held as the digest saw it, */
    size_t n_listings;       /* for the content walk (walk.h) */
    char *content_root;      /* content/ as it is among the roots */
    uint64_t others;         /* the same without content/ (page_cache.h: the seed) */
    char **roots;
    size_t n_roots;
    /* the model cache (model_cache.h): the last build's page files, and
     * this build's, renamed into place when it succeeds */
    char *model_path;
    char *model_tmp;
    model_cache known;
    /* the page cache (page_cache.h): the last build's pages, if they can be
     * kept, and this build's, written as the pages are built */
    uint64_t seed;
    char *pages_path;
    page_cache kept;
    int can_keep;
    page_cache_writer pages_out;
    int writing_pages;
    const char **kept_records; /* per page: its record in kept, if it was kept */
    atomic_size_t pages_kept;
    /* the search scores (search_scores.h): the last build's, if they can be
     * brought up to date (no record moved, few pages built again: those
     * in changes, with their last version), and this build's, written to
     * scores_tmp and renamed into place when it succeeds */
    char *scores_path;
    char *scores_tmp;
    search_scores scores_known;
    int can_update;
    search_change *changes;
    size_t n_changes, searched_pages;
    progress *progress;    /* the progress line, or NULL */
    struct timespec phase; /* when the phase -v times began */
} build_ctx;

static int load_statics(build_ctx *b, diag_list *d) {
    char *dirs[2], *shown[2];
    size_t n = project_override_dirs(&b->pr, "static", dirs, shown);
    int rc =
        assets_collect(&b->statics, (const char *const *)dirs, (const char *const *)shown, n, d);
    project_free_dirs(dirs, shown);
    for (size_t i = 0; i < b->statics.len; i++) {
        const static_file *f = &b->statics.items[i];
        const char *owner = strmap_get(&b->model.out_paths, f->out_path);
        if (owner) {
            diag_error(d, owner, 0, 0, "this page and the static file %s both want %s", f->shown,
                       f->out_path);
            rc = -1;
        } else {
            strmap_put(&b->model.out_paths, f->out_path, f->shown);
        }
    }
    return rc;
}

/* ---- one page: Markdown, template, file (stages 3-5 and 7) ---- */

/* What one worker thread owns. */
typedef struct worker {
    /* made for the first page the worker builds (worker_envs): a rebuild
     * keeps nearly every page, and a worker may build none */
    render_env *templates;
    filter_env *filters;
    search_collector *search;
    page_cache_terms cached_terms; /* search's terms in the page cache */
    buf html, out, jsonld;
} worker;

static int filter_body(build_ctx *b, worker *w, const page *p, md_doc *doc, diag_list *d) {
    char *url = site_page_url(&b->model, p);
    filter_page fp = {p->display_path,         p->front,        p->source, url,
                      page_kind_name(p->kind), p->section_path, p->title};
    int rc = filter_env_run(w->filters, &doc->ast, &fp, d);
    free(url);
    return rc;
}

/* Sets p->front to the page's front matter, read again with its body. */
static int render_body(build_ctx *b, worker *w, page *p, md_doc *doc, uint64_t *text_hash,
                       diag_list *d) {
    if (project_parse_body(&b->pr, p, doc, &p->front, text_hash, d) != 0 ||
        filter_body(b, w, p, doc, d) != 0)
        return -1;
    md_source src = {p->display_path, p->body_line - 1, p->title};
    site_link_origin origin = {&b->model, p};
    link_resolver links = {site_resolve_link, &origin, p->dir};
    int rc =
        markdown_prepare(doc, &src, &links, (const char *const *)b->pr.templates->reserved_ids, d);
    render_options ropt = {b->pr.cfg.unsafe_html, p->display_path, p->body_line - 1};
    render_html(doc->ast.root, &ropt, &w->html, d);
    return rc;
}

/* Pages a patient would look for: written content, not listings. */
static int is_searchable(const page *p) {
    return p->source != NULL && p->kind != KIND_SECTION && p->kind != KIND_HOME;
}

/* A page whose inputs are those of the last build keeps its file, its
 * messages and its search records. Returns 1 when it was kept (or could
 * not be, with an error reported), 0 when it is to be built. */
static int keep_page(build_ctx *b, size_t i, diag_list *d) {
    const page *p = b->model.pages[i];
    if (!b->can_keep)
        return 0;
    const char *record =
        page_cache_find(&b->kept, p->out_path, page_cache_key(b->seed, p, p->text_hash));
    diag_list messages = DIAG_LIST_INIT;
    search_page sp;
    memset(&sp, 0, sizeof sp);
    int searched = 0, kept = 1;
    if (!record || page_cache_read(&b->kept, record, &messages, &sp, &searched) != 0)
        return 0;
    if (searched != (b->search && is_searchable(p)) ||
        (kept = output_keep(&b->out, p->out_path, NULL, d))) {
        diag_free(&messages);
        search_page_free(&sp);
        return kept < 0;
    }
    diag_move(d, &messages);
    diag_free(&messages);
    if (searched)
        b->search_pages[i] = sp;
    b->kept_records[i] = record; /* copied to the next page cache after the pages, by one thread */
    atomic_fetch_add(&b->pages_kept, 1);
    return 1;
}

static void worker_envs(build_ctx *b, worker *w) {
    if (w->templates)
        return;
    w->templates = render_env_new(b->pr.templates, &b->model, &b->statics.names);
    w->filters = filter_env_new(&b->pr.filters, b->pr.cfg.raw, b->model.data);
}

/* Returns 1 when the page was kept from the last build, else 0. */
static int build_page(build_ctx *b, worker *w, size_t i, diag_list *d) {
    page *in_model = b->model.pages[i];
    /* Its packed front matter (page.h) is read once, by this worker, and
     * freed as the page is done: a large site's are never all held. */
    char *packed = in_model->front_packed, *small_text = in_model->small_text;
    in_model->front_packed = in_model->small_text = NULL;
    if (keep_page(b, i, d)) {
        free(packed);
        free(small_text);
        return 1;
    }
    /* the page as this worker builds it: the model's, with the front matter
     * the model did not keep (site_inputs.keep_front_matter) */
    page own = *in_model, *p = &own;
    own.front_packed = packed;
    own.small_text = small_text;
    worker_envs(b, w);
    md_doc doc;
    memset(&doc, 0, sizeof doc);
    buf_clear(&w->html);
    buf_clear(&w->out);
    uint64_t text_hash = 0;
    int rc = p->source ? render_body(b, w, p, &doc, &text_hash, d) : 0;
    int searched = rc == 0 && b->search && is_searchable(p);
    if (searched)
        search_collect_page(w->search, &b->search_pages[i], p->url_path, p->title, p->summary,
                            p->kind == KIND_FAQ, doc.ast.root);
    buf_clear(&w->jsonld);
    if (rc == 0 && p->kind != KIND_NOT_FOUND)
        jsonld_page(&b->model, p, doc.ast.root, &w->jsonld);
    page_body body = {buf_cstr(&w->html), w->html.len, doc.headings, doc.n_headings,
                      w->jsonld.len ? buf_cstr(&w->jsonld) : NULL};
    /* of two pages that want one URL (an error reported already) only the
     * URL's owner is written: each output path is written once */
    const page *owner = strmap_get(&b->model.by_url, p->url_path);
    if (rc == 0 && render_env_page(w->templates, p, &body, &w->out, d) == 0 &&
        (!owner || owner == in_model))
        output_write(&b->out, p->out_path, w->out.data, w->out.len, d);
    md_doc_free(&doc);
    free(packed);
    free(small_text);
    if (own.front != in_model->front)
        value_free(own.front);
    if (b->writing_pages) /* a page with errors fails the build: its record is never read */
        page_cache_put_built(&b->pages_out, &w->cached_terms, p->out_path,
                             page_cache_key(b->seed, p, text_hash), d,
                             searched ? &b->search_pages[i] : NULL, w->search);
    return 0;
}

/* Notes page i, built again, for bringing the last build's scores up to
 * date; gives that up when too many pages were built again, or when the
 * last build's version of the page had other records. */
static void note_change(build_ctx *b, size_t i, const search_page *sp) {
    const char *record = page_cache_previous(&b->kept, b->model.pages[i]->out_path);
    diag_list ignored = DIAG_LIST_INIT;
    search_change c = {.page = i};
    int searched = 0;
    b->can_update = b->n_changes < b->model.n_pages / 16 + 8 && record &&
                    page_cache_read(&b->kept, record, &ignored, &c.old, &searched) == 0 &&
                    c.old.n_records == sp->n_records;
    diag_free(&ignored);
    if (!b->can_update) {
        search_page_free(&c.old);
        return;
    }
    b->changes = xrealloc(b->changes, (b->n_changes + 1) * sizeof *b->changes);
    b->changes[b->n_changes++] = c;
}

/* The records of page i, done, go to their files: unchanged if it was
 * kept and they have the numbers the last build gave them. */
static void add_records(build_ctx *b, size_t i, int kept) {
    const page *p = b->model.pages[i];
    search_page *sp = &b->search_pages[i];
    size_t before;
    int in_place =
        page_cache_first_record(&b->kept, p->out_path, &before) == 0 && before == b->records_before;
    if (b->writing_pages && sp->n_records)
        page_cache_put_first_record(&b->pages_out, p->out_path, b->records_before);
    search_records_add(b->records, sp, kept && in_place, &b->records_diags);
    b->records_before += sp->n_records;
    if (sp->n_records) {
        b->searched_pages++;
        b->can_update &= in_place;
    }
    if (b->can_update && !kept && sp->n_records)
        note_change(b, i, sp);
}

/* Pages from to to - 1 are done (kept or built, as done[] says): the
 * records of every page up to the first not done yet go to their files,
 * in site order. */
static void pages_done(build_ctx *b, size_t from, size_t to, const unsigned char *done) {
    if (!b->search)
        return;
    search_files made = {0};
    pthread_mutex_lock(&b->done_lock);
    memcpy(b->done + from, done, to - from);
    for (; b->frontier < b->model.n_pages && b->done[b->frontier]; b->frontier++)
        add_records(b, b->frontier, b->done[b->frontier] == PAGE_KEPT);
    search_records_take(b->records, &made);
    pthread_mutex_unlock(&b->done_lock);
    /* written outside the lock: creating thousands of small files is most
     * of the cost, and the other workers need not wait for it */
    diag_list written = DIAG_LIST_INIT;
    search_files_write(&made, &b->out, &written);
    if (written.len) {
        pthread_mutex_lock(&b->done_lock);
        diag_move(&b->records_diags, &written);
        pthread_mutex_unlock(&b->done_lock);
    }
    diag_free(&written);
}

static void *page_worker(void *arg) {
    build_ctx *b = arg;
    int id = atomic_fetch_add(&b->next_worker, 1);
    worker w = {NULL,
                NULL,
                b->collectors[id] = b->search ? search_collector_new(b->synonyms, id) : NULL,
                {NULL, 0},
                BUF_INIT,
                BUF_INIT,
                BUF_INIT};
    unsigned char done[PAGES_AT_ONCE];
    for (;;) {
        size_t from = atomic_fetch_add(&b->next_page, PAGES_AT_ONCE), to = from + PAGES_AT_ONCE;
        if (from >= b->model.n_pages)
            break;
        if (to > b->model.n_pages)
            to = b->model.n_pages;
        for (size_t i = from; i < to; i++)
            done[i - from] = build_page(b, &w, i, &b->page_diags[i]) ? PAGE_KEPT : PAGE_BUILT;
        pages_done(b, from, to, done);
        progress_add(b->progress, to - from);
    }
    buf_free(&w.html);
    buf_free(&w.out);
    buf_free(&w.jsonld);
    page_cache_terms_free(&w.cached_terms);
    filter_env_free(w.filters);
    render_env_free(w.templates);
    return NULL;
}

/* Page messages in page order. A template error repeats on every page that
 * uses the template: it is kept once, naming the first page. */
static void merge_page_diags(diag_list *d, diag_list *page_diags, size_t n) {
    strmap seen = STRMAP_INIT;
    buf key = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        diag_list *list = &page_diags[i];
        for (size_t k = 0; k < list->len; k++) {
            diag *m = &list->items[k];
            const char *page = strstr(m->message, " (while writing ");
            buf_clear(&key);
            buf_printf(&key, "%s:%d:%.*s", m->file ? m->file : "", m->line,
                       (int)(page ? (size_t)(page - m->message) : strlen(m->message)), m->message);
            if (page && strmap_get(&seen, buf_cstr(&key))) {
                list->errors -= m->level == DIAG_ERROR;
                list->warnings -= m->level == DIAG_WARNING;
                free(m->file);
                free(m->message);
                memmove(m, m + 1, (list->len - k - 1) * sizeof *m);
                list->len--;
                k--;
                continue;
            }
            strmap_put(&seen, buf_cstr(&key), &seen);
        }
        diag_move(d, list);
    }
    buf_free(&key);
    strmap_free(&seen);
}

static void build_pages(build_ctx *b, diag_list *d) {
    size_t n = b->model.n_pages;
    b->page_diags = xcalloc(n + 1, sizeof *b->page_diags);
    atomic_init(&b->next_page, 0);
    int jobs = b->jobs;
    b->search_pages = xcalloc(n + 1, sizeof *b->search_pages);
    /* one collector per worker, and the page cache's after them */
    b->collectors = xcalloc((size_t)jobs + 1, sizeof *b->collectors);
    b->collectors[jobs] = b->can_keep ? b->kept.terms : NULL;
    atomic_init(&b->next_worker, 0);
    if (b->search) {
        b->records = search_records_new(&b->out);
        b->done = xcalloc(n + 1, 1);
        pthread_mutex_init(&b->done_lock, NULL);
    }
    b->kept_records = xcalloc(n + 1, sizeof *b->kept_records);
    threads_run(jobs, page_worker, b);
    for (size_t i = 0; b->writing_pages && i < n; i++)
        if (b->kept_records[i])
            page_cache_put_kept(&b->pages_out, b->kept_records[i]);
    free(b->kept_records);
    b->kept_records = NULL;
    merge_page_diags(d, b->page_diags, n);
    free(b->page_diags);
    b->page_diags = NULL;
    if (b->search) {
        search_records_finish(b->records, &b->records_diags);
        diag_move(d, &b->records_diags);
        pthread_mutex_destroy(&b->done_lock);
        free(b->done);
        b->done = NULL;
    }
}

static void write_search_index(build_ctx *b, diag_list *d) {
    if (!b->search || d->errors)
        return; /* no search in this theme, or the build fails anyway */
    search_stats st;
    buf scores = BUF_INIT;
    int up_to_date = b->can_update && b->searched_pages == page_cache_searched_pages(&b->kept);
    search_update update = {up_to_date ? &b->scores_known : NULL, b->changes, b->n_changes,
                            b->inputs, &scores};
    if (search_index_write(b->search_pages, b->model.n_pages, b->collectors, b->synonyms,
                           b->records, b->jobs, &update, &b->out, &st, d) == 0) {
        char *tmp = fs_temp_beside(b->scores_path); /* renamed into place by save_cache */
        if (fs_write_file(tmp, scores.data ? scores.data : "", scores.len) == 0)
            b->scores_tmp = tmp;
        else
            free(tmp);
    }
    buf_free(&scores);
    if (b->opt->verbosity != VERBOSITY_VERBOSE)
        return;
    fprintf(stderr, "clinicgen: search index: %zu records, %zu terms, %zu files, %.1f MB",
            st.records, st.terms, st.files, (double)st.bytes / (1024.0 * 1024.0));
    if (st.updated)
        fprintf(stderr, " (the last build's scores kept, %zu terms scored again)",
                st.terms_updated);
    fputc('\n', stderr);
}

static void free_search(build_ctx *b) {
    for (size_t i = 0; b->search_pages && i < b->model.n_pages; i++)
        search_page_free(&b->search_pages[i]);
    free(b->search_pages);
    search_records_free(b->records);
    diag_free(&b->records_diags);
    for (int i = 0; b->collectors && i < atomic_load(&b->next_worker); i++)
        search_collector_free(b->collectors[i]);
    free(b->collectors);
    search_synonyms_free(b->synonyms);
}

/* Content files go last: a file of the writers' that wants a path the
 * site writes itself (search/meta.js, sitemap.xml) is then the one the
 * error names (output.h: each path is written once). */
static void copy_files(build_ctx *b, diag_list *d) {
    for (size_t i = 0; i < b->statics.len; i++) {
        const static_file *f = &b->statics.items[i];
        output_copy(&b->out, f->out_path, f->path, f->shown, d);
    }
    for (size_t i = 0; i < b->model.n_assets; i++) {
        const asset *a = &b->model.assets[i];
        char *shown = fs_join(b->pr.content_shown, a->source);
        output_copy(&b->out, a->out_path, a->path, shown, d);
        free(shown);
    }
}

/* ---- the whole build ---- */

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* With -v, how long the phase that began at b->phase took; starts the next. */
static void report_phase(build_ctx *b, const char *phase) {
    if (b->opt->verbosity == VERBOSITY_VERBOSE)
        fprintf(stderr, "clinicgen: %-16s %6.3f s\n", phase, seconds_since(&b->phase));
    clock_gettime(CLOCK_MONOTONIC, &b->phase);
}

/* Are this build's input roots the last build's? Then the digest load_cache
 * took of them is this build's too. */
static int same_roots(const build_ctx *b) {
    if (b->n_roots != b->previous.n_roots)
        return 0;
    for (size_t i = 0; i < b->n_roots; i++)
        if (strcmp(b->roots[i], b->previous.roots[i]) != 0)
            return 0;
    return 1;
}

static void free_listings(build_ctx *b) {
    for (size_t i = 0; i < b->n_listings; i++)
        fs_listing_free(b->listings[i]);
    free(b->listings);
    b->listings = NULL;
    b->n_listings = 0;
}

/* The digest of the inputs under roots, keeping what each holds. */
static uint64_t digest_inputs(build_ctx *b, char *const *roots, size_t n) {
    free_listings(b);
    b->listings = xcalloc(n + 1, sizeof *b->listings);
    b->n_listings = n;
    return cache_inputs_digest(roots, n, b->options, b->listings);
}

/* What content/ holds as the digest saw it, or NULL. */
static const fs_listing *content_listing(const build_ctx *b) {
    for (size_t i = 0; i < b->n_listings && i < b->n_roots; i++)
        if (!strcmp(b->roots[i], b->content_root))
            return b->listings[i];
    return NULL;
}

/* The inputs' digest without content/: the site model's digest stands for
 * what pages read of content/ besides their own file. */
static uint64_t inputs_but_content(const build_ctx *b) {
    char **others = xcalloc(b->n_roots, sizeof *others);
    size_t n = 0;
    for (size_t i = 0; i < b->n_roots; i++)
        if (strcmp(b->roots[i], b->content_root) != 0)
            others[n++] = b->roots[i];
    uint64_t digest = cache_inputs_digest(others, n, b->options, NULL);
    free(others);
    return digest;
}

static int prepare(build_ctx *b, diag_list *d) {
    const build_options *opt = b->opt;
    if (project_open(&b->pr, opt->project_dir, opt->project_dir_given, d) != 0)
        return -1;
    if (opt->offline)
        b->pr.cfg.offline = 1;
    /* the digest is taken before any page is read: an edit made while the
     * build runs is seen by the next one */
    b->roots = project_input_roots(&b->pr, &b->n_roots);
    b->content_root = fs_absolute(b->pr.content_dir);
    if (!b->inputs_known || !same_roots(b))
        b->inputs = digest_inputs(b, b->roots, b->n_roots);
    b->others = inputs_but_content(b);
    /* Content errors do not stop the build here: every page is still
     * rendered so that all errors are reported at once, and the output is
     * thrown away at the end. */
    /* search and the A-Z index come with a theme that has pages for them */
    b->search = template_set_get(b->pr.templates, "search.html") != NULL;
    int az = template_set_get(b->pr.templates, "az.html") != NULL;
    int known = !opt->no_cache && model_cache_load(&b->known, b->model_path, b->others) == 0;
    site_inputs in = {.cfg = &b->pr.cfg,
                      .content_dir = b->pr.content_dir,
                      .display_content_dir = b->pr.content_shown,
                      .drafts = opt->drafts,
                      .search = b->search,
                      .az = az,
                      .jobs = b->jobs,
                      .known = known ? &b->known : NULL,
                      .content_listing = content_listing(b)};
    site_model_build(&b->model, &in, d);
    free_listings(b);
    b->seed = hash64_u64(b->model.digest, b->others);
    if (b->search) {
        char *synonyms_file = fs_join(b->pr.content_shown, "_data/synonyms.yaml");
        b->synonyms =
            search_synonyms_new(value_map_get(b->model.data, "synonyms"), synonyms_file, d);
        free(synonyms_file);
    }
    load_statics(b, d);
    return 0;
}

/* In an update the last build's pages may be kept; this build's are
 * recorded for the next. */
static void open_page_cache(build_ctx *b) {
    if ((size_t)b->jobs > b->model.n_pages)
        b->jobs = b->model.n_pages ? (int)b->model.n_pages : 1;
    b->can_keep = b->previous_intact && page_cache_load(&b->kept, b->pages_path, b->previous.inputs,
                                                        b->seed, b->synonyms, b->jobs) == 0;
    b->writing_pages = page_cache_writer_open(&b->pages_out, b->pages_path, b->inputs, b->seed,
                                              b->can_keep ? &b->kept : NULL) == 0;
    b->can_update = b->can_keep && b->search &&
                    search_scores_load(&b->scores_known, b->scores_path, b->previous.inputs) == 0;
}

typedef struct cache_tasks {
    build_ctx *b;
    atomic_int next;
} cache_tasks;

/* The model cache is written while the page cache is read: they share
 * nothing, and the model is not changed until the pages are built. */
static void *write_model_open_pages(void *arg) {
    cache_tasks *t = arg;
    build_ctx *b = t->b;
    for (int task; (task = atomic_fetch_add(&t->next, 1)) < 2;)
        if (task == 0)
            b->model_tmp = model_cache_write(&b->model, b->model_path, b->others);
        else
            open_page_cache(b);
    return NULL;
}

static int generate(build_ctx *b, diag_list *d) {
    const cache_manifest *previous = b->previous_intact ? &b->previous : NULL;
    if (output_begin(&b->out, b->out_dir, b->opt->project_dir, previous, d) != 0)
        return -1; /* before the cache is written: it is beside an output folder */
    char *cache_dir = fs_dirname(b->manifest_path); /* a cache that cannot be written only costs
                                                     * the next build time: save_cache says so */
    if (*cache_dir)
        fs_mkdirs(cache_dir);
    free(cache_dir);
    threads_run(b->jobs > 1 ? 2 : 1, write_model_open_pages, &(cache_tasks){b, 0});
    report_phase(b, "output, caches");
    progress_phase(b->progress, "building pages", b->model.n_pages);
    build_pages(b, d);
    report_phase(b, "pages");
    progress_phase(b->progress, "writing the search index", 0);
    write_search_index(b, d);
    report_phase(b, "search index");
    progress_phase(b->progress, "copying files", 0);
    sitefiles_write(&b->out, &b->model, b->can_keep, d);
    copy_files(b, d);
    report_phase(b, "files, sitemap");
    if (d->errors) {
        output_abort(&b->out);
        return -1;
    }
    /* a manifest is only ever beside the site it describes */
    unlink(b->manifest_path);
    progress_phase(b->progress, "putting the site in place", 0);
    int rc = output_commit(&b->out, d);
    report_phase(b, "swap into place");
    return rc;
}

static void free_ctx(build_ctx *b) {
    if (b->writing_pages)
        page_cache_writer_abort(&b->pages_out);
    page_cache_free(&b->kept);
    model_cache_free(&b->known);
    free(b->model_tmp);
    free(b->scores_tmp);
    free(b->scores_path);
    search_scores_free(&b->scores_known);
    for (size_t i = 0; i < b->n_changes; i++)
        search_page_free(&b->changes[i].old);
    free(b->changes);
    free(b->pages_path);
    free(b->model_path);
    output_free(&b->out);
    cache_manifest_free(&b->previous);
    free_listings(b);
    free(b->content_root);
    for (size_t i = 0; i < b->n_roots; i++)
        free(b->roots[i]);
    free(b->roots);
    free(b->out_dir);
    free(b->manifest_path);
    free(b->options);
    free_search(b);
    site_model_free(&b->model);
    assets_free(&b->statics);
    project_free(&b->pr);
}

/* The end of a build: the model cache's temporary file goes (still there
 * if the build failed or renaming it did), then what the build holds is
 * freed. After a build that succeeded in a process that ends right after
 * (clinicgen build), the release binary leaves that to the exit, which
 * takes it back at once: freeing the model, the search pages and the
 * manifests piece by piece took 7-8 ms of a 10,000-page rebuild. Builds
 * with the sanitizers or valgrind, and clinicgen serve, free everything. */
static void end_ctx(build_ctx *b, int succeeded) {
    if (b->model_tmp)
        unlink(b->model_tmp);
    if (b->scores_tmp)
        unlink(b->scores_tmp);
#ifdef CLINICGEN_LEAVE_MEMORY_AT_EXIT
    if (succeeded && b->opt->exits_after)
        return;
#else
    (void)succeeded;
#endif
    free_ctx(b);
}

/* ---- the build cache ---- */

/* What besides the inputs decides what a build writes: the project (two
 * projects may take turns writing one folder), the output folder and the
 * options. */
static char *options_key(const build_options *opt, const char *out_dir) {
    char *project = realpath(opt->project_dir, NULL);
    char *out = fs_resolve_path(out_dir);
    char *key = xasprintf("clinicgen %s drafts=%d offline=%d project=%s out=%s", CLINICGEN_VERSION,
                          opt->drafts, opt->offline, project ? project : opt->project_dir,
                          out ? out : out_dir);
    free(out);
    free(project);
    return key;
}

/* Whether the last build's files are as it left them: a stat of each. */
static void *check_outputs(void *arg) {
    build_ctx *b = arg;
    b->previous_intact = cache_outputs_intact(&b->previous, b->out_dir);
    return NULL;
}

/* Waits until previous_intact is known. */
static void outputs_checked(build_ctx *b) {
    if (b->checking_outputs)
        pthread_join(b->outputs_check, NULL);
    b->checking_outputs = 0;
}

/* Loads the last build's manifest; returns 1 when nothing has changed
 * since: the same inputs, and every file it wrote still as it was. The
 * files are looked at on a thread of their own while the inputs are
 * (with -j above 1), and when the inputs have changed, while the site
 * model is built too: only the pages phase needs to know. */
static int load_cache(build_ctx *b) {
    if (cache_manifest_load(&b->previous, b->manifest_path) != 0)
        return 0;
    b->checking_outputs =
        b->jobs > 1 && pthread_create(&b->outputs_check, NULL, check_outputs, b) == 0;
    if (!b->checking_outputs)
        check_outputs(b);
    b->inputs = digest_inputs(b, b->previous.roots, b->previous.n_roots);
    b->inputs_known = 1;
    if (b->inputs != b->previous.inputs)
        return 0;
    outputs_checked(b);
    return b->previous_intact;
}

/* After a successful build: what it read and wrote, for the next one. */
static void save_cache(build_ctx *b, char *messages) {
    cache_manifest *m = &b->out.written;
    m->inputs = b->inputs;
    cache_manifest_set_roots(m, b->roots, b->n_roots);
    b->roots = NULL;
    b->n_roots = 0;
    m->pages = b->model.n_pages;
    m->files = b->model.n_assets + b->statics.len;
    free(m->messages);
    m->messages = messages;
    char *dir = fs_dirname(b->manifest_path);
    int pages_saved = b->writing_pages && page_cache_writer_commit(&b->pages_out) == 0;
    b->writing_pages = 0;
    pages_saved =
        b->model_tmp && fs_replace_cache_file(b->model_tmp, b->model_path) == 0 && pages_saved;
    if (b->scores_tmp) /* else the next build scores every posting: no harm done */
        fs_replace_cache_file(b->scores_tmp, b->scores_path);
    if (cache_manifest_save(m, b->manifest_path) != 0)
        fprintf(stderr,
                "clinicgen: warning: cannot keep the build cache in %s (%s): the next "
                "build will be a full one\n",
                dir, strerror(errno));
    else if (!pages_saved)
        fprintf(stderr,
                "clinicgen: warning: cannot write %s or %s: the next build will build every "
                "page again\n",
                b->pages_path, b->model_path);
    free(dir);
}

static const char *plural(size_t n) {
    return n == 1 ? "" : "s";
}

static void report_up_to_date(const build_ctx *b, const struct timespec *start) {
    if (b->opt->verbosity == VERBOSITY_QUIET)
        return;
    const cache_manifest *m = &b->previous;
    fputs(m->messages, stderr);
    fprintf(stderr,
            "clinicgen: nothing changed since the last build of %zu page%s: the site is "
            "up to date (%.2f s)\n",
            m->pages, plural(m->pages), seconds_since(start));
}

/* Prints the messages; returns their text, for the cache. */
static char *print_messages(const build_ctx *b, const diag_list *d) {
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        diag_print(d, mem, b->opt->verbosity != VERBOSITY_QUIET);
        fclose(mem);
        fputs(text, stderr);
    } else {
        diag_print(d, stderr, b->opt->verbosity != VERBOSITY_QUIET);
    }
    return text;
}

/* The last line: what the build did, in how long (the cache's saving
 * included). */
static void print_summary(const build_ctx *b, const diag_list *d, int failed,
                          const struct timespec *start) {
    if (failed) {
        fprintf(stderr,
                "clinicgen: build failed with %zu error%s; the previous site is "
                "unchanged\n",
                d->errors, plural(d->errors));
        return;
    }
    if (b->opt->verbosity == VERBOSITY_QUIET)
        return;
    size_t files = b->out.written.len, changed = b->out.n_staged;
    fprintf(stderr, "clinicgen: built %zu page%s in %.2f s: ", b->model.n_pages,
            plural(b->model.n_pages), seconds_since(start));
    size_t rebuilt = b->model.n_pages - atomic_load(&b->pages_kept);
    if (b->previous_intact)
        fprintf(stderr, "%zu of %zu file%s changed, %zu page%s rebuilt", changed, files,
                plural(files), rebuilt, plural(rebuilt));
    else
        fprintf(stderr, "wrote %zu file%s", files, plural(files));
    fprintf(stderr, " (%zu warning%s)\n", d->warnings, plural(d->warnings));
}

int build_site(const build_options *opt) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    build_ctx b = {.opt = opt};
    b.out_dir = opt->out_dir ? xstrdup(opt->out_dir) : fs_join(opt->project_dir, "site");
    b.options = options_key(opt, b.out_dir);
    b.jobs = opt->jobs > 0 ? opt->jobs : threads_default_jobs();
    b.manifest_path = cache_file_path(b.out_dir, "manifest");
    b.pages_path = cache_file_path(b.out_dir, "pages");
    b.model_path = cache_file_path(b.out_dir, "model");
    b.scores_path = cache_file_path(b.out_dir, "search");
    if (!opt->no_cache && load_cache(&b)) {
        report_up_to_date(&b, &start);
        end_ctx(&b, 1);
        return 0;
    }
    b.phase = start;
    report_phase(&b, "what changed");
    diag_list d = DIAG_LIST_INIT;
    markdown_init();
    b.progress = progress_start(stderr, opt->verbosity == VERBOSITY_NORMAL);
    progress_phase(b.progress, "reading pages", 0);
    int rc = prepare(&b, &d);
    outputs_checked(&b);
    report_phase(&b, "site model");
    if (rc == 0)
        rc = generate(&b, &d);
    progress_stop(b.progress);
    b.progress = NULL;
    int failed = rc != 0 || d.errors;
    char *messages = print_messages(&b, &d);
    if (!failed)
        save_cache(&b, messages);
    else
        free(messages);
    report_phase(&b, "build cache");
    print_summary(&b, &d, failed, &start);
    if (opt->report)
        diag_move(opt->report, &d);
    diag_free(&d);
    end_ctx(&b, !failed);
    return failed;
}
