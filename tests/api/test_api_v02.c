/*
 * Contract tests of what API 0.2 added: text settings, progress and cancel, the report
 * accessors (notes, values, symbology, ICC action, detection mode, output name, verdict),
 * the word tables and psc_meta_count. NULL arguments and bounds for each.
 */
#include <photoscrub/photoscrub.h>

#include "harness.h"
#include "api/slurp.h"

#include <sys/stat.h>
#include <unistd.h>

static void test_string_settings(void) {
    psc_ctx *ctx = psc_ctx_new();
    psc_param p;
    const char *v = NULL;
    CHECK_EQ(psc_param_by_name("langs", &p), PSC_OK);
    CHECK_EQ(p, PSC_PARAM_LANGS);
    CHECK_EQ(psc_param_type_of(p), PSC_PARAM_TYPE_STRING);
    CHECK_EQ(psc_param_type_of(PSC_PARAM_KEEP_ICC), PSC_PARAM_TYPE_INT);
    CHECK_EQ(psc_param_type_of((psc_param)999), PSC_PARAM_TYPE_UNKNOWN);
    CHECK(strcmp(psc_param_default_str(PSC_PARAM_LANGS), "eng+fra") == 0);
    CHECK(strcmp(psc_param_default_str(PSC_PARAM_TESSDATA), "") == 0);
    CHECK(psc_param_default_str(PSC_PARAM_KEEP_ICC) == NULL);
    CHECK(psc_param_default_str((psc_param)999) == NULL);
    CHECK_EQ(psc_param_bounds(PSC_PARAM_LANGS, NULL, NULL, NULL), PSC_ERR_ARG);

    /* Defaults, set and get by id and by name, the 0.1 function still works. */
    CHECK_EQ(psc_ctx_get_str(ctx, PSC_PARAM_LANGS, &v), PSC_OK);
    CHECK(v && strcmp(v, "eng+fra") == 0);
    CHECK_EQ(psc_ctx_set_str(ctx, p, "deu+eng"), PSC_OK);
    CHECK_EQ(psc_ctx_get_str(ctx, p, &v), PSC_OK);
    CHECK(strcmp(v, "deu+eng") == 0);
    CHECK_EQ(psc_ctx_set_langs(ctx, "fra"), PSC_OK);
    CHECK_EQ(psc_ctx_get_str(ctx, PSC_PARAM_LANGS, &v), PSC_OK);
    CHECK(strcmp(v, "fra") == 0);
    CHECK_EQ(psc_param_by_name("tessdata", &p), PSC_OK);
    CHECK_EQ(psc_ctx_set_str(ctx, p, "/usr/share/tessdata"), PSC_OK);
    CHECK_EQ(psc_ctx_get_str(ctx, PSC_PARAM_TESSDATA, &v), PSC_OK);
    CHECK(strcmp(v, "/usr/share/tessdata") == 0);
    CHECK_EQ(psc_ctx_set_str(ctx, p, ""), PSC_OK);

    /* Refusals keep the old value and say why. */
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_LANGS, "eng;rm -rf"), PSC_ERR_ARG);
    CHECK(strstr(psc_ctx_errmsg(ctx), "eng+fra") != NULL);
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_LANGS, ""), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_set_langs(ctx, NULL), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_get_str(ctx, PSC_PARAM_LANGS, &v), PSC_OK);
    CHECK(strcmp(v, "fra") == 0);
    char longv[2000];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_TESSDATA, longv), PSC_ERR_ARG);
    CHECK(strstr(psc_ctx_errmsg(ctx), "tessdata") != NULL);
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_TESSDATA, "a\nb"), PSC_ERR_ARG);
    /* Types do not mix, NULLs are refused. */
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_KEEP_ICC, "1"), PSC_ERR_ARG);
    CHECK(strstr(psc_ctx_errmsg(ctx), "keep-icc") != NULL);
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_LANGS, 1), PSC_ERR_ARG);
    CHECK(strstr(psc_ctx_errmsg(ctx), "langs") != NULL);
    long long n;
    CHECK_EQ(psc_ctx_get(ctx, PSC_PARAM_LANGS, &n), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_get_str(ctx, PSC_PARAM_KEEP_ICC, &v), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_set_str(NULL, PSC_PARAM_LANGS, "eng"), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_LANGS, NULL), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_set_str(ctx, (psc_param)999, "x"), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_get_str(NULL, PSC_PARAM_LANGS, &v), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_get_str(ctx, PSC_PARAM_LANGS, NULL), PSC_ERR_ARG);
    psc_ctx_free(ctx);
}

