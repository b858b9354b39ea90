/*
 * The path a photo travels: sniff -> split container -> describe -> rebuild (keep-list) ->
 * orientation -> verify. Fails closed: an output that does not re-parse as clean is never
 * handed back.
 */
#include "codec/jpeg_codec.h"
#include "container/exif_min.h"
#include "container/jpeg_segments.h"
#include "container/png_chunks.h"
#include "context.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct visit_state {
    psc_report *rep;
    psci_err *err;
    psc_status st;
} visit_state;

static void on_exif_entry(void *ud, psc_meta cls, const char *name, const char *value) {
    visit_state *v = ud;
    psci_report_found(v->rep, cls);
    if (value != NULL && v->st == PSC_OK)
        v->st = psci_report_value(v->rep, name, value, v->err);
}

/* Names formats we recognise but do not handle, so the message says what the file is. */
static const char *sniff_other(const unsigned char *p, size_t n) {
    if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0) {
        if (!memcmp(p + 8, "heic", 4) || !memcmp(p + 8, "heix", 4) || !memcmp(p + 8, "mif1", 4) ||
            !memcmp(p + 8, "msf1", 4) || !memcmp(p + 8, "hevc", 4))
            return "a HEIC/HEIF photo (not supported yet: export it as JPEG first)";
        if (!memcmp(p + 8, "avif", 4))
            return "an AVIF image (not supported)";
        return NULL;
    }
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "a WebP image (not supported yet)";
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "a GIF image (not supported)";
    if (n >= 4 && (memcmp(p, "II*\0", 4) == 0 || memcmp(p, "MM\0*", 4) == 0))
        return "a TIFF or camera raw file (not supported)";
    if (n >= 2 && p[0] == 'B' && p[1] == 'M')
        return "a BMP image (not supported)";
    return NULL;
}

/* XMP and PNG text are dropped whole; a look at their keys tells the report what they held
 * (a GPS position in XMP is still a GPS position). */
static void describe_text_block(const unsigned char *p, size_t n, psc_report *rep) {
    static const struct {
        const char *key;
        psc_meta cls;
    } keys[] = {
        {"GPSLatitude", PSC_META_GPS}, {"GPSLongitude", PSC_META_GPS}, {"GPSCoordinates", PSC_META_GPS},
        {"tiff:Make", PSC_META_DEVICE}, {"tiff:Model", PSC_META_DEVICE}, {"aux:SerialNumber", PSC_META_SERIAL},
        {"exifEX:BodySerialNumber", PSC_META_SERIAL}, {"CreateDate", PSC_META_DATETIME},
        {"DateTimeOriginal", PSC_META_DATETIME}, {"DateCreated", PSC_META_DATETIME},
        {"dc:creator", PSC_META_AUTHOR}, {"CreatorTool", PSC_META_SOFTWARE},
        {"MicroVideo", PSC_META_TRAILER}, {"MotionPhoto", PSC_META_TRAILER},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (memmem(p, n, keys[i].key, strlen(keys[i].key)) != NULL)
            psci_report_found(rep, keys[i].cls);
}

/* ------------------------------------------------------------------ JPEG */

static psc_status describe_jpeg(psc_ctx *ctx, const unsigned char *in, size_t n,
                                const psci_jpeg *j, psc_report *rep, int *orient) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    int values = (int)ctx->param[PSC_PARAM_REPORT_VALUES];
    psc_status st = PSC_OK;
    *orient = 1;
    for (size_t i = 0; st == PSC_OK && i < j->n; i++) {
        const psci_jseg *s = &j->segs[i];
        const unsigned char *pay = in + s->pay_off;
        if (s->is_exif) {
            size_t exif_len = s->pay_len;
            if (i == j->first_exif) {
                int o = psci_exif_orientation(pay, exif_len);
                *orient = o ? o : 1;
            }
            /* Our own orientation-only EXIF is kept (rebuilt identically), not "removed". */
            if (psci_exif_is_orientation_only(pay, exif_len) && i == j->first_exif)
                continue;
            visit_state v = {rep, err, PSC_OK};
            st = psci_exif_describe(pay, exif_len, values, on_exif_entry, &v, err);
            if (st == PSC_OK)
                st = v.st;
        } else if (s->is_icc && !keep_icc) {
            psci_report_found(rep, PSC_META_ICC);
            st = psci_report_removed(rep, "ICC profile", PSC_META_ICC, s->off, s->len, err);
            continue;
        } else if (s->action != PSCI_JKEEP) {
            psci_report_found(rep, s->cls);
            if (s->cls == PSC_META_XMP || s->cls == PSC_META_IPTC || s->cls == PSC_META_COMMENT)
                describe_text_block(pay, s->pay_len, rep);
        }
        if (st == PSC_OK && s->action != PSCI_JKEEP)
            st = psci_report_removed(rep, s->what, s->cls, s->off, s->len, err);
    }
    if (st == PSC_OK && j->end < n) {
        psc_meta cls;
        const char *what = psci_jpeg_trailer_kind(in + j->end, n - j->end, j->has_mpf, &cls);
        psci_report_found(rep, cls);
        st = psci_report_removed(rep, what, cls, j->end, n - j->end, err);
    }
    psci_report_set_icc(rep, j->icc_chunks == 0 ? PSCI_ICC_NONE
                             : keep_icc         ? PSCI_ICC_KEPT
                                                : PSCI_ICC_STRIPPED);
    return st;
}

