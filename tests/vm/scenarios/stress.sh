# 30 s of CPU hogs on every CPU plus hackbench: the scheduler must stay
# attached the whole time, then detach cleanly, with no stall in dmesg.
. /scenarios/lib.sh
n=$(nr_cpus)
start_scheduler --stats 5
stress-ng --cpu "$n" --timeout 30s --quiet &
stress_pid=$!
end=$(($(date +%s) + 30))
rounds=0
while [ "$(date +%s)" -lt $end ]; do
	hackbench -g 2 -l 50 >/dev/null 2>&1 || fail "hackbench failed"
	rounds=$((rounds + 1))
	[ "$(scx_state)" = enabled ] || fail "scheduler left after $rounds hackbench rounds"
done
wait $stress_pid || fail "stress-ng failed"
[ "$(scx_state)" = enabled ] || fail "scheduler not enabled after the stress run"
ok "stayed enabled for 30 s: stress-ng --cpu $n, $rounds hackbench rounds"
grep 'stats' $LOG | tail -n 3
stop_scheduler INT
grep '^scx_joule: exited' $LOG
check_dmesg
