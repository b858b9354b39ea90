/*
 * libFuzzer target for the JPEG marker walker and rebuilder. Beyond crashes it checks the
 * keep-list property: whatever the rebuilder writes re-parses, holds only kept segments (plus
 * our orientation-only Exif), ends at EOI, and rebuilding it again gives the same bytes.
 */
#include "fuzz_common.h"

#include "container/exif_min.h"
#include "container/jpeg_segments.h"

#include <string.h>

/* The rebuilt output must be clean under the same keep-list, with exactly one Exif (ours,
 * orientation-only) when one was asked for. */
static void check_clean(const unsigned char *o, size_t on, int keep_icc, int with_exif) {
    psci_err err;
    psci_err_clear(&err);
    psci_jpeg j;
    psc_status st = psci_jpeg_parse(o, on, &j, &err);
    FUZZ_CHECK(st == PSC_OK, "rebuilt JPEG does not re-parse: %s", err.msg);
    size_t exifs = 0;
    for (size_t i = 0; i < j.n; i++) {
        const psci_jseg *s = &j.segs[i];
        if (s->is_exif) {
            FUZZ_CHECK(with_exif && i == j.first_exif &&
                           psci_exif_is_orientation_only(o + s->pay_off, s->pay_len),
                       "Exif segment %zu at offset %zu is not our orientation-only block", i,
                       s->off);
            exifs++;
            continue;
        }
        FUZZ_CHECK(s->action == PSCI_JKEEP,
                   "segment %zu (%s) at offset %zu is not on the keep-list", i, s->what, s->off);
        FUZZ_CHECK(keep_icc || !s->is_icc, "ICC chunk at offset %zu survived keep_icc=0", s->off);
    }
    FUZZ_CHECK(exifs == (size_t)(with_exif != 0), "%zu Exif segments, expected %d", exifs,
               with_exif);
    FUZZ_CHECK(j.end == on, "%zu bytes after EOI", on - j.end);
    psci_jpeg_free(&j);
}

static void rebuild(const unsigned char *p, size_t n, int keep_icc, int orient) {
    psci_err err;
    psci_err_clear(&err);
    psci_jpeg j;
    if (psci_jpeg_parse(p, n, &j, &err) != PSC_OK)
        return;
    unsigned char *exif = NULL;
    size_t exif_len = 0;
    if (orient > 1)
        FUZZ_CHECK(psci_exif_build_orientation(orient, &exif, &exif_len, &err) == PSC_OK, "%s",
                   err.msg);
    psci_buf a, b;
    psci_buf_init(&a);
    psci_buf_init(&b);
    psc_status st = psci_jpeg_write(p, &j, exif, exif_len, keep_icc, &a, &err);
    psci_jpeg_free(&j);
    FUZZ_CHECK(st == PSC_OK, "rebuild failed: %s", err.msg);
    check_clean(a.data, a.len, keep_icc, orient > 1);
    /* Fixed point: the clean output goes through the same rebuild unchanged. */
    FUZZ_CHECK(psci_jpeg_parse(a.data, a.len, &j, &err) == PSC_OK, "%s", err.msg);
    st = psci_jpeg_write(a.data, &j, exif, exif_len, keep_icc, &b, &err);
    psci_jpeg_free(&j);
    FUZZ_CHECK(st == PSC_OK, "second rebuild failed: %s", err.msg);
    FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
               "rebuild is not a fixed point (%zu then %zu bytes)", a.len, b.len);
    psci_buf_free(&a);
    psci_buf_free(&b);
    free(exif);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    psci_err err;
    psci_err_clear(&err);
    psci_jpeg j;
    if (psci_jpeg_parse(data, size, &j, &err) != PSC_OK)
        return 0;
    /* The walker's own bookkeeping: segments tile the input in order and stay inside it. */
    size_t prev = 2;
    for (size_t i = 0; i < j.n; i++) {
        const psci_jseg *s = &j.segs[i];
        FUZZ_CHECK(s->off >= prev && s->len <= size - s->off, "segment %zu out of order or bounds",
                   i);
        if (s->kind == PSCI_JSEG_MARKER)
            FUZZ_CHECK(s->pay_off == s->off + 4 && s->pay_len + 4 == s->len, "segment %zu payload",
                       i);
        prev = s->off + s->len;
        if (s->kind == PSCI_JSEG_MARKER && s->is_exif) {
            /* Exercise what the pipeline does with every Exif block. */
            (void)psci_exif_orientation(data + s->pay_off, s->pay_len);
            (void)psci_exif_is_orientation_only(data + s->pay_off, s->pay_len);
        }
    }
    FUZZ_CHECK(j.end >= prev && j.end <= size, "EOI end %zu", j.end);
    int orient = 0;
    if (j.first_exif != SIZE_MAX)
        orient = psci_exif_orientation(data + j.segs[j.first_exif].pay_off,
                                       j.segs[j.first_exif].pay_len);
    if (j.end < size) {
        psc_meta cls;
        (void)psci_jpeg_trailer_kind(data + j.end, size - j.end, j.has_mpf, &cls);
    }
    psci_jpeg_free(&j);
    rebuild(data, size, 1, orient);
    rebuild(data, size, 0, orient);
    /* A fixed orientation too, so the insertion point is exercised on every input. */
    rebuild(data, size, 1, 6);
    return 0;
}
