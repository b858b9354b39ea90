/*
 * Candidate lines -> level, well-scaled crops -> Tesseract -> regions. See text_lines.h.
 */
#include "text_lines.h"

#include "text_cand.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TARGET_H = 30, MAX_SIDE = 4000 };
#define MAX_CROP_PIXELS 500000.0f

/* How a line's crop maps to the image: image = c + R(a) * (umin + (i + .5) / s, ...). */
typedef struct frame {
    float cx, cy, ca, sa, s, umin, vmin;
    int ow, oh;
} frame;

static void to_image(const frame *f, float i, float j, float *x, float *y) {
    float u = f->umin + i / f->s, v = f->vmin + j / f->s;
    *x = f->cx + u * f->ca - v * f->sa;
    *y = f->cy + u * f->sa + v * f->ca;
}

/* The crop of line l turned level and scaled by s, with a margin around its shapes. */
static int make_frame(const psci_tlines *ls, const psci_tline *l, float s, frame *f) {
    float a = fabsf(l->angle) < 0.026f ? 0.0f : l->angle; /* under 1.5 degrees: leave it */
    f->cx = (float)(l->x0 + l->x1) * 0.5f;
    f->cy = (float)(l->y0 + l->y1) * 0.5f;
    f->ca = cosf(a);
    f->sa = sinf(a);
    float umin = 1e9f, umax = -1e9f, vmin = 1e9f, vmax = -1e9f;
    for (size_t k = 0; k < l->n; k++) {
        const psci_cbox *b = &ls->boxes[l->first + k];
        float xs[2] = {(float)b->x0, (float)b->x1}, ys[2] = {(float)b->y0, (float)b->y1};
        for (int p = 0; p < 4; p++) {
            float dx = xs[p & 1] - f->cx, dy = ys[p >> 1] - f->cy;
            float u = dx * f->ca + dy * f->sa, v = -dx * f->sa + dy * f->ca;
            if (u < umin)
                umin = u;
            if (u > umax)
                umax = u;
            if (v < vmin)
                vmin = v;
            if (v > vmax)
                vmax = v;
        }
    }
    float hgt = (float)l->height;
    umin -= hgt * 1.0f;
    umax += hgt * 1.0f;
    vmin -= hgt * 0.6f;
    vmax += hgt * 0.6f;
    float side = (umax - umin) > (vmax - vmin) ? umax - umin : vmax - vmin;
    if (side * s > MAX_SIDE)
        s = MAX_SIDE / side;
    f->s = s;
    f->umin = umin;
    f->vmin = vmin;
    f->ow = (int)((umax - umin) * s + 0.5f);
    f->oh = (int)((vmax - vmin) * s + 0.5f);
    return f->ow >= 8 && f->oh >= 8;
}

static unsigned char *warp(const unsigned char *g, int w, int h, const frame *f) {
    unsigned char *d = malloc((size_t)f->ow * (size_t)f->oh);
    if (d == NULL)
        return NULL;
    for (int j = 0; j < f->oh; j++)
        for (int i = 0; i < f->ow; i++) {
            float x, y;
            to_image(f, (float)i + 0.5f, (float)j + 0.5f, &x, &y);
            x -= 0.5f;
            y -= 0.5f;
            if (x < 0)
                x = 0;
            if (y < 0)
                y = 0;
            if (x > (float)(w - 1))
                x = (float)(w - 1);
            if (y > (float)(h - 1))
                y = (float)(h - 1);
            int ix = (int)x, iy = (int)y;
            int ix1 = ix + 1 < w ? ix + 1 : ix, iy1 = iy + 1 < h ? iy + 1 : iy;
            float ax = x - (float)ix, ay = y - (float)iy;
            const unsigned char *r0 = g + (size_t)iy * (size_t)w, *r1 = g + (size_t)iy1 * (size_t)w;
            float v = (1 - ay) * ((1 - ax) * r0[ix] + ax * r0[ix1]) +
                      ay * ((1 - ax) * r1[ix] + ax * r1[ix1]);
            d[(size_t)j * (size_t)f->ow + (size_t)i] = (unsigned char)(v + 0.5f);
        }
    return d;
}

float psci_text_similarity(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n == 0 || m == 0 || n > 255 || m > 255)
        return n == m && n > 0 ? (strcmp(a, b) == 0) : 0.0f;
    size_t prev[256], cur[256];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t best = prev[j] + 1 < cur[j - 1] + 1 ? prev[j] + 1 : cur[j - 1] + 1;
            cur[j] = sub < best ? sub : best;
        }
        memcpy(prev, cur, (m + 1) * sizeof prev[0]);
    }
    return 1.0f - (float)prev[m] / (float)(n > m ? n : m);
}

static int good_word(const psci_word *w) {
    if (w->alnum * 2 < w->total)
        return 0;
    return (w->alnum >= 3 && w->conf >= 50) || (w->alnum >= 2 && w->conf >= 70);
}

