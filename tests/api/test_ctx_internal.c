/*
 * The internal progress/cancel hooks the pipeline and detectors use (lib/context.h): progress
 * reaches the callback, a cancel is sticky until the next call starts, and the detector poll
 * repeats the last stage. Links the static library to reach psci_* names.
 */
#include "context.h"

#include "harness.h"

static int calls, cancel_after;
static psc_stage last;

static int cb(void *user, psc_stage stage, double fraction) {
    (void)fraction;
    CHECK(user == &calls);
    last = stage;
    return ++calls >= cancel_after;
}

int main(void) {
    psc_ctx *ctx = psc_ctx_new();
    /* No callback: never cancelled. */
    CHECK_EQ(psci_ctx_progress(ctx, PSC_STAGE_READ, 1.0), PSC_OK);
    CHECK_EQ(psci_ctx_poll_cancel(ctx), 0);
    cancel_after = 3;
    CHECK_EQ(psc_ctx_set_progress(ctx, cb, &calls), PSC_OK);
    CHECK_EQ(psci_ctx_progress(ctx, PSC_STAGE_DETECT, 0.5), PSC_OK);
    CHECK_EQ(psci_ctx_poll_cancel(ctx), 0);
    CHECK_EQ(last, PSC_STAGE_DETECT); /* the poll repeats the last stage */
    CHECK_EQ(psci_ctx_poll_cancel(ctx), 1);
    CHECK_EQ(ctx->err.st, PSC_ERR_CANCELLED);
    CHECK(strstr(ctx->err.msg, "detect") != NULL);
    /* Sticky: no further callback, still cancelled. */
    int before = calls;
    CHECK_EQ(psci_ctx_progress(ctx, PSC_STAGE_REDACT, 0.0), PSC_ERR_CANCELLED);
    CHECK_EQ(psci_ctx_poll_cancel(ctx), 1);
    CHECK_EQ(calls, before);
    /* The next public call resets it (it then fails on its own NULL input, as usual). */
    psc_report *rep = NULL;
    cancel_after = 1000;
    CHECK_EQ(psc_inspect_buffer(ctx, NULL, 1, &rep), PSC_ERR_ARG);
    CHECK_EQ(psci_ctx_poll_cancel(ctx), 0);
    psc_ctx_free(ctx);
    HARNESS_DONE();
}
