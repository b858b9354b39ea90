/*
 * PNG chunk walker and keep-list rebuilder; the only zlib user (CRC-32).
 * Keeps the chunks needed to show the pixels as before; drops text, time, EXIF and every
 * chunk not known to be safe, including private ones.
 *
 * Follows the PNG Specification, Third Edition (W3C; ISO/IEC 15948): 5.2 signature, 5.3 chunk
 * layout (length, type, data, CRC; length at most 2^31-1), 5.4 chunk naming (four ASCII
 * letters), 5.5 CRC-32 over type and data, 5.6 ordering (IHDR first, IEND last), 11.2 critical
 * chunks (IHDR, PLTE, IDAT, IEND) and 11.3 ancillary ones: what shapes the displayed pixels is
 * kept (tRNS; gAMA, cHRM, iCCP, sBIT, sRGB, cICP, mDCv, cLLi; bKGD, pHYs; the APNG animation
 * chunks acTL, fcTL, fdAT), what describes the photo is dropped (tEXt, zTXt, iTXt, tIME, eXIf,
 * hIST, sPLT and anything private or unknown).
 */
#include "png_chunks.h"

#include <zlib.h>

#include <stdlib.h>
#include <string.h>

/* Each chunk listed costs ~50 bytes against 12 in the file; encoders write IDAT in chunks of
 * 8 KiB or more, so even a 256 MiB image stays far below this. */
#define MAX_CHUNKS (1 << 20)

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* Chunks that change how the pixels display, or carry them (APNG frames included): PNG 3rd
 * ed. 11.2, 11.3.1 transparency, 11.3.2 colour space, bKGD and pHYs of 11.3.4, and 11.3.6
 * animation. */
static const char *const keep_list[] = {
    "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP",
    "sBIT", "pHYs", "bKGD", "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT",
};

static int on_keep_list(const char *type) {
    for (size_t i = 0; i < sizeof keep_list / sizeof keep_list[0]; i++)
        if (memcmp(type, keep_list[i], 4) == 0)
            return 1;
    return 0;
}

/* What a dropped chunk held, for the report: 11.3.3 textual chunks (an iTXt keyed
 * "XML:com.adobe.xmp" is XMP, XMP Part 3 1.1.4), 11.3.4 eXIf, 11.3.5 tIME. */
static psc_meta drop_class(const char *type, const unsigned char *data, size_t len) {
    if (!memcmp(type, "tEXt", 4) || !memcmp(type, "zTXt", 4))
        return PSC_META_TEXT;
    if (!memcmp(type, "iTXt", 4)) {
        static const char xmp_key[] = "XML:com.adobe.xmp";
        if (len >= sizeof xmp_key && memcmp(data, xmp_key, sizeof xmp_key) == 0)
            return PSC_META_XMP;
        return PSC_META_TEXT;
    }
    if (!memcmp(type, "eXIf", 4))
        return PSC_META_EXIF;
    if (!memcmp(type, "tIME", 4))
        return PSC_META_DATETIME;
    return PSC_META_UNKNOWN;
}

void psci_png_free(psci_png *png) {
    free(png->chunks);
    memset(png, 0, sizeof *png);
}

