# scx_joule on a guest booted with nohz_full=1-5 (run-vm.sh --append). An
# idle nohz_full CPU stops its tick, and while it looks stopped a
# housekeeping CPU runs that CPU's tick once a second (sched_tick_remote). A
# task that starts running there before the tick is back gets ops.tick on
# CPU 0, with its own CPU's run queue locked: a frequency request for CPU 0
# from there is an error that ends the scheduler ("Invalid target CPU 0",
# 7 s into this load on 7.2 when the tick took its CPU from
# bpf_get_smp_processor_id(); 33 s into it on 7.3). 12 light tasks (100 us
# every 7 ms) wake and sleep on every CPU for 60 s. The remote tick finds a
# task running only in the moment between the task's start and its CPU's
# tick coming back, so how often this load hits it varies from boot to boot
# (1 in 60 s, or none): sched-probe ticks prints how many of the kernel's
# sched_ext task ticks ran from another CPU, but 0 is not a failure. Checks:
# - the guest really is nohz_full=1-5;
# - scx_joule stayed attached the whole time (the kernel's sched_ext state,
#   read every second), exits cleanly, and dmesg has no error.
. /scenarios/lib.sh
nohz=$(cat /sys/devices/system/cpu/nohz_full 2>/dev/null)
[ "$nohz" = 1-5 ] || fail "the guest is not nohz_full=1-5 (/sys/devices/system/cpu/nohz_full: '$nohz')"
start_scheduler $MODEL_ARGS --profile balanced
sched-probe ticks 60 >/tmp/ticks.txt 2>/tmp/ticks.err &
probe_pid=$!
periodic-load 12 100 7000 60 >/tmp/pl.txt 2>&1 &
pl_pid=$!
for s in $(seq 1 60); do
	sleep 1
	[ "$(scx_state)" = enabled ] ||
		fail "sched_ext $(scx_state) after $s s of light wakeups on nohz_full CPUs"
done
wait $pl_pid || fail "periodic-load failed: $(cat /tmp/pl.txt)"
wait $probe_pid || fail "sched-probe ticks failed: $(cat /tmp/ticks.err)"
read -r _ ticks _ remote </tmp/ticks.txt
echo "sched_ext task ticks in 60 s: $ticks, $remote of them run from another CPU"
[ "${ticks:-0}" -gt 0 ] || fail "sched-probe saw no sched_ext task tick at all"
ok "stayed attached for 60 s of light wakeups on nohz_full CPUs 1-5"
stop_scheduler INT
check_dmesg
