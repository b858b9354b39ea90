/*
 * JPEG codec adapter: the only libjpeg-turbo (TurboJPEG) user.
 */
#ifndef PSC_CODEC_JPEG_H
#define PSC_CODEC_JPEG_H

#include "../internal.h"

/* Rotates/flips a JPEG losslessly in the DCT domain so that a photo stored with EXIF
 * orientation `orient` (2..8) becomes upright. Fails with PSC_ERR_UNSUPPORTED when the
 * transform cannot be exact (partial MCU at an edge) or the coding process is not supported.
 * *out is malloc'd. */
psc_status psci_jpeg_transform(const unsigned char *in, size_t n, int orient, int progressive,
                               unsigned char **out, size_t *out_len, psci_err *err);

#endif
