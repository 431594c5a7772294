/* Tests for http_path: what clinicgen serve makes of a request's path.
 * The file tests work in their own mkdtemp folder. */
#include "buf.h"
#include "fsutil.h"
#include "http_path.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

/* The decoded path, or "REFUSED"; "/" appended for the folder form. */
static char *parsed(const char *raw) {
    http_path p;
    if (http_path_parse(raw, &p) != 0)
        return xstrdup("REFUSED");
    char *s = xasprintf("%s%s", p.rel, p.dir_form ? "/" : "");
    http_path_free(&p);
    return s;
}

#define CHECK_PARSE(raw, expected)                                                                 \
    do {                                                                                           \
        char *got_ = parsed(raw);                                                                  \
        CHECK_STR(got_, expected);                                                                 \
        free(got_);                                                                                \
    } while (0)

TEST(http_path_parse_decodes_and_joins) {
    CHECK_PARSE("/", "/");
    CHECK_PARSE("/index.html", "index.html");
    CHECK_PARSE("/procedures/microneedling/", "procedures/microneedling/");
    CHECK_PARSE("/procedures/microneedling", "procedures/microneedling");
    CHECK_PARSE("/a%20b/%C3%A9t%C3%A9", "a b/\xc3\xa9t\xc3\xa9");
    CHECK_PARSE("//a///b//", "a/b/");
    CHECK_PARSE("/a%2fb", "a/b");
    CHECK_PARSE("/..a/b..", "..a/b..");
    CHECK_PARSE("/.well-known/x", ".well-known/x");
}

TEST(http_path_parse_refuses_climbing_out) {
    const char *refused[] = {"/../site.yaml",
                             "/%2e%2e/site.yaml",
                             "/%2E%2e/site.yaml",
                             "/..%2fsite.yaml",
                             "/%2e%2e%2f%2e%2e%2fetc/passwd",
                             "/a/../../b",
                             "/a/..",
                             "/a/./b",
                             "/.%2e/x",
                             "/..\\site.yaml",
                             "/..%5csite.yaml",
                             "/a%00.html",
                             "/a%0d%0aSet-Cookie:x",
                             "/a\x01",
                             "/%zz",
                             "/%4",
                             "/%",
                             "relative",
                             "",
                             "http://example.org/x"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char *got = parsed(refused[i]);
        if (strcmp(got, "REFUSED") != 0)
            test_fail(__FILE__, __LINE__, "'%s' was accepted as '%s'", refused[i], got);
        free(got);
    }
    http_path p;
    CHECK_INT(http_path_parse(NULL, &p), -1);
}

TEST(http_path_strip_base_keeps_the_rest) {
    http_path p;
    CHECK_INT(http_path_parse("/kb/faq/x/", &p), 0);
    CHECK_INT(http_path_strip_base(&p, "kb"), 1);
    CHECK_STR(p.rel, "faq/x");
    http_path_free(&p);
    CHECK_INT(http_path_parse("/kb", &p), 0);
    CHECK_INT(http_path_strip_base(&p, "kb"), 1);
    CHECK_STR(p.rel, "");
    CHECK_INT(p.dir_form, 0);
    http_path_free(&p);
    CHECK_INT(http_path_parse("/kbx/faq", &p), 0);
    CHECK_INT(http_path_strip_base(&p, "kb"), 0);
    CHECK_STR(p.rel, "kbx/faq");
    CHECK_INT(http_path_strip_base(&p, ""), 1);
    CHECK_STR(p.rel, "kbx/faq");
    http_path_free(&p);
}

TEST(http_path_encode_escapes_what_a_url_cannot_hold) {
    buf b = BUF_INIT;
    http_path_encode(&b, "a b/\xc3\xa9t\xc3\xa9/x?y#z%");
    CHECK_STR(buf_cstr(&b), "/a%20b/%C3%A9t%C3%A9/x%3Fy%23z%25");
    buf_clear(&b);
    http_path_encode(&b, "");
    CHECK_STR(buf_cstr(&b), "/");
    buf_free(&b);
}

