/*
 * photoscrub: make a photo safe to share.
 * The whole public API of libphotoscrub. If it is not declared here, it is not API.
 *
 * Conventions: every function says since which version it exists and whether it is
 * thread-safe. "Thread-safe" means any thread may call it at any time; "not concurrently with
 * other calls on ctx" means one context must not be used by two threads at once (different
 * contexts may be used concurrently). Enum values ending in _COUNT_ are not API: they grow
 * when values are appended, so never size arrays or store them; use psc_meta_count() and the
 * *_name() lookups, which return NULL past the last value.
 */
#ifndef PHOTOSCRUB_PHOTOSCRUB_H
#define PHOTOSCRUB_PHOTOSCRUB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PSC_STATIC_DEFINE)
#define PSC_API
#elif defined(PSC_BUILDING_LIBRARY) && defined(__GNUC__)
#define PSC_API __attribute__((visibility("default")))
#else
#define PSC_API
#endif

/* ---------------------------------------------------------------- version */

#define PSC_VERSION_MAJOR 0
#define PSC_VERSION_MINOR 2
#define PSC_VERSION_PATCH 0
/** Version as one number: major * 10000 + minor * 100 + patch. */
#define PSC_VERSION_NUMBER (PSC_VERSION_MAJOR * 10000 + PSC_VERSION_MINOR * 100 + PSC_VERSION_PATCH)

/** Runtime version of the linked library, e.g. 200 for 0.2.0. Thread-safe. Since 0.1. */
PSC_API unsigned psc_version_number(void);
/** Runtime version string, e.g. "0.2.0"; static storage. Thread-safe. Since 0.1. */
PSC_API const char *psc_version_string(void);

/* ---------------------------------------------------------------- status */

/**
 * Result of every fallible call. Values are explicit and append-only: never renumbered.
 */
typedef enum psc_status {
    PSC_OK = 0,
    PSC_ERR_ARG = 1,     /**< invalid argument (NULL, out of bounds, unknown id) */
    PSC_ERR_NOMEM = 2,   /**< allocation failed */
    PSC_ERR_IO = 3,      /**< reading or writing a file failed */
    PSC_ERR_FORMAT = 4,  /**< not a photo: content not recognised (detected from the bytes) */
    PSC_ERR_CORRUPT = 5, /**< the file is damaged or truncated */
    PSC_ERR_UNSUPPORTED =
        6,             /**< a photo photoscrub cannot handle (WebP, JPEG-LS, encrypted HEIF, ...) */
    PSC_ERR_LIMIT = 7, /**< a configured limit (size, pixels) was exceeded */
    PSC_ERR_EXISTS = 8,    /**< the output exists and overwriting was not allowed */
    PSC_ERR_DETECTOR = 9,  /**< a content detector could not run */
    PSC_ERR_INTERNAL = 10, /**< a bug: an internal invariant failed (fail closed) */
    PSC_ERR_UNSAFE = 11,   /**< the result could not be verified clean; nothing written */
    PSC_ERR_CANCELLED = 12 /**< the progress callback asked to stop; nothing written (since 0.2) */
} psc_status;

/** Short static description of a status ("file is damaged or truncated"); never NULL.
 *  Thread-safe. Since 0.1. */
PSC_API const char *psc_status_str(psc_status st);

/* ---------------------------------------------------------------- context */

/** A scrubbing context: settings, reusable state, and the last error message.
 *  One context per thread; different contexts may be used concurrently. */
typedef struct psc_ctx psc_ctx;

/** New context with default settings, or NULL when out of memory. Thread-safe. Since 0.1. */
PSC_API psc_ctx *psc_ctx_new(void);
/** Free a context; NULL does nothing. Not concurrently with other calls on ctx. Since 0.1. */
PSC_API void psc_ctx_free(psc_ctx *ctx);
/**
 * Detailed message of the last failure on this context, e.g. "jpeg: APP1 length 65530 runs
 * past the end of the file at offset 812". Empty string after success. Valid until the next
 * call on ctx. Never NULL (a NULL ctx gives a static text). Not concurrently with other calls
 * on ctx. Since 0.1.
 */
