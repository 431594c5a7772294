/* Tests for walk: what content/ holds, and the entries it refuses
 * (symlinks out of the project or in a loop, FIFOs, names that are not
 * UTF-8), each named in its message. */
#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "test.h"
#include "walk.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A project folder with content/ and the files given ("a/b.md"). */
static char *make_project(const char *const *files) {
    char tmpl[] = "/tmp/clinicgen-walk-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir)
        return NULL;
    for (size_t i = 0; files[i]; i++) {
        char *path = xasprintf("%s/content/%s", dir, files[i]);
        CHECK_INT(fs_write_file(path, "x\n", 2), 0);
        free(path);
    }
    return xstrdup(dir);
}

static void make_link(const char *dir, const char *target, const char *rel) {
    char *path = xasprintf("%s/content/%s", dir, rel);
    CHECK_INT(symlink(target, path), 0);
    free(path);
}

/* What content/ holds, as the build's inputs digest lists it (caller
 * frees). */
static fs_listing *digest_listing(const char *dir) {
    char *content = fs_join(dir, "content");
    fs_listing *listing = NULL;
    cache_inputs_digest(&content, 1, "options", &listing);
    CHECK(listing != NULL);
    free(content);
    return listing;
}

/* Every message of a walk that takes listing (NULL: looks itself) as
 * "file: message", one per line (caller frees). */
static char *walk_listed(const char *dir, const fs_listing *listing, content_files *files,
                         int *rc) {
    char *content = fs_join(dir, "content");
    diag_list d = DIAG_LIST_INIT;
    *rc = walk_content(content, "content", listing, files, &d);
    buf out = BUF_INIT;
    for (size_t i = 0; i < d.len; i++)
        buf_printf(&out, "%s: %s\n", d.items[i].file, d.items[i].message);
    diag_free(&d);
    free(content);
    return buf_detach(&out);
}

static char *walk_messages(const char *dir, content_files *files, int *rc) {
    return walk_listed(dir, NULL, files, rc);
}

