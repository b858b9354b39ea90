/*
 * The HEIF row of the format table (HEIC, AVIF, plain HEIF): box keep-list plan and rebuild
 * (container/heif_boxes), verified by our walker and libheif. Redaction decodes the image as
 * shown (codec/heif.c) and, since photoscrub does not encode HEIF, writes a JPEG (quality 92,
 * ICC profile as APP2) that goes through the JPEG keep-list and verify.
 */
#include "../codec/heif_codec.h"
#include "../codec/jpeg_codec.h"
#include "../container/heif_boxes.h"
#include "heif_format.h"
#include "../redact/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct heif_state {
    psci_heif h;
    const unsigned char *in;
    const unsigned char *icc; /* the primary image's ICC profile in the input, or NULL */
    size_t icc_len;
    unsigned nclx_primaries;
} heif_state;

/* An ISO media file whose ftyp names a HEIF brand: HEIC, AVIF or plain HEIF. */
static int sniff_heif(const unsigned char *p, size_t n) {
    static const char *const brands[] = {"mif1", "mif2", "msf1", "heic", "heix", "heim",
                                         "heis", "hevc", "hevx", "avif", "avis", "miaf"};
    if (n < 16 || memcmp(p + 4, "ftyp", 4) != 0)
        return 0;
    size_t len = psci_rd_be32(p);
    if (len > n)
        len = n;
    for (size_t off = 8; off + 4 <= len; off += 4) {
        if (off == 12)
            continue; /* minor version */
        for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
            if (memcmp(p + off, brands[i], 4) == 0)
                return 1;
    }
    return 0;
}

/* Re-parses our own HEIF output with our walker (keep-list) and with libheif (structure); the
 * shown size must be want_w x want_h unless want_w < 0 (unknown). */
static psc_status verify_heif(psc_ctx *ctx, const unsigned char *p, size_t n, int want_w,
                              int want_h) {
    psci_err *err = &ctx->err;
    psci_heif v;
    psc_status st = psci_heif_parse(p, n, &v, err);
    if (st != PSC_OK)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not re-parse: %s", err->msg);
    if ((st = psci_heif_plan(p, n, &v, (int)ctx->param[PSC_PARAM_KEEP_ICC], err)) != PSC_OK)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not plan: %s", err->msg);
    if (st == PSC_OK)
        st = psci_heif_check_clean(p, n, &v, err);
    psci_heif_free(&v);
    int w = 0, h = 0;
    if (st == PSC_OK && psci_heif_probe(p, n, &w, &h, err) != PSC_OK)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: libheif cannot read the output: %s", err->msg);
    if (st == PSC_OK && want_w >= 0 && (w != want_w || h != want_h))
        st =
            psci_fail(err, PSC_ERR_UNSAFE, "verify: the output shows %dx%d pixels, the input %dx%d",
                      w, h, want_w, want_h);
    return st;
}

/* JPEG from a redacted HEIF: the ICC profile goes in as APP2 ICC_PROFILE chunks after
 * SOI/JFIF, then the file goes through the JPEG keep-list again. */
