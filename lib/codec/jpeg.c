/*
 * JPEG codec adapter: the only libjpeg-turbo user (TurboJPEG for decoding and lossless
 * transforms, the libjpeg API for DCT-coefficient redaction). libjpeg reports errors by
 * longjmp: the jumps land in this file only, each in the live frame of the function making
 * the libjpeg call, and become a status there.
 */
#include "jpeg_codec.h"

#include <stdio.h> /* jpeglib.h needs FILE */

#include <jerror.h>
#include <jpeglib.h>
#include <turbojpeg.h>

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

static int orient_op(int orient) {
    switch (orient) {
    case 2: return TJXOP_HFLIP;
    case 3: return TJXOP_ROT180;
    case 4: return TJXOP_VFLIP;
    case 5: return TJXOP_TRANSPOSE;
    case 6: return TJXOP_ROT90;
    case 7: return TJXOP_TRANSVERSE;
    case 8: return TJXOP_ROT270;
    default: return -1;
    }
}

psc_status psci_jpeg_transform(const unsigned char *in, size_t n, int orient, int progressive,
                               unsigned char **out, size_t *out_len, psci_err *err) {
    *out = NULL;
    *out_len = 0;
    int op = orient_op(orient);
    if (op < 0)
        return psci_fail(err, PSC_ERR_INTERNAL, "jpeg: no transform for orientation %d", orient);
    if (n > ULONG_MAX)
        return psci_fail(err, PSC_ERR_LIMIT, "jpeg: file too large to transform");
    psc_status st = PSC_OK;
    unsigned char *dst = NULL;
    unsigned long dst_len = 0;
    tjhandle h = tjInitTransform();
    if (h == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "jpeg: cannot start the TurboJPEG transformer");
    tjtransform xf;
    memset(&xf, 0, sizeof xf);
    xf.op = op;
    xf.options = TJXOPT_PERFECT | (progressive ? TJXOPT_PROGRESSIVE : 0);
    if (tjTransform(h, in, (unsigned long)n, 1, &dst, &dst_len, &xf, TJFLAG_LIMITSCANS) != 0) {
        const char *why = tjGetErrorStr2(h);
        st = psci_fail(err, PSC_ERR_UNSUPPORTED, "jpeg: lossless rotation failed: %s",
                       why ? why : "unknown error");
        goto out;
    }
    *out = malloc(dst_len);
    if (*out == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory");
        goto out;
    }
    memcpy(*out, dst, dst_len);
    *out_len = dst_len;
out:
    tjFree(dst);
    tjDestroy(h);
    return st;
}

/* libjpeg refuses sides over JPEG_MAX_DIMENSION (65500) before we can see them: that is a
 * size limit, not damage. TurboJPEG only passes on the message text. */
static psc_status header_error(tjhandle t, psci_err *err) {
    const char *why = tjGetErrorStr2(t);
    if (why != NULL && strstr(why, "Maximum supported image dimension") != NULL)
        return psci_fail(err, PSC_ERR_LIMIT, "jpeg: image is over the decoder's size limit (%s)",
                         why);
    return psci_fail(err, PSC_ERR_CORRUPT, "jpeg: cannot read the image header: %s", why);
}

/* Decodes into buf (len bytes). TurboJPEG 2.1 reports TJERR_WARNING also for a fatal error
 * that follows a warning ("Huffman table 0x0d was not defined" after corrupt data), and then
 * the rest of buf is never written: detectors would read whatever the heap held. A decode
 * that only warned writes every pixel, so it gives the same bytes over any prior contents:
 * on a warning, decode over zeros and over 0xFF and compare. */
