/*
 * Hot folder: `photoscrub watch INBOX OUTBOX`. Each photo that finishes arriving in INBOX
 * (closed after writing or moved in, per inotify; or, for copies that send no such event,
 * unchanged in size and time for a few seconds) is scrubbed into OUTBOX; the original then
 * goes to INBOX/.done/ (or is deleted with --delete-originals), failures to INBOX/.failed/
 * with a .txt giving the reason. Files already in INBOX at start are processed, and an
 * inotify queue overflow triggers a full rescan, so bursts and restarts lose nothing.
 */
#include "watch.h"
#include "i18n.h"
#include "output.h"
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STABLE_SECONDS 5

typedef struct pending {
    char *name;
    long long size;
    long long mtime_ns;
    double since; /* when size/mtime were last seen to change */
    int ready;    /* closed after writing: process now */
} pending;

typedef struct watch {
    const options *o;
    const char *inbox, *outbox;
    psc_ctx *ctx;
    pending *v;
    size_t n, cap;
    size_t done, failed;
} watch;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *path_join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s == NULL) {
        cli_say(_("out of memory\n"));
        exit(EXIT_SOME_FAILED);
    }
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* A free name in dir for name: name, then name-1, name-2, ... before the extension. */
static char *free_name(const char *dir, const char *name) {
    char *p = path_join(dir, name);
    struct stat sb;
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    for (int k = 1; lstat(p, &sb) == 0 && k < 100000; k++) {
        free(p);
        size_t n = strlen(dir) + strlen(name) + 16;
        p = malloc(n);
        if (p == NULL)
            exit(EXIT_SOME_FAILED);
        snprintf(p, n, "%s/%.*s-%d%s", dir, (int)stem, name, k, dot && dot != name ? dot : "");
    }
    return p;
}

static void note(watch *w, pending *p, int ready) {
    char *path = path_join(w->inbox, p->name);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        long long mt = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
        if (sb.st_size != p->size || mt != p->mtime_ns) {
            p->size = sb.st_size;
            p->mtime_ns = mt;
            p->since = now_s();
        }
    }
    if (ready)
        p->ready = 1;
    free(path);
}

static void track(watch *w, const char *name, int ready) {
    if (name[0] == '.')
        return; /* .done, .failed, temporary files, hidden files */
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->v[i].name, name) == 0) {
            note(w, &w->v[i], ready);
            return;
        }
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        pending *nv = realloc(w->v, nc * sizeof *nv);
        if (nv == NULL)
            return;
        w->v = nv;
        w->cap = nc;
    }
    pending *p = &w->v[w->n++];
    memset(p, 0, sizeof *p);
    p->name = strdup(name);
    p->size = -1;
    if (p->name == NULL) {
        w->n--;
        return;
    }
    note(w, p, ready);
}

static void rescan(watch *w) {
    DIR *d = opendir(w->inbox);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = path_join(w->inbox, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            track(w, e->d_name, 0);
        free(path);
    }
    closedir(d);
}

static void write_reason(const char *failed_path, const char *reason) {
    size_t n = strlen(failed_path) + 5;
    char *txt = malloc(n);
    if (txt == NULL)
        return;
    snprintf(txt, n, "%s.txt", failed_path);
    FILE *f = fopen(txt, "w");
    if (f != NULL) {
        fprintf(f, "%s\n", reason);
        fclose(f);
    }
    free(txt);
}

