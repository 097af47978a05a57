#!/bin/bash
# Instructions the shared policy (bpf/policy/) executes per decision, at
# several CPU counts, counted by callgrind in joule-policy-cost (sim/): the
# same count on any host, whatever else it is doing. The decisions are the
# ones scx_joule's callbacks make: a wakeup's energy placement and its
# latency-first placement, the overutilization check, a CPU's frequency
# target and the domain balance. Kernel kfuncs are not in it; the VM
# benchmark (scripts/bench-cost.sh) has those, under emulation.
#
# usage: scripts/bench-policy-cost.sh [--build DIR] [--cpus "4 16 64 512"] [--calls N]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build cpu_list="4 16 64 512" calls=2000
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--cpus) cpu_list=$2; shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	-h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-policy-cost: unknown argument $1" >&2; exit 2 ;;
	esac
done
exe=$build/sim/joule-policy-cost
[ -x "$exe" ] || { echo "bench-policy-cost: $exe not built (meson compile -C $build)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "bench-policy-cost: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

funcs="cost_select_energy cost_select_perf cost_overutilized cost_perf_target cost_balance"
# instructions NR_CPUS FUNC: callgrind's count inside FUNC, per call
instructions() {
	local out=$work/cg-$1-$2
	valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$2" \
		"$exe" --soc "$work/cost-$1.soc" --calls "$calls" >/dev/null 2>"$out.err" ||
		{ echo "bench-policy-cost: valgrind failed:" >&2; cat "$out.err" >&2; exit 1; }
	awk -v calls="$calls" '/^summary:/ { printf "%.0f", $2 / calls }' "$out"
}

printf '%-28s' "instructions per call"
for n in $cpu_list; do printf '%14s' "$n CPUs"; done
first=${cpu_list%% *} last=${cpu_list##* }
printf '%14s\n' "$last/$first"
for n in $cpu_list; do "$top/scripts/cost-model.sh" "$n" >"$work/cost-$n.soc"; done
for f in $funcs; do
	printf '%-28s' "${f#cost_}"
	for n in $cpu_list; do
		v=$(instructions "$n" "$f")
		printf '%14s' "$v"
		eval "v_$n=$v"
	done
	eval "a=\$v_$first b=\$v_$last"
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%14.1f\n", a ? b / a : 0 }'
done
echo "($calls calls each; $(valgrind --version); joule-policy-cost built in $build)"
