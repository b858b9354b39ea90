/*
 * One job: scrub, inspect or verify one file with one context, and classify what happened
 * (ok, skipped, not a photo, failed, leak). The verdict and output naming are the library's.
 */
#include "job.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *cli_strdup(const char *s) {
    char *d = strdup(s ? s : "");
    if (d == NULL) {
        fprintf(stderr, "photoscrub: out of memory\n");
        exit(EXIT_SOME_FAILED);
    }
    return d;
}

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A HEIC in which something had to be hidden comes back as a JPEG: give the result the name
 * the library suggests for its content, never replacing an existing file unless --force. */
static psc_status fix_extension(const options *o, const job *j, outcome *res) {
    size_t size = strlen(j->out) + 8;
    char *name = malloc(size);
    if (name == NULL)
        return PSC_ERR_NOMEM;
    if (psc_report_output_name(res->rep, j->out, name, size) != PSC_OK || strcmp(name, j->out) == 0) {
        free(name);
        return PSC_OK;
    }
    int rc = o->force ? rename(j->out, name) : renameat2(AT_FDCWD, j->out, AT_FDCWD, name, RENAME_NOREPLACE);
    if (rc != 0) {
        char why[1024];
        snprintf(why, sizeof why, "the result is a JPEG but %s cannot be written: %s%s", name, strerror(errno),
                 errno == EEXIST ? " (use --force to overwrite)" : "");
        unlink(j->out); /* never leave JPEG bytes under a .heic name */
        free(name);
        res->msg = cli_strdup(why);
        return PSC_ERR_EXISTS;
    }
    res->out = name;
    return PSC_OK;
}

static void fail(outcome *res, psc_status st, const char *why) {
    res->st = st;
    res->status = OUT_FAILED;
    res->msg = cli_strdup(why);
}

/* Scrubs j into its planned output; PSC_OK or a status with res->msg possibly set. */
static psc_status scrub_one(psc_ctx *ctx, const options *o, const job *j, outcome *res) {
    if (make_parents(j->out) != 0) {
        char why[1024];
        snprintf(why, sizeof why, "cannot create the folder for %s: %s", j->out, strerror(errno));
        fail(res, PSC_ERR_IO, why);
        return PSC_ERR_IO;
    }
    if (!o->w.in_place && same_file(j->in, j->out)) {
        fail(res, PSC_ERR_EXISTS, "the result would replace the original photo; use --in-place to do that, or another -o folder");
        return PSC_ERR_EXISTS;
    }
    psc_status st = psc_scrub_file(ctx, j->in, j->out, &res->rep);
    if (st == PSC_OK)
        st = fix_extension(o, j, res);
    return st;
}

void cli_do_job(psc_ctx *ctx, const options *o, const job_list *jl, size_t i, outcome *res) {
    const job *j = &jl->v[i];
    memset(res, 0, sizeof *res);
    if (j->dup_of >= 0) {
        char why[1024];
        snprintf(why, sizeof why, "same file or same output as %s%s%s", jl->v[j->dup_of].in,
                 j->out ? ": " : "", j->out ? j->out : "");
        fail(res, PSC_ERR_EXISTS, why);
        return;
    }
    psc_status st;
    if (o->cmd == CMD_INSPECT) {
        st = psc_inspect_file(ctx, j->in, &res->rep);
    } else if (o->cmd == CMD_VERIFY) {
        st = psc_check_file(ctx, j->in, &res->rep);
    } else {
        st = scrub_one(ctx, o, j, res);
        if (res->status == OUT_FAILED)
            return; /* refused before the library was asked */
    }
    res->st = st;
    if (st == PSC_OK)
        res->status = (o->cmd == CMD_VERIFY && !psc_report_is_clean(res->rep)) ? OUT_LEAK : OUT_OK;
    else if (st == PSC_ERR_EXISTS && o->cmd == CMD_SCRUB)
        res->status = OUT_SKIPPED;
    else if (st == PSC_ERR_FORMAT && j->from_walk)
        res->status = OUT_NOT_PHOTO;
    else
        res->status = OUT_FAILED;
    if (st != PSC_OK && res->msg == NULL)
        res->msg = cli_strdup(psc_ctx_errmsg(ctx));
}
