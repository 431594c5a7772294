/* walk: finding pages, bundle files and data files below content/. */
#include "walk.h"

#include "buf.h"
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { WALK_MAX_DEPTH = 64 };

void path_list_push(path_list *list, char *owned_path) {
    if (list->len == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 32;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    list->items[list->len++] = owned_path;
}

static void path_list_free(path_list *list) {
    for (size_t i = 0; i < list->len; i++)
        free(list->items[i]);
    free(list->items);
}

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* What a walk shares: where it reports, and content/'s real path, which
 * every symbolic link must resolve inside. */
typedef struct walker {
    char *root; /* realpath of content/, owned; NULL if it cannot be resolved */
    const char *display_dir;
    content_files *out;
    diag_list *d;
} walker;

static int is_inside(const char *path, const char *dir) {
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* May the walk use full (content-relative: child)? Anything but a symbolic
 * link, and a link that resolves inside content/: a writer's link to
 * /etc/passwd or ~/.ssh/id_rsa would otherwise be published with the site.
 * A link that resolves nowhere is left to stat() to report. */
static int stays_inside(walker *w, const char *full, const char *child) {
    struct stat st;
    if (lstat(full, &st) != 0 || !S_ISLNK(st.st_mode))
        return 1;
    char *real = realpath(full, NULL);
    if (!real)
        return 1;
    int inside = w->root && is_inside(real, w->root);
    if (!inside) {
        char target[4096]; /* the link as written, as the writer knows it */
        ssize_t n = readlink(full, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        char *where = fs_join(w->display_dir, child);
        diag_error(w->d, where, 0, 0,
                   "a symbolic link to '%s', outside content/: clinicgen publishes only files "
                   "inside content/",
                   target);
        free(where);
    }
    free(real);
    return inside;
}

static void walk_data(walker *w, const char *dir, const char *rel) {
    size_t n;
    char **names = fs_list_dir(dir, &n);
    if (!names)
        return;
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == '.' || !(has_suffix(names[i], ".yaml") || has_suffix(names[i], ".yml")))
            continue;
        char *full = fs_join(dir, names[i]);
        char *child = fs_join(rel, names[i]);
        if (stays_inside(w, full, child))
            path_list_push(&w->out->data, child);
        else
            free(child);
        free(full);
    }
    fs_free_list(names, n);
}

static int walk_dir(walker *w, const char *dir, const char *rel, int depth) {
    size_t n;
    char **names = fs_list_dir(dir, &n);
    char *shown = fs_join(w->display_dir, rel);
    if (!names) {
        diag_error(w->d, shown, 0, 0, "cannot read folder: %s", strerror(errno));
        free(shown);
        return -1;
    }
    if (depth > WALK_MAX_DEPTH) {
        diag_error(w->d, shown, 0, 0, "folders nested more than %d deep (a symlink loop?)",
                   WALK_MAX_DEPTH);
        fs_free_list(names, n);
        free(shown);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        if (name[0] == '.')
            continue;
        char *full = fs_join(dir, name);
        char *child = fs_join(rel, name);
        struct stat st;
        if (!stays_inside(w, full, child)) {
            rc = -1;
        } else if (stat(full, &st) != 0) {
            char *where = fs_join(w->display_dir, child);
            diag_error(w->d, where, 0, 0, "cannot read: %s", strerror(errno));
            free(where);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            if (depth == 0 && !strcmp(name, "_data"))
                walk_data(w, full, child);
            else if (name[0] != '_')
                rc |= walk_dir(w, full, child, depth + 1);
        } else if (has_suffix(name, ".md") && (name[0] != '_' || !strcmp(name, "_index.md"))) {
            path_list_push(&w->out->pages, child);
            child = NULL;
        } else if (name[0] != '_') {
            path_list_push(&w->out->assets, child);
            child = NULL;
        }
        free(child);
        free(full);
    }
    fs_free_list(names, n);
    free(shown);
    return rc;
}

void walk_data_files(const char *content_dir, const char *display_dir, content_files *out,
                     diag_list *d) {
    walker w = {realpath(content_dir, NULL), display_dir, out, d};
    char *dir = fs_join(content_dir, "_data");
    if (stays_inside(&w, dir, "_data"))
        walk_data(&w, dir, "_data");
    free(dir);
    free(w.root);
}

int walk_content(const char *content_dir, const char *display_dir, content_files *out,
                 diag_list *d) {
    memset(out, 0, sizeof *out);
    if (!fs_is_dir(content_dir)) {
        diag_error(d, display_dir, 0, 0, "there is no content folder");
        return -1;
    }
    walker w = {realpath(content_dir, NULL), display_dir, out, d};
    int rc = walk_dir(&w, content_dir, "", 0);
    free(w.root);
    return rc;
}

void content_files_free(content_files *files) {
    path_list_free(&files->pages);
    path_list_free(&files->assets);
    path_list_free(&files->data);
    memset(files, 0, sizeof *files);
}
