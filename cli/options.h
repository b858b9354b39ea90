/*
 * Command-line options: what the user asked for, and the library settings parsed from argv
 * into a template context that every worker copies. Over the public header only.
 */
#ifndef PSC_CLI_OPTIONS_H
#define PSC_CLI_OPTIONS_H

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
    psc_ctx *tmpl;      /* settings parsed from the command line, copied to each worker */
} options;

/* Fills *o from argv. Returns EXIT_CLEAN with *first_arg set to the first path, EXIT_USAGE
 * after saying why on stderr, or -1 when --help or --version was answered (exit 0). On
 * anything but EXIT_CLEAN, o->tmpl is already freed. */
int cli_parse_options(int argc, char **argv, options *o, int *first_arg);
/* The --help text; the library settings part comes from the library's table. */
void cli_usage(FILE *f);
/* A new context with the template's settings, numbers and text (one per worker thread). */
psc_ctx *cli_ctx_clone(const options *o);

#endif
