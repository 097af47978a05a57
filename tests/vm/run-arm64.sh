#!/bin/bash
# meson's arm64 VM tests: make the arm64 cross build, or bring it up to date
# (scripts/build.sh --arch arm64, which installs its dependencies first), then
# run one scenario on an arm64 guest.
# usage: run-arm64.sh CROSS_BUILD_DIR RUN_VM_ARGS...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
shift
# Quiet unless it fails: the test log should show the scenario. Once the
# cross build exists, ninja alone brings it up to date (it re-runs meson when
# a meson.build changed): the full set-up cost every test about 20 s.
if [ -f "$build/build.ninja" ]; then
	make=(meson compile -C "$build")
else
	make=(env JOULE_BUILD_DIR="$build" "$here/../../scripts/build.sh" --arch arm64)
fi
if ! out=$("${make[@]}" 2>&1); then
	echo "$out"
	echo "run-arm64: the arm64 cross build failed"
	exit 1
fi
exec "$here/run-vm.sh" --arch arm64 --build "$build" "$@"
