#!/usr/bin/env python3
"""Edit-to-PDF latency and memory of `bsb watch` over many saves (for BENCHMARKS.md).

Usage: bench/watch.py BSB DATA_DIR EDITS [PROSE_FILE]

Copies DATA_DIR to a temporary directory (outside any git checkout), starts
`BSB watch` on the copy, and saves PROSE_FILE (default prose/nb/overall.typ) EDITS times, each
time with one sentence changed, the way an editor saves (write a temporary file, rename it
over the old one). For each save it times how long until the Norwegian PDF has been
replaced, and reads the watcher's resident memory from /proc. Prints the median, the 95th
percentile and the slowest latencies and the memory after the first, the middle and the last rebuild.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def mtime(path):
    """The file's modification time, or None in the instant the store switches it."""
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def main():
    bsb, data, edits = sys.argv[1], sys.argv[2], int(sys.argv[3])
    prose_rel = sys.argv[4] if len(sys.argv) > 4 else "prose/nb/overall.typ"
    tmp = tempfile.mkdtemp(prefix="bsb-watch-bench-")
    study = os.path.join(tmp, "data")
    shutil.copytree(data, study)
    out = os.path.join(tmp, "out")
    prose = os.path.join(study, prose_rel)
    original = open(prose, encoding="utf-8").read()
    proc = subprocess.Popen([bsb, "watch", "--data", study, "--out", out], stderr=subprocess.PIPE, text=True)
    # The first build: wait for its line.
    for line in proc.stderr:
        if "rebuilt in" in line:
            break
        if "waiting for the next change" in line or line.startswith("error"):
            proc.terminate()
            sys.exit(f"the first build failed: {line.strip()}")
    # Keep reading the watcher's messages, or a full pipe would stop it.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    pdfs = [os.path.join(out, "report/out", n) for n in os.listdir(os.path.join(out, "report/out"))]
    nb = [p for p in pdfs if p.endswith("-nb.pdf")][0]
    latencies, memory = [], []
    for i in range(edits):
        before = os.stat(nb).st_mtime_ns
        text = original + f"\n\nEndring nummer {i} i denne økten.\n"
        side = prose + ".bench-tmp"
        with open(side, "w", encoding="utf-8") as f:
            f.write(text)
        t0 = time.perf_counter()
        os.replace(side, prose)
        while mtime(nb) in (before, None):
            if time.perf_counter() - t0 > 30:
                sys.exit(f"edit {i}: the PDF did not change within 30 s")
            time.sleep(0.001)
        latencies.append(time.perf_counter() - t0)
        # Let the build finish its bookkeeping before the next save.
        time.sleep(0.05)
        memory.append(rss_mb(proc.pid))
    proc.terminate()
    proc.wait()
    shutil.rmtree(tmp)
    ms = sorted(x * 1000 for x in latencies)
    print(f"edits: {edits}")
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"edit -> PDF: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms")
    marks = sorted({0, len(memory) // 10, len(memory) // 2, len(memory) - 1})
    print("resident memory after rebuild " + ", ".join(f"{i + 1}: {memory[i]:.0f} MB" for i in marks))


if __name__ == "__main__":
    main()
