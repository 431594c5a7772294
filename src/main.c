/* main: the command line. Parses arguments and hands over to a command. */
#include "buf.h"
#include "build.h"
#include "check.h"
#include "config.h"
#include "diag.h"
#include "filter.h"
#include "fsutil.h"
#include "lua_ast.h"
#include "markdown.h"
#include "page.h"
#include "render_html.h"
#include "scaffold.h"
#include "serve.h"
#include "site.h"

#include <errno.h>
#include <libxml/parser.h>
#include <pthread.h>
#ifdef CLINICGEN_MIMALLOC
#include <mimalloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef CLINICGEN_VERSION
#define CLINICGEN_VERSION "0.1.0"
#endif

static const char USAGE[] =
    "usage: clinicgen build  [-C DIR] [-o OUT] [--drafts] [--offline] [--no-cache] [-j N]\n"
    "                        [-q | -v]\n"
    "       clinicgen render [--filter FILE]... [--to html|ast] FILE|-\n"
    "       clinicgen check  [-C DIR] [--drafts] [-v]\n"
    "       clinicgen new    [-C DIR] procedure|faq|concern|page \"Title\"\n"
    "       clinicgen serve  [-C DIR] [--port N] [--bind ADDR] [--drafts] [-j N]\n"
    "       clinicgen --help | --version\n";

static const char HELP[] =
    "clinicgen builds a clinic knowledge base (Markdown with YAML front matter)\n"
    "into a static, accessible website.\n"
    "\n"
    "Commands:\n"
    "  build     build the project in DIR (the folder holding site.yaml) into OUT\n"
    "            -C DIR     the project folder (default: the current folder)\n"
    "            -o OUT     the output folder (default: DIR/site); it is replaced\n"
    "                       only when the whole build succeeds\n"
    "            --drafts   include pages with 'draft: true'\n"
    "            --offline  write every internal link as a relative path ending\n"
    "                       in index.html, so the site can be browsed from disk\n"
    "                       (file://); as 'offline: true' in site.yaml\n"
    "            --no-cache build and write everything, as if there had been no\n"
    "                       build before (otherwise a build writes only the files\n"
    "                       that changed, and does nothing when no input did)\n"
    "            -j N       worker threads (default: one per core)\n"
    "            -q         print errors only;  -v  print more (each phase's time)\n"
    "            On a terminal a long build shows its progress on one line; it\n"
    "            ends with a summary: pages, files written, warnings, time\n"
    "  render    print one Markdown file's body after the filters given with\n"
    "            --filter FILE (in that order), as HTML or, with --to ast, as the\n"
    "            tree that filters see; - reads standard input. Run in a project\n"
    "            folder, filters see its site.yaml and data files\n"
    "  check     lint the project in DIR without writing anything: every error the\n"
    "            build reports about content, and links to missing anchors and\n"
    "            images without alt text (errors); front matter keys that look\n"
    "            misspelt, procedures without contraindications or aftercare,\n"
    "            missing reviews and reviews older than review_max_age_months,\n"
    "            pages with one title, and a reading grade (Flesch-Kincaid) above\n"
    "            reading_grade_max (warnings)\n"
    "            -C DIR     the project folder (default: the current folder)\n"
    "            --drafts   check pages with 'draft: true' too\n"
    "            -v         print each page's reading grade on standard output\n"
    "            Reviews are dated against today, or CLINICGEN_TODAY (YYYY-MM-DD).\n"
    "            Ends with 'clinicgen check: N pages, N errors, N warnings'\n"
    "  new       write a new page, a draft, from the archetype of its kind\n"
    "            (archetypes/KIND.md in DIR, else in the theme): every field to\n"
    "            fill, each with a comment. It goes to content/procedures/,\n"
    "            content/faq/, content/concerns/ or content/, named after the\n"
    "            title; an existing page is never overwritten. Prints its path\n"
    "  serve     build the project in DIR into DIR/site and serve it for preview at\n"
    "            http://127.0.0.1:4000/; rebuild when a file in content/, templates/,\n"
    "            themes/, filters/, static/ or site.yaml changes, and reload the\n"
    "            pages open in the browser. A failed build shows its errors over\n"
    "            the page (and here), and the last site that built stays served.\n"
    "            Ctrl-C stops it\n"
    "            -C DIR       the project folder (default: the current folder)\n"
    "            --port N     the port (default 4000; 0 picks a free one)\n"
    "            --bind ADDR  the address to listen on (default 127.0.0.1; 0.0.0.0\n"
    "                         lets other machines on the network see the preview)\n"
    "            --drafts     include pages with 'draft: true'\n"
    "            -j N         worker threads for the builds\n"
    "\n"
    "Messages have the form FILE:LINE:COL: error|warning: MESSAGE.\n"
    "Exit status: 0 success, 1 content, template or output errors, 2 usage.\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "clinicgen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return 2;
}

