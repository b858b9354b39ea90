/*
 * The report object handed to callers and its JSON form (schema in docs/REPORT.md).
 * Values of metadata are stored only when the caller asked for them.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct removed_item {
    char *what;
    psc_meta cls;
    size_t offset, bytes;
} removed_item;

typedef struct region_item {
    psc_box box;
    const char *kind, *detector, *symbology;
    float conf;
} region_item;

typedef struct value_item {
    char *name;
    char *value;
} value_item;

struct psc_report {
    const char *format;
    const char *output_format; /* NULL: same as format */
    size_t found[PSC_META_COUNT_];
    removed_item *removed;
    size_t n_removed, cap_removed;
    value_item *values;
    size_t n_values, cap_values;
    char **notes;
    size_t n_notes, cap_notes;
    region_item *regions;
    size_t n_regions, cap_regions;
    const char *detection; /* NULL: pixels not examined */
    size_t bytes_in, bytes_out;
    int width, height;
    int orientation;
    psc_orient_action orient_action;
    psci_icc_state icc;
};

static const struct {
    const char *name;
    const char *label;
} meta_names[PSC_META_COUNT_] = {
    [PSC_META_GPS] = {"gps", "GPS position"},
    [PSC_META_DEVICE] = {"device", "phone or camera model"},
    [PSC_META_DATETIME] = {"datetime", "date and time"},
    [PSC_META_SERIAL] = {"serial", "serial numbers and owner"},
    [PSC_META_AUTHOR] = {"author", "author and copyright"},
    [PSC_META_SOFTWARE] = {"software", "software names"},
    [PSC_META_MAKERNOTE] = {"makernote", "maker notes"},
    [PSC_META_EXIF] = {"exif", "other EXIF data"},
    [PSC_META_THUMBNAIL] = {"thumbnail", "thumbnail"},
    [PSC_META_XMP] = {"xmp", "XMP metadata"},
    [PSC_META_IPTC] = {"iptc", "IPTC/Photoshop data"},
    [PSC_META_COMMENT] = {"comment", "comments"},
    [PSC_META_TEXT] = {"text", "text chunks"},
    [PSC_META_MPF] = {"mpf", "secondary images"},
    [PSC_META_TRAILER] = {"trailer", "data after the image"},
    [PSC_META_ICC] = {"icc", "colour profile"},
    [PSC_META_UNKNOWN] = {"unknown", "unknown data"},
};

_Static_assert(PSC_ICC_ACTION_NONE == (int)PSCI_ICC_NONE &&
                   PSC_ICC_ACTION_KEPT == (int)PSCI_ICC_KEPT &&
                   PSC_ICC_ACTION_STRIPPED == (int)PSCI_ICC_STRIPPED,
               "the public ICC actions mirror the pipeline's states");

/* Region kinds, indexed by psc_region_kind: the words reports and tools use. */
static const char *const kind_names[] = {"qr", "barcode", "matrix", "text"};

const char *psc_region_kind_name(psc_region_kind kind) {
    return (int)kind >= 0 && (size_t)kind < sizeof kind_names / sizeof *kind_names
               ? kind_names[kind]
               : NULL;
}

size_t psc_meta_count(void) {
    return PSC_META_COUNT_;
}

const char *psc_meta_name(psc_meta m) {
    if ((int)m < 0 || m >= PSC_META_COUNT_)
        return NULL;
    return meta_names[m].name;
}

const char *psc_meta_label(psc_meta m) {
    if ((int)m < 0 || m >= PSC_META_COUNT_)
        return NULL;
    return meta_names[m].label;
}

psc_report *psci_report_new(const char *format) {
    psc_report *rep = calloc(1, sizeof *rep);
    if (rep == NULL)
        return NULL;
    rep->format = format;
    rep->orientation = 1;
    return rep;
}

void psc_report_free(psc_report *rep) {
    if (rep == NULL)
        return;
    for (size_t i = 0; i < rep->n_removed; i++)
        free(rep->removed[i].what);
    for (size_t i = 0; i < rep->n_values; i++) {
        free(rep->values[i].name);
        free(rep->values[i].value);
    }
    for (size_t i = 0; i < rep->n_notes; i++)
        free(rep->notes[i]);
    free(rep->removed);
    free(rep->values);
    free(rep->notes);
    free(rep->regions);
    free(rep);
}

