/*
 * The hot folder: `photoscrub watch INBOX OUTBOX`.
 */
#ifndef PSC_CLI_WATCH_H
#define PSC_CLI_WATCH_H

#include "options.h"

/* Scrubs each photo that finishes arriving in inbox into outbox until interrupted. Returns an
 * exit status. */
int cli_watch(const options *o, const char *inbox, const char *outbox);

#endif
