/* site_offline_url: the links of a site browsed from disk. */
#include "site.h"
#include "test.h"

#include <stdlib.h>

static void check_offline(const char *base_path, int offline, const char *from, const char *url,
                          const char *expected) {
    site_config cfg = {.base_path = (char *)base_path, .offline = offline};
    site_model m = {.cfg = &cfg};
    char *got = site_offline_url(&m, from, url);
    if (expected)
        CHECK_STR(got, expected);
    else if (got)
        test_fail(__FILE__, __LINE__, "%s from %s became \"%s\", expected it unchanged", url, from,
                  got);
    free(got);
}

TEST(offline_links_are_relative_and_name_index_html) {
    check_offline("/", 1, "procedures/peel/index.html", "/faq/pain/", "../../faq/pain/index.html");
    check_offline("/", 1, "procedures/peel/index.html", "/", "../../index.html");
    check_offline("/", 1, "index.html", "/", "index.html");
    check_offline("/", 1, "index.html", "/css/site.1234.css", "css/site.1234.css");
    check_offline("/", 1, "404.html", "/procedures/", "procedures/index.html");
    check_offline("/", 1, "faq/index.html", "/procedures/peel/#aftercare",
                  "../procedures/peel/index.html#aftercare");
    check_offline("/", 1, "search/index.html", "/search/?q=peel", "../search/index.html?q=peel");
    check_offline("/kb/", 1, "faq/index.html", "/kb/procedures/peel/peel.png",
                  "../procedures/peel/peel.png");
}

TEST(offline_leaves_other_urls_alone) {
    check_offline("/", 0, "faq/index.html", "/procedures/", NULL); /* not offline */
    check_offline("/", 1, "faq/index.html", "https://example.org/", NULL);
    check_offline("/", 1, "faq/index.html", "//cdn.example.org/x.js", NULL);
    check_offline("/", 1, "faq/index.html", "#top", NULL);
    check_offline("/", 1, "faq/index.html", "../x/", NULL);      /* already relative */
    check_offline("/kb/", 1, "faq/index.html", "/other/", NULL); /* not below the site */
}
