#!/usr/bin/env python3
"""French for the staff, kept from falling behind: the catalogue covers every marked message
(xgettext over cli/*.c, then msgcmp and msgfmt --statistics), French typography is consistent,
the launcher passes desktop-file-validate with no output at all, both man pages render without
warnings, an install puts the catalogue and the French man page where gettext and man look,
and the library stays locale-free.

    python3 test_l10n.py --src SOURCE_DIR --build BUILD_DIR --cli build/cli/photoscrub
"""
import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
import pstest as P  # noqa: E402

ARGS = None
NB = "\u00a0"
# French punctuation that takes a space before it; the catalogue uses U+00A0 (no break).
PUNCT = ":;!?"


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, **kw)


def french_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE" and not k.startswith("LC_")}
    env["LANG"] = "fr_FR.UTF-8"
    env.update(extra)
    return env


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def po_entries(path):
    """[(msgid, [msgstr...], flags)] of a .po file (enough of the format for our own file)."""
    entries, cur, key, flags = [], None, None, ""
    def unq(s):
        return bytes(s[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    for line in read(path).splitlines() + [""]:
        if line.startswith("#,"):
            flags = line
        elif line.startswith("msgid "):
            if cur:
                entries.append(cur)
            cur = {"msgid": unq(line[6:]), "msgstr": [], "flags": flags, "obsolete": False}
            key, flags = "msgid", ""
        elif line.startswith("msgid_plural "):
            key = "plural"
        elif line.startswith("msgstr"):
            cur["msgstr"].append(unq(line.split(" ", 1)[1]))
            key = "msgstr"
        elif line.startswith('"') and cur is not None:
            if key == "msgid":
                cur["msgid"] += unq(line)
            elif key == "msgstr":
                cur["msgstr"][-1] += unq(line)
    if cur:
        entries.append(cur)
    return [e for e in entries if e["msgid"]]


def typography_problems(text):
    """Places where French punctuation is not preceded by a no-break space, or where « » lack
    one inside."""
    bad = []
    for m in re.finditer(r"(.)([%s])(?=\s|$)" % re.escape(PUNCT), text):
        if m.group(1) != NB:
            bad.append(text[max(0, m.start() - 15):m.end() + 5])
    for m in re.finditer(r"«(?!%s)|(?<!%s)»" % (NB, NB), text):
        bad.append(text[max(0, m.start() - 10):m.end() + 10])
    return bad


class Catalogue(unittest.TestCase):
    def test_every_marked_message_is_translated(self):
        tmp = tempfile.mkdtemp(prefix="psc-l10n-")
        self.addCleanup(shutil.rmtree, tmp, True)
        pot = os.path.join(tmp, "photoscrub.pot")
        r = run(["bash", os.path.join(ARGS.src, "po", "update"), "--pot", pot])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(read(pot).count("\nmsgid "), 100, "xgettext found few messages")
        linguas = read(os.path.join(ARGS.src, "po", "LINGUAS")).splitlines()
        for lang in [l.strip() for l in linguas if l.strip() and l[0] != "#"]:
            po = os.path.join(ARGS.src, "po", lang + ".po")
            r = run(["msgcmp", po, pot])
            self.assertEqual(r.returncode, 0, "po/%s.po misses messages marked in cli/ "
                             "(run po/update and translate):\n%s" % (lang, r.stderr))
            r = run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po], env=dict(os.environ, LC_ALL="C"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stderr.strip(), r"^\d+ translated messages?\.$",
                             "po/%s.po has untranslated or fuzzy messages: %s" % (lang, r.stderr))
            entries = po_entries(po)
            self.assertFalse([e for e in entries if "fuzzy" in e["flags"]])
            self.assertNotIn("\n#~ ", read(po), "stale (#~) entries: run po/update")

    def test_french_typography(self):
        bad = []
        for e in po_entries(os.path.join(ARGS.src, "po", "fr.po")):
            for s in e["msgstr"]:
                bad += typography_problems(s)
        self.assertEqual(bad, [], "po/fr.po: use U+00A0 before : ; ! ? and inside « »")

    def test_messages_are_not_left_in_english(self):
        """A French string identical to its English source is allowed only where the words
        are the same in both languages."""
        same_ok = {"QR", ", ", ".\n", "photoscrub", "%s: %s"}
        for e in po_entries(os.path.join(ARGS.src, "po", "fr.po")):
            if e["msgid"] in same_ok or not re.search(r"[a-z]{3}", e["msgid"]):
                continue
            self.assertNotIn(e["msgid"], e["msgstr"], "left in English: %r" % e["msgid"])


class Launcher(unittest.TestCase):
    def test_desktop_file_validate_says_nothing(self):
        if shutil.which("desktop-file-validate") is None:
            self.fail("desktop-file-validate missing (scripts/bootstrap installs desktop-file-utils)")
        path = os.path.join(ARGS.src, "data", "photoscrub.desktop")
        r = run(["desktop-file-validate", path])
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""), "errors, warnings or hints")

    def test_french_entries_and_heic(self):
        cp = configparser.RawConfigParser()
        cp.optionxform = str
        cp.read(os.path.join(ARGS.src, "data", "photoscrub.desktop"), encoding="utf-8")
        d = cp["Desktop Entry"]
        for key in ("Name[fr]", "GenericName[fr]", "Comment[fr]"):
            self.assertIn(key, d)
            self.assertEqual(typography_problems(d[key]), [], key)
        self.assertIn("Déposez", d["Comment[fr]"])
        mimes = d["MimeType"].split(";")
        for m in ("image/jpeg", "image/png", "image/heic", "image/heif", "image/avif", "inode/directory"):
            self.assertIn(m, mimes)


