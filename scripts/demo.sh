#!/bin/bash
# README command (a): install what is missing, build, and run scx_joule.
#
# On a kernel with sched_ext this runs the scheduler on this machine with
# live stats until Ctrl-C. Elsewhere it boots the first pinned kernel in
# QEMU with 6 vCPUs described to scx_joule as a hybrid board (4 little, 2
# big; sim/socs/board-rk3399.soc) and runs it under a workload, streaming
# its stats.
#
# usage: scripts/demo.sh [--vm] [scx_joule options...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${JOULE_BUILD_DIR:-$top/build}
force_vm=0
if [ "${1:-}" = "--vm" ]; then force_vm=1; shift; fi

JOULE_BUILD_DIR=$build "$top/scripts/build.sh"

if [ $force_vm = 0 ] && [ -e /sys/kernel/sched_ext/state ]; then
	echo "demo: this kernel has sched_ext: running scx_joule here (Ctrl-C to stop)"
	if [ "$(id -u)" -ne 0 ]; then
		exec sudo "$build/src/scx_joule" --stats 1 "$@"
	fi
	exec "$build/src/scx_joule" --stats 1 "$@"
fi
echo "demo: no sched_ext in this kernel: running scx_joule in a QEMU guest"
exec "$top/tests/vm/run-vm.sh" --build "$build" --live --timeout 300 --cpus 6 \
	--extra "$top/sim/socs" demo
