/*
 * The path a photo travels: sniff -> split container -> describe -> rebuild (keep-list) ->
 * orientation -> verify. Fails closed: an output that does not re-parse as clean is never
 * handed back.
 */
#include "codec/heif_codec.h"
#include "codec/jpeg_codec.h"
#include "container/exif_min.h"
#include "container/heif_boxes.h"
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
    if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
        return NULL; /* HEIF is handled; other ISO media files (MP4, CR3) are not photos we know */
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

/* ------------------------------------------------------------------ HEIF */

/* An ISO media file whose ftyp names a HEIF brand: HEIC, AVIF or plain HEIF. */
static int sniff_heif(const unsigned char *p, size_t n) {
    static const char *const brands[] = {"mif1", "mif2", "msf1", "heic", "heix", "heim",
                                         "heis", "hevc", "hevx", "avif", "avis", "miaf"};
    if (n < 16 || memcmp(p + 4, "ftyp", 4) != 0)
        return 0;
    size_t len = psci_rd_be32(p);
    if (len > n)
        len = n;
    for (size_t off = 8; off + 4 <= len; off += 4) {
        if (off == 12)
            continue; /* minor version */
        for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
            if (memcmp(p + off, brands[i], 4) == 0)
                return 1;
    }
    return 0;
}

/* Names a dropped top-level or meta box for the report. */
static const char *heif_box_what(const char *type, int in_meta, psc_meta *cls) {
    static const struct {
        const char *type, *what;
        psc_meta cls;
    } known[] = {
        {"free", "'free' box (unused space, may hold old data)", PSC_META_UNKNOWN},
        {"skip", "'skip' box (unused space, may hold old data)", PSC_META_UNKNOWN},
        {"mpvd", "motion photo video ('mpvd' box)", PSC_META_TRAILER},
        {"sefd", "Samsung trailer ('sefd' box)", PSC_META_TRAILER},
        {"moov", "video or image sequence ('moov' box)", PSC_META_TRAILER},
        {"uuid", "vendor 'uuid' box", PSC_META_UNKNOWN},
        {"meco", "additional metadata ('meco' box)", PSC_META_UNKNOWN},
        {"grpl", "entity groups ('grpl' box: bursts, alternatives)", PSC_META_UNKNOWN},
        {"xml ", "XML metadata box", PSC_META_XMP},
        {"bxml", "binary XML metadata box", PSC_META_XMP},
        {"ipro", "item protection box", PSC_META_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (memcmp(type, known[i].type, 4) == 0) {
            *cls = known[i].cls;
            return known[i].what;
        }
    *cls = PSC_META_UNKNOWN;
    return in_meta ? "unknown box in 'meta'" : "unknown top-level box";
}

typedef struct heif_drop {
    const char *what;
    psc_meta cls;
} heif_drop;

static int heif_has_ref(const psci_heif *h, const char *type, uint32_t from) {
    for (size_t r = 0; r < h->nrefs; r++)
        if (h->refs[r].from == from && memcmp(h->refs[r].type, type, 4) == 0)
            return 1;
    return 0;
}

/* Says what each dropped item was: metadata by its type, images by their references
 * (thumbnails, auxiliary images) and tiles by the image they belong to. */
static void heif_classify(const psci_heif *h, heif_drop *d) {
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        d[i].what = NULL;
        d[i].cls = PSC_META_UNKNOWN;
        if (it->role != PSCI_HDROP)
            continue;
        if (!it->has_infe) {
            d[i].what = "undescribed item data";
        } else if (!memcmp(it->type, "Exif", 4)) {
            d[i].what = "Exif item";
            d[i].cls = PSC_META_EXIF;
        } else if (!memcmp(it->type, "mime", 4)) {
            d[i].what = it->is_xmp ? "XMP item" : "metadata item (mime)";
            d[i].cls = it->is_xmp ? PSC_META_XMP : PSC_META_UNKNOWN;
        } else if (!memcmp(it->type, "uri ", 4)) {
            d[i].what = "metadata item (uri)";
        } else if (heif_has_ref(h, "thmb", it->id)) {
            d[i].what = "thumbnail image item";
            d[i].cls = PSC_META_THUMBNAIL;
        } else if (heif_has_ref(h, "auxl", it->id)) {
            unsigned kind = 4;
            for (size_t k = 0; k < it->nassoc; k++) {
                uint32_t pi = h->assoc[it->assoc0 + k].prop;
                if (pi && !memcmp(h->props[pi - 1].type, "auxC", 4))
                    kind = h->props[pi - 1].aux_kind;
            }
            d[i].what = kind == 1   ? "auxiliary image item (alpha of another image)"
                        : kind == 2 ? "auxiliary image item (depth map)"
                        : kind == 3 ? "auxiliary image item (HDR gain map)"
                                    : "auxiliary image item (matte or other)";
            d[i].cls = PSC_META_MPF;
        }
    }
    /* Inputs of dropped derived images take their parent's description. */
    for (int round = 0; round < PSCI_HEIF_MAX_DEPTH; round++)
        for (size_t r = 0; r < h->nrefs; r++) {
            const psci_href *ref = &h->refs[r];
            const psci_hitem *from = psci_heif_item(h, ref->from);
            if (from == NULL || memcmp(ref->type, "dimg", 4) != 0)
                continue;
            size_t fi = (size_t)(from - h->items);
            if (d[fi].what == NULL)
                continue;
            for (size_t k = 0; k < ref->nto; k++) {
                const psci_hitem *t = psci_heif_item(h, h->ref_to[ref->to0 + k]);
                size_t ti = t ? (size_t)(t - h->items) : 0;
                if (t != NULL && t->role == PSCI_HDROP && d[ti].what == NULL) {
                    d[ti].what = d[fi].cls == PSC_META_THUMBNAIL ? "tile of a thumbnail image" : "tile of a removed image";
                    d[ti].cls = d[fi].cls;
                }
            }
        }
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role != PSCI_HDROP || d[i].what != NULL)
            continue;
        int image = !memcmp(it->type, "hvc1", 4) || !memcmp(it->type, "av01", 4) ||
                    !memcmp(it->type, "grid", 4) || !memcmp(it->type, "iden", 4) ||
                    !memcmp(it->type, "iovl", 4) || !memcmp(it->type, "jpeg", 4) ||
                    !memcmp(it->type, "tmap", 4);
        d[i].what = image ? "other image item" : "unknown item";
        d[i].cls = image ? PSC_META_MPF : PSC_META_UNKNOWN;
    }
}

