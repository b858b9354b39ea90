/*
 * JPEG marker walker and keep-list rebuilder. Reads untrusted bytes, never decodes pixels:
 * the entropy-coded data is located and copied byte for byte.
 */
#ifndef PSC_JPEG_SEGMENTS_H
#define PSC_JPEG_SEGMENTS_H

#include "../internal.h"

typedef enum psci_jkind {
    PSCI_JSEG_MARKER = 0,
    PSCI_JSEG_ECS = 1,
    PSCI_JSEG_GARBAGE = 2
} psci_jkind;

typedef enum psci_jaction {
    PSCI_JKEEP = 0,         /* copied as is */
    PSCI_JDROP = 1,         /* removed */
    PSCI_JREBUILD_JFIF = 2, /* JFIF APP0 with a thumbnail or extra bytes: written without them */
    PSCI_JREBUILD_ADOBE = 3 /* Adobe APP14 with extra bytes: written as its 12-byte core */
} psci_jaction;

typedef struct psci_jseg {
    unsigned char marker;    /* second marker byte (0xE1 for APP1); 0 for ECS and garbage */
    unsigned char kind;      /* psci_jkind */
    unsigned char action;    /* psci_jaction */
    unsigned char is_icc;    /* an ICC_PROFILE chunk (kept unless ICC stripping is asked) */
    unsigned char is_exif;   /* an APP1 Exif segment */
    psc_meta cls;            /* class of what is removed, when action != KEEP */
    const char *what;        /* static description for reports */
    size_t off, len;         /* whole segment in the input, marker included */
    size_t pay_off, pay_len; /* payload after the length field (markers with a length) */
} psci_jseg;

typedef struct psci_jpeg {
    psci_jseg *segs;
    size_t n, cap;
    size_t end; /* offset just after EOI */
    unsigned width, height, precision, components;
    unsigned char sof_marker;
    int has_mpf;
    unsigned icc_chunks;
    size_t first_exif; /* index in segs of the first APP1 Exif, SIZE_MAX if none */
} psci_jpeg;

/* Walks the whole file. Errors: PSC_ERR_CORRUPT (truncation, bad lengths, no EOI),
 * PSC_ERR_UNSUPPORTED (JPEG-LS and other processes that cannot be copied safely). */
psc_status psci_jpeg_parse(const unsigned char *p, size_t n, psci_jpeg *j, psci_err *err);
void psci_jpeg_free(psci_jpeg *j);

/* Writes SOI, every kept segment in order and EOI. When exif is given it is written as an
 * APP1 segment (payload starting "Exif\0\0") where the first original Exif stood, or right
 * after the leading APP0/APP14 segments if the input had none. keep_icc=0 drops ICC chunks. */
psc_status psci_jpeg_write(const unsigned char *p, const psci_jpeg *j, const unsigned char *exif,
                           size_t exif_len, int keep_icc, psci_buf *out, psci_err *err);

/* Names what follows EOI ("MP4 video (motion photo)", ...) and its class. */
const char *psci_jpeg_trailer_kind(const unsigned char *t, size_t n, int has_mpf, psc_meta *cls);

#endif
