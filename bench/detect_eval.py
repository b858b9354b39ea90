#!/usr/bin/env python3
"""bench/detect_eval.py - the measuring half of bench/bench_detect.sh (run that one).

For each input photo (generated scenes with truth.json, and corpus images) and each photoscrub
--detect mode:
  codes   codes decodable in the INPUT by ZXingReader or zbarimg (full image, plus a 2x crop around
          each ground-truth box), and the share of those still decodable in the OUTPUT (same reads);
  text    ground-truth words (>= 3 alphanumerics) that the tesseract CLI reads in the INPUT (2x crops
          around truth text boxes, PSM 6, 7 and 11), and the share still read in the OUTPUT;
          corpus text images: every word of >= 3 alphanumerics read with confidence >= 50 on the
          full image (PSM 11 and 6);
  damage  negative scenes: share of pixels changed (compare -metric AE -fuzz 1%);
          positive scenes: pixels changed outside the reported regions (AE, fuzz 0, with the
          regions blacked out in both images);
  cost    wall time and peak RSS of one photoscrub process per photo, pinned to one core, next to
          the tesseract CLI (--psm 11) and zbarimg on the same photos.
Writes a markdown report (stdout and --markdown) and a JSON with every per-file figure.
Python standard library only.
"""
import argparse
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

CONVERT = "/usr/bin/convert" if os.path.exists("/usr/bin/convert") else "convert"
TIME = "/usr/bin/time"
CODE_KINDS = ("qr", "code128", "ean13", "datamatrix", "pdf417")
SCENE_PSMS = (6, 7, 11)
CORPUS_PSMS = (11, 6)

_core_lock = threading.Lock()
_cores = sorted(os.sched_getaffinity(0))
_next_core = [0]
_tls = threading.local()


def core():
    """Each worker thread is pinned to its own core (round robin)."""
    if not hasattr(_tls, "core"):
        with _core_lock:
            _tls.core = _cores[_next_core[0] % len(_cores)]
            _next_core[0] += 1
    return _tls.core


def pinned(cmd):
    return ["taskset", "-c", str(core())] + cmd


ENV1 = dict(os.environ, OMP_THREAD_LIMIT="1", MAGICK_THREAD_LIMIT="1")


def sh(cmd, timeout=None, ok=(0,)):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV1, timeout=timeout)
    if ok is not None and r.returncode not in ok:
        raise RuntimeError("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd)[:1500],
                                                   r.stderr.decode("utf-8", "replace")[-1500:]))
    return r


