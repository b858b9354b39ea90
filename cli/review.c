/*
 * The visual review page: one self-contained HTML file with, for each photo, a small upright
 * preview of the result (embedded as a data URI) with the hidden regions outlined and
 * labelled, the metadata that was removed, and failures in red. Light enough for 500 photos:
 * previews are 360 px JPEGs, no scripts. Written in the language of the run (<html lang>),
 * with counts and the date in the locale's format; CSS numbers stay in the C locale.
 */
#include "review.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PREVIEW_SIDE 360
#define MAX_READ (512u << 20)

typedef struct entry {
    char *in, *out;
    int status;
    psc_status st;
    char *msg;         /* the reason, in the reader's language where the CLI wrote it */
    char *found;       /* "GPS position, phone model" */
    char *preview_b64; /* NULL when no preview */
    int dw, dh;        /* display size of the photo */
    psc_box *boxes;    /* display-oriented region boxes */
    char **kinds;
    size_t nboxes;
} entry;

struct review {
    entry *v;
    size_t n, cap;
    size_t not_photos; /* files met in folders that are not photos: counted, never shown */
};

review *review_new(void) {
    return calloc(1, sizeof(review));
}

static char *dupstr(const char *s) {
    return s ? strdup(s) : NULL;
}

static char *base64(const unsigned char *p, size_t n) {
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = malloc((n + 2) / 3 * 4 + 1);
    if (o == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        o[k++] = tbl[(v >> 18) & 63];
        o[k++] = tbl[(v >> 12) & 63];
        o[k++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        o[k++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    o[k] = '\0';
    return o;
}

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct stat sb;
    unsigned char *buf = NULL;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size <= MAX_READ &&
        (buf = malloc((size_t)sb.st_size + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)sb.st_size, f);
    }
    fclose(f);
    return buf;
}

void review_add(review *rv, psc_ctx *ctx, const job *j, const outcome *res) {
    if (res->status == OUT_NOT_PHOTO) {
        rv->not_photos++; /* a README.md beside the photos is not a photo to review */
        return;
    }
    if (rv->n == rv->cap) {
        size_t nc = rv->cap ? rv->cap * 2 : 64;
        entry *nv = realloc(rv->v, nc * sizeof *nv);
        if (nv == NULL)
            return;
        rv->v = nv;
        rv->cap = nc;
    }
    entry *e = &rv->v[rv->n++];
    memset(e, 0, sizeof *e);
    e->in = dupstr(j->in);
    e->out = dupstr(res->out ? res->out : j->out);
    e->status = res->status;
    e->st = res->st;
    e->msg = res->msg ? dupstr(outcome_reason(res)) : NULL;
    if (res->rep) {
        char buf[1024];
        found_text(res->rep, buf, sizeof buf);
        e->found = dupstr(buf);
        int sw, sh, o = psc_report_orientation(res->rep);
        psc_report_dimensions(res->rep, &sw, &sh);
        /* The result is upright either by its tag or by rotation: show boxes as a viewer
         * would. After a lossless rotation the stored image is already upright. */
        int rotated = psc_report_orient_action(res->rep) == PSC_ORIENT_ACTION_ROTATED;
        int shown_o = rotated ? 1 : o;
        int rw = (rotated && o >= 5) ? sh : sw, rh = (rotated && o >= 5) ? sw : sh;
        e->dw = shown_o >= 5 ? rh : rw;
        e->dh = shown_o >= 5 ? rw : rh;
        e->nboxes = psc_report_region_count(res->rep);
        e->boxes = calloc(e->nboxes ? e->nboxes : 1, sizeof *e->boxes);
        e->kinds = calloc(e->nboxes ? e->nboxes : 1, sizeof *e->kinds);
        for (size_t i = 0; e->boxes && e->kinds && i < e->nboxes; i++) {
            psc_box b;
            psc_report_region(res->rep, i, &b, NULL, NULL, NULL);
            e->boxes[i] = psc_box_to_display(b, shown_o, rw, rh);
            e->kinds[i] = dupstr(kind_short_label(res->rep, i));
        }
    }
    /* Preview of what will be shared (the result), or of the input for inspect/verify. */
    const char *show =
        (res->status == OUT_OK || res->status == OUT_LEAK || res->status == OUT_SKIPPED)
            ? (res->out ? res->out
               : j->out ? j->out
                        : j->in)
            : NULL;
    if (show != NULL) {
        size_t len = 0;
        unsigned char *data = read_all(show, &len), *jpg = NULL;
        size_t jlen = 0;
        if (data && psc_preview(ctx, data, len, PREVIEW_SIDE, &jpg, &jlen) == PSC_OK)
            e->preview_b64 = base64(jpg, jlen);
        psc_free(jpg);
        free(data);
    }
}

static void html_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* The page's head, title and the date it was written. */
static void write_head(FILE *f) {
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"");
    html_text(f, cli_lang_tag());
    fprintf(f, "\"><head><meta charset=\"utf-8\">\n<title>");
    html_text(f, _("photoscrub review"));
    fprintf(
        f,
        "</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;margin:1.5em;background:#f6f6f6;color:#222}\n"
        "h1{font-size:1.4em} .sum{margin-bottom:1em} .when{color:#666;font-size:13px}\n"
        ".grid{display:flex;flex-wrap:wrap;gap:14px}\n"
        ".photo{background:#fff;border:1px solid #ccc;border-radius:6px;padding:8px;width:380px}\n"
        ".photo.failed{border:2px solid #c00;background:#fff0f0}\n"
        ".pic{position:relative;display:inline-block;line-height:0}\n"
        ".pic img{max-width:360px;max-height:360px}\n"
        ".box{position:absolute;border:2px solid #e00;box-sizing:border-box}\n"
        ".box "
        "span{position:absolute;top:-1.3em;left:-2px;background:#e00;color:#fff;font-size:11px;"
        "line-height:1.2em;padding:0 3px;white-space:nowrap}\n"
        ".name{font-weight:600;word-break:break-all;margin:4px 0}\n"
        ".meta{font-size:13px;color:#444} .err{color:#c00;font-weight:600}\n"
        "</style></head><body>\n<h1>");
    html_text(f, _("photoscrub review"));
    fprintf(f, "</h1>\n");
    char when[128];
    cli_fmt_date(when, sizeof when, time(NULL));
    if (when[0]) {
        fprintf(f, "<p class=\"when\">");
        /* TRANSLATORS: %s is a date and time written by the format "%d %B %Y, %H:%M" above. */
        fprintf(f, _("Written on %s by photoscrub %s."), when, psc_version_string());
        fprintf(f, "</p>\n");
    }
}

