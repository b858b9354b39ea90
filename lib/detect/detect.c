/*
 * Detection orchestrator. Codes: ZBar and zxing-cpp on the full frame, on overlapping tiles
 * (small codes in big photos) and on a downscaled copy (big codes). Text: Tesseract with
 * sparse-text segmentation on a copy scaled to suit the mode. Boxes come back in the input's
 * pixel coordinates.
 */
#include "detect.h"

#include "barcode_zbar.h"
#include "barcode_zxing.h"
#include "code_cand.h"
#include "text_lines.h"
#include "text_tess.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct psci_detector {
    psci_zbar *zbar;
    psci_tess *tess;
    char langs[128];
    char tessdata[1024]; /* the folder the OCR model was loaded from ("" searched) */
};

psci_detector *psci_detector_new(void) {
    return calloc(1, sizeof(psci_detector));
}

void psci_detector_free(psci_detector *d) {
    if (d == NULL)
        return;
    psci_zbar_free(d->zbar);
    psci_tess_free(d->tess);
    free(d);
}

psc_status psci_detector_prepare(psci_detector *d, const psci_detect_opts *o, psci_err *err) {
    if (o->codes && d->zbar == NULL && (d->zbar = psci_zbar_new()) == NULL)
        return psci_fail(err, PSC_ERR_DETECTOR, "zbar: cannot create a scanner");
    const char *folder = o->tessdata ? o->tessdata : "";
    if (o->text &&
        (d->tess == NULL || strcmp(d->langs, o->langs) != 0 || strcmp(d->tessdata, folder) != 0)) {
        psci_tess_free(d->tess);
        d->tess = NULL;
        d->langs[0] = '\0';
        if (strlen(o->langs) >= sizeof d->langs || strlen(folder) >= sizeof d->tessdata)
            return psci_fail(err, PSC_ERR_ARG, "text: language list or data folder too long");
        psc_status st = psci_tess_new(o->langs, folder, &d->tess, err);
        if (st != PSC_OK)
            return st;
        memcpy(d->langs, o->langs, strlen(o->langs) + 1);
        memcpy(d->tessdata, folder, strlen(folder) + 1);
    }
    return PSC_OK;
}

/* Area-average (down) or bilinear (up) rescale to nw x nh. */
static unsigned char *rescale(const unsigned char *src, int w, int h, int nw, int nh) {
    unsigned char *dst = malloc((size_t)nw * (size_t)nh);
    if (dst == NULL)
        return NULL;
    float sx = (float)w / (float)nw, sy = (float)h / (float)nh;
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++) {
            if (sx >= 1.0f && sy >= 1.0f) {
                int x0 = (int)((float)x * sx), x1 = (int)((float)(x + 1) * sx);
                int y0 = (int)((float)y * sy), y1 = (int)((float)(y + 1) * sy);
                if (x1 <= x0)
                    x1 = x0 + 1;
                if (y1 <= y0)
                    y1 = y0 + 1;
                if (x1 > w)
                    x1 = w;
                if (y1 > h)
                    y1 = h;
                unsigned sum = 0, c = 0;
                for (int yy = y0; yy < y1; yy++)
                    for (int xx = x0; xx < x1; xx++) {
                        sum += src[(size_t)yy * (size_t)w + (size_t)xx];
                        c++;
                    }
                dst[(size_t)y * (size_t)nw + (size_t)x] = (unsigned char)(c ? sum / c : 0);
            } else {
                float fx = ((float)x + 0.5f) * sx - 0.5f, fy = ((float)y + 0.5f) * sy - 0.5f;
                if (fx < 0)
                    fx = 0;
                if (fy < 0)
                    fy = 0;
                int ix = (int)fx, iy = (int)fy;
                int ix1 = ix + 1 < w ? ix + 1 : ix, iy1 = iy + 1 < h ? iy + 1 : iy;
                float ax = fx - (float)ix, ay = fy - (float)iy;
                float v = (1 - ax) * (1 - ay) * src[(size_t)iy * (size_t)w + (size_t)ix] +
                          ax * (1 - ay) * src[(size_t)iy * (size_t)w + (size_t)ix1] +
                          (1 - ax) * ay * src[(size_t)iy1 * (size_t)w + (size_t)ix] +
                          ax * ay * src[(size_t)iy1 * (size_t)w + (size_t)ix1];
                dst[(size_t)y * (size_t)nw + (size_t)x] = (unsigned char)(v + 0.5f);
            }
        }
    return dst;
}

