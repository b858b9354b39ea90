/*
 * photoscrub command line: parse options (options.c), then either watch a hot folder
 * (watch.c) or walk the paths into jobs (walk.c) and run them as a batch (run.c), which
 * reports (output.c) and writes the review page (review.c). Uses only the public header.
 */
#include "i18n.h"
#include "options.h"
#include "run.h"
#include "watch.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pause_and_return(const options *o, int rc) {
    if (o->pause) {
        fputs(_("\nPress Enter to close this window."), stderr);
        fflush(stderr);
        int c;
        while ((c = getchar()) != EOF && c != '\n') {
        }
    }
    return rc;
}

/* Walks the paths into jobs and runs them; returns the exit status. */
static int scrub_paths(const options *o, int argc, char **argv, int first) {
    job_list jl;
    memset(&jl, 0, sizeof jl);
    int bad_args = 0;
    for (int i = first; i < argc; i++)
        if (walk_add(&jl, argv[i], &o->w) != 0)
            bad_args++;
    walk_mark_duplicates(&jl);
    /* Say where the results are: the output folder, or the first result's folder. */
    char where[4096] = "";
    if (o->w.out_dir)
        snprintf(where, sizeof where, "%s", o->w.out_dir);
    else if (jl.n && jl.v[0].out && !o->w.in_place) {
        snprintf(where, sizeof where, "%s", jl.v[0].out);
        char *slash = strrchr(where, '/');
        if (slash)
            *slash = '\0';
    }
    int rc = cli_run_batch(o, &jl, where[0] ? where : NULL);
    if (bad_args || jl.walk_errors) {
        if (jl.walk_errors)
            cli_say(P_("%zu folder could not be read completely (see above): not every photo was "
                       "scrubbed\n",
                       "%zu folders could not be read completely (see above): not every photo was "
                       "scrubbed\n",
                       jl.walk_errors),
                    jl.walk_errors);
        rc = EXIT_SOME_FAILED;
    }
    walk_free(&jl);
    return rc;
}

int main(int argc, char **argv) {
    cli_i18n_init();
    options o;
    int first = 0;
    int rc = cli_parse_options(argc, argv, &o, &first);
    if (rc < 0)
        return EXIT_CLEAN; /* --help or --version */
    if (rc == EXIT_USAGE)
        return pause_and_return(&o, EXIT_USAGE);
    if (rc != EXIT_CLEAN)
        return rc;
    cli_catch_signals();
    if (o.cmd == CMD_WATCH) {
        rc = cli_watch(&o, argv[first], argv[first + 1]);
        psc_ctx_free(o.tmpl);
        return rc;
    }
    rc = scrub_paths(&o, argc, argv, first);
    psc_ctx_free(o.tmpl);
    return pause_and_return(&o, rc);
}
