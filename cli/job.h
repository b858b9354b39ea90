/*
 * One file's job: run the command on it with a context and classify the outcome.
 */
#ifndef PSC_CLI_JOB_H
#define PSC_CLI_JOB_H

#include "output.h"

/* Runs the command on job i of jl with ctx, filling *res (res->msg and res->out malloc'd). */
void cli_do_job(psc_ctx *ctx, const options *o, const job_list *jl, size_t i, outcome *res);

#endif
