/*
 * The smallest embedding of libphotoscrub: scrub a photo held in memory, write the clean
 * copy, print what was removed as JSON.  Usage: embed IN OUT
 */
#include <photoscrub/photoscrub.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    static unsigned char in[64 << 20];
    size_t len = fread(in, 1, sizeof in, f);
    fclose(f);

    psc_ctx *ctx = psc_ctx_new(); /* one per thread; reuse it for many photos */
    unsigned char *out = NULL;
    size_t out_len = 0;
    psc_report *rep = NULL;
    psc_status st = psc_scrub_buffer(ctx, in, len, &out, &out_len, &rep);
    if (st != PSC_OK) {
        fprintf(stderr, "%s: %s: %s\n", argv[1], psc_status_str(st), psc_ctx_errmsg(ctx));
    } else {
        FILE *o = fopen(argv[2], "wb");
        if (o == NULL || fwrite(out, 1, out_len, o) != out_len || fclose(o) != 0) {
            perror(argv[2]);
            st = PSC_ERR_IO;
        }
        char *json = NULL;
        if (psc_report_json(rep, &json, NULL) == PSC_OK)
            printf("%s\n", json);
        psc_free(json);
    }
    psc_free(out);
    psc_report_free(rep);
    psc_ctx_free(ctx);
    return st == PSC_OK ? 0 : 1;
}
