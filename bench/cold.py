#!/usr/bin/env python3
"""A cold `bsb build` against typesetting its typst sources with typst alone, for BENCHMARKS.md.

Usage: bench/cold.py DATA_DIR RUNS BSB [BSB ...]

Each BSB builds DATA_DIR into an empty output directory RUNS times, taking turns (a fresh
process and a fresh directory every time, so nothing is kept from an earlier build: no
manifest, no privacy answer, no typst cache). Then the first BSB writes the generated typst
sources once (`--emit-typst`), and each edition's `main.typ` is typeset to PDF by the
`typst` Python package (`pip install typst`, the same typst release), RUNS times, each in a
fresh Python process, with the same PDF standards (PDF/A-2a, PDF/UA-1) and the fonts bsb
embeds (`fonts/`, system fonts ignored). The typst time is taken inside that process around
the compile call alone, so Python's start-up is not counted against typst.

Runs use `chrt -f 50` when allowed, so other work on a shared machine waits.

Prints the median wall time of each BSB's build, the median typst time per edition and
their sum (the editions one after the other, as typst's command line would run them), and
the ratio of the two. Goal (issue 26): build / typst alone <= 0.75.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RT = ["chrt", "-f", "50"] if subprocess.run(["chrt", "-f", "50", "true"]).returncode == 0 else []

TYPESET = """
import sys, time, typst
main, root, fonts, out = sys.argv[1:5]
t = time.perf_counter()
typst.compile(main, output=out, root=root, font_paths=[fonts], ignore_system_fonts=True,
              pdf_standards=["a-2a", "ua-1"])
print(time.perf_counter() - t)
"""


def build_once(bsb, data, out):
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    r = subprocess.run(RT + [bsb, "-q", "build", "--data", data, "--out", out], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{bsb} build failed:\n{r.stderr}")
    return elapsed


def typeset_once(main, root, fonts, out):
    r = subprocess.run(RT + [sys.executable, "-c", TYPESET, main, root, fonts, out], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"typst failed on {main}:\n{r.stderr}")
    return float(r.stdout.strip().splitlines()[-1])


def main():
    data, runs, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    fonts = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fonts")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        builds = {b: [] for b in binaries}
        for _ in range(runs):
            for b in binaries:
                builds[b].append(build_once(b, data, out))
        emit = os.path.join(tmp, "emit")
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([binaries[0], "-q", "build", "--data", data, "--out", out, "--emit-typst", emit], check=True)
        editions = sorted(d for d in os.listdir(emit) if os.path.isfile(os.path.join(emit, d, "main.typ")))
        alone = {}
        for lang in editions:
            root = os.path.join(emit, lang)
            pdf = os.path.join(tmp, f"{lang}.pdf")
            alone[lang] = [typeset_once(os.path.join(root, "main.typ"), root, fonts, pdf) for _ in range(runs)]
        typst_total = sum(statistics.median(v) for v in alone.values())
        for lang, v in alone.items():
            print(f"typst alone, {lang}: median {statistics.median(v):.3f} s over {runs}")
        print(f"typst alone, the {len(alone)} editions one after the other: {typst_total:.3f} s")
        for b, v in builds.items():
            m = statistics.median(v)
            print(f"{b}: cold build median {m:.3f} s over {runs} (min {min(v):.3f}, max {max(v):.3f});"
                  f" ratio {m / typst_total:.2f}")


if __name__ == "__main__":
    main()
