#!/bin/bash
# README command (a): install what is missing, build, and run scx_joule.
#
# On a kernel with sched_ext this runs the scheduler on this machine with
# live stats until Ctrl-C. Elsewhere (or where scx_joule exits 4: the kernel
# cannot run it, e.g. a 6.12 or 6.13 sched_ext without the kfuncs it calls)
# it boots the first pinned kernel in
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

# Exit status 4 is scx_joule's "this kernel cannot run it": sched_ext but
# too old for a kfunc it calls (Debian's 6.12), or its BPF refused. The VM
# can, so the demo goes on there.
if [ $force_vm = 0 ] && [ -e /sys/kernel/sched_ext/state ]; then
	echo "demo: this kernel has sched_ext: running scx_joule here (Ctrl-C to stop)"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	status=0
	$sudo "$build/src/scx_joule" --stats 1 "$@" || status=$?
	[ $status -eq 4 ] || exit $status
	echo "demo: scx_joule cannot run on this kernel (above): running it in a QEMU guest"
else
	echo "demo: no sched_ext in this kernel: running scx_joule in a QEMU guest"
fi
exec "$top/tests/vm/run-vm.sh" --build "$build" --live --timeout 300 --cpus 6 \
	--extra "$top/sim/socs" demo
