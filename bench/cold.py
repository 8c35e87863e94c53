#!/usr/bin/env python3
"""A cold `bsb build` against typesetting its typst sources with typst alone, for BENCHMARKS.md.

Usage: bench/cold.py DATA_DIR RUNS BSB [BSB ...]

Each BSB builds DATA_DIR into an empty output directory RUNS times, taking turns (a fresh
process and a fresh directory every time, so nothing is kept from an earlier build: no
manifest, no privacy answer, no typst cache). Then the first BSB writes the generated typst
sources once (`--emit-typst`): each edition's PDF sources (`<lang>/`) and its web page's
(`<lang>-web/`). Each document is typeset by the `typst` Python package (`pip install
typst`, the same typst release), RUNS times, each in a fresh Python process: a PDF with
the same PDF standards (PDF/A-2a, PDF/UA-1) and the fonts bsb embeds (`fonts/`, system
fonts ignored), a web page with typst's HTML export. The typst time is taken inside that
process around the compile call alone, so Python's start-up is not counted against typst.

Runs use `chrt -f 50` when allowed, so other work on a shared machine waits.

Prints the median wall time and CPU time (every thread, user and system) of each BSB's
build, the median typst time and CPU time per document and their sums (the documents one
after the other, as typst's command line would run them), and the ratios. A cold build
typesets every PDF and every web page, so its like is typst alone typesetting the same
documents; the ratio against the PDFs alone is printed too.
Goal (issue 26): build / typst alone <= 0.75.
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RT = ["chrt", "-f", "50"] if subprocess.run(["chrt", "-f", "50", "true"]).returncode == 0 else []

TYPESET = """
import sys, time, typst
import warnings
main, root, fonts, out = sys.argv[1:5]
warnings.simplefilter("ignore")  # typst's note that its HTML export is experimental
t, c = time.perf_counter(), time.process_time()
if out.endswith(".html"):
    typst.compile(main, output=out, format="html", root=root, font_paths=[fonts], ignore_system_fonts=True)
else:
    typst.compile(main, output=out, root=root, font_paths=[fonts], ignore_system_fonts=True,
                  pdf_standards=["a-2a", "ua-1"])
print(time.perf_counter() - t, time.process_time() - c)
"""


def build_once(bsb, data, out):
    shutil.rmtree(out, ignore_errors=True)
    t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(RT + [bsb, "-q", "build", "--data", data, "--out", out], capture_output=True, text=True)
    elapsed, after = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"{bsb} build failed:\n{r.stderr}")
    return elapsed, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def typeset_once(main, root, fonts, out):
    r = subprocess.run(RT + [sys.executable, "-c", TYPESET, main, root, fonts, out], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"typst failed on {main}:\n{r.stderr}")
    wall, cpu = r.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


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
        documents = sorted(d for d in os.listdir(emit) if os.path.isfile(os.path.join(emit, d, "main.typ")))
        alone = {}
        for doc in documents:
            root = os.path.join(emit, doc)
            out_file = os.path.join(tmp, doc + (".html" if doc.endswith("-web") else ".pdf"))
            alone[doc] = [typeset_once(os.path.join(root, "main.typ"), root, fonts, out_file) for _ in range(runs)]
        for doc, v in alone.items():
            kind = "web page" if doc.endswith("-web") else "PDF"
            print(f"typst alone, {doc} ({kind}): median {median(v, 0):.3f} s over {runs}, CPU {median(v, 1):.3f} s")
        every = sum(median(v, 0) for v in alone.values())
        pdfs = sum(median(v, 0) for d, v in alone.items() if not d.endswith("-web"))
        cpu = sum(median(v, 1) for v in alone.values())
        print(f"typst alone, the {len(alone)} documents one after the other: {every:.3f} s, CPU {cpu:.3f} s"
              f" (the PDFs alone: {pdfs:.3f} s)")
        for b, v in builds.items():
            m, walls = median(v, 0), [w for w, _ in v]
            print(f"{b}: cold build median {m:.3f} s over {runs} (min {min(walls):.3f}, max {max(walls):.3f}),"
                  f" CPU {median(v, 1):.3f} s; ratio {m / every:.2f} (against the PDFs alone: {m / pdfs:.2f})")


def median(runs, field):
    """The median of one field (0 wall time, 1 CPU time) of (wall, CPU) pairs."""
    return statistics.median(r[field] for r in runs)


if __name__ == "__main__":
    main()
