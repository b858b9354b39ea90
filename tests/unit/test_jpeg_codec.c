/*
 * Unit tests of the DCT-coefficient access in lib/codec/jpeg.c: every libjpeg error, whenever
 * it happens (open, block access, write), comes back as a status instead of a longjmp into a
 * frame that has returned, and nothing is freed twice on the way out.
 */
#include "codec/jpeg_codec.h"
#include "harness.h"

enum { W = 64, H = 48 };

/* A small baseline JPEG made by our own encoder, with an APP2 of app2_len bytes after SOI. */
static unsigned char *make_jpeg(size_t app2_len, size_t *n) {
    static unsigned char rgb[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        rgb[i] = (unsigned char)(i * 7 % 251);
    psci_err err;
    psci_err_clear(&err);
    psci_buf enc;
    psci_buf_init(&enc);
    if (psci_jpeg_encode_rgb(rgb, W, H, 90, &enc, &err) != PSC_OK)
        return NULL;
    size_t seg = app2_len ? app2_len + 4 : 0;
    unsigned char *p = malloc(enc.len + seg);
    if (p == NULL) {
        psci_buf_free(&enc);
        return NULL;
    }
    memcpy(p, enc.data, 2); /* SOI */
    if (seg) {
        p[2] = 0xFF;
        p[3] = 0xE2;
        p[4] = (unsigned char)((app2_len + 2) >> 8);
        p[5] = (unsigned char)(app2_len + 2);
        memset(p + 6, 'x', app2_len);
        memcpy(p + 6, "ICC_PROFILE", 12);
    }
    memcpy(p + 2 + seg, enc.data + 2, enc.len - 2);
    *n = enc.len + seg;
    psci_buf_free(&enc);
    return p;
}

/* A test JPEG (see make_jpeg) opened for coefficient access; NULL when either step fails. */
static psci_jcoef *open_jpeg(size_t app2_len, unsigned char **p, psci_jinfo *info, psci_err *err) {
    size_t n = 0;
    psci_jcoef *c = NULL;
    psci_err_clear(err);
    *p = make_jpeg(app2_len, &n);
    CHECK(*p != NULL);
    if (*p != NULL)
        CHECK_EQ(psci_jcoef_open(*p, n, 1u << 30, &c, info, err), PSC_OK);
    return c;
}

/* Damaged headers fail in psci_jcoef_open with a status and leave nothing open. */
static void test_open_damaged(void) {
    static const unsigned char bad_dqt[] = {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x02, 0xFF, 0xD9};
    static const unsigned char not_jpeg[] = {'h', 'e', 'l', 'l', 'o'};
    psci_err err;
    psci_jinfo info;
    psci_jcoef *c = (psci_jcoef *)&err; /* must be reset to NULL */
    psci_err_clear(&err);
    CHECK_EQ(psci_jcoef_open(bad_dqt, sizeof bad_dqt, 1u << 30, &c, &info, &err), PSC_ERR_CORRUPT);
    CHECK(c == NULL);
    CHECK(strncmp(err.msg, "jpeg: ", 6) == 0);
    CHECK_EQ(psci_jcoef_open(not_jpeg, sizeof not_jpeg, 1u << 30, &c, &info, &err),
             PSC_ERR_CORRUPT);
    CHECK(c == NULL);
}

/* Over the pixel limit: refused before any coefficient is read. */
static void test_open_limit(void) {
    size_t n = 0;
    unsigned char *p = make_jpeg(0, &n);
    CHECK(p != NULL);
    if (p == NULL)
        return;
    psci_err err;
    psci_err_clear(&err);
    psci_jinfo info;
    psci_jcoef *c = NULL;
    CHECK_EQ(psci_jcoef_open(p, n, (unsigned long long)W * H - 1, &c, &info, &err), PSC_ERR_LIMIT);
    CHECK(c == NULL);
    CHECK_EQ(psci_jcoef_open(p, n, (unsigned long long)W * H, &c, &info, &err), PSC_OK);
    CHECK_EQ(info.width, W);
    CHECK_EQ(info.height, H);
    psci_jcoef_free(c);
    free(p);
}

/* The encoder meets coefficients it cannot code (as a damaged file decodes to) after it has
 * written more than one output chunk (a 20 kB APP2 goes first): a status, no double free. */
static void test_write_error_after_output(void) {
    unsigned char *p = NULL;
    psci_err err;
    psci_jinfo info;
    psci_jcoef *c = open_jpeg(20000, &p, &info, &err);
    if (c != NULL) {
        float px[64];
        for (int i = 0; i < 64; i++)
            px[i] = 1e7f; /* far outside 0..255: the DC coefficient saturates */
        psci_jcoef_set_block(c, 0, 1, 1, px);
        psci_buf out;
        psci_buf_init(&out);
        CHECK_EQ(psci_jcoef_write(c, &out, &err), PSC_ERR_CORRUPT);
        CHECK_EQ(out.len, 0);
        CHECK(strstr(err.msg, "out-of-range DCT") != NULL);
        psci_buf_free(&out);
        psci_jcoef_free(c);
    }
    free(p);
}

/* Block access after psci_jcoef_open has returned: out-of-range blocks are refused without
 * touching memory, the failure sticks and the write reports it; in-range blocks round-trip. */
static void test_block_access_after_open(void) {
    unsigned char *p = NULL;
    psci_err err;
    psci_jinfo info;
    psci_jcoef *c = open_jpeg(0, &p, &info, &err);
    if (c != NULL) {
        float px[64];
        for (int i = 0; i < 64; i++)
            px[i] = 200.0f;
        psci_jcoef_set_block(c, 0, 0, 0, px);
        float m = psci_jcoef_block_mean(c, 0, 0, 0);
        CHECK(m > 195.0f && m < 205.0f);
        psci_buf ok;
        psci_buf_init(&ok);
        CHECK_EQ(psci_jcoef_write(c, &ok, &err), PSC_OK);
        CHECK(ok.len > 4 && ok.data[0] == 0xFF && ok.data[1] == 0xD8);
        psci_buf_free(&ok);

        psci_jcoef_set_block(c, 0, info.comp[0].wb, 0, px);
        (void)psci_jcoef_block_mean(c, 0, 0, info.comp[0].hb);
        (void)psci_jcoef_block_mean(c, 7, 0, 0);
        psci_buf out;
        psci_buf_init(&out);
        CHECK_EQ(psci_jcoef_write(c, &out, &err), PSC_ERR_INTERNAL);
        CHECK(strstr(err.msg, "outside the image") != NULL);
        CHECK_EQ(out.len, 0);
        psci_buf_free(&out);
        psci_jcoef_free(c);
    }
    free(p);
}

int main(void) {
    test_open_damaged();
    test_open_limit();
    test_write_error_after_output();
    test_block_access_after_open();
    psci_jcoef_free(NULL);
    HARNESS_DONE();
}
