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

/* Decodes to 8-bit grayscale (*px malloc'd, stride = w). Refuses images over max_pixels
 * before allocating anything. */
psc_status psci_jpeg_decode_gray(const unsigned char *in, size_t n, unsigned long long max_pixels,
                                 unsigned char **px, int *w, int *h, psci_err *err);

/* Decodes to 8-bit RGB, scaled down by the largest libjpeg factor (1/8..1) that keeps the
 * longest side >= min_side; *px malloc'd, stride 3*w. */
psc_status psci_jpeg_decode_rgb_scaled(const unsigned char *in, size_t n,
                                       unsigned long long max_pixels, int min_side,
                                       unsigned char **px, int *w, int *h, psci_err *err);
/* Encodes 8-bit RGB as a baseline 4:2:0 JPEG (no metadata) into out. */
psc_status psci_jpeg_encode_rgb(const unsigned char *px, int w, int h, int quality, psci_buf *out,
                                psci_err *err);

/* DCT-coefficient access for lossless-elsewhere redaction: blocks not touched through
 * psci_jcoef_set_block keep their quantized coefficients bit for bit. */
typedef struct psci_jcoef psci_jcoef;

typedef struct psci_jcomp {
    int wb, hb;         /* blocks in this component (coefficient array size) */
    int h_samp, v_samp; /* sampling factors */
} psci_jcomp;

typedef struct psci_jinfo {
    int width, height; /* image size in pixels */
    int max_h, max_v;  /* largest sampling factors: an iMCU is 8*max_h x 8*max_v pixels */
    int ncomp;
    int progressive;
    psci_jcomp comp[4];
} psci_jinfo;

psc_status psci_jcoef_open(const unsigned char *in, size_t n, unsigned long long max_pixels,
                           psci_jcoef **out, psci_jinfo *info, psci_err *err);
/* Mean sample value (0..255) of a block, from its DC coefficient. */
float psci_jcoef_block_mean(const psci_jcoef *c, int comp, int bx, int by);
/* Replaces a block by 64 sample values (row-major, 0..255): forward DCT and quantization. */
void psci_jcoef_set_block(psci_jcoef *c, int comp, int bx, int by, const float px[64]);
/* Writes the JPEG with the (changed) coefficients, re-emitting APP1/APP2 markers of the input
 * (our keep-listed Exif and ICC); the output then goes through the keep-list again. */
psc_status psci_jcoef_write(psci_jcoef *c, psci_buf *out, psci_err *err);
void psci_jcoef_free(psci_jcoef *c);

#endif
