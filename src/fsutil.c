/* fsutil: reading, writing, copying and removing files and folders. */
#define _GNU_SOURCE
#include "fsutil.h"

#include "buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens a regular file for reading. O_NONBLOCK keeps open() from waiting
 * for a writer when the path is a FIFO, which is then refused. */
static int open_regular(const char *path, struct stat *st) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    int err = 0;
    if (fstat(fd, st) != 0)
        err = errno;
    else if (S_ISDIR(st->st_mode))
        err = EISDIR;
    else if (!S_ISREG(st->st_mode))
        err = ENODEV;
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

char *fs_temp_beside(const char *path) {
    return xasprintf("%s.%ld.tmp", path, (long)getpid());
}

const char *fs_strerror(int err) {
    return err == ENODEV ? "not a regular file (a FIFO, socket or device)" : strerror(err);
}

char *fs_read_file_max(const char *path, size_t max, size_t *len) {
    struct stat st;
    return fs_read_file_stat(path, max, len, &st);
}

char *fs_read_file_stat(const char *path, size_t max, size_t *len, struct stat *stp) {
    struct stat st;
    memset(&st, 0, sizeof st);
    int fd = open_regular(path, &st);
    *stp = st;
    if (fd < 0)
        return NULL;
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        if (len)
            *len = (size_t)st.st_size;
        errno = EFBIG;
        return NULL;
    }
    /* room for the NUL and one byte more, so EOF shows without growing */
    size_t cap = (size_t)st.st_size + 2, n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (n > max) { /* the file grew while we read it */
                free(data);
                close(fd);
                if (len)
                    *len = n;
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            data = xrealloc(data, cap);
        }
        size_t want = cap - n - 1;
        ssize_t r = read(fd, data + n, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int err = errno;
            free(data);
            close(fd);
            errno = err;
            return NULL;
        }
        n += (size_t)r;
        /* a regular file reads short only at its end: a file read whole
         * takes one read, not a second one to find the end */
        if ((size_t)r < want)
            break;
    }
    close(fd);
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

char *fs_read_file(const char *path, size_t *len) {
    return fs_read_file_max(path, SIZE_MAX, len);
}

const char *fs_map_file(const char *path, size_t *len) {
    struct stat st;
    int fd = open_regular(path, &st);
    if (fd < 0)
        return NULL;
    void *data = MAP_FAILED;
    if (st.st_size == 0)
        errno = EINVAL;
    else
        data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    int err = errno;
    close(fd);
    errno = err;
    if (data == MAP_FAILED)
        return NULL;
    *len = (size_t)st.st_size;
    return data;
}

void fs_unmap_file(const char *data, size_t len) {
    if (data)
        munmap((void *)data, len);
}

int fs_replace_cache_file(const char *from, const char *to) {
    if (unlink(to) != 0 && errno != ENOENT)
        return -1;
    return rename(from, to);
}

/* From the deepest folder up: most callers make one folder in a folder
 * that exists, one mkdir, not one per level of the path. */
int fs_mkdirs(const char *path) {
    if (!*path)
        return 0;
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -1;
    char *parent = xstrdup(path);
    char *slash = strrchr(parent, '/');
    while (slash && slash > parent && slash[1] == '\0') { /* "a/b/" names "a/b" */
        *slash = '\0';
        slash = strrchr(parent, '/');
    }
    int rc = -1;
    if (slash && slash > parent) {
        *slash = '\0';
        rc = fs_mkdirs(parent);
    }
    free(parent);
    if (rc != 0)
        return -1;
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* st, when given, is filled from the written file (fstat, before close). */
static int write_file(const char *path, const char *data, size_t len, int flags, struct stat *st) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
    if (fd < 0 && errno == ENOENT) {
        char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            fs_mkdirs(dir);
        }
        free(dir);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
    }
    if (fd < 0)
        return -1;
    int rc = write_all(fd, data, len);
    if (rc == 0 && st && fstat(fd, st) != 0)
        rc = -1;
    int err = errno;
    if (close(fd) != 0 && rc == 0)
        return -1;
    errno = err;
    return rc;
}

int fs_write_file(const char *path, const char *data, size_t len) {
    return write_file(path, data, len, O_TRUNC, NULL);
}

int fs_write_new_file(const char *path, const char *data, size_t len) {
    return write_file(path, data, len, O_EXCL, NULL); /* O_EXCL: not through a symlink either */
}

int fs_write_new_file_stat(const char *path, const char *data, size_t len, struct stat *st) {
    return write_file(path, data, len, O_EXCL, st);
}

