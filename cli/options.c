/*
 * argv -> options and library settings (curl's tool_getparam.c in small): long options are
 * turned into psc_ctx_set calls on a template context here and nowhere else.
 */
#include "options.h"
#include "i18n.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage_settings(FILE *f) {
    for (size_t i = 0;; i++) {
        psc_param p = psc_param_at(i);
        if (p == 0)
            break;
        long long mn, mx, def;
        int text = psc_param_type_of(p) == PSC_PARAM_TYPE_STRING;
        if (!text && psc_param_bounds(p, &mn, &mx, &def) != PSC_OK)
            continue;
        fprintf(f, "  %-16s %s ", psc_param_name(p), cli_param_help(p));
        if (text)
            fprintf(f, _("[text, default \"%s\"]\n"), psc_param_default_str(p));
        else
            fprintf(f, _("[%lld..%lld, default %lld]\n"), mn, mx, def);
    }
}

/* --help in paragraphs, each one message for translators; option names, words given to
 * options and setting names stay as typed. */
void cli_usage(FILE *f) {
    fputs(
        _("Usage: photoscrub [OPTIONS] PATH...          make photos safe to share\n"
          "       photoscrub inspect [OPTIONS] PATH...  list privacy-relevant metadata, change "
          "nothing\n"
          "       photoscrub verify [OPTIONS] PATH...   check results: exit 1 if metadata, a code\n"
          "                                             or readable text is found\n"
          "       photoscrub watch [OPTIONS] INBOX OUTBOX   scrub each photo arriving in INBOX\n"),
        f);
    fputs("\n", f);
    fputs(_("Removes location, device, dates, serial numbers, thumbnails, comments, XMP/IPTC,\n"
            "secondary images and motion-photo videos from JPEG and PNG photos, and hides QR\n"
            "codes, barcodes and readable text in the picture. Outside hidden areas nothing is\n"
            "re-encoded: the pixels stay exactly as they were, and photos stay upright.\n"),
          f);
    fputs("\n", f);
    fputs(_("Where results go (originals are never changed unless --in-place):\n"
            "  a folder X      -> X-scrubbed/ beside it, same tree inside\n"
            "  a file D/F.jpg  -> D/scrubbed/F.jpg\n"
            "  -o, --output DIR    put results in DIR instead (folders: DIR/<path inside X>)\n"
            "      --in-place      replace the originals (atomically)\n"
            "  -f, --force         overwrite existing results (else they are kept and skipped,\n"
            "                      so running again resumes an interrupted batch)\n"
            "      --rename        give results neutral names (photo-0001.jpg): names like\n"
            "                      IMG_20211027_143512.jpg reveal when a photo was taken\n"),
          f);
    fputs("\n", f);
    fprintf(f,
            _("What is hidden in the picture (default: QR codes, barcodes and readable text):\n"
              "      --metadata-only strip metadata only; do not look at the picture\n"
              "      --detect MODE   %s | %s | %s: time spent looking\n"
              "      --style STYLE   %s (default) | %s | %s: how regions are hidden\n"
              "      --lang LANGS    OCR languages, Tesseract names joined by + (default %s)\n"
              "      --no-text       do not look for text;  --no-codes  do not look for codes\n"),
            psc_detect_mode_name(PSC_DETECT_FAST), psc_detect_mode_name(PSC_DETECT_DEFAULT),
            psc_detect_mode_name(PSC_DETECT_THOROUGH), psc_style_name(PSC_STYLE_BLUR),
            psc_style_name(PSC_STYLE_FILL), psc_style_name(PSC_STYLE_PIXELATE),
            psc_param_default_str(PSC_PARAM_LANGS));
    fputs("\n", f);
    fputs(_("What is kept:\n"
            "      --strip-icc     also remove the colour profile (colours may shift)\n"
            "      --rotate        rotate sideways JPEGs losslessly instead of keeping an\n"
            "                      Orientation tag\n"),
          f);
    fputs("\n", f);
    fputs(_("Running and reporting:\n"
            "  -j, --jobs N        files in parallel (default: number of cores)\n"
            "      --review FILE   write an HTML page showing each result and what was hidden\n"
            "      --json          one JSON object per file on stdout, then a summary object\n"
            "      --values        include metadata values in reports (personal data!)\n"
            "  -q, --quiet         print only errors and the summary\n"
            "      --pause         wait for Enter before exiting (for drag-and-drop launchers)\n"
            "      --delete-originals  watch: delete originals instead of moving them to .done/\n"
            "      --set NAME=VALUE  change a library setting (below)\n"
            "  -h, --help          this help;  -V, --version  the version\n"),
          f);
    fputs("\n", f);
    fputs(_("Library settings (--set NAME=VALUE):\n"), f);
    usage_settings(f);
    fputs("\n", f);
    fputs(_("Exit status: 0 every photo is clean, 1 some failed (each is named), 2 usage error.\n"
            "See photoscrub(1).\n"),
          f);
}