/* Re-parses our own output and refuses it unless every part is on the keep-list. */
static psc_status verify_jpeg(psc_ctx *ctx, const unsigned char *p, size_t n) {
    psci_err *err = &ctx->err;
    psci_jpeg j;
    psc_status st = psci_jpeg_parse(p, n, &j, err);
    if (st != PSC_OK)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not re-parse: %s", err->msg);
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    for (size_t i = 0; st == PSC_OK && i < j.n; i++) {
        const psci_jseg *s = &j.segs[i];
        int ok = s->action == PSCI_JKEEP && (keep_icc || !s->is_icc);
        if (s->is_exif)
            ok = i == j.first_exif && psci_exif_is_orientation_only(p + s->pay_off, s->pay_len);
        if (!ok)
            st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output still holds %s at offset %zu",
                           s->what, s->off);
    }
    if (st == PSC_OK && j.end != n)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output has %zu bytes after EOI", n - j.end);
    psci_jpeg_free(&j);
    return st;
}

static psc_status scrub_jpeg(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             psc_report *rep) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    psci_jpeg j, rj;
    memset(&rj, 0, sizeof rj);
    unsigned char *exif = NULL, *rot = NULL;
    size_t exif_len = 0, rot_len = 0;
    psci_buf plain;
    psci_buf_init(&plain);
    int orient = 1;
    psc_orient_action action = PSC_ORIENT_ACTION_NONE;

    psc_status st = psci_jpeg_parse(in, n, &j, err);
    if (st != PSC_OK)
        return st;
    psci_report_set_dims(rep, (int)j.width, (int)j.height);
    if ((st = describe_jpeg(ctx, in, n, &j, rep, &orient)) != PSC_OK || out == NULL)
        goto done;

    if (orient > 1 && ctx->param[PSC_PARAM_ORIENTATION] == PSC_ORIENT_ROTATE) {
        unsigned long long px = (unsigned long long)j.width * j.height;
        if (px > (unsigned long long)ctx->param[PSC_PARAM_MAX_MEGAPIXELS] * 1000000ULL) {
            st = psci_fail(err, PSC_ERR_LIMIT, "jpeg: %ux%u pixels is over the limit of %lld megapixels for rotation",
                           j.width, j.height, ctx->param[PSC_PARAM_MAX_MEGAPIXELS]);
            goto done;
        }
        if ((st = psci_jpeg_write(in, &j, NULL, 0, keep_icc, &plain, err)) != PSC_OK)
            goto done;
        psci_err terr;
        psci_err_clear(&terr);
        int progressive = j.sof_marker == 0xC2 || j.sof_marker == 0xC6 || j.sof_marker == 0xCA ||
                          j.sof_marker == 0xCE;
        st = psci_jpeg_transform(plain.data, plain.len, orient, progressive, &rot, &rot_len, &terr);
        if (st == PSC_OK) {
            /* The transformer copies markers; walk its output through the keep-list again. */
            if ((st = psci_jpeg_parse(rot, rot_len, &rj, err)) != PSC_OK)
                goto done;
            st = psci_jpeg_write(rot, &rj, NULL, 0, keep_icc, out, err);
            action = PSC_ORIENT_ACTION_ROTATED;
            goto verify;
        }
        if (st != PSC_ERR_UNSUPPORTED) {
            psci_fail(err, st, "%s", terr.msg);
            goto done;
        }
        char note[PSCI_ERRMSG_MAX + 64];
        snprintf(note, sizeof note, "not rotated (%s); kept an Orientation tag instead", terr.msg);
        if ((st = psci_report_note(rep, note, err)) != PSC_OK)
            goto done;
    }
    if (orient > 1) {
        if ((st = psci_exif_build_orientation(orient, &exif, &exif_len, err)) != PSC_OK)
            goto done;
        action = PSC_ORIENT_ACTION_TAGGED;
    }
    st = psci_jpeg_write(in, &j, exif, exif_len, keep_icc, out, err);