/* "4 photos: 3 ready to share, 1 failed; 2 areas hidden." One sentence in parts, each counted
 * in its own plural, with the locale's digit grouping. */
static void write_summary(FILE *f, const review *rv) {
    size_t ok = 0, failed = 0, regions = 0;
    for (size_t i = 0; i < rv->n; i++) {
        ok += rv->v[i].status == OUT_OK;
        failed += rv->v[i].status == OUT_FAILED || rv->v[i].status == OUT_LEAK;
        regions += rv->v[i].nboxes;
    }
    char n_all[48], n_ok[48], n_failed[48], n_regions[48], n_other[48];
    cli_fmt_count(n_all, sizeof n_all, rv->n);
    cli_fmt_count(n_ok, sizeof n_ok, ok);
    cli_fmt_count(n_failed, sizeof n_failed, failed);
    cli_fmt_count(n_regions, sizeof n_regions, regions);
    cli_fmt_count(n_other, sizeof n_other, rv->not_photos);
    fprintf(f, "<p class=\"sum\" id=\"summary\">");
    /* TRANSLATORS: start of the review page summary: "4 photos: 3 ready to share, 1 failed;
       2 areas hidden. Red boxes show what was hidden." */
    fprintf(f, P_("%s photo: ", "%s photos: ", rv->n), n_all);
    fprintf(f, P_("%s ready to share, ", "%s ready to share, ", ok), n_ok);
    fprintf(f, "%s <span class=\"err\">", n_failed);
    html_text(f, P_("failed", "failed", failed));
    fprintf(f, "</span>");
    fprintf(f, P_("; %s area hidden.", "; %s areas hidden.", regions), n_regions);
    fputs(_(" Red boxes show what was hidden."), f);
    if (rv->not_photos)
        fprintf(f,
                P_(" %s other file (not photos) left alone.",
                   " %s other files (not photos) left alone.", rv->not_photos),
                n_other);
    fprintf(f, "</p>\n");
}