static int parse_jobs(const char *s, int *jobs) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 1 || n > 256)
        return -1;
    *jobs = (int)n;
    return 0;
}

static int parse_port(const char *s, int *port) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 0 || n > 65535)
        return -1;
    *port = (int)n;
    return 0;
}

static int command_serve(int argc, char **argv) {
    serve_options opt = {.build = {.project_dir = ".", .verbosity = VERBOSITY_NORMAL},
                         .bind = "127.0.0.1",
                         .port = SERVE_DEFAULT_PORT};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "-C") && has_value) {
            opt.build.project_dir = argv[++i];
            opt.build.project_dir_given = 1;
        } else if (!strcmp(a, "--port") && has_value) {
            if (parse_port(argv[++i], &opt.port) != 0)
                return usage_error("serve: --port takes a port from 0 to 65535, not '%s'", argv[i]);
        } else if (!strcmp(a, "--bind") && has_value) {
            opt.bind = argv[++i];
        } else if (!strcmp(a, "-j") && has_value) {
            if (parse_jobs(argv[++i], &opt.build.jobs) != 0)
                return usage_error("-j takes a number of threads from 1 to 256, not '%s'", argv[i]);
        } else if (!strcmp(a, "--drafts")) {
            opt.build.drafts = 1;
        } else {
            return usage_error("serve: unexpected argument '%s'", a);
        }
    }
    return serve_run(&opt);
}

/* The release binary's allocator (Makefile: MALLOC_LIBS) maps its memory in
 * 2 MiB pages where the kernel allows (transparent huge pages) and commits
 * it at once: a build touches 100 MB of fresh memory or more, and taking a
 * fault for every 4 KiB of it cost a 10,000-page build a tenth of its
 * system time and a one-page rebuild a fifth of its time (bench/README.md).
 * Memory the allocator mapped before main keeps small pages: see
 * build_on_own_thread. */
static void tune_allocator(void) {
#ifdef CLINICGEN_MIMALLOC
    mi_option_enable(mi_option_large_os_pages);
    mi_option_set(mi_option_eager_commit_delay, 0);
#endif
}

typedef struct build_call {
    const build_options *opt;
    int status;
} build_call;

static void *build_thread(void *arg) {
    build_call *call = arg;
    call->status = build_site(call->opt);
#ifdef CLINICGEN_LEAVE_MEMORY_AT_EXIT
    /* The process ends here (see end_ctx): a thread that returns has the
     * allocator tidy its heap first, the whole site model's, for nothing. */
    if (call->opt->exits_after)
        exit(call->status);
#endif
    return NULL;
}

/* build_site on a thread started after tune_allocator: the allocator gives
 * each thread a heap of its own, and the main thread's was mapped before
 * main ran, in small pages. */
static int build_on_own_thread(const build_options *opt) {
    build_call call = {opt, 0};
    pthread_t thread;
    if (pthread_create(&thread, NULL, build_thread, &call) != 0)
        return build_site(opt);
    pthread_join(thread, NULL);
    return call.status;
}

