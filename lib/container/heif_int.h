/*
 * Private to the HEIF files of lib/container (heif_read, heif_plan, heif_write, heif_check,
 * heif_item): the few helpers and keep-list tables more than one of them needs. The rest of
 * lib uses heif_boxes.h only.
 */
#ifndef PSC_HEIF_INT_H
#define PSC_HEIF_INT_H

#include "heif_boxes.h"

/* 1 when the 4CC t is one of the n 4CCs in list. */
int psci_heif_in_list(const char *t, const char *const *list, size_t n);

/* A 4CC for messages: unprintable bytes become '?'. */
void psci_heif_fourcc(char out[5], const unsigned char *t);

/* A brand the rebuilt ftyp may name (heif_write.c holds the list). */
int psci_heif_brand_ok(const unsigned char *b);

/* A derived image item this walker keeps with its inputs: 'grid' or 'iden' (ISO/IEC
 * 23008-12:2017 §6.6.2.2, §6.6.2.3). */
int psci_heif_is_derived(const psci_hitem *it);

/* The plain hdlr ('pict', no name) and dinf (one self-contained 'url ') the writer puts in
 * every meta; the checker insists on exactly these bytes. */
extern const unsigned char psci_heif_canon_hdlr[33];
extern const unsigned char psci_heif_canon_dinf[36];

#endif
