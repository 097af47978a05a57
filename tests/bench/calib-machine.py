#!/usr/bin/env python3
"""Write a 2-CPU recorded machine (one little CPU, one big CPU, a cpufreq
policy each) for the --calibrate end-to-end test, with mkroot.py's writers,
so that its CPUs are this test machine's CPUs 0 and 1 and fake-rapl.py can
act as its governor. Not a real machine: the figures are round numbers.

usage: calib-machine.py ROOT
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../fixtures"))
import mkroot  # noqa: E402

MACHINE = {
    "cpus": 2,
    "packages": [[0, 1]],
    "numa": [[0, 1]],
    "mem_kb": 1024 * 1024,
    "cores": [[0], [1]],
    "clusters": [[0], [1]],
    "caches": [(1, "Data", "32K", "core"), (2, "Unified", "512K", "core")],
    "cpu_capacity": {0: 512, 1: 1024},
    "cpufreq": {
        "driver": "cpufreq-dt",
        "governor": "schedutil",
        "policies": [
            {"cpus": [0], "min": 600000, "max": 1800000,
             "freqs": [600000, 1000000, 1400000, 1800000]},
            {"cpus": [1], "min": 600000, "max": 2400000,
             "freqs": [600000, 1200000, 1800000, 2400000]},
        ],
    },
    "cpuinfo": lambda c: ["CPU implementer\t: 0x41",
                          "CPU part\t: %s" % ("0xd08" if c else "0xd03")],
}


def main():
    t = mkroot.Tree(sys.argv[1])
    mkroot.write_cpus(t, MACHINE)
    mkroot.write_cpufreq(t, MACHINE)
    mkroot.write_numa_proc(t, MACHINE)


if __name__ == "__main__":
    main()