/* Appends what is left to read from in to out. */
static int copy_fd(int in, int out, int *write_failed) {
    char chunk[65536];
    for (;;) {
        ssize_t r = read(in, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 0;
        if (write_all(out, chunk, (size_t)r) != 0) {
            *write_failed = 1;
            return -1;
        }
    }
}

int fs_copy_file(const char *from, const char *to, int *write_failed) {
    int ignored;
    if (!write_failed)
        write_failed = &ignored;
    *write_failed = 0;
    struct stat st;
    int in = open_regular(from, &st);
    if (in < 0)
        return -1;
    int out = -1;
    if (fs_write_new_file(to, "", 0) == 0) /* creates the folders; never an existing file */
        out = open(to, O_WRONLY | O_CLOEXEC);
    int rc = out < 0 ? -1 : copy_fd(in, out, write_failed);
    if (out < 0)
        *write_failed = 1;
    int err = errno;
    close(in);
    if (out >= 0 && close(out) != 0 && rc == 0) {
        *write_failed = 1;
        return -1;
    }
    errno = err;
    return rc;
}

int fs_remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    size_t n;
    char **names = fs_list_dir(path, &n);
    if (!names)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *child = fs_join(path, names[i]);
        if (fs_remove_tree(child) != 0)
            rc = -1;
        free(child);
    }
    fs_free_list(names, n);
    return rmdir(path) != 0 ? -1 : rc;
}

int fs_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *fs_join(const char *a, const char *b) {
    if (!a || !*a)
        return xstrdup(b);
    size_t la = strlen(a);
    return xstrcat3(a, a[la - 1] == '/' ? "" : "/", b);
}

char *fs_normalize(const char *path) {
    char *copy = xstrdup(path);
    size_t n_parts = 0, cap = 8;
    char **parts = xmalloc(cap * sizeof *parts);
    char *save = NULL;
    for (char *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            if (n_parts == 0) {
                free(parts);
                free(copy);
                return NULL;
            }
            n_parts--;
            continue;
        }
        if (n_parts == cap)
            parts = xrealloc(parts, (cap *= 2) * sizeof *parts);
        parts[n_parts++] = tok;
    }
    buf out = BUF_INIT;
    for (size_t i = 0; i < n_parts; i++) {
        if (i)
            buf_putc(&out, '/');
        buf_puts(&out, parts[i]);
    }
    free(parts);
    free(copy);
    return buf_detach(&out);
}

char *fs_absolute(const char *path) {
    char *joined = NULL;
    if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);
        joined = cwd ? fs_join(cwd, path) : NULL;
        free(cwd);
        if (!joined)
            return xstrdup(path);
    }
    const char *whole = joined ? joined : path;
    char *inside = fs_normalize(whole + 1); /* NULL: ".." above "/" */
    char *absolute = inside ? xstrcat3("/", inside, "") : xstrdup(whole);
    free(inside);
    free(joined);
    return absolute;
}

char *fs_resolve_path(const char *path) {
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

char *fs_dirname(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted; closes dir. */
static char **list_names(DIR *dir, size_t *count) {
    size_t n = 0, cap = 16;
    char **names = xmalloc(cap * sizeof *names);
    struct dirent *ent;
    while ((ent = readdir(dir))) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        if (n == cap)
            names = xrealloc(names, (cap *= 2) * sizeof *names);
        names[n++] = xstrdup(ent->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names;
}

char **fs_list_dir(const char *path, size_t *count) {
    DIR *dir = opendir(path);
    return dir ? list_names(dir, count) : NULL;
}

char **fs_list_dir_at(int fd, size_t *count) {
    int copy = dup(fd); /* the listing closes its own */
    DIR *dir = copy < 0 ? NULL : fdopendir(copy);
    if (!dir) {
        int err = errno;
        if (copy >= 0)
            close(copy);
        errno = err;
        return NULL;
    }
    rewinddir(dir); /* the copy shares fd's position */
    return list_names(dir, count);
}

void fs_free_list(char **names, size_t count) {
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

fs_listing *fs_listing_read(int fd, int depth) {
    size_t n = 0;
    char **names = fs_list_dir_at(fd, &n);
    if (!names) {
        int err = errno;
        close(fd);
        errno = err;
        return NULL;
    }
    fs_listing *listing = xcalloc(1, sizeof *listing);
    listing->entries = xcalloc(n + 1, sizeof *listing->entries);
    listing->n = n;
    for (size_t i = 0; i < n; i++) {
        fs_entry *e = &listing->entries[i];
        e->name = names[i];
        if (fstatat(fd, e->name, &e->st, AT_SYMLINK_NOFOLLOW) != 0) {
            e->err = errno;
            memset(&e->st, 0, sizeof e->st);
        } else if (S_ISDIR(e->st.st_mode) && depth > 0) {
            int sub = openat(fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            e->folder = sub < 0 ? NULL : fs_listing_read(sub, depth - 1);
        }
    }
    free(names); /* the names are the entries' now */
    close(fd);
    return listing;
}

void fs_listing_free(fs_listing *listing) {
    if (!listing)
        return;
    for (size_t i = 0; i < listing->n; i++) {
        free(listing->entries[i].name);
        fs_listing_free(listing->entries[i].folder);
    }
    free(listing->entries);
    free(listing);
}

int fs_folder_set_add(fs_folder_set *set, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    char key[64];
    snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    if (strmap_get(&set->seen, key))
        return 0;
    strmap_put(&set->seen, key, set);
    return 1;
}

void fs_folder_set_free(fs_folder_set *set) {
    strmap_free(&set->seen);
}
