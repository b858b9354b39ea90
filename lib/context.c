/*
 * The context's progress and cancel state: called by the pipeline and polled by the
 * detectors, below the api that owns the context. No I/O, no allocation.
 */
#include "context.h"

/* Asks the callback; remembers a cancel so every later poll of this call says the same. */
static int ask_callback(psc_ctx *ctx) {
    if (ctx->cancelled)
        return 1;
    if (ctx->progress == NULL ||
        ctx->progress(ctx->progress_ud, ctx->last_stage, ctx->last_fraction) == 0)
        return 0;
    ctx->cancelled = 1;
    psci_fail(&ctx->err, PSC_ERR_CANCELLED, "cancelled by the progress callback (stage %s)",
              psc_stage_name(ctx->last_stage));
    return 1;
}

psc_status psci_ctx_progress(psc_ctx *ctx, psc_stage stage, double fraction) {
    ctx->last_stage = stage;
    ctx->last_fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
    return ask_callback(ctx) ? PSC_ERR_CANCELLED : PSC_OK;
}

int psci_ctx_poll_cancel(void *ud) {
    return ask_callback((psc_ctx *)ud);
}
