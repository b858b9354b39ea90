/*
 * Redaction styles on one float sample plane (one colour component). Pure arithmetic, no
 * dependencies: the codecs feed it samples and write the result back.
 * Every style is irreversible: blur and fill are computed only from the region's surroundings,
 * pixelate keeps one mean per large cell plus noise.
 */
#ifndef PSC_REDACT_H
#define PSC_REDACT_H

#include <stdint.h>

typedef enum psci_style {
    PSCI_STYLE_BLUR = 0,
    PSCI_STYLE_FILL = 1,
    PSCI_STYLE_PIXELATE = 2
} psci_style;

/* Fills plane (w x h, row-major) from its surroundings: top/bottom hold w samples just
 * outside the region above/below, left/right h samples beside it; absent sides are NULL.
 * BLUR: smooth blend of the sides + fine noise; FILL: one flat colour (mean of the sides).
 * Deterministic for a given seed. */
void psci_redact_from_border(float *plane, int w, int h, const float *top, const float *bottom,
                             const float *left, const float *right, psci_style style,
                             uint32_t seed);

/* PIXELATE in place: cells of cell x cell samples replaced by their mean plus noise. */
void psci_redact_pixelate(float *plane, int w, int h, int cell, uint32_t seed);

/* Seed of one region's noise, from its position and component: reproducible scrubs. */
uint32_t psci_redact_seed(int x, int y, int component);

/* Redacts one box of an interleaved 8-bit image (channels per pixel, the first three colour
 * channels changed, alpha left) in place, from the pixels around it. -1: out of memory. */
int psci_redact_pixels(unsigned char *px, int w, int h, int channels, int bx, int by, int bw,
                       int bh, psci_style style);

/* One component of a box of whole 8x8 blocks, from block means (DCT-domain redaction).
 * means holds (nbx + 2) x (nby + 2) values, row-major: the box's nbx x nby block means with a
 * ring of the blocks around it (clamped to the image at its edges). top/bottom/left/right
 * say which sides have blocks outside the box. Writes plane (8 nbx x 8 nby samples); lines
 * is scratch of 16 (nbx + nby) floats. */
void psci_redact_blocks(const float *means, int nbx, int nby, int top, int bottom, int left,
                        int right, psci_style style, uint32_t seed, float *plane, float *lines);

#endif
