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
# The whole suite is every pinned kernel's: a build directory set up for
# some of them (meson setup -Dvm_kernels=...) keeps that option otherwise.
[ $# -gt 0 ] || meson configure "$build" -Dvm_kernels= >/dev/null
status=0
meson test -C "$build" --print-errorlogs "$@" || status=$?
# meson counts a skipped test (exit 77) as no failure. Under CI the set-up
# above has installed what every test needs, so a skip is a missing install
# step, and a test that did not run must not pass for one that did.
if [ $status -eq 0 ] && [ "${CI:-}" = true ]; then
	skipped=$(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
with open(sys.argv[1]) as log:
    print(" ".join(t["name"] for t in map(json.loads, log) if t["result"] == "SKIP"))
PY
	)
	if [ -n "$skipped" ]; then
		echo "test.sh: skipped under CI (the set-up should have made them runnable): $skipped" >&2
		status=1
	fi
fi
exit $status