/* One photo's card: preview with labelled boxes, names, and what was removed or went wrong. */
static void write_entry(FILE *f, const entry *e) {
    int bad = e->status == OUT_FAILED || e->status == OUT_LEAK;
    fprintf(f, "<div class=\"photo%s\" data-regions=\"%zu\">\n", bad ? " failed" : "", e->nboxes);
    if (e->preview_b64) {
        fprintf(f, "<div class=\"pic\"><img alt=\"");
        html_text(f, _("preview"));
        fprintf(f, "\" src=\"data:image/jpeg;base64,%s\">", e->preview_b64);
        /* CSS numbers: LC_NUMERIC is "C" in this process, so always a decimal point. */
        for (size_t k = 0; e->dw > 0 && e->dh > 0 && k < e->nboxes; k++) {
            const psc_box *b = &e->boxes[k];
            fprintf(
                f,
                "<div class=\"box\" style=\"left:%.2f%%;top:%.2f%%;width:%.2f%%;height:%.2f%%\">"
                "<span class=\"label\">",
                100.0 * b->x / e->dw, 100.0 * b->y / e->dh, 100.0 * b->w / e->dw,
                100.0 * b->h / e->dh);
            html_text(f, e->kinds[k] ? e->kinds[k] : "?");
            fprintf(f, "</span></div>");
        }
        fprintf(f, "</div>\n");
    }
    fprintf(f, "<div class=\"name\">");
    html_text(f, e->out ? e->out : e->in);
    fprintf(f, "</div>\n<div class=\"meta\">");
    /* TRANSLATORS: under a result's name on the review page: the original's path. */
    html_text(f, _("from "));
    html_text(f, e->in);
    fprintf(f, "</div>\n");
    if (bad) {
        char why[2048];
        if (e->status == OUT_LEAK)
            snprintf(why, sizeof why, _("STILL LEAKING: %s"),
                     e->msg     ? e->msg
                     : e->found ? e->found
                                : "");
        else
            snprintf(why, sizeof why, _("NOT scrubbed, do not share: %s: %s"),
                     cli_status_text(e->st), e->msg ? e->msg : "");
        fprintf(f, "<div class=\"err\">");
        html_text(f, why);
        fprintf(f, "</div>\n");
    } else {
        char removed[1200];
        snprintf(removed, sizeof removed, _("Removed: %s"),
                 e->found && *e->found ? e->found : _("no metadata"));
        fprintf(f, "<div class=\"meta\">");
        html_text(f, removed);
        fprintf(f, "</div>\n");
        if (e->status == OUT_SKIPPED) {
            fprintf(f, "<div class=\"meta\">");
            html_text(f, _("Result already existed (kept)."));
            fprintf(f, "</div>\n");
        }
    }
    fprintf(f, "</div>\n");
}

int review_write(const review *rv, const char *path) {
    /* Written beside the final name, then renamed: a half page never replaces a good one. */
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (tmp == NULL)
        return -1;
    snprintf(tmp, pl + 16, "%s.psc-tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        free(tmp);
        return -1;
    }
    write_head(f);
    write_summary(f, rv);
    fprintf(f, "<div class=\"grid\">\n");
    for (size_t i = 0; i < rv->n; i++)
        write_entry(f, &rv->v[i]);
    fprintf(f, "</div>\n</body></html>\n");
    int rc = ferror(f) ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0)
        remove(tmp);
    free(tmp);
    return rc;
}

void review_free(review *rv) {
    if (rv == NULL)
        return;
    for (size_t i = 0; i < rv->n; i++) {
        entry *e = &rv->v[i];
        free(e->in);
        free(e->out);
        free(e->msg);
        free(e->found);
        free(e->preview_b64);
        for (size_t k = 0; e->kinds && k < e->nboxes; k++)
            free(e->kinds[k]);
        free(e->kinds);
        free(e->boxes);
    }
    free(rv->v);
    free(rv);
}
