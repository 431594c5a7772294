/* walk: finding pages, bundle files and data files below content/. */
#include "walk.h"

#include "buf.h"
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void walk_data(const char *dir, const char *rel, content_files *out) {
    size_t n;
    char **names = fs_list_dir(dir, &n);
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        if (names[i][0] != '.' && (has_suffix(names[i], ".yaml") || has_suffix(names[i], ".yml")))
            path_list_push(&out->data, fs_join(rel, names[i]));
    fs_free_list(names, n);
}

static int walk_dir(const char *dir, const char *rel, const char *display_dir, int depth,
                    content_files *out, diag_list *d) {
    size_t n;
    char **names = fs_list_dir(dir, &n);
    char *shown = fs_join(display_dir, rel);
    if (!names) {
        diag_error(d, shown, 0, 0, "cannot read folder: %s", strerror(errno));
        free(shown);
        return -1;
    }
    if (depth > WALK_MAX_DEPTH) {
        diag_error(d, shown, 0, 0, "folders nested more than %d deep (a symlink loop?)",
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
        if (stat(full, &st) != 0) {
            char *where = fs_join(display_dir, child);
            diag_error(d, where, 0, 0, "cannot read: %s", strerror(errno));
            free(where);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            if (depth == 0 && !strcmp(name, "_data"))
                walk_data(full, child, out);
            else if (name[0] != '_')
                rc |= walk_dir(full, child, display_dir, depth + 1, out, d);
        } else if (has_suffix(name, ".md") && (name[0] != '_' || !strcmp(name, "_index.md"))) {
            path_list_push(&out->pages, child);
            child = NULL;
        } else if (name[0] != '_') {
            path_list_push(&out->assets, child);
            child = NULL;
        }
        free(child);
        free(full);
    }
    fs_free_list(names, n);
    free(shown);
    return rc;
}

void walk_data_files(const char *content_dir, content_files *out) {
    char *dir = fs_join(content_dir, "_data");
    walk_data(dir, "_data", out);
    free(dir);
}

int walk_content(const char *content_dir, const char *display_dir, content_files *out,
                 diag_list *d) {
    memset(out, 0, sizeof *out);
    if (!fs_is_dir(content_dir)) {
        diag_error(d, display_dir, 0, 0, "there is no content folder");
        return -1;
    }
    return walk_dir(content_dir, "", display_dir, 0, out, d);
}

void content_files_free(content_files *files) {
    path_list_free(&files->pages);
    path_list_free(&files->assets);
    path_list_free(&files->data);
    memset(files, 0, sizeof *files);
}
