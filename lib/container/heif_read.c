/*
 * HEIF box walker: finds every box of an ISOBMFF/HEIF file with checked lengths and lists the
 * items, their locations, references and properties (psci_heif_parse). Decides nothing about
 * what is kept (heif_plan.c) and never copies a byte (heif_write.c).
 *
 * Follows ISO/IEC 14496-12:2015 (ISOBMFF): §4.2 box structure (largesize, size 0, uuid),
 * §4.3 ftyp, §8.11.1 meta, §8.4.3 hdlr, §8.7.1 dinf, §8.11.4 pitm, §8.11.6 iinf/infe,
 * §8.11.3 iloc, §8.11.12 iref, §8.11.11 idat, §8.1.1 mdat; and ISO/IEC 23008-12:2017 (HEIF):
 * §9.3 iprp/ipco/ipma, §6.5.5 colr, §6.5.8 auxC.
 */
#include "heif_int.h"

#include <stdlib.h>
#include <string.h>

/* Properties needed to show the primary image as before: decoder configuration, size, bit
 * depth, colour, geometry (rotation, mirror, crop, aspect), HDR display levels, AV1 layer
 * selection. auxC is kept only on the alpha plane. Text properties (udes) are not listed.
 * hvcC: ISO/IEC 14496-15 §8.3.3; av1C: AV1-ISOBMFF v1.2.0 §2.3; a1op, a1lx: AVIF v1.1;
 * ispe, pixi, colr, auxC, clap, irot, imir: ISO/IEC 23008-12:2017 §6.5; pasp: ISO/IEC
 * 14496-12:2015 §12.1.4. */
static const char *const prop_list[] = {"hvcC", "av1C", "ispe", "pixi", "colr", "irot", "imir",
                                        "clap", "pasp", "clli", "mdcv", "a1op", "a1lx", "auxC"};

int psci_heif_in_list(const char *t, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(t, list[i], 4) == 0)
            return 1;
    return 0;
}

/* A 4CC for messages: unprintable bytes become '?'. */
void psci_heif_fourcc(char out[5], const unsigned char *t) {
    for (int i = 0; i < 4; i++)
        out[i] = (t[i] >= 0x20 && t[i] < 0x7F) ? (char)t[i] : '?';
    out[4] = '\0';
}

static uint64_t rd_be64(const unsigned char *p) {
    return ((uint64_t)psci_rd_be32(p) << 32) | psci_rd_be32(p + 4);
}

/* ------------------------------------------------------------------ bounded reader */

typedef struct cur {
    const unsigned char *p;
    size_t pos, end;
    int bad;
} cur;

static uint64_t cur_un(cur *c, unsigned bytes) {
    if (c->bad || c->end - c->pos < bytes) {
        c->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = (v << 8) | c->p[c->pos + i];
    c->pos += bytes;
    return v;
}

static uint32_t cur_u32(cur *c) {
    return (uint32_t)cur_un(c, 4);
}
static unsigned cur_u16(cur *c) {
    return (unsigned)cur_un(c, 2);
}
static unsigned cur_u8(cur *c) {
    return (unsigned)cur_un(c, 1);
}

/* A box header at pos inside [pos, end). */
typedef struct boxhdr {
    unsigned char type[4];
    size_t off, len, hdr;
} boxhdr;

/* Box header, ISO/IEC 14496-12:2015 §4.2: size 1 means a 64-bit largesize follows, size 0 runs
 * to the end of the enclosing container; a 'uuid' box carries a 16-byte extended type.
 * 0 ok; 1 fewer than 8 bytes or an impossible header; 2 runs past end. */
static int read_box(const unsigned char *p, size_t pos, size_t end, boxhdr *b) {
    memset(b, 0, sizeof *b);
    if (end - pos < 8)
        return 1;
    uint64_t size = psci_rd_be32(p + pos);
    size_t hdr = 8;
    memcpy(b->type, p + pos + 4, 4);
    b->off = pos;
    if (size == 1) {
        if (end - pos < 16)
            return 1;
        size = rd_be64(p + pos + 8);
        hdr = 16;
    } else if (size == 0) {
        size = end - pos;
    }
    if (memcmp(b->type, "uuid", 4) == 0)
        hdr += 16;
    b->hdr = hdr;
    if (size < hdr)
        return 1;
    if (size > end - pos) {
        b->len = size > SIZE_MAX ? SIZE_MAX : (size_t)size;
        return 2;
    }
    b->len = (size_t)size;
    return 0;
}

/* Reads a child box inside a container; any damage is an error naming both. */
static psc_status child_box(const unsigned char *p, size_t pos, size_t end, const char *parent,
                            boxhdr *b, psci_err *err) {
    int r = read_box(p, pos, end, b);
    if (r == 0)
        return PSC_OK;
    if (r == 1)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "heif: damaged box header at offset %zu inside '%s' (%zu bytes left)", pos,
                         parent, end - pos);
    char t[5];
    psci_heif_fourcc(t, b->type);
    return psci_fail(
        err, PSC_ERR_CORRUPT,
        "heif: '%s' box at offset %zu claims %zu bytes, past the end of its '%s' at offset %zu", t,
        pos, b->len, parent, end);
}