PSC_API const char *psc_ctx_errmsg(const psc_ctx *ctx);

/* ---------------------------------------------------------------- settings */

/**
 * Settings, keyed by id. Sticky on a context until changed. Ids are explicit and
 * append-only. Most values are integers (booleans are 0/1; bounds and defaults:
 * psc_param_bounds()); a few are text (psc_param_type_of() says which; psc_ctx_set_str()).
 */
typedef enum psc_param {
    PSC_PARAM_KEEP_ICC = 1,       /**< keep the ICC colour profile (default 1) */
    PSC_PARAM_ORIENTATION = 2,    /**< a psc_orient_mode: how to keep the photo upright */
    PSC_PARAM_REPORT_VALUES = 3,  /**< put metadata values in reports (default 0: personal data) */
    PSC_PARAM_MAX_FILE_MB = 4,    /**< largest input accepted, in MiB */
    PSC_PARAM_MAX_MEGAPIXELS = 5, /**< largest declared image size accepted, in megapixels */
    PSC_PARAM_OVERWRITE = 6,      /**< psc_scrub_file may replace an existing output (default 0) */
    PSC_PARAM_METADATA_ONLY = 7,  /**< 1: strip metadata only, never look at pixels (default 0) */
    PSC_PARAM_DETECT = 8,         /**< a psc_detect_mode: time spent looking for codes and text */
    PSC_PARAM_STYLE = 9,          /**< a psc_style: how found regions are hidden */
    PSC_PARAM_FIND_CODES = 10,    /**< look for QR codes and barcodes (default 1) */
    PSC_PARAM_FIND_TEXT = 11,     /**< look for readable text (default 1) */
    PSC_PARAM_MAX_OCR_SECONDS = 12, /**< OCR time budget per photo; over it the photo fails */
    PSC_PARAM_LANGS = 13,   /**< text: OCR languages joined by '+' (default "eng+fra"); since 0.2 */
    PSC_PARAM_TESSDATA = 14 /**< text: Tesseract data folder; "" (default) searches
                                 TESSDATA_PREFIX and the usual system folders; since 0.2 */
} psc_param;

/** Type of a setting's value (psc_param_type_of). Since 0.2. */
typedef enum psc_param_type {
    PSC_PARAM_TYPE_UNKNOWN = 0, /**< not a setting id */
    PSC_PARAM_TYPE_INT = 1,     /**< psc_ctx_set / psc_ctx_get / psc_param_bounds */
    PSC_PARAM_TYPE_STRING = 2   /**< psc_ctx_set_str / psc_ctx_get_str / psc_param_default_str */
} psc_param_type;

/** Detection effort (PSC_PARAM_DETECT). */
typedef enum psc_detect_mode {
    PSC_DETECT_FAST = 0,    /**< one pass per detector on a reduced image */
    PSC_DETECT_DEFAULT = 1, /**< adds tiles for small codes, a second code reader, larger OCR */
    PSC_DETECT_THOROUGH = 2 /**< adds a second OCR segmentation and full-resolution passes */
} psc_detect_mode;

/** Redaction style (PSC_PARAM_STYLE). Every style is irreversible. */
typedef enum psc_style {
    PSC_STYLE_BLUR = 0,    /**< looks blurred; computed from the surroundings, holds no glyph */
    PSC_STYLE_FILL = 1,    /**< one flat colour taken from the surroundings */
    PSC_STYLE_PIXELATE = 2 /**< large cells (bigger than a character) with noise */
} psc_style;

/** How the upright display of a photo whose EXIF Orientation is not 1 is preserved. */
typedef enum psc_orient_mode {
    PSC_ORIENT_TAG = 0,   /**< write a fresh EXIF holding only the Orientation tag (lossless) */
    PSC_ORIENT_ROTATE = 1 /**< rotate/flip losslessly and drop the tag; if the transform cannot
                               be exact (partial MCU edges), fall back to TAG and say so */
} psc_orient_mode;

