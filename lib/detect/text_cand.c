/*
 * Text candidates without OCR. Each pyramid level is binarised against a local mean and
 * spread (8x8 blocks smoothed over 5x5 blocks, so about 40 px windows), both polarities;
 * connected components are labelled from row runs with union-find; components shaped like
 * letters are linked to neighbours of similar height on a line (a tilt up to about 15 degrees
 * allowed); chains of at least three, or two long ones, become candidate lines. Level 0 is the
 * image (downscaled past 4096 px), level 1 a quarter of it for big lettering.
 */
#include "text_cand.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK = 8, SMOOTH = 2, MAX_RUNS = 3000000, MIN_H = 7 };
#define MIN_STRENGTH 1.9f

typedef struct run {
    int x0, x1;     /* inclusive */
    float strength; /* sum over its pixels of |value - local mean| / local margin */
} run;

typedef struct comp {
    int x0, y0, x1, y1; /* inclusive */
    int count;
    int group;
    float strength; /* mean contrast in units of the local margin: letters are crisp */
} comp;

typedef struct link {
    int32_t from; /* the left component, until groups are known */
    int group;
    float angle;
} link;

static int uf_find(int32_t *p, int i) {
    while (p[i] != i) {
        p[i] = p[p[i]];
        i = p[i];
    }
    return i;
}

static void uf_union(int32_t *p, int a, int b) {
    a = uf_find(p, a);
    b = uf_find(p, b);
    if (a != b) {
        if (a < b)
            p[b] = a;
        else
            p[a] = b;
    }
}

/* Per-block thresholds: local mean and a contrast margin from the local spread. */
static int block_thresholds(const unsigned char *g, int w, int h, float **mean_out,
                            float **thr_out) {
    int bw = (w + BLOCK - 1) / BLOCK, bh = (h + BLOCK - 1) / BLOCK;
    size_t nb = (size_t)bw * (size_t)bh;
    double *s1 = calloc(nb, sizeof *s1), *s2 = calloc(nb, sizeof *s2);
    int *cnt = calloc(nb, sizeof *cnt);
    float *mean = malloc(nb * sizeof *mean), *thr = malloc(nb * sizeof *thr);
    if (!s1 || !s2 || !cnt || !mean || !thr) {
        free(s1), free(s2), free(cnt), free(mean), free(thr);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        const unsigned char *row = g + (size_t)y * (size_t)w;
        size_t b = (size_t)(y / BLOCK) * (size_t)bw;
        for (int x = 0; x < w; x++) {
            double v = row[x];
            s1[b + (size_t)(x / BLOCK)] += v;
            s2[b + (size_t)(x / BLOCK)] += v * v;
            cnt[b + (size_t)(x / BLOCK)]++;
        }
    }
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            double a = 0, q = 0;
            long n = 0;
            for (int yy = by - SMOOTH; yy <= by + SMOOTH; yy++)
                for (int xx = bx - SMOOTH; xx <= bx + SMOOTH; xx++) {
                    if (yy < 0 || xx < 0 || yy >= bh || xx >= bw)
                        continue;
                    size_t k = (size_t)yy * (size_t)bw + (size_t)xx;
                    a += s1[k];
                    q += s2[k];
                    n += cnt[k];
                }
            double m = a / (double)n, var = q / (double)n - m * m;
            double sd = var > 0 ? sqrt(var) : 0;
            size_t k = (size_t)by * (size_t)bw + (size_t)bx;
            mean[k] = (float)m;
            thr[k] = (float)(sd * 0.35 > 14.0 ? sd * 0.35 : 14.0);
        }
    free(s1), free(s2), free(cnt);
    *mean_out = mean;
    *thr_out = thr;
    return 0;
}

/* How far past the local margin pixel (x, y) is on the ink side (> 1: ink). */
static float inkness(const unsigned char *g, int w, int x, int y, const float *mean,
                     const float *thr, int bw, int dark) {
    size_t k = (size_t)(y / BLOCK) * (size_t)bw + (size_t)(x / BLOCK);
    float v = g[(size_t)y * (size_t)w + (size_t)x];
    return (dark ? mean[k] - v : v - mean[k]) / thr[k];
}

