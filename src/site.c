/* site: sections, tags, listings and URLs for the whole site. */
#include "site.h"

#include "buf.h"
#include "bundle_check.h"
#include "cache.h"
#include "fsutil.h"
#include "hash.h"
#include "model_cache.h"
#include "site_index.h"
#include "text.h"
#include "threads.h"
#include "value_pack.h"
#include "walk.h"
#include "yaml_value.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void site_add_page(site_model *m, page *p) {
    m->pages = xrealloc(m->pages, (m->n_pages + 1) * sizeof *m->pages);
    m->pages[m->n_pages++] = p;
}

/* Listings: by weight (unset weights last), then title, then URL. */
int site_compare_listed(const void *a, const void *b) {
    const page *p = *(page *const *)a, *q = *(page *const *)b;
    int pw = p->weight != 0, qw = q->weight != 0;
    if (pw != qw)
        return qw - pw;
    if (p->weight != q->weight)
        return p->weight < q->weight ? -1 : 1;
    int c = strcasecmp(p->title, q->title);
    return c ? c : strcmp(p->url_path, q->url_path);
}

int site_compare_ranked(const void *a, const void *b) {
    size_t x = (*(page *const *)a)->listed_rank, y = (*(page *const *)b)->listed_rank;
    return (x > y) - (x < y);
}

/* Elements whose places from before are the indices in slots (SIZE_MAX
 * where none), read in order into ranked; the rest into others. Returns
 * how many were placed, or SIZE_MAX when two claim one place. */
static size_t place_as_before(const char *a, size_t n, size_t size, size_t (*before)(const void *),
                              size_t *slots, size_t n_slots, size_t *ranked, size_t *others) {
    size_t k = 0, o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = before(a + i * size);
        if (!b) {
            others[o++] = i;
        } else if (slots[b - 1] != SIZE_MAX) {
            return SIZE_MAX;
        } else {
            slots[b - 1] = i;
            k++;
        }
    }
    k = 0;
    for (size_t s = 0; s < n_slots; s++)
        if (slots[s] != SIZE_MAX)
            ranked[k++] = slots[s];
    return k;
}

void site_sort_as_before(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
                         size_t (*before)(const void *)) {
    char *a = base;
    size_t known = 0, most = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = before(a + i * size);
        known += b != 0;
        most = b > most ? b : most;
    }
    if (n < 2 || known < n / 2 || most > 2 * n) { /* little to go on */
        qsort(base, n, size, cmp);
        return;
    }
    size_t *slots = xmalloc(most * sizeof *slots), *ranked = xmalloc(n * sizeof *ranked);
    size_t *others = xmalloc(n * sizeof *others);
    memset(slots, 0xff, most * sizeof *slots);
    size_t k = place_as_before(a, n, size, before, slots, most, ranked, others);
    for (size_t j = 1; k != SIZE_MAX && j < k; j++)
        if (cmp(a + ranked[j - 1] * size, a + ranked[j] * size) >= 0)
            k = SIZE_MAX; /* something moved: sort it all */
    if (k == SIZE_MAX) {
        qsort(base, n, size, cmp);
    } else { /* the others sorted, then both merged into a copy */
        char *rest = xmalloc((n - k) * size + 1), *out = xmalloc(n * size);
        for (size_t i = 0; i < n - k; i++)
            memcpy(rest + i * size, a + others[i] * size, size);
        qsort(rest, n - k, size, cmp);
        size_t r = 0, o = 0;
        for (size_t i = 0; i < n; i++) {
            const char *next =
                o == n - k || (r < k && cmp(a + ranked[r] * size, rest + o * size) < 0)
                    ? a + ranked[r++] * size
                    : rest + o++ * size;
            memcpy(out + i * size, next, size);
        }
        memcpy(base, out, n * size);
        free(rest);
        free(out);
    }
    free(slots);
    free(ranked);
    free(others);
}

/* The page files, read on in->jobs threads into pages[i] and diags[i]. */
typedef struct page_reader {
    const site_inputs *in;
    const content_files *files;
    page **pages;
    diag_list *diags;
    atomic_size_t next;
} page_reader;

