/*
 * Shared by the two files of the HEIF row: heif_format.c (scrub, picture) and
 * heif_describe.c (what the report says was removed).
 */
#ifndef PSC_HEIF_FORMAT_H
#define PSC_HEIF_FORMAT_H

#include "../container/heif_boxes.h"
#include "format.h"

/* Reports what the HEIF holds that the output will not: items, boxes, properties. */
psc_status psci_heif_describe(psc_ctx *ctx, const unsigned char *in, size_t n, const psci_heif *h,
                              psc_report *rep);

#endif
