/*
 * The only C++ file that talks to Tesseract: one TessBaseAPI per context, LSTM only, no
 * process-wide variables set, OCR time bounded, and catch (...) at the edge.
 */
#include "text_tess.h"

#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>
#include <algorithm>
#include <sys/stat.h>
#include <time.h>

struct psci_tess {
    tesseract::TessBaseAPI api;
    int (*cancelled)(void *ud) = nullptr; /* the caller's cancel poll for this run; NULL: never */
    void *cancel_ud = nullptr;
};

/* Tesseract prints to stderr when a language is missing; look first, and say what to do.
 * A folder set by the caller (setting tessdata) is the only place looked at. */
static const char *find_tessdata(const std::string &lang, const char *folder) {
    static const char *const dirs[] = {"/usr/share/tesseract-ocr/5/tessdata",
                                       "/usr/share/tesseract-ocr/4.00/tessdata",
                                       "/usr/share/tessdata", "/usr/local/share/tessdata"};
    const char *env = folder != NULL && folder[0] ? folder : std::getenv("TESSDATA_PREFIX");
    struct stat sb;
    if (env != NULL) {
        std::string p = std::string(env) + "/" + lang + ".traineddata";
        return stat(p.c_str(), &sb) == 0 ? env : NULL;
    }
    for (const char *d : dirs) {
        std::string p = std::string(d) + "/" + lang + ".traineddata";
        if (stat(p.c_str(), &sb) == 0)
            return d;
    }
    return NULL;
}

extern "C" psc_status psci_tess_new(const char *langs, const char *folder, psci_tess **out,
                                    psci_err *err) {
    *out = NULL;
    try {
        std::string all(langs), datapath;
        size_t start = 0;
        while (start <= all.size()) {
            size_t plus = all.find('+', start);
            std::string one =
                all.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
            if (one.empty() || one.size() > 32 || one.find_first_of("/.\\") != std::string::npos)
                return psci_fail(err, PSC_ERR_ARG, "text: invalid language list '%s'", langs);
            const char *dir = find_tessdata(one, folder);
            if (dir == NULL && folder != NULL && folder[0])
                return psci_fail(
                    err, PSC_ERR_DETECTOR,
                    "tesseract language data '%s' is missing from %s (setting tessdata)",
                    one.c_str(), folder);
            if (dir == NULL)
                return psci_fail(err, PSC_ERR_DETECTOR,
                                 "tesseract language data '%s' is missing: install "
                                 "tesseract-ocr-%s or use --lang with installed languages",
                                 one.c_str(), one.c_str());
            datapath = dir;
            if (plus == std::string::npos)
                break;
            start = plus + 1;
        }
        psci_tess *t = new (std::nothrow) psci_tess;
        if (t == NULL)
            return psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
        if (t->api.Init(datapath.c_str(), langs, tesseract::OEM_LSTM_ONLY) != 0) {
            delete t;
            return psci_fail(err, PSC_ERR_DETECTOR, "tesseract could not load '%s' from %s", langs,
                             datapath.c_str());
        }
        *out = t;
        return PSC_OK;
    } catch (...) {
        return psci_fail(err, PSC_ERR_DETECTOR, "tesseract failed to start");
    }
}

extern "C" void psci_tess_free(psci_tess *t) {
    try {
        delete t;
    } catch (...) {
    }
}

/* A word box worth hiding: readable-looking, not a texture blob. */
static bool plausible(const psci_word &wd, int w, int h) {
    int bw = wd.x1 - wd.x0, bh = wd.y1 - wd.y0;
    if (bw <= 0 || bh < 6 || wd.alnum == 0)
        return false;
    if (bh > h / 3 || bw > (w * 9) / 10)
        return false; /* a "word" as tall as a third of the photo is a texture */
    if (bw > bh * 30)
        return false;
    if (wd.alnum == 1)
        return wd.conf >= 80; /* lone glyphs are mostly false positives */
    return wd.conf >= (wd.alnum >= 3 ? 40.0f : 60.0f) && wd.alnum * 2 >= wd.total;
}

