#!/bin/bash
# README command (b): install what is missing, build, run the whole test
# suite (unit, simulator and VM tests on every pinned kernel).
#
# usage: scripts/test.sh [meson test args...]   e.g. --suite unit
# Runs as root or as a user with sudo (only the package install needs root).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${JOULE_BUILD_DIR:-$top/build}

JOULE_BUILD_DIR=$build "$top/scripts/build.sh"
# The suite boots arm64 guests too (tests/vm/meson.build), whose kernels apt
# sees only with the arm64 architecture added: set that up here, not in the
# first arm64 test, or the fetch below fails on a machine that never had it.
"$top/scripts/setup-deps.sh" --arm64
# Fetch (or reuse) every pinned kernel now, so a kernel that left the archive
# or a checksum mismatch is reported before any test starts.
"$top/scripts/kernels.py" fetch >/dev/null
exec meson test -C "$build" --print-errorlogs "$@"
