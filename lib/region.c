/*
 * Growable list of detected regions.
 */
#include "region.h"

#include <stdlib.h>

psc_status psci_regions_add(psci_regions *rs, const psci_region *r, psci_err *err) {
    if (rs->n == rs->cap) {
        size_t ncap = rs->cap ? rs->cap * 2 : 16, bytes;
        psci_region *nv;
        if (!psci_size_mul(ncap, sizeof *nv, &bytes) || (nv = realloc(rs->v, bytes)) == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "out of memory listing regions");
        rs->v = nv;
        rs->cap = ncap;
    }
    rs->v[rs->n++] = *r;
    return PSC_OK;
}

void psci_regions_free(psci_regions *rs) {
    free(rs->v);
    rs->v = NULL;
    rs->n = rs->cap = 0;
}

static void clip(psci_region *r, int w, int h) {
    int x1 = r->x + r->w, y1 = r->y + r->h;
    if (r->x < 0)
        r->x = 0;
    if (r->y < 0)
        r->y = 0;
    if (x1 > w)
        x1 = w;
    if (y1 > h)
        y1 = h;
    r->w = x1 > r->x ? x1 - r->x : 0;
    r->h = y1 > r->y ? y1 - r->y : 0;
}

static void pad(psci_region *r, int px, int py) {
    r->x -= px;
    r->y -= py;
    r->w += 2 * px;
    r->h += 2 * py;
}

static int overlaps(const psci_region *a, const psci_region *b) {
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Two text boxes on one line with a gap under a line height: one box, so nothing of the
 * line shows between words and the blend does not pick up the gap's colour. */
static int same_line(const psci_region *a, const psci_region *b) {
    if (a->kind != PSCI_R_TEXT || b->kind != PSCI_R_TEXT)
        return 0;
    int top = a->y > b->y ? a->y : b->y;
    int bot = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
    int hmin = a->h < b->h ? a->h : b->h;
    if (bot - top < hmin / 2)
        return 0;
    int gap = a->x > b->x + b->w   ? a->x - (b->x + b->w)
              : b->x > a->x + a->w ? b->x - (a->x + a->w)
                                   : 0;
    return gap <= (a->h > b->h ? a->h : b->h);
}

void psci_regions_finish(psci_regions *rs, int w, int h) {
    for (size_t i = 0; i < rs->n; i++) {
        psci_region *r = &rs->v[i];
        if (r->linear) {
            /* Decoders report 1D codes as a line across the bars: make the box as tall as
             * half its length (bars are rarely taller) and add the quiet zone. */
            if (r->w >= r->h) {
                int want = r->w / 2 > r->h ? r->w / 2 : r->h;
                pad(r, r->w / 10 + 4, (want - r->h) / 2 + 4);
            } else {
                int want = r->h / 2 > r->w ? r->h / 2 : r->w;
                pad(r, (want - r->w) / 2 + 4, r->h / 10 + 4);
            }
        } else if (r->kind == PSCI_R_TEXT) {
            int p = (r->h * 3) / 10 + 2;
            pad(r, p, p);
        } else {
            int s = r->w > r->h ? r->w : r->h;
            pad(r, s / 5 + 4, s / 5 + 4);
        }
        clip(r, w, h);
    }
    /* Merge until no two boxes overlap. */
    int merged = 1;
    while (merged) {
        merged = 0;
        for (size_t i = 0; i < rs->n; i++)
            for (size_t j = i + 1; j < rs->n; j++) {
                psci_region *a = &rs->v[i], *b = &rs->v[j];
                if (!overlaps(a, b) && !same_line(a, b))
                    continue;
                int x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
                int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
                int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
                /* Keep the more specific kind (a code beats text) and the best confidence. */
                if (b->kind < a->kind) {
                    a->kind = b->kind;
                    a->detector = b->detector;
                    a->symbology = b->symbology;
                }
                if (b->conf > a->conf)
                    a->conf = b->conf;
                a->x = x0;
                a->y = y0;
                a->w = x1 - x0;
                a->h = y1 - y0;
                rs->v[j] = rs->v[--rs->n];
                merged = 1;
                j--;
            }
    }
    /* Drop empties. */
    size_t k = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (rs->v[i].w > 0 && rs->v[i].h > 0)
            rs->v[k++] = rs->v[i];
    rs->n = k;
}

/* Stored -> display coordinates for EXIF orientation o, stored size sw x sh; also used as the
 * inverse with display sizes (every mapping is its own inverse except 6 and 8). */
void psci_orient_point(int o, int W, int H, int x, int y, int *ox, int *oy) {
    switch (o) {
    case 2:
        *ox = W - 1 - x;
        *oy = y;
        break;
    case 3:
        *ox = W - 1 - x;
        *oy = H - 1 - y;
        break;
    case 4:
        *ox = x;
        *oy = H - 1 - y;
        break;
    case 5:
        *ox = y;
        *oy = x;
        break;
    case 6:
        *ox = H - 1 - y;
        *oy = x;
        break;
    case 7:
        *ox = H - 1 - y;
        *oy = W - 1 - x;
        break;
    case 8:
        *ox = y;
        *oy = W - 1 - x;
        break;
    default:
        *ox = x;
        *oy = y;
        break;
    }
}

/* Maps a box's corners with orientation mapping o on a W x H image; the box becomes their
 * bounding box. */
static void map_box(psci_region *r, int o, int W, int H) {
    int xs[2] = {r->x, r->x + r->w - 1}, ys[2] = {r->y, r->y + r->h - 1};
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            int mx, my;
            psci_orient_point(o, W, H, xs[i], ys[j], &mx, &my);
            if (mx < x0)
                x0 = mx;
            if (my < y0)
                y0 = my;
            if (mx > x1)
                x1 = mx;
            if (my > y1)
                y1 = my;
        }
    r->x = x0;
    r->y = y0;
    r->w = x1 - x0 + 1;
    r->h = y1 - y0 + 1;
}

