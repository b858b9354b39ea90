/*
 * HEIF codec adapter: the only libheif user (HEVC through libde265, AV1 through dav1d/aom as
 * built into Debian's libheif). One heif_context per call, so contexts on different threads
 * never share state.
 */
#include "heif_codec.h"

#include <libheif/heif.h>

#include <stdlib.h>
#include <string.h>

/* heif_init() is not called: it is process-wide and reference-counted, and Debian's libheif
 * has its decoders built in, so nothing needs loading (the header allows this). */

/* libheif's messages live in its context and may quote raw box bytes: copy them out as
 * printable ASCII before the context goes. */
static psc_status heif_fail(psci_err *err, psc_status st, const char *what, const char *msg) {
    char clean[200];
    size_t k = 0;
    for (const char *m = msg ? msg : "unknown error"; *m && k + 1 < sizeof clean; m++)
        clean[k++] = (*m >= 0x20 && *m < 0x7F) ? *m : '?';
    clean[k] = '\0';
    return psci_fail(err, st, "heif: %s: %s", what, clean);
}

static psc_status open_primary(const unsigned char *in, size_t n, struct heif_context **ctx,
                               struct heif_image_handle **hd, psci_err *err) {
    *hd = NULL;
    *ctx = heif_context_alloc();
    if (*ctx == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "heif: cannot start the reader");
    struct heif_error e = heif_context_read_from_memory_without_copy(*ctx, in, n, NULL);
    if (e.code == heif_error_Ok)
        e = heif_context_get_primary_image_handle(*ctx, hd);
    if (e.code != heif_error_Ok) {
        psc_status st =
            e.code == heif_error_Memory_allocation_error
                ? psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory reading the file")
                : heif_fail(err, PSC_ERR_CORRUPT, "libheif cannot read the file", e.message);
        heif_context_free(*ctx);
        *ctx = NULL;
        *hd = NULL;
        return st;
    }
    return PSC_OK;
}

psc_status psci_heif_probe(const unsigned char *in, size_t n, int *w, int *h, psci_err *err) {
    struct heif_context *ctx;
    struct heif_image_handle *hd;
    psc_status st = open_primary(in, n, &ctx, &hd, err);
    if (st != PSC_OK)
        return st;
    *w = heif_image_handle_get_width(hd);
    *h = heif_image_handle_get_height(hd);
    heif_image_handle_release(hd);
    heif_context_free(ctx);
    return PSC_OK;
}

psc_status psci_heif_decode_rgba(const unsigned char *in, size_t n, unsigned long long max_pixels,
                                 unsigned char **px, int *w, int *h, int *alpha, psci_err *err) {
    *px = NULL;
    *w = *h = *alpha = 0;
    struct heif_context *ctx;
    struct heif_image_handle *hd;
    struct heif_image *img = NULL;
    struct heif_decoding_options *opt = NULL;
    unsigned char *buf = NULL;
    psc_status st = open_primary(in, n, &ctx, &hd, err);
    if (st != PSC_OK)
        return st;
    int iw = heif_image_handle_get_width(hd), ih = heif_image_handle_get_height(hd);
    int has_alpha = heif_image_handle_has_alpha_channel(hd);
    if (iw <= 0 || ih <= 0) {
        st = psci_fail(err, PSC_ERR_CORRUPT, "heif: the primary image has no size");
        goto out;
    }
    if ((unsigned long long)iw * (unsigned long long)ih > max_pixels) {
        st =
            psci_fail(err, PSC_ERR_LIMIT, "heif: %dx%d pixels is over the limit of %llu megapixels",
                      iw, ih, max_pixels / 1000000ULL);
        goto out;
    }
    if ((opt = heif_decoding_options_alloc()) == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory");
        goto out;
    }
    opt->ignore_transformations = 0; /* decode as shown: irot, imir, clap applied */
    opt->convert_hdr_to_8bit = 1;
    struct heif_error e = heif_decode_image(
        hd, &img, heif_colorspace_RGB,
        has_alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, opt);
    if (e.code != heif_error_Ok) {
        if (e.code == heif_error_Unsupported_feature || e.code == heif_error_Unsupported_filetype)
            st = heif_fail(err, PSC_ERR_UNSUPPORTED, "cannot decode the image", e.message);
        else if (e.code == heif_error_Memory_allocation_error)
            st = psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory decoding the image");
        else
            st = heif_fail(err, PSC_ERR_CORRUPT, "cannot decode the image", e.message);
        goto out;
    }
    int stride = 0;
    const uint8_t *plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    int dw = heif_image_get_width(img, heif_channel_interleaved);
    int dh = heif_image_get_height(img, heif_channel_interleaved);
    int ch = has_alpha ? 4 : 3;
    if (plane == NULL || dw <= 0 || dh <= 0 || stride < dw * ch ||
        (unsigned long long)dw * (unsigned long long)dh > max_pixels) {
        st = psci_fail(err, PSC_ERR_CORRUPT, "heif: the decoder returned an unusable image");
        goto out;
    }
    size_t bytes;
    if (!psci_size_mul((size_t)dw * 4, (size_t)dh, &bytes) || (buf = malloc(bytes)) == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory for %dx%d pixels", dw, dh);
        goto out;
    }
    for (int y = 0; y < dh; y++) {
        const uint8_t *s = plane + (size_t)y * (size_t)stride;
        unsigned char *d = buf + (size_t)y * (size_t)dw * 4;
        if (has_alpha) {
            memcpy(d, s, (size_t)dw * 4);
        } else {
            for (int x = 0; x < dw; x++) {
                d[4 * x] = s[3 * x];
                d[4 * x + 1] = s[3 * x + 1];
                d[4 * x + 2] = s[3 * x + 2];
                d[4 * x + 3] = 255;
            }
        }
    }
    *px = buf;
    buf = NULL;
    *w = dw;
    *h = dh;
    *alpha = has_alpha;
out:
    free(buf);
    heif_image_release(img);
    heif_decoding_options_free(opt);
    heif_image_handle_release(hd);
    heif_context_free(ctx);
    return st;
}
