#!/bin/bash
# Boot a pinned kernel in QEMU with scx_joule in an initramfs, run one
# scenario, and report its result.
#
# usage: run-vm.sh [options] SCENARIO
#   --kernel NAME   kernel from kernel-versions.json (default: the first)
#   --build DIR     meson build dir holding src/scx_joule (default: build)
#   --cpus N        vCPUs (default 4)
#   --timeout S     wall-clock limit for the whole VM run (default 300)
#   --extra DIR     copy DIR into the guest as /extra
#   --live          stream the guest console instead of printing it at the end
# Exit: 0 scenario passed, 1 it failed, 2 the VM hung or never reported.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kernel= build=$top/build cpus=4 timeout=300 extra= live=0

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--extra) extra=$2; shift 2 ;;
	--live) live=1; shift ;;
	-h|--help) usage ;;
	-*) echo "run-vm: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
scenario=$1
[ -f "$here/scenarios/$scenario.sh" ] || { echo "run-vm: no scenario '$scenario'" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run-vm: qemu-system-x86_64 missing (scripts/setup-deps.sh installs it)" >&2; exit 1; }

kargs=()
[ -n "$kernel" ] && kargs=(--kernel "$kernel")
read -r kname vmlinuz release < <("$top/scripts/kernels.py" fetch "${kargs[@]}" | head -n1) ||
	{ echo "run-vm: could not fetch the kernel" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/mkinitramfs.sh" "$build" "$work/initrd.cpio" "$extra"

# KVM when asked for and usable (nested KVM fails on the CI machines), TCG
# otherwise. Multi-threaded TCG sometimes oopses the guest at boot with a
# stray int3 while the kernel patches its own text (cross-modifying code
# across vCPU threads), so TCG runs single-threaded unless JOULE_VM_MTTCG=1.
accel=tcg accel_opts=tcg,thread=single
if [ -w /dev/kvm ] && [ "${JOULE_VM_ACCEL:-}" = kvm ]; then
	accel=kvm accel_opts=kvm
elif [ "${JOULE_VM_MTTCG:-0}" = 1 ]; then
	accel_opts=tcg,thread=multi
fi

log=$work/console.log
# The firmware clears the screen with escape codes; keep the log plain text.
clean() { sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/\r//g'; }
echo "run-vm: $scenario on $kname ($release), $cpus vCPUs, $accel"
start=$(date +%s)
set +e
cmd=(timeout --foreground -k 5 "$timeout" qemu-system-x86_64
	-accel "$accel_opts" -cpu max -smp "$cpus" -m 1G
	-kernel "$vmlinuz" -initrd "$work/initrd.cpio"
	-append "console=ttyS0 panic=-1 loglevel=4 scenario=$scenario"
	-nographic -no-reboot -serial mon:stdio -nodefaults -display none)
# Plain "-nographic" would also add a monitor; -nodefaults plus -serial keeps the console only.
if [ $live = 1 ]; then
	"${cmd[@]}" </dev/null 2>&1 | clean | tee "$log"
	qrc=${PIPESTATUS[0]}
else
	"${cmd[@]}" </dev/null 2>&1 | clean >"$log"
	qrc=${PIPESTATUS[0]}
fi
set -e
secs=$(($(date +%s) - start))

if grep -q "^VM-RESULT: PASS $scenario" "$log"; then
	[ $live = 1 ] || grep -vE '^\[ *[0-9.]+\]|^SeaBIOS|^Booting from|^Probing EDD|^$' "$log"
	echo "run-vm: PASS $scenario on $kname in ${secs}s"
	exit 0
fi
[ $live = 1 ] || cat "$log"
if grep -q "^VM-RESULT: FAIL" "$log"; then
	echo "run-vm: FAIL $scenario on $kname in ${secs}s"
	exit 1
fi
echo "run-vm: HANG or crash: no result from $scenario on $kname after ${secs}s (qemu exit $qrc)"
exit 2
