/* Tests for cache and output's update mode: the manifest round trip, the
 * inputs' digest, and an update that writes only what changed. Each test
 * that touches the disk works in its own mkdtemp folder. */
#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "hash.h"
#include "output.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *make_tmp(void) {
    char tmpl[] = "/tmp/clinicgen-cache-XXXXXX";
    char *dir = mkdtemp(tmpl);
    return dir ? xstrdup(dir) : NULL;
}

static void drop_tmp(char *dir) {
    fs_remove_tree(dir);
    free(dir);
}

static void write_at(const char *dir, const char *rel, const char *text) {
    char *path = fs_join(dir, rel);
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    free(path);
}

static ino_t inode_of(const char *dir, const char *rel) {
    char *path = fs_join(dir, rel);
    struct stat st;
    int rc = stat(path, &st);
    free(path);
    return rc == 0 ? st.st_ino : 0;
}

TEST(hash64_tells_contents_apart) {
    CHECK(hash64("abc", 3, 0) == hash64("abc", 3, 0));
    CHECK(hash64("abc", 3, 0) != hash64("abd", 3, 0));
    CHECK(hash64("abc", 3, 0) != hash64("abc", 3, 1));
    CHECK(hash64("", 0, 0) != hash64("\0", 1, 0));
    /* every length up to 100 bytes (short keys read at both ends, the
     * three products of long inputs and the 16 bytes after them), a bit
     * flipped at every place */
    char a[101], b[101];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = (char)('0' + i % 43);
    for (size_t n = 1; n <= 100; n++) {
        CHECK(hash64(a, n, 0) != hash64(a, n - 1, 0));
        for (size_t at = 0; at < n; at++) {
            memcpy(b, a, sizeof b);
            b[at] ^= 1;
            CHECK(hash64(a, n, 0) != hash64(b, n, 0));
        }
    }
    /* two words that trade lanes */
    memcpy(b, a, sizeof b);
    memcpy(b, a + 8, 8);
    memcpy(b + 8, a, 8);
    CHECK(hash64(a, 64, 0) != hash64(b, 64, 0));
    /* two 16-byte lanes that trade places; the seed of a long input */
    memcpy(b, a, sizeof b);
    memcpy(b, a + 16, 16);
    memcpy(b + 16, a, 16);
    CHECK(hash64(a, 100, 0) != hash64(b, 100, 0));
    CHECK(hash64(a, 100, 0) != hash64(a, 100, 1));
}

TEST(cache_manifest_path_is_beside_the_output) {
    char *p = cache_file_path("/srv/www/site/", "manifest");
    CHECK_STR(p, "/srv/www/.clinicgen-cache/site.manifest");
    free(p);
    p = cache_file_path("public", "manifest");
    CHECK_STR(p, ".clinicgen-cache/public.manifest");
    free(p);
}

TEST(cache_manifest_round_trips_any_path) {
    char *dir = make_tmp();
    char *path = fs_join(dir, "m");
    cache_manifest m = CACHE_MANIFEST_INIT;
    m.inputs = 0xfedcba9876543210ULL;
    m.pages = 3;
    m.files = 2;
    m.messages = xstrdup("content/a.md:1: warning: w\n");
    char **roots = xcalloc(2, sizeof *roots);
    roots[0] = xstrdup("content");
    roots[1] = xstrdup("odd name\nwith a newline");
    cache_manifest_set_roots(&m, roots, 2);
    cache_entry e = {"a b/ü\n.html", 42, 7, 1234567890123456789ULL, 99};
    cache_manifest_add(&m, &e);
    CHECK_INT(cache_manifest_save(&m, path), 0);
    cache_manifest got;
    CHECK_INT(cache_manifest_load(&got, path), 0);
    CHECK(got.inputs == m.inputs);
    CHECK_INT(got.pages, 3);
    CHECK_INT(got.files, 2);
    CHECK_STR(got.messages, m.messages);
    CHECK_INT(got.n_roots, 2);
    CHECK_STR(got.roots[1], "odd name\nwith a newline");
    const cache_entry *f = cache_manifest_find(&got, "a b/ü\n.html");
    CHECK(f != NULL);
    CHECK(f && f->hash == 42 && f->size == 7 && f->mtime_ns == e.mtime_ns && f->ino == 99);
    cache_manifest_free(&got);
    cache_manifest_free(&m);
    free(path);
    drop_tmp(dir);
}

