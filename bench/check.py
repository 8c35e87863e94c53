#!/usr/bin/env python3
"""Time `bsb check` with the privacy answer kept in the manifest, for BENCHMARKS.md.

Usage: bench/check.py DATA_DIR RUNS BSB [BSB ...]

For each scale (the reference study in DATA_DIR, then `synth --scale 10` and `--scale 100`
of it, written by the first BSB into a temporary directory) the first BSB builds the study
once, so its manifest holds the privacy answer; then every BSB runs
`-q check --data STUDY --out OUT` RUNS times, taking turns, each under
`/usr/bin/time -f "%e %U %M"` (and `chrt -f 50` when allowed, so other work on a shared
machine waits). Prints, per scale and binary, the median elapsed and user seconds and the
median peak memory.
"""

import os
import statistics
import subprocess
import sys
import tempfile


def timed(cmd):
    prefix = ["chrt", "-f", "50"] if subprocess.run(["chrt", "-f", "50", "true"]).returncode == 0 else []
    r = subprocess.run(prefix + ["/usr/bin/time", "-f", "%e %U %M"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    e, u, m = r.stderr.strip().splitlines()[-1].split()
    return float(e), float(u), int(m)


def main():
    data, runs, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    first = binaries[0]
    with tempfile.TemporaryDirectory() as tmp:
        for scale in [1, 10, 100]:
            study = data if scale == 1 else os.path.join(tmp, f"s{scale}")
            if scale > 1:
                subprocess.run([first, "synth", "--data", data, "--scale", str(scale), "--into", study],
                               check=True, capture_output=True)
            out = os.path.join(tmp, f"s{scale}-out")
            subprocess.run([first, "-q", "build", "--data", study, "--out", out], check=True)
            times = {b: [] for b in binaries}
            for _ in range(runs):
                for b in binaries:
                    times[b].append(timed([b, "-q", "check", "--data", study, "--out", out]))
            for b in binaries:
                e = statistics.median(t[0] for t in times[b])
                u = statistics.median(t[1] for t in times[b])
                m = statistics.median(t[2] for t in times[b])
                print(f"scale {scale:>3}  {b}: {e:.2f} s ({u:.2f} s user), {m / 1024:.0f} MB")


if __name__ == "__main__":
    main()
