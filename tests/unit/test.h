/*
 * test.h: the unit test harness. A test is a function declared with TEST;
 * checks record a failure with file and line and let the test go on. The
 * runner (main.c) prints "ok NAME" or "FAIL NAME: where: what" per test.
 */
#ifndef CLINICGEN_TEST_H
#define CLINICGEN_TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void register_##name(void) {                               \
        test_register(#name, name);                                                                \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "%s", #cond);                                            \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *a_ = (actual), *e_ = (expected);                                               \
        if (!a_ || !e_ || strcmp(a_, e_) != 0)                                                     \
            test_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #actual,                \
                      a_ ? a_ : "(null)", e_ ? e_ : "(null)");                                     \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                           \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (!h_ || !strstr(h_, n_))                                                                \
            test_fail(__FILE__, __LINE__, "%s does not contain \"%s\":\n%s", #haystack, n_,        \
                      h_ ? h_ : "(null)");                                                         \
    } while (0)

#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                            \
        if (a_ != e_)                                                                              \
            test_fail(__FILE__, __LINE__, "%s is %lld, expected %lld", #actual, a_, e_);           \
    } while (0)

#endif