TEST(cache_manifest_reserve_keeps_what_is_there_and_makes_room) {
    cache_manifest m = CACHE_MANIFEST_INIT;
    cache_entry e = {"first.html", 1, 1, 1, 1};
    cache_manifest_add(&m, &e);
    cache_manifest_reserve(&m, 1000);
    CHECK(m.cap >= 1000);
    const cache_entry *before = m.entries;
    char name[32];
    for (int i = 0; i < 999; i++) {
        snprintf(name, sizeof name, "p%d/index.html", i);
        cache_entry more = {name, (uint64_t)i, 2, 3, 4};
        cache_manifest_add(&m, &more);
    }
    CHECK(m.entries == before);     /* no copy: the room was there */
    cache_manifest_reserve(&m, 10); /* never shrinks */
    CHECK_INT(m.len, 1000);
    cache_manifest_index(&m);
    const cache_entry *f = cache_manifest_find(&m, "first.html");
    CHECK(f && f->hash == 1);
    f = cache_manifest_find(&m, "p998/index.html");
    CHECK(f && f->hash == 998);
    cache_manifest_free(&m);
}

TEST(cache_manifest_damaged_or_missing_is_none) {
    char *dir = make_tmp();
    cache_manifest m;
    char *path = fs_join(dir, "m");
    CHECK_INT(cache_manifest_load(&m, path), -1);
    const char *bad[] = {
        "", "clinicgen-cache 0\n", "clinicgen-cache 1\ninputs zz pages 1 files 0\n",
        "clinicgen-cache 1\ninputs 01 pages 1 files 0\nmessages 5 ab\n",
        "clinicgen-cache 1\ninputs 01 pages 1 files 0\nmessages 0 \nout 1 2 3\n",
        "clinicgen-cache 1\ninputs 01 pages 1 files 0\nmessages 0 \nout 1 2 3 4 "
        "99 a\n",
        /* past 64 bits */
        "clinicgen-cache 1\ninputs 01 pages 1 files 0\nmessages 0 \nout 1 2 "
        "18446744073709551616 4 1 a\n",
        "clinicgen-cache 1\ninputs 1ffffffffffffffff pages 1 files 0\nmessages 0 \n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_at(dir, "m", bad[i]);
        CHECK_INT(cache_manifest_load(&m, path), -1);
        CHECK_INT(m.len, 0);
    }
    write_at(dir, "m",
             "clinicgen-cache 1\ninputs 01 pages 1 files 0\nmessages 0 \nout 1 2 3 4 1 a\n");
    CHECK_INT(cache_manifest_load(&m, path), 0);
    CHECK_INT(m.len, 1);
    cache_manifest_free(&m);
    free(path);
    drop_tmp(dir);
}

static uint64_t digest_of(const char *dir) {
    char *roots[] = {(char *)dir};
    return cache_inputs_digest(roots, 1, "options", NULL);
}

TEST(cache_inputs_digest_sees_edits_new_and_removed_files) {
    char *dir = make_tmp();
    char *sub = fs_join(dir, "sub");
    CHECK_INT(fs_mkdirs(sub), 0);
    write_at(dir, "sub/a.md", "one");
    uint64_t d0 = digest_of(dir);
    CHECK(digest_of(dir) == d0);
    char *roots[] = {dir};
    CHECK(cache_inputs_digest(roots, 1, "other options", NULL) != d0);
    write_at(dir, "sub/a.md", "two"); /* same size; a new time or inode */
    uint64_t d1 = digest_of(dir);
    CHECK(d1 != d0);
    write_at(dir, "sub/b.md", "");
    uint64_t d2 = digest_of(dir);
    CHECK(d2 != d1);
    char *b = fs_join(dir, "sub/b.md");
    unlink(b);
    CHECK(digest_of(dir) == d1);
    free(b);
    free(sub);
    drop_tmp(dir);
}

