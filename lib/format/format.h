/*
 * The per-format operations table (libvips' foreign loaders/savers): each container supplies
 * sniff, describe + rebuild, verify, decode-for-analysis and write-redacted, and the pipeline
 * walks one path for every format. Adding a format is its own file plus one row in format.c.
 */
#ifndef PSC_FORMAT_H
#define PSC_FORMAT_H

#include "../context.h"
#include "../region.h"
#include "../report.h"

/* A decoded picture being redacted. The format fills the operations and keeps its own state
 * behind priv; the redaction loop (pipeline_redact.c) only calls them. */
typedef struct psci_picture psci_picture;
struct psci_picture {
    psc_ctx *ctx;
    psc_report *rep;
    int orient; /* EXIF orientation that turns the analysis image upright (1: already upright) */
    void *priv;
    /* Gray analysis image in stored orientation (malloc'd, caller frees). */
    psc_status (*gray)(psci_picture *pic, unsigned char **gray, int *w, int *h);
    /* Hides the regions (stored pixels); may snap them to the format's grid. */
    psc_status (*redact)(psci_picture *pic, psci_regions *rs);
    /* Called once after the last round that hid anything: replaces *out with the redacted
     * photo, keep-listed and verified. */
    psc_status (*write)(psci_picture *pic, psci_buf *out);
    void (*release)(psci_picture *pic);
};

typedef struct psci_format {
    const char *name; /* the report's format word */
    /* Non-zero when the first n bytes are this format. */
    int (*sniff)(const unsigned char *p, size_t n);
    /* Parses the container and fills the report (size, what will be removed, ICC,
     * orientation). With out set, also writes the keep-list rebuild (orientation handled) and
     * verifies it. *state is the format's, freed by release_state. */
    psc_status (*scrub)(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                        psc_report *rep, void **state);
    /* Opens p for analysis: the rebuilt output held in out (a scrub: the picture can hide
     * regions and write the result into out), or the untouched input with out NULL (a check).
     * Fills *pic even on failure, so its release is always called. */
    psc_status (*picture)(psc_ctx *ctx, void *state, const unsigned char *p, size_t n,
                          psci_buf *out, psc_report *rep, psci_picture *pic);
    /* Decodes p as RGB (stride 3) or RGBA (stride 4) for a preview, scaled down towards
     * max_side where the codec can do it cheaply; the report's orientation turns it upright. */
    psc_status (*preview)(psc_ctx *ctx, const unsigned char *p, size_t n, int max_side,
                          unsigned char **px, int *w, int *h, int *stride);
    void (*release_state)(void *state);
} psci_format;

/* The format of the first bytes of a file, or NULL with err set: an empty file, a damaged
 * JPEG, a known but unsupported format (named), or not a photo. */
const psci_format *psci_format_sniff(const unsigned char *p, size_t n, psci_err *err);

extern const psci_format psci_format_jpeg, psci_format_png, psci_format_heif;

/* Shared by the formats' describe steps (format_describe.c). */
/* Reports what an EXIF block (TIFF header first or "Exif\0\0" first) holds. */
psc_status psci_describe_exif(psc_ctx *ctx, const unsigned char *p, size_t n, psc_report *rep);
/* XMP and text blocks are dropped whole; their keys tell the report what they held. */
void psci_describe_text_block(const unsigned char *p, size_t n, psc_report *rep);

/* JPEG helpers the HEIF row reuses for its JPEG output (format_jpeg.c). */
psc_status psci_format_jpeg_verify(psc_ctx *ctx, const unsigned char *p, size_t n);
/* Sends an encoder's output through the keep-list (exif: orientation-only block or NULL). */
psc_status psci_format_jpeg_relist(psc_ctx *ctx, const unsigned char *p, size_t n,
                                   const unsigned char *exif, size_t exif_len, int keep_icc,
                                   psci_buf *out);

/* Luma of RGBA pixels composited over white: transparent areas read as background. */
void psci_rgba_to_gray(const unsigned char *px, size_t npx, unsigned char *gray);

/* A picture held as RGBA pixels (PNG, HEIF): the first member of such a row's picture state,
 * so its gray and redact operations can be these two. */
typedef struct psci_rgba {
    unsigned char *px;
    int w, h, alpha;
} psci_rgba;
psc_status psci_rgba_gray(psci_picture *pic, unsigned char **gray, int *w, int *h);
psc_status psci_rgba_redact(psci_picture *pic, psci_regions *rs);

static inline unsigned long long psci_max_pixels(const psc_ctx *ctx) {
    return (unsigned long long)ctx->param[PSC_PARAM_MAX_MEGAPIXELS] * 1000000ULL;
}

#endif
