/*
 * photoscrub command line: turns arguments into library settings, walks files and folders,
 * runs N worker threads (one library context each, reused across files), prints results in
 * input order whatever N is, draws a progress bar on a terminal, and sets the exit code.
 * Uses only the public header.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct totals {
    size_t done, failed, skipped, not_photo, leaks, regions, photos_with_regions, tagged, rotated;
    size_t found_in[PSC_META_COUNT_]; /* photos in which each class was found */
} totals;

volatile sig_atomic_t psc_cli_interrupted;
#define interrupted psc_cli_interrupted

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *f) {
    fprintf(f,
            "Usage: photoscrub [OPTIONS] PATH...          make photos safe to share\n"
            "       photoscrub inspect [OPTIONS] PATH...  list privacy-relevant metadata, change nothing\n"
            "       photoscrub verify [OPTIONS] PATH...   check results: exit 1 if metadata, a code\n"
            "                                             or readable text is found\n"
            "       photoscrub watch [OPTIONS] INBOX OUTBOX   scrub each photo arriving in INBOX\n"
            "\n"
            "Removes location, device, dates, serial numbers, thumbnails, comments, XMP/IPTC,\n"
            "secondary images and motion-photo videos from JPEG and PNG photos, and hides QR\n"
            "codes, barcodes and readable text in the picture. Outside hidden areas nothing is\n"
            "re-encoded: the pixels stay exactly as they were, and photos stay upright.\n"
            "\n"
            "Where results go (originals are never changed unless --in-place):\n"
            "  a folder X      -> X-scrubbed/ beside it, same tree inside\n"
            "  a file D/F.jpg  -> D/scrubbed/F.jpg\n"
            "  -o, --output DIR    put results in DIR instead (folders: DIR/<path inside X>)\n"
            "      --in-place      replace the originals (atomically)\n"
            "  -f, --force         overwrite existing results (else they are kept and skipped,\n"
            "                      so running again resumes an interrupted batch)\n"
            "      --rename        give results neutral names (photo-0001.jpg): names like\n"
            "                      IMG_20211027_143512.jpg reveal when a photo was taken\n"
            "\n"
            "What is hidden in the picture (default: QR codes, barcodes and readable text):\n"
            "      --metadata-only strip metadata only; do not look at the picture\n"
            "      --detect MODE   fast | default | thorough: time spent looking\n"
            "      --style STYLE   blur (default) | fill | pixelate: how regions are hidden\n"
            "      --lang LANGS    OCR languages, Tesseract names joined by + (default eng+fra)\n"
            "      --no-text       do not look for text;  --no-codes  do not look for codes\n"
            "\n"
            "What is kept:\n"
            "      --strip-icc     also remove the colour profile (colours may shift)\n"
            "      --rotate        rotate sideways JPEGs losslessly instead of keeping an\n"
            "                      Orientation tag\n"
            "\n"
            "Running and reporting:\n"
            "  -j, --jobs N        files in parallel (default: number of cores)\n"
            "      --review FILE   write an HTML page showing each result and what was hidden\n"
            "      --json          one JSON object per file on stdout, then a summary object\n"
            "      --values        include metadata values in reports (personal data!)\n"
            "  -q, --quiet         print only errors and the summary\n"
            "      --pause         wait for Enter before exiting (for drag-and-drop launchers)\n"
            "      --delete-originals  watch: delete originals instead of moving them to .done/\n"
            "      --set NAME=VALUE  change a library setting (below)\n"
            "  -h, --help          this help;  -V, --version  the version\n"
            "\n"
            "Library settings (--set NAME=VALUE):\n");
    for (size_t i = 0;; i++) {
        psc_param p = psc_param_at(i);
        if (p == 0)
            break;
        long long mn, mx, def;
        psc_param_bounds(p, &mn, &mx, &def);
        fprintf(f, "  %-16s %s [%lld..%lld, default %lld]\n", psc_param_name(p), psc_param_help(p),
                mn, mx, def);
    }
    fprintf(f, "\nExit status: 0 every photo is clean, 1 some failed (each is named), 2 usage error.\n"
               "See photoscrub(1).\n");
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p) {
    size_t n = (p[0] >= 0xF0 && p[0] <= 0xF4) ? 4 : (p[0] >= 0xE0 && p[0] <= 0xEF) ? 3
             : (p[0] >= 0xC2 && p[0] <= 0xDF)                                   ? 2 : 0;
    for (size_t k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* A JSON string; bytes that are not UTF-8 (file names can be anything) become U+FFFD. */
void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p++);
        } else if (*p < 0x80) {
            fputc(*p++, f);
        } else {
            size_t n = utf8_len(p);
            if (n) {
                fwrite(p, 1, n, f);
                p += n;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    fputc('"', f);
}

static int set_param(psc_ctx *ctx, const char *name, long long v) {
    psc_param p;
    if (psc_param_by_name(name, &p) != PSC_OK) {
        fprintf(stderr, "photoscrub: unknown setting '%s' (see --help)\n", name);
        return -1;
    }
    if (psc_ctx_set(ctx, p, v) != PSC_OK) {
        fprintf(stderr, "photoscrub: %s\n", psc_ctx_errmsg(ctx));
        return -1;
    }
    return 0;
}

/* Maps a word to its index in choices and sets the setting. */
static int set_choice(psc_ctx *ctx, const char *name, const char *word, const char **choices) {
    for (int i = 0; choices[i]; i++)
        if (strcmp(word, choices[i]) == 0)
            return set_param(ctx, name, i);
    fprintf(stderr, "photoscrub: --%s: '%s' is not one of:", name, word);
    for (int i = 0; choices[i]; i++)
        fprintf(stderr, " %s", choices[i]);
    fputc('\n', stderr);
    return -1;
}

static int parse_set(psc_ctx *ctx, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        fprintf(stderr, "photoscrub: --set wants NAME=VALUE, got '%s'\n", arg);
        return -1;
    }
    char name[64];
    size_t nl = (size_t)(eq - arg);
    if (nl >= sizeof name) {
        fprintf(stderr, "photoscrub: unknown setting '%.*s'\n", (int)nl, arg);
        return -1;
    }
    memcpy(name, arg, nl);
    name[nl] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(eq + 1, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "photoscrub: --set %s: '%s' is not a whole number\n", name, eq + 1);
        return -1;
    }
    return set_param(ctx, name, v);
}

