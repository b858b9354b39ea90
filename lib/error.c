/*
 * Error sink, checked size arithmetic and the growable buffer: the leaves every module uses.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

psc_status psci_fail(psci_err *err, psc_status st, const char *fmt, ...) {
    if (err == NULL)
        return st;
    /* Callers prefix the previous message ("verify: ...: %s", err->msg): format apart, since
     * vsnprintf into the buffer it reads from is undefined (and garbles the text). */
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(err->msg, msg, sizeof msg);
    err->st = st;
    return st;
}

void psci_err_clear(psci_err *err) {
    err->st = PSC_OK;
    err->msg[0] = '\0';
}

int psci_size_add(size_t a, size_t b, size_t *out) {
    if (a > SIZE_MAX - b)
        return 0;
    *out = a + b;
    return 1;
}

int psci_size_mul(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

void psci_buf_init(psci_buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void psci_buf_free(psci_buf *b) {
    free(b->data);
    psci_buf_init(b);
}

psc_status psci_buf_reserve(psci_buf *b, size_t extra, psci_err *err) {
    size_t need;
    if (!psci_size_add(b->len, extra, &need))
        return psci_fail(err, PSC_ERR_NOMEM, "buffer size overflow");
    if (need <= b->cap)
        return PSC_OK;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    unsigned char *p = realloc(b->data, cap);
    if (p == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
    b->data = p;
    b->cap = cap;
    return PSC_OK;
}

psc_status psci_buf_append(psci_buf *b, const void *p, size_t n, psci_err *err) {
    if (n == 0)
        return PSC_OK;
    psc_status st = psci_buf_reserve(b, n, err);
    if (st != PSC_OK)
        return st;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return PSC_OK;
}

psc_status psci_buf_byte(psci_buf *b, unsigned char c, psci_err *err) {
    return psci_buf_append(b, &c, 1, err);
}

psc_status psci_buf_be16(psci_buf *b, unsigned v, psci_err *err) {
    unsigned char t[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    return psci_buf_append(b, t, 2, err);
}

psc_status psci_buf_be32(psci_buf *b, uint32_t v, psci_err *err) {
    unsigned char t[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    return psci_buf_append(b, t, 4, err);
}

void psci_buf_take(psci_buf *b, unsigned char **out, size_t *len) {
    *out = b->data;
    *len = b->len;
    psci_buf_init(b);
}