/* ------------------------------------------------------------------ growable arrays */

static psc_status grow(void **arr, size_t *cap, size_t n, size_t elem, size_t limit,
                       const char *what, psci_err *err) {
    if (n >= limit)
        return psci_fail(err, PSC_ERR_LIMIT, "heif: more than %zu %s", limit, what);
    if (n < *cap)
        return PSC_OK;
    size_t ncap = *cap ? *cap * 2 : 16, bytes;
    if (ncap > limit)
        ncap = limit;
    if (!psci_size_mul(ncap, elem, &bytes))
        return psci_fail(err, PSC_ERR_NOMEM, "heif: too many %s", what);
    void *q = realloc(*arr, bytes);
    if (q == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory listing %s", what);
    *arr = q;
    *cap = ncap;
    return PSC_OK;
}

typedef struct parse_state {
    psci_heif *h;
    size_t capitems, capprops, captop, capmchild;
    psci_err *err;
} parse_state;

void psci_heif_free(psci_heif *h) {
    free(h->top);
    free(h->mchild);
    free(h->items);
    free(h->ext);
    free(h->props);
    free(h->assoc);
    free(h->refs);
    free(h->ref_to);
    memset(h, 0, sizeof *h);
}

/* The item with this id, created when absent (iinf, iloc and ipma may come in any order). */
static psc_status get_item(parse_state *s, uint32_t id, psci_hitem **out) {
    psci_heif *h = s->h;
    for (size_t i = 0; i < h->nitems; i++)
        if (h->items[i].id == id) {
            *out = &h->items[i];
            return PSC_OK;
        }
    psc_status st = grow((void **)&h->items, &s->capitems, h->nitems, sizeof *h->items,
                         PSCI_HEIF_MAX_ITEMS, "items", s->err);
    if (st != PSC_OK)
        return st;
    psci_hitem *it = &h->items[h->nitems++];
    memset(it, 0, sizeof *it);
    it->id = id;
    *out = it;
    return PSC_OK;
}

/* ------------------------------------------------------------------ meta children */

/* FullBox (ISO/IEC 14496-12:2015 §4.2): version (8 bits) and flags (24 bits) before the fields. */
static psc_status full_box(const unsigned char *p, const boxhdr *b, unsigned *version,
                           uint32_t *flags, cur *c, psci_err *err) {
    char t[5];
    psci_heif_fourcc(t, b->type);
    if (b->len - b->hdr < 4)
        return psci_fail(err, PSC_ERR_CORRUPT, "heif: '%s' box at offset %zu is too short", t,
                         b->off);
    uint32_t vf = psci_rd_be32(p + b->off + b->hdr);
    *version = vf >> 24;
    *flags = vf & 0xFFFFFF;
    c->p = p;
    c->pos = b->off + b->hdr + 4;
    c->end = b->off + b->len;
    c->bad = 0;
    return PSC_OK;
}

static psc_status short_box(const boxhdr *b, psci_err *err) {
    char t[5];
    psci_heif_fourcc(t, b->type);
    return psci_fail(err, PSC_ERR_CORRUPT,
                     "heif: '%s' box at offset %zu (%zu bytes) ends before its fields do", t,
                     b->off, b->len);
}

/* ItemInfoEntry, ISO/IEC 14496-12:2015 §8.11.6.2: versions 0-1 have no item_type, 2 a 16-bit
 * item_ID, 3 a 32-bit one; 'mime' items carry content_type after item_name. */
static psc_status parse_infe(parse_state *s, const unsigned char *p, const boxhdr *b) {
    unsigned v;
    uint32_t flags;
    cur c;
    psc_status st = full_box(p, b, &v, &flags, &c, s->err);
    if (st != PSC_OK)
        return st;
    uint32_t id = v == 3 ? cur_u32(&c) : cur_u16(&c);
    unsigned prot = cur_u16(&c);
    unsigned char type[4] = {0, 0, 0, 0};
    if (v >= 2)
        for (int i = 0; i < 4; i++)
            type[i] = (unsigned char)cur_u8(&c);
    if (c.bad)
        return short_box(b, s->err);
    psci_hitem *it;
    if ((st = get_item(s, id, &it)) != PSC_OK)
        return st;
    if (it->has_infe)
        return psci_fail(s->err, PSC_ERR_CORRUPT,
                         "heif: item %u is described twice (infe at offset %zu)", id, b->off);
    it->has_infe = 1;
    it->hidden = (unsigned char)(flags & 1);
    it->protection = (uint16_t)prot;
    it->infe_off = b->off;
    it->infe_len = b->len;
    if (v >= 2 && v <= 3) {
        /* Only the type matters; names and other strings are never copied. */
        psci_heif_fourcc(it->type, type); /* unprintable bytes become '?': never a listed type */
        if (memcmp(type, "mime", 4) == 0) {
            const unsigned char *q = p + c.pos, *e = p + c.end;
            const unsigned char *z = memchr(q, 0, (size_t)(e - q)); /* end of item_name */
            if (z != NULL) {
                static const char xmp[] = "application/rdf+xml";
                size_t left = (size_t)(e - (z + 1));
                if (left >= sizeof xmp - 1 && memcmp(z + 1, xmp, sizeof xmp - 1) == 0)
                    it->is_xmp = 1;
            }
        }
    }
    return PSC_OK;
}

/* ItemInfoBox, ISO/IEC 14496-12:2015 §8.11.6. */
static psc_status parse_iinf(parse_state *s, const unsigned char *p, const boxhdr *b) {
    unsigned v;
    uint32_t flags;
    cur c;
    psc_status st = full_box(p, b, &v, &flags, &c, s->err);
    if (st != PSC_OK)
        return st;
    (void)(v == 0 ? cur_u16(&c) : cur_u32(&c)); /* entry_count: the boxes themselves count */
    if (c.bad)
        return short_box(b, s->err);
    size_t pos = c.pos, nbox = 0;
    while (pos < c.end && st == PSC_OK) {
        boxhdr cb;
        if ((st = child_box(p, pos, c.end, "iinf", &cb, s->err)) != PSC_OK)
            break;
        if (++nbox > PSCI_HEIF_MAX_ITEMS)
            return psci_fail(s->err, PSC_ERR_LIMIT, "heif: more than %d item entries",
                             PSCI_HEIF_MAX_ITEMS);
        if (memcmp(cb.type, "infe", 4) == 0)
            st = parse_infe(s, p, &cb);
        pos += cb.len;
    }
    return st;
}

/* ItemLocationBox, ISO/IEC 14496-12:2015 §8.11.3: versions 0-2; offset, length, base_offset and
 * index fields of 0, 4 or 8 bytes; construction_method (versions 1-2) 0 file, 1 idat, 2 item. */
static psc_status parse_iloc(parse_state *s, const unsigned char *p, const boxhdr *b) {
    psci_heif *h = s->h;
    unsigned v;
    uint32_t flags;
    cur c;
    psc_status st = full_box(p, b, &v, &flags, &c, s->err);
    if (st != PSC_OK)
        return st;
    if (v > 2)
        return psci_fail(s->err, PSC_ERR_UNSUPPORTED,
                         "heif: 'iloc' version %u at offset %zu is not supported", v, b->off);
    unsigned a = cur_u8(&c), bb = cur_u8(&c);
    unsigned off_size = a >> 4, len_size = a & 15, base_size = bb >> 4;
    unsigned idx_size = (v == 1 || v == 2) ? (bb & 15) : 0;
    uint32_t count = v < 2 ? cur_u16(&c) : cur_u32(&c);
    if (c.bad)
        return short_box(b, s->err);
#define SIZE_OK(x) ((x) == 0 || (x) == 4 || (x) == 8)
    if (!SIZE_OK(off_size) || !SIZE_OK(len_size) || !SIZE_OK(base_size) || !SIZE_OK(idx_size))
        return psci_fail(s->err, PSC_ERR_CORRUPT,
                         "heif: 'iloc' at offset %zu has invalid field sizes (offset %u, length "
                         "%u, base %u, index %u bytes)",
                         b->off, off_size, len_size, base_size, idx_size);
#undef SIZE_OK
    if (count > PSCI_HEIF_MAX_ITEMS)
        return psci_fail(s->err, PSC_ERR_LIMIT, "heif: 'iloc' lists %u items (limit %d)", count,
                         PSCI_HEIF_MAX_ITEMS);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id = v < 2 ? cur_u16(&c) : cur_u32(&c);
        unsigned method = (v == 1 || v == 2) ? (cur_u16(&c) & 15) : 0;
        unsigned dref = cur_u16(&c);
        uint64_t base = cur_un(&c, base_size);
        unsigned nex = cur_u16(&c);
        if (c.bad)
            return short_box(b, s->err);
        if (method > 2)
            return psci_fail(
                s->err, PSC_ERR_CORRUPT,
                "heif: item %u has invalid construction method %u in 'iloc' at offset %zu", id,
                method, b->off);
        psci_hitem *it;
        if ((st = get_item(s, id, &it)) != PSC_OK)
            return st;
        if (it->has_loc)
            return psci_fail(s->err, PSC_ERR_CORRUPT,
                             "heif: item %u is located twice in 'iloc' at offset %zu", id, b->off);
        it->has_loc = 1;
        it->method = (unsigned char)method;
        it->dref = (uint16_t)dref;
        it->ext0 = h->next;
        it->next = nex;
        it->data_len = 0;
        for (unsigned e = 0; e < nex; e++) {
            (void)cur_un(&c, idx_size);
            uint64_t eo = cur_un(&c, off_size), el = cur_un(&c, len_size);
            if (c.bad)
                return short_box(b, s->err);
            if (eo > UINT64_MAX - base || el > UINT64_MAX - it->data_len)
                return psci_fail(s->err, PSC_ERR_CORRUPT, "heif: item %u extent offsets overflow",
                                 id);
            if ((st = grow((void **)&h->ext, &h->capext, h->next, sizeof *h->ext,
                           PSCI_HEIF_MAX_EXTENTS, "extents", s->err)) != PSC_OK)
                return st;
            h->ext[h->next].off = base + eo;
            h->ext[h->next].len = el;
            h->next++;
            it->data_len += el;
        }
    }
    return PSC_OK;
}