static psc_status decode_whole(tjhandle t, const unsigned char *in, size_t n, unsigned char *buf,
                               size_t len, int w, int pitch, int h, int pf, int flags,
                               psci_err *err) {
    if (tjDecompress2(t, in, (unsigned long)n, buf, w, pitch, h, pf, flags) == 0)
        return PSC_OK;
    if (tjGetErrorCode(t) != TJERR_WARNING)
        return psci_fail(err, PSC_ERR_CORRUPT, "jpeg: cannot decode the image: %s",
                         tjGetErrorStr2(t));
    unsigned char *again = malloc(len);
    if (again == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory decoding %dx%d", w, h);
    memset(buf, 0, len);
    memset(again, 0xFF, len);
    (void)tjDecompress2(t, in, (unsigned long)n, buf, w, pitch, h, pf, flags);
    (void)tjDecompress2(t, in, (unsigned long)n, again, w, pitch, h, pf, flags);
    int whole = memcmp(buf, again, len) == 0;
    free(again);
    if (!whole)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "jpeg: the image data is damaged and cannot be decoded whole: %s",
                         tjGetErrorStr2(t));
    /* Corrupt entropy-coded data decodes to noise, which OCR then reads for seconds before
     * the file fails anyway: refuse it before any detector runs. Bytes between segments
     * ("extraneous bytes") do not touch the picture. */
    const char *why = tjGetErrorStr2(t);
    if (strstr(why, "Corrupt JPEG data") != NULL && strstr(why, "extraneous bytes") == NULL)
        return psci_fail(err, PSC_ERR_CORRUPT,
                         "jpeg: the image data is damaged (%s); refused before looking for codes "
                         "and text",
                         why);
    return PSC_OK;
}

/* Reads the size and colour space, refusing images over max_pixels before any allocation. */
static psc_status read_header(tjhandle t, const unsigned char *in, size_t n,
                              unsigned long long max_pixels, int *width, int *height, int *cs,
                              psci_err *err) {
    int subsamp;
    if (tjDecompressHeader3(t, in, (unsigned long)n, width, height, &subsamp, cs) != 0)
        return header_error(t, err);
    if (*width <= 0 || *height <= 0 ||
        (unsigned long long)*width * (unsigned long long)*height > max_pixels)
        return psci_fail(
            err, PSC_ERR_LIMIT,
            "jpeg: %dx%d pixels is over the limit of %llu pixels (setting max-megapixels)", *width,
            *height, max_pixels);
    return PSC_OK;
}

psc_status psci_jpeg_decode_gray(const unsigned char *in, size_t n, unsigned long long max_pixels,
                                 unsigned char **px, int *w, int *h, psci_err *err) {
    *px = NULL;
    *w = *h = 0;
    if (n > ULONG_MAX)
        return psci_fail(err, PSC_ERR_LIMIT, "jpeg: file too large to decode");
    psc_status st = PSC_OK;
    unsigned char *buf = NULL;
    tjhandle t = tjInitDecompress();
    if (t == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "jpeg: cannot start the decoder");
    int width, height, cs;
    if ((st = read_header(t, in, n, max_pixels, &width, &height, &cs, err)) != PSC_OK)
        goto out;
    /* libjpeg cannot turn CMYK/YCCK into gray: decode CMYK and mix it here. */
    int cmyk = cs == TJCS_CMYK || cs == TJCS_YCCK;
    size_t bpp = cmyk ? 4 : 1;
    buf = malloc((size_t)width * (size_t)height * bpp);
    if (buf == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory decoding %dx%d", width, height);
        goto out;
    }
    st = decode_whole(t, in, n, buf, (size_t)width * (size_t)height * bpp, width, width * (int)bpp,
                      height, cmyk ? TJPF_CMYK : TJPF_GRAY, TJFLAG_LIMITSCANS | TJFLAG_ACCURATEDCT,
                      err);
    if (st != PSC_OK)
        goto out;
    if (cmyk) {
        /* Adobe CMYK JPEGs store inverted ink (255 = none): light = mean(C,M,Y) * K. */
        for (size_t i = 0; i < (size_t)width * (size_t)height; i++) {
            const unsigned char *p = buf + i * 4;
            unsigned c = (77u * p[0] + 150u * p[1] + 29u * p[2]) >> 8;
            buf[i] = (unsigned char)(c * p[3] / 255u);
        }
    }
    *px = buf;
    *w = width;
    *h = height;
    buf = NULL;
out:
    free(buf);
    tjDestroy(t);
    return st;
}

