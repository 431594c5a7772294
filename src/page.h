/*
 * page: one page of the site and its content model (DESIGN.md).
 *
 * A page comes from a Markdown file (source != NULL) or is made by the site
 * model (a section without _index.md, a tag listing, the A-Z index, a
 * concern no page is written for). page_load reads a
 * source file, splits and parses its front matter and fills the typed
 * fields; the body itself is parsed later, in the render stage, so pages can
 * be streamed. Pages live on the heap (page_load fills a zeroed page the
 * caller allocated); a page owns every field except the borrowed listing
 * pointers, and page_free releases the page with its fields.
 */
#ifndef CLINICGEN_PAGE_H
#define CLINICGEN_PAGE_H

#include "diag.h"
#include "value.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    KIND_PAGE,
    KIND_PROCEDURE,
    KIND_FAQ,
    KIND_CONCERN,
    KIND_HOME,    /* content/_index.md or the made-up home page */
    KIND_SECTION, /* a folder's listing */
    KIND_TAGS,    /* the list of all tags */
    KIND_TAG,     /* the pages with one tag */
    KIND_SEARCH,  /* the search results page */
    KIND_AZ,      /* the A-Z index of every written page */
    KIND_NOT_FOUND
} page_kind;

typedef struct page_date {
    int year, month, day; /* year 0: not set */
} page_date;

typedef struct page {
    char *source;       /* path below content/, e.g. "procedures/x.md"; NULL if made up */
    char *display_path; /* path shown in messages, e.g. "content/procedures/x.md" */
    char *dir;          /* folder of the source below content/ ("" at the top) */
    char *url_path;     /* site-relative URL path: "procedures/x/" ("" for home) */
    char *out_path;     /* file below the output folder: "procedures/x/index.html" */
    char *section_path; /* the section (folder) this page is listed in */
    page_kind kind;
    /* front matter map (owned; an empty map without front matter). A build
     * drops it once the page's fields are read (site_inputs.keep_front_matter)
     * and keeps it packed instead: */
    value *front;
    /* the front matter as page_load parsed it, packed (value_pack.h; owned,
     * NULL when the model keeps the tree, the body is skipped or the page
     * came from the model cache): the page being built unpacks it rather
     * than parse the YAML again. The worker that builds the page takes it
     * from the model and frees it. */
    char *front_packed;
    size_t front_packed_len;
    /* the file as page_load read it, when it is small (PAGE_KEEP_TEXT_MAX;
     * owned, else NULL): the page being built takes it rather than read
     * the file again, so a site of many small pages reads each once. The
     * worker that builds the page takes it from the model and frees it. */
    char *small_text;
    size_t small_text_len;
    char *title, *summary, *reviewer;
    int title_from_heading; /* the body's opening level-1 heading gave the title */
    page_date date, updated, reviewed;
    char **tags;
    size_t n_tags;
    char **concerns; /* front matter `concerns`, as written (procedures name concerns) */
    size_t n_concerns;
    int concerns_line, concerns_col; /* where `concerns` is, for messages */
    int draft;
    double weight;
    /* The file could not be read, is not UTF-8 text, or is past a limit
     * (PAGE_MAX_BYTES, markdown_check_limits): reported once when loading;
     * later stages leave its body alone. */
    int skip_body;
    size_t body_offset; /* byte offset of the body in the source file */
    /* For the page cache (page_cache.h): a hash of the whole file as
     * loaded, and one of what the site model takes from it (the front
     * matter's bytes, the title, skip_body). 0 for a made-up page. */
    uint64_t text_hash, model_hash;
    uint64_t file_id;       /* the file's identity as read (cache_stat_identity); 0: none */
    int body_line;          /* line number of the body's first line */
    struct page **children; /* listings: pages shown (borrowed) */
    size_t n_children;
    struct page **subsections; /* sections: child sections (borrowed) */
    size_t n_subsections;
    struct page *parent; /* the section page listing this one (borrowed) */
    /* Filled by the site model's indexes (site_index.h), all borrowed: */
    struct page **concern_pages; /* procedures: the concern pages of `concerns` */
    size_t n_concern_pages;
    struct page **treated_by; /* concerns: the procedures naming them, as listed */
    size_t n_treated_by;
    size_t procedure_rank; /* procedures: 1 + its place among them as listed; else 0 */
    size_t listed_rank;    /* its place among all pages as listings order them */
    size_t az_rank;        /* 1 + its place in the A-Z index; 0 when not in it */
    /* 1 + listed_rank and az_rank as the last build had them (the model
     * cache's), 0 when unknown: where the sorts begin (site_sort_as_before) */
    size_t listed_before, az_before;
    /* Filled by the site model (NULL until then), so that the listings
     * showing this page do not each work them out again: */
    char *url; /* base_path + url_path (owned) */
    /* the listing page of each of tags (an owned array of n_tags borrowed
     * pointers) */
    struct page **tag_pages;
} page;