void psci_region_to_stored(psci_region *r, int o, int dw, int dh) {
    if (o <= 1 || o > 8)
        return;
    /* Every mapping is its own inverse except 6 and 8, taken with display sizes. */
    map_box(r, o == 6 ? 8 : o == 8 ? 6 : o, dw, dh);
}

/* Boxes closer than half the weak box's height, edge to edge, and of a similar text height
 * (a word of the same line or paragraph, not a texture blob beside it). */
static int near(const psci_region *weak, const psci_region *b) {
    if (b->kind == PSCI_R_TEXT && (weak->h * 2 < b->h || weak->h > b->h * 2))
        return 0;
    int m = weak->h / 2 + 2;
    return weak->x - m < b->x + b->w && b->x < weak->x + weak->w + m && weak->y - m < b->y + b->h &&
           b->y < weak->y + weak->h + m;
}

void psci_regions_promote(psci_regions *rs, const psci_regions *anchors) {
    int changed = 1;
    while (changed) { /* a promoted box can anchor the next one along the line */
        changed = 0;
        for (size_t i = 0; i < rs->n; i++) {
            psci_region *r = &rs->v[i];
            if (!r->weak)
                continue;
            int ok = 0;
            for (size_t j = 0; !ok && j < rs->n; j++)
                ok = j != i && !rs->v[j].weak && near(r, &rs->v[j]);
            for (size_t j = 0; !ok && anchors && j < anchors->n; j++)
                ok = near(r, &anchors->v[j]);
            if (ok) {
                r->weak = 0;
                changed = 1;
            }
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->v[i].weak)
            rs->v[k++] = rs->v[i];
    rs->n = k;
}

void psci_region_to_display(psci_region *r, int o, int sw, int sh) {
    if (o <= 1 || o > 8)
        return;
    map_box(r, o, sw, sh);
}