/** Set an integer setting on ctx. PSC_ERR_ARG for an unknown id, a text setting, or a value
 *  outside bounds (the message says which). Not concurrently with other calls on ctx.
 *  Since 0.1. */
PSC_API psc_status psc_ctx_set(psc_ctx *ctx, psc_param param, long long value);
/** OCR languages as Tesseract names joined by '+' (default "eng+fra"). Copied. Missing
 *  language data makes scrubs fail with PSC_ERR_DETECTOR naming the package to install.
 *  Same as psc_ctx_set_str(ctx, PSC_PARAM_LANGS, langs). Not concurrently with other calls
 *  on ctx. Since 0.1. */
PSC_API psc_status psc_ctx_set_langs(psc_ctx *ctx, const char *langs);
/** Read an integer setting into *value. PSC_ERR_ARG for an unknown id, a text setting or
 *  NULL pointers. Not concurrently with calls that change ctx. Since 0.1. */
PSC_API psc_status psc_ctx_get(const psc_ctx *ctx, psc_param param, long long *value);
/** Set a text setting on ctx; value is copied. PSC_ERR_ARG for NULL pointers, an unknown id,
 *  an integer setting, or a value that is too long or malformed (the message says which).
 *  Not concurrently with other calls on ctx. Since 0.2. */
PSC_API psc_status psc_ctx_set_str(psc_ctx *ctx, psc_param param, const char *value);
/** Read a text setting: *value points into ctx and stays valid until the setting changes or
 *  ctx is freed. PSC_ERR_ARG for NULL pointers, an unknown id or an integer setting. Not
 *  concurrently with calls that change ctx. Since 0.2. */
PSC_API psc_status psc_ctx_get_str(const psc_ctx *ctx, psc_param param, const char **value);
/** Minimum, maximum and default of an integer setting (any pointer may be NULL). PSC_ERR_ARG
 *  for an unknown id or a text setting. Thread-safe. Since 0.1. */
PSC_API psc_status psc_param_bounds(psc_param param, long long *min, long long *max,
                                    long long *def);
/** Default of a text setting, NULL for an unknown id or an integer setting; static storage.
 *  Thread-safe. Since 0.2. */
PSC_API const char *psc_param_default_str(psc_param param);
/** Type of a setting's value; PSC_PARAM_TYPE_UNKNOWN for an unknown id. Thread-safe.
 *  Since 0.2. */
PSC_API psc_param_type psc_param_type_of(psc_param param);
/** Setting id by its name ("keep-icc", "orientation", "langs", ...). PSC_ERR_ARG if unknown
 *  or NULL. Thread-safe. Since 0.1. */
PSC_API psc_status psc_param_by_name(const char *name, psc_param *param);
/** Name of a setting, or NULL if unknown; static storage. Thread-safe. Since 0.1. */
PSC_API const char *psc_param_name(psc_param param);
/** One-line help of a setting, or NULL if unknown; static storage. Thread-safe. Since 0.1. */
PSC_API const char *psc_param_help(psc_param param);
/** The i-th setting id for i in [0, count), 0 after the last: lets tools list every setting.
 *  Since 0.2 the list also holds text settings: check psc_param_type_of(). Thread-safe.
 *  Since 0.1. */
PSC_API psc_param psc_param_at(size_t i);

/** Word for a detection mode ("fast", "default", "thorough"), NULL past the last mode: the
 *  one spelling tools and reports use. Static storage. Thread-safe. Since 0.2. */
PSC_API const char *psc_detect_mode_name(psc_detect_mode mode);
/** Word for a redaction style ("blur", "fill", "pixelate"), NULL past the last style.
 *  Static storage. Thread-safe. Since 0.2. */
PSC_API const char *psc_style_name(psc_style style);

/* ---------------------------------------------------------------- progress (since 0.2) */

/** Stages of a scrub, in the order they happen; a call reports some of them, never
 *  backwards. Values are explicit and append-only. Since 0.2. */