static void *read_pages(void *arg) {
    page_reader *r = arg;
    for (size_t i; (i = atomic_fetch_add(&r->next, 1)) < r->files->pages.len;) {
        const char *src = r->files->pages.items[i];
        char *shown = fs_join(r->in->display_content_dir, src);
        page *p = r->pages[i] = xcalloc(1, sizeof *r->pages[i]);
        const site_inputs *in = r->in;
        if (!in->known || !model_cache_restore(in->known, p, src, &r->files->stats[i], shown)) {
            page_load(p, in->content_dir, src, shown, &r->diags[i]);
            if (in->known)
                model_cache_places(in->known, p);
        }
        if (!in->keep_front_matter) { /* its fields are read: the page being built unpacks it */
            if (p->front && !p->skip_body)
                p->front_packed = value_pack(p->front, &p->front_packed_len);
            value_free(p->front);
            p->front = NULL;
        }
        free(shown);
    }
    return NULL;
}

/* Page files are read on more threads than -j asks for: a file not in the
 * page cache leaves its thread waiting on the disk, and a build reads every
 * page file. At 10,000 pages read cold, the site model took 0.78 s on 2
 * threads and 0.38 s on 8 (no change when the files are cached). A build
 * with the last build's model cache reads only the pages that changed:
 * -j threads, as each more costs its start and a heap of its own (12 ms of
 * CPU, 5% of a one-page rebuild at 10,000 pages). */
enum { READERS_PER_JOB = 4, READERS_MAX = 64 };

/* The model takes the pages in file order, whichever thread read them:
 * messages and the digest come out the same for every -j. */
static void load_pages(site_model *m, const site_inputs *in, const content_files *files,
                       diag_list *d) {
    size_t n = files->pages.len;
    page_reader r = {in, files, xcalloc(n + 1, sizeof *r.pages), xcalloc(n + 1, sizeof *r.diags),
                     0};
    strmap_reserve(&m->by_source, n);
    size_t readers = (size_t)in->jobs * (in->known ? 1 : READERS_PER_JOB);
    readers = readers > READERS_MAX ? READERS_MAX : readers;
    threads_run(n < readers ? (int)n : (int)readers, read_pages, &r);
    for (size_t i = 0; i < n; i++) {
        const char *src = files->pages.items[i];
        page *p = r.pages[i];
        diag_move(d, &r.diags[i]);
        m->digest = hash64_u64(p->draft ? 1 : p->model_hash, hash64_str(src, m->digest));
        if (p->draft && !in->drafts) {
            strmap_put(&m->drafts, src, m); /* a link to it gets its own message */
            page_free(p);
            continue;
        }
        strmap_put(&m->by_source, src, p);
        site_add_page(m, p);
    }
    free(r.pages);
    free(r.diags);
}

static value *load_data_files(const path_list *files, const char *content_dir,
                              const char *shown_dir, diag_list *d) {
    value *data = value_new(VALUE_MAP, 0, 0);
    for (size_t i = 0; i < files->len; i++) {
        const char *rel = files->items[i];
        char *path = fs_join(content_dir, rel);
        char *shown = fs_join(shown_dir, rel);
        value *v = yaml_value_load_file(path, shown, d);
        const char *base = strrchr(rel, '/') + 1;
        char *name = xstrndup(base, strcspn(base, "."));
        if (v && !value_map_put(data, name, v)) {
            diag_error(d, shown, 0, 0, "a data file named '%s' exists already", name);
            value_free(v);
        }
        free(name);
        free(path);
        free(shown);
    }
    return data;
}

static void load_data(site_model *m, const site_inputs *in, const content_files *files,
                      diag_list *d) {
    m->data = load_data_files(&files->data, in->content_dir, in->display_content_dir, d);
    for (size_t i = 0; i < files->data.len; i++) { /* by their names in content/: the same
                                                    * however -C is spelled */
        char *path = fs_join(in->content_dir, files->data.items[i]);
        m->digest = hash64_u64(cache_file_identity(path, files->data.items[i]), m->digest);
        free(path);
    }
}

value *site_load_data(const char *content_dir, const char *shown_dir, diag_list *d) {
    content_files files;
    memset(&files, 0, sizeof files);
    walk_data_files(content_dir, shown_dir, &files, d);
    value *data = load_data_files(&files.data, content_dir, shown_dir, d);
    content_files_free(&files);
    return data;
}

/* Folder part of a bundle file's URL: each folder slugified, like pages. */
static char *asset_out_path(const char *source) {
    buf out = BUF_INIT;
    buf_puts(&out, text_append_folder_slugs(&out, source));
    return buf_detach(&out);
}