psc_status psci_jpeg_decode_rgb_scaled(const unsigned char *in, size_t n,
                                       unsigned long long max_pixels, int min_side,
                                       unsigned char **px, int *w, int *h, psci_err *err) {
    *px = NULL;
    *w = *h = 0;
    if (n > ULONG_MAX)
        return psci_fail(err, PSC_ERR_LIMIT, "jpeg: file too large to decode");
    psc_status st = PSC_OK;
    unsigned char *buf = NULL;
    tjhandle t = tjInitDecompress();
    if (t == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "jpeg: cannot start the decoder");
    int width, height, cs, nsf = 0;
    if ((st = read_header(t, in, n, max_pixels, &width, &height, &cs, err)) != PSC_OK)
        goto out;
    tjscalingfactor *sf = tjGetScalingFactors(&nsf);
    int sw = width, sh = height;
    for (int i = 0; sf != NULL && i < nsf; i++) {
        int cw = TJSCALED(width, sf[i]), ch = TJSCALED(height, sf[i]);
        int longest = cw > ch ? cw : ch;
        if (sf[i].num <= sf[i].denom && longest >= min_side &&
            (size_t)cw * (size_t)ch < (size_t)sw * (size_t)sh) {
            sw = cw;
            sh = ch;
        }
    }
    buf = malloc((size_t)sw * (size_t)sh * 3);
    if (buf == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory");
        goto out;
    }
    st = decode_whole(t, in, n, buf, (size_t)sw * (size_t)sh * 3, sw, sw * 3, sh, TJPF_RGB,
                      TJFLAG_LIMITSCANS, err);
    if (st != PSC_OK)
        goto out;
    *px = buf;
    *w = sw;
    *h = sh;
    buf = NULL;
out:
    free(buf);
    tjDestroy(t);
    return st;
}

psc_status psci_jpeg_encode_rgb(const unsigned char *px, int w, int h, int quality, psci_buf *out,
                                psci_err *err) {
    tjhandle t = tjInitCompress();
    if (t == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "jpeg: cannot start the encoder");
    unsigned char *dst = NULL;
    unsigned long len = 0;
    psc_status st = PSC_OK;
    if (tjCompress2(t, px, w, w * 3, h, TJPF_RGB, &dst, &len, TJSAMP_420, quality, 0) != 0)
        st = psci_fail(err, PSC_ERR_INTERNAL, "jpeg: encoding failed: %s", tjGetErrorStr2(t));
    else
        st = psci_buf_append(out, dst, len, err);
    tjFree(dst);
    tjDestroy(t);
    return st;
}

/* ---- coefficient access through the libjpeg API
 *
 * libjpeg reports an error by calling error_exit, which must not return. Ours longjmps to
 * `target`, a jmp_buf in the frame of the function that is calling into libjpeg right now:
 * each such function points target at its own jmp_buf before the call and clears it after, so
 * a jump never lands in a frame that has returned (psci_jcoef_open's frame is gone by the
 * time psci_jcoef_set_block runs). */

typedef struct jerr_jmp {
    struct jpeg_error_mgr pub;
    jmp_buf *target;   /* the live frame to land in; NULL outside our calls into libjpeg */
    psc_status failed; /* coefficient object only: first failed block access, PSC_OK if none */
    char msg[JMSG_LENGTH_MAX];
} jerr_jmp;

