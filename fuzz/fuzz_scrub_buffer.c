/*
 * libFuzzer target for the public entry point psc_scrub_buffer: metadata-only with each
 * orientation and ICC setting, and on small pictures the fast code detection too. Properties:
 * a successful JPEG/PNG scrub re-parses with nothing off the keep-list and nothing after
 * EOI/IEND, and scrubbing any output (HEIF too) again gives the same bytes. A metadata-only scrub
 * that fails closed (PSC_ERR_UNSAFE) or trips an internal check is a rebuilder bug.
 */
#include "fuzz_common.h"

#include "container/exif_min.h"
#include "container/jpeg_segments.h"
#include "container/png_chunks.h"

#include <string.h>

enum { CFG_META_TAG, CFG_META_ROTATE, CFG_META_NOICC, CFG_DETECT, CFG_COUNT };

static psc_ctx *ctxs[CFG_COUNT];

/* ZBar's image scanner keeps state from one image to the next (a small EAN-13 is found only
 * on the second scan: fuzz/reproducers/zbar-state-ean13.jpg), so by default detection runs
 * on a fresh context per call and the fixed point checks the rest of the pipeline. Set
 * PSC_FUZZ_REUSE_DETECT=1 to reuse one context and catch that state as a violation. */
static int reuse_detect(void) {
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("PSC_FUZZ_REUSE_DETECT");
        v = e != NULL && e[0] == '1';
    }
    return v;
}

static psc_ctx *ctx_for(int cfg) {
    if (ctxs[cfg] != NULL && (cfg != CFG_DETECT || reuse_detect()))
        return ctxs[cfg];
    psc_ctx_free(ctxs[cfg]);
    psc_ctx *c = psc_ctx_new();
    FUZZ_CHECK(c != NULL, "psc_ctx_new");
    psc_ctx_set(c, PSC_PARAM_MAX_MEGAPIXELS, 1);
    psc_ctx_set(c, PSC_PARAM_MAX_FILE_MB, 16);
    psc_ctx_set(c, PSC_PARAM_METADATA_ONLY, cfg != CFG_DETECT);
    psc_ctx_set(c, PSC_PARAM_ORIENTATION,
                cfg == CFG_META_ROTATE ? PSC_ORIENT_ROTATE : PSC_ORIENT_TAG);
    psc_ctx_set(c, PSC_PARAM_KEEP_ICC, cfg != CFG_META_NOICC);
    psc_ctx_set(c, PSC_PARAM_DETECT, PSC_DETECT_FAST);
    psc_ctx_set(c, PSC_PARAM_FIND_TEXT, 0); /* OCR costs seconds per input */
    ctxs[cfg] = c;
    return c;
}

/* Independent re-check of the output, with the walkers rather than the pipeline's verify. */
static void check_clean(const unsigned char *o, size_t on, int keep_icc) {
    psci_err err;
    psci_err_clear(&err);
    if (on >= 2 && o[0] == 0xFF && o[1] == 0xD8) {
        psci_jpeg j;
        FUZZ_CHECK(psci_jpeg_parse(o, on, &j, &err) == PSC_OK, "output JPEG: %s", err.msg);
        for (size_t i = 0; i < j.n; i++) {
            const psci_jseg *s = &j.segs[i];
            int ok = s->action == PSCI_JKEEP && (keep_icc || !s->is_icc);
            if (s->is_exif)
                ok = i == j.first_exif && psci_exif_is_orientation_only(o + s->pay_off, s->pay_len);
            FUZZ_CHECK(ok, "output JPEG holds %s at offset %zu", s->what, s->off);
        }
        FUZZ_CHECK(j.end == on, "output JPEG has %zu bytes after EOI", on - j.end);
        psci_jpeg_free(&j);
        return;
    }
    if (on >= 8 && memcmp(o + 4, "ftyp", 4) == 0)
        return; /* HEIF: the pipeline's verify re-walks it; the fixed point is checked below */
    psci_png png;
    FUZZ_CHECK(psci_png_parse(o, on, &png, &err) == PSC_OK,
               "output is neither JPEG, PNG nor HEIF: %s", err.msg);
    for (size_t i = 0; i < png.n; i++) {
        const psci_pchunk *c = &png.chunks[i];
        int ok = c->keep && (keep_icc || !c->is_icc);
        if (c->is_exif)
            ok = i == png.first_exif && psci_exif_is_orientation_only(o + c->data_off, c->data_len);
        FUZZ_CHECK(ok, "output PNG holds a '%s' chunk", c->type);
    }
    FUZZ_CHECK(png.end == on, "output PNG has %zu bytes after IEND", on - png.end);
    psci_png_free(&png);
}