/* PNG 3rd ed. 5.4: a chunk type is four ASCII letters. */
static int valid_type(const unsigned char *t) {
    for (int i = 0; i < 4; i++) {
        unsigned char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}

psc_status psci_png_parse(const unsigned char *p, size_t n, psci_png *png, psci_err *err) {
    memset(png, 0, sizeof *png);
    png->first_exif = SIZE_MAX;
    if (n < 8 || memcmp(p, png_sig, 8) != 0) /* 5.2 */
        return psci_fail(err, PSC_ERR_FORMAT, "png: no PNG signature");
    psc_status st = PSC_OK;
    size_t pos = 8;
    int seen_idat = 0;
    for (;;) {
        if (n - pos < 12) {
            st =
                psci_fail(err, PSC_ERR_CORRUPT,
                          "png: file ends at offset %zu before the IEND chunk (truncated file)", n);
            goto out;
        }
        uint32_t len = psci_rd_be32(p + pos);
        const unsigned char *type = p + pos + 4;
        if (!valid_type(type)) {
            st = psci_fail(err, PSC_ERR_CORRUPT, "png: invalid chunk type at offset %zu", pos);
            goto out;
        }
        if (len > 0x7FFFFFFFu || len > n - pos - 12) { /* 5.3: at most 2^31-1 */
            st =
                psci_fail(err, PSC_ERR_CORRUPT,
                          "png: chunk '%.4s' length %u runs past the end of the file at offset %zu",
                          (const char *)type, (unsigned)len, pos);
            goto out;
        }
        /* 5.5: CRC-32 (ISO 3309) over the type and data, not the length. */
        uint32_t crc = (uint32_t)crc32(0L, type, (uInt)(len + 4));
        if (crc != psci_rd_be32(p + pos + 8 + len)) {
            st = psci_fail(err, PSC_ERR_CORRUPT, "png: chunk '%.4s' at offset %zu has a bad CRC",
                           (const char *)type, pos);
            goto out;
        }
        if (png->n == 0 && (memcmp(type, "IHDR", 4) != 0 || len != 13)) { /* 5.6, 11.2.1 */
            st = psci_fail(err, PSC_ERR_CORRUPT, "png: first chunk is not a valid IHDR");
            goto out;
        }
        if (png->n >= MAX_CHUNKS) {
            st = psci_fail(err, PSC_ERR_LIMIT,
                           "png: more than %d chunks at offset %zu (real images have a few dozen)",
                           MAX_CHUNKS, pos);
            goto out;
        }
        if (png->n == png->cap) {
            size_t ncap = png->cap ? png->cap * 2 : 16, bytes;
            psci_pchunk *nc;
            if (!psci_size_mul(ncap, sizeof *nc, &bytes) ||
                (nc = realloc(png->chunks, bytes)) == NULL) {
                st = psci_fail(err, PSC_ERR_NOMEM, "png: out of memory listing chunks");
                goto out;
            }
            png->chunks = nc;
            png->cap = ncap;
        }
        psci_pchunk *c = &png->chunks[png->n++];
        memset(c, 0, sizeof *c);
        memcpy(c->type, type, 4);
        c->off = pos;
        c->len = (size_t)len + 12;
        c->data_off = pos + 8;
        c->data_len = len;
        c->keep = (unsigned char)on_keep_list(c->type);
        c->is_icc = memcmp(type, "iCCP", 4) == 0;
        c->is_exif = memcmp(type, "eXIf", 4) == 0;
        if (!c->keep)
            c->cls = drop_class(c->type, p + c->data_off, len);
        if (c->is_exif && png->first_exif == SIZE_MAX)
            png->first_exif = png->n - 1;
        if (png->n == 1) {
            png->width = psci_rd_be32(p + pos + 8);
            png->height = psci_rd_be32(p + pos + 12);
        }
        if (memcmp(type, "IDAT", 4) == 0)
            seen_idat = 1;
        pos += c->len;
        if (memcmp(type, "IEND", 4) == 0)
            break;
    }
    if (!seen_idat) {
        st = psci_fail(err, PSC_ERR_CORRUPT, "png: no IDAT chunk (no image data)");
        goto out;
    }
    png->end = pos;
out:
    if (st != PSC_OK)
        psci_png_free(png);
    return st;
}

static psc_status write_chunk(psci_buf *out, const char *type, const unsigned char *data,
                              size_t len, psci_err *err) {
    if (len > 0x7FFFFFFFu)
        return psci_fail(err, PSC_ERR_INTERNAL, "png: chunk too long");
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    crc = crc32(crc, data, (uInt)len);
    psc_status st = psci_buf_be32(out, (uint32_t)len, err);
    if (st == PSC_OK)
        st = psci_buf_append(out, type, 4, err);
    if (st == PSC_OK)
        st = psci_buf_append(out, data, len, err);
    if (st == PSC_OK)
        st = psci_buf_be32(out, (uint32_t)crc, err);
    return st;
}

psc_status psci_png_write(const unsigned char *p, const psci_png *png, const unsigned char *exif,
                          size_t exif_len, int keep_icc, psci_buf *out, psci_err *err) {
    psc_status st = psci_buf_reserve(out, png->end, err);
    if (st == PSC_OK)
        st = psci_buf_append(out, png_sig, 8, err);
    int exif_done = exif_len == 0;
    for (size_t i = 0; st == PSC_OK && i < png->n; i++) {
        const psci_pchunk *c = &png->chunks[i];
        if (!exif_done && (memcmp(c->type, "IDAT", 4) == 0 || memcmp(c->type, "IEND", 4) == 0)) {
            st = write_chunk(out, "eXIf", exif, exif_len, err);
            exif_done = 1;
            if (st != PSC_OK)
                break;
        }
        if (c->keep && !(c->is_icc && !keep_icc))
            st = psci_buf_append(out, p + c->off, c->len, err);
    }
    return st;
}

psc_status psci_png_splice(const unsigned char *orig, size_t orig_len, const unsigned char *enc,
                           size_t enc_len, psci_buf *out, psci_err *err) {
    static const char *const carry[] = {"gAMA", "cHRM", "sRGB", "iCCP", "cICP",
                                        "mDCv", "cLLi", "pHYs", "eXIf"};
    psci_png o, e;
    psc_status st = psci_png_parse(orig, orig_len, &o, err);
    if (st != PSC_OK)
        return st;
    if ((st = psci_png_parse(enc, enc_len, &e, err)) != PSC_OK) {
        psci_png_free(&o);
        return st;
    }
    st = psci_buf_append(out, png_sig, 8, err);
    for (size_t i = 0; st == PSC_OK && i < e.n; i++) {
        const psci_pchunk *c = &e.chunks[i];
        if (memcmp(c->type, "IHDR", 4) != 0 && memcmp(c->type, "IDAT", 4) != 0 &&
            memcmp(c->type, "IEND", 4) != 0)
            continue;
        if (memcmp(c->type, "IDAT", 4) == 0 && i > 0 &&
            memcmp(e.chunks[i - 1].type, "IDAT", 4) != 0) {
            /* Colour chunks go between IHDR and the first IDAT. */
            for (size_t k = 0; st == PSC_OK && k < o.n; k++)
                for (size_t m = 0; m < sizeof carry / sizeof carry[0]; m++)
                    if (memcmp(o.chunks[k].type, carry[m], 4) == 0)
                        st = psci_buf_append(out, orig + o.chunks[k].off, o.chunks[k].len, err);
        }
        if (st == PSC_OK)
            st = psci_buf_append(out, enc + c->off, c->len, err);
    }
    psci_png_free(&o);
    psci_png_free(&e);
    return st;
}
