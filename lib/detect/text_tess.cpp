/*
 * The only C++ file that talks to Tesseract: one TessBaseAPI per context, LSTM only, no
 * process-wide variables set, OCR time bounded, and catch (...) at the edge.
 */
#include "text_tess.h"

#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <sys/stat.h>

struct psci_tess {
    tesseract::TessBaseAPI api;
};

/* Tesseract prints to stderr when a language is missing; look first, and say what to do. */
static const char *find_tessdata(const std::string &lang) {
    static const char *const dirs[] = {"/usr/share/tesseract-ocr/5/tessdata",
                                       "/usr/share/tesseract-ocr/4.00/tessdata",
                                       "/usr/share/tessdata", "/usr/local/share/tessdata"};
    const char *env = std::getenv("TESSDATA_PREFIX");
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

extern "C" psc_status psci_tess_new(const char *langs, psci_tess **out, psci_err *err) {
    *out = NULL;
    try {
        std::string all(langs), datapath;
        size_t start = 0;
        while (start <= all.size()) {
            size_t plus = all.find('+', start);
            std::string one = all.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
            if (one.empty() || one.size() > 32 || one.find_first_of("/.\\") != std::string::npos)
                return psci_fail(err, PSC_ERR_ARG, "text: invalid language list '%s'", langs);
            const char *dir = find_tessdata(one);
            if (dir == NULL)
                return psci_fail(err, PSC_ERR_DETECTOR,
                                 "tesseract language data '%s' is missing: install tesseract-ocr-%s or use --lang with installed languages",
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
            return psci_fail(err, PSC_ERR_DETECTOR, "tesseract could not load '%s' from %s", langs, datapath.c_str());
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
static bool plausible(const char *word, float conf, int bw, int bh, int w, int h) {
    if (word == NULL || bw <= 0 || bh < 6)
        return false;
    int alnum = 0, total = 0;
    for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue; /* UTF-8 continuation */
        total++;
        if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p >= 0xC0)
            alnum++;
    }
    if (alnum == 0)
        return false;
    if (bh > h / 3 || bw > (w * 9) / 10)
        return false; /* a "word" as tall as a third of the photo is a texture */
    if (bw > bh * 30)
        return false;
    if (alnum == 1)
        return conf >= 80; /* lone glyphs are mostly false positives */
    return conf >= (alnum >= 3 ? 45.0f : 60.0f) && alnum * 2 >= total;
}

extern "C" psc_status psci_tess_scan(psci_tess *t, const unsigned char *gray, int w, int h,
                                     int stride, int psm, int deadline_ms, int ox, int oy,
                                     float scale, psci_regions *out, psci_err *err) {
    try {
        tesseract::TessBaseAPI &api = t->api;
        api.SetPageSegMode(psm == 12 ? tesseract::PSM_SPARSE_TEXT_OSD : tesseract::PSM_SPARSE_TEXT);
        api.SetImage(gray, w, h, 1, stride);
        api.SetSourceResolution(300); /* photos carry no DPI; avoids Tesseract's warning */
        tesseract::ETEXT_DESC monitor;
        monitor.set_deadline_msecs(deadline_ms);
        int rc = api.Recognize(&monitor);
        if (monitor.deadline_exceeded()) {
            api.Clear();
            return psci_fail(err, PSC_ERR_LIMIT, "text: OCR took longer than %d ms (setting max-ocr-seconds)", deadline_ms);
        }
        if (rc != 0) {
            api.Clear();
            return psci_fail(err, PSC_ERR_DETECTOR, "tesseract: recognition failed");
        }
        psc_status st = PSC_OK;
        tesseract::ResultIterator *ri = api.GetIterator();
        if (ri != NULL) {
            do {
                int x0, y0, x1, y1;
                if (!ri->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1))
                    continue;
                char *word = ri->GetUTF8Text(tesseract::RIL_WORD);
                float conf = ri->Confidence(tesseract::RIL_WORD);
                bool keep = plausible(word, conf, x1 - x0, y1 - y0, w, h);
                delete[] word;
                if (!keep)
                    continue;
                psci_region r;
                r.x = ox + (int)((float)x0 * scale);
                r.y = oy + (int)((float)y0 * scale);
                r.w = (int)((float)(x1 - x0) * scale + 1);
                r.h = (int)((float)(y1 - y0) * scale + 1);
                r.kind = PSCI_R_TEXT;
                r.linear = 0;
                r.conf = conf;
                r.detector = "tesseract";
                r.symbology = NULL;
                st = psci_regions_add(out, &r, err);
            } while (st == PSC_OK && ri->Next(tesseract::RIL_WORD));
            delete ri;
        }
        api.Clear();
        return st;
    } catch (...) {
        return psci_fail(err, PSC_ERR_DETECTOR, "tesseract failed while reading text");
    }
}