/* One word found by the sparse-text pass. */
struct cand {
    int x0, y0, x1, y1;
    float conf;
    std::string text; /* alphanumerics, lower-case: for comparing readings */
    int group;
    bool weak; /* failed the plausibility test: kept only next to sure text */
};

/* Reports a word box at (ox, oy) + box * scale. */
static psc_status add_word(psci_regions *out, const cand &c, int ox, int oy, float scale, bool weak,
                           psci_err *err) {
    psci_region r;
    r.x = ox + (int)((float)c.x0 * scale);
    r.y = oy + (int)((float)c.y0 * scale);
    r.w = (int)((float)(c.x1 - c.x0) * scale + 1);
    r.h = (int)((float)(c.y1 - c.y0) * scale + 1);
    r.kind = PSCI_R_TEXT;
    r.linear = 0;
    r.conf = c.conf;
    r.detector = "tesseract";
    r.symbology = NULL;
    r.weak = weak;
    return psci_regions_add(out, &r, err);
}

static std::string alnum_lower(const char *w) {
    std::string o;
    for (const unsigned char *p = (const unsigned char *)w; p && *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            o += (char)(*p + 32);
        else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p >= 0x80)
            o += (char)*p;
    }
    return o;
}

static bool same_line(const cand &a, const cand &b) {
    int top = std::max(a.y0, b.y0), bot = std::min(a.y1, b.y1);
    int ha = a.y1 - a.y0, hb = b.y1 - b.y0;
    if (bot - top < std::min(ha, hb) / 2)
        return false;
    int gap = a.x0 > b.x1 ? a.x0 - b.x1 : b.x0 > a.x1 ? b.x0 - a.x1 : 0;
    return gap <= std::max(ha, hb) * 3 / 2;
}

static tesseract::PageSegMode psm_of(int psm) {
    switch (psm) {
    case 6: return tesseract::PSM_SINGLE_BLOCK;
    case 7: return tesseract::PSM_SINGLE_LINE;
    case 12: return tesseract::PSM_SPARSE_TEXT_OSD;
    default: return tesseract::PSM_SPARSE_TEXT;
    }
}

/* Tesseract polls this between words, next to its deadline, so a long recognition stops
 * soon after the caller cancels. */
static bool cancel_poll(void *ud, int words) {
    (void)words;
    const psci_tess *t = static_cast<const psci_tess *>(ud);
    return t->cancelled(t->cancel_ud) != 0;
}

/* A monitor with the deadline and, when the caller gave one, its cancel poll. */
static void arm(tesseract::ETEXT_DESC &m, psci_tess *t, int deadline_ms) {
    m.set_deadline_msecs(deadline_ms);
    if (t->cancelled != NULL) {
        m.cancel = cancel_poll;
        m.cancel_this = t;
    }
}

/* After a Recognize: cancelled by the caller, past the deadline (fail closed), or fine. */
static psc_status stopped(psci_tess *t, const tesseract::ETEXT_DESC &m, int deadline_ms,
                          psci_err *err) {
    if (t->cancelled != NULL && t->cancelled(t->cancel_ud))
        return psci_fail(err, PSC_ERR_CANCELLED, "cancelled");
    if (m.deadline_exceeded())
        return psci_fail(err, PSC_ERR_LIMIT,
                         "text: OCR took longer than %d ms (setting max-ocr-seconds)", deadline_ms);
    return PSC_OK;
}

/* Runs recognition with page segmentation psm; fails closed past deadline_ms. */
static psc_status recognize(psci_tess *t, const unsigned char *gray, int w, int h, int stride,
                            int psm, int deadline_ms, psci_err *err) {
    tesseract::TessBaseAPI &api = t->api;
    /* Tesseract's OpenMP regions only oversubscribe the CPU when apps run one context per
     * core (measured: 2x the CPU per photo, spinning threads). No parallel region started from
     * this thread runs in parallel; other threads of the app keep their own setting. */
    omp_set_max_active_levels(0);
    api.SetPageSegMode(psm_of(psm));
    api.SetImage(gray, w, h, 1, stride);
    api.SetSourceResolution(300); /* photos carry no DPI; avoids Tesseract's warning */
    tesseract::ETEXT_DESC monitor;
    arm(monitor, t, deadline_ms);
    int rc = api.Recognize(&monitor);
    psc_status st = stopped(t, monitor, deadline_ms, err);
    if (st != PSC_OK) {
        api.Clear();
        return st;
    }
    if (rc != 0) {
        api.Clear();
        return psci_fail(err, PSC_ERR_DETECTOR, "tesseract: recognition failed");
    }
    return PSC_OK;
}

