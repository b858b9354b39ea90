/*
 * HEIF rebuilder: writes ftyp (known brands only), a fresh meta holding only what the plan kept
 * (iloc offsets rewritten) and one mdat with the kept items' coded bytes, unchanged.
 *
 * Follows ISO/IEC 14496-12:2015 (ISOBMFF): §4.2 box structure, §4.3 ftyp, §8.11.1 meta,
 * §8.4.3 hdlr, §8.7.1 dinf / §8.7.2 dref, §8.11.4 pitm, §8.11.6 iinf/infe (version 2/3),
 * §8.11.3 iloc (version 1/2), §8.11.12 iref, §8.11.11 idat, §8.1.1 mdat; ISO/IEC 23008-12:2017
 * (HEIF) §9.3 iprp/ipco/ipma. Brands: HEIF Annex B (heic, heix, mif1, ...), MIAF (ISO/IEC
 * 23000-22: miaf, MiHE, ...) and AVIF v1.1 (avif, MA1B, MA1A).
 */
#include "heif_int.h"

#include <stdlib.h>
#include <string.h>

/* Brands that only say which HEIF/MIAF rules the kept image follows. Anything else (vendor
 * brands, "progressive" brands whose promise dropping the thumbnail would break) is left out. */
static const char *const brand_list[] = {"mif1", "mif2", "miaf", "heic", "heix", "heim", "heis",
                                         "MiHE", "MiHA", "MiHB", "avif", "MA1B", "MA1A"};

/* hdlr (ISO/IEC 14496-12:2015 §8.4.3): handler 'pict', empty name; dinf (§8.7.1) with one dref
 * (§8.7.2) entry, a 'url ' with flag 1: the data is in this file. */
const unsigned char psci_heif_canon_hdlr[33] = {0, 0, 0, 33, 'h', 'd', 'l', 'r', 0,   0,
                                                0, 0, 0, 0,  0,   0,   'p', 'i', 'c', 't'};
const unsigned char psci_heif_canon_dinf[36] = {0,   0,   0,   36,  'd', 'i', 'n', 'f', 0, 0, 0, 28,
                                                'd', 'r', 'e', 'f', 0,   0,   0,   0,   0, 0, 0, 1,
                                                0,   0,   0,   12,  'u', 'r', 'l', ' ', 0, 0, 0, 1};

int psci_heif_brand_ok(const unsigned char *b) {
    return psci_heif_in_list((const char *)b, brand_list, sizeof brand_list / sizeof brand_list[0]);
}

/* ------------------------------------------------------------------ box writing */

static psc_status put_fourcc(psci_buf *b, const char *t, psci_err *err) {
    return psci_buf_append(b, t, 4, err);
}

/* Box header, ISO/IEC 14496-12:2015 §4.2: a 32-bit size filled in by put_box_end. */
static psc_status put_box_start(psci_buf *b, const char *type, size_t *start, psci_err *err) {
    *start = b->len;
    psc_status st = psci_buf_be32(b, 0, err);
    if (st == PSC_OK)
        st = put_fourcc(b, type, err);
    return st;
}

static psc_status put_box_end(psci_buf *b, size_t start, psci_err *err) {
    size_t len = b->len - start;
    if (len > UINT32_MAX)
        return psci_fail(err, PSC_ERR_LIMIT, "heif: a rebuilt box is larger than 4 GiB");
    unsigned char *q = b->data + start;
    q[0] = (unsigned char)(len >> 24);
    q[1] = (unsigned char)(len >> 16);
    q[2] = (unsigned char)(len >> 8);
    q[3] = (unsigned char)len;
    return PSC_OK;
}

/* FullBox version and flags (ISO/IEC 14496-12:2015 §4.2). */
static psc_status put_full(psci_buf *b, unsigned version, uint32_t flags, psci_err *err) {
    return psci_buf_be32(b, ((uint32_t)version << 24) | (flags & 0xFFFFFF), err);
}

