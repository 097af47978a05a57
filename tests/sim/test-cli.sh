#!/bin/bash
# Bad input to joule-sim: one clear line naming the file/line or flag,
# a non-zero exit, never a crash. usage: test-cli.sh JOULE_SIM SOURCE_ROOT
set -u
sim=$1
root=$2
soc=$root/sim/socs/phone-gs101.soc
wl=$root/sim/workloads/video.wl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect STATUS REGEX -- ARGS...: exit status STATUS, one stderr line matching REGEX
expect() {
	local want=$1 re=$2
	shift 3
	"$sim" "$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" != "$want" ] || [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -Eq -e "$re" "$tmp/err"; then
		echo "FAIL: joule-sim $*: exit $got (want $want), stderr:"
		cat "$tmp/err"
		fail=1
	fi
}

expect 2 'required' -- --soc "$soc"
expect 2 "unknown policy 'nope'" -- --soc "$soc" --workload "$wl" --policy nope
expect 2 "unknown profile 'turbo'" -- --soc "$soc" --workload "$wl" --policy joule --profile turbo
expect 2 "unknown or incomplete option '--frobnicate'" -- --frobnicate
expect 2 '--duration needs a time' -- --soc "$soc" --workload "$wl" --policy eas --duration 10
expect 2 '--seed needs' -- --soc "$soc" --workload "$wl" --policy eas --seed -3
expect 2 "unexpected argument 'extra'" -- --soc "$soc" --workload "$wl" --policy eas extra
expect 2 '--driver must be passive, active or none' -- --soc "$soc" --workload "$wl" --policy joule --driver hwp
expect 2 "unknown profile parameter 'turbo'" -- --soc "$soc" --workload "$wl" --policy joule --tune turbo=1
expect 2 '--tune needs KEY=VALUE' -- --soc "$soc" --workload "$wl" --policy joule --tune headroom
expect 2 '--rate-limit needs a time' -- --soc "$soc" --workload "$wl" --policy joule --rate-limit 3
expect 1 'nowhere.wl: cannot open' -- --soc "$soc" --workload "$tmp/nowhere.wl" --policy eas

printf 'workload w duration=1s\ntask a periodic period=10ms work=1ms\ntask b sporadic work=1ms\n' >"$tmp/bad.wl"
expect 1 "bad.wl:3: unknown task kind 'sporadic'" -- --soc "$soc" --workload "$tmp/bad.wl" --policy joule
printf 'workload w duration=1s\ntask a periodic period=10ms work=1ms jitter=250\n' >"$tmp/bad2.wl"
expect 1 'bad2.wl:2: jitter= needs a percentage' -- --soc "$soc" --workload "$tmp/bad2.wl" --policy joule
printf 'workload w duration=1s\ntask a periodic period=10ms work=1ms period=20ms\n' >"$tmp/twice.wl"
expect 1 "twice.wl:2: 'period=20ms': given twice" -- --soc "$soc" --workload "$tmp/twice.wl" --policy joule
expect 1 "cannot open: Is a directory" -- --soc "$tmp" --workload "$wl" --policy joule
# a count that wrapped the total past the limit (joule-sim crashed)
printf 'workload w duration=1s\ntask a periodic period=10ms work=1ms\ntask b periodic period=10ms work=1ms count=4294967295\n' >"$tmp/wrap.wl"
expect 1 'wrap.wl:3: more than 256 threads in total' -- --soc "$soc" --workload "$tmp/wrap.wl" --policy joule
head -c 3000 /dev/urandom | tr -d '\n' >"$tmp/noise.wl"
expect 1 'noise.wl:1: ' -- --soc "$soc" --workload "$tmp/noise.wl" --policy joule
printf 'soc s\npd a kind=big cpus=0-1 ipc=100 dvfs=1ms wfi_mw=1 wfi_exit=1us sleep_mw=0 sleep_exit=1us\n' >"$tmp/bad.soc"
expect 1 'bad.soc:2: sleep_min= needs a time' -- --soc "$tmp/bad.soc" --workload "$wl" --policy joule
expect 2 '--chain-bound needs --soc and --workload' -- --soc "$soc" --chain-bound
printf 'workload plain duration=1s\ntask a periodic period=10ms work=1ms deadline=10ms\n' >"$tmp/plain.wl"
expect 1 'workload plain has no task that wakes another' -- --soc "$soc" --workload "$tmp/plain.wl" --chain-bound

