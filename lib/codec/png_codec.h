/*
 * PNG codec adapter: the only libpng user.
 */
#ifndef PSC_CODEC_PNG_H
#define PSC_CODEC_PNG_H

#include "../internal.h"

/* Decodes any PNG to 8-bit RGBA (*px malloc'd, stride 4*w). *had_alpha says whether the
 * source had transparency. Refuses images over max_pixels before allocating. */
psc_status psci_png_decode_rgba(const unsigned char *in, size_t n, unsigned long long max_pixels,
                                unsigned char **px, int *w, int *h, int *had_alpha, psci_err *err);

/* Encodes 8-bit RGBA pixels as RGBA (alpha=1) or RGB (alpha=0) PNG into out. */
psc_status psci_png_encode(const unsigned char *px, int w, int h, int alpha, psci_buf *out,
                           psci_err *err);

#endif