static int command_build(int argc, char **argv) {
    build_options opt = {.project_dir = ".", .verbosity = VERBOSITY_NORMAL, .exits_after = 1};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "-C") && has_value) {
            opt.project_dir = argv[++i];
            opt.project_dir_given = 1;
        } else if (!strcmp(a, "-o") && has_value) {
            opt.out_dir = argv[++i];
        } else if (!strcmp(a, "-j") && has_value) {
            if (parse_jobs(argv[++i], &opt.jobs) != 0)
                return usage_error("-j takes a number of threads from 1 to 256, not '%s'", argv[i]);
        } else if (!strncmp(a, "-j", 2) && a[2]) {
            if (parse_jobs(a + 2, &opt.jobs) != 0)
                return usage_error("-j takes a number of threads from 1 to 256, not '%s'", a + 2);
        } else if (!strcmp(a, "--drafts")) {
            opt.drafts = 1;
        } else if (!strcmp(a, "--offline")) {
            opt.offline = 1;
        } else if (!strcmp(a, "--no-cache")) {
            opt.no_cache = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            opt.verbosity = VERBOSITY_QUIET;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            opt.verbosity = VERBOSITY_VERBOSE;
        } else {
            return usage_error("build: unexpected argument '%s'", a);
        }
    }
    return build_on_own_thread(&opt);
}

/* Today's date, or CLINICGEN_TODAY's (YYYY-MM-DD), which tests use. */
static int today(page_date *out) {
    const char *fixed = getenv("CLINICGEN_TODAY");
    if (fixed && *fixed)
        return page_parse_date(fixed, out);
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return -1;
    *out = (page_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    return 0;
}

static int command_check(int argc, char **argv) {
    check_options opt = {.project_dir = "."};
    int verbose = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-C") && i + 1 < argc) {
            opt.project_dir = argv[++i];
            opt.project_dir_given = 1;
        } else if (!strcmp(a, "--drafts")) {
            opt.drafts = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else {
            return usage_error("check: unexpected argument '%s'", a);
        }
    }
    if (today(&opt.today) != 0)
        return usage_error("CLINICGEN_TODAY must be a date written YYYY-MM-DD, not '%s'",
                           getenv("CLINICGEN_TODAY"));
    return check_run(&opt, verbose);
}

static int command_new(int argc, char **argv) {
    const char *dir = ".", *kind = NULL, *title = NULL;
    int dir_given = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-C") && i + 1 < argc) {
            dir = argv[++i];
            dir_given = 1;
        } else if (!kind) {
            kind = argv[i];
        } else if (!title) {
            title = argv[i];
        } else {
            return usage_error("new: unexpected argument '%s'", argv[i]);
        }
    }
    if (!kind || !scaffold_is_kind(kind))
        return usage_error("new: say which kind of page: procedure, faq, concern or page%s", "");
    if (!title || !*title)
        return usage_error(
            "new: give the page's title, e.g. clinicgen new %s \"Laser resurfacing\"", kind);
    page_date date;
    if (today(&date) != 0)
        return usage_error("CLINICGEN_TODAY must be a date written YYYY-MM-DD, not '%s'",
                           getenv("CLINICGEN_TODAY"));
    diag_list d = DIAG_LIST_INIT;
    char *path = scaffold_new_page(dir, dir_given, kind, title, &date, &d);
    diag_print(&d, stderr, 1);
    diag_free(&d);
    if (!path)
        return 1;
    printf("%s\n", path);
    free(path);
    return 0;
}

static char *read_input(const char *path, size_t *len) {
    if (strcmp(path, "-") != 0)
        return fs_read_file(path, len);
    buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        buf_append(&b, chunk, n);
    *len = b.len;
    return buf_detach(&b);
}

typedef struct render_request {
    const char *file;
    int to_ast;
    filter_set filters;
} render_request;

