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
# The arm64 guests' cross build (tests/vm/run-arm64.sh would make it in the
# first arm64 test: its sudo prompt, as a user, would come 20 minutes in,
# inside a test with no terminal).
if [ $# -eq 0 ] && ! out=$(JOULE_BUILD_DIR=$build/arm64-cross "$top/scripts/build.sh" --arch arm64 2>&1); then
	echo "$out"
	echo "test.sh: the arm64 cross build failed" >&2
	exit 1
fi
# The whole suite is every pinned kernel's: a build directory set up for
# some of them (meson setup -Dvm_kernels=...) keeps that option otherwise.
[ $# -gt 0 ] || meson configure "$build" -Dvm_kernels= >/dev/null
# Under CI every optional part must be there: a feature left on auto that
# is not found would drop its tests (fuzz, desktop-follow, the man page)
# without a word.
if [ "${CI:-}" = true ]; then
	meson configure "$build" -Dtests=enabled -Dfuzz=enabled -Dlibsystemd=enabled \
		-Dman=enabled >/dev/null
fi
status=0
meson test -C "$build" --print-errorlogs "$@" || status=$?
# meson counts a skipped test (exit 77) as no failure, and a script's own
# skipped checks ("ok - ... # SKIP", "# skipped ...") as passed. Under CI the
# set-up above has installed what every test needs, so a skip is a missing
# install step, and a check that did not run must not pass for one that did.
# A skip that depends on the host, not on an install ("# SKIP host: ..."; a
# container that cannot mount proc, a machine with cpufreq for a cmocka
# test's skip()), is allowed.
if [ $status -eq 0 ] && [ "${CI:-}" = true ]; then
	skipped=$(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, re, sys
inner = re.compile(r"# SKIP(?! host:)|^# skipped|^SKIP:", re.M)
with open(sys.argv[1]) as log:
    print(" ".join(t["name"] for t in map(json.loads, log)
                   if t["result"] == "SKIP" or inner.search(t.get("stdout") or "")))
PY
	)
	if [ -n "$skipped" ]; then
		echo "test.sh: skipped under CI (the set-up should have made them runnable): $skipped" >&2
		status=1
	fi
fi
exit $status