/* ItemReferenceBox, ISO/IEC 14496-12:2015 §8.11.12: version 0 has 16-bit, version 1 32-bit ids. */
static psc_status parse_iref(parse_state *s, const unsigned char *p, const boxhdr *b) {
    psci_heif *h = s->h;
    unsigned v;
    uint32_t flags;
    cur c;
    psc_status st = full_box(p, b, &v, &flags, &c, s->err);
    if (st != PSC_OK)
        return st;
    if (v > 1)
        return psci_fail(s->err, PSC_ERR_UNSUPPORTED,
                         "heif: 'iref' version %u at offset %zu is not supported", v, b->off);
    unsigned w = v == 0 ? 2 : 4;
    size_t pos = c.pos;
    while (pos < c.end) {
        boxhdr rb;
        if ((st = child_box(p, pos, c.end, "iref", &rb, s->err)) != PSC_OK)
            return st;
        cur r = {p, rb.off + rb.hdr, rb.off + rb.len, 0};
        uint32_t from = (uint32_t)cur_un(&r, w);
        unsigned cnt = cur_u16(&r);
        if (r.bad || (size_t)cnt * w != r.end - r.pos)
            return psci_fail(
                s->err, PSC_ERR_CORRUPT,
                "heif: item reference at offset %zu lists %u items but holds %zu bytes", rb.off,
                cnt, rb.len);
        if ((st = grow((void **)&h->refs, &h->caprefs, h->nrefs, sizeof *h->refs,
                       PSCI_HEIF_MAX_REFS, "item references", s->err)) != PSC_OK)
            return st;
        psci_href *ref = &h->refs[h->nrefs++];
        psci_heif_fourcc(ref->type, rb.type);
        ref->from = from;
        ref->to0 = h->nref_to;
        ref->nto = cnt;
        for (unsigned i = 0; i < cnt; i++) {
            if ((st = grow((void **)&h->ref_to, &h->capref_to, h->nref_to, sizeof *h->ref_to,
                           PSCI_HEIF_MAX_REFS, "referenced items", s->err)) != PSC_OK)
                return st;
            h->ref_to[h->nref_to++] = (uint32_t)cur_un(&r, w);
        }
        pos += rb.len;
    }
    return PSC_OK;
}

