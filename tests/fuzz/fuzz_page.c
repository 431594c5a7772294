/*
 * fuzz_page: one whole page from arbitrary bytes, through every stage the
 * build runs on a page (build.c: build_page and render_body), in memory:
 * front matter and content model (page.c), Markdown (markdown.c), the
 * three shipped filters (filters/NAME.lua, as site.yaml lists them), heading
 * ids and link resolution against the demo site's model, the body's HTML
 * (render_html.c), the search records, the JSON-LD and the clinic theme's
 * templates. The input is content/procedures/fuzz.md; its front matter
 * may say `kind:` or `layout:` to reach the other templates.
 *
 * The project (site.yaml, content/, themes/clinic, filters/) is the
 * repository itself, read once in LLVMFuzzerInitialize; FUZZ_PROJECT_DIR
 * is compiled in, and the environment variable CLINICGEN_FUZZ_PROJECT
 * overrides it. Nothing is written to disk.
 */
#include "assets.h"
#include "buf.h"
#include "diag.h"
#include "filter.h"
#include "jsonld.h"
#include "markdown.h"
#include "page.h"
#include "project.h"
#include "readability.h"
#include "render_html.h"
#include "search_collect.h"
#include "site.h"
#include "template_render.h"

#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_PROJECT_DIR
#define FUZZ_PROJECT_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a build worker holds for the whole build, made once by
 * LLVMFuzzerInitialize and read-only (or, for the Lua states and the
 * collector, per-worker state reused page after page, as in the build)
 * afterwards. The one piece of global state in the harness: libFuzzer
 * gives TestOneInput no context argument. Freed at exit (free_site), so
 * that valgrind's leak check of the replay sees nothing left behind. */
static struct fuzz_site {
    project pr;
    site_model model;
    static_files statics;
    search_synonyms *synonyms;
    filter_env *filters;
    render_env *templates;
    search_collector *search;
} site;

static void fail_setup(diag_list *d, const char *what) {
    diag_print(d, stderr, 1);
    fprintf(stderr, "fuzz_page: %s failed (set CLINICGEN_FUZZ_PROJECT to the repository)\n", what);
    exit(1);
}

static void free_site(void) {
    search_collector_free(site.search);
    render_env_free(site.templates);
    filter_env_free(site.filters);
    search_synonyms_free(site.synonyms);
    assets_free(&site.statics);
    site_model_free(&site.model);
    project_free(&site.pr);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *dir = getenv("CLINICGEN_FUZZ_PROJECT");
    dir = dir && *dir ? dir : FUZZ_PROJECT_DIR;
    xmlInitParser();
    markdown_init();
    diag_list d = DIAG_LIST_INIT;
    if (project_open(&site.pr, dir, 1, &d) != 0)
        fail_setup(&d, "project_open");
    site_inputs in = {&site.pr.cfg,
                      site.pr.content_dir,
                      site.pr.content_shown,
                      0,
                      template_set_get(site.pr.templates, "search.html") != NULL,
                      template_set_get(site.pr.templates, "az.html") != NULL,
                      1,
                      NULL,
                      1,
                      NULL};
    if (site_model_build(&site.model, &in, &d) != 0 || d.errors)
        fail_setup(&d, "site_model_build");
    char *dirs[2], *shown[2];
    size_t n = project_override_dirs(&site.pr, "static", dirs, shown);
    if (assets_collect(&site.statics, (const char *const *)dirs, (const char *const *)shown, n,
                       &d) != 0)
        fail_setup(&d, "assets_collect");
    project_free_dirs(dirs, shown);
    site.synonyms = search_synonyms_new(value_map_get(site.model.data, "synonyms"),
                                        "content/_data/synonyms.yaml", &d);
    if (d.errors)
        fail_setup(&d, "search_synonyms_new");
    if (site.pr.filters.len != 3)
        fail_setup(&d, "site.yaml's three filters");
    site.filters = filter_env_new(&site.pr.filters, site.pr.cfg.raw, site.model.data);
    site.templates = render_env_new(site.pr.templates, &site.model, &site.statics.names);
    site.search = search_collector_new(site.synonyms, 0);
    diag_free(&d);
    atexit(free_site);
    return 0;
}

/* Stages 3-5 and 7 of one page, as build_page runs them. */
static void build_one(const page *p, const char *text, size_t len, diag_list *d) {
    md_doc doc;
    markdown_parse(&doc, text + p->body_offset, len - p->body_offset);
    char *url = site_page_url(&site.model, p);
    filter_page fp = {p->display_path,         p->front,        p->source, url,
                      page_kind_name(p->kind), p->section_path, p->title};
    int rc = filter_env_run(site.filters, &doc.ast, &fp, d);
    free(url);
    buf html = BUF_INIT, out = BUF_INIT, jsonld = BUF_INIT;
    if (rc == 0) {
        md_source src = {p->display_path, p->body_line - 1, p->title};
        site_link_origin origin = {&site.model, p};
        link_resolver links = {site_resolve_link, &origin, p->dir};
        markdown_prepare(&doc, &src, &links, (const char *const *)site.pr.templates->reserved_ids,
                         d);
        render_options ropt = {site.pr.cfg.unsafe_html, p->display_path, p->body_line - 1};
        render_html(doc.ast.root, &ropt, &html, d);
        /* a site that trusts its writers (unsafe_html: true) passes raw
         * HTML through the tag filter instead */
        render_options trusted = {!ropt.unsafe_html, p->display_path, p->body_line - 1};
        render_html(doc.ast.root, &trusted, &out, d);
        buf_clear(&out);
        /* clinicgen check's reading grade reads the same tree */
        readability r = {0, 0, 0};
        readability_add_doc(&r, doc.ast.root);
        (void)readability_grade(&r);
        search_page sp;
        memset(&sp, 0, sizeof sp);
        search_collect_page(site.search, &sp, p->url_path, p->title, p->summary,
                            p->kind == KIND_FAQ, doc.ast.root);
        search_page_free(&sp);
        jsonld_page(&site.model, p, doc.ast.root, &jsonld);
        page_body body = {buf_cstr(&html), html.len, doc.headings, doc.n_headings,
                          jsonld.len ? buf_cstr(&jsonld) : NULL};
        render_env_page(site.templates, p, &body, &out, d);
    }
    buf_free(&html);
    buf_free(&out);
    buf_free(&jsonld);
    md_doc_free(&doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* NUL-terminated, as fs_read_file reads a page */
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    diag_list d = DIAG_LIST_INIT;
    page *p = xcalloc(1, sizeof *p);
    /* A page with front matter errors is still rendered by the build, so
     * that every error is reported at once. */
    page_load_text(p, text, size, "content/procedures/fuzz.md", &d);
    /* its listing, as the site model links it (borrowed) */
    p->parent = strmap_get(&site.model.sections, p->section_path);
    build_one(p, text, size, &d); /* drafts too: build --drafts renders them */
    page_free(p);
    diag_free(&d);
    free(text);
    return 0;
}