/* Grows an array of elem-sized items to hold one more. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem) {
    if (n < *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 8, bytes;
    if (!psci_size_mul(ncap, elem, &bytes))
        return 0;
    void *p = realloc(*arr, bytes);
    if (p == NULL)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

static char *dup_bounded(const char *s, size_t max) {
    size_t n = strnlen(s, max);
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void psci_report_found(psc_report *rep, psc_meta m) {
    if (rep != NULL && (int)m >= 0 && m < PSC_META_COUNT_)
        rep->found[m]++;
}

psc_status psci_report_removed(psc_report *rep, const char *what, psc_meta cls, size_t offset,
                               size_t bytes, psci_err *err) {
    if (!grow((void **)&rep->removed, &rep->cap_removed, rep->n_removed, sizeof *rep->removed))
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    char *w = dup_bounded(what, 200);
    if (w == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    rep->removed[rep->n_removed++] = (removed_item){w, cls, offset, bytes};
    return PSC_OK;
}

psc_status psci_report_value(psc_report *rep, const char *name, const char *value, psci_err *err) {
    if (!grow((void **)&rep->values, &rep->cap_values, rep->n_values, sizeof *rep->values))
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    char *n = dup_bounded(name, 100), *v = dup_bounded(value, 1000);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    }
    rep->values[rep->n_values++] = (value_item){n, v};
    return PSC_OK;
}

psc_status psci_report_note(psc_report *rep, const char *note, psci_err *err) {
    if (!grow((void **)&rep->notes, &rep->cap_notes, rep->n_notes, sizeof *rep->notes))
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    char *n = dup_bounded(note, 600);
    if (n == NULL)
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    rep->notes[rep->n_notes++] = n;
    return PSC_OK;
}

psc_status psci_report_region(psc_report *rep, int x, int y, int w, int h, const char *kind,
                              const char *detector, const char *symbology, float conf,
                              psci_err *err) {
    if (!grow((void **)&rep->regions, &rep->cap_regions, rep->n_regions, sizeof *rep->regions))
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory in report");
    rep->regions[rep->n_regions++] = (region_item){{x, y, w, h}, kind, detector, symbology, conf};
    return PSC_OK;
}

void psci_report_set_detection(psc_report *rep, const char *mode) {
    rep->detection = mode;
}

size_t psc_report_region_count(const psc_report *rep) {
    return rep ? rep->n_regions : 0;
}

psc_status psc_report_region(const psc_report *rep, size_t i, psc_box *box, const char **kind,
                             const char **detector, float *conf) {
    if (rep == NULL || i >= rep->n_regions)
        return PSC_ERR_ARG;
    const region_item *r = &rep->regions[i];
    if (box)
        *box = r->box;
    if (kind)
        *kind = r->kind;
    if (detector)
        *detector = r->detector;
    if (conf)
        *conf = r->conf;
    return PSC_OK;
}

psc_status psc_report_region_kind(const psc_report *rep, size_t i, psc_region_kind *kind) {
    if (rep == NULL || kind == NULL || i >= rep->n_regions || rep->regions[i].kind == NULL)
        return PSC_ERR_ARG;
    for (size_t k = 0; k < sizeof kind_names / sizeof *kind_names; k++)
        if (strcmp(rep->regions[i].kind, kind_names[k]) == 0) {
            *kind = (psc_region_kind)k;
            return PSC_OK;
        }
    return PSC_ERR_ARG;
}

psc_status psc_report_region_symbology(const psc_report *rep, size_t i, const char **symbology) {
    if (rep == NULL || symbology == NULL || i >= rep->n_regions)
        return PSC_ERR_ARG;
    *symbology = rep->regions[i].symbology;
    return PSC_OK;
}

size_t psc_report_note_count(const psc_report *rep) {
    return rep ? rep->n_notes : 0;
}

const char *psc_report_note(const psc_report *rep, size_t i) {
    return rep && i < rep->n_notes ? rep->notes[i] : NULL;
}

size_t psc_report_value_count(const psc_report *rep) {
    return rep ? rep->n_values : 0;
}

psc_status psc_report_value(const psc_report *rep, size_t i, const char **name,
                            const char **value) {
    if (rep == NULL || i >= rep->n_values)
        return PSC_ERR_ARG;
    if (name)
        *name = rep->values[i].name;
    if (value)
        *value = rep->values[i].value;
    return PSC_OK;
}

psc_icc_action psc_report_icc_action(const psc_report *rep) {
    return rep ? (psc_icc_action)rep->icc : PSC_ICC_ACTION_NONE;
}

const char *psc_report_detection(const psc_report *rep) {
    return rep ? rep->detection : NULL;
}

/* The verdict `photoscrub verify` gives: nothing but the colour profile (kept by choice) and
 * an orientation-only EXIF (not counted as found) may remain, and no detector finds anything. */