static void process(watch *w, const pending *p) {
    char *in = path_join(w->inbox, p->name);
    struct stat sb;
    if (lstat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(in);
        return; /* gone, or not a file */
    }
    char *out = free_name(w->outbox, p->name);
    psc_report *rep = NULL;
    locale_t prev = cli_c_locale_enter();
    psc_status st = psc_scrub_file(w->ctx, in, out, &rep);
    cli_c_locale_leave(prev);
    char *done_dir = path_join(w->inbox, st == PSC_OK ? ".done" : ".failed");
    char *dest = free_name(done_dir, p->name);
    if (st == PSC_OK) {
        w->done++;
        if (w->o->delete_originals ? unlink(in) != 0 : rename(in, dest) != 0) {
            if (w->o->delete_originals)
                cli_say(_("%s: scrubbed, but the original could not be deleted: %s\n"), in,
                        strerror(errno));
            else
                cli_say(_("%s: scrubbed, but the original could not be moved to .done: %s\n"), in,
                        strerror(errno));
        }
        if (w->o->json) {
            printf("{\"file\":");
            json_string(stdout, in);
            printf(",\"output\":");
            json_string(stdout, out);
            printf(",\"status\":\"scrubbed\"}\n");
        } else if (!w->o->w.quiet) {
            size_t nr = psc_report_region_count(rep);
            printf(P_("scrubbed %s -> %s (%zu area hidden)\n",
                      "scrubbed %s -> %s (%zu areas hidden)\n", nr),
                   in, out, nr);
        }
    } else {
        w->failed++;
        const char *why = psc_ctx_errmsg(w->ctx);
        /* The English reason goes into JSON; people (here and in the .txt beside the failed
         * photo) read it in their language, with the library's detail as it is. */
        char reason[1024], said[1024];
        snprintf(reason, sizeof reason, "%s: %s", psc_status_str(st), why);
        /* TRANSLATORS: what went wrong ("file is damaged or truncated"), then the detail. */
        snprintf(said, sizeof said, _("%s: %s"), cli_status_text(st), why);
        if (rename(in, dest) == 0)
            write_reason(dest, said);
        cli_say(_("%s: NOT scrubbed, moved to %s: %s\n"), in, dest, said);
        if (w->o->json) {
            printf("{\"file\":");
            json_string(stdout, in);
            printf(",\"status\":\"failed\",\"reason\":");
            json_string(stdout, reason);
            printf("}\n");
        }
    }
    fflush(stdout);
    psc_report_free(rep);
    free(in);
    free(out);
    free(done_dir);
    free(dest);
}

static void drain_ready(watch *w) {
    double t = now_s();
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++) {
        pending *p = &w->v[i];
        note(w, p, 0);
        if (p->ready || (p->size >= 0 && t - p->since >= STABLE_SECONDS)) {
            process(w, p);
            free(p->name);
        } else {
            w->v[k++] = *p;
        }
    }
    w->n = k;
}

int cli_watch(const options *o, const char *inbox, const char *outbox) {
    watch w;
    memset(&w, 0, sizeof w);
    w.o = o;
    w.inbox = inbox;
    w.outbox = outbox;
    struct stat sb;
    if (stat(inbox, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cli_say(_("watch: %s is not a folder\n"), inbox);
        return EXIT_USAGE;
    }
    char *done = path_join(inbox, ".done"), *failed = path_join(inbox, ".failed");
    char *probe = path_join(outbox, "x");
    int ok = make_parents(probe) == 0 && (mkdir(done, 0777) == 0 || errno == EEXIST) &&
             (mkdir(failed, 0777) == 0 || errno == EEXIST);
    free(probe);
    free(done);
    free(failed);
    if (!ok) {
        cli_say(_("watch: cannot create the output folders: %s\n"), strerror(errno));
        return EXIT_SOME_FAILED;
    }
    w.ctx = cli_ctx_clone(o);
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (w.ctx == NULL || fd < 0 || inotify_add_watch(fd, inbox, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        cli_say(_("watch: cannot watch %s: %s\n"), inbox, strerror(errno));
        psc_ctx_free(w.ctx);
        return EXIT_SOME_FAILED;
    }
    if (!o->w.quiet && !o->json)
        cli_say(_("watching %s, results go to %s (Ctrl-C to stop)\n"), inbox, outbox);
    rescan(&w); /* photos left from before a restart */
    double last_scan = now_s();
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (!cli_interrupted) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0) {
            ssize_t len;
            while ((len = read(fd, buf, sizeof buf)) > 0) {
                for (char *p = buf; p < buf + len;) {
                    struct inotify_event *ev = (struct inotify_event *)(void *)p;
                    if (ev->mask & IN_Q_OVERFLOW)
                        rescan(&w);
                    else if (ev->len > 0)
                        track(&w, ev->name, 1);
                    p += sizeof *ev + ev->len;
                }
            }
        }
        if (now_s() - last_scan >= 2.0) {
            rescan(&w); /* copies that never send close-after-write */
            last_scan = now_s();
        }
        drain_ready(&w);
    }
    close(fd);
    if (!o->json)
        cli_say(_("watch stopped: %zu scrubbed, %zu failed\n"), w.done, w.failed);
    for (size_t i = 0; i < w.n; i++)
        free(w.v[i].name);
    free(w.v);
    psc_ctx_free(w.ctx);
    return EXIT_CLEAN;
}
