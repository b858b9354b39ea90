/*
 * Unit tests of the detector's cancel poll (psci_detect_opts.cancelled): a poll that says stop
 * ends the run with PSC_ERR_CANCELLED and the message "cancelled", whether it says so before
 * the first pass, between reader passes or during OCR; no poll (NULL) never cancels.
 */
#include "detect/detect.h"
#include "harness.h"

enum { W = 320, H = 200 };

/* Says stop from the `from`-th poll on, and counts the polls. */
typedef struct poll_state {
    int from, calls;
} poll_state;

static int poll_stop(void *ud) {
    poll_state *p = ud;
    return ++p->calls >= p->from;
}

static psc_status run(int codes, int text, poll_state *ps, psci_err *err) {
    static unsigned char gray[W * H];
    for (int i = 0; i < W * H; i++)
        gray[i] = (unsigned char)((i % W) / 20 % 2 ? 230 : 40); /* bars: work for the readers */
    psci_detect_opts o;
    memset(&o, 0, sizeof o);
    o.mode = 1;
    o.codes = codes;
    o.text = text;
    o.langs = "eng";
    o.deadline_ms = 60000;
    if (ps != NULL) {
        o.cancelled = poll_stop;
        o.cancel_ud = ps;
    }
    psci_detector *d = psci_detector_new();
    psci_regions rs;
    memset(&rs, 0, sizeof rs);
    psci_err_clear(err);
    psc_status st = d ? psci_detect_run(d, &o, gray, W, H, NULL, &rs, err) : PSC_ERR_NOMEM;
    psci_regions_free(&rs);
    psci_detector_free(d);
    return st;
}

int main(void) {
    psci_err err;
    /* No poll: today's behaviour. */
    CHECK_EQ(run(1, 0, NULL, &err), PSC_OK);

    /* Stop at once: nothing runs. */
    poll_state now = {1, 0};
    CHECK_EQ(run(1, 1, &now, &err), PSC_ERR_CANCELLED);
    CHECK(strcmp(err.msg, "cancelled") == 0);
    CHECK_EQ(now.calls, 1);

    /* Stop after the first reader pass: the code passes poll in between. */
    poll_state codes = {2, 0};
    CHECK_EQ(run(1, 0, &codes, &err), PSC_ERR_CANCELLED);
    CHECK(strcmp(err.msg, "cancelled") == 0);
    CHECK_EQ(codes.calls, 2);

    /* A poll that never says stop changes nothing. */
    poll_state never = {1000000, 0};
    CHECK_EQ(run(1, 0, &never, &err), PSC_OK);
    CHECK(never.calls >= 3);

    /* Stop once OCR has started (the 3rd poll: after the two checks before the text pass):
     * the candidate lines or Tesseract's own monitor end it. Needs the English model. */
    poll_state ocr = {3, 0};
    psc_status st = run(0, 1, &ocr, &err);
    if (st == PSC_ERR_DETECTOR) {
        printf("no Tesseract English model: OCR cancel not tested (%s)\n", err.msg);
    } else {
        CHECK_EQ(st, PSC_ERR_CANCELLED);
        CHECK(strcmp(err.msg, "cancelled") == 0);
        CHECK(ocr.calls >= 3);
    }
    HARNESS_DONE();
}
