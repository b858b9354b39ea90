/*
 * The JPEG row of the format table: describe and keep-list rebuild (jpeg_segments.c),
 * orientation by EXIF tag or lossless turn, verify, and redaction in the DCT domain: only the
 * blocks of the iMCUs a region touches change, every other block keeps its coefficients.
 */
#include "../codec/jpeg_codec.h"
#include "../container/exif_min.h"
#include "../container/jpeg_segments.h"
#include "format.h"
#include "../redact/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jpeg_state {
    int orient;               /* the input's EXIF orientation */
    psc_orient_action action; /* what the rebuild did about it */
    unsigned char *exif;      /* orientation-only EXIF written into the output, or NULL */
    size_t exif_len;
} jpeg_state;

static int sniff_jpeg(const unsigned char *p, size_t n) {
    return n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF;
}

static psc_status describe_jpeg(psc_ctx *ctx, const unsigned char *in, size_t n, const psci_jpeg *j,
                                psc_report *rep, int *orient) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    psc_status st = PSC_OK;
    *orient = 1;
    for (size_t i = 0; st == PSC_OK && i < j->n; i++) {
        const psci_jseg *s = &j->segs[i];
        const unsigned char *pay = in + s->pay_off;
        if (s->is_exif) {
            if (i == j->first_exif) {
                int o = psci_exif_orientation(pay, s->pay_len);
                *orient = o ? o : 1;
            }
            /* Our own orientation-only EXIF is kept (rebuilt identically), not "removed". */
            if (psci_exif_is_orientation_only(pay, s->pay_len) && i == j->first_exif)
                continue;
            st = psci_describe_exif(ctx, pay, s->pay_len, rep);
        } else if (s->is_icc && !keep_icc) {
            psci_report_found(rep, PSC_META_ICC);
            st = psci_report_removed(rep, "ICC profile", PSC_META_ICC, s->off, s->len, err);
            continue;
        } else if (s->action != PSCI_JKEEP) {
            psci_report_found(rep, s->cls);
            if (s->cls == PSC_META_XMP || s->cls == PSC_META_IPTC || s->cls == PSC_META_COMMENT)
                psci_describe_text_block(pay, s->pay_len, rep);
        }
        if (st == PSC_OK && s->action != PSCI_JKEEP)
            st = psci_report_removed(rep, s->what, s->cls, s->off, s->len, err);
    }
    if (st == PSC_OK && j->end < n) {
        psc_meta cls;
        const char *what = psci_jpeg_trailer_kind(in + j->end, n - j->end, j->has_mpf, &cls);
        psci_report_found(rep, cls);
        st = psci_report_removed(rep, what, cls, j->end, n - j->end, err);
    }
    psci_report_set_icc(rep, j->icc_chunks == 0 ? PSCI_ICC_NONE
                             : keep_icc         ? PSCI_ICC_KEPT
                                                : PSCI_ICC_STRIPPED);
    return st;
}

psc_status psci_format_jpeg_verify(psc_ctx *ctx, const unsigned char *p, size_t n) {
    psci_err *err = &ctx->err;
    psci_jpeg j;
    psc_status st = psci_jpeg_parse(p, n, &j, err);
    if (st != PSC_OK)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not re-parse: %s", err->msg);
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    for (size_t i = 0; st == PSC_OK && i < j.n; i++) {
        const psci_jseg *s = &j.segs[i];
        int ok = s->action == PSCI_JKEEP && (keep_icc || !s->is_icc);
        if (s->is_exif)
            ok = i == j.first_exif && psci_exif_is_orientation_only(p + s->pay_off, s->pay_len);
        if (!ok)
            st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output still holds %s at offset %zu",
                           s->what, s->off);
    }
    if (st == PSC_OK && j.end != n)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output has %zu bytes after EOI", n - j.end);
    psci_jpeg_free(&j);
    return st;
}

