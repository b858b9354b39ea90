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
                             const float *left, const float *right, psci_style style, uint32_t seed) {
    float *t = smooth(top, w), *b = smooth(bottom, w), *l = smooth(left, h), *r = smooth(right, h);
    /* If smoothing could not allocate, fall back to the raw sides (still outside pixels). */
    const float *T = t ? t : top, *B = b ? b : bottom, *L = l ? l : left, *R = r ? r : right;
    double sum = 0;
    long cnt = 0;
    for (int i = 0; i < w; i++) {
        if (T) { sum += T[i]; cnt++; }
        if (B) { sum += B[i]; cnt++; }
    }
    for (int i = 0; i < h; i++) {
        if (L) { sum += L[i]; cnt++; }
        if (R) { sum += R[i]; cnt++; }
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
                if (T) { d = (float)(y + 1); wt = 1.0f / (d * d); acc += wt * T[x]; wsum += wt; }
                if (B) { d = (float)(h - y); wt = 1.0f / (d * d); acc += wt * B[x]; wsum += wt; }
                if (L) { d = (float)(x + 1); wt = 1.0f / (d * d); acc += wt * L[y]; wsum += wt; }
                if (R) { d = (float)(w - x); wt = 1.0f / (d * d); acc += wt * R[y]; wsum += wt; }
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