/* Reports what the HEIF holds that the output will not: items, boxes, properties. */
static psc_status describe_heif(psc_ctx *ctx, const unsigned char *in, size_t n, const psci_heif *h,
                                psc_report *rep) {
    psci_err *err = &ctx->err;
    int values = (int)ctx->param[PSC_PARAM_REPORT_VALUES];
    psc_status st = PSC_OK;
    heif_drop *d = calloc(h->nitems ? h->nitems : 1, sizeof *d);
    if (d == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    heif_classify(h, d);
    for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role != PSCI_HDROP)
            continue;
        size_t off = it->infe_off;
        if (it->has_loc && it->next > 0 && it->method <= 1) {
            uint64_t o = h->ext[it->ext0].off + (it->method == 1 ? h->idat_off : 0);
            off = o > n ? n : (size_t)o;
        }
        size_t bytes = it->data_len > n ? n : (size_t)it->data_len;
        if (d[i].cls == PSC_META_EXIF || d[i].cls == PSC_META_XMP) {
            /* Described only when its bytes are readable; dropped either way. */
            psci_buf data;
            psci_buf_init(&data);
            psci_err derr;
            psci_err_clear(&derr);
            if (psci_heif_item_data(in, n, h, it, 64u << 20, &data, &derr) == PSC_OK) {
                if (d[i].cls == PSC_META_EXIF && data.len >= 4) {
                    /* The payload starts with the offset of the TIFF header after these 4 bytes. */
                    uint32_t skip = psci_rd_be32(data.data);
                    if (skip <= data.len - 4) {
                        visit_state v = {rep, err, PSC_OK};
                        st = psci_exif_describe(data.data + 4 + skip, data.len - 4 - skip, values,
                                                on_exif_entry, &v, err);
                        if (st == PSC_OK)
                            st = v.st;
                    }
                } else if (d[i].cls == PSC_META_XMP) {
                    describe_text_block(data.data, data.len, rep);
                }
            }
            psci_buf_free(&data);
        }
        psci_report_found(rep, d[i].cls);
        if (st == PSC_OK)
            st = psci_report_removed(rep, d[i].what, d[i].cls, off, bytes, err);
    }
    free(d);
    for (size_t i = 0; st == PSC_OK && i < h->ntop; i++) {
        const psci_hbox *b = &h->top[i];
        if (b->keep)
            continue;
        psc_meta cls;
        const char *what = heif_box_what(b->type, 0, &cls);
        psci_report_found(rep, cls);
        st = psci_report_removed(rep, what, cls, b->off, b->len, err);
    }
    for (size_t i = 0; st == PSC_OK && i < h->nmchild; i++) {
        const psci_hbox *b = &h->mchild[i];
        if (b->keep)
            continue;
        psc_meta cls;
        const char *what = heif_box_what(b->type, 1, &cls);
        psci_report_found(rep, cls);
        st = psci_report_removed(rep, what, cls, b->off, b->len, err);
    }
    /* Properties dropped for what they are (not merely because their item went). */
    for (size_t i = 0; st == PSC_OK && i < h->nprops; i++) {
        const psci_hprop *pr = &h->props[i];
        if (pr->keep)
            continue;
        int used_by_kept = 0, used = 0;
        for (size_t k = 0; k < h->nitems; k++) {
            const psci_hitem *it = &h->items[k];
            for (size_t a = 0; a < it->nassoc; a++)
                if (h->assoc[it->assoc0 + a].prop == i + 1) {
                    used = 1;
                    used_by_kept |= it->role != PSCI_HDROP;
                }
        }
        if (used && !used_by_kept)
            continue;
        const char *what = "unknown property";
        psc_meta cls = PSC_META_UNKNOWN;
        if (pr->is_icc) {
            what = "ICC profile";
            cls = PSC_META_ICC;
        } else if (!memcmp(pr->type, "udes", 4)) {
            what = "user description property (title, description, tags)";
            cls = PSC_META_COMMENT;
        } else if (!memcmp(pr->type, "free", 4) || !memcmp(pr->type, "skip", 4)) {
            what = "'free' property box (unused space)";
        }
        psci_report_found(rep, cls);
        st = psci_report_removed(rep, what, cls, pr->off, pr->len, err);
    }
    if (st == PSC_OK && h->end < n) {
        psci_report_found(rep, PSC_META_TRAILER);
        st = psci_report_removed(rep, "bytes after the last box", PSC_META_TRAILER, h->end, n - h->end, err);
    }
    return st;
}