typedef enum psc_stage {
    PSC_STAGE_READ = 0,     /**< the input has been read */
    PSC_STAGE_METADATA = 1, /**< metadata is being sorted and removed */
    PSC_STAGE_DETECT = 2,   /**< codes and text are being looked for */
    PSC_STAGE_REDACT = 3,   /**< found regions are being hidden */
    PSC_STAGE_VERIFY = 4,   /**< the result is being checked again */
    PSC_STAGE_WRITE = 5     /**< the result is about to be handed out or written */
} psc_stage;

/**
 * Progress callback: stage and the fraction of it done (0.0 to 1.0). Called on the thread
 * running the scrub only, possibly many times per stage (detectors poll it while they work).
 * Return non-zero to cancel: the call ends with PSC_ERR_CANCELLED and nothing is written or
 * handed out. To cancel from another thread, set a flag there (e.g. an atomic_int) and return
 * it from the callback. Must not call the library with the same ctx. Since 0.2.
 */
typedef int (*psc_progress_fn)(void *user, psc_stage stage, double fraction);

/** Install (fn not NULL) or remove (fn NULL) the progress callback of ctx; user is passed back
 *  unchanged. Used by psc_scrub_*, psc_check_*, psc_inspect_* and psc_preview. PSC_ERR_ARG for
 *  a NULL ctx. Not concurrently with other calls on ctx. Since 0.2. */
PSC_API psc_status psc_ctx_set_progress(psc_ctx *ctx, psc_progress_fn fn, void *user);
/** Word for a stage ("read", "metadata", "detect", "redact", "verify", "write"), NULL past the
 *  last stage. Static storage. Thread-safe. Since 0.2. */
PSC_API const char *psc_stage_name(psc_stage stage);

/* ---------------------------------------------------------------- report */

/** What a scrub found and removed. Created by the library, freed with psc_report_free. */
typedef struct psc_report psc_report;

/** Classes of privacy-relevant metadata. Values are explicit and append-only. */
typedef enum psc_meta {
    PSC_META_GPS = 0,       /**< GPS position or other GPS tags */
    PSC_META_DEVICE = 1,    /**< camera make, model, lens */
    PSC_META_DATETIME = 2,  /**< capture, digitisation or modification dates */
    PSC_META_SERIAL = 3,    /**< body/lens serial numbers, unique image id, owner name */
    PSC_META_AUTHOR = 4,    /**< artist, copyright, author fields */
    PSC_META_SOFTWARE = 5,  /**< software or firmware names */
    PSC_META_MAKERNOTE = 6, /**< vendor MakerNote blob */
    PSC_META_EXIF = 7,      /**< other EXIF tags (exposure, settings, ...) */
    PSC_META_THUMBNAIL = 8, /**< embedded thumbnail or preview image */
    PSC_META_XMP = 9,       /**< XMP packet, standard or extended */
    PSC_META_IPTC = 10,     /**< Photoshop / IPTC block */
    PSC_META_COMMENT = 11,  /**< JPEG comment */
    PSC_META_TEXT = 12,     /**< PNG text chunks */
    PSC_META_MPF = 13,      /**< MPF index and secondary images (gain maps, depth maps) */
    PSC_META_TRAILER = 14,  /**< bytes after the end of the image (motion photo video, ...) */
    PSC_META_ICC = 15,      /**< ICC profile (only when stripping it was asked for) */
    PSC_META_UNKNOWN = 16,  /**< segments or chunks not known to be safe */
    PSC_META_COUNT_ = 17    /**< NOT API: grows when classes are appended; use psc_meta_count() */
} psc_meta;

/** Number of metadata classes this library knows (classes are 0 .. count-1); size arrays with
 *  it at run time, not with PSC_META_COUNT_. Thread-safe. Since 0.2. */
PSC_API size_t psc_meta_count(void);
/** Short stable name of a class ("gps", "device", ...), NULL if unknown. Thread-safe.
 *  Since 0.1. */
PSC_API const char *psc_meta_name(psc_meta m);
/** Human label of a class ("GPS position", "phone model"...), NULL if unknown. Thread-safe.
 *  Since 0.1. */
