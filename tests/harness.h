/*
 * Tiny test macros: each CHECK that fails prints where and why and marks the binary failed.
 */
#ifndef PSC_TEST_HARNESS_H
#define PSC_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failures;
static int harness_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        harness_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            harness_failures++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        harness_checks++;                                                                          \
        if (va_ != vb_) {                                                                          \
            harness_failures++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", __FILE__,          \
                    __LINE__, #a, va_, #b, vb_);                                                   \
        }                                                                                          \
    } while (0)

#define HARNESS_DONE()                                                                             \
    do {                                                                                           \
        printf("%d checks, %d failed\n", harness_checks, harness_failures);                        \
        return harness_failures ? 1 : 0;                                                           \
    } while (0)

#endif
