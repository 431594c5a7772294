/* main: runs every registered unit test and prints one line per test. */
#include "test.h"

#include "markdown.h"

#include <stdarg.h>
#include <stdlib.h>

enum { MAX_TESTS = 1024 };

static struct {
    const char *name;
    test_fn fn;
} tests[MAX_TESTS];
static int n_tests;
static int current_failed;
static const char *current_name;

void test_register(const char *name, test_fn fn) {
    if (n_tests < MAX_TESTS) {
        tests[n_tests].name = name;
        tests[n_tests].fn = fn;
        n_tests++;
    }
}

void test_fail(const char *file, int line, const char *fmt, ...) {
    if (!current_failed)
        printf("FAIL %s\n", current_name);
    current_failed = 1;
    printf("    %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    markdown_init();
    qsort(tests, (size_t)n_tests, sizeof tests[0], by_name);
    int failed = 0, run = 0;
    for (int i = 0; i < n_tests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        current_name = tests[i].name;
        current_failed = 0;
        tests[i].fn();
        run++;
        if (current_failed)
            failed++;
        else
            printf("ok %s\n", tests[i].name);
        fflush(stdout);
    }
    printf("unit: %d passed, %d failed\n", run - failed, failed);
    return failed ? 1 : 0;
}