/* Declared size from the container, to keep detection on small pictures (fast). */
static unsigned long long declared_pixels(const uint8_t *data, size_t size) {
    psci_err err;
    psci_err_clear(&err);
    unsigned long long px = ~0ULL;
    psci_jpeg j;
    psci_png png;
    if (psci_jpeg_parse(data, size, &j, &err) == PSC_OK) {
        px = (unsigned long long)j.width * j.height;
        psci_jpeg_free(&j);
    } else if (psci_png_parse(data, size, &png, &err) == PSC_OK) {
        px = (unsigned long long)png.width * png.height;
        psci_png_free(&png);
    }
    return px;
}

static void scrub(int cfg, const uint8_t *data, size_t size) {
    psc_ctx *ctx = ctx_for(cfg);
    unsigned char *out = NULL, *out2 = NULL;
    size_t out_len = 0, out2_len = 0;
    psc_report *rep = NULL;
    psc_status st = psc_scrub_buffer(ctx, data, size, &out, &out_len, &rep);
    const char *msg = psc_ctx_errmsg(ctx);
    FUZZ_CHECK(msg != NULL && (st == PSC_OK) == (msg[0] == '\0'), "status %d with message '%s'", st,
               msg);
    FUZZ_CHECK(st != PSC_ERR_INTERNAL, "internal error: %s", msg);
    /* HEIF inputs that libheif itself rejects still reach the rebuilder and fail closed in
     * verify (fuzz/reproducers/heif-unsafe-no-ipma-for-item.heic, docs/HARDENING.md). */
    int heif = size >= 8 && memcmp(data + 4, "ftyp", 4) == 0;
    if (cfg != CFG_DETECT && !heif)
        FUZZ_CHECK(st != PSC_ERR_UNSAFE, "metadata-only output failed verification: %s", msg);
    if (rep != NULL) {
        char *json = NULL;
        size_t jl = 0;
        FUZZ_CHECK(psc_report_json(rep, &json, &jl) == PSC_OK && strlen(json) == jl, "report JSON");
        psc_free(json);
        psc_report_free(rep);
    }
    if (st != PSC_OK) {
        FUZZ_CHECK(out == NULL && out_len == 0, "output handed back on failure");
        return;
    }
    check_clean(out, out_len, cfg != CFG_META_NOICC);
    ctx = ctx_for(cfg);
    st = psc_scrub_buffer(ctx, out, out_len, &out2, &out2_len, NULL);
    FUZZ_CHECK(st == PSC_OK, "scrubbing the output again fails: %s", psc_ctx_errmsg(ctx));
    FUZZ_CHECK(out_len == out2_len && memcmp(out, out2, out_len) == 0,
               "scrub is not a fixed point (%zu then %zu bytes)", out_len, out2_len);
    psc_free(out);
    psc_free(out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 20))
        return 0;
    for (int cfg = CFG_META_TAG; cfg < CFG_DETECT; cfg++)
        scrub(cfg, data, size);
    /* Detection decodes pixels: only on small pictures, so the fuzzer keeps its speed. */
    if (declared_pixels(data, size) <= 256ULL * 256ULL)
        scrub(CFG_DETECT, data, size);
    return 0;
}
