/*
 * What dropped metadata held, for the report: EXIF through libexif (exif_min.c), XMP and text
 * blocks by their keys. Describing never decides what is kept: the walkers do.
 */
#include "../container/exif_min.h"
#include "format.h"

#include <string.h>

typedef struct visit_state {
    psc_report *rep;
    psci_err *err;
    psc_status st;
} visit_state;

static void on_exif_entry(void *ud, psc_meta cls, const char *name, const char *value) {
    visit_state *v = ud;
    psci_report_found(v->rep, cls);
    if (value != NULL && v->st == PSC_OK)
        v->st = psci_report_value(v->rep, name, value, v->err);
}

psc_status psci_describe_exif(psc_ctx *ctx, const unsigned char *p, size_t n, psc_report *rep) {
    visit_state v = {rep, &ctx->err, PSC_OK};
    psc_status st = psci_exif_describe(p, n, (int)ctx->param[PSC_PARAM_REPORT_VALUES],
                                       on_exif_entry, &v, &ctx->err);
    return st == PSC_OK ? v.st : st;
}

void psci_describe_text_block(const unsigned char *p, size_t n, psc_report *rep) {
    static const struct {
        const char *key;
        psc_meta cls;
    } keys[] = {
        {"GPSLatitude", PSC_META_GPS},
        {"GPSLongitude", PSC_META_GPS},
        {"GPSCoordinates", PSC_META_GPS},
        {"tiff:Make", PSC_META_DEVICE},
        {"tiff:Model", PSC_META_DEVICE},
        {"aux:SerialNumber", PSC_META_SERIAL},
        {"exifEX:BodySerialNumber", PSC_META_SERIAL},
        {"CreateDate", PSC_META_DATETIME},
        {"DateTimeOriginal", PSC_META_DATETIME},
        {"DateCreated", PSC_META_DATETIME},
        {"dc:creator", PSC_META_AUTHOR},
        {"CreatorTool", PSC_META_SOFTWARE},
        {"MicroVideo", PSC_META_TRAILER},
        {"MotionPhoto", PSC_META_TRAILER},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (memmem(p, n, keys[i].key, strlen(keys[i].key)) != NULL)
            psci_report_found(rep, keys[i].cls);
}