static void test_words(void) {
    CHECK(strcmp(psc_detect_mode_name(PSC_DETECT_FAST), "fast") == 0);
    CHECK(strcmp(psc_detect_mode_name(PSC_DETECT_THOROUGH), "thorough") == 0);
    CHECK(psc_detect_mode_name((psc_detect_mode)3) == NULL);
    CHECK(psc_detect_mode_name((psc_detect_mode)-1) == NULL);
    CHECK(strcmp(psc_style_name(PSC_STYLE_PIXELATE), "pixelate") == 0);
    CHECK(psc_style_name((psc_style)3) == NULL);
    CHECK(strcmp(psc_region_kind_name(PSC_REGION_MATRIX), "matrix") == 0);
    CHECK(psc_region_kind_name((psc_region_kind)4) == NULL);
    CHECK(strcmp(psc_stage_name(PSC_STAGE_READ), "read") == 0);
    CHECK(strcmp(psc_stage_name(PSC_STAGE_WRITE), "write") == 0);
    CHECK(psc_stage_name((psc_stage)6) == NULL);
    /* Every metadata class below the count has a name, none past it. */
    size_t mc = psc_meta_count();
    CHECK(mc >= 17);
    for (size_t m = 0; m < mc; m++)
        CHECK(psc_meta_name((psc_meta)m) != NULL && psc_meta_label((psc_meta)m) != NULL);
    CHECK(psc_meta_name((psc_meta)mc) == NULL);
    /* Every setting's words match its bounds. */
    long long mn, mx;
    CHECK_EQ(psc_param_bounds(PSC_PARAM_DETECT, &mn, &mx, NULL), PSC_OK);
    CHECK(psc_detect_mode_name((psc_detect_mode)mx) != NULL &&
          psc_detect_mode_name((psc_detect_mode)(mx + 1)) == NULL);
    CHECK_EQ(psc_param_bounds(PSC_PARAM_STYLE, &mn, &mx, NULL), PSC_OK);
    CHECK(psc_style_name((psc_style)mx) != NULL && psc_style_name((psc_style)(mx + 1)) == NULL);
}

static void test_null_reports(void) {
    char buf[16];
    const char *s = "x";
    psc_region_kind k;
    CHECK_EQ(psc_report_is_clean(NULL), 0);
    CHECK_EQ(psc_report_note_count(NULL), 0);
    CHECK(psc_report_note(NULL, 0) == NULL);
    CHECK_EQ(psc_report_value_count(NULL), 0);
    CHECK_EQ(psc_report_value(NULL, 0, &s, &s), PSC_ERR_ARG);
    CHECK_EQ(psc_report_icc_action(NULL), PSC_ICC_ACTION_NONE);
    CHECK(psc_report_detection(NULL) == NULL);
    CHECK_EQ(psc_report_region_kind(NULL, 0, &k), PSC_ERR_ARG);
    CHECK_EQ(psc_report_region_symbology(NULL, 0, &s), PSC_ERR_ARG);
    CHECK_EQ(psc_report_output_name(NULL, "a.heic", buf, sizeof buf), PSC_ERR_ARG);
    CHECK_EQ(psc_ctx_set_progress(NULL, NULL, NULL), PSC_ERR_ARG);
}