/* Bundle files a browser would run are refused (bundle_check.h). */
static void load_assets(site_model *m, const site_inputs *in, const content_files *files,
                        diag_list *d) {
    m->assets = xcalloc(files->assets.len + 1, sizeof *m->assets);
    for (size_t i = 0; i < files->assets.len; i++) {
        char *path = fs_join(in->content_dir, files->assets.items[i]);
        const char *why = bundle_check(path, files->assets.items[i]);
        if (why) {
            char *shown = fs_join(in->display_content_dir, files->assets.items[i]);
            diag_error(d, shown, 0, 0, "not published: %s", why);
            free(shown);
            free(path);
            continue;
        }
        asset *a = &m->assets[m->n_assets++];
        a->source = xstrdup(files->assets.items[i]);
        m->digest = hash64_str(a->source, m->digest);
        a->path = path;
        a->out_path = asset_out_path(a->source);
        strmap_put(&m->asset_by_source, a->source, a);
    }
}

static char *section_title(const char *section_path) {
    const char *base = strrchr(section_path, '/');
    base = base ? base + 1 : section_path;
    char *t = xstrdup(base);
    for (char *c = t; *c; c++)
        if (*c == '-' || *c == '_')
            *c = ' ';
    if (strlen(t) <= 3)
        for (char *c = t; *c; c++)
            *c = (char)toupper((unsigned char)*c); /* "faq" reads best as "FAQ" */
    t[0] = (char)toupper((unsigned char)t[0]);
    return t;
}

static void attach_section(site_model *m, page *section) {
    char *parent_path = fs_dirname(section->section_path);
    page *parent = site_section_page(m, parent_path);
    free(parent_path);
    section->parent = parent;
    page_list_push(&parent->subsections, &parent->n_subsections, section);
}

/* The listing page of a section, made up when the folder has no _index.md:
 * it gets the URL a real _index.md there would get, and its place in its
 * parent section. */
page *site_section_page(site_model *m, const char *section_path) {
    page *s = strmap_get(&m->sections, section_path);
    if (s)
        return s;
    if (!*section_path) {
        s = page_new_virtual(KIND_HOME, "", m->cfg->title);
        strmap_put(&m->sections, section_path, s);
        site_add_page(m, s);
        return s;
    }
    char *title = section_title(section_path);
    s = page_new_virtual(KIND_SECTION, "", title);
    free(title);
    free(s->section_path);
    s->section_path = xstrdup(section_path);
    s->source = fs_join(section_path, "_index.md");
    page_set_url(s, NULL);
    free(s->source);
    s->source = NULL;
    strmap_put(&m->sections, section_path, s);
    site_add_page(m, s);
    attach_section(m, s);
    return s;
}

static void build_sections(site_model *m) {
    for (size_t i = 0; i < m->n_pages; i++) {
        page *p = m->pages[i];
        if (p->kind == KIND_HOME || p->kind == KIND_SECTION)
            strmap_put(&m->sections, p->section_path, p);
    }
    m->home = site_section_page(m, "");
    for (size_t i = 0; i < m->n_pages; i++) {
        page *p = m->pages[i];
        if (p->kind == KIND_HOME || p->parent)
            continue; /* the home page, or a made-up section placed already */
        if (p->kind == KIND_SECTION) {
            attach_section(m, p);
        } else {
            page *parent = site_section_page(m, p->section_path);
            p->parent = parent;
            page_list_push(&parent->children, &parent->n_children, p);
        }
    }
}

static void build_tags(site_model *m) {
    strmap tags = STRMAP_INIT;
    page *all = NULL;
    size_t n = m->n_pages;
    for (size_t i = 0; i < n; i++) {
        page *p = m->pages[i];
        free(p->tag_pages);
        p->tag_pages = p->n_tags ? xcalloc(p->n_tags, sizeof *p->tag_pages) : NULL;
        for (size_t k = 0; k < p->n_tags; k++) {
            char *slug = text_slugify(p->tags[k], strlen(p->tags[k]));
            page *t = strmap_get(&tags, slug);
            if (!t) {
                if (!all) {
                    all = page_new_virtual(KIND_TAGS, "tags/", "Tags");
                    all->parent = m->home;
                    site_add_page(m, all);
                }
                char *url = xasprintf("tags/%s/", *slug ? slug : "tag");
                t = page_new_virtual(KIND_TAG, url, p->tags[k]);
                free(url);
                t->parent = all;
                strmap_put(&tags, slug, t);
                page_list_push(&all->children, &all->n_children, t);
                site_add_page(m, t);
            }
            page_list_push(&t->children, &t->n_children, p);
            p->tag_pages[k] = t;
            free(slug);
        }
    }
    strmap_free(&tags);
}

