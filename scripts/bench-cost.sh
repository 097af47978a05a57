#!/bin/bash
# Cost of scx_joule's BPF callbacks against a global-FIFO floor, and its
# hackbench time against EEVDF, at several vCPU counts (issue 10): runs the
# VM scenario `cost` once per count and prints one table.
#
# usage: scripts/bench-cost.sh [--build DIR] [--kernel NAME] [--cpus "4 16 64"]
#                              [--loops "N..."] [--groups G] [--log DIR]
#                              [--variants "OPTS..."] [--busy N]
#   --loops  hackbench -l per CPU count, in the order of --cpus (default 100
#            each); the same work under every scheduler of one boot
#   --log    keep each VM's console output there (default: a temporary dir)
#   --variants  scx_joule option sets also measured in each boot, commas for
#            spaces: --variants "--slice-us,20000 --profile,performance"
#   --busy   run the work on CPUs 0..N-1 only, whatever the vCPU count: the
#            emulation's share of a callback's guest time grows with the busy
#            vCPUs (docs/performance.md), the code's with the machine's CPUs
# Each count gets a model of its own (scripts/cost-model.sh: test-only, in the
# sim/socs format), so that the model describes every vCPU.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build kernel=trixie-backports-7.3 cpu_list="4 16 64" loops= groups=4 logdir= variants= busy=
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--cpus) cpu_list=$2; shift 2 ;;
	--loops) loops=$2; shift 2 ;;
	--groups) groups=$2; shift 2 ;;
	--log) logdir=$2; shift 2 ;;
	--variants) variants=$2; shift 2 ;;
	--busy) busy=$2; shift 2 ;;
	-h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-cost: unknown argument $1" >&2; exit 2 ;;
	esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$logdir" ] || logdir=$work
mkdir -p "$logdir"

read -r -a loop_list <<<"${loops:-}"
i=0
for n in $cpu_list; do
	extra=$work/extra-$n
	mkdir -p "$extra"
	"$top/scripts/cost-model.sh" "$n" >"$extra/cost-$n.soc"
	l=${loop_list[$i]:-100}
	printf 'HB_GROUPS=%s HB_LOOPS=%s JOULE_VARIANTS="%s" BUSY_CPUS=%s\n' "$groups" "$l" "$variants" "$busy" \
		>"$extra/cost.conf"
	i=$((i + 1))
	echo "bench-cost: $n vCPUs, hackbench -g $groups -l $l${busy:+ on CPUs 0-$((busy - 1))}" >&2
	start=$(date +%s)
	# a 64-vCPU guest takes minutes of single-threaded TCG to reach init
	if ! JOULE_VM_BOOT_WAIT=${JOULE_VM_BOOT_WAIT:-1200} nice -n 10 "$top/tests/vm/run-vm.sh" --kernel "$kernel" --build "$build" --cpus "$n" \
		--extra "$extra" --timeout 3600 cost >"$logdir/cost-$n.log" 2>&1; then
		echo "bench-cost: the $n-vCPU run failed; its output: $logdir/cost-$n.log" >&2
		tail -n 30 "$logdir/cost-$n.log" >&2
		exit 1
	fi
	echo "bench-cost: $n vCPUs took $(($(date +%s) - start)) s of wall time" >&2
	echo "wall $n $(($(date +%s) - start)) $l" >>"$work/all.txt"
	grep -E '^(cost|mean|hackbench|hbtime|switches|idle|attach) ' "$logdir/cost-$n.log" >>"$work/all.txt"
done

