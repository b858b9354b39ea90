/*
 * zxing-cpp adapter with a C interface: DataMatrix, PDF417, Aztec, Micro QR, QR and 1D codes,
 * including symbols located but failing their checksum.
 */
#ifndef PSC_BARCODE_ZXING_H
#define PSC_BARCODE_ZXING_H

#include "../region.h"

#ifdef __cplusplus
extern "C" {
#endif

psc_status psci_zxing_scan(const unsigned char *gray, int w, int h, int stride, int ox, int oy,
                           float scale, int try_harder, psci_regions *out, psci_err *err);

#ifdef __cplusplus
}
#endif

#endif
