/* output: the staging folder, path checks and the final swap. */
#define _GNU_SOURCE
#include "output.h"

#include "buf.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MARKER[] = ".clinicgen-output";

/* realpath of a folder that may not exist yet: resolve its parent. */
static char *resolve_path(const char *path) {
    char *real = realpath(path, NULL);
    if (real)
        return real;
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    char *parent = realpath(slash ? (*dir ? dir : "/") : ".", NULL);
    char *joined = parent ? fs_join(parent, base) : NULL;
    free(parent);
    free(dir);
    return joined;
}

static int is_inside(const char *path, const char *dir) {
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

static int check_out_dir(const char *out_dir, const char *project_dir, diag_list *d) {
    char *out = resolve_path(out_dir);
    char *project = realpath(project_dir, NULL);
    char *content = project ? fs_join(project, "content") : NULL;
    char *out_content = out ? fs_join(out, "content") : NULL;
    const char *why = NULL;
    if (!out || !project)
        why = "its parent folder does not exist";
    else if (is_inside(project, out))
        why = "it is the project folder or contains it";
    else if (is_inside(out, content))
        why = "it is inside content/";
    else if (fs_is_dir(out_content))
        why = "it holds a content/ folder";
    if (why)
        diag_error(d, out_dir, 0, 0, "refusing to write the site here: %s", why);
    free(out);
    free(project);
    free(content);
    free(out_content);
    return why ? -1 : 0;
}

/* May the folder be replaced? Only if clinicgen made it, or it is empty. */
static int replaceable(const char *dir) {
    char *marker = fs_join(dir, MARKER);
    int ours = fs_is_file(marker);
    free(marker);
    if (ours)
        return 1;
    size_t n;
    char **names = fs_list_dir(dir, &n);
    if (names)
        fs_free_list(names, n);
    return names && n == 0;
}

int output_begin(output *o, const char *out_dir, const char *project_dir, diag_list *d) {
    memset(o, 0, sizeof *o);
    if (check_out_dir(out_dir, project_dir, d) != 0)
        return -1;
    if (fs_is_dir(out_dir) && !replaceable(out_dir)) {
        diag_error(d, out_dir, 0, 0,
                   "refusing to replace this folder: clinicgen did not make it (remove it or "
                   "choose another with -o)");
        return -1;
    }
    size_t n = strlen(out_dir);
    while (n > 1 && out_dir[n - 1] == '/')
        n--;
    o->final_dir = xstrndup(out_dir, n);
    char *slash = strrchr(o->final_dir, '/');
    char *parent = slash ? xstrndup(o->final_dir, (size_t)(slash - o->final_dir)) : xstrdup(".");
    const char *base = slash ? slash + 1 : o->final_dir;
    o->stage_dir = xasprintf("%s/.%s.new-XXXXXX", *parent ? parent : "", base);
    if (!mkdtemp(o->stage_dir)) {
        int err = errno;
        const char *where = *parent ? parent : "/";
        if (err == ENOTDIR)
            diag_error(d, out_dir, 0, 0, "cannot write the site here: %s is not a folder", where);
        else
            diag_error(d, out_dir, 0, 0,
                       "cannot write the site here: making a folder in %s failed (%s)", where,
                       strerror(err));
        free(parent);
        free(o->stage_dir);
        free(o->final_dir);
        memset(o, 0, sizeof *o);
        return -1;
    }
    free(parent);
    chmod(o->stage_dir, 0755);
    return output_write(o, MARKER, "", 0, d);
}

static char *staged_path(output *o, const char *rel, diag_list *d) {
    char *norm = fs_normalize(rel);
    if (!norm || !*norm || rel[0] == '/') {
        diag_error(d, rel, 0, 0, "refusing to write outside the output folder");
        free(norm);
        return NULL;
    }
    char *path = fs_join(o->stage_dir, norm);
    free(norm);
    return path;
}

static void report_taken(const char *rel, const char *who, diag_list *d) {
    diag_error(d, who, 0, 0,
               "the site already has a file at %s (clinicgen writes it, or another file "
               "does): rename or move this one",
               rel);
}

/* Each file of the site is written once: a second file for the same path
 * (a content file named search/meta.js, say, which would replace the
 * search index with the writer's script) is an error naming `who`. */
static int write_once(output *o, const char *rel, const char *data, size_t len, const char *who,
                      diag_list *d) {
    char *path = staged_path(o, rel, d);
    if (!path)
        return -1;
    int rc = fs_write_new_file(path, data, len);
    if (rc != 0 && errno == EEXIST)
        report_taken(rel, who, d);
    else if (rc != 0)
        diag_error(d, o->final_dir, 0, 0, "cannot write %s: %s", rel, strerror(errno));
    free(path);
    return rc;
}

int output_write(output *o, const char *rel, const char *data, size_t len, diag_list *d) {
    return write_once(o, rel, data, len, o->final_dir, d);
}

int output_copy(output *o, const char *rel, const char *from, const char *from_shown,
                diag_list *d) {
    char *path = staged_path(o, rel, d);
    if (!path)
        return -1;
    int write_failed;
    int rc = fs_copy_file(from, path, &write_failed);
    if (rc != 0 && write_failed && errno == EEXIST)
        report_taken(rel, from_shown, d);
    else if (rc != 0 && write_failed)
        diag_error(d, o->final_dir, 0, 0, "cannot write %s: %s", rel, strerror(errno));
    else if (rc != 0)
        diag_error(d, from_shown, 0, 0, "cannot read: %s", fs_strerror(errno));
    free(path);
    return rc;
}

int output_commit(output *o, diag_list *d) {
    int rc;
    if (fs_is_dir(o->final_dir)) {
        rc = renameat2(AT_FDCWD, o->stage_dir, AT_FDCWD, o->final_dir, RENAME_EXCHANGE);
        if (rc == 0 && fs_remove_tree(o->stage_dir) != 0) /* now holds the previous site */
            diag_warning(d, o->stage_dir, 0, 0,
                         "the new site is in place, but this copy of the previous one could not "
                         "be removed: %s",
                         strerror(errno));
    } else {
        rc = rename(o->stage_dir, o->final_dir);
    }
    if (rc != 0) {
        diag_error(d, o->final_dir, 0, 0, "cannot put the new site in place: %s", strerror(errno));
        output_abort(o);
        return -1;
    }
    free(o->stage_dir);
    free(o->final_dir);
    memset(o, 0, sizeof *o);
    return 0;
}

void output_abort(output *o) {
    if (o->stage_dir)
        fs_remove_tree(o->stage_dir);
    free(o->stage_dir);
    free(o->final_dir);
    memset(o, 0, sizeof *o);
}
