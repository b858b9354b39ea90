/*
 * Bounded file reads and atomic file writes.
 */
#ifndef PSC_IO_H
#define PSC_IO_H

#include "internal.h"

/* Reads a whole regular file of at most max bytes. Special files (FIFOs, devices) and
 * folders are refused without blocking. *out is malloc'd. */
psc_status psci_read_file(const char *path, size_t max, unsigned char **out, size_t *len,
                          psci_err *err);

/* Writes data to path atomically: a temporary file in the same folder, fsync, then a rename
 * (overwrite=1) or a no-replace rename (overwrite=0: PSC_ERR_EXISTS if path exists). On any
 * failure the temporary file is removed and path is untouched. mode < 0 lets the umask decide
 * the permission bits; otherwise they are set to mode. */
psc_status psci_write_atomic(const char *path, const unsigned char *data, size_t len, int overwrite,
                             int mode, psci_err *err);

/* Permission bits of an existing file, or -1. */
int psci_file_mode(const char *path);

#endif
