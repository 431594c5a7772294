/* Tests for fsutil: file reading and writing, folders, path helpers.
 * Each test that touches the disk works in its own mkdtemp folder. */
#include "buf.h"
#include "fsutil.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *make_tmp(void) {
    char tmpl[] = "/tmp/clinicgen-fsutil-XXXXXX";
    char *dir = mkdtemp(tmpl);
    return dir ? xstrdup(dir) : NULL;
}

static void drop_tmp(char *dir) {
    if (!dir)
        return;
    CHECK_INT(fs_remove_tree(dir), 0);
    CHECK(!fs_is_dir(dir));
    free(dir);
}

TEST(fs_write_then_read_round_trips) {
    char *dir = make_tmp();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *path = fs_join(dir, "note.txt");
    const char data[] = "line 1\nline 2\0after NUL";
    CHECK_INT(fs_write_file(path, data, sizeof data - 1), 0);
    size_t len = 0;
    char *got = fs_read_file(path, &len);
    CHECK(got != NULL);
    CHECK_INT(len, sizeof data - 1);
    CHECK(got && memcmp(got, data, sizeof data - 1) == 0);
    CHECK(got && got[len] == '\0');
    free(got);
    /* Overwriting truncates. */
    CHECK_INT(fs_write_file(path, "short", 5), 0);
    got = fs_read_file(path, &len);
    CHECK_STR(got, "short");
    CHECK_INT(len, 5);
    free(got);
    free(path);
    drop_tmp(dir);
}

TEST(fs_replace_cache_file_replaces_or_creates) {
    char *dir = make_tmp();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *from = fs_join(dir, "x.tmp"), *to = fs_join(dir, "x"), *text;
    CHECK_INT(fs_write_file(to, "old", 3), 0);
    CHECK_INT(fs_write_file(from, "new", 3), 0);
    CHECK_INT(fs_replace_cache_file(from, to), 0);
    CHECK_STR(text = fs_read_file(to, NULL), "new");
    free(text);
    CHECK(!fs_is_file(from));
    CHECK_INT(fs_write_file(from, "again", 5), 0); /* no file to replace */
    CHECK_INT(unlink(to), 0);
    CHECK_INT(fs_replace_cache_file(from, to), 0);
    CHECK_STR(text = fs_read_file(to, NULL), "again");
    free(text);
    CHECK_INT(fs_replace_cache_file(from, to), -1); /* nothing to rename: an error */
    free(from);
    free(to);
    drop_tmp(dir);
}

TEST(fs_read_file_of_empty_file_is_empty_string) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *path = fs_join(dir, "empty.md");
    CHECK_INT(fs_write_file(path, "", 0), 0);
    size_t len = 99;
    char *got = fs_read_file(path, &len);
    CHECK_STR(got, "");
    CHECK_INT(len, 0);
    free(got);
    free(path);
    drop_tmp(dir);
}

TEST(fs_read_file_sets_errno) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *missing = fs_join(dir, "missing.md");
    size_t len;
    errno = 0;
    CHECK(fs_read_file(missing, &len) == NULL);
    CHECK_INT(errno, ENOENT);
    errno = 0;
    CHECK(fs_read_file(dir, &len) == NULL);
    CHECK_INT(errno, EISDIR);
    free(missing);
    drop_tmp(dir);
}

TEST(fs_read_file_refuses_a_fifo_without_waiting) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *fifo = fs_join(dir, "page.md");
    CHECK_INT(mkfifo(fifo, 0600), 0);
    size_t len;
    errno = 0;
    /* open() on a FIFO without a writer would block forever */
    CHECK(fs_read_file(fifo, &len) == NULL);
    CHECK_INT(errno, ENODEV);
    CHECK_STR(fs_strerror(errno), "not a regular file (a FIFO, socket or device)");
    char *to = fs_join(dir, "copy.md");
    int write_failed = -1;
    CHECK_INT(fs_copy_file(fifo, to, &write_failed), -1);
    CHECK_INT(write_failed, 0);
    free(to);
    free(fifo);
    drop_tmp(dir);
}

TEST(fs_read_file_max_refuses_a_larger_file_and_gives_its_size) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *path = fs_join(dir, "big.md");
    CHECK_INT(fs_write_file(path, "0123456789", 10), 0);
    size_t len = 0;
    errno = 0;
    CHECK(fs_read_file_max(path, 9, &len) == NULL);
    CHECK_INT(errno, EFBIG);
    CHECK_INT(len, 10);
    char *got = fs_read_file_max(path, 10, &len);
    CHECK_STR(got, "0123456789");
    free(got);
    free(path);
    drop_tmp(dir);
}

