/*
 * What people read, in their language: gettext for the CLI's own texts and for the library's
 * status and metadata labels (the library stays English, for programs), and numbers and dates
 * in the user's locale. JSON, CSS and the library never see a locale: LC_NUMERIC stays "C".
 */
#ifndef PSC_CLI_I18N_H
#define PSC_CLI_I18N_H

#include <photoscrub/photoscrub.h>

#include <libintl.h>
#include <locale.h>
#include <stddef.h>
#include <time.h>

#define _(s) gettext(s)
#define N_(s) s
#define P_(one, many, n) ngettext(one, many, (unsigned long)(n))

/* setlocale(LC_ALL, "") except LC_NUMERIC, and the message catalogue: PHOTOSCRUB_LOCALEDIR,
 * else the locale folder beside the executable (build tree or relocated install), else the
 * configured install folder. Call once, before any thread starts. */
void cli_i18n_init(void);

/* Language of the messages actually in use, for <html lang>: "fr", or "en" untranslated. */
const char *cli_lang_tag(void);

/* A count with the locale's thousands separator ("12 345" in French). */
void cli_fmt_count(char *buf, size_t size, size_t n);
/* v with one decimal and the locale's decimal mark ("2,5" in French). */
void cli_fmt_decimal(char *buf, size_t size, double v);
/* A date and time as people of the locale write it ("9 mai 2027 à 14:03"). */
void cli_fmt_date(char *buf, size_t size, time_t t);

/* The library's status, region and metadata words for people, translated; the library's
 * English when no translation applies. */
const char *cli_status_text(psc_status st);
const char *cli_meta_text(psc_meta m);
const char *cli_param_help(psc_param p);

/* Library calls run in the C locale (uselocale, this thread only), so that the detail
 * messages the library writes with strerror() stay English like the rest of its messages and
 * JSON reports are the same bytes in every language. Returns the locale to restore. */
locale_t cli_c_locale_enter(void);
void cli_c_locale_leave(locale_t prev);
/* strerror() in English, for messages that go into JSON. */
const char *cli_strerror_en(int err);

/* "photoscrub: " (translated) and the message, on stderr. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