enum { MAX_PATCHES = 48, SMALL_FRAME = 2000 };

static psc_status scan_patches(psci_detector *d, const psci_detect_opts *o, const unsigned char *g,
                               int w, int h, size_t found_from, psci_regions *out, psci_err *err);

/* The caller's cancel poll, asked between detector passes (each reader pass, tile and patch;
 * OCR polls it per line and inside Tesseract). */
static psc_status check_cancel(const psci_detect_opts *o, psci_err *err) {
    if (o->cancelled != NULL && o->cancelled(o->cancel_ud))
        return psci_fail(err, PSC_ERR_CANCELLED, "cancelled");
    return PSC_OK;
}

static psc_status scan_codes(psci_detector *d, const psci_detect_opts *o, const unsigned char *g,
                             int w, int h, psci_regions *out, psci_err *err) {
    psc_status st = PSC_OK;
    size_t found_from = out->n;
    /* ZBar's cost is the pixels its scan lines cross (about 0.3 s per megapixel and
     * direction at full density, twice that with light-on-dark codes tried). Default mode
     * scans a big photo at half resolution on every 2nd row and column, light-on-dark
     * included; small codes, too fine for that, are read again on upscaled patches below.
     * Small images and re-check crops are scanned fully. */
    int longest = w > h ? w : h;
    int zxing_done = 0;
    if (o->mode <= 1 && longest > 1600 && w >= 64 && h >= 64) {
        unsigned char *s = rescale(g, w, h, w / 2, h / 2);
        if (s == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "detect: out of memory");
        st = psci_zbar_scan(d->zbar, s, w / 2, h / 2, w / 2, 2, 1, 0, 0, 2.0f, out, err);
        if (st == PSC_OK)
            st = check_cancel(o, err);
        /* zxing trying harder on the half-size copy: big codes at any angle (a 45-degree QR
         * the full-frame pass misses) for ~0.05 s. Fast mode stops there. */
        if (st == PSC_OK) {
            st = psci_zxing_scan(s, w / 2, h / 2, w / 2, 0, 0, 2.0f, 1, out, err);
            zxing_done = o->mode == 0;
        }
        free(s);
    } else {
        st = psci_zbar_scan(d->zbar, g, w, h, w, 1, 1, 0, 0, 1.0f, out, err);
    }
    if (st == PSC_OK)
        st = check_cancel(o, err);
    int f4 = longest > 2400 ? 4 : 2;
    if (st == PSC_OK && o->mode >= 2 && longest > 1200 && w / f4 >= 16 && h / f4 >= 16) {
        int f = f4;
        unsigned char *s = rescale(g, w, h, w / f, h / f);
        if (s == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "detect: out of memory");
        st = psci_zbar_scan(d->zbar, s, w / f, h / f, w / f, 1, 1, 0, 0, (float)f, out, err);
        free(s);
        if (st == PSC_OK)
            st = check_cancel(o, err);
    }
    /* zxing-cpp reads what ZBar cannot (DataMatrix, PDF417, Aztec). Its locators are tuned to
     * codes filling a good part of the frame, so small codes in big photos need help: the
     * upscaled patches (default) and, in thorough mode, tiles of about half the short side,
     * 384..1024 px, overlapping by a quarter. */
    if (st == PSC_OK && !zxing_done)
        st = psci_zxing_scan(g, w, h, w, 0, 0, 1.0f,
                             o->mode >= 2 || (o->mode == 1 && longest <= 1600), out, err);
    if (st == PSC_OK)
        st = check_cancel(o, err);
    int shortest = w < h ? w : h;
    int tile = shortest / 2 < 384 ? 384 : shortest / 2 > 1024 ? 1024 : shortest / 2;
    int stride = tile * 3 / 4;
    if (st == PSC_OK && o->mode >= 2 && (w > tile || h > tile)) {
        for (int ty = 0; st == PSC_OK && ty < h; ty += stride) {
            for (int tx = 0; st == PSC_OK && tx < w; tx += stride) {
                int tw = tx + tile <= w ? tile : w - tx, th = ty + tile <= h ? tile : h - ty;
                if (tw < 64 || th < 64)
                    continue;
                const unsigned char *p = g + (size_t)ty * (size_t)w + (size_t)tx;
                st = psci_zxing_scan(p, tw, th, w, tx, ty, 1.0f, o->mode >= 2, out, err);
                if (st == PSC_OK)
                    st = check_cancel(o, err);
                if (tx + tile >= w)
                    break;
            }
            if (ty + tile >= h)
                break;
        }
    }
    if (st == PSC_OK)
        st = scan_patches(d, o, g, w, h, found_from, out, err);
    return st;
}

