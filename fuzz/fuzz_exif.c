/*
 * libFuzzer target for the EXIF helpers: our bounded Orientation reader and structure check,
 * and libexif's description of untrusted blocks (with and without values). Properties: the
 * reader agrees with itself with and without the "Exif\0\0" header, an orientation-only block
 * holds one entry as libexif sees it, and a block we build is orientation-only.
 */
#include "fuzz_common.h"

#include "container/exif_min.h"

#include <string.h>

typedef struct tally {
    size_t entries, orientation;
} tally;

static void visit(void *ud, psc_meta cls, const char *name, const char *value) {
    tally *t = ud;
    FUZZ_CHECK(name != NULL && (int)cls >= 0 && cls < PSC_META_COUNT_, "bad visit");
    /* Touch the strings so ASan sees any dangling pointer libexif hands back. */
    FUZZ_CHECK(strlen(name) < 1024, "tag name too long");
    if (value != NULL)
        FUZZ_CHECK(strlen(value) < 256, "value longer than the buffer");
    if (cls != PSC_META_THUMBNAIL) {
        t->entries++;
        if (strcmp(name, "Orientation") == 0)
            t->orientation++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20)
        return 0;
    int o = psci_exif_orientation(data, size);
    int only = psci_exif_is_orientation_only(data, size);
    FUZZ_CHECK(o >= 0 && o <= 8, "orientation %d", o);
    if (size >= 11 && memcmp(data, "Exif\0\0", 6) == 0 && memcmp(data + 6, "Exif\0", 5) != 0) {
        /* PNG's eXIf is the same TIFF block without the header. */
        FUZZ_CHECK(psci_exif_orientation(data + 6, size - 6) == o, "header changes orientation");
        FUZZ_CHECK(psci_exif_is_orientation_only(data + 6, size - 6) == only,
                   "header changes the orientation-only check");
    }
    psci_err err;
    psci_err_clear(&err);
    for (int values = 0; values < 2; values++) {
        tally t = {0, 0};
        FUZZ_CHECK(psci_exif_describe(data, size, values, visit, &t, &err) == PSC_OK, "%s",
                   err.msg);
        if (only && o != 0)
            FUZZ_CHECK(t.entries == 1 && t.orientation == 1,
                       "orientation-only block described as %zu entries", t.entries);
    }
    if (o > 0) {
        unsigned char *b = NULL;
        size_t bl = 0;
        FUZZ_CHECK(psci_exif_build_orientation(o, &b, &bl, &err) == PSC_OK, "%s", err.msg);
        FUZZ_CHECK(psci_exif_is_orientation_only(b, bl) && psci_exif_orientation(b, bl) == o,
                   "built block is not orientation-only");
        free(b);
    }
    return 0;
}
