/*
 * EXIF helpers: a bounded reader for the Orientation tag and the structure check of our own
 * minimal EXIF (no libexif), plus libexif-based description and building.
 * Input may start with "Exif\0\0" (JPEG APP1) or directly with the TIFF header (PNG eXIf).
 */
#ifndef PSC_EXIF_MIN_H
#define PSC_EXIF_MIN_H

#include "../internal.h"

/* Orientation 1..8 from IFD0, or 0 when absent, invalid or unreadable. Never trusts lengths. */
int psci_exif_orientation(const unsigned char *p, size_t n);

/* 1 when the EXIF holds exactly one IFD0 entry, Orientation, and no other IFD or data. */
int psci_exif_is_orientation_only(const unsigned char *p, size_t n);

/* Called once per EXIF entry (and once for a thumbnail): its class, tag name and, when
 * values were asked for, its printable value (else NULL). */
typedef void (*psci_exif_visit)(void *ud, psc_meta cls, const char *name, const char *value);

/* Describes what an EXIF block holds, through visit. libexif skips what it cannot parse, so
 * this only ever informs the report; it never decides what is kept. */
psc_status psci_exif_describe(const unsigned char *p, size_t n, int with_values,
                              psci_exif_visit visit, void *ud, psci_err *err);

/* Builds "Exif\0\0" + a big-endian TIFF with only IFD0 Orientation = orient (1..8).
 * *out is malloc'd. */
psc_status psci_exif_build_orientation(int orient, unsigned char **out, size_t *len, psci_err *err);

#endif
