#!/usr/bin/env python3
"""Regression test: scx_joule's idle CPUs give up their frequency requests.

Without the release (joule-sim --no-idle-release, as if ops.update_idle were
removed) schedutil keeps an idle CPU's last busy request and runs its whole
domain at that speed while the others work. On the phone model's video
workload that must cost energy; the test prints both runs and fails unless
the variant uses more than MIN_RISE more.

usage: idle_release.py JOULE_SIM SOURCE_ROOT
"""
import json
import os
import subprocess
import sys

SOC, WORKLOAD, PROFILE = "phone-gs101", "video", "powersave"
MIN_RISE = 0.02


def energy(sim, root, extra):
    cmd = [sim, "--soc", os.path.join(root, "sim/socs", SOC + ".soc"),
           "--workload", os.path.join(root, "sim/workloads", WORKLOAD + ".wl"),
           "--policy", "joule", "--profile", PROFILE, "--json"] + extra
    return json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                     text=True).stdout)["energy_j"]


def main():
    sim, root = sys.argv[1], sys.argv[2]
    shipped = energy(sim, root, [])
    kept = energy(sim, root, ["--no-idle-release"])
    rise = kept / shipped - 1.0
    print(f"{SOC} {WORKLOAD} ({PROFILE}): shipped {shipped:.3f} J, "
          f"without the idle release {kept:.3f} J ({100 * rise:+.1f}%)")
    if rise <= MIN_RISE:
        print(f"FAIL: releasing requests on idle should save more than {100 * MIN_RISE:.0f}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