/* A listing in rank order. The ranks are the pages' places, 0 to n_slots
 * - 1: a long listing (a section of thousands of pages) is put in order
 * by setting each page at its rank in slots, a table as long as the site
 * whose entries are NULL, and reading the table back, which compares
 * nothing; a short one, or one naming a page twice, is sorted. */
static void order_by_rank(page **list, size_t n, page **slots, size_t n_slots) {
    if (n < 2)
        return;
    size_t placed = 0;
    if (n >= 64 && n * 16 >= n_slots)
        for (; placed < n && !slots[list[placed]->listed_rank]; placed++)
            slots[list[placed]->listed_rank] = list[placed];
    if (placed < n) { /* short, or a page twice: put the table back as it was */
        for (size_t i = 0; i < placed; i++)
            slots[list[i]->listed_rank] = NULL;
        qsort(list, n, sizeof *list, site_compare_ranked);
        return;
    }
    size_t k = 0;
    for (size_t r = 0; k < n; r++)
        if (slots[r]) {
            list[k++] = slots[r];
            slots[r] = NULL;
        }
}

static size_t listed_before(const void *p) {
    return (*(page *const *)p)->listed_before;
}

/* Every listing (a section's pages and subsections, a tag's pages, the
 * procedures treating a concern) in site_compare_listed's order. All pages
 * are put in that order once and the listings ordered by their places: the
 * titles are compared once per page, not once per listing a page is in. */
static void sort_listings(site_model *m) {
    size_t n = m->n_pages;
    page **order = xmalloc((n ? n : 1) * sizeof *order);
    memcpy(order, m->pages, n * sizeof *order);
    site_sort_as_before(order, n, sizeof *order, site_compare_listed, listed_before);
    for (size_t i = 0; i < n; i++)
        order[i]->listed_rank = i;
    memset(order, 0, n * sizeof *order); /* now the slots of order_by_rank */
    for (size_t i = 0; i < n; i++) {
        page *p = m->pages[i];
        order_by_rank(p->children, p->n_children, order, n);
        order_by_rank(p->subsections, p->n_subsections, order, n);
        order_by_rank(p->treated_by, p->n_treated_by, order, n);
    }
    free(order);
}

static const char *page_origin(const page *p) {
    return p->display_path ? p->display_path : p->title;
}

/* A made-up section page stands for its folder. */
static int is_folder(const page *p) {
    return !p->source && p->kind == KIND_SECTION;
}

/* How messages name where a page comes from (caller frees). */
static char *origin_of(const site_inputs *in, const page *p) {
    if (is_folder(p))
        return fs_join(in->display_content_dir, p->section_path);
    return xstrdup(page_origin(p));
}

/* Two pages want one URL; `first` claimed it first. A written page that
 * wants a made-up page's URL gets the message, since only it can move;
 * a folder is named as a folder. */
static void report_url_clash(diag_list *d, const site_inputs *in, const page *first,
                             const page *second) {
    const page *written = second->source ? second : first;
    const page *other = written == second ? first : second;
    if (written->source && !other->source && !is_folder(other)) {
        diag_error(d, written->display_path, 0, 0,
                   "this page wants the URL /%s, which clinicgen makes for the page '%s'; "
                   "rename this page or give it a 'slug'",
                   written->url_path, other->title);
        return;
    }
    if (is_folder(second) && !is_folder(first))
        written = first, other = second; /* the message goes to a page: it can take a slug */
    else
        written = second, other = first;
    char *here = origin_of(in, written), *there = origin_of(in, other);
    int folders = is_folder(written) + is_folder(other);
    static const char *const slug[] = {" or give it a 'slug'", " or give the page a 'slug'", ""};
    diag_error(d, here, 0, 0, "this %s and %s%s both want the URL /%s; rename one%s%s",
               is_folder(written) ? "folder" : "page", is_folder(other) ? "the folder " : "", there,
               written->url_path, slug[folders],
               strcasecmp(here, there) ? ""
                                       : " (their names differ only in case, which Windows and "
                                         "macOS do not tell apart)");
    free(here);
    free(there);
}

