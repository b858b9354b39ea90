/*
 * The context structure, shared by api.c (lifecycle, settings) and pipeline.c (the work).
 */
#ifndef PSC_CONTEXT_H
#define PSC_CONTEXT_H

#include "internal.h"

#define PSCI_PARAM_SLOTS 16

struct psci_detector;

struct psc_ctx {
    psci_err err;
    long long param[PSCI_PARAM_SLOTS]; /* indexed by psc_param */
    char langs[128];                   /* OCR languages, "eng+fra" */
    struct psci_detector *det;         /* created on first use; OCR models load once */
};

/* Settings table (params.c). */
typedef struct psci_param_def {
    psc_param id;
    const char *name;
    long long def, min, max;
    const char *help;
} psci_param_def;

const psci_param_def *psci_param_find(psc_param id);
void psci_param_defaults(psc_ctx *ctx);

/* The pipeline (pipeline.c): sniff, split, describe, rebuild, verify. When out is NULL it only
 * describes (inspect); with check set it also runs the detectors and lists what they find. */
psc_status psci_pipeline_run(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             int check, psc_report **rep);

#endif