verify:
    if (st == PSC_OK && !ctx->param[PSC_PARAM_METADATA_ONLY]) {
        /* After a lossless rotation the pixels are upright and carry no orientation tag. */
        int upright = action == PSC_ORIENT_ACTION_ROTATED;
        st = psci_pixels_jpeg(ctx, out, upright ? 1 : orient, upright ? NULL : exif,
                              upright ? 0 : exif_len, rep);
    }
    if (st == PSC_OK)
        st = verify_jpeg(ctx, out->data, out->len);
    psci_report_set_orientation(rep, orient, action);
done:
    if (st == PSC_OK && out == NULL)
        psci_report_set_orientation(rep, orient, PSC_ORIENT_ACTION_NONE);
    psci_jpeg_free(&j);
    psci_jpeg_free(&rj);
    psci_buf_free(&plain);
    free(exif);
    free(rot);
    return st;
}

/* ------------------------------------------------------------------ PNG */

static psc_status scrub_png(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                            psc_report *rep) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    int values = (int)ctx->param[PSC_PARAM_REPORT_VALUES];
    psci_png png;
    unsigned char *exif = NULL;
    size_t exif_len = 0;
    int orient = 1, has_icc = 0;
    psc_status st = psci_png_parse(in, n, &png, err);
    if (st != PSC_OK)
        return st;
    psci_report_set_dims(rep, (int)png.width, (int)png.height);
    for (size_t i = 0; st == PSC_OK && i < png.n; i++) {
        const psci_pchunk *c = &png.chunks[i];
        const unsigned char *data = in + c->data_off;
        char what[32];
        if (c->is_icc)
            has_icc = 1;
        if (c->is_exif && i == png.first_exif) {
            int o = psci_exif_orientation(data, c->data_len);
            orient = o ? o : 1;
            if (psci_exif_is_orientation_only(data, c->data_len))
                continue;
        }
        if (c->keep && !(c->is_icc && !keep_icc))
            continue;
        psc_meta cls = c->keep ? PSC_META_ICC : c->cls;
        if (c->is_exif) {
            visit_state v = {rep, err, PSC_OK};
            st = psci_exif_describe(data, c->data_len, values, on_exif_entry, &v, err);
            if (st == PSC_OK)
                st = v.st;
        } else {
            psci_report_found(rep, cls);
            if (cls == PSC_META_XMP || cls == PSC_META_TEXT)
                describe_text_block(data, c->data_len, rep);
        }
        snprintf(what, sizeof what, "%s chunk", c->type);
        if (st == PSC_OK)
            st = psci_report_removed(rep, what, cls, c->off, c->len, err);
    }
    if (st == PSC_OK && png.end < n) {
        psci_report_found(rep, PSC_META_TRAILER);
        st = psci_report_removed(rep, "bytes after IEND", PSC_META_TRAILER, png.end, n - png.end, err);
    }
    psci_report_set_icc(rep, !has_icc ? PSCI_ICC_NONE : keep_icc ? PSCI_ICC_KEPT : PSCI_ICC_STRIPPED);
    psci_report_set_orientation(rep, orient, PSC_ORIENT_ACTION_NONE);
    if (st != PSC_OK || out == NULL)
        goto done;
    if (orient > 1) {
        if (ctx->param[PSC_PARAM_ORIENTATION] == PSC_ORIENT_ROTATE &&
            (st = psci_report_note(rep, "PNG is not rotated (lossless rotation is done for JPEG); kept an Orientation tag instead", err)) != PSC_OK)
            goto done;
        if ((st = psci_exif_build_orientation(orient, &exif, &exif_len, err)) != PSC_OK)
            goto done;
        psci_report_set_orientation(rep, orient, PSC_ORIENT_ACTION_TAGGED);
    }
    /* eXIf holds a bare TIFF block: no "Exif\0\0" header. */
    st = psci_png_write(in, &png, exif ? exif + 6 : NULL, exif ? exif_len - 6 : 0, keep_icc, out, err);
    if (st == PSC_OK && !ctx->param[PSC_PARAM_METADATA_ONLY])
        st = psci_pixels_png(ctx, out, orient, rep);
    if (st != PSC_OK)
        goto done;
    psci_png vp;
    if (psci_png_parse(out->data, out->len, &vp, err) != PSC_OK) {
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not re-parse: %s", err->msg);
        goto done;
    }
    for (size_t i = 0; st == PSC_OK && i < vp.n; i++) {
        const psci_pchunk *c = &vp.chunks[i];
        int ok = c->keep && (keep_icc || !c->is_icc);
        if (c->is_exif)
            ok = i == vp.first_exif && psci_exif_is_orientation_only(out->data + c->data_off, c->data_len);
        if (!ok)
            st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output still holds a '%s' chunk", c->type);
    }
    if (st == PSC_OK && vp.end != out->len)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output has bytes after IEND");
    psci_png_free(&vp);
