/*
 * The batch: workers take jobs in input order, each with its own library context; the main
 * thread prints finished jobs in input order, draws the progress bar and feeds the review
 * page. Ctrl-C stops taking new jobs; finished results stay, nothing partial is left.
 */
#include "run.h"
#include "i18n.h"
#include "job.h"
#include "review.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_interrupted;

static void on_signal(int sig) {
    (void)sig;
    cli_interrupted = 1;
}

void cli_catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct batch {
    const options *o;
    const job_list *jl;
    outcome *res;
    unsigned char *finished;
    size_t next;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t *tids;
    psc_ctx **ctxs;
    int started;
} batch;

typedef struct worker_arg {
    batch *b;
    psc_ctx *ctx;
} worker_arg;

static void *worker(void *arg) {
    worker_arg *wa = arg;
    batch *b = wa->b;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        if (cli_interrupted || b->next >= b->jl->n) {
            b->running--;
            pthread_cond_broadcast(&b->cv);
            pthread_mutex_unlock(&b->mu);
            free(wa);
            return NULL;
        }
        size_t i = b->next++;
        pthread_mutex_unlock(&b->mu);
        outcome r;
        cli_do_job(wa->ctx, b->o, b->jl, i, &r);
        pthread_mutex_lock(&b->mu);
        b->res[i] = r;
        b->finished[i] = 1;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
}

static void progress_bar(size_t done, size_t total, size_t failed, const struct timespec *t0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
    double rate = secs > 0 ? (double)done / secs : 0;
    int width = 24, fill = total ? (int)((double)width * (double)done / (double)total) : width;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    long eta = rate > 0 ? (long)((double)(total - done) / rate) : 0;
    char sdone[48], stotal[48], srate[48], sfailed[48];
    cli_fmt_count(sdone, sizeof sdone, done);
    cli_fmt_count(stotal, sizeof stotal, total);
    cli_fmt_decimal(srate, sizeof srate, rate);
    fputs("\r\033[K", stderr);
    /* TRANSLATORS: progress bar: [####....] 3/12 photos  1.5/s  ETA 0:06 (minutes:seconds
       left); keep it short, it must fit on one line. */
    fprintf(stderr, _("[%s] %s/%s photos  %s/s  ETA %ld:%02ld"), bar, sdone, stotal, srate,
            eta / 60, eta % 60);
    if (failed) {
        cli_fmt_count(sfailed, sizeof sfailed, failed);
        fprintf(stderr, P_("  %s failed", "  %s failed", failed), sfailed);
    }
    fflush(stderr);
}

/* Starts up to nw workers, each with a clone of the template context. Returns how many. */
static int start_workers(batch *b, int nw) {
    for (int i = 0; i < nw; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        psc_ctx *ctx = wa ? cli_ctx_clone(b->o) : NULL;
        if (ctx == NULL) {
            free(wa);
            break;
        }
        *wa = (worker_arg){b, ctx};
        pthread_mutex_lock(&b->mu);
        b->running++;
        pthread_mutex_unlock(&b->mu);
        if (pthread_create(&b->tids[i], NULL, worker, wa) != 0) {
            pthread_mutex_lock(&b->mu);
            b->running--;
            pthread_mutex_unlock(&b->mu);
            psc_ctx_free(ctx);
            free(wa);
            break;
        }
        b->ctxs[b->started++] = ctx;
    }
    return b->started;
}

static void free_outcome(outcome *r) {
    psc_report_free(r->rep);
    free(r->msg);
    free(r->msg_local);
    free(r->out);
}

/* Prints finished jobs in input order until all are printed or the workers stopped early.
 * Returns how many were printed. */
static size_t collect(batch *b, totals *t, review *rv, psc_ctx *review_ctx) {
    const options *o = b->o;
    size_t n = b->jl->n, printed = 0;
    int bar = !o->w.quiet && !o->json && isatty(STDERR_FILENO);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (; printed < n; printed++) {
        pthread_mutex_lock(&b->mu);
        while (!b->finished[printed] && !(b->running == 0))
            pthread_cond_wait(&b->cv, &b->mu);
        int ready = b->finished[printed];
        pthread_mutex_unlock(&b->mu);
        if (!ready)
            break; /* interrupted: the workers stopped before this job */
        if (bar)
            fprintf(stderr, "\r\033[K");
        report_outcome(o, &b->jl->v[printed], &b->res[printed], t);
        if (rv)
            review_add(rv, review_ctx, &b->jl->v[printed], &b->res[printed]);
        fflush(stdout);
        free_outcome(&b->res[printed]);
        if (bar)
            progress_bar(printed + 1, n, t->failed + t->leaks, &t0);
    }
    if (bar)
        fprintf(stderr, "\r\033[K");
    return printed;
}

static int finish_review(const options *o, review *rv, int rc) {
    if (review_write(rv, o->review) != 0) {
        cli_say(_("cannot write the review page %s: %s\n"), o->review, strerror(errno));
        rc = EXIT_SOME_FAILED;
    } else if (!o->json) {
        printf(_("Review page: %s\n"), o->review);
    }
    review_free(rv);
    return rc;
}

static void batch_free(batch *b) {
    for (int i = 0; i < b->started; i++)
        psc_ctx_free(b->ctxs[i]);
    free(b->tids);
    free(b->ctxs);
    free(b->res);
    free(b->finished);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
}

int cli_run_batch(const options *o, const job_list *jl, const char *where) {
    size_t n = jl->n;
    batch b;
    memset(&b, 0, sizeof b);
    b.o = o;
    b.jl = jl;
    int nw = o->jobs < 1 ? 1 : o->jobs;
    if ((size_t)nw > n)
        nw = n ? (int)n : 1;
    b.res = calloc(n ? n : 1, sizeof *b.res);
    b.finished = calloc(n ? n : 1, 1);
    b.tids = calloc((size_t)nw, sizeof *b.tids);
    b.ctxs = calloc((size_t)nw, sizeof *b.ctxs);
    totals t;
    if (b.res == NULL || b.finished == NULL || b.tids == NULL || b.ctxs == NULL ||
        totals_init(&t) != 0) {
        cli_say(_("out of memory\n"));
        return EXIT_SOME_FAILED;
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    review *rv = o->review ? review_new() : NULL;
    psc_ctx *review_ctx = o->review ? cli_ctx_clone(o) : NULL;
    if (start_workers(&b, nw) == 0 && n > 0) {
        cli_say(_("cannot start any worker\n"));
        return EXIT_SOME_FAILED;
    }
    size_t printed = collect(&b, &t, rv, review_ctx);
    for (int i = 0; i < b.started; i++)
        pthread_join(b.tids[i], NULL);
    /* Jobs finished after an earlier one was never started cannot happen (jobs are taken in
     * order), but free anything left to be safe. */
    for (size_t i = printed; i < n; i++)
        free_outcome(&b.res[i]);
    size_t not_started = n - printed;
    if (cli_interrupted)
        cli_say(_("interrupted: %zu of %zu done, no partial files left; run the same command again "
                  "to resume\n"),
                printed, n);
    report_summary(o, &t, not_started, where);
    int rc = (t.failed || t.leaks || not_started) ? EXIT_SOME_FAILED : EXIT_CLEAN;
    if (rv)
        rc = finish_review(o, rv, rc);
    psc_ctx_free(review_ctx);
    totals_free(&t);
    batch_free(&b);
    return rc;
}