static psc_status put_un(psci_buf *b, uint64_t v, unsigned bytes, psci_err *err) {
    unsigned char tmp[8];
    for (unsigned i = 0; i < bytes; i++)
        tmp[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    return psci_buf_append(b, tmp, bytes, err);
}

/* ------------------------------------------------------------------ boxes */

/* FileTypeBox, ISO/IEC 14496-12:2015 §4.3: the major brand when listed (else 'mif1'), minor
 * version 0, the listed compatible brands once each, and always 'mif1'. */
static psc_status write_ftyp(const unsigned char *p, const psci_heif *h, psci_buf *out,
                             psci_err *err) {
    size_t start;
    const unsigned char *f = p + h->ftyp_off + (h->top[0].hdr);
    size_t nb = (h->ftyp_len - h->top[0].hdr - 8) / 4;
    psc_status st = put_box_start(out, "ftyp", &start, err);
    if (st == PSC_OK)
        st = psci_heif_brand_ok(f) ? psci_buf_append(out, f, 4, err) : put_fourcc(out, "mif1", err);
    if (st == PSC_OK)
        st = psci_buf_be32(out, 0, err);
    int has_mif1 = 0;
    size_t first = out->len;
    for (size_t i = 0; st == PSC_OK && i < nb; i++) {
        const unsigned char *br = f + 8 + 4 * i;
        if (!psci_heif_brand_ok(br))
            continue;
        int dup = 0;
        for (size_t k = first; k < out->len; k += 4)
            dup |= memcmp(out->data + k, br, 4) == 0;
        if (dup)
            continue;
        has_mif1 |= memcmp(br, "mif1", 4) == 0;
        st = psci_buf_append(out, br, 4, err);
    }
    if (st == PSC_OK && !has_mif1)
        st = put_fourcc(out, "mif1", err);
    if (st == PSC_OK)
        st = put_box_end(out, start, err);
    return st;
}

typedef struct layout {
    unsigned off_size, len_size, id_wide;
    uint64_t mdat_data; /* file offset of the first mdat payload byte */
} layout;

/* PrimaryItemBox, ISO/IEC 14496-12:2015 §8.11.4. */
static psc_status write_pitm(const psci_heif *h, const layout *L, psci_buf *out, psci_err *err) {
    size_t box = 0;
    psc_status st = put_box_start(out, "pitm", &box, err);
    if (st == PSC_OK)
        st = put_full(out, L->id_wide, 0, err);
    if (st == PSC_OK)
        st = put_un(out, h->primary, L->id_wide ? 4 : 2, err);
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    return st;
}

/* ItemInfoBox with ItemInfoEntry version 2 or 3, ISO/IEC 14496-12:2015 §8.11.6: type and hidden
 * flag only; names are not copied (item_name is an empty string). */
static psc_status write_iinf(const psci_heif *h, const layout *L, psci_buf *out, psci_err *err) {
    size_t box = 0;
    unsigned w = L->id_wide ? 4 : 2;
    size_t nkept = 0;
    for (size_t i = 0; i < h->nitems; i++)
        nkept += h->items[i].role != PSCI_HDROP;
    psc_status st = put_box_start(out, "iinf", &box, err);
    if (st == PSC_OK)
        st = put_full(out, nkept > 0xFFFF, 0, err);
    if (st == PSC_OK)
        st = put_un(out, nkept, nkept > 0xFFFF ? 4 : 2, err);
    for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role == PSCI_HDROP)
            continue;
        size_t e;
        st = put_box_start(out, "infe", &e, err);
        if (st == PSC_OK)
            st = put_full(out, L->id_wide ? 3 : 2, it->hidden, err);
        if (st == PSC_OK)
            st = put_un(out, it->id, w, err);
        if (st == PSC_OK)
            st = psci_buf_be16(out, 0, err);
        if (st == PSC_OK)
            st = put_fourcc(out, it->type, err);
        if (st == PSC_OK)
            st = psci_buf_byte(out, 0, err);
        if (st == PSC_OK)
            st = put_box_end(out, e, err);
    }
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    return st;
}

/* ItemLocationBox, ISO/IEC 14496-12:2015 §8.11.3: version 1 (construction method present; 2 for
 * 32-bit ids), no base offset, one extent per item: in mdat (cm 0) from L->mdat_data on, or in
 * idat (cm 1) from 0 on, in item order. *idat_len receives the idat bytes placed. */
