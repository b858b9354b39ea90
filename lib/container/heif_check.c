/*
 * HEIF output check: on a planned parse of our own output, proves that nothing off the
 * keep-list survived (box, item, property, brand, name, reference or unused data byte).
 *
 * Checks against ISO/IEC 14496-12:2015 §4.3 ftyp, §8.11.1 meta children, §8.11.6 infe (no
 * item_name), §8.11.12 iref, §8.11.3 iloc extents covering mdat (§8.1.1) and idat (§8.11.11);
 * ISO/IEC 23008-12:2017 §9.3 ipco properties.
 */
#include "heif_int.h"

#include <stdlib.h>
#include <string.h>

static int cmp_ext(const void *a, const void *b) {
    const psci_hextent *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* The extents of the kept items tile [start, start+len) exactly, without gaps or overlaps. */
static psc_status check_cover(const psci_heif *h, unsigned method, uint64_t start, uint64_t len,
                              const char *where, psci_err *err) {
    size_t k = 0;
    for (size_t i = 0; i < h->nitems; i++)
        if (h->items[i].has_loc && h->items[i].method == method)
            k += h->items[i].next;
    psci_hextent *v = malloc((k ? k : 1) * sizeof *v);
    if (v == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory");
    k = 0;
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->has_loc && it->method == method)
            for (size_t e = 0; e < it->next; e++)
                v[k++] = h->ext[it->ext0 + e];
    }
    qsort(v, k, sizeof *v, cmp_ext);
    uint64_t at = start;
    int ok = 1;
    for (size_t i = 0; i < k; i++) {
        if (v[i].off != at)
            ok = 0;
        at = v[i].off + v[i].len;
    }
    free(v);
    if (!ok || at != start + len)
        return psci_fail(err, PSC_ERR_UNSAFE,
                         "verify: the output's %s holds bytes no kept item uses", where);
    return PSC_OK;
}

psc_status psci_heif_check_clean(const unsigned char *p, size_t n, const psci_heif *h,
                                 psci_err *err) {
    if (h->end != n)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: the output has %zu bytes after its last box",
                         n - h->end);
    size_t nmdat = 0;
    for (size_t i = 0; i < h->ntop; i++) {
        const psci_hbox *b = &h->top[i];
        char t[5];
        psci_heif_fourcc(t, (const unsigned char *)b->type);
        if (!b->keep)
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output still holds a '%s' box at offset %zu", t, b->off);
        if (memcmp(b->type, "mdat", 4) == 0 && nmdat++)
            return psci_fail(err, PSC_ERR_UNSAFE, "verify: the output has two 'mdat' boxes");
    }
    const unsigned char *f = p + h->ftyp_off + h->top[0].hdr;
    size_t nb = (h->ftyp_len - h->top[0].hdr - 8) / 4;
    if (psci_rd_be32(f + 4) != 0)
        return psci_fail(err, PSC_ERR_UNSAFE, "verify: the output's ftyp has a minor version");
    for (size_t k = 0; k <= nb; k++)
        if (!psci_heif_brand_ok(k == 0 ? f : f + 4 + 4 * k))
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's ftyp names an unknown brand");
    for (size_t i = 0; i < h->nmchild; i++) {
        const psci_hbox *b = &h->mchild[i];
        char t[5];
        psci_heif_fourcc(t, (const unsigned char *)b->type);
        if (!b->keep)
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's meta still holds a '%s' box", t);
        if (memcmp(b->type, "hdlr", 4) == 0 &&
            (b->len != sizeof psci_heif_canon_hdlr ||
             memcmp(p + b->off, psci_heif_canon_hdlr, sizeof psci_heif_canon_hdlr) != 0))
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's handler box is not the plain one");
        if (memcmp(b->type, "dinf", 4) == 0 &&
            (b->len != sizeof psci_heif_canon_dinf ||
             memcmp(p + b->off, psci_heif_canon_dinf, sizeof psci_heif_canon_dinf) != 0))
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's data reference box is not the plain one");
    }
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        if (it->role == PSCI_HDROP)
            return psci_fail(err, PSC_ERR_UNSAFE, "verify: the output still holds item %u ('%s')",
                             it->id, it->type);
        size_t want = 8 + 4 + (it->id > 0xFFFF ? 4 : 2) + 2 + 4 + 1;
        if (it->infe_len != want)
            return psci_fail(err, PSC_ERR_UNSAFE, "verify: item %u carries a name or other text",
                             it->id);
    }
    for (size_t i = 0; i < h->nprops; i++)
        if (!h->props[i].keep)
            return psci_fail(err, PSC_ERR_UNSAFE, "verify: the output still holds a '%s' property",
                             h->props[i].type);
    for (size_t r = 0; r < h->nrefs; r++)
        if (!psci_heif_in_list(h->refs[r].type, (const char *const[]){"dimg", "auxl", "prem"}, 3))
            return psci_fail(err, PSC_ERR_UNSAFE, "verify: the output still holds a '%s' reference",
                             h->refs[r].type);
    for (size_t i = 0; i < h->ntop; i++) {
        const psci_hbox *b = &h->top[i];
        if (memcmp(b->type, "mdat", 4) == 0) {
            psc_status st = check_cover(h, 0, b->off + b->hdr, b->len - b->hdr, "'mdat'", err);
            if (st != PSC_OK)
                return st;
        }
    }
    if (h->has_idat)
        return check_cover(h, 1, 0, h->idat_len, "'idat'", err);
    return PSC_OK;
}