/* AuxiliaryTypeProperty, ISO/IEC 23008-12:2017 §6.5.8: aux_type is a URN naming what the
 * auxiliary image holds (alpha and depth URNs from ISO/IEC 23008-12 and 23091-2). */
static unsigned char aux_kind(const unsigned char *p, const boxhdr *b) {
    size_t o = b->off + b->hdr + 4, e = b->off + b->len;
    if (o >= e)
        return 4;
    const unsigned char *q = p + o;
    size_t n = e - o;
    const unsigned char *z = memchr(q, 0, n);
    size_t sl = z ? (size_t)(z - q) : n;
    static const struct {
        const char *urn;
        unsigned char kind;
    } urns[] = {
        {"urn:mpeg:hevc:2015:auxid:1", 1},
        {"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha", 1},
        {"urn:mpeg:hevc:2015:auxid:2", 2},
        {"urn:mpeg:mpegB:cicp:systems:auxiliary:depth", 2},
    };
    for (size_t i = 0; i < sizeof urns / sizeof urns[0]; i++)
        if (sl == strlen(urns[i].urn) && memcmp(q, urns[i].urn, sl) == 0)
            return urns[i].kind;
    if (memmem(q, sl, "gainmap", 7) != NULL)
        return 3;
    return 4;
}