static psc_status write_iloc(const psci_heif *h, const layout *L, uint64_t *idat_len, psci_buf *out,
                             psci_err *err) {
    size_t box = 0;
    unsigned w = L->id_wide ? 4 : 2;
    psc_status st = put_box_start(out, "iloc", &box, err);
    if (st == PSC_OK)
        st = put_full(out, L->id_wide ? 2 : 1, 0, err);
    if (st == PSC_OK)
        st = psci_buf_byte(out, (unsigned char)(L->off_size << 4 | L->len_size), err);
    if (st == PSC_OK)
        st = psci_buf_byte(out, 0, err);
    size_t nloc = 0;
    for (size_t i = 0; i < h->nitems; i++)
        nloc += h->items[i].role != PSCI_HDROP && h->items[i].has_loc;
    if (st == PSC_OK)
        st = put_un(out, nloc, w, err);
    uint64_t mpos = L->mdat_data, ipos = 0;
    for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role == PSCI_HDROP || !it->has_loc)
            continue;
        st = put_un(out, it->id, w, err);
        if (st == PSC_OK)
            st = psci_buf_be16(out, it->method, err);
        if (st == PSC_OK)
            st = psci_buf_be16(out, 0, err);
        if (st == PSC_OK)
            st = psci_buf_be16(out, it->data_len ? 1 : 0, err);
        if (st == PSC_OK && it->data_len) {
            uint64_t *pos = it->method == 1 ? &ipos : &mpos;
            if ((L->off_size == 4 && *pos > UINT32_MAX) ||
                (L->len_size == 4 && it->data_len > UINT32_MAX))
                return psci_fail(err, PSC_ERR_INTERNAL,
                                 "heif: rebuilt offsets do not fit the chosen field size");
            st = put_un(out, *pos, L->off_size, err);
            if (st == PSC_OK)
                st = put_un(out, it->data_len, L->len_size, err);
            *pos += it->data_len;
        }
    }
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    *idat_len = ipos;
    return st;
}

/* ItemReferenceBox, ISO/IEC 14496-12:2015 §8.11.12: input images of kept derived images
 * ('dimg'), the alpha plane's link ('auxl', 'prem'); ids all kept. No box when none is left. */
static psc_status write_iref(const psci_heif *h, const layout *L, psci_buf *out, psci_err *err) {
    unsigned w = L->id_wide ? 4 : 2;
    psc_status st = PSC_OK;
    size_t nref = 0, refbox = 0;
    for (size_t r = 0; st == PSC_OK && r < h->nrefs; r++) {
        const psci_href *ref = &h->refs[r];
        const psci_hitem *from = psci_heif_item(h, ref->from);
        if (from == NULL || from->role == PSCI_HDROP ||
            !psci_heif_in_list(ref->type, (const char *const[]){"dimg", "auxl", "prem"}, 3))
            continue;
        size_t cnt = 0;
        for (size_t k = 0; k < ref->nto; k++) {
            const psci_hitem *t = psci_heif_item(h, h->ref_to[ref->to0 + k]);
            cnt += t != NULL && t->role != PSCI_HDROP;
        }
        if (cnt == 0)
            continue;
        if (memcmp(ref->type, "dimg", 4) == 0 && cnt != ref->nto)
            return psci_fail(err, PSC_ERR_INTERNAL, "heif: a kept derived image lost an input");
        if (nref++ == 0) {
            st = put_box_start(out, "iref", &refbox, err);
            if (st == PSC_OK)
                st = put_full(out, L->id_wide, 0, err);
        }
        size_t rb;
        if (st == PSC_OK)
            st = put_box_start(out, ref->type, &rb, err);
        if (st == PSC_OK)
            st = put_un(out, ref->from, w, err);
        if (st == PSC_OK)
            st = psci_buf_be16(out, (unsigned)cnt, err);
        for (size_t k = 0; st == PSC_OK && k < ref->nto; k++) {
            const psci_hitem *t = psci_heif_item(h, h->ref_to[ref->to0 + k]);
            if (t != NULL && t->role != PSCI_HDROP)
                st = put_un(out, t->id, w, err);
        }
        if (st == PSC_OK)
            st = put_box_end(out, rb, err);
    }
    if (st == PSC_OK && nref)
        st = put_box_end(out, refbox, err);
    return st;
}

