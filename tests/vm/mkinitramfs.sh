#!/bin/bash
# Build the test VM's initramfs: busybox, scx_joule and the workload tools
# with the shared libraries they need, the scenarios, and an /init.
#
# usage: mkinitramfs.sh BUILD_DIR OUTPUT.cpio [EXTRA_DIR]
#   EXTRA_DIR, if given, is copied to /extra (e.g. topology fixtures).
set -euo pipefail

build=$1
out=$2
extra=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

die() { echo "mkinitramfs: $*" >&2; exit 1; }

busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "a static busybox is needed (Debian: busybox-static)"

tools=("$build/src/scx_joule" "$build/tests/vm/runtime-by-cpu" "$build/tests/vm/periodic-load"
	"$build/tests/vm/sched-probe")
for t in stress-ng hackbench; do
	p=$(command -v "$t") || die "$t not found (Debian: stress-ng, rt-tests)"
	tools+=("$p")
done
for t in "${tools[@]:0:4}"; do
	[ -x "$t" ] || die "$t not built (meson compile -C $build)"
done

mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,run,etc,scenarios,lib64}
cp "$busybox" "$root/bin/busybox"
for t in "${tools[@]}"; do
	cp "$t" "$root/usr/bin/"
done
# Every shared library (and the dynamic loader) the tools link, at its own path.
for lib in $(ldd "${tools[@]}" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
cp "$here/init" "$root/init"
cp "$here"/scenarios/*.sh "$root/scenarios/"
[ -n "$extra" ] && cp -r "$extra" "$root/extra"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
chmod +x "$root/init" "$root"/scenarios/*.sh

(cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
