/*
 * Public entry points: argument checks, context lifecycle, settings, status strings, and the
 * file/buffer front doors to the pipeline.
 */
#include "context.h"
#include "pipeline.h"
#include "detect/detect.h"
#include "io.h"
#include "region.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STR2(x) #x
#define STR(x) STR2(x)

unsigned psc_version_number(void) {
    return PSC_VERSION_NUMBER;
}

const char *psc_version_string(void) {
    return STR(PSC_VERSION_MAJOR) "." STR(PSC_VERSION_MINOR) "." STR(PSC_VERSION_PATCH);
}

const char *psc_status_str(psc_status st) {
    switch (st) {
    case PSC_OK: return "success";
    case PSC_ERR_ARG: return "invalid argument";
    case PSC_ERR_NOMEM: return "out of memory";
    case PSC_ERR_IO: return "file read or write error";
    case PSC_ERR_FORMAT: return "unsupported file format";
    case PSC_ERR_CORRUPT: return "file is damaged or truncated";
    case PSC_ERR_UNSUPPORTED: return "unsupported feature in file";
    case PSC_ERR_LIMIT: return "limit exceeded";
    case PSC_ERR_EXISTS: return "output already exists";
    case PSC_ERR_DETECTOR: return "content detector failed";
    case PSC_ERR_INTERNAL: return "internal error";
    case PSC_ERR_UNSAFE: return "result could not be verified clean";
    case PSC_ERR_CANCELLED: return "cancelled by the caller";
    }
    return "unknown status";
}

psc_ctx *psc_ctx_new(void) {
    psc_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return NULL;
    psci_param_defaults(ctx);
    psci_err_clear(&ctx->err);
    return ctx;
}

void psc_ctx_free(psc_ctx *ctx) {
    if (ctx == NULL)
        return;
    psci_detector_free(ctx->det);
    free(ctx);
}

psc_status psc_ctx_set_langs(psc_ctx *ctx, const char *langs) {
    if (ctx != NULL && langs == NULL) {
        psci_err_clear(&ctx->err);
        return psci_fail(&ctx->err, PSC_ERR_ARG, "languages: empty or too long");
    }
    return psc_ctx_set_str(ctx, PSC_PARAM_LANGS, langs);
}

psc_status psc_ctx_set_str(psc_ctx *ctx, psc_param param, const char *value) {
    if (ctx == NULL)
        return PSC_ERR_ARG;
    psci_err_clear(&ctx->err);
    const psci_param_def *d = psci_param_find(param);
    if (d == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "unknown setting id %d", (int)param);
    if (d->type != PSC_PARAM_TYPE_STRING)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "setting '%s' is a number: use psc_ctx_set",
                         d->name);
    if (value == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "setting '%s': NULL value", d->name);
    psc_status st = psci_param_check_str(d, value, &ctx->err);
    if (st == PSC_OK)
        memcpy((char *)ctx + d->ctx_off, value, strlen(value) + 1);
    return st;
}

psc_status psc_ctx_get_str(const psc_ctx *ctx, psc_param param, const char **value) {
    const psci_param_def *d = psci_param_find(param);
    if (ctx == NULL || value == NULL || d == NULL || d->type != PSC_PARAM_TYPE_STRING)
        return PSC_ERR_ARG;
    *value = (const char *)ctx + d->ctx_off;
    return PSC_OK;
}

psc_status psc_ctx_set_progress(psc_ctx *ctx, psc_progress_fn fn, void *user) {
    if (ctx == NULL)
        return PSC_ERR_ARG;
    ctx->progress = fn;
    ctx->progress_ud = fn ? user : NULL;
    return PSC_OK;
}

const char *psc_stage_name(psc_stage stage) {
    static const char *const names[] = {"read", "metadata", "detect", "redact", "verify", "write"};
    return (int)stage >= 0 && (size_t)stage < sizeof names / sizeof *names ? names[stage] : NULL;
}

