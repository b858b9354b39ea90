/*
 * HEIF keep-list plan: from a parsed file, marks which items (primary image, tiles of a kept
 * derived image, alpha plane), properties and boxes are written out; all else is dropped.
 *
 * Follows ISO/IEC 23008-12:2017 (HEIF): §6.6.2.2 iden and §6.6.2.3 grid derived images
 * ('dimg' references, ISO/IEC 14496-12:2015 §8.11.12), §6.5.8 auxC and 'auxl' for the alpha
 * plane, §9.3 essential property associations; ISO/IEC 14496-12:2015 §8.11.3 iloc
 * construction methods and data references.
 */
#include "heif_int.h"

#include <string.h>

int psci_heif_is_derived(const psci_hitem *it) {
    return memcmp(it->type, "grid", 4) == 0 || memcmp(it->type, "iden", 4) == 0;
}

/* Coded image items: HEVC 'hvc1' (ISO/IEC 23008-12:2017 Annex B) and AV1 'av01' (AVIF v1.1). */
static int is_coded(const psci_hitem *it) {
    return memcmp(it->type, "hvc1", 4) == 0 || memcmp(it->type, "av01", 4) == 0;
}

static psci_hitem *item_mut(psci_heif *h, uint32_t id) {
    return (psci_hitem *)psci_heif_item(h, id);
}

/* An extent of a cm-0 item must lie inside the payload of an mdat box (ISO/IEC 14496-12:2015
 * §8.1.1); of a cm-1 item, inside idat (§8.11.11). Anything else points at headers or dropped
 * boxes. */
static int extent_ok(const psci_heif *h, const psci_hitem *it, const psci_hextent *e, size_t n) {
    if (e->len == 0)
        return 0;
    if (it->method == 1)
        return h->has_idat && e->off <= h->idat_len && e->len <= h->idat_len - e->off;
    if (e->off >= n || e->len > n - e->off)
        return 0;
    for (size_t i = 0; i < h->ntop; i++) {
        const psci_hbox *b = &h->top[i];
        if (memcmp(b->type, "mdat", 4) != 0)
            continue;
        uint64_t s = b->off + b->hdr, t = b->off + b->len;
        if (e->off >= s && e->off + e->len <= t)
            return 1;
    }
    return 0;
}

/* Marks an item kept after checking it can be copied as it is: typed (infe version >= 2), not
 * protected (ISO/IEC 14496-12:2015 §8.11.5), its data in this file (data_reference_index 0,
 * §8.11.3) and in mdat or idat (construction method 0 or 1, not 2). */
static psc_status keep_item(psci_heif *h, psci_hitem *it, unsigned char role, size_t n,
                            psci_err *err) {
    if (it->role != PSCI_HDROP)
        return PSC_OK;
    const char *what = role == PSCI_HPRIMARY ? "the primary image"
                       : role == PSCI_HALPHA ? "the alpha plane"
                                             : "a tile of the primary image";
    if (!it->has_infe)
        return psci_fail(err, PSC_ERR_CORRUPT, "heif: %s (item %u) has no 'infe' entry", what,
                         it->id);
    if (!is_coded(it) && !psci_heif_is_derived(it)) {
        if (it->type[0] == '\0')
            return psci_fail(err, PSC_ERR_UNSUPPORTED,
                             "heif: %s (item %u) has an old-style item entry with no type", what,
                             it->id);
        char t[5];
        psci_heif_fourcc(t, (const unsigned char *)it->type);
        return psci_fail(err, PSC_ERR_UNSUPPORTED,
                         "heif: %s (item %u) is coded as '%s'; only HEVC ('hvc1'), AV1 ('av01'), "
                         "grids and 'iden' are supported",
                         what, it->id, t);
    }
    if (it->protection != 0)
        return psci_fail(err, PSC_ERR_UNSUPPORTED, "heif: %s (item %u) is protected (encrypted)",
                         what, it->id);
    if (memcmp(it->type, "iden", 4) != 0 && (!it->has_loc || it->data_len == 0))
        return psci_fail(err, PSC_ERR_CORRUPT, "heif: %s (item %u) has no data ('iloc' entry)",
                         what, it->id);
    if (it->has_loc) {
        if (it->dref != 0)
            return psci_fail(err, PSC_ERR_UNSUPPORTED,
                             "heif: %s (item %u) has its data in another file", what, it->id);
        if (it->method == 2)
            return psci_fail(
                err, PSC_ERR_UNSUPPORTED,
                "heif: %s (item %u) is built from another item's data (construction method 2)",
                what, it->id);
        for (size_t e = 0; e < it->next; e++) {
            const psci_hextent *x = &h->ext[it->ext0 + e];
            if (x->len == 0)
                return psci_fail(
                    err, PSC_ERR_UNSUPPORTED,
                    "heif: %s (item %u) has an extent of length 0 (whole-file reference)", what,
                    it->id);
            if (!extent_ok(h, it, x, n))
                return psci_fail(err, PSC_ERR_CORRUPT,
                                 "heif: %s (item %u) data at offset %llu (%llu bytes) lies outside "
                                 "every '%s' box (or past the end of the file)",
                                 what, it->id, (unsigned long long)x->off,
                                 (unsigned long long)x->len, it->method == 1 ? "idat" : "mdat");
        }
    }
    it->role = role;
    return PSC_OK;
}

