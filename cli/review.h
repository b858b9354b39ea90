/*
 * The review page: collect each file's outcome, write one self-contained HTML page.
 */
#ifndef PSC_CLI_REVIEW_H
#define PSC_CLI_REVIEW_H

#include "output.h"

typedef struct review review;
review *review_new(void);
/* Adds one file; ctx makes the preview. Files that are not photos are not added. */
void review_add(review *rv, psc_ctx *ctx, const job *j, const outcome *res);
int review_write(const review *rv, const char *path);
void review_free(review *rv);

#endif