/* Is most of patch p inside a code already found? */
static int already_found(const psci_patch *p, const psci_regions *rs, size_t from) {
    long area = (long)(p->x1 - p->x0) * (p->y1 - p->y0);
    for (size_t i = from; i < rs->n; i++) {
        const psci_region *r = &rs->v[i];
        if (r->kind == PSCI_R_TEXT)
            continue;
        int ix = (p->x1 < r->x + r->w ? p->x1 : r->x + r->w) - (p->x0 > r->x ? p->x0 : r->x);
        int iy = (p->y1 < r->y + r->h ? p->y1 : r->y + r->h) - (p->y0 > r->y ? p->y0 : r->y);
        if (ix > 0 && iy > 0 && (long)ix * iy * 5 >= area * 4)
            return 1;
    }
    return 0;
}

/* Small codes the frame passes missed (thin 1D bars, Data Matrix under ~120 px): each patch
 * dense in sharp edges is cut out with a quiet-zone margin, upscaled 2x and read again by
 * both readers, zxing trying harder. */
static psc_status scan_patches(psci_detector *d, const psci_detect_opts *o, const unsigned char *g,
                               int w, int h, size_t found_from, psci_regions *out, psci_err *err) {
    psci_patches ps = {NULL, 0, 0};
    psc_status st = psci_code_candidates(g, w, h, MAX_PATCHES, &ps, err);
    for (size_t i = 0; st == PSC_OK && i < ps.n; i++) {
        const psci_patch *p = &ps.v[i];
        if ((st = check_cancel(o, err)) != PSC_OK)
            break;
        if (already_found(p, out, found_from))
            continue;
        /* The patch with a margin; past the photo's edge the margin is white, a quiet zone
         * for codes printed to the edge of the frame. */
        int mx = (p->x1 - p->x0) / 4 + 16, my = (p->y1 - p->y0) / 4 + 16;
        int x0 = p->x0 - mx, y0 = p->y0 - my, cw = p->x1 - p->x0 + 2 * mx,
            ch = p->y1 - p->y0 + 2 * my;
        unsigned char *crop = malloc((size_t)cw * (size_t)ch);
        if (crop == NULL) {
            st = psci_fail(err, PSC_ERR_NOMEM, "detect: out of memory");
            break;
        }
        memset(crop, 255, (size_t)cw * (size_t)ch);
        for (int y = y0 < 0 ? 0 : y0; y < y0 + ch && y < h; y++) {
            int sx = x0 < 0 ? 0 : x0, ex = x0 + cw < w ? x0 + cw : w;
            memcpy(crop + (size_t)(y - y0) * (size_t)cw + (size_t)(sx - x0),
                   g + (size_t)y * (size_t)w + (size_t)sx, (size_t)(ex - sx));
        }
        unsigned char *up = rescale(crop, cw, ch, cw * 2, ch * 2);
        free(crop);
        if (up == NULL) {
            st = psci_fail(err, PSC_ERR_NOMEM, "detect: out of memory");
            break;
        }
        size_t before = out->n;
        st = psci_zxing_scan(up, cw * 2, ch * 2, cw * 2, x0, y0, 0.5f, 1, out, err);
        if (st == PSC_OK)
            st = psci_zbar_scan(d->zbar, up, cw * 2, ch * 2, cw * 2, 1, 1, x0, y0, 0.5f, out, err);
        free(up);
        if (st == PSC_OK && p->bars && out->n == before) {
            /* Located but not decoded (too thin, tilted, damaged): a 1D code all the same,
             * and other readers may do better. */
            psci_region r = {p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0, PSCI_R_BARCODE,
                             1,     50.0f, "locator",     NULL,          0};
            st = psci_regions_add(out, &r, err);
        }
    }
    psci_patches_free(&ps);
    return st;
}

