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
#   --icount SHIFT  guest time counts executed instructions, 2^SHIFT ns each
#                   (default $JOULE_VM_ICOUNT, else 2); "off": guest time is
#                   the host's clock, and KVM is used where it works
#   --arch arm64    boot an arm64 kernel (--kernel from `kernels.py names --arch
#                   arm64`, default the first) on QEMU virt, with scx_joule from
#                   the cross build (--build default: build-arm64)
#   --caps CAPS     arm64: the big.LITTLE layout, capacity-dmips-mhz per group
#                   of CPUs in CPU order (default 485x4,1024x2); sets the CPUs
#   --em DPCS       arm64: dynamic-power-coefficient per group (e.g. 100,500):
#                   OPP tables in the device tree and the kernel's cpufreq-dt
#                   module in /extra, loaded by lib.sh: the guest kernel then
#                   has an energy model
#   --append ARGS   add ARGS to the guest kernel's command line (a scenario
#                   that needs a boot option, e.g. nohz_full=1-5)
# Environment: JOULE_VM_APPEND adds to the x86 guest's kernel command line,
#   for diagnosis (e.g. "rcupdate.rcu_cpu_stall_timeout=3": a CPU stuck with
#   interrupts off for 3 s gets an RCU stall report with its backtrace).
# Exit: 0 scenario passed, 1 it failed, 2 the VM hung or never reported.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kernel= build= cpus=4 timeout=300 extra= live=0 icount=${JOULE_VM_ICOUNT:-2} arch=x86 caps= em= append=

usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--extra) extra=$2; shift 2 ;;
	--live) live=1; shift ;;
	--icount) icount=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	--caps) caps=$2; shift 2 ;;
	--em) em=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "run-vm: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
scenario=$1
[ -f "$here/scenarios/$scenario.sh" ] || { echo "run-vm: no scenario '$scenario'" >&2; exit 2; }

# arm64: QEMU's virt board with a device tree that describes big.LITTLE, so
# that the guest kernel itself knows its CPU capacities and clusters. The
# tree is QEMU's own for this -smp/-m, with capacity-dmips-mhz per CPU and
# one cpu-map cluster per group of CAPS (biglittle-dts.py). TCG only, single-
# threaded; guest time counted in instructions as for x86 (--icount, JOULE_VM_ICOUNT=N
# or off) so that verdicts do not depend on how busy the host is.
arm64_setup() {
	command -v qemu-system-aarch64 >/dev/null && command -v dtc >/dev/null || {
		echo "run-vm: qemu-system-aarch64 or dtc missing (scripts/setup-deps.sh --arm64)" >&2
		exit 1
	}
	caps=${caps:-485x4,1024x2}
	cpus=$(echo "$caps" | tr , '\n' | awk -Fx '{ n += ($2 == "" ? 1 : $2) } END { print n }')
	build=${build:-$top/build-arm64}
	[ -n "$kernel" ] || kernel=$("$top/scripts/kernels.py" names --arch arm64 | sed -n 1p)
}

# --em: the module that registers the energy model, beside any --extra files.
arm64_extra() {
	[ -n "$em" ] || return 0
	local ko
	ko=$("$top/scripts/kernels.py" module --kernel "$kname" drivers/cpufreq/cpufreq-dt.ko) ||
		{ echo "run-vm: could not get the kernel's cpufreq-dt module" >&2; exit 1; }
	mkdir -p "$work/extra"
	[ -z "$extra" ] || cp -r "$extra"/. "$work/extra/"
	cp "$ko" "$work/extra/"
	extra=$work/extra
}

arm64_dtb() {
	local mem=${JOULE_VM_MEM:-1G}
	qemu-system-aarch64 -M "virt,dumpdtb=$work/virt.dtb" -cpu max -smp "$cpus" -m "$mem" \
		-nographic -nodefaults >/dev/null 2>&1
	dtc -q -I dtb -O dts "$work/virt.dtb" | "$here/biglittle-dts.py" "$caps" $em >"$work/board.dts"
	dtc -q -I dts -O dtb -o "$work/board.dtb" "$work/board.dts"
	arm64_qemu=(qemu-system-aarch64 -M virt -cpu max -accel tcg,thread=single
		-smp "$cpus" -m "$mem" -dtb "$work/board.dtb"
		-kernel "$vmlinuz" -initrd "$work/initrd.cpio"
		-append "console=ttyAMA0 panic=-1 loglevel=4 scenario=$scenario joule_caps=$caps${append:+ $append}"
		-nographic -no-reboot -serial mon:stdio -nodefaults -display none)
	arm64_qemu+=("${icount_opts[@]}")
}

if [ "$arch" = arm64 ]; then
	arm64_setup