PSC_API const char *psc_meta_label(psc_meta m);

/** Orientation outcome of a scrub. */
typedef enum psc_orient_action {
    PSC_ORIENT_ACTION_NONE = 0,   /**< the photo was already upright (Orientation 1 or none) */
    PSC_ORIENT_ACTION_TAGGED = 1, /**< a minimal EXIF with only Orientation was written */
    PSC_ORIENT_ACTION_ROTATED = 2 /**< the pixels were rotated/flipped losslessly */
} psc_orient_action;

/** What happened to the ICC colour profile (psc_report_icc_action). Since 0.2. */
typedef enum psc_icc_action {
    PSC_ICC_ACTION_NONE = 0,    /**< the input had no profile */
    PSC_ICC_ACTION_KEPT = 1,    /**< kept (PSC_PARAM_KEEP_ICC) */
    PSC_ICC_ACTION_STRIPPED = 2 /**< removed */
} psc_icc_action;

/** Kinds of hidden regions. Values are explicit and append-only. Since 0.2. */
typedef enum psc_region_kind {
    PSC_REGION_QR = 0,      /**< "qr": a QR code */
    PSC_REGION_BARCODE = 1, /**< "barcode": a 1D barcode */
    PSC_REGION_MATRIX = 2,  /**< "matrix": DataMatrix, PDF417, Aztec and other 2D codes */
    PSC_REGION_TEXT = 3     /**< "text": readable text */
} psc_region_kind;

/** Stable word of a region kind ("qr", "barcode", "matrix", "text"), as in reports; NULL past
 *  the last kind. Static storage. Thread-safe. Since 0.2. */
PSC_API const char *psc_region_kind_name(psc_region_kind kind);

/*
 * Report accessors: unless said otherwise they take a NULL report (giving 0, NULL or
 * PSC_ERR_ARG), are thread-safe on a report no thread is freeing (reports are immutable once
 * handed out), and exist since 0.1.
 */

/** Free a report; NULL does nothing. Thread-safe for distinct reports. Since 0.1. */
PSC_API void psc_report_free(psc_report *rep);
/** Detected input format: "jpeg", "png" or "heif" (HEIC, and AVIF in a HEIF file); static
 *  storage. Since 0.1. */
PSC_API const char *psc_report_format(const psc_report *rep);
/**
 * Format of the scrubbed output: "jpeg", "png" or "heif"; static storage. Usually the input's
 * format. It differs when the output could not keep the input's format: a HEIF photo in which
 * codes or text were hidden is written as a JPEG (quality 92, ICC profile kept), because
 * photoscrub does not encode HEIF; callers that name files should then use a .jpg name.
 * NULL for a NULL report. Thread-safe for distinct reports. Since 0.1.
 */
PSC_API const char *psc_report_output_format(const psc_report *rep);
/**
 * Name to give the output of a file called name, written into buf (size bytes, NUL included):
 * name itself, or, when the output format differs from the input's (a HEIF written as JPEG),
 * name with its extension (after the last '.' of the last path component; appended when
 * there is none) replaced by the output format's: ".jpg". PSC_ERR_ARG for NULL pointers,
 * PSC_ERR_LIMIT when buf is too small (size strlen(name) + 8 is always enough). Since 0.2.
 */
PSC_API psc_status psc_report_output_name(const psc_report *rep, const char *name, char *buf,
                                          size_t size);
/**
 * The library's verdict on a photo: 1 when the report shows nothing left to hide (no
 * metadata class found other than the colour profile, which is kept by choice, and no region
 * found by the detectors), else 0; 0 for NULL. Meant for psc_check_* reports (what
 * `photoscrub verify` calls clean); on a scrub report it judges the input. Since 0.2.
 */