static int letter_like(const comp *c, int hmin, int hmax) {
    int cw = c->x1 - c->x0 + 1, ch = c->y1 - c->y0 + 1;
    if (ch < hmin || ch > hmax || c->count < 12)
        return 0;
    if (cw > ch * 12 || ch > cw * 12)
        return 0;
    float fill = (float)c->count / ((float)cw * (float)ch);
    if (fill < 0.08f)
        return 0;
    return fill <= 0.92f || cw * 3 <= ch; /* solid blocks only as thin as an I or l */
}

/* Labels one polarity; appends letter-like components to *cs. Returns -1 out of memory,
 * 1 when the image has too many runs to be worth it. */
static int label(const unsigned char *g, int w, int h, const float *mean, const float *thr,
                 int dark, int hmin, int hmax, comp **cs, size_t *nc, size_t *capc) {
    int bw = (w + BLOCK - 1) / BLOCK;
    size_t cap = 1 << 16, n = 0;
    run *runs = malloc(cap * sizeof *runs);
    int32_t *parent = malloc(cap * sizeof *parent);
    int *rowstart = malloc(((size_t)h + 1) * sizeof *rowstart);
    if (!runs || !parent || !rowstart) {
        free(runs), free(parent), free(rowstart);
        return -1;
    }
    int rc = 0;
    for (int y = 0; y < h && rc == 0; y++) {
        rowstart[y] = (int)n;
        int x = 0;
        while (x < w) {
            while (x < w && inkness(g, w, x, y, mean, thr, bw, dark) <= 1.0f)
                x++;
            if (x >= w)
                break;
            int x0 = x;
            float strength = 0, ink;
            while (x < w && (ink = inkness(g, w, x, y, mean, thr, bw, dark)) > 1.0f) {
                strength += ink;
                x++;
            }
            if (n == cap) {
                if (cap >= MAX_RUNS) {
                    rc = 1;
                    break;
                }
                cap *= 2;
                run *nr = realloc(runs, cap * sizeof *runs);
                if (nr)
                    runs = nr;
                int32_t *np = nr ? realloc(parent, cap * sizeof *parent) : NULL;
                if (!nr || !np) {
                    rc = -1;
                    break;
                }
                parent = np;
            }
            runs[n].x0 = x0;
            runs[n].x1 = x - 1;
            runs[n].strength = strength;
            parent[n] = (int32_t)n;
            n++;
        }
        if (rc != 0 || y == 0)
            continue;
        /* 8-connected overlap with the previous row's runs. */
        int q = rowstart[y - 1], qe = rowstart[y];
        for (int r = rowstart[y]; r < (int)n; r++) {
            while (q < qe && runs[q].x1 < runs[r].x0 - 1)
                q++;
            for (int k = q; k < qe && runs[k].x0 <= runs[r].x1 + 1; k++)
                uf_union(parent, r, k);
        }
    }
    if (rc != 0) {
        free(runs), free(parent), free(rowstart);
        return rc;
    }
    rowstart[h] = (int)n;
    /* Component statistics, indexed through the root run. */
    size_t roots = 0;
    for (size_t r = 0; r < n; r++)
        roots += uf_find(parent, (int)r) == (int)r;
    int32_t *slot = malloc((n ? n : 1) * sizeof *slot);
    comp *tmp = malloc((roots ? roots : 1) * sizeof *tmp);
    if (!slot || !tmp) {
        free(runs), free(parent), free(rowstart), free(slot), free(tmp);
        return -1;
    }
    size_t nt = 0;
    for (int y = 0; y < h; y++)
        for (int r = rowstart[y]; r < rowstart[y + 1]; r++) {
            int root = uf_find(parent, r);
            if (root == r) {
                slot[r] = (int32_t)nt;
                tmp[nt++] = (comp){runs[r].x0, y, runs[r].x1, y, 0, -1, 0.0f};
            }
            comp *c = &tmp[slot[root]];
            if (runs[r].x0 < c->x0)
                c->x0 = runs[r].x0;
            if (runs[r].x1 > c->x1)
                c->x1 = runs[r].x1;
            if (y > c->y1)
                c->y1 = y;
            c->count += runs[r].x1 - runs[r].x0 + 1;
            c->strength += runs[r].strength;
        }
    for (size_t i = 0; i < nt; i++)
        tmp[i].strength /= (float)tmp[i].count;
    free(runs), free(parent), free(rowstart), free(slot);
    for (size_t i = 0; i < nt && rc == 0; i++) {
        if (!letter_like(&tmp[i], hmin, hmax))
            continue;
        if (*nc == *capc) {
            size_t nc2 = *capc ? *capc * 2 : 1024;
            comp *g2 = realloc(*cs, nc2 * sizeof **cs);
            if (!g2) {
                rc = -1;
                break;
            }
            *cs = g2;
            *capc = nc2;
        }
        (*cs)[(*nc)++] = tmp[i];
    }
    free(tmp);
    return rc;
}

