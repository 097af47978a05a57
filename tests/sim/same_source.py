#!/usr/bin/env python3
"""One policy, two hosts: prove the BPF scheduler and the simulator run the
policy functions of the same source files, bpf/policy.h and the headers it
includes (bpf/policy/*.h).

1. The compilers' own dependency lists: bpf/scx_joule.bpf.c (BPF target) and
   the simulator's scx_joule adapter (sim/policies.c, host) both include the
   very same bpf/policy.h and bpf/policy/*.h.
2. Debug info of the built objects: every jp_* function in the joule-sim
   binary and in a BPF object compiled from policy.h is declared in
   bpf/policy/*.h, and the simulator contains the decision functions; the
   simulator and the scheduler's object both contain the enqueue, dispatch and
   tick ones.
3. No simulator source declares or defines a jp_* function of its own.

usage: same_source.py SRC_ROOT JOULE_SIM CC BPF_CLANG DWARFDUMP BPF_OBJECT...
(the BPF objects: the scheduler's own, and one built from policy.h alone)
"""
import os
import re
import subprocess
import sys

DECISIONS = ["jp_select_cpu", "jp_select_cpu_energy", "jp_select_cpu_perf_on", "jp_pd_view_build",
             "jp_overutilized",
             "jp_balance_domains", "jp_cpu_perf_target", "jp_task_misfit", "jp_task_stopping",
             "jp_task_waking", "jp_cpu_account", "jp_dispatch_plan", "jp_pd_may_pull"]
# where a task waits, what a CPU runs next, what a busy CPU's tick does: the scheduler's
# enqueue, dispatch and tick and the simulator's queues all decide by these
QUEUE_DECISIONS = ["jp_enqueue_plan", "jp_tick_plan", "jp_dispatch_plan", "jp_pd_may_pull",
                   "jp_pull_skip", "jp_overloaded_pd"]


def deps(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {os.path.realpath(w) for w in out.replace("\\\n", " ").split() if w.endswith(".h")}


def jp_decl_files(dwarfdump, obj):
    out = subprocess.run([dwarfdump, "--debug-info", obj], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    found = {}
    for i, line in enumerate(out):
        m = re.search(r'DW_AT_name\s+\("(jp_\w+)"\)', line)
        if not m:
            continue
        for nxt in out[i + 1:i + 4]:
            f = re.search(r'DW_AT_decl_file\s+\("([^"]+)"\)', nxt)
            if f:
                found.setdefault(m.group(1), set()).add(os.path.realpath(f.group(1)))
    return found


def main():
    root, sim_bin, cc, bpf_clang, dwarfdump = sys.argv[1:6]
    bpf_objs = sys.argv[6:]
    policy = os.path.realpath(os.path.join(root, "bpf", "policy.h"))
    policy_dir = os.path.realpath(os.path.join(root, "bpf", "policy"))
    parts = {os.path.join(policy_dir, f) for f in os.listdir(policy_dir) if f.endswith(".h")}
    policy_files = {policy} | parts
    errors = []

    bpf_inc = ["-I", os.path.join(root, "bpf"), "-I", os.path.join(root, "bpf/vmlinux/x86")]
    # the build's CPU ceiling (meson option max_cpus): any valid one, only includes are read
    max_cpus = "-DJOULE_MAX_CPUS=64"
    bpf_deps = deps([bpf_clang, "-target", "bpf", "-D__TARGET_ARCH_x86", "-fms-extensions",
                     "-Wno-microsoft-anon-tag", "-M", max_cpus] + bpf_inc +
                    [os.path.join(root, "bpf/scx_joule.bpf.c")])
    sim_deps = deps([cc, "-M", "-D_GNU_SOURCE", max_cpus, "-I", os.path.join(root, "bpf"), "-I",
                     os.path.join(root, "sim"), "-I", os.path.join(root, "sim/model"),
                     os.path.join(root, "sim/policies.c")])
    for name, d in (("bpf/scx_joule.bpf.c", bpf_deps), ("sim/policies.c", sim_deps)):
        if not policy_files <= d:
            errors.append(f"{name} does not include all of {sorted(policy_files - d)}")
        others = [h for h in d if os.path.basename(h) == "policy.h" and h != policy]
        if others:
            errors.append(f"{name} includes another policy.h: {others}")

    # the first BPF object is the scheduler's own: it must contain the queue decisions
    objs = [("joule-sim", sim_bin, DECISIONS + QUEUE_DECISIONS)] + \
        [(os.path.basename(o), o, QUEUE_DECISIONS if i == 0 else [])
         for i, o in enumerate(bpf_objs)]
    for label, obj, required in objs:
        found = jp_decl_files(dwarfdump, obj)
        if not found:
            errors.append(f"{label}: no jp_* functions in its debug info")
        for fn, files in sorted(found.items()):
            if not files <= parts:
                errors.append(f"{label}: {fn} declared in {sorted(files - parts)}, not in "
                              f"{policy_dir}")
        for fn in required:
            if fn not in found:
                errors.append(f"{label}: decision function {fn} is missing")
        print(f"{label}: {len(found)} jp_* functions, all from {policy_dir}" if found else "")

    # a declaration with its type on the line (or the line before: the name
    # starts the line), or a macro that would stand in for a policy function
    decl = re.compile(r"^(?:[A-Za-z_][\w \t\*]*\b|)jp_\w+\s*\(|^[ \t]*#[ \t]*(?:define|undef)[ \t]+jp_\w+",
                      re.M)
    for d in ("sim", "sim/model"):
        for f in sorted(os.listdir(os.path.join(root, d))):
            if f.endswith((".c", ".h")):
                text = open(os.path.join(root, d, f)).read()
                for m in decl.finditer(text):
                    errors.append(f"{d}/{f}: declares a policy function: {m.group(0).strip()}")

    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
