/*
 * HEIF codec adapter: the only libheif user. Decodes only; photoscrub never writes HEIF
 * through libheif (that would re-encode). The structure is walked and rebuilt by
 * container/heif_read.c and heif_write.c.
 */
#ifndef PSC_CODEC_HEIF_H
#define PSC_CODEC_HEIF_H

#include "../internal.h"

/* Decodes the primary image as a viewer shows it (rotation, mirror and crop applied) to 8-bit
 * RGBA (*px malloc'd, stride 4*w; alpha 255 when the image has none, *alpha says which).
 * Refuses images over max_pixels before decoding. PSC_ERR_CORRUPT when libheif cannot read
 * or decode the file, PSC_ERR_UNSUPPORTED when no decoder is built in for its coding. */
psc_status psci_heif_decode_rgba(const unsigned char *in, size_t n, unsigned long long max_pixels,
                                 unsigned char **px, int *w, int *h, int *alpha, psci_err *err);

/* Reads the file's structure with libheif (no decoding) and gives the primary image's size as
 * shown. A second, independent reader of our own output. */
psc_status psci_heif_probe(const unsigned char *in, size_t n, int *w, int *h, psci_err *err);

#endif
