/*
 * Tesseract adapter with a C interface: words and their boxes in an 8-bit grayscale image.
 */
#ifndef PSC_TEXT_TESS_H
#define PSC_TEXT_TESS_H

#include "../region.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psci_tess psci_tess;

/* Loads the LSTM models for langs ("eng+fra"). PSC_ERR_DETECTOR with a message naming the
 * missing language pack when data is absent. */
psc_status psci_tess_new(const char *langs, const char *folder, psci_tess **out, psci_err *err);
void psci_tess_free(psci_tess *t);
/* One recognition pass with page segmentation mode psm (11 or 12: sparse text). Boxes are
 * reported at (ox, oy) + box * scale. Fails closed (PSC_ERR_LIMIT) when it runs past
 * deadline_ms; PSC_ERR_CANCELLED when cancelled (psci_tess_set_cancel). */
psc_status psci_tess_scan(psci_tess *t, const unsigned char *gray, int w, int h, int stride,
                          int psm, int deadline_ms, int ox, int oy, float scale, psci_regions *out,
                          psci_err *err);

/* One word read by psci_tess_read: its box in the image given, confidence and what it says. */
typedef struct psci_word {
    int x0, y0, x1, y1; /* exclusive ends */
    float conf;         /* 0..100 */
    int alnum, total;   /* letters and digits; all characters */
    char text[48];      /* letters and digits only, lower case, cut at 47 bytes */
} psci_word;

typedef struct psci_words {
    psci_word *v;
    size_t n, cap;
} psci_words;

/* Reads a small image (a candidate line or block) with page segmentation mode psm (6 block,
 * 7 line, 11 sparse) and appends every word to out. Fails closed past deadline_ms. */
psc_status psci_tess_read(psci_tess *t, const unsigned char *gray, int w, int h, int stride,
                          int psm, int deadline_ms, psci_words *out, psci_err *err);
void psci_words_free(psci_words *ws);

/* The caller's cancel poll for the following calls (NULL: never cancelled). Tesseract polls it
 * between words next to its deadline; a cancelled call fails with PSC_ERR_CANCELLED. */
void psci_tess_set_cancel(psci_tess *t, int (*cancelled)(void *ud), void *ud);
/* Non-zero when the poll set by psci_tess_set_cancel says stop (between lines). */
int psci_tess_cancelled(const psci_tess *t);

/* 1 - edit distance / longer length, for comparing two readings of the same spot (0 if either
 * is empty). Defined in text_lines.c. */
float psci_text_similarity(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
