/*
 * File input and output. Reads are bounded before allocating; writes go to a temporary file
 * in the output's folder and are renamed into place only once complete and synced, so a crash
 * or a full disk never leaves a half-written photo under its final name.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

psc_status psci_read_file(const char *path, size_t max, unsigned char **out, size_t *len,
                          psci_err *err) {
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return psci_fail(err, PSC_ERR_IO, "cannot open: %s", strerror(errno));
    psc_status st = PSC_OK;
    unsigned char *buf = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = psci_fail(err, PSC_ERR_IO, "cannot stat: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(sb.st_mode)) {
        st = psci_fail(err, PSC_ERR_IO, "is a folder, not a file");
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = psci_fail(err, PSC_ERR_IO, "not a regular file (device, pipe or socket)");
        goto out;
    }
    if ((unsigned long long)sb.st_size > max) {
        st = psci_fail(err, PSC_ERR_LIMIT,
                       "file is %lld bytes, over the limit of %zu bytes (setting max-file-mb)",
                       (long long)sb.st_size, max);
        goto out;
    }
    size_t size = (size_t)sb.st_size;
    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        st = psci_fail(err, PSC_ERR_NOMEM, "out of memory reading %zu bytes", size);
        goto out;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = psci_fail(err, PSC_ERR_IO, "read error: %s", strerror(errno));
            goto out;
        }
        if (r == 0)
            break; /* shrank while reading: take what is there */
        got += (size_t)r;
    }
    *out = buf;
    *len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return st;
}

int psci_file_mode(const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    return (int)(sb.st_mode & 07777);
}

static psc_status write_all(int fd, const unsigned char *data, size_t len, psci_err *err) {
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return psci_fail(err, PSC_ERR_IO, "write error: %s", strerror(errno));
        data += w;
        len -= (size_t)w;
    }
    return PSC_OK;
}

/* Places tmp at path without ever replacing an existing file. */
static int rename_noreplace(const char *tmp, const char *path) {
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
#endif
    /* File systems without renameat2 flags: a hard link fails on an existing name too. */
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    return -1;
}

psc_status psci_write_atomic(const char *path, const unsigned char *data, size_t len, int overwrite,
                             int mode, psci_err *err) {
    size_t plen = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t cap = plen + 64;
    char *tmp = malloc(cap);
    char *dir = malloc(dlen + 2);
    if (tmp == NULL || dir == NULL) {
        free(tmp);
        free(dir);
        return psci_fail(err, PSC_ERR_NOMEM, "out of memory");
    }
    if (dlen) {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    } else {
        memcpy(dir, ".", 2);
    }
    psc_status st = PSC_OK;
    int fd = -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long seed =
        (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ (unsigned long)(uintptr_t)&ts;
    /* The temporary name adds 18 bytes to the final one: cut the name part (on a UTF-8
     * character boundary) so a long but valid name stays under NAME_MAX (255). */
    size_t blen = plen - dlen;
    if (blen > 200) {
        blen = 200;
        while (blen > 0 && ((unsigned char)path[dlen + blen] & 0xC0) == 0x80)
            blen--;
    }
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        snprintf(tmp, cap, "%.*s.psc-tmp-%08lx-%.*s", (int)dlen, path, (seed >> 16) & 0xFFFFFFFFUL,
                 (int)blen, path + dlen);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0 && errno != EEXIST) {
            st = psci_fail(err, PSC_ERR_IO, "cannot create a file in '%s': %s", dir,
                           strerror(errno));
            goto out;
        }
    }
    if (fd < 0) {
        st = psci_fail(err, PSC_ERR_IO, "cannot create a unique temporary file in '%s'", dir);
        goto out;
    }
    if (mode >= 0 && fchmod(fd, (mode_t)mode) != 0) {
        st = psci_fail(err, PSC_ERR_IO, "cannot set permissions: %s", strerror(errno));
        goto out;
    }
    if ((st = write_all(fd, data, len, err)) != PSC_OK)
        goto out;
    if (fsync(fd) != 0) {
        st = psci_fail(err, PSC_ERR_IO, "cannot flush to disk: %s", strerror(errno));
        goto out;
    }
    int rc = close(fd);
    fd = -1;
    if (rc != 0) {
        st = psci_fail(err, PSC_ERR_IO, "write error on close: %s", strerror(errno));
        goto out;
    }
    if (overwrite) {
        if (rename(tmp, path) != 0) {
            st = psci_fail(err, PSC_ERR_IO, "cannot rename into place: %s", strerror(errno));
            goto out;
        }
    } else if (rename_noreplace(tmp, path) != 0) {
        if (errno == EEXIST)
            st = psci_fail(err, PSC_ERR_EXISTS,
                           "output '%s' already exists (use --force to overwrite)", path);
        else
            st = psci_fail(err, PSC_ERR_IO, "cannot rename into place: %s", strerror(errno));
        goto out;
    }
    /* The folder is not fsynced: the data was, so after a crash the name holds either the
     * old file or the whole new one, never half of one; skipping it halves the syncs. */
out:
    if (fd >= 0)
        close(fd);
    if (st != PSC_OK)
        unlink(tmp);
    free(tmp);
    free(dir);
    return st;
}
