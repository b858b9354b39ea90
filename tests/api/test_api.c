/*
 * Contract tests of the public API: NULL arguments, settings bounds, error messages, buffer
 * and file scrubbing, report contents, and several contexts used from concurrent threads.
 */
#include <photoscrub/photoscrub.h>

#include "harness.h"
#include "api/slurp.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_null_and_bounds(void) {
    CHECK(psc_ctx_errmsg(NULL) != NULL);
    psc_ctx_free(NULL);
    psc_report_free(NULL);
    psc_free(NULL);
    CHECK_EQ(psc_version_number(), PSC_VERSION_NUMBER);
    CHECK(strcmp(psc_version_string(), "0.2.0") == 0);
    CHECK(strcmp(psc_status_str(PSC_ERR_CORRUPT), "file is damaged or truncated") == 0);
    CHECK(psc_status_str((psc_status)999) != NULL);

    psc_ctx *ctx = psc_ctx_new();
    CHECK(ctx != NULL);
    unsigned char *out = (unsigned char *)1;
    size_t out_len = 7;
    CHECK_EQ(psc_scrub_buffer(NULL, NULL, 0, &out, &out_len, NULL), PSC_ERR_ARG);
    CHECK(out == NULL && out_len == 0);
    CHECK_EQ(psc_scrub_buffer(ctx, NULL, 5, &out, &out_len, NULL), PSC_ERR_ARG);
    CHECK_EQ(psc_scrub_buffer(ctx, (const unsigned char *)"x", 1, NULL, &out_len, NULL),
             PSC_ERR_ARG);
    CHECK_EQ(psc_scrub_file(ctx, NULL, "x", NULL), PSC_ERR_ARG);
    CHECK_EQ(psc_inspect_file(ctx, "x", NULL), PSC_ERR_ARG);

    /* Settings: every one has a name, help, bounds, and refuses out-of-range values. */
    size_t count = 0;
    for (size_t i = 0; psc_param_at(i) != 0; i++, count++) {
        psc_param p = psc_param_at(i), q;
        long long mn, mx, def, v;
        CHECK(psc_param_name(p) != NULL && psc_param_help(p) != NULL);
        CHECK_EQ(psc_param_by_name(psc_param_name(p), &q), PSC_OK);
        CHECK_EQ(q, p);
        if (psc_param_type_of(p) == PSC_PARAM_TYPE_STRING)
            continue; /* text settings: tests/api/test_api_v02.c */
        CHECK_EQ(psc_param_bounds(p, &mn, &mx, &def), PSC_OK);
        CHECK(mn <= def && def <= mx);
        CHECK_EQ(psc_ctx_get(ctx, p, &v), PSC_OK);
        CHECK_EQ(v, def);
        CHECK_EQ(psc_ctx_set(ctx, p, mx + 1), PSC_ERR_ARG);
        CHECK(strstr(psc_ctx_errmsg(ctx), psc_param_name(p)) != NULL);
        CHECK_EQ(psc_ctx_set(ctx, p, mn), PSC_OK);
        CHECK_EQ(psc_ctx_set(ctx, p, def), PSC_OK);
    }
    CHECK(count >= 7);
    CHECK_EQ(psc_ctx_set(ctx, (psc_param)999, 0), PSC_ERR_ARG);
    psc_param p;
    CHECK_EQ(psc_param_by_name("no-such-setting", &p), PSC_ERR_ARG);
    CHECK(psc_meta_name(PSC_META_GPS) != NULL && strcmp(psc_meta_name(PSC_META_GPS), "gps") == 0);
    CHECK(psc_meta_name(PSC_META_COUNT_) == NULL);
    psc_ctx_free(ctx);
}