/* ItemPropertyContainerBox, ISO/IEC 23008-12:2017 §9.3; colr colour_type (§6.5.5): 'nclx',
 * 'prof' or 'rICC'. */
static psc_status parse_ipco(parse_state *s, const unsigned char *p, const boxhdr *b) {
    psci_heif *h = s->h;
    size_t pos = b->off + b->hdr, end = b->off + b->len;
    psc_status st = PSC_OK;
    while (pos < end) {
        boxhdr pb;
        if ((st = child_box(p, pos, end, "ipco", &pb, s->err)) != PSC_OK)
            return st;
        if ((st = grow((void **)&h->props, &s->capprops, h->nprops, sizeof *h->props,
                       PSCI_HEIF_MAX_PROPS, "properties", s->err)) != PSC_OK)
            return st;
        psci_hprop *pr = &h->props[h->nprops++];
        memset(pr, 0, sizeof *pr);
        psci_heif_fourcc(pr->type, pb.type);
        pr->off = pb.off;
        pr->len = pb.len;
        pr->hdr = pb.hdr;
        pr->on_list = (unsigned char)psci_heif_in_list(pr->type, prop_list,
                                                       sizeof prop_list / sizeof prop_list[0]);
        if (memcmp(pb.type, "colr", 4) == 0) {
            if (pb.len - pb.hdr < 4)
                return short_box(&pb, s->err);
            const unsigned char *ct = p + pb.off + pb.hdr;
            pr->is_icc = (unsigned char)(memcmp(ct, "prof", 4) == 0 || memcmp(ct, "rICC", 4) == 0);
            if (!pr->is_icc && memcmp(ct, "nclx", 4) != 0)
                pr->on_list = 0; /* an unknown colour type is not known to be safe */
        } else if (memcmp(pb.type, "auxC", 4) == 0) {
            pr->aux_kind = aux_kind(p, &pb);
        }
        pos += pb.len;
    }
    return PSC_OK;
}