/* An output path folded to lower case (ASCII and the alphabets
 * text_unicode_lower knows): two files that fold alike are one file on a
 * case-insensitive host. */
static char *fold_case(const char *s) {
    buf out = BUF_INIT;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        i += text_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        text_utf8_encode(&out, cp < 0x80 ? (unsigned)tolower((int)cp) : text_unicode_lower(cp));
    }
    return buf_detach(&out);
}

/* Bundle files keep their names' case: one that differs from another
 * file's only in case would overwrite it on Windows and macOS hosts. */
static void claim_folded(strmap *folded, const site_inputs *in, const char *out_path,
                         const char *source, diag_list *d) {
    char *key = fold_case(out_path);
    const char *first = strmap_get(folded, key);
    if (!first) {
        strmap_put(folded, key, (void *)source);
    } else if (strcmp(first, source) != 0) {
        char *here = fs_join(in->display_content_dir, source);
        diag_error(d, here, 0, 0,
                   "this file and %s/%s differ only in case; they would be one file on Windows "
                   "and macOS hosts: rename one",
                   in->display_content_dir, first);
        free(here);
    }
    free(key);
}

static void claim_urls(site_model *m, const site_inputs *in, diag_list *d) {
    strmap folded = STRMAP_INIT;
    strmap_reserve(&m->by_url, m->n_pages);
    strmap_reserve(&m->out_paths, m->n_pages + m->n_assets);
    for (size_t i = 0; i < m->n_pages; i++) {
        page *p = m->pages[i];
        page *other = strmap_put(&m->by_url, p->url_path, p);
        if (other) {
            strmap_put(&m->by_url, p->url_path, other);
            report_url_clash(d, in, other, p);
        }
        strmap_put(&m->out_paths, p->out_path, (void *)page_origin(p));
    }
    for (size_t i = 0; i < m->n_assets; i++) {
        const char *owner = strmap_get(&m->out_paths, m->assets[i].out_path);
        if (owner)
            diag_error(d, owner, 0, 0, "this page and the file %s both want to be written to %s",
                       m->assets[i].source, m->assets[i].out_path);
        else
            strmap_put(&m->out_paths, m->assets[i].out_path, m->assets[i].source);
        claim_folded(&folded, in, m->assets[i].out_path, m->assets[i].source, d);
    }
    strmap_free(&folded);
}

int site_model_build(site_model *m, const site_inputs *in, diag_list *d) {
    memset(m, 0, sizeof *m);
    m->cfg = in->cfg;
    size_t errors = d->errors;
    content_files files;
    walk_content(in->content_dir, in->display_content_dir, in->content_listing, &files, d);
    load_pages(m, in, &files, d);
    load_assets(m, in, &files, d);
    load_data(m, in, &files, d);
    content_files_free(&files);
    build_sections(m);
    build_tags(m);
    site_index_concerns(m, d);
    if (in->search) {
        page *search = page_new_virtual(KIND_SEARCH, "search/", "Search");
        search->parent = m->home;
        site_add_page(m, search);
    }
    page *nf = page_new_virtual(KIND_NOT_FOUND, "", "Page not found");
    free(nf->url_path);
    free(nf->out_path);
    nf->url_path = xstrdup("404.html");
    nf->out_path = xstrdup("404.html");
    site_add_page(m, nf);
    sort_listings(m);
    site_index_related(m);
    if (in->az)
        site_index_az(m);
    claim_urls(m, in, d);
    for (size_t i = 0; i < m->n_pages; i++) {
        free(m->pages[i]->url);
        m->pages[i]->url = site_page_url(m, m->pages[i]);
    }
    return d->errors > errors ? -1 : 0;
}

void site_model_free(site_model *m) {
    for (size_t i = 0; i < m->n_pages; i++)
        page_free(m->pages[i]);
    free(m->pages);
    for (size_t i = 0; i < m->n_assets; i++) {
        free(m->assets[i].source);
        free(m->assets[i].path);
        free(m->assets[i].out_path);
    }
    free(m->assets);
    strmap_free(&m->sections);
    strmap_free(&m->by_source);
    strmap_free(&m->by_url);
    strmap_free(&m->asset_by_source);
    strmap_free(&m->out_paths);
    strmap_free(&m->drafts);
    value_free(m->data);
    site_index_related_free(m);
    memset(m, 0, sizeof *m);
}

