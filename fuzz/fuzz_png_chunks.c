/*
 * libFuzzer target for the PNG chunk walker and rebuilder. Beyond crashes it checks the
 * keep-list property: the rebuilt PNG re-parses, holds only kept chunks (plus our
 * orientation-only eXIf), ends at IEND, and rebuilding it again gives the same bytes.
 */
#include "fuzz_common.h"

#include "container/exif_min.h"
#include "container/png_chunks.h"

#include <string.h>

static void check_clean(const unsigned char *o, size_t on, int keep_icc, int with_exif) {
    psci_err err;
    psci_err_clear(&err);
    psci_png png;
    psc_status st = psci_png_parse(o, on, &png, &err);
    FUZZ_CHECK(st == PSC_OK, "rebuilt PNG does not re-parse: %s", err.msg);
    size_t exifs = 0;
    for (size_t i = 0; i < png.n; i++) {
        const psci_pchunk *c = &png.chunks[i];
        if (c->is_exif) {
            FUZZ_CHECK(with_exif && i == png.first_exif &&
                           psci_exif_is_orientation_only(o + c->data_off, c->data_len),
                       "eXIf chunk %zu is not our orientation-only block", i);
            exifs++;
            continue;
        }
        FUZZ_CHECK(c->keep, "chunk %zu '%s' is not on the keep-list", i, c->type);
        FUZZ_CHECK(keep_icc || !c->is_icc, "iCCP survived keep_icc=0");
    }
    FUZZ_CHECK(exifs == (size_t)(with_exif != 0), "%zu eXIf chunks, expected %d", exifs, with_exif);
    FUZZ_CHECK(png.end == on, "%zu bytes after IEND", on - png.end);
    psci_png_free(&png);
}

static void rebuild(const unsigned char *p, size_t n, int keep_icc, int orient) {
    psci_err err;
    psci_err_clear(&err);
    psci_png png;
    if (psci_png_parse(p, n, &png, &err) != PSC_OK)
        return;
    unsigned char *exif = NULL;
    size_t exif_len = 0;
    if (orient > 1)
        FUZZ_CHECK(psci_exif_build_orientation(orient, &exif, &exif_len, &err) == PSC_OK, "%s",
                   err.msg);
    /* eXIf holds a bare TIFF block: no "Exif\0\0" header. */
    const unsigned char *tiff = exif ? exif + 6 : NULL;
    size_t tiff_len = exif ? exif_len - 6 : 0;
    psci_buf a, b;
    psci_buf_init(&a);
    psci_buf_init(&b);
    psc_status st = psci_png_write(p, &png, tiff, tiff_len, keep_icc, &a, &err);
    psci_png_free(&png);
    FUZZ_CHECK(st == PSC_OK, "rebuild failed: %s", err.msg);
    check_clean(a.data, a.len, keep_icc, orient > 1);
    FUZZ_CHECK(psci_png_parse(a.data, a.len, &png, &err) == PSC_OK, "%s", err.msg);
    st = psci_png_write(a.data, &png, tiff, tiff_len, keep_icc, &b, &err);
    psci_png_free(&png);
    FUZZ_CHECK(st == PSC_OK, "second rebuild failed: %s", err.msg);
    FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
               "rebuild is not a fixed point (%zu then %zu bytes)", a.len, b.len);
    /* The splice used after a re-encode takes a clean original and a fresh encoding; the
     * clean output stands in for both. Its result must parse. */
    psci_buf s;
    psci_buf_init(&s);
    if (psci_png_splice(a.data, a.len, a.data, a.len, &s, &err) == PSC_OK) {
        psci_png sp;
        FUZZ_CHECK(psci_png_parse(s.data, s.len, &sp, &err) == PSC_OK, "splice output: %s",
                   err.msg);
        psci_png_free(&sp);
    }
    psci_buf_free(&s);
    psci_buf_free(&a);
    psci_buf_free(&b);
    free(exif);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    psci_err err;
    psci_err_clear(&err);
    psci_png png;
    if (psci_png_parse(data, size, &png, &err) != PSC_OK)
        return 0;
    size_t prev = 8;
    for (size_t i = 0; i < png.n; i++) {
        const psci_pchunk *c = &png.chunks[i];
        FUZZ_CHECK(c->off == prev && c->len <= size - c->off && c->data_len + 12 == c->len,
                   "chunk %zu out of order or bounds", i);
        prev = c->off + c->len;
        if (c->is_exif) {
            (void)psci_exif_orientation(data + c->data_off, c->data_len);
            (void)psci_exif_is_orientation_only(data + c->data_off, c->data_len);
        }
    }
    FUZZ_CHECK(png.end == prev, "IEND end %zu, last chunk ends at %zu", png.end, prev);
    int orient = 0;
    if (png.first_exif != SIZE_MAX)
        orient = psci_exif_orientation(data + png.chunks[png.first_exif].data_off,
                                       png.chunks[png.first_exif].data_len);
    psci_png_free(&png);
    rebuild(data, size, 1, orient);
    rebuild(data, size, 0, orient);
    rebuild(data, size, 1, 8);
    return 0;
}
