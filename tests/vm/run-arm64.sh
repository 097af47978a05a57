#!/bin/bash
# meson's arm64 VM tests: bring the arm64 cross build up to date
# (scripts/build.sh --arch arm64, which installs its dependencies first), then
# run one scenario on an arm64 guest.
# usage: run-arm64.sh CROSS_BUILD_DIR RUN_VM_ARGS...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
shift
# quiet unless it fails: the test log should show the scenario
if ! out=$(JOULE_BUILD_DIR=$build "$here/../../scripts/build.sh" --arch arm64 2>&1); then
	echo "$out"
	echo "run-arm64: the arm64 cross build failed"
	exit 1
fi
exec "$here/run-vm.sh" --arch arm64 --build "$build" "$@"