static void on_jpeg_error(j_common_ptr cinfo) {
    jerr_jmp *e = (jerr_jmp *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    /* No frame to land in means a libjpeg call in this file without a target: a bug here,
     * never the input's doing. Stopping beats jumping into a dead frame. */
    if (e->target == NULL)
        abort();
    longjmp(*e->target, 1);
}

static void on_jpeg_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level; /* the library never prints */
}

static void jerr_init(jerr_jmp *e) {
    memset(e, 0, sizeof *e);
    jpeg_std_error(&e->pub);
    e->pub.error_exit = on_jpeg_error;
    e->pub.emit_message = on_jpeg_message;
}

struct psci_jcoef {
    struct jpeg_decompress_struct d;
    float cosv[8][8]; /* DCT basis, per object: no shared mutable state between threads */
    jerr_jmp je;
    jvirt_barray_ptr *arrays;
    int open;
};

/* The calls into libjpeg of psci_jcoef_open. Returns -1 after a libjpeg error (message in
 * c->je), 0 when the image is over the limits (nothing decoded), 1 with the coefficients read. */
static int read_coefs(psci_jcoef *c, const unsigned char *in, size_t n,
                      unsigned long long max_pixels) {
    jmp_buf jb;
    c->je.target = &jb;
    if (setjmp(jb)) {
        c->je.target = NULL;
        return -1;
    }
    jpeg_create_decompress(&c->d);
    c->open = 1;
    jpeg_mem_src(&c->d, in, (unsigned long)n);
    jpeg_save_markers(&c->d, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(&c->d, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&c->d, TRUE);
    unsigned long long px = (unsigned long long)c->d.image_width * c->d.image_height;
    int ok = px != 0 && px <= max_pixels && c->d.num_components <= 4;
    if (ok)
        c->arrays = jpeg_read_coefficients(&c->d);
    c->je.target = NULL;
    return ok;
}

psc_status psci_jcoef_open(const unsigned char *in, size_t n, unsigned long long max_pixels,
                           psci_jcoef **out, psci_jinfo *info, psci_err *err) {
    *out = NULL;
    if (n > ULONG_MAX)
        return psci_fail(err, PSC_ERR_LIMIT, "jpeg: file too large to decode");
    psci_jcoef *c = calloc(1, sizeof *c);
    if (c == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory");
    jerr_init(&c->je);
    c->d.err = &c->je.pub;
    for (int x = 0; x < 8; x++)
        for (int u = 0; u < 8; u++)
            c->cosv[x][u] = (float)cos((2 * x + 1) * u * M_PI / 16.0);
    int r = read_coefs(c, in, n, max_pixels);
    if (r <= 0) {
        psc_status st;
        if (r < 0)
            st = psci_fail(
                err, c->je.pub.msg_code == JERR_IMAGE_TOO_BIG ? PSC_ERR_LIMIT : PSC_ERR_CORRUPT,
                "jpeg: %s", c->je.msg);
        else
            st = psci_fail(err, PSC_ERR_LIMIT,
                           "jpeg: %ux%u pixels, %d components: over the limits for redaction",
                           c->d.image_width, c->d.image_height, c->d.num_components);
        psci_jcoef_free(c);
        return st;
    }
    memset(info, 0, sizeof *info);
    info->width = (int)c->d.image_width;
    info->height = (int)c->d.image_height;
    info->max_h = c->d.max_h_samp_factor;
    info->max_v = c->d.max_v_samp_factor;
    info->ncomp = c->d.num_components;
    info->progressive = c->d.progressive_mode ? 1 : 0;
    for (int i = 0; i < info->ncomp; i++) {
        jpeg_component_info *ci = &c->d.comp_info[i];
        info->comp[i].wb = (int)ci->width_in_blocks;
        info->comp[i].hb = (int)ci->height_in_blocks;
        info->comp[i].h_samp = ci->h_samp_factor;
        info->comp[i].v_samp = ci->v_samp_factor;
    }
    *out = c;
    return PSC_OK;
}

/* One block's coefficients, or NULL when the block is outside the image or libjpeg fails to
 * reach it. The failure sticks (psci_jcoef_write reports it), so a block that could not be
 * replaced never goes out unredacted. The error state is reached through d.err, which a
 * const object still lets us write. */
static JCOEF *block_at(const psci_jcoef *c, int comp, int bx, int by) {
    jerr_jmp *e = (jerr_jmp *)c->d.err;
    if (e->failed != PSC_OK)
        return NULL;
    if (comp < 0 || comp >= c->d.num_components || bx < 0 || by < 0 ||
        (JDIMENSION)bx >= c->d.comp_info[comp].width_in_blocks ||
        (JDIMENSION)by >= c->d.comp_info[comp].height_in_blocks) {
        e->failed = PSC_ERR_INTERNAL;
        snprintf(e->msg, sizeof e->msg, "block %d,%d of component %d is outside the image", bx, by,
                 comp);
        return NULL;
    }
    jmp_buf jb;
    e->target = &jb;
    if (setjmp(jb)) {
        e->target = NULL;
        e->failed = PSC_ERR_INTERNAL;
        return NULL;
    }
    j_common_ptr cc = (j_common_ptr)&c->d;
    JBLOCKARRAY rows =
        (*c->d.mem->access_virt_barray)(cc, c->arrays[comp], (JDIMENSION)by, 1, TRUE);
    e->target = NULL;
    return rows[0][bx];
}

float psci_jcoef_block_mean(const psci_jcoef *c, int comp, int bx, int by) {
    const JCOEF *b = block_at(c, comp, bx, by);
    if (b == NULL)
        return 128.0f; /* never used: psci_jcoef_write fails */
    const JQUANT_TBL *q = c->d.comp_info[comp].quant_table;
    /* JPEG's DCT scales DC by 8: mean = DC * q / 8 + 128. */
    return (float)b[0] * (float)q->quantval[0] / 8.0f + 128.0f;
}

void psci_jcoef_set_block(psci_jcoef *c, int comp, int bx, int by, const float px[64]) {
    float(*cosv)[8] = c->cosv;
    JCOEF *b = block_at(c, comp, bx, by);
    if (b == NULL)
        return; /* psci_jcoef_write fails */
    const JQUANT_TBL *q = c->d.comp_info[comp].quant_table;
    float tmp[8][8];
    for (int y = 0; y < 8; y++)
        for (int u = 0; u < 8; u++) {
            float s = 0;
            for (int x = 0; x < 8; x++)
                s += (px[y * 8 + x] - 128.0f) * cosv[x][u];
            tmp[y][u] = s;
        }
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++) {
            float s = 0;
            for (int y = 0; y < 8; y++)
                s += tmp[y][u] * cosv[y][v];
            float cu = u ? 1.0f : (float)M_SQRT1_2, cv = v ? 1.0f : (float)M_SQRT1_2;
            float f = 0.25f * cu * cv * s / (float)q->quantval[v * 8 + u];
            long r = lroundf(f);
            if (r > 32767)
                r = 32767;
            if (r < -32768)
                r = -32768;
            b[v * 8 + u] = (JCOEF)r;
        }
}

/* Destination manager writing straight into a psci_buf. libjpeg's jpeg_mem_dest frees the
 * buffer it handed out when it grows one, and only says where the new one is at the end:
 * after an error mid-write the caller's pointer dangles and the grown buffer leaks. */
typedef struct buf_dest {
    struct jpeg_destination_mgr pub;
    psci_buf *out;
    unsigned char chunk[4096];
    int failed; /* psci_buf_append ran out of memory */
} buf_dest;

static void dest_init(j_compress_ptr w) {
    buf_dest *d = (buf_dest *)w->dest;
    d->pub.next_output_byte = d->chunk;
    d->pub.free_in_buffer = sizeof d->chunk;
}

static void dest_flush(j_compress_ptr w, size_t len) {
    buf_dest *d = (buf_dest *)w->dest;
    psci_err e;
    if (psci_buf_append(d->out, d->chunk, len, &e) != PSC_OK) {
        d->failed = 1;
        ERREXIT1(w, JERR_OUT_OF_MEMORY, 0);
    }
    d->pub.next_output_byte = d->chunk;
    d->pub.free_in_buffer = sizeof d->chunk;
}

static boolean dest_empty(j_compress_ptr w) {
    dest_flush(w, sizeof((buf_dest *)w->dest)->chunk);
    return TRUE;
}

static void dest_term(j_compress_ptr w) {
    buf_dest *d = (buf_dest *)w->dest;
    dest_flush(w, sizeof d->chunk - d->pub.free_in_buffer);
}

/* The calls into libjpeg of psci_jcoef_write; returns 0 after an error (message in je). */
static int write_coefs(psci_jcoef *c, struct jpeg_compress_struct *w, jerr_jmp *je,
                       buf_dest *dest) {
    jmp_buf jb;
    je->target = &jb;
    if (setjmp(jb)) {
        je->target = NULL;
        return 0;
    }
    jpeg_create_compress(w);
    w->dest = &dest->pub;
    jpeg_copy_critical_parameters(&c->d, w);
    if (c->d.progressive_mode)
        jpeg_simple_progression(w);
    else
        w->optimize_coding = TRUE;
    jpeg_write_coefficients(w, c->arrays);
    for (jpeg_saved_marker_ptr m = c->d.marker_list; m != NULL; m = m->next)
        jpeg_write_marker(w, m->marker, m->data, m->data_length);
    jpeg_finish_compress(w);
    je->target = NULL;
    return 1;
}

psc_status psci_jcoef_write(psci_jcoef *c, psci_buf *out, psci_err *err) {
    if (c->je.failed != PSC_OK)
        return psci_fail(err, c->je.failed, "jpeg: redacting: %s", c->je.msg);
    struct jpeg_compress_struct w;
    jerr_jmp je;
    buf_dest dest;
    psci_buf mem;
    psci_buf_init(&mem);
    memset(&w, 0, sizeof w);
    memset(&dest, 0, sizeof dest);
    jerr_init(&je);
    w.err = &je.pub;
    dest.pub.init_destination = dest_init;
    dest.pub.empty_output_buffer = dest_empty;
    dest.pub.term_destination = dest_term;
    dest.out = &mem;
    psc_status st = PSC_OK;
    if (!write_coefs(c, &w, &je, &dest)) {
        if (dest.failed)
            st = psci_fail(err, PSC_ERR_NOMEM, "jpeg: out of memory writing the redacted image");
        /* A damaged file can decode to coefficients the encoder cannot code; the blocks we
         * set stay in range, so that is the input's fault, not ours. */
        else if (je.pub.msg_code == JERR_BAD_DCT_COEF)
            st = psci_fail(err, PSC_ERR_CORRUPT,
                           "jpeg: the image data holds out-of-range DCT coefficients (damaged "
                           "file); cannot rewrite it");
        /* A quantization table redefined between scans: legal, but libjpeg cannot transcode it. */
        else if (je.pub.msg_code == JERR_MISMATCHED_QUANT_TABLE)
            st = psci_fail(
                err, PSC_ERR_UNSUPPORTED,
                "jpeg: a quantization table changes between scans; such a JPEG cannot be redacted");
        else
            st = psci_fail(err, PSC_ERR_INTERNAL, "jpeg: writing redacted image: %s", je.msg);
    }
    jpeg_destroy_compress(&w);
    if (st == PSC_OK)
        st = psci_buf_append(out, mem.data, mem.len, err);
    psci_buf_free(&mem);
    return st;
}

void psci_jcoef_free(psci_jcoef *c) {
    if (c == NULL)
        return;
    if (c->open)
        jpeg_destroy_decompress(&c->d);
    free(c);
}
