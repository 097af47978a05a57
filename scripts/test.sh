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
# Fetch (or reuse) every pinned kernel now, so a kernel that left the archive
# or a checksum mismatch is reported before any test starts.
"$top/scripts/kernels.py" fetch >/dev/null
exec meson test -C "$build" --print-errorlogs "$@"
