/*
 * template_render: applying templates to pages (pipeline stage 7).
 *
 * A render_env belongs to one worker thread: it owns a Lua state in which
 * template expressions run, with the site table and helpers built once and
 * each expression compiled on first use. It borrows the template set, the
 * site model and the static asset map, which must outlive it and stay
 * unchanged while it renders.
 *
 * What templates see: `site` (title, base_url, language, params, data,
 * sections, home, az), `page` (front matter keys, then title, summary, kind,
 * url, permalink, dates, tags, toc, content, pages, sections, breadcrumbs;
 * procedures: concerns, related; concerns: treated_by; the A-Z page:
 * letters, groups) and the helpers asset(name), url(path),
 * absolute_url(path), format_date(d).
 */
#ifndef CLINICGEN_TEMPLATE_RENDER_H
#define CLINICGEN_TEMPLATE_RENDER_H

#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "site.h"
#include "strmap.h"
#include "template.h"

typedef struct render_env render_env;

/* The rendered body of a page: HTML plus its outline. Borrowed. */
typedef struct page_body {
    const char *html;
    size_t len;
    const md_heading *headings;
    size_t n_headings;
    const char *jsonld; /* the page's structured data (jsonld.h), or NULL */
} page_body;

render_env *render_env_new(const template_set *set, const site_model *m,
                           const strmap *static_assets);
/* Appends the whole HTML document of p to out. Returns 0, or -1 after
 * reporting an error located in the template. */
int render_env_page(render_env *e, const page *p, const page_body *body, buf *out, diag_list *d);
void render_env_free(render_env *e);

/* The template page p uses: its front matter's `layout` (NAME.html), else
 * the first of its kind's that the set has (procedure.html, then
 * page.html, ...); NULL when there is none. A layout that names no
 * template is a warning (the page falls back to its kind's). */
const template *render_template_for(const template_set *set, const page *p, diag_list *d);

#endif