psc_ctx *cli_ctx_clone(const options *o) {
    psc_ctx *ctx = psc_ctx_new();
    if (ctx == NULL)
        return NULL;
    for (size_t i = 0; psc_param_at(i) != 0; i++) {
        long long v;
        psc_ctx_get(o->tmpl, psc_param_at(i), &v);
        psc_ctx_set(ctx, psc_param_at(i), v);
    }
    if (o->langs)
        psc_ctx_set_langs(ctx, o->langs);
    return ctx;
}

/* "GPS position, phone or camera model, thumbnail" */
static void print_found(FILE *f, const psc_report *rep) {
    int first = 1;
    for (int m = 0; m < PSC_META_COUNT_; m++) {
        if (!psc_report_found(rep, (psc_meta)m))
            continue;
        fprintf(f, "%s%s", first ? "" : ", ", psc_meta_label((psc_meta)m));
        first = 0;
    }
    if (first)
        fprintf(f, "no metadata");
}

/* "; hid 1 QR code, 3 text areas" */
static void print_regions(FILE *f, const psc_report *rep, const char *verb) {
    static const char *const kinds[] = {"qr", "barcode", "matrix", "text"};
    static const char *const labels[] = {"QR code", "barcode", "2D code", "text area"};
    size_t n = psc_report_region_count(rep), cnt[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const char *k = NULL;
        psc_report_region(rep, i, NULL, &k, NULL, NULL);
        for (int t = 0; t < 4; t++)
            if (k && strcmp(k, kinds[t]) == 0)
                cnt[t]++;
    }
    int first = 1;
    for (int t = 0; t < 4; t++)
        if (cnt[t]) {
            fprintf(f, "%s%zu %s%s", first ? verb : ", ", cnt[t], labels[t], cnt[t] == 1 ? "" : "s");
            first = 0;
        }
}

