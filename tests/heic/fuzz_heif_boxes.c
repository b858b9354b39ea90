/*
 * libFuzzer target for the HEIF box walker and rebuilder (lib/container/heif_*.c). Beyond
 * crashes it checks the keep-list property: a planned file rebuilds into one that re-parses,
 * plans, passes the clean check, and rebuilds to the same bytes. With -DPSC_REPLAY_MAIN it is
 * an ordinary program that runs each file given on the command line.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Ilib \
 *       tests/heic/fuzz_heif_boxes.c lib/container/heif_*.c lib/error.c -o fuzz_heif_boxes
 */
#include "container/heif_boxes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c, ...)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "heif fuzz: " __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void one(const unsigned char *p, size_t n, int keep_icc) {
    psci_err err;
    psci_err_clear(&err);
    psci_heif h, v, w;
    if (psci_heif_parse(p, n, &h, &err) != PSC_OK)
        return;
    psci_buf out, again;
    psci_buf_init(&out);
    psci_buf_init(&again);
    if (psci_heif_plan(p, n, &h, keep_icc, &err) == PSC_OK) {
        psc_status st = psci_heif_write(p, &h, &out, &err);
        CHECK(st == PSC_OK, "write failed after a good plan: %s", err.msg);
        CHECK(psci_heif_parse(out.data, out.len, &v, &err) == PSC_OK, "output does not parse: %s",
              err.msg);
        CHECK(psci_heif_plan(out.data, out.len, &v, keep_icc, &err) == PSC_OK,
              "output does not plan: %s", err.msg);
        CHECK(psci_heif_check_clean(out.data, out.len, &v, &err) == PSC_OK, "output not clean: %s",
              err.msg);
        CHECK(psci_heif_write(out.data, &v, &again, &err) == PSC_OK, "rewrite failed: %s", err.msg);
        CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0,
              "rebuild is not a fixed point (%zu then %zu bytes)", out.len, again.len);
        CHECK(psci_heif_parse(again.data, again.len, &w, &err) == PSC_OK,
              "second output does not parse");
        psci_heif_free(&w);
        psci_heif_free(&v);
    }
    /* The describe helpers run on every item, kept or not. */
    for (size_t i = 0; i < h.nitems; i++) {
        psci_buf d;
        psci_buf_init(&d);
        (void)psci_heif_item_data(p, n, &h, &h.items[i], 1u << 20, &d, &err);
        psci_buf_free(&d);
        unsigned iw, ih;
        int rot, mir;
        size_t il;
        psci_heif_geometry(p, &h, &h.items[i], &iw, &ih, &rot, &mir);
        (void)psci_heif_icc(p, &h, &h.items[i], &il);
        (void)psci_heif_nclx_primaries(p, &h, &h.items[i]);
    }
    psci_buf_free(&out);
    psci_buf_free(&again);
    psci_heif_free(&h);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    one(data, size, 1);
    one(data, size, 0);
    return 0;
}

#ifdef PSC_REPLAY_MAIN
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL)
            continue;
        unsigned char *buf = malloc(64u << 20);
        size_t n = buf ? fread(buf, 1, 64u << 20, f) : 0;
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    return 0;
}
#endif
