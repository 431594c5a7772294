/*
 * fsutil: the file system operations the build needs, with errno set on
 * failure so callers can report strerror(errno) against a path.
 *
 * Every returned string is owned by the caller (free()).
 */
#ifndef CLINICGEN_FSUTIL_H
#define CLINICGEN_FSUTIL_H

#include <stddef.h>

/* Whole file, NUL-terminated (len excludes the NUL); NULL with errno set. */
char *fs_read_file(const char *path, size_t *len);
/* Writes data to path, creating parent folders; 0 on success. */
int fs_write_file(const char *path, const char *data, size_t len);
/* The same for a file that must not exist yet: -1 with errno EEXIST if it
 * does (or is a symbolic link). */
int fs_write_new_file(const char *path, const char *data, size_t len);
int fs_copy_file(const char *from, const char *to);
int fs_mkdirs(const char *path); /* mkdir -p */
int fs_remove_tree(const char *path);
int fs_is_dir(const char *path);
int fs_is_file(const char *path);

/* "a" + "b" -> "a/b"; an empty a gives b. */
char *fs_join(const char *a, const char *b);
/* Normalises a relative path: drops "." parts, resolves "..". Returns NULL
 * when ".." would climb above the start. */
char *fs_normalize(const char *path);
/* The folder part of a relative path ("a/b.md" -> "a", "b.md" -> ""). */
char *fs_dirname(const char *path);

/* Sorted names in a folder (without . and ..); NULL with errno set. */
char **fs_list_dir(const char *path, size_t *count);
void fs_free_list(char **names, size_t count);

#endif
