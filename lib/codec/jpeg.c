/*
 * JPEG codec adapter: the only libjpeg-turbo user. TurboJPEG reports errors as return codes,
 * so no setjmp is needed here; every resource is released on one exit path.
 */
#include "jpeg.h"

#include <turbojpeg.h>

#include <limits.h>
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
