#!/bin/bash
# Fail if any tracked C source or header differs from .clang-format's style.
# usage: scripts/check-format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-19 || command -v clang-format || true)
[ -n "$fmt" ] || { echo "check-format: clang-format not installed"; exit 1; }
# a process substitution's failure is not seen: git's list is checked for being empty
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^bpf/vmlinux/')
[ ${#files[@]} -gt 0 ] || {
	echo "check-format: git lists no C files here (not a git checkout, or git refused it)"
	exit 1
}
if [ "${1:-}" = "--fix" ]; then
	"$fmt" -i "${files[@]}"
	exit 0
fi
bad=0
for f in "${files[@]}"; do
	if ! "$fmt" --dry-run -Werror "$f" 2>/dev/null; then
		echo "not formatted: $f (scripts/check-format.sh --fix)"
		bad=$((bad + 1))
	fi
done
echo "$((${#files[@]} - bad)) passed, $bad failed"
[ $bad -eq 0 ]
