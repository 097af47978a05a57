#!/usr/bin/env python3
"""A RAPL package counter that follows this machine's load, for end-to-end
tests of joule-bench without RAPL hardware.

usage: fake-rapl.py ROOT [--idle-w W] [--busy-w W] [--start-j J] [--range-j J]
                         [--interval S] [--ready FILE] [--governor --k LIST --active LIST]

Makes ROOT/sys/class/powercap/intel-rapl:0 (package-0) and a mains supply
that stays online, then every --interval seconds adds idle-w x elapsed time
plus busy-w x busy CPU-seconds (from /proc/stat) to energy_uj, wrapping at
max_energy_range_uj as the hardware does; --start-j near --range-j makes it
wrap during a run (ROOT/wrapped says it did). Each write is a rename, so a reader never sees half a
number. Runs until killed. --ready FILE is created once the tree exists.

With --governor, ROOT also holds a recorded machine with cpufreq policies
(calib-machine.py): the helper sets each policy's scaling_cur_freq as
schedutil would (the lowest frequency >= 1.25 x utilization x the highest,
utilization smoothed over about 0.1 s), and charges each busy CPU-second at
k x f[GHz] x V(f)^2 + active watts of its policy (--k, --active: one value
per policy, by first CPU) instead of --busy-w; V(f) is the line joule-bench's
fit assumes (0.70 V at the lowest frequency of the machine, 1.20 V at the
highest). So the model that --calibrate should recover is known.
"""
import argparse
import os
import time


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # all but idle and iowait


def busy_per_cpu():
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            w = line.split()
            if w[0].startswith("cpu") and w[0] != "cpu":
                v = [int(x) for x in w[1:]]
                out[int(w[0][3:])] = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return out


class Governor:
    """schedutil-like frequency choice and a known power model, per policy."""

    def __init__(self, root, k, active):
        base = os.path.join(root, "sys/devices/system/cpu/cpufreq")
        self.policies = []
        for name in sorted(os.listdir(base), key=lambda n: int(n[6:])):
            d = os.path.join(base, name)
            with open(os.path.join(d, "related_cpus")) as f:
                cpus = [int(c) for c in f.read().split()]
            with open(os.path.join(d, "scaling_available_frequencies")) as f:
                freqs = sorted(int(x) for x in f.read().split())
            self.policies.append({"dir": d, "cpus": cpus, "freqs": freqs, "cur": freqs[0]})
        self.lo = min(p["freqs"][0] for p in self.policies)
        self.hi = max(p["freqs"][-1] for p in self.policies)
        self.k = [float(x) for x in k.split(",")]
        self.active = [float(x) for x in active.split(",")]
        self.util = {}

    def g(self, khz):
        v = 0.70 + 0.50 * (khz - self.lo) / (self.hi - self.lo)
        return khz / 1e6 * v * v

    def step(self, busy_s, dt):
        """Joules of the busy CPU-seconds at the current frequencies, then new ones."""
        joules = 0.0
        for i, p in enumerate(self.policies):
            util = 0.0
            for c in p["cpus"]:
                joules += busy_s.get(c, 0.0) * (self.k[i] * self.g(p["cur"]) + self.active[i])
                u = min(1.0, busy_s.get(c, 0.0) / dt)
                self.util[c] = 0.5 * self.util.get(c, 0.0) + 0.5 * u
                util = max(util, self.util[c])
            want = 1.25 * util * p["freqs"][-1]
            p["cur"] = next((f for f in p["freqs"] if f >= want), p["freqs"][-1])
            write(os.path.join(p["dir"], "scaling_cur_freq"), p["cur"])
        return joules


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
    ap.add_argument("--governor", action="store_true")
    ap.add_argument("--k", default="")
    ap.add_argument("--active", default="")
    a = ap.parse_args()
    gov = Governor(a.root, a.k, a.active) if a.governor else None

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
    t, busy, per_cpu = time.monotonic(), busy_jiffies(), busy_per_cpu()
    while True:
        time.sleep(a.interval)
        t1, busy1, per_cpu1 = time.monotonic(), busy_jiffies(), busy_per_cpu()
        if gov:
            busy_s = {c: (per_cpu1[c] - per_cpu.get(c, 0)) / hz for c in per_cpu1}
            joules = a.idle_w * (t1 - t) + gov.step(busy_s, t1 - t)
        else:
            joules = a.idle_w * (t1 - t) + a.busy_w * (busy1 - busy) / hz
        per_cpu = per_cpu1
        if energy + int(joules * 1e6) >= range_uj:
            write(os.path.join(a.root, "wrapped"), 1)  # for the test to see it did
        energy = (energy + int(joules * 1e6)) % range_uj
        write(counter, energy)
        t, busy = t1, busy1


if __name__ == "__main__":
    main()
