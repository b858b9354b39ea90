/*
 * Unit tests of the JPEG marker walker and rebuilder on hand-made byte strings.
 */
#include "container/jpeg_segments.h"
#include "harness.h"

/* A syntactically complete JPEG skeleton: SOI, [extra], SOF0, SOS, 4 data bytes, EOI. */
static size_t build(unsigned char *o, const unsigned char *extra, size_t extra_len,
                    const unsigned char *tail, size_t tail_len) {
    static const unsigned char sof[] = {0xFF, 0xC0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0};
    static const unsigned char sos[] = {0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0};
    static const unsigned char ecs[] = {0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56};
    size_t n = 0;
    o[n++] = 0xFF;
    o[n++] = 0xD8;
    if (extra_len)
        memcpy(o + n, extra, extra_len);
    n += extra_len;
    memcpy(o + n, sof, sizeof sof);
    n += sizeof sof;
    memcpy(o + n, sos, sizeof sos);
    n += sizeof sos;
    memcpy(o + n, ecs, sizeof ecs);
    n += sizeof ecs;
    o[n++] = 0xFF;
    o[n++] = 0xD9;
    if (tail_len)
        memcpy(o + n, tail, tail_len);
    return n + tail_len;
}

static void test_keep_list(void) {
    static const unsigned char extra[] = {
        0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0,   1,   1,   0,   0,   1,   0,   1, 0, 0, /* JFIF
                                                                                            */
        0xFF, 0xE1, 0, 10, 'E', 'x', 'i', 'f', 0,   0,   'M', 'M', /* Exif */
        0xFF, 0xFE, 0, 6,  'h', 'i', '!', '!',                     /* COM */
        0xFF, 0xE2, 0, 17, 'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0, 1, 1, 'x',
        0xFF, 0xEB, 0, 4,  1,   2, /* APP11 */
    };
    unsigned char in[256], trailer[] = "MOTIONVIDEO";
    size_t n = build(in, extra, sizeof extra, trailer, sizeof trailer);
    psci_jpeg j;
    psci_err err;
    psci_err_clear(&err);
    CHECK_EQ(psci_jpeg_parse(in, n, &j, &err), PSC_OK);
    CHECK_EQ(j.width, 16);
    CHECK_EQ(j.height, 16);
    CHECK_EQ(j.icc_chunks, 1);
    CHECK(j.first_exif != SIZE_MAX);
    CHECK_EQ(j.end, n - sizeof trailer);
    psci_buf out;
    psci_buf_init(&out);
    CHECK_EQ(psci_jpeg_write(in, &j, NULL, 0, 1, &out, &err), PSC_OK);
    /* JFIF + ICC + SOF + SOS + data survive; Exif, COM, APP11 and the trailer do not. */
    size_t expect = 2 + 18 + 19 + 13 + 10 + 7 + 2;
    CHECK_EQ(out.len, expect);
    CHECK(memmem(out.data, out.len, "Exif", 4) == NULL);
    CHECK(memmem(out.data, out.len, "hi!!", 4) == NULL);
    CHECK(memmem(out.data, out.len, "MOTION", 6) == NULL);
    CHECK(memmem(out.data, out.len, "ICC_PROFILE", 11) != NULL);
    psci_buf_free(&out);
    /* Without ICC. */
    CHECK_EQ(psci_jpeg_write(in, &j, NULL, 0, 0, &out, &err), PSC_OK);
    CHECK(memmem(out.data, out.len, "ICC_PROFILE", 11) == NULL);
    psci_buf_free(&out);
    psci_jpeg_free(&j);
}

static void test_jfif_thumbnail_rebuilt(void) {
    static const unsigned char extra[] = {0xFF, 0xE0, 0, 22, 'J', 'F', 'I', 'F', 0, 1, 1, 0,
                                          0,    1,    0, 1,  1,   2,   9,   9,   9, 9, 9, 9};
    unsigned char in[256];
    size_t n = build(in, extra, sizeof extra, NULL, 0);
    psci_jpeg j;
    psci_err err;
    psci_err_clear(&err);
    CHECK_EQ(psci_jpeg_parse(in, n, &j, &err), PSC_OK);
    CHECK_EQ(j.segs[0].action, PSCI_JREBUILD_JFIF);
    psci_buf out;
    psci_buf_init(&out);
    CHECK_EQ(psci_jpeg_write(in, &j, NULL, 0, 1, &out, &err), PSC_OK);
    CHECK_EQ(out.data[5], 16); /* APP0 length now 16: no thumbnail */
    CHECK_EQ(out.data[18], 0);
    CHECK_EQ(out.data[19], 0);
    psci_buf_free(&out);
    psci_jpeg_free(&j);
}

static void test_errors(void) {
    unsigned char in[256];
    size_t n = build(in, NULL, 0, NULL, 0);
    psci_jpeg j;
    psci_err err;
    /* Every truncation is an error, never a crash or a partial success. */
    for (size_t cut = 0; cut < n; cut++) {
        psci_err_clear(&err);
        psc_status st = psci_jpeg_parse(in, cut, &j, &err);
        CHECK(st != PSC_OK);
        CHECK(err.msg[0] != '\0');
    }
    /* A length running past the end names the marker and offset. */
    static const unsigned char bad[] = {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFA, 'E', 'x'};
    psci_err_clear(&err);
    CHECK_EQ(psci_jpeg_parse(bad, sizeof bad, &j, &err), PSC_ERR_CORRUPT);
    CHECK(strstr(err.msg, "0xE1") != NULL);
    CHECK(strstr(err.msg, "past the end") != NULL);
    /* Garbage between segments is dropped, not fatal. */
    static const unsigned char extra[] = {0x00, 0x11, 0x22};
    n = build(in, extra, sizeof extra, NULL, 0);
    psci_err_clear(&err);
    CHECK_EQ(psci_jpeg_parse(in, n, &j, &err), PSC_OK);
    CHECK_EQ(j.segs[0].kind, PSCI_JSEG_GARBAGE);
    CHECK_EQ(j.segs[0].len, 3);
    psci_jpeg_free(&j);
}

static void test_icc_malformed_dropped(void) {
    static const unsigned char extra[] = {
        0xFF, 0xE2, 0, 17, 'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0, 2, 2, 'x',
    };
    unsigned char in[256];
    size_t n = build(in, extra, sizeof extra, NULL, 0);
    psci_jpeg j;
    psci_err err;
    psci_err_clear(&err);
    CHECK_EQ(psci_jpeg_parse(in, n, &j, &err), PSC_OK);
    CHECK_EQ(j.segs[0].action, PSCI_JDROP); /* chunk 2 of 2 without chunk 1 */
    CHECK_EQ(j.icc_chunks, 0);
    psci_jpeg_free(&j);
}

int main(void) {
    test_keep_list();
    test_jfif_thumbnail_rebuilt();
    test_errors();
    test_icc_malformed_dropped();
    HARNESS_DONE();
}