/* The whole frame read by Tesseract's sparse-text mode (small pictures, and pictures too busy
 * for the candidate stage). */
static psc_status scan_frame_text(psci_detector *d, const psci_detect_opts *o,
                                  const unsigned char *g, int w, int h, psci_regions *out,
                                  psci_err *err) {
    /* Long side OCR works on, per mode; small photos are upscaled (small print reads better).
     * Thorough mode once read every photo whole at 3600 px with PSM 11 and 12: 20-40 s per
     * photo, time-outs, texture "words" hiding 5% of foliage and failing photos without
     * text. The candidate lines do that work now in every mode. */
    static const int target[3] = {1600, 2400, 2400};
    int longest = w > h ? w : h;
    float s = (float)target[o->mode] / (float)longest;
    if (s > 2.0f)
        s = 2.0f;
    if (o->mode < 2 && s > 0.95f && s < 1.05f)
        s = 1.0f;
    unsigned char *img = NULL;
    int nw = w, nh = h;
    if (s != 1.0f) {
        nw = (int)((float)w * s + 0.5f);
        nh = (int)((float)h * s + 0.5f);
        if (nw < 1)
            nw = 1;
        if (nh < 1)
            nh = 1;
        img = rescale(g, w, h, nw, nh);
        if (img == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "detect: out of memory");
    }
    psc_status st = psci_tess_scan(d->tess, img ? img : g, nw, nh, nw, 11, o->deadline_ms, 0, 0,
                                   1.0f / s, out, err);
    free(img);
    return st;
}

static psc_status scan_text(psci_detector *d, const psci_detect_opts *o, const unsigned char *g,
                            int w, int h, psci_regions *out, psci_err *err) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int busy = 0;
    psci_tess_set_cancel(d->tess, o->cancelled, o->cancel_ud);
    psc_status st = psci_text_lines(d->tess, g, w, h, o->mode, o->deadline_ms, &busy, out, err);
    /* Small pictures (screenshots, scans, charts) are cheap to read whole, and the frame pass
     * finds what lines of three letters miss: lone numbers, two-letter words. */
    int longest = w > h ? w : h;
    int small = o->mode >= 1 && !o->recheck && longest <= SMALL_FRAME;
    if (st != PSC_OK || (!busy && !small))
        return st;
    psci_detect_opts rest = *o;
    rest.deadline_ms = o->deadline_ms - (int)psci_elapsed_ms(&t0);
    if (rest.deadline_ms <= 0)
        return psci_fail(err, PSC_ERR_LIMIT,
                         "text: OCR took longer than %d ms (setting max-ocr-seconds)",
                         o->deadline_ms);
    return scan_frame_text(d, &rest, g, w, h, out, err);
}

static psc_status scan_all(psci_detector *d, const psci_detect_opts *o, const unsigned char *g,
                           int w, int h, psci_regions *out, psci_err *err) {
    psc_status st = check_cancel(o, err);
    if (st == PSC_OK && o->codes)
        st = scan_codes(d, o, g, w, h, out, err);
    if (st == PSC_OK && o->text && (st = check_cancel(o, err)) == PSC_OK)
        st = scan_text(d, o, g, w, h, out, err);
    return st;
}

