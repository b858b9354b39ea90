/*
 * photoscrub: make a photo safe to share.
 * The whole public API of libphotoscrub. If it is not declared here, it is not API.
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
#define PSC_VERSION_MINOR 1
#define PSC_VERSION_PATCH 0
/** Version as one number: major * 10000 + minor * 100 + patch. */
#define PSC_VERSION_NUMBER                                                                         \
    (PSC_VERSION_MAJOR * 10000 + PSC_VERSION_MINOR * 100 + PSC_VERSION_PATCH)

/** Runtime version of the linked library, e.g. 100 for 0.1.0. Thread-safe. Since 0.1. */
PSC_API unsigned psc_version_number(void);
/** Runtime version string, e.g. "0.1.0"; static storage. Thread-safe. Since 0.1. */
PSC_API const char *psc_version_string(void);

/* ---------------------------------------------------------------- status */

/**
 * Result of every fallible call. Values are explicit and append-only: never renumbered.
 */
typedef enum psc_status {
    PSC_OK = 0,
    PSC_ERR_ARG = 1,          /**< invalid argument (NULL, out of bounds, unknown id) */
    PSC_ERR_NOMEM = 2,        /**< allocation failed */
    PSC_ERR_IO = 3,           /**< reading or writing a file failed */
    PSC_ERR_FORMAT = 4,       /**< not a photo: content not recognised (detected from the bytes) */
    PSC_ERR_CORRUPT = 5,      /**< the file is damaged or truncated */
    PSC_ERR_UNSUPPORTED = 6,  /**< a photo photoscrub cannot handle (WebP, JPEG-LS, encrypted HEIF, ...) */
    PSC_ERR_LIMIT = 7,        /**< a configured limit (size, pixels) was exceeded */
    PSC_ERR_EXISTS = 8,       /**< the output exists and overwriting was not allowed */
    PSC_ERR_DETECTOR = 9,     /**< a content detector could not run */
    PSC_ERR_INTERNAL = 10,    /**< a bug: an internal invariant failed (fail closed) */
    PSC_ERR_UNSAFE = 11,      /**< the result could not be verified clean; nothing written */
    PSC_ERR_CANCELLED = 12    /**< the progress callback asked to stop; nothing written (since 0.2) */
} psc_status;

/** Short static description of a status ("file is damaged or truncated"). Thread-safe. */
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
 * call on ctx. Never NULL (a NULL ctx gives a static text). Since 0.1.
 */
PSC_API const char *psc_ctx_errmsg(const psc_ctx *ctx);

/* ---------------------------------------------------------------- settings */

/**
 * Settings, keyed by id. Values are integers (booleans are 0/1). Sticky on a context until
 * changed. Ids are explicit and append-only. Bounds and defaults: psc_param_bounds().
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
    PSC_PARAM_MAX_OCR_SECONDS = 12 /**< OCR time budget per photo; over it the photo fails */
} psc_param;

/** Detection effort (PSC_PARAM_DETECT). */
typedef enum psc_detect_mode {
    PSC_DETECT_FAST = 0,     /**< one pass per detector on a reduced image */
    PSC_DETECT_DEFAULT = 1,  /**< adds tiles for small codes, a second code reader, larger OCR */
    PSC_DETECT_THOROUGH = 2  /**< adds a second OCR segmentation and full-resolution passes */
} psc_detect_mode;

/** Redaction style (PSC_PARAM_STYLE). Every style is irreversible. */
typedef enum psc_style {
    PSC_STYLE_BLUR = 0,     /**< looks blurred; computed from the surroundings, holds no glyph */
    PSC_STYLE_FILL = 1,     /**< one flat colour taken from the surroundings */
    PSC_STYLE_PIXELATE = 2  /**< large cells (bigger than a character) with noise */
} psc_style;

/** How the upright display of a photo whose EXIF Orientation is not 1 is preserved. */
typedef enum psc_orient_mode {
    PSC_ORIENT_TAG = 0,   /**< write a fresh EXIF holding only the Orientation tag (lossless) */
    PSC_ORIENT_ROTATE = 1 /**< rotate/flip losslessly and drop the tag; if the transform cannot
                               be exact (partial MCU edges), fall back to TAG and say so */
} psc_orient_mode;