static int by_x0(const void *a, const void *b) {
    const comp *p = a, *q = b;
    return (p->x0 > q->x0) - (p->x0 < q->x0);
}

static int by_group_x(const void *a, const void *b) {
    const comp *p = a, *q = b;
    if (p->group != q->group)
        return (p->group > q->group) - (p->group < q->group);
    return (p->x0 > q->x0) - (p->x0 < q->x0);
}

static int by_link(const void *a, const void *b) {
    const link *p = a, *q = b;
    if (p->group != q->group)
        return (p->group > q->group) - (p->group < q->group);
    return (p->angle > q->angle) - (p->angle < q->angle);
}

static int by_int(const void *a, const void *b) {
    int p = *(const int *)a, q = *(const int *)b;
    return (p > q) - (p < q);
}

static int by_float(const void *a, const void *b) {
    float p = *(const float *)a, q = *(const float *)b;
    return (p > q) - (p < q);
}

/* Median of v[0..n) (n <= 64; v is reordered). */
static float median(float *v, size_t n) {
    qsort(v, n, sizeof v[0], by_float);
    return n ? v[n / 2] : 0.0f;
}

/* Shape statistics of a chain (its first 64 shapes): contrast, height and alignment spread. */
static void line_stats(const comp *c, size_t n, float angle, float *strength, float *hdev,
                       float *vdev) {
    float v[64], hs[64], off[64];
    size_t m = n < 64 ? n : 64;
    float ca = cosf(angle), sa = sinf(angle);
    for (size_t i = 0; i < m; i++) {
        v[i] = c[i].strength;
        hs[i] = (float)(c[i].y1 - c[i].y0 + 1);
        off[i] = -0.5f * (float)(c[i].x0 + c[i].x1) * sa + 0.5f * (float)(c[i].y0 + c[i].y1) * ca;
    }
    *strength = median(v, m);
    float hmed = median(hs, m);
    for (size_t i = 0; i < m; i++)
        hs[i] = fabsf(hs[i] - hmed);
    *hdev = median(hs, m) / hmed;
    float omed = median(off, m);
    for (size_t i = 0; i < m; i++)
        off[i] = fabsf(off[i] - omed);
    *vdev = median(off, m) / hmed;
}