class ManPages(unittest.TestCase):
    PAGES = ("photoscrub.1", "photoscrub.fr.1")

    def test_groff_parses_without_warnings(self):
        for page in self.PAGES:
            r = run(["groff", "-k", "-man", "-Tutf8", "-ww", "-z", os.path.join(ARGS.src, "docs", page)])
            self.assertEqual((r.returncode, r.stderr), (0, ""), page)

    def test_man_renders_the_french_page(self):
        if shutil.which("man") is None:
            self.skipTest("man-db not installed (groff checked above)")
        r = run(["man", "-l", os.path.join(ARGS.src, "docs", "photoscrub.fr.1")],
                env=french_env(MANWIDTH="100", MAN_KEEP_FORMATTING="0", PAGER="cat"))
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        text = re.sub(r".\x08", "", r.stdout)  # overstrike bold and underline
        for words in ("NOM", "RÉGLAGES", "OÙ VONT LES RÉSULTATS", "rendre des photos sûres à partager"):
            self.assertIn(words, text)

    def test_french_page_typography(self):
        text = read(os.path.join(ARGS.src, "docs", "photoscrub.fr.1"))
        bad = [l for l in text.splitlines() if not l.startswith((".", "photoscrub ", "LANG="))
               and re.search(r" [%s](\s|$)" % re.escape(PUNCT), l)]
        self.assertEqual(bad, [], "use \\~ (no-break space) before : ; ! ? in the French page")


class Install(unittest.TestCase):
    def test_installed_catalogue_and_man_page(self):
        tmp = tempfile.mkdtemp(prefix="psc-l10n-install-")
        self.addCleanup(shutil.rmtree, tmp, True)
        prefix = os.path.join(tmp, "prefix")
        r = run(["cmake", "--install", ARGS.build, "--prefix", prefix])
        self.assertEqual(r.returncode, 0, r.stderr)
        mo = os.path.join(prefix, "share", "locale", "fr", "LC_MESSAGES", "photoscrub.mo")
        man_fr = os.path.join(prefix, "share", "man", "fr", "man1", "photoscrub.1")
        self.assertTrue(os.path.isfile(mo), "catalogue not installed at " + mo)
        self.assertTrue(os.path.isfile(man_fr), "French man page not installed at " + man_fr)
        libdir = os.path.dirname(next(os.path.join(d, f) for d, _, fs in os.walk(prefix) for f in fs
                                      if f.startswith("libphotoscrub.so")))
        # The installed CLI speaks French, also after the whole prefix is moved.
        for where in (prefix, os.path.join(tmp, "moved")):
            if where != prefix:
                shutil.move(prefix, where)
            cli = os.path.join(where, "bin", "photoscrub")
            r = run([cli, "--help"], env=french_env(LD_LIBRARY_PATH=libdir.replace(prefix, where)))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Utilisation" + NB + ":", r.stdout, "installed CLI not in French (%s)" % where)
        if shutil.which("man"):
            r = run(["man", "-w", "photoscrub"], env=french_env(MANPATH=os.path.join(tmp, "moved", "share", "man")))
            self.assertTrue(r.stdout.strip().endswith("/fr/man1/photoscrub.1"), r.stdout + r.stderr)

    def test_library_stays_locale_free(self):
        lib = next((os.path.join(ARGS.build, f) for f in sorted(os.listdir(ARGS.build))
                    if f.startswith("libphotoscrub.so")), None)
        self.assertIsNotNone(lib)
        r = run(["nm", "-D", "--undefined-only", lib])
        used = set(re.findall(r"\bU (\w+)", r.stdout))
        for sym in ("setlocale", "uselocale", "newlocale", "gettext", "dgettext", "bindtextdomain"):
            self.assertNotIn(sym, {u.split("@")[0] for u in used}, "the library calls " + sym)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--cli", required=True)
    ARGS, rest = ap.parse_known_args()
    P.main("test_l10n", [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
