/*
 * The picture stage of the pipeline: decode -> analysis image in display orientation ->
 * detect -> grow, pad, merge -> map back to stored pixels -> redact -> detect again.
 * JPEGs are redacted in the DCT domain: only blocks of the iMCUs a region touches change,
 * every other block keeps its coefficients bit for bit. Fails closed: a photo that still
 * shows a code or text after three rounds is not written.
 */
#include "codec/heif_codec.h"
#include "codec/jpeg_codec.h"
#include "codec/png_codec.h"
#include "container/jpeg_segments.h"
#include "container/png_chunks.h"
#include "context.h"
#include "detect/detect.h"
#include "redact/redact.h"
#include "region.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 3

static const char *const mode_names[] = {"fast", "default", "thorough"};
static const char *const kind_names[] = {"qr", "barcode", "matrix", "text"};

static unsigned long long max_pixels(const psc_ctx *ctx) {
    return (unsigned long long)ctx->param[PSC_PARAM_MAX_MEGAPIXELS] * 1000000ULL;
}

/* Runs the detectors on the stored-orientation gray image, returns redaction boxes in stored
 * pixels. */
static psc_status find_regions(psc_ctx *ctx, const unsigned char *gray, int w, int h, int orient,
                               const psci_regions *hidden, psci_regions *rs) {
    psci_err *err = &ctx->err;
    if (ctx->det == NULL && (ctx->det = psci_detector_new()) == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    psci_detect_opts o = {(int)ctx->param[PSC_PARAM_DETECT], (int)ctx->param[PSC_PARAM_FIND_CODES],
                          (int)ctx->param[PSC_PARAM_FIND_TEXT], ctx->langs,
                          (int)ctx->param[PSC_PARAM_MAX_OCR_SECONDS] * 1000, 0, NULL, NULL};
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
                disp[(size_t)dy * (size_t)dw + (size_t)dx] = gray[(size_t)y * (size_t)w + (size_t)x];
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
    if (st == PSC_OK)
        st = psci_detect_run(ctx->det, &o, img, dw, dh, (hidden && hidden->n) ? &focus : NULL, rs, err);
    psci_regions_free(&focus);
    free(disp);
    if (st != PSC_OK)
        return st;
    /* Doubtful words count only beside words read for sure in the same pass. Areas hidden in
     * earlier rounds are not used as anchors: the blend's own edges read as doubtful words,
     * and hiding those would grow the area every round. */
    psci_regions_promote(rs, NULL);
    if (hidden && hidden->n) {
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

/* Luma of RGBA pixels composited over white: transparent areas read as background. */
static void rgba_to_gray(const unsigned char *px, size_t npx, unsigned char *gray) {
    for (size_t i = 0; i < npx; i++) {
        const unsigned char *p = px + i * 4;
        float l = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
        gray[i] = (unsigned char)((l * (float)p[3] + 255.0f * (float)(255 - p[3])) / 255.0f + 0.5f);
    }
}

static uint32_t seed_of(int x, int y, int c) {
    return (uint32_t)x * 2654435761u ^ (uint32_t)y * 2246822519u ^ (uint32_t)(c + 1) * 3266489917u;
}

/* Sample values along a row (or column) of blocks just outside a region, interpolated between
 * block centres so the blend has no steps. */
static void block_line(const psci_jcoef *jc, int comp, int fixed, int from, int count, int horizontal,
                       int limit, float *out) {
    for (int i = 0; i < count * 8; i++) {
        float pos = (float)from + ((float)i - 3.5f) / 8.0f;
        int b0 = (int)(pos < 0 ? pos - 1 : pos), b1 = b0 + 1;
        float a = pos - (float)b0;
        if (b0 < 0) b0 = 0;
        if (b1 > limit - 1) b1 = limit - 1;
        if (b0 > limit - 1) b0 = limit - 1;
        float v0 = horizontal ? psci_jcoef_block_mean(jc, comp, b0, fixed) : psci_jcoef_block_mean(jc, comp, fixed, b0);
        float v1 = horizontal ? psci_jcoef_block_mean(jc, comp, b1, fixed) : psci_jcoef_block_mean(jc, comp, fixed, b1);
        out[i] = v0 * (1 - a) + v1 * a;
    }
}

static psc_status redact_jpeg_coefs(psc_ctx *ctx, const unsigned char *in, size_t n,
                                    psci_regions *rs, psci_buf *out) {
    psci_err *err = &ctx->err;
    psci_jcoef *jc = NULL;
    psci_jinfo info;
    psc_status st = psci_jcoef_open(in, n, max_pixels(ctx), &jc, &info, err);
    if (st != PSC_OK)
        return st;
    psci_style style = (psci_style)ctx->param[PSC_PARAM_STYLE];
    int mw = 8 * info.max_h, mh = 8 * info.max_v;
    float *plane = NULL, *lines = NULL;
    for (size_t i = 0; st == PSC_OK && i < rs->n; i++) {
        psci_region *r = &rs->v[i];
        /* Snap outward to the iMCU grid: every block that shows any part of the region. */
        int mx0 = r->x / mw, my0 = r->y / mh;
        int mx1 = (r->x + r->w + mw - 1) / mw, my1 = (r->y + r->h + mh - 1) / mh;
        r->x = mx0 * mw;
        r->y = my0 * mh;
        r->w = (mx1 - mx0) * mw;
        r->h = (my1 - my0) * mh;
        if (r->x + r->w > info.width) r->w = info.width - r->x;
        if (r->y + r->h > info.height) r->h = info.height - r->y;
        for (int c = 0; st == PSC_OK && c < info.ncomp; c++) {
            const psci_jcomp *cc = &info.comp[c];
            int bx0 = mx0 * cc->h_samp, bx1 = mx1 * cc->h_samp;
            int by0 = my0 * cc->v_samp, by1 = my1 * cc->v_samp;
            if (bx1 > cc->wb) bx1 = cc->wb;
            if (by1 > cc->hb) by1 = cc->hb;
            if (bx1 <= bx0 || by1 <= by0)
                continue;
            int W = (bx1 - bx0) * 8, H = (by1 - by0) * 8;
            free(plane);
            free(lines);
            plane = malloc(sizeof *plane * (size_t)W * (size_t)H);
            lines = malloc(sizeof *lines * (size_t)(2 * W + 2 * H));
            if (plane == NULL || lines == NULL) {
                st = psci_fail(err, PSC_ERR_NOMEM, "redact: out of memory");
                break;
            }
            float *top = NULL, *bottom = NULL, *left = NULL, *right = NULL;
            if (by0 > 0) block_line(jc, c, by0 - 1, bx0, bx1 - bx0, 1, cc->wb, top = lines);
            if (by1 < cc->hb) block_line(jc, c, by1, bx0, bx1 - bx0, 1, cc->wb, bottom = lines + W);
            if (bx0 > 0) block_line(jc, c, bx0 - 1, by0, by1 - by0, 0, cc->hb, left = lines + 2 * W);
            if (bx1 < cc->wb) block_line(jc, c, bx1, by0, by1 - by0, 0, cc->hb, right = lines + 2 * W + H);
            uint32_t seed = seed_of(r->x, r->y, c);
            if (style == PSCI_STYLE_PIXELATE) {
                for (int by = by0; by < by1; by++)
                    for (int bx = bx0; bx < bx1; bx++) {
                        float m = psci_jcoef_block_mean(jc, c, bx, by);
                        for (int y = 0; y < 8; y++)
                            for (int x = 0; x < 8; x++)
                                plane[(size_t)((by - by0) * 8 + y) * (size_t)W + (size_t)((bx - bx0) * 8 + x)] = m;
                    }
                int cell = (W < H ? W : H) / 3;
                psci_redact_pixelate(plane, W, H, cell < 16 ? 16 : cell, seed);
            } else {
                psci_redact_from_border(plane, W, H, top, bottom, left, right, style, seed);
            }
            for (int by = by0; by < by1; by++)
                for (int bx = bx0; bx < bx1; bx++) {
                    float blk[64];
                    for (int y = 0; y < 8; y++)
                        for (int x = 0; x < 8; x++)
                            blk[y * 8 + x] = plane[(size_t)((by - by0) * 8 + y) * (size_t)W + (size_t)((bx - bx0) * 8 + x)];
                    psci_jcoef_set_block(jc, c, bx, by, blk);
                }
        }
    }
    free(plane);
    free(lines);
    if (st == PSC_OK)
        st = psci_jcoef_write(jc, out, err);
    psci_jcoef_free(jc);
    return st;
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

psc_status psci_pixels_jpeg(psc_ctx *ctx, psci_buf *clean, int orient, const unsigned char *exif,
                            size_t exif_len, psc_report *rep) {
    psci_err *err = &ctx->err;
    psci_report_set_detection(rep, mode_names[ctx->param[PSC_PARAM_DETECT]]);
    psc_status st = PSC_OK;
    psci_regions hidden = {0};
    for (int round = 0; st == PSC_OK; round++) {
        unsigned char *gray = NULL;
        int w, h;
        st = psci_jpeg_decode_gray(clean->data, clean->len, max_pixels(ctx), &gray, &w, &h, err);
        if (st != PSC_OK)
            break;
        psci_regions rs = {0};
        st = find_regions(ctx, gray, w, h, orient, &hidden, &rs);
        free(gray);
        if (st != PSC_OK || rs.n == 0) {
            psci_regions_free(&rs);
            break;
        }
        if (round == MAX_ROUNDS) {
            psci_regions_free(&rs);
            st = psci_fail(err, PSC_ERR_UNSAFE, "redact: codes or text still readable after %d rounds; nothing written", MAX_ROUNDS);
            break;
        }
        psci_buf red, norm;
        psci_buf_init(&red);
        psci_buf_init(&norm);
        st = redact_jpeg_coefs(ctx, clean->data, clean->len, &rs, &red);
        if (st == PSC_OK)
            st = record_regions(rep, &rs, err);
        psci_regions_free(&hidden); /* the next round re-checks only what this one changed */
        hidden = rs;
        /* The encoder re-emits markers: send the result through the keep-list again. */
        psci_jpeg j;
        if (st == PSC_OK && (st = psci_jpeg_parse(red.data, red.len, &j, err)) == PSC_OK) {
            st = psci_jpeg_write(red.data, &j, exif, exif_len, (int)ctx->param[PSC_PARAM_KEEP_ICC], &norm, err);
            psci_jpeg_free(&j);
        }
        psci_buf_free(&red);
        if (st == PSC_OK) {
            psci_buf_free(clean);
            *clean = norm;
        } else {
            psci_buf_free(&norm);
        }
    }
    psci_regions_free(&hidden);
    return st;
}

/* Mean of a few pixels just outside the region, for each position along one side. */
static void pixel_line(const unsigned char *px, int w, int h, int ch, const psci_region *r,
                       int side, float *out) {
    int len = side < 2 ? r->w : r->h;
    for (int i = 0; i < len; i++) {
        float s = 0;
        int c = 0;
        for (int d = 1; d <= 3; d++) {
            int x, y;
            switch (side) {
            case 0: x = r->x + i; y = r->y - d; break;
            case 1: x = r->x + i; y = r->y + r->h - 1 + d; break;
            case 2: x = r->x - d; y = r->y + i; break;
            default: x = r->x + r->w - 1 + d; y = r->y + i; break;
            }
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            s += px[((size_t)y * (size_t)w + (size_t)x) * 4 + (size_t)ch];
            c++;
        }
        out[i] = c ? s / (float)c : 128.0f;
    }
}

static psc_status redact_rgba(psc_ctx *ctx, unsigned char *px, int w, int h, const psci_regions *rs) {
    psci_style style = (psci_style)ctx->param[PSC_PARAM_STYLE];
    for (size_t i = 0; i < rs->n; i++) {
        const psci_region *r = &rs->v[i];
        int W = r->w, H = r->h;
        float *plane = malloc(sizeof *plane * (size_t)W * (size_t)H);
        float *lines = malloc(sizeof *lines * (size_t)(2 * W + 2 * H));
        if (plane == NULL || lines == NULL) {
            free(plane);
            free(lines);
            return psci_fail(&ctx->err, PSC_ERR_NOMEM, "redact: out of memory");
        }
        for (int ch = 0; ch < 3; ch++) {
            float *top = r->y > 0 ? lines : NULL, *bottom = r->y + H < h ? lines + W : NULL;
            float *left = r->x > 0 ? lines + 2 * W : NULL, *right = r->x + W < w ? lines + 2 * W + H : NULL;
            if (top) pixel_line(px, w, h, ch, r, 0, top);
            if (bottom) pixel_line(px, w, h, ch, r, 1, bottom);
            if (left) pixel_line(px, w, h, ch, r, 2, left);
            if (right) pixel_line(px, w, h, ch, r, 3, right);
            uint32_t seed = seed_of(r->x, r->y, ch);
            if (style == PSCI_STYLE_PIXELATE) {
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++)
                        plane[(size_t)y * (size_t)W + (size_t)x] = px[((size_t)(r->y + y) * (size_t)w + (size_t)(r->x + x)) * 4 + (size_t)ch];
                int cell = (W < H ? W : H) / 3;
                psci_redact_pixelate(plane, W, H, cell < 16 ? 16 : cell, seed);
            } else {
                psci_redact_from_border(plane, W, H, top, bottom, left, right, style, seed);
            }
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    px[((size_t)(r->y + y) * (size_t)w + (size_t)(r->x + x)) * 4 + (size_t)ch] =
                        (unsigned char)(plane[(size_t)y * (size_t)W + (size_t)x] + 0.5f);
        }
        free(plane);
        free(lines);
    }
    return PSC_OK;
}

psc_status psci_pixels_png(psc_ctx *ctx, psci_buf *clean, int orient, psc_report *rep) {
    psci_err *err = &ctx->err;
    psci_report_set_detection(rep, mode_names[ctx->param[PSC_PARAM_DETECT]]);
    if (memmem(clean->data, clean->len, "acTL", 4) != NULL) {
        psci_png chk;
        if (psci_png_parse(clean->data, clean->len, &chk, err) == PSC_OK) {
            int animated = 0;
            for (size_t i = 0; i < chk.n; i++)
                if (memcmp(chk.chunks[i].type, "acTL", 4) == 0)
                    animated = 1;
            psci_png_free(&chk);
            if (animated)
                return psci_fail(err, PSC_ERR_UNSUPPORTED,
                                 "animated PNG: only the first frame could be checked for codes and text; use --metadata-only to strip metadata only");
        }
    }
    unsigned char *px = NULL;
    int w, h, alpha;
    psc_status st = psci_png_decode_rgba(clean->data, clean->len, max_pixels(ctx), &px, &w, &h, &alpha, err);
    int changed = 0;
    psci_regions hidden = {0};
    for (int round = 0; st == PSC_OK; round++) {
        unsigned char *gray = malloc((size_t)w * (size_t)h);
        if (gray == NULL) {
            st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
            break;
        }
        rgba_to_gray(px, (size_t)w * (size_t)h, gray);
        psci_regions rs = {0};
        st = find_regions(ctx, gray, w, h, orient, &hidden, &rs);
        free(gray);
        if (st != PSC_OK || rs.n == 0) {
            psci_regions_free(&rs);
            break;
        }
        if (round == MAX_ROUNDS) {
            psci_regions_free(&rs);
            st = psci_fail(err, PSC_ERR_UNSAFE, "redact: codes or text still readable after %d rounds; nothing written", MAX_ROUNDS);
            break;
        }
        st = redact_rgba(ctx, px, w, h, &rs);
        if (st == PSC_OK)
            st = record_regions(rep, &rs, err);
        psci_regions_free(&hidden); /* the next round re-checks only what this one changed */
        hidden = rs;
        changed = 1;
    }
    psci_regions_free(&hidden);
    if (st == PSC_OK && changed) {
        psci_buf enc, spliced;
        psci_buf_init(&enc);
        psci_buf_init(&spliced);
        st = psci_png_encode(px, w, h, alpha, &enc, err);
        if (st == PSC_OK)
            st = psci_png_splice(clean->data, clean->len, enc.data, enc.len, &spliced, err);
        psci_buf_free(&enc);
        if (st == PSC_OK) {
            psci_buf_free(clean);
            *clean = spliced;
            psci_report_note(rep, "PNG re-encoded after redaction (8-bit RGB/RGBA)", err);
        } else {
            psci_buf_free(&spliced);
        }
    }
    free(px);
    return st;
}

psc_status psci_pixels_heif(psc_ctx *ctx, const unsigned char *in, size_t n, int find_only,
                            psci_buf *jpeg, psc_report *rep) {
    psci_err *err = &ctx->err;
    psci_report_set_detection(rep, mode_names[ctx->param[PSC_PARAM_DETECT]]);
    unsigned char *px = NULL, *gray = NULL, *rgb = NULL;
    int w, h, alpha;
    /* libheif applies irot/imir/clap: the pixels are already in display orientation. */
    psc_status st = psci_heif_decode_rgba(in, n, max_pixels(ctx), &px, &w, &h, &alpha, err);
    size_t npx = st == PSC_OK ? (size_t)w * (size_t)h : 0;
    if (st == PSC_OK)
        psci_report_set_dims(rep, w, h); /* as shown: crop and rotation applied */
    if (st == PSC_OK && (gray = malloc(npx)) == NULL)
        st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    int changed = 0;
    psci_regions hidden = {0};
    for (int round = 0; st == PSC_OK; round++) {
        rgba_to_gray(px, npx, gray);
        psci_regions rs = {0};
        st = find_regions(ctx, gray, w, h, 1, &hidden, &rs);
        if (st == PSC_OK && find_only)
            st = record_regions(rep, &rs, err);
        if (st != PSC_OK || rs.n == 0 || find_only) {
            psci_regions_free(&rs);
            break;
        }
        if (round == MAX_ROUNDS) {
            psci_regions_free(&rs);
            st = psci_fail(err, PSC_ERR_UNSAFE, "redact: codes or text still readable after %d rounds; nothing written", MAX_ROUNDS);
            break;
        }
        st = redact_rgba(ctx, px, w, h, &rs);
        if (st == PSC_OK)
            st = record_regions(rep, &rs, err);
        psci_regions_free(&hidden); /* the next round re-checks only what this one changed */
        hidden = rs;
        changed = 1;
    }
    psci_regions_free(&hidden);
    if (st == PSC_OK && changed) {
        /* JPEG has no alpha: flatten onto white, so nothing hidden under transparency shows. */
        if ((rgb = malloc(npx * 3)) == NULL)
            st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == PSC_OK && i < npx; i++) {
            unsigned a = px[i * 4 + 3];
            for (int k = 0; k < 3; k++)
                rgb[i * 3 + (size_t)k] = (unsigned char)((px[i * 4 + (size_t)k] * a + 255u * (255u - a) + 127u) / 255u);
        }
        if (st == PSC_OK)
            st = psci_jpeg_encode_rgb(rgb, w, h, 92, jpeg, err);
        if (st == PSC_OK && alpha)
            st = psci_report_note(rep, "transparency flattened onto white (JPEG has no alpha)", err);
    }
    free(px);
    free(gray);
    free(rgb);
    return st;
}

psc_status psci_pixels_find(psc_ctx *ctx, const unsigned char *in, size_t n, int is_jpeg, int orient,
                            psc_report *rep) {
    psci_err *err = &ctx->err;
    psci_report_set_detection(rep, mode_names[ctx->param[PSC_PARAM_DETECT]]);
    unsigned char *gray = NULL, *rgba = NULL;
    int w = 0, h = 0, alpha;
    psc_status st;
    if (is_jpeg) {
        st = psci_jpeg_decode_gray(in, n, max_pixels(ctx), &gray, &w, &h, err);
    } else {
        st = psci_png_decode_rgba(in, n, max_pixels(ctx), &rgba, &w, &h, &alpha, err);
        if (st == PSC_OK && (gray = malloc((size_t)w * (size_t)h)) == NULL)
            st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
        if (st == PSC_OK)
            rgba_to_gray(rgba, (size_t)w * (size_t)h, gray);
    }
    psci_regions rs = {0};
    if (st == PSC_OK)
        st = find_regions(ctx, gray, w, h, orient, NULL, &rs);
    if (st == PSC_OK)
        st = record_regions(rep, &rs, err);
    psci_regions_free(&rs);
    free(gray);
    free(rgba);
    return st;
}

psc_status psci_make_preview(psc_ctx *ctx, const unsigned char *in, size_t n, int max_side,
                             psci_buf *out) {
    psci_err *err = &ctx->err;
    psc_report *rep = NULL;
    psc_status st = psci_pipeline_run(ctx, in, n, NULL, 0, &rep);
    int orient = psc_report_orientation(rep);
    int is_jpeg = rep && strcmp(psc_report_format(rep), "jpeg") == 0;
    int is_heif = rep && strcmp(psc_report_format(rep), "heif") == 0;
    psc_report_free(rep);
    if (st != PSC_OK)
        return st;
    unsigned char *px = NULL, *rgb = NULL, *rot = NULL;
    int w = 0, h = 0, alpha, stride;
    if (is_jpeg) {
        st = psci_jpeg_decode_rgb_scaled(in, n, max_pixels(ctx), max_side, &px, &w, &h, err);
        stride = 3;
    } else if (is_heif) {
        /* Decoded upright (irot/imir applied); the report's orientation is 1. */
        st = psci_heif_decode_rgba(in, n, max_pixels(ctx), &px, &w, &h, &alpha, err);
        stride = 4;
    } else {
        st = psci_png_decode_rgba(in, n, max_pixels(ctx), &px, &w, &h, &alpha, err);
        stride = 4;
    }
    /* Area-average down to max_side, dropping alpha (composited over white). */
    int longest = w > h ? w : h;
    int nw = w, nh = h;
    if (st == PSC_OK && longest > max_side) {
        nw = (int)((long)w * max_side / longest);
        nh = (int)((long)h * max_side / longest);
        if (nw < 1) nw = 1;
        if (nh < 1) nh = 1;
    }
    if (st == PSC_OK && (rgb = malloc((size_t)nw * (size_t)nh * 3)) == NULL)
        st = psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    for (int y = 0; st == PSC_OK && y < nh; y++)
        for (int x = 0; x < nw; x++) {
            int x0 = (int)((long)x * w / nw), x1 = (int)((long)(x + 1) * w / nw);
            int y0 = (int)((long)y * h / nh), y1 = (int)((long)(y + 1) * h / nh);
            if (x1 <= x0) x1 = x0 + 1;
            if (y1 <= y0) y1 = y0 + 1;
            unsigned long acc[3] = {0, 0, 0}, c = 0;
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++) {
                    const unsigned char *p = px + ((size_t)yy * (size_t)w + (size_t)xx) * (size_t)stride;
                    unsigned a = stride == 4 ? p[3] : 255;
                    for (int k = 0; k < 3; k++)
                        acc[k] += (p[k] * a + 255u * (255u - a)) / 255u;
                    c++;
                }
            for (int k = 0; k < 3; k++)
                rgb[((size_t)y * (size_t)nw + (size_t)x) * 3 + (size_t)k] = (unsigned char)(acc[k] / c);
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
                memcpy(rot + ((size_t)dy * (size_t)dw + (size_t)dx) * 3, rgb + ((size_t)y * (size_t)nw + (size_t)x) * 3, 3);
            }
    }
    if (st == PSC_OK)
        st = psci_jpeg_encode_rgb(rot ? rot : rgb, orient > 1 ? dw : nw, orient > 1 ? dh : nh, 80, out, err);
    free(px);
    free(rgb);
    free(rot);
    return st;
}
