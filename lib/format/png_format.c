/*
 * The PNG row of the format table: chunk keep-list (png_chunks.c), orientation as an eXIf
 * tag, verify; redaction in RGBA pixels and a re-encode with the colour chunks spliced back.
 */
#include "../codec/png_codec.h"
#include "../container/exif_min.h"
#include "../container/png_chunks.h"
#include "format.h"
#include "../redact/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_state {
    int orient;
} png_state;

static int sniff_png(const unsigned char *p, size_t n) {
    return n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static psc_status describe_png(psc_ctx *ctx, const unsigned char *in, size_t n, const psci_png *png,
                               psc_report *rep, int *orient) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    int has_icc = 0;
    psc_status st = PSC_OK;
    for (size_t i = 0; st == PSC_OK && i < png->n; i++) {
        const psci_pchunk *c = &png->chunks[i];
        const unsigned char *data = in + c->data_off;
        char what[32];
        if (c->is_icc)
            has_icc = 1;
        if (c->is_exif && i == png->first_exif) {
            int o = psci_exif_orientation(data, c->data_len);
            *orient = o ? o : 1;
            if (psci_exif_is_orientation_only(data, c->data_len))
                continue;
        }
        if (c->keep && !(c->is_icc && !keep_icc))
            continue;
        psc_meta cls = c->keep ? PSC_META_ICC : c->cls;
        if (c->is_exif) {
            st = psci_describe_exif(ctx, data, c->data_len, rep);
        } else {
            psci_report_found(rep, cls);
            if (cls == PSC_META_XMP || cls == PSC_META_TEXT)
                psci_describe_text_block(data, c->data_len, rep);
        }
        snprintf(what, sizeof what, "%s chunk", c->type);
        if (st == PSC_OK)
            st = psci_report_removed(rep, what, cls, c->off, c->len, err);
    }
    if (st == PSC_OK && png->end < n) {
        psci_report_found(rep, PSC_META_TRAILER);
        st = psci_report_removed(rep, "bytes after IEND", PSC_META_TRAILER, png->end, n - png->end,
                                 err);
    }
    psci_report_set_icc(rep, !has_icc   ? PSCI_ICC_NONE
                             : keep_icc ? PSCI_ICC_KEPT
                                        : PSCI_ICC_STRIPPED);
    return st;
}

/* Re-parses our own output and refuses it unless every chunk is on the keep-list. */
static psc_status verify_png(psc_ctx *ctx, const psci_buf *out) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    psci_png vp;
    if (psci_png_parse(out->data, out->len, &vp, err) != PSC_OK)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not re-parse: %s", err->msg);
    psc_status st = PSC_OK;
    for (size_t i = 0; st == PSC_OK && i < vp.n; i++) {
        const psci_pchunk *c = &vp.chunks[i];
        int ok = c->keep && (keep_icc || !c->is_icc);
        if (c->is_exif)
            ok = i == vp.first_exif &&
                 psci_exif_is_orientation_only(out->data + c->data_off, c->data_len);
        if (!ok)
            st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output still holds a '%s' chunk", c->type);
    }
    if (st == PSC_OK && vp.end != out->len)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output has bytes after IEND");
    psci_png_free(&vp);
    return st;
}

static psc_status scrub_png(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                            psc_report *rep, void **state) {
    psci_err *err = &ctx->err;
    png_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    *state = s;
    s->orient = 1;
    unsigned char *exif = NULL;
    size_t exif_len = 0;
    psci_png png;
    psc_status st = psci_png_parse(in, n, &png, err);
    if (st != PSC_OK)
        return st;
    psci_report_set_dims(rep, (int)png.width, (int)png.height);
    st = describe_png(ctx, in, n, &png, rep, &s->orient);
    psci_report_set_orientation(rep, s->orient, PSC_ORIENT_ACTION_NONE);
    if (st != PSC_OK || out == NULL)
        goto done;
    if (s->orient > 1) {
        if (ctx->param[PSC_PARAM_ORIENTATION] == PSC_ORIENT_ROTATE &&
            (st = psci_report_note(rep,
                                   "PNG is not rotated (lossless rotation is done for JPEG); kept "
                                   "an Orientation tag instead",
                                   err)) != PSC_OK)
            goto done;
        if ((st = psci_exif_build_orientation(s->orient, &exif, &exif_len, err)) != PSC_OK)
            goto done;
        psci_report_set_orientation(rep, s->orient, PSC_ORIENT_ACTION_TAGGED);
    }
    /* eXIf holds a bare TIFF block: no "Exif\0\0" header. */
    st = psci_png_write(in, &png, exif ? exif + 6 : NULL, exif ? exif_len - 6 : 0,
                        (int)ctx->param[PSC_PARAM_KEEP_ICC], out, err);
    if (st == PSC_OK)
        st = verify_png(ctx, out);
done:
    psci_png_free(&png);
    free(exif);
    return st;
}