psc_status psci_detect_run(psci_detector *d, const psci_detect_opts *o, const unsigned char *gray,
                           int w, int h, const psci_regions *focus, psci_regions *out,
                           psci_err *err) {
    psc_status st = psci_detector_prepare(d, o, err);
    if (st != PSC_OK || focus == NULL)
        return st == PSC_OK ? scan_all(d, o, gray, w, h, out, err) : st;
    for (size_t i = 0; st == PSC_OK && i < focus->n; i++) {
        /* The changed box and a margin of its own size (at least 64 px) around it. */
        const psci_region *f = &focus->v[i];
        int mx = f->w > 64 ? f->w : 64, my = f->h > 64 ? f->h : 64;
        int x0 = f->x - mx < 0 ? 0 : f->x - mx, y0 = f->y - my < 0 ? 0 : f->y - my;
        int x1 = f->x + f->w + mx > w ? w : f->x + f->w + mx;
        int y1 = f->y + f->h + my > h ? h : f->y + f->h + my;
        int cw = x1 - x0, ch = y1 - y0;
        if (cw < 8 || ch < 8)
            continue;
        unsigned char *crop = malloc((size_t)cw * (size_t)ch);
        if (crop == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "detect: out of memory");
        for (int y = 0; y < ch; y++)
            memcpy(crop + (size_t)y * (size_t)cw, gray + (size_t)(y0 + y) * (size_t)w + (size_t)x0,
                   (size_t)cw);
        size_t before = out->n;
        psci_detect_opts again = *o;
        again.recheck = 1;
        st = scan_all(d, &again, crop, cw, ch, out, err);
        free(crop);
        for (size_t k = before; k < out->n; k++) {
            out->v[k].x += x0;
            out->v[k].y += y0;
        }
    }
    return st;
}

/* The second look: readers set for recall and configured unlike the finder (other scales,
 * both polarities, every scan line at a coarser scale), on the whole picture. Only decoded
 * codes count: the question is whether anything is still readable. */
static psc_status verify_codes(psci_detector *d, const psci_detect_opts *o, const unsigned char *g,
                               int w, int h, psci_regions *out, psci_err *err) {
    int longest = w > h ? w : h;
    int f = longest > 3200 ? 4 : longest > 1600 ? 2 : 1;
    psc_status st = PSC_OK;
    unsigned char *s = f > 1 ? rescale(g, w, h, w / f, h / f) : NULL;
    unsigned char *inv = malloc((size_t)(w / f) * (size_t)(h / f));
    if ((f > 1 && s == NULL) || inv == NULL) {
        free(s);
        free(inv);
        return psci_fail(err, PSC_ERR_NOMEM, "verify: out of memory");
    }
    const unsigned char *src = s ? s : g;
    int sw = w / f, sh = h / f;
    size_t from = out->n;
    for (size_t i = 0; i < (size_t)sw * (size_t)sh; i++)
        inv[i] = (unsigned char)(255 - src[i]);
    /* ZBar on every line of the reduced copy, light-on-dark too: 1D codes at any angle. */
    st = psci_zbar_scan(d->zbar, src, sw, sh, sw, 1, 1, 0, 0, (float)f, out, err);
    if (st == PSC_OK)
        st = check_cancel(o, err);
    /* zxing on both polarities (libZXing 1.4 has no inverted mode). */
    if (st == PSC_OK)
        st = psci_zxing_scan(src, sw, sh, sw, 0, 0, (float)f, 1, out, err);
    if (st == PSC_OK)
        st = psci_zxing_scan(inv, sw, sh, sw, 0, 0, (float)f, 1, out, err);
    if (st == PSC_OK && f == 4 && o->mode >= 1) {
        /* Mid-size codes too fine for a quarter scale: zxing at half scale as well. */
        unsigned char *hs = rescale(g, w, h, w / 2, h / 2);
        if (hs == NULL)
            st = psci_fail(err, PSC_ERR_NOMEM, "verify: out of memory");
        else
            st = psci_zxing_scan(hs, w / 2, h / 2, w / 2, 0, 0, 2.0f, 1, out, err);
        free(hs);
    }
    free(s);
    free(inv);
    /* Located-but-undecoded symbols are the finder's business, not a proof of a leak. */
    size_t k = from;
    for (size_t i = from; i < out->n; i++)
        if (out->v[i].conf >= 100.0f) {
            out->v[k] = out->v[i];
            out->v[k].detector = "second look";
            k++;
        }
    out->n = k;
    return st;
}

psc_status psci_detect_verify(psci_detector *d, const psci_detect_opts *o,
                              const unsigned char *gray, int w, int h, psci_regions *out,
                              psci_err *err) {
    psc_status st = psci_detector_prepare(d, o, err);
    if (st == PSC_OK && o->codes)
        st = verify_codes(d, o, gray, w, h, out, err);
    return st;
}
