/*
 * JPEG marker walker and keep-list rebuilder. Decides what is safe to keep from the marker
 * and the segment's identifier alone; anything not on the keep-list is dropped.
 * Stops at the first EOI: whatever follows (MPF images, motion-photo video) is never copied.
 *
 * Follows ITU-T T.81 (ISO/IEC 10918-1) Annex B: B.1.1.2 markers and fill bytes, B.1.1.3 marker
 * assignments (Table B.1), B.1.1.4 marker segments and their length, B.1.1.5 entropy-coded
 * data (stuffed 0xFF00, RSTm), B.2.1 the SOI ... EOI sequence, B.2.2/B.2.3 frame and scan
 * headers, B.2.4 tables and miscellaneous segments (DQT, DHT, DAC, DRI, COM, APPn). The APPn
 * payloads are told apart by the identifiers their own specifications give: JFIF 1.02 (APP0
 * "JFIF", thumbnail; "JFXX" extension), Exif 2.32 / CIPA DC-008 4.5.4 and 4.7 (APP1 "Exif",
 * APP2 FlashPix "FPXR"), Adobe XMP Part 3 1.1.3 (APP1 XMP and extended XMP), ICC.1 Annex B.4
 * (APP2 "ICC_PROFILE" chunks), CIPA DC-007 MPF (APP2 "MPF"), Adobe Technical Note 5116 (APP14
 * "Adobe") and the Photoshop file format's image resources (APP13 "Photoshop 3.0", 8BIM and
 * IPTC-IIM).
 */
#include "jpeg_segments.h"

#include <stdlib.h>
#include <string.h>

#define M_SOI 0xD8
#define M_EOI 0xD9
#define M_SOS 0xDA
#define M_APP0 0xE0
#define M_COM 0xFE

static const char *const app_unknown[16] = {
    "APP0 segment (unknown)",
    "APP1 segment (unknown)",
    "APP2 segment (unknown)",
    "APP3 segment",
    "APP4 segment",
    "APP5 segment",
    "APP6 segment",
    "APP7 segment",
    "APP8 segment",
    "APP9 segment",
    "APP10 segment",
    "APP11 segment",
    "APP12 segment",
    "APP13 segment (unknown)",
    "APP14 segment (unknown)",
    "APP15 segment",
};

static int has_prefix(const unsigned char *p, size_t n, const char *id, size_t idlen) {
    return n >= idlen && memcmp(p, id, idlen) == 0;
}

