/*
 * site: the site model (pipeline stage 6) built from every page's front
 * matter: sections and their listings, tags, concerns, related procedures,
 * the A-Z index, the home and 404 pages, the URL of every page and bundle
 * file, and the data files. The indexes are made in site_index.c.
 *
 * site_model_build reads every page's front matter (not its body), so the
 * model is small and complete before any page is rendered; rendering can
 * then stream pages one at a time. The model owns its pages, assets and
 * data, and is read-only while pages render: workers may share it.
 */
#ifndef CLINICGEN_SITE_H
#define CLINICGEN_SITE_H

#include "config.h"
#include "diag.h"
#include "page.h"
#include "strmap.h"
#include "value.h"

typedef struct asset {
    char *source;   /* below content/ (bundle files) or below a static folder */
    char *path;     /* the file to copy */
    char *out_path; /* below the output folder */
} asset;

/* The A-Z index's groups: a to z, then '#' for titles that start with
 * anything else. */
enum { SITE_AZ_GROUPS = 27 };

typedef struct site_model {
    const site_config *cfg;
    page **pages; /* every page to write, in a fixed order */
    size_t n_pages;
    page *home;
    page *az; /* the A-Z index page, or NULL when the theme has none */
    /* az->children in A-Z order; group g is children[az_start[g]] up to
     * children[az_start[g + 1]] */
    size_t az_start[SITE_AZ_GROUPS + 1];
    strmap sections;  /* section path ("" for home) -> its listing page */
    strmap by_source; /* content path -> page */
    strmap by_url;    /* url_path -> page */
    asset *assets;    /* bundle files */
    size_t n_assets;
    strmap asset_by_source; /* content path -> asset */
    strmap out_paths;       /* every output path claimed so far -> its owner's name */
    strmap drafts;          /* content path of each draft left out -> the model */
    value *data;            /* map: data file name -> contents */
    /* What a page's rendering may read of the model besides its own file
     * (page_cache.h): each page file's path and model_hash, the drafts,
     * the bundle files' paths and the data files' identities. */
    uint64_t digest;
    struct related_index *related; /* site_index.h: owned */
} site_model;

typedef struct site_inputs {
    const site_config *cfg;
    const char *content_dir;
    const char *display_content_dir; /* "content" or "DIR/content" */
    int drafts;
    int search; /* make the search results page (the theme has search.html) */
    int az;     /* make the A-Z index (the theme has az.html) */
    int jobs;   /* threads to read the pages on (0 or 1: this one) */
    /* the last build's page files (model_cache.h), to take unchanged ones
     * from instead of reading them; NULL: read every file */
    const struct model_cache *known;
    /* keep each page's front matter (page.h): clinicgen check reads it */
    int keep_front_matter;
    /* what content_dir holds as the build's inputs digest saw it (walk.h),
     * or NULL to look now */
    const struct fs_listing *content_listing;
} site_inputs;

/* Returns 0; -1 after reporting errors (the model is still freeable). */
int site_model_build(site_model *m, const site_inputs *in, diag_list *d);
void site_model_free(site_model *m);

/* For the indexes (site_index.c) while the model is built: adds a page the
 * model then owns; finds or makes the listing page of a section; orders
 * pages as listings show them (a qsort comparator on page pointers). */
void site_add_page(site_model *m, page *p);
page *site_section_page(site_model *m, const char *section_path);
int site_compare_listed(const void *a, const void *b);
/* The same order by each page's listed_rank, which site_model_build sets
 * once every page is in the model (before site_index_related and
 * site_index_az run): an integer compare where the other compares titles. */
int site_compare_ranked(const void *a, const void *b);
/* Sorts base (n elements of size bytes each) as qsort does by cmp, which
 * must be a total order. When most elements know their place in the same
 * order in the last build (before(element): 1 + that place, 0 for none),
 * they are put back there and the order checked, n - 1 comparisons, and
 * only the others are sorted and merged in: a rebuild whose edits moved
 * nothing compares about 2n times instead of n log n. */
void site_sort_as_before(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
                         size_t (*before)(const void *));

/* Reads content_dir/_data/NAME.yaml into a map NAME -> contents (for
 * clinicgen render, which builds no site model). Caller frees. */
value *site_load_data(const char *content_dir, const char *shown_dir, diag_list *d);

/* The absolute URL path of a page ("/kb/procedures/x/"). Caller frees. */
char *site_page_url(const site_model *m, const page *p);

/* An offline site (site.yaml offline: true, build --offline) is browsed
 * from disk, where a folder does not open its index.html: the URL that the
 * page written to from_out_path uses for a site URL (one that starts with
 * base_path), as a relative path with index.html added to folders.
 * Returns NULL (use the URL as it is) when the site is not offline or url
 * is not a site URL; otherwise the caller frees. */
char *site_offline_url(const site_model *m, const char *from_out_path, const char *url);

/* The page a link is written in: the link_resolver's context. */
typedef struct site_link_origin {
    const site_model *m;
    const page *from;
} site_link_origin;

/* link_resolver callback: ctx is a site_link_origin. */
char *site_resolve_link(void *ctx, const char *page_dir, const char *target, char **error);

#endif
