/* watch: inotify on the project's source folders, recursively. */
#include "watch.h"

#include "fsutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folders below the project folder that hold sources. */
static const char *const SOURCE_DIRS[] = {"content", "templates", "themes", "filters", "static"};
enum { N_SOURCE_DIRS = sizeof SOURCE_DIRS / sizeof SOURCE_DIRS[0], MAX_DEPTH = 64 };

static const uint32_t DIR_EVENTS = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                   IN_MOVED_TO | IN_ONLYDIR | IN_EXCL_UNLINK;

struct watcher {
    char *root; /* the project folder, as given */
    int fd;
    int root_wd;
    char **paths; /* by watch descriptor: the folder below root ("content/faq") or NULL */
    size_t n_paths;
    int warned;
};

static const char *path_of(const watcher *w, int wd) {
    return wd >= 0 && (size_t)wd < w->n_paths ? w->paths[wd] : NULL;
}

static void set_path(watcher *w, int wd, const char *rel) {
    if ((size_t)wd >= w->n_paths) {
        size_t n = (size_t)wd + 64;
        w->paths = xrealloc(w->paths, n * sizeof *w->paths);
        memset(w->paths + w->n_paths, 0, (n - w->n_paths) * sizeof *w->paths);
        w->n_paths = n;
    }
    free(w->paths[wd]);
    w->paths[wd] = xstrdup(rel);
}

static void forget(watcher *w, int wd) {
    if (path_of(w, wd)) {
        free(w->paths[wd]);
        w->paths[wd] = NULL;
    }
}

static int is_source_dir(const char *name) {
    for (size_t i = 0; i < N_SOURCE_DIRS; i++)
        if (!strcmp(name, SOURCE_DIRS[i]))
            return 1;
    return 0;
}

/* Editors' temporary files and backups, and hidden files (which the build
 * does not read either). */
static int ignored_name(const char *name) {
    size_t n = strlen(name);
    return n == 0 || name[0] == '.' || name[0] == '#' || name[n - 1] == '~' ||
           !strcmp(name, "4913");
}

static void warn_once(watcher *w, const char *path) {
    if (w->warned)
        return;
    w->warned = 1;
    if (errno == ENOSPC)
        fprintf(stderr,
                "%s: warning: cannot watch this folder for changes: the system's limit of "
                "inotify watches is reached (raise fs.inotify.max_user_watches)\n",
                path);
    else
        fprintf(stderr, "%s: warning: cannot watch this folder for changes: %s\n", path,
                strerror(errno));
}

/* Watches the folder rel and every folder below it. A folder that is
 * watched already under another name (reached through a link) is not
 * entered again. */
static void add_tree(watcher *w, const char *rel, int depth) {
    if (depth > MAX_DEPTH)
        return;
    char *full = fs_join(w->root, rel);
    int wd = inotify_add_watch(w->fd, full, DIR_EVENTS);
    const char *known = wd >= 0 ? path_of(w, wd) : NULL;
    if (wd < 0 && errno != ENOENT && errno != ENOTDIR)
        warn_once(w, full);
    /* a link back to the project folder would reach site/ */
    if (wd < 0 || wd == w->root_wd || (known && strcmp(known, rel) != 0)) {
        free(full);
        return;
    }
    set_path(w, wd, rel);
    size_t n = 0;
    char **names = fs_list_dir(full, &n);
    for (size_t i = 0; names && i < n; i++) {
        if (ignored_name(names[i]))
            continue;
        char *child = fs_join(full, names[i]);
        struct stat st;
        if (stat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            char *child_rel = fs_join(rel, names[i]);
            add_tree(w, child_rel, depth + 1);
            free(child_rel);
        }
        free(child);
    }
    if (names)
        fs_free_list(names, n);
    free(full);
}

/* Stops watching rel and every folder below it (moved away). */
static void remove_tree(watcher *w, const char *rel) {
    size_t n = strlen(rel);
    for (size_t wd = 0; wd < w->n_paths; wd++) {
        const char *p = w->paths[wd];
        if (p && !strncmp(p, rel, n) && (p[n] == '\0' || p[n] == '/')) {
            inotify_rm_watch(w->fd, (int)wd);
            forget(w, (int)wd);
        }
    }
}

static void add_all(watcher *w) {
    for (size_t i = 0; i < N_SOURCE_DIRS; i++)
        add_tree(w, SOURCE_DIRS[i], 0);
}

watcher *watch_open(const char *project_dir) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return NULL;
    watcher *w = xcalloc(1, sizeof *w);
    w->root = xstrdup(project_dir);
    w->fd = fd;
    w->root_wd = inotify_add_watch(fd, project_dir, DIR_EVENTS & ~(uint32_t)IN_EXCL_UNLINK);
    if (w->root_wd < 0) {
        int err = errno;
        watch_free(w);
        errno = err;
        return NULL;
    }
    add_all(w);
    return w;
}

int watch_fd(const watcher *w) {
    return w->fd;
}

/* What one event means; 1 when a source changed. */
static int handle(watcher *w, const struct inotify_event *ev, buf *changed) {
    if (ev->mask & IN_Q_OVERFLOW) { /* events were lost: look at everything again */
        add_all(w);
        buf_clear(changed);
        buf_puts(changed, "many files");
        return 1;
    }
    if (ev->mask & IN_IGNORED) { /* the folder is gone, or no longer watched */
        forget(w, ev->wd);
        return 0;
    }
    const char *dir = path_of(w, ev->wd);
    const char *name = ev->len ? ev->name : "";
    int at_root = ev->wd == w->root_wd;
    if (at_root ? strcmp(name, "site.yaml") != 0 && !is_source_dir(name)
                : !dir || ignored_name(name))
        return 0;
    char *rel = at_root ? xstrdup(name) : fs_join(dir, name);
    int is_dir = (ev->mask & IN_ISDIR) || (at_root && strcmp(name, "site.yaml") != 0);
    if (is_dir && (ev->mask & (IN_DELETE | IN_MOVED_FROM)))
        remove_tree(w, rel);
    if (is_dir && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
        add_tree(w, rel, 0);
    buf_clear(changed);
    buf_puts(changed, rel);
    free(rel);
    return 1;
}

int watch_read(watcher *w, buf *changed) {
    char data[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int any = 0;
    for (;;) {
        ssize_t n = read(w->fd, data, sizeof data);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN ? any : -1;
        for (ssize_t off = 0; off < n;) {
            const struct inotify_event *ev = (const struct inotify_event *)(data + off);
            any |= handle(w, ev, changed);
            off += (ssize_t)(sizeof *ev + ev->len);
        }
    }
}

void watch_free(watcher *w) {
    if (!w)
        return;
    for (size_t i = 0; i < w->n_paths; i++)
        free(w->paths[i]);
    free(w->paths);
    if (w->fd >= 0)
        close(w->fd);
    free(w->root);
    free(w);
}
