/*
 * Per-file lines (text or JSON) and the summary. Counting and wording only: every fact comes
 * from the report accessors, the verdicts from the library.
 */
#include "output.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* Short labels of region kinds for the review page, indexed by psc_region_kind. */
static const char *const kind_labels[] = {
    [PSC_REGION_QR] = N_("QR"),
    [PSC_REGION_BARCODE] = N_("barcode"),
    [PSC_REGION_MATRIX] = N_("2D code"),
    [PSC_REGION_TEXT] = N_("text"),
};
#define N_KINDS (sizeof kind_labels / sizeof *kind_labels)

const char *kind_short_label(const psc_report *rep, size_t i) {
    psc_region_kind k;
    if (psc_report_region_kind(rep, i, &k) == PSC_OK && (size_t)k < N_KINDS)
        return _(kind_labels[k]);
    const char *name = NULL;
    psc_report_region(rep, i, NULL, &name, NULL, NULL);
    return name ? name : "?";
}

const char *outcome_reason(const outcome *res) {
    return res->msg_local ? res->msg_local : res->msg ? res->msg : "";
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
    size_t n = (p[0] >= 0xF0 && p[0] <= 0xF4)   ? 4
               : (p[0] >= 0xE0 && p[0] <= 0xEF) ? 3
               : (p[0] >= 0xC2 && p[0] <= 0xDF) ? 2
                                                : 0;
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
        int n = snprintf(buf + used, size - used, "%s%s", used ? _(", ") : "",
                         cli_meta_text((psc_meta)m));
        used += n > 0 ? (size_t)n : 0;
    }
}

/* "GPS position, phone or camera model, thumbnail", or "no metadata", into buf. */
static const char *found_or_none(const psc_report *rep, char *buf, size_t size) {
    found_text(rep, buf, size);
    return buf[0] ? buf : _("no metadata");
}

