/*
 * Internal declarations shared across lib/ modules (psci_* names). Never installed.
 * Holds the error sink, the growable byte buffer and checked size arithmetic.
 */
#ifndef PSC_INTERNAL_H
#define PSC_INTERNAL_H

#include "photoscrub/photoscrub.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PSCI_ERRMSG_MAX 512

/* Where a module reports why it failed; lives in the context, one per thread. */
typedef struct psci_err {
    psc_status st;
    char msg[PSCI_ERRMSG_MAX];
} psci_err;

/* Records st with a printf-style message and returns st, so callers can `return psci_fail(...)`. */
psc_status psci_fail(psci_err *err, psc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void psci_err_clear(psci_err *err);

/* Milliseconds of CLOCK_MONOTONIC since t0 (time budgets of the detectors). */
static inline long psci_elapsed_ms(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Overflow-checked size arithmetic: return 0 on overflow, 1 on success. */
int psci_size_add(size_t a, size_t b, size_t *out);
int psci_size_mul(size_t a, size_t b, size_t *out);

/* Growable byte buffer. Memory from malloc, so data can be handed to callers (psc_free). */
typedef struct psci_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
} psci_buf;

void psci_buf_init(psci_buf *b);
void psci_buf_free(psci_buf *b);
psc_status psci_buf_reserve(psci_buf *b, size_t extra, psci_err *err);
psc_status psci_buf_append(psci_buf *b, const void *p, size_t n, psci_err *err);
psc_status psci_buf_byte(psci_buf *b, unsigned char c, psci_err *err);
/* Appends a big-endian 16-bit or 32-bit value. */
psc_status psci_buf_be16(psci_buf *b, unsigned v, psci_err *err);
psc_status psci_buf_be32(psci_buf *b, uint32_t v, psci_err *err);
/* Hands the bytes over: *out owns them; b is left empty. */
void psci_buf_take(psci_buf *b, unsigned char **out, size_t *len);

static inline unsigned psci_rd_be16(const unsigned char *p) {
    return ((unsigned)p[0] << 8) | p[1];
}
static inline uint32_t psci_rd_be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#ifdef __cplusplus
}
#endif

#endif
