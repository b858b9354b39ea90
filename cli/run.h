/*
 * Running a batch: N worker threads, one library context each (reused across files), results
 * printed in input order whatever N is, a progress bar on a terminal, Ctrl-C handling.
 */
#ifndef PSC_CLI_RUN_H
#define PSC_CLI_RUN_H

#include "output.h"

#include <signal.h>

/* Set by SIGINT/SIGTERM: workers take no new file; the hot folder stops. */
extern volatile sig_atomic_t cli_interrupted;
/* Installs the SIGINT/SIGTERM handlers that set cli_interrupted. */
void cli_catch_signals(void);

/* Runs the command on every job; returns the exit status. where: results folder to mention. */
int cli_run_batch(const options *o, const job_list *jl, const char *where);

/* malloc'd copy of s ("" for NULL); exits when out of memory (a batch cannot go on). */
char *cli_strdup(const char *s);

#endif