def log(*a):
    print("detect_eval:", *a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- readers
def zxing_read(files):
    """{file: set(payload)} with ZXingReader (default options: tries harder, rotations, scales)."""
    res = {f: set() for f in files}
    if not files:
        return res
    r = sh(pinned(["ZXingReader", "-1"] + files), ok=None)
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        for f in files:
            if line.startswith(f + " "):
                rest = line[len(f) + 1:]
                fmt, _, q = rest.partition(" ")
                if fmt != "None" and q.startswith('"') and q.endswith('"') and len(q) >= 2:
                    res[f].add(q[1:-1].strip())
                break
    return res


def zbar_read(files):
    res = {f: set() for f in files}
    if not files:
        return res
    r = sh(pinned(["zbarimg", "-q", "--xml"] + files), ok=None)
    txt = r.stdout.decode("utf-8", "replace")
    if "<barcodes" not in txt:
        return res
    try:
        root = ET.fromstring(txt)
    except ET.ParseError:
        return res
    ns = "{http://zbar.sourceforge.net/2008/barcode}"
    for src in root.iter(ns + "source"):
        f = src.get("href")
        for d in src.iter(ns + "data"):
            if d.text and f in res:
                res[f].add(d.text.strip())
    return res


def decode(files):
    """{file: {payload: set(tools)}}"""
    zx, zb = zxing_read(files), zbar_read(files)
    out = {}
    for f in files:
        d = {}
        for p in zx[f]:
            d.setdefault(p, set()).add("zxing")
        for p in zb[f]:
            d.setdefault(p, set()).add("zbar")
        out[f] = d
    return out


def norm_tokens(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return {t for t in re.findall(r"[a-z0-9]+", s) if len(t) >= 3}


def ocr(files, psm, min_conf=None):
    """{file: set(tokens)} from one tesseract run over a list of images (TSV, page per file)."""
    res = {f: set() for f in files}
    for f, words in ocr_words(files, psm, min_conf).items():
        for toks, _ in words:
            res[f] |= toks
    return res


def ocr_words(files, psm, min_conf=None):
    """{file: [(tokens, [x, y, w, h])]} per word, from one tesseract run over a list of images."""
    res = {f: [] for f in files}
    if not files:
        return res
    lst = files[0] + ".list-%d.txt" % psm
    with open(lst, "w") as fh:
        fh.write("\n".join(files) + "\n")
    r = sh(pinned(["tesseract", lst, "stdout", "--psm", str(psm), "-l", "eng", "tsv"]), ok=None, timeout=1800)
    for line in r.stdout.decode("utf-8", "replace").splitlines()[1:]:
        c = line.split("\t")
        if len(c) < 12 or c[0] != "5":
            continue
        try:
            page, conf = int(c[1]), float(c[10])
        except ValueError:
            continue
        if min_conf is not None and conf < min_conf:
            continue
        if 1 <= page <= len(files):
            toks = norm_tokens(c[11])
            if toks:
                res[files[page - 1]].append((toks, [int(c[6]), int(c[7]), int(c[8]), int(c[9])]))
    return res


def make_crops(img, boxes, outdir, prefix, scale=2.0, angles=None):
    """One convert per image: crop each box (already padded), turn it by angles[i] degrees
    clockwise when given (to level a rotated line), and scale it (default 2x); returns paths."""
    paths = []
    if not boxes:
        return paths
    cmd = [CONVERT, img]
    for i, (x, y, w, h) in enumerate(boxes):
        f = scale
        if max(w, h) * f > 5000:
            f = 5000.0 / max(w, h)
        p = os.path.join(outdir, "%s%02d.png" % (prefix, i))
        turn = ["-background", "#808080", "-rotate", "%.1f" % angles[i], "+repage"] if angles else []
        cmd += ["(", "+clone", "-crop", "%dx%d+%d+%d" % (w, h, x, y), "+repage"] + turn + [
                "-resize", "%d%%" % int(f * 100),
                "-define", "png:compression-level=1", "-write", p, "+delete", ")"]
        paths.append(p)
    cmd += ["null:"]
    sh(pinned(cmd))
    return paths


def pad_box(box, W, H, kind):
    x, y, w, h = box
    if kind == "text":
        m = max(10, int(0.3 * min(w, h)))
    else:
        m = max(24, int(0.2 * max(w, h)))
    x0, y0 = max(0, x - m), max(0, y - m)
    x1, y1 = min(W, x + w + m), min(H, y + h + m)
    return [x0, y0, x1 - x0, y1 - y0]


def image_size(path):
    r = sh([CONVERT, "-ping", path, "-format", "%w %h", "info:"])
    w, h = r.stdout.decode().split()[:2]
    return int(w), int(h)


# ----------------------------------------------------------------------------- per-image analysis
def scene_parts(item, only):
    """Truth codes and text lines of a scene, and the indices to read (all in the input; in an
    output, only those readable in the input)."""
    codes = [o for o in item["objects"] if o["kind"] in CODE_KINDS]
    texts = [o for o in item["objects"] if o["kind"] == "text"]
    ci = list(range(len(codes))) if only is None else [i for i in range(len(codes)) if only["codes"][i]["in"]]
    ti = list(range(len(texts))) if only is None else [i for i in range(len(texts)) if only["text_crops"][i]]
    return codes, texts, ci, ti


def analyse(item, img, tag, work, only=None):
    """Read codes and text in img (input or one mode's output). only: the input analysis, to
    restrict output reads to what was readable in the input."""
    d = os.path.join(work, "crops", tag, item["id"])
    os.makedirs(d, exist_ok=True)
    res = {}
    W, H = item["W"], item["H"]
    if item["type"] == "scene":
        codes, texts, ci, ti = scene_parts(item, only)
        cpaths = make_crops(img, [pad_box(codes[i]["box"], W, H, "code") for i in ci], d, "c")
        tpaths = make_crops(img, [pad_box(texts[i]["box"], W, H, "text") for i in ti], d, "t")
        dec = decode([img] + cpaths)
        full = dec[img]
        res["full_decodes"] = sorted(full)
        res["codes"] = []
        for k, o in enumerate(codes):
            tools = set()
            if o["payload"] in full:
                tools |= {"full-" + t for t in full[o["payload"]]}
            if k in ci:
                dk = dec[cpaths[ci.index(k)]]
                if o["payload"] in dk:
                    tools |= {"crop-" + t for t in dk[o["payload"]]}
            res["codes"].append({"in": bool(tools), "tools": sorted(tools)})
        truth_tokens = set()
        for o in texts:
            truth_tokens |= norm_tokens(o["words"])
        read = {p: set() for p in tpaths}
        for psm in SCENE_PSMS:
            for p, toks in ocr(tpaths, psm).items():
                read[p] |= toks
        res["text_crops"] = [[] for _ in texts]
        allread = set()
        for j, i in enumerate(ti):
            toks = sorted(read[tpaths[j]] & truth_tokens)
            res["text_crops"][i] = toks
            allread |= set(toks)
        res["words"] = sorted(allread)
        res["truth_words"] = sorted(truth_tokens)
    elif item["type"] == "corpus-code":
        dec = decode([img])[img]
        res["payloads"] = sorted(dec)
    if item["type"] in ("corpus-text", "corpus-fp"):
        toks = set()
        for psm in CORPUS_PSMS:
            toks |= ocr([img], psm, min_conf=50 if only is None else None)[img]
        res["words"] = sorted(toks)
    if item["type"] == "corpus-fp":
        res["payloads"] = sorted(decode([img])[img])
    shutil.rmtree(d, ignore_errors=True)
    return res


def ae(a, b, fuzz, boxes=()):
    """Pixels differing between a and b (after blacking out boxes in both)."""
    draw = []
    for x, y, w, h in boxes:
        draw += ["-draw", "rectangle %d,%d %d,%d" % (x, y, x + w - 1, y + h - 1)]
    cmd = [CONVERT, a, "-fill", "black"] + draw + [b, "-fill", "black"] + draw + [
        "-fuzz", fuzz, "-metric", "AE", "-compare", "-format", "%[distortion]", "info:"]
    r = sh(pinned(cmd), ok=None)
    try:
        return int(float(r.stdout.decode().strip().split()[0]))
    except (ValueError, IndexError):
        raise RuntimeError("compare failed: %s\n%s" % (" ".join(cmd)[:500], r.stderr.decode()[-500:]))


def grow(boxes, m, W, H):
    out = []
    for x, y, w, h in boxes:
        x0, y0 = max(0, x - m), max(0, y - m)
        out.append([x0, y0, min(W, x + w + m) - x0, min(H, y + h + m) - y0])
    return out


def coverage(truth_box, regions):
    """Share of the truth box's area inside the union of region boxes (pixel grid, coarse)."""
    x, y, w, h = truth_box
    if w <= 0 or h <= 0:
        return 0.0
    step = max(1, min(w, h) // 12)
    inside = total = 0
    for yy in range(y, y + h, step):
        for xx in range(x, x + w, step):
            total += 1
            if any(rx <= xx < rx + rw and ry <= yy < ry + rh for rx, ry, rw, rh in regions):
                inside += 1
    return inside / total if total else 0.0


# ----------------------------------------------------------------------------- running photoscrub
def run_timed(cmd, timeout):
    """Run cmd under /usr/bin/time (pinned); returns (rc, stdout, stderr, wall_s, maxrss_kb, timed_out, cpu_s)."""
    tf = "/tmp/detect_eval-time-%d-%d" % (os.getpid(), threading.get_ident())
    full = [TIME, "-f", "%e %M %U %S", "-o", tf] + pinned(cmd)
    t0 = time.monotonic()
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(p.pid, 9)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
    wall = time.monotonic() - t0
    rss = cpu = None
    try:
        with open(tf) as fh:
            last = fh.read().strip().splitlines()[-1].split()
        wall, rss, cpu = float(last[0]), int(last[1]), float(last[2]) + float(last[3])
    except (OSError, IndexError, ValueError):
        pass
    try:
        os.unlink(tf)
    except OSError:
        pass
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), wall, rss, timed_out, cpu


def scrub(item, mode, args):
    outdir = os.path.join(args.work, "out", mode)
    os.makedirs(outdir, exist_ok=True)
    out = os.path.join(outdir, os.path.basename(item["path"]))
    if os.path.exists(out):
        os.unlink(out)
    cmd = [args.bin, "--json", "--detect", mode, "-o", outdir, item["path"]]
    rc, so, se, wall, rss, to, cpu = run_timed(cmd, args.timeout)
    rec = {"cmd": " ".join([args.bin, "--json", "--detect", mode, "-o", "OUT", item["src"]]),
           "rc": rc, "wall": wall, "cpu": cpu, "rss_kb": rss, "timeout": to, "status": None, "regions": [], "reason": None}
    for line in so.splitlines():
        if line.startswith('{"file"'):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            rec["status"] = j.get("status")
            rec["reason"] = j.get("reason")
            rec["regions"] = (j.get("report") or {}).get("regions", [])
    if to:
        rec["status"] = "timeout"
        rec["reason"] = "killed after %d s" % args.timeout
    elif rec["status"] is None:
        rec["status"] = "crash" if rc not in (0, 1) else "no-json"
        rec["reason"] = "exit %s; stderr: %s" % (rc, se.strip()[-300:])
    rec["output"] = out if (rec["status"] == "scrubbed" and os.path.exists(out)) else None
    return rec


def process(item, mode, args, inres, measure=None):
    """Scrub one photo and measure its output (measure: the three-set figures; default: the
    single-set ones), then delete the output."""
    rec = scrub(item, mode, args)
    r = {"scrub": rec}
    if rec["output"]:
        try:
            if measure:
                measure(item, mode, rec, args, inres, r)
            elif item["negative"]:
                r["changed_px"] = ae(item["path"], rec["output"], "1%")
            else:
                r["read"] = analyse(item, rec["output"], mode, args.work, only=inres)
                if item["type"] == "scene":
                    boxes = [g["box"] for g in rec["regions"]]
                    r["outside_px"] = ae(item["path"], rec["output"], "0", boxes)
                    r["outside_px_grown8"] = ae(item["path"], rec["output"], "0", grow(boxes, 8, item["W"], item["H"])) \
                        if r["outside_px"] else 0
        except Exception as e:   # noqa: BLE001 - recorded and reported
            r["error"] = str(e)[:500]
        if not args.keep_outputs:
            os.unlink(rec["output"])
    log("%-8s %-40s %-9s %6.1fs %s" % (mode, shown(item, args), rec["status"], rec["wall"] or 0,
                                       ("regions=%d" % len(rec["regions"])) if rec["status"] == "scrubbed" else
                                       ("" if hidden(item, args) else (rec["reason"] or "")[:80])))
    return r


def baseline(item, tool):
    if tool == "tesseract":
        cmd = ["tesseract", item["path"], "-", "--psm", "11"]
    elif tool == "zbarimg":
        cmd = ["zbarimg", "-q", item["path"]]
    else:
        cmd = ["ZXingReader", item["path"]]
    rc, so, se, wall, rss, to, cpu = run_timed(cmd, 900)
    return {"wall": wall, "cpu": cpu, "rss_kb": rss, "rc": rc, "timeout": to}


# ----------------------------------------------------------------------------- inputs
def stage_input(work, src, ident):
    """A symlink work/in/<ident><ext> to src (names without spaces for the readers' lists)."""
    dst = os.path.join(work, "in", ident + os.path.splitext(src)[1].lower())
    if os.path.lexists(dst):
        os.unlink(dst)
    os.symlink(os.path.abspath(src), dst)
    return dst


def collect(args):
    items = []
    os.makedirs(os.path.join(args.work, "in"), exist_ok=True)

    def stage(src, ident):
        return stage_input(args.work, src, ident)

    if args.scenes:
        truth = json.load(open(os.path.join(args.scenes, "truth.json")))
        W, H = truth["size"]
        args.scene_size, args.seed = "%dx%d" % (W, H), truth.get("seed", "?")
        for im in truth["images"]:
            src = os.path.join(args.scenes, im["file"])
            ident = os.path.splitext(im["file"])[0]
            items.append({"id": ident, "src": src, "path": stage(src, ident), "type": "scene",
                          "negative": im["negative"], "scene": im["scene"], "objects": im["objects"], "W": W, "H": H})
    if args.corpus:
        cdir = os.path.join(args.corpus, "codes")
        if os.path.isdir(cdir):
            for sub in sorted(os.listdir(cdir)):
                files = sorted(f for f in os.listdir(os.path.join(cdir, sub)) if f.lower().endswith((".png", ".jpg", ".jpeg")))
                if args.corpus_per_dir > 0:
                    files = files[:args.corpus_per_dir]
                for f in files:
                    src = os.path.join(cdir, sub, f)
                    ident = "c-%s-%s" % (sub, re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(f)[0]))
                    # falsepositives-1: photos without codes, some with text: read like a text
                    # image; those where nothing is read are negatives (damage) once inputs are read
                    typ = "corpus-fp" if sub.startswith("falsepositives") else "corpus-code"
                    items.append({"id": ident, "src": src, "path": stage(src, ident), "type": typ,
                                  "negative": False, "scene": sub, "objects": []})
        tdir = os.path.join(args.corpus, "text")
        if os.path.isdir(tdir):
            for f in sorted(os.listdir(tdir)):
                if not f.lower().endswith((".png", ".jpg", ".jpeg")):
                    continue
                src = os.path.join(tdir, f)
                ident = "t-" + re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(f)[0])
                neg = "no_ocr" in f
                items.append({"id": ident, "src": src, "path": stage(src, ident), "type": "corpus-text",
                              "negative": neg, "scene": "text", "objects": []})
    for it in items:
        if "W" not in it or it["type"] != "scene":
            it["W"], it["H"] = image_size(it["path"])
    return items


