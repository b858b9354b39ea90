/*
 * Unit tests of the cheap candidate stages: text lines (level, tilted, light on dark; nothing
 * in noise) and code patches (parallel bars flagged; letters and noise not).
 */
#include "detect/code_cand.h"
#include "detect/text_cand.h"
#include "harness.h"

#include <math.h>

enum { W = 1200, H = 800 };

static unsigned char img[W * H];

static void fill(unsigned char v) {
    memset(img, v, sizeof img);
}

static void rect(int x0, int y0, int x1, int y1, unsigned char v) {
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < H; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < W; x++)
            img[y * W + x] = v;
}

/* A hollow letter-like shape 14 x 20 px, stroke 3, its top-left at (x, y). */
static void letter(int x, int y, unsigned char ink) {
    rect(x, y, x + 14, y + 3, ink);
    rect(x, y + 17, x + 14, y + 20, ink);
    rect(x, y, x + 3, y + 20, ink);
    rect(x + 11, y, x + 14, y + 20, ink);
}

/* n letters 20 px apart along a line from (x, y) at angle deg. */
static void word_line(int x, int y, int n, double deg, unsigned char ink) {
    double a = deg * 3.14159265358979 / 180.0;
    for (int i = 0; i < n; i++)
        letter(x + (int)lround(i * 20 * cos(a)), y + (int)lround(i * 20 * sin(a)), ink);
}

static const psci_tline *longest_line(const psci_tlines *ls) {
    const psci_tline *best = NULL;
    for (size_t i = 0; i < ls->n; i++)
        if (best == NULL || ls->v[i].n > best->n)
            best = &ls->v[i];
    return best;
}

static void test_level_line(void) {
    psci_err err;
    psci_err_clear(&err);
    fill(235);
    word_line(100, 300, 12, 0.0, 20);
    psci_tlines ls = {0};
    CHECK_EQ(psci_text_candidates(img, W, H, &ls, &err), PSC_OK);
    const psci_tline *l = longest_line(&ls);
    CHECK(l != NULL);
    if (l != NULL) {
        CHECK(l->n >= 10);
        CHECK(l->x0 <= 100 && l->x1 >= 100 + 11 * 20 + 14);
        CHECK(l->y0 <= 300 && l->y1 >= 320);
        CHECK(fabsf(l->angle) < 0.03f);
        CHECK(l->height >= 18 && l->height <= 22);
        CHECK(l->strength >= 3.0f); /* crisp black on light grey */
    }
    psci_tlines_free(&ls);
}

static void test_tilted_and_inverted(void) {
    psci_err err;
    psci_err_clear(&err);
    fill(235);
    word_line(100, 200, 12, 12.0, 20); /* dark letters, tilted 12 degrees */
    rect(600, 550, 1100, 650, 30);     /* a dark panel with light letters */
    word_line(640, 590, 10, 0.0, 230);
    psci_tlines ls = {0};
    CHECK_EQ(psci_text_candidates(img, W, H, &ls, &err), PSC_OK);
    int tilted = 0, light = 0;
    for (size_t i = 0; i < ls.n; i++) {
        const psci_tline *l = &ls.v[i];
        if (l->n >= 8 && l->x0 < 150 && fabsf(l->angle - 0.209f) < 0.05f)
            tilted = 1;
        if (l->n >= 8 && l->x0 >= 600 && l->y0 >= 550 && l->y1 <= 650)
            light = 1;
    }
    CHECK(tilted);
    CHECK(light);
    psci_tlines_free(&ls);
}

static void noise(unsigned seed) {
    for (size_t i = 0; i < sizeof img; i++) {
        seed = seed * 1103515245u + 12345u;
        img[i] = (unsigned char)(100 + ((seed >> 16) % 57));
    }
}

static void test_noise_has_no_lines_or_patches(void) {
    psci_err err;
    psci_err_clear(&err);
    noise(7);
    psci_tlines ls = {0};
    CHECK_EQ(psci_text_candidates(img, W, H, &ls, &err), PSC_OK);
    CHECK_EQ(ls.n, 0);
    psci_tlines_free(&ls);
    psci_patches ps = {0};
    CHECK_EQ(psci_code_candidates(img, W, H, 64, &ps, &err), PSC_OK);
    CHECK_EQ(ps.n, 0);
    psci_patches_free(&ps);
}

static void test_bars_are_flagged_letters_are_not(void) {
    psci_err err;
    psci_err_clear(&err);
    fill(240);
    /* Bars of 2-6 px with gaps of 2-6 px, 80 px tall, from x = 300. */
    unsigned seed = 3;
    int x = 300;
    while (x < 540) {
        seed = seed * 1103515245u + 12345u;
        int bar = 2 + (int)((seed >> 16) % 5), gap = 2 + (int)((seed >> 20) % 5);
        rect(x, 100, x + bar, 180, 10);
        x += bar + gap;
    }
    word_line(100, 500, 20, 0.0, 20);
    psci_patches ps = {0};
    CHECK_EQ(psci_code_candidates(img, W, H, 64, &ps, &err), PSC_OK);
    int bars = 0, bars_on_letters = 0;
    for (size_t i = 0; i < ps.n; i++) {
        const psci_patch *p = &ps.v[i];
        if (p->bars && p->x0 <= 300 && p->x1 >= 530 && p->y0 <= 100 && p->y1 >= 176)
            bars = 1;
        if (p->bars && p->y1 > 400)
            bars_on_letters = 1;
    }
    CHECK(bars);
    CHECK(!bars_on_letters);
    psci_patches_free(&ps);
}

int main(void) {
    test_level_line();
    test_tilted_and_inverted();
    test_noise_has_no_lines_or_patches();
    test_bars_are_flagged_letters_are_not();
    HARNESS_DONE();
}