static void print_values(FILE *f, const psc_report *rep) {
    char *json = NULL;
    if (psc_report_json(rep, &json, NULL) != PSC_OK)
        return;
    const char *v = strstr(json, "\"values\":[");
    if (v != NULL)
        fprintf(f, "    values: %s\n", v + 9);
    psc_free(json);
}

static char *xstrdup_msg(const char *s) {
    char *d = strdup(s ? s : "");
    if (d == NULL) {
        fprintf(stderr, "photoscrub: out of memory\n");
        exit(EXIT_SOME_FAILED);
    }
    return d;
}

/* A photo passes verify when nothing but an orientation-only EXIF remains and no detector
 * finds anything. */
static int leaks(const psc_report *rep) {
    for (int m = 0; m < PSC_META_COUNT_; m++)
        if (m != PSC_META_ICC && psc_report_found(rep, (psc_meta)m))
            return 1;
    return psc_report_region_count(rep) > 0;
}

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A HEIC in which something had to be hidden comes back as a JPEG: give the result the
 * extension that matches its content, never replacing an existing file unless --force. */
static psc_status fix_extension(psc_ctx *ctx, const options *o, const job *j, outcome *res) {
    (void)ctx;
    const char *of = psc_report_output_format(res->rep);
    if (of == NULL || strcmp(of, "jpeg") != 0 || strcmp(psc_report_format(res->rep), "jpeg") == 0)
        return PSC_OK;
    const char *slash = strrchr(j->out, '/');
    const char *dot = strrchr(j->out, '.');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - j->out) : strlen(j->out);
    char *jpg = malloc(stem + 5);
    if (jpg == NULL)
        return PSC_ERR_NOMEM;
    memcpy(jpg, j->out, stem);
    memcpy(jpg + stem, ".jpg", 5);
    int rc = o->force ? rename(j->out, jpg) : renameat2(AT_FDCWD, j->out, AT_FDCWD, jpg, RENAME_NOREPLACE);
    if (rc != 0) {
        char why[1024];
        snprintf(why, sizeof why, "the result is a JPEG but %s cannot be written: %s%s", jpg, strerror(errno),
                 errno == EEXIST ? " (use --force to overwrite)" : "");
        unlink(j->out); /* never leave JPEG bytes under a .heic name */
        free(jpg);
        res->msg = xstrdup_msg(why);
        return PSC_ERR_EXISTS;
    }
    res->out = jpg;
    return PSC_OK;
}

void cli_do_job(psc_ctx *ctx, const options *o, const job_list *jl, size_t i, outcome *res) {
    const job *j = &jl->v[i];
    memset(res, 0, sizeof *res);
    if (j->dup_of >= 0) {
        char why[1024];
        snprintf(why, sizeof why, "same file or same output as %s%s%s", jl->v[j->dup_of].in,
                 j->out ? ": " : "", j->out ? j->out : "");
        res->st = PSC_ERR_EXISTS;
        res->status = OUT_FAILED;
        res->msg = xstrdup_msg(why);
        return;
    }
    psc_status st;
    if (o->cmd == CMD_INSPECT) {
        st = psc_inspect_file(ctx, j->in, &res->rep);
    } else if (o->cmd == CMD_VERIFY) {
        st = psc_check_file(ctx, j->in, &res->rep);
    } else {
        if (make_parents(j->out) != 0) {
            char why[1024];
            snprintf(why, sizeof why, "cannot create the folder for %s: %s", j->out, strerror(errno));
            res->st = PSC_ERR_IO;
            res->status = OUT_FAILED;
            res->msg = xstrdup_msg(why);
            return;
        }
        if (!o->w.in_place && same_file(j->in, j->out)) {
            res->st = PSC_ERR_EXISTS;
            res->status = OUT_FAILED;
            res->msg = xstrdup_msg("the result would replace the original photo; use --in-place to do that, or another -o folder");
            return;
        }
        st = psc_scrub_file(ctx, j->in, j->out, &res->rep);
        if (st == PSC_OK)
            st = fix_extension(ctx, o, j, res);
    }
    res->st = st;
    if (st == PSC_OK)
        res->status = (o->cmd == CMD_VERIFY && leaks(res->rep)) ? OUT_LEAK : OUT_OK;
    else if (st == PSC_ERR_EXISTS && o->cmd == CMD_SCRUB)
        res->status = OUT_SKIPPED;
    else if (st == PSC_ERR_FORMAT && j->from_walk)
        res->status = OUT_NOT_PHOTO;
    else
        res->status = OUT_FAILED;
    if (st != PSC_OK)
        res->msg = xstrdup_msg(psc_ctx_errmsg(ctx));
}