elif [ "$arch" = x86 ]; then
	build=${build:-$top/build}
	command -v qemu-system-x86_64 >/dev/null ||
		{ echo "run-vm: qemu-system-x86_64 missing (scripts/setup-deps.sh installs it)" >&2; exit 1; }
else
	echo "run-vm: unknown --arch $arch (x86 or arm64)" >&2
	exit 2
fi

[ -n "$kernel" ] || kernel=$("$top/scripts/kernels.py" names | sed -n 1p)
read -r kname vmlinuz release < <("$top/scripts/kernels.py" fetch --kernel "$kernel") ||
	{ echo "run-vm: could not fetch the kernel" >&2; exit 1; }
# An amd64 kernel name with --arch arm64 (trixie-backports-7.3 for
# trixie-backports-7.3-arm64) would boot an x86 image in qemu-system-aarch64,
# which stays silent until the boot timeout.
case $arch:$release in
arm64:*-arm64 | x86:*-amd64) ;;
*)
	echo "run-vm: kernel $kname ($release) is not an $arch kernel" \
		"(scripts/kernels.py names --arch ${arch/x86/amd64} lists them)" >&2
	exit 2
	;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$arch" = arm64 ]; then
	arm64_extra
	"$here/mkinitramfs.sh" --arch arm64 "$build" "$work/initrd.cpio" "$extra"
else
	"$here/mkinitramfs.sh" "$build" "$work/initrd.cpio" "$extra"
fi

# KVM where it works, else TCG. Nested KVM on the CI machines starts but
# fails with an emulation error, so KVM is tried once with a probe boot and
# the answer is cached per host kernel. JOULE_VM_ACCEL=tcg|kvm skips the probe.
# Multi-threaded TCG sometimes oopses the guest with a stray int3 while the
# kernel patches its own text (cross-modifying code across vCPU threads), so
# TCG runs single-threaded unless JOULE_VM_MTTCG=1.
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local cache=${SCX_JOULE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_joule}
	local mark=$cache/kvm-$(uname -r)
	if [ ! -e "$mark" ]; then
		mkdir -p "$cache"
		if timeout -k 5 60 qemu-system-x86_64 -accel kvm -cpu host -smp 2 -m 512M \
			-kernel "$vmlinuz" -initrd "$work/initrd.cpio" \
			-append "console=ttyS0 panic=-1 scenario=probe" -nographic -no-reboot \
			-nodefaults -serial stdio -display none </dev/null 2>&1 |
			grep -q '^VM-RESULT: PASS probe'; then
			echo ok >"$mark.$$"
		else
			echo broken >"$mark.$$"
		fi
		mv -f "$mark.$$" "$mark" # whole, for a probe running beside this one
	fi
	[ "$(cat "$mark")" = ok ]
}
#
# Unless --icount off, the guest's clock counts the instructions it executes
# (QEMU -icount, single-threaded TCG only, never KVM): in TCG the guest's
# time otherwise follows the host's clock, so a slow or busy host makes every
# task in the guest run longer, and a placement scenario that passed on one
# machine failed on another with the same commit. With icount the guest sees
# the same machine on every host, only the wall time differs. sleep=off lets
# the clock jump over idle periods instead of waiting them out.
case $icount in
off) ;;
[0-9] | 10) ;;
*) echo "run-vm: --icount wants a shift 0-10 or off, not '$icount'" >&2; exit 2 ;;
esac
if [ "$arch" = arm64 ]; then
	accel=tcg # no KVM for arm64 guests on these hosts; arm64_dtb makes the command
elif [ "$icount" != off ]; then
	accel=tcg
else
	case "${JOULE_VM_ACCEL:-auto}" in
	kvm) accel=kvm ;;
	tcg) accel=tcg ;;
	*) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
	esac
fi
icount_opts=() guest_args=
if [ $accel = kvm ]; then
	accel_opts=kvm cpu=host
else
	# hypervisor=off: a Linux guest that sees the hypervisor bit, and no
	# paravirtual spinlocks (KVM's or Xen's, absent under TCG), turns every
	# spinlock into an unfair test-and-set loop (virt_spin_lock). With the
	# vCPUs taking turns on one host thread, a CPU spinning there with
	# interrupts off was starved for seconds by another that kept taking
	# the same lock (docs/testing.md, "Unfair spinlocks in the TCG guests").
	# tsc=nowatchdog: the kernel's clocksource watchdog checks the TSC
	# against another CPU's from CPU 0 every 0.5 s, both CPUs waiting with
	# interrupts off, CPU 0 looking at its timeout only every 5000 pauses.
	# Under TCG each pause hands the host thread to every other vCPU, so a
	# remote CPU itself spinning with interrupts off (tasklist_lock under
	# fork load) kept CPU 0 without interrupts for 724 ms. The hardware
	# scx_joule is for (constant, nonstop TSC with TSC_ADJUST) has the
	# watchdog off by itself (docs/testing.md, "The kernel's clocksource
	# watchdog under TCG").
	accel_opts=tcg,thread=single cpu=max,hypervisor=off
	guest_args=" joule_locks=fair tsc=nowatchdog"
	[ "${JOULE_VM_MTTCG:-0}" = 1 ] && [ "$icount" = off ] && accel_opts=tcg,thread=multi
	[ "$icount" = off ] || icount_opts=(-icount "shift=$icount,sleep=off")