/* Re-parses our own HEIF output with our walker (keep-list) and with libheif (structure); the
 * shown size must be want_w x want_h unless want_w < 0 (unknown). */
static psc_status verify_heif(psc_ctx *ctx, const unsigned char *p, size_t n, int want_w, int want_h) {
    psci_err *err = &ctx->err;
    psci_heif v;
    psc_status st = psci_heif_parse(p, n, &v, err);
    if (st != PSC_OK)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not re-parse: %s", err->msg);
    if ((st = psci_heif_plan(p, n, &v, (int)ctx->param[PSC_PARAM_KEEP_ICC], err)) != PSC_OK)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: output does not plan: %s", err->msg);
    if (st == PSC_OK)
        st = psci_heif_check_clean(p, n, &v, err);
    psci_heif_free(&v);
    int w = 0, h = 0;
    if (st == PSC_OK && psci_heif_probe(p, n, &w, &h, err) != PSC_OK)
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: libheif cannot read the output: %s", err->msg);
    if (st == PSC_OK && want_w >= 0 && (w != want_w || h != want_h))
        st = psci_fail(err, PSC_ERR_UNSAFE, "verify: the output shows %dx%d pixels, the input %dx%d",
                       w, h, want_w, want_h);
    return st;
}

/* JPEG from a redacted HEIF: the ICC profile goes in as APP2 ICC_PROFILE chunks after
 * SOI/JFIF, then the file goes through the JPEG keep-list again. */
