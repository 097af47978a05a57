#!/bin/bash
# The VM scenarios' kernel-log check (scenarios/lib.sh, check_dmesg) leaves
# out one known kernel bug's WARNING, and only before the scheduler was
# enabled: run on the host, on logs made up of real kernel lines.
set -u
. "$(dirname "$0")/scenarios/lib.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0

warning() { # $1: the function WARNed in, $2: its caller in the trace
	cat <<END
[   25.301234] ------------[ cut here ]------------
[   25.301240] WARNING: CPU: 3 PID: 0 at kernel/time/hrtimer.c:1075 $1+0x4c/0x60
[   25.301300] Modules linked in:
[   25.301310] RIP: 0010:$1+0x4c/0x60
[   25.301400] Call Trace:
[   25.301401]  <IRQ>
[   25.301402]  $2+0x1a0/0x2b0
[   25.301403]  __hrtimer_run_queues+0x10b/0x2a0
[   25.301404]  </IRQ>
[   25.301500] ---[ end trace 0000000000000000 ]---
END
}
enabled() { echo '[   28.700000] sched_ext: BPF scheduler "joule" enabled'; }

# expect NAME WARNINGS_LEFT: check_dmesg's grep of what drop_known_warnings
# left in $dir/log must find that many WARNING lines
expect() {
	cp "$dir/log" "$dir/$1"
	drop_known_warnings "$dir/$1" >"$dir/$1.out"
	left=$(grep -c 'WARNING:' "$dir/$1")
	if [ "$left" = "$2" ]; then
		echo "ok: $1: $left WARNING left; $(cat "$dir/$1.out")"
	else
		echo "FAIL: $1: $left WARNING lines left, expected $2"
		cat "$dir/$1"
		failed=1
	fi
}

{ echo '[    0.000000] Linux version 7.3'; warning hrtimer_forward dl_task_timer; enabled; } >"$dir/log"
expect known-before-enabled 0
grep -q 'Linux version' "$dir/known-before-enabled" || { echo "FAIL: lines outside the block lost"; failed=1; }
grep -q '1 WARNING block' "$dir/known-before-enabled.out" || { echo "FAIL: the drop was not reported"; failed=1; }

{ enabled; warning hrtimer_forward dl_task_timer; } >"$dir/log"
expect known-after-enabled 1

{ warning hrtimer_forward scx_tick; enabled; } >"$dir/log"
expect other-caller 1

{ warning dl_server_start dl_task_timer; enabled; } >"$dir/log"
expect other-warning 1

{ warning hrtimer_forward dl_task_timer | head -n 5; enabled; warning hrtimer_forward dl_task_timer; } >"$dir/log"
expect enabled-inside-block 2

{ warning hrtimer_forward dl_task_timer | head -n 7; } >"$dir/log"
expect unterminated 1

# no "enabled" line at all: the scheduler never ran, or the log lost it
warning hrtimer_forward dl_task_timer >"$dir/log"
expect never-enabled 1

# a known block whose end was lost, then another WARNING, before "enabled"
{ warning hrtimer_forward dl_task_timer | head -n 7; warning scx_bug scx_tick; enabled; } >"$dir/log"
expect cut-then-other 2

exit $failed