static void json_line(const job *j, const char *status, const outcome *res) {
    printf("{\"file\":");
    json_string(stdout, j->in);
    if (res->out || j->out) {
        printf(",\"output\":");
        json_string(stdout, res->out ? res->out : j->out);
    }
    printf(",\"status\":\"%s\"", status);
    if (res->msg) {
        printf(",\"reason\":");
        json_string(stdout, res->msg);
    }
    char *js = NULL;
    if (res->rep && psc_report_json(res->rep, &js, NULL) == PSC_OK)
        printf(",\"report\":%s", js);
    psc_free(js);
    printf("}\n");
}

static void count_report(totals *t, const psc_report *rep) {
    for (int m = 0; m < PSC_META_COUNT_; m++)
        if (psc_report_found(rep, (psc_meta)m))
            t->found_in[m]++;
    size_t nr = psc_report_region_count(rep);
    t->regions += nr;
    t->photos_with_regions += nr > 0;
    if (psc_report_orient_action(rep) == PSC_ORIENT_ACTION_TAGGED)
        t->tagged++;
    if (psc_report_orient_action(rep) == PSC_ORIENT_ACTION_ROTATED)
        t->rotated++;
}

/* Prints one finished file (in input order) and adds it to the totals. */
static void report_outcome(const options *o, const job *j, const outcome *res, totals *t) {
    static const char *const json_status[] = {"pending", "ok", "skipped", "not-a-photo", "failed", "leak"};
    const char *ok_word = o->cmd == CMD_INSPECT ? "inspected" : o->cmd == CMD_VERIFY ? "clean" : "scrubbed";
    if (res->rep)
        count_report(t, res->rep);
    switch (res->status) {
    case OUT_OK: t->done++; break;
    case OUT_SKIPPED: t->skipped++; break;
    case OUT_NOT_PHOTO: t->not_photo++; break;
    case OUT_LEAK: t->leaks++; break;
    default: t->failed++; break;
    }
    if (o->json) {
        json_line(j, res->status == OUT_OK ? ok_word : json_status[res->status], res);
        /* Failures are also said on stderr, so a person watching a scripted run sees them. */
        if (res->status == OUT_FAILED)
            fprintf(stderr, "photoscrub: %s: %s%s: %s\n", j->in, o->cmd == CMD_SCRUB ? "NOT scrubbed, " : "",
                    psc_status_str(res->st), res->msg ? res->msg : "");
        return;
    }
    FILE *f = stdout;
    switch (res->status) {
    case OUT_OK:
        if (o->w.quiet && o->cmd == CMD_SCRUB)
            break;
        if (o->cmd == CMD_INSPECT) {
            fprintf(f, "%s (%s): ", j->in, psc_report_format(res->rep));
            print_found(f, res->rep);
            if (psc_report_orientation(res->rep) != 1)
                fprintf(f, "; stored sideways (Orientation %d)", psc_report_orientation(res->rep));
        } else if (o->cmd == CMD_VERIFY) {
            fprintf(f, "clean %s", j->in);
        } else {
            fprintf(f, "scrubbed %s -> %s: removed ", j->in, res->out ? res->out : j->out);
            print_found(f, res->rep);
            print_regions(f, res->rep, "; hid ");
            if (psc_report_orient_action(res->rep) == PSC_ORIENT_ACTION_ROTATED)
                fprintf(f, "; rotated upright");
        }
        fputc('\n', f);
        if (o->values)
            print_values(f, res->rep);
        break;
    case OUT_LEAK:
        fprintf(f, "LEAK %s: ", j->in);
        print_found(f, res->rep);
        print_regions(f, res->rep, "; readable: ");
        fputc('\n', f);
        break;
    case OUT_SKIPPED:
        if (!o->w.quiet)
            fprintf(stderr, "photoscrub: %s: skipped: %s\n", j->in, res->msg);
        break;
    case OUT_NOT_PHOTO:
        /* Other files met in a folder (notes, documents) are only counted in the summary:
         * a line for each would bury the messages that matter. --json lists them. */
        break;
    default:
        fprintf(stderr, "photoscrub: %s: %s%s: %s\n", j->in, o->cmd == CMD_SCRUB ? "NOT scrubbed, " : "",
                psc_status_str(res->st), res->msg ? res->msg : "");
    }
}