static psc_status jpeg_with_icc(psc_ctx *ctx, const unsigned char *jpg, size_t jlen,
                                const unsigned char *icc, size_t icc_len, psci_buf *out,
                                psc_report *rep) {
    psci_err *err = &ctx->err;
    enum { CHUNK = 65519 };
    size_t chunks = icc_len ? (icc_len + CHUNK - 1) / CHUNK : 0;
    if (chunks > 255) {
        chunks = 0;
        psc_status st = psci_report_note(rep, "ICC profile too large for JPEG (over 255 chunks): not kept", err);
        if (st != PSC_OK)
            return st;
    }
    psci_buf tmp;
    psci_buf_init(&tmp);
    size_t at = 2;
    if (jlen >= 6 && jpg[2] == 0xFF && jpg[3] == 0xE0)
        at = 4 + psci_rd_be16(jpg + 4);
    if (jlen < 4 || at > jlen)
        return psci_fail(err, PSC_ERR_INTERNAL, "jpeg: encoder output is not a JPEG");
    psc_status st = psci_buf_append(&tmp, jpg, at, err);
    for (size_t c = 0; st == PSC_OK && c < chunks; c++) {
        size_t len = icc_len - c * CHUNK < CHUNK ? icc_len - c * CHUNK : CHUNK;
        st = psci_buf_byte(&tmp, 0xFF, err);
        if (st == PSC_OK) st = psci_buf_byte(&tmp, 0xE2, err);
        if (st == PSC_OK) st = psci_buf_be16(&tmp, (unsigned)(len + 16), err);
        if (st == PSC_OK) st = psci_buf_append(&tmp, "ICC_PROFILE", 12, err);
        if (st == PSC_OK) st = psci_buf_byte(&tmp, (unsigned char)(c + 1), err);
        if (st == PSC_OK) st = psci_buf_byte(&tmp, (unsigned char)chunks, err);
        if (st == PSC_OK) st = psci_buf_append(&tmp, icc + c * CHUNK, len, err);
    }
    if (st == PSC_OK)
        st = psci_buf_append(&tmp, jpg + at, jlen - at, err);
    psci_jpeg j;
    if (st == PSC_OK && (st = psci_jpeg_parse(tmp.data, tmp.len, &j, err)) == PSC_OK) {
        st = psci_jpeg_write(tmp.data, &j, NULL, 0, 1, out, err);
        psci_jpeg_free(&j);
    }
    psci_buf_free(&tmp);
    return st;
}

