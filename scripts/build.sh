#!/bin/bash
# Install what is missing (scripts/setup-deps.sh) and build scx_joule into
# $JOULE_BUILD_DIR (default: build/). Shared by the two README commands.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${JOULE_BUILD_DIR:-$top/build}

"$top/scripts/setup-deps.sh"
if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" "$top" >/dev/null
else
	meson setup "$build" "$top"
fi
meson compile -C "$build"
