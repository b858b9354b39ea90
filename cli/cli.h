/*
 * Shared declarations of the CLI's parts: options, per-file outcomes, the review page and the
 * hot folder. Everything here sits on the public API only.
 */
#ifndef PSC_CLI_H
#define PSC_CLI_H

#include <photoscrub/photoscrub.h>

#include "walk.h"

#include <stdio.h>

enum { EXIT_CLEAN = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

typedef enum command { CMD_SCRUB, CMD_INSPECT, CMD_VERIFY, CMD_WATCH } command;

typedef struct options {
    walk_opts w;
    command cmd;
    int force, json, values, pause, jobs, delete_originals;
    const char *review; /* HTML review page path, or NULL */
    const char *langs;  /* --lang, or NULL for the library default */
    psc_ctx *tmpl;      /* settings parsed from the command line, copied to each worker */
} options;

/* What happened to one file. */
typedef struct outcome {
    psc_status st;
    psc_report *rep;
    char *msg;     /* failure reason, malloc'd */
    int status;    /* one of the OUT_* below */
    char *out;     /* where the result ended up when not the job's planned path, or NULL */
} outcome;

enum { OUT_PENDING = 0, OUT_OK, OUT_SKIPPED, OUT_NOT_PHOTO, OUT_FAILED, OUT_LEAK };

/* A new context with the template's settings (one per worker thread). */
psc_ctx *cli_ctx_clone(const options *o);
/* Runs the command on one job with ctx, filling *res. */
void cli_do_job(psc_ctx *ctx, const options *o, const job_list *jl, size_t i, outcome *res);

/* Review page (review.c): collect each file's outcome, write one self-contained HTML page. */
typedef struct review review;
review *review_new(void);
void review_add(review *rv, psc_ctx *ctx, const job *j, const outcome *res);
int review_write(const review *rv, const char *path);
void review_free(review *rv);

/* Hot folder (watch.c). Returns an exit status. */
int cli_watch(const options *o, const char *inbox, const char *outbox);

void json_string(FILE *f, const char *s);

#endif
