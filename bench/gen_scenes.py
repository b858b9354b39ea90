#!/usr/bin/env python3
"""bench/gen_scenes.py - staged hospital-like photos with ground truth, for the detection bench.

Usage: bench/gen_scenes.py OUTDIR [--seed N] [--count N] [--negatives N] [--size WxH] [--jobs N]
                            [--wide]

Writes OUTDIR/scene-NNN-<type>.jpg (positives) and OUTDIR/neg-NNN-<type>.jpg (negatives, no text
and no codes) plus OUTDIR/truth.json:

  {"generator": ..., "seed": N, "size": [W, H], "images": [
     {"file": "scene-001-badge.jpg", "scene": "badge", "negative": false, "quality": 88,
      "objects": [
        {"kind": "qr|code128|ean13|datamatrix|pdf417", "payload": "...", "box": [x, y, w, h],
         "module_px": 3.1},
        {"kind": "text", "words": "DOE, JANE", "box": [x, y, w, h], "xheight_px": 23}]}, ...]}

Boxes are axis-aligned bounding boxes, in output pixels, of the symbol (without quiet zone) or of
the inked text line, after the object's rotation and perspective; clipped to the image.

Scenes (positives, cycled in this order, then shuffled by seed): staff badge (name, role, QR or
Code128 or PDF417), login screen on a monitor (+ a sticky note), patient wristband (name, DOB,
MRN + Code128 + DataMatrix), whiteboard table of patients, Wi-Fi QR poster, drug pack
(DataMatrix + EAN-13 + text). Some scenes get a second, smaller object. Negatives: foliage,
tiles, fabric, sky.

--wide (issue 11; the distribution of the TUNE and HELDOUT sets): every object is turned by a
uniform 0-360 degree angle (vertical and upside-down text, 45-degree codes) and tilted out of plane
by up to 40 degrees (perspective, and scaled down when it would not fit the frame), some with
motion blur, glare, low-contrast print; stronger sensor noise; JPEG quality 70-95; half the login
screens in dark mode; inverted (light-on-dark) codes; QR / Data Matrix down to ~2 px modules and
1D codes down to 1.5 px bars; curved wristbands (an arc, ImageMagick -wave); large plain shapes
(furniture, skin-toned blobs) on the background. Each object then also records "rotation_deg"
(clockwise, of its baseline in the photo), "tilt_deg", "polarity" (dark-on-light|light-on-dark),
"xheight_px" / "module_px" measured in the photo (the card size times the local scale of the
perspective), and login credentials "role": "username"|"password" with "secret" (the credential
alone, without its label). Without --wide the output is the pre-issue-11 distribution, unchanged,
so older figures stay reproducible.

Everything is drawn by ImageMagick (convert), qrencode and zint, with DejaVu fonts; the output is
deterministic for a given seed, size and tool versions. Python standard library only.
"""
import argparse
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

CONVERT = "/usr/bin/convert" if os.path.exists("/usr/bin/convert") else "convert"
FONTS = {
    "sans": "DejaVu-Sans", "bold": "DejaVu-Sans-Bold", "cond": "DejaVu-Sans-Condensed",
    "condb": "DejaVu-Sans-Condensed-Bold", "obl": "DejaVu-Sans-Oblique",
    "boldobl": "DejaVu-Sans-Bold-Oblique", "mono": "DejaVu-Sans-Mono",
    "monob": "DejaVu-Sans-Mono-Bold", "serif": "DejaVu-Serif", "serifb": "DejaVu-Serif-Bold",
}
XH_RATIO = {"mono": 0.545, "monob": 0.545}  # x-height / em; DejaVu Sans/Serif ~0.547, condensed same
XH_DEFAULT = 0.547
MIN_XH = 10.0      # px, set from the scene size in main(): smaller text is not drawn
MIN_2D = 70.0      # px, smallest QR / DataMatrix side
WIDE = False       # --wide: the issue-11 distribution (see the docstring)

FIRST = ["Jane", "John", "Marie", "Pierre", "Sophie", "Thomas", "Camille", "Lucas", "Emma",
         "Nathalie", "Olivier", "Fatima", "Mohamed", "Claire", "Julien", "Isabelle", "David",
         "Sarah", "Antoine", "Laura", "Nicolas", "Helene", "Karim", "Chloe", "Maxime", "Anna"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fontaine",
        "Rousseau", "Vincent", "Muller", "Lambert", "Bonnet", "Francois", "Mercier", "Smith",
        "Johnson", "Williams", "Brown", "Taylor", "Anderson", "Walker", "Harris", "Clarke"]
ROLES = ["Registered Nurse", "Infirmiere", "Medecin", "Cardiology Resident", "Pharmacist",
         "Radiology Technician", "Aide-soignant", "Anesthesiologist", "Head Nurse ICU",
         "Physiotherapist", "Medical Secretary", "Sage-femme", "Surgeon", "Lab Technician"]
HOSPITALS = ["SAINT LOUIS HOSPITAL", "CHU NORD", "GENERAL HOSPITAL", "CLINIQUE DES LILAS",
             "MERCY MEDICAL CENTER", "HOPITAL EUROPEEN", "RIVERSIDE HEALTH", "CENTRE HOSPITALIER"]
DRUGS = [("Amoxicilline", "500 mg", "gelules"), ("Paracetamol", "1 g", "comprimes"),
         ("Ibuprofen", "400 mg", "tablets"), ("Metformin", "850 mg", "tablets"),
         ("Omeprazole", "20 mg", "capsules"), ("Furosemide", "40 mg", "comprimes"),
         ("Atorvastatine", "10 mg", "comprimes"), ("Levothyrox", "75 mcg", "comprimes"),
         ("Enoxaparine", "4000 UI", "seringues"), ("Tramadol", "50 mg", "capsules")]
NOTES = ["NPO after midnight", "Fall risk", "Allergy penicillin", "Discharge today",
         "Insulin 8h", "Transfer ICU", "Scan 14h", "Isolation contact", "Diabetic diet",
         "Post-op day 2", "Family meeting", "Bloods pending"]
WORDS = ["Spring", "Winter", "Summer", "Autumn", "Hospital", "Welcome", "Bonjour", "Soleil",
         "Garden", "Orange", "Silver", "Rocket"]


# ----------------------------------------------------------------------------- helpers
def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (
            r.returncode, " ".join(map(str, cmd))[:2000], r.stderr.decode("utf-8", "replace")[-2000:]))
    return r.stdout


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise RuntimeError("not a PNG: %s" % path)
    return struct.unpack(">II", head[16:24])


def ean13_check(d12):
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(d12))
    return str((10 - s % 10) % 10)


