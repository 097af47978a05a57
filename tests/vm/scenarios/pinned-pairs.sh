# Two CPU hogs pinned to every CPU (taskset -c N, as any user may) beside
# one hog free to run anywhere. The kernel asks a CPU's scheduler for work
# (ops.dispatch) only when the CPU's local queue is empty; a scheduler that
# puts each pinned task straight into its CPU's local queue keeps one there
# at every slice's end, so no CPU ever takes from the domain queues and the
# free hog, with every unpinned kernel thread, waits there until the
# watchdog ejects the scheduler (5 s). Checks, from the kernel's side:
# - the scheduler stays attached for the whole window, and dmesg has no stall;
# - the free hog runs at least a quarter of its fair share (6 CPUs / 13 hogs
#   of the window); each pinned hog at least a quarter of its half CPU.
# The same run under EEVDF first, in the same boot, is printed for comparison.
. /scenarios/lib.sh
n=$(nr_cpus)
WINDOW=8

# run_time PID: the kernel's run time of the task so far, in ms
run_time() { awk '{ printf "%d", $1 / 1000000 }' /proc/$1/schedstat; }

# pairs_phase WHO: sets free_ms (the free hog's run time in the window) and
# pinned_min_ms (the least of the pinned hogs')
pairs_phase() {
	pinned=
	for c in $(all_cpus); do
		for k in 1 2; do
			taskset -c "$c" sh -c 'while :; do :; done' &
			pinned="$pinned $!"
		done
	done
	sh -c 'while :; do :; done' &
	free=$!
	sleep 1
	f0=$(run_time $free)
	for p in $pinned; do eval "p0_$p=$(run_time $p)"; done
	sleep $WINDOW
	free_ms=$(($(run_time $free) - f0))
	pinned_min_ms=
	for p in $pinned; do
		eval "d=\$((\$(run_time $p) - p0_$p))"
		[ -z "$pinned_min_ms" ] || [ "$d" -lt "$pinned_min_ms" ] && pinned_min_ms=$d
	done
	kill $pinned $free
	wait $pinned $free 2>/dev/null
	echo "$1: in $WINDOW s the free hog ran $free_ms ms, the least of $((2 * n)) pinned hogs $pinned_min_ms ms"
}

pairs_phase EEVDF
start_scheduler $MODEL_ARGS --profile balanced --stats 2
pairs_phase scx_joule
stats_tail 2
[ "$(scx_state)" = enabled ] || fail "the scheduler did not stay attached (state $(scx_state))"
ok "stayed attached with 2 hogs pinned to each CPU"
free_min=$((WINDOW * 1000 * n / (2 * n + 1) / 4))
[ "$free_ms" -ge "$free_min" ] ||
	fail "the free hog ran $free_ms ms in $WINDOW s (at least $free_min: a quarter of its fair share)"
ok "the free hog ran $free_ms ms (>= $free_min)"
pinned_floor=$((WINDOW * 1000 / 2 / 4))
[ "$pinned_min_ms" -ge "$pinned_floor" ] ||
	fail "a pinned hog ran $pinned_min_ms ms in $WINDOW s (at least $pinned_floor)"
ok "every pinned hog ran >= $pinned_floor ms (least $pinned_min_ms)"
stop_scheduler INT
check_dmesg
