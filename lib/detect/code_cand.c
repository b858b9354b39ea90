/*
 * Code candidates: the image is cut into 8x8 blocks; a block is busy when at least an eighth
 * of its pixel pairs (across and down) differ sharply. Busy blocks are joined 4-connected;
 * groups the size of a small code, filling most of their bounding box (codes are solid
 * rectangles of texture, foliage is ragged), become patches.
 */
#include "code_cand.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CB = 8, EDGE = 24, BUSY = 16, BAR_EDGES = 6, MIN_BLOCKS = 3, MAX_BLOCKS = 100 };
#define MIN_DENSITY 0.2f
#define MIN_BAR_DENSITY 0.06f
#define MIN_AGREE 65 /* per cent; curved bars on a bottle agree 69-71% */

/* A block worth joining: many sharp edges, or a steady one-directional run of them (bars
 * of a wider 1D code cross each row of a block once or twice). */
static int busy(int edges, int across) {
    return edges >= BUSY || across >= BAR_EDGES || edges - across >= BAR_EDGES;
}

/* Best agreement (per cent of the overlap) between two binarised profiles shifted against
 * each other by up to maxs: tilted or curved bars cross lines further along at an offset. */
static int agreement(const unsigned char *p, const unsigned char *q, int len, int maxs) {
    int best = 0;
    for (int sft = -maxs; sft <= maxs; sft++) {
        int same = 0, n = 0;
        for (int i = 0; i < len; i++) {
            int j = i + sft;
            if (j < 0 || j >= len)
                continue;
            same += p[i] == q[j];
            n++;
        }
        if (n * 2 >= len && same * 100 / n > best)
            best = same * 100 / n;
    }
    return best;
}

/* Parallel bars across the patch: lines at 3/8, 1/2 and 5/8 of the way along the bars (clear
 * of the digits printed under many codes) cross at least 16 bar edges and see the same pattern,
 * allowing for a tilt (straight or gently curved parallel bars); the bar widths vary as a code's do
 * (stripes on fabric are regular). Tile grout and window frames cross a few edges. vertical: bars
 * run up-down. */
static int bar_pattern(const unsigned char *g, int w, int x0, int y0, int x1, int y1,
                       int vertical) {
    int len = vertical ? x1 - x0 : y1 - y0; /* across the bars */
    int span = vertical ? y1 - y0 : x1 - x0;
    if (len < 24 || span < 16 || len > 4096)
        return 0;
    unsigned char prof[3][4096];
    for (int k = 0; k < 3; k++) {
        long sum = 0;
        int at = (vertical ? y0 : x0) + span * (3 + k) / 8;
        for (int i = 0; i < len; i++) {
            int x = vertical ? x0 + i : at, y = vertical ? at : y0 + i;
            prof[k][i] = g[(size_t)y * (size_t)w + (size_t)x];
            sum += prof[k][i];
        }
        int mean = (int)(sum / len);
        for (int i = 0; i < len; i++)
            prof[k][i] = prof[k][i] < mean;
    }
    int edges = 0, runs = 0;
    double rsum = 0, rsq = 0;
    for (int i = 1, start = 0; i <= len; i++) {
        if (i < len && prof[1][i] == prof[1][i - 1])
            continue;
        if (i < len)
            edges++;
        if (start > 0 && i < len) { /* whole runs only: not the margins */
            double r = i - start;
            rsum += r;
            rsq += r * r;
            runs++;
        }
        start = i;
    }
    if (edges < 16 || runs < 8)
        return 0;
    double mean = rsum / runs, var = rsq / runs - mean * mean;
    if (var < (0.3 * mean) * (0.3 * mean))
        return 0;
    int maxs = span / 8 + 2;
    return agreement(prof[1], prof[0], len, maxs) >= MIN_AGREE &&
           agreement(prof[1], prof[2], len, maxs) >= MIN_AGREE;
}

static int by_density(const void *a, const void *b) {
    const psci_patch *p = a, *q = b;
    return (p->density < q->density) - (p->density > q->density);
}