TEST(cache_inputs_digest_ends_at_link_loops) {
    char *dir = make_tmp();
    char *loop = fs_join(dir, "loop");
    CHECK_INT(symlink(".", loop), 0);
    char *missing = fs_join(dir, "dangling");
    CHECK_INT(symlink("nowhere", missing), 0);
    uint64_t d = digest_of(dir);
    CHECK(digest_of(dir) == d);
    free(loop);
    free(missing);
    drop_tmp(dir);
}

/* Builds the "site" out of dir with files a and b, the update way when
 * previous is given. */
static int write_site(const char *dir, const cache_manifest *previous, const char *a, const char *b,
                      cache_manifest *written) {
    char *out = fs_join(dir, "site");
    diag_list d = DIAG_LIST_INIT;
    output o;
    int rc = output_begin(&o, out, dir, previous, &d);
    if (rc == 0 && a)
        rc = output_write(&o, "x/a.html", a, strlen(a), &d);
    if (rc == 0 && b)
        rc = output_write(&o, "y/b.html", b, strlen(b), &d);
    if (rc == 0)
        rc = output_commit(&o, &d);
    else
        output_abort(&o);
    *written = o.written;
    o.written = (cache_manifest)CACHE_MANIFEST_INIT;
    cache_manifest_index(written);
    output_free(&o);
    free(out);
    diag_free(&d);
    return rc;
}

TEST(output_update_writes_only_changed_files_and_removes_stale_ones) {
    char *dir = make_tmp();
    char *site = fs_join(dir, "site");
    cache_manifest first, second, third;
    CHECK_INT(write_site(dir, NULL, "A", "B", &first), 0);
    CHECK_INT(first.len, 3); /* the marker too */
    CHECK(cache_outputs_intact(&first, site));
    ino_t a0 = inode_of(site, "x/a.html"), b0 = inode_of(site, "y/b.html");

    CHECK_INT(write_site(dir, &first, "A", "B2", &second), 0);
    CHECK(inode_of(site, "x/a.html") == a0); /* same content: not written */
    CHECK(inode_of(site, "y/b.html") != b0);
    CHECK(cache_outputs_intact(&second, site));
    CHECK(!cache_outputs_intact(&first, site));

    CHECK_INT(write_site(dir, &second, "A", NULL, &third), 0);
    CHECK(inode_of(site, "y/b.html") == 0);
    char *y = fs_join(site, "y");
    CHECK(!fs_is_dir(y)); /* its folder went with it */
    free(y);
    CHECK(inode_of(site, "x/a.html") == a0);
    CHECK_INT(third.len, 2);
    cache_manifest_free(&first);
    cache_manifest_free(&second);
    cache_manifest_free(&third);
    free(site);
    drop_tmp(dir);
}

TEST(output_update_still_refuses_a_second_write_to_one_path) {
    char *dir = make_tmp();
    char *site = fs_join(dir, "site");
    cache_manifest first;
    CHECK_INT(write_site(dir, NULL, "A", NULL, &first), 0);
    diag_list d = DIAG_LIST_INIT;
    output o;
    CHECK_INT(output_begin(&o, site, dir, &first, &d), 0);
    CHECK_INT(output_write(&o, "x/a.html", "A", 1, &d), 0); /* kept */
    CHECK_INT(output_write(&o, "x/a.html", "A", 1, &d), -1);
    CHECK_INT(d.errors, 1);
    output_abort(&o);
    output_free(&o);
    diag_free(&d);
    cache_manifest_free(&first);
    free(site);
    drop_tmp(dir);
}
