/*
 * The pipeline's entry points for api.c: one path for every format (format/format.h), the
 * redaction loop and previews (pipeline_redact.c).
 */
#ifndef PSC_PIPELINE_H
#define PSC_PIPELINE_H

#include "format/format.h"

/* The redaction loop: decode the rebuilt photo *out, find codes and text, hide them, and look
 * again around what changed, until nothing is found (fails closed after three rounds). *out
 * is replaced by the format's redacted output when anything was hidden. */
psc_status psci_redact_photo(psc_ctx *ctx, const psci_format *fmt, void *state, psci_buf *out,
                             psc_report *rep);

/* A check: run the detectors on the input as it is and list what they find (nothing hidden). */
psc_status psci_find_in_photo(psc_ctx *ctx, const psci_format *fmt, void *state,
                              const unsigned char *in, size_t n, psc_report *rep);

/* Upright JPEG preview of at most max_side pixels. */
psc_status psci_make_preview(psc_ctx *ctx, const unsigned char *in, size_t n, int max_side,
                             psci_buf *out);

#endif
