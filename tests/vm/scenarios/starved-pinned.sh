# A task of the least weight (nice 19) pinned to CPU 1 (taskset -c 1) beside
# four hogs of the greatest weight (nice -20) that may run on CPUs 0-1. By
# weight it is owed about a nine-thousandth of those CPUs: each of its runs
# is charged thousands of times a hog's in virtual time, so it falls to the
# most a task may lead its domain's clock (VTIME_MAX_LEAD_SLICES) and then
# waits for the hogs' vtime to catch up, which takes about 2 s when nothing
# else runs in the domain (the test's own shell runs on the last CPU, in
# another domain of the models these tests run). The backstop
# under the vtime order (joule_rescue_starved) runs a task that has waited
# STARVED_NS (500 ms) in its domain's queue; a pinned one goes to its own
# CPU, since the CPU that scans the queue is rarely it. Checks, from the
# kernel's side (its run time in /proc/PID/schedstat, sampled every 0.1 s):
# - the scheduler stays attached, and dmesg has no stall;
# - the pinned task ran, and never waited more than 2 s between runs (with
#   the backstop 400-900 ms, without it 4 s, or the watchdog ends the
#   scheduler; EEVDF leaves it waiting 6-8 s).
# The same run under EEVDF first, in the same boot, is printed for comparison.
. /scenarios/lib.sh
WINDOW=8
GAP_MAX_MS=2000

# run_ns PID: the kernel's run time of the task so far, in ns
run_ns() { awk '{ print $1 }' /proc/$1/schedstat; }

# starve_phase WHO: sets ran_ms (the pinned task's run time in the window),
# runs (the samples in which it had run) and gap_ms (its longest stretch of
# samples without running)
starve_phase() {
	hogs=
	for k in 1 2 3 4; do
		taskset -c 0,1 sh -c 'while :; do :; done' &
		hogs="$hogs $!"
		renice -n -20 -p $! >/dev/null
	done
	taskset -c 1 sh -c 'while :; do :; done' &
	low=$!
	renice -n 19 -p $low >/dev/null
	for p in $hogs $low; do
		[ "$(awk '{ print $19 }' /proc/$p/stat)" = "$([ $p = $low ] && echo 19 || echo -20)" ] ||
			fail "task $p has nice $(awk '{ print $19 }' /proc/$p/stat)"
	done
	sleep 1
	first=$(run_ns $low)
	last=$first
	gap_ms=0
	runs=0
	samples=0
	# the guest's own clock: a pass also forks and reads, so passes undercount time
	start_ms=$(uptime_ms)
	last_ms=$start_ms
	t_ms=$start_ms
	while [ $((t_ms - start_ms)) -lt $((WINDOW * 1000)) ]; do
		sleep 0.1
		samples=$((samples + 1))
		t_ms=$(uptime_ms)
		now=$(run_ns $low)
		if [ "$now" != "$last" ]; then
			runs=$((runs + 1))
			last=$now
			last_ms=$t_ms
		elif [ $((t_ms - last_ms)) -gt $gap_ms ]; then
			gap_ms=$((t_ms - last_ms))
		fi
	done
	ran_ms=$(((last - first) / 1000000))
	kill $hogs $low
	wait $hogs $low 2>/dev/null
	echo "$1: in $WINDOW s the nice-19 task pinned to CPU 1 ran $ran_ms ms, in $runs of $samples samples; longest wait $gap_ms ms"
	# for the kernel's log, should it name one of them
	echo "$1: hogs' PIDs$hogs, the pinned task's $low, window began at ${start_ms} ms of uptime"
}

[ "$(nr_cpus)" -ge 4 ] || fail "needs at least 4 CPUs (has $(nr_cpus))"
# This shell, its samplers and the loader stay off CPUs 0-1's domain: their
# runs would move its clock on, and the pinned task with it, without the
# backstop.
taskset -p -c $(($(nr_cpus) - 1)) $$ >/dev/null || fail "cannot move the test shell"
starve_phase EEVDF
start_scheduler $MODEL_ARGS --profile balanced --stats 2
starve_phase scx_joule
stats_tail 2
[ "$(scx_state)" = enabled ] || fail "the scheduler did not stay attached (state $(scx_state))"
ok "stayed attached with a nice-19 task pinned among nice -20 hogs"
[ "$runs" -gt 0 ] || fail "the pinned nice-19 task never ran in $WINDOW s"
[ "$gap_ms" -le $GAP_MAX_MS ] ||
	fail "the pinned nice-19 task waited $gap_ms ms between runs (at most $GAP_MAX_MS)"
ok "the pinned nice-19 task ran in $runs samples, longest wait $gap_ms ms (<= $GAP_MAX_MS)"
stop_scheduler INT
check_dmesg
