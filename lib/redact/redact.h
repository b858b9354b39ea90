/*
 * Redaction styles on one float sample plane (one colour component). Pure arithmetic, no
 * dependencies: the codecs feed it samples and write the result back.
 * Every style is irreversible: blur and fill are computed only from the region's surroundings,
 * pixelate keeps one mean per large cell plus noise.
 */
#ifndef PSC_REDACT_H
#define PSC_REDACT_H

#include <stdint.h>

typedef enum psci_style { PSCI_STYLE_BLUR = 0, PSCI_STYLE_FILL = 1, PSCI_STYLE_PIXELATE = 2 } psci_style;

/* Fills plane (w x h, row-major) from its surroundings: top/bottom hold w samples just
 * outside the region above/below, left/right h samples beside it; absent sides are NULL.
 * BLUR: smooth blend of the sides + fine noise; FILL: one flat colour (mean of the sides).
 * Deterministic for a given seed. */
void psci_redact_from_border(float *plane, int w, int h, const float *top, const float *bottom,
                             const float *left, const float *right, psci_style style, uint32_t seed);

/* PIXELATE in place: cells of cell x cell samples replaced by their mean plus noise. */
void psci_redact_pixelate(float *plane, int w, int h, int cell, uint32_t seed);

#endif
