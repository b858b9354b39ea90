/*
 * PNG chunk walker (CRC checked) and keep-list rebuilder. Pixel data (IDAT/fdAT) is copied
 * byte for byte; nothing after IEND is ever copied.
 */
#ifndef PSC_PNG_CHUNKS_H
#define PSC_PNG_CHUNKS_H

#include "../internal.h"

typedef struct psci_pchunk {
    char type[5];
    unsigned char keep;    /* on the keep-list */
    unsigned char is_icc;  /* iCCP (kept unless ICC stripping is asked) */
    unsigned char is_exif; /* eXIf */
    psc_meta cls;          /* class of what is removed when !keep */
    size_t off, len;       /* whole chunk: length, type, data, CRC */
    size_t data_off, data_len;
} psci_pchunk;

typedef struct psci_png {
    psci_pchunk *chunks;
    size_t n, cap;
    size_t end; /* offset just after IEND */
    unsigned width, height;
    size_t first_exif; /* index of the first eXIf, SIZE_MAX if none */
} psci_png;

/* Walks every chunk, checking lengths and CRCs. PSC_ERR_CORRUPT on any damage. */
psc_status psci_png_parse(const unsigned char *p, size_t n, psci_png *png, psci_err *err);
void psci_png_free(psci_png *png);

/* Writes the signature and kept chunks in order; exif (a bare TIFF block), when given, is
 * written as an eXIf chunk just before the first IDAT. keep_icc=0 drops iCCP. */
psc_status psci_png_write(const unsigned char *p, const psci_png *png, const unsigned char *exif,
                          size_t exif_len, int keep_icc, psci_buf *out, psci_err *err);

/* Builds a PNG from a re-encoded one (its IHDR and IDAT) plus the colour chunks of the clean
 * original that still apply to 8-bit RGB(A): gAMA, cHRM, sRGB, iCCP, cICP, mDCv, cLLi, pHYs and
 * an orientation-only eXIf. */
psc_status psci_png_splice(const unsigned char *orig, size_t orig_len, const unsigned char *enc,
                           size_t enc_len, psci_buf *out, psci_err *err);

#endif
