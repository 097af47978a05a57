# Attach, check the ops name, detach with SIGINT: state back to disabled and
# the loader reports why it exited.
. /scenarios/lib.sh
start_scheduler
sleep 2
stop_scheduler INT
[ $SCHED_RC -eq 0 ] || fail "loader exited $SCHED_RC after SIGINT"
grep -q '^scx_joule: exited: unregistered' $LOG || fail "no exit message from the loader"
grep '^scx_joule: exited' $LOG

# SIGINT while the programs load, every 0.2 s until the loader is gone: the
# verifier gives up on a pending signal and libbpf verifies again, five times
# at most, so signals that reach the load failed it ("Resource temporarily
# unavailable", exit 1). Held until the load is done, the first one stops the
# loader before it attaches: exit 0, never enabled.
scx_joule >$LOG 2>&1 &
SCHED_PID=$!
i=0
while ! loader_exited && [ $i -lt 300 ]; do
	kill -INT $SCHED_PID 2>/dev/null
	[ "$(scx_state)" = enabled ] && fail "attached though stopped while loading: $(cat $LOG)"
	sleep 0.2
	i=$((i + 1))
done
loader_exited || fail "the loader had not exited 60 s into SIGINTs during its load"
wait $SCHED_PID
rc=$?
[ $rc -eq 0 ] || fail "loader exited $rc after SIGINTs during its load: $(cat $LOG)"
grep -q 'attached' $LOG && fail "said it attached though stopped while loading: $(cat $LOG)"
[ "$(scx_state)" = disabled ] || fail "sched_ext is $(scx_state) after the stopped load"
ok "SIGINTs during the load ($i sent): exit 0, never attached"
check_dmesg
