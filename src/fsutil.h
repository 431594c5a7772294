/*
 * fsutil: the file system operations the build needs, with errno set on
 * failure so callers can report strerror(errno) against a path.
 *
 * Every returned string is owned by the caller (free()).
 */
#ifndef CLINICGEN_FSUTIL_H
#define CLINICGEN_FSUTIL_H

#include "strmap.h"

#include <stddef.h>
#include <sys/stat.h>

/* Whole file, NUL-terminated (len excludes the NUL); NULL with errno set.
 * Only regular files are read: a folder gives EISDIR, and a FIFO, socket or
 * device gives ENODEV without waiting for a writer (fs_strerror says so). */
char *fs_read_file(const char *path, size_t *len);
/* The same, refusing a file larger than max bytes: NULL with errno EFBIG
 * and the file's size in *len. */
char *fs_read_file_max(const char *path, size_t max, size_t *len);
/* The same, also giving the file's status before it was read (st may be
 * left unset on failure). */
char *fs_read_file_stat(const char *path, size_t max, size_t *len, struct stat *st);
/* A regular file mapped read-only (not NUL-terminated), for a large file
 * read in place: a build cache's. NULL with errno set (also for an empty
 * file). Release with fs_unmap_file. The file must not shrink while it is
 * mapped: the build cache replaces its files by rename, never in place. */
const char *fs_map_file(const char *path, size_t *len);
void fs_unmap_file(const char *data, size_t len);
/* strerror(err), except that ENODEV from fs_read_file and fs_copy_file
 * reads "not a regular file". */
const char *fs_strerror(int err);
/* Writes data to path, creating parent folders; 0 on success. */
int fs_write_file(const char *path, const char *data, size_t len);
/* PATH.PID.tmp: where to write what then replaces path in one rename.
 * Caller frees. */
char *fs_temp_beside(const char *path);
/* The same for a file that must not exist yet: -1 with errno EEXIST if it
 * does (or is a symbolic link). */
int fs_write_new_file(const char *path, const char *data, size_t len);
/* The same, and st describes the file written (as lstat would after). */
int fs_write_new_file_stat(const char *path, const char *data, size_t len, struct stat *st);
/* Copies a regular file in chunks, so a large file costs no memory, to a
 * file that must not exist yet (as fs_write_new_file). On failure (-1,
 * errno set) *write_failed, when given, tells which side failed: 0 reading
 * from, 1 writing to. */
int fs_copy_file(const char *from, const char *to, int *write_failed);
/* Renames from to to, removing to first, for the build cache's files: ext4
 * writes out at once a file renamed over another (auto_da_alloc, so that a
 * crash cannot leave it empty), which took milliseconds per cache file; a
 * cache file lost in a crash only costs the next build time. 0 or -1. */
int fs_replace_cache_file(const char *from, const char *to);
int fs_mkdirs(const char *path); /* mkdir -p */
int fs_remove_tree(const char *path);
int fs_is_dir(const char *path);
int fs_is_file(const char *path);

/* "a" + "b" -> "a/b"; an empty a gives b. */
char *fs_join(const char *a, const char *b);
/* Normalises a relative path: drops "." parts, resolves "..". Returns NULL
 * when ".." would climb above the start. */
char *fs_normalize(const char *path);
/* path as an absolute path, against the current folder, with "." and ".."
 * resolved by name (links are not followed): the same string however a
 * place is spelled from wherever. Caller frees. */
char *fs_absolute(const char *path);
/* The folder part of a relative path ("a/b.md" -> "a", "b.md" -> ""). */
char *fs_dirname(const char *path);
/* realpath of a file or folder that may not exist yet: its parent resolved,
 * its own name added. NULL when the parent does not exist. Caller frees. */
char *fs_resolve_path(const char *path);

/* Sorted names in a folder (without . and ..); NULL with errno set. */
char **fs_list_dir(const char *path, size_t *count);
/* The same for the folder open as fd, which stays open: for a walk that
 * then looks at the entries relative to it (fstatat, openat). */
char **fs_list_dir_at(int fd, size_t *count);
void fs_free_list(char **names, size_t count);

/* A folder's entries as one look saw them, so that two readers of a tree
 * (the build's inputs digest, then the content walk) look at each file
 * once. Links are described (lstat), never followed. */
typedef struct fs_listing fs_listing;
typedef struct fs_entry {
    char *name;
    struct stat st;     /* zeroed when err */
    int err;            /* 0, or the errno of looking at it */
    fs_listing *folder; /* a folder's own entries (not a link's); NULL if not read */
} fs_entry;
struct fs_listing {
    fs_entry *entries; /* sorted by name, without . and .. */
    size_t n;
};

/* Lists the folder open as fd, which it closes, and the folders below it
 * down to depth levels more (0: this one only). NULL with errno set when
 * fd cannot be listed; a folder below that cannot be has folder NULL. */
fs_listing *fs_listing_read(int fd, int depth);
void fs_listing_free(fs_listing *listing);

/* A set of folders by identity (device and inode), so that a walk which
 * follows symlinks reads each folder once: a link back to a folder above
 * would otherwise be followed forever, and two of them exponentially. */
typedef struct fs_folder_set {
    strmap seen;
} fs_folder_set;

#define FS_FOLDER_SET_INIT                                                                         \
    { STRMAP_INIT }

/* 1 when the folder at path is new to the set (it is added), 0 when it was
 * seen before, -1 with errno set when it cannot be examined. */
int fs_folder_set_add(fs_folder_set *set, const char *path);
void fs_folder_set_free(fs_folder_set *set);

#endif
