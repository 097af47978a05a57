#!/bin/bash
# The fuzz suite's bounded run of one libFuzzer target: RUNS executions from
# a copy of the seed corpus, seed 1, so the verdict depends on the inputs
# tried and not on how fast the machine is (docs/fuzzing.md).
# usage: run-fuzzer.sh FUZZER SEED_DIR RUNS [LIBFUZZER_FLAGS...]
set -u
fuzzer=$1 seeds=$2 runs=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# no seeds would fuzz from nothing and still pass: a missing corpus is an error
if ! cp "$seeds"/* "$work/corpus/" || [ -z "$(ls -A "$work/corpus")" ]; then
	echo "run-fuzzer.sh: no seed corpus copied from $seeds" >&2
	exit 1
fi

export LSAN_OPTIONS="suppressions=$(dirname "$0")/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
"$fuzzer" -seed=1 -runs="$runs" -timeout=60 -print_final_stats=1 \
	-artifact_prefix="$work/" "$@" "$work/corpus"
rc=$?
if [ $rc -ne 0 ]; then
	# keep what was found next to the fuzzer, and show it in the log
	keep="$(dirname "$fuzzer")/artifacts"
	mkdir -p "$keep"
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
		[ -e "$a" ] || continue
		cp "$a" "$keep/"
		echo "finding kept as $keep/$(basename "$a"); its first bytes:"
		od -c "$a" | head -n 20
	done
fi
exit $rc
