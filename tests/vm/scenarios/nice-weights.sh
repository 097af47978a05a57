# A nice-19 task beside four nice-0 CPU hogs, all allowed on CPUs 0-1 only,
# with the test's own shell and the loader on the last CPU (another domain).
# By weight (15 against 1024 each) the nice-19 task is owed 15/4096 of the
# hogs' run time; EEVDF gives it about that. Checks, from the kernel's side
# (run times in /proc/PID/schedstat over 8 s):
# - the nice-19 task ran (the starvation backstop bounds its wait);
# - it ran at most 4 times its weight's share. Until its vtime could lead the
#   domain's clock by a whole slice's charge (jp_vtime_place), it was held to
#   40 ms ahead and ran about 14 times its share.
# The same run under EEVDF first, in the same boot, is printed for comparison.
. /scenarios/lib.sh
WINDOW=8
SHARE_MAX=4

# run_ms PID: the kernel's run time of the task so far, in ms
run_ms() { awk '{ printf "%d", $1 / 1000000 }' /proc/$1/schedstat; }

# weights_phase WHO: sets low_ms (the nice-19 task's run time in the window),
# hogs_ms (the hogs' together) and share_ms (the nice-19 task's by weight)
weights_phase() {
	hogs=
	for k in 1 2 3 4; do
		taskset -c 0,1 sh -c 'while :; do :; done' &
		hogs="$hogs $!"
	done
	taskset -c 0,1 sh -c 'while :; do :; done' &
	low=$!
	renice -n 19 -p $low >/dev/null
	[ "$(awk '{ print $19 }' /proc/$low/stat)" = 19 ] || fail "the low task is not at nice 19"
	sleep 1
	l0=$(run_ms $low)
	h0=0
	for h in $hogs; do h0=$((h0 + $(run_ms $h))); done
	sleep $WINDOW
	low_ms=$(($(run_ms $low) - l0))
	hogs_ms=0
	for h in $hogs; do hogs_ms=$((hogs_ms + $(run_ms $h))); done
	hogs_ms=$((hogs_ms - h0))
	kill $hogs $low
	wait $hogs $low 2>/dev/null
	share_ms=$((hogs_ms * 15 / 4096))
	echo "$1: in $WINDOW s the nice-19 task ran $low_ms ms, the four nice-0 hogs $hogs_ms ms (its share by weight: $share_ms ms)"
}

[ "$(nr_cpus)" -ge 4 ] || fail "needs at least 4 CPUs (has $(nr_cpus))"
# off CPUs 0-1's domain: runs there would move its clock on
taskset -p -c $(($(nr_cpus) - 1)) $$ >/dev/null || fail "cannot move the test shell"
weights_phase EEVDF
start_scheduler $MODEL_ARGS --profile balanced --stats 2
weights_phase scx_joule
stats_tail 2
[ "$(scx_state)" = enabled ] || fail "the scheduler did not stay attached (state $(scx_state))"
[ "$low_ms" -gt 0 ] || fail "the nice-19 task never ran in $WINDOW s"
[ "$share_ms" -gt 0 ] || fail "the hogs ran $hogs_ms ms: no share to compare with"
[ "$low_ms" -le $((SHARE_MAX * share_ms)) ] ||
	fail "the nice-19 task ran $low_ms ms, over $SHARE_MAX times its share by weight ($share_ms ms)"
ok "the nice-19 task ran $low_ms ms, at most $SHARE_MAX times its share by weight ($share_ms ms)"
stop_scheduler INT
[ $SCHED_RC -eq 0 ] || fail "loader exited $SCHED_RC after SIGINT"
check_dmesg