static int parse_render_args(int argc, char **argv, render_request *r, diag_list *d) {
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc) {
            const char *to = argv[++i];
            if (strcmp(to, "html") != 0 && strcmp(to, "ast") != 0)
                return usage_error("render: --to takes html or ast, not '%s'", to);
            r->to_ast = !strcmp(to, "ast");
        } else if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
            filter_set_add_file(&r->filters, argv[++i], d);
        } else if (!r->file && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
            r->file = argv[i];
        } else {
            return usage_error("render: unexpected argument '%s'", argv[i]);
        }
    }
    if (!r->file)
        return usage_error("render: which file?%s", "");
    return 0;
}

/* In a project folder, filters see its settings and data files. */
static void load_project(site_config *cfg, value **data, diag_list *d) {
    memset(cfg, 0, sizeof *cfg);
    *data = NULL;
    if (!fs_is_file("site.yaml") || config_load(cfg, ".", "", d) != 0)
        return;
    *data = site_load_data("content", "content", d);
}

static int render_page(render_request *r, const char *text, size_t len, const page *p,
                       diag_list *d) {
    site_config cfg;
    value *data;
    load_project(&cfg, &data, d);
    filter_set_limits(&r->filters, cfg.raw, "site.yaml", d);
    filter_env *fenv = filter_env_new(&r->filters, cfg.raw, data);
    md_doc doc;
    markdown_parse(&doc, text + p->body_offset, len - p->body_offset);
    filter_page fp = {p->display_path,         p->front,        p->source, "",
                      page_kind_name(p->kind), p->section_path, p->title};
    int rc = filter_env_run(fenv, &doc.ast, &fp, d);
    buf out = BUF_INIT;
    if (rc == 0 && r->to_ast) {
        lua_ast_dump(doc.ast.root, &out);
    } else if (rc == 0) {
        md_source src = {p->display_path, p->body_line - 1, p->title};
        rc = markdown_prepare(&doc, &src, NULL, NULL, d);
        render_options ropt = {cfg.unsafe_html, p->display_path, p->body_line - 1};
        render_html(doc.ast.root, &ropt, &out, d);
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    buf_free(&out);
    md_doc_free(&doc);
    filter_env_free(fenv);
    value_free(data);
    config_free(&cfg);
    return rc;
}

static int command_render(int argc, char **argv) {
    render_request r = {0};
    diag_list d = DIAG_LIST_INIT;
    int status = parse_render_args(argc, argv, &r, &d);
    if (status != 0 || d.errors) {
        diag_print(&d, stderr, 1);
        diag_free(&d);
        filter_set_free(&r.filters);
        return status ? status : 1;
    }
    size_t len;
    char *text = read_input(r.file, &len);
    const char *shown = strcmp(r.file, "-") ? r.file : "<stdin>";
    if (!text) {
        fprintf(stderr, "%s: error: cannot read: %s\n", shown, strerror(errno));
        filter_set_free(&r.filters);
        return 1;
    }
    markdown_init();
    page *p = xcalloc(1, sizeof *p);
    int rc = page_load_text(p, text, len, shown, &d);
    if (rc == 0)
        rc = render_page(&r, text, len, p, &d);
    diag_print(&d, stderr, 1);
    status = (rc != 0 || d.errors) ? 1 : 0;
    page_free(p);
    diag_free(&d);
    free(text);
    filter_set_free(&r.filters);
    return status;
}

int main(int argc, char **argv) {
    tune_allocator();
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        fputs("\n", stdout);
        fputs(HELP, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("clinicgen %s\n", CLINICGEN_VERSION);
        return 0;
    }
    xmlInitParser();
    int status;
    if (!strcmp(cmd, "build"))
        status = command_build(argc - 2, argv + 2);
    else if (!strcmp(cmd, "render"))
        status = command_render(argc - 2, argv + 2);
    else if (!strcmp(cmd, "check"))
        status = command_check(argc - 2, argv + 2);
    else if (!strcmp(cmd, "new"))
        status = command_new(argc - 2, argv + 2);
    else if (!strcmp(cmd, "serve"))
        status = command_serve(argc - 2, argv + 2);
    else
        status = usage_error("unknown command '%s'", cmd);
    xmlCleanupParser();
    return status;
}