int psc_report_is_clean(const psc_report *rep) {
    if (rep == NULL)
        return 0;
    for (int m = 0; m < PSC_META_COUNT_; m++)
        if (m != PSC_META_ICC && rep->found[m])
            return 0;
    return rep->n_regions == 0;
}

/* File extension for each output format the library writes. */
static const char *format_extension(const char *format) {
    static const struct {
        const char *format, *ext;
    } exts[] = {{"jpeg", ".jpg"}, {"png", ".png"}, {"heif", ".heic"}};
    for (size_t i = 0; format && i < sizeof exts / sizeof *exts; i++)
        if (strcmp(format, exts[i].format) == 0)
            return exts[i].ext;
    return NULL;
}

psc_status psc_report_output_name(const psc_report *rep, const char *name, char *buf, size_t size) {
    if (rep == NULL || name == NULL || buf == NULL || size == 0)
        return PSC_ERR_ARG;
    const char *of = psc_report_output_format(rep);
    const char *ext = NULL;
    if (of != NULL && rep->format != NULL && strcmp(of, rep->format) != 0)
        ext = format_extension(of);
    size_t stem = strlen(name);
    if (ext != NULL) {
        const char *slash = strrchr(name, '/');
        const char *dot = strrchr(name, '.');
        if (dot && (!slash || dot > slash))
            stem = (size_t)(dot - name);
    }
    size_t elen = ext ? strlen(ext) : 0;
    if (stem + elen >= size)
        return PSC_ERR_LIMIT;
    memmove(buf, name, stem);
    if (ext)
        memcpy(buf + stem, ext, elen);
    buf[stem + elen] = '\0';
    return PSC_OK;
}

void psci_report_set_dims(psc_report *rep, int width, int height) {
    rep->width = width;
    rep->height = height;
}

void psc_report_dimensions(const psc_report *rep, int *width, int *height) {
    if (width)
        *width = rep ? rep->width : 0;
    if (height)
        *height = rep ? rep->height : 0;
}

void psci_report_set_sizes(psc_report *rep, size_t in, size_t out) {
    rep->bytes_in = in;
    rep->bytes_out = out;
}

void psci_report_set_orientation(psc_report *rep, int input, psc_orient_action action) {
    rep->orientation = input;
    rep->orient_action = action;
}

void psci_report_set_icc(psc_report *rep, psci_icc_state st) {
    rep->icc = st;
}

const char *psc_report_format(const psc_report *rep) {
    return rep ? rep->format : NULL;
}

void psci_report_set_output_format(psc_report *rep, const char *format) {
    rep->output_format = format;
}

const char *psc_report_output_format(const psc_report *rep) {
    if (rep == NULL)
        return NULL;
    return rep->output_format ? rep->output_format : rep->format;
}

size_t psc_report_found(const psc_report *rep, psc_meta m) {
    if (rep == NULL || (int)m < 0 || m >= PSC_META_COUNT_)
        return 0;
    return rep->found[m];
}

size_t psc_report_bytes_in(const psc_report *rep) {
    return rep ? rep->bytes_in : 0;
}

size_t psc_report_bytes_out(const psc_report *rep) {
    return rep ? rep->bytes_out : 0;
}

int psc_report_orientation(const psc_report *rep) {
    return rep ? rep->orientation : 1;
}

psc_orient_action psc_report_orient_action(const psc_report *rep) {
    return rep ? rep->orient_action : PSC_ORIENT_ACTION_NONE;
}

size_t psc_report_removed_count(const psc_report *rep) {
    return rep ? rep->n_removed : 0;
}