# --chain-bound on the game: the text report's per-frame line, and on every
# model not knowing the work costs more than knowing it, by the 4.9-8.4% per
# frame docs/design.md quotes ("What the target leaves"; the bound's own
# arithmetic is checked on hand-worked cases in test_chain_bound.c)
game=$root/sim/workloads/game.wl
if ! "$sim" --soc "$soc" --workload "$game" --chain-bound >"$tmp/out" 2>"$tmp/err" ||
	! grep -qE '^per frame +[0-9.]+ mJ clairvoyant, [0-9.]+ mJ online \(\+[0-9.]+%\)$' "$tmp/out"; then
	echo "FAIL: --chain-bound on the phone's game:"
	cat "$tmp/out" "$tmp/err"
	fail=1
fi
for m in phone-gs101 board-rk3399 laptop-adl-6p8e amd-phoenix2; do
	if ! "$sim" --soc "$root/sim/socs/$m.soc" --workload "$game" --chain-bound --json >"$tmp/out" 2>"$tmp/err" ||
		! python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))
r = b["online_mj"] / b["clairvoyant_mj"] if b["clairvoyant_mj"] > 0 else 0
sys.exit(0 if 1.0485 <= r < 1.0845 and b["online_extra_j"] > 0 else 1)' "$tmp/out"; then
		echo "FAIL: --chain-bound on $m: online not 4.9-8.4% above clairvoyant:"
		cat "$tmp/out" "$tmp/err"
		fail=1
	fi
done

# and good input works, with every policy
for p in joule fair eas race compact; do
	if ! "$sim" --soc "$soc" --workload "$wl" --policy $p --duration 2s --json >"$tmp/out" 2>"$tmp/err" ||
		! "$sim" --soc "$soc" --workload "$wl" --policy $p --duration 2s --driver active \
			--no-idle-release --no-resend-lagging --rate-limit 2ms >>"$tmp/out" 2>>"$tmp/err" ||
		! "$sim" --soc "$soc" --workload "$wl" --policy $p --duration 2s --driver none \
			--speed-equal --json >>"$tmp/out" 2>>"$tmp/err" ||
		! grep -q '"energy_j":' "$tmp/out"; then
		echo "FAIL: policy $p did not run"
		cat "$tmp/err"
		fail=1
	fi
done
# each task's energy (--json tasks[].energy_j): the CPUs' energy while they ran it, so
# every task that ran has some, and together they are the busy part of the total
if ! "$sim" --soc "$soc" --workload "$game" --policy joule --profile gaming --duration 2s \
	--json >"$tmp/out" 2>"$tmp/err" || ! python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
tasks = r["tasks"]
for t in tasks:
    for run, e in zip(t["run_s"], t["energy_j"]):
        assert e >= 0 and (e > 0) == (run > 0), (t["name"], run, e)
busy = sum(sum(t["energy_j"]) for t in tasks)
assert 0.5 * r["energy_j"] < busy < r["energy_j"], (busy, r["energy_j"])' "$tmp/out"; then
	echo "FAIL: per-task energy in --json"
	cat "$tmp/err"
	fail=1
fi
# each domain's energy (--json pds[]) is its tasks' energy, its idle energy and the
# energy of leaving idle; the game's CPUs leave idle, some of them from deep sleep
if ! "$sim" --soc "$soc" --workload "$game" --policy joule --profile gaming --duration 2s \
	--json >"$tmp/out" 2>"$tmp/err" || ! python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
pds = r["pds"]
for i, pd in enumerate(pds):
    tasks = sum(t["energy_j"][i] for t in r["tasks"])
    parts = tasks + pd["idle_j"] + pd["waking_j"]
    assert abs(parts - pd["energy_j"]) < 1e-4 + 1e-6 * pd["energy_j"], (pd, tasks)
    assert pd["idle_j"] > 0 and pd["wakeups"] >= pd["deep_wakeups"], pd
assert abs(sum(pd["energy_j"] for pd in pds) - r["energy_j"]) < 1e-3, r["energy_j"]
assert sum(pd["waking_j"] for pd in pds) > 0 and sum(pd["deep_wakeups"] for pd in pds) > 0
assert sum(pd["wakeups"] - pd["deep_wakeups"] for pd in pds) > 0' "$tmp/out"; then
	echo "FAIL: per-domain idle and waking energy in --json"
	cat "$tmp/err"
	fail=1
fi
[ $fail = 0 ] && echo "all CLI checks passed"
exit $fail