static int set_param(psc_ctx *ctx, const char *name, long long v) {
    psc_param p;
    if (psc_param_by_name(name, &p) != PSC_OK) {
        cli_say(_("unknown setting '%s' (see --help)\n"), name);
        return -1;
    }
    if (psc_ctx_set(ctx, p, v) != PSC_OK) {
        cli_say("%s\n", psc_ctx_errmsg(ctx));
        return -1;
    }
    return 0;
}

/* Maps a word to its value through the library's names (name_of(i) is NULL past the last)
 * and sets the setting. */
static int set_choice(psc_ctx *ctx, const char *name, const char *word,
                      const char *(*name_of)(int)) {
    for (int i = 0; name_of(i); i++)
        if (strcmp(word, name_of(i)) == 0)
            return set_param(ctx, name, i);
    cli_say(_("--%s: '%s' is not one of:"), name, word);
    for (int i = 0; name_of(i); i++)
        fprintf(stderr, " %s", name_of(i));
    fputc('\n', stderr);
    return -1;
}

static const char *detect_word(int i) {
    return psc_detect_mode_name((psc_detect_mode)i);
}

static const char *style_word(int i) {
    return psc_style_name((psc_style)i);
}

/* --set NAME=VALUE: a whole number for number settings, the text as is for text settings. */
static int parse_set(psc_ctx *ctx, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        cli_say(_("--set wants NAME=VALUE, got '%s'\n"), arg);
        return -1;
    }
    char name[64];
    size_t nl = (size_t)(eq - arg);
    if (nl >= sizeof name) {
        cli_say(_("unknown setting '%.*s'\n"), (int)nl, arg);
        return -1;
    }
    memcpy(name, arg, nl);
    name[nl] = '\0';
    psc_param p;
    if (psc_param_by_name(name, &p) == PSC_OK && psc_param_type_of(p) == PSC_PARAM_TYPE_STRING) {
        if (psc_ctx_set_str(ctx, p, eq + 1) == PSC_OK)
            return 0;
        cli_say("%s\n", psc_ctx_errmsg(ctx));
        return -1;
    }
    char *end;
    errno = 0;
    long long v = strtoll(eq + 1, &end, 10);
    if (errno || *end) {
        cli_say(_("--set %s: '%s' is not a whole number\n"), name, eq + 1);
        return -1;
    }
    return set_param(ctx, name, v);
}

psc_ctx *cli_ctx_clone(const options *o) {
    psc_ctx *ctx = psc_ctx_new();
    if (ctx == NULL)
        return NULL;
    for (size_t i = 0; psc_param_at(i) != 0; i++) {
        psc_param p = psc_param_at(i);
        long long v;
        const char *s;
        if (psc_ctx_get(o->tmpl, p, &v) == PSC_OK)
            psc_ctx_set(ctx, p, v);
        else if (psc_ctx_get_str(o->tmpl, p, &s) == PSC_OK)
            psc_ctx_set_str(ctx, p, s);
    }
    return ctx;
}

enum {
    OPT_IN_PLACE = 256,
    OPT_METADATA_ONLY,
    OPT_STRIP_ICC,
    OPT_ROTATE,
    OPT_RENAME,
    OPT_JSON,
    OPT_VALUES,
    OPT_SET,
    OPT_DETECT,
    OPT_STYLE,
    OPT_LANG,
    OPT_NO_TEXT,
    OPT_NO_CODES,
    OPT_REVIEW,
    OPT_PAUSE,
    OPT_DELETE
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"in-place", no_argument, NULL, OPT_IN_PLACE},
    {"force", no_argument, NULL, 'f'},
    {"rename", no_argument, NULL, OPT_RENAME},
    {"metadata-only", no_argument, NULL, OPT_METADATA_ONLY},
    {"strip-icc", no_argument, NULL, OPT_STRIP_ICC},
    {"rotate", no_argument, NULL, OPT_ROTATE},
    {"json", no_argument, NULL, OPT_JSON},
    {"values", no_argument, NULL, OPT_VALUES},
    {"quiet", no_argument, NULL, 'q'},
    {"set", required_argument, NULL, OPT_SET},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"detect", required_argument, NULL, OPT_DETECT},
    {"style", required_argument, NULL, OPT_STYLE},
    {"lang", required_argument, NULL, OPT_LANG},
    {"no-text", no_argument, NULL, OPT_NO_TEXT},
    {"no-codes", no_argument, NULL, OPT_NO_CODES},
    {"jobs", required_argument, NULL, 'j'},
    {"review", required_argument, NULL, OPT_REVIEW},
    {"pause", no_argument, NULL, OPT_PAUSE},
    {"delete-originals", no_argument, NULL, OPT_DELETE},
    {NULL, 0, NULL, 0},
};