PSC_API int psc_report_is_clean(const psc_report *rep);
/** Number of items of class m found in the input (0: not present). Since 0.1. */
PSC_API size_t psc_report_found(const psc_report *rep, psc_meta m);
/** Input size, output size (0 for inspect), in bytes. Since 0.1. */
PSC_API size_t psc_report_bytes_in(const psc_report *rep);
PSC_API size_t psc_report_bytes_out(const psc_report *rep);
/** EXIF Orientation of the input (1-8; 1 when absent) and what was done about it.
 *  Since 0.1. */
PSC_API int psc_report_orientation(const psc_report *rep);
PSC_API psc_orient_action psc_report_orient_action(const psc_report *rep);
/** What happened to the ICC colour profile. Since 0.2. */
PSC_API psc_icc_action psc_report_icc_action(const psc_report *rep);
/** Detection mode the picture was examined with ("fast", "default", "thorough", as
 *  psc_detect_mode_name), or NULL when the pixels were not examined (metadata only,
 *  inspect). Static storage. Since 0.2. */
PSC_API const char *psc_report_detection(const psc_report *rep);
/** Number of notes for the reader ("rotation not exact: kept the Orientation tag"). Since 0.2. */
PSC_API size_t psc_report_note_count(const psc_report *rep);
/** The i-th note (UTF-8 is not guaranteed), valid while rep lives; NULL when i is out of
 *  range. Since 0.2. */
PSC_API const char *psc_report_note(const psc_report *rep, size_t i);
/** Number of metadata values recorded (only when PSC_PARAM_REPORT_VALUES was set: they are
 *  personal data). Since 0.2. */
PSC_API size_t psc_report_value_count(const psc_report *rep);
/** The i-th recorded metadata value: tag name and value (any out pointer may be NULL), valid
 *  while rep lives. PSC_ERR_ARG when i is out of range. Since 0.2. */
PSC_API psc_status psc_report_value(const psc_report *rep, size_t i, const char **name,
                                    const char **value);
/** A box in the stored image's pixels (a frozen value type). */
typedef struct psc_box {
    int x, y, w, h;
} psc_box;

/** Number of picture regions that were hidden (codes, text), or found by a check. Since 0.1. */
PSC_API size_t psc_report_region_count(const psc_report *rep);
/**
 * The i-th hidden region: its box in stored pixels (grown to the JPEG block grid), its kind
 * ("qr", "barcode", "matrix", "text": psc_region_kind_name), the detector that found it and
 * its confidence (0-100). Decoded contents are never stored. Any out pointer may be NULL.
 * PSC_ERR_ARG when i is out of range. Since 0.1.
 */
PSC_API psc_status psc_report_region(const psc_report *rep, size_t i, psc_box *box,
                                     const char **kind, const char **detector, float *conf);
/** Kind of the i-th region as an id; PSC_ERR_ARG when i is out of range or the kind is not
 *  one this header knows. Since 0.2. */
PSC_API psc_status psc_report_region_kind(const psc_report *rep, size_t i, psc_region_kind *kind);
/** Symbology of the i-th region as the code reader named it ("QR-Code", "EAN-13", ...);
 *  *symbology is NULL when none was recorded (text). Static storage. PSC_ERR_ARG for a NULL
 *  pointer or i out of range. Since 0.2. */
PSC_API psc_status psc_report_region_symbology(const psc_report *rep, size_t i,
                                               const char **symbology);

/** Size of the stored image in pixels (before orientation is applied); 0 if unknown.
 *  Since 0.1. */
PSC_API void psc_report_dimensions(const psc_report *rep, int *width, int *height);

/**
 * Maps a box in stored pixels to where a viewer shows it after applying EXIF orientation
 * (1-8) to an image stored as stored_w x stored_h. For drawing report regions over an upright
 * picture. Thread-safe. Since 0.1.
 */
PSC_API psc_box psc_box_to_display(psc_box box, int orientation, int stored_w, int stored_h);

/** Number of removed parts (segments, chunks, trailers) listed in the report. Since 0.1. */
PSC_API size_t psc_report_removed_count(const psc_report *rep);
/**
 * The i-th removed part: a short description ("APP1 Exif", "tEXt chunk", "bytes after EOI"),
 * its class, offset and size in the input. Pointers stay valid while rep lives. Any out
 * pointer may be NULL. PSC_ERR_ARG when i is out of range. Since 0.1.
 */
