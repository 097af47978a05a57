#!/bin/bash
# Install what scx_joule needs to build, run and test on Debian 12 (bookworm).
#
# bookworm's libbpf (1.1) and bpftool (7.1) are too old for sched_ext, so the
# toolchain comes from bookworm-backports. The test kernels come from trixie-
# backports and sid, which are added with pin priority 1 so that nothing on
# the machine is ever upgraded from them; they are only used by
# scripts/kernels.py through `apt-get download`.
#
# The mirror is taken from the machine's own Debian sources entry, so the
# script works behind whatever mirror the machine is configured with.
#
# Usage: scripts/setup-deps.sh [--no-vm] [--arm64]
#   --no-vm  skips QEMU and test tools
#   --arm64  adds what the arm64 cross build and arm64 test guests need: the
#            arm64 architecture, the cross compiler, the :arm64 -dev packages
#            (Multi-Arch: same, beside the amd64 ones), qemu-system-arm and dtc
set -euo pipefail

SOURCES=/etc/apt/sources.list.d/scx-joule.sources
PREFS=/etc/apt/preferences.d/scx-joule.pref
with_vm=1 with_arm64=0
for arg in "$@"; do
	case "$arg" in
	--no-vm) with_vm=0 ;;
	--arm64) with_arm64=1 ;;
	*) echo "setup-deps: unknown option $arg" >&2; exit 2 ;;
	esac
done

log() { echo "setup-deps: $*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "must run as root (no sudo found)"
	exec sudo -E bash "$0" "$@"
fi

[ -r /etc/os-release ] && . /etc/os-release
if [ "${ID:-}" != debian ]; then
	log "this script knows Debian only (found ${ID:-unknown})."
	log "install libbpf >= 1.4, bpftool >= 7.4, clang >= 17, hwloc >= 2.5,"
	log "libcpupower, cmocka, meson and pkg-config with your package manager."
	exit 1
fi

# The mirror URI of the machine's main Debian entry, deb822 or one-line style.
debian_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		uri=$(awk '
			/^[[:space:]]*$/ { if (deb && main) { print uri; exit } deb=0; main=0; uri="" }
			/^Types:.*deb([[:space:]]|$)/ { deb=1 }
			/^URIs:/ { uri=$2 }
			/^Suites:.*(bookworm|stable)([[:space:]]|$)/ { main=1 }
			END { if (deb && main) print uri }' "$f" | grep -v security | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		uri=$(awk '$1 == "deb" && $3 ~ /^(bookworm|stable)$/ { print $2; exit }' "$f" |
			grep -v security | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
}

add_sources() {
	local mirror
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || die "no Debian bookworm entry found in /etc/apt sources"
	local want
	want="Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror
Suites: trixie trixie-backports sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	if [ ! -e "$SOURCES" ] || [ "$(cat "$SOURCES")" != "$want" ]; then
		log "adding bookworm-backports, trixie, trixie-backports and sid from $mirror"
		echo "$want" >"$SOURCES"
		NEED_UPDATE=1
	fi
	local prefs="# scx_joule: never install or upgrade from these suites by accident.
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: *
Pin: release n=trixie-backports
Pin-Priority: 1

Package: *
Pin: release n=sid
Pin-Priority: 1"
	if [ ! -e "$PREFS" ] || [ "$(cat "$PREFS")" != "$prefs" ]; then
		echo "$prefs" >"$PREFS"
		NEED_UPDATE=1
	fi
}

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$p"
	done
}

# Packages whose bookworm version is too old: taken from backports.
BACKPORTS=(libbpf-dev libelf-dev bpftool libhwloc-dev hwloc libcpupower-dev meson)
BASE=(clang-19 libclang-rt-19-dev llvm-19 lld-19 clang-format-19 libcmocka-dev pkg-config zstd python3 python3-matplotlib git)
# Install files, the .deb and the desktop tests: man page, unit checks,
# packaging tools, sd-bus and a D-Bus daemon.
BASE+=(scdoc bash-completion systemd dbus build-essential dpkg-dev debhelper lintian)
# Called by the tests and benchmarks, not only arriving with the above:
# file (tests/vm/mkinitramfs.sh), man (tests/dist), valgrind (meson benchmark
# policy-cost).
BASE+=(file man-db valgrind)
VM=(qemu-system-x86 busybox-static cpio stress-ng rt-tests)
# --arm64. libcpupower is not among them: its arm64 packages are not
# Multi-Arch: same and would replace the amd64 ones (scripts/arm64-root.sh
# unpacks them instead, with the guests' arm64 busybox, stress-ng, hackbench).
ARM64_BACKPORTS=(libbpf-dev:arm64 libelf-dev:arm64 libhwloc-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64)
ARM64=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm device-tree-compiler xz-utils)

export DEBIAN_FRONTEND=noninteractive
# No stdin under CI: a configuration file the machine's image changed must
# not stop dpkg at its question (the admin's copy is kept).
INSTALL=(apt-get install -y -qq -o Dpkg::Options::=--force-confdef
	-o Dpkg::Options::=--force-confold)

