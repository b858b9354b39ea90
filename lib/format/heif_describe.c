/*
 * What a HEIF holds that the output will not, for the report: dropped items by their type and
 * references (Exif, XMP, thumbnails, auxiliary images, tiles of removed images), dropped boxes
 * and properties. The keep-list decisions themselves are made by container/heif_boxes.
 */
#include "../container/heif_boxes.h"
#include "heif_format.h"

#include <stdlib.h>
#include <string.h>

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
                    d[ti].what = d[fi].cls == PSC_META_THUMBNAIL ? "tile of a thumbnail image"
                                                                 : "tile of a removed image";
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
psc_status psci_heif_describe(psc_ctx *ctx, const unsigned char *in, size_t n, const psci_heif *h,
                              psc_report *rep) {
    psci_err *err = &ctx->err;
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
                    if (skip <= data.len - 4)
                        st =
                            psci_describe_exif(ctx, data.data + 4 + skip, data.len - 4 - skip, rep);
                } else if (d[i].cls == PSC_META_XMP) {
                    psci_describe_text_block(data.data, data.len, rep);
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
        st = psci_report_removed(rep, "bytes after the last box", PSC_META_TRAILER, h->end,
                                 n - h->end, err);
    }
    return st;
}