/* Options that become library settings. Returns 0, -1 (bad value, said), or 1 (not one). */
static int apply_setting(psc_ctx *ctx, int c, const char *arg) {
    switch (c) {
    case OPT_METADATA_ONLY: return set_param(ctx, "metadata-only", 1);
    case OPT_STRIP_ICC: return set_param(ctx, "keep-icc", 0);
    case OPT_ROTATE: return set_param(ctx, "orientation", PSC_ORIENT_ROTATE);
    case OPT_DETECT: return set_choice(ctx, "detect", arg, detect_word);
    case OPT_STYLE: return set_choice(ctx, "style", arg, style_word);
    case OPT_NO_TEXT: return set_param(ctx, "find-text", 0);
    case OPT_NO_CODES: return set_param(ctx, "find-codes", 0);
    case OPT_SET: return parse_set(ctx, arg);
    case OPT_LANG:
        if (psc_ctx_set_langs(ctx, arg) == PSC_OK)
            return 0;
        cli_say("--lang: %s\n", psc_ctx_errmsg(ctx));
        return -1;
    default: return 1;
    }
}

/* Options that shape the run. Returns 0, -1 (bad value, said), 1 (not one), 2 (--help or
 * --version answered). */
static int apply_run_option(options *o, int c, const char *arg) {
    switch (c) {
    case 'o': o->w.out_dir = arg; return 0;
    case OPT_IN_PLACE: o->w.in_place = 1; return 0;
    case 'f': o->force = 1; return 0;
    case OPT_RENAME: o->w.rename = 1; return 0;
    case OPT_REVIEW: o->review = arg; return 0;
    case OPT_PAUSE: o->pause = 1; return 0;
    case OPT_DELETE: o->delete_originals = 1; return 0;
    case OPT_JSON: o->json = 1; return 0;
    case OPT_VALUES: o->values = 1; return 0;
    case 'q': o->w.quiet = 1; return 0;
    case 'j': {
        char *end;
        long v = strtol(arg, &end, 10);
        o->jobs = (int)v;
        if (*end || v < 1 || v > 256) {
            cli_say(_("--jobs wants a number from 1 to 256, got '%s'\n"), arg);
            return -1;
        }
        return 0;
    }
    case 'h': cli_usage(stdout); return 2;
    case 'V':
        printf("photoscrub %s (libphotoscrub %s)\n", psc_version_string(), psc_version_string());
        return 2;
    default: return 1;
    }
}

/* Combinations that make no sense; says why on stderr. */
static int check_combination(const options *o, int argc, int first_arg) {
    const char *why = NULL;
    if (first_arg >= argc)
        why = _("no photos or folders given");
    else if (o->cmd == CMD_WATCH && argc - first_arg != 2)
        why = _("watch wants two folders: INBOX OUTBOX");
    else if (o->w.in_place && o->w.out_dir)
        why = _("--in-place and --output exclude each other");
    else if (o->w.in_place && o->w.rename)
        why = _("--rename needs an output folder, not --in-place");
    if (why)
        cli_say("%s\n", why);
    return why ? EXIT_USAGE : EXIT_CLEAN;
}

static command command_of(int argc, char **argv) {
    static const struct {
        const char *word;
        command cmd;
    } words[] = {{"inspect", CMD_INSPECT}, {"verify", CMD_VERIFY}, {"watch", CMD_WATCH}};
    for (size_t i = 0; argc > 1 && i < sizeof words / sizeof *words; i++)
        if (strcmp(argv[1], words[i].word) == 0)
            return words[i].cmd;
    return CMD_SCRUB;
}

int cli_parse_options(int argc, char **argv, options *o, int *first_arg) {
    memset(o, 0, sizeof *o);
    o->cmd = command_of(argc, argv);
    o->w.no_output = o->cmd == CMD_INSPECT || o->cmd == CMD_VERIFY;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = nproc > 0 ? (int)nproc : 1;
    o->tmpl = psc_ctx_new();
    if (o->tmpl == NULL) {
        cli_say(_("out of memory\n"));
        return EXIT_SOME_FAILED;
    }
    int rc = EXIT_CLEAN, c;
    optind = o->cmd != CMD_SCRUB ? 2 : 1;
    while ((c = getopt_long(argc, argv, "o:fqhVj:", longopts, NULL)) != -1) {
        int r = apply_setting(o->tmpl, c, optarg);
        if (r == 1)
            r = apply_run_option(o, c, optarg);
        if (r == 2) {
            psc_ctx_free(o->tmpl);
            return -1;
        }
        if (r != 0)
            rc = EXIT_USAGE;
    }
    if (rc == EXIT_CLEAN)
        rc = check_combination(o, argc, optind);
    if (rc == EXIT_CLEAN && (o->force || o->w.in_place) && set_param(o->tmpl, "overwrite", 1) != 0)
        rc = EXIT_USAGE;
    if (rc == EXIT_CLEAN && o->values && set_param(o->tmpl, "report-values", 1) != 0)
        rc = EXIT_USAGE;
    if (rc != EXIT_CLEAN) {
        fputs(_("Try 'photoscrub --help'.\n"), stderr);
        psc_ctx_free(o->tmpl);
        o->tmpl = NULL;
    }
    *first_arg = optind;
    return rc;
}