# ----------------------------------------------------------------------------- report
def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "n/a"


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def fmt_s(v):
    return "%.2f s" % v if v is not None else "n/a"


def fmt_mb(kb):
    return "%.0f MB" % (kb / 1024.0) if kb is not None else "n/a"


def xh_bucket(x):
    return "<16" if x < 16 else "16-31" if x < 32 else "32-63" if x < 64 else ">=64"


def size_bucket(o):
    s = min(o["size_px"]) if o["kind"] in ("qr", "datamatrix") else o["module_px"]
    if o["kind"] in ("qr", "datamatrix"):
        return "2D %s px" % ("<120" if s < 120 else "120-249" if s < 250 else ">=250")
    return "1D/stacked module %s px" % ("<2" if s < 2 else "2-3" if s < 3 else ">=3")


def report(args, items, inres, results, base, meta):
    modes = args.modes
    L = []
    P = L.append
    P("## Detection benchmark: codes and text left readable, damage, cost")
    P("")
    P("Run %s on %s; %s%s." % (meta["date"], meta["host"], meta["duration"], ("; " + args.note) if args.note else ""))
    P("")
    P("```")
    P(meta["command"])
    P("```")
    P("")
    P("Machine: %s, %d cores, %s RAM; load average %s at start, %s at end (other jobs share the CPU: "
      "times are wall-clock, each photoscrub process pinned to one core with taskset, %d at a time)."
      % (meta["cpu"], meta["ncpu"], meta["mem"], meta["load0"], meta["load1"], args.jobs))
    P("")
    P("Versions: %s." % "; ".join(meta["versions"]))
    P("")
    scenes = [i for i in items if i["type"] == "scene"]
    pos = [i for i in scenes if not i["negative"]]
    neg = [i for i in scenes if i["negative"]]
    ccode = [i for i in items if i["type"] == "corpus-code" and not i["negative"]]
    ctext = [i for i in items if i["type"] in ("corpus-text", "corpus-fp") and not i["negative"]]
    cneg = [i for i in items if i["type"] != "scene" and i["negative"]]
    ntruth_codes = sum(1 for i in pos for o in i["objects"] if o["kind"] in CODE_KINDS)
    ntruth_text = sum(1 for i in pos for o in i["objects"] if o["kind"] == "text")
    P("Data: %d generated positive scenes (%s; %d codes, %d text lines in the ground truth) and %d negative scenes, "
      "%s px, seed %s (`bench/gen_scenes.py`); corpus: %s."
      % (len(pos), ", ".join("%d %s" % (sum(1 for i in pos if i["scene"] == s), s) for s in sorted({i["scene"] for i in pos})),
         ntruth_codes, ntruth_text, len(neg), meta["scene_size"], meta["seed"],
         ("%d code images%s, %d text images, %d images without codes/text" % (
             len(ccode), (" (first %d per folder of codes/)" % args.corpus_per_dir) if args.corpus_per_dir > 0 else "",
             len(ctext), len(cneg))) if args.corpus else "not used"))
    P("")

    # ---- per mode aggregates
    agg = {}
    for m in modes:
        a = agg[m] = {"codes_in": 0, "codes_out": 0, "words_in": 0, "words_out": 0, "ok": 0, "failed": [],
                      "neg_share": [], "outside_bad": 0, "outside_bad8": 0, "outside_n": 0, "wall": [], "rss": [],
                      "wall_small": [], "cpu": [], "ccodes_in": 0, "ccodes_out": 0, "cwords_in": 0, "cwords_out": 0,
                      "leaks": [], "kind": {}, "bucket": {}, "scene_words": {}, "xh": {}, "cneg_share": [],
                      "covered": {"code": [0, 0], "text": [0, 0]}, "area": [], "cdir": {}}
        for it in items:
            r = results.get((m, it["id"]))
            if r is None:
                continue
            s = r["scrub"]
            if it["type"] == "scene":
                a["wall"].append(s["wall"]); a["rss"].append(s["rss_kb"]); a["cpu"].append(s.get("cpu"))
            else:
                a["wall_small"].append(s["wall"])
            if s["status"] != "scrubbed":
                a["failed"].append((it, s))
                continue
            a["ok"] += 1
            if "error" in r:
                a["failed"].append((it, dict(s, status="eval-error", reason=r["error"])))
                continue
            if it["negative"]:
                share = r["changed_px"] / float(it["W"] * it["H"])
                (a["neg_share"] if it["type"] == "scene" else a["cneg_share"]).append((share, it))
                continue
            ir, orr = inres[it["id"]], r["read"]
            if it["type"] == "scene":
                codes = [o for o in it["objects"] if o["kind"] in CODE_KINDS]
                texts = [o for o in it["objects"] if o["kind"] == "text"]
                regions = [g["box"] for g in s["regions"]]
                a["area"].append(sum(w * h for _, _, w, h in regions) / float(it["W"] * it["H"]))
                for k, o in enumerate(codes):
                    a["covered"]["code"][1] += 1
                    a["covered"]["code"][0] += coverage(o["box"], regions) >= 0.9
                    kd = a["kind"].setdefault(o["kind"], [0, 0])
                    bd = a["bucket"].setdefault(size_bucket(o), [0, 0])
                    if ir["codes"][k]["in"]:
                        a["codes_in"] += 1; kd[0] += 1; bd[0] += 1
                        if orr["codes"][k]["in"]:
                            a["codes_out"] += 1; kd[1] += 1; bd[1] += 1
                            a["leaks"].append((it, "code %s %r (%s)" % (o["kind"], o["payload"], ",".join(orr["codes"][k]["tools"]))))
                for o in texts:
                    a["covered"]["text"][1] += 1
                    a["covered"]["text"][0] += coverage(o["box"], regions) >= 0.9
                win, wout = set(ir["words"]), set(orr["words"]) & set(ir["words"])
                a["words_in"] += len(win); a["words_out"] += len(wout)
                sd = a["scene_words"].setdefault(it["scene"], [0, 0])
                sd[0] += len(win); sd[1] += len(wout)
                for i, o in enumerate(texts):
                    xb = a["xh"].setdefault(xh_bucket(o["xheight_px"]), [0, 0])
                    tin = set(ir["text_crops"][i]) if i < len(ir["text_crops"]) else set()
                    tout = set(orr["text_crops"][i]) & tin if i < len(orr["text_crops"]) else set()
                    xb[0] += len(tin); xb[1] += len(tout)
                if wout:
                    a["leaks"].append((it, "words " + " ".join(sorted(wout))))
            elif it["type"] == "corpus-code":
                pin = set(ir["payloads"]); pout = set(orr["payloads"]) & pin
                a["ccodes_in"] += len(pin); a["ccodes_out"] += len(pout)
                cd = a["cdir"].setdefault(it["scene"], [0, 0, 0])
                cd[0] += 1; cd[1] += len(pin); cd[2] += len(pout)
                if pout:
                    a["leaks"].append((it, "codes " + " | ".join(repr(p[:40]) for p in sorted(pout))))
            if it["type"] == "corpus-fp":
                pin = set(ir["payloads"]); pout = set(orr["payloads"]) & pin
                a["ccodes_in"] += len(pin); a["ccodes_out"] += len(pout)
                if pout:
                    a["leaks"].append((it, "codes " + " | ".join(repr(p[:40]) for p in sorted(pout))))
            if it["type"] in ("corpus-text", "corpus-fp"):
                win = set(ir["words"]); wout = set(orr["words"]) & win
                a["cwords_in"] += len(win); a["cwords_out"] += len(wout)
                if wout:
                    a["leaks"].append((it, "words " + " ".join(sorted(wout)[:30])))
            if it["type"] == "scene" and "outside_px" in r:
                a["outside_n"] += 1
                a["outside_bad"] += r["outside_px"] > 0
                a["outside_bad8"] += r.get("outside_px_grown8", 0) > 0

    P("### Summary per mode (targets: codes <= 1%, text <= 5%, damage <= 2%)")
    P("")
    hdr = "| | " + " | ".join("`%s`" % m for m in modes) + " |"
    P(hdr)
    P("|---|" + "---|" * len(modes))

    def row(name, f):
        P("| %s | %s |" % (name, " | ".join(f(agg[m]) for m in modes)))

    nfiles = lambda a: a["ok"] + len(a["failed"])  # noqa: E731
    row("photos scrubbed / run", lambda a: "%d / %d" % (a["ok"], nfiles(a)))
    row("failed (no output), timeouts, crashes", lambda a: "%d" % len(a["failed"]) + (
        " (%s)" % ", ".join("%d %s" % (n, st) for st, n in sorted(
            {s["status"]: sum(1 for _, t in a["failed"] if t["status"] == s["status"]) for _, s in a["failed"]}.items()))
        if a["failed"] else ""))
    row("**scenes: codes still decodable**", lambda a: "**%d / %d = %s**" % (a["codes_out"], a["codes_in"], pct(a["codes_out"], a["codes_in"])))
    row("**scenes: words still read**", lambda a: "**%d / %d = %s**" % (a["words_out"], a["words_in"], pct(a["words_out"], a["words_in"])))
    row("corpus: codes still decodable", lambda a: "%d / %d = %s" % (a["ccodes_out"], a["ccodes_in"], pct(a["ccodes_out"], a["ccodes_in"])))
    row("corpus: words still read", lambda a: "%d / %d = %s" % (a["cwords_out"], a["cwords_in"], pct(a["cwords_out"], a["cwords_in"])))
    row("**negative scenes: pixels changed, median / max**", lambda a: "**%s / %s**" % (
        pct(med([x for x, _ in a["neg_share"]]) or 0, 1) if a["neg_share"] else "n/a",
        pct(max(x for x, _ in a["neg_share"]), 1) if a["neg_share"] else "n/a"))
    row("negative scenes with any change", lambda a: "%d / %d" % (sum(1 for x, _ in a["neg_share"] if x > 0), len(a["neg_share"])))
    row("corpus negatives: pixels changed, max", lambda a: pct(max(x for x, _ in a["cneg_share"]), 1) if a["cneg_share"] else "n/a")
    row("positive scenes: pixels changed outside reported regions (images)", lambda a: "%d / %d" % (a["outside_bad"], a["outside_n"]))
    row("  same, regions grown by 8 px", lambda a: "%d / %d" % (a["outside_bad8"], a["outside_n"]))
    row("truth boxes >= 90% inside a region: codes / text lines", lambda a: "%s / %s" % (
        pct(*a["covered"]["code"]), pct(*a["covered"]["text"])))
    row("share of positive-scene area hidden, median", lambda a: pct(med(a["area"]) or 0, 1) if a["area"] else "n/a")
    row("**scene %s: median wall time (1 core)**" % meta["scene_size"], lambda a: "**%s**" % fmt_s(med(a["wall"])))
    row("scene: max wall time", lambda a: fmt_s(max(a["wall"])) if a["wall"] else "n/a")
    row("**scene: median CPU time (user+sys)**", lambda a: "**%s**" % fmt_s(med(a["cpu"])))
    row("**scene: median peak RSS**", lambda a: "**%s**" % fmt_mb(med(a["rss"])))
    row("scene: max peak RSS", lambda a: fmt_mb(max(x for x in a["rss"] if x is not None)) if any(a["rss"]) else "n/a")
    row("corpus image (small): median wall time", lambda a: fmt_s(med(a["wall_small"])))
    P("")
    P("Codes: truth codes that ZXingReader or zbarimg decodes in the input (whole image, or a crop around the truth "
      "box with 20%% margin upscaled 2x), and of those the ones still decoded, with the exact payload, in the output "
      "(same reads). Words: ground-truth tokens of >= 3 letters/digits (accents folded, case-insensitive) that "
      "`tesseract -l eng` reads in 2x crops around the truth text boxes (PSM %s) of the input, and of those the ones "
      "still read in the same crops of the output. Corpus: whole images; text words are any token of >= 3 "
      "letters/digits read in the input with confidence >= 50 (PSM %s), still read (any confidence) in the output. "
      "A photo that photoscrub refuses (no output) counts in the failure row, not in the leak shares."
      % ("/".join(map(str, SCENE_PSMS)), "/".join(map(str, CORPUS_PSMS))))
    P("")

    # ---- codes by kind and size
    P("### Scenes: codes still decodable, by kind and size (still / decodable in input)")
    P("")
    kinds = [k for k in CODE_KINDS if any(k in agg[m]["kind"] for m in modes)]
    P("| kind | in truth | " + " | ".join("`%s`" % m for m in modes) + " |")
    P("|---|---|" + "---|" * len(modes))
    for k in kinds:
        n = sum(1 for i in pos for o in i["objects"] if o["kind"] == k)
        P("| %s | %d | %s |" % (k, n, " | ".join("%d / %d" % tuple(agg[m]["kind"].get(k, [0, 0])[::-1]) for m in modes)))
    buckets = sorted({b for m in modes for b in agg[m]["bucket"]})
    for b in buckets:
        P("| %s | | %s |" % (b, " | ".join("%d / %d" % tuple(agg[m]["bucket"].get(b, [0, 0])[::-1]) for m in modes)))
    P("")
    P("### Scenes: words still read, by scene type and by x-height (still / read in input)")
    P("")
    P("| | " + " | ".join("`%s`" % m for m in modes) + " |")
    P("|---|" + "---|" * len(modes))
    for sc in sorted({i["scene"] for i in pos}):
        P("| %s | %s |" % (sc, " | ".join("%d / %d" % tuple(agg[m]["scene_words"].get(sc, [0, 0])[::-1]) for m in modes)))
    for xb in ("<16", "16-31", "32-63", ">=64"):
        if any(xb in agg[m]["xh"] for m in modes):
            P("| x-height %s px (per line crop) | %s |" % (xb, " | ".join("%d / %d" % tuple(agg[m]["xh"].get(xb, [0, 0])[::-1]) for m in modes)))
    P("")
    if ccode:
        P("### Corpus codes by folder (images; payloads decodable in input -> still decodable)")
        P("")
        P("| folder | " + " | ".join("`%s`" % m for m in modes) + " |")
        P("|---|" + "---|" * len(modes))
        for d in sorted({i["scene"] for i in ccode}):
            P("| %s | %s |" % (d, " | ".join("%d img: %d -> %d" % tuple(agg[m]["cdir"].get(d, [0, 0, 0])) for m in modes)))
        P("")

    # ---- cost
    P("### Cost per %s photo, one core (median over %d scenes; baselines on %d positive scenes)" % (
        meta["scene_size"], len(scenes), len(base.get("tesseract", []))))
    P("")
    bsub = [x["id"] for x in base.get("tesseract", [])]
    tc = med([x.get("cpu") for x in base.get("tesseract", [])])
    zc = med([x.get("cpu") for x in base.get("zbarimg", [])])
    P("| tool | all scenes: median wall | median CPU | median peak RSS | baseline scenes: median wall | median CPU "
      "| CPU / tesseract CPU | CPU / zbarimg CPU |")
    P("|---|---|---|---|---|---|---|---|")
    for m in modes:
        sub = [results[(m, i)]["scrub"] for i in bsub if (m, i) in results]
        bw, bc = med([x["wall"] for x in sub]), med([x.get("cpu") for x in sub])
        P("| photoscrub `--detect %s` | %s | %s | %s | %s | %s | %s | %s |" % (
            m, fmt_s(med(agg[m]["wall"])), fmt_s(med(agg[m]["cpu"])), fmt_mb(med(agg[m]["rss"])), fmt_s(bw), fmt_s(bc),
            "%.2fx" % (bc / tc) if bc and tc else "", "%.1fx" % (bc / zc) if bc and zc else ""))
    names = {"tesseract": "`tesseract IMG - --psm 11`", "zbarimg": "`zbarimg -q IMG`", "zxing": "`ZXingReader IMG`"}
    for t in ("tesseract", "zbarimg", "zxing"):
        v = base.get(t) or []
        if v:
            c = med([x.get("cpu") for x in v])
            P("| %s | | | %s | %s | %s | %s | %s |" % (
                names[t], fmt_mb(med([x["rss_kb"] for x in v])), fmt_s(med([x["wall"] for x in v])), fmt_s(c),
                "%.2fx" % (c / tc) if c and tc else "", "%.1fx" % (c / zc) if c and zc else ""))
    P("")
    P("Every process is pinned to one core (`taskset -c`) and measured by `/usr/bin/time`; baselines likewise. "
      "Wall time includes waiting for the CPU when other jobs run (see the load average); CPU time "
      "(user+sys) does not, and the ratios use it.")
    P("")

    # ---- failures and leaks
    P("### Failures and leaks")
    P("")
    any_ = False
    for m in modes:
        for it, s in agg[m]["failed"]:
            any_ = True
            P("- `%s` **%s** %s: %s  \n  `%s`" % (m, s["status"], it["src"], (s.get("reason") or "")[:300], s["cmd"]))
    for m in modes:
        for it, what in agg[m]["leaks"]:
            any_ = True
            P("- `%s` still readable in output of %s: %s" % (m, it["src"], what[:300]))
    for m in modes:
        for share, it in sorted(agg[m]["neg_share"] + agg[m]["cneg_share"], key=lambda x: -x[0]):
            if share > 0.02:
                any_ = True
                P("- `%s` damage %s of the pixels changed on negative %s" % (m, pct(share, 1), it["src"]))
    if not any_:
        P("None.")
    P("")
    return "\n".join(L) + "\n"