static psc_status jpeg_with_icc(psc_ctx *ctx, const unsigned char *jpg, size_t jlen,
                                const unsigned char *icc, size_t icc_len, psci_buf *out,
                                psc_report *rep) {
    psci_err *err = &ctx->err;
    enum { CHUNK = 65519 };
    size_t chunks = icc_len ? (icc_len + CHUNK - 1) / CHUNK : 0;
    if (chunks > 255) {
        chunks = 0;
        psc_status st = psci_report_note(
            rep, "ICC profile too large for JPEG (over 255 chunks): not kept", err);
        if (st != PSC_OK)
            return st;
    }
    psci_buf tmp;
    psci_buf_init(&tmp);
    size_t at = 2;
    if (jlen >= 6 && jpg[2] == 0xFF && jpg[3] == 0xE0)
        at = 4 + psci_rd_be16(jpg + 4);
    if (jlen < 4 || at > jlen)
        return psci_fail(err, PSC_ERR_INTERNAL, "jpeg: encoder output is not a JPEG");
    psc_status st = psci_buf_append(&tmp, jpg, at, err);
    for (size_t c = 0; st == PSC_OK && c < chunks; c++) {
        size_t len = icc_len - c * CHUNK < CHUNK ? icc_len - c * CHUNK : CHUNK;
        st = psci_buf_byte(&tmp, 0xFF, err);
        if (st == PSC_OK)
            st = psci_buf_byte(&tmp, 0xE2, err);
        if (st == PSC_OK)
            st = psci_buf_be16(&tmp, (unsigned)(len + 16), err);
        if (st == PSC_OK)
            st = psci_buf_append(&tmp, "ICC_PROFILE", 12, err);
        if (st == PSC_OK)
            st = psci_buf_byte(&tmp, (unsigned char)(c + 1), err);
        if (st == PSC_OK)
            st = psci_buf_byte(&tmp, (unsigned char)chunks, err);
        if (st == PSC_OK)
            st = psci_buf_append(&tmp, icc + c * CHUNK, len, err);
    }
    if (st == PSC_OK)
        st = psci_buf_append(&tmp, jpg + at, jlen - at, err);
    if (st == PSC_OK)
        st = psci_format_jpeg_relist(ctx, tmp.data, tmp.len, NULL, 0, 1, out);
    psci_buf_free(&tmp);
    return st;
}

static psc_status scrub_heif(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             psc_report *rep, void **state) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    heif_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    *state = s;
    s->in = in;
    psci_heif *h = &s->h;
    psc_status st = psci_heif_parse(in, n, h, err);
    if (st != PSC_OK)
        return st;
    if ((st = psci_heif_plan(in, n, h, keep_icc, err)) != PSC_OK)
        return st;
    const psci_hitem *prim = psci_heif_item(h, h->primary);
    unsigned iw, ih;
    int rot, mir;
    psci_heif_geometry(in, h, prim, &iw, &ih, &rot, &mir);
    /* Dimensions as shown: libheif applies irot/imir when decoding, so regions and previews are
     * in display pixels and the orientation to report is 1 (kept as irot/imir, not EXIF). */
    int dw = (int)((rot & 1) ? ih : iw), dh = (int)((rot & 1) ? iw : ih);
    psci_report_set_dims(rep, dw, dh);
    psci_report_set_orientation(rep, 1, PSC_ORIENT_ACTION_NONE);
    s->icc = psci_heif_icc(in, h, prim, &s->icc_len);
    s->nclx_primaries = psci_heif_nclx_primaries(in, h, prim);
    psci_report_set_icc(rep, s->icc == NULL ? PSCI_ICC_NONE
                             : keep_icc     ? PSCI_ICC_KEPT
                                            : PSCI_ICC_STRIPPED);
    if ((st = psci_heif_describe(ctx, in, n, h, rep)) != PSC_OK || out == NULL)
        return st;
    if ((st = psci_heif_write(in, h, out, err)) != PSC_OK)
        return st;
    /* libheif's view of the input, to check the output shows the same size. An input libheif
     * rejects (often for parts we drop) is not an error: the keep-list check still runs. */
    int pw = -1, ph = -1;
    psci_err perr;
    psci_err_clear(&perr);
    if (psci_heif_probe(in, n, &pw, &ph, &perr) != PSC_OK)
        pw = ph = -1;
    return verify_heif(ctx, out->data, out->len, pw, ph);
}

static void release_state(void *state) {
    heif_state *s = state;
    if (s != NULL)
        psci_heif_free(&s->h);
    free(s);
}

/* ---- the picture: RGBA as shown, redacted in place, written as a JPEG */

typedef struct heif_picture {
    psci_rgba img; /* first: the shared RGBA picture operations see it */
    const heif_state *s;
} heif_picture;

/* The notes that tell the user why a HEIF came out as a JPEG and what changed. */
static psc_status note_jpeg_output(psc_ctx *ctx, const heif_state *s, psc_report *rep) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    if (s->icc == NULL && s->nclx_primaries > 2) {
        char note[160];
        snprintf(note, sizeof note,
                 "the HEIF colour space (nclx primaries %u) is not carried into the JPEG: colours "
                 "may look duller",
                 s->nclx_primaries);
        psc_status st = psci_report_note(rep, note, err);
        if (st != PSC_OK)
            return st;
    }
    return psci_report_note(
        rep,
        keep_icc && s->icc
            ? "output is a JPEG, not HEIF: codes or text were hidden, so the pixels had to be "
              "re-encoded and photoscrub does not encode HEIF (JPEG quality 92, upright, ICC "
              "profile kept)"
            : "output is a JPEG, not HEIF: codes or text were hidden, so the pixels had to be "
              "re-encoded and photoscrub does not encode HEIF (JPEG quality 92, upright)",
        err);
}

