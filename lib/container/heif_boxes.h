/*
 * HEIF (ISO/IEC 23008-12) box walker and keep-list rebuilder: ftyp, meta (hdlr, pitm, iinf,
 * iloc, iref, iprp, idat) and mdat. Never decodes pixels: the coded bytes of the kept items are
 * copied unchanged; everything else is located only to be described and dropped.
 */
#ifndef PSC_HEIF_BOXES_H
#define PSC_HEIF_BOXES_H

#include "../internal.h"

/* Limits on untrusted structure; beyond them a file is refused (PSC_ERR_LIMIT). */
#define PSCI_HEIF_MAX_ITEMS 4096
#define PSCI_HEIF_MAX_PROPS 4096
#define PSCI_HEIF_MAX_EXTENTS 65536 /* all items together */
#define PSCI_HEIF_MAX_REFS 65536    /* referenced item ids, all references together */
#define PSCI_HEIF_MAX_ASSOCS 65536  /* property associations, all items together */
#define PSCI_HEIF_MAX_BOXES 1024    /* boxes in any one container */
#define PSCI_HEIF_MAX_DEPTH 6

/* What becomes of an item. */
typedef enum psci_hrole {
    PSCI_HDROP = 0,    /* removed */
    PSCI_HPRIMARY = 1, /* the primary image (pitm) */
    PSCI_HTILE = 2,    /* an input of a kept derived image (grid tile, iden source) */
    PSCI_HALPHA = 3    /* the alpha plane of the primary image */
} psci_hrole;

typedef struct psci_hextent {
    uint64_t off, len; /* cm 0: offset in the file; cm 1: offset in the idat payload */
} psci_hextent;

typedef struct psci_hitem {
    uint32_t id;
    char type[5];         /* item_type of infe version >= 2; "" for older infe */
    unsigned char hidden; /* infe flags bit 0 */
    unsigned char has_infe, has_loc;
    unsigned char method;      /* iloc construction_method: 0 file, 1 idat, 2 item */
    unsigned char is_xmp;      /* 'mime' item with content type application/rdf+xml */
    unsigned char role;        /* psci_hrole, set by psci_heif_plan */
    uint16_t protection;       /* infe protection_index (0: not protected) */
    uint16_t dref;             /* iloc data_reference_index (0: this file) */
    size_t ext0, next;         /* extents: ext[ext0 .. ext0+next) */
    uint64_t data_len;         /* sum of the extent lengths */
    size_t assoc0, nassoc;     /* associations: assoc[assoc0 .. assoc0+nassoc) */
    size_t infe_off, infe_len; /* the infe box in the input (for reports) */
} psci_hitem;

typedef struct psci_hprop {
    char type[5];
    size_t off, len, hdr;   /* whole box in the input; header size */
    unsigned char on_list;  /* its type is on the property keep-list */
    unsigned char keep;     /* written out (set by psci_heif_plan) */
    unsigned char is_icc;   /* colr of type prof/rICC */
    unsigned char aux_kind; /* auxC: 1 alpha, 2 depth, 3 HDR gain map, 4 other */
} psci_hprop;

typedef struct psci_hassoc {
    uint32_t prop; /* 1-based index into props; 0 means no property */
    unsigned char essential;
} psci_hassoc;

typedef struct psci_href {
    char type[5];
    uint32_t from;
    size_t to0, nto; /* ids: ref_to[to0 .. to0+nto) */
} psci_href;

typedef struct psci_hbox {
    char type[5];
    size_t off, len, hdr; /* whole box; hdr is 8, 16 (largesize) or more with a uuid */
    unsigned char keep;   /* set by psci_heif_plan */
} psci_hbox;

typedef struct psci_heif {
    psci_hbox *top; /* top-level boxes, in file order */
    size_t ntop;
    psci_hbox *mchild; /* children of meta, in order */
    size_t nmchild;
    size_t ftyp_off, ftyp_len;
    size_t meta_off;
    unsigned char has_dinf, has_idat, has_pitm;
    size_t idat_off, idat_len; /* idat payload */
    uint32_t primary;
    char handler[5];
    char major[5];
    psci_hitem *items;
    size_t nitems;
    psci_hextent *ext;
    size_t next, capext;
    psci_hprop *props;
    size_t nprops;
    psci_hassoc *assoc;
    size_t nassoc, capassoc;
    psci_href *refs;
    size_t nrefs, caprefs;
    uint32_t *ref_to;
    size_t nref_to, capref_to;
    size_t end;        /* end of the last whole box; bytes after it are a trailer */
    size_t ipma_count; /* ipma boxes seen */
} psci_heif;

/* Walks the file: every box length checked (64-bit largesize, size 0 = to the end), nesting
 * and counts limited. PSC_ERR_CORRUPT with the offset on damage; PSC_ERR_LIMIT over a limit;
 * PSC_ERR_UNSUPPORTED for features that cannot be copied safely (several meta boxes,
 * sequences without a primary item). */
psc_status psci_heif_parse(const unsigned char *p, size_t n, psci_heif *h, psci_err *err);
void psci_heif_free(psci_heif *h);

/* Decides what is kept: the primary item, the inputs of a kept derived image (grid/iden,
 * recursively), the primary's alpha plane, the properties on the keep-list that those items
 * use (colour profiles only when keep_icc). Everything else is dropped. Fails with
 * PSC_ERR_UNSUPPORTED when the primary image cannot be kept intact (unknown item type,
 * unknown essential property, protected item, data in another file, ...), PSC_ERR_CORRUPT
 * when a kept item's data lies outside the file. */
psc_status psci_heif_plan(const unsigned char *p, size_t n, psci_heif *h, int keep_icc,
                          psci_err *err);

/* Writes ftyp (known brands only), a rebuilt meta holding only the kept items and properties
 * (offsets rewritten) and one mdat with the kept items' coded bytes, unchanged. */
psc_status psci_heif_write(const unsigned char *p, const psci_heif *h, psci_buf *out,
                           psci_err *err);

/* For a planned parse of our own output: PSC_ERR_UNSAFE unless everything in it is on the
 * keep-list (no dropped box, item, property, brand or unreferenced byte). */
psc_status psci_heif_check_clean(const unsigned char *p, size_t n, const psci_heif *h,
                                 psci_err *err);

/* Copies an item's bytes (its extents, concatenated) into out, up to max bytes. Fails with
 * PSC_ERR_CORRUPT when an extent lies outside the file or idat. */
psc_status psci_heif_item_data(const unsigned char *p, size_t n, const psci_heif *h,
                               const psci_hitem *it, size_t max, psci_buf *out, psci_err *err);

/* The item with this id, or NULL. */
const psci_hitem *psci_heif_item(const psci_heif *h, uint32_t id);

/* Image size from the ispe of an item (0 when absent); rotation in quarter turns
 * anticlockwise from irot, mirror axis from imir (-1 when none). */
void psci_heif_geometry(const unsigned char *p, const psci_heif *h, const psci_hitem *it,
                        unsigned *w, unsigned *h_out, int *rot, int *mirror);

/* The ICC profile of an item (colr prof/rICC payload), or NULL. */
const unsigned char *psci_heif_icc(const unsigned char *p, const psci_heif *h, const psci_hitem *it,
                                   size_t *len);

/* nclx colour primaries of an item (ITU-T H.273 code), 0 when there is no nclx colr. */
unsigned psci_heif_nclx_primaries(const unsigned char *p, const psci_heif *h, const psci_hitem *it);

#endif
