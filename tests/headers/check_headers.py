#!/usr/bin/env python3
"""Compiles every header on its own and twice in one translation unit.

Each of include/photoscrub/*.h and lib/**/*.h goes into a file holding only
    #include "x.h"
    #include "x.h"
compiled as C11 with the project's warnings as errors: the first line proves the header brings
everything it needs (self-contained), the second that its include guard covers every
declaration. The public header is also compiled as C++ (extern "C", no C-only constructs),
the way an application sees it: without the library's build defines; internal headers that
declare C linkage are compiled as C++17 too (the .cpp adapters include them). Because C accepts
a function declared twice, each header is also read: its include guard must open the file and
its #endif close it. Headers are found when the test runs, so new ones are checked without
reconfiguring.

Usage: check_headers.py --root SRC --cc CC --cxx CXX [--cflags="FLAGS"] [--cxxflags="FLAGS"]
Exit status: 0 all compile, 1 some do not (each one named, with the compiler's message).
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile


def headers(root):
    """(include path as written in #include, -I folder, public?) for every header, sorted."""
    out = []
    pub = os.path.join(root, "include")
    for dp, _, fns in os.walk(os.path.join(pub, "photoscrub")):
        out += [(os.path.relpath(os.path.join(dp, f), pub), True) for f in fns if f.endswith(".h")]
    lib = os.path.join(root, "lib")
    for dp, _, fns in os.walk(lib):
        out += [(os.path.relpath(os.path.join(dp, f), lib), False) for f in fns if f.endswith(".h")]
    return sorted(out, key=lambda t: (not t[1], t[0]))


def strip_comments(text):
    """The text with /* */ and // comments blanked (line breaks kept); strings do not matter
    for the few directives we look at."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text,
                  flags=re.S)


def guard_problem(path):
    """None when the first directive is #ifndef G, then #define G, and the #endif closing it is
    the last thing in the file; else what is wrong. (C accepts a function declared twice, so
    compiling twice alone misses declarations left after the guard.)"""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = strip_comments(f.read()).split("\n")
    directives = [(i + 1, l.strip()) for i, l in enumerate(lines) if l.strip().startswith("#")]
    code = [(i + 1, l.strip()) for i, l in enumerate(lines) if l.strip()]
    if len(directives) < 2 or not re.match(r"#\s*ifndef\s+\w+$", directives[0][1]) \
            or code[0] != directives[0]:
        return "does not start with an #ifndef include guard"
    guard = directives[0][1].split()[-1]
    if not re.match(r"#\s*define\s+%s$" % guard, directives[1][1]):
        return "#ifndef %s is not followed by #define %s" % (guard, guard)
    depth = 0
    for ln, d in directives:
        word = re.match(r"#\s*(\w+)", d).group(1)
        if word in ("if", "ifdef", "ifndef"):
            depth += 1
        elif word == "endif":
            depth -= 1
            if depth == 0:
                after = [c for c in code if c[0] > ln]
                if after:
                    return "line %d closes the include guard %s but line %d still declares: %s" % (
                        ln, guard, after[0][0], after[0][1][:60])
                return None
    return "the include guard %s is never closed" % guard


def compile_one(compiler, std, flags, src, tmp):
    """Compiles src with -std=std; returns (exit status, compiler output)."""
    path = os.path.join(tmp, "tu.cpp" if std.startswith("c++") else "tu.c")
    with open(path, "w") as f:
        f.write(src)
    r = subprocess.run([compiler, "-std=" + std] + flags + ["-fsyntax-only", "-Werror", path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--cc", required=True)
    ap.add_argument("--cxx", required=True)
    ap.add_argument("--cflags", default="", help="C flags, one string (the project's warnings)")
    ap.add_argument("--cxxflags", default="", help="C++ flags, one string")
    a = ap.parse_args()
    a.cflags, a.cxxflags = shlex.split(a.cflags), shlex.split(a.cxxflags)
    root = os.path.abspath(a.root)
    inc = ["-I" + os.path.join(root, "include"), "-I" + os.path.join(root, "lib")]
    # The library's own defines for its internal headers (as lib/*.c are compiled).
    lib_defs = ["-D_GNU_SOURCE", "-DPSC_BUILDING_LIBRARY"]
    found = headers(root)
    if not found:
        print("check_headers: no headers found under %s" % root)
        return 1
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for rel, public in found:
            src = '#include "%s"\n#include "%s"\n' % (rel, rel)
            name = ("include/" if public else "lib/") + rel
            path = os.path.join(root, name)
            why = guard_problem(path)
            if why:
                print("FAIL  guard %s: %s" % (name, why))
                failed.append("%s (guard)" % name)
            runs = [("C11", a.cc, "c11", a.cflags + inc + ([] if public else lib_defs))]
            # C++ sees the public header as an application does (C++11, no build defines) and
            # the internal headers that declare C linkage as the two .cpp adapters do.
            if public:
                runs.append(("C++", a.cxx, "c++11", a.cxxflags + inc))
            elif 'extern "C"' in open(path, encoding="utf-8", errors="replace").read():
                runs.append(("C++", a.cxx, "c++17", a.cxxflags + inc + lib_defs))
            for lang, cc, std, fl in runs:
                rc, msg = compile_one(cc, std, fl, src, tmp)
                if rc == 0:
                    print("ok    %-4s %s" % (lang, name))
                else:
                    print("FAIL  %-4s %s (alone and twice in one translation unit)" % (lang, name))
                    print("      " + msg.strip().replace("\n", "\n      "))
                    failed.append("%s (%s)" % (name, lang))
    print("check_headers: %d headers, %d failed" % (len(found), len(failed)))
    for f in failed:
        print("  " + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