static psc_status pic_write(psci_picture *pic, psci_buf *out) {
    heif_picture *hp = pic->priv;
    psc_ctx *ctx = pic->ctx;
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    size_t npx = (size_t)hp->img.w * (size_t)hp->img.h;
    psci_buf jpg, norm;
    psci_buf_init(&jpg);
    psci_buf_init(&norm);
    psc_status st = PSC_OK;
    /* JPEG has no alpha: flatten onto white, so nothing hidden under transparency shows. */
    unsigned char *rgb = malloc(npx * 3);
    if (rgb == NULL)
        st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PSC_OK && i < npx; i++) {
        unsigned a = hp->img.px[i * 4 + 3];
        for (int k = 0; k < 3; k++)
            rgb[i * 3 + (size_t)k] =
                (unsigned char)((hp->img.px[i * 4 + (size_t)k] * a + 255u * (255u - a) + 127u) /
                                255u);
    }
    if (st == PSC_OK)
        st = psci_jpeg_encode_rgb(rgb, hp->img.w, hp->img.h, 92, &jpg, err);
    free(rgb);
    if (st == PSC_OK && hp->img.alpha)
        st = psci_report_note(pic->rep, "transparency flattened onto white (JPEG has no alpha)",
                              err);
    if (st == PSC_OK)
        st = jpeg_with_icc(ctx, jpg.data, jpg.len, keep_icc ? hp->s->icc : NULL,
                           keep_icc ? hp->s->icc_len : 0, &norm, pic->rep);
    if (st == PSC_OK)
        st = psci_format_jpeg_verify(ctx, norm.data, norm.len);
    if (st == PSC_OK)
        st = note_jpeg_output(ctx, hp->s, pic->rep);
    if (st == PSC_OK) {
        psci_buf_free(out);
        *out = norm;
        psci_buf_init(&norm);
        psci_report_set_output_format(pic->rep, "jpeg");
    }
    psci_buf_free(&jpg);
    psci_buf_free(&norm);
    return st;
}

static void pic_release(psci_picture *pic) {
    heif_picture *hp = pic->priv;
    if (hp != NULL)
        free(hp->img.px);
    free(hp);
}

static psc_status open_picture(psc_ctx *ctx, void *state, const unsigned char *p, size_t n,
                               psci_buf *out, psc_report *rep, psci_picture *pic) {
    (void)out;
    heif_picture *hp = calloc(1, sizeof *hp);
    if (hp == NULL)
        return psci_fail(&ctx->err, PSC_ERR_NOMEM, "out of memory");
    hp->s = state;
    /* libheif applies irot/imir/clap: the pixels are already in display orientation. */
    *pic =
        (psci_picture){ctx, rep, 1, hp, psci_rgba_gray, psci_rgba_redact, pic_write, pic_release};
    psc_status st = psci_heif_decode_rgba(p, n, psci_max_pixels(ctx), &hp->img.px, &hp->img.w,
                                          &hp->img.h, &hp->img.alpha, &ctx->err);
    if (st == PSC_OK)
        psci_report_set_dims(rep, hp->img.w, hp->img.h); /* as shown: crop and rotation applied */
    return st;
}

static psc_status preview(psc_ctx *ctx, const unsigned char *p, size_t n, int max_side,
                          unsigned char **px, int *w, int *h, int *stride) {
    int alpha;
    (void)max_side;
    *stride = 4;
    /* Decoded upright (irot/imir applied); the report's orientation is 1. */
    return psci_heif_decode_rgba(p, n, psci_max_pixels(ctx), px, w, h, &alpha, &ctx->err);
}

const psci_format psci_format_heif = {"heif",       sniff_heif, scrub_heif,
                                      open_picture, preview,    release_state};