static void summary(const options *o, const totals *t, size_t not_started, const char *where) {
    if (o->json) {
        printf("{\"summary\":{\"done\":%zu,\"failed\":%zu,\"skipped\":%zu,\"not_photos\":%zu,"
               "\"leaks\":%zu,\"not_started\":%zu,\"regions\":%zu,\"found_in\":{",
               t->done, t->failed, t->skipped, t->not_photo, t->leaks, not_started, t->regions);
        int first = 1;
        for (int m = 0; m < PSC_META_COUNT_; m++) {
            if (!t->found_in[m])
                continue;
            printf("%s\"%s\":%zu", first ? "" : ",", psc_meta_name((psc_meta)m), t->found_in[m]);
            first = 0;
        }
        printf("}}}\n");
        return;
    }
    FILE *f = stdout;
    const char *verb = o->cmd == CMD_INSPECT ? "inspected" : o->cmd == CMD_VERIFY ? "clean" : "scrubbed";
    fprintf(f, "%s%zu photo%s %s", o->w.quiet ? "" : "\n", t->done, t->done == 1 ? "" : "s", verb);
    if (t->leaks)
        fprintf(f, ", %zu STILL LEAKING (see above)", t->leaks);
    if (t->failed)
        fprintf(f, ", %zu FAILED (see messages above)", t->failed);
    if (t->skipped)
        fprintf(f, ", %zu skipped (result already exists)", t->skipped);
    if (t->not_photo)
        fprintf(f, ", %zu not photos (left alone)", t->not_photo);
    if (not_started)
        fprintf(f, ", %zu not started (interrupted; run again to resume)", not_started);
    fprintf(f, ".\n");
    if (o->cmd == CMD_VERIFY)
        return;
    for (int m = 0; m < PSC_META_COUNT_; m++)
        if (t->found_in[m])
            fprintf(f, "  %s %s %zu photo%s\n", psc_meta_label((psc_meta)m),
                    o->cmd == CMD_INSPECT ? "found in" : "removed from", t->found_in[m],
                    t->found_in[m] == 1 ? "" : "s");
    if (t->regions)
        fprintf(f, "  %zu code or text area%s hidden in %zu photo%s\n", t->regions, t->regions == 1 ? "" : "s",
                t->photos_with_regions, t->photos_with_regions == 1 ? "" : "s");
    if (t->tagged + t->rotated && o->cmd == CMD_SCRUB)
        fprintf(f, "  %zu sideways photo%s kept upright\n", t->tagged + t->rotated,
                t->tagged + t->rotated == 1 ? "" : "s");
    if (where && o->cmd == CMD_SCRUB && t->done)
        fprintf(f, "Results are in %s\n", where);
}

/* ---- the batch: workers take jobs in order; the main thread prints them in order. */