psc_status psci_code_candidates(const unsigned char *g, int w, int h, size_t max_patches,
                                psci_patches *out, psci_err *err) {
    int bw = w / CB, bh = h / CB;
    if (bw < MIN_BLOCKS || bh < MIN_BLOCKS)
        return PSC_OK;
    size_t nb = (size_t)bw * (size_t)bh;
    unsigned char *edges = calloc(nb, 1), *across = calloc(nb, 1);
    int32_t *label = malloc(nb * sizeof *label);
    int32_t *stack = malloc(nb * sizeof *stack);
    if (!edges || !across || !label || !stack) {
        free(edges), free(across), free(label), free(stack);
        return psci_fail(err, PSC_ERR_NOMEM, "codes: out of memory");
    }
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            int n = 0, nx = 0;
            for (int y = by * CB; y < by * CB + CB; y++) {
                const unsigned char *r = g + (size_t)y * (size_t)w;
                const unsigned char *down = y + 1 < h ? r + w : r;
                for (int x = bx * CB; x < bx * CB + CB; x++) {
                    int right = x + 1 < w ? r[x + 1] : r[x];
                    nx += abs(right - r[x]) > EDGE;
                    n += abs(down[x] - r[x]) > EDGE;
                }
            }
            edges[(size_t)by * (size_t)bw + (size_t)bx] = (unsigned char)(n + nx);
            across[(size_t)by * (size_t)bw + (size_t)bx] = (unsigned char)nx;
        }
    for (size_t i = 0; i < nb; i++)
        label[i] = -1;
    psc_status st = PSC_OK;
    for (size_t seed = 0; seed < nb && st == PSC_OK; seed++) {
        if (label[seed] >= 0 || !busy(edges[seed], across[seed]))
            continue;
        size_t sp = 0, count = 0;
        long sum = 0, sumx = 0;
        int x0 = bw, y0 = bh, x1 = -1, y1 = -1;
        stack[sp++] = (int32_t)seed;
        label[seed] = 1;
        while (sp > 0) {
            int32_t k = stack[--sp];
            int bx = (int)(k % bw), by = (int)(k / bw);
            count++;
            sum += edges[k];
            sumx += across[k];
            if (bx < x0)
                x0 = bx;
            if (bx > x1)
                x1 = bx;
            if (by < y0)
                y0 = by;
            if (by > y1)
                y1 = by;
            const int nx[4] = {bx - 1, bx + 1, bx, bx}, ny[4] = {by, by, by - 1, by + 1};
            for (int d = 0; d < 4; d++) {
                if (nx[d] < 0 || ny[d] < 0 || nx[d] >= bw || ny[d] >= bh)
                    continue;
                size_t q = (size_t)ny[d] * (size_t)bw + (size_t)nx[d];
                if (label[q] < 0 && busy(edges[q], across[q])) {
                    label[q] = 1;
                    stack[sp++] = (int32_t)q;
                }
            }
        }
        int gw = x1 - x0 + 1, gh = y1 - y0 + 1;
        if (gw < MIN_BLOCKS || gh < MIN_BLOCKS)
            continue;
        if (gw > MAX_BLOCKS || gh > MAX_BLOCKS || count * 2 < (size_t)gw * (size_t)gh)
            continue;
        /* Codes in staged scenes: 22-38% of pixel pairs on an edge; sensor noise and
         * wallpaper grain: 13-20%. Bars: at least 4 in 5 edges in one direction (text and
         * 2D codes mix both), fewer edges when the modules are wide. */
        float density = (float)sum / (float)(count * 2 * CB * CB);
        long down = sum - sumx;
        int px0 = x0 * CB, py0 = y0 * CB, px1 = (x1 + 1) * CB, py1 = (y1 + 1) * CB;
        int bars = (sumx * 5 >= sum * 4 && bar_pattern(g, w, px0, py0, px1, py1, 1)) ||
                   (down * 5 >= sum * 4 && bar_pattern(g, w, px0, py0, px1, py1, 0));
        if (density < MIN_DENSITY && !(bars && density >= MIN_BAR_DENSITY))
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 64;
            psci_patch *v = realloc(out->v, cap * sizeof *v);
            if (v == NULL) {
                st = psci_fail(err, PSC_ERR_NOMEM, "codes: out of memory");
                break;
            }
            out->v = v;
            out->cap = cap;
        }
        out->v[out->n++] = (psci_patch){px0, py0, px1, py1, density, bars};
    }
    free(edges), free(across), free(label), free(stack);
    if (st == PSC_OK && out->n > 0) {
        qsort(out->v, out->n, sizeof *out->v, by_density);
        if (out->n > max_patches)
            out->n = max_patches;
    }
    return st;
}

void psci_patches_free(psci_patches *p) {
    free(p->v);
    memset(p, 0, sizeof *p);
}