static void test_buffer_scrub(void) {
    psc_ctx *ctx = psc_ctx_new();
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_METADATA_ONLY, 1), PSC_OK);
    size_t len;
    unsigned char *in = slurp("exif_gps_thumb.jpg", &len);
    unsigned char *out = NULL;
    size_t out_len = 0;
    psc_report *rep = NULL;
    CHECK_EQ(psc_scrub_buffer(ctx, in, len, &out, &out_len, &rep), PSC_OK);
    CHECK(out != NULL && out_len > 0 && out_len < len);
    CHECK(strcmp(psc_ctx_errmsg(ctx), "") == 0);
    CHECK(strcmp(psc_report_format(rep), "jpeg") == 0);
    CHECK(psc_report_found(rep, PSC_META_GPS) > 0);
    CHECK(psc_report_found(rep, PSC_META_DEVICE) > 0);
    CHECK(psc_report_found(rep, PSC_META_THUMBNAIL) > 0);
    CHECK_EQ(psc_report_bytes_in(rep), len);
    CHECK_EQ(psc_report_bytes_out(rep), out_len);
    CHECK(psc_report_removed_count(rep) >= 1);
    const char *what = NULL;
    psc_meta cls;
    size_t off, bytes;
    CHECK_EQ(psc_report_removed(rep, 0, &what, &cls, &off, &bytes), PSC_OK);
    CHECK(what != NULL && bytes > 0);
    CHECK_EQ(psc_report_removed(rep, 9999, NULL, NULL, NULL, NULL), PSC_ERR_ARG);
    char *json = NULL;
    size_t jlen = 0;
    CHECK_EQ(psc_report_json(rep, &json, &jlen), PSC_OK);
    CHECK(json != NULL && strlen(json) == jlen);
    CHECK(strstr(json, "\"gps_present\":true") != NULL);
    /* No values unless asked for: the planted make must not appear. */
    CHECK(strstr(json, "\"values\"") == NULL);
    psc_free(json);
    psc_report_free(rep);

    /* Fixed point: scrubbing the output again gives the same bytes. */
    unsigned char *out2 = NULL;
    size_t out2_len = 0;
    CHECK_EQ(psc_scrub_buffer(ctx, out, out_len, &out2, &out2_len, NULL), PSC_OK);
    CHECK(out2_len == out_len && memcmp(out, out2, out_len) == 0);
    psc_free(out2);

    /* Values appear only with report-values. */
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_REPORT_VALUES, 1), PSC_OK);
    CHECK_EQ(psc_inspect_buffer(ctx, in, len, &rep), PSC_OK);
    CHECK_EQ(psc_report_json(rep, &json, NULL), PSC_OK);
    CHECK(strstr(json, "\"values\"") != NULL);
    psc_free(json);
    psc_report_free(rep);

    /* Limits are enforced with a message naming the setting. */
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_MAX_FILE_MB, 1), PSC_OK);
    unsigned char *big = calloc(2u << 20, 1);
    CHECK_EQ(psc_scrub_buffer(ctx, big, 2u << 20, &out2, &out2_len, NULL), PSC_ERR_LIMIT);
    CHECK(strstr(psc_ctx_errmsg(ctx), "max-file-mb") != NULL);
    free(big);

    /* Damaged input: clear status and message, no output. */
    CHECK_EQ(psc_scrub_buffer(ctx, in, len / 2, &out2, &out2_len, &rep), PSC_ERR_CORRUPT);
    CHECK(out2 == NULL);
    CHECK(strstr(psc_ctx_errmsg(ctx), "truncated") != NULL);
    psc_report_free(rep);
    CHECK_EQ(psc_scrub_buffer(ctx, (const unsigned char *)"hello", 5, &out2, &out2_len, NULL),
             PSC_ERR_FORMAT);
    CHECK_EQ(psc_scrub_buffer(ctx, (const unsigned char *)"", 0, &out2, &out2_len, NULL),
             PSC_ERR_FORMAT);
    psc_free(out);
    free(in);
    psc_ctx_free(ctx);
}

