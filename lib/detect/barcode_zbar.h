/*
 * ZBar adapter: 1D codes and QR codes on an 8-bit grayscale image.
 */
#ifndef PSC_BARCODE_ZBAR_H
#define PSC_BARCODE_ZBAR_H

#include "../region.h"

typedef struct psci_zbar psci_zbar;

psci_zbar *psci_zbar_new(void);
void psci_zbar_free(psci_zbar *z);
/* Scans w x h pixels (rows stride bytes apart); boxes are reported at (ox, oy) + box * scale. */
psc_status psci_zbar_scan(psci_zbar *z, const unsigned char *gray, int w, int h, int stride,
                          int ox, int oy, float scale, psci_regions *out, psci_err *err);

#endif