char *site_page_url(const site_model *m, const page *p) {
    return xstrcat3(m->cfg->base_path, p->url_path, "");
}

static char *resolve_root_relative(const site_model *m, const char *target, char **error) {
    const char *path = target + 1;
    size_t n = strlen(path);
    char *with_slash = (n && path[n - 1] != '/') ? xasprintf("%s/", path) : xstrdup(path);
    char *url = NULL;
    if (strmap_get(&m->by_url, with_slash)) /* a page: its canonical URL ends in '/' */
        url = xasprintf("%s%s", m->cfg->base_path, with_slash);
    else if (strmap_get(&m->by_url, path) || strmap_get(&m->out_paths, path))
        url = xasprintf("%s%s", m->cfg->base_path, path);
    else
        *error = xasprintf("the link '%s' finds no page or file of this site", target);
    free(with_slash);
    return url;
}

static page *page_for_folder(const site_model *m, const char *path) {
    const char *names[] = {"index.md", "_index.md"};
    for (size_t i = 0; i < 2; i++) {
        char *src = fs_join(path, names[i]);
        page *p = strmap_get(&m->by_source, src);
        free(src);
        if (p)
            return p;
    }
    return NULL;
}

char *site_offline_url(const site_model *m, const char *from_out_path, const char *url) {
    const char *base = m->cfg->base_path;
    size_t n = strlen(base);
    if (!m->cfg->offline || strncmp(url, base, n) != 0 || url[1] == '/')
        return NULL; /* "//host/x" is another site */
    const char *rest = url + n, *query = rest + strcspn(rest, "?#");
    buf out = BUF_INIT;
    for (const char *c = from_out_path; *c; c++)
        if (*c == '/')
            buf_puts(&out, "../");
    buf_append(&out, rest, (size_t)(query - rest));
    if (query == rest || query[-1] == '/')
        buf_puts(&out, "index.html");
    buf_puts(&out, query);
    return buf_detach(&out);
}

/* The draft that content path `path` names (a file, or a folder's index.md
 * or _index.md): its content path, which the caller frees; NULL if none. */
static char *draft_at(const site_model *m, const char *path) {
    if (strmap_get(&m->drafts, path))
        return xstrdup(path);
    static const char *const names[] = {"index.md", "_index.md"};
    for (size_t i = 0; i < 2; i++) {
        char *src = fs_join(path, names[i]);
        if (strmap_get(&m->drafts, src))
            return src;
        free(src);
    }
    return NULL;
}

static char *resolve_site_link(const site_model *m, const char *page_dir, const char *target,
                               char **error) {
    if (target[0] == '/')
        return resolve_root_relative(m, target, error);
    char *joined = fs_join(page_dir, target);
    char *path = fs_normalize(joined);
    free(joined);
    if (!path) {
        *error = xasprintf("the link '%s' points outside the content folder", target);
        return NULL;
    }
    page *p = strmap_get(&m->by_source, path);
    if (!p)
        p = page_for_folder(m, path);
    if (p) {
        free(path);
        return site_page_url(m, p);
    }
    const asset *a = strmap_get(&m->asset_by_source, path);
    if (a) {
        free(path);
        return xasprintf("%s%s", m->cfg->base_path, a->out_path);
    }
    char *draft = draft_at(m, path);
    if (draft)
        *error = xasprintf("the link '%s' is to a draft (content/%s has 'draft: true'): publish "
                           "that page, or build with --drafts",
                           target, draft);
    else
        *error = xasprintf("the link '%s' finds no page or file (looked for content/%s)", target,
                           *path ? path : ".");
    free(draft);
    free(path);
    return NULL;
}

char *site_resolve_link(void *ctx, const char *page_dir, const char *target, char **error) {
    const site_link_origin *origin = ctx;
    char *url = resolve_site_link(origin->m, page_dir, target, error);
    char *offline = url ? site_offline_url(origin->m, origin->from->out_path, url) : NULL;
    if (!offline)
        return url;
    free(url);
    return offline;
}
