/*
 * The table of formats and the sniffer: the first bytes pick the row. Formats photoscrub
 * recognises but cannot scrub are named in the error, so batch tools report them as failures.
 */
#include "format.h"

#include "../redact/redact.h"

#include <stdlib.h>
#include <string.h>

static const psci_format *const formats[] = {&psci_format_jpeg, &psci_format_png,
                                             &psci_format_heif};

/* Names formats we recognise but do not handle, so the message says what the file is. */
static const char *sniff_other(const unsigned char *p, size_t n) {
    if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
        return NULL; /* HEIF is handled; other ISO media files (MP4, CR3) are not photos we know */
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "a WebP image (not supported yet)";
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "a GIF image (not supported)";
    if (n >= 4 && (memcmp(p, "II*\0", 4) == 0 || memcmp(p, "MM\0*", 4) == 0))
        return "a TIFF or camera raw file (not supported)";
    if (n >= 2 && p[0] == 'B' && p[1] == 'M')
        return "a BMP image (not supported)";
    return NULL;
}

const psci_format *psci_format_sniff(const unsigned char *p, size_t n, psci_err *err) {
    if (n == 0) {
        psci_fail(err, PSC_ERR_FORMAT, "empty file (0 bytes)");
        return NULL;
    }
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i]->sniff(p, n))
            return formats[i];
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xD8) {
        psci_fail(err, PSC_ERR_CORRUPT, "jpeg: damaged file: no marker after SOI");
        return NULL;
    }
    const char *other = sniff_other(p, n);
    /* A photo format we recognise but cannot scrub is an unsupported photo, not a
     * non-photo: batch tools must report it as a failure, never skip it quietly. */
    if (other != NULL)
        psci_fail(err, PSC_ERR_UNSUPPORTED, "this is %s", other);
    else
        psci_fail(err, PSC_ERR_FORMAT, "not a JPEG, PNG or HEIF photo (unrecognised content)");
    return NULL;
}

void psci_rgba_to_gray(const unsigned char *px, size_t npx, unsigned char *gray) {
    for (size_t i = 0; i < npx; i++) {
        const unsigned char *p = px + i * 4;
        float l = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
        gray[i] = (unsigned char)((l * (float)p[3] + 255.0f * (float)(255 - p[3])) / 255.0f + 0.5f);
    }
}

psc_status psci_rgba_gray(psci_picture *pic, unsigned char **gray, int *w, int *h) {
    const psci_rgba *img = pic->priv;
    if ((*gray = malloc((size_t)img->w * (size_t)img->h)) == NULL)
        return psci_fail(&pic->ctx->err, PSC_ERR_NOMEM, "out of memory");
    psci_rgba_to_gray(img->px, (size_t)img->w * (size_t)img->h, *gray);
    *w = img->w;
    *h = img->h;
    return PSC_OK;
}

psc_status psci_rgba_redact(psci_picture *pic, psci_regions *rs) {
    psci_rgba *img = pic->priv;
    psci_style style = (psci_style)pic->ctx->param[PSC_PARAM_STYLE];
    for (size_t i = 0; i < rs->n; i++) {
        const psci_region *r = &rs->v[i];
        if (psci_redact_pixels(img->px, img->w, img->h, 4, r->x, r->y, r->w, r->h, style) != 0)
            return psci_fail(&pic->ctx->err, PSC_ERR_NOMEM, "redact: out of memory");
    }
    return PSC_OK;
}