# The arm64 libraries' Multi-Arch: same dependencies must be the host's own
# versions: with -t bookworm-backports each came from backports and dragged
# the host's copy along (libudev1:arm64 254 upgraded the host's systemd to
# 254, in the middle of a CI run). arm64_shared prints, for each such
# library the install would upgrade on the host, NAME HOST_VERSION.
arm64_shared() {
	local sim p
	sim=$(apt-get -s install -t bookworm-backports "$@" 2>/dev/null) || return 0
	# host packages the install would upgrade ("Inst NAME [OLD] (NEW ...)")
	awk '/^Inst / && $2 !~ /:arm64$/ && $3 ~ /^\[/ { print $2 }' <<<"$sim" |
		while read -r p; do
			p=${p%:amd64}
			# only those whose arm64 copy comes with the install
			grep -q "^Inst $p:arm64 " <<<"$sim" || continue
			echo "$p $(dpkg-query -W -f='${Version}' "$p:amd64" 2>/dev/null ||
				dpkg-query -W -f='${Version}' "$p")"
		done
}

# Is VERSION of package NAME (NAME:ARCH) in the archive? (madison pads short versions)
in_archive() { apt-cache madison "$1" | awk '{ print $3 }' | grep -qxF "$2"; }

# A machine image older than the archive may hold a version of such a
# library that the archive no longer has (a point or security release
# replaced it): the host's copy is upgraded first, from the host's own
# suites (never backports), to the version they offer for both
# architectures. Prints the NAME=VERSION upgrades; exits if one cannot be.
arm64_host_upgrades() {
	local p v cand
	while read -r p v; do
		in_archive "$p:arm64" "$v" && continue
		cand=$(apt-cache policy "$p:arm64" | awk '$1 == "Candidate:" { print $2 }')
		if [ -z "$cand" ] || [ "$cand" = "(none)" ] || ! in_archive "$p:amd64" "$cand" ||
			! dpkg --compare-versions "$cand" gt "$v"; then
			die "$p $v (installed) has no arm64 build in the archive and no newer version for both architectures; upgrade $p and run again"
		fi
		echo "$p=$cand"
	done
}

NEED_UPDATE=0
add_sources
if [ $with_arm64 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding the arm64 architecture"
	dpkg --add-architecture arm64
	NEED_UPDATE=1
fi

# A backports package installed earlier counts only if it is recent enough.
bp_missing=$(missing "${BACKPORTS[@]}")
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo 0)" lt 1:1.4; then
	bp_missing="$bp_missing libbpf-dev libelf-dev"
fi
# bookworm's bpftool (7.1) cannot make a skeleton with .struct_ops.link
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' bpftool 2>/dev/null || echo 0)" lt 7.4; then
	bp_missing="$bp_missing bpftool"
fi
base=("${BASE[@]}")
[ $with_vm = 1 ] && base+=("${VM[@]}")
base_missing=$(missing "${base[@]}")
arm64_bp_missing=
if [ $with_arm64 = 1 ]; then
	base_missing="$base_missing $(missing "${ARM64[@]}")"
	arm64_bp_missing=$(missing "${ARM64_BACKPORTS[@]}")
fi
base_missing=$(echo $base_missing)
# libsystemd-dev must be the version of the installed libsystemd0, which a
# backports install above may have upgraded (bookworm's -dev then conflicts).
sd_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
sd_dev_wanted() { [ "$(sd_version libsystemd-dev)" != "$(sd_version libsystemd0)" ]; }
sd_dev_wanted && NEED_UPDATE=1

if [ -n "${bp_missing// /}" ] || [ -n "$base_missing" ] || [ -n "${arm64_bp_missing// /}" ] ||
	[ $NEED_UPDATE = 1 ]; then
	log "apt-get update"
	apt-get update -qq
fi
if [ -n "${bp_missing// /}" ]; then
	log "installing from bookworm-backports: $(echo $bp_missing)"
	# libelf-dev must come from the same suite as libbpf-dev (version skew).
	"${INSTALL[@]}" -t bookworm-backports "${BACKPORTS[@]}" >/dev/null
fi
if [ -n "$base_missing" ]; then
	log "installing: $(echo $base_missing)"
	"${INSTALL[@]}" $base_missing >/dev/null
fi
if [ -n "${arm64_bp_missing// /}" ]; then
	log "installing from bookworm-backports: $(echo $arm64_bp_missing)"
	shared=$(arm64_shared "${ARM64_BACKPORTS[@]}")
	upgrades=$(arm64_host_upgrades <<<"$shared")
	if [ -n "$upgrades" ]; then
		log "upgrading on the host first (its version left the archive): $(echo $upgrades)"
		"${INSTALL[@]}" $upgrades >/dev/null
		# what the install would now upgrade, at the host's new versions
		shared=$(arm64_shared "${ARM64_BACKPORTS[@]}")
	fi
	# the same versions as the amd64 ones (Multi-Arch: same requires it)
	pins=$(awk '{ print $1 ":arm64=" $2 }' <<<"$shared")
	[ -z "$pins" ] || log "keeping the host's versions: $(echo $pins)"
	"${INSTALL[@]}" -t bookworm-backports "${ARM64_BACKPORTS[@]}" $pins >/dev/null
fi
if sd_dev_wanted; then
	v=$(sd_version libsystemd0)
	log "installing: libsystemd-dev${v:+ $v}"
	# that version may have left the archive (a point release replaced it):
	# then the current one, which brings its libsystemd0 along
	"${INSTALL[@]}" "libsystemd-dev${v:+=$v}" >/dev/null ||
		"${INSTALL[@]}" libsystemd-dev >/dev/null
fi
log "dependencies present"