static void test_report_accessors(void) {
    psc_ctx *ctx = psc_ctx_new();
    size_t len;
    unsigned char *in = slurp("exif_gps_thumb.jpg", &len);
    psc_report *rep = NULL;
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_METADATA_ONLY, 1), PSC_OK);
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_REPORT_VALUES, 1), PSC_OK);
    CHECK_EQ(psc_inspect_buffer(ctx, in, len, &rep), PSC_OK);
    CHECK_EQ(psc_report_is_clean(rep), 0);
    CHECK(psc_report_detection(rep) == NULL);
    size_t nv = psc_report_value_count(rep);
    int make = 0;
    for (size_t i = 0; i < nv; i++) {
        const char *name = NULL, *value = NULL;
        CHECK_EQ(psc_report_value(rep, i, &name, &value), PSC_OK);
        CHECK(name != NULL && value != NULL);
        make |= strcmp(name, "Make") == 0 && strcmp(value, "Canon") == 0;
    }
    CHECK(make);
    CHECK_EQ(psc_report_value(rep, nv, NULL, NULL), PSC_ERR_ARG);
    CHECK(psc_report_note(rep, psc_report_note_count(rep)) == NULL);
    /* Output name: same format in and out, so the name is kept as given. */
    char buf[64];
    CHECK_EQ(psc_report_output_name(rep, "dir.x/a.jpeg", buf, sizeof buf), PSC_OK);
    CHECK(strcmp(buf, "dir.x/a.jpeg") == 0);
    CHECK_EQ(psc_report_output_name(rep, "dir.x/a.jpeg", buf, 5), PSC_ERR_LIMIT);
    CHECK_EQ(psc_report_output_name(rep, NULL, buf, sizeof buf), PSC_ERR_ARG);
    CHECK_EQ(psc_report_output_name(rep, "a.jpg", NULL, 4), PSC_ERR_ARG);
    psc_report_free(rep);

    /* Scrub, then check the result: clean, ICC action and regions agree with the JSON. */
    unsigned char *out = NULL;
    size_t out_len = 0;
    CHECK_EQ(psc_scrub_buffer(ctx, in, len, &out, &out_len, NULL), PSC_OK);
    CHECK_EQ(psc_check_buffer(ctx, out, out_len, &rep), PSC_OK);
    CHECK_EQ(psc_report_is_clean(rep), 1);
    CHECK_EQ(psc_report_region_count(rep), 0);
    psc_region_kind k;
    const char *sym;
    CHECK_EQ(psc_report_region_kind(rep, 0, &k), PSC_ERR_ARG);
    CHECK_EQ(psc_report_region_symbology(rep, 0, &sym), PSC_ERR_ARG);
    char *json = NULL;
    CHECK_EQ(psc_report_json(rep, &json, NULL), PSC_OK);
    static const char *const icc_words[] = {"\"icc\":\"none\"", "\"icc\":\"kept\"",
                                            "\"icc\":\"stripped\""};
    CHECK(strstr(json, icc_words[psc_report_icc_action(rep)]) != NULL);
    psc_free(json);
    psc_report_free(rep);
    psc_free(out);

    /* ICC kept vs stripped. */
    free(in);
    in = slurp("icc_single.jpg", &len);
    CHECK_EQ(psc_inspect_buffer(ctx, in, len, &rep), PSC_OK);
    CHECK_EQ(psc_report_icc_action(rep), PSC_ICC_ACTION_KEPT);
    CHECK_EQ(psc_report_is_clean(rep), 1); /* a kept colour profile is not a leak */
    psc_report_free(rep);
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_KEEP_ICC, 0), PSC_OK);
    CHECK_EQ(psc_inspect_buffer(ctx, in, len, &rep), PSC_OK);
    CHECK_EQ(psc_report_icc_action(rep), PSC_ICC_ACTION_STRIPPED);
    psc_report_free(rep);
    free(in);
    psc_ctx_free(ctx);
}

/* Progress: records the stages seen; cancels at cancel_at (or never, -1). */
typedef struct seen {
    int stages[64];
    int n;
    int cancel_at;
    int bad_fraction;
} seen;

static int on_progress(void *user, psc_stage stage, double fraction) {
    seen *s = user;
    if (s->n < 64)
        s->stages[s->n++] = (int)stage;
    if (fraction < 0.0 || fraction > 1.0)
        s->bad_fraction = 1;
    return (int)stage == s->cancel_at;
}

static int file_exists(const char *p) {
    struct stat sb;
    return lstat(p, &sb) == 0;
}

