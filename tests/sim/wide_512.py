#!/usr/bin/env python3
"""The simulator on a 512-CPU, 2-kind model (tests/sim/server-512-hybrid.soc,
domains of 256 CPUs): scx_joule's policy loads it and places a wide workload
on CPUs on both sides of the old 256-CPU ceiling. Prints the wall time.

usage: wide_512.py JOULE_SIM SOC WORKLOAD
"""
import json
import subprocess
import sys
import time


def main():
    sim, soc, wl = sys.argv[1:4]
    start = time.monotonic()
    out = subprocess.run([sim, "--soc", soc, "--workload", wl, "--policy", "joule", "--json"],
                         check=True, capture_output=True, text=True).stdout
    print("joule-sim on 512 CPUs: %.2f s wall" % (time.monotonic() - start))
    r = json.loads(out)
    errors = []
    busy = {pd["name"]: pd["busy_s"] for pd in r["pds"]}
    print("busy cpu-s per domain:", busy)
    # e is CPUs 256-511: work there was placed past the old ceiling
    if set(busy) != {"p", "e"} or min(busy.values()) <= 0:
        errors.append("both domains should run work: %s" % busy)
    if r["batch_unfinished"]:
        errors.append("the batch workers did not finish in 1 s")
    cc = next(t for t in r["tasks"] if t["name"] == "cc")
    # the heavy workers belong on the big CPUs (run_s in domain order: p, e)
    if cc["run_s"][0] <= cc["run_s"][1]:
        errors.append("batch work ran more on little than big CPUs: %s" % cc["run_s"])
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
