# Suspend to RAM and resume under load, without sleeping: with
# /sys/power/pm_test the kernel runs the suspend path up to a level, waits
# 5 s there and resumes. The levels, in order: freezer (tasks frozen;
# sched_ext bypasses the scheduler from the PM notifier's
# PM_SUSPEND_PREPARE to PM_POST_SUSPEND at every level), devices, platform,
# processors (every CPU but 0 taken offline and back, as a laptop's suspend
# does) and core. After each:
# - scx_joule is still attached (state enabled, ops scx_joule), its loader
#   still running, every CPU online again;
# - no CPU idle in two samples 20 ms apart requests over 128 in both, over
#   140 ms (sched-probe perf, lib.sh idle_requests):
#   while the kernel bypasses the scheduler it calls ops.running but not
#   ops.update_idle, so a CPU that ran a task then and went idle would keep
#   that task's request (design.md, "Frequency"). User tasks are frozen
#   through most of the bypass, so this did not fail with the bypass sweeps
#   removed (they are hybrid-idle-freq's, after the attach); it checks the
#   requests whatever path the resume takes;
# and at the end a CPU hog runs on the big CPUs (sched-probe runtime): the
# model came back with the CPUs. The kernel must log no stall or error.
. /scenarios/lib.sh
n=$(nr_cpus)
[ -w /sys/power/pm_test ] || fail "no /sys/power/pm_test (CONFIG_PM_DEBUG)"
grep -qw mem /sys/power/state || fail "the guest cannot suspend to RAM: $(cat /sys/power/state)"
echo "power states: $(cat /sys/power/state); mem_sleep: $(cat /sys/power/mem_sleep); pm_test: $(cat /sys/power/pm_test)"
# deep (S3) takes the CPUs offline; s2idle would not
echo deep >/sys/power/mem_sleep || fail "cannot choose deep sleep: $(cat /sys/power/mem_sleep)"

start_scheduler $MODEL_ARGS --profile balanced --stats 1
sh -c 'while :; do :; done' &
hog=$!
light_tasks 3 600

for level in freezer devices platform processors core; do
	echo $level >/sys/power/pm_test || fail "no pm_test level $level: $(cat /sys/power/pm_test)"
	echo mem >/sys/power/state || fail "suspend with pm_test=$level failed"
	idle_requests "resumed from pm_test=$level"
	[ "$(scx_state)" = enabled ] || fail "sched_ext $(scx_state) after pm_test=$level"
	ops=$(cat $SCX/root/ops 2>/dev/null)
	[ "$ops" = scx_joule ] || fail "$SCX/root/ops is '$ops' after pm_test=$level"
	kill -0 $SCHED_PID 2>/dev/null || fail "the loader exited at pm_test=$level"
	online=$(cat /sys/devices/system/cpu/online)
	[ "$online" = "0-$((n - 1))" ] || fail "CPUs online after pm_test=$level: $online, not 0-$((n - 1))"
	ok "pm_test=$level: suspended and resumed, still attached, CPUs $online online"
done
echo none >/sys/power/pm_test

onbig=$(pct_on "$BIG" $hog | tail -n 1)
echo "after the last resume: the hog ran ${onbig}% on big CPUs ($BIG)"
[ "$onbig" -ge 90 ] || fail "after resume the hog ran ${onbig}% on big CPUs"
ok "after resume a hog runs on big CPUs"
kill $hog $LIGHT_PID
wait $hog $LIGHT_PID 2>/dev/null
stats_tail 4
stop_scheduler INT
check_dmesg
