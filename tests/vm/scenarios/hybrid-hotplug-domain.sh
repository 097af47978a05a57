# CPUs taken offline while tasks wait in the domains' queues for them:
# - 12 CPU hogs on 6 CPUs, and the big domain's two CPUs (4 and 5 of the
#   board model) go offline: when its last CPU goes, the tasks left
#   in its queue have no CPU of their domain to run on, and the other
#   domain, saturated, has no reason to pull from a domain of no capacity;
# - then 4 hogs pinned to CPUs 1 and 5 (taskset), one of each domain, and
#   both go offline: both domains keep CPUs online, but the hogs still
#   queued may run on none of them; the kernel breaks the affinity of a
#   task its dying CPU runs, but that CPU no longer asks the scheduler for
#   work;
# - then 4 hogs allowed on CPUs 1 and 5 again, and only CPU 5 goes offline:
#   those queued in the big domain may still run on CPU 1, but no CPU of
#   their domain is left to them, CPU 4 may not run them, and the little
#   CPUs do not pull from the big domain while CPU 4 is idle. Counting them
#   as safe because some online CPU may run them left them there.
# Either way a task left queued would never run: the hotplug would wait for
# it, and the kernel's watchdog would disable scx_joule 5 s later. So after
# each step the scheduler must still be attached 7 s on (past the watchdog's
# 5 s) with every hog alive, and each offline must be done within 3 s.
# Then the big domain goes offline and back 10 more times under the 12
# hogs, each offline within 3 s: a CPU going down is inactive for a while
# before ops.cpu_offline (the kernel waits for an RCU grace period), and
# once in about 40 offlines of CPU 5, before the queue watch, the tasks
# queued for it then waited until the watchdog struck (design.md, "Tasks
# queued for CPUs that go offline"). 10 rounds do not always catch that.
# Last, no CPU may hold irq_work that never runs: a kick or a timer start
# made by a CPU on its way offline, after it stopped taking interrupts,
# stays queued on it, and stopping the scheduler then hangs (a rare hang
# of this scenario on 7.3; irq_work_runs_here in the BPF code).
. /scenarios/lib.sh

# offline CPU: take CPU offline, in at most 3 s of the guest's clock
offline() {
	t0=$(uptime_ms)
	echo 0 >/sys/devices/system/cpu/cpu$1/online || fail "cannot take CPU $1 offline"
	took=$(($(uptime_ms) - t0))
	[ $took -le 3000 ] || fail "taking CPU $1 offline took $took ms"
	[ "$(scx_state)" = enabled ] || fail "sched_ext $(scx_state) after CPU $1 went offline"
}

# still_running WHAT PID...: attached 7 s on, every PID alive
still_running() {
	what=$1
	shift
	sleep 7
	[ "$(scx_state)" = enabled ] || fail "$what: sched_ext $(scx_state) 7 s after (the watchdog: $(dmesg | grep -m1 'failed to run'))"
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null || fail "$what: hog $p died"
	done
	ok "$what: still attached 7 s on, every hog running"
}

# cpus_offline WHAT "CPU..." N ALLOWED: N hogs allowed on ALLOWED (taskset
# -c), then the CPUs offline; checked as above, then the CPUs back and the
# hogs gone
cpus_offline() {
	hogs=
	for i in $(seq $3); do
		taskset -c $4 sh -c 'while :; do :; done' &
		hogs="$hogs $!"
	done
	sleep 3
	for c in $2; do
		offline $c
	done
	ok "offline $2: online $(cat /sys/devices/system/cpu/online)"
	still_running "$1" $hogs
	for c in $2; do
		echo 1 >/sys/devices/system/cpu/cpu$c/online || fail "cannot bring CPU $c back"
	done
	kill $hogs
	wait $hogs 2>/dev/null
}

start_scheduler $MODEL_ARGS --profile balanced --stats 2
watch_irq_work
cpus_offline "the big domain offline under 12 hogs" "4 5" 12 "0-$(($(nr_cpus) - 1))"
hogs=
for i in $(seq 12); do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
sleep 3
for round in $(seq 10); do
	offline 4
	offline 5
	echo 1 >/sys/devices/system/cpu/cpu4/online && echo 1 >/sys/devices/system/cpu/cpu5/online ||
		fail "cannot bring CPUs 4-5 back (round $round)"
	sleep 1
done
ok "the big domain offline and back 10 times under 12 hogs, each offline within 3 s"
still_running "the big domain offline and back 10 times" $hogs
kill $hogs
wait $hogs 2>/dev/null
cpus_offline "the CPUs of 4 hogs pinned to CPUs 1 and 5 offline" "1 5" 4 1,5
cpus_offline "CPU 5 offline under 4 hogs allowed on CPUs 1 and 5" 5 4 1,5

stats_tail 3
check_irq_work "the hotplug cases"
stop_scheduler INT
check_dmesg
