/*
 * Report object built by the pipeline while it scrubs: classes found, parts removed,
 * orientation outcome and (only when asked) metadata values.
 */
#ifndef PSC_REPORT_H
#define PSC_REPORT_H

#include "internal.h"

typedef enum psci_icc_state {
    PSCI_ICC_NONE = 0,
    PSCI_ICC_KEPT = 1,
    PSCI_ICC_STRIPPED = 2
} psci_icc_state;

psc_report *psci_report_new(const char *format);
/* Counts one item of class m. */
void psci_report_found(psc_report *rep, psc_meta m);
/* Lists a removed part; what is copied. */
psc_status psci_report_removed(psc_report *rep, const char *what, psc_meta cls, size_t offset,
                               size_t bytes, psci_err *err);
/* Records a metadata value (name and value are copied, value truncated to a sane length). */
psc_status psci_report_value(psc_report *rep, const char *name, const char *value, psci_err *err);
/* Format of the output when it differs from the input's (static string: "jpeg"). */
void psci_report_set_output_format(psc_report *rep, const char *format);
void psci_report_set_dims(psc_report *rep, int width, int height);
void psci_report_set_sizes(psc_report *rep, size_t in, size_t out);
void psci_report_set_orientation(psc_report *rep, int input, psc_orient_action action);
void psci_report_set_icc(psc_report *rep, psci_icc_state st);
/* Records a hidden region (kind: "qr", "barcode", "matrix", "text"; strings static). */
psc_status psci_report_region(psc_report *rep, int x, int y, int w, int h, const char *kind,
                              const char *detector, const char *symbology, float conf,
                              psci_err *err);
void psci_report_set_detection(psc_report *rep, const char *mode);
/* Free-text notes for the reader ("rotation not exact: kept the Orientation tag"). */
psc_status psci_report_note(psc_report *rep, const char *note, psci_err *err);

#endif
