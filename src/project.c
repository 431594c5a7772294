/* project: a project's settings, theme, templates and filters. */
#include "project.h"

#include "buf.h"
#include "fsutil.h"
#include "hash.h"
#include "value_pack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef CLINICGEN_DATADIR
#define CLINICGEN_DATADIR "/usr/local/share/clinicgen"
#endif

char *project_shown_path(const project *pr, const char *rel) {
    return pr->dir_given ? fs_join(pr->dir, rel) : xstrdup(rel);
}

static int has_own_templates(const project *pr) {
    char *dir = fs_join(pr->dir, "templates");
    int yes = fs_is_dir(dir);
    free(dir);
    return yes;
}

/* The theme: the project's themes/NAME, else the installed one. A project
 * with its own templates/ and no 'theme' setting may do without one. */
static int find_theme(project *pr, diag_list *d) {
    const char *name = pr->cfg.theme;
    char *where = project_shown_path(pr, "site.yaml");
    int rc = 0;
    if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, ".")) {
        diag_error(d, where, 0, 0, "'theme' must be a theme's name, not a path");
        rc = -1;
    } else {
        char *rel = fs_join("themes", name);
        char *local = fs_join(pr->dir, rel);
        char *installed = fs_join(CLINICGEN_DATADIR "/themes", name);
        if (fs_is_dir(local)) {
            pr->theme_dir = local;
            pr->theme_shown = project_shown_path(pr, rel);
            local = NULL;
        } else if (fs_is_dir(installed)) {
            pr->theme_dir = installed;
            pr->theme_shown = xstrdup(installed);
            installed = NULL;
        } else if (value_map_get(pr->cfg.raw, "theme") || !has_own_templates(pr)) {
            diag_error(d, where, 0, 0, "no theme '%s' in themes/ or %s/themes/", name,
                       CLINICGEN_DATADIR);
            rc = -1;
        }
        free(rel);
        free(local);
        free(installed);
    }
    free(where);
    return rc;
}

size_t project_override_dirs(const project *pr, const char *sub, char *dirs[2], char *shown[2]) {
    dirs[0] = fs_join(pr->dir, sub);
    shown[0] = project_shown_path(pr, sub);
    dirs[1] = pr->theme_dir ? fs_join(pr->theme_dir, sub) : NULL;
    shown[1] = pr->theme_dir ? fs_join(pr->theme_shown, sub) : NULL;
    return pr->theme_dir ? 2 : 1;
}

void project_free_dirs(char *dirs[2], char *shown[2]) {
    for (int i = 0; i < 2; i++) {
        free(dirs[i]);
        free(shown[i]);
    }
}

static int load_templates(project *pr, diag_list *d) {
    char *dirs[2], *shown[2];
    size_t n = project_override_dirs(pr, "templates", dirs, shown);
    pr->templates = template_set_load((const char *const *)dirs, (const char *const *)shown, n, d);
    project_free_dirs(dirs, shown);
    return pr->templates ? 0 : -1;
}

/* site.yaml's filters: the project's filters/, the theme's, the installed. */
static int load_filters(project *pr, diag_list *d) {
    char *dirs[3], *shown[3];
    size_t n = project_override_dirs(pr, "filters", dirs, shown);
    dirs[n] = xstrdup(CLINICGEN_DATADIR "/filters");
    shown[n] = xstrdup(dirs[n]);
    char *where = project_shown_path(pr, "site.yaml");
    size_t errors = d->errors;
    filter_set_limits(&pr->filters, pr->cfg.raw, where, d);
    filter_set_load(&pr->filters, value_map_get(pr->cfg.raw, "filters"), (const char *const *)dirs,
                    (const char *const *)shown, n + 1, where, d);
    free(where);
    for (size_t i = 0; i <= n; i++) {
        free(dirs[i]);
        free(shown[i]);
    }
    return d->errors > errors ? -1 : 0;
}

int project_open_settings(project *pr, const char *dir, int dir_given, diag_list *d) {
    memset(pr, 0, sizeof *pr);
    pr->dir = dir;
    pr->dir_given = dir_given;
    char *display = dir_given ? xstrdup(dir) : xstrdup("");
    int rc = config_load(&pr->cfg, dir, display, d);
    free(display);
    if (rc != 0)
        return -1;
    pr->content_dir = fs_join(dir, "content");
    pr->content_shown = project_shown_path(pr, "content");
    return find_theme(pr, d);
}

