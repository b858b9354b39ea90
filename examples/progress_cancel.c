/*
 * Progress and cancel from another thread: the scrub runs on the main thread and reports its
 * stages to a callback; a second thread decides to stop after N milliseconds (as a "Cancel"
 * button would) by setting an atomic flag, which the callback returns. The library then ends
 * the call with PSC_ERR_CANCELLED and writes nothing.
 *
 *   progress_cancel IN OUT [MS]   MS: cancel after MS milliseconds (default 50; 0: never)
 *
 * Exit 0 when the API kept its promise: cancelled -> PSC_ERR_CANCELLED and no OUT, or the
 * scrub finished first -> PSC_OK and OUT written. Needs photoscrub 0.2.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep under -std=c11 */

#include <photoscrub/photoscrub.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static atomic_int cancel_requested; /* set by the canceller thread, read by the callback */

typedef struct progress_state {
    int calls;
    psc_stage last;
} progress_state;

/* Called on the scrubbing thread only; must be quick. Non-zero return = stop. */
static int on_progress(void *user, psc_stage stage, double fraction) {
    progress_state *ps = user;
    if (ps->calls == 0 || stage != ps->last)
        printf("  stage %-8s %3.0f%%\n", psc_stage_name(stage), fraction * 100.0);
    ps->calls++;
    ps->last = stage;
    return atomic_load(&cancel_requested);
}

static void *canceller(void *arg) {
    long ms = *(const long *)arg;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    atomic_store(&cancel_requested, 1);
    printf("  (canceller thread: asked to stop after %ld ms)\n", ms);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s IN OUT [MS]\n", argv[0]);
        return 2;
    }
    long ms = argc == 4 ? strtol(argv[3], NULL, 10) : 50;
    psc_ctx *ctx = psc_ctx_new();
    if (ctx == NULL)
        return 1;
    progress_state ps = {0, PSC_STAGE_READ};
    psc_ctx_set_progress(ctx, on_progress, &ps);
    psc_ctx_set(ctx, PSC_PARAM_OVERWRITE, 1); /* the demo may be run again on the same OUT */
    remove(argv[2]);

    pthread_t t;
    int have_thread = ms > 0 && pthread_create(&t, NULL, canceller, &ms) == 0;
    psc_report *rep = NULL;
    printf("scrubbing %s\n", argv[1]);
    psc_status st = psc_scrub_file(ctx, argv[1], argv[2], &rep);
    if (have_thread)
        pthread_join(t, NULL);

    struct stat sb;
    int written = stat(argv[2], &sb) == 0;
    int ok;
    if (st == PSC_ERR_CANCELLED) {
        printf("cancelled after %d progress calls (last stage %s): %s; output %s\n", ps.calls,
               psc_stage_name(ps.last), psc_ctx_errmsg(ctx),
               written ? "WRITTEN (wrong)" : "not written");
        ok = !written;
    } else if (st == PSC_OK) {
        printf("finished before the cancel: %zu regions hidden, %zu progress calls; output %s\n",
               psc_report_region_count(rep), (size_t)ps.calls,
               written ? "written" : "MISSING (wrong)");
        ok = written && ps.calls >= 2;
    } else {
        printf("failed: %s: %s\n", psc_status_str(st), psc_ctx_errmsg(ctx));
        ok = 0;
    }
    psc_report_free(rep);
    psc_ctx_free(ctx);
    return ok ? 0 : 1;
}