static psc_status scrub_heif(psc_ctx *ctx, const unsigned char *in, size_t n, psci_buf *out,
                             psc_report *rep) {
    psci_err *err = &ctx->err;
    int keep_icc = (int)ctx->param[PSC_PARAM_KEEP_ICC];
    psci_heif h;
    psci_buf jpg, norm;
    psci_buf_init(&jpg);
    psci_buf_init(&norm);
    psc_status st = psci_heif_parse(in, n, &h, err);
    if (st != PSC_OK)
        return st;
    if ((st = psci_heif_plan(in, n, &h, keep_icc, err)) != PSC_OK)
        goto done;
    const psci_hitem *prim = psci_heif_item(&h, h.primary);
    unsigned iw, ih;
    int rot, mir;
    psci_heif_geometry(in, &h, prim, &iw, &ih, &rot, &mir);
    /* Dimensions as shown: libheif applies irot/imir when decoding, so regions and previews are
     * in display pixels and the orientation to report is 1 (kept as irot/imir, not EXIF). */
    int dw = (int)((rot & 1) ? ih : iw), dh = (int)((rot & 1) ? iw : ih);
    psci_report_set_dims(rep, dw, dh);
    psci_report_set_orientation(rep, 1, PSC_ORIENT_ACTION_NONE);
    size_t icc_len = 0;
    const unsigned char *icc = psci_heif_icc(in, &h, prim, &icc_len);
    psci_report_set_icc(rep, icc == NULL ? PSCI_ICC_NONE : keep_icc ? PSCI_ICC_KEPT : PSCI_ICC_STRIPPED);
    if ((st = describe_heif(ctx, in, n, &h, rep)) != PSC_OK || out == NULL)
        goto done;
    if ((st = psci_heif_write(in, &h, out, err)) != PSC_OK)
        goto done;
    /* libheif's view of the input, to check the output shows the same size. An input libheif
     * rejects (often for parts we drop) is not an error: the keep-list check still runs. */
    int pw = -1, ph = -1;
    psci_err perr;
    psci_err_clear(&perr);
    if (psci_heif_probe(in, n, &pw, &ph, &perr) != PSC_OK)
        pw = ph = -1;
    if ((st = verify_heif(ctx, out->data, out->len, pw, ph)) != PSC_OK)
        goto done;
    if (ctx->param[PSC_PARAM_METADATA_ONLY])
        goto done;
    if ((st = psci_pixels_heif(ctx, out->data, out->len, 0, &jpg, rep)) != PSC_OK || jpg.len == 0)
        goto done;
    /* Something was hidden: the pixels changed and photoscrub does not encode HEIF. */
    if ((st = jpeg_with_icc(ctx, jpg.data, jpg.len, keep_icc ? icc : NULL, keep_icc ? icc_len : 0,
                            &norm, rep)) != PSC_OK)
        goto done;
    if ((st = verify_jpeg(ctx, norm.data, norm.len)) != PSC_OK)
        goto done;
    unsigned prim_cp = psci_heif_nclx_primaries(in, &h, prim);
    if (icc == NULL && prim_cp > 2) {
        char note[160];
        snprintf(note, sizeof note, "the HEIF colour space (nclx primaries %u) is not carried into the JPEG: colours may look duller", prim_cp);
        if ((st = psci_report_note(rep, note, err)) != PSC_OK)
            goto done;
    }
    st = psci_report_note(rep, keep_icc && icc ? "output is a JPEG, not HEIF: codes or text were hidden, so the pixels had to be "
                                                 "re-encoded and photoscrub does not encode HEIF (JPEG quality 92, upright, ICC profile kept)"
                                               : "output is a JPEG, not HEIF: codes or text were hidden, so the pixels had to be "
                                                 "re-encoded and photoscrub does not encode HEIF (JPEG quality 92, upright)", err);
    if (st != PSC_OK)
        goto done;
    psci_buf_free(out);
    *out = norm;
    psci_buf_init(&norm);
    psci_report_set_output_format(rep, "jpeg");
done:
    psci_buf_free(&jpg);
    psci_buf_free(&norm);
    psci_heif_free(&h);
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
    else if (sniff_heif(in, n))
        format = "heif";
    if (format == NULL && n >= 2 && in[0] == 0xFF && in[1] == 0xD8)
        return psci_fail(err, PSC_ERR_CORRUPT, "jpeg: damaged file: no marker after SOI");
    if (format == NULL) {
        const char *other = sniff_other(in, n);
        /* A photo format we recognise but cannot scrub is an unsupported photo, not a
         * non-photo: batch tools must report it as a failure, never skip it quietly. */
        if (other != NULL)
            return psci_fail(err, PSC_ERR_UNSUPPORTED, "this is %s", other);
        return psci_fail(err, PSC_ERR_FORMAT, "not a JPEG, PNG or HEIF photo (unrecognised content)");
    }
    psc_report *rep = psci_report_new(format);
    if (rep == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    psc_status st = format[0] == 'j'   ? scrub_jpeg(ctx, in, n, out, rep)
                    : format[0] == 'p' ? scrub_png(ctx, in, n, out, rep)
                                       : scrub_heif(ctx, in, n, out, rep);
    if (st == PSC_OK && check && !ctx->param[PSC_PARAM_METADATA_ONLY])
        st = format[0] == 'h' ? psci_pixels_heif(ctx, in, n, 1, NULL, rep)
                              : psci_pixels_find(ctx, in, n, format[0] == 'j', psc_report_orientation(rep), rep);
    psci_report_set_sizes(rep, n, (st == PSC_OK && out) ? out->len : 0);
    *rep_out = rep;
    return st;
}