# ----------------------------------------------------------------------------- issue 11: three sets
# TUNE and HELDOUT (gen_scenes.py --wide, truth.json) and the real photos (no truth file: their
# ground truth is what the readers find in the input). Same readers on input and output:
#   codes  ZXingReader + zbarimg on the whole frame and on 2x crops (scenes: around each truth
#          code, also turned level when the code is turned; real photos: four overlapping
#          quarter tiles);
#   text   tesseract PSM 11 and 6 at 1x and 2x, words of >= 3 letters/digits (scenes: crops
#          around each truth line, turned level by the line's recorded angle; real photos: the
#          whole frame, words read with confidence >= 50 in the input).
ORACLE_VERSION = "v2-2024-issue11"
V2_PSMS = (11, 6)
V2_SCALES = (1.0, 2.0)
ROLE_LABELS = {"username", "password", "user", "domain"}


def zxing_positions(files):
    """{file: [(payload, [x, y, w, h])]} from ZXingReader's long output (axis-aligned box of the
    reported corner points)."""
    res = {f: [] for f in files}
    if not files:
        return res
    r = sh(pinned(["ZXingReader"] + files), ok=None)
    cur, text = (files[0] if len(files) == 1 else None), None   # one file: no "File:" header
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("File:"):
            cur, text = line.split(":", 1)[1].strip(), None
        elif line.startswith("Text:"):
            q = line.split(":", 1)[1].strip()
            text = q[1:-1].strip() if len(q) >= 2 and q[0] == '"' and q[-1] == '"' else None
        elif line.startswith("Position:") and text and cur in res:
            pts = [tuple(int(v) for v in p.split("x")) for p in line.split(":", 1)[1].split()]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            res[cur].append((text, [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1]))
    return res


