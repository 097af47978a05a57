# The struct_ops link dies with the loader: SIGKILL must detach the scheduler.
# Before that, with another sched_ext scheduler attached (the test suite's
# fifo-floor), scx_joule must refuse at start: exit 3 (its systemd unit does
# not restart on it), naming the scheduler, and that one stays attached.
. /scenarios/lib.sh
start_fifo_floor
t0=$(uptime_ms)
timeout 120 scx_joule >/tmp/other.log 2>&1
rc=$?
took=$(($(uptime_ms) - t0))
cat /tmp/other.log
[ $rc -eq 3 ] || fail "with fifo_floor attached, scx_joule exited $rc, not 3"
# at start, not after loading its programs (18-21 s here), when the kernel
# refuses the attach (the same exit and line, for a scheduler that came
# meanwhile)
[ $took -lt 10000 ] || fail "scx_joule refused only after $took ms: not at start"
grep -q '^scx_joule: not starting: another sched_ext scheduler is enabled (fifo_floor)' /tmp/other.log ||
	fail "scx_joule's refusal does not name the attached scheduler"
[ "$(scx_state)" = enabled ] && [ "$(cat $SCX/root/ops)" = fifo_floor ] ||
	fail "after scx_joule's refusal sched_ext is $(scx_state), ops '$(cat $SCX/root/ops 2>/dev/null)'"
ok "another scheduler attached: exit 3 after $took ms, named, left attached"
stop_fifo_floor
start_scheduler
sleep 2
stop_scheduler KILL
check_dmesg