TEST(http_mime_type_by_extension) {
    CHECK_STR(http_mime_type("index.html"), "text/html; charset=utf-8");
    CHECK_STR(http_mime_type("a/B.HTML"), "text/html; charset=utf-8");
    CHECK_STR(http_mime_type("css/style.1a2b.css"), "text/css; charset=utf-8");
    CHECK_STR(http_mime_type("js/search.js"), "text/javascript; charset=utf-8");
    CHECK_STR(http_mime_type("search/meta.json"), "application/json; charset=utf-8");
    CHECK_STR(http_mime_type("sitemap.xml"), "application/xml; charset=utf-8");
    CHECK_STR(http_mime_type("x.svg"), "image/svg+xml; charset=utf-8");
    CHECK_STR(http_mime_type("robots.txt"), "text/plain; charset=utf-8");
    CHECK_STR(http_mime_type("site.webmanifest"), "application/manifest+json; charset=utf-8");
    CHECK_STR(http_mime_type("a.png"), "image/png");
    CHECK_STR(http_mime_type("a.JPG"), "image/jpeg");
    CHECK_STR(http_mime_type("a.jpeg"), "image/jpeg");
    CHECK_STR(http_mime_type("a.webp"), "image/webp");
    CHECK_STR(http_mime_type("a.avif"), "image/avif");
    CHECK_STR(http_mime_type("a.gif"), "image/gif");
    CHECK_STR(http_mime_type("favicon.ico"), "image/x-icon");
    CHECK_STR(http_mime_type("f.woff2"), "font/woff2");
    CHECK_STR(http_mime_type("sheet.pdf"), "application/pdf");
    CHECK_STR(http_mime_type("a.tar.gz"), "application/octet-stream");
    CHECK_STR(http_mime_type("folder.html/README"), "application/octet-stream");
    CHECK_STR(http_mime_type("noext"), "application/octet-stream");
}

static http_file_kind find(const char *root, const char *raw, char **file) {
    http_path p;
    if (http_path_parse(raw, &p) != 0)
        return HTTP_FILE_MISSING;
    http_file_kind k = http_file_find(root, &p, file);
    http_path_free(&p);
    return k;
}

/* A site folder with pages, a hidden file and links in and out. */
static char *make_site(char **site) {
    char tmpl[] = "/tmp/clinicgen-http-XXXXXX";
    char *dir = mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;
    if (!dir)
        return NULL;
    *site = fs_join(dir, "site");
    const char *files[] = {"index.html", "faq/index.html", "css/a.css", ".clinicgen-output",
                           "empty/.keep"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = fs_join(*site, files[i]);
        CHECK_INT(fs_write_file(path, "x", 1), 0);
        free(path);
    }
    char *secret = fs_join(dir, "secret.txt"), *link = fs_join(*site, "out.txt");
    char *inner = fs_join(*site, "in.css"), *up = fs_join(*site, "up");
    CHECK_INT(fs_write_file(secret, "secret", 6), 0);
    CHECK_INT(symlink(secret, link), 0);
    CHECK_INT(symlink("css/a.css", inner), 0);
    CHECK_INT(symlink("..", up), 0);
    free(secret);
    free(link);
    free(inner);
    free(up);
    return dir;
}

TEST(http_file_find_stays_inside_the_site) {
    char *site = NULL, *dir = make_site(&site);
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *real_site = realpath(site, NULL), *file = NULL;
    CHECK_INT(find(site, "/", &file), HTTP_FILE_FOUND);
    char *want = fs_join(real_site, "index.html");
    CHECK_STR(file, want);
    free(want);
    free(file);
    CHECK_INT(find(site, "/faq/", &file), HTTP_FILE_FOUND);
    free(file);
    CHECK_INT(find(site, "/faq", &file), HTTP_FILE_REDIRECT);
    CHECK(file == NULL);
    CHECK_INT(find(site, "/css/a.css", &file), HTTP_FILE_FOUND);
    free(file);
    CHECK_INT(find(site, "/in.css", &file), HTTP_FILE_FOUND); /* a link inside is fine */
    free(file);
    CHECK_INT(find(site, "/css/a.css/", &file), HTTP_FILE_MISSING);
    CHECK_INT(find(site, "/empty/", &file), HTTP_FILE_MISSING); /* no index.html */
    CHECK_INT(find(site, "/nothing", &file), HTTP_FILE_MISSING);
    CHECK_INT(find(site, "/out.txt", &file), HTTP_FILE_MISSING);
    CHECK_INT(find(site, "/up/secret.txt", &file), HTTP_FILE_MISSING);
    CHECK_INT(find(site, "/up/site/index.html", &file), HTTP_FILE_FOUND); /* back inside */
    free(file);
    CHECK_INT(find(site, "/.clinicgen-output", &file), HTTP_FILE_MISSING);
    CHECK_INT(find(site, "/empty/.keep", &file), HTTP_FILE_MISSING);
    char *nowhere = fs_join(dir, "no-site");
    CHECK_INT(find(nowhere, "/", &file), HTTP_FILE_MISSING);
    free(nowhere);
    free(real_site);
    free(site);
    CHECK_INT(fs_remove_tree(dir), 0);
    free(dir);
}