/* Start of every scrub/check/inspect/preview call: no old error, no old cancel. */
static void begin_call(psc_ctx *ctx) {
    psci_err_clear(&ctx->err);
    ctx->cancelled = 0;
    ctx->last_stage = PSC_STAGE_READ;
    ctx->last_fraction = 0;
}

const char *psc_ctx_errmsg(const psc_ctx *ctx) {
    if (ctx == NULL)
        return "no context (NULL)";
    return ctx->err.msg;
}

void psc_free(void *p) {
    free(p);
}

psc_status psc_ctx_set(psc_ctx *ctx, psc_param param, long long value) {
    if (ctx == NULL)
        return PSC_ERR_ARG;
    psci_err_clear(&ctx->err);
    const psci_param_def *d = psci_param_find(param);
    if (d == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "unknown setting id %d", (int)param);
    if (d->type != PSC_PARAM_TYPE_INT)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "setting '%s' is text: use psc_ctx_set_str",
                         d->name);
    if (value < d->min || value > d->max)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "setting '%s': %lld is outside [%lld, %lld]",
                         d->name, value, d->min, d->max);
    ctx->param[param] = value;
    return PSC_OK;
}

psc_status psc_ctx_get(const psc_ctx *ctx, psc_param param, long long *value) {
    const psci_param_def *d = psci_param_find(param);
    if (ctx == NULL || value == NULL || d == NULL || d->type != PSC_PARAM_TYPE_INT)
        return PSC_ERR_ARG;
    *value = ctx->param[param];
    return PSC_OK;
}

static size_t max_bytes(const psc_ctx *ctx) {
    return (size_t)ctx->param[PSC_PARAM_MAX_FILE_MB] * 1024u * 1024u;
}

static psc_status run_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                             unsigned char **out, size_t *out_len, int check, psc_report **rep) {
    if (in_len > max_bytes(ctx))
        return psci_fail(&ctx->err, PSC_ERR_LIMIT,
                         "input is %zu bytes, over the limit of %zu bytes (setting max-file-mb)",
                         in_len, max_bytes(ctx));
    psc_report *r = NULL;
    psci_buf b;
    psci_buf_init(&b);
    psc_status st = psci_ctx_progress(ctx, PSC_STAGE_READ, 1.0);
    if (st == PSC_OK)
        st = psci_pipeline_run(ctx, in, in_len, out ? &b : NULL, check, &r);
    /* The last chance to stop before the result leaves the library (or reaches the disk). */
    if (st == PSC_OK && out != NULL)
        st = psci_ctx_progress(ctx, PSC_STAGE_WRITE, 0.0);
    if (st == PSC_OK && out != NULL)
        psci_buf_take(&b, out, out_len);
    psci_buf_free(&b);
    if (rep != NULL)
        *rep = r;
    else
        psc_report_free(r);
    return st;
}

psc_status psc_scrub_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                            unsigned char **out, size_t *out_len, psc_report **rep) {
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (rep)
        *rep = NULL;
    if (ctx == NULL)
        return PSC_ERR_ARG;
    begin_call(ctx);
    if ((in == NULL && in_len) || out == NULL || out_len == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "NULL input or output pointer");
    return run_buffer(ctx, in ? in : (const unsigned char *)"", in_len, out, out_len, 0, rep);
}

psc_status psc_inspect_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                              psc_report **rep) {
    if (rep)
        *rep = NULL;
    if (ctx == NULL)
        return PSC_ERR_ARG;
    begin_call(ctx);
    if ((in == NULL && in_len) || rep == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "NULL input or report pointer");
    return run_buffer(ctx, in ? in : (const unsigned char *)"", in_len, NULL, NULL, 0, rep);
}

psc_status psc_check_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                            psc_report **rep) {
    if (rep)
        *rep = NULL;
    if (ctx == NULL)
        return PSC_ERR_ARG;
    begin_call(ctx);
    if ((in == NULL && in_len) || rep == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "NULL input or report pointer");
    return run_buffer(ctx, in ? in : (const unsigned char *)"", in_len, NULL, NULL, 1, rep);
}