psc_status psc_report_removed(const psc_report *rep, size_t i, const char **what, psc_meta *cls,
                              size_t *offset, size_t *bytes) {
    if (rep == NULL || i >= rep->n_removed)
        return PSC_ERR_ARG;
    const removed_item *it = &rep->removed[i];
    if (what)
        *what = it->what;
    if (cls)
        *cls = it->cls;
    if (offset)
        *offset = it->offset;
    if (bytes)
        *bytes = it->bytes;
    return PSC_OK;
}

/* ---- JSON writer: strings escaped per RFC 8259; invalid UTF-8 bytes become U+FFFD. */

static psc_status json_str(psci_buf *b, const char *s, psci_err *err) {
    psc_status st = psci_buf_byte(b, '"', err);
    const unsigned char *p = (const unsigned char *)s;
    while (st == PSC_OK && *p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            unsigned char e[2] = {'\\', c};
            st = psci_buf_append(b, e, 2, err);
            p++;
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            st = psci_buf_append(b, e, 6, err);
            p++;
        } else if (c < 0x80) {
            st = psci_buf_byte(b, c, err);
            p++;
        } else {
            /* Validate one UTF-8 sequence; copy it or emit U+FFFD. */
            size_t n = (c >= 0xF0 && c <= 0xF4)  ? 4
                       : (c >= 0xE0)             ? 3
                       : (c >= 0xC2 && c < 0xE0) ? 2
                                                 : 0;
            size_t k = 1;
            while (n && k < n && (p[k] & 0xC0) == 0x80)
                k++;
            if (n && k == n) {
                st = psci_buf_append(b, p, n, err);
                p += n;
            } else {
                st = psci_buf_append(b, "\xEF\xBF\xBD", 3, err);
                p++;
            }
        }
    }
    if (st == PSC_OK)
        st = psci_buf_byte(b, '"', err);
    return st;
}

static psc_status json_raw(psci_buf *b, const char *s, psci_err *err) {
    return psci_buf_append(b, s, strlen(s), err);
}

