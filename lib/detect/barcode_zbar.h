/*
 * ZBar adapter: 1D codes and QR codes on an 8-bit grayscale image.
 */
#ifndef PSC_BARCODE_ZBAR_H
#define PSC_BARCODE_ZBAR_H

#include "../region.h"

typedef struct psci_zbar psci_zbar;

psci_zbar *psci_zbar_new(void);
void psci_zbar_free(psci_zbar *z);
/* Scans w x h pixels (rows stride bytes apart), every density-th row and column (cost falls
 * in proportion; 1D codes are tall and QR finders big enough for 2-3 on large photos),
 * light-on-dark codes too when inverted is set (doubles the cost on images without codes).
 * Boxes are reported at (ox, oy) + box * scale. */
psc_status psci_zbar_scan(psci_zbar *z, const unsigned char *gray, int w, int h, int stride,
                          int density, int inverted, int ox, int oy, float scale, psci_regions *out,
                          psci_err *err);

#endif
