# The gaming profile (issue 4): latency-critical tasks (woken at least 20
# times a second, running under 2 ms each time: jp_lat_crit) are placed for
# speed, on big CPUs, (>= 80% of their run time) where balanced keeps the
# same tasks on little ones (<= 20% on big: these run 10% of the time, twice
# the light tasks whose >= 90%-on-little bar hybrid-placement checks; 1-13%
# measured in 10 runs under TCG); they get a quarter slice and preempt what
# runs where they wake. The stats count those preemptions: none may happen
# in balanced; the gaming count is printed. Checked from outside: the tasks'
# own run time per CPU. Their wait per run among CPU hogs (their own
# schedstat: run_delay over timeslices) and the frames they missed are
# printed for both profiles and for EEVDF before the scheduler attaches, as
# measurements, not checks.
. /scenarios/lib.sh

# frame_tasks PROFILE: 2 tasks running 1 ms every 10 ms, share on big CPUs
frame_tasks() {
	periodic-load 2 1000 10000 6 &
	frames=$!
	sleep 1
	share=$(pct_on "$BIG" $frames | tail -n1)
	wait $frames
	echo "$1: frame tasks' run time on big CPUs: $share%"
}

# wait_per_wakeup PROFILE: frame tasks among one hog per CPU; their mean
# wait per run as they report it (periodic-load reads its own schedstat)
wait_per_wakeup() {
	i=0
	hogs=
	while [ $i -lt "$(nr_cpus)" ]; do
		sh -c 'while :; do :; done' &
		hogs="$hogs $!"
		i=$((i + 1))
	done
	periodic-load 2 1000 10000 4 >/tmp/frames.txt
	kill $hogs
	awk -v p="$1" '{ w += $3; m += $7; n++ }
		END { printf "%s: frame tasks waited %.0f us per run among CPU hogs, missed %d of 800 frames\n", p, n ? w / n : -1, m }' /tmp/frames.txt
}

# preemptions: latency-critical wakeups that preempted, over the stats lines so far
preemptions() { grep -oE ' preempt=[0-9]+' $LOG | awk -F= '{ n += $2 } END { print n + 0 }'; }

# the same measurement under EEVDF first, in this boot, as the baseline
wait_per_wakeup EEVDF

start_scheduler --model $MODEL --profile balanced --stats 2
frame_tasks balanced
big_balanced=$share
wait_per_wakeup balanced
stop_scheduler INT
preempt_balanced=$(preemptions)

start_scheduler --model $MODEL --profile gaming --stats 2
frame_tasks gaming
wait_per_wakeup gaming
stats_tail 2
stop_scheduler INT
preempt_gaming=$(preemptions)
echo "latency-critical wakeups that preempted: balanced $preempt_balanced, gaming $preempt_gaming"
[ "$preempt_balanced" -eq 0 ] || fail "balanced preempted for latency-critical tasks"
[ "$share" -ge 80 ] || fail "gaming: frame tasks ran only $share% on big CPUs"
[ "$big_balanced" -le 20 ] || fail "balanced: frame tasks ran $big_balanced% on big CPUs (want little)"
ok "frame tasks: $big_balanced% on big CPUs in balanced, $share% in gaming"
check_dmesg
