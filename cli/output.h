/*
 * Reporting: what happened to each file (text or JSON lines, in input order) and the summary
 * at the end. Over the public header only; report contents come from the report accessors.
 */
#ifndef PSC_CLI_OUTPUT_H
#define PSC_CLI_OUTPUT_H

#include "options.h"

/* What happened to one file. */
typedef struct outcome {
    psc_status st;
    psc_report *rep;
    char *msg;       /* failure reason, malloc'd; English (JSON is for programs) */
    char *msg_local; /* the same reason in the user's language when the CLI wrote it, or NULL */
    int status;      /* one of the OUT_* below */
    char *out;       /* where the result ended up when not the job's planned path, or NULL */
} outcome;

enum { OUT_PENDING = 0, OUT_OK, OUT_SKIPPED, OUT_NOT_PHOTO, OUT_FAILED, OUT_LEAK };

/* Counts over a batch, for the summary. */
typedef struct totals {
    size_t done, failed, skipped, not_photo, leaks, regions, photos_with_regions, tagged, rotated;
    size_t *found_in; /* photos in which each metadata class was found (psc_meta_count()) */
} totals;

/* 0, or -1 when out of memory. */
int totals_init(totals *t);
void totals_free(totals *t);

/* Prints one finished file (in input order) and adds it to the totals. */
void report_outcome(const options *o, const job *j, const outcome *res, totals *t);
/* The closing summary; where is the results folder to mention, or NULL. */
void report_summary(const options *o, const totals *t, size_t not_started, const char *where);

/* The failure reason to show a person: msg_local, else msg (the library's detail), or "". */
const char *outcome_reason(const outcome *res);

/* A JSON string; bytes that are not UTF-8 (file names can be anything) become U+FFFD. */
void json_string(FILE *f, const char *s);
/* "GPS position, phone or camera model" into buf (empty when nothing was found), in the
 * user's language. */
void found_text(const psc_report *rep, char *buf, size_t size);
/* Short label of a region kind for drawing ("QR", "2D code"), translated; "?" when unknown. */
const char *kind_short_label(const psc_report *rep, size_t i);

#endif