/* ItemPropertyAssociation, ISO/IEC 23008-12:2017 §9.3: version 0 has 16-bit item ids, flag
 * bit 0 makes property indices 15 bits instead of 7; the top bit is 'essential'. */
static psc_status parse_ipma(parse_state *s, const unsigned char *p, const boxhdr *b) {
    psci_heif *h = s->h;
    unsigned v;
    uint32_t flags;
    cur c;
    psc_status st = full_box(p, b, &v, &flags, &c, s->err);
    if (st != PSC_OK)
        return st;
    if (v > 1)
        return psci_fail(s->err, PSC_ERR_UNSUPPORTED,
                         "heif: 'ipma' version %u at offset %zu is not supported", v, b->off);
    uint32_t count = cur_u32(&c);
    if (c.bad)
        return short_box(b, s->err);
    if (count > PSCI_HEIF_MAX_ITEMS)
        return psci_fail(s->err, PSC_ERR_LIMIT, "heif: 'ipma' lists %u items (limit %d)", count,
                         PSCI_HEIF_MAX_ITEMS);
    h->ipma_count++;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id = v < 1 ? cur_u16(&c) : cur_u32(&c);
        unsigned na = cur_u8(&c);
        if (c.bad)
            return short_box(b, s->err);
        psci_hitem *it;
        if ((st = get_item(s, id, &it)) != PSC_OK)
            return st;
        if (it->nassoc)
            return psci_fail(s->err, PSC_ERR_CORRUPT,
                             "heif: item %u has properties listed twice ('ipma' at offset %zu)", id,
                             b->off);
        it->assoc0 = h->nassoc;
        it->nassoc = na;
        for (unsigned k = 0; k < na; k++) {
            unsigned x = (flags & 1) ? cur_u16(&c) : cur_u8(&c);
            if (c.bad)
                return short_box(b, s->err);
            if ((st = grow((void **)&h->assoc, &h->capassoc, h->nassoc, sizeof *h->assoc,
                           PSCI_HEIF_MAX_ASSOCS, "property associations", s->err)) != PSC_OK)
                return st;
            psci_hassoc *as = &h->assoc[h->nassoc++];
            as->essential = (unsigned char)((flags & 1) ? x >> 15 : x >> 7);
            as->prop = (flags & 1) ? (x & 0x7FFF) : (x & 0x7F);
        }
    }
    return PSC_OK;
}

/* ItemPropertiesBox, ISO/IEC 23008-12:2017 §9.3: one ipco, any number of ipma. */
static psc_status parse_iprp(parse_state *s, const unsigned char *p, const boxhdr *b) {
    size_t pos = b->off + b->hdr, end = b->off + b->len;
    psc_status st = PSC_OK;
    int seen_ipco = 0;
    while (pos < end) {
        boxhdr cb;
        if ((st = child_box(p, pos, end, "iprp", &cb, s->err)) != PSC_OK)
            return st;
        if (memcmp(cb.type, "ipco", 4) == 0) {
            if (seen_ipco++)
                return psci_fail(s->err, PSC_ERR_CORRUPT, "heif: second 'ipco' box at offset %zu",
                                 cb.off);
            st = parse_ipco(s, p, &cb);
        } else if (memcmp(cb.type, "ipma", 4) == 0) {
            st = parse_ipma(s, p, &cb);
        }
        if (st != PSC_OK)
            return st;
        pos += cb.len;
    }
    return PSC_OK;
}

static psc_status push_box(psci_hbox **arr, size_t *n, size_t *cap, const boxhdr *b,
                           psci_err *err) {
    psc_status st = grow((void **)arr, cap, *n, sizeof **arr, PSCI_HEIF_MAX_BOXES, "boxes", err);
    if (st != PSC_OK)
        return st;
    psci_hbox *x = &(*arr)[(*n)++];
    memset(x, 0, sizeof *x);
    psci_heif_fourcc(x->type, b->type);
    x->off = b->off;
    x->len = b->len;
    x->hdr = b->hdr;
    return PSC_OK;
}

