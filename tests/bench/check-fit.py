#!/usr/bin/env python3
"""Compare `joule-bench --fit` output (stdin) with the true coefficients in
the residency file's "# true:" header line (make-residency.py writes it).
Exit 1 if a coefficient is more than 5% off or the held-out error did not
drop below the model used before.

usage: joule-bench --fit FILE ... | check-fit.py FILE
"""
import re
import sys


def main():
    with open(sys.argv[1]) as f:
        header = "".join(line for line in f.readlines()[:3] if line.startswith("# true:"))
    truth = {k: float(v) for k, v in re.findall(r"(\S+)=([0-9.]+)", header)}
    out = sys.stdin.read()
    got = {"base_w": float(re.search(r"base power .*: ([0-9.]+) W", out).group(1))}
    for d, k, a in re.findall(r"domain (\S+) +dynamic ([0-9.]+) .* static ([0-9.]+) W", out):
        got[f"k[{d}]"], got[f"active_w[{d}]"] = float(k), float(a)
    before, after = map(float, re.search(
        r"held-out rms error: ([0-9.]+)% before .* ([0-9.]+)% after", out).groups())
    bad = [k for k in truth if k not in got or abs(got[k] - truth[k]) > 0.05 * truth[k]]
    for k in truth:
        print(f"    {k}: true {truth[k]:.4f} recovered {got.get(k, float('nan')):.4f}")
    print(f"    held-out rms error {before:.2f}% before, {after:.2f}% after")
    sys.exit(1 if not truth or bad or after >= before else 0)


if __name__ == "__main__":
    main()
