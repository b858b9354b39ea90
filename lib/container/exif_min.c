/*
 * The only libexif user. libexif describes what an EXIF block holds (for reports) and builds
 * the orientation-only EXIF we write; the bounded readers below (no libexif) read Orientation
 * and check our own output, because libexif skips corrupt data silently.
 *
 * The readers follow Exif 2.32 (CIPA DC-008-2019) 4.6 (4.6.2 IFD structure; Orientation, tag
 * 0x0112 SHORT count 1, among the TIFF Rev. 6.0 attributes of 4.6.4) and TIFF 6.0 Section 2
 * (image file header: byte order, 42, offset of IFD0; IFD: entry count, 12-byte entries of
 * tag, type, count, value-or-offset; offset of the next IFD). The APP1 wrapper ("Exif\0\0"
 * before the TIFF header) is Exif 2.32 4.7.2; PNG's eXIf holds the bare TIFF block.
 */
#include "exif_min.h"

#include <libexif/exif-data.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_ORIENTATION 0x0112

/* Locates the TIFF header: after "Exif\0\0" in an APP1 payload (Exif 4.7.2), else at 0. */
static size_t tiff_start(const unsigned char *p, size_t n) {
    if (n >= 6 && memcmp(p, "Exif\0", 5) == 0)
        return 6;
    return 0;
}

typedef struct tiff {
    const unsigned char *p;
    size_t n;
    int le;
} tiff;

static unsigned rd16(const tiff *t, size_t off) {
    const unsigned char *q = t->p + off;
    return t->le ? (unsigned)(q[0] | (q[1] << 8)) : (unsigned)((q[0] << 8) | q[1]);
}

static uint32_t rd32(const tiff *t, size_t off) {
    const unsigned char *q = t->p + off;
    return t->le ? ((uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) |
                    ((uint32_t)q[3] << 24))
                 : psci_rd_be32(q);
}

/* Opens the TIFF header (TIFF 6.0 Section 2: "II" or "MM", 42, offset of IFD0) and returns
 * IFD0's entry count offset, or 0 on failure. */
static size_t open_ifd0(const unsigned char *p, size_t n, tiff *t) {
    size_t s = tiff_start(p, n);
    if (n < s + 8)
        return 0;
    t->p = p + s;
    t->n = n - s;
    if (memcmp(t->p, "II*\0", 4) == 0)
        t->le = 1;
    else if (memcmp(t->p, "MM\0*", 4) == 0)
        t->le = 0;
    else
        return 0;
    uint32_t ifd = rd32(t, 4);
    if (ifd < 8 || ifd > t->n - 2)
        return 0;
    return ifd;
}

int psci_exif_orientation(const unsigned char *p, size_t n) {
    tiff t;
    size_t ifd = open_ifd0(p, n, &t);
    if (ifd == 0)
        return 0;
    unsigned count = rd16(&t, ifd);
    size_t max = (t.n - ifd - 2) / 12;
    if (count > max)
        count = (unsigned)max;
    for (unsigned i = 0; i < count; i++) {
        size_t e = ifd + 2 + (size_t)i * 12;
        if (rd16(&t, e) != TAG_ORIENTATION)
            continue;
        /* SHORT, count 1: the value sits in the first two bytes of the value field (TIFF 6.0
         * Section 2: values of 4 bytes or less are left-justified in the entry). */
        if (rd16(&t, e + 2) != 3 || rd32(&t, e + 4) != 1)
            return 0;
        unsigned v = rd16(&t, e + 8);
        return (v >= 1 && v <= 8) ? (int)v : 0;
    }
    return 0;
}

int psci_exif_is_orientation_only(const unsigned char *p, size_t n) {
    tiff t;
    size_t ifd = open_ifd0(p, n, &t);
    if (ifd == 0 || ifd != 8)
        return 0;
    /* header(8) + count(2) + one entry(12) + next-IFD(4): nothing else may follow (Exif 4.6.2:
     * entry = tag, type, count, value; the next-IFD offset 0 ends the chain). */
    if (t.n != 8 + 2 + 12 + 4)
        return 0;
    if (rd16(&t, ifd) != 1 || rd16(&t, ifd + 2) != TAG_ORIENTATION)
        return 0;
    if (rd16(&t, ifd + 4) != 3 || rd32(&t, ifd + 6) != 1)
        return 0;
    return rd32(&t, ifd + 14) == 0;
}

