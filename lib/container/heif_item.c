/*
 * Questions asked of one item of a parsed HEIF file: which item has this id, its coded bytes,
 * its size and orientation, its colour profile.
 *
 * Follows ISO/IEC 14496-12:2015 §8.11.3 iloc (construction methods 0 and 1, §8.11.11 idat);
 * ISO/IEC 23008-12:2017 (HEIF) §9.3 ipma, §6.5.3 ispe, §6.5.10 irot, §6.5.12 imir, §6.5.5 colr
 * (nclx: ITU-T H.273 colour primaries; prof/rICC: ICC profile).
 */
#include "heif_int.h"

#include <string.h>

const psci_hitem *psci_heif_item(const psci_heif *h, uint32_t id) {
    for (size_t i = 0; i < h->nitems; i++)
        if (h->items[i].id == id)
            return &h->items[i];
    return NULL;
}

psc_status psci_heif_item_data(const unsigned char *p, size_t n, const psci_heif *h,
                               const psci_hitem *it, size_t max, psci_buf *out, psci_err *err) {
    if (!it->has_loc || it->method > 1 || it->dref != 0)
        return psci_fail(err, PSC_ERR_UNSUPPORTED, "heif: item %u has no data in this file",
                         it->id);
    for (size_t e = 0; e < it->next; e++) {
        const psci_hextent *x = &h->ext[it->ext0 + e];
        uint64_t base = it->method == 1 ? h->idat_off : 0;
        uint64_t lim = it->method == 1 ? h->idat_len : n;
        if (x->off > lim || x->len > lim - x->off)
            return psci_fail(err, PSC_ERR_CORRUPT,
                             "heif: item %u data at offset %llu runs past the end of the %s",
                             it->id, (unsigned long long)x->off,
                             it->method == 1 ? "'idat' box" : "file");
        if (x->len > max || out->len > max - (size_t)x->len)
            return psci_fail(err, PSC_ERR_LIMIT, "heif: item %u is larger than %zu bytes", it->id,
                             max);
        psc_status st = psci_buf_append(out, p + base + x->off, (size_t)x->len, err);
        if (st != PSC_OK)
            return st;
    }
    return PSC_OK;
}

/* ------------------------------------------------------------------ properties of an item */

static const psci_hprop *find_prop(const psci_heif *h, const psci_hitem *it, const char *type,
                                   size_t nth) {
    for (size_t k = 0; k < it->nassoc; k++) {
        uint32_t pi = h->assoc[it->assoc0 + k].prop;
        if (pi && memcmp(h->props[pi - 1].type, type, 4) == 0 && nth-- == 0)
            return &h->props[pi - 1];
    }
    return NULL;
}

/* ispe (ISO/IEC 23008-12:2017 §6.5.3, a FullBox), irot (§6.5.10: angle in the low 2 bits) and
 * imir (§6.5.12: axis in the low bit). */
void psci_heif_geometry(const unsigned char *p, const psci_heif *h, const psci_hitem *it,
                        unsigned *w, unsigned *h_out, int *rot, int *mirror) {
    *w = *h_out = 0;
    *rot = 0;
    *mirror = -1;
    const psci_hprop *pr = find_prop(h, it, "ispe", 0);
    if (pr && pr->len >= pr->hdr + 12) {
        /* ispe is a FullBox: version/flags, then width and height */
        size_t o = pr->off + pr->hdr + 4;
        *w = psci_rd_be32(p + o);
        *h_out = psci_rd_be32(p + o + 4);
    }
    pr = find_prop(h, it, "irot", 0);
    if (pr && pr->len >= pr->hdr + 1)
        *rot = p[pr->off + pr->hdr] & 3;
    pr = find_prop(h, it, "imir", 0);
    if (pr && pr->len >= pr->hdr + 1)
        *mirror = p[pr->off + pr->hdr] & 1;
}

/* The item whose colr (ISO/IEC 23008-12:2017 §6.5.5) describes it: itself, or for a grid without
 * colr its first tile (as libheif does). */
static const psci_hitem *colour_item(const psci_heif *h, const psci_hitem *it) {
    for (int depth = 0; depth < PSCI_HEIF_MAX_DEPTH && it != NULL; depth++) {
        if (find_prop(h, it, "colr", 0) != NULL || !psci_heif_is_derived(it))
            return it;
        const psci_hitem *next = NULL;
        for (size_t r = 0; next == NULL && r < h->nrefs; r++)
            if (h->refs[r].from == it->id && memcmp(h->refs[r].type, "dimg", 4) == 0 &&
                h->refs[r].nto)
                next = psci_heif_item(h, h->ref_to[h->refs[r].to0]);
        it = next;
    }
    return it;
}

const unsigned char *psci_heif_icc(const unsigned char *p, const psci_heif *h, const psci_hitem *it,
                                   size_t *len) {
    if ((it = colour_item(h, it)) == NULL)
        return NULL;
    for (size_t k = 0;; k++) {
        const psci_hprop *pr = find_prop(h, it, "colr", k);
        if (pr == NULL)
            return NULL;
        if (pr->is_icc && pr->len > pr->hdr + 4) {
            *len = pr->len - pr->hdr - 4;
            return p + pr->off + pr->hdr + 4;
        }
    }
}

unsigned psci_heif_nclx_primaries(const unsigned char *p, const psci_heif *h,
                                  const psci_hitem *it) {
    if ((it = colour_item(h, it)) == NULL)
        return 0;
    for (size_t k = 0;; k++) {
        const psci_hprop *pr = find_prop(h, it, "colr", k);
        if (pr == NULL)
            return 0;
        if (!pr->is_icc && pr->len >= pr->hdr + 6 && memcmp(p + pr->off + pr->hdr, "nclx", 4) == 0)
            return psci_rd_be16(p + pr->off + pr->hdr + 4);
    }
}
