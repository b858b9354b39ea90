/*
 * The one table of settings: id, name, default, bounds and help. The CLI's --help and the
 * man page draw from it through the public bounds/name/help queries.
 */
#include "context.h"

#include <string.h>

static const psci_param_def params[] = {
    {PSC_PARAM_KEEP_ICC, "keep-icc", 1, 0, 1,
     "keep the ICC colour profile so colours display as before (0 strips it)"},
    {PSC_PARAM_ORIENTATION, "orientation", PSC_ORIENT_TAG, PSC_ORIENT_TAG, PSC_ORIENT_ROTATE,
     "0: keep photos upright with an Orientation-only EXIF tag; 1: rotate JPEGs losslessly"},
    {PSC_PARAM_REPORT_VALUES, "report-values", 0, 0, 1,
     "include metadata values (personal data) in reports"},
    {PSC_PARAM_MAX_FILE_MB, "max-file-mb", 256, 1, 4096, "largest input file accepted, in MiB"},
    {PSC_PARAM_MAX_MEGAPIXELS, "max-megapixels", 100, 1, 1000,
     "largest image accepted when pixels must be processed, in megapixels"},
    {PSC_PARAM_OVERWRITE, "overwrite", 0, 0, 1, "allow replacing an existing output file"},
    {PSC_PARAM_METADATA_ONLY, "metadata-only", 0, 0, 1,
     "1: strip metadata only, without looking for codes and text in the picture"},
    {PSC_PARAM_DETECT, "detect", PSC_DETECT_DEFAULT, PSC_DETECT_FAST, PSC_DETECT_THOROUGH,
     "effort finding codes and text: 0 fast, 1 default, 2 thorough"},
    {PSC_PARAM_STYLE, "style", PSC_STYLE_BLUR, PSC_STYLE_BLUR, PSC_STYLE_PIXELATE,
     "how found regions are hidden: 0 blur, 1 fill, 2 pixelate (all irreversible)"},
    {PSC_PARAM_FIND_CODES, "find-codes", 1, 0, 1, "look for QR codes and barcodes"},
    {PSC_PARAM_FIND_TEXT, "find-text", 1, 0, 1, "look for readable text"},
    {PSC_PARAM_MAX_OCR_SECONDS, "max-ocr-seconds", 120, 1, 3600,
     "OCR time budget per photo; a photo over it fails rather than being left unchecked"},
};

#define N_PARAMS (sizeof params / sizeof params[0])

const psci_param_def *psci_param_find(psc_param id) {
    for (size_t i = 0; i < N_PARAMS; i++)
        if (params[i].id == id)
            return &params[i];
    return NULL;
}

void psci_param_defaults(psc_ctx *ctx) {
    for (size_t i = 0; i < N_PARAMS; i++)
        ctx->param[params[i].id] = params[i].def;
}

psc_status psc_param_bounds(psc_param param, long long *min, long long *max, long long *def) {
    const psci_param_def *d = psci_param_find(param);
    if (d == NULL)
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