static int is_sof(unsigned char m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Markers that carry coding parameters and must be kept for the image to decode (T.81 Table
 * B.1: SOFn, DHT, DAC, DQT, DNL, DRI, DHP, EXP, SOS). */
static int is_coding_marker(unsigned char m) {
    return is_sof(m) || m == 0xC4 /* DHT */ || m == 0xCC /* DAC */ || m == 0xDB /* DQT */ ||
           m == 0xDC /* DNL */ || m == 0xDD /* DRI */ || m == 0xDE /* DHP */ ||
           m == 0xDF /* EXP */ || m == M_SOS;
}

/* Real photos have a few dozen segments (a few hundred with ICC chunks or many scans). The
 * list costs ~60 bytes per segment, so a file of 2-byte stray markers would otherwise cost 30
 * times its size in memory. */
#define MAX_SEGMENTS 65536

static psc_status push(psci_jpeg *j, const psci_jseg *s, psci_err *err) {
    if (j->n >= MAX_SEGMENTS)
        return psci_fail(err, PSC_ERR_LIMIT,
                         "jpeg: more than %d segments at offset %zu (real photos have a few dozen)",
                         MAX_SEGMENTS, s->off);
    if (j->n == j->cap) {
        size_t ncap = j->cap ? j->cap * 2 : 32, bytes;
        if (!psci_size_mul(ncap, sizeof *j->segs, &bytes))
            return psci_fail(err, PSC_ERR_NOMEM, "jpeg: too many segments");
        psci_jseg *ns = realloc(j->segs, bytes);
        if (ns == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory listing segments");
        j->segs = ns;
        j->cap = ncap;
    }
    j->segs[j->n++] = *s;
    return PSC_OK;
}

void psci_jpeg_free(psci_jpeg *j) {
    free(j->segs);
    memset(j, 0, sizeof *j);
}

/* Decides the fate of one marker segment from its marker and identifier (T.81 B.2.4.6: an
 * APPn segment's meaning is up to the application, so the identifier is what names it). */
static psc_status classify(psci_jpeg *j, psci_jseg *s, const unsigned char *pay, psci_err *err) {
    unsigned char m = s->marker;
    size_t n = s->pay_len;
    s->action = PSCI_JDROP;
    s->cls = PSC_META_UNKNOWN;
    if (is_coding_marker(m)) {
        s->action = PSCI_JKEEP;
        s->what = "coding parameters";
        if (is_sof(m) && j->sof_marker == 0) {
            if (n < 6)
                return psci_fail(err, PSC_ERR_CORRUPT,
                                 "jpeg: SOF segment at offset %zu is too short", s->off);
            j->sof_marker = m;
            j->precision = pay[0];
            j->height = psci_rd_be16(pay + 1);
            j->width = psci_rd_be16(pay + 3);
            j->components = pay[5];
        }
        return PSC_OK;
    }
    if (m == M_COM) {
        s->cls = PSC_META_COMMENT;
        s->what = "COM comment";
        return PSC_OK;
    }
    if (m < M_APP0 || m > 0xEF) {
        s->what = "reserved JPEG marker segment";
        return PSC_OK;
    }
    s->what = app_unknown[m - M_APP0];
    switch (m) {
    case 0xE0: /* JFIF 1.02: "JFIF\0", version, units, density, thumbnail size + RGB thumbnail */
        if (has_prefix(pay, n, "JFIF\0", 5) && n >= 14) {
            int first = 1;
            for (size_t i = 0; i + 1 < j->n; i++)
                if (j->segs[i].marker == 0xE0 && j->segs[i].action != PSCI_JDROP)
                    first = 0;
            if (!first) {
                s->what = "duplicate JFIF APP0";
            } else if (n == 14 && pay[12] == 0 && pay[13] == 0) {
                s->action = PSCI_JKEEP;
                s->what = "JFIF";
            } else {
                s->action = PSCI_JREBUILD_JFIF;
                s->cls = PSC_META_THUMBNAIL;
                s->what = "JFIF thumbnail";
            }
        } else if (has_prefix(pay, n, "JFXX\0", 5)) {
            s->cls = PSC_META_THUMBNAIL;
            s->what = "APP0 JFXX thumbnail";
        }
        break;
    case 0xE1: /* Exif 2.32 4.7.2 (APP1 "Exif\0\0" + TIFF); XMP Part 3 1.1.3 (standard and
                * extended XMP: GUID, full length, offset) */
        if (has_prefix(pay, n, "Exif\0", 5)) {
            s->cls = PSC_META_EXIF;
            s->is_exif = 1;
            s->what = "APP1 Exif";
        } else if (has_prefix(pay, n, "http://ns.adobe.com/xap/1.0/\0", 29)) {
            s->cls = PSC_META_XMP;
            s->what = "APP1 XMP";
        } else if (has_prefix(pay, n, "http://ns.adobe.com/xmp/extension/\0", 35)) {
            s->cls = PSC_META_XMP;
            s->what = "APP1 extended XMP";
        }
        break;
    case 0xE2: /* ICC.1 B.4 ("ICC_PROFILE\0", sequence, count); CIPA DC-007 5.2 (MPF); Exif
                * 2.32 4.7.3 (FlashPix extension data) */
        if (has_prefix(pay, n, "ICC_PROFILE\0", 12) && n > 14) {
            s->action = PSCI_JKEEP;
            s->is_icc = 1;
            s->what = "ICC profile";
            j->icc_chunks++;
        } else if (has_prefix(pay, n, "MPF\0", 4)) {
            s->cls = PSC_META_MPF;
            s->what = "APP2 MPF index";
            j->has_mpf = 1;
        } else if (has_prefix(pay, n, "FPXR\0", 5)) {
            s->cls = PSC_META_EXIF;
            s->what = "APP2 FlashPix (FPXR)";
        }
        break;
    case 0xED: /* Photoshop image resources ("8BIM" blocks; 0x0404 holds IPTC-IIM) */
        if (has_prefix(pay, n, "Photoshop 3.0\0", 14)) {
            s->cls = PSC_META_IPTC;
            s->what = "APP13 Photoshop/IPTC";
        }
        break;
    case 0xEE: /* Adobe TN 5116: "Adobe", version, flags0, flags1, transform (12 bytes) */
        if (has_prefix(pay, n, "Adobe", 5) && n >= 12) {
            int first = 1;
            for (size_t i = 0; i + 1 < j->n; i++)
                if (j->segs[i].marker == 0xEE && j->segs[i].action != PSCI_JDROP)
                    first = 0;
            if (first) {
                s->action = n == 12 ? PSCI_JKEEP : PSCI_JREBUILD_ADOBE;
                s->what = "Adobe colour transform";
            }
        }
        break;
    default: break;
    }
    return PSC_OK;
}

/* ICC chunks must number 1..count with one count (ICC.1 B.4); otherwise the profile is unusable and
 * cannot be trusted, so every chunk is dropped. */
static psc_status check_icc_chunks(psci_jpeg *j, const unsigned char *p) {
    unsigned count = 0, seen = 0;
    unsigned char got[256] = {0};
    int ok = 1;
    for (size_t i = 0; i < j->n; i++) {
        const psci_jseg *s = &j->segs[i];
        if (!s->is_icc)
            continue;
        unsigned seq = p[s->pay_off + 12], cnt = p[s->pay_off + 13];
        if (count == 0)
            count = cnt;
        if (seq == 0 || cnt == 0 || cnt != count || seq > cnt || got[seq])
            ok = 0;
        else
            got[seq] = 1;
        seen++;
    }
    if (seen == 0 || (ok && seen == count))
        return PSC_OK;
    for (size_t i = 0; i < j->n; i++) {
        psci_jseg *s = &j->segs[i];
        if (s->is_icc) {
            s->is_icc = 0;
            s->action = PSCI_JDROP;
            s->cls = PSC_META_ICC;
            s->what = "malformed ICC profile chunk";
        }
    }
    j->icc_chunks = 0;
    return PSC_OK;
}

/* Finds the end of entropy-coded data starting at pos (T.81 B.1.1.5): the first marker that is
 * not a stuffed zero, a restart marker or a fill byte. Returns n when the data runs off the
 * end. */
static size_t ecs_end(const unsigned char *p, size_t n, size_t pos) {
    while (pos < n) {
        const unsigned char *ff = memchr(p + pos, 0xFF, n - pos);
        if (ff == NULL)
            return n;
        pos = (size_t)(ff - p);
        if (pos + 1 >= n)
            return n;
        unsigned char b = p[pos + 1];
        if (b == 0x00 || (b >= 0xD0 && b <= 0xD7))
            pos += 2;
        else if (b == 0xFF)
            pos += 1;
        else
            return pos;
    }
    return n;
}

/* Bytes that are not a segment (stray bytes or markers): listed so the report can say so,
 * never copied. */
static psc_status push_garbage(psci_jpeg *j, const char *what, size_t off, size_t len,
                               psci_err *err) {
    psci_jseg g = {0};
    g.kind = PSCI_JSEG_GARBAGE;
    g.action = PSCI_JDROP;
    g.cls = PSC_META_UNKNOWN;
    g.what = what;
    g.off = off;
    g.len = len;
    return push(j, &g, err);
}

/* One marker segment with a length field at *pos (marker m; T.81 B.1.1.4: the length counts
 * itself but not the marker), classified; after an SOS also the
 * entropy-coded data up to the next marker. *pos moves past what was read. */
static psc_status parse_segment(const unsigned char *p, size_t n, psci_jpeg *j, unsigned char m,
                                size_t *pos_io, int *seen_sos, psci_err *err) {
    size_t pos = *pos_io;
    psc_status st;
    if (pos + 4 > n)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "jpeg: file ends inside the length of marker 0x%02X at offset %zu", m,
                         pos);
    size_t len = psci_rd_be16(p + pos + 2);
    if (len < 2)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "jpeg: marker 0x%02X at offset %zu has invalid length %zu", m, pos, len);
    if (len > n - pos - 2)
        return psci_fail(
            err, PSC_ERR_CORRUPT,
            "jpeg: marker 0x%02X length %zu runs past the end of the file at offset %zu", m, len,
            pos);
    psci_jseg s = {0};
    s.kind = PSCI_JSEG_MARKER;
    s.marker = m;
    s.off = pos;
    s.len = len + 2;
    s.pay_off = pos + 4;
    s.pay_len = len - 2;
    if ((st = push(j, &s, err)) != PSC_OK)
        return st;
    psci_jseg *cur = &j->segs[j->n - 1];
    if ((st = classify(j, cur, p + cur->pay_off, err)) != PSC_OK)
        return st;
    if (cur->is_exif && j->first_exif == SIZE_MAX)
        j->first_exif = j->n - 1;
    pos += len + 2;
    if (m == M_SOS) {
        if (j->sof_marker == 0)
            return psci_fail(err, PSC_ERR_CORRUPT,
                             "jpeg: scan at offset %zu comes before any frame header (SOF)",
                             cur->off);
        *seen_sos = 1;
        size_t e = ecs_end(p, n, pos);
        if (e >= n)
            return psci_fail(err, PSC_ERR_CORRUPT,
                             "jpeg: file ends inside the compressed image data (truncated file, "
                             "%zu bytes, no EOI)",
                             n);
        psci_jseg d = {0};
        d.kind = PSCI_JSEG_ECS;
        d.action = PSCI_JKEEP;
        d.what = "image data";
        d.off = pos;
        d.len = e - pos;
        if ((st = push(j, &d, err)) != PSC_OK)
            return st;
        pos = e;
    }
    *pos_io = pos;
    return PSC_OK;
}