PSC_API psc_status psc_report_removed(const psc_report *rep, size_t i, const char **what,
                                      psc_meta *cls, size_t *offset, size_t *bytes);
/**
 * The report as one JSON object (UTF-8, no trailing newline), in *json (freed with psc_free)
 * of *len bytes. Metadata values appear only when PSC_PARAM_REPORT_VALUES was set for the
 * scrub. Schema: docs/REPORT.md. Everything in it is also available through the accessors
 * above, so callers need not parse it. Since 0.1.
 */
PSC_API psc_status psc_report_json(const psc_report *rep, char **json, size_t *len);

/* ---------------------------------------------------------------- scrubbing */

/**
 * Scrub a photo held in memory. On PSC_OK, *out (freed with psc_free) holds *out_len bytes
 * of the clean photo; on failure *out is NULL and psc_ctx_errmsg() says why. When rep is not
 * NULL, *rep receives the report (also on most failures after format detection, else NULL).
 * The input is never modified. Reports progress to the callback (psc_ctx_set_progress);
 * PSC_ERR_CANCELLED when it asks to stop. Not concurrently with other calls on ctx. Since 0.1.
 */
PSC_API psc_status psc_scrub_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                                    unsigned char **out, size_t *out_len, psc_report **rep);

/**
 * Scrub the file in_path into out_path. The output is written atomically (temporary file in
 * the output's folder, fsync, rename): either the whole clean file appears or nothing does.
 * An existing out_path gives PSC_ERR_EXISTS unless PSC_PARAM_OVERWRITE is set; out_path may
 * equal in_path (in-place) only with PSC_PARAM_OVERWRITE. The output gets fresh timestamps
 * (the originals' would leak capture time) and, in place, the original's permission bits.
 * rep as for psc_scrub_buffer. Not concurrently with other calls on ctx. Since 0.1.
 */
PSC_API psc_status psc_scrub_file(psc_ctx *ctx, const char *in_path, const char *out_path,
                                  psc_report **rep);

/** Describe the privacy-relevant metadata in a photo without changing anything. Not
 *  concurrently with other calls on ctx. Since 0.1. */
PSC_API psc_status psc_inspect_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                                      psc_report **rep);
/** As psc_inspect_buffer, reading the file at path (bounded by PSC_PARAM_MAX_FILE_MB). Not
 *  concurrently with other calls on ctx. Since 0.1. */
PSC_API psc_status psc_inspect_file(psc_ctx *ctx, const char *path, psc_report **rep);

/**
 * Checks a photo without changing it: the metadata classes present (as psc_inspect_buffer)
 * and, unless PSC_PARAM_METADATA_ONLY is set, the codes and text the detectors can find, as
 * report regions. A clean photoscrub output yields no found class (an orientation-only EXIF
 * counts as clean) and no region. Not concurrently with other calls on ctx. Since 0.1.
 */
PSC_API psc_status psc_check_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                                    psc_report **rep);
/** As psc_check_buffer, reading the file at path. Not concurrently with other calls on ctx.
 *  Since 0.1. */
PSC_API psc_status psc_check_file(psc_ctx *ctx, const char *path, psc_report **rep);

/**
 * An upright JPEG preview of a photo, its longest side at most max_side pixels (16..4096),
 * for review pages and apps. *out (freed with psc_free) holds *out_len bytes. The preview is
 * made from the pixels only and carries no metadata. Not concurrently with other calls on
 * ctx. Since 0.1.
 */
PSC_API psc_status psc_preview(psc_ctx *ctx, const unsigned char *in, size_t in_len, int max_side,
                               unsigned char **out, size_t *out_len);

/** Free memory the library handed out through a pointer-to-pointer; NULL does nothing.
 *  Thread-safe. Since 0.1. */
PSC_API void psc_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* PHOTOSCRUB_PHOTOSCRUB_H */
