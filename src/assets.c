/* assets: finding static files and fingerprinting stylesheets and scripts. */
#include "assets.h"

#include "buf.h"
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int wants_fingerprint(const char *name) {
    size_t n = strlen(name);
    return (n > 4 && !strcmp(name + n - 4, ".css")) || (n > 3 && !strcmp(name + n - 3, ".js"));
}

static char *fingerprinted(const char *name, const char *data, size_t len) {
    size_t hash = strmap_hash(data, len);
    const char *dot = strrchr(name, '.');
    return xasprintf("%.*s.%010llx%s", (int)(dot - name), name,
                     (unsigned long long)hash & 0xffffffffffULL, dot);
}

static void add_file(static_files *out, const char *name, const char *path, const char *shown,
                     diag_list *d) {
    if (strmap_get(&out->names, name))
        return; /* overridden by an earlier folder */
    char *out_path = NULL;
    if (wants_fingerprint(name)) {
        size_t len;
        char *data = fs_read_file(path, &len);
        if (!data) {
            diag_error(d, shown, 0, 0, "cannot read: %s", fs_strerror(errno));
            return;
        }
        out_path = fingerprinted(name, data, len);
        free(data);
    } else {
        out_path = xstrdup(name);
    }
    out->items = xrealloc(out->items, (out->len + 1) * sizeof *out->items);
    static_file *f = &out->items[out->len++];
    f->name = xstrdup(name);
    f->path = xstrdup(path);
    f->shown = xstrdup(shown);
    f->out_path = out_path;
    strmap_put(&out->names, f->name, f->out_path);
}

static void collect_dir(static_files *out, fs_folder_set *seen, const char *dir, const char *shown,
                        const char *prefix, int depth, diag_list *d) {
    int fresh = fs_folder_set_add(seen, dir);
    if (fresh == 0) {
        diag_error(d, shown, 0, 0, "this folder is reached a second time (a symlink loop?)");
        return;
    }
    size_t n;
    char **names = fresh > 0 && depth < 32 ? fs_list_dir(dir, &n) : NULL;
    if (!names)
        return;
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == '.')
            continue;
        char *path = fs_join(dir, names[i]);
        char *child_shown = fs_join(shown, names[i]);
        char *name = fs_join(prefix, names[i]);
        if (fs_is_dir(path))
            collect_dir(out, seen, path, child_shown, name, depth + 1, d);
        else
            add_file(out, name, path, child_shown, d);
        free(path);
        free(child_shown);
        free(name);
    }
    fs_free_list(names, n);
}

int assets_collect(static_files *out, const char *const *dirs, const char *const *shown,
                   size_t n_dirs, diag_list *d) {
    memset(out, 0, sizeof *out);
    size_t errors = d->errors;
    for (size_t i = 0; i < n_dirs; i++) {
        fs_folder_set seen = FS_FOLDER_SET_INIT; /* per folder: a theme may be the project's */
        if (fs_is_dir(dirs[i]))
            collect_dir(out, &seen, dirs[i], shown[i], "", 0, d);
        fs_folder_set_free(&seen);
    }
    return d->errors > errors ? -1 : 0;
}

void assets_free(static_files *files) {
    for (size_t i = 0; i < files->len; i++) {
        free(files->items[i].name);
        free(files->items[i].path);
        free(files->items[i].shown);
        free(files->items[i].out_path);
    }
    free(files->items);
    strmap_free(&files->names);
    memset(files, 0, sizeof *files);
}