TEST(fs_write_file_creates_parent_folders) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *path = fs_join(dir, "site/procedures/peel/index.html");
    CHECK_INT(fs_write_file(path, "<p>hi</p>", 9), 0);
    CHECK(fs_is_file(path));
    char *folder = fs_join(dir, "site/procedures/peel");
    CHECK(fs_is_dir(folder));
    CHECK(!fs_is_file(folder));
    CHECK(!fs_is_dir(path));
    free(folder);
    free(path);
    drop_tmp(dir);
}

TEST(fs_write_file_fails_with_errno_where_it_cannot_write) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *blocker = fs_join(dir, "file");
    CHECK_INT(fs_write_file(blocker, "x", 1), 0);
    char *below = fs_join(blocker, "child.txt"); /* a file is in the way */
    errno = 0;
    CHECK_INT(fs_write_file(below, "y", 1), -1);
    CHECK(errno != 0);
    free(below);
    free(blocker);
    drop_tmp(dir);
}

TEST(fs_mkdirs_makes_nested_folders_and_accepts_existing) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *deep = fs_join(dir, "a/b/c/d");
    CHECK_INT(fs_mkdirs(deep), 0);
    CHECK(fs_is_dir(deep));
    CHECK_INT(fs_mkdirs(deep), 0);
    char *trailing = fs_join(dir, "x/y/");
    CHECK_INT(fs_mkdirs(trailing), 0);
    char *xy = fs_join(dir, "x/y");
    CHECK(fs_is_dir(xy));
    free(xy);
    free(trailing);
    free(deep);
    drop_tmp(dir);
}

TEST(fs_copy_file_copies_bytes) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *from = fs_join(dir, "diagram.svg");
    char *to = fs_join(dir, "out/procedures/diagram.svg");
    CHECK_INT(fs_write_file(from, "<svg/>\n", 7), 0);
    CHECK_INT(fs_copy_file(from, to, NULL), 0);
    size_t len;
    char *got = fs_read_file(to, &len);
    CHECK_STR(got, "<svg/>\n");
    free(got);
    char *missing = fs_join(dir, "nope.svg");
    errno = 0;
    CHECK_INT(fs_copy_file(missing, to, NULL), -1);
    CHECK_INT(errno, ENOENT);
    free(missing);
    free(from);
    free(to);
    drop_tmp(dir);
}

TEST(fs_copy_file_copies_a_file_larger_than_its_buffer_and_names_the_failing_side) {
    char *dir = make_tmp();
    if (!dir)
        return;
    size_t n = 200000; /* a few of copy_fd's chunks */
    char *data = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    char *from = fs_join(dir, "photo.jpg");
    char *to = fs_join(dir, "site/photo.jpg");
    CHECK_INT(fs_write_file(from, data, n), 0);
    CHECK_INT(fs_copy_file(from, to, NULL), 0);
    size_t len;
    char *got = fs_read_file(to, &len);
    CHECK_INT(len, n);
    CHECK(got && !memcmp(got, data, n));
    free(got);
    char *below = fs_join(from, "x.jpg"); /* a file is in the way */
    int write_failed = 0;
    CHECK_INT(fs_copy_file(from, below, &write_failed), -1);
    CHECK_INT(write_failed, 1);
    free(below);
    free(to);
    free(from);
    free(data);
    drop_tmp(dir);
}

TEST(fs_list_dir_is_sorted_without_dot_entries) {
    char *dir = make_tmp();
    if (!dir)
        return;
    const char *names[] = {"zeta.md", "Alpha.md", "beta", ".hidden", "_index.md"};
    for (size_t i = 0; i < 5; i++) {
        char *p = fs_join(dir, names[i]);
        if (i == 2)
            CHECK_INT(fs_mkdirs(p), 0);
        else
            CHECK_INT(fs_write_file(p, "x", 1), 0);
        free(p);
    }
    size_t n = 0;
    char **list = fs_list_dir(dir, &n);
    CHECK(list != NULL);
    CHECK_INT(n, 5);
    if (list && n == 5) {
        CHECK_STR(list[0], ".hidden");
        CHECK_STR(list[1], "Alpha.md");
        CHECK_STR(list[2], "_index.md");
        CHECK_STR(list[3], "beta");
        CHECK_STR(list[4], "zeta.md");
    }
    fs_free_list(list, n);
    char *missing = fs_join(dir, "missing");
    errno = 0;
    CHECK(fs_list_dir(missing, &n) == NULL);
    CHECK_INT(errno, ENOENT);
    free(missing);
    drop_tmp(dir);
}