static void test_file_scrub(void) {
    psc_ctx *ctx = psc_ctx_new();
    char dir[] = "/tmp/psc-api-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char in[1100], out[1100];
    snprintf(in, sizeof in, "%s/orient6.jpg", testdata);
    snprintf(out, sizeof out, "%s/out.jpg", dir);
    psc_report *rep = NULL;
    CHECK_EQ(psc_scrub_file(ctx, in, out, &rep), PSC_OK);
    CHECK_EQ(psc_report_orientation(rep), 6);
    CHECK_EQ(psc_report_orient_action(rep), PSC_ORIENT_ACTION_TAGGED);
    psc_report_free(rep);
    struct stat sb;
    CHECK(stat(out, &sb) == 0 && sb.st_size > 0);
    /* No overwrite by default; the existing output is untouched. */
    CHECK_EQ(psc_scrub_file(ctx, in, out, NULL), PSC_ERR_EXISTS);
    CHECK(strstr(psc_ctx_errmsg(ctx), "already exists") != NULL);
    /* In place needs overwrite. */
    CHECK_EQ(psc_scrub_file(ctx, out, out, NULL), PSC_ERR_EXISTS);
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_OVERWRITE, 1), PSC_OK);
    CHECK_EQ(psc_scrub_file(ctx, out, out, NULL), PSC_OK);
    /* Missing folder: IO error, nothing left behind. */
    char bad[1200];
    snprintf(bad, sizeof bad, "%s/missing/out.jpg", dir);
    CHECK_EQ(psc_scrub_file(ctx, in, bad, NULL), PSC_ERR_IO);
    /* Lossless rotation. */
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_ORIENTATION, PSC_ORIENT_ROTATE), PSC_OK);
    CHECK_EQ(psc_scrub_file(ctx, in, out, &rep), PSC_OK);
    CHECK_EQ(psc_report_orient_action(rep), PSC_ORIENT_ACTION_ROTATED);
    psc_report_free(rep);
    unlink(out);
    rmdir(dir);
    psc_ctx_free(ctx);
}

/* Threads: each with its own context, all scrubbing the same inputs; results must match the
 * single-threaded ones, with detection (Tesseract, ZBar, zxing per context) and without. */
static const char *thread_files[] = {"exif_gps_thumb.jpg", "progressive.jpg", "text_chunks.png",
                                     "trailer_motion.jpg", "orient8.jpg",     "apng.png"};
#define N_FILES (sizeof thread_files / sizeof thread_files[0])
static unsigned char *expect[2][N_FILES];
static size_t expect_len[2][N_FILES];

/* Animated PNGs cannot be checked frame by frame, so detection refuses them. */
static int skip_with_detection(size_t i) {
    return strcmp(thread_files[i], "apng.png") == 0;
}

static void *worker(void *arg) {
    int *bad = arg;
    psc_ctx *ctx = psc_ctx_new();
    for (int round = 0; round < 6; round++) {
        int meta_only = round != 0; /* one detection round, the rest metadata only */
        psc_ctx_set(ctx, PSC_PARAM_METADATA_ONLY, meta_only);
        for (size_t i = 0; i < N_FILES; i++) {
            if (!meta_only && skip_with_detection(i))
                continue;
            size_t len;
            unsigned char *in = slurp(thread_files[i], &len), *out = NULL;
            size_t out_len = 0;
            if (psc_scrub_buffer(ctx, in, len, &out, &out_len, NULL) != PSC_OK ||
                out_len != expect_len[meta_only][i] ||
                memcmp(out, expect[meta_only][i], out_len) != 0)
                (*bad)++;
            psc_free(out);
            free(in);
        }
    }
    psc_ctx_free(ctx);
    return NULL;
}

static void test_threads(void) {
    psc_ctx *ctx = psc_ctx_new();
    for (int m = 0; m < 2; m++) {
        CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_METADATA_ONLY, m), PSC_OK);
        for (size_t i = 0; i < N_FILES; i++) {
            size_t len;
            unsigned char *in = slurp(thread_files[i], &len);
            psc_status st = psc_scrub_buffer(ctx, in, len, &expect[m][i], &expect_len[m][i], NULL);
            if (m == 0 && skip_with_detection(i)) {
                CHECK_EQ(st, PSC_ERR_UNSUPPORTED);
                CHECK(strstr(psc_ctx_errmsg(ctx), "animated") != NULL);
            } else {
                CHECK_EQ(st, PSC_OK);
            }
            free(in);
        }
    }
    psc_ctx_free(ctx);
    pthread_t t[8];
    int bad[8] = {0};
    for (int i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, worker, &bad[i]) == 0);
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ(bad[i], 0);
    }
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < N_FILES; i++)
            psc_free(expect[m][i]);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_api TESTDATA_DIR\n");
        return 2;
    }
    testdata = argv[1];
    test_null_and_bounds();
    test_buffer_scrub();
    test_file_scrub();
    test_threads();
    HARNESS_DONE();
}