def solve(a, b):
    """Gaussian elimination with partial pivoting (8x8 for a homography)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def homography(src, dst):
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
    h = solve(a, b)
    return h + [1.0]


def apply_h(h, x, y):
    d = h[6] * x + h[7] * y + h[8]
    return ((h[0] * x + h[1] * y + h[2]) / d, (h[3] * x + h[4] * y + h[5]) / d)


def map_box(h, box, W, H):
    x, y, w, hh = box
    pts = [apply_h(h, px, py) for px, py in ((x, y), (x + w, y), (x + w, y + hh), (x, y + hh))]
    x0 = max(0, int(math.floor(min(p[0] for p in pts))))
    y0 = max(0, int(math.floor(min(p[1] for p in pts))))
    x1 = min(W, int(math.ceil(max(p[0] for p in pts))))
    y1 = min(H, int(math.ceil(max(p[1] for p in pts))))
    return [x0, y0, max(0, x1 - x0), max(0, y1 - y0)]


# ----------------------------------------------------------------------------- objects
class Card:
    """An object (badge, poster...) drawn as one PNG: a base rectangle, decorations, labels and
    code images at known positions. Elements carry their ground truth in card coordinates."""

    def __init__(self, tmp, name, rng, s=1.0):
        self.tmp, self.name, self.rng, self.s = tmp, name, rng, s
        self.labels = []    # (path, text, font, pt, color, xh)
        self.items = []     # placed: dict(kind, path, x, y, w, h, truth)
        self.decor = []     # convert -draw primitives (strings) with fill colours
        self.n = 0

    def path(self, what):
        self.n += 1
        return os.path.join(self.tmp, "%s-%02d-%s.png" % (self.name, self.n, what))

    # --- text: rendered in one batch later; layout needs sizes, so we render immediately
    def text(self, text, font, xh, color="#101010", role=None, secret=None):
        xh = max(xh, MIN_XH)
        pt = max(6.0, xh / XH_RATIO.get(font, XH_DEFAULT))
        p = self.path("txt")
        self.labels.append((p, text, FONTS[font], pt, color))
        el = {"kind": "text", "path": p, "words": text, "xh": int(round(xh)), "polarity": polarity_of(color)}
        if role:
            el["role"], el["secret"] = role, secret
        return el

    def render_labels(self):
        if not self.labels:
            return
        cmd = [CONVERT, "-background", "none"]
        for p, text, font, pt, color in self.labels:
            safe = text.replace("\\", "\\\\")
            if safe.startswith("@"):
                safe = " " + safe
            cmd += ["(", "-font", font, "-pointsize", "%.1f" % pt, "-fill", color,
                    "label:" + safe, "-trim", "+repage", "-write", p, "+delete", ")"]
        cmd += ["-size", "1x1", "xc:none", "null:"]
        run(cmd)
        self.labels = []

    def place(self, el, x, y, w=None, h=None):
        if w is None:
            w, h = png_size(el["path"])
        el = dict(el, x=int(x), y=int(y), w=int(w), h=int(h))
        self.items.append(el)
        return el

    def size(self, el):
        return png_size(el["path"])


def polarity_of(color):
    """Text polarity from its ink: light ink is drawn on a dark ground in these scenes."""
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return "light-on-dark" if 0.299 * r + 0.587 * g + 0.114 * b > 128 else "dark-on-light"


def make_code(tmp, rng, kind, payload, target, name, mod_px=None, invert=False):
    """Render a code with qrencode/zint; returns (path, w, h, modules_across) where w/h are the
    target pixel size of the symbol (no quiet zone; the card provides a white margin)."""
    p = os.path.join(tmp, name + ".png")
    if kind == "qr":
        run(["qrencode", "-o", p, "-s", "4", "-m", "0", "-l", rng.choice("LMQ"), payload])
    else:
        b = {"code128": "20", "ean13": "13", "datamatrix": "71", "pdf417": "55"}[kind]
        cmd = ["zint", "-b", b, "--notext", "--scale=1", "-o", p, "--data=" + payload]
        if kind == "datamatrix":
            cmd.append("--square")
        if kind in ("code128", "ean13"):
            cmd.append("--height=%d" % rng.randint(18, 40))
        if kind == "pdf417":
            cmd.append("--cols=%d" % rng.randint(3, 6))
        run(cmd)
    w0, h0 = png_size(p)
    unit = 4 if kind == "qr" else 2        # px per module in the raw render
    modules = w0 / unit
    if mod_px is not None:                 # --wide: the module size is drawn directly
        mod = mod_px
        w, h = int(round(modules * mod)), int(round(h0 / unit * mod))
    elif kind in ("code128", "ean13", "pdf417"):
        # 1-D and stacked codes: pick the module width; "target" is the wanted width
        mod = max(1.3, target / modules)
        w, h = int(round(modules * mod)), int(round(h0 / unit * mod))
    else:
        w = h = int(max(target, MIN_2D))
        mod = w / modules
    out = os.path.join(tmp, name + "-s.png")
    run([CONVERT, p, "-alpha", "off", "-colorspace", "sRGB", "-type", "TrueColor",
         "-filter", "Triangle", "-resize", "%dx%d!" % (w, h)] + (["-negate"] if invert else []) + [out])
    return out, w, h, round(mod, 2)


# --- scene objects. Each builder returns a Card with items placed; sizes in output px.
def hospital_id(rng):
    return "%06d" % rng.randint(0, 999999)


def person(rng):
    return rng.choice(FIRST), rng.choice(LAST)


def add_code(card, rng, kind, payload, target, quiet=True):
    mod_px, invert = None, False
    if WIDE:
        # module size in card px: 2-D codes 2-12 px, 1-D / stacked 1.5-4.5 px (times the scene
        # scale); about one code in four printed light on dark
        lo, hi = (2.0, 12.0) if kind in ("qr", "datamatrix") else (1.5, 4.5)
        mod_px = round(math.exp(rng.uniform(math.log(lo), math.log(hi))) * card.s, 2)
        invert = rng.random() < 0.25
    path, w, h, mod = make_code(card.tmp, rng, kind, payload, target, card.name + "-" + kind, mod_px, invert)
    return {"kind": kind, "path": path, "payload": payload, "w": w, "h": h, "mod": mod,
            "quiet": int(math.ceil(mod * (10 if kind in ("code128", "ean13") else 3))),
            "polarity": "light-on-dark" if invert else "dark-on-light"}


def build_badge(tmp, rng, s, name="badge"):
    c = Card(tmp, name, rng, s)
    first, last = person(rng)
    xh_name = rng.uniform(14, 60) * s
    xh_small = max(10 * s, xh_name * rng.uniform(0.45, 0.7))
    hosp = c.text(rng.choice(HOSPITALS), rng.choice(["bold", "condb"]), xh_small * 0.9, "#ffffff")
    nm = c.text("%s %s" % (first, last.upper()), rng.choice(["bold", "sans", "condb"]), xh_name)
    role = c.text(rng.choice(ROLES), rng.choice(["sans", "obl", "cond"]), xh_small,
                  rng.choice(["#202020", "#1d3b78", "#5a1010"]))
    emp = hospital_id(rng)
    idl = c.text("ID %s" % emp, "mono", xh_small * 0.9, "#303030")
    c.render_labels()
    kind = rng.choices(["qr", "code128", "pdf417"], [0.45, 0.4, 0.15])[0]
    if kind == "qr":
        code = add_code(c, rng, "qr", "EMP:%s;%s %s;%s" % (emp, first, last, rng.choice(HOSPITALS)),
                        rng.uniform(90, 380) * s)
    elif kind == "code128":
        code = add_code(c, rng, "code128", "E%s" % emp, rng.uniform(1.4, 4.5) * s * 80)
    else:
        code = add_code(c, rng, "pdf417", "%s|%s|%s|%s" % (emp, last.upper(), first, rng.choice(ROLES)),
                        rng.uniform(2.0, 4.5) * s * 120)
    pad = int(max(xh_name, 20 * s))
    widths = [c.size(hosp)[0], c.size(nm)[0], c.size(role)[0], c.size(idl)[0], code["w"] + 2 * code["quiet"]]
    photo = int(max(widths) * 0.45)
    W = max(widths + [photo]) + 2 * pad
    hh = c.size(hosp)[1] + pad
    y = 0
    color = rng.choice(["#1f4e9c", "#0b7a5a", "#a31d2b", "#5b2a86", "#c05a00"])
    c.decor.append(("fill", color, "rectangle 0,0 %d,%d" % (W, hh)))
    c.place(hosp, (W - c.size(hosp)[0]) // 2, (hh - c.size(hosp)[1]) // 2)
    y = hh + pad // 2
    c.decor.append(("fill", rng.choice(["#b8a89a", "#9aa6b8", "#c9b8a0"]),
                    "rectangle %d,%d %d,%d" % ((W - photo) // 2, y, (W + photo) // 2, y + int(photo * 1.2))))
    c.decor.append(("fill", "#7a6656", "ellipse %d,%d %d,%d 0,360" % (W // 2, y + int(photo * 0.5), photo // 4, int(photo * 0.32))))
    y += int(photo * 1.2) + pad // 2
    for el in (nm, role, idl):
        w_, h_ = c.size(el)
        c.place(el, (W - w_) // 2, y)
        y += h_ + pad // 3
    y += code["quiet"]
    c.place(code, (W - code["w"]) // 2, y, code["w"], code["h"])
    y += code["h"] + max(pad, code["quiet"])
    c.W, c.H, c.bg = W, y, rng.choice(["#ffffff", "#f6f6f2", "#eef3f8"])
    c.round = int(pad * 0.6)
    return c


def build_login(tmp, rng, s, name="login"):
    c = Card(tmp, name, rng, s)
    dark = rng.random() < (0.5 if WIDE else 0.3)
    fg = "#e8e8e8" if dark else "#1a1a1a"
    first, last = person(rng)
    user = "%s.%s" % (first[0].lower(), last.lower())
    pw = "%s%d!" % (rng.choice(WORDS), rng.randint(10, 2099))
    xh = rng.uniform(12, 38) * s
    lines = [
        (c.text(rng.choice(["CarePoint EHR - Sign in", "Dossier Patient Informatise", "Clinical Portal Login",
                            "MediSys Workstation"]), "bold", xh * 1.4, fg), 1.0),
        (c.text("Username: %s" % user, rng.choice(["sans", "mono"]), xh, fg, "username", user), 0.7),
        (c.text("Password: %s" % pw, rng.choice(["sans", "mono"]), xh, fg, "password", pw), 0.7),
        (c.text("Domain: %s" % rng.choice(["CHU-NORD", "HOSP-ICU", "MEDNET", "CLINIC01"]), "sans", xh * 0.8, fg), 0.7),
        (c.text("Last login %02d/%02d/2024 %02d:%02d from WS-%s-%02d" % (
            rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 23), rng.randint(0, 59),
            rng.choice(["ICU", "ER", "PED", "CARD"]), rng.randint(1, 40)), "sans", xh * 0.75, fg), 0.5),
    ]
    c.render_labels()
    pad = int(xh * 3)
    W = max(c.size(el)[0] for el, _ in lines) + 2 * pad
    W = max(W, int(W * rng.uniform(1.1, 1.5)))
    bezel = int(max(18 * s, W * 0.03))
    y = bezel + pad
    screen = "#23262e" if dark else rng.choice(["#f4f7fb", "#ffffff", "#eaf2ff"])
    x0 = bezel + pad
    for el, gap in lines:
        w_, h_ = c.size(el)
        c.place(el, x0, y)
        y += int(h_ + pad * gap)
    H = y + pad + bezel
    H = max(H, int(W * 0.55))
    c.decor.append(("fill", "#111214", "rectangle 0,0 %d,%d" % (W, H)))
    c.decor.append(("fill", screen, "rectangle %d,%d %d,%d" % (bezel, bezel, W - bezel, H - bezel)))
    c.decor.append(("fill", "#3b6fd6" if not dark else "#4a5060",
                    "rectangle %d,%d %d,%d" % (bezel, bezel, W - bezel, bezel + int(pad * 0.6))))
    c.W, c.H, c.bg = W, H, "#111214"
    c.round = bezel // 2
    c.glow = True
    c.dark = dark
    return c


def build_sticky(tmp, rng, s, name="sticky"):
    c = Card(tmp, name, rng, s)
    xh = rng.uniform(14, 34) * s
    ink = rng.choice(["#1a237e", "#111111", "#0d3b66"])
    pw = "%s%d" % (rng.choice(WORDS), rng.randint(1, 99))    # same rng order as before --wide
    a = c.text("pw: %s" % pw, rng.choice(["boldobl", "obl"]), xh, ink, "password", pw)
    user = rng.choice(LAST).lower()
    b = c.text("user %s" % user, rng.choice(["boldobl", "obl"]), xh, ink, "username", user)
    c.render_labels()
    pad = int(xh * 1.5)
    W = max(c.size(a)[0], c.size(b)[0]) + 2 * pad
    c.place(a, pad, pad)
    c.place(b, pad, pad + c.size(a)[1] + pad)
    H = max(W, pad * 3 + c.size(a)[1] + c.size(b)[1])
    c.W, c.H, c.bg, c.round = W, H, rng.choice(["#fff27a", "#ffd36e", "#bff0a0", "#ffb3c8"]), 0
    return c


def build_wristband(tmp, rng, s, name="wristband"):
    c = Card(tmp, name, rng, s)
    first, last = person(rng)
    mrn = "%08d" % rng.randint(0, 99999999)
    xh = rng.uniform(12, 30) * s
    ink = "#111111"
    t1 = c.text("%s, %s" % (last.upper(), first), "bold", xh * 1.2, ink)
    t2 = c.text("DOB: %02d/%02d/%d  %s" % (rng.randint(1, 28), rng.randint(1, 12), rng.randint(1930, 2015),
                                          rng.choice("MF")), "sans", xh, ink)
    t3 = c.text("MRN: %s" % mrn, rng.choice(["sans", "mono"]), xh, ink)
    t4 = c.text("Adm %02d/%02d/2024  Dr %s" % (rng.randint(1, 28), rng.randint(1, 12), rng.choice(LAST)),
                "cond", xh * 0.85, ink)
    c.render_labels()
    bar = add_code(c, rng, "code128", "MRN" + mrn, rng.uniform(1.4, 3.2) * s * 120)
    dm = add_code(c, rng, "datamatrix", "%s|%s|%s" % (mrn, last.upper(), first), rng.uniform(80, 240) * s)
    text_h = sum(c.size(t)[1] for t in (t1, t2, t3, t4))
    pad = int(xh * 0.9)
    H = max(text_h + 5 * pad // 2, bar["h"] + 2 * pad, dm["h"] + 2 * pad)
    x = int(H * 0.5)
    y = (H - bar["h"]) // 2
    x += bar["quiet"]
    c.place(bar, x, y, bar["w"], bar["h"])
    x += bar["w"] + bar["quiet"] + pad
    y = (H - text_h - 3 * pad // 2) // 2
    tw = 0
    for t in (t1, t2, t3, t4):
        c.place(t, x, y)
        w_, h_ = c.size(t)
        tw = max(tw, w_)
        y += h_ + pad // 2
    x += tw + pad + dm["quiet"]
    c.place(dm, x, (H - dm["h"]) // 2, dm["w"], dm["h"])
    x += dm["w"] + dm["quiet"] + int(H * 0.8)
    c.W, c.H, c.bg = x, H, rng.choice(["#ffffff", "#fdfdf6", "#f2f6ff"])
    stripe = rng.choice(["#d32f2f", "#fbc02d", "#7b1fa2", "#1976d2", None])
    if stripe:
        c.decor.append(("fill", stripe, "rectangle 0,0 %d,%d" % (int(H * 0.3), H)))
    c.round = H // 3
    if WIDE and rng.random() < 0.6:
        # the band seen around a wrist: an arc, half a sine wave across the card (ImageMagick
        # -wave AxL moves column x down by |A| + A*sin(2*pi*x/L))
        c.curve = (round(rng.choice([-1, 1]) * rng.uniform(0.04, 0.12) * x, 1), 2 * x)
    return c


def build_whiteboard(tmp, rng, s, name="whiteboard"):
    c = Card(tmp, name, rng, s)
    rows = rng.randint(3, 6)
    base = rng.uniform(20, 75) * s
    markers = ["#101010", "#15306e", "#8c1616", "#165c25"]
    fonts = ["boldobl", "obl", "condb", "sans", "bold"]
    title = c.text("WARD %d%s  %02d/%02d" % (rng.randint(1, 9), rng.choice("ABCDE"), rng.randint(1, 28), rng.randint(1, 12)),
                   "bold", base * 1.3, rng.choice(markers))
    head = [c.text(t, "bold", base * 0.8, "#303030") for t in ("Room", "Patient", "Nurse", "Notes")]
    cells = []
    for r in range(rows):
        first, last = person(rng)
        nf, nl = person(rng)
        xh = base * rng.uniform(0.6, 1.15)
        ink = rng.choice(markers)
        f = rng.choice(fonts)
        cells.append([c.text("%d%02d" % (rng.randint(1, 5), rng.randint(1, 40)), f, xh, ink),
                      c.text("%s %s" % (last.upper(), first[0] + "."), f, xh, ink),
                      c.text(nf, f, xh * rng.uniform(0.8, 1.0), ink),
                      c.text(rng.choice(NOTES), f, xh * rng.uniform(0.7, 1.0), rng.choice(markers))])
    c.render_labels()
    pad = int(base * 0.8)
    colw = [max([c.size(head[i])[0]] + [c.size(row[i])[0] for row in cells]) + 2 * pad for i in range(4)]
    rowh = [c.size(head[0])[1] + 2 * pad] + [max(c.size(e)[1] for e in row) + 2 * pad for row in cells]
    frame = int(max(12 * s, base * 0.5))
    x0, y0 = frame + pad, frame + pad
    c.place(title, x0, y0)
    ty = y0 + c.size(title)[1] + pad
    W = frame * 2 + pad * 2 + max(sum(colw), c.size(title)[0])
    H = ty + sum(rowh) + pad + frame
    W, H = int(W * rng.uniform(1.05, 1.4)), int(H * rng.uniform(1.05, 1.35))   # empty board around
    line = "#5a5a5a"
    y = ty
    for ri, row in enumerate([head] + cells):
        x = x0
        for ci, el in enumerate(row):
            c.place(el, x + pad, y + (rowh[ri] - c.size(el)[1]) // 2)
            x += colw[ci]
        y += rowh[ri]
    # grid lines (after positions known)
    lw = max(2, int(base * 0.08))
    y = ty
    for ri in range(len(rowh) + 1):
        c.decor.append(("fill", line, "rectangle %d,%d %d,%d" % (x0, y, x0 + sum(colw), y + lw)))
        if ri < len(rowh):
            y += rowh[ri]
    x = x0
    for ci in range(5):
        c.decor.append(("fill", line, "rectangle %d,%d %d,%d" % (x, ty, x + lw, ty + sum(rowh))))
        if ci < 4:
            x += colw[ci]
    c.decor.insert(0, ("fill", "#fbfbf8", "rectangle %d,%d %d,%d" % (frame, frame, W - frame, H - frame)))
    c.W, c.H, c.bg, c.round = W, H, "#a8acb0", 0
    c.smudge = True
    return c


def build_poster(tmp, rng, s, name="poster"):
    c = Card(tmp, name, rng, s)
    ssid = rng.choice(["HOSP-GUEST", "CHU-Visiteurs", "Mercy_Free_WiFi", "Patients-WLAN", "LILAS-GUEST"])
    pw = "%s%04d" % (rng.choice(WORDS), rng.randint(0, 9999))
    xh = rng.uniform(14, 55) * s
    ink = rng.choice(["#101010", "#0b2f6b", "#1b4d1b"])
    title = c.text(rng.choice(["Guest Wi-Fi", "Free Wi-Fi", "Wi-Fi Visiteurs", "Patient Wi-Fi"]), "bold", xh * 1.6, ink)
    scan = c.text(rng.choice(["Scan to connect", "Scannez pour vous connecter", "Scan with your camera"]), "sans", xh * 0.8, ink)
    net = c.text("Network: %s" % ssid, "sans", xh * 0.8, ink)
    pwl = c.text("Password: %s" % pw, "sans", xh * 0.8, ink)
    c.render_labels()
    qr = add_code(c, rng, "qr", "WIFI:T:WPA;S:%s;P:%s;;" % (ssid, pw), rng.uniform(120, 600) * s)
    pad = int(xh * 1.2)
    W = max([c.size(e)[0] for e in (title, scan, net, pwl)] + [qr["w"] + 2 * qr["quiet"]]) + 2 * pad
    y = pad
    for el in (title, scan):
        c.place(el, (W - c.size(el)[0]) // 2, y)
        y += c.size(el)[1] + pad
    y += qr["quiet"]
    c.place(qr, (W - qr["w"]) // 2, y, qr["w"], qr["h"])
    y += qr["h"] + qr["quiet"] + pad // 2
    for el in (net, pwl):
        c.place(el, (W - c.size(el)[0]) // 2, y)
        y += c.size(el)[1] + pad // 2
    H = max(y + pad, int(W * 1.3))
    c.W, c.H, c.bg, c.round = W, H, rng.choice(["#ffffff", "#fffbe8", "#eef7ff"]), 0
    c.decor.append(("fill", rng.choice(["#0d47a1", "#2e7d32", "#c62828", "#6a1b9a"]),
                    "rectangle 0,%d %d,%d" % (H - pad, W, H)))
    return c


def build_drugpack(tmp, rng, s, name="drugpack"):
    c = Card(tmp, name, rng, s)
    drug, dose, form = rng.choice(DRUGS)
    xh = rng.uniform(14, 45) * s
    ink = "#141414"
    t1 = c.text(drug, "bold", xh * 1.3, ink)
    t2 = c.text("%s - %d %s" % (dose, rng.choice([10, 14, 20, 28, 30, 60]), form), "sans", xh, ink)
    lot = "%s%02d%s" % (rng.choice("ABCDEFGHKLMNPRST"), rng.randint(0, 99), rng.choice(["A", "B", "K", "X"]) + str(rng.randint(100, 999)))
    exp = "%02d/%d" % (rng.randint(1, 12), rng.randint(2025, 2029))
    t3 = c.text("Lot %s  EXP %s" % (lot, exp), "mono", xh * 0.7, ink)
    d12 = "3400%08d" % rng.randint(0, 99999999)
    ean = d12 + ean13_check(d12)
    t4 = c.text("%s %s %s" % (ean[0], ean[1:7], ean[7:]), "mono", xh * 0.55, ink)
    c.render_labels()
    gtin = "0" + ean
    dm = add_code(c, rng, "datamatrix", "01%s17%s10%s" % (gtin, exp.replace("/", ""), lot), rng.uniform(80, 260) * s)
    eb = add_code(c, rng, "ean13", ean, rng.uniform(1.4, 4.0) * s * 100)
    pad = int(xh * 1.0)
    stripe = int(xh * 1.2)
    colL = max(c.size(t)[0] for t in (t1, t2, t3))
    colR = max(eb["w"] + 2 * eb["quiet"], dm["w"] + 2 * dm["quiet"], c.size(t4)[0])
    W = pad * 3 + colL + colR
    y = stripe + pad
    for t in (t1, t2, t3):
        c.place(t, pad, y)
        y += c.size(t)[1] + pad
    yr = stripe + pad + dm["quiet"]
    xr = pad * 2 + colL
    c.place(dm, xr + dm["quiet"], yr, dm["w"], dm["h"])
    yr += dm["h"] + dm["quiet"] + pad
    c.place(eb, xr + eb["quiet"], yr, eb["w"], eb["h"])
    yr += eb["h"] + max(2, pad // 4)
    c.place(t4, xr + eb["quiet"] + (eb["w"] - c.size(t4)[0]) // 2, yr)
    yr += c.size(t4)[1] + pad
    H = max(y, yr) + pad
    c.decor.append(("fill", rng.choice(["#e53935", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa"]),
                    "rectangle 0,0 %d,%d" % (W, stripe)))
    c.W, c.H, c.bg, c.round = W, H, rng.choice(["#ffffff", "#f7f7f7", "#fffdf5"]), 0
    return c


BUILDERS = {"badge": build_badge, "login": build_login, "wristband": build_wristband,
            "whiteboard": build_whiteboard, "poster": build_poster, "drugpack": build_drugpack}
SCENE_ORDER = ["badge", "login", "wristband", "whiteboard", "poster", "drugpack"]
NEG_ORDER = ["foliage", "tiles", "fabric", "sky"]


def render_card(c):
    """Draw the card PNG (RGBA, transparent outside rounded corners)."""
    out = os.path.join(c.tmp, c.name + "-card.png")
    shape = ("roundrectangle 0,0 %d,%d %d,%d" % (c.W - 1, c.H - 1, c.round, c.round) if c.round > 0
             else "rectangle 0,0 %d,%d" % (c.W - 1, c.H - 1))
    cmd = [CONVERT, "-seed", str(c.rng.randint(1, 1 << 30)), "-size", "%dx%d" % (c.W, c.H), "xc:none",
           "-fill", c.bg, "-draw", shape]
    for _, col, prim in c.decor:
        cmd += ["-fill", col, "-draw", prim]
    for el in c.items:
        if el["kind"] != "text":
            q = el.get("quiet", 0)
            ground = "black" if el.get("polarity") == "light-on-dark" else "white"
            cmd += ["-fill", ground, "-draw", "rectangle %d,%d %d,%d" % (
                el["x"] - q, el["y"] - q, el["x"] + el["w"] + q - 1, el["y"] + el["h"] + q - 1)]
    for el in c.items:
        cmd += [el["path"], "-geometry", "+%d+%d" % (el["x"], el["y"]), "-composite"]
    if getattr(c, "smudge", False):
        cmd += ["(", "-size", "%dx%d" % (max(8, c.W // 40), max(8, c.H // 40)), "plasma:grey90-grey100",
                "-colorspace", "Gray", "-colorspace", "sRGB", "-resize", "%dx%d!" % (c.W, c.H), ")", "-compose", "Multiply", "-composite", "-compose", "Over"]
    fx = getattr(c, "fx", {})
    if fx.get("lowcontrast"):     # faded print / grey screen: black -> grey, white -> light grey
        lo, hi = fx["lowcontrast"]
        cmd += ["-channel", "RGB", "+level", "%d%%,%d%%" % (lo, hi), "+channel"]
    if fx.get("glare"):           # a reflection: bright radial blob, screened, kept inside the card
        gx, gy, gw, gh, g = fx["glare"]
        cmd += ["(", "-size", "%dx%d" % (gw, gh), "radial-gradient:grey%d-black" % g, ")",
                "-geometry", "+%d+%d" % (gx, gy), "-compose", "Screen", "-composite",
                "(", "-size", "%dx%d" % (c.W, c.H), "xc:none", "-fill", "white", "-draw", shape, ")",
                "-compose", "DstIn", "-composite", "-compose", "Over"]
    if getattr(c, "curve", None):
        cmd += ["-background", "none", "-wave", "%.1fx%d" % c.curve]
    cmd += [out]
    run(cmd)
    return out


# ----------------------------------------------------------------------------- backgrounds
def gplasma(w, h):
    """Grey fractal plasma (IM's plasma adds colour noise per channel; keep only luminance)."""
    return ["-size", "%dx%d" % (w, h), "plasma:grey30-grey70", "-colorspace", "Gray", "-auto-level",
            "-colorspace", "sRGB", "-type", "TrueColor"]


def lighting(rng):
    """Low-resolution lighting: applied to the background before upscaling (cheap)."""
    return ["(", "+clone", "-sparse-color", "Barycentric",
            "0,0 grey%d  %%w,0 grey%d  0,%%h grey%d" % (rng.randint(72, 100), rng.randint(72, 100), rng.randint(72, 100)),
            ")", "-compose", "Multiply", "-composite", "-compose", "Over"]


def bg_cmd(rng, W, H, kind):
    """convert arguments (inside parentheses) producing a W x H background. Every costly step
    runs at low resolution; only the final resize touches W x H pixels."""
    sw, sh = max(40, W // 10), max(30, H // 10)
    up = ["-filter", "Triangle", "-resize", "%dx%d!" % (W, H)]
    if kind == "wall":
        c1, c2 = rng.choice([("#e8dcc0", "#a89878"), ("#d0d0d0", "#888888"), ("#d8d0c0", "#a09880"),
                             ("#c8d8e0", "#8098a8"), ("#e0d8c8", "#b0a898"), ("#d8e0d0", "#98a890")])
        return ["("] + gplasma(sw, sh) + ["-blur", "0x%.1f" % rng.uniform(2, 5), "+level", "20%,80%",
                                          "+level-colors", "%s,%s" % (c2, c1)] + lighting(rng) + up + [")"]
    if kind == "desk":   # wood-like: stretched noise
        c = rng.choice(["#8a5a32", "#a0703c", "#6e4a2a", "#b89060", "#5e5e62"])
        return ["(", "-size", "%dx%d" % (W // 16, H // 64), "xc:grey50", "+noise", "Random",
                "-colorspace", "Gray", "-colorspace", "sRGB", "-resize", "%dx%d!" % (W // 6, H // 6),
                "-virtual-pixel", "mirror", "-motion-blur", "0x12+0", "-auto-level", "+level", "25%,75%",
                "(", "+clone", "-fill", c, "-colorize", "100", ")",
                "-compose", "Overlay", "-composite", "-compose", "Over"] + lighting(rng) + up + [")"]
    if kind == "fabric":
        c = rng.choice(["#3b5b8c", "#6b8e6b", "#8c3b3b", "#7a7a8a", "#2f4f4f", "#b0a080"])
        pat = rng.choice(["crosshatch", "hs_diagcross", "hs_cross", "checkerboard", "hs_fdiagonal",
                          "crosshatch45", "hs_bdiagonal"])
        sc = rng.uniform(1.5, 4)
        return ["(", "-size", "%dx%d" % (int(W / sc) + 2, int(H / sc) + 2), "pattern:" + pat,
                "+level", "30%,80%", "(", "+clone", "-fill", c, "-colorize", "100", ")",
                "-compose", "Multiply", "-composite", "-compose", "Over"] + lighting(rng) + [
                "-filter", "Gaussian", "-resize", "%dx%d!" % (W, H), ")"]
    if kind == "foliage":
        dark, light = rng.choice([("#0f2a0c", "#8fbf5a"), ("#14300f", "#a8c060"), ("#0c200c", "#6a9a3a"),
                                  ("#1a2a10", "#b0b050")])
        q = 2
        return ["(", "-size", "%dx%d" % (W // (2 * q), H // (2 * q)), "xc:", "+noise", "Random", "-colorspace", "Gray", "-colorspace", "sRGB",
                "-blur", "0x%.1f" % rng.uniform(0.8, 1.8), "-auto-level", "-sigmoidal-contrast", "%dx50%%" % rng.randint(5, 12),
                "-resize", "200%",
                "("] + gplasma(max(20, W // 40), max(15, H // 40)) + ["-resize", "%dx%d!" % (W // q, H // q), ")",
                "-compose", "Multiply", "-composite", "-compose", "Over", "-auto-level",
                "+level-colors", "%s,%s" % (dark, light)] + lighting(rng) + up + [")"]
    if kind == "tiles":
        q = 2
        t = rng.randint(max(40, W // 40), max(80, W // 12)) // q
        col = rng.choice(["#e8e8e0", "#d0d8e0", "#c8b8a0", "#f0f0f0", "#a0b8a8"])
        grout = rng.choice(["#808078", "#a0a098", "#505050"])
        g = max(1, t // 25)
        w2, h2 = W // q, H // q
        return ["(", "(", "-size", "%dx%d" % (t, t), "xc:%s" % grout, "-fill", col, "-draw",
                "rectangle %d,%d %d,%d" % (g, g, t - 1, t - 1), ")", "-write", "mpr:tile", "+delete",
                "-size", "%dx%d" % (w2, h2), "tile:mpr:tile",
                "("] + gplasma(sw, sh) + ["+level", "85%,100%", "-resize", "%dx%d!" % (w2, h2), ")",
                "-compose", "Multiply", "-composite", "-compose", "Over",
                "-virtual-pixel", "tile", "-filter", "Point", "-distort", "Perspective",
                "0,0 %d,%d  %d,0 %d,0  %d,%d %d,%d  0,%d 0,%d" % (
                    rng.randint(0, w2 // 6), rng.randint(0, h2 // 8), w2, w2 - rng.randint(0, w2 // 6),
                    w2, h2, w2, h2, h2, h2), "+filter"] + lighting(rng) + up + [")"]
    if kind == "sky":
        top = rng.choice(["#3d7cc9", "#5a9be0", "#2a6bb8", "#7aaee8"])
        return ["(", "-size", "%dx%d" % (sw, sh), "gradient:%s-#e6f0fa" % top,
                "("] + gplasma(sw, sh) + ["-blur", "0x%.1f" % rng.uniform(1.5, 3),
                "-level", "45%,85%", ")",
                "-compose", "Screen", "-composite", "-compose", "Over"] + up + [")"]
    raise ValueError(kind)


NOISE_LEVELS = (0.25, 0.4, 0.6)
NOISE_LEVELS_WIDE = (0.25, 0.4, 0.6, 0.9, 1.3)   # --wide: up to a dim-room phone sensor


def make_noise_tiles(workdir):
    """Grey-centred Gaussian noise tiles (overlaid, tiled, on every image: cheaper than +noise
    on 12 MP). 509 px: a prime period, no visible repetition in a photo-like scene."""
    paths = []
    for i, a in enumerate(NOISE_LEVELS_WIDE if WIDE else NOISE_LEVELS):
        p = os.path.join(workdir, "noise%d.png" % i)
        run([CONVERT, "-seed", str(1000 + i), "-size", "509x509", "xc:grey50", "-attenuate", str(a),
             "+noise", "Gaussian", p])
        paths.append(p)
    return paths


def finish_cmd(rng, W, H, noise_tiles):
    """Sensor noise."""
    tile = rng.choice(noise_tiles)
    return ["(", "-size", "%dx%d" % (W, H), "tile:" + tile, ")", "-compose", "Overlay", "-composite",
            "-compose", "Over"]


# ----------------------------------------------------------------------------- scenes
def place_objects(rng, W, H, cards):
    """Pick rotation/perspective/position for each card; returns transforms. The first card is
    the main one (near the centre), the others are placed where they do not overlap."""
    placed = []
    out = []
    for i, c in enumerate(cards):
        for attempt in range(200):
            # shrink a card that is too large for the frame
            fit = min(1.0, 0.92 * W / c.W, 0.92 * H / c.H)
            if fit < 1.0:
                raise RuntimeError("card larger than frame")
            ang = math.radians(rng.uniform(-15, 15))
            jit = rng.uniform(0.0, 0.07) * min(c.W, c.H)
            cx, cy = c.W / 2.0, c.H / 2.0
            src = [(0, 0), (c.W, 0), (c.W, c.H), (0, c.H)]
            if i == 0 and attempt < 100:
                px = rng.uniform(0.3, 0.7) * W
                py = rng.uniform(0.3, 0.7) * H
            else:
                px = rng.uniform(0.1, 0.9) * W
                py = rng.uniform(0.1, 0.9) * H
            dst = []
            for (x, y) in src:
                dx, dy = x - cx, y - cy
                rx = dx * math.cos(ang) - dy * math.sin(ang)
                ry = dx * math.sin(ang) + dy * math.cos(ang)
                dst.append((px + rx + rng.uniform(-jit, jit), py + ry + rng.uniform(-jit, jit)))
            x0 = min(p[0] for p in dst); x1 = max(p[0] for p in dst)
            y0 = min(p[1] for p in dst); y1 = max(p[1] for p in dst)
            m = 0.01 * W
            if x0 < m or y0 < m or x1 > W - m or y1 > H - m:
                continue
            box = (x0, y0, x1, y1)
            if any(not (box[2] < b[0] - m or box[0] > b[2] + m or box[3] < b[1] - m or box[1] > b[3] + m)
                   for b in placed):
                continue
            placed.append(box)
            out.append((src, dst, box))
            break
        else:
            out.append(None)
    return out


def card_dims(c):
    """Card size as rendered (a curved card is taller by twice the wave amplitude)."""
    a = abs(c.curve[0]) if getattr(c, "curve", None) else 0
    return c.W, c.H + 2 * int(math.ceil(a))


def card_box(c, el):
    """An element's box in rendered-card pixels (after the wave of a curved card)."""
    x, y, w, h = el["x"], el["y"], el["w"], el["h"]
    if not getattr(c, "curve", None):
        return (x, y, w, h)
    a, period = c.curve
    sh = [abs(a) + a * math.sin(2 * math.pi * xx / period) for xx in range(int(x), int(x + w) + 1)]
    return (x, y + min(sh), w, h + max(sh) - min(sh) + 1)


def place_objects_wide(rng, W, H, cards):
    """--wide placement: in-plane angle uniform over 0-360 degrees, out-of-plane tilt up to 40
    degrees about a random axis seen by a pinhole camera, scaled down when the result would not fit
    the frame. Returns (src, dst, box, angle_deg, tilt_deg) per card, or None."""
    placed, out = [], []
    for i, c in enumerate(cards):
        cw, ch = card_dims(c)
        res = None
        for attempt in range(200):
            ang = math.radians(rng.uniform(0, 360))
            tilt = math.radians(rng.uniform(0, 40)) if rng.random() < 0.8 else 0.0
            axis = rng.uniform(0, math.pi)
            f = rng.uniform(1.0, 2.0) * max(W, H)
            ca, sa = math.cos(axis), math.sin(axis)
            src = [(0, 0), (cw, 0), (cw, ch), (0, ch)]
            pts = []
            for (x, y) in src:
                dx, dy = x - cw / 2.0, y - ch / 2.0
                # tilt about the in-plane axis (ca, sa): the component across the axis leans back
                u, v = dx * ca + dy * sa, -dx * sa + dy * ca
                vz, v2 = v * math.sin(tilt), v * math.cos(tilt)
                X, Y = u * ca - v2 * sa, u * sa + v2 * ca
                k = f / (f + vz)
                X, Y = X * k, Y * k
                pts.append((X * math.cos(ang) - Y * math.sin(ang), X * math.sin(ang) + Y * math.cos(ang)))
            bw = max(p[0] for p in pts) - min(p[0] for p in pts)
            bh = max(p[1] for p in pts) - min(p[1] for p in pts)
            lim = 0.92 if i == 0 else 0.5
            sc = min(1.0, lim * W / bw, lim * H / bh)
            pts = [(x * sc, y * sc) for x, y in pts]
            bw, bh = bw * sc, bh * sc
            m = 0.01 * W
            if bw > W - 2 * m or bh > H - 2 * m:
                continue
            px = rng.uniform(m + bw / 2, W - m - bw / 2) if i or attempt >= 100 else \
                min(max(rng.uniform(0.3, 0.7) * W, m + bw / 2), W - m - bw / 2)
            py = rng.uniform(m + bh / 2, H - m - bh / 2) if i or attempt >= 100 else \
                min(max(rng.uniform(0.3, 0.7) * H, m + bh / 2), H - m - bh / 2)
            dst = [(px + x, py + y) for x, y in pts]
            box = (min(p[0] for p in dst), min(p[1] for p in dst), max(p[0] for p in dst), max(p[1] for p in dst))
            if any(not (box[2] < b[0] - m or box[0] > b[2] + m or box[3] < b[1] - m or box[1] > b[3] + m)
                   for b in placed):
                continue
            placed.append(box)
            res = (src, dst, box, math.degrees(ang), math.degrees(tilt))
            break
        out.append(res)
    return out


def local_geometry(h, box):
    """Clockwise angle (degrees, 0-360) of an element's baseline in the photo and the local linear
    scale of the mapping at its centre."""
    x, y, w, hh = box
    cx, cy = x + w / 2.0, y + hh / 2.0
    p0, px, py = apply_h(h, cx, cy), apply_h(h, cx + 1, cy), apply_h(h, cx, cy + 1)
    ang = math.degrees(math.atan2(apply_h(h, x + w, cy)[1] - apply_h(h, x, cy)[1],
                                  apply_h(h, x + w, cy)[0] - apply_h(h, x, cy)[0])) % 360.0
    det = (px[0] - p0[0]) * (py[1] - p0[1]) - (px[1] - p0[1]) * (py[0] - p0[0])
    return ang, math.sqrt(abs(det))


def shapes_cmd(rng, W, H):
    """--wide: large plain areas that are neither text nor codes (furniture-like panels, skin-toned
    blobs) drawn on the background before the objects."""
    cmd = []
    for _ in range(rng.randint(2, 5)):
        if rng.random() < 0.5:
            col = rng.choice(["#e0b89a", "#c68e6e", "#8d5a3c", "#f1c8a8", "#5a3825"])
            cx, cy = rng.uniform(0, W), rng.uniform(0, H)
            rx, ry = rng.uniform(0.04, 0.12) * W, rng.uniform(0.06, 0.18) * H
            prim = "ellipse %d,%d %d,%d 0,360" % (cx, cy, rx, ry)
        else:
            col = rng.choice(["#6b6f78", "#a08060", "#d8d8d0", "#35506e", "#7a2e2e", "#e8e0d0"])
            x0, y0 = rng.uniform(-0.1, 0.9) * W, rng.uniform(-0.1, 0.9) * H
            prim = "roundrectangle %d,%d %d,%d %d,%d" % (x0, y0, x0 + rng.uniform(0.1, 0.45) * W,
                                                         y0 + rng.uniform(0.1, 0.45) * H, 0.01 * W, 0.01 * W)
        cmd += ["-fill", col, "-draw", prim]
    return cmd


def card_effects(c, rng):
    """--wide: low-contrast print and glare, decided before the card is rendered."""
    fx = {}
    if rng.random() < 0.2:
        fx["lowcontrast"] = (rng.randint(20, 40), rng.randint(65, 85))
    if rng.random() < 0.3:
        gw, gh = int(c.W * rng.uniform(0.2, 0.6)), int(c.H * rng.uniform(0.2, 0.6))
        fx["glare"] = (int(rng.uniform(-0.1, 0.9) * c.W), int(rng.uniform(-0.1, 0.9) * c.H), max(4, gw), max(4, gh),
                       rng.randint(55, 95))
    c.fx = fx


def make_positive(tmp, rng, W, H, scene, s, noise_tiles):
    cards = []
    for attempt in range(30):
        main = BUILDERS[scene](tmp, rng, s, "main")
        if main.W < 0.92 * W and main.H < 0.92 * H:
            break
    else:
        raise RuntimeError("could not fit %s" % scene)
    cards.append(main)
    if scene == "login" and rng.random() < 0.7:
        cards.append(build_sticky(tmp, rng, s, "sticky"))
    elif rng.random() < 0.35:
        other = rng.choice([k for k in ("badge", "drugpack", "poster", "wristband") if k != scene])
        sub = BUILDERS[other](tmp, rng, s * rng.uniform(0.5, 0.8), "second")
        if sub.W < 0.5 * W and sub.H < 0.5 * H:
            cards.append(sub)
    if WIDE:
        for c in cards:
            card_effects(c, rng)
        tf = place_objects_wide(rng, W, H, cards)
    else:
        tf = place_objects(rng, W, H, cards)
    cmd = [CONVERT, "-seed", str(rng.randint(1, 1 << 30))] + bg_cmd(rng, W, H, rng.choice(["wall", "wall", "desk", "fabric"]))
    if WIDE:
        cmd += shapes_cmd(rng, W, H)
    objects = []
    for c, t in zip(cards, tf):
        if t is None:
            continue
        src, dst, (x0, y0, x1, y1) = t[:3]
        png = render_card(c)
        vx, vy = int(math.floor(x0)), int(math.floor(y0))
        vw, vh = int(math.ceil(x1)) - vx + 1, int(math.ceil(y1)) - vy + 1
        pts = " ".join("%.3f,%.3f %.3f,%.3f" % (sx, sy, dx, dy) for (sx, sy), (dx, dy) in zip(src, dst))
        mpr = "mpr:obj%d" % len(objects)
        layer = ["(", png, "-virtual-pixel", "transparent", "-define",
                 "distort:viewport=%dx%d+%d+%d" % (vw, vh, vx, vy), "-distort", "Perspective", pts, "+repage",
                 "-channel", "RGB", "-modulate", "%d" % rng.randint(82, 102), "+channel"]
        if getattr(c, "glow", False):   # a lit screen: brighter, slightly soft
            layer += ["-channel", "RGB", "-modulate", "%d" % rng.randint(115, 130), "+channel", "-blur", "0x0.7"]
        oblur = round(rng.uniform(0.6, 1.6), 2) if rng.random() < 0.35 else 0
        if oblur:
            layer += ["-blur", "0x%.2f" % oblur]
        motion = None
        if WIDE and rng.random() < 0.3:    # hand shake: a short linear smear in one direction
            motion = (round(rng.uniform(1.0, 4.0) * max(s, 0.25), 1), rng.randint(0, 359))
            layer += ["-channel", "RGBA", "-motion-blur", "0x%.1f+%d" % motion, "+channel"]
        cmd += layer + ["-write", mpr, "+delete", ")"]
        # soft shadow under the object, then the object
        cmd += ["(", mpr, "-alpha", "extract", "-resize", "25%", "-blur", "0x4", "-resize", "%dx%d!" % (vw, vh),
                "-background", "black", "-alpha", "shape", "-channel", "A", "-evaluate", "multiply", "0.35",
                "+channel", ")", "-geometry", "+%d+%d" % (vx + int(0.004 * W), vy + int(0.006 * H)), "-composite",
                mpr, "-geometry", "+%d+%d" % (vx, vy), "-composite"]
        h = homography(src, dst)
        for el in c.items:
            cb = card_box(c, el)
            box = map_box(h, cb, W, H)
            if box[2] <= 0 or box[3] <= 0:
                continue
            o = {"kind": el["kind"], "box": box}
            ang, lsc = local_geometry(h, cb) if WIDE else (None, 1.0)
            if el["kind"] == "text":
                o["words"] = el["words"]
                o["xheight_px"] = round(el["xh"] * lsc, 1) if WIDE else el["xh"]
                if el.get("role"):
                    o["role"], o["secret"] = el["role"], el["secret"]
            else:
                o["payload"] = el["payload"]
                o["module_px"] = round(el["mod"] * lsc, 2) if WIDE else el["mod"]
                o["size_px"] = [int(round(el["w"] * lsc)), int(round(el["h"] * lsc))] if WIDE else [el["w"], el["h"]]
            o["object"] = c.name if c.name != "main" else scene
            o["blur_sigma"] = oblur
            if WIDE:
                o["rotation_deg"] = round(ang, 1)
                o["tilt_deg"] = round(t[4], 1)
                o["polarity"] = el.get("polarity", "dark-on-light")
                if c.name == "main" and scene == "login" and getattr(c, "dark", False):
                    o["polarity"] = "light-on-dark"
                o["motion_blur"] = list(motion) if motion else None
                o["effects"] = sorted(getattr(c, "fx", {})) + (["curved"] if getattr(c, "curve", None) else [])
            objects.append(o)
    cmd += finish_cmd(rng, W, H, noise_tiles)
    return cmd, objects


def make_negative(rng, W, H, kind, noise_tiles):
    return [CONVERT, "-seed", str(rng.randint(1, 1 << 30))] + bg_cmd(rng, W, H, kind) + \
        (shapes_cmd(rng, W, H) if WIDE else []) + finish_cmd(rng, W, H, noise_tiles)


def gen_one(args, idx, negative, kind, W, H, s, workdir, noise_tiles):
    rng = random.Random("%d/%s/%d" % (args.seed, "neg" if negative else "pos", idx))
    quality = rng.randint(70, 95) if WIDE else rng.randint(85, 92)
    name = "%s-%03d-%s.jpg" % ("neg" if negative else "scene", idx + 1, kind)
    out = os.path.join(args.outdir, name)
    tmp = tempfile.mkdtemp(prefix="img%03d-" % idx, dir=workdir)
    try:
        if negative:
            cmd, objects = make_negative(rng, W, H, kind, noise_tiles), []
        else:
            cmd, objects = make_positive(tmp, rng, W, H, kind, s, noise_tiles)
        cmd += ["-depth", "8", "-sampling-factor", "2x2", "-quality", str(quality), "+set", "date:create",
                "+set", "date:modify", "-strip", out]
        run(cmd, env=dict(os.environ, MAGICK_THREAD_LIMIT="1"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"file": name, "scene": kind, "negative": negative, "quality": quality,
            "objects": objects}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=24, help="positive scenes (default 24)")
    ap.add_argument("--negatives", type=int, default=8, help="negative scenes (default 8)")
    ap.add_argument("--size", default="4000x3000", help="WxH (default 4000x3000); objects scale with W/4000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--wide", action="store_true", help="issue-11 distribution: any angle, perspective, "
                    "blur, noise, glare, dark mode, inverted and smaller codes (see the docstring)")
    args = ap.parse_args()
    try:
        W, H = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        ap.error("--size must be WxH")
    missing = [t for t in (CONVERT, "qrencode", "zint") if not shutil.which(t)]
    if missing:
        sys.exit("gen_scenes.py: missing tools: %s (apt-get install imagemagick qrencode zint fonts-dejavu-core)"
                 % ", ".join(missing))
    s = W / 4000.0
    global MIN_XH, MIN_2D, WIDE
    MIN_XH, MIN_2D = 10.0 * s, 70.0 * s
    WIDE = args.wide
    if WIDE:
        MIN_XH = 7.0 * s       # smaller text still drawn: the oracles decide what is readable
    os.makedirs(args.outdir, exist_ok=True)
    order = random.Random(args.seed)
    pos_kinds = [SCENE_ORDER[i % len(SCENE_ORDER)] for i in range(args.count)]
    order.shuffle(pos_kinds)
    neg_kinds = [NEG_ORDER[i % len(NEG_ORDER)] for i in range(args.negatives)]
    jobs = [(i, False, k) for i, k in enumerate(pos_kinds)] + [(i, True, k) for i, k in enumerate(neg_kinds)]
    workdir = tempfile.mkdtemp(prefix="gen_scenes-")
    try:
        noise_tiles = make_noise_tiles(workdir)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = [ex.submit(gen_one, args, i, neg, k, W, H, s, workdir, noise_tiles) for i, neg, k in jobs]
            images = []
            for f, (i, neg, k) in zip(futs, jobs):
                images.append(f.result())
                print("gen_scenes: %s (%d objects)" % (images[-1]["file"], len(images[-1]["objects"])),
                      file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    truth = {"generator": "bench/gen_scenes.py", "distribution": "wide" if WIDE else "classic",
             "seed": args.seed, "size": [W, H],
             "count": args.count, "negatives": args.negatives, "images": images}
    with open(os.path.join(args.outdir, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    print("gen_scenes: %d images in %s" % (len(images), args.outdir), file=sys.stderr)


if __name__ == "__main__":
    main()