/* Reads a file (bounded) and describes it: inspect (check=0) or check (check=1). */
static psc_status report_file(psc_ctx *ctx, const char *path, int check, psc_report **rep) {
    if (rep)
        *rep = NULL;
    if (ctx == NULL)
        return PSC_ERR_ARG;
    begin_call(ctx);
    if (path == NULL || rep == NULL)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "NULL path or report pointer");
    unsigned char *data = NULL;
    size_t len = 0;
    psc_status st = psci_read_file(path, max_bytes(ctx), &data, &len, &ctx->err);
    if (st == PSC_OK)
        st = run_buffer(ctx, data, len, NULL, NULL, check, rep);
    free(data);
    return st;
}

psc_status psc_check_file(psc_ctx *ctx, const char *path, psc_report **rep) {
    return report_file(ctx, path, 1, rep);
}

psc_status psc_preview(psc_ctx *ctx, const unsigned char *in, size_t in_len, int max_side,
                       unsigned char **out, size_t *out_len) {
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (ctx == NULL)
        return PSC_ERR_ARG;
    begin_call(ctx);
    if (in == NULL || out == NULL || out_len == NULL || max_side < 16 || max_side > 4096)
        return psci_fail(&ctx->err, PSC_ERR_ARG,
                         "preview: NULL pointer or max_side outside 16..4096");
    if (in_len > max_bytes(ctx))
        return psci_fail(&ctx->err, PSC_ERR_LIMIT, "input over the limit (setting max-file-mb)");
    psci_buf b;
    psci_buf_init(&b);
    psc_status st = psci_make_preview(ctx, in, in_len, max_side, &b);
    if (st == PSC_OK)
        psci_buf_take(&b, out, out_len);
    psci_buf_free(&b);
    return st;
}

psc_box psc_box_to_display(psc_box box, int orientation, int stored_w, int stored_h) {
    if (orientation <= 1 || orientation > 8 || box.w <= 0 || box.h <= 0)
        return box;
    psci_region r = {box.x, box.y, box.w, box.h, 0, 0, 0.0f, NULL, NULL, 0};
    psci_region_to_display(&r, orientation, stored_w, stored_h);
    return (psc_box){r.x, r.y, r.w, r.h};
}

psc_status psc_inspect_file(psc_ctx *ctx, const char *path, psc_report **rep) {
    return report_file(ctx, path, 0, rep);
}

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

psc_status psc_scrub_file(psc_ctx *ctx, const char *in_path, const char *out_path,
                          psc_report **rep) {
    if (rep)
        *rep = NULL;
    if (ctx == NULL)
        return PSC_ERR_ARG;
    begin_call(ctx);
    if (in_path == NULL || out_path == NULL || !*in_path || !*out_path)
        return psci_fail(&ctx->err, PSC_ERR_ARG, "NULL or empty path");
    int overwrite = (int)ctx->param[PSC_PARAM_OVERWRITE];
    int in_place = strcmp(in_path, out_path) == 0 || same_file(in_path, out_path);
    if (in_place && !overwrite)
        return psci_fail(&ctx->err, PSC_ERR_EXISTS,
                         "output is the input file itself: replacing originals needs the overwrite "
                         "setting (--in-place)");
    struct stat sb;
    if (!overwrite && lstat(out_path, &sb) == 0)
        return psci_fail(&ctx->err, PSC_ERR_EXISTS,
                         "output '%s' already exists (use --force to overwrite)", out_path);
    unsigned char *data = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    psc_status st = psci_read_file(in_path, max_bytes(ctx), &data, &len, &ctx->err);
    if (st == PSC_OK)
        st = run_buffer(ctx, data, len, &out, &out_len, 0, rep);
    if (st == PSC_OK)
        st = psci_write_atomic(out_path, out, out_len, overwrite,
                               in_place ? psci_file_mode(in_path) : -1, &ctx->err);
    free(data);
    free(out);
    return st;
}
