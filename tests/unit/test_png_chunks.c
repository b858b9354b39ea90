/*
 * Unit tests of the PNG chunk walker and rebuilder on hand-made chunk streams.
 */
#include "container/png_chunks.h"
#include "harness.h"

#include <zlib.h>

static size_t chunk(unsigned char *o, const char *type, const void *data, size_t len) {
    o[0] = (unsigned char)(len >> 24);
    o[1] = (unsigned char)(len >> 16);
    o[2] = (unsigned char)(len >> 8);
    o[3] = (unsigned char)len;
    memcpy(o + 4, type, 4);
    if (len)
        memcpy(o + 8, data, len);
    uLong crc = crc32(0, o + 4, (uInt)(len + 4));
    o[8 + len] = (unsigned char)(crc >> 24);
    o[9 + len] = (unsigned char)(crc >> 16);
    o[10 + len] = (unsigned char)(crc >> 8);
    o[11 + len] = (unsigned char)crc;
    return len + 12;
}

static size_t build(unsigned char *o, int bad_crc) {
    static const unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    static const unsigned char idat[] = {0x78, 0x9c, 0x63, 0x60, 0x00,
                                         0x00, 0x00, 0x02, 0x00, 0x01};
    size_t n = 0;
    memcpy(o, "\x89PNG\r\n\x1a\n", 8);
    n = 8;
    n += chunk(o + n, "IHDR", ihdr, sizeof ihdr);
    n += chunk(o + n, "tEXt", "Author\0Dr Who", 13);
    n += chunk(o + n, "gAMA", "\0\0\xb1\x8f", 4);
    n += chunk(o + n, "prIv", "secret", 6);
    n += chunk(o + n, "IDAT", idat, sizeof idat);
    n += chunk(o + n, "tIME", "\x07\xe6\x01\x02\x03\x04\x05", 7);
    if (bad_crc)
        o[n - 1] ^= 1;
    n += chunk(o + n, "IEND", NULL, 0);
    memcpy(o + n, "TRAILER", 7);
    return n + 7;
}

int main(void) {
    unsigned char in[512];
    size_t n = build(in, 0);
    psci_png png;
    psci_err err;
    psci_err_clear(&err);
    CHECK_EQ(psci_png_parse(in, n, &png, &err), PSC_OK);
    CHECK_EQ(png.n, 7);
    CHECK_EQ(png.end, n - 7);
    psci_buf out;
    psci_buf_init(&out);
    CHECK_EQ(psci_png_write(in, &png, NULL, 0, 1, &out, &err), PSC_OK);
    CHECK(memmem(out.data, out.len, "Dr Who", 6) == NULL);
    CHECK(memmem(out.data, out.len, "secret", 6) == NULL);
    CHECK(memmem(out.data, out.len, "tIME", 4) == NULL);
    CHECK(memmem(out.data, out.len, "TRAILER", 7) == NULL);
    CHECK(memmem(out.data, out.len, "gAMA", 4) != NULL);
    /* The rebuilt file parses, and scrubbing it again changes nothing. */
    psci_png again;
    CHECK_EQ(psci_png_parse(out.data, out.len, &again, &err), PSC_OK);
    psci_buf out2;
    psci_buf_init(&out2);
    CHECK_EQ(psci_png_write(out.data, &again, NULL, 0, 1, &out2, &err), PSC_OK);
    CHECK(out2.len == out.len && memcmp(out.data, out2.data, out.len) == 0);
    psci_png_free(&again);
    psci_buf_free(&out2);
    /* An eXIf is inserted before IDAT. */
    psci_buf_free(&out);
    CHECK_EQ(psci_png_write(in, &png, (const unsigned char *)"MM\0*", 4, 1, &out, &err), PSC_OK);
    unsigned char *ex = memmem(out.data, out.len, "eXIf", 4);
    unsigned char *id = memmem(out.data, out.len, "IDAT", 4);
    CHECK(ex != NULL && id != NULL && ex < id);
    psci_buf_free(&out);
    psci_png_free(&png);

    /* Bad CRC and every truncation are errors. */
    n = build(in, 1);
    psci_err_clear(&err);
    CHECK_EQ(psci_png_parse(in, n, &png, &err), PSC_ERR_CORRUPT);
    CHECK(strstr(err.msg, "CRC") != NULL);
    n = build(in, 0);
    for (size_t cut = 0; cut < n - 7; cut++) {
        psci_err_clear(&err);
        CHECK(psci_png_parse(in, cut, &png, &err) != PSC_OK);
    }
    HARNESS_DONE();
}