/* HandlerBox, ISO/IEC 14496-12:2015 §8.4.3: only handler_type is read; the name is never kept. */
static psc_status parse_hdlr(parse_state *s, const unsigned char *p, const boxhdr *b) {
    unsigned hv;
    uint32_t hf;
    cur hc;
    psc_status st = full_box(p, b, &hv, &hf, &hc, s->err);
    if (st != PSC_OK)
        return st;
    (void)cur_u32(&hc);
    uint32_t ht = cur_u32(&hc);
    if (hc.bad)
        return short_box(b, s->err);
    unsigned char hb[4] = {(unsigned char)(ht >> 24), (unsigned char)(ht >> 16),
                           (unsigned char)(ht >> 8), (unsigned char)ht};
    psci_heif_fourcc(s->h->handler, hb);
    return PSC_OK;
}

/* PrimaryItemBox, ISO/IEC 14496-12:2015 §8.11.4: version 0 has a 16-bit, version 1 a 32-bit id. */
static psc_status parse_pitm(parse_state *s, const unsigned char *p, const boxhdr *b) {
    unsigned pv;
    uint32_t pf;
    cur pc;
    psc_status st = full_box(p, b, &pv, &pf, &pc, s->err);
    if (st != PSC_OK)
        return st;
    s->h->primary = pv == 0 ? cur_u16(&pc) : cur_u32(&pc);
    if (pc.bad)
        return short_box(b, s->err);
    s->h->has_pitm = 1;
    return PSC_OK;
}

/* MetaBox, ISO/IEC 14496-12:2015 §8.11.1 (version 0): each child at most once; dinf is §8.7.1,
 * idat §8.11.11 (its payload is where construction-method-1 extents point). */
static psc_status parse_meta(parse_state *s, const unsigned char *p, const boxhdr *b) {
    psci_heif *h = s->h;
    unsigned v;
    uint32_t flags;
    cur c;
    psc_status st = full_box(p, b, &v, &flags, &c, s->err);
    if (st != PSC_OK)
        return st;
    if (v != 0)
        return psci_fail(s->err, PSC_ERR_UNSUPPORTED,
                         "heif: 'meta' version %u at offset %zu is not supported", v, b->off);
    h->meta_off = b->off;
    static const char *const once[] = {"hdlr", "dinf", "pitm", "iinf",
                                       "iloc", "iref", "iprp", "idat"};
    unsigned seen = 0;
    size_t pos = c.pos;
    while (pos < c.end) {
        boxhdr cb;
        if ((st = child_box(p, pos, c.end, "meta", &cb, s->err)) != PSC_OK)
            return st;
        if ((st = push_box(&h->mchild, &h->nmchild, &s->capmchild, &cb, s->err)) != PSC_OK)
            return st;
        for (unsigned i = 0; i < 8; i++)
            if (memcmp(cb.type, once[i], 4) == 0) {
                if (seen & (1u << i))
                    return psci_fail(s->err, PSC_ERR_CORRUPT,
                                     "heif: second '%s' box in 'meta' at offset %zu", once[i],
                                     cb.off);
                seen |= 1u << i;
            }
        const char *t = (const char *)cb.type;
        if (memcmp(t, "hdlr", 4) == 0) {
            st = parse_hdlr(s, p, &cb);
        } else if (memcmp(t, "dinf", 4) == 0) {
            h->has_dinf = 1;
        } else if (memcmp(t, "pitm", 4) == 0) {
            st = parse_pitm(s, p, &cb);
        } else if (memcmp(t, "iinf", 4) == 0) {
            st = parse_iinf(s, p, &cb);
        } else if (memcmp(t, "iloc", 4) == 0) {
            st = parse_iloc(s, p, &cb);
        } else if (memcmp(t, "iref", 4) == 0) {
            st = parse_iref(s, p, &cb);
        } else if (memcmp(t, "iprp", 4) == 0) {
            st = parse_iprp(s, p, &cb);
        } else if (memcmp(t, "idat", 4) == 0) {
            h->has_idat = 1;
            h->idat_off = cb.off + cb.hdr;
            h->idat_len = cb.len - cb.hdr;
        }
        if (st != PSC_OK)
            return st;
        pos += cb.len;
    }
    /* Every association must name a property that exists. */
    for (size_t i = 0; i < h->nassoc; i++)
        if (h->assoc[i].prop > h->nprops)
            return psci_fail(s->err, PSC_ERR_CORRUPT,
                             "heif: a property association names property %u but 'ipco' holds %zu",
                             (unsigned)h->assoc[i].prop, h->nprops);
    return PSC_OK;
}