/* ---- the picture: RGBA pixels, redacted in place, re-encoded once at the end */

typedef struct png_picture {
    psci_rgba img; /* first: the shared RGBA picture operations see it */
} png_picture;

static psc_status pic_write(psci_picture *pic, psci_buf *out) {
    png_picture *pp = pic->priv;
    psci_err *err = &pic->ctx->err;
    psci_buf enc, spliced;
    psci_buf_init(&enc);
    psci_buf_init(&spliced);
    psc_status st = psci_png_encode(pp->img.px, pp->img.w, pp->img.h, pp->img.alpha, &enc, err);
    if (st == PSC_OK)
        st = psci_png_splice(out->data, out->len, enc.data, enc.len, &spliced, err);
    psci_buf_free(&enc);
    if (st != PSC_OK) {
        psci_buf_free(&spliced);
        return st;
    }
    psci_buf_free(out);
    *out = spliced;
    psci_report_note(pic->rep, "PNG re-encoded after redaction (8-bit RGB/RGBA)", err);
    return verify_png(pic->ctx, out);
}

static void pic_release(psci_picture *pic) {
    png_picture *pp = pic->priv;
    if (pp != NULL)
        free(pp->img.px);
    free(pp);
}

/* Only the first frame of an animated PNG would be checked: refuse rather than pass the rest. */
static psc_status refuse_animated(psc_ctx *ctx, const unsigned char *p, size_t n) {
    if (memmem(p, n, "acTL", 4) == NULL)
        return PSC_OK;
    psci_png chk;
    if (psci_png_parse(p, n, &chk, &ctx->err) != PSC_OK)
        return PSC_OK;
    int animated = 0;
    for (size_t i = 0; i < chk.n; i++)
        if (memcmp(chk.chunks[i].type, "acTL", 4) == 0)
            animated = 1;
    psci_png_free(&chk);
    if (animated)
        return psci_fail(&ctx->err, PSC_ERR_UNSUPPORTED,
                         "animated PNG: only the first frame could be checked for codes and text; "
                         "use --metadata-only to strip metadata only");
    return PSC_OK;
}

static psc_status open_picture(psc_ctx *ctx, void *state, const unsigned char *p, size_t n,
                               psci_buf *out, psc_report *rep, psci_picture *pic) {
    const png_state *s = state;
    psc_status st = out ? refuse_animated(ctx, p, n) : PSC_OK;
    if (st != PSC_OK)
        return st;
    png_picture *pp = calloc(1, sizeof *pp);
    if (pp == NULL)
        return psci_fail(&ctx->err, PSC_ERR_NOMEM, "out of memory");
    *pic = (psci_picture){ctx,       rep,        s->orient, pp, psci_rgba_gray, psci_rgba_redact,
                          pic_write, pic_release};
    return psci_png_decode_rgba(p, n, psci_max_pixels(ctx), &pp->img.px, &pp->img.w, &pp->img.h,
                                &pp->img.alpha, &ctx->err);
}

static psc_status preview(psc_ctx *ctx, const unsigned char *p, size_t n, int max_side,
                          unsigned char **px, int *w, int *h, int *stride) {
    int alpha;
    (void)max_side;
    *stride = 4;
    return psci_png_decode_rgba(p, n, psci_max_pixels(ctx), px, w, h, &alpha, &ctx->err);
}

const psci_format psci_format_png = {"png", sniff_png, scrub_png, open_picture, preview, free};
