/* output: the staging folder, path checks and the final swap. */
#define _GNU_SOURCE
#include "output.h"

#include "buf.h"
#include "fsutil.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MARKER[] = ".clinicgen-output";

static int is_inside(const char *path, const char *dir) {
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

static int check_out_dir(const char *out_dir, const char *project_dir, diag_list *d) {
    char *out = fs_resolve_path(out_dir);
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

static void output_init(output *o, const cache_manifest *previous) {
    memset(o, 0, sizeof *o);
    o->previous = previous;
    pthread_mutex_init(&o->lock, NULL);
    o->written = (cache_manifest)CACHE_MANIFEST_INIT;
    o->taken = (strmap)STRMAP_INIT;
    o->folders = (strmap)STRMAP_INIT;
    if (previous) { /* an update writes about the files the last build wrote */
        strmap_reserve(&o->taken, previous->len);
        cache_manifest_reserve(&o->written, previous->len);
    }
}

void output_free(output *o) {
    if (o->stage_dir)
        fs_remove_tree(o->stage_dir);
    free(o->stage_dir);
    free(o->final_dir);
    cache_manifest_free(&o->written);
    strmap_free(&o->taken);
    strmap_free(&o->folders);
    for (size_t i = 0; i < o->n_staged; i++)
        free(o->staged[i]);
    free(o->staged);
    pthread_mutex_destroy(&o->lock);
    memset(o, 0, sizeof *o);
}

int output_begin(output *o, const char *out_dir, const char *project_dir,
                 const cache_manifest *previous, diag_list *d) {
    output_init(o, previous);
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
        o->stage_dir = NULL;
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

/* Claims rel for this build: each file of the site is written once, so a
 * second file for the same path (a content file named search/meta.js, say,
 * which would replace the search index with the writer's script) is an
 * error naming `who`. Returns 1 when the previous build wrote the same
 * content (hash) there: in update mode it is kept as it is. */
static int claim(output *o, const char *rel, uint64_t hash, const char *who, diag_list *d) {
    pthread_mutex_lock(&o->lock);
    int taken = strmap_get(&o->taken, rel) != NULL;
    const cache_entry *old = o->previous ? cache_manifest_find(o->previous, rel) : NULL;
    int keep = !taken && old && old->hash == hash;
    if (!taken)
        strmap_put(&o->taken, rel, o);
    if (keep)
        cache_manifest_add(&o->written, old);
    pthread_mutex_unlock(&o->lock);
    if (taken) {
        report_taken(rel, who, d);
        return -1;
    }
    return keep;
}

/* Records a file written to the staging folder; st describes it (NULL:
 * look). */
static void record(output *o, const char *rel, const char *path, uint64_t hash,
                   const struct stat *st) {
    struct stat seen;
    if (!st && lstat(path, &seen) != 0)
        memset(&seen, 0, sizeof seen);
    cache_entry e = {(char *)rel, hash, 0, 0, 0};
    cache_entry_set_stat(&e, st ? st : &seen);
    pthread_mutex_lock(&o->lock);
    cache_manifest_add(&o->written, &e);
    if (o->previous) {
        o->staged = xrealloc(o->staged, (o->n_staged + 1) * sizeof *o->staged);
        o->staged[o->n_staged++] = xstrdup(rel);
    }
    pthread_mutex_unlock(&o->lock);
}

/* Makes the folder of path (in the staging folder) unless this build made
 * it already: most files are the first in a folder of their own (a page's
 * index.html), where opening the file first would fail. Another thread may
 * still be making it: writing then makes it too (fs_write_new_file). */
static void make_folder(output *o, const char *path) {
    char *dir = fs_dirname(path);
    pthread_mutex_lock(&o->lock);
    int made = strmap_put(&o->folders, dir, o) != NULL;
    pthread_mutex_unlock(&o->lock);
    if (!made)
        fs_mkdirs(dir);
    free(dir);
}

static int write_once(output *o, const char *rel, const char *data, size_t len, const char *who,
                      diag_list *d) {
    char *path = staged_path(o, rel, d);
    if (!path)
        return -1;
    uint64_t hash = hash64(data, len, 0);
    int kept = claim(o, rel, hash, who, d);
    int rc = kept < 0 ? -1 : 0;
    if (kept == 0) {
        struct stat st; /* of the open file: no second look up of its path */
        make_folder(o, path);
        rc = fs_write_new_file_stat(path, data, len, &st);
        if (rc != 0 && errno == EEXIST)
            report_taken(rel, who, d);
        else if (rc != 0)
            diag_error(d, o->final_dir, 0, 0, "cannot write %s: %s", rel, strerror(errno));
        else
            record(o, rel, path, hash, &st);
    }
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
    /* a copy is the same as before when its source file is (named by rel:
     * the same however -C is spelled) */
    uint64_t hash = cache_file_identity(from, rel);
    int kept = claim(o, rel, hash, from_shown, d);
    if (kept != 0) {
        free(path);
        return kept < 0 ? -1 : 0;
    }
    int write_failed;
    make_folder(o, path);
    int rc = fs_copy_file(from, path, &write_failed);
    if (rc != 0 && write_failed && errno == EEXIST)
        report_taken(rel, from_shown, d);
    else if (rc != 0 && write_failed)
        diag_error(d, o->final_dir, 0, 0, "cannot write %s: %s", rel, strerror(errno));
    else if (rc != 0)
        diag_error(d, from_shown, 0, 0, "cannot read: %s", fs_strerror(errno));
    else
        record(o, rel, path, hash, NULL);
    free(path);
    return rc;
}

int output_keep(output *o, const char *rel, uint64_t *size, diag_list *d) {
    const cache_entry *old = o->previous ? cache_manifest_find(o->previous, rel) : NULL;
    if (!old)
        return 1;
    if (size)
        *size = old->size;
    return claim(o, rel, old->hash, o->final_dir, d) == 1 ? 0 : -1;
}

/* A full build: the staging folder takes the output folder's place. */
static int swap_into_place(output *o, diag_list *d) {
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
        return -1;
    }
    free(o->stage_dir);
    o->stage_dir = NULL;
    return 0;
}

/* Removes rel's folders below the output folder that are left empty. */
static void remove_empty_parents(const char *final_dir, const char *rel) {
    char *dir = fs_dirname(rel);
    while (dir && *dir && strcmp(dir, ".") != 0) {
        char *path = fs_join(final_dir, dir);
        int removed = rmdir(path) == 0;
        free(path);
        char *up = removed ? fs_dirname(dir) : NULL;
        free(dir);
        dir = up;
    }
    free(dir);
}

/* An update: files this build did not write leave the output folder
 * (first, as one of them may be where a new folder goes), then the new and
 * changed files move in. */
static int update_in_place(output *o, diag_list *d) {
    for (size_t i = 0; i < o->previous->len; i++) {
        const char *rel = o->previous->entries[i].path;
        if (cache_manifest_find(&o->written, rel))
            continue;
        char *path = fs_join(o->final_dir, rel);
        unlink(path);
        free(path);
        remove_empty_parents(o->final_dir, rel);
    }
    for (size_t i = 0; i < o->n_staged; i++) {
        char *from = fs_join(o->stage_dir, o->staged[i]);
        char *to = fs_join(o->final_dir, o->staged[i]);
        char *dir = fs_dirname(to);
        int rc = (*dir && fs_mkdirs(dir) != 0) ? -1 : rename(from, to);
        if (rc != 0)
            diag_error(d, o->final_dir, 0, 0,
                       "cannot put %s in place (%s): the site is partly updated; build again",
                       o->staged[i], strerror(errno));
        free(dir);
        free(to);
        free(from);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int output_commit(output *o, diag_list *d) {
    cache_manifest_index(&o->written);
    int rc = o->previous ? update_in_place(o, d) : swap_into_place(o, d);
    output_abort(o); /* the staging folder, empty by now in an update */
    return rc;
}

void output_abort(output *o) {
    if (o->stage_dir)
        fs_remove_tree(o->stage_dir);
    free(o->stage_dir);
    o->stage_dir = NULL;
}