static void test_progress_and_cancel(void) {
    psc_ctx *ctx = psc_ctx_new();
    char dir[] = "/tmp/psc-api-v02-XXXXXX", in_path[1024], out_path[1024];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(in_path, sizeof in_path, "%s/%s", testdata, "exif_gps_thumb.jpg");
    snprintf(out_path, sizeof out_path, "%s/out.jpg", dir);
    CHECK_EQ(psc_ctx_set(ctx, PSC_PARAM_METADATA_ONLY, 1), PSC_OK);

    /* Stages never go backwards; a scrub reports READ first and WRITE last. */
    seen s = {.cancel_at = -1};
    CHECK_EQ(psc_ctx_set_progress(ctx, on_progress, &s), PSC_OK);
    CHECK_EQ(psc_scrub_file(ctx, in_path, out_path, NULL), PSC_OK);
    CHECK(s.n >= 2);
    CHECK_EQ(s.stages[0], PSC_STAGE_READ);
    CHECK_EQ(s.stages[s.n - 1], PSC_STAGE_WRITE);
    for (int i = 1; i < s.n; i++)
        CHECK(s.stages[i] >= s.stages[i - 1]);
    CHECK_EQ(s.bad_fraction, 0);
    CHECK(file_exists(out_path));
    unlink(out_path);

    /* Cancel at each stage reported: PSC_ERR_CANCELLED, a message, no file. */
    for (int stage = PSC_STAGE_READ; stage <= PSC_STAGE_WRITE; stage += PSC_STAGE_WRITE) {
        seen c = {.cancel_at = stage};
        CHECK_EQ(psc_ctx_set_progress(ctx, on_progress, &c), PSC_OK);
        psc_report *rep = (psc_report *)1;
        CHECK_EQ(psc_scrub_file(ctx, in_path, out_path, &rep), PSC_ERR_CANCELLED);
        CHECK(strstr(psc_ctx_errmsg(ctx), "cancel") != NULL);
        CHECK(!file_exists(out_path));
        CHECK(c.n >= 1 && c.stages[c.n - 1] == stage);
        psc_report_free(rep == (psc_report *)1 ? NULL : rep);
        /* Buffers: nothing handed out. */
        size_t len;
        unsigned char *in = slurp("exif_gps_thumb.jpg", &len), *out = (unsigned char *)1;
        size_t out_len = 9;
        CHECK_EQ(psc_scrub_buffer(ctx, in, len, &out, &out_len, NULL), PSC_ERR_CANCELLED);
        CHECK(out == NULL && out_len == 0);
        free(in);
    }
    /* A cancel only cancels the call it happened in: the next call starts afresh. */
    CHECK_EQ(psc_ctx_set_progress(ctx, NULL, NULL), PSC_OK);
    CHECK_EQ(psc_scrub_file(ctx, in_path, out_path, NULL), PSC_OK);
    CHECK(strcmp(psc_ctx_errmsg(ctx), "") == 0);
    unlink(out_path);
    /* Check and inspect report progress too and can be cancelled at READ. */
    seen c = {.cancel_at = PSC_STAGE_READ};
    psc_report *rep = NULL;
    CHECK_EQ(psc_ctx_set_progress(ctx, on_progress, &c), PSC_OK);
    CHECK_EQ(psc_check_file(ctx, in_path, &rep), PSC_ERR_CANCELLED);
    psc_report_free(rep);
    CHECK_EQ(psc_inspect_file(ctx, in_path, &rep), PSC_ERR_CANCELLED);
    psc_report_free(rep);
    rmdir(dir);
    psc_ctx_free(ctx);
}

/* The tessdata setting decides where OCR models come from: an empty folder fails the scrub
 * with a message naming it (fail closed, no output), the system folder works. */
static void test_tessdata_used(void) {
    char empty[] = "/tmp/psc-tessdata-XXXXXX";
    CHECK(mkdtemp(empty) != NULL);
    size_t len = 0;
    unsigned char *in = slurp("clean.png", &len);
    CHECK(in != NULL);
    psc_ctx *ctx = psc_ctx_new();
    unsigned char *out = NULL;
    size_t out_len = 0;
    CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_TESSDATA, empty), PSC_OK);
    CHECK_EQ(psc_scrub_buffer(ctx, in, len, &out, &out_len, NULL), PSC_ERR_DETECTOR);
    CHECK(out == NULL);
    CHECK(strstr(psc_ctx_errmsg(ctx), empty) != NULL);
    struct stat sb;
    if (stat("/usr/share/tesseract-ocr/5/tessdata/eng.traineddata", &sb) == 0) {
        CHECK_EQ(psc_ctx_set_str(ctx, PSC_PARAM_TESSDATA, "/usr/share/tesseract-ocr/5/tessdata"),
                 PSC_OK);
        CHECK_EQ(psc_scrub_buffer(ctx, in, len, &out, &out_len, NULL), PSC_OK);
        CHECK(out != NULL && out_len > 0);
    }
    psc_free(out);
    psc_ctx_free(ctx);
    free(in);
    rmdir(empty);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_api_v02 TESTDATA_DIR\n");
        return 2;
    }
    testdata = argv[1];
    test_string_settings();
    test_words();
    test_null_reports();
    test_report_accessors();
    test_progress_and_cancel();
    test_tessdata_used();
    HARNESS_DONE();
}
