#!/usr/bin/env python3
"""The VM's hybrid scenarios (tests/vm/scenarios/hybrid-*.sh) against the
simulator: the same workload (sim/workloads/vm-*.wl) on the same model
(sim/socs/board-rk3399.soc) in joule-sim, modelled as the VM guest is:
equally fast vCPUs (--speed-equal: 1 ms of work is 1 ms of run time on any
CPU, while the scheduler believes the model's capacities 381 and 1024) and
no cpufreq (--driver none). Prints the simulator's shares next to the VM's
(recorded in docs/evaluation/vm-shares.json with their source).

usage: sim/vm_compare.py [--sim build/sim/joule-sim] [--vm FILE]
       sim/vm_compare.py --check [--sim ...]     the sim-vs-kernel test: exit 1 if a
                                                 row marked as matching is off by more
                                                 than 10 points from the VM
       sim/vm_compare.py --from-log LOG [--from-log LOG2] --source TEXT --write FILE
                                                 record the VM's numbers from CI logs
                                                 (meson's testlog.txt, the CI's output)
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOC = "board-rk3399"
VM_FILE = os.path.join(ROOT, "docs/evaluation/vm-shares.json")
VM_ARGS = ["--speed-equal", "--driver", "none"]
LIMIT = 10  # points
KERNELS = ["sid-7.2", "trixie-backports-7.3"]

# (key, scenario, what is measured, workload, profile, how, unit)
# how: (measure, pd kind) over the simulator's --json
ROWS = [
    ("placement_balanced_little", "hybrid-placement",
     "light tasks' own run time on little CPUs, balanced", "vm-light", "balanced",
     ("run", "little"), "%"),
    ("placement_powersave_little", "hybrid-placement",
     "light tasks' own run time on little CPUs, powersave", "vm-light", "powersave",
     ("run", "little"), "%"),
    ("placement_hog_big", "hybrid-placement", "one hog's run time on big CPUs, balanced",
     "vm-hog", "balanced", ("run", "big"), "%"),
    ("misfit_light_cpu", "hybrid-misfit", "CPU of the light phase's last run (little: 0-3)",
     "vm-misfit", "balanced", ("busy_cpu", None), "cpu"),
    ("misfit_up_s", "hybrid-misfit", "time from turning busy to a big CPU",
     "vm-misfit", "balanced", ("busy_up", None), "s"),
    ("misfit_big_after", "hybrid-misfit", "its run time on big CPUs afterwards",
     "vm-misfit", "balanced", ("busy_run", "big"), "%"),
    ("load_big", "hybrid-load", "8 hogs on 6 CPUs: runnable samples on big CPUs",
     "vm-load", "balanced", ("runnable", "big"), "%"),
    ("gaming_balanced_big", "hybrid-gaming", "frame tasks' run time on big CPUs, balanced",
     "vm-frames", "balanced", ("run", "big"), "%"),
    ("gaming_gaming_big", "hybrid-gaming", "frame tasks' run time on big CPUs, gaming",
     "vm-frames", "gaming", ("run", "big"), "%"),
    ("profiles_powersave_big", "hybrid-profiles",
     "big CPUs' share of all busy time, 3 light tasks, powersave", "vm-light", "powersave",
     ("busy", "big"), "%"),
    ("profiles_performance_big", "hybrid-profiles",
     "big CPUs' share of all busy time, 3 light tasks, performance", "vm-light",
     "performance", ("busy", "big"), "%"),
]


def run(sim, wl, profile, extra):
    cmd = [sim, "--soc", os.path.join(ROOT, "sim/socs", SOC + ".soc"),
           "--workload", os.path.join(ROOT, "sim/workloads", wl + ".wl"),
           "--policy", "joule", "--profile", profile, "--seed", "1", "--json"] + extra
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def share(vals, pds, kind):
    total = sum(vals)
    on = sum(v for v, p in zip(vals, pds) if p["kind"] == kind)
    return 100.0 * on / total if total else 0.0


def measure(d, how):
    what, kind = how
    pds = d["pds"]
    tasks = d["tasks"]
    if what == "busy":
        return share([p["busy_s"] for p in pds], pds, kind)
    if what == "busy_cpu":
        return tasks[0]["busy_cpu"]
    if what == "busy_up":
        return tasks[0]["busy_up_s"]
    field = {"run": "run_s", "busy_run": "busy_run_s", "runnable": "runnable_ticks"}[what]
    sums = [sum(t[field][i] for t in tasks) for i in range(len(pds))]
    return share(sums, pds, kind)


def sim_values(sim, extra=VM_ARGS):
    cache, out = {}, {}
    for key, _, _, wl, prof, how, _ in ROWS:
        if (wl, prof) not in cache:
            cache[(wl, prof)] = run(sim, wl, prof, list(extra))
        out[key] = measure(cache[(wl, prof)], how)
    return out


def load_vm(path=VM_FILE):
    with open(path) as f:
        return json.load(f)


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "%":
        return f"{v:.0f}%"
    if unit == "s":
        return f"{v:.2f} s" if v >= 0 else "never"
    return f"{v:.0f}"


def diff_points(key, unit, vm, sim_v):
    """Largest difference, in points, between the simulator and either kernel."""
    if unit != "%":
        return None
    ds = [abs(sim_v - vm["kernels"][k][key]) for k in KERNELS
          if vm["kernels"].get(k, {}).get(key) is not None]
    return max(ds) if ds else None


def verdict(key, unit, vm, sim_v):
    if unit == "%":
        d = diff_points(key, unit, vm, sim_v)
        if d is None:
            return "no VM number"
        return "within 10 points" if d <= LIMIT else "**not within 10 points**"
    vals = [vm["kernels"].get(k, {}).get(key) for k in KERNELS]
    if None in vals:
        return "no VM number"
    if unit == "cpu":
        little = all(v is not None and v < 4 for v in vals + [sim_v])
        return "little in both" if little else "**differs**"
    ok = all(v is not None and 0 <= v <= 1.0 for v in vals + [sim_v])
    return "both within the scenario's 1 s" if ok else "**not both within 1 s**"


def table(add, vm, sim, plain):
    """The side-by-side table: VM on both kernels, the simulator as the VM guest,
    and the simulator on the real board (for the size of the mismatch)."""
    add("| scenario | measure | VM sid 7.2 | VM trixie-backports 7.3 | simulator (VM guest) | "
        "difference, points | verdict | simulator (real board) |")
    add("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, scen, what, _, _, _, unit in ROWS:
        ks = vm["kernels"]
        d = diff_points(key, unit, vm, sim[key])
        add(f"| `{scen}` | {what} | {fmt(ks.get(KERNELS[0], {}).get(key), unit)} | "
            f"{fmt(ks.get(KERNELS[1], {}).get(key), unit)} | {fmt(sim[key], unit)} | "
            f"{'-' if d is None else f'{d:.0f}'} | {verdict(key, unit, vm, sim[key])} | "
            f"{fmt(plain[key], unit)} |")


def section(add, simbin, vm=None):
    """The 'Simulator vs kernel' section of docs/evaluation.md."""
    vm = vm or load_vm()
    sim = sim_values(simbin)
    plain = sim_values(simbin, [])
    add("## Simulator vs kernel\n")
    add("The VM's hybrid scenarios (`tests/vm/scenarios/hybrid-*.sh`, the RK3399 board model "
        "laid over a 6-vCPU TCG guest with `scx_joule --model`) and the same workloads "
        "(`sim/workloads/vm-*.wl`) on the same model in joule-sim. The VM's vCPUs are equally "
        "fast and it has no cpufreq: a task's \"1 ms\" is 1 ms of run time on whatever CPU it "
        "lands on, while the scheduler believes capacities 381 (CPUs 0-3) and 1024 (4-5). The "
        "simulator models that guest with `--speed-equal --driver none` (work runs at 1024 on "
        "every CPU; the tables, utilization and energy keep the model; every domain at its top "
        "OPP). The last column is the simulator on the real board instead (work scales with "
        "capacity, schedutil follows the requests), to show what the mismatch would cost.\n")
    add(f"VM numbers: {vm['source']} (`docs/evaluation/vm-shares.json`). A row matches when "
        "the simulator is within 10 points of both kernels; `meson test --suite sim "
        "sim-vs-kernel` checks the rows that match today.\n")
    table(add, vm, sim, plain)
    add("")
    gaps = vm.get("expected_gaps", [])
    names = {r[0]: f"`{r[1]}` {r[2]}" for r in ROWS}
    add("Known gaps (rows the test does not check): " +
        ("; ".join(names[g] for g in gaps) if gaps else "none") + ". A row without a VM number "
        "fails the test.\n")
    pts = [abs(sim[k] - plain[k]) for k, *_, u in ROWS if u == "%"]
    up = {x: run(simbin, "vm-misfit", "balanced", args)["tasks"][0]["busy_up_s"]
          for x, args in (("speed", ["--speed-equal"]), ("nofreq", ["--driver", "none"]))}
    add(f"The two simulator columns differ by at most {max(pts):.0f} points in the shares. "
        f"The misfit time is what changes: {plain['misfit_up_s']:.2f} s on the real board, "
        f"{sim['misfit_up_s']:.2f} s in the VM guest. It is the frequency, not the speed: "
        f"with equal speeds alone (`--speed-equal`) it takes {up['speed']:.2f} s, without "
        f"cpufreq alone (`--driver none`) {up['nofreq']:.2f} s. With cpufreq the hog starts "
        "on a little CPU at the low OPP its light phase needed, and its frequency-invariant "
        "utilization climbs to the misfit threshold only as fast as the frequency follows.\n")
    tog = run(simbin, "vm-light-together", "performance", VM_ARGS)
    add("The light tasks' start times matter in `hybrid-profiles`' performance row: "
        "`vm-light.wl` starts its three tasks a third of a period apart, as the VM's "
        "numbers suggest periodic-load's children did; started together "
        "(`vm-light-together.wl`), their 1 ms runs always overlap, two go to the big CPUs and "
        f"the third to a little one: {measure(tog, ('busy', 'big')):.0f}% of busy time on big "
        "CPUs in performance.\n")
    notes = vm.get("notes")
    if notes:
        for n in notes:
            add(f"- {n}")
        add("")
    add("How the two sides measure: the VM reads its tasks' run time per CPU from the kernel "
        "(sched-probe, over 8 s of each phase), the whole machine's busy time from "
        "/proc/schedstat (so kernel threads and the loader count in `hybrid-profiles`), "
        "hybrid-load's hogs every 5 ms, and the misfit task's CPU every 20 ms (its time is "
        "known to about 20 ms); the simulator counts its own run time per domain over the whole "
        "run, the hogs at every 4 ms tick, and the misfit move to the nanosecond.\n")
    add("Reproduce: `python3 sim/vm_compare.py --sim build/sim/joule-sim` (the table), "
        "`build/sim/joule-sim --soc sim/socs/board-rk3399.soc --workload "
        "sim/workloads/vm-light.wl --policy joule --profile balanced --speed-equal "
        "--driver none --json` (one row's run), `python3 sim/vm_compare.py --from-log "
        "LOG --source TEXT --write docs/evaluation/vm-shares.json` (records a CI run's "
        "numbers, e.g. from its build/meson-logs/testlog.txt).\n")


# ---- recording the VM's numbers from a CI log --------------------------------

PATTERNS = [
    (r"^balanced: the light tasks' own run time on little CPUs: (\d+)%",
     "placement_balanced_little"),
    (r"^powersave: the light tasks' own run time on little CPUs: (\d+)%",
     "placement_powersave_little"),
    (r"^balanced: one hog on big CPUs: (\d+)% of its run time", "placement_hog_big"),
    (r"^misfit: light on little CPU (\d+), on big CPU \d+ ([0-9.]+)s after turning busy",
     ("misfit_light_cpu", "misfit_up_s")),
    (r"^misfit: afterwards (\d+)% of its run time on big CPUs", "misfit_big_after"),
    (r"\bhogs on big CPUs: (\d+)% of runnable samples", "load_big"),
    (r"^balanced: frame tasks' run time on big CPUs: (\d+)%", "gaming_balanced_big"),
    (r"^gaming: frame tasks' run time on big CPUs: (\d+)%", "gaming_gaming_big"),
    (r"^light busy time on big CPUs: powersave (\d+)%, performance (\d+)%",
     ("profiles_powersave_big", "profiles_performance_big")),
]


def parse_log(paths):
    """{kernel: {key: value}} from every scenario's output in the logs; the kernel is
    taken from the 'run-vm: SCENARIO on KERNEL (' line before the output. Where
    hybrid-load failed an earlier check and never printed its share, the share is
    computed as the scenario computes it, from the per-CPU runnable samples it
    printed (returned in derived)."""
    out, kernel, samples, derived = {}, None, {}, []
    for path in paths:
        with open(path, errors="replace") as f:
            lines = f.readlines()
        for line in lines:
            line = line.strip()
            m = re.search(r"hogs: cpu run-ns runnable-samples: (\d+) \d+ (\d+)$", line)
            if m and kernel:
                samples.setdefault(kernel, {})[int(m.group(1))] = int(m.group(2))
                continue
            m = re.search(r"run-vm: \S+ on (\S+) \(", line) or \
                re.search(r"vm-(sid-[0-9.]+|trixie-backports-[0-9.]+)-", line)
            if m:
                kernel = m.group(1)
                continue
            for pat, keys in PATTERNS:
                m = re.search(pat, line)
                if m and kernel:
                    keys = keys if isinstance(keys, tuple) else (keys,)
                    for k, v in zip(keys, m.groups()):
                        out.setdefault(kernel, {})[k] = float(v) if "." in v else int(v)
    for k, smp in samples.items():
        if "load_big" not in out.get(k, {}) and sum(smp.values()):
            # hybrid-load.sh: big CPUs 4 and 5, integer percent of all samples
            out.setdefault(k, {})["load_big"] = sum(smp.get(c, 0) for c in (4, 5)) * 100 \
                // sum(smp.values())
            derived.append(f"{k} hybrid-load: the scenario failed before printing the share; "
                           f"{out[k]['load_big']}% is computed from the runnable samples per "
                           f"CPU it printed ({', '.join(f'cpu {c}: {n}' for c, n in sorted(smp.items()))})")
    return out, derived


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build/sim/joule-sim"))
    ap.add_argument("--vm", default=VM_FILE)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--from-log", action="append")
    ap.add_argument("--source")
    ap.add_argument("--write")
    a = ap.parse_args()
    if a.from_log:
        vals, derived = parse_log(a.from_log)
        for d in derived:
            print(d)
        for k in KERNELS:
            missing = [r[0] for r in ROWS if r[0] not in vals.get(k, {})]
            print(f"{k}: {len(vals.get(k, {}))} numbers" +
                  (f", missing {', '.join(missing)}" if missing else ""))
        if a.write:
            rec = {"source": a.source or ", ".join(a.from_log), "kernels": vals,
                   "expected_gaps": [], "notes": derived}
            if os.path.exists(a.write):
                rec["expected_gaps"] = load_vm(a.write).get("expected_gaps", [])
            with open(a.write, "w") as f:
                json.dump(rec, f, indent=1, sort_keys=True)
                f.write("\n")
            print(f"wrote {a.write}")
        return 0
    vm = load_vm(a.vm)
    sim = sim_values(a.sim)
    if a.check:
        gaps = set(vm.get("expected_gaps", []))
        bad = 0
        for key, scen, what, _, _, _, unit in ROWS:
            v = verdict(key, unit, vm, sim[key])
            ok = not v.startswith("**")
            vmv = " / ".join(fmt(vm["kernels"].get(k, {}).get(key), unit) for k in KERNELS)
            if v == "no VM number":
                # a record that lost its kernels' keys (renamed on a refresh)
                # would otherwise check nothing and pass
                bad += 1
                print(f"FAIL {key:28} sim {fmt(sim[key], unit):>8}  (no VM number for "
                      f"{' or '.join(KERNELS)}: record the VM's shares again)")
                continue
            if key in gaps:
                print(f"gap  {key:28} sim {fmt(sim[key], unit):>8}  VM {vmv}  (known gap: {v})")
                continue
            bad += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {key:28} sim {fmt(sim[key], unit):>8}  VM {vmv}  {v}")
        print(f"{bad} rows off" if bad else "every checked row matches the VM")
        return 1 if bad else 0
    lines = []
    table(lines.append, vm, sim, sim_values(a.sim, []))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
