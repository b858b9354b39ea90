/*
 * Unit tests of the orientation reader, the orientation-only check and the libexif builder.
 */
#include "container/exif_min.h"
#include "harness.h"

typedef struct counts {
    int by_class[PSC_META_COUNT_];
} counts;

static void visit(void *ud, psc_meta cls, const char *name, const char *value) {
    (void)name;
    (void)value;
    ((counts *)ud)->by_class[cls]++;
}

int main(void) {
    psci_err err;
    psci_err_clear(&err);
    for (int o = 1; o <= 8; o++) {
        unsigned char *ex = NULL;
        size_t len = 0;
        CHECK_EQ(psci_exif_build_orientation(o, &ex, &len, &err), PSC_OK);
        CHECK(len > 6 && memcmp(ex, "Exif\0\0", 6) == 0);
        CHECK_EQ(psci_exif_orientation(ex, len), o);
        CHECK(psci_exif_is_orientation_only(ex, len));
        /* Also readable as a bare TIFF block (PNG eXIf). */
        CHECK_EQ(psci_exif_orientation(ex + 6, len - 6), o);
        counts c = {{0}};
        CHECK_EQ(psci_exif_describe(ex, len, 0, visit, &c, &err), PSC_OK);
        CHECK_EQ(c.by_class[PSC_META_EXIF], 1);
        CHECK_EQ(c.by_class[PSC_META_GPS], 0);
        free(ex);
    }
    CHECK(psci_exif_build_orientation(9, &(unsigned char *){NULL}, &(size_t){0}, &err) != PSC_OK);

    /* Little-endian IFD0 with Make + Orientation 8 + a GPS pointer. */
    static const unsigned char le[] = {
        'I',  'I',  42, 0, 8, 0, 0, 0,                   /* header, IFD0 at 8 */
        2,    0,                                         /* 2 entries */
        0x0F, 0x01, 2,  0, 4, 0, 0, 0, 'A', 'c', 'm', 0, /* Make "Acm" */
        0x12, 0x01, 3,  0, 1, 0, 0, 0, 8,   0,   0,   0, /* Orientation 8 */
        0,    0,    0,  0,
    };
    CHECK_EQ(psci_exif_orientation(le, sizeof le), 8);
    CHECK(!psci_exif_is_orientation_only(le, sizeof le));
    counts c = {{0}};
    CHECK_EQ(psci_exif_describe(le, sizeof le, 1, visit, &c, &err), PSC_OK);
    CHECK_EQ(c.by_class[PSC_META_DEVICE], 1);
    /* Hostile counts and offsets: no read past the end, answer 0. */
    unsigned char hostile[sizeof le];
    memcpy(hostile, le, sizeof le);
    hostile[8] = 0xFF;
    hostile[9] = 0xFF;
    CHECK_EQ(psci_exif_orientation(hostile, sizeof le), 8);
    hostile[4] = 0xF0;
    CHECK_EQ(psci_exif_orientation(hostile, sizeof le), 0);
    for (size_t cut = 0; cut < sizeof le; cut++)
        (void)psci_exif_orientation(le, cut);
    CHECK_EQ(psci_exif_orientation((const unsigned char *)"Exif\0\0", 6), 0);
    HARNESS_DONE();
}