/** Set a setting on ctx. PSC_ERR_ARG for an unknown id or a value outside bounds (the
 *  message says which). Not concurrently with other calls on ctx. Since 0.1. */
PSC_API psc_status psc_ctx_set(psc_ctx *ctx, psc_param param, long long value);
/** OCR languages as Tesseract names joined by '+' (default "eng+fra"). Copied. Missing
 *  language data makes scrubs fail with PSC_ERR_DETECTOR naming the package to install.
 *  Not concurrently with other calls on ctx. Since 0.1. */
PSC_API psc_status psc_ctx_set_langs(psc_ctx *ctx, const char *langs);
/** Read a setting into *value. PSC_ERR_ARG for an unknown id. Since 0.1. */
PSC_API psc_status psc_ctx_get(const psc_ctx *ctx, psc_param param, long long *value);
/** Minimum, maximum and default of a setting (any pointer may be NULL). Thread-safe. */
PSC_API psc_status psc_param_bounds(psc_param param, long long *min, long long *max,
                                    long long *def);
/** Setting id by its name ("keep-icc", "orientation", ...). PSC_ERR_ARG if unknown. */
PSC_API psc_status psc_param_by_name(const char *name, psc_param *param);
/** Name of a setting, or NULL if unknown; static storage. Thread-safe. */
PSC_API const char *psc_param_name(psc_param param);
/** One-line help of a setting, or NULL if unknown; static storage. Thread-safe. */
PSC_API const char *psc_param_help(psc_param param);
/** The i-th setting id for i in [0, count), 0 after the last: lets tools list every setting. */
PSC_API psc_param psc_param_at(size_t i);

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
    PSC_META_COUNT_ = 17    /**< number of classes; grows when classes are appended */
} psc_meta;

/** Short stable name of a class ("gps", "device", ...), NULL if unknown. Thread-safe. */
PSC_API const char *psc_meta_name(psc_meta m);
/** Human label of a class ("GPS position", "phone model"...), NULL if unknown. */
PSC_API const char *psc_meta_label(psc_meta m);

/** Orientation outcome of a scrub. */
typedef enum psc_orient_action {
    PSC_ORIENT_ACTION_NONE = 0,    /**< the photo was already upright (Orientation 1 or none) */
    PSC_ORIENT_ACTION_TAGGED = 1,  /**< a minimal EXIF with only Orientation was written */
    PSC_ORIENT_ACTION_ROTATED = 2  /**< the pixels were rotated/flipped losslessly */
} psc_orient_action;

/** Free a report; NULL does nothing. Thread-safe for distinct reports. Since 0.1. */
PSC_API void psc_report_free(psc_report *rep);
/** Detected input format: "jpeg", "png" or "heif" (HEIC, and AVIF in a HEIF file); static
 *  storage. */
PSC_API const char *psc_report_format(const psc_report *rep);
/**
 * Format of the scrubbed output: "jpeg", "png" or "heif"; static storage. Usually the input's
 * format. It differs when the output could not keep the input's format: a HEIF photo in which
 * codes or text were hidden is written as a JPEG (quality 92, ICC profile kept), because
 * photoscrub does not encode HEIF; callers that name files should then use a .jpg name.
 * NULL for a NULL report. Thread-safe for distinct reports. Since 0.1.
 */
PSC_API const char *psc_report_output_format(const psc_report *rep);
/** Number of items of class m found in the input (0: not present). */
PSC_API size_t psc_report_found(const psc_report *rep, psc_meta m);
/** Input size, output size (0 for inspect), in bytes. */
PSC_API size_t psc_report_bytes_in(const psc_report *rep);
PSC_API size_t psc_report_bytes_out(const psc_report *rep);
/** EXIF Orientation of the input (1-8; 1 when absent) and what was done about it. */
PSC_API int psc_report_orientation(const psc_report *rep);
PSC_API psc_orient_action psc_report_orient_action(const psc_report *rep);
/** A box in the stored image's pixels (a frozen value type). */
typedef struct psc_box {
    int x, y, w, h;
} psc_box;