/* ItemPropertyAssociation, ISO/IEC 23008-12:2017 §9.3: for each kept item with a kept property,
 * its new (1-based) indices newidx[] with their essential bits; 15-bit indices (flag 1) once
 * more than 127 properties are kept (nk). */
static psc_status write_ipma(const psci_heif *h, const layout *L, const uint32_t *newidx,
                             uint32_t nk, psci_buf *out, psci_err *err) {
    size_t box = 0;
    unsigned w = L->id_wide ? 4 : 2;
    size_t nentries = 0;
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        int any = 0;
        for (size_t k = 0; it->role != PSCI_HDROP && k < it->nassoc; k++)
            any |= newidx[h->assoc[it->assoc0 + k].prop] != 0;
        nentries += (size_t)any;
    }
    unsigned wide_idx = nk > 127;
    psc_status st = put_box_start(out, "ipma", &box, err);
    if (st == PSC_OK)
        st = put_full(out, L->id_wide, wide_idx, err);
    if (st == PSC_OK)
        st = psci_buf_be32(out, (uint32_t)nentries, err);
    for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role == PSCI_HDROP)
            continue;
        unsigned cnt = 0;
        for (size_t k = 0; k < it->nassoc; k++)
            cnt += newidx[h->assoc[it->assoc0 + k].prop] != 0;
        if (cnt == 0)
            continue;
        st = put_un(out, it->id, w, err);
        if (st == PSC_OK)
            st = psci_buf_byte(out, (unsigned char)cnt, err);
        for (size_t k = 0; st == PSC_OK && k < it->nassoc; k++) {
            const psci_hassoc *as = &h->assoc[it->assoc0 + k];
            uint32_t ni = newidx[as->prop];
            if (ni == 0)
                continue;
            if (wide_idx)
                st = psci_buf_be16(out, (unsigned)(as->essential ? 0x8000u : 0u) | ni, err);
            else
                st = psci_buf_byte(out, (unsigned char)((as->essential ? 0x80u : 0u) | ni), err);
        }
    }
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    return st;
}

/* ItemPropertiesBox, ISO/IEC 23008-12:2017 §9.3: ipco with the kept properties in their
 * original order (copied byte for byte), renumbered in ipma. */
static psc_status write_iprp(const unsigned char *p, const psci_heif *h, const layout *L,
                             psci_buf *out, psci_err *err) {
    uint32_t *newidx = calloc(h->nprops + 1, sizeof *newidx);
    if (newidx == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory");
    uint32_t nk = 0;
    for (size_t i = 0; i < h->nprops; i++)
        if (h->props[i].keep)
            newidx[i + 1] = ++nk;
    size_t iprp = 0, ipco = 0;
    psc_status st = put_box_start(out, "iprp", &iprp, err);
    if (st == PSC_OK)
        st = put_box_start(out, "ipco", &ipco, err);
    for (size_t i = 0; st == PSC_OK && i < h->nprops; i++)
        if (h->props[i].keep)
            st = psci_buf_append(out, p + h->props[i].off, h->props[i].len, err);
    if (st == PSC_OK)
        st = put_box_end(out, ipco, err);
    if (st == PSC_OK)
        st = write_ipma(h, L, newidx, nk, out, err);
    free(newidx);
    if (st == PSC_OK)
        st = put_box_end(out, iprp, err);
    return st;
}

/* ItemDataBox, ISO/IEC 14496-12:2015 §8.11.11: the kept construction-method-1 items (grid
 * descriptions), in item order as write_iloc placed them. */
static psc_status write_idat(const unsigned char *p, const psci_heif *h, psci_buf *out,
                             psci_err *err) {
    size_t box = 0;
    psc_status st = put_box_start(out, "idat", &box, err);
    for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role != PSCI_HDROP && it->has_loc && it->method == 1)
            st = psci_heif_item_data(p, SIZE_MAX, h, it, SIZE_MAX, out, err);
    }
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    return st;
}