def level_angle(o):
    """Degrees (clockwise, ImageMagick -rotate) that bring a turned object's baseline level."""
    return -float(o.get("rotation_deg") or 0.0)


def turned(o, tol=4.0):
    a = float(o.get("rotation_deg") or 0.0) % 90.0
    return min(a, 90.0 - a) > tol


def quarter_tiles(W, H):
    """Four overlapping tiles (60% of each side) covering the frame."""
    tw, th = int(W * 0.6), int(H * 0.6)
    return [[x, y, tw, th] for y in (0, H - th) for x in (0, W - tw)]


def analyse_v2(item, img, tag, work, only=None):
    d = os.path.join(work, "crops", tag, item["id"].replace("/", "_"))
    os.makedirs(d, exist_ok=True)
    W, H = item["W"], item["H"]
    res = {"oracle": ORACLE_VERSION}
    if item["type"] == "scene":
        codes, texts, ci, ti = scene_parts(item, only)
        cpaths = make_crops(img, [pad_box(codes[i]["box"], W, H, "code") for i in ci], d, "c")
        ri = [i for i in ci if turned(codes[i])]
        rpaths = make_crops(img, [pad_box(codes[i]["box"], W, H, "code") for i in ri], d, "r",
                            angles=[level_angle(codes[i]) for i in ri])
        dec = decode([img] + cpaths + rpaths)
        full = dec[img]
        res["codes"] = []
        for k, o in enumerate(codes):
            tools = set()
            if o["payload"] in full:
                tools |= {"full-" + t for t in full[o["payload"]]}
            for paths, idx, what in ((cpaths, ci, "crop-"), (rpaths, ri, "level-")):
                if k in idx and o["payload"] in dec[paths[idx.index(k)]]:
                    tools |= {what + t for t in dec[paths[idx.index(k)]][o["payload"]]}
            res["codes"].append({"in": bool(tools), "tools": sorted(tools)})
        truth_tokens = set()
        for o in texts:
            truth_tokens |= norm_tokens(o["words"])
        boxes = [pad_box(texts[i]["box"], W, H, "text") for i in ti]
        angles = [level_angle(texts[i]) for i in ti]
        read = [set() for _ in ti]
        for sc in V2_SCALES:
            paths = make_crops(img, boxes, d, "t%d-" % int(sc), scale=sc, angles=angles)
            for psm in V2_PSMS:
                got = ocr(paths, psm)
                for j, p in enumerate(paths):
                    read[j] |= got[p]
        res["text_crops"] = [[] for _ in texts]
        allread = set()
        for j, i in enumerate(ti):
            toks = sorted(read[j] & truth_tokens)
            res["text_crops"][i] = toks
            allread |= set(toks)
        res["words"] = sorted(allread)
        res["truth_words"] = sorted(truth_tokens)
    else:   # real photo: the readers' findings are the truth
        tiles = quarter_tiles(W, H)
        tpaths = make_crops(img, tiles, d, "q")
        dec = decode([img] + tpaths)
        pay = set()
        for f in [img] + tpaths:
            pay |= set(dec[f])
        res["payloads"] = sorted(pay)
        words, boxes = set(), []
        up = make_crops(img, [[0, 0, W, H]], d, "x2")
        for psm in V2_PSMS:
            for f, sc in ((img, 1.0), (up[0], 2.0)):
                for toks, b in ocr_words([f], psm, min_conf=50 if only is None else None)[f]:
                    words |= toks
                    boxes.append([int(v / sc) for v in b])
        res["words"] = sorted(words)
        if only is None:   # boxes of what was found, for the damage and region-size figures
            cb = []
            for f, (ox, oy, sc) in [(img, (0, 0, 1.0))] + [(p, (t[0], t[1], 2.0)) for p, t in zip(tpaths, tiles)]:
                for _, b in zxing_positions([f])[f]:
                    cb.append([ox + int(b[0] / sc), oy + int(b[1] / sc), int(b[2] / sc) + 1, int(b[3] / sc) + 1])
            res["word_boxes"], res["code_boxes"] = boxes, cb
    shutil.rmtree(d, ignore_errors=True)
    return res


