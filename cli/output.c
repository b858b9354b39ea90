/*
 * Per-file lines (text or JSON) and the summary. Counting and wording only: every fact comes
 * from the report accessors, the verdicts from the library.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

/* Words for region kinds, indexed by psc_region_kind: plural-able label and short label. */
static const struct {
    const char *label, *short_label;
} kind_words[] = {
    [PSC_REGION_QR] = {"QR code", "QR"},
    [PSC_REGION_BARCODE] = {"barcode", "barcode"},
    [PSC_REGION_MATRIX] = {"2D code", "2D code"},
    [PSC_REGION_TEXT] = {"text area", "text"},
};
#define N_KINDS (sizeof kind_words / sizeof *kind_words)

const char *kind_short_label(const psc_report *rep, size_t i) {
    psc_region_kind k;
    if (psc_report_region_kind(rep, i, &k) == PSC_OK && (size_t)k < N_KINDS)
        return kind_words[k].short_label;
    const char *name = NULL;
    psc_report_region(rep, i, NULL, &name, NULL, NULL);
    return name ? name : "?";
}

int totals_init(totals *t) {
    memset(t, 0, sizeof *t);
    t->found_in = calloc(psc_meta_count(), sizeof *t->found_in);
    return t->found_in ? 0 : -1;
}

void totals_free(totals *t) {
    free(t->found_in);
    t->found_in = NULL;
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

void found_text(const psc_report *rep, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t m = 0; m < psc_meta_count(); m++) {
        if (!psc_report_found(rep, (psc_meta)m) || used >= size)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         psc_meta_label((psc_meta)m));
        used += n > 0 ? (size_t)n : 0;
    }
}

/* "GPS position, phone or camera model, thumbnail" */
static void print_found(FILE *f, const psc_report *rep) {
    char buf[1024];
    found_text(rep, buf, sizeof buf);
    fputs(buf[0] ? buf : "no metadata", f);
}

/* "; hid 1 QR code, 3 text areas" */
static void print_regions(FILE *f, const psc_report *rep, const char *verb) {
    size_t n = psc_report_region_count(rep), cnt[N_KINDS] = {0};
    for (size_t i = 0; i < n; i++) {
        psc_region_kind k;
        if (psc_report_region_kind(rep, i, &k) == PSC_OK && (size_t)k < N_KINDS)
            cnt[k]++;
    }
    int first = 1;
    for (size_t t = 0; t < N_KINDS; t++)
        if (cnt[t]) {
            fprintf(f, "%s%zu %s%s", first ? verb : ", ", cnt[t], kind_words[t].label,
                    cnt[t] == 1 ? "" : "s");
            first = 0;
        }
}

/* The values line of --values: the JSON array of {name, value} pairs. The closing brace after
 * the array is what 0.1 printed (it cut the line out of the report's JSON); kept so that
 * scripts reading this line see the same bytes. */
static void print_values(FILE *f, const psc_report *rep) {
    size_t n = psc_report_value_count(rep);
    if (n == 0)
        return;
    fputs("    values: [", f);
    for (size_t i = 0; i < n; i++) {
        const char *name = "", *value = "";
        psc_report_value(rep, i, &name, &value);
        fputs(i ? ",{\"name\":" : "{\"name\":", f);
        json_string(f, name);
        fputs(",\"value\":", f);
        json_string(f, value);
        fputc('}', f);
    }
    fputs("]}\n", f);
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
    for (size_t m = 0; m < psc_meta_count(); m++)
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

static void count_status(totals *t, int status) {
    switch (status) {
    case OUT_OK: t->done++; break;
    case OUT_SKIPPED: t->skipped++; break;
    case OUT_NOT_PHOTO: t->not_photo++; break;
    case OUT_LEAK: t->leaks++; break;
    default: t->failed++; break;
    }
}

static void print_ok(FILE *f, const options *o, const job *j, const outcome *res) {
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
}

static void print_failure(const options *o, const job *j, const outcome *res) {
    fprintf(stderr, "photoscrub: %s: %s%s: %s\n", j->in, o->cmd == CMD_SCRUB ? "NOT scrubbed, " : "",
            psc_status_str(res->st), res->msg ? res->msg : "");
}

void report_outcome(const options *o, const job *j, const outcome *res, totals *t) {
    static const char *const json_status[] = {"pending", "ok", "skipped", "not-a-photo", "failed", "leak"};
    const char *ok_word = o->cmd == CMD_INSPECT ? "inspected" : o->cmd == CMD_VERIFY ? "clean" : "scrubbed";
    if (res->rep)
        count_report(t, res->rep);
    count_status(t, res->status);
    if (o->json) {
        json_line(j, res->status == OUT_OK ? ok_word : json_status[res->status], res);
        /* Failures are also said on stderr, so a person watching a scripted run sees them. */
        if (res->status == OUT_FAILED)
            print_failure(o, j, res);
        return;
    }
    FILE *f = stdout;
    switch (res->status) {
    case OUT_OK:
        if (!(o->w.quiet && o->cmd == CMD_SCRUB))
            print_ok(f, o, j, res);
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
        print_failure(o, j, res);
    }
}

static void summary_json(const totals *t, size_t not_started) {
    printf("{\"summary\":{\"done\":%zu,\"failed\":%zu,\"skipped\":%zu,\"not_photos\":%zu,"
           "\"leaks\":%zu,\"not_started\":%zu,\"regions\":%zu,\"found_in\":{",
           t->done, t->failed, t->skipped, t->not_photo, t->leaks, not_started, t->regions);
    int first = 1;
    for (size_t m = 0; m < psc_meta_count(); m++) {
        if (!t->found_in[m])
            continue;
        printf("%s\"%s\":%zu", first ? "" : ",", psc_meta_name((psc_meta)m), t->found_in[m]);
        first = 0;
    }
    printf("}}}\n");
}

void report_summary(const options *o, const totals *t, size_t not_started, const char *where) {
    if (o->json) {
        summary_json(t, not_started);
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
    for (size_t m = 0; m < psc_meta_count(); m++)
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