/* What one reading of a line says: letters of its good words, their mean confidence. */
typedef struct reading {
    int alnum;
    float mean;
    char text[256];
} reading;

static void summarise(const psci_words *ws, size_t from, reading *r) {
    memset(r, 0, sizeof *r);
    float sum = 0;
    int n = 0;
    for (size_t k = from; k < ws->n; k++) {
        if (!good_word(&ws->v[k]))
            continue;
        r->alnum += ws->v[k].alnum;
        sum += ws->v[k].conf;
        n++;
        size_t len = strlen(r->text);
        if (len + strlen(ws->v[k].text) < sizeof r->text)
            memcpy(r->text + len, ws->v[k].text, strlen(ws->v[k].text) + 1);
    }
    r->mean = n ? sum / (float)n : 0;
}

static psc_status read_frame(psci_tess *t, const unsigned char *g, int w, int h, const frame *f,
                             int psm, int left_ms, psci_words *ws, psci_err *err) {
    unsigned char *crop = warp(g, w, h, f);
    if (crop == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
    psc_status st = psci_tess_read(t, crop, f->ow, f->oh, f->ow, psm, left_ms, ws, err);
    free(crop);
    return st;
}

static psc_status emit(psci_regions *out, int x0, int y0, int x1, int y1, float conf, int weak,
                       int w, int h, psci_err *err) {
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > w)
        x1 = w;
    if (y1 > h)
        y1 = h;
    if (x1 <= x0 || y1 <= y0)
        return PSC_OK;
    psci_region r = {x0, y0, x1 - x0, y1 - y0, PSCI_R_TEXT, 0, conf, "tesseract", NULL, weak};
    return psci_regions_add(out, &r, err);
}

/* A word's box in the crop, mapped back to the image (the box around its four corners). */
static psc_status emit_word(psci_regions *out, const frame *f, const psci_word *wd, int weak, int w,
                            int h, psci_err *err) {
    float xs[4], ys[4];
    to_image(f, (float)wd->x0, (float)wd->y0, &xs[0], &ys[0]);
    to_image(f, (float)wd->x1, (float)wd->y0, &xs[1], &ys[1]);
    to_image(f, (float)wd->x0, (float)wd->y1, &xs[2], &ys[2]);
    to_image(f, (float)wd->x1, (float)wd->y1, &xs[3], &ys[3]);
    float x0 = xs[0], x1 = xs[0], y0 = ys[0], y1 = ys[0];
    for (int k = 1; k < 4; k++) {
        if (xs[k] < x0)
            x0 = xs[k];
        if (xs[k] > x1)
            x1 = xs[k];
        if (ys[k] < y0)
            y0 = ys[k];
        if (ys[k] > y1)
            y1 = ys[k];
    }
    return emit(out, (int)x0, (int)y0, (int)(x1 + 1), (int)(y1 + 1), wd->conf, weak, w, h, err);
}

/* A line's shapes, in pieces about three letter heights long (tilted lines stay tight). */
static psc_status emit_shapes(psci_regions *out, const psci_tlines *ls, const psci_tline *l,
                              float conf, int weak, int w, int h, psci_err *err) {
    psc_status st = PSC_OK;
    for (size_t k = 0; k < l->n && st == PSC_OK;) {
        psci_cbox b = ls->boxes[l->first + k++];
        while (k < l->n && b.x1 - b.x0 < 3 * l->height) {
            const psci_cbox *c = &ls->boxes[l->first + k++];
            if (c->x0 < b.x0)
                b.x0 = c->x0;
            if (c->y0 < b.y0)
                b.y0 = c->y0;
            if (c->x1 > b.x1)
                b.x1 = c->x1;
            if (c->y1 > b.y1)
                b.y1 = c->y1;
        }
        st = emit(out, b.x0, b.y0, b.x1, b.y1, conf, weak, w, h, err);
    }
    return st;
}

/* Lines are read biggest first (a whole block before the lines inside it). */
typedef struct by_area {
    long area;
    size_t i;
} by_area;

static int area_cmp(const void *a, const void *b) {
    const by_area *p = a, *q = b;
    if (p->area != q->area)
        return (p->area < q->area) - (p->area > q->area);
    return (p->i > q->i) - (p->i < q->i);
}

static int mostly_inside(const psci_tline *l, const psci_tline *big) {
    int x0 = l->x0 > big->x0 ? l->x0 : big->x0, x1 = l->x1 < big->x1 ? l->x1 : big->x1;
    int y0 = l->y0 > big->y0 ? l->y0 : big->y0, y1 = l->y1 < big->y1 ? l->y1 : big->y1;
    if (x1 <= x0 || y1 <= y0)
        return 0;
    long in = (long)(x1 - x0) * (y1 - y0), all = (long)(l->x1 - l->x0) * (l->y1 - l->y0);
    return in * 100 >= all * 85;
}