fi
[ "$arch" != arm64 ] || arm64_dtb

log=$work/console.log raw=$work/console.raw
# The firmware clears the screen with escape codes; keep the log plain text.
clean() { sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/\r//g'; }
echo "run-vm: $scenario on $kname ($release), $cpus vCPUs, $accel${icount_opts:+, icount shift=$icount}${caps:+, big.LITTLE $caps}${em:+, energy model $em}"
start=$(date +%s)
deadline=$((start + timeout))

# A guest on the host's clock (--icount off) runs alone: its verdicts depend
# on how fast the host runs it, and meson runs two VM tests at once. The
# wait counts against --timeout, so that meson's own limit still holds.
if [ "$icount" = off ]; then
	lock_dir=${SCX_JOULE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_joule}
	mkdir -p "$lock_dir"
	exec 9>"$lock_dir/host-clock-guest.lock"
	if ! flock -w "$timeout" 9; then
		echo "run-vm: another guest on the host's clock ran for all of --timeout $timeout s" >&2
		exit 1
	fi
	waited_lock=$(($(date +%s) - start))
	[ "$waited_lock" -eq 0 ] || echo "run-vm: waited $waited_lock s for another guest on the host's clock"
fi

# One boot: qemu's output goes to $raw; returns qemu's exit status, or 125
# when the guest's init has not spoken within boot_wait seconds.
boot_wait=${JOULE_VM_BOOT_WAIT:-$((120 + 5 * cpus))}
boot() {
	local left=$((deadline - $(date +%s))) qpid tpid= waited=0 rc
	: >"$raw"
	[ $left -gt 0 ] || return 124
	if [ "$arch" = arm64 ]; then
		timeout --foreground -k 5 "$left" "${arm64_qemu[@]}" </dev/null >"$raw" 2>&1 &
	else
	timeout --foreground -k 5 "$left" qemu-system-x86_64 \
		-accel "$accel_opts" "${icount_opts[@]}" -cpu "$cpu" -smp "$cpus" -m "${JOULE_VM_MEM:-1G}" \
		-kernel "$vmlinuz" -initrd "$work/initrd.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=4 scenario=$scenario$guest_args${append:+ $append}${JOULE_VM_APPEND:+ $JOULE_VM_APPEND}" \
		-nographic -no-reboot -serial mon:stdio -nodefaults -display none \
		</dev/null >"$raw" 2>&1 &
	fi
	qpid=$!
	# Plain "-nographic" would also add a monitor; -nodefaults plus -serial keeps the console only.
	if [ $live = 1 ]; then
		tail -n +1 -f --pid=$qpid "$raw" | clean &
		tpid=$!
	fi
	while kill -0 $qpid 2>/dev/null && ! grep -q 'VM: kernel ' "$raw"; do
		if [ $waited -ge "$boot_wait" ]; then
			kill $qpid 2>/dev/null
			wait $qpid
			[ -z "$tpid" ] || wait $tpid
			return 125
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait $qpid
	rc=$?
	[ -z "$tpid" ] || wait $tpid
	return $rc
}

# The guest's init prints "VM: kernel ..." a few seconds after QEMU starts
# (under 15 s on a quiet host; before that the console shows only the
# firmware's lines, the kernel being quiet below loglevel 4). A guest that
# has not got there in two minutes and 5 s per vCPU (more vCPUs boot slower;
# room for a host shared by two guests and a CPU hog) hung in the firmware
# or in kernel boot, before any scx_joule code ran: seen once in CI, silent
# for 240 s. That says nothing about the scheduler, so such a boot is
# retried once, loudly; a hang after init started is never retried.
set +e
for attempt in 1 2; do
	boot
	qrc=$?
	[ $qrc -eq 125 ] || break
	echo "run-vm: attempt $attempt: the guest's init did not start within ${boot_wait}s" \
		"(hung before the kernel ran the scenario); console so far:"
	clean <"$raw" | tail -n 5
	[ $attempt -eq 1 ] && echo "run-vm: booting again"
done
clean <"$raw" >"$log"
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