/* Appends every word of the last recognition to out. */
static psc_status collect(tesseract::TessBaseAPI &api, psci_words *out, psci_err *err) {
    psc_status st = PSC_OK;
    tesseract::ResultIterator *ri = api.GetIterator();
    if (ri == NULL)
        return PSC_OK;
    do {
        int x0, y0, x1, y1;
        if (!ri->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1))
            continue;
        char *word = ri->GetUTF8Text(tesseract::RIL_WORD);
        psci_word wd;
        std::memset(&wd, 0, sizeof wd);
        wd.x0 = x0, wd.y0 = y0, wd.x1 = x1, wd.y1 = y1;
        wd.conf = ri->Confidence(tesseract::RIL_WORD);
        for (const unsigned char *p = (const unsigned char *)word; p && *p; p++) {
            if ((*p & 0xC0) == 0x80)
                continue; /* UTF-8 continuation */
            wd.total++;
            if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                *p >= 0xC0)
                wd.alnum++;
        }
        std::string low = alnum_lower(word);
        std::snprintf(wd.text, sizeof wd.text, "%s", low.c_str());
        delete[] word;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 32;
            psci_word *v = (psci_word *)std::realloc(out->v, cap * sizeof *v);
            if (v == NULL) {
                st = psci_fail(err, PSC_ERR_NOMEM, "text: out of memory");
                break;
            }
            out->v = v;
            out->cap = cap;
        }
        out->v[out->n++] = wd;
    } while (ri->Next(tesseract::RIL_WORD));
    delete ri;
    return st;
}

