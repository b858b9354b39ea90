/*
 * One job: scrub, inspect or verify one file with one context, and classify what happened
 * (ok, skipped, not a photo, failed, leak). The verdict and output naming are the library's.
 */
#include "job.h"
#include "i18n.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *cli_strdup(const char *s) {
    char *d = strdup(s ? s : "");
    if (d == NULL) {
        cli_say(_("out of memory\n"));
        exit(EXIT_SOME_FAILED);
    }
    return d;
}

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Sets res->msg in English (JSON is for programs: the same bytes in every language) and
 * res->msg_local for people. err, when not 0, adds the system's reason in each language. */
__attribute__((format(printf, 3, 4))) static void set_reason(outcome *res, int err, const char *fmt,
                                                             ...) {
    char en[1024], loc[1024], a[900], b[900];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    vsnprintf(a, sizeof a, fmt, ap);
    vsnprintf(b, sizeof b, _(fmt), ap2);
    va_end(ap2);
    va_end(ap);
    if (err) {
        snprintf(en, sizeof en, "%s: %s", a, cli_strerror_en(err));
        /* TRANSLATORS: a reason, then the system's error ("Permission denied"). */
        snprintf(loc, sizeof loc, _("%s: %s"), b, strerror(err));
    } else {
        snprintf(en, sizeof en, "%s", a);
        snprintf(loc, sizeof loc, "%s", b);
    }
    free(res->msg);
    free(res->msg_local);
    res->msg = cli_strdup(en);
    res->msg_local = strcmp(en, loc) != 0 ? cli_strdup(loc) : NULL;
}

/* Appends an English text and its translation to the reason set_reason made. */
static void add_to_reason(outcome *res, const char *en) {
    char *parts[2] = {res->msg, res->msg_local};
    const char *add[2] = {en, _(en)};
    for (int k = 0; k < 2; k++) {
        if (parts[k] == NULL)
            continue;
        size_t n = strlen(parts[k]) + strlen(add[k]) + 1;
        char *s = malloc(n);
        if (s == NULL)
            continue;
        snprintf(s, n, "%s%s", parts[k], add[k]);
        free(parts[k]);
        parts[k] = s;
    }
    res->msg = parts[0];
    res->msg_local = parts[1];
}

/* A HEIC in which something had to be hidden comes back as a JPEG: give the result the name
 * the library suggests for its content, never replacing an existing file unless --force. */
static psc_status fix_extension(const options *o, const job *j, outcome *res) {
    size_t size = strlen(j->out) + 8;
    char *name = malloc(size);
    if (name == NULL)
        return PSC_ERR_NOMEM;
    if (psc_report_output_name(res->rep, j->out, name, size) != PSC_OK ||
        strcmp(name, j->out) == 0) {
        free(name);
        return PSC_OK;
    }
    int rc = o->force ? rename(j->out, name)
                      : renameat2(AT_FDCWD, j->out, AT_FDCWD, name, RENAME_NOREPLACE);
    if (rc != 0) {
        int e = errno;
        set_reason(res, e, N_("the result is a JPEG but %s cannot be written"), name);
        if (e == EEXIST)
            add_to_reason(res, N_(" (use --force to overwrite)"));
        unlink(j->out); /* never leave JPEG bytes under a .heic name */
        free(name);
        return PSC_ERR_EXISTS;
    }
    res->out = name;
    return PSC_OK;
}

static void fail(outcome *res, psc_status st) {
    res->st = st;
    res->status = OUT_FAILED;
}

/* Scrubs j into its planned output; PSC_OK or a status with res->msg possibly set. */
static psc_status scrub_one(psc_ctx *ctx, const options *o, const job *j, outcome *res) {
    if (make_parents(j->out) != 0) {
        set_reason(res, errno, N_("cannot create the folder for %s"), j->out);
        fail(res, PSC_ERR_IO);
        return PSC_ERR_IO;
    }
    if (!o->w.in_place && same_file(j->in, j->out)) {
        set_reason(res, 0,
                   N_("the result would replace the original photo; use --in-place to do that, or "
                      "another -o folder"));
        fail(res, PSC_ERR_EXISTS);
        return PSC_ERR_EXISTS;
    }
    locale_t prev = cli_c_locale_enter();
    psc_status st = psc_scrub_file(ctx, j->in, j->out, &res->rep);
    cli_c_locale_leave(prev);
    if (st == PSC_OK)
        st = fix_extension(o, j, res);
    return st;
}

void cli_do_job(psc_ctx *ctx, const options *o, const job_list *jl, size_t i, outcome *res) {
    const job *j = &jl->v[i];
    memset(res, 0, sizeof *res);
    if (j->dup_of >= 0) {
        if (j->out)
            set_reason(res, 0, N_("same file or same output as %s: %s"), jl->v[j->dup_of].in,
                       j->out);
        else
            set_reason(res, 0, N_("same file or same output as %s"), jl->v[j->dup_of].in);
        fail(res, PSC_ERR_EXISTS);
        return;
    }
    psc_status st;
    if (o->cmd == CMD_INSPECT || o->cmd == CMD_VERIFY) {
        locale_t prev = cli_c_locale_enter();
        st = o->cmd == CMD_INSPECT ? psc_inspect_file(ctx, j->in, &res->rep)
                                   : psc_check_file(ctx, j->in, &res->rep);
        cli_c_locale_leave(prev);
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