/* Appends a line of n components at pyramid factor f, with its shape statistics. */
static psc_status add_line(psci_tlines *out, const comp *c, size_t n, float angle, int f,
                           float strength, float hdev, float vdev, psci_err *err) {
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        psci_tline *v = realloc(out->v, cap * sizeof *v);
        if (!v)
            return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
        out->v = v;
        out->cap = cap;
    }
    if (out->nboxes + n > out->capboxes) {
        size_t cap = out->capboxes ? out->capboxes * 2 : 1024;
        while (cap < out->nboxes + n)
            cap *= 2;
        psci_cbox *b = realloc(out->boxes, cap * sizeof *b);
        if (!b)
            return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
        out->boxes = b;
        out->capboxes = cap;
    }
    psci_tline *l = &out->v[out->n++];
    l->x0 = l->y0 = INT32_MAX;
    l->x1 = l->y1 = 0;
    l->first = out->nboxes;
    l->n = n;
    l->angle = angle;
    int hs[64];
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        psci_cbox b = {c[i].x0 * f, c[i].y0 * f, (c[i].x1 + 1) * f, (c[i].y1 + 1) * f};
        out->boxes[out->nboxes++] = b;
        if (b.x0 < l->x0)
            l->x0 = b.x0;
        if (b.y0 < l->y0)
            l->y0 = b.y0;
        if (b.x1 > l->x1)
            l->x1 = b.x1;
        if (b.y1 > l->y1)
            l->y1 = b.y1;
        if (nh < 64)
            hs[nh++] = b.y1 - b.y0;
    }
    qsort(hs, nh, sizeof hs[0], by_int);
    l->height = hs[nh / 2];
    l->strength = strength;
    l->hdev = hdev;
    l->vdev = vdev;
    return PSC_OK;
}

/* Links components into lines and appends the lines found at pyramid factor f. */
static psc_status chain(comp *cs, size_t nc, int f, psci_tlines *out, psci_err *err) {
    if (nc == 0)
        return PSC_OK;
    qsort(cs, nc, sizeof *cs, by_x0);
    int32_t *parent = malloc(nc * sizeof *parent);
    size_t capl = 1024, nl = 0;
    link *links = malloc(capl * sizeof *links);
    if (!parent || !links) {
        free(parent), free(links);
        return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
    }
    for (size_t i = 0; i < nc; i++)
        parent[i] = (int32_t)i;
    for (size_t i = 0; i < nc; i++) {
        const comp *a = &cs[i];
        int ha = a->y1 - a->y0 + 1;
        for (size_t j = i + 1; j < nc && cs[j].x0 <= a->x1 + (ha * 5) / 2; j++) {
            const comp *b = &cs[j];
            int hb = b->y1 - b->y0 + 1;
            int hmax = ha > hb ? ha : hb, hmin = ha < hb ? ha : hb;
            if (hmax > hmin * 2)
                continue;
            int gap = b->x0 - a->x1 - 1;
            if (gap > hmax || gap < -(hmin * 3) / 10)
                continue;
            float dx = (float)(b->x0 + b->x1 - a->x0 - a->x1) * 0.5f;
            float dy = (float)(b->y0 + b->y1 - a->y0 - a->y1) * 0.5f;
            if (fabsf(dy) > 0.35f * (float)hmax + 0.27f * fabsf(dx))
                continue;
            uf_union(parent, (int)i, (int)j);
            if (hmax * 4 <= hmin * 5 && dx > 0) {
                if (nl == capl) {
                    capl *= 2;
                    link *nlk = realloc(links, capl * sizeof *links);
                    if (nlk == NULL) {
                        free(parent), free(links);
                        return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
                    }
                    links = nlk;
                }
                links[nl++] = (link){(int32_t)i, 0, atan2f(dy, dx)};
            }
        }
    }
    for (size_t i = 0; i < nc; i++)
        cs[i].group = uf_find(parent, (int)i);
    for (size_t k = 0; k < nl; k++)
        links[k].group = cs[links[k].from].group;
    free(parent);
    qsort(cs, nc, sizeof *cs, by_group_x);
    qsort(links, nl, sizeof *links, by_link);
    psc_status st = PSC_OK;
    size_t lk = 0;
    for (size_t s = 0; s < nc && st == PSC_OK;) {
        size_t e = s;
        int minx = cs[s].x0, maxx = cs[s].x1;
        while (e < nc && cs[e].group == cs[s].group) {
            if (cs[e].x1 > maxx)
                maxx = cs[e].x1;
            e++;
        }
        while (lk < nl && links[lk].group < cs[s].group)
            lk++;
        size_t le = lk;
        while (le < nl && links[le].group == cs[s].group)
            le++;
        float angle = le > lk ? links[lk + (le - lk) / 2].angle : 0.0f;
        int hmed = cs[s + (e - s) / 2].y1 - cs[s + (e - s) / 2].y0 + 1;
        size_t n = e - s;
        if (n >= 3 || (n == 2 && maxx - minx + 1 >= hmed * 5 / 2)) {
            float strength, hdev, vdev;
            line_stats(&cs[s], n, angle, &strength, &hdev, &vdev);
            /* Printed and written letters stand out crisply from their surroundings (median
             * contrast 3-6 margins in staged scenes); chains of texture blobs (foliage,
             * fabric, blurred backgrounds) barely pass the threshold (1.3-1.8). */
            if (strength >= MIN_STRENGTH)
                st = add_line(out, &cs[s], n, angle, f, strength, hdev, vdev, err);
        }
        s = e;
        lk = le;
    }
    free(links);
    return st;
}