/* The grid payload must describe as many tiles as the grid references. ImageGrid, ISO/IEC
 * 23008-12:2017 §6.6.2.3: version 0, flags bit 0 for 32-bit output sizes, then
 * rows_minus_one and columns_minus_one. */
static psc_status check_grid(const unsigned char *p, const psci_heif *h, const psci_hitem *it,
                             size_t ntiles, psci_err *err) {
    unsigned char g[12];
    if (it->data_len < 8 || it->data_len > 12) {
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "heif: grid item %u has %llu bytes of description (8 or 12 expected)",
                         it->id, (unsigned long long)it->data_len);
    }
    size_t k = 0;
    for (size_t e = 0; e < it->next; e++) {
        const psci_hextent *x = &h->ext[it->ext0 + e];
        size_t base = it->method == 1 ? h->idat_off : 0;
        memcpy(g + k, p + base + x->off, (size_t)x->len);
        k += (size_t)x->len;
    }
    size_t want = (g[1] & 1) ? 12 : 8;
    if (g[0] != 0 || k != want)
        return psci_fail(err, PSC_ERR_CORRUPT, "heif: grid item %u has an invalid description",
                         it->id);
    size_t cells = (size_t)(g[2] + 1u) * (size_t)(g[3] + 1u);
    if (cells != ntiles)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "heif: grid item %u is %u x %u tiles but references %zu images", it->id,
                         g[2] + 1u, g[3] + 1u, ntiles);
    return PSC_OK;
}

/* Keeps the inputs of kept derived images, recursively: the items a 'dimg' reference names
 * (ISO/IEC 23008-12:2017 §6.6). */
static psc_status keep_inputs(const unsigned char *p, size_t n, psci_heif *h, psci_err *err) {
    for (unsigned round = 0;; round++) {
        int changed = 0;
        if (round > PSCI_HEIF_MAX_DEPTH)
            return psci_fail(err, PSC_ERR_LIMIT, "heif: derived images nested more than %d deep",
                             PSCI_HEIF_MAX_DEPTH);
        for (size_t i = 0; i < h->nitems; i++) {
            psci_hitem *it = &h->items[i];
            if (it->role == PSCI_HDROP || !psci_heif_is_derived(it))
                continue;
            size_t nin = 0;
            unsigned char role = it->role == PSCI_HALPHA ? PSCI_HALPHA : PSCI_HTILE;
            for (size_t r = 0; r < h->nrefs; r++) {
                const psci_href *ref = &h->refs[r];
                if (ref->from != it->id || memcmp(ref->type, "dimg", 4) != 0)
                    continue;
                for (size_t k = 0; k < ref->nto; k++) {
                    psci_hitem *t = item_mut(h, h->ref_to[ref->to0 + k]);
                    if (t == NULL)
                        return psci_fail(
                            err, PSC_ERR_CORRUPT,
                            "heif: item %u is built from item %u, which does not exist", it->id,
                            h->ref_to[ref->to0 + k]);
                    if (t->role == PSCI_HDROP) {
                        psc_status st = keep_item(h, t, role, n, err);
                        if (st != PSC_OK)
                            return st;
                        changed = 1;
                    }
                    nin++;
                }
            }
            if (nin == 0)
                return psci_fail(err, PSC_ERR_CORRUPT,
                                 "heif: derived image item %u has no input images", it->id);
            if (memcmp(it->type, "grid", 4) == 0) {
                psc_status st = check_grid(p, h, it, nin, err);
                if (st != PSC_OK)
                    return st;
            }
        }
        if (!changed)
            return PSC_OK;
    }
}

