/* main: the command line. Parses arguments and hands over to a command. */
#include "buf.h"
#include "build.h"
#include "diag.h"
#include "fsutil.h"
#include "markdown.h"
#include "page.h"
#include "render_html.h"

#include <errno.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLINICGEN_VERSION
#define CLINICGEN_VERSION "0.1.0"
#endif

static const char USAGE[] =
    "usage: clinicgen build  [-C DIR] [-o OUT] [--drafts] [-j N] [-q | -v]\n"
    "       clinicgen render [--to html] FILE|-\n"
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
    "            -j N       worker threads (default: one per core)\n"
    "            -q         print errors only;  -v  print more\n"
    "  render    print one Markdown file's body as HTML (- reads standard input)\n"
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

static int command_build(int argc, char **argv) {
    build_options opt = {.project_dir = ".", .verbosity = VERBOSITY_NORMAL};
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
                return usage_error("-j takes a number of threads from 1 to 256, not '%s'",
                                   argv[i]);
        } else if (!strncmp(a, "-j", 2) && a[2]) {
            if (parse_jobs(a + 2, &opt.jobs) != 0)
                return usage_error("-j takes a number of threads from 1 to 256, not '%s'", a + 2);
        } else if (!strcmp(a, "--drafts")) {
            opt.drafts = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            opt.verbosity = VERBOSITY_QUIET;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            opt.verbosity = VERBOSITY_VERBOSE;
        } else {
            return usage_error("build: unexpected argument '%s'", a);
        }
    }
    return build_site(&opt);
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

static int command_render(int argc, char **argv) {
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc) {
            if (strcmp(argv[++i], "html") != 0)
                return usage_error("render: unknown output format '%s'", argv[i]);
        } else if (!file && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
            file = argv[i];
        } else {
            return usage_error("render: unexpected argument '%s'", argv[i]);
        }
    }
    if (!file)
        return usage_error("render: which file?%s", "");
    size_t len;
    char *text = read_input(file, &len);
    if (!text) {
        fprintf(stderr, "%s: error: cannot read: %s\n", file, strerror(errno));
        return 1;
    }
    diag_list d = DIAG_LIST_INIT;
    const char *shown = strcmp(file, "-") ? file : "<stdin>";
    front_matter_split split;
    int rc = page_split_front_matter(text, len, &split, shown, &d);
    if (rc == 0) {
        markdown_init();
        md_doc doc;
        markdown_parse(&doc, text + split.body_offset, len - split.body_offset);
        md_source src = {shown, split.body_line - 1, NULL};
        rc = markdown_prepare(&doc, &src, NULL, NULL, &d);
        buf out = BUF_INIT;
        render_options ropt = {0, shown, split.body_line - 1};
        render_html(doc.ast.root, &ropt, &out, &d);
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        buf_free(&out);
        md_doc_free(&doc);
    }
    diag_print(&d, stderr, 1);
    int status = (rc != 0 || d.errors) ? 1 : 0;
    diag_free(&d);
    free(text);
    return status;
}

int main(int argc, char **argv) {
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
    else
        status = usage_error("unknown command '%s'", cmd);
    xmlCleanupParser();
    return status;
}
