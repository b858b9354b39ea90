/*
 * Detection orchestrator: runs the code readers and OCR over the whole photo, tiles and
 * rescaled copies, according to the mode, and returns raw boxes.
 */
#ifndef PSC_DETECT_H
#define PSC_DETECT_H

#include "../region.h"

typedef struct psci_detector psci_detector;

typedef struct psci_detect_opts {
    int mode;        /* 0 fast, 1 default, 2 thorough */
    int codes, text; /* which detectors run */
    const char *langs;
    int deadline_ms; /* OCR time budget for the whole photo */
    int recheck;     /* set internally when re-reading areas changed by a redaction round */
    /* Polled between detector passes and during OCR; non-zero stops the run with
     * PSC_ERR_CANCELLED. NULL: never cancelled. */
    int (*cancelled)(void *ud);
    void *cancel_ud;
    const char *tessdata; /* Tesseract data folder; NULL or "": TESSDATA_PREFIX, system folders */
} psci_detect_opts;

psci_detector *psci_detector_new(void);
void psci_detector_free(psci_detector *d);
/* Loads what o needs (OCR models load once and are kept while langs stay the same). */
psc_status psci_detector_prepare(psci_detector *d, const psci_detect_opts *o, psci_err *err);
/* Runs the detectors on the whole w x h image, or, when focus is given, only on those boxes
 * (used to re-check a photo after redaction: outside the changed areas the pixels are
 * identical, so only the changed areas and their surroundings can read differently). */
psc_status psci_detect_run(psci_detector *d, const psci_detect_opts *o, const unsigned char *gray,
                           int w, int h, const psci_regions *focus, psci_regions *out,
                           psci_err *err);

/* The independent second look after redaction (issue 11): readers configured for recall and
 * differently from psci_detect_run, on the whole w x h image, so they can disagree with the
 * finder. Adds what they still read (decoded codes only), detector "second look". */
psc_status psci_detect_verify(psci_detector *d, const psci_detect_opts *o,
                              const unsigned char *gray, int w, int h, psci_regions *out,
                              psci_err *err);

#endif
