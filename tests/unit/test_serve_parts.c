/* Tests for the parts of clinicgen serve that need no network: the live
 * hub (live) and the source watcher (watch). inotify queues events as the
 * file system calls return, so the watcher tests need no waiting. */
#include "buf.h"
#include "diag.h"
#include "fsutil.h"
#include "live.h"
#include "test.h"
#include "watch.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(live_publishes_state_and_errors) {
    live *l = live_new();
    unsigned long build = 99;
    int ok = -1;
    char *json = live_status_json(l, &build, &ok);
    CHECK_INT(build, 0);
    free(json);
    diag_list d = DIAG_LIST_INIT;
    diag_warning(&d, "content/a.md", 3, 1, "only a warning");
    diag_error(&d, "content/b.md", 7, 3, "a \"quoted\" mistake");
    diag_error(&d, NULL, 0, 0, "no file");
    live_publish(l, 0, &d);
    json = live_status_json(l, &build, &ok);
    CHECK_INT(build, 1);
    CHECK_INT(ok, 0);
    CHECK_CONTAINS(json, "\"build\":1,\"ok\":false");
    CHECK_CONTAINS(json, "\"errors\":[\"content/b.md:7:3: error: a \\\"quoted\\\" mistake\","
                         "\"clinicgen: error: no file\"]");
    CHECK_CONTAINS(json, "The build failed with 2 errors.");
    CHECK(!strstr(json, "only a warning"));
    free(json);
    diag_free(&d);
    live_publish(l, 1, NULL);
    json = live_status_json(l, &build, &ok);
    CHECK_INT(ok, 1);
    CHECK_CONTAINS(json, "\"ok\":true");
    CHECK_CONTAINS(json, "\"errors\":[]");
    free(json);
    live_free(l);
}

TEST(live_caps_the_errors_shown) {
    live *l = live_new();
    diag_list d = DIAG_LIST_INIT;
    for (int i = 0; i < LIVE_MAX_ERRORS + 5; i++)
        diag_error(&d, "content/x.md", i + 1, 1, "mistake %d", i);
    live_publish(l, 0, &d);
    char *json = live_status_json(l, NULL, NULL);
    CHECK_CONTAINS(json, "mistake 99\"");
    CHECK(!strstr(json, "mistake 100\""));
    CHECK_CONTAINS(json, "... and 5 more (see the terminal)");
    free(json);
    diag_free(&d);
    live_free(l);
}

TEST(live_wait_sees_builds_times_out_and_closes) {
    live *l = live_new();
    CHECK_INT(live_wait(l, 0, 10), 0);
    live_publish(l, 1, NULL);
    CHECK_INT(live_wait(l, 0, 10), 1);
    CHECK_INT(live_wait(l, 1, 10), 0);
    live_close(l);
    CHECK_INT(live_wait(l, 1, 10000), -1);
    live_free(l);
    size_t len = 0;
    CHECK_CONTAINS(live_script(&len), "new EventSource(\"/__clinicgen/events\")");
    CHECK(len > 100);
}

static void write_file(const char *dir, const char *rel, const char *text) {
    char *path = fs_join(dir, rel);
    CHECK_INT(fs_write_file(path, text, strlen(text)), 0);
    free(path);
}

/* watch_read's result and the changed path it gives, as "1 content/x.md". */
static char *read_changes(watcher *w) {
    buf changed = BUF_INIT;
    int r = watch_read(w, &changed);
    char *s = xasprintf("%d %s", r, buf_cstr(&changed));
    buf_free(&changed);
    return s;
}

#define CHECK_CHANGES(w, expected)                                                                 \
    do {                                                                                           \
        char *got_ = read_changes(w);                                                              \
        CHECK_STR(got_, expected);                                                                 \
        free(got_);                                                                                \
    } while (0)

TEST(watch_sees_sources_new_folders_and_nothing_else) {
    char tmpl[] = "/tmp/clinicgen-watch-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir)
        return;
    write_file(dir, "site.yaml", "title: x\n");
    write_file(dir, "content/faq/a.md", "a\n");
    watcher *w = watch_open(dir);
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_CHANGES(w, "0 ");
    write_file(dir, "content/faq/a.md", "changed\n");
    CHECK_CHANGES(w, "1 content/faq/a.md");
    write_file(dir, "content/faq/.a.md.swp", "x");
    write_file(dir, "content/faq/a.md~", "x");
    write_file(dir, "site/index.html", "x");
    write_file(dir, "notes.txt", "x");
    CHECK_CHANGES(w, "0 ");
    write_file(dir, "site.yaml", "title: y\n");
    CHECK_CHANGES(w, "1 site.yaml");
    /* a folder made now (the files made with it, before it was watched,
     * go unnamed), and a file in it written later */
    write_file(dir, "content/new/deeper/b.md", "b\n");
    CHECK_CHANGES(w, "1 content/new");
    write_file(dir, "content/new/deeper/b.md", "b2\n");
    CHECK_CHANGES(w, "1 content/new/deeper/b.md");
    /* a source folder that did not exist when watching began */
    write_file(dir, "templates/base.html", "<html/>");
    CHECK_CHANGES(w, "1 templates");
    write_file(dir, "templates/base.html", "<html></html>");
    CHECK_CHANGES(w, "1 templates/base.html");
    /* a folder moved away is no longer watched; moved back, it is again */
    char *from = fs_join(dir, "content/new"), *to = fs_join(dir, "moved");
    CHECK_INT(rename(from, to), 0);
    CHECK_CHANGES(w, "1 content/new");
    write_file(dir, "moved/deeper/b.md", "b3\n");
    CHECK_CHANGES(w, "0 ");
    CHECK_INT(rename(to, from), 0);
    CHECK_CHANGES(w, "1 content/new");
    write_file(dir, "content/new/deeper/b.md", "b4\n");
    CHECK_CHANGES(w, "1 content/new/deeper/b.md");
    free(from);
    free(to);
    watch_free(w);
    CHECK_INT(fs_remove_tree(dir), 0);
}
