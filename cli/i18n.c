/*
 * Locale and message catalogue for the CLI, and the translated words for what the library
 * reports in English (status, metadata classes, settings help) through its public accessors.
 */
#include "i18n.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PSC_LOCALEDIR
#define PSC_LOCALEDIR "/usr/local/share/locale"
#endif
#ifndef PSC_LOCALEDIR_FROM_BIN
#define PSC_LOCALEDIR_FROM_BIN "../share/locale"
#endif

/* The user's locale for numbers and dates meant for people; the process keeps LC_NUMERIC
 * "C". Written once by cli_i18n_init before any thread starts, read-only afterwards. */
static locale_t user_locale = (locale_t)0, c_locale = (locale_t)0;

/* The folder holding <lang>/LC_MESSAGES/photoscrub.mo next to this executable, if any. */
static int locale_dir_beside_exe(char *buf, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return 0;
    *slash = '\0';
    int len = snprintf(buf, size, "%s/%s", exe, PSC_LOCALEDIR_FROM_BIN);
    struct stat sb;
    return len > 0 && (size_t)len < size && stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode);
}

void cli_i18n_init(void) {
    setlocale(LC_ALL, "");
    /* Numbers that programs read (JSON, CSS in the review page) and whatever the library and
     * its OCR parse or print keep the C decimal point; people's numbers go through
     * cli_fmt_* with user_locale. */
    setlocale(LC_NUMERIC, "C");
    user_locale = newlocale(LC_ALL_MASK, "", (locale_t)0);
    if (user_locale == (locale_t)0)
        user_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    char dir[PATH_MAX];
    const char *env = getenv("PHOTOSCRUB_LOCALEDIR");
    if (env && *env)
        bindtextdomain("photoscrub", env);
    else if (locale_dir_beside_exe(dir, sizeof dir))
        bindtextdomain("photoscrub", dir);
    else
        bindtextdomain("photoscrub", PSC_LOCALEDIR);
    textdomain("photoscrub");
}

const char *cli_lang_tag(void) {
    /* TRANSLATORS: the language code of this translation (BCP 47: "fr", "de", "pt-BR"); it
       becomes <html lang="..."> of the review page. */
    return _("en");
}

/* The locale's string for item, "" when there is no locale object. */
static const char *langinfo(nl_item item) {
    return user_locale != (locale_t)0 ? nl_langinfo_l(item, user_locale) : "";
}

void cli_fmt_count(char *buf, size_t size, size_t n) {
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%zu", n);
    const char *sep = langinfo(THOUSEP);
    size_t sl = strlen(sep), used = 0;
    for (int i = 0; i < nd && used + sl + 2 <= size; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && sl) {
            memcpy(buf + used, sep, sl);
            used += sl;
        }
        buf[used++] = digits[i];
    }
    buf[size ? (used < size ? used : size - 1) : 0] = '\0';
}

void cli_fmt_decimal(char *buf, size_t size, double v) {
    char num[64];
    snprintf(num, sizeof num, "%.1f", v); /* LC_NUMERIC is "C": the point is '.' */
    const char *radix = langinfo(RADIXCHAR);
    if (*radix == '\0')
        radix = ".";
    char *dot = strchr(num, '.');
    if (dot == NULL) {
        snprintf(buf, size, "%s", num);
        return;
    }
    *dot = '\0';
    snprintf(buf, size, "%s%s%s", num, radix, dot + 1);
}

void cli_fmt_date(char *buf, size_t size, time_t t) {
    struct tm tm;
    buf[0] = '\0';
    if (localtime_r(&t, &tm) == NULL || user_locale == (locale_t)0)
        return;
    /* TRANSLATORS: strftime(3) format of the date and time on the review page. A leading
       zero of the day is dropped ("9 May", not "09 May"). */
    /* xgettext:no-c-format */
    const char *fmt = _("%d %B %Y, %H:%M");
    if (strftime_l(buf, size, fmt, &tm, user_locale) == 0)
        buf[0] = '\0';
    if (buf[0] == '0' && buf[1] >= '1' && buf[1] <= '9')
        memmove(buf, buf + 1, strlen(buf));
}

/* English source texts; they repeat the library's psc_status_str() wording. */
static const char *const status_words[] = {
    [PSC_OK] = N_("success"),
    [PSC_ERR_ARG] = N_("invalid argument"),
    [PSC_ERR_NOMEM] = N_("out of memory"),
    [PSC_ERR_IO] = N_("file read or write error"),
    [PSC_ERR_FORMAT] = N_("unsupported file format"),
    [PSC_ERR_CORRUPT] = N_("file is damaged or truncated"),
    [PSC_ERR_UNSUPPORTED] = N_("unsupported feature in file"),
    [PSC_ERR_LIMIT] = N_("limit exceeded"),
    [PSC_ERR_EXISTS] = N_("output already exists"),
    [PSC_ERR_DETECTOR] = N_("content detector failed"),
    [PSC_ERR_INTERNAL] = N_("internal error"),
    [PSC_ERR_UNSAFE] = N_("result could not be verified clean"),
    [PSC_ERR_CANCELLED] = N_("cancelled by the caller"),
};

