/*
 * The second look catches what the finder misses (issue 11): with the finder's code readers
 * switched off (an internal test flag), a QR code turned 45 degrees is still found by the
 * verifier and hidden, and independent readers (zbarimg, ZXingReader) cannot read the output.
 * With the verifier off too, the code survives: the check can fail.
 */
#include "context.h"

#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

static char dir[512];

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = b ? (size_t)n : 0;
    return b;
}

/* Exit status 0 when some reader decodes a code in path. */
static int readable(const char *path) {
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "zbarimg -q '%s' >/dev/null 2>&1", path);
    if (system(cmd) == 0)
        return 1;
    snprintf(cmd, sizeof cmd, "ZXingReader '%s' 2>/dev/null | grep -q '^Text:'", path);
    return system(cmd) == 0;
}

/* Scrubs in.jpg with the test flags into out-N.jpg; returns the status, *second set when a
 * region was found by the second look. */
static psc_status scrub(unsigned flags, const char *out, int *second) {
    char in[600];
    snprintf(in, sizeof in, "%s/in.jpg", dir);
    size_t len = 0;
    unsigned char *data = slurp(in, &len);
    psc_ctx *ctx = psc_ctx_new();
    CHECK(data != NULL && ctx != NULL);
    ctx->test_flags = flags;
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_FIND_TEXT, 0), PSC_OK);
    unsigned char *res = NULL;
    size_t res_len = 0;
    psc_report *rep = NULL;
    psc_status st = psc_scrub_buffer(ctx, data, len, &res, &res_len, &rep);
    *second = 0;
    for (size_t i = 0; rep != NULL && i < psc_report_region_count(rep); i++) {
        const char *det = NULL;
        psc_report_region(rep, i, NULL, NULL, &det, NULL);
        if (det != NULL && strcmp(det, "second look") == 0)
            *second = 1;
    }
    if (st == PSC_OK) {
        FILE *f = fopen(out, "wb");
        CHECK(f != NULL && fwrite(res, 1, res_len, f) == res_len);
        if (f)
            fclose(f);
    }
    psc_free(res);
    psc_report_free(rep);
    psc_ctx_free(ctx);
    free(data);
    return st;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_verifier WORKDIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s/verifier", argv[1]);
    mkdir(dir, 0755);
    char cmd[2048], in[600], a[600], b[600], c[600];
    snprintf(cmd, sizeof cmd,
             "qrencode -s 10 -m 2 -o '%s/qr.png' 'WIFI:T:WPA;S:WARD-7;P:Nurse2024;;' && "
             "convert -seed 7 -size 2400x1800 plasma:tan-gray60 -blur 0x3 "
             "\\( '%s/qr.png' -background white -rotate 45 \\) -geometry +900+500 -composite "
             "-quality 92 '%s/in.jpg'",
             dir, dir, dir);
    CHECK_EQ(system(cmd), 0);
    snprintf(in, sizeof in, "%s/in.jpg", dir);
    CHECK(readable(in)); /* the oracles read the input, or the test proves nothing */

    int second = 0;
    snprintf(a, sizeof a, "%s/out-blind.jpg", dir);
    CHECK_EQ(scrub(PSCI_TEST_NO_FINDER_CODES | PSCI_TEST_NO_VERIFIER, a, &second), PSC_OK);
    CHECK(readable(a)); /* nobody looked: the code is still there */

    snprintf(b, sizeof b, "%s/out-verifier.jpg", dir);
    psc_status st = scrub(PSCI_TEST_NO_FINDER_CODES, b, &second);
    CHECK(st == PSC_OK || st == PSC_ERR_UNSAFE);
    if (st == PSC_OK) {
        CHECK(second);
        CHECK(!readable(b));
    }

    snprintf(c, sizeof c, "%s/out-finder.jpg", dir);
    CHECK_EQ(scrub(0, c, &second), PSC_OK);
    CHECK(!second); /* the finder hid it; the second look had nothing left to read */
    CHECK(!readable(c));
    HARNESS_DONE();
}