static psc_status json_fmt(psci_buf *b, psci_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static psc_status json_fmt(psci_buf *b, psci_err *err, const char *fmt, ...) {
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return psci_fail(err, PSC_ERR_INTERNAL, "json: formatted number too long");
    return psci_buf_append(b, tmp, (size_t)n, err);
}

static const char *orient_action_name(psc_orient_action a) {
    switch (a) {
    case PSC_ORIENT_ACTION_TAGGED: return "tagged";
    case PSC_ORIENT_ACTION_ROTATED: return "rotated";
    default: return "none";
    }
}

static psc_status write_json(const psc_report *rep, psci_buf *b, psci_err *err) {
    static const char *icc_names[] = {"none", "kept", "stripped"};
    psc_status st = json_raw(b, "{\"format\":", err);
    if (st == PSC_OK)
        st = json_str(b, rep->format ? rep->format : "unknown", err);
    if (st == PSC_OK)
        st = json_raw(b, ",\"output_format\":", err);
    if (st == PSC_OK)
        st = json_str(b, psc_report_output_format(rep) ? psc_report_output_format(rep) : "unknown",
                      err);
    if (st == PSC_OK)
        st = json_fmt(b, err, ",\"bytes_in\":%zu,\"bytes_out\":%zu", rep->bytes_in, rep->bytes_out);
    if (st == PSC_OK)
        st = json_fmt(b, err, ",\"width\":%d,\"height\":%d", rep->width, rep->height);
    if (st == PSC_OK)
        st = json_fmt(b, err, ",\"gps_present\":%s", rep->found[PSC_META_GPS] ? "true" : "false");
    if (st == PSC_OK)
        st = json_raw(b, ",\"found\":{", err);
    int first = 1;
    for (int m = 0; st == PSC_OK && m < PSC_META_COUNT_; m++) {
        if (!rep->found[m])
            continue;
        if (!first)
            st = json_raw(b, ",", err);
        first = 0;
        if (st == PSC_OK)
            st = json_str(b, meta_names[m].name, err);
        if (st == PSC_OK)
            st = json_fmt(b, err, ":%zu", rep->found[m]);
    }
    if (st == PSC_OK)
        st = json_raw(b, "},\"removed\":[", err);
    for (size_t i = 0; st == PSC_OK && i < rep->n_removed; i++) {
        const removed_item *it = &rep->removed[i];
        if (i)
            st = json_raw(b, ",", err);
        if (st == PSC_OK)
            st = json_raw(b, "{\"what\":", err);
        if (st == PSC_OK)
            st = json_str(b, it->what, err);
        if (st == PSC_OK)
            st = json_raw(b, ",\"class\":", err);
        if (st == PSC_OK)
            st = json_str(b, meta_names[it->cls].name, err);
        if (st == PSC_OK)
            st = json_fmt(b, err, ",\"offset\":%zu,\"bytes\":%zu}", it->offset, it->bytes);
    }
    if (st == PSC_OK)
        st = json_fmt(b, err, "],\"orientation\":{\"input\":%d,\"action\":\"%s\"}",
                      rep->orientation, orient_action_name(rep->orient_action));
    if (st == PSC_OK)
        st = json_fmt(b, err, ",\"icc\":\"%s\"", icc_names[rep->icc]);
    if (st == PSC_OK)
        st = json_raw(b, ",\"detection\":", err);
    if (st == PSC_OK)
        st = rep->detection ? json_str(b, rep->detection, err) : json_raw(b, "null", err);
    if (st == PSC_OK)
        st = json_raw(b, ",\"regions\":[", err);
    for (size_t i = 0; st == PSC_OK && i < rep->n_regions; i++) {
        const region_item *r = &rep->regions[i];
        if (i)
            st = json_raw(b, ",", err);
        if (st == PSC_OK)
            st = json_fmt(b, err, "{\"kind\":\"%s\",\"box\":[%d,%d,%d,%d],", r->kind, r->box.x,
                          r->box.y, r->box.w, r->box.h);
        if (st == PSC_OK)
            st = json_fmt(b, err, "\"detector\":\"%s\",\"confidence\":%.0f", r->detector,
                          (double)r->conf);
        if (st == PSC_OK && r->symbology)
            st = json_fmt(b, err, ",\"symbology\":\"%s\"", r->symbology);
        if (st == PSC_OK)
            st = json_raw(b, "}", err);
    }
    if (st == PSC_OK)
        st = json_raw(b, "]", err);
    if (st == PSC_OK && rep->n_notes) {
        st = json_raw(b, ",\"notes\":[", err);
        for (size_t i = 0; st == PSC_OK && i < rep->n_notes; i++) {
            if (i)
                st = json_raw(b, ",", err);
            if (st == PSC_OK)
                st = json_str(b, rep->notes[i], err);
        }
        if (st == PSC_OK)
            st = json_raw(b, "]", err);
    }
    if (st == PSC_OK && rep->n_values) {
        st = json_raw(b, ",\"values\":[", err);
        for (size_t i = 0; st == PSC_OK && i < rep->n_values; i++) {
            if (i)
                st = json_raw(b, ",", err);
            if (st == PSC_OK)
                st = json_raw(b, "{\"name\":", err);
            if (st == PSC_OK)
                st = json_str(b, rep->values[i].name, err);
            if (st == PSC_OK)
                st = json_raw(b, ",\"value\":", err);
            if (st == PSC_OK)
                st = json_str(b, rep->values[i].value, err);
            if (st == PSC_OK)
                st = json_raw(b, "}", err);
        }
        if (st == PSC_OK)
            st = json_raw(b, "]", err);
    }
    if (st == PSC_OK)
        st = json_raw(b, "}", err);
    if (st == PSC_OK)
        st = psci_buf_byte(b, '\0', err);
    return st;
}

psc_status psc_report_json(const psc_report *rep, char **json, size_t *len) {
    if (json)
        *json = NULL;
    if (rep == NULL || json == NULL)
        return PSC_ERR_ARG;
    psci_buf b;
    psci_buf_init(&b);
    psci_err err;
    psci_err_clear(&err);
    psc_status st = write_json(rep, &b, &err);
    if (st != PSC_OK) {
        psci_buf_free(&b);
        return st;
    }
    unsigned char *data;
    size_t n;
    psci_buf_take(&b, &data, &n);
    *json = (char *)data;
    if (len)
        *len = n - 1;
    return PSC_OK;
}
