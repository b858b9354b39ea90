/*
 * HEIF box walker and keep-list rebuilder. libheif can read this structure but re-encodes on
 * write, so the scrubber walks and rewrites the boxes itself: every length is checked, the
 * primary image's coded bytes are copied unchanged and nothing else is.
 */
#include "heif_boxes.h"

#include <stdlib.h>
#include <string.h>

/* Brands that only say which HEIF/MIAF rules the kept image follows. Anything else (vendor
 * brands, "progressive" brands whose promise dropping the thumbnail would break) is left out. */
static const char *const brand_list[] = {"mif1", "mif2", "miaf", "heic", "heix", "heim", "heis",
                                         "MiHE", "MiHA", "MiHB", "avif", "MA1B", "MA1A"};

/* Properties needed to show the primary image as before: decoder configuration, size, bit
 * depth, colour, geometry (rotation, mirror, crop, aspect), HDR display levels, AV1 layer
 * selection. auxC is kept only on the alpha plane. Text properties (udes) are not listed. */
static const char *const prop_list[] = {"hvcC", "av1C", "ispe", "pixi", "colr", "irot", "imir",
                                        "clap", "pasp", "clli", "mdcv", "a1op", "a1lx", "auxC"};

static const unsigned char canon_hdlr[33] = {0, 0, 0, 33, 'h', 'd', 'l', 'r', 0,   0,
                                             0, 0, 0, 0,  0,   0,   'p', 'i', 'c', 't'};
static const unsigned char canon_dinf[36] = {0,   0,   0,   36,  'd', 'i', 'n', 'f', 0, 0, 0, 28,
                                             'd', 'r', 'e', 'f', 0,   0,   0,   0,   0, 0, 0, 1,
                                             0,   0,   0,   12,  'u', 'r', 'l', ' ', 0, 0, 0, 1};

static int in_list(const char *t, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(t, list[i], 4) == 0)
            return 1;
    return 0;
}

static int brand_ok(const unsigned char *b) {
    return in_list((const char *)b, brand_list, sizeof brand_list / sizeof brand_list[0]);
}