/** Number of picture regions that were hidden (codes, text). */
PSC_API size_t psc_report_region_count(const psc_report *rep);
/**
 * The i-th hidden region: its box in stored pixels (grown to the JPEG block grid), its kind
 * ("qr", "barcode", "matrix", "text"), the detector that found it and its confidence (0-100).
 * Decoded contents are never stored. Any out pointer may be NULL.
 */
PSC_API psc_status psc_report_region(const psc_report *rep, size_t i, psc_box *box,
                                     const char **kind, const char **detector, float *conf);

/** Size of the stored image in pixels (before orientation is applied); 0 if unknown. */
PSC_API void psc_report_dimensions(const psc_report *rep, int *width, int *height);

/**
 * Maps a box in stored pixels to where a viewer shows it after applying EXIF orientation
 * (1-8) to an image stored as stored_w x stored_h. For drawing report regions over an upright
 * picture. Thread-safe. Since 0.1.
 */
PSC_API psc_box psc_box_to_display(psc_box box, int orientation, int stored_w, int stored_h);

/** Number of removed parts (segments, chunks, trailers) listed in the report. */
PSC_API size_t psc_report_removed_count(const psc_report *rep);
/**
 * The i-th removed part: a short description ("APP1 Exif", "tEXt chunk", "bytes after EOI"),
 * its class, offset and size in the input. Pointers stay valid while rep lives. Any out
 * pointer may be NULL. PSC_ERR_ARG when i is out of range.
 */
PSC_API psc_status psc_report_removed(const psc_report *rep, size_t i, const char **what,
                                      psc_meta *cls, size_t *offset, size_t *bytes);
/**
 * The report as one JSON object (UTF-8, no trailing newline), in *json (freed with psc_free)
 * of *len bytes. Metadata values appear only when PSC_PARAM_REPORT_VALUES was set for the
 * scrub. Schema: docs/REPORT.md.
 */
PSC_API psc_status psc_report_json(const psc_report *rep, char **json, size_t *len);

/* ---------------------------------------------------------------- scrubbing */

/**
 * Scrub a photo held in memory. On PSC_OK, *out (freed with psc_free) holds *out_len bytes
 * of the clean photo; on failure *out is NULL and psc_ctx_errmsg() says why. When rep is not
 * NULL, *rep receives the report (also on most failures after format detection, else NULL).
 * The input is never modified. Not concurrently with other calls on ctx. Since 0.1.
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

/** Describe the privacy-relevant metadata in a photo without changing anything. */
PSC_API psc_status psc_inspect_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                                      psc_report **rep);
/** As psc_inspect_buffer, reading the file at path (bounded by PSC_PARAM_MAX_FILE_MB). */
PSC_API psc_status psc_inspect_file(psc_ctx *ctx, const char *path, psc_report **rep);

/**
 * Checks a photo without changing it: the metadata classes present (as psc_inspect_buffer)
 * and, unless PSC_PARAM_METADATA_ONLY is set, the codes and text the detectors can find, as
 * report regions. A clean photoscrub output yields no found class (an orientation-only EXIF
 * counts as clean) and no region. Not concurrently with other calls on ctx. Since 0.1.
 */
PSC_API psc_status psc_check_buffer(psc_ctx *ctx, const unsigned char *in, size_t in_len,
                                    psc_report **rep);
/** As psc_check_buffer, reading the file at path. */
PSC_API psc_status psc_check_file(psc_ctx *ctx, const char *path, psc_report **rep);

/**
 * An upright JPEG preview of a photo, its longest side at most max_side pixels (16..4096),
 * for review pages and apps. *out (freed with psc_free) holds *out_len bytes. The preview is
 * made from the pixels only and carries no metadata. Not concurrently with other calls on
 * ctx. Since 0.1.
 */
PSC_API psc_status psc_preview(psc_ctx *ctx, const unsigned char *in, size_t in_len, int max_side,
                               unsigned char **out, size_t *out_len);

/** Free memory the library handed out through a pointer-to-pointer; NULL does nothing. */
PSC_API void psc_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* PHOTOSCRUB_PHOTOSCRUB_H */
