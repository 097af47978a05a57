#!/bin/bash
# Arm64 files that cannot be installed beside the amd64 ones, unpacked (never
# installed) into a cache directory, whose path is printed:
# - libcpupower: its arm64 packages are not Multi-Arch: same, so installing
#   them would remove the amd64 ones the native build needs; the cross build
#   takes its header and library from here;
# - the test guests' programs: busybox-static, stress-ng and hackbench
#   (rt-tests), and the libraries stress-ng links that the cross build's
#   arm64 packages do not already bring.
# Reused as long as the package list is unchanged. Needs `dpkg
# --add-architecture arm64` and an apt-get update (scripts/setup-deps.sh --arm64).
set -euo pipefail
cache=${SCX_JOULE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_joule}
dir=$cache/arm64-root
# libcpupower from bookworm-backports, as the amd64 one setup-deps installs.
PKGS=(libcpupower1/bookworm-backports libcpupower-dev/bookworm-backports
	busybox-static stress-ng rt-tests libnuma1
	libapparmor1 libbsd0 libmd0 libcrypt1 libegl1 libgles2 libglvnd0 libgbm1 libdrm2
	libexpat1 libwayland-server0 libffi8 libjpeg62-turbo libjudydebian1 libkmod2
	liblzma5 libssl3 libzstd1 zlib1g libsctp1 libxxhash0)

if [ "$(cat "$dir/.packages" 2>/dev/null)" != "${PKGS[*]}" ]; then
	rm -rf "$dir" "$dir.debs"
	mkdir -p "$dir.debs"
	chmod 777 "$dir.debs" # apt drops privileges to _apt while downloading
	names=()
	for p in "${PKGS[@]}"; do
		# name:arm64, or name:arm64/suite for a pinned suite
		case $p in */*) names+=("${p%/*}:arm64/${p#*/}") ;; *) names+=("$p:arm64") ;; esac
	done
	(cd "$dir.debs" && apt-get download -q "${names[@]}" >&2) ||
		{ echo "arm64-root: apt-get download failed (scripts/setup-deps.sh --arm64?)" >&2; exit 1; }
	for deb in "$dir.debs"/*.deb; do
		dpkg-deb -x "$deb" "$dir"
	done
	rm -rf "$dir.debs"
	echo "${PKGS[*]}" >"$dir/.packages"
fi
echo "$dir"
