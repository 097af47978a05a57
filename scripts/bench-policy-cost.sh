#!/bin/bash
# Instructions the shared policy (bpf/policy/) executes per decision, at
# several CPU counts, counted by callgrind in joule-policy-cost (sim/): the
# same count on any host, whatever else it is doing. The decisions are the
# ones scx_joule's callbacks make: a wakeup's energy placement (on the
# domains' views; select_energy_confined the same for a task allowed on
# CPUs 0-3 alone, as the VM benchmark's --busy 4 runs hackbench;
# select_energy_quiet the first wakeup where only CPUs 0-3 are busy, the
# others long idle; select_energy_scan the same decision scanning every
# CPU; pd_views the gathering of every domain's view, which the domains'
# own CPUs do, each for its own, at most once a ms) and its latency-first
# placement (select_perf_busy: with no CPU idle, on views; _confined:
# allowed on CPUs 0-3 alone), the overutilization check, a CPU's frequency
# target, the domain balance and a dispatch's count of each domain's busy
# CPUs (pd_loads). Kernel kfuncs are not in it; the VM benchmark
# (scripts/bench-cost.sh) has those, under emulation.
#
# usage: scripts/bench-policy-cost.sh [--build DIR] [--cpus "4 16 64 512"] [--calls N]
# Exit status 77 (a skipped benchmark for meson) without valgrind.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build cpu_list="4 16 64 512" calls=2000
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--cpus) cpu_list=$2; shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-policy-cost: unknown argument $1" >&2; exit 2 ;;
	esac
done
exe=$build/sim/joule-policy-cost
[ -x "$exe" ] || { echo "bench-policy-cost: $exe not built (meson compile -C $build)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "bench-policy-cost: needs valgrind (apt-get install valgrind)" >&2; exit 77; }
read -r -a counts <<<"$cpu_list"
[ ${#counts[@]} -gt 0 ] || { echo "bench-policy-cost: --cpus needs CPU counts" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

funcs="cost_select_energy cost_select_energy_confined cost_select_energy_quiet cost_select_energy_scan cost_pd_views cost_select_perf
	cost_select_perf_busy cost_select_perf_busy_confined cost_overutilized cost_perf_target cost_balance cost_pd_loads"
# instructions NR_CPUS FUNC: callgrind's count inside FUNC, per call
instructions() {
	local out=$work/cg-$1-$2
	valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$2" \
		"$exe" --soc "$work/cost-$1.soc" --calls "$calls" >/dev/null 2>"$out.err" ||
		{ echo "bench-policy-cost: valgrind failed:" >&2; cat "$out.err" >&2; exit 1; }
	# nothing counted: the function was renamed, or the compiler cloned it
	awk -v calls="$calls" '/^summary:/ && $2 > 0 { printf "%.0f", $2 / calls; found = 1 }
		END { exit !found }' "$out" ||
		{ echo "bench-policy-cost: callgrind counted nothing in $2" >&2; exit 1; }
}

for n in "${counts[@]}"; do "$top/scripts/cost-model.sh" "$n" >"$work/cost-$n.soc"; done
printf '%-28s' "instructions per call"
for n in "${counts[@]}"; do printf '%14s' "$n CPUs"; done
printf '%14s\n' "${counts[-1]}/${counts[0]}"
for f in $funcs; do
	printf '%-28s' "${f#cost_}"
	row=()
	for n in "${counts[@]}"; do
		row+=("$(instructions "$n" "$f")")
		printf '%14s' "${row[-1]}"
	done
	awk -v a="${row[0]}" -v b="${row[-1]}" 'BEGIN { printf "%14.1f\n", b / a }'
done
echo "($calls calls each; $(valgrind --version); joule-policy-cost built in $build)"
