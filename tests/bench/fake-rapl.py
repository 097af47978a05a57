#!/usr/bin/env python3
"""A RAPL package counter that follows this machine's load, for end-to-end
tests of joule-bench without RAPL hardware.

usage: fake-rapl.py ROOT [--idle-w W] [--busy-w W] [--start-j J] [--range-j J]
                         [--interval S] [--ready FILE]

Makes ROOT/sys/class/powercap/intel-rapl:0 (package-0) and a mains supply
that stays online, then every --interval seconds adds idle-w x elapsed time
plus busy-w x busy CPU-seconds (from /proc/stat) to energy_uj, wrapping at
max_energy_range_uj as the hardware does; --start-j near --range-j makes it
wrap during a run (ROOT/wrapped says it did). Each write is a rename, so a reader never sees half a
number. Runs until killed. --ready FILE is created once the tree exists.
"""
import argparse
import os
import time


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # all but idle and iowait


def write(path, value):
    with open(path + ".tmp", "w") as f:
        f.write(f"{value}\n")
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--idle-w", type=float, default=3.0)
    ap.add_argument("--busy-w", type=float, default=5.0)
    ap.add_argument("--start-j", type=float, default=1000.0)
    ap.add_argument("--range-j", type=float, default=262143.328850)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--ready")
    a = ap.parse_args()

    zone = os.path.join(a.root, "sys/class/powercap/intel-rapl:0")
    ac = os.path.join(a.root, "sys/class/power_supply/AC")
    os.makedirs(zone, exist_ok=True)
    os.makedirs(ac, exist_ok=True)
    write(os.path.join(ac, "type"), "Mains")
    write(os.path.join(ac, "online"), 1)
    write(os.path.join(zone, "name"), "package-0")
    range_uj = int(a.range_j * 1e6)
    write(os.path.join(zone, "max_energy_range_uj"), range_uj)
    energy = int(a.start_j * 1e6) % range_uj
    counter = os.path.join(zone, "energy_uj")
    write(counter, energy)
    if a.ready:
        write(a.ready, os.getpid())
    hz = os.sysconf("SC_CLK_TCK")
    t, busy = time.monotonic(), busy_jiffies()
    while True:
        time.sleep(a.interval)
        t1, busy1 = time.monotonic(), busy_jiffies()
        joules = a.idle_w * (t1 - t) + a.busy_w * (busy1 - busy) / hz
        if energy + int(joules * 1e6) >= range_uj:
            write(os.path.join(a.root, "wrapped"), 1)  # for the test to see it did
        energy = (energy + int(joules * 1e6)) % range_uj
        write(counter, energy)
        t, busy = t1, busy1


if __name__ == "__main__":
    main()
