/*
 * Tesseract adapter with a C interface: words and their boxes in an 8-bit grayscale image.
 */
#ifndef PSC_TEXT_TESS_H
#define PSC_TEXT_TESS_H

#include "../region.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psci_tess psci_tess;

/* Loads the LSTM models for langs ("eng+fra"). PSC_ERR_DETECTOR with a message naming the
 * missing language pack when data is absent. */
psc_status psci_tess_new(const char *langs, psci_tess **out, psci_err *err);
void psci_tess_free(psci_tess *t);
/* One recognition pass with page segmentation mode psm (11 or 12: sparse text). Boxes are
 * reported at (ox, oy) + box * scale. Fails closed (PSC_ERR_LIMIT) when it runs past
 * deadline_ms. */
psc_status psci_tess_scan(psci_tess *t, const unsigned char *gray, int w, int h, int stride,
                          int psm, int deadline_ms, int ox, int oy, float scale,
                          psci_regions *out, psci_err *err);

#ifdef __cplusplus
}
#endif

#endif
