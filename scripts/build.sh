#!/bin/bash
# Install what is missing (scripts/setup-deps.sh) and build scx_joule into
# $JOULE_BUILD_DIR (default: build/). Shared by the two README commands.
#
# usage: scripts/build.sh [--arch arm64]
#   --arch arm64: cross-build for arm64 into $JOULE_BUILD_DIR (default
#   build-arm64/), for the arm64 test guests; no unit tests there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=native
if [ "${1:-}" = --arch ]; then
	arch=$2
	[ "$arch" = arm64 ] || { echo "build: only --arch arm64 is known" >&2; exit 2; }
fi

if [ $arch = native ]; then
	build=${JOULE_BUILD_DIR:-$top/build}
	"$top/scripts/setup-deps.sh"
	setup=()
else
	build=${JOULE_BUILD_DIR:-$top/build-arm64}
	"$top/scripts/setup-deps.sh" --arm64
	# libcpupower's arm64 packages cannot be installed beside the amd64 ones:
	# the unpacked copy is passed in by hand.
	cpupower=$("$top/scripts/arm64-root.sh")
	lib=$cpupower/usr/lib/aarch64-linux-gnu
	setup=(--cross-file "$top/scripts/cross/aarch64-debian.ini"
		-Dc_args="-I$cpupower/usr/include" -Dc_link_args="-L$lib -Wl,-rpath-link,$lib")
fi
if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" "$top" >/dev/null
else
	meson setup "${setup[@]}" "$build" "$top"
fi
meson compile -C "$build"