/* "1 QR code, 3 text areas" into buf; empty when nothing was hidden. */
static void regions_text(const psc_report *rep, char *buf, size_t size) {
    size_t n = psc_report_region_count(rep), cnt[N_KINDS] = {0}, used = 0;
    for (size_t i = 0; i < n; i++) {
        psc_region_kind k;
        if (psc_report_region_kind(rep, i, &k) == PSC_OK && (size_t)k < N_KINDS)
            cnt[k]++;
    }
    buf[0] = '\0';
    for (size_t t = 0; t < N_KINDS && used < size; t++) {
        if (!cnt[t])
            continue;
        int w = snprintf(buf + used, size - used, "%s", used ? _(", ") : "");
        used += w > 0 ? (size_t)w : 0;
        if (used >= size)
            break;
        size_t c = cnt[t], left = size - used;
        switch ((psc_region_kind)t) {
        case PSC_REGION_QR:
            w = snprintf(buf + used, left, P_("%zu QR code", "%zu QR codes", c), c);
            break;
        case PSC_REGION_BARCODE:
            w = snprintf(buf + used, left, P_("%zu barcode", "%zu barcodes", c), c);
            break;
        case PSC_REGION_MATRIX:
            w = snprintf(buf + used, left, P_("%zu 2D code", "%zu 2D codes", c), c);
            break;
        default: w = snprintf(buf + used, left, P_("%zu text area", "%zu text areas", c), c); break;
        }
        used += w > 0 ? (size_t)w : 0;
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
    char found[1024], regions[256];
    if (o->cmd == CMD_INSPECT) {
        fprintf(f, _("%s (%s): %s"), j->in, psc_report_format(res->rep),
                found_or_none(res->rep, found, sizeof found));
        if (psc_report_orientation(res->rep) != 1)
            fprintf(f, _("; stored sideways (Orientation %d)"), psc_report_orientation(res->rep));
    } else if (o->cmd == CMD_VERIFY) {
        fprintf(f, _("clean %s"), j->in);
    } else {
        fprintf(f, _("scrubbed %s -> %s: removed %s"), j->in, res->out ? res->out : j->out,
                found_or_none(res->rep, found, sizeof found));
        regions_text(res->rep, regions, sizeof regions);
        if (regions[0])
            fprintf(f, _("; hid %s"), regions);
        if (psc_report_orient_action(res->rep) == PSC_ORIENT_ACTION_ROTATED)
            fputs(_("; rotated upright"), f);
    }
    fputc('\n', f);
    if (o->values)
        print_values(f, res->rep);
}

static void print_failure(const options *o, const job *j, const outcome *res) {
    if (o->cmd == CMD_SCRUB)
        /* TRANSLATORS: file, what went wrong (a status such as "file is damaged or
           truncated"), then details (often in English, from the library). */
        cli_say(_("%s: NOT scrubbed, %s: %s\n"), j->in, cli_status_text(res->st),
                outcome_reason(res));
    else
        cli_say(_("%s: %s: %s\n"), j->in, cli_status_text(res->st), outcome_reason(res));
}

void report_outcome(const options *o, const job *j, const outcome *res, totals *t) {
    static const char *const json_status[] = {"pending",     "ok",     "skipped",
                                              "not-a-photo", "failed", "leak"};
    const char *ok_word = o->cmd == CMD_INSPECT  ? "inspected"
                          : o->cmd == CMD_VERIFY ? "clean"
                                                 : "scrubbed";
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
    case OUT_LEAK: {
        char found[1024], regions[256];
        fprintf(f, _("LEAK %s: %s"), j->in, found_or_none(res->rep, found, sizeof found));
        regions_text(res->rep, regions, sizeof regions);
        if (regions[0])
            fprintf(f, _("; readable: %s"), regions);
        fputc('\n', f);
        break;
    }
    case OUT_SKIPPED:
        if (!o->w.quiet)
            cli_say(_("%s: skipped: %s\n"), j->in, outcome_reason(res));
        break;
    case OUT_NOT_PHOTO:
        /* Other files met in a folder (notes, documents) are only counted in the summary:
         * a line for each would bury the messages that matter. --json lists them. */
        break;
    default: print_failure(o, j, res);
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

/* n with the locale's digit grouping, in buf (48 bytes). */
static const char *count_str(char *buf, size_t n) {
    cli_fmt_count(buf, 48, n);
    return buf;
}

void report_summary(const options *o, const totals *t, size_t not_started, const char *where) {
    if (o->json) {
        summary_json(t, not_started);
        return;
    }
    FILE *f = stdout;
    char num[48], num2[48];
    cli_fmt_count(num, sizeof num, t->done);
    fputs(o->w.quiet ? "" : "\n", f);
    if (o->cmd == CMD_INSPECT)
        fprintf(f, P_("%s photo inspected", "%s photos inspected", t->done), num);
    else if (o->cmd == CMD_VERIFY)
        fprintf(f, P_("%s photo clean", "%s photos clean", t->done), num);
    else
        fprintf(f, P_("%s photo scrubbed", "%s photos scrubbed", t->done), num);
    if (t->leaks)
        /* TRANSLATORS: this and the clauses below continue "3 photos scrubbed"; English
           keeps one form for any number. */
        fprintf(f, P_(", %s STILL LEAKING (see above)", ", %s STILL LEAKING (see above)", t->leaks),
                count_str(num, t->leaks));
    if (t->failed)
        fprintf(
            f,
            P_(", %s FAILED (see messages above)", ", %s FAILED (see messages above)", t->failed),
            count_str(num, t->failed));
    if (t->skipped)
        fprintf(f,
                P_(", %s skipped (result already exists)", ", %s skipped (result already exists)",
                   t->skipped),
                count_str(num, t->skipped));
    if (t->not_photo)
        fprintf(f, P_(", %s not photos (left alone)", ", %s not photos (left alone)", t->not_photo),
                count_str(num, t->not_photo));
    if (not_started)
        fprintf(f,
                P_(", %s not started (interrupted; run again to resume)",
                   ", %s not started (interrupted; run again to resume)", not_started),
                count_str(num, not_started));
    fputs(_(".\n"), f);
    if (o->cmd == CMD_VERIFY)
        return;
    for (size_t m = 0; m < psc_meta_count(); m++) {
        if (!t->found_in[m])
            continue;
        cli_fmt_count(num, sizeof num, t->found_in[m]);
        if (o->cmd == CMD_INSPECT)
            /* TRANSLATORS: "  GPS position found in 3 photos" */
            fprintf(f, P_("  %s found in %s photo\n", "  %s found in %s photos\n", t->found_in[m]),
                    cli_meta_text((psc_meta)m), num);
        else
            fprintf(
                f,
                P_("  %s removed from %s photo\n", "  %s removed from %s photos\n", t->found_in[m]),
                cli_meta_text((psc_meta)m), num);
    }
    if (t->regions) {
        cli_fmt_count(num, sizeof num, t->regions);
        cli_fmt_count(num2, sizeof num2, t->photos_with_regions);
        /* TRANSLATORS: followed by " in 3 photos" */
        fprintf(f,
                P_("  %s code or text area hidden", "  %s code or text areas hidden", t->regions),
                num);
        fprintf(f, P_(" in %s photo\n", " in %s photos\n", t->photos_with_regions), num2);
    }
    if (t->tagged + t->rotated && o->cmd == CMD_SCRUB) {
        cli_fmt_count(num, sizeof num, t->tagged + t->rotated);
        fprintf(f,
                P_("  %s sideways photo kept upright\n", "  %s sideways photos kept upright\n",
                   t->tagged + t->rotated),
                num);
    }
    if (where && o->cmd == CMD_SCRUB && t->done)
        fprintf(f, _("Results are in %s\n"), where);
}
