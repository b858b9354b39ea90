/*
 * Text by candidate lines: the cheap candidate stage (text_cand.c) proposes lines, each is cut
 * out, turned level and scaled to the letter height OCR reads best, and read by Tesseract.
 * Lines that read as words are reported whole (every letter-like shape on them), so a letter
 * the OCR missed on a line it read is hidden too.
 */
#ifndef PSC_TEXT_LINES_H
#define PSC_TEXT_LINES_H

#include "../region.h"
#include "text_tess.h"

/* mode 0 fast (no second readings), 1 default, 2 thorough. *busy is set (and PSC_OK returned,
 * nothing added) when the picture is too busy for the candidate stage: the caller then reads
 * the whole frame. PSC_ERR_LIMIT when OCR runs past deadline_ms. */
psc_status psci_text_lines(psci_tess *t, const unsigned char *gray, int w, int h, int mode,
                           int deadline_ms, int *busy, psci_regions *out, psci_err *err);

#endif
