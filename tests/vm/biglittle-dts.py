#!/usr/bin/env python3
"""Make QEMU virt's own device tree describe a big.LITTLE machine.

usage: biglittle-dts.py CAPS [DPCS] < virt.dts > board.dts
  CAPS: capacity-dmips-mhz per group of CPUs, in CPU order, e.g. 485x4,1024x2
  DPCS: dynamic-power-coefficient per group, e.g. 100,500: adds what the
        kernel needs for an energy model (see below)

Every cpu@N node gets its group's capacity-dmips-mhz, and cpus/cpu-map gets
one cluster per group. The guest kernel then reads the capacities itself
(arm64 topology: cpu_capacity, scaled so that the largest is 1024; with no
cpufreq in the guest, no frequency enters) and its clusters from cpu-map.
Each cluster also gets its own L2 cache node (next-level-cache), as the
clusters of real big.LITTLE SoCs have: without one, the kernel's cacheinfo
shows one L2 shared by every CPU, and hwloc (so scx_joule) one cluster.

With DPCS, each cluster also gets a fixed clock and an OPP table (500 MHz at
0.8 V, 1 GHz at 1.0 V, opp-shared) and its CPUs dynamic-power-coefficient.
Once the cpufreq-dt module is loaded, the guest kernel registers an energy
model per cluster from these (EM power = dpc * MHz * V^2) and enables EAS.
The clock is fixed: frequency requests are accepted, but the vCPUs' speed
never changes; the OPPs are there for the energy model, not for DVFS.
"""
OPPS = [(500, 800000), (1000, 1000000)]  # MHz, uV
import re
import sys


def parse_caps(arg):
    caps = []
    for group in arg.split(","):
        value, _, count = group.partition("x")
        caps.append((int(value), int(count or 1)))
    return caps


def block_end(text, start):
    """Index just after the '};' closing the node whose '{' is at start."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text.index(";", i) + 1
    raise ValueError("unbalanced braces")


def main():
    groups = parse_caps(sys.argv[1])
    dts = sys.stdin.read()
    cpus = sum(n for _, n in groups)
    phandle = {}
    for m in re.finditer(r"\tcpu@([0-9a-f]+) \{", dts):
        body = dts[m.end():block_end(dts, m.end() - 1)]
        phandle[int(m.group(1), 16)] = re.search(r"phandle = <(\w+)>;", body).group(1)
    if sorted(phandle) != list(range(cpus)):
        sys.exit(f"biglittle-dts: the tree has CPUs {sorted(phandle)}, CAPS describe {cpus}")

    # capacity-dmips-mhz in every cpu@N node
    cap_of = [v for v, n in groups for _ in range(n)]
    dts = re.sub(r"(\tcpu@([0-9a-f]+) \{\n)",
                 lambda m: f"{m.group(1)}\t\t\tcapacity-dmips-mhz = <{cap_of[int(m.group(2), 16)]}>;\n",
                 dts)

    # one L2 per cluster, with phandles above every one in the tree
    l2_of = [c for c, (_, n) in enumerate(groups) for _ in range(n)]
    top = max(int(h, 0) for h in re.findall(r"phandle = <(\w+)>;", dts))
    l2_phandle = [hex(top + 1 + c) for c in range(len(groups))]
    dts = re.sub(r"(\tcpu@([0-9a-f]+) \{\n)",
                 lambda m: f"{m.group(1)}\t\t\tnext-level-cache = <{l2_phandle[l2_of[int(m.group(2), 16)]]}>;\n",
                 dts)

    # cpu-map: socket0 with one cluster per group
    lines = ["cpu-map {", "\tsocket0 {"]
    cpu = 0
    for c, (_, n) in enumerate(groups):
        lines.append(f"\t\tcluster{c} {{")
        for core in range(n):
            lines.append(f"\t\t\tcore{core} {{ cpu = <{phandle[cpu]}>; }};")
            cpu += 1
        lines.append("\t\t};")
    lines += ["\t};", "};"]
    for c, ph in enumerate(l2_phandle):
        lines += [f"l2-cache{c} {{", '\tcompatible = "cache";', "\tcache-level = <2>;",
                  "\tcache-unified;", f"\tphandle = <{ph}>;", "};"]
    start = dts.index("cpu-map {")
    indent = "\n" + dts[dts.rindex("\n", 0, start) + 1:start]
    dts = dts[:start] + indent.join(lines) + dts[block_end(dts, start + len("cpu-map ")):]
    if len(sys.argv) > 2:
        dts = add_energy_model(dts, groups, [int(d) for d in sys.argv[2].split(",")])
    sys.stdout.write(dts)


def add_energy_model(dts, groups, dpcs):
    if len(dpcs) != len(groups):
        sys.exit(f"biglittle-dts: {len(groups)} groups but {len(dpcs)} power coefficients")
    top = max(int(h, 0) for h in re.findall(r"phandle = <(\w+)>;", dts))
    clk = [hex(top + 1 + g) for g in range(len(groups))]
    opp = [hex(top + 1 + len(groups) + g) for g in range(len(groups))]
    group_of = [g for g, (_, n) in enumerate(groups) for _ in range(n)]

    def cpu_props(m):
        g = group_of[int(m.group(2), 16)]
        return (f"{m.group(1)}\t\t\tclocks = <{clk[g]}>;\n"
                f"\t\t\toperating-points-v2 = <{opp[g]}>;\n"
                f"\t\t\tdynamic-power-coefficient = <{dpcs[g]}>;\n")
    dts = re.sub(r"(\tcpu@([0-9a-f]+) \{\n)", cpu_props, dts)

    nodes = []
    for g in range(len(groups)):
        nodes += [f"cpu-clock{g} {{", '\tcompatible = "fixed-clock";', "\t#clock-cells = <0>;",
                  f"\tclock-frequency = <{OPPS[-1][0] * 1000000}>;", f"\tphandle = <{clk[g]}>;",
                  "};", f"cpu-opp-table{g} {{", '\tcompatible = "operating-points-v2";',
                  "\topp-shared;", f"\tphandle = <{opp[g]}>;"]
        for mhz, uv in OPPS:
            nodes += [f"\topp-{mhz * 1000000} {{", f"\t\topp-hz = /bits/ 64 <{mhz * 1000000}>;",
                      f"\t\topp-microvolt = <{uv}>;", "\t};"]
        nodes.append("};")
    at = dts.index("\tcpus {")
    return dts[:at] + "".join(f"\t{line}\n" for line in nodes) + dts[at:]


if __name__ == "__main__":
    main()
