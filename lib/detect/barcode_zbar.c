/*
 * The only zbar.h user. One image scanner per context, every symbology on, inverted codes
 * tried; ZBar's global verbosity is never touched.
 */
#include "barcode_zbar.h"

#include <zbar.h>

#include <stdlib.h>
#include <string.h>

struct psci_zbar {
    zbar_image_scanner_t *sc;
    unsigned char *copy;
    size_t copy_cap;
};

/* A scanner configured our way: every symbology but SQ codes (libzbar 0.23.92 leaks in that
 * decoder), every density-th row and column scanned, inverted codes tried when asked. */
static zbar_image_scanner_t *make_scanner(int density, int inverted) {
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    if (sc == NULL)
        return NULL;
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(sc, ZBAR_SQCODE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_TEST_INVERTED, inverted);
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_X_DENSITY, density);
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, density);
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_POSITION, 1);
    return sc;
}

psci_zbar *psci_zbar_new(void) {
    psci_zbar *z = calloc(1, sizeof *z);
    if (z == NULL)
        return NULL;
    z->sc = make_scanner(1, 1);
    if (z->sc == NULL) {
        free(z);
        return NULL;
    }
    return z;
}

void psci_zbar_free(psci_zbar *z) {
    if (z == NULL)
        return;
    zbar_image_scanner_destroy(z->sc);
    free(z->copy);
    free(z);
}

static int is_linear(zbar_symbol_type_t t) {
    return t != ZBAR_QRCODE && t != ZBAR_SQCODE;
}

psc_status psci_zbar_scan(psci_zbar *z, const unsigned char *gray, int w, int h, int stride,
                          int density, int inverted, int ox, int oy, float scale, psci_regions *out,
                          psci_err *err) {
    /* Always hand ZBar our own copy, zero-padded to a multiple of 8 bytes: with inverted-code
     * testing on, libzbar 0.23.92 writes up to 7 bytes past a buffer whose size is not. */
    if (w < 1 || h < 1)
        return PSC_OK; /* nothing to scan (a 1-px-wide photo halved) */
    size_t need = (size_t)w * (size_t)h, padded = (need + 7) & ~(size_t)7;
    if (padded > z->copy_cap) {
        unsigned char *c = realloc(z->copy, padded);
        if (c == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "zbar: out of memory");
        z->copy = c;
        z->copy_cap = padded;
    }
    for (int y = 0; y < h; y++)
        memcpy(z->copy + (size_t)y * (size_t)w, gray + (size_t)y * (size_t)stride, (size_t)w);
    memset(z->copy + need, 0, z->copy_cap - need);
    const unsigned char *data = z->copy;
    /* A fresh scanner per image: ZBar keeps state between images, and results must not
     * depend on which photo came before (or on -j). */
    zbar_image_scanner_t *fresh = make_scanner(density, inverted);
    if (fresh == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "zbar: cannot create a scanner");
    zbar_image_scanner_destroy(z->sc);
    z->sc = fresh;
    zbar_image_t *img = zbar_image_create();
    if (img == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "zbar: out of memory");
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, data, z->copy_cap, NULL);
    psc_status st = PSC_OK;
    if (zbar_scan_image(z->sc, img) < 0) {
        st = psci_fail(err, PSC_ERR_DETECTOR, "zbar: scanning failed");
        goto out;
    }
    for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s && st == PSC_OK;
         s = zbar_symbol_next(s)) {
        unsigned np = zbar_symbol_get_loc_size(s);
        if (np == 0)
            continue;
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (unsigned i = 0; i < np; i++) {
            int x = zbar_symbol_get_loc_x(s, i), y = zbar_symbol_get_loc_y(s, i);
            if (x < x0)
                x0 = x;
            if (y < y0)
                y0 = y;
            if (x > x1)
                x1 = x;
            if (y > y1)
                y1 = y;
        }
        zbar_symbol_type_t t = zbar_symbol_get_type(s);
        /* The shortest 1D code (EAN-8) is 67 modules across: a "code" spanning under 24 px
         * is a decoding accident on texture (seen: DataBar on asphalt), not a code. */
        int span = x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0;
        if (is_linear(t) && (float)(span + 1) * scale < 24.0f)
            continue;
        psci_region r;
        r.x = ox + (int)((float)x0 * scale);
        r.y = oy + (int)((float)y0 * scale);
        r.w = (int)((float)(x1 - x0 + 1) * scale + 1);
        r.h = (int)((float)(y1 - y0 + 1) * scale + 1);
        r.kind = is_linear(t) ? PSCI_R_BARCODE : PSCI_R_QR;
        r.linear = is_linear(t);
        r.conf = 100;
        r.detector = "zbar";
        r.symbology = zbar_get_symbol_name(t);
        r.weak = 0;
        st = psci_regions_add(out, &r, err);
    }
out:
    zbar_image_destroy(img);
    return st;
}