/* MetaBox, ISO/IEC 14496-12:2015 §8.11.1: the plain hdlr (§8.4.3) and dinf (§8.7.1), then pitm,
 * iinf, iloc, iref, iprp and idat rebuilt from the plan. */
static psc_status write_meta(const unsigned char *p, const psci_heif *h, const layout *L,
                             psci_buf *out, psci_err *err) {
    size_t meta = 0;
    uint64_t idat_len = 0;
    psc_status st = put_box_start(out, "meta", &meta, err);
    if (st == PSC_OK)
        st = put_full(out, 0, 0, err);
    if (st == PSC_OK)
        st = psci_buf_append(out, psci_heif_canon_hdlr, sizeof psci_heif_canon_hdlr, err);
    if (st == PSC_OK && h->has_dinf)
        st = psci_buf_append(out, psci_heif_canon_dinf, sizeof psci_heif_canon_dinf, err);
    if (st == PSC_OK)
        st = write_pitm(h, L, out, err);
    if (st == PSC_OK)
        st = write_iinf(h, L, out, err);
    if (st == PSC_OK)
        st = write_iloc(h, L, &idat_len, out, err);
    if (st == PSC_OK)
        st = write_iref(h, L, out, err);
    if (st == PSC_OK)
        st = write_iprp(p, h, L, out, err);
    if (st == PSC_OK && idat_len > 0)
        st = write_idat(p, h, out, err);
    if (st == PSC_OK)
        st = put_box_end(out, meta, err);
    return st;
}

/* ftyp, meta, then one mdat (ISO/IEC 14496-12:2015 §8.1.1; largesize when over 4 GiB). */
psc_status psci_heif_write(const unsigned char *p, const psci_heif *h, psci_buf *out,
                           psci_err *err) {
    uint64_t data = 0;
    uint32_t maxid = h->primary;
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role == PSCI_HDROP)
            continue;
        if (it->id > maxid)
            maxid = it->id;
        if (it->has_loc && it->method == 0)
            data += it->data_len;
    }
    layout L;
    L.id_wide = maxid > 0xFFFF;
    L.len_size = data > UINT32_MAX ? 8 : 4;
    psc_status st = write_ftyp(p, h, out, err);
    if (st != PSC_OK)
        return st;
    size_t meta_at = out->len;
    /* Offsets need the meta size, which does not depend on their values: measure, then write. */
    psci_buf probe;
    psci_buf_init(&probe);
    L.off_size = 8;
    L.mdat_data = 0;
    st = write_meta(p, h, &L, &probe, err);
    uint64_t bound = (uint64_t)meta_at + probe.len + 16 + data;
    psci_buf_free(&probe);
    if (st != PSC_OK)
        return st;
    L.off_size = bound > UINT32_MAX ? 8 : 4;
    int large = data > UINT32_MAX - 8;
    psci_buf_init(&probe);
    st = write_meta(p, h, &L, &probe, err);
    size_t meta_len = probe.len;
    psci_buf_free(&probe);
    if (st != PSC_OK)
        return st;
    L.mdat_data = (uint64_t)meta_at + meta_len + (large ? 16 : 8);
    if ((st = write_meta(p, h, &L, out, err)) != PSC_OK)
        return st;
    if (out->len - meta_at != meta_len)
        return psci_fail(err, PSC_ERR_INTERNAL, "heif: rebuilt 'meta' changed size");
    if (large) {
        st = psci_buf_be32(out, 1, err);
        if (st == PSC_OK)
            st = put_fourcc(out, "mdat", err);
        if (st == PSC_OK)
            st = put_un(out, data + 16, 8, err);
    } else {
        st = psci_buf_be32(out, (uint32_t)(data + 8), err);
        if (st == PSC_OK)
            st = put_fourcc(out, "mdat", err);
    }
    for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role != PSCI_HDROP && it->has_loc && it->method == 0)
            st = psci_heif_item_data(p, SIZE_MAX, h, it, SIZE_MAX, out, err);
    }
    return st;
}
