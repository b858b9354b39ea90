/*
 * The only zxing-cpp user. C++ exceptions stop here (catch (...)); the rest of the library
 * sees statuses only.
 */
#include "barcode_zxing.h"

#include <ZXing/ReadBarcode.h>

#include <algorithm>

static int is_linear(ZXing::BarcodeFormat f) {
    using F = ZXing::BarcodeFormat;
    ZXing::BarcodeFormats linear = F::Codabar | F::Code39 | F::Code93 | F::Code128 | F::EAN8 |
                                   F::EAN13 | F::ITF | F::DataBar | F::DataBarExpanded | F::UPCA |
                                   F::UPCE;
    return linear.testFlag(f);
}

static int kind_of(ZXing::BarcodeFormat f) {
    using F = ZXing::BarcodeFormat;
    if (is_linear(f))
        return PSCI_R_BARCODE;
    if (f == F::QRCode || f == F::MicroQRCode)
        return PSCI_R_QR;
    return PSCI_R_MATRIX;
}

static const char *format_name(ZXing::BarcodeFormat f) {
    using F = ZXing::BarcodeFormat;
    switch (f) {
    case F::Aztec: return "Aztec";
    case F::Codabar: return "Codabar";
    case F::Code39: return "Code39";
    case F::Code93: return "Code93";
    case F::Code128: return "Code128";
    case F::DataBar: return "DataBar";
    case F::DataBarExpanded: return "DataBarExpanded";
    case F::DataMatrix: return "DataMatrix";
    case F::EAN8: return "EAN-8";
    case F::EAN13: return "EAN-13";
    case F::ITF: return "ITF";
    case F::MaxiCode: return "MaxiCode";
    case F::PDF417: return "PDF417";
    case F::QRCode: return "QR-Code";
    case F::UPCA: return "UPC-A";
    case F::UPCE: return "UPC-E";
    case F::MicroQRCode: return "MicroQR";
    default: return "code";
    }
}

extern "C" psc_status psci_zxing_scan(const unsigned char *gray, int w, int h, int stride, int ox,
                                      int oy, float scale, int try_harder, psci_regions *out,
                                      psci_err *err) {
    if (w < 1 || h < 1)
        return PSC_OK;
    try {
        ZXing::ImageView view(gray, w, h, ZXing::ImageFormat::Lum, stride);
        ZXing::DecodeHints hints;
        hints.setTryHarder(try_harder != 0);
        hints.setTryRotate(true);
        hints.setTryDownscale(true);
        hints.setReturnErrors(true);
        /* 1D codes are ZBar's job. libZXing 1.4 (Debian 12) aborts the whole process on an
         * assertion (Result.cpp: lineCount() == 1) while merging some linear results, which
         * no catch can stop; reading only 2D symbologies avoids that path. */
        hints.setFormats(ZXing::BarcodeFormat::Aztec | ZXing::BarcodeFormat::DataMatrix |
                         ZXing::BarcodeFormat::MaxiCode | ZXing::BarcodeFormat::PDF417 |
                         ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::MicroQRCode);
        ZXing::Results results = ZXing::ReadBarcodes(view, hints);
        for (const ZXing::Result &r : results) {
            if (r.format() == ZXing::BarcodeFormat::None)
                continue;
            const ZXing::Position &p = r.position();
            int x0 = w, y0 = h, x1 = 0, y1 = 0;
            for (int i = 0; i < 4; i++) {
                x0 = std::min(x0, p[i].x);
                y0 = std::min(y0, p[i].y);
                x1 = std::max(x1, p[i].x);
                y1 = std::max(y1, p[i].y);
            }
            if (x1 < x0 || y1 < y0)
                continue;
            psci_region reg;
            reg.x = ox + (int)((float)x0 * scale);
            reg.y = oy + (int)((float)y0 * scale);
            reg.w = (int)((float)(x1 - x0 + 1) * scale + 1);
            reg.h = (int)((float)(y1 - y0 + 1) * scale + 1);
            reg.kind = kind_of(r.format());
            reg.linear = is_linear(r.format());
            reg.conf = static_cast<bool>(r.error()) ? 50.0f : 100.0f;
            reg.detector = "zxing";
            reg.symbology = format_name(r.format());
            reg.weak = 0;
            psc_status st = psci_regions_add(out, &reg, err);
            if (st != PSC_OK)
                return st;
        }
        return PSC_OK;
    } catch (...) {
        return psci_fail(err, PSC_ERR_DETECTOR, "zxing: the barcode reader failed");
    }
}