/* The largest page file: no reader wants a longer page (the longest demo
 * page is 11 KB), and a page's trees and HTML take up to a hundred times
 * its size in memory while it is built (a page of nothing but links). */
enum { PAGE_MAX_MB = 4, PAGE_MAX_BYTES = PAGE_MAX_MB * 1024 * 1024 };
/* Kept from page_load to the page's build: a tenth of a megabyte per
 * thousand pages at most, and the text of most real pages is larger. */
enum { PAGE_KEEP_TEXT_MAX = 1024 };

typedef struct front_matter_split {
    const char *yaml; /* inside the --- lines; NULL when there is none */
    size_t yaml_len;
    int yaml_line; /* line number of the first YAML line */
    size_t body_offset;
    int body_line;
} front_matter_split;

/* Finds the front matter between `---` lines at the start of text (after an
 * optional byte-order mark). Returns 0, or -1 when it is opened but never
 * closed (an error is added at the opening line). */
int page_split_front_matter(const char *text, size_t len, front_matter_split *out,
                            const char *display_path, diag_list *d);
/* The front matter of text as a map (an empty one without front matter),
 * with out filled as above; NULL after adding errors. Caller frees. */
value *page_parse_front_matter(const char *text, size_t len, const char *display_path,
                               front_matter_split *out, diag_list *d);

/* Reads content_dir/source and fills the page's front matter fields. The
 * text must be UTF-8 (text_check_encoding) of at most PAGE_MAX_BYTES, and
 * its body within markdown_check_limits.
 * Returns 0, or -1 after adding errors to d (the page is still freeable). */
int page_load(page *p, const char *content_dir, const char *source, const char *display_path,
              diag_list *d);

/* Starts page p (zeroed first) for the file at source: its paths, its
 * section and, for _index.md, its kind; the model cache (model_cache.h)
 * fills in the rest as page_load found it. */
void page_start(page *p, const char *source, const char *display_path);

/* The same for text already read (clinicgen render); a display path under
 * content/ gives the page its section and kind. */
int page_load_text(page *p, const char *text, size_t len, const char *display_path, diag_list *d);

/* Fills url_path and out_path from source (or from a given URL path). */
void page_set_url(page *p, const char *url_path);

/* Parses YYYY-MM-DD or YYYY/MM/DD (a time after the date is ignored). */
int page_parse_date(const char *s, page_date *out);
/* "2026-09-02" into out (at least 11 bytes). */
void page_format_date(const page_date *d, char *out, size_t size);

const char *page_kind_name(page_kind kind);

page *page_new_virtual(page_kind kind, const char *url_path, const char *title);
/* Appends p to a list of borrowed page pointers (the list is grown). */
void page_list_push(page ***list, size_t *n, page *p);
void page_free(page *p);
/* Frees what p owns and zeroes it, leaving the struct to its owner. */
void page_free_fields(page *p);

#endif
