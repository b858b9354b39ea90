/*
 * The one redaction loop, shared by every format: decode for analysis -> display orientation
 * -> detect -> grow, pad, merge -> map back to stored pixels -> the format hides the regions
 * -> detect again around what changed. Fails closed: a photo that still shows a code or text
 * after three rounds is not written. Also previews, through the formats' decoders.
 */
#include "codec/jpeg_codec.h"
#include "detect/detect.h"
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 3

static const char *const mode_names[] = {"fast", "default", "thorough"};
static const char *const kind_names[] = {"qr", "barcode", "matrix", "text"};

/* Runs the detectors on the stored-orientation gray image, returns redaction boxes in stored
 * pixels. verify: the second look on the whole picture instead of the finder. */
static psc_status find_regions(psc_ctx *ctx, const unsigned char *gray, int w, int h, int orient,
                               const psci_regions *hidden, int verify, psci_regions *rs) {
    psci_err *err = &ctx->err;
    if (ctx->det == NULL && (ctx->det = psci_detector_new()) == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    psci_detect_opts o = {(int)ctx->param[PSC_PARAM_DETECT],
                          (int)ctx->param[PSC_PARAM_FIND_CODES],
                          (int)ctx->param[PSC_PARAM_FIND_TEXT],
                          ctx->langs,
                          (int)ctx->param[PSC_PARAM_MAX_OCR_SECONDS] * 1000,
                          0,
                          psci_ctx_poll_cancel,
                          ctx,
                          ctx->tessdata};
    if (!verify && (ctx->test_flags & PSCI_TEST_NO_FINDER_CODES))
        o.codes = 0;
    const unsigned char *img = gray;
    unsigned char *disp = NULL;
    int dw = w, dh = h;
    if (orient > 1) {
        /* Analyse what a viewer shows: text must be upright for OCR. */
        if (orient >= 5) {
            dw = h;
            dh = w;
        }
        disp = malloc((size_t)w * (size_t)h);
        if (disp == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int dx, dy;
                psci_orient_point(orient, w, h, x, y, &dx, &dy);
                disp[(size_t)dy * (size_t)dw + (size_t)dx] =
                    gray[(size_t)y * (size_t)w + (size_t)x];
            }
        img = disp;
    }
    /* After a round of redaction only the areas it changed can read differently (everywhere
     * else the pixels are those the previous round already read): re-check those, in display
     * coordinates, rather than the whole photo. */
    psci_regions focus = {0};
    psc_status st = PSC_OK;
    for (size_t i = 0; hidden && i < hidden->n && st == PSC_OK; i++) {
        psci_region a = hidden->v[i];
        psci_region_to_display(&a, orient, w, h);
        st = psci_regions_add(&focus, &a, err);
    }
    if (st == PSC_OK && verify)
        st = psci_detect_verify(ctx->det, &o, img, dw, dh, rs, err);
    else if (st == PSC_OK)
        st = psci_detect_run(ctx->det, &o, img, dw, dh, (hidden && hidden->n) ? &focus : NULL, rs,
                             err);
    psci_regions_free(&focus);
    free(disp);
    if (st != PSC_OK)
        return st;
    /* Doubtful words count only beside words read for sure in the same pass. Areas hidden in
     * earlier rounds are not used as anchors: the blend's own edges read as doubtful words,
     * and hiding those would grow the area every round. */
    psci_regions_promote(rs, NULL);
    if (hidden && hidden->n && !verify) {
        /* Something still reads next to an area already hidden (tilted text, a word's
         * tail): hide generously this time so the next round finds nothing. */
        for (size_t i = 0; i < rs->n; i++) {
            psci_region *r = &rs->v[i];
            int m = (r->w < r->h ? r->w : r->h) / 2 + 8;
            r->x -= m;
            r->y -= m;
            r->w += 2 * m;
            r->h += 2 * m;
        }
    }
    psci_regions_finish(rs, dw, dh);
    for (size_t i = 0; i < rs->n; i++)
        psci_region_to_stored(&rs->v[i], orient, dw, dh);
    return PSC_OK;
}

static psc_status record_regions(psc_report *rep, const psci_regions *rs, psci_err *err) {
    psc_status st = PSC_OK;
    for (size_t i = 0; st == PSC_OK && i < rs->n; i++) {
        const psci_region *r = &rs->v[i];
        st = psci_report_region(rep, r->x, r->y, r->w, r->h, kind_names[r->kind], r->detector,
                                r->symbology, r->conf, err);
    }
    return st;
}

/* Rounds of find and hide on an opened picture; with find_only, one look that only lists.
 * *changed says whether anything was hidden. */
/* Is most of r inside one of the boxes of rs? */
static int covered(const psci_region *r, const psci_regions *rs) {
    long area = (long)r->w * r->h;
    for (size_t i = 0; i < rs->n; i++) {
        const psci_region *b = &rs->v[i];
        int ix =
            (r->x + r->w < b->x + b->w ? r->x + r->w : b->x + b->w) - (r->x > b->x ? r->x : b->x);
        int iy =
            (r->y + r->h < b->y + b->h ? r->y + r->h : b->y + b->h) - (r->y > b->y ? r->y : b->y);
        if (ix > 0 && iy > 0 && (long)ix * iy * 5 >= area * 4)
            return 1;
    }
    return 0;
}

/* The second look on the whole picture; with find_only, only what the finder did not list. */
static psc_status second_look(psc_ctx *ctx, const unsigned char *gray, int w, int h, int orient,
                              int find_only, psci_regions *rs) {
    if (ctx->test_flags & PSCI_TEST_NO_VERIFIER)
        return PSC_OK;
    psci_regions vs = {0};
    psc_status st = find_regions(ctx, gray, w, h, orient, NULL, 1, &vs);
    for (size_t i = 0; st == PSC_OK && i < vs.n; i++)
        if (!find_only || !covered(&vs.v[i], rs))
            st = psci_regions_add(rs, &vs.v[i], &ctx->err);
    psci_regions_free(&vs);
    return st;
}

/* Why a photo is refused after the last round: what still reads, and where. */
static psc_status still_readable(psc_ctx *ctx, const psci_regions *rs) {
    const psci_region *r = &rs->v[0];
    return psci_fail(&ctx->err, PSC_ERR_UNSAFE,
                     "redact: %s still readable after %d rounds (found by %s at %d,%d, %dx%d "
                     "px%s); nothing written",
                     r->kind == PSCI_R_TEXT ? "text" : "a code", MAX_ROUNDS, r->detector, r->x,
                     r->y, r->w, r->h, rs->n > 1 ? ", and more" : "");
}

/* Rounds of find and hide on an opened picture: the finder looks (the whole picture first,
 * then around what the last round changed); when it has nothing left, the second look reads
 * the whole picture with other readers, and what it still reads is hidden in another round.
 * With find_only, one look by both that only lists. *changed says whether anything was
 * hidden. */
static psc_status rounds(psc_ctx *ctx, psci_picture *pic, int find_only, psc_report *rep,
                         int *changed) {
    psci_err *err = &ctx->err;
    psc_status st = PSC_OK;
    *changed = 0;
    psci_regions hidden = {0};
    for (int round = 0; st == PSC_OK; round++) {
        unsigned char *gray = NULL;
        int w, h;
        /* Rounds after the first look only around what changed: most of the work is done. */
        if ((st = psci_ctx_progress(ctx, PSC_STAGE_DETECT, round ? 0.8 : 0.0)) != PSC_OK ||
            (st = pic->gray(pic, &gray, &w, &h)) != PSC_OK)
            break;
        psci_regions rs = {0};
        st = find_regions(ctx, gray, w, h, pic->orient, &hidden, 0, &rs);
        if (st == PSC_OK && (rs.n == 0 || find_only))
            st = second_look(ctx, gray, w, h, pic->orient, find_only, &rs);
        free(gray);
        if (st == PSC_OK && find_only)
            st = record_regions(rep, &rs, err);
        if (st != PSC_OK || rs.n == 0 || find_only) {
            psci_regions_free(&rs);
            break;
        }
        if (round == MAX_ROUNDS) {
            st = still_readable(ctx, &rs);
            psci_regions_free(&rs);
            break;
        }
        st = psci_ctx_progress(ctx, PSC_STAGE_REDACT, (double)round / MAX_ROUNDS);
        if (st == PSC_OK)
            st = pic->redact(pic, &rs);
        if (st == PSC_OK)
            st = record_regions(rep, &rs, err);
        psci_regions_free(&hidden); /* the next round re-checks only what this one changed */
        hidden = rs;
        *changed = 1;
    }
    psci_regions_free(&hidden);
    return st;
}

static psc_status run_picture(psc_ctx *ctx, const psci_format *fmt, void *state,
                              const unsigned char *p, size_t n, psci_buf *out, psc_report *rep) {
    psci_report_set_detection(rep, mode_names[ctx->param[PSC_PARAM_DETECT]]);
    psci_picture pic = {0};
    psc_status st = fmt->picture(ctx, state, p, n, out, rep, &pic);
    int changed = 0;
    if (st == PSC_OK)
        st = rounds(ctx, &pic, out == NULL, rep, &changed);
    if (st == PSC_OK && changed)
        st = pic.write(&pic, out);
    if (pic.release != NULL)
        pic.release(&pic);
    return st;
}

psc_status psci_redact_photo(psc_ctx *ctx, const psci_format *fmt, void *state, psci_buf *out,
                             psc_report *rep) {
    return run_picture(ctx, fmt, state, out->data, out->len, out, rep);
}

psc_status psci_find_in_photo(psc_ctx *ctx, const psci_format *fmt, void *state,
                              const unsigned char *in, size_t n, psc_report *rep) {
    return run_picture(ctx, fmt, state, in, n, NULL, rep);
}

psc_status psci_make_preview(psc_ctx *ctx, const unsigned char *in, size_t n, int max_side,
                             psci_buf *out) {
    psci_err *err = &ctx->err;
    psc_report *rep = NULL;
    psc_status st = psci_pipeline_run(ctx, in, n, NULL, 0, &rep);
    int orient = psc_report_orientation(rep);
    psc_report_free(rep);
    if (st != PSC_OK)
        return st;
    const psci_format *fmt = psci_format_sniff(in, n, err);
    if (fmt == NULL)
        return err->st;
    unsigned char *px = NULL, *rgb = NULL, *rot = NULL;
    int w = 0, h = 0, stride = 3;
    st = fmt->preview(ctx, in, n, max_side, &px, &w, &h, &stride);
    /* Area-average down to max_side, dropping alpha (composited over white). */
    int longest = w > h ? w : h;
    int nw = w, nh = h;
    if (st == PSC_OK && longest > max_side) {
        nw = (int)((long)w * max_side / longest);
        nh = (int)((long)h * max_side / longest);
        if (nw < 1)
            nw = 1;
        if (nh < 1)
            nh = 1;
    }
    if (st == PSC_OK && (rgb = malloc((size_t)nw * (size_t)nh * 3)) == NULL)
        st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    for (int y = 0; st == PSC_OK && y < nh; y++)
        for (int x = 0; x < nw; x++) {
            int x0 = (int)((long)x * w / nw), x1 = (int)((long)(x + 1) * w / nw);
            int y0 = (int)((long)y * h / nh), y1 = (int)((long)(y + 1) * h / nh);
            if (x1 <= x0)
                x1 = x0 + 1;
            if (y1 <= y0)
                y1 = y0 + 1;
            unsigned long acc[3] = {0, 0, 0}, c = 0;
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++) {
                    const unsigned char *p =
                        px + ((size_t)yy * (size_t)w + (size_t)xx) * (size_t)stride;
                    unsigned a = stride == 4 ? p[3] : 255;
                    for (int k = 0; k < 3; k++)
                        acc[k] += (p[k] * a + 255u * (255u - a)) / 255u;
                    c++;
                }
            for (int k = 0; k < 3; k++)
                rgb[((size_t)y * (size_t)nw + (size_t)x) * 3 + (size_t)k] =
                    (unsigned char)(acc[k] / c);
        }
    /* Apply the orientation so the preview is upright. */
    int dw = orient >= 5 ? nh : nw, dh = orient >= 5 ? nw : nh;
    if (st == PSC_OK && orient > 1) {
        if ((rot = malloc((size_t)nw * (size_t)nh * 3)) == NULL)
            st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
        for (int y = 0; st == PSC_OK && y < nh; y++)
            for (int x = 0; x < nw; x++) {
                int dx, dy;
                psci_orient_point(orient, nw, nh, x, y, &dx, &dy);
                memcpy(rot + ((size_t)dy * (size_t)dw + (size_t)dx) * 3,
                       rgb + ((size_t)y * (size_t)nw + (size_t)x) * 3, 3);
            }
    }
    if (st == PSC_OK)
        st = psci_jpeg_encode_rgb(rot ? rot : rgb, orient > 1 ? dw : nw, orient > 1 ? dh : nh, 80,
                                  out, err);
    free(px);
    free(rgb);
    free(rot);
    return st;
}