psc_status psci_text_lines(psci_tess *t, const unsigned char *gray, int w, int h, int mode,
                           int deadline_ms, int *busy, psci_regions *out, psci_err *err) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *busy = 0;
    psci_tlines ls;
    memset(&ls, 0, sizeof ls);
    psc_status st = psci_text_candidates(gray, w, h, &ls, err);
    if (st == PSC_ERR_LIMIT) {
        *busy = 1;
        psci_tlines_free(&ls);
        return PSC_OK;
    }
    by_area *ba = st == PSC_OK ? malloc((ls.n ? ls.n : 1) * sizeof *ba) : NULL;
    char *sure = st == PSC_OK ? calloc(ls.n ? ls.n : 1, 1) : NULL;
    if (st == PSC_OK && (ba == NULL || sure == NULL))
        st = psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
    if (st == PSC_OK) {
        for (size_t i = 0; i < ls.n; i++)
            ba[i] = (by_area){(long)(ls.v[i].x1 - ls.v[i].x0) * (ls.v[i].y1 - ls.v[i].y0), i};
        qsort(ba, ls.n, sizeof *ba, area_cmp);
    }
    /* A chain whose crop at letter scale is huge is a mesh of texture or a block of lines
     * run together (one cost Tesseract 40 s on a phone photo of gravel): the picture is then
     * better read whole. Staged scenes' largest such crops are under 0.2 MP. */
    for (size_t i = 0; st == PSC_OK && i < ls.n; i++) {
        const psci_tline *l = &ls.v[i];
        float s = (float)TARGET_H / (float)l->height;
        if ((float)(l->x1 - l->x0) * (float)(l->y1 - l->y0) * s * s > MAX_CROP_PIXELS) {
            *busy = 1;
            free(ba), free(sure);
            psci_tlines_free(&ls);
            return PSC_OK;
        }
    }
    psci_words ws = {NULL, 0, 0};
    for (size_t oi = 0; st == PSC_OK && oi < ls.n; oi++) {
        const psci_tline *l = &ls.v[ba[oi].i];
        int skip = 0;
        for (size_t pj = 0; pj < oi && !skip; pj++)
            skip = sure[ba[pj].i] && mostly_inside(l, &ls.v[ba[pj].i]);
        if (skip)
            continue;
        if (psci_tess_cancelled(t)) {
            st = psci_fail(err, PSC_ERR_CANCELLED, "cancelled");
            break;
        }
        long left = deadline_ms - psci_elapsed_ms(&t0);
        if (left <= 0) {
            st = psci_fail(err, PSC_ERR_LIMIT,
                           "text: OCR took longer than %d ms (setting max-ocr-seconds)",
                           deadline_ms);
            break;
        }
        frame f;
        if (!make_frame(&ls, l, (float)TARGET_H / (float)l->height, &f))
            continue;
        int psm = (float)f.oh > 3.2f * TARGET_H ? 6 : 7;
        ws.n = 0;
        st = read_frame(t, gray, w, h, &f, psm, (int)left, &ws, err);
        if (st != PSC_OK)
            break;
        reading r1;
        summarise(&ws, 0, &r1);
        int is_sure = r1.alnum >= 3 && r1.mean >= 80;
        if (!is_sure && r1.alnum >= 3 && r1.mean >= 60 && mode >= 1) {
            /* A second look at another scale: text reads the same, texture does not. */
            frame f2;
            size_t from = ws.n;
            if (make_frame(&ls, l, f.s * 0.7f, &f2)) {
                left = deadline_ms - psci_elapsed_ms(&t0);
                st = read_frame(t, gray, w, h, &f2, psm, left > 0 ? (int)left : 1, &ws, err);
                if (st != PSC_OK)
                    break;
                reading r2;
                summarise(&ws, from, &r2);
                /* Asphalt and stone read as short confident-ish words at one scale and
                 * similar ones at the next: ask for fair confidence both times. */
                is_sure = r2.mean >= 60 && psci_text_similarity(r1.text, r2.text) >= 0.5f;
            }
            ws.n = from;
        }
        sure[ba[oi].i] = (char)is_sure;
        if (is_sure)
            st = emit_shapes(out, &ls, l, r1.mean, 0, w, h, err);
        for (size_t k = 0; k < ws.n && st == PSC_OK; k++) {
            const psci_word *wd = &ws.v[k];
            if (wd->alnum == 0 || (float)(wd->y1 - wd->y0) > 2.5f * TARGET_H)
                continue;
            if (is_sure || (wd->alnum >= 2 && wd->conf >= 30))
                st = emit_word(out, &f, wd, !is_sure, w, h, err);
        }
    }
    psci_words_free(&ws);
    free(ba);
    free(sure);
    psci_tlines_free(&ls);
    return st;
}