extern "C" psc_status psci_tess_scan(psci_tess *t, const unsigned char *gray, int w, int h,
                                     int stride, int psm, int deadline_ms, int ox, int oy,
                                     float scale, psci_regions *out, psci_err *err) {
    try {
        tesseract::TessBaseAPI &api = t->api;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        psc_status st = recognize(t, gray, w, h, stride, psm == 12 ? 12 : 11, deadline_ms, err);
        if (st != PSC_OK)
            return st;
        psci_words ws = {NULL, 0, 0};
        st = collect(api, &ws, err);
        std::vector<cand> cands, weak;
        for (size_t k = 0; st == PSC_OK && k < ws.n; k++) {
            const psci_word &wd = ws.v[k];
            if (plausible(wd, w, h))
                cands.push_back(cand{wd.x0, wd.y0, wd.x1, wd.y1, wd.conf, wd.text, -1, false});
            else if (wd.conf >= 30 && wd.y1 - wd.y0 >= 6 && wd.y1 - wd.y0 <= h / 3 &&
                     std::strlen(wd.text) >= 2)
                weak.push_back(cand{wd.x0, wd.y0, wd.x1, wd.y1, wd.conf, wd.text, -1, true});
        }
        psci_words_free(&ws);
        if (st != PSC_OK) {
            api.Clear();
            return st;
        }
        /* Group words into lines. */
        int groups = 0;
        for (size_t i = 0; i < cands.size(); i++) {
            if (cands[i].group >= 0)
                continue;
            cands[i].group = groups;
            std::vector<size_t> stack{i};
            while (!stack.empty()) {
                size_t k = stack.back();
                stack.pop_back();
                for (size_t j = 0; j < cands.size(); j++)
                    if (cands[j].group < 0 && same_line(cands[k], cands[j])) {
                        cands[j].group = groups;
                        stack.push_back(j);
                    }
            }
            groups++;
        }
        /* Textures (cobbles, foliage, fabric) yield confident nonsense in sparse mode, but
         * read differently when the same spot is read again as a single line: keep a line
         * only when a second reading agrees with the first. */
        int checks = 0;
        api.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
        for (int g = 0; st == PSC_OK && g < groups; g++) {
            int x0 = w, y0 = h, x1 = 0, y1 = 0, words = 0;
            float minconf = 100;
            std::string first;
            for (const cand &c : cands)
                if (c.group == g) {
                    x0 = std::min(x0, c.x0);
                    y0 = std::min(y0, c.y0);
                    x1 = std::max(x1, c.x1);
                    y1 = std::max(y1, c.y1);
                    minconf = std::min(minconf, c.conf);
                    first += c.text;
                    words++;
                }
            /* Lines of several confident words are text; only the rest gets a second reading
             * (a page of print has hundreds of lines: re-reading each cost minutes). */
            bool keep = (words >= 2 && minconf >= 90) || (words >= 3 && minconf >= 70);
            bool doubtful = false;
            /* Second readings are costly inside Tesseract (each walks its page results): past
             * a budget of lines, a line is hidden when it reads with fair confidence and
             * otherwise passed on as doubtful. Over-hiding text-dense pages is the safe side. */
            if (!keep && ++checks > 48) {
                keep = true;
                doubtful = minconf < 60;
            } else if (!keep) {
                long left = deadline_ms - psci_elapsed_ms(&t0);
                if (left <= 0) {
                    st = psci_fail(err, PSC_ERR_LIMIT,
                                   "text: OCR took longer than %d ms (setting max-ocr-seconds)",
                                   deadline_ms);
                    break;
                }
                int pad = (y1 - y0) / 3 + 2;
                int rx = std::max(0, x0 - pad), ry = std::max(0, y0 - pad);
                int rw = std::min(w, x1 + pad) - rx, rh = std::min(h, y1 + pad) - ry;
                api.SetRectangle(rx, ry, rw, rh);
                tesseract::ETEXT_DESC mon2;
                arm(mon2, t, (int)left);
                api.Recognize(&mon2);
                if ((st = stopped(t, mon2, deadline_ms, err)) != PSC_OK)
                    break;
                char *again = api.GetUTF8Text();
                int conf2 = api.MeanTextConf();
                std::string second = alnum_lower(again);
                delete[] again;
                size_t len = first.size();
                keep = conf2 >= 45 &&
                       (len <= 2 ? (second == first && conf2 >= 70)
                                 : psci_text_similarity(first.c_str(), second.c_str()) >= 0.5f);
                /* Not confirmed: pass it on as doubtful, hidden only beside sure findings. */
                doubtful = !keep;
                keep = true;
            }
            if (!keep)
                continue;
            for (const cand &c : cands)
                if (st == PSC_OK && c.group == g)
                    st = add_word(out, c, ox, oy, scale, doubtful, err);
        }
        for (size_t i = 0; st == PSC_OK && i < weak.size(); i++)
            st = add_word(out, weak[i], ox, oy, scale, true, err);
        api.Clear();
        return st;
    } catch (...) {
        return psci_fail(err, PSC_ERR_DETECTOR, "tesseract failed while reading text");
    }
}

extern "C" psc_status psci_tess_read(psci_tess *t, const unsigned char *gray, int w, int h,
                                     int stride, int psm, int deadline_ms, psci_words *out,
                                     psci_err *err) {
    try {
        psc_status st = recognize(t, gray, w, h, stride, psm, deadline_ms, err);
        if (st == PSC_OK)
            st = collect(t->api, out, err);
        t->api.Clear();
        return st;
    } catch (...) {
        return psci_fail(err, PSC_ERR_DETECTOR, "tesseract failed while reading text");
    }
}

extern "C" void psci_tess_set_cancel(psci_tess *t, int (*cancelled)(void *ud), void *ud) {
    t->cancelled = cancelled;
    t->cancel_ud = ud;
}

extern "C" int psci_tess_cancelled(const psci_tess *t) {
    return t->cancelled != NULL && t->cancelled(t->cancel_ud) != 0;
}

extern "C" void psci_words_free(psci_words *ws) {
    std::free(ws->v);
    ws->v = NULL;
    ws->n = ws->cap = 0;
}
