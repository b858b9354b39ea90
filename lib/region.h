/*
 * Regions found by detectors: boxes in image pixels with what found them. A plain value type
 * shared by detect/, redact/ and the pipeline.
 */
#ifndef PSC_REGION_H
#define PSC_REGION_H

#include "internal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum psci_rkind {
    PSCI_R_QR = 0,
    PSCI_R_BARCODE = 1,
    PSCI_R_MATRIX = 2,
    PSCI_R_TEXT = 3
} psci_rkind;

typedef struct psci_region {
    int x, y, w, h;        /* box in the analysed image's pixels */
    int kind;              /* psci_rkind */
    int linear;            /* a 1D code: its box must be grown across the bars */
    float conf;            /* detector confidence 0..100 (100 for decoded codes) */
    const char *detector;  /* static: "zbar", "zxing", "tesseract" */
    const char *symbology; /* static name of the code type, or NULL */
    int weak;              /* a doubtful reading: hidden only next to something surely found */
} psci_region;

typedef struct psci_regions {
    psci_region *v;
    size_t n, cap;
} psci_regions;

psc_status psci_regions_add(psci_regions *rs, const psci_region *r, psci_err *err);
void psci_regions_free(psci_regions *rs);

/* Turns raw detector boxes into redaction boxes: 1D codes grown across their bars, 2D codes
 * padded by a quiet zone, words padded by 0.3x their height; then overlapping boxes merged
 * (so no letter stays visible between words of a line) and clipped to w x h. */
void psci_regions_finish(psci_regions *rs, int w, int h);

/* Keeps doubtful text boxes only where they touch a sure finding or an area hidden in an
 * earlier round (anchors; may be NULL): half a word left at the edge of a hidden line is
 * still readable to a person even when OCR gives it a low score. Drops the other weak ones. */
void psci_regions_promote(psci_regions *rs, const psci_regions *anchors);

/* Maps a box from stored pixels to display orientation o (stored size sw x sh). */
void psci_region_to_display(psci_region *r, int o, int sw, int sh);

/* Maps a box from display orientation (EXIF orientation o applied, display size dw x dh)
 * back to the stored image. */
void psci_region_to_stored(psci_region *r, int o, int dw, int dh);

/* Stored -> display coordinates of one pixel for EXIF orientation o, stored size W x H. */
void psci_orient_point(int o, int W, int H, int x, int y, int *ox, int *oy);

#ifdef __cplusplus
}
#endif

#endif
