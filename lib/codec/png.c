/*
 * PNG codec adapter: the only libpng user. libpng reports errors by longjmp; each function
 * that calls libpng owns every resource it needs and lands the jump itself.
 */
#include "png_codec.h"

#include <png.h>

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_reader {
    const unsigned char *p;
    size_t n, pos;
} mem_reader;

typedef struct png_errbox {
    char msg[256];
    int limit; /* the error is our pixel limit, not damage */
} png_errbox;

static void on_error(png_structp png, png_const_charp msg) {
    png_errbox *e = png_get_error_ptr(png);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg; /* the library never prints */
}

static void read_mem(png_structp png, png_bytep data, size_t len) {
    mem_reader *r = png_get_io_ptr(png);
    if (len > r->n - r->pos)
        png_error(png, "file ends inside the image data");
    memcpy(data, r->p + r->pos, len);
    r->pos += len;
}

psc_status psci_png_decode_rgba(const unsigned char *in, size_t n, unsigned long long max_pixels,
                                unsigned char **px, int *w, int *h, int *had_alpha, psci_err *err) {
    *px = NULL;
    *w = *h = 0;
    png_errbox eb = {{0}, 0};
    mem_reader r = {in, n, 0};
    unsigned char *volatile buf = NULL;
    png_bytep *volatile rows = NULL;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &eb, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_read_struct(&png, &info, NULL);
        return psci_fail(err, PSC_ERR_NOMEM, "png: cannot start the decoder");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(buf);
        free(rows);
        return psci_fail(err, eb.limit ? PSC_ERR_LIMIT : PSC_ERR_CORRUPT, "png: %s", eb.msg);
    }
    png_set_read_fn(png, &r, read_mem);
    /* Our max_pixels check below is the limit: libpng's own (1000000 per side by default)
     * would report huge declared sizes as damage rather than as a limit. */
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_chunk_malloc_max(png, 64u << 20);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if ((unsigned long long)width * height > max_pixels) {
        /* Checked before any pixel memory is allocated. */
        char why[160];
        snprintf(why, sizeof why,
                 "%ux%u pixels is over the limit of %llu pixels (setting max-megapixels)",
                 (unsigned)width, (unsigned)height, max_pixels);
        eb.limit = 1;
        png_error(png, why);
    }
    int ct = png_get_color_type(png, info);
    *had_alpha = (ct & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS);
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 4)
        png_error(png, "unexpected row layout after conversion");
    buf = malloc((size_t)width * height * 4);
    rows = malloc(sizeof *rows * height);
    if (buf == NULL || rows == NULL)
        png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < height; y++)
        rows[y] = buf + (size_t)y * width * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *px = buf;
    *w = (int)width;
    *h = (int)height;
    return PSC_OK;
}

typedef struct mem_writer {
    psci_buf *out;
    psci_err *err;
    int failed;
} mem_writer;

static void write_mem(png_structp png, png_bytep data, size_t len) {
    mem_writer *m = png_get_io_ptr(png);
    if (psci_buf_append(m->out, data, len, m->err) != PSC_OK) {
        m->failed = 1;
        png_error(png, "out of memory");
    }
}

static void flush_mem(png_structp png) {
    (void)png;
}

psc_status psci_png_encode(const unsigned char *px, int w, int h, int alpha, psci_buf *out,
                           psci_err *err) {
    png_errbox eb = {{0}, 0};
    mem_writer m = {out, err, 0};
    unsigned char *volatile row = NULL;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &eb, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_write_struct(&png, &info);
        return psci_fail(err, PSC_ERR_NOMEM, "png: cannot start the encoder");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return psci_fail(err, m.failed ? PSC_ERR_NOMEM : PSC_ERR_INTERNAL, "png: writing: %s",
                         eb.msg);
    }
    png_set_write_fn(png, &m, write_mem, flush_mem);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    row = malloc((size_t)w * 4);
    if (row == NULL)
        png_error(png, "out of memory");
    for (int y = 0; y < h; y++) {
        const unsigned char *src = px + (size_t)y * (size_t)w * 4;
        if (alpha) {
            memcpy(row, src, (size_t)w * 4);
        } else {
            for (int x = 0; x < w; x++)
                memcpy(row + x * 3, src + x * 4, 3);
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return PSC_OK;
}
