/*
 * Cheap code-candidate stage: small, compact patches dense in sharp edges (barcodes, Data
 * Matrix, small QR codes) that the full-frame readers may miss, so they can be read again on
 * an upscaled crop. Pure C, no decoding.
 */
#ifndef PSC_CODE_CAND_H
#define PSC_CODE_CAND_H

#include "../internal.h"

typedef struct psci_patch {
    int x0, y0, x1, y1; /* image pixels, exclusive ends */
    float density;      /* share of its pixels on a sharp edge */
    int bars;           /* edges almost all across (or all down): the parallel bars of a 1D
                         * code, to hide even when no reader decodes it */
} psci_patch;

typedef struct psci_patches {
    psci_patch *v;
    size_t n, cap;
} psci_patches;

/* Finds up to max_patches patches between about 24 and 800 px a side, densest first. */
psc_status psci_code_candidates(const unsigned char *gray, int w, int h, size_t max_patches,
                                psci_patches *out, psci_err *err);
void psci_patches_free(psci_patches *p);

#endif