typedef struct batch {
    const options *o;
    const job_list *jl;
    outcome *res;
    unsigned char *finished;
    size_t next;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
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
        if (interrupted || b->next >= b->jl->n) {
            b->running--;
            pthread_cond_broadcast(&b->cv);
            pthread_mutex_unlock(&b->mu);
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

static void progress(size_t done, size_t total, size_t failed, const struct timespec *t0) {
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
    fprintf(stderr, "\r\033[K[%s] %zu/%zu photos  %.1f/s  ETA %ld:%02ld", bar, done, total, rate,
            eta / 60, eta % 60);
    if (failed)
        fprintf(stderr, "  %zu failed", failed);
    fflush(stderr);
}

static int run_batch(options *o, const job_list *jl, const char *where) {
    size_t n = jl->n;
    batch b;
    memset(&b, 0, sizeof b);
    b.o = o;
    b.jl = jl;
    b.res = calloc(n ? n : 1, sizeof *b.res);
    b.finished = calloc(n ? n : 1, 1);
    int nw = o->jobs < 1 ? 1 : o->jobs;
    if ((size_t)nw > n)
        nw = n ? (int)n : 1;
    pthread_t *tids = calloc((size_t)nw, sizeof *tids);
    worker_arg *args = calloc((size_t)nw, sizeof *args);
    if (b.res == NULL || b.finished == NULL || tids == NULL || args == NULL) {
        fprintf(stderr, "photoscrub: out of memory\n");
        return EXIT_SOME_FAILED;
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    review *rv = o->review ? review_new() : NULL;
    psc_ctx *review_ctx = o->review ? cli_ctx_clone(o) : NULL;
    int started = 0;
    for (int i = 0; i < nw; i++) {
        args[i].b = &b;
        args[i].ctx = cli_ctx_clone(o);
        if (args[i].ctx == NULL)
            break;
        pthread_mutex_lock(&b.mu);
        b.running++;
        pthread_mutex_unlock(&b.mu);
        if (pthread_create(&tids[i], NULL, worker, &args[i]) != 0) {
            pthread_mutex_lock(&b.mu);
            b.running--;
            pthread_mutex_unlock(&b.mu);
            psc_ctx_free(args[i].ctx);
            args[i].ctx = NULL;
            break;
        }
        started++;
    }
    if (started == 0 && n > 0) {
        fprintf(stderr, "photoscrub: cannot start any worker\n");
        return EXIT_SOME_FAILED;
    }
    int bar = !o->w.quiet && !o->json && isatty(STDERR_FILENO);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    totals t;
    memset(&t, 0, sizeof t);
    size_t printed = 0;
    for (; printed < n; printed++) {
        pthread_mutex_lock(&b.mu);
        while (!b.finished[printed] && !(b.running == 0))
            pthread_cond_wait(&b.cv, &b.mu);
        int ready = b.finished[printed];
        pthread_mutex_unlock(&b.mu);
        if (!ready)
            break; /* interrupted: the workers stopped before this job */
        if (bar)
            fprintf(stderr, "\r\033[K");
        report_outcome(o, &jl->v[printed], &b.res[printed], &t);
        if (rv)
            review_add(rv, review_ctx, &jl->v[printed], &b.res[printed]);
        fflush(stdout);
        psc_report_free(b.res[printed].rep);
        free(b.res[printed].msg);
        free(b.res[printed].out);
        if (bar)
            progress(printed + 1, n, t.failed + t.leaks, &t0);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    if (bar)
        fprintf(stderr, "\r\033[K");
    /* Jobs finished after an earlier one was never started cannot happen (jobs are taken in
     * order), but free anything left to be safe. */
    for (size_t i = printed; i < n; i++) {
        psc_report_free(b.res[i].rep);
        free(b.res[i].msg);
        free(b.res[i].out);
    }
    size_t not_started = n - printed;
    if (interrupted)
        fprintf(stderr, "photoscrub: interrupted: %zu of %zu done, no partial files left; run the same command again to resume\n",
                printed, n);
    summary(o, &t, not_started, where);
    int rc = (t.failed || t.leaks || not_started) ? EXIT_SOME_FAILED : EXIT_CLEAN;
    if (rv) {
        if (review_write(rv, o->review) != 0) {
            fprintf(stderr, "photoscrub: cannot write the review page %s: %s\n", o->review, strerror(errno));
            rc = EXIT_SOME_FAILED;
        } else if (!o->json) {
            printf("Review page: %s\n", o->review);
        }
        review_free(rv);
    }
    psc_ctx_free(review_ctx);
    for (int i = 0; i < started; i++)
        psc_ctx_free(args[i].ctx);
    free(tids);
    free(args);
    free(b.res);
    free(b.finished);
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv);
    return rc;
}

static int pause_and_return(const options *o, int rc) {
    if (o->pause) {
        fprintf(stderr, "\nPress Enter to close this window.");
        fflush(stderr);
        int c;
        while ((c = getchar()) != EOF && c != '\n') {
        }
    }
    return rc;
}

int main(int argc, char **argv) {
    /* Tesseract's OpenMP threads spin while waiting; with one worker per core they only
     * oversubscribe the CPU (measured: half the CPU time per photo with one thread). libgomp
     * reads its limit when it loads, so set it and start again once. */
    if (getenv("OMP_THREAD_LIMIT") == NULL && setenv("OMP_THREAD_LIMIT", "1", 1) == 0)
        execv("/proc/self/exe", argv); /* on failure, carry on as we are */
    options o;
    memset(&o, 0, sizeof o);
    int argi0 = 1;
    if (argc > 1) {
        if (strcmp(argv[1], "inspect") == 0)
            o.cmd = CMD_INSPECT;
        else if (strcmp(argv[1], "verify") == 0)
            o.cmd = CMD_VERIFY;
        else if (strcmp(argv[1], "watch") == 0)
            o.cmd = CMD_WATCH;
        if (o.cmd != CMD_SCRUB)
            argi0 = 2;
    }
    o.w.no_output = o.cmd == CMD_INSPECT || o.cmd == CMD_VERIFY;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = nproc > 0 ? (int)nproc : 1;
    o.tmpl = psc_ctx_new();
    if (o.tmpl == NULL) {
        fprintf(stderr, "photoscrub: out of memory\n");
        return EXIT_SOME_FAILED;
    }
    psc_ctx *ctx = o.tmpl;
    enum { OPT_IN_PLACE = 256, OPT_METADATA_ONLY, OPT_STRIP_ICC, OPT_ROTATE, OPT_RENAME,
           OPT_JSON, OPT_VALUES, OPT_SET, OPT_DETECT, OPT_STYLE, OPT_LANG, OPT_NO_TEXT,
           OPT_NO_CODES, OPT_REVIEW, OPT_PAUSE, OPT_DELETE };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},      {"in-place", no_argument, NULL, OPT_IN_PLACE},
        {"force", no_argument, NULL, 'f'},             {"rename", no_argument, NULL, OPT_RENAME},
        {"metadata-only", no_argument, NULL, OPT_METADATA_ONLY},
        {"strip-icc", no_argument, NULL, OPT_STRIP_ICC},
        {"rotate", no_argument, NULL, OPT_ROTATE},     {"json", no_argument, NULL, OPT_JSON},
        {"values", no_argument, NULL, OPT_VALUES},     {"quiet", no_argument, NULL, 'q'},
        {"set", required_argument, NULL, OPT_SET},     {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},           {"detect", required_argument, NULL, OPT_DETECT},
        {"style", required_argument, NULL, OPT_STYLE}, {"lang", required_argument, NULL, OPT_LANG},
        {"no-text", no_argument, NULL, OPT_NO_TEXT},   {"no-codes", no_argument, NULL, OPT_NO_CODES},
        {"jobs", required_argument, NULL, 'j'},        {"review", required_argument, NULL, OPT_REVIEW},
        {"pause", no_argument, NULL, OPT_PAUSE},
        {"delete-originals", no_argument, NULL, OPT_DELETE},
        {NULL, 0, NULL, 0},
    };
    int rc = EXIT_CLEAN, c;
    optind = argi0;
    while ((c = getopt_long(argc, argv, "o:fqhVj:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o.w.out_dir = optarg; break;
        case OPT_IN_PLACE: o.w.in_place = 1; break;
        case 'f': o.force = 1; break;
        case OPT_RENAME: o.w.rename = 1; break;
        case OPT_METADATA_ONLY:
            if (set_param(ctx, "metadata-only", 1) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_STRIP_ICC:
            if (set_param(ctx, "keep-icc", 0) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_ROTATE:
            if (set_param(ctx, "orientation", PSC_ORIENT_ROTATE) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_DETECT:
            if (set_choice(ctx, "detect", optarg, (const char *[]){"fast", "default", "thorough", NULL}) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_STYLE:
            if (set_choice(ctx, "style", optarg, (const char *[]){"blur", "fill", "pixelate", NULL}) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_LANG:
            if (psc_ctx_set_langs(ctx, optarg) != PSC_OK) {
                fprintf(stderr, "photoscrub: --lang: %s\n", psc_ctx_errmsg(ctx));
                rc = EXIT_USAGE;
            }
            o.langs = optarg;
            break;
        case OPT_NO_TEXT:
            if (set_param(ctx, "find-text", 0) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_NO_CODES:
            if (set_param(ctx, "find-codes", 0) != 0)
                rc = EXIT_USAGE;
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                fprintf(stderr, "photoscrub: --jobs wants a number from 1 to 256, got '%s'\n", optarg);
                rc = EXIT_USAGE;
            }
            o.jobs = (int)v;
            break;
        }
        case OPT_REVIEW: o.review = optarg; break;
        case OPT_PAUSE: o.pause = 1; break;
        case OPT_DELETE: o.delete_originals = 1; break;
        case OPT_JSON: o.json = 1; break;
        case OPT_VALUES: o.values = 1; break;
        case 'q': o.w.quiet = 1; break;
        case OPT_SET:
            if (parse_set(ctx, optarg) != 0)
                rc = EXIT_USAGE;
            break;
        case 'h':
            usage(stdout);
            psc_ctx_free(ctx);
            return EXIT_CLEAN;
        case 'V':
            printf("photoscrub %s (libphotoscrub %s)\n", psc_version_string(), psc_version_string());
            psc_ctx_free(ctx);
            return EXIT_CLEAN;
        default:
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_CLEAN && optind >= argc) {
        fprintf(stderr, "photoscrub: no photos or folders given\n");
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_CLEAN && o.cmd == CMD_WATCH && argc - optind != 2) {
        fprintf(stderr, "photoscrub: watch wants two folders: INBOX OUTBOX\n");
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_CLEAN && o.w.in_place && o.w.out_dir) {
        fprintf(stderr, "photoscrub: --in-place and --output exclude each other\n");
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_CLEAN && o.w.in_place && o.w.rename) {
        fprintf(stderr, "photoscrub: --rename needs an output folder, not --in-place\n");
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_USAGE) {
        fprintf(stderr, "Try 'photoscrub --help'.\n");
        psc_ctx_free(ctx);
        return pause_and_return(&o, EXIT_USAGE);
    }
    if ((o.force || o.w.in_place) && set_param(ctx, "overwrite", 1) != 0)
        return EXIT_USAGE;
    if (o.values && set_param(ctx, "report-values", 1) != 0)
        return EXIT_USAGE;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (o.cmd == CMD_WATCH) {
        rc = cli_watch(&o, argv[optind], argv[optind + 1]);
        psc_ctx_free(ctx);
        return rc;
    }

    job_list jl;
    memset(&jl, 0, sizeof jl);
    int bad_args = 0;
    for (int i = optind; i < argc; i++)
        if (walk_add(&jl, argv[i], &o.w) != 0)
            bad_args++;
    walk_mark_duplicates(&jl);
    /* Say where the results are: the output folder, or the first result's folder. */
    char where[4096] = "";
    if (o.w.out_dir)
        snprintf(where, sizeof where, "%s", o.w.out_dir);
    else if (jl.n && jl.v[0].out && !o.w.in_place) {
        snprintf(where, sizeof where, "%s", jl.v[0].out);
        char *slash = strrchr(where, '/');
        if (slash)
            *slash = '\0';
    }
    rc = run_batch(&o, &jl, where[0] ? where : NULL);
    if (bad_args || jl.walk_errors) {
        if (jl.walk_errors)
            fprintf(stderr, "photoscrub: %zu folder%s could not be read completely (see above): not every photo was scrubbed\n",
                    jl.walk_errors, jl.walk_errors == 1 ? "" : "s");
        rc = EXIT_SOME_FAILED;
    }
    walk_free(&jl);
    psc_ctx_free(ctx);
    return pause_and_return(&o, rc);
}