done:
    psci_png_free(&png);
    free(exif);
    return st;
}

psc_status psci_pipeline_run(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             int check, psc_report **rep_out) {
    psci_err *err = &ctx->err;
    *rep_out = NULL;
    if (n == 0)
        return psci_fail(err, PSC_ERR_FORMAT, "empty file (0 bytes)");
    const char *format = NULL;
    if (n >= 3 && in[0] == 0xFF && in[1] == 0xD8 && in[2] == 0xFF)
        format = "jpeg";
    else if (n >= 8 && memcmp(in, "\x89PNG\r\n\x1a\n", 8) == 0)
        format = "png";
    if (format == NULL && n >= 2 && in[0] == 0xFF && in[1] == 0xD8)
        return psci_fail(err, PSC_ERR_CORRUPT, "jpeg: damaged file: no marker after SOI");
    if (format == NULL) {
        const char *other = sniff_other(in, n);
        /* A photo format we recognise but cannot scrub is an unsupported photo, not a
         * non-photo: batch tools must report it as a failure, never skip it quietly. */
        if (other != NULL)
            return psci_fail(err, PSC_ERR_UNSUPPORTED, "this is %s", other);
        return psci_fail(err, PSC_ERR_FORMAT, "not a JPEG or PNG photo (unrecognised content)");
    }
    psc_report *rep = psci_report_new(format);
    if (rep == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    psc_status st = format[0] == 'j' ? scrub_jpeg(ctx, in, n, out, rep) : scrub_png(ctx, in, n, out, rep);
    if (st == PSC_OK && check && !ctx->param[PSC_PARAM_METADATA_ONLY])
        st = psci_pixels_find(ctx, in, n, format[0] == 'j', psc_report_orientation(rep), rep);
    psci_report_set_sizes(rep, n, (st == PSC_OK && out) ? out->len : 0);
    *rep_out = rep;
    return st;
}
