/*
 * Cheap text-candidate stage: finds lines of letter-like shapes (connected components of
 * similar height, side by side along a straight, possibly tilted, line) so that OCR runs on
 * small crops at the scale that suits them instead of on the whole photo. Pure C, no OCR.
 */
#ifndef PSC_TEXT_CAND_H
#define PSC_TEXT_CAND_H

#include "../internal.h"

typedef struct psci_cbox {
    int x0, y0, x1, y1; /* one letter-like shape, image pixels, x1/y1 exclusive */
} psci_cbox;

typedef struct psci_tline {
    int x0, y0, x1, y1; /* bounding box of its shapes, image pixels, exclusive ends */
    float angle;        /* tilt of the line, radians (positive: going down to the right) */
    int height;         /* median shape height, image pixels */
    size_t first, n;    /* its shapes: boxes[first .. first+n), left to right */
    float strength;     /* median shape contrast, in units of the local threshold margin */
    float hdev, vdev;   /* median deviation of shape heights / of their centres off the
                         * line, in units of the median height: letters are even and aligned */
} psci_tline;

typedef struct psci_tlines {
    psci_tline *v;
    size_t n, cap;
    psci_cbox *boxes;
    size_t nboxes, capboxes;
} psci_tlines;

/* Finds candidate text lines in an 8-bit gray image (dark-on-light and light-on-dark, shapes
 * from about 7 px to about a quarter of the short side high). Memory is bounded by the image
 * size; the result is in image pixels. */
psc_status psci_text_candidates(const unsigned char *gray, int w, int h, psci_tlines *out,
                                psci_err *err);
void psci_tlines_free(psci_tlines *l);

#endif
