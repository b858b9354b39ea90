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
    long long param[PSCI_PARAM_SLOTS]; /* indexed by psc_param (integer settings) */
    char langs[128];                   /* PSC_PARAM_LANGS: OCR languages, "eng+fra" */
    char tessdata[1024];               /* PSC_PARAM_TESSDATA: "" searches the usual folders */
    struct psci_detector *det;         /* created on first use; OCR models load once */
    /* Progress and cancel (psc_ctx_set_progress); reset by every scrub/check/inspect call. */
    psc_progress_fn progress;
    void *progress_ud;
    psc_stage last_stage;
    double last_fraction;
    int cancelled;
    /* Internal tests only (never set by the API): PSCI_TEST_* bits that switch off one side
     * of the finder/verifier split, to prove the other side catches what it misses. */
    unsigned test_flags;
};

enum { PSCI_TEST_NO_FINDER_CODES = 1u, PSCI_TEST_NO_VERIFIER = 2u };

/* Settings table (params.c): integer settings use def/min/max, text settings sdef and the
 * buffer at ctx_off inside psc_ctx (ctx_size bytes, NUL included). */
typedef struct psci_param_def {
    psc_param id;
    const char *name;
    psc_param_type type;
    long long def, min, max;
    const char *sdef;
    size_t ctx_off, ctx_size;
    const char *help;
} psci_param_def;

const psci_param_def *psci_param_find(psc_param id);
void psci_param_defaults(psc_ctx *ctx);
/* Checks a text setting's value; PSC_OK or PSC_ERR_ARG with the reason in err. */
psc_status psci_param_check_str(const psci_param_def *d, const char *value, psci_err *err);

/* Reports progress to the caller's callback; PSC_ERR_CANCELLED (message set on ctx) when it
 * asks to stop; sticky until the next scrub call starts. */
psc_status psci_ctx_progress(psc_ctx *ctx, psc_stage stage, double fraction);
/* For psci_detect_opts.cancelled: calls the callback with the last stage/fraction; non-zero
 * when cancelled. ud is the psc_ctx. */
int psci_ctx_poll_cancel(void *ud);

/* The pipeline (pipeline.c): sniff, split, describe, rebuild, verify. When out is NULL it only
 * describes (inspect); with check set it also runs the detectors and lists what they find. */
psc_status psci_pipeline_run(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             int check, psc_report **rep);

#endif