TEST(walk_lists_pages_assets_and_data_in_order) {
    const char *files[] = {"b.md",      "a/index.md",  "a/photo.png", "_data/x.yaml",
                           "_notes.md", "a/_index.md", NULL};
    char *dir = make_project(files);
    if (!dir)
        return;
    make_link(dir, "a/photo.png", "same-photo.png"); /* inside the project: followed */
    content_files f;
    int rc;
    char *m = walk_messages(dir, &f, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(m, "");
    CHECK_INT(f.pages.len, 3);
    if (f.pages.len == 3) {
        CHECK_STR(f.pages.items[0], "a/_index.md");
        CHECK_STR(f.pages.items[1], "a/index.md");
        CHECK_STR(f.pages.items[2], "b.md");
    }
    CHECK_INT(f.assets.len, 2);
    CHECK_INT(f.data.len, 1);
    free(m);
    content_files_free(&f);
    fs_remove_tree(dir);
    free(dir);
}

TEST(walk_refuses_symlinks_out_of_the_project_and_dangling_ones) {
    const char *files[] = {"page.md", NULL};
    char *dir = make_project(files);
    if (!dir)
        return;
    make_link(dir, "/etc/passwd", "passwd.md");
    make_link(dir, "/etc", "etc");
    make_link(dir, "nowhere.md", "gone.md");
    make_link(dir, "loop-b", "loop-a");
    make_link(dir, "loop-a", "loop-b");
    content_files f;
    int rc;
    char *m = walk_messages(dir, &f, &rc);
    CHECK_INT(rc, -1);
    CHECK_STR(m, "content/etc: this symlink points outside content/ (to /etc); clinicgen "
                 "publishes only files inside content/\n"
                 "content/gone.md: this symlink points to nothing ('nowhere.md' does not exist)\n"
                 "content/loop-a: this symlink is a loop (it leads back to itself)\n"
                 "content/loop-b: this symlink is a loop (it leads back to itself)\n"
                 "content/passwd.md: this symlink points outside content/ (to /etc/passwd); "
                 "clinicgen publishes only files inside content/\n");
    CHECK_INT(f.pages.len, 1); /* what is fine is still listed */
    free(m);
    content_files_free(&f);
    fs_remove_tree(dir);
    free(dir);
}

TEST(walk_reads_each_folder_once_so_a_link_loop_ends) {
    const char *files[] = {"d/page.md", "real/a.md", NULL};
    char *dir = make_project(files);
    if (!dir)
        return;
    /* two links back up: read naively, 2^64 paths before the depth limit */
    make_link(dir, "..", "d/up1");
    make_link(dir, "..", "d/up2");
    make_link(dir, "real", "a-link"); /* read before real/ itself */
    content_files f;
    int rc;
    char *m = walk_messages(dir, &f, &rc);
    CHECK_INT(rc, -1);
    /* a-link is blamed when real/ is reached, after d/ */
    CHECK_STR(m, "content/d/up1: this symlink leads back to content, a folder it is in (a loop)\n"
                 "content/d/up2: this symlink leads back to content, a folder it is in (a loop)\n"
                 "content/a-link: this symlink leads to content/real, which is read already "
                 "(clinicgen reads each folder once)\n");
    free(m);
    content_files_free(&f);
    fs_remove_tree(dir);
    free(dir);
}

TEST(walk_refuses_fifos_and_names_that_are_not_utf8) {
    const char *files[] = {"page.md", "_private.pipe", NULL};
    char *dir = make_project(files);
    if (!dir)
        return;
    char *fifo = xasprintf("%s/content/pipe.md", dir);
    CHECK_INT(mkfifo(fifo, 0600), 0);
    char *latin = xasprintf("%s/content/caf\xE9.md", dir);
    CHECK_INT(fs_write_file(latin, "x", 1), 0);
    content_files f;
    int rc;
    char *m = walk_messages(dir, &f, &rc);
    CHECK_INT(rc, -1);
    CHECK_STR(m, "content/caf\\xE9.md: this name is not valid UTF-8 (it was written in another "
                 "encoding); rename it\n"
                 "content/pipe.md: not a regular file (a FIFO, socket or device); clinicgen reads "
                 "only files and folders\n");
    free(m);
    free(latin);
    free(fifo);
    content_files_free(&f);
    fs_remove_tree(dir);
    free(dir);
}

/* The build hands the walk what the inputs digest saw: the same pages, no
 * file looked at twice, and what changed since is for the next build (the
 * digest did not see it either). Links are still followed, from the disk. */
TEST(walk_takes_what_the_inputs_digest_listed) {
    const char *files[] = {"b.md", "a/index.md", "a/photo.png", "_data/x.yaml", NULL};
    char *dir = make_project(files);
    if (!dir)
        return;
    make_link(dir, "a/photo.png", "same-photo.png");
    make_link(dir, "..", "a/up");
    fs_listing *listing = digest_listing(dir);
    char *later = xasprintf("%s/content/c.md", dir);
    CHECK_INT(fs_write_file(later, "x\n", 2), 0);
    content_files listed, looked;
    int rc_listed, rc_looked;
    char *m_listed = walk_listed(dir, listing, &listed, &rc_listed);
    char *m_looked = walk_messages(dir, &looked, &rc_looked);
    CHECK_INT(rc_listed, -1); /* a/up is a loop, found by following it */
    CHECK_STR(m_listed, "content/a/up: this symlink leads back to content, a folder it is in (a "
                        "loop)\n");
    CHECK_STR(m_looked, m_listed);
    CHECK_INT(listed.pages.len, 2);
    CHECK_INT(looked.pages.len, 3); /* c.md, made after the digest */
    for (size_t i = 0; i < listed.pages.len && i < looked.pages.len; i++) {
        CHECK_STR(listed.pages.items[i], looked.pages.items[i]);
        CHECK(listed.stats[i].st_ino == looked.stats[i].st_ino);
    }
    CHECK_INT(listed.assets.len, 2);
    CHECK_INT(listed.data.len, 1);
    free(m_listed);
    free(m_looked);
    free(later);
    content_files_free(&listed);
    content_files_free(&looked);
    fs_listing_free(listing);
    fs_remove_tree(dir);
    free(dir);
}