int project_open(project *pr, const char *dir, int dir_given, diag_list *d) {
    if (project_open_settings(pr, dir, dir_given, d) != 0 || load_templates(pr, d) != 0 ||
        load_filters(pr, d) != 0)
        return -1;
    return 0;
}

char **project_input_roots(const project *pr, size_t *n) {
    static const char *const own[] = {"site.yaml", "content", "templates", "static", "filters"};
    size_t count = sizeof own / sizeof *own;
    char **roots = xcalloc(count + 3, sizeof *roots);
    for (size_t i = 0; i < count; i++) {
        char *root = fs_join(pr->dir, own[i]);
        roots[i] = fs_absolute(root);
        free(root);
    }
    if (pr->theme_dir)
        roots[count++] = fs_absolute(pr->theme_dir);
    roots[count++] = xstrdup(CLINICGEN_DATADIR "/filters");
    roots[count++] = xstrdup("/proc/self/exe"); /* a new clinicgen may write other files */
    *n = count;
    return roots;
}

void project_free(project *pr) {
    template_set_free(pr->templates);
    filter_set_free(&pr->filters);
    config_free(&pr->cfg);
    free(pr->content_dir);
    free(pr->content_shown);
    free(pr->theme_dir);
    free(pr->theme_shown);
    memset(pr, 0, sizeof *pr);
}

/* The front matter of page p again, from text (which hashes as
 * p->text_hash unless changed), with split filled; NULL after an error. */
static value *front_again(const page *p, const char *text, size_t len, int changed,
                          front_matter_split *split, diag_list *d) {
    if (!changed && p->front_packed) { /* as page_load parsed it, without libyaml again */
        value *front = value_unpack(p->front_packed, p->front_packed_len);
        split->body_offset = p->body_offset;
        if (front)
            return front;
    }
    /* its messages were given when the page was loaded, unless it changed */
    diag_list again = DIAG_LIST_INIT;
    value *front = page_parse_front_matter(text, len, p->display_path, split, changed ? d : &again);
    if (!front && !changed) { /* as page_load left it: no fields, and the body goes on */
        front = value_new(VALUE_MAP, 1, 1);
        split->body_offset = p->body_offset;
    }
    diag_free(&again);
    return front;
}

int project_parse_body(const project *pr, const page *p, md_doc *doc, value **front,
                       uint64_t *text_hash, diag_list *d) {
    if (p->skip_body)
        return -1; /* reported when the page was loaded */
    size_t len = p->small_text_len;
    char *text = p->small_text, *read = NULL;
    if (!text) {
        char *path = fs_join(pr->content_dir, p->source);
        text = read = fs_read_file_max(path, PAGE_MAX_BYTES, &len);
        free(path);
    }
    if (!text) {
        diag_error(d, p->display_path, 0, 0, "cannot read: %s", fs_strerror(errno));
        return -1;
    }
    /* The file may have changed since page_load checked it: then check it
     * again rather than hand cmark-gfm something unchecked. */
    *text_hash = read ? hash64(text, len, 0) : p->text_hash;
    int changed = *text_hash != p->text_hash;
    front_matter_split split = {0};
    int rc = 0;
    if (front) {
        *front = front_again(p, text, len, changed, &split, d);
        rc = *front ? 0 : -1;
    }
    if (rc == 0 && (len < p->body_offset || (front && split.body_offset != p->body_offset))) {
        diag_error(d, p->display_path, 0, 0, "the file changed during the build: build again");
        rc = -1;
    }
    if (rc == 0 && changed &&
        markdown_check_limits(text + p->body_offset, len - p->body_offset, p->display_path,
                              p->body_line - 1, d) != 0)
        rc = -1;
    if (rc == 0 && changed)
        markdown_parse(doc, text + p->body_offset, len - p->body_offset);
    else if (rc == 0) /* the text page_load checked */
        markdown_parse_valid(doc, text + p->body_offset, len - p->body_offset);
    else if (front) {
        value_free(*front);
        *front = NULL;
    }
    free(read);
    return rc;
}
