/*
 * The path a photo travels, the same for every format: sniff -> describe + keep-list rebuild
 * + verify (the format's row) -> redaction loop (unless metadata-only) -> the output is
 * verified by whoever wrote it. Fails closed: an output that does not re-parse as clean is
 * never handed back.
 */
#include "pipeline.h"

psc_status psci_pipeline_run(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             int check, psc_report **rep_out) {
    psci_err *err = &ctx->err;
    *rep_out = NULL;
    const psci_format *fmt = psci_format_sniff(in, n, err);
    if (fmt == NULL)
        return err->st;
    psc_report *rep = psci_report_new(fmt->name);
    if (rep == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    void *state = NULL;
    int pixels = !ctx->param[PSC_PARAM_METADATA_ONLY];
    psc_status st = psci_ctx_progress(ctx, PSC_STAGE_METADATA, 0.0);
    if (st == PSC_OK)
        st = fmt->scrub(ctx, in, n, out, rep, &state);
    if (st == PSC_OK && out != NULL && pixels)
        st = psci_redact_photo(ctx, fmt, state, out, rep);
    if (st == PSC_OK && check && pixels)
        st = psci_find_in_photo(ctx, fmt, state, in, n, rep);
    if (st == PSC_OK)
        st = psci_ctx_progress(ctx, PSC_STAGE_VERIFY, 1.0);
    if (fmt->release_state != NULL)
        fmt->release_state(state);
    psci_report_set_sizes(rep, n, (st == PSC_OK && out) ? out->len : 0);
    *rep_out = rep;
    return st;
}