/* The translation of en, or the library's own English (lib) when there is none, so that an
 * English run shows exactly what the library says. */
static const char *translated_or(const char *en, const char *lib) {
    const char *t = en ? gettext(en) : NULL;
    return (t && t != en) ? t : lib;
}

const char *cli_status_text(psc_status st) {
    size_t i = (size_t)st;
    const char *en = i < sizeof status_words / sizeof *status_words ? status_words[i] : NULL;
    return translated_or(en, psc_status_str(st));
}

/* English source texts; they repeat the library's psc_meta_label() wording. */
static const char *const meta_words[] = {
    [PSC_META_GPS] = N_("GPS position"),
    [PSC_META_DEVICE] = N_("phone or camera model"),
    [PSC_META_DATETIME] = N_("date and time"),
    [PSC_META_SERIAL] = N_("serial numbers and owner"),
    [PSC_META_AUTHOR] = N_("author and copyright"),
    [PSC_META_SOFTWARE] = N_("software names"),
    [PSC_META_MAKERNOTE] = N_("maker notes"),
    [PSC_META_EXIF] = N_("other EXIF data"),
    [PSC_META_THUMBNAIL] = N_("thumbnail"),
    [PSC_META_XMP] = N_("XMP metadata"),
    [PSC_META_IPTC] = N_("IPTC/Photoshop data"),
    [PSC_META_COMMENT] = N_("comments"),
    [PSC_META_TEXT] = N_("text chunks"),
    [PSC_META_MPF] = N_("secondary images"),
    [PSC_META_TRAILER] = N_("data after the image"),
    [PSC_META_ICC] = N_("colour profile"),
    [PSC_META_UNKNOWN] = N_("unknown data"),
};

const char *cli_meta_text(psc_meta m) {
    size_t i = (size_t)m;
    const char *en = i < sizeof meta_words / sizeof *meta_words ? meta_words[i] : NULL;
    return translated_or(en, psc_meta_label(m));
}

/* Settings help by setting name; the library's table stays the source of names and bounds. */
static const struct {
    const char *name, *help;
} param_words[] = {
    {"keep-icc", N_("keep the ICC colour profile so colours display as before (0 strips it)")},
    {"orientation",
     N_("0: keep photos upright with an Orientation-only EXIF tag; 1: rotate JPEGs losslessly")},
    {"report-values", N_("include metadata values (personal data) in reports")},
    {"max-file-mb", N_("largest input file accepted, in MiB")},
    {"max-megapixels", N_("largest image accepted when pixels must be processed, in megapixels")},
    {"overwrite", N_("allow replacing an existing output file")},
    {"metadata-only",
     N_("1: strip metadata only, without looking for codes and text in the picture")},
    {"detect", N_("effort finding codes and text: 0 fast, 1 default, 2 thorough")},
    {"style", N_("how found regions are hidden: 0 blur, 1 fill, 2 pixelate (all irreversible)")},
    {"find-codes", N_("look for QR codes and barcodes")},
    {"find-text", N_("look for readable text")},
    {"max-ocr-seconds",
     N_("OCR time budget per photo; a photo over it fails rather than being left unchecked")},
    {"langs", N_("OCR languages: Tesseract names joined by + (e.g. eng+fra+deu)")},
    {"tessdata",
     N_("Tesseract data folder; empty: TESSDATA_PREFIX, then the usual system folders")},
};

const char *cli_param_help(psc_param p) {
    const char *name = psc_param_name(p);
    for (size_t i = 0; name && i < sizeof param_words / sizeof *param_words; i++)
        if (strcmp(name, param_words[i].name) == 0)
            return translated_or(param_words[i].help, psc_param_help(p));
    return psc_param_help(p);
}

locale_t cli_c_locale_enter(void) {
    return c_locale != (locale_t)0 ? uselocale(c_locale) : (locale_t)0;
}

void cli_c_locale_leave(locale_t prev) {
    if (prev != (locale_t)0)
        uselocale(prev);
}

const char *cli_strerror_en(int err) {
    return c_locale != (locale_t)0 ? strerror_l(err, c_locale) : strerror(err);
}

void cli_say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    /* TRANSLATORS: the start of every message on standard error. */
    fputs(_("photoscrub: "), stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