psc_status psci_format_jpeg_relist(psc_ctx *ctx, const unsigned char *p, size_t n,
                                   const unsigned char *exif, size_t exif_len, int keep_icc,
                                   psci_buf *out) {
    psci_jpeg j;
    psc_status st = psci_jpeg_parse(p, n, &j, &ctx->err);
    if (st == PSC_OK) {
        st = psci_jpeg_write(p, &j, exif, exif_len, keep_icc, out, &ctx->err);
        psci_jpeg_free(&j);
    }
    return st;
}

/* Turns the photo upright losslessly. PSC_ERR_UNSUPPORTED (with a note in the report) when
 * TurboJPEG cannot do it perfectly: the caller keeps an Orientation tag instead. */
static psc_status rotate(psc_ctx *ctx, const unsigned char *in, const psci_jpeg *j, int orient,
                         psci_buf *out, psc_report *rep) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    unsigned long long px = (unsigned long long)j->width * j->height;
    if (px > psci_max_pixels(ctx))
        return psci_fail(err, PSC_ERR_LIMIT,
                         "jpeg: %ux%u pixels is over the limit of %lld megapixels for rotation",
                         j->width, j->height, ctx->param[PSC_PARAM_MAX_MEGAPIXELS]);
    unsigned char *rot = NULL;
    size_t rot_len = 0;
    psci_buf plain;
    psci_buf_init(&plain);
    psc_status st = psci_jpeg_write(in, j, NULL, 0, keep_icc, &plain, err);
    if (st != PSC_OK)
        goto done;
    psci_err terr;
    psci_err_clear(&terr);
    int progressive = j->sof_marker == 0xC2 || j->sof_marker == 0xC6 || j->sof_marker == 0xCA ||
                      j->sof_marker == 0xCE;
    st = psci_jpeg_transform(plain.data, plain.len, orient, progressive, &rot, &rot_len, &terr);
    if (st == PSC_OK) {
        /* The transformer copies markers; walk its output through the keep-list again. */
        st = psci_format_jpeg_relist(ctx, rot, rot_len, NULL, 0, keep_icc, out);
    } else if (st != PSC_ERR_UNSUPPORTED) {
        psci_fail(err, st, "%s", terr.msg);
    } else {
        char note[PSCI_ERRMSG_MAX + 64];
        snprintf(note, sizeof note, "not rotated (%s); kept an Orientation tag instead", terr.msg);
        st = psci_report_note(rep, note, err);
        if (st == PSC_OK)
            st = PSC_ERR_UNSUPPORTED;
    }
done:
    psci_buf_free(&plain);
    free(rot);
    return st;
}

static psc_status scrub_jpeg(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             psc_report *rep, void **state) {
    psci_err *err = &ctx->err;
    jpeg_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    *state = s;
    s->orient = 1;
    psci_jpeg j;
    psc_status st = psci_jpeg_parse(in, n, &j, err);
    if (st != PSC_OK)
        return st;
    psci_report_set_dims(rep, (int)j.width, (int)j.height);
    if ((st = describe_jpeg(ctx, in, n, &j, rep, &s->orient)) != PSC_OK)
        goto done;
    if (out == NULL) {
        psci_report_set_orientation(rep, s->orient, PSC_ORIENT_ACTION_NONE);
        goto done;
    }
    if (s->orient > 1 && ctx->param[PSC_PARAM_ORIENTATION] == PSC_ORIENT_ROTATE) {
        st = rotate(ctx, in, &j, s->orient, out, rep);
        if (st == PSC_OK)
            s->action = PSC_ORIENT_ACTION_ROTATED;
        else if (st != PSC_ERR_UNSUPPORTED)
            goto done;
    }
    if (s->action != PSC_ORIENT_ACTION_ROTATED) {
        if (s->orient > 1) {
            st = psci_exif_build_orientation(s->orient, &s->exif, &s->exif_len, err);
            if (st != PSC_OK)
                goto done;
            s->action = PSC_ORIENT_ACTION_TAGGED;
        }
        st = psci_jpeg_write(in, &j, s->exif, s->exif_len, (int)ctx->param[PSC_PARAM_KEEP_ICC], out,
                             err);
    }
    if (st == PSC_OK)
        st = psci_format_jpeg_verify(ctx, out->data, out->len);
    psci_report_set_orientation(rep, s->orient, s->action);
done:
    psci_jpeg_free(&j);
    return st;
}