static psc_status one_level(const unsigned char *g, int w, int h, int f, int hmin, int hmax,
                            psci_tlines *out, psci_err *err) {
    float *mean = NULL, *thr = NULL;
    if (block_thresholds(g, w, h, &mean, &thr) != 0)
        return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
    comp *cs = NULL;
    size_t nc = 0, capc = 0;
    psc_status st = PSC_OK;
    for (int dark = 1; dark >= 0 && st == PSC_OK; dark--) {
        size_t before = nc;
        int rc = label(g, w, h, mean, thr, dark, hmin, hmax, &cs, &nc, &capc);
        if (rc < 0)
            st = psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
        else if (rc > 0)
            st = psci_fail(err, PSC_ERR_LIMIT, "text: too busy a picture for the candidate stage");
        else
            st = chain(cs + before, nc - before, f, out, err);
    }
    free(mean), free(thr), free(cs);
    return st;
}

/* Area-average downscale by an integer factor. */
static unsigned char *shrink(const unsigned char *g, int w, int h, int f, int *nw, int *nh) {
    *nw = w / f;
    *nh = h / f;
    if (*nw < 1 || *nh < 1)
        return NULL;
    unsigned char *d = malloc((size_t)*nw * (size_t)*nh);
    if (!d)
        return NULL;
    for (int y = 0; y < *nh; y++)
        for (int x = 0; x < *nw; x++) {
            unsigned s = 0;
            for (int yy = 0; yy < f; yy++)
                for (int xx = 0; xx < f; xx++)
                    s += g[(size_t)(y * f + yy) * (size_t)w + (size_t)(x * f + xx)];
            d[(size_t)y * (size_t)*nw + (size_t)x] = (unsigned char)(s / (unsigned)(f * f));
        }
    return d;
}

psc_status psci_text_candidates(const unsigned char *gray, int w, int h, psci_tlines *out,
                                psci_err *err) {
    int longest = w > h ? w : h;
    int f0 = (longest + 4095) / 4096;
    int w0 = w, h0 = h;
    unsigned char *l0 = NULL;
    if (f0 > 1 && (l0 = shrink(gray, w, h, f0, &w0, &h0)) == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
    const unsigned char *g0 = l0 ? l0 : gray;
    int short0 = w0 < h0 ? w0 : h0;
    int hmax0 = short0 / 3 < 80 ? short0 / 3 : 80;
    psc_status st = PSC_OK;
    if (hmax0 >= MIN_H)
        st = one_level(g0, w0, h0, f0, MIN_H, hmax0, out, err);
    if (st == PSC_OK && short0 / 4 >= 64) {
        int w1, h1;
        unsigned char *l1 = shrink(g0, w0, h0, 4, &w1, &h1);
        if (l1 == NULL)
            st = psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
        else {
            int hmax1 = (w1 < h1 ? w1 : h1) / 3;
            st = one_level(l1, w1, h1, f0 * 4, 17, hmax1 < 64 ? hmax1 : 64, out, err);
            free(l1);
        }
    }
    free(l0);
    return st;
}

void psci_tlines_free(psci_tlines *l) {
    free(l->v);
    free(l->boxes);
    memset(l, 0, sizeof *l);
}
