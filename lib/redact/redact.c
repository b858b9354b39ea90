/*
 * Redaction styles. "Blur" is not computed from the pixels it hides (a mild Gaussian blur of
 * text can be deconvolved): it blends the colours around the region inward, so it looks
 * blurred and holds no glyph. Pixelate keeps one mean per large cell, with noise.
 */
#include "redact.h"

#include <stdlib.h>

static uint32_t rnd(uint32_t *s) {
    /* xorshift32: deterministic per region, so scrubbing is reproducible. */
    uint32_t x = *s ? *s : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static float noise(uint32_t *s, float amp) {
    return ((float)(rnd(s) & 0xFFFF) / 65535.0f * 2.0f - 1.0f) * amp;
}

static float clamp255(float v) {
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* Box-smooths a border so single edges (a letter touching it) do not streak inward. */
static float *smooth(const float *v, int n) {
    if (v == NULL)
        return NULL;
    float *o = malloc(sizeof *o * (size_t)n);
    if (o == NULL)
        return NULL;
    int r = n / 12 > 2 ? n / 12 : 2;
    for (int i = 0; i < n; i++) {
        float s = 0;
        int c = 0;
        for (int k = i - r; k <= i + r; k++)
            if (k >= 0 && k < n) {
                s += v[k];
                c++;
            }
        o[i] = s / (float)c;
    }
    return o;
}

void psci_redact_from_border(float *plane, int w, int h, const float *top, const float *bottom,
                             const float *left, const float *right, psci_style style,
                             uint32_t seed) {
    float *t = smooth(top, w), *b = smooth(bottom, w), *l = smooth(left, h), *r = smooth(right, h);
    /* If smoothing could not allocate, fall back to the raw sides (still outside pixels). */
    const float *T = t ? t : top, *B = b ? b : bottom, *L = l ? l : left, *R = r ? r : right;
    double sum = 0;
    long cnt = 0;
    for (int i = 0; i < w; i++) {
        if (T) {
            sum += T[i];
            cnt++;
        }
        if (B) {
            sum += B[i];
            cnt++;
        }
    }
    for (int i = 0; i < h; i++) {
        if (L) {
            sum += L[i];
            cnt++;
        }
        if (R) {
            sum += R[i];
            cnt++;
        }
    }
    float mean = cnt ? (float)(sum / (double)cnt) : 128.0f;
    (void)seed; /* deterministic already: no randomness left in blur and fill */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v;
            if (style == PSCI_STYLE_FILL || cnt == 0) {
                v = mean;
            } else {
                /* Inverse-square-distance blend of the four sides. */
                float acc = 0, wsum = 0, d, wt;
                if (T) {
                    d = (float)(y + 1);
                    wt = 1.0f / (d * d);
                    acc += wt * T[x];
                    wsum += wt;
                }
                if (B) {
                    d = (float)(h - y);
                    wt = 1.0f / (d * d);
                    acc += wt * B[x];
                    wsum += wt;
                }
                if (L) {
                    d = (float)(x + 1);
                    wt = 1.0f / (d * d);
                    acc += wt * L[y];
                    wsum += wt;
                }
                if (R) {
                    d = (float)(w - x);
                    wt = 1.0f / (d * d);
                    acc += wt * R[y];
                    wsum += wt;
                }
                /* No per-pixel noise: binarized for OCR, speckle in a smooth area becomes
                 * tens of thousands of specks and Tesseract's page analysis goes quadratic
                 * (minutes on one page). Nothing here comes from the hidden pixels anyway. */
                v = acc / wsum;
            }
            plane[(size_t)y * (size_t)w + (size_t)x] = clamp255(v);
        }
    free(t);
    free(b);
    free(l);
    free(r);
}

void psci_redact_pixelate(float *plane, int w, int h, int cell, uint32_t seed) {
    uint32_t s = seed;
    if (cell < 8)
        cell = 8;
    for (int cy = 0; cy < h; cy += cell)
        for (int cx = 0; cx < w; cx += cell) {
            int ex = cx + cell < w ? cx + cell : w, ey = cy + cell < h ? cy + cell : h;
            double sum = 0;
            for (int y = cy; y < ey; y++)
                for (int x = cx; x < ex; x++)
                    sum += plane[(size_t)y * (size_t)w + (size_t)x];
            float m = (float)(sum / ((double)(ex - cx) * (double)(ey - cy))) + noise(&s, 12.0f);
            for (int y = cy; y < ey; y++)
                for (int x = cx; x < ex; x++)
                    plane[(size_t)y * (size_t)w + (size_t)x] = clamp255(m + noise(&s, 3.0f));
        }
}

uint32_t psci_redact_seed(int x, int y, int c) {
    return (uint32_t)x * 2654435761u ^ (uint32_t)y * 2246822519u ^ (uint32_t)(c + 1) * 3266489917u;
}

/* Cells a third of the box's short side (at least 16 samples): larger than a character. */
static void pixelate_box(float *plane, int w, int h, uint32_t seed) {
    int cell = (w < h ? w : h) / 3;
    psci_redact_pixelate(plane, w, h, cell < 16 ? 16 : cell, seed);
}

/* Sample values along one side, interpolated between block centres so the blend has no
 * steps. row points at the means along that side (stride apart), from the block before the
 * box to the block after it. */
static void block_side(const float *row, size_t stride, int count, float *out) {
    for (int i = 0; i < count * 8; i++) {
        float pos = ((float)i - 3.5f) / 8.0f; /* in blocks, from the box's first block */
        int b0 = (int)(pos < 0 ? pos - 1 : pos);
        float a = pos - (float)b0;
        float v0 = row[(size_t)(b0 + 1) * stride], v1 = row[(size_t)(b0 + 2) * stride];
        out[i] = v0 * (1 - a) + v1 * a;
    }
}

void psci_redact_blocks(const float *means, int nbx, int nby, int top, int bottom, int left,
                        int right, psci_style style, uint32_t seed, float *plane, float *lines) {
    int W = nbx * 8, H = nby * 8;
    size_t gw = (size_t)nbx + 2;
    if (style == PSCI_STYLE_PIXELATE) {
        for (int by = 0; by < nby; by++)
            for (int bx = 0; bx < nbx; bx++) {
                float m = means[(size_t)(by + 1) * gw + (size_t)bx + 1];
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                        plane[(size_t)(by * 8 + y) * (size_t)W + (size_t)(bx * 8 + x)] = m;
            }
        pixelate_box(plane, W, H, seed);
        return;
    }
    float *t = NULL, *b = NULL, *l = NULL, *r = NULL;
    if (top)
        block_side(means, 1, nbx, t = lines);
    if (bottom)
        block_side(means + (size_t)(nby + 1) * gw, 1, nbx, b = lines + W);
    if (left)
        block_side(means, gw, nby, l = lines + 2 * W);
    if (right)
        block_side(means + (size_t)nbx + 1, gw, nby, r = lines + 2 * W + H);
    psci_redact_from_border(plane, W, H, t, b, l, r, style, seed);
}

/* Mean of a few pixels just outside the box, for each position along one side. */
static void pixel_side(const unsigned char *px, int w, int h, int channels, int ch, int bx, int by,
                       int bw, int bh, int side, float *out) {
    int len = side < 2 ? bw : bh;
    for (int i = 0; i < len; i++) {
        float s = 0;
        int c = 0;
        for (int d = 1; d <= 3; d++) {
            int x, y;
            switch (side) {
            case 0:
                x = bx + i;
                y = by - d;
                break;
            case 1:
                x = bx + i;
                y = by + bh - 1 + d;
                break;
            case 2:
                x = bx - d;
                y = by + i;
                break;
            default:
                x = bx + bw - 1 + d;
                y = by + i;
                break;
            }
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            s += px[((size_t)y * (size_t)w + (size_t)x) * (size_t)channels + (size_t)ch];
            c++;
        }
        out[i] = c ? s / (float)c : 128.0f;
    }
}

int psci_redact_pixels(unsigned char *px, int w, int h, int channels, int bx, int by, int bw,
                       int bh, psci_style style) {
    float *plane = malloc(sizeof *plane * (size_t)bw * (size_t)bh);
    float *lines = malloc(sizeof *lines * (size_t)(2 * bw + 2 * bh));
    if (plane == NULL || lines == NULL) {
        free(plane);
        free(lines);
        return -1;
    }
    for (int ch = 0; ch < 3; ch++) {
        float *t = by > 0 ? lines : NULL, *b = by + bh < h ? lines + bw : NULL;
        float *l = bx > 0 ? lines + 2 * bw : NULL, *r = bx + bw < w ? lines + 2 * bw + bh : NULL;
        if (t)
            pixel_side(px, w, h, channels, ch, bx, by, bw, bh, 0, t);
        if (b)
            pixel_side(px, w, h, channels, ch, bx, by, bw, bh, 1, b);
        if (l)
            pixel_side(px, w, h, channels, ch, bx, by, bw, bh, 2, l);
        if (r)
            pixel_side(px, w, h, channels, ch, bx, by, bw, bh, 3, r);
        uint32_t seed = psci_redact_seed(bx, by, ch);
        if (style == PSCI_STYLE_PIXELATE) {
            for (int y = 0; y < bh; y++)
                for (int x = 0; x < bw; x++)
                    plane[(size_t)y * (size_t)bw + (size_t)x] =
                        px[((size_t)(by + y) * (size_t)w + (size_t)(bx + x)) * (size_t)channels +
                           (size_t)ch];
            pixelate_box(plane, bw, bh, seed);
        } else {
            psci_redact_from_border(plane, bw, bh, t, b, l, r, style, seed);
        }
        for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
                px[((size_t)(by + y) * (size_t)w + (size_t)(bx + x)) * (size_t)channels +
                   (size_t)ch] = (unsigned char)(plane[(size_t)y * (size_t)bw + (size_t)x] + 0.5f);
    }
    free(plane);
    free(lines);
    return 0;
}
