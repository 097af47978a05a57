#!/bin/bash
# joule-bench end to end: the joule-bench scenario in the VM, then its plots on
# the host. The guest has no python, so joule-bench cannot draw them there; the
# scenario prints runs.csv between markers, and joule-bench-plot.py (which
# reads only runs.csv) draws them here from that copy, when this host's
# python3 has matplotlib (else the plots are reported as skipped).
#
# usage: joule-bench-plots.sh BUILD_DIR OUT_DIR [run-vm.sh options...]
# Exit: run-vm.sh's status, 1 if plotting failed, or 77 (meson's "skipped")
# if the scenario passed but this host cannot draw: the test did not do all
# it says, so it does not report a pass.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$1 out=$2
shift 2
mkdir -p "$out"
"$here/run-vm.sh" --build "$build" "$@" joule-bench | tee "$out/console.log"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit "$rc"
# the serial console ends lines with CR, and kernel messages may land between them
tr -d '\r' <"$out/console.log" | sed -n '/^--- runs.csv begin$/,/^--- runs.csv end$/p' |
	sed '1d;$d' | grep -v '^\[' >"$out/runs.csv"
rows=$(($(wc -l <"$out/runs.csv") - 1))
[ "$rows" -gt 0 ] || { echo "joule-bench-plots: no runs.csv in the guest's output"; exit 1; }
echo "joule-bench-plots: $rows runs in $out/runs.csv"
# the first python3 in PATH may be a virtualenv's or pyenv's without
# matplotlib; Debian's is the one scripts/setup-deps.sh gives it to
py=
for cand in python3 /usr/bin/python3; do
	if "$cand" -c 'import matplotlib' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -z "$py" ]; then
	echo "joule-bench-plots: plots SKIPPED: no python3 with matplotlib on this host" \
		"(scripts/setup-deps.sh installs python3-matplotlib)"
	exit 77
fi
"$py" "$build/bench/joule-bench-plot.py" "$out" || { echo "joule-bench-plots: plotting failed"; exit 1; }
for w in idle video; do
	head -c 8 "$out/energy-vs-$w.png" 2>/dev/null | grep -q PNG ||
		{ echo "joule-bench-plots: no $out/energy-vs-$w.png"; exit 1; }
done
echo "joule-bench-plots: drew $(ls "$out"/energy-vs-*.png | tr '\n' ' ')"
