/* walk: finding pages, bundle files and data files below content/. */
#define _GNU_SOURCE
#include "walk.h"

#include "buf.h"
#include "fsutil.h"
#include "strmap.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
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

static void push_page(content_files *out, char *owned_path, const struct stat *st) {
    path_list_push(&out->pages, owned_path);
    if (out->stats_cap < out->pages.cap) {
        out->stats_cap = out->pages.cap;
        out->stats = xrealloc(out->stats, out->stats_cap * sizeof *out->stats);
    }
    out->stats[out->pages.len - 1] = *st;
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

/* A folder read already, so that each is read once: a symlink back to a
 * folder that holds it would otherwise be read forever, and two links to
 * one folder read it twice (and, repeated, exponentially often). */
typedef struct folder_seen {
    char *rel;  /* how the walk first reached it, below content/ */
    char *link; /* the symlink on that way, or NULL */
} folder_seen;

/* What one walk shares. */
typedef struct walker {
    char *root; /* content/, symlinks resolved: links must stay inside */
    const char *display_dir;
    strmap folders; /* "DEV:INO" -> folder_seen (owned here) */
    content_files *out;
    diag_list *d;
    int rc;
} walker;

static void __attribute__((format(printf, 3, 4)))
walk_error(walker *w, const char *rel, const char *fmt, ...) {
    char *shown = fs_join(w->display_dir, rel);
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diag_error(w->d, shown, 0, 0, "%s", buf_cstr(&msg));
    buf_free(&msg);
    free(shown);
    w->rc = -1;
}

static int is_inside(const char *path, const char *dir) {
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

/* Where a symlink leads, when that is inside the project: its resolved
 * path (caller frees). Otherwise NULL after reporting why not. */
static char *follow_link(walker *w, const char *full, const char *rel) {
    char *real = realpath(full, NULL);
    int err = errno;
    char target[PATH_MAX]; /* as written, which the writer will recognise */
    ssize_t n = readlink(full, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    if (!real) {
        if (err == ELOOP)
            walk_error(w, rel, "this symlink is a loop (it leads back to itself)");
        else if (err == ENOENT)
            walk_error(w, rel, "this symlink points to nothing ('%s' does not exist)", target);
        else
            walk_error(w, rel, "cannot follow this symlink: %s", strerror(err));
        return NULL;
    }
    if (!is_inside(real, w->root)) {
        walk_error(w, rel,
                   "this symlink points outside content/ (to %s); clinicgen publishes only "
                   "files inside content/",
                   target);
        free(real);
        return NULL;
    }
    return real;
}

/* Marks a folder (whose status is st) as read: 0 the first time. Reaching
 * it again is an error on the symlink that leads there: the one on the
 * later way (link), else the one on the earlier. */
static int visit_folder(walker *w, const struct stat *st, const char *rel, const char *link) {
    char key[64];
    snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino);
    folder_seen *seen = strmap_get(&w->folders, key);
    if (!seen) {
        seen = xcalloc(1, sizeof *seen);
        seen->rel = xstrdup(rel);
        seen->link = link ? xstrdup(link) : NULL;
        strmap_put(&w->folders, key, seen);
        return 0;
    }
    const char *blamed = link ? link : seen->link ? seen->link : rel;
    const char *target = link || !seen->link ? seen->rel : rel;
    char *other = *target ? fs_join(w->display_dir, target) : xstrdup(w->display_dir);
    if (link && (!*seen->rel || is_inside(link, seen->rel)))
        walk_error(w, blamed, "this symlink leads back to %s, a folder it is in (a loop)", other);
    else
        walk_error(w, blamed,
                   "this symlink leads to %s, which is read already (clinicgen reads each "
                   "folder once)",
                   other);
    free(other);
    return -1;
}

/* The status of entry e of folder dir, following a symlink only when it
 * stays inside the project. Returns 0, or -1 after reporting. */
static int entry_stat(walker *w, const char *dir, const fs_entry *e, const char *rel,
                      struct stat *st, int *via_link) {
    if (e->err) {
        walk_error(w, rel, "cannot read: %s", strerror(e->err));
        return -1;
    }
    *st = e->st;
    *via_link = S_ISLNK(st->st_mode);
    if (!*via_link)
        return 0;
    char *full = fs_join(dir, e->name);
    char *real = follow_link(w, full, rel);
    int rc = real ? stat(full, st) : -1;
    if (real && rc != 0)
        walk_error(w, rel, "cannot read: %s", strerror(errno));
    free(real);
    free(full);
    return rc;
}

/* The entries of folder dir: listed, as the inputs digest saw them (cache.h),
 * or else read now into *read, which the caller frees. NULL after
 * reporting. */
static const fs_listing *folder_entries(walker *w, const char *dir, const char *rel,
                                        const fs_listing *listed, fs_listing **read) {
    *read = NULL;
    if (listed)
        return listed;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *read = fd < 0 ? NULL : fs_listing_read(fd, 0);
    if (!*read)
        walk_error(w, rel, "cannot read folder: %s", strerror(errno));
    return *read;
}

static void walk_data(walker *w, const char *dir, const char *rel, const fs_listing *listed) {
    fs_listing *read;
    const fs_listing *entries = folder_entries(w, dir, rel, listed, &read);
    for (size_t i = 0; entries && i < entries->n; i++) {
        const fs_entry *e = &entries->entries[i];
        if (e->name[0] == '.' || !(has_suffix(e->name, ".yaml") || has_suffix(e->name, ".yml")))
            continue;
        char *child = fs_join(rel, e->name);
        struct stat st;
        int via_link;
        if (entry_stat(w, dir, e, child, &st, &via_link) == 0) {
            if (S_ISREG(st.st_mode)) {
                path_list_push(&w->out->data, child);
                child = NULL;
            } else {
                walk_error(w, child, "not a regular file; a data file must be a YAML file");
            }
        }
        free(child);
    }
    fs_listing_free(read);
}

static void walk_dir(walker *w, const char *dir, const char *rel, int depth, const char *link,
                     const struct stat *st, const fs_listing *listed);

/* A name that is not UTF-8 would make URLs and pages that are not either. */
static int check_name(walker *w, const char *rel, const char *name) {
    size_t n = strlen(name);
    if (text_find_bad_byte(name, n) == n)
        return 0;
    buf shown = BUF_INIT;
    for (const char *c = rel; *c; c++)
        if ((unsigned char)*c < 0x80)
            buf_putc(&shown, *c);
        else
            buf_printf(&shown, "\\x%02X", (unsigned char)*c);
    walk_error(w, buf_cstr(&shown),
               "this name is not valid UTF-8 (it was written in another encoding); rename it");
    buf_free(&shown);
    return -1;
}

static void walk_entry(walker *w, const char *dir, const char *rel, const fs_entry *e, int depth,
                       const char *link) {
    const char *name = e->name;
    char *child = fs_join(rel, name);
    struct stat st;
    int via_link;
    if (check_name(w, child, name) != 0 || entry_stat(w, dir, e, child, &st, &via_link) != 0) {
        /* reported */
    } else if (S_ISDIR(st.st_mode)) {
        char *full = fs_join(dir, name);
        const fs_listing *listed = via_link ? NULL : e->folder; /* a link's: not listed */
        if (depth == 0 && !strcmp(name, "_data"))
            walk_data(w, full, child, listed);
        else if (name[0] != '_')
            walk_dir(w, full, child, depth + 1, via_link ? child : link, &st, listed);
        free(full);
    } else if (name[0] == '_' && strcmp(name, "_index.md") != 0) {
        /* not part of the site, whatever it is */
    } else if (!S_ISREG(st.st_mode)) {
        walk_error(w, child,
                   "not a regular file (a FIFO, socket or device); clinicgen reads only files "
                   "and folders");
    } else {
        if (has_suffix(name, ".md"))
            push_page(w->out, child, &st);
        else
            path_list_push(&w->out->assets, child);
        child = NULL;
    }
    free(child);
}

/* link: the symlink on the way to dir, or NULL; st: dir's status. */
static void walk_dir(walker *w, const char *dir, const char *rel, int depth, const char *link,
                     const struct stat *st, const fs_listing *listed) {
    if (visit_folder(w, st, rel, link) != 0)
        return;
    if (depth > WALK_MAX_DEPTH) {
        walk_error(w, rel, "folders nested more than %d deep", WALK_MAX_DEPTH);
        return;
    }
    fs_listing *read;
    const fs_listing *entries = folder_entries(w, dir, rel, listed, &read);
    for (size_t i = 0; entries && i < entries->n; i++)
        if (entries->entries[i].name[0] != '.')
            walk_entry(w, dir, rel, &entries->entries[i], depth, link);
    fs_listing_free(read);
}

void walk_data_files(const char *content_dir, const char *display_dir, content_files *out,
                     diag_list *d) {
    walker w = {
        .display_dir = display_dir, .out = out, .d = d, .root = realpath(content_dir, NULL)};
    char *dir = fs_join(content_dir, "_data");
    if (w.root && fs_is_dir(dir))
        walk_data(&w, dir, "_data", NULL);
    free(dir);
    free(w.root);
}

int walk_content(const char *content_dir, const char *display_dir, const fs_listing *listed,
                 content_files *out, diag_list *d) {
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(content_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_error(d, display_dir, 0, 0, "there is no content folder");
        return -1;
    }
    walker w = {.display_dir = display_dir, .out = out, .d = d};
    /* a link must lead inside content/, what is there is published; content/
     * itself may be a link (the project's owner put it there) */
    w.root = realpath(content_dir, NULL);
    if (!w.root) {
        diag_error(d, display_dir, 0, 0, "cannot read folder: %s", strerror(errno));
        return -1;
    }
    walk_dir(&w, content_dir, "", 0, NULL, &st, listed);
    for (size_t i = 0; i < w.folders.cap; i++) {
        folder_seen *seen = w.folders.slots[i].key ? w.folders.slots[i].value : NULL;
        if (seen) {
            free(seen->rel);
            free(seen->link);
        }
        free(seen);
    }
    strmap_free(&w.folders);
    free(w.root);
    return w.rc;
}

void content_files_free(content_files *files) {
    path_list_free(&files->pages);
    free(files->stats);
    path_list_free(&files->assets);
    path_list_free(&files->data);
    memset(files, 0, sizeof *files);
}