static psc_meta classify_tag(ExifIfd ifd, ExifTag tag) {
    if (ifd == EXIF_IFD_GPS)
        return PSC_META_GPS;
    if (ifd == EXIF_IFD_1)
        return PSC_META_THUMBNAIL;
    switch ((unsigned)tag) {
    case 0x010F: /* Make */
    case 0x0110: /* Model */
    case 0xA432: /* LensSpecification */
    case 0xA433: /* LensMake */
    case 0xA434: /* LensModel */ return PSC_META_DEVICE;
    case 0x0132: /* DateTime */
    case 0x9003: /* DateTimeOriginal */
    case 0x9004: /* DateTimeDigitized */
    case 0x9010:
    case 0x9011:
    case 0x9012: /* OffsetTime* */
    case 0x9290:
    case 0x9291:
    case 0x9292: /* SubSecTime* */ return PSC_META_DATETIME;
    case 0xA420: /* ImageUniqueID */
    case 0xA430: /* CameraOwnerName */
    case 0xA431: /* BodySerialNumber */
    case 0xA435: /* LensSerialNumber */ return PSC_META_SERIAL;
    case 0x013B: /* Artist */
    case 0x8298: /* Copyright */
    case 0x9C9D: /* XPAuthor */ return PSC_META_AUTHOR;
    case 0x0131: /* Software */
    case 0x013C: /* HostComputer */ return PSC_META_SOFTWARE;
    case 0x927C: /* MakerNote */ return PSC_META_MAKERNOTE;
    case 0x010E: /* ImageDescription */
    case 0x9286: /* UserComment */
    case 0x9C9C: /* XPComment */
    case 0x9C9B: /* XPTitle */ return PSC_META_COMMENT;
    default: return PSC_META_EXIF;
    }
}

psc_status psci_exif_describe(const unsigned char *p, size_t n, int with_values,
                              psci_exif_visit visit, void *ud, psci_err *err) {
    if (n > UINT32_MAX)
        return psci_fail(err, PSC_ERR_LIMIT, "exif: block too large");
    ExifData *ed = exif_data_new();
    if (ed == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "exif: out of memory");
    /* Describe everything as stored: no fixing up, no hiding of unknown tags. */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_set_option(ed, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE);
    if (tiff_start(p, n) == 6) {
        exif_data_load_data(ed, p, (unsigned)n);
    } else {
        /* libexif wants the "Exif\0\0" header in front of a bare TIFF block (PNG eXIf). */
        unsigned char *tmp = malloc(n + 6);
        if (tmp == NULL) {
            exif_data_unref(ed);
            return psci_fail(err, PSC_ERR_NOMEM, "exif: out of memory");
        }
        memcpy(tmp, "Exif\0\0", 6);
        memcpy(tmp + 6, p, n);
        exif_data_load_data(ed, tmp, (unsigned)(n + 6));
        free(tmp);
    }
    for (int i = 0; i < EXIF_IFD_COUNT; i++) {
        ExifContent *c = ed->ifd[i];
        if (c == NULL)
            continue;
        for (unsigned k = 0; k < c->count; k++) {
            ExifEntry *e = c->entries[k];
            if (e == NULL)
                continue;
            const char *name = exif_tag_get_name_in_ifd(e->tag, (ExifIfd)i);
            char namebuf[32];
            if (name == NULL) {
                snprintf(namebuf, sizeof namebuf, "Tag0x%04X", (unsigned)e->tag);
                name = namebuf;
            }
            char val[256];
            const char *v = NULL;
            if (with_values && e->tag != EXIF_TAG_MAKER_NOTE) {
                v = exif_entry_get_value(e, val, sizeof val);
            }
            visit(ud, classify_tag((ExifIfd)i, e->tag), name, v);
        }
    }
    if (ed->data != NULL && ed->size > 0)
        visit(ud, PSC_META_THUMBNAIL, "ThumbnailImage", with_values ? "(embedded JPEG)" : NULL);
    exif_data_unref(ed);
    return PSC_OK;
}

psc_status psci_exif_build_orientation(int orient, unsigned char **out, size_t *len,
                                       psci_err *err) {
    *out = NULL;
    *len = 0;
    if (orient < 1 || orient > 8)
        return psci_fail(err, PSC_ERR_INTERNAL, "exif: orientation %d out of range", orient);
    psc_status st = PSC_OK;
    unsigned char *data = NULL;
    unsigned int size = 0;
    ExifData *ed = exif_data_new();
    ExifEntry *e = exif_entry_new();
    if (ed == NULL || e == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "exif: out of memory");
        goto out;
    }
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_MOTOROLA);
    exif_content_add_entry(ed->ifd[EXIF_IFD_0], e);
    exif_entry_initialize(e, EXIF_TAG_ORIENTATION);
    exif_set_short(e->data, EXIF_BYTE_ORDER_MOTOROLA, (ExifShort)orient);
    exif_data_save_data(ed, &data, &size);
    if (data == NULL || size == 0) {
        st = psci_fail(err, PSC_ERR_NOMEM, "exif: libexif could not build the orientation block");
        goto out;
    }
    /* Fail closed: what we write must be exactly the orientation-only structure. */
    if (!psci_exif_is_orientation_only(data, size) || psci_exif_orientation(data, size) != orient) {
        st = psci_fail(err, PSC_ERR_INTERNAL,
                       "exif: built orientation block has an unexpected layout");
        goto out;
    }
    *out = malloc(size);
    if (*out == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "exif: out of memory");
        goto out;
    }
    memcpy(*out, data, size);
    *len = size;
out:
    free(data);
    if (e != NULL)
        exif_entry_unref(e);
    if (ed != NULL)
        exif_data_unref(ed);
    return st;
}