static void release_state(void *state) {
    jpeg_state *s = state;
    if (s != NULL)
        free(s->exif);
    free(s);
}

/* ---- the picture: decoded gray for analysis, redaction of DCT coefficients */

typedef struct jpeg_picture {
    const unsigned char *p; /* a check: the input */
    size_t n;
    psci_buf *clean; /* a scrub: the output, replaced each round */
    const jpeg_state *s;
} jpeg_picture;

static psc_status pic_gray(psci_picture *pic, unsigned char **gray, int *w, int *h) {
    jpeg_picture *jp = pic->priv;
    const unsigned char *p = jp->clean ? jp->clean->data : jp->p;
    size_t n = jp->clean ? jp->clean->len : jp->n;
    return psci_jpeg_decode_gray(p, n, psci_max_pixels(pic->ctx), gray, w, h, &pic->ctx->err);
}

/* Snaps a region outward to the iMCU grid: every block that shows any part of it. */
static void snap(psci_region *r, const psci_jinfo *info, int *mx0, int *my0, int *mx1, int *my1) {
    int mw = 8 * info->max_h, mh = 8 * info->max_v;
    *mx0 = r->x / mw;
    *my0 = r->y / mh;
    *mx1 = (r->x + r->w + mw - 1) / mw;
    *my1 = (r->y + r->h + mh - 1) / mh;
    r->x = *mx0 * mw;
    r->y = *my0 * mh;
    r->w = (*mx1 - *mx0) * mw;
    r->h = (*my1 - *my0) * mh;
    if (r->x + r->w > info->width)
        r->w = info->width - r->x;
    if (r->y + r->h > info->height)
        r->h = info->height - r->y;
}

static int clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* One component of one snapped region: block means around and inside, new samples from
 * redact/, written back as coefficients. */
static psc_status redact_component(psci_jcoef *jc, const psci_jcomp *cc, int c, int bx0, int by0,
                                   int bx1, int by1, psci_style style, uint32_t seed,
                                   psci_err *err) {
    int nbx = bx1 - bx0, nby = by1 - by0, W = nbx * 8, H = nby * 8;
    size_t gw = (size_t)nbx + 2;
    float *means = malloc(sizeof *means * gw * (size_t)(nby + 2));
    float *plane = malloc(sizeof *plane * (size_t)W * (size_t)H);
    float *lines = malloc(sizeof *lines * (size_t)(2 * W + 2 * H));
    psc_status st = PSC_OK;
    if (means == NULL || plane == NULL || lines == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "redact: out of memory");
        goto out;
    }
    for (int y = -1; y <= nby; y++)
        for (int x = -1; x <= nbx; x++)
            means[(size_t)(y + 1) * gw + (size_t)(x + 1)] = psci_jcoef_block_mean(
                jc, c, clampi(bx0 + x, 0, cc->wb - 1), clampi(by0 + y, 0, cc->hb - 1));
    psci_redact_blocks(means, nbx, nby, by0 > 0, by1<cc->hb, bx0> 0, bx1 < cc->wb, style, seed,
                       plane, lines);
    for (int by = by0; by < by1; by++)
        for (int bx = bx0; bx < bx1; bx++) {
            float blk[64];
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    blk[y * 8 + x] = plane[(size_t)((by - by0) * 8 + y) * (size_t)W +
                                           (size_t)((bx - bx0) * 8 + x)];
            psci_jcoef_set_block(jc, c, bx, by, blk);
        }
out:
    free(means);
    free(plane);
    free(lines);
    return st;
}

