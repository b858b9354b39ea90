/*
 * The one table of settings: id, name, type, default, bounds and help, integer and text
 * alike, plus the words of the enum-valued ones. The CLI's --help and the man page draw from
 * it through the public queries (tests/cli checks that they agree).
 */
#include "context.h"

#include <stddef.h>
#include <string.h>

#define INT_PARAM(id, name, def, min, max, help)                                                   \
    { id, name, PSC_PARAM_TYPE_INT, def, min, max, NULL, 0, 0, help }
#define STR_PARAM(id, name, sdef, field, help)                                                     \
    {                                                                                              \
        id, name, PSC_PARAM_TYPE_STRING, 0, 0, 0, sdef, offsetof(psc_ctx, field),                  \
            sizeof(((psc_ctx *)0)->field), help                                                    \
    }

static const psci_param_def params[] = {
    INT_PARAM(PSC_PARAM_KEEP_ICC, "keep-icc", 1, 0, 1,
              "keep the ICC colour profile so colours display as before (0 strips it)"),
    INT_PARAM(
        PSC_PARAM_ORIENTATION, "orientation", PSC_ORIENT_TAG, PSC_ORIENT_TAG, PSC_ORIENT_ROTATE,
        "0: keep photos upright with an Orientation-only EXIF tag; 1: rotate JPEGs losslessly"),
    INT_PARAM(PSC_PARAM_REPORT_VALUES, "report-values", 0, 0, 1,
              "include metadata values (personal data) in reports"),
    INT_PARAM(PSC_PARAM_MAX_FILE_MB, "max-file-mb", 256, 1, 4096,
              "largest input file accepted, in MiB"),
    INT_PARAM(PSC_PARAM_MAX_MEGAPIXELS, "max-megapixels", 100, 1, 1000,
              "largest image accepted when pixels must be processed, in megapixels"),
    INT_PARAM(PSC_PARAM_OVERWRITE, "overwrite", 0, 0, 1, "allow replacing an existing output file"),
    INT_PARAM(PSC_PARAM_METADATA_ONLY, "metadata-only", 0, 0, 1,
              "1: strip metadata only, without looking for codes and text in the picture"),
    INT_PARAM(PSC_PARAM_DETECT, "detect", PSC_DETECT_DEFAULT, PSC_DETECT_FAST, PSC_DETECT_THOROUGH,
              "effort finding codes and text: 0 fast, 1 default, 2 thorough"),
    INT_PARAM(PSC_PARAM_STYLE, "style", PSC_STYLE_BLUR, PSC_STYLE_BLUR, PSC_STYLE_PIXELATE,
              "how found regions are hidden: 0 blur, 1 fill, 2 pixelate (all irreversible)"),
    INT_PARAM(PSC_PARAM_FIND_CODES, "find-codes", 1, 0, 1, "look for QR codes and barcodes"),
    INT_PARAM(PSC_PARAM_FIND_TEXT, "find-text", 1, 0, 1, "look for readable text"),
    INT_PARAM(PSC_PARAM_MAX_OCR_SECONDS, "max-ocr-seconds", 120, 1, 3600,
              "OCR time budget per photo; a photo over it fails rather than being left unchecked"),
    STR_PARAM(PSC_PARAM_LANGS, "langs", "eng+fra", langs,
              "OCR languages: Tesseract names joined by + (e.g. eng+fra+deu)"),
    STR_PARAM(PSC_PARAM_TESSDATA, "tessdata", "", tessdata,
              "Tesseract data folder; empty: TESSDATA_PREFIX, then the usual system folders"),
};

#define N_PARAMS (sizeof params / sizeof params[0])

const psci_param_def *psci_param_find(psc_param id) {
    for (size_t i = 0; i < N_PARAMS; i++)
        if (params[i].id == id)
            return &params[i];
    return NULL;
}

void psci_param_defaults(psc_ctx *ctx) {
    for (size_t i = 0; i < N_PARAMS; i++) {
        const psci_param_def *d = &params[i];
        if (d->type == PSC_PARAM_TYPE_INT)
            ctx->param[d->id] = d->def;
        else
            memcpy((char *)ctx + d->ctx_off, d->sdef, strlen(d->sdef) + 1);
    }
}

/* Languages are file names under the data folder: letters, digits, '_' joined by '+'. A
 * folder is any path without control characters (it is handed to Tesseract as is). */
psc_status psci_param_check_str(const psci_param_def *d, const char *value, psci_err *err) {
    size_t n = strlen(value);
    if (d->id == PSC_PARAM_LANGS) {
        if (n == 0 || n >= d->ctx_size)
            return psci_fail(err, PSC_ERR_ARG, "languages: empty or too long");
        for (const char *p = value; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '+'))
                return psci_fail(err, PSC_ERR_ARG, "languages: '%s' is not a list like eng+fra",
                                 value);
        return PSC_OK;
    }
    if (n >= d->ctx_size)
        return psci_fail(err, PSC_ERR_ARG, "setting '%s': longer than %zu bytes", d->name,
                         d->ctx_size - 1);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return psci_fail(err, PSC_ERR_ARG, "setting '%s': control character in the value",
                             d->name);
    return PSC_OK;
}

psc_status psc_param_bounds(psc_param param, long long *min, long long *max, long long *def) {
    const psci_param_def *d = psci_param_find(param);
    if (d == NULL || d->type != PSC_PARAM_TYPE_INT)
        return PSC_ERR_ARG;
    if (min)
        *min = d->min;
    if (max)
        *max = d->max;
    if (def)
        *def = d->def;
    return PSC_OK;
}

psc_status psc_param_by_name(const char *name, psc_param *param) {
    if (name == NULL || param == NULL)
        return PSC_ERR_ARG;
    for (size_t i = 0; i < N_PARAMS; i++)
        if (strcmp(params[i].name, name) == 0) {
            *param = params[i].id;
            return PSC_OK;
        }
    return PSC_ERR_ARG;
}

const char *psc_param_name(psc_param param) {
    const psci_param_def *d = psci_param_find(param);
    return d ? d->name : NULL;
}

const char *psc_param_help(psc_param param) {
    const psci_param_def *d = psci_param_find(param);
    return d ? d->help : NULL;
}

psc_param psc_param_at(size_t i) {
    return i < N_PARAMS ? params[i].id : (psc_param)0;
}

psc_param_type psc_param_type_of(psc_param param) {
    const psci_param_def *d = psci_param_find(param);
    return d ? d->type : PSC_PARAM_TYPE_UNKNOWN;
}

const char *psc_param_default_str(psc_param param) {
    const psci_param_def *d = psci_param_find(param);
    return d && d->type == PSC_PARAM_TYPE_STRING ? d->sdef : NULL;
}

/* The words for enum-valued settings, spelled once here for tools and reports. */
static const char *const detect_names[] = {"fast", "default", "thorough"};
static const char *const style_names[] = {"blur", "fill", "pixelate"};

const char *psc_detect_mode_name(psc_detect_mode mode) {
    return (int)mode >= 0 && (size_t)mode < sizeof detect_names / sizeof *detect_names
               ? detect_names[mode]
               : NULL;
}

const char *psc_style_name(psc_style style) {
    return (int)style >= 0 && (size_t)style < sizeof style_names / sizeof *style_names
               ? style_names[style]
               : NULL;
}