/* A 4CC for messages: unprintable bytes become '?'. */
static void fourcc(char out[5], const unsigned char *t) {
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

static uint32_t cur_u32(cur *c) { return (uint32_t)cur_un(c, 4); }
static unsigned cur_u16(cur *c) { return (unsigned)cur_un(c, 2); }
static unsigned cur_u8(cur *c) { return (unsigned)cur_un(c, 1); }

/* A box header at pos inside [pos, end). */
typedef struct boxhdr {
    unsigned char type[4];
    size_t off, len, hdr;
} boxhdr;

/* 0 ok; 1 fewer than 8 bytes or an impossible header; 2 runs past end. */
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
    fourcc(t, b->type);
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

const psci_hitem *psci_heif_item(const psci_heif *h, uint32_t id) {
    for (size_t i = 0; i < h->nitems; i++)
        if (h->items[i].id == id)
            return &h->items[i];
    return NULL;
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

static psc_status full_box(const unsigned char *p, const boxhdr *b, unsigned *version,
                           uint32_t *flags, cur *c, psci_err *err) {
    char t[5];
    fourcc(t, b->type);
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
    fourcc(t, b->type);
    return psci_fail(err, PSC_ERR_CORRUPT,
                     "heif: '%s' box at offset %zu (%zu bytes) ends before its fields do", t,
                     b->off, b->len);
}

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
        fourcc(it->type, type); /* unprintable bytes become '?': never a listed type */
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
        fourcc(ref->type, rb.type);
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
        fourcc(pr->type, pb.type);
        pr->off = pb.off;
        pr->len = pb.len;
        pr->hdr = pb.hdr;
        pr->on_list =
            (unsigned char)in_list(pr->type, prop_list, sizeof prop_list / sizeof prop_list[0]);
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
    fourcc(x->type, b->type);
    x->off = b->off;
    x->len = b->len;
    x->hdr = b->hdr;
    return PSC_OK;
}

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
            unsigned hv;
            uint32_t hf;
            cur hc;
            if ((st = full_box(p, &cb, &hv, &hf, &hc, s->err)) != PSC_OK)
                return st;
            (void)cur_u32(&hc);
            uint32_t ht = cur_u32(&hc);
            if (hc.bad)
                return short_box(&cb, s->err);
            unsigned char hb[4] = {(unsigned char)(ht >> 24), (unsigned char)(ht >> 16),
                                   (unsigned char)(ht >> 8), (unsigned char)ht};
            fourcc(h->handler, hb);
        } else if (memcmp(t, "dinf", 4) == 0) {
            h->has_dinf = 1;
        } else if (memcmp(t, "pitm", 4) == 0) {
            unsigned pv;
            uint32_t pf;
            cur pc;
            if ((st = full_box(p, &cb, &pv, &pf, &pc, s->err)) != PSC_OK)
                return st;
            h->primary = pv == 0 ? cur_u16(&pc) : cur_u32(&pc);
            if (pc.bad)
                return short_box(&cb, s->err);
            h->has_pitm = 1;
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
            fourcc(t, b.type);
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
            fourcc(h->major, p + b.off + b.hdr);
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

/* ------------------------------------------------------------------ plan */

static int is_derived(const psci_hitem *it) {
    return memcmp(it->type, "grid", 4) == 0 || memcmp(it->type, "iden", 4) == 0;
}

static int is_coded(const psci_hitem *it) {
    return memcmp(it->type, "hvc1", 4) == 0 || memcmp(it->type, "av01", 4) == 0;
}

static psci_hitem *item_mut(psci_heif *h, uint32_t id) {
    return (psci_hitem *)psci_heif_item(h, id);
}

/* An extent of a cm-0 item must lie inside the payload of an mdat box; of a cm-1 item, inside
 * idat. Anything else points at headers or dropped boxes. */
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
    if (!is_coded(it) && !is_derived(it)) {
        if (it->type[0] == '\0')
            return psci_fail(err, PSC_ERR_UNSUPPORTED,
                             "heif: %s (item %u) has an old-style item entry with no type", what,
                             it->id);
        char t[5];
        fourcc(t, (const unsigned char *)it->type);
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

/* The grid payload must describe as many tiles as the grid references. */
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

/* Keeps the inputs of kept derived images, recursively. */
static psc_status keep_inputs(const unsigned char *p, size_t n, psci_heif *h, psci_err *err) {
    for (unsigned round = 0;; round++) {
        int changed = 0;
        if (round > PSCI_HEIF_MAX_DEPTH)
            return psci_fail(err, PSC_ERR_LIMIT, "heif: derived images nested more than %d deep",
                             PSCI_HEIF_MAX_DEPTH);
        for (size_t i = 0; i < h->nitems; i++) {
            psci_hitem *it = &h->items[i];
            if (it->role == PSCI_HDROP || !is_derived(it))
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
    /* The alpha plane is kept: it is part of what a viewer shows. Dropping it would make
     * transparent areas opaque and could reveal pixels the author had hidden behind them. */
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
    if (st == PSC_OK)
        st = keep_inputs(p, n, h, err);
    if (st != PSC_OK)
        return st;
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
                fourcc(t, (const unsigned char *)pr->type);
                return psci_fail(err, PSC_ERR_UNSUPPORTED,
                                 "heif: item %u needs the property '%s' (marked essential), which "
                                 "is not known to be safe",
                                 it->id, t);
            }
        }
    }
    for (size_t i = 0; i < h->ntop; i++) {
        const char *t = h->top[i].type;
        h->top[i].keep = (unsigned char)(!memcmp(t, "ftyp", 4) || !memcmp(t, "meta", 4) ||
                                         !memcmp(t, "mdat", 4));
    }
    static const char *const meta_keep[] = {"hdlr", "dinf", "pitm", "iinf",
                                            "iloc", "iref", "iprp", "idat"};
    for (size_t i = 0; i < h->nmchild; i++)
        h->mchild[i].keep = (unsigned char)in_list(h->mchild[i].type, meta_keep, 8);
    return PSC_OK;
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

/* ------------------------------------------------------------------ writer */

static psc_status put_fourcc(psci_buf *b, const char *t, psci_err *err) {
    return psci_buf_append(b, t, 4, err);
}

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

static psc_status put_full(psci_buf *b, unsigned version, uint32_t flags, psci_err *err) {
    return psci_buf_be32(b, ((uint32_t)version << 24) | (flags & 0xFFFFFF), err);
}

static psc_status put_un(psci_buf *b, uint64_t v, unsigned bytes, psci_err *err) {
    unsigned char tmp[8];
    for (unsigned i = 0; i < bytes; i++)
        tmp[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    return psci_buf_append(b, tmp, bytes, err);
}

static psc_status write_ftyp(const unsigned char *p, const psci_heif *h, psci_buf *out,
                             psci_err *err) {
    size_t start;
    const unsigned char *f = p + h->ftyp_off + (h->top[0].hdr);
    size_t nb = (h->ftyp_len - h->top[0].hdr - 8) / 4;
    psc_status st = put_box_start(out, "ftyp", &start, err);
    if (st == PSC_OK)
        st = brand_ok(f) ? psci_buf_append(out, f, 4, err) : put_fourcc(out, "mif1", err);
    if (st == PSC_OK)
        st = psci_buf_be32(out, 0, err);
    int has_mif1 = 0;
    size_t first = out->len;
    for (size_t i = 0; st == PSC_OK && i < nb; i++) {
        const unsigned char *br = f + 8 + 4 * i;
        if (!brand_ok(br))
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

/* The new location of each kept item: one extent, in mdat (cm 0) or idat (cm 1), in item order. */
static psc_status write_meta(const unsigned char *p, const psci_heif *h, const layout *L,
                             psci_buf *out, psci_err *err) {
    size_t meta = 0, box = 0;
    unsigned w = L->id_wide ? 4 : 2;
    psc_status st = put_box_start(out, "meta", &meta, err);
    if (st == PSC_OK)
        st = put_full(out, 0, 0, err);
    if (st == PSC_OK)
        st = psci_buf_append(out, canon_hdlr, sizeof canon_hdlr, err);
    if (st == PSC_OK && h->has_dinf)
        st = psci_buf_append(out, canon_dinf, sizeof canon_dinf, err);
    /* pitm */
    if (st == PSC_OK)
        st = put_box_start(out, "pitm", &box, err);
    if (st == PSC_OK)
        st = put_full(out, L->id_wide, 0, err);
    if (st == PSC_OK)
        st = put_un(out, h->primary, w, err);
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    /* iinf: type and hidden flag only; names are not copied */
    size_t nkept = 0;
    for (size_t i = 0; i < h->nitems; i++)
        nkept += h->items[i].role != PSCI_HDROP;
    if (st == PSC_OK)
        st = put_box_start(out, "iinf", &box, err);
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
    /* iloc: version 1 (construction method present), no base offset, one extent per item */
    if (st == PSC_OK)
        st = put_box_start(out, "iloc", &box, err);
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
    /* iref: input images of kept derived images, the alpha plane's link; ids all kept */
    size_t nref = 0, refbox = 0;
    for (size_t r = 0; st == PSC_OK && r < h->nrefs; r++) {
        const psci_href *ref = &h->refs[r];
        const psci_hitem *from = psci_heif_item(h, ref->from);
        if (from == NULL || from->role == PSCI_HDROP ||
            !in_list(ref->type, (const char *const[]){"dimg", "auxl", "prem"}, 3))
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
    /* iprp: kept properties in their original order, renumbered */
    uint32_t *newidx = calloc(h->nprops + 1, sizeof *newidx);
    if (newidx == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "heif: out of memory");
    uint32_t nk = 0;
    for (size_t i = 0; i < h->nprops; i++)
        if (h->props[i].keep)
            newidx[i + 1] = ++nk;
    size_t iprp = 0, ipco = 0;
    if (st == PSC_OK)
        st = put_box_start(out, "iprp", &iprp, err);
    if (st == PSC_OK)
        st = put_box_start(out, "ipco", &ipco, err);
    for (size_t i = 0; st == PSC_OK && i < h->nprops; i++)
        if (h->props[i].keep)
            st = psci_buf_append(out, p + h->props[i].off, h->props[i].len, err);
    if (st == PSC_OK)
        st = put_box_end(out, ipco, err);
    size_t nentries = 0;
    for (size_t i = 0; i < h->nitems; i++) {
        const psci_hitem *it = &h->items[i];
        int any = 0;
        for (size_t k = 0; it->role != PSCI_HDROP && k < it->nassoc; k++)
            any |= newidx[h->assoc[it->assoc0 + k].prop] != 0;
        nentries += (size_t)any;
    }
    unsigned wide_idx = nk > 127;
    if (st == PSC_OK)
        st = put_box_start(out, "ipma", &box, err);
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
    free(newidx);
    if (st == PSC_OK)
        st = put_box_end(out, box, err);
    if (st == PSC_OK)
        st = put_box_end(out, iprp, err);
    /* idat: the kept construction-method-1 items (grid descriptions) */
    if (st == PSC_OK && ipos > 0) {
        st = put_box_start(out, "idat", &box, err);
        for (size_t i = 0; st == PSC_OK && i < h->nitems; i++) {
            const psci_hitem *it = &h->items[i];
            if (it->role != PSCI_HDROP && it->has_loc && it->method == 1)
                st = psci_heif_item_data(p, SIZE_MAX, h, it, SIZE_MAX, out, err);
        }
        if (st == PSC_OK)
            st = put_box_end(out, box, err);
    }
    if (st == PSC_OK)
        st = put_box_end(out, meta, err);
    return st;
}

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

/* ------------------------------------------------------------------ verify */

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
        fourcc(t, (const unsigned char *)b->type);
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
        if (!brand_ok(k == 0 ? f : f + 4 + 4 * k))
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's ftyp names an unknown brand");
    for (size_t i = 0; i < h->nmchild; i++) {
        const psci_hbox *b = &h->mchild[i];
        char t[5];
        fourcc(t, (const unsigned char *)b->type);
        if (!b->keep)
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's meta still holds a '%s' box", t);
        if (memcmp(b->type, "hdlr", 4) == 0 &&
            (b->len != sizeof canon_hdlr || memcmp(p + b->off, canon_hdlr, sizeof canon_hdlr) != 0))
            return psci_fail(err, PSC_ERR_UNSAFE,
                             "verify: the output's handler box is not the plain one");
        if (memcmp(b->type, "dinf", 4) == 0 &&
            (b->len != sizeof canon_dinf || memcmp(p + b->off, canon_dinf, sizeof canon_dinf) != 0))
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
        if (!in_list(h->refs[r].type, (const char *const[]){"dimg", "auxl", "prem"}, 3))
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

/* The item whose colr describes it: itself, or for a grid without colr its first tile (as
 * libheif does). */
static const psci_hitem *colour_item(const psci_heif *h, const psci_hitem *it) {
    for (int depth = 0; depth < PSCI_HEIF_MAX_DEPTH && it != NULL; depth++) {
        if (find_prop(h, it, "colr", 0) != NULL || !is_derived(it))
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