TEST(fs_remove_tree_removes_everything_below) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *site = fs_join(dir, "site");
    char *f1 = fs_join(dir, "site/index.html");
    char *f2 = fs_join(dir, "site/a/b/c.html");
    char *empty = fs_join(dir, "site/empty");
    CHECK_INT(fs_write_file(f1, "1", 1), 0);
    CHECK_INT(fs_write_file(f2, "2", 1), 0);
    CHECK_INT(fs_mkdirs(empty), 0);
    char *link = fs_join(dir, "site/link");
    CHECK_INT(symlink(dir, link), 0); /* a link is removed, not followed */
    CHECK_INT(fs_remove_tree(site), 0);
    CHECK(!fs_is_dir(site));
    CHECK(fs_is_dir(dir));
    CHECK_INT(fs_remove_tree(site), 0); /* already gone: fine */
    char *file = fs_join(dir, "single.txt");
    CHECK_INT(fs_write_file(file, "x", 1), 0);
    CHECK_INT(fs_remove_tree(file), 0);
    CHECK(!fs_is_file(file));
    free(file);
    free(link);
    free(site);
    free(f1);
    free(f2);
    free(empty);
    drop_tmp(dir);
}

TEST(fs_join_puts_one_slash) {
    char *s = fs_join("content", "faq/pain.md");
    CHECK_STR(s, "content/faq/pain.md");
    free(s);
    s = fs_join("content/", "x.md");
    CHECK_STR(s, "content/x.md");
    free(s);
    s = fs_join("", "x.md");
    CHECK_STR(s, "x.md");
    free(s);
    s = fs_join(NULL, "x.md");
    CHECK_STR(s, "x.md");
    free(s);
}

TEST(fs_normalize_resolves_dots) {
    char *s = fs_normalize("procedures/./peel/../microneedling.md");
    CHECK_STR(s, "procedures/microneedling.md");
    free(s);
    s = fs_normalize("a//b/");
    CHECK_STR(s, "a/b");
    free(s);
    s = fs_normalize("a/..");
    CHECK_STR(s, "");
    free(s);
    s = fs_normalize(".");
    CHECK_STR(s, "");
    free(s);
    CHECK(fs_normalize("..") == NULL);
    CHECK(fs_normalize("a/../../etc/passwd") == NULL);
    char long_path[600] = "";
    for (int i = 0; i < 100; i++)
        strcat(long_path, "d/");
    s = fs_normalize(long_path);
    CHECK_INT(s ? strlen(s) : 0, 199);
    free(s);
}

TEST(fs_dirname_gives_folder_part) {
    char *s = fs_dirname("procedures/peel/index.md");
    CHECK_STR(s, "procedures/peel");
    free(s);
    s = fs_dirname("about.md");
    CHECK_STR(s, "");
    free(s);
    s = fs_dirname("faq/x.md");
    CHECK_STR(s, "faq");
    free(s);
}

/* fs_write_file("/name") asks fs_mkdirs for the folder "" when it cannot
 * open the file; neither may read out of bounds. Runs in a child process
 * so a memory error does not end the whole test run. */
TEST(fs_mkdirs_of_empty_path_is_safe) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(4);
        int rc = fs_mkdirs("");
        _exit(rc == 0 || rc == -1 ? 0 : 3);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
}

/* The output folder's files are written once: a second file for one path
 * (a writer's search/meta.js) must not replace the first, nor may a
 * symbolic link lead the write elsewhere. */
TEST(fs_write_new_file_never_replaces) {
    char *dir = make_tmp();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *path = fs_join(dir, "sub/meta.js");
    CHECK_INT(fs_write_new_file(path, "index", 5), 0);
    errno = 0;
    CHECK_INT(fs_write_new_file(path, "alert(1)", 8), -1);
    CHECK_INT(errno, EEXIST);
    size_t len;
    char *got = fs_read_file(path, &len);
    CHECK_STR(got, "index");
    free(got);
    char *target = fs_join(dir, "elsewhere.txt"), *link = fs_join(dir, "link.txt");
    CHECK_INT(symlink(target, link), 0);
    errno = 0;
    CHECK_INT(fs_write_new_file(link, "x", 1), -1);
    CHECK_INT(errno, EEXIST);
    CHECK(!fs_is_file(target));
    free(target);
    free(link);
    free(path);
    drop_tmp(dir);
}

TEST(fs_folder_set_knows_a_folder_by_identity_not_by_path) {
    char *dir = make_tmp();
    if (!dir)
        return;
    char *sub = fs_join(dir, "sub"), *link = fs_join(dir, "sub/up");
    CHECK_INT(fs_mkdirs(sub), 0);
    CHECK_INT(symlink("..", link), 0);
    fs_folder_set set = FS_FOLDER_SET_INIT;
    CHECK_INT(fs_folder_set_add(&set, dir), 1);
    CHECK_INT(fs_folder_set_add(&set, sub), 1);
    CHECK_INT(fs_folder_set_add(&set, link), 0); /* the link leads back to dir */
    char *missing = fs_join(dir, "nope");
    CHECK_INT(fs_folder_set_add(&set, missing), -1);
    fs_folder_set_free(&set);
    free(missing);
    free(link);
    free(sub);
    drop_tmp(dir);
}
