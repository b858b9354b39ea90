/*
 * Shared by the API tests: the testdata folder given on the command line and a whole-file
 * reader that exits on failure (a missing test file is a broken test, not a result).
 */
#ifndef PSC_TEST_API_SLURP_H
#define PSC_TEST_API_SLURP_H

#include <stdio.h>
#include <stdlib.h>

static const char *testdata;

static unsigned char *slurp(const char *name, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", testdata, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