# One table: ns per call (calls) of each callback kind per CPU count, the
# last count against the first, then the means, the BPF time summed over
# the hackbench window (all CPUs), and hackbench times.
awk -v cpus="$cpu_list" -v busy="$busy" '
	$1 == "cost" { ns[$2, $3, $4] = $6; calls[$2, $3, $4] = $5; kinds[$3 " " $4] = 1 }
	# without dispatch, whose cost is mostly the kernel moving the task
	$1 == "cost" && $4 != "dispatch" { nd_ns[$2, $3] += $5 * $6; nd_calls[$2, $3] += $5 }
	$1 == "mean" { mean[$2, $3] = $6; total[$2, $3] = sprintf("%.0f", $5 / 1e6) }
	$1 == "hackbench" { hb[$2, $3] = $4; if ($3 ~ /^joule:/) var[$3] = 1 }
	$1 == "hbtime" { hbt[$2, $3] = $4 }
	$1 == "switches" { sw[$2, $3] = $4 }
	$1 == "idle" { idl[$2, $3] = $4 }
	$1 == "attach" { att[$2] = $3 }
	$1 == "wall" { wall[$2] = $3; lp[$2] = $4 }
	function ratio(a, b) { return b ? sprintf("%.2f", a / b) : "-" }
	function row(title, s, a, last,    i) {
		printf "%-36s", title
		for (i = 1; i <= n; i++) printf " %20s", a[c[i], s]
		if (last) printf " %10s", ratio(a[c[n], s], a[c[1], s])
		printf "\n"
	}
	function ratio_row(title, a, s1, s2,    i) {
		printf "%-36s", title
		for (i = 1; i <= n; i++) printf " %20s", ratio(a[c[i], s1], a[c[i], s2])
		printf "\n"
	}
	# seconds per scheduler and variant, and scx_joule against EEVDF
	function hackbench_rows(title, a,    v) {
		row(title " s eevdf", "eevdf", a, 0)
		row(title " s fifo", "fifo", a, 0)
		row(title " s fifodsq", "fifodsq", a, 0)
		row(title " s joule", "joule", a, 0)
		ratio_row("joule / eevdf " title, a, "joule", "eevdf")
		for (v in var) {
			row(title " s " v, v, a, 0)
			ratio_row("  / eevdf", a, v, "eevdf")
		}
	}
	END {
		n = split(cpus, c, " ")
		if (busy != "") printf "the work on CPUs 0-%d only (--busy %d)\n", busy - 1, busy
		printf "%-36s", "ns/call (calls)"
		for (i = 1; i <= n; i++) printf " %20s", c[i] " vCPUs"
		printf " %10s\n", c[n] "/" c[1]
		m = 0
		for (k in kinds) sorted[++m] = k
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (sorted[j] < sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
		for (r = 1; r <= m; r++) {
			split(sorted[r], sk, " ")
			printf "%-36s", sk[1] " " sk[2]
			for (i = 1; i <= n; i++) {
				key = c[i] SUBSEP sk[1] SUBSEP sk[2]
				printf " %20s", (key in ns) ? ns[key] " (" calls[key] ")" : "-"
			}
			printf " %10s\n", ratio(ns[c[n], sk[1], sk[2]], ns[c[1], sk[1], sk[2]])
		}
		row("fifo mean ns/call", "fifo", mean, 1)
		row("fifodsq mean ns/call", "fifodsq", mean, 1)
		row("joule mean ns/call", "joule", mean, 1)
		ratio_row("joule / fifo mean", mean, "joule", "fifo")
		for (k in nd_ns) nd[k] = sprintf("%.0f", nd_ns[k] / nd_calls[k])
		row("joule mean w/o dispatch", "joule", nd, 1)
		ratio_row("  / fifo mean", nd, "joule", "fifo")
		ratio_row("joule / fifodsq mean", mean, "joule", "fifodsq")
		row("fifo BPF ms in window", "fifo", total, 1)
		row("fifodsq BPF ms", "fifodsq", total, 1)
		row("joule BPF ms", "joule", total, 1)
		ratio_row("joule / fifodsq BPF ms", total, "joule", "fifodsq")
		hackbench_rows("hackbench", hb)
		hackbench_rows("hackbench Time:", hbt)
		row("switches eevdf", "eevdf", sw, 0)
		row("switches fifo", "fifo", sw, 0)
		row("switches fifodsq", "fifodsq", sw, 0)
		row("switches joule", "joule", sw, 0)
		for (v in var) row("switches " v, v, sw, 0)
		row("idle % eevdf", "eevdf", idl, 0)
		row("idle % fifo", "fifo", idl, 0)
		row("idle % fifodsq", "fifodsq", idl, 0)
		row("idle % joule", "joule", idl, 0)
		for (v in var) row("idle % " v, v, idl, 0)
		printf "%-36s", "start to attach ms"
		for (i = 1; i <= n; i++) printf " %20s", att[c[i]]
		printf "\n%-36s", "hackbench -l"
		for (i = 1; i <= n; i++) printf " %20s", lp[c[i]]
		printf "\n%-36s", "VM wall s"
		for (i = 1; i <= n; i++) printf " %20s", wall[c[i]]
		printf "\n"
	}' "$work/all.txt"
