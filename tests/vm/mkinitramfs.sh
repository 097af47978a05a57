#!/bin/bash
# Build the test VM's initramfs: busybox, scx_joule and the workload tools
# with the shared libraries they need, the scenarios, and an /init.
#
# usage: mkinitramfs.sh [--arch arm64] BUILD_DIR OUTPUT.cpio [EXTRA_DIR]
#   EXTRA_DIR, if given, is copied to /extra (e.g. topology fixtures).
#   --arch arm64: BUILD_DIR is a cross build (scripts/build.sh --arch arm64);
#   busybox, stress-ng and hackbench come from scripts/arm64-root.sh.
set -euo pipefail

arch=native
if [ "${1:-}" = --arch ]; then
	arch=$2
	shift 2
fi
build=$1
out=$2
extra=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

die() { echo "mkinitramfs: $*" >&2; exit 1; }

# The arm64 guest's programs come unpacked from their :arm64 packages; the
# host's ldd cannot read arm64 binaries, so their libraries are found by
# walking the NEEDED entries through the arm64 library directories.
arm64_root=
arm64_programs() {
	arm64_root=$("$here/../../scripts/arm64-root.sh")
	busybox=$arm64_root/bin/busybox
	tools+=("$arm64_root/usr/bin/stress-ng" "$arm64_root/usr/bin/hackbench")
}

arm64_libs() {
	local dirs=(/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu
		"$arm64_root/usr/lib/aarch64-linux-gnu" "$arm64_root/lib/aarch64-linux-gnu")
	local queue=("$@") f so d found
	declare -A seen=()
	mkdir -p "$root/lib/aarch64-linux-gnu"
	cp -L /usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/"
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for so in $(aarch64-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -z "${seen[$so]:-}" ] || continue
			seen[$so]=1
			found=
			for d in "${dirs[@]}"; do
				[ -e "$d/$so" ] && { found=$d/$so; break; }
			done
			[ -n "$found" ] || die "$so (needed by $f) not found in ${dirs[*]}"
			cp -L "$found" "$root/lib/aarch64-linux-gnu/"
			queue+=("$found")
		done
	done
}

tools=("$build/src/scx_joule" "$build/tests/vm/runtime-by-cpu" "$build/tests/vm/periodic-load"
	"$build/tests/vm/frame-chain" "$build/tests/vm/sched-probe" "$build/tests/vm/fifo-floor"
	"$build/tests/vm/bpf-cost" "$build/tests/vm/irq-watch" "$build/tests/vm/class-flip")
if [ "$arch" = arm64 ]; then
	arm64_programs
else
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
		busybox=/bin/busybox
	for t in stress-ng hackbench; do
		p=$(command -v "$t") || die "$t not found (Debian: stress-ng, rt-tests)"
		tools+=("$p")
	done
fi
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "a static busybox is needed (Debian: busybox-static)"
for t in "${tools[@]:0:9}"; do
	[ -x "$t" ] || die "$t not built (meson compile -C $build)"
done
# joule-bench, its plot script (the guest has no python: the report then says
# so) and the counter helper, for the (x86) joule-bench scenario, where built
if [ "$arch" != arm64 ]; then
	for t in "$build/bench/joule-bench" "$build/bench/joule-bench-plot.py" \
		"$build/tests/vm/rapl-counter"; do
		[ ! -e "$t" ] || tools+=("$t")
	done
fi

mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,run,etc,scenarios,lib64}
cp "$busybox" "$root/bin/busybox"
for t in "${tools[@]}"; do
	cp "$t" "$root/usr/bin/"
done
# Every shared library (and the dynamic loader) the tools link, at its own path.
if [ "$arch" = arm64 ]; then
	arm64_libs "${tools[@]}"
else
	for lib in $(ldd "${tools[@]}" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
fi
cp "$here/init" "$root/init"
cp "$here"/scenarios/*.sh "$root/scenarios/"
[ -n "$extra" ] && cp -r "$extra" "$root/extra"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
chmod +x "$root/init" "$root"/scenarios/*.sh

(cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