/* The alpha plane is kept: it is part of what a viewer shows. Dropping it would make
 * transparent areas opaque and could reveal pixels the author had hidden behind them.
 * An alpha plane is an item with an 'auxl' reference to the primary image and an auxC naming
 * alpha (ISO/IEC 23008-12:2017 §6.5.8). */
static psc_status keep_alpha(psci_heif *h, const psci_hitem *prim, size_t n, psci_err *err) {
    psc_status st = PSC_OK;
    for (size_t r = 0; st == PSC_OK && r < h->nrefs; r++) {
        const psci_href *ref = &h->refs[r];
        if (memcmp(ref->type, "auxl", 4) != 0)
            continue;
        int to_primary = 0;
        for (size_t k = 0; k < ref->nto; k++)
            to_primary |= h->ref_to[ref->to0 + k] == h->primary;
        psci_hitem *a = item_mut(h, ref->from);
        if (!to_primary || a == NULL || a == prim)
            continue;
        int alpha = 0;
        for (size_t k = 0; k < a->nassoc; k++) {
            uint32_t pi = h->assoc[a->assoc0 + k].prop;
            if (pi && memcmp(h->props[pi - 1].type, "auxC", 4) == 0 &&
                h->props[pi - 1].aux_kind == 1)
                alpha = 1;
        }
        if (alpha)
            st = keep_item(h, a, PSCI_HALPHA, n, err);
    }
    return st;
}

/* Marks the listed properties of the kept items; an essential property that is not kept
 * refuses the file (ISO/IEC 23008-12:2017 §9.3), except a colour profile left out on request. */
static psc_status keep_props(psci_heif *h, int keep_icc, psci_err *err) {
    for (size_t i = 0; i < h->nprops; i++)
        h->props[i].keep = 0;
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role == PSCI_HDROP)
            continue;
        for (size_t k = 0; k < it->nassoc; k++) {
            const psci_hassoc *as = &h->assoc[it->assoc0 + k];
            if (as->prop == 0)
                continue;
            psci_hprop *pr = &h->props[as->prop - 1];
            int ok = pr->on_list;
            if (memcmp(pr->type, "auxC", 4) == 0)
                ok = it->role == PSCI_HALPHA && pr->aux_kind == 1;
            if (pr->is_icc && !keep_icc)
                ok = 0;
            if (ok) {
                pr->keep = 1;
            } else if (as->essential && !(pr->is_icc && !keep_icc)) {
                char t[5];
                psci_heif_fourcc(t, (const unsigned char *)pr->type);
                return psci_fail(err, PSC_ERR_UNSUPPORTED,
                                 "heif: item %u needs the property '%s' (marked essential), which "
                                 "is not known to be safe",
                                 it->id, t);
            }
        }
    }
    return PSC_OK;
}

psc_status psci_heif_plan(const unsigned char *p, size_t n, psci_heif *h, int keep_icc,
                          psci_err *err) {
    if (strcmp(h->handler, "pict") != 0)
        return psci_fail(err, PSC_ERR_UNSUPPORTED,
                         "heif: the 'meta' handler is '%s', not an image ('pict')",
                         h->handler[0] ? h->handler : "missing");
    if (!h->has_pitm)
        return psci_fail(err, PSC_ERR_CORRUPT, "heif: no primary item ('pitm' box)");
    psci_hitem *prim = item_mut(h, h->primary);
    if (prim == NULL || !prim->has_infe)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "heif: the primary item %u is not described ('iinf')", h->primary);
    for (size_t i = 0; i < h->nitems; i++)
        h->items[i].role = PSCI_HDROP;
    psc_status st = keep_item(h, prim, PSCI_HPRIMARY, n, err);
    if (st == PSC_OK)
        st = keep_alpha(h, prim, n, err);
    if (st == PSC_OK)
        st = keep_inputs(p, n, h, err);
    if (st == PSC_OK)
        st = keep_props(h, keep_icc, err);
    if (st != PSC_OK)
        return st;
    for (size_t i = 0; i < h->ntop; i++) {
        const char *t = h->top[i].type;
        h->top[i].keep = (unsigned char)(!memcmp(t, "ftyp", 4) || !memcmp(t, "meta", 4) ||
                                         !memcmp(t, "mdat", 4));
    }
    static const char *const meta_keep[] = {"hdlr", "dinf", "pitm", "iinf",
                                            "iloc", "iref", "iprp", "idat"};
    for (size_t i = 0; i < h->nmchild; i++)
        h->mchild[i].keep = (unsigned char)psci_heif_in_list(h->mchild[i].type, meta_keep, 8);
    return PSC_OK;
}