def item_boxes(item, inres):
    """Boxes of what the photo holds, each with its margin (proportional to letters / modules):
    scenes: every truth object (readable or not); real photos: what the readers found."""
    out = []
    if item["type"] == "scene":
        for o in item["objects"]:
            if o["kind"] == "text":
                m = 8 + 1.0 * float(o.get("xheight_px") or 10)
            else:
                m = 8 + (10 if o["kind"] in ("code128", "ean13") else 4) * float(o.get("module_px") or 2)
            out.append((o["box"], int(m)))
    else:
        for b in inres.get("word_boxes", []):
            out.append((b, int(8 + 0.5 * min(b[2], b[3]))))
        for b in inres.get("code_boxes", []):
            out.append((b, int(8 + 0.1 * max(b[2], b[3]))))
    return out


def inter(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return max(0, x1 - x0) * max(0, y1 - y0)


def region_ratios(regions, held):
    """Per reported region: its area over the area of the (margin-grown) items it overlaps, clipped
    to the region; None for a region over no item."""
    out = []
    for r in regions:
        hid = sum(inter(r, g) for g in held)
        out.append((r[2] * r[3] / float(hid)) if hid else None)
    return out


def measure_v2(item, mode, rec, args, inres, r):
    W, H = item["W"], item["H"]
    held = []
    for b, m in item_boxes(item, inres):
        held += grow([b], m, W, H)
    r["outside_px"] = ae(item["path"], rec["output"], "2%", grow(held, 8, W, H))
    r["area"] = W * H
    r["ratios"] = region_ratios([g["box"] for g in rec["regions"]], held)
    if not item["negative"]:
        r["read"] = analyse_v2(item, rec["output"], mode, args.work, only=inres)


def hidden(item, args):
    return item.get("set") == "heldout" and not getattr(args, "show_heldout", False)


def shown(item, args):
    return "heldout/(hidden)" if hidden(item, args) else item["id"]


def collect_sets(args):
    items = []
    os.makedirs(os.path.join(args.work, "in"), exist_ok=True)

    def stage(src, ident):
        return stage_input(args.work, src, ident.replace("/", "_"))
    args.set_meta = {}
    for spec in args.set:
        name, _, d = spec.partition("=")
        tj = os.path.join(d, "truth.json")
        raw = open(tj, "rb").read()
        truth = json.loads(raw)
        W, H = truth["size"]
        sig = "%s-%s" % (ORACLE_VERSION, hashlib.sha1(raw).hexdigest()[:12])
        args.set_meta[name] = {"seed": truth.get("seed"), "size": "%dx%d" % (W, H),
                               "distribution": truth.get("distribution", "classic"), "dir": d}
        for im in truth["images"]:
            ident = "%s/%s" % (name, os.path.splitext(im["file"])[0])
            src = os.path.join(d, im["file"])
            items.append({"id": ident, "src": src, "path": stage(src, ident), "type": "scene", "set": name,
                          "negative": im["negative"], "scene": im["scene"], "objects": im["objects"],
                          "W": W, "H": H, "sig": sig})
    if args.real:
        for f in sorted(os.listdir(args.real)):
            if not f.lower().endswith((".jpg", ".jpeg", ".png")):
                continue
            src = os.path.join(args.real, f)
            st = os.stat(src)
            ident = "real/" + os.path.splitext(f)[0]
            it = {"id": ident, "src": src, "path": stage(src, ident), "type": "real", "set": "real",
                  "negative": False, "scene": "real", "objects": [],
                  "sig": "%s-%d-%d" % (ORACLE_VERSION, st.st_size, int(st.st_mtime))}
            it["W"], it["H"] = image_size(it["path"])
            items.append(it)
    return items


def p90(v):
    v = sorted(x for x in v if x is not None)
    if not v:
        return None
    return v[min(len(v) - 1, int(math.ceil(0.9 * len(v))) - 1)]


def report_sets(args, items, inres, results, meta):
    L = []
    P = L.append
    sets = [s for s in ("tune", "heldout", "real") if any(i["set"] == s for i in items)]
    P("## Detection on three sets: tuning, held-out, real photos (issue 11)")
    P("")
    P("Run %s on %s; %s. Machine: %s, %d cores, %s RAM; load average %s at start, %s at end "
      "(**CPU figures taken under load**: the machine was shared with other jobs; each photoscrub "
      "process pinned to one core with taskset, %d at a time, CPU = user+sys from /usr/bin/time)."
      % (meta["date"], meta["host"], meta["duration"], meta["cpu"], meta["ncpu"], meta["mem"], meta["load0"],
         meta["load1"], args.jobs))
    P("")
    P("```")
    P(meta["command"])
    P("```")
    P("")
    P("Versions: %s." % "; ".join(meta["versions"]))
    P("")
    for s in sets:
        its = [i for i in items if i["set"] == s]
        if s == "real":
            P("- **real**: %d photos of %s (ground truth = what the readers find in the input)." % (len(its), args.real))
        else:
            m = args.set_meta[s]
            P("- **%s**: %d positive + %d negative scenes, %s, seed %s, distribution `%s` (`bench/gen_scenes.py`)."
              % (s, sum(1 for i in its if not i["negative"]), sum(1 for i in its if i["negative"]), m["size"], m["seed"],
                 m["distribution"]))
    P("")
    for mode in args.modes:
        P("### `--detect %s`" % mode)
        P("")
        P("| set | photos scrubbed / run | codes still decodable | words still read | login user name / password lines "
          "still readable | pixels changed outside found items, median / max (photos with items) | same, photos "
          "without text or codes, max | largest region / area it hides (max); regions > 3x; regions over nothing "
          "| CPU s per photo, median / p90 |")
        P("|---|---|---|---|---|---|---|---|---|")
        leaks = []
        for s in sets:
            a = {"ok": 0, "n": 0, "ci": 0, "co": 0, "wi": 0, "wo": 0, "li": 0, "lo": 0, "out_pos": [], "out_neg": [],
                 "ratios": [], "empty": 0, "cpu": [], "failed": []}
            for it in items:
                if it["set"] != s:
                    continue
                r = results.get((mode, it["id"]))
                if r is None:
                    continue
                sc = r["scrub"]
                a["n"] += 1
                a["cpu"].append(sc.get("cpu"))
                if sc["status"] != "scrubbed" or "error" in r:
                    a["failed"].append((it, sc.get("status") if "error" not in r else "eval-error"))
                    continue
                a["ok"] += 1
                ir = inres[it["id"]]
                has_items = (not it["negative"]) and (
                    it["type"] == "scene" or ir.get("words") or ir.get("payloads"))
                (a["out_pos"] if has_items else a["out_neg"]).append(r["outside_px"] / float(r["area"]))
                for x in r.get("ratios", []):
                    if x is None:
                        a["empty"] += 1
                    else:
                        a["ratios"].append(x)
                if it["negative"]:
                    continue
                orr = r["read"]
                if it["type"] == "scene":
                    codes = [o for o in it["objects"] if o["kind"] in CODE_KINDS]
                    texts = [o for o in it["objects"] if o["kind"] == "text"]
                    for k, o in enumerate(codes):
                        if ir["codes"][k]["in"]:
                            a["ci"] += 1
                            if orr["codes"][k]["in"]:
                                a["co"] += 1
                                leaks.append((it, "code %s (%s)" % (o["kind"], ",".join(orr["codes"][k]["tools"]))))
                    win = set(ir["words"]); wout = set(orr["words"]) & win
                    a["wi"] += len(win); a["wo"] += len(wout)
                    if wout:
                        leaks.append((it, "words " + " ".join(sorted(wout))))
                    for i, o in enumerate(texts):
                        if not o.get("role"):
                            continue
                        sec = norm_tokens(o.get("secret") or "") - ROLE_LABELS
                        if sec & set(ir["text_crops"][i]):
                            a["li"] += 1
                            if sec & set(orr["text_crops"][i]):
                                a["lo"] += 1
                                leaks.append((it, "%s line still readable" % o["role"]))
                else:
                    pin = set(ir["payloads"]); pout = set(orr["payloads"]) & pin
                    a["ci"] += len(pin); a["co"] += len(pout)
                    win = set(ir["words"]); wout = set(orr["words"]) & win
                    a["wi"] += len(win); a["wo"] += len(wout)
                    if pout:
                        leaks.append((it, "%d code(s)" % len(pout)))
                    if wout:
                        leaks.append((it, "words " + " ".join(sorted(wout)[:20])))
            for it, st in a["failed"]:
                leaks.append((it, "FAILED: %s" % st))
            big = [x for x in a["ratios"] if x > 3.0]
            P("| %s | %d / %d | %d / %d = %s | %d / %d = %s | %s | %s / %s | %s | %s; %d; %d | %s / %s |" % (
                s, a["ok"], a["n"], a["co"], a["ci"], pct(a["co"], a["ci"]), a["wo"], a["wi"], pct(a["wo"], a["wi"]),
                ("%d / %d" % (a["lo"], a["li"])) if s != "real" else "n/a",
                pct(med(a["out_pos"]) or 0, 1) if a["out_pos"] else "n/a",
                pct(max(a["out_pos"]), 1) if a["out_pos"] else "n/a",
                ("%s (%d photos)" % (pct(max(a["out_neg"]), 1), len(a["out_neg"]))) if a["out_neg"] else "n/a",
                ("%.1fx" % max(a["ratios"])) if a["ratios"] else "n/a", len(big), a["empty"],
                ("%.2f" % med(a["cpu"])) if med(a["cpu"]) is not None else "n/a",
                ("%.2f" % p90(a["cpu"])) if p90(a["cpu"]) is not None else "n/a"))
        P("| *target (issue 11)* | all | *0%* | *<= 2%* | *0* | *<= 2%* | *<= 0.5%* | *<= 3x* | *<= 1.5 median (default)* |")
        P("")
        shown_leaks = [(it, w) for it, w in leaks if not hidden(it, args)]
        nh = len(leaks) - len(shown_leaks)
        if shown_leaks or nh:
            P("Still readable / failed (per photo%s):" % ("" if args.show_heldout else "; held-out set: count only"))
            P("")
            for it, w in shown_leaks:
                P("- %s: %s" % (it["id"], w[:200]))
            if nh:
                P("- heldout: %d findings (run with --show-heldout to list them; do not while tuning)" % nh)
            P("")
    P("Definitions. Codes: payloads ZXingReader or zbarimg decode in the input (whole frame and 2x crops; "
      "scenes: only truth codes, crops around each, also levelled by its recorded angle; real photos: four "
      "overlapping quarter tiles) and still decode, same payload, in the output. Words: tokens of >= 3 "
      "letters/digits that tesseract (PSM 11 and 6, at 1x and 2x) reads in the input (scenes: truth words, in crops "
      "around each truth line levelled by its angle; real photos: whole frame, confidence >= 50) and still reads "
      "(any confidence) in the output. Objects no reader reads in the input are not counted. Login lines: the "
      "credential tokens (user name / password without the label) of lines marked `role` in truth.json, readable "
      "in the input. Pixels changed: `compare -fuzz 2%` outside the found items (scenes: every truth box; real "
      "photos: the readers' word and code boxes), each grown by a margin (1 x-height, 4 modules for 2D, 10 for 1D, "
      "plus 8 px for chroma upsampling), over the frame; \"without text or codes\": negatives and real photos where "
      "the readers find nothing. Region size: each reported region's area over the area of the margin-grown items it "
      "overlaps (clipped to the region); a region over no item counts as \"over nothing\".")
    P("")
    return "\n".join(L) + "\n"


def main_sets(args, ap):
    if not args.bin or not args.work:
        ap.error("--bin and --work are required")
    t0 = time.time()
    meta = machine_meta(args)
    items = collect_sets(args)
    meta.update(command=args.command, date=time.strftime("%Y-%m-%d %H:%M %Z"))
    log("%d inputs (%s), modes %s, %d workers" % (len(items), ", ".join(
        "%s %d" % (s, sum(1 for i in items if i["set"] == s)) for s in ("tune", "heldout", "real")),
        ",".join(args.modes), args.jobs))
    cache = {}
    if args.inputs_cache and os.path.exists(args.inputs_cache):
        cache = json.load(open(args.inputs_cache))
    inres, results = {}, {}
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        def timed(it):
            t = time.monotonic()
            r = analyse_v2(it, it["path"], "in", args.work)
            log("input    %-40s read in %5.1fs" % (shown(it, args), time.monotonic() - t))
            return r
        todo = {}
        for it in items:
            key = "%s|%s" % (it["id"], it["sig"])
            if key in cache:
                inres[it["id"]] = cache[key]
            elif not it["negative"]:
                todo[key] = (it, ex.submit(timed, it))
            else:
                inres[it["id"]] = {}
        log("input readings: %d to read (%d reused from the cache or negatives)" % (len(todo), len(items) - len(todo)))
        for key, (it, f) in todo.items():
            inres[it["id"]] = cache[key] = f.result()
        if args.inputs_cache and todo:
            with open(args.inputs_cache, "w") as fh:
                json.dump(cache, fh)
        pf = {(m, it["id"]): ex.submit(process, it, m, args, inres[it["id"]], measure_v2) for m in args.modes for it in items}
        for k, f in pf.items():
            results[k] = f.result()
    meta["load1"] = "%.2f" % os.getloadavg()[0]
    meta["duration"] = "measuring took %.0f s" % (time.time() - t0)
    md = report_sets(args, items, inres, results, meta)
    sys.stdout.write(md)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(md)
    if args.json:   # per-file figures; the held-out set's only with --show-heldout
        keep = lambda i: args.show_heldout or not i.startswith("heldout/")  # noqa: E731
        with open(args.json, "w") as fh:
            json.dump({"inputs": {k: v for k, v in inres.items() if keep(k)},
                       "results": {"%s/%s" % k: v for k, v in results.items() if keep(k[1])},
                       "items": [i for i in items if keep(i["id"])], "meta": meta,
                       "args": {k: v for k, v in vars(args).items() if k != "set_meta"}}, fh, indent=1, default=list)


# ----------------------------------------------------------------------------- main
def machine_meta(args):
    def first(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20).stdout.decode(
                "utf-8", "replace").strip().splitlines()[0]
        except Exception:  # noqa: BLE001
            return "?"
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.0f GiB" % (int(line.split()[1]) / 1048576.0)
    except OSError:
        pass

    def dpkg(p):
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return r.stdout.decode().strip() or "?"
    rev = first(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "status", "--porcelain", "--", "lib", "cli", "include"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
    built = []
    bdir = os.path.dirname(os.path.dirname(os.path.abspath(args.bin)))
    for f in [args.bin] + [os.path.join(bdir, x) for x in os.listdir(bdir) if x.startswith("libphotoscrub.so")]:
        try:
            built.append(os.stat(f).st_mtime)
        except OSError:
            pass
    when = time.strftime(", binary/library built %Y-%m-%d %H:%M %Z", time.localtime(max(built))) if built else ""
    versions = ["photoscrub %s (git HEAD %s%s%s)" % (first([args.bin, "--version"]).replace("photoscrub", "").strip(), rev,
                                                   ", lib/cli modified" if dirty else "", when),
                "tesseract %s" % dpkg("tesseract-ocr"), "libtesseract %s" % dpkg("libtesseract5"),
                "zbar %s" % dpkg("zbar-tools"), "zxing-cpp %s" % dpkg("zxing-cpp-tools"),
                "ImageMagick %s" % dpkg("imagemagick-6.q16"), "zint %s" % dpkg("zint"), "qrencode %s" % dpkg("qrencode")]
    return {"cpu": cpu, "mem": mem, "ncpu": os.cpu_count(), "versions": versions,
            "host": first(["uname", "-sr"]), "load0": "%.2f" % os.getloadavg()[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--from-json", help="only render the report from a --json file of an earlier run")
    ap.add_argument("--scenes")
    ap.add_argument("--corpus")
    ap.add_argument("--corpus-per-dir", type=int, default=4)
    ap.add_argument("--modes", default="fast,default")
    ap.add_argument("--work")
    ap.add_argument("--jobs", type=int, default=len(_cores))
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--baseline", type=int, default=3, help="scenes timed with the tesseract/zbarimg baselines")
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--command", default="")
    ap.add_argument("--scene-size", default="?")
    ap.add_argument("--seed", default="?")
    ap.add_argument("--keep-outputs", action="store_true")
    ap.add_argument("--note", default="")
    ap.add_argument("--inputs-cache", help="JSON file of input readings: reused when it exists "
                    "(same scenes and corpus), written otherwise; saves minutes when iterating")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=DIR",
                    help="issue-11 mode: a generated set (tune or heldout) with DIR/truth.json; repeatable")
    ap.add_argument("--real", help="issue-11 mode: folder of real photos, truth = what the readers find")
    ap.add_argument("--show-heldout", action="store_true",
                    help="list per-photo findings of the held-out set too (never while tuning)")
    args = ap.parse_args()
    args.modes = [m for m in args.modes.split(",") if m]
    if args.set or args.real:
        return main_sets(args, ap)
    if args.from_json:
        j = json.load(open(args.from_json))
        for k, v in j["args"].items():
            if k not in ("markdown", "json", "from_json"):
                setattr(args, k, v)
        results = {tuple(k.split("/", 1)): v for k, v in j["results"].items()}
        md = report(args, j["items"], j["inputs"], results, j["baselines"], j["meta"])
        sys.stdout.write(md)
        if args.markdown:
            with open(args.markdown, "w") as fh:
                fh.write(md)
        return
    if not args.bin or not args.work:
        ap.error("--bin and --work are required")
    t0 = time.time()
    meta = machine_meta(args)
    items = collect(args)
    meta.update(command=args.command, scene_size=args.scene_size, seed=args.seed,
                date=time.strftime("%Y-%m-%d %H:%M %Z"))
    log("%d inputs, modes %s, %d workers" % (len(items), ",".join(args.modes), args.jobs))
    inres, results, base = {}, {}, {}
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        # 1. what is readable in the inputs
        def timed_analyse(it):
            t = time.monotonic()
            r = analyse(it, it["path"], "in", args.work)
            log("input    %-40s read in %5.1fs" % (it["id"], time.monotonic() - t))
            return r
        cached = {}
        if args.inputs_cache and os.path.exists(args.inputs_cache):
            cached = json.load(open(args.inputs_cache))
            log("input readings reused from %s" % args.inputs_cache)
        futs = {ex.submit(timed_analyse, it): it for it in items
                if not it["negative"] and it["id"] not in cached}
        for it in items:
            if it["id"] in cached:
                inres[it["id"]] = cached[it["id"]]
                if it["type"] == "corpus-fp" and not cached[it["id"]]["words"] and not cached[it["id"]]["payloads"]:
                    it["negative"] = True
        for f, it in futs.items():
            inres[it["id"]] = f.result()
            if it["type"] == "corpus-fp" and not inres[it["id"]]["words"] and not inres[it["id"]]["payloads"]:
                it["negative"] = True
        if args.inputs_cache and futs:
            with open(args.inputs_cache, "w") as fh:
                json.dump(inres, fh)
        nin = sum(sum(c["in"] for c in r.get("codes", [])) for r in inres.values())
        log("inputs read: %d scene codes decodable, %d scene words read (%.0f s)" % (
            nin, sum(len(r.get("words", [])) for r in inres.values() if "truth_words" in r), time.time() - t0))
        # 2. baselines on a few positive scenes (cost comparison)
        pos = [it for it in items if it["type"] == "scene" and not it["negative"]][:args.baseline]
        bf = {(t, it["id"]): ex.submit(baseline, it, t) for it in pos for t in ("tesseract", "zbarimg", "zxing")}
        # 3. photoscrub per mode and file, then the same reads on its output
        order = sorted(items, key=lambda it: (it["type"] != "scene", it["id"]))
        pf = {(m, it["id"]): ex.submit(process, it, m, args, inres.get(it["id"])) for m in args.modes for it in order}
        for (t, i), f in bf.items():
            base.setdefault(t, []).append(dict(f.result(), id=i))
        for k, f in pf.items():
            results[k] = f.result()
    meta["load1"] = "%.2f" % os.getloadavg()[0]
    meta["duration"] = "measuring took %.0f s" % (time.time() - t0)
    md = report(args, items, inres, results, base, meta)
    sys.stdout.write(md)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(md)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"inputs": {k: v for k, v in inres.items()},
                       "results": {"%s/%s" % k: v for k, v in results.items()}, "baselines": base,
                       "items": items, "meta": meta, "args": vars(args)}, fh, indent=1, default=list)


if __name__ == "__main__":
    main()