psc_status psci_jpeg_parse(const unsigned char *p, size_t n, psci_jpeg *j, psci_err *err) {
    memset(j, 0, sizeof *j);
    j->first_exif = SIZE_MAX;
    if (n < 4 || p[0] != 0xFF || p[1] != M_SOI)
        return psci_fail(err, PSC_ERR_FORMAT, "jpeg: no SOI marker at the start");
    psc_status st = PSC_OK;
    size_t pos = 2;
    int seen_sos = 0;
    for (;;) {
        if (pos >= n) {
            st = psci_fail(err, PSC_ERR_CORRUPT,
                           "jpeg: file ends at offset %zu before the EOI marker (truncated file)",
                           n);
            goto out;
        }
        if (p[pos] != 0xFF) {
            /* Garbage between segments: skip to the next plausible marker, drop the bytes. */
            size_t q = pos;
            while (q + 1 < n && !(p[q] == 0xFF && p[q + 1] != 0x00 && p[q + 1] != 0xFF))
                q++;
            if (q + 1 >= n) {
                st = psci_fail(err, PSC_ERR_CORRUPT,
                               "jpeg: no marker after offset %zu before the end of the file "
                               "(truncated or not a JPEG)",
                               pos);
                goto out;
            }
            if ((st = push_garbage(j, "stray bytes between segments", pos, q - pos, err)) != PSC_OK)
                goto out;
            pos = q;
            continue;
        }
        while (pos + 1 < n && p[pos + 1] == 0xFF)
            pos++; /* fill bytes before a marker (T.81 B.1.1.2) */
        if (pos + 1 >= n) {
            st = psci_fail(err, PSC_ERR_CORRUPT,
                           "jpeg: file ends inside a marker at offset %zu (truncated file)", pos);
            goto out;
        }
        unsigned char m = p[pos + 1];
        if (m == M_EOI) {
            if (!seen_sos) {
                st = psci_fail(err, PSC_ERR_CORRUPT,
                               "jpeg: EOI at offset %zu before any image data", pos);
                goto out;
            }
            j->end = pos + 2;
            break;
        }
        if (m == M_SOI) {
            st = psci_fail(err, PSC_ERR_CORRUPT,
                           "jpeg: second SOI marker at offset %zu inside the image", pos);
            goto out;
        }
        /* 0x00 (stuffing), TEM and RSTm have no length (T.81 B.1.1.3); outside a scan they
         * are stray. */
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            if ((st = push_garbage(j, "stray marker", pos, 2, err)) != PSC_OK)
                goto out;
            pos += 2;
            continue;
        }
        /* T.81 Table B.1 reserves JPG (0xC8) and JPGn; T.87 (JPEG-LS) took SOF55 0xF7 and
         * LSE 0xF8: their data cannot be walked as T.81 segments. */
        if (m == 0xF7 || m == 0xF8 || m == 0xC8) {
            st = psci_fail(
                err, PSC_ERR_UNSUPPORTED,
                "jpeg: marker 0x%02X at offset %zu: JPEG-LS and JPEG extensions are not supported",
                m, pos);
            goto out;
        }
        if ((st = parse_segment(p, n, j, m, &pos, &seen_sos, err)) != PSC_OK)
            goto out;
    }
    st = check_icc_chunks(j, p);
