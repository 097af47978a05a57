# The kernel probe's own check, under EEVDF (no sched_ext scheduler): a
# wait still going when `sched-probe longest` ends must count, up to then.
# A hog pinned to CPU 1 waits behind a SCHED_FIFO one (stress-ng --nop)
# pinned there too, with the realtime throttle and CPU 1's fair deadline
# server off. Started once the probe has attached, it waits, runnable, to
# the end of the probe's 3 s and never switches in: the task that waits is
# busybox's taskset itself, moved to CPU 1 by its own sched_setaffinity
# before it could exec the loop. The longest wait still going must be at
# least 1.5 s: the hog's, or a per-CPU kthread's of CPU 1 woken just before
# it. It measured 2.3-3.1 s (the hog's fork and exec in the guest take a
# varying part of the window), and a wait not counted, or counted from the
# wrong start, gives nothing or about 100 ms. Before the probe counted waits still going (stop 48), it had no line
# for them, and the longest wait it gave was another task's (ksoftirqd's
# 100 ms in the first try of this scenario).
. /scenarios/lib.sh
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs none /sys/kernel/debug
server=/sys/kernel/debug/sched/fair_server/cpu1/runtime
[ -w $server ] || fail "no $server: cannot stop CPU 1's fair server"
old_server=$(cat $server) old_rt=$(cat /proc/sys/kernel/sched_rt_runtime_us)
restore() {
	echo "$old_rt" >/proc/sys/kernel/sched_rt_runtime_us
	echo "$old_server" >$server
}
echo -1 >/proc/sys/kernel/sched_rt_runtime_us
echo 0 >$server || fail "CPU 1's fair server cannot be stopped"
# this shell and what it starts stay off CPU 1, or they would wait there too
taskset -p -c 0,2-$(($(nr_cpus) - 1)) $$ >/dev/null || fail "cannot keep the scenario off CPU 1"
stress-ng --nop 1 --sched fifo --sched-prio 50 --taskset 1 --timeout 60s --quiet &
rt=$!
sleep 1
sched-probe longest 3 >/tmp/longest.txt 2>/tmp/longest.err &
probe=$!
# the hog after the probe's attach, so that the probe sees it become runnable
wait_probe_attached /tmp/longest.err
taskset -c 1 sh -c 'while :; do :; done' &
hog=$!
# The probe prints before it detaches its programs, and detaching can wait
# for CPU 1 to come free (once 56 s, to stress-ng's own timeout): CPU 1 is
# freed as soon as the probe is done (printed or failed) or gone, then the
# probe is waited for.
for _ in $(seq 600); do
	grep -q '^sched-probe: done' /tmp/longest.err && break
	kill -0 $probe 2>/dev/null || break
	sleep 0.1
done
read -r hog_run hog_delay _ </proc/$hog/schedstat
restore
# Every stress-ng process at once, by SIGKILL: told to stop (SIGTERM), it
# once ran on to its own 60 s timeout, and 45 s into that tail the kernel
# reported a soft lockup of an idle CPU in its idle balancing (CI, 7.2).
kill $hog
killall -KILL stress-ng 2>/dev/null
wait $hog $rt 2>/dev/null
wait $probe
rc=$?
[ $rc -eq 0 ] || fail "sched-probe longest failed: $(cat /tmp/longest.err)"
cat /tmp/longest.txt
# schedstat adds a wait when it ends: the hog's wait going on is not in it
echo "the hog (pid $hog) by the kernel's schedstat: ran $((hog_run / 1000000)) ms, waited $((hog_delay / 1000000)) ms before its wait now"
read -r _ wait_ns wait_pid wait_comm _ </tmp/longest.txt
still=$(sed -n 's/^still_waiting \([0-9]*\) longest .*/\1/p' /tmp/longest.txt)
still_ns=$(sed -n 's/^still_waiting [0-9]* longest \([0-9]*\)$/\1/p' /tmp/longest.txt)
[ "${still:-0}" -ge 1 ] || fail "no wait still going at the end was counted"
[ "$still_ns" -ge 1500000000 ] ||
	fail "the longest wait still going counted $((still_ns / 1000000)) ms of the probe's 3 s"
[ "$still_ns" -eq "$wait_ns" ] ||
	fail "the longest wait ($((wait_ns / 1000000)) ms) is not the one still going ($((still_ns / 1000000)) ms)"
ok "a wait still going at the end counted: $((still_ns / 1000000)) ms, $wait_comm[$wait_pid] (the hog: $hog); $still still waiting"
check_dmesg