/* Top level, ISO/IEC 14496-12:2015 §4.3 ftyp first, §8.11.1 one meta, §8.1.1 mdat; a 'moov'
 * without meta is an image sequence (ISO/IEC 23008-12:2017 §7). */
psc_status psci_heif_parse(const unsigned char *p, size_t n, psci_heif *h, psci_err *err) {
    memset(h, 0, sizeof *h);
    parse_state s = {h, 0, 0, 0, 0, err};
    psc_status st = PSC_OK;
    size_t pos = 0;
    int metas = 0, video = 0;
    while (pos < n) {
        boxhdr b;
        int r = read_box(p, pos, n, &b);
        if (r != 0) {
            char t[5];
            psci_heif_fourcc(t, b.type);
            if (r == 2 && memcmp(b.type, "mdat", 4) == 0) {
                st = psci_fail(err, PSC_ERR_CORRUPT,
                               "heif: 'mdat' box at offset %zu claims %zu bytes but the file ends "
                               "at %zu (truncated file)",
                               pos, b.len, n);
                goto out;
            }
            if (metas == 0) {
                st = r == 1 ? psci_fail(err, PSC_ERR_CORRUPT,
                                        "heif: damaged box header at offset %zu", pos)
                            : psci_fail(err, PSC_ERR_CORRUPT,
                                        "heif: '%s' box at offset %zu claims %zu bytes, past the "
                                        "end of the file (%zu bytes)",
                                        t, pos, b.len, n);
                goto out;
            }
            break; /* bytes after the last whole box: a trailer, never copied */
        }
        if (pos == 0 && memcmp(b.type, "ftyp", 4) != 0) {
            st = psci_fail(err, PSC_ERR_FORMAT, "heif: the file does not start with an 'ftyp' box");
            goto out;
        }
        if ((st = push_box(&h->top, &h->ntop, &s.captop, &b, err)) != PSC_OK)
            goto out;
        if (memcmp(b.type, "ftyp", 4) == 0) {
            if (pos != 0) {
                st = psci_fail(err, PSC_ERR_CORRUPT, "heif: second 'ftyp' box at offset %zu", pos);
                goto out;
            }
            size_t pl = b.len - b.hdr;
            if (pl < 8 || (pl - 8) % 4 != 0) {
                st = psci_fail(err, PSC_ERR_CORRUPT,
                               "heif: 'ftyp' box has an invalid size (%zu bytes)", b.len);
                goto out;
            }
            h->ftyp_off = b.off;
            h->ftyp_len = b.len;
            psci_heif_fourcc(h->major, p + b.off + b.hdr);
        } else if (memcmp(b.type, "meta", 4) == 0) {
            if (metas++) {
                st = psci_fail(err, PSC_ERR_UNSUPPORTED,
                               "heif: second top-level 'meta' box at offset %zu", pos);
                goto out;
            }
            if ((st = parse_meta(&s, p, &b)) != PSC_OK)
                goto out;
        } else if (memcmp(b.type, "moov", 4) == 0) {
            video = 1;
        }
        pos += b.len;
    }
    h->end = pos;
    if (metas == 0) {
        st =
            video
                ? psci_fail(err, PSC_ERR_UNSUPPORTED,
                            "heif: a HEIF image sequence or video without a still primary image "
                            "('moov' but no 'meta')")
                : psci_fail(err, PSC_ERR_CORRUPT,
                            "heif: no 'meta' box: a damaged HEIC/HEIF file (no image description)");
    }
out:
    if (st != PSC_OK)
        psci_heif_free(h);
    return st;
}
