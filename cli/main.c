/*
 * photoscrub command line: turns arguments into library settings, walks files and folders,
 * prints what was removed, and sets the exit code. Uses only the public header.
 */
#define _GNU_SOURCE
#include <photoscrub/photoscrub.h>

#include "walk.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_CLEAN = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

typedef struct options {
    walk_opts w;
    int force, json, values, inspect;
} options;

typedef struct totals {
    size_t scrubbed, failed, skipped, not_photo, regions, photos_with_regions;
    size_t found_in[PSC_META_COUNT_]; /* photos in which each class was found */
    size_t tagged, rotated;
} totals;

static void usage(FILE *f) {
    fprintf(f,
            "Usage: photoscrub [OPTIONS] PATH...          make photos safe to share\n"
            "       photoscrub inspect [OPTIONS] PATH...  list privacy-relevant metadata, change nothing\n"
            "\n"
            "Removes location, device, dates, serial numbers, thumbnails, comments, XMP/IPTC,\n"
            "secondary images and motion-photo videos from JPEG and PNG photos, without\n"
            "re-encoding: the pixels stay exactly as they were, and photos stay upright.\n"
            "\n"
            "Where results go (originals are never changed unless --in-place):\n"
            "  a folder X      -> X-scrubbed/ beside it, same tree inside\n"
            "  a file D/F.jpg  -> D/scrubbed/F.jpg\n"
            "  -o, --output DIR    put results in DIR instead (folders: DIR/<path inside X>)\n"
            "      --in-place      replace the originals (atomically)\n"
            "  -f, --force         overwrite existing results\n"
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
            "Reporting:\n"
            "      --json          one JSON object per file on stdout, then a summary object\n"
            "      --values        include metadata values in reports (personal data!)\n"
            "  -q, --quiet         print only errors and the summary\n"
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

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
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
static void print_regions(FILE *f, const psc_report *rep) {
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
            fprintf(f, "%s%zu %s%s", first ? "; hid " : ", ", cnt[t], labels[t], cnt[t] == 1 ? "" : "s");
            first = 0;
        }
}

static void print_values(FILE *f, const psc_report *rep) {
    char *json = NULL;
    /* Values are only available through the JSON form; print them one per line. */
    if (psc_report_json(rep, &json, NULL) != PSC_OK)
        return;
    const char *v = strstr(json, "\"values\":[");
    if (v != NULL)
        fprintf(f, "    values: %s\n", v + 9);
    psc_free(json);
}

static void json_line(const char *in, const char *out, const char *status, const char *reason,
                      const psc_report *rep) {
    printf("{\"file\":");
    json_string(stdout, in);
    if (out) {
        printf(",\"output\":");
        json_string(stdout, out);
    }
    printf(",\"status\":\"%s\"", status);
    if (reason) {
        printf(",\"reason\":");
        json_string(stdout, reason);
    }
    char *js = NULL;
    if (rep && psc_report_json(rep, &js, NULL) == PSC_OK)
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

static void process(psc_ctx *ctx, const options *o, const job_list *jl, size_t i, totals *t) {
    const job *j = &jl->v[i];
    psc_report *rep = NULL;
    psc_status st;
    if (j->dup_of >= 0) {
        char why[512];
        snprintf(why, sizeof why, "same output as %s: %s", jl->v[j->dup_of].in, j->out);
        t->failed++;
        if (o->json)
            json_line(j->in, j->out, "failed", why, NULL);
        fprintf(stderr, "photoscrub: %s: not scrubbed: %s\n", j->in, why);
        return;
    }
    if (o->inspect) {
        st = psc_inspect_file(ctx, j->in, &rep);
    } else {
        if (make_parents(j->out) != 0) {
            t->failed++;
            char why[512];
            snprintf(why, sizeof why, "cannot create the folder for %s: %s", j->out, strerror(errno));
            if (o->json)
                json_line(j->in, j->out, "failed", why, NULL);
            fprintf(stderr, "photoscrub: %s: %s\n", j->in, why);
            return;
        }
        st = psc_scrub_file(ctx, j->in, j->out, &rep);
    }
    const char *msg = psc_ctx_errmsg(ctx);
    if (st == PSC_OK) {
        count_report(t, rep);
        t->scrubbed++;
        if (o->json) {
            json_line(j->in, j->out, o->inspect ? "inspected" : "scrubbed", NULL, rep);
        } else if (!o->w.quiet || o->inspect) {
            FILE *f = stdout;
            if (o->inspect) {
                fprintf(f, "%s (%s): ", j->in, psc_report_format(rep));
                print_found(f, rep);
                if (psc_report_orientation(rep) != 1)
                    fprintf(f, "; stored sideways (Orientation %d)", psc_report_orientation(rep));
            } else {
                fprintf(f, "scrubbed %s -> %s: removed ", j->in, j->out);
                print_found(f, rep);
                print_regions(f, rep);
                if (psc_report_orient_action(rep) == PSC_ORIENT_ACTION_ROTATED)
                    fprintf(f, "; rotated upright");
            }
            fputc('\n', f);
            if (o->values)
                print_values(f, rep);
        }
    } else if (st == PSC_ERR_EXISTS && !o->inspect) {
        t->skipped++;
        if (o->json)
            json_line(j->in, j->out, "skipped", msg, NULL);
        else if (!o->w.quiet)
            fprintf(stderr, "photoscrub: %s: skipped: %s\n", j->in, msg);
    } else if (st == PSC_ERR_FORMAT && j->from_walk) {
        t->not_photo++;
        if (o->json)
            json_line(j->in, j->out, "not-a-photo", msg, NULL);
        else if (!o->w.quiet)
            fprintf(stderr, "photoscrub: %s: skipped, not a photo (%s)\n", j->in, msg);
    } else {
        t->failed++;
        if (o->json)
            json_line(j->in, j->out, "failed", msg, NULL);
        fprintf(stderr, "photoscrub: %s: %s%s: %s\n", j->in, o->inspect ? "" : "NOT scrubbed, ",
                psc_status_str(st), msg);
    }
    psc_report_free(rep);
}

static void summary(const options *o, const totals *t) {
    if (o->json) {
        printf("{\"summary\":{\"done\":%zu,\"failed\":%zu,\"skipped\":%zu,\"not_photos\":%zu,\"regions\":%zu,\"found_in\":{",
               t->scrubbed, t->failed, t->skipped, t->not_photo, t->regions);
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
    fprintf(f, "%s%zu photo%s %s", o->w.quiet ? "" : "\n", t->scrubbed, t->scrubbed == 1 ? "" : "s",
            o->inspect ? "inspected" : "scrubbed");
    if (t->failed)
        fprintf(f, ", %zu FAILED (see messages above)", t->failed);
    if (t->skipped)
        fprintf(f, ", %zu skipped (result already exists)", t->skipped);
    if (t->not_photo)
        fprintf(f, ", %zu not photos (left alone)", t->not_photo);
    fprintf(f, ".\n");
    for (int m = 0; m < PSC_META_COUNT_; m++)
        if (t->found_in[m])
            fprintf(f, "  %s %s %zu photo%s\n", psc_meta_label((psc_meta)m),
                    o->inspect ? "found in" : "removed from", t->found_in[m],
                    t->found_in[m] == 1 ? "" : "s");
    if (t->regions)
        fprintf(f, "  %zu code or text area%s hidden in %zu photo%s\n", t->regions, t->regions == 1 ? "" : "s",
                t->photos_with_regions, t->photos_with_regions == 1 ? "" : "s");
    if (t->tagged + t->rotated && !o->inspect)
        fprintf(f, "  %zu sideways photo%s kept upright\n", t->tagged + t->rotated,
                t->tagged + t->rotated == 1 ? "" : "s");
}

int main(int argc, char **argv) {
    options o;
    memset(&o, 0, sizeof o);
    int argi0 = 1;
    if (argc > 1 && strcmp(argv[1], "inspect") == 0) {
        o.inspect = 1;
        o.w.no_output = 1;
        argi0 = 2;
    }
    psc_ctx *ctx = psc_ctx_new();
    if (ctx == NULL) {
        fprintf(stderr, "photoscrub: out of memory\n");
        return EXIT_SOME_FAILED;
    }
    enum { OPT_IN_PLACE = 256, OPT_METADATA_ONLY, OPT_STRIP_ICC, OPT_ROTATE, OPT_RENAME,
           OPT_JSON, OPT_VALUES, OPT_SET, OPT_DETECT, OPT_STYLE, OPT_LANG, OPT_NO_TEXT,
           OPT_NO_CODES };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},    {"in-place", no_argument, NULL, OPT_IN_PLACE},
        {"force", no_argument, NULL, 'f'},           {"rename", no_argument, NULL, OPT_RENAME},
        {"metadata-only", no_argument, NULL, OPT_METADATA_ONLY},
        {"strip-icc", no_argument, NULL, OPT_STRIP_ICC},
        {"rotate", no_argument, NULL, OPT_ROTATE},   {"json", no_argument, NULL, OPT_JSON},
        {"values", no_argument, NULL, OPT_VALUES},   {"quiet", no_argument, NULL, 'q'},
        {"set", required_argument, NULL, OPT_SET},   {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},         {"detect", required_argument, NULL, OPT_DETECT},
        {"style", required_argument, NULL, OPT_STYLE}, {"lang", required_argument, NULL, OPT_LANG},
        {"no-text", no_argument, NULL, OPT_NO_TEXT}, {"no-codes", no_argument, NULL, OPT_NO_CODES},
        {NULL, 0, NULL, 0},
    };
    int rc = EXIT_CLEAN, c;
    optind = argi0;
    while ((c = getopt_long(argc, argv, "o:fqhV", longopts, NULL)) != -1) {
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
            break;
        case OPT_NO_TEXT:
            if (set_param(ctx, "find-text", 0) != 0)
                rc = EXIT_USAGE;
            break;
        case OPT_NO_CODES:
            if (set_param(ctx, "find-codes", 0) != 0)
                rc = EXIT_USAGE;
            break;
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
        return EXIT_USAGE;
    }
    if ((o.force || o.w.in_place) && set_param(ctx, "overwrite", 1) != 0)
        return EXIT_USAGE;
    if (o.values && set_param(ctx, "report-values", 1) != 0)
        return EXIT_USAGE;

    job_list jl;
    memset(&jl, 0, sizeof jl);
    totals t;
    memset(&t, 0, sizeof t);
    for (int i = optind; i < argc; i++)
        if (walk_add(&jl, argv[i], &o.w) != 0)
            t.failed++;
    walk_mark_duplicates(&jl);
    for (size_t i = 0; i < jl.n; i++)
        process(ctx, &o, &jl, i, &t);
    summary(&o, &t);
    walk_free(&jl);
    psc_ctx_free(ctx);
    return t.failed ? EXIT_SOME_FAILED : EXIT_CLEAN;
}