out:
    if (st != PSC_OK)
        psci_jpeg_free(j);
    return st;
}

static psc_status write_segment(psci_buf *out, unsigned char marker, const unsigned char *pay,
                                size_t pay_len, psci_err *err) {
    if (pay_len > 65533)
        return psci_fail(err, PSC_ERR_INTERNAL, "jpeg: segment payload of %zu bytes is too long",
                         pay_len);
    psc_status st = psci_buf_byte(out, 0xFF, err);
    if (st == PSC_OK)
        st = psci_buf_byte(out, marker, err);
    if (st == PSC_OK)
        st = psci_buf_be16(out, (unsigned)(pay_len + 2), err);
    if (st == PSC_OK)
        st = psci_buf_append(out, pay, pay_len, err);
    return st;
}

psc_status psci_jpeg_write(const unsigned char *p, const psci_jpeg *j, const unsigned char *exif,
                           size_t exif_len, int keep_icc, psci_buf *out, psci_err *err) {
    psc_status st = psci_buf_reserve(out, j->end, err);
    if (st == PSC_OK)
        st = psci_buf_be16(out, 0xFFD8, err);
    /* Without an original Exif position, the new one goes after the leading APP0/APP14. */
    size_t exif_at = j->first_exif;
    if (exif_len && exif_at == SIZE_MAX) {
        exif_at = 0;
        while (exif_at < j->n &&
               (j->segs[exif_at].marker == 0xE0 || j->segs[exif_at].marker == 0xEE))
            exif_at++;
    }
    for (size_t i = 0; st == PSC_OK && i < j->n; i++) {
        const psci_jseg *s = &j->segs[i];
        if (exif_len && i == exif_at)
            st = write_segment(out, 0xE1, exif, exif_len, err);
        if (st != PSC_OK)
            break;
        switch (s->action) {
        case PSCI_JKEEP:
            if (!(s->is_icc && !keep_icc))
                st = psci_buf_append(out, p + s->off, s->len, err);
            break;
        case PSCI_JREBUILD_JFIF: {
            unsigned char jf[14];
            memcpy(jf, p + s->pay_off, 12);
            jf[12] = jf[13] = 0; /* no thumbnail */
            st = write_segment(out, 0xE0, jf, sizeof jf, err);
            break;
        }
        case PSCI_JREBUILD_ADOBE: st = write_segment(out, 0xEE, p + s->pay_off, 12, err); break;
        default: break;
        }
    }
    if (st == PSC_OK && exif_len && exif_at >= j->n)
        st = write_segment(out, 0xE1, exif, exif_len, err);
    if (st == PSC_OK)
        st = psci_buf_be16(out, 0xFFD9, err);
    return st;
}

const char *psci_jpeg_trailer_kind(const unsigned char *t, size_t n, int has_mpf, psc_meta *cls) {
    *cls = PSC_META_TRAILER;
    /* Look a little way in: padding often precedes an appended image or video. */
    size_t scan = n < 4096 ? n : 4096;
    for (size_t i = 0; i + 8 <= scan; i++) {
        if (memcmp(t + i + 4, "ftyp", 4) == 0)
            return "MP4 video after the image (motion photo)";
        if (t[i] == 0xFF && t[i + 1] == 0xD8 && t[i + 2] == 0xFF) {
            *cls = has_mpf ? PSC_META_MPF : PSC_META_TRAILER;
            return has_mpf ? "secondary images after the image (MPF: gain map, depth or preview)"
                           : "another JPEG image after the image";
        }
    }
    if (n >= 4 && memcmp(t + n - 4, "SEFT", 4) == 0)
        return "Samsung trailer (SEF) after the image";
    return "bytes after the end of the image";
}