static psc_status redact_coefs(psc_ctx *ctx, const unsigned char *in, size_t n, psci_regions *rs,
                               psci_buf *out) {
    psci_err *err = &ctx->err;
    psci_jcoef *jc = NULL;
    psci_jinfo info;
    psc_status st = psci_jcoef_open(in, n, psci_max_pixels(ctx), &jc, &info, err);
    if (st != PSC_OK)
        return st;
    psci_style style = (psci_style)ctx->param[PSC_PARAM_STYLE];
    for (size_t i = 0; st == PSC_OK && i < rs->n; i++) {
        psci_region *r = &rs->v[i];
        int mx0, my0, mx1, my1;
        snap(r, &info, &mx0, &my0, &mx1, &my1);
        for (int c = 0; st == PSC_OK && c < info.ncomp; c++) {
            const psci_jcomp *cc = &info.comp[c];
            int bx0 = mx0 * cc->h_samp, bx1 = mx1 * cc->h_samp;
            int by0 = my0 * cc->v_samp, by1 = my1 * cc->v_samp;
            if (bx1 > cc->wb)
                bx1 = cc->wb;
            if (by1 > cc->hb)
                by1 = cc->hb;
            if (bx1 <= bx0 || by1 <= by0)
                continue;
            st = redact_component(jc, cc, c, bx0, by0, bx1, by1, style,
                                  psci_redact_seed(r->x, r->y, c), err);
        }
    }
    if (st == PSC_OK)
        st = psci_jcoef_write(jc, out, err);
    psci_jcoef_free(jc);
    return st;
}

static psc_status pic_redact(psci_picture *pic, psci_regions *rs) {
    jpeg_picture *jp = pic->priv;
    psci_buf red, norm;
    psci_buf_init(&red);
    psci_buf_init(&norm);
    psc_status st = redact_coefs(pic->ctx, jp->clean->data, jp->clean->len, rs, &red);
    /* The encoder re-emits markers: send the result through the keep-list again. */
    if (st == PSC_OK)
        st = psci_format_jpeg_relist(pic->ctx, red.data, red.len, jp->s->exif, jp->s->exif_len,
                                     (int)pic->ctx->param[PSC_PARAM_KEEP_ICC], &norm);
    psci_buf_free(&red);
    if (st == PSC_OK) {
        psci_buf_free(jp->clean);
        *jp->clean = norm;
    } else {
        psci_buf_free(&norm);
    }
    return st;
}

static psc_status pic_write(psci_picture *pic, psci_buf *out) {
    return psci_format_jpeg_verify(pic->ctx, out->data, out->len);
}

static void pic_release(psci_picture *pic) {
    free(pic->priv);
}

static psc_status open_picture(psc_ctx *ctx, void *state, const unsigned char *p, size_t n,
                               psci_buf *out, psc_report *rep, psci_picture *pic) {
    const jpeg_state *s = state;
    jpeg_picture *jp = calloc(1, sizeof *jp);
    if (jp == NULL)
        return psci_fail(&ctx->err, PSC_ERR_NOMEM, "out of memory");
    jp->p = p;
    jp->n = n;
    jp->clean = out;
    jp->s = s;
    /* After a lossless rotation the pixels are upright and carry no orientation tag. */
    *pic = (psci_picture){
        ctx,       rep,        s->action == PSC_ORIENT_ACTION_ROTATED && out ? 1 : s->orient,
        jp,        pic_gray,   pic_redact,
        pic_write, pic_release};
    return PSC_OK;
}

static psc_status preview(psc_ctx *ctx, const unsigned char *p, size_t n, int max_side,
                          unsigned char **px, int *w, int *h, int *stride) {
    *stride = 3;
    return psci_jpeg_decode_rgb_scaled(p, n, psci_max_pixels(ctx), max_side, px, w, h, &ctx->err);
}

const psci_format psci_format_jpeg = {"jpeg",       sniff_jpeg, scrub_jpeg,
                                      open_picture, preview,    release_state};
