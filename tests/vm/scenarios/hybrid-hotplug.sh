# A CPU that is offline when the scheduler starts, and comes online later:
# CPU 5, a big CPU of the board model, goes offline before scx_joule starts
# with --model (or what MACHINE says: hybrid-hotplug-recorded gives the
# recorded board with CPU 5 offline); it must attach all the same. Then CPU 5 comes online, and
# the kernel's side must show it used as the big CPU it is:
# - of two CPU hogs (the two big CPUs' worth of work), CPU 5 runs a fair
#   share (sched-probe runtime: run time per CPU at every context switch);
# - its frequency request while busy asks for its top speed (sched-probe
#   perf: about 1024/1.25 = 820 on the kernel's scale), not the 1024 the
#   kernel sets at attach, which a CPU the scheduler never took in would
#   keep;
# The stats' misfit placements are printed, not checked: they are the
# scheduler's own count, system-wide (1-2 a second in most runs, 11 a
# second in one CI run on 7.2 that placed the hogs right).
. /scenarios/lib.sh
CPU5=/sys/devices/system/cpu/cpu5/online

echo 0 >$CPU5 || fail "cannot take CPU 5 offline"
echo "online before start: $(cat /sys/devices/system/cpu/online)"
# MACHINE is a list of arguments: unquoted on purpose
start_scheduler ${MACHINE:---model $MODEL} --profile balanced --stats 1
ok "attached with CPU 5 offline"
echo 1 >$CPU5 || fail "cannot bring CPU 5 online"
sleep 1
[ "$(scx_state)" = enabled ] || fail "scheduler left when CPU 5 came online"
ok "CPU 5 online, still enabled; online now $(cat /sys/devices/system/cpu/online)"

sh -c 'while :; do :; done' &
hog1=$!
sh -c 'while :; do :; done' &
hog2=$!
sleep 3
# the stats lines printed while sched-probe runtime measures (nothing forks then)
from=$(($(stats_tail 1000 | wc -l) + 2))
on5=$(pct_on "5" $hog1 $hog2 | tail -n 1)
to=$(stats_tail 1000 | wc -l)
sed 's/^/  runtime cpu ns: /' /tmp/rt.txt
onbig=$(share_on "$BIG" </tmp/rt.txt)
stats_tail 1000 | sed -n "${from},${to}p" >/tmp/window.txt
cat /tmp/window.txt
lines=$(wc -l </tmp/window.txt)
misfit=$(sed -n 's/.* misfit=\([0-9]*\).*/\1/p' /tmp/window.txt | awk '{ s += $1 } END { print s + 0 }')
probe_perf 20 10 >/tmp/perf.txt
req5=$(busy_request 5)
show_requests 5
kill $hog1 $hog2
wait $hog1 $hog2 2>/dev/null
echo "two hogs: ${on5}% of their run time on CPU 5, ${onbig}% on big CPUs; CPU 5 requests $req5 while busy; misfit placements: $misfit in $lines stats lines"

[ "$on5" -ge 30 ] || fail "CPU 5 ran ${on5}% of two hogs' time (one hog of two: about 50%)"
[ "$onbig" -ge 80 ] || fail "the two hogs ran ${onbig}% on big CPUs"
[ "$req5" -ge 650 ] && [ "$req5" -le 1000 ] ||
	fail "CPU 5 busy requests $req5: its top speed is about 820 (1024: the kernel's value at attach)"
[ "$lines" -ge 4 ] || fail "only $lines stats lines while measuring"
ok "CPU 5, offline at start, runs as a big CPU once online"
stop_scheduler INT
check_dmesg

# A model that leaves a CPU out: the loader refuses it while that CPU is
# online; started with the CPU offline, scx_joule must stop with a message
# naming it when it comes online (not schedule it at capacity 0).
[ -n "$MACHINE" ] && exit 0
sed 's/cpus=4-5/cpus=4/' $MODEL >/tmp/short.soc
scx_joule --model /tmp/short.soc >/tmp/short.log 2>&1
rc=$?
grep '^scx_joule' /tmp/short.log
[ $rc -eq 2 ] && grep -q "no entry for online CPU 5" /tmp/short.log ||
	fail "a model without CPU 5, online: exit $rc"
ok "a model without online CPU 5 refused (exit 2)"
echo 0 >$CPU5 || fail "cannot take CPU 5 offline"
start_scheduler --model /tmp/short.soc --profile balanced
echo 1 >$CPU5 || fail "cannot bring CPU 5 online"
wait_state disabled 10 || fail "still $(scx_state) 10 s after CPU 5, beyond the model, came online"
wait_loader_gone 10
cat $LOG
grep -q "CPU 5 came online; the model describes CPUs 0-4" $LOG ||
	fail "the loader's output does not name CPU 5"
loader_exited || fail "the loader still runs 10 s after sched_ext was disabled"
wait $SCHED_PID
rc=$?
[ $rc -eq 1 ] || fail "the loader exited $rc after its error exit (1 expected)"
# the scheduler's own error, and no other sign of trouble with it
DMESG_EXITS="scx_bpf_error|runtime error" check_dmesg
ok "CPU 5 beyond the model came online: scx_joule stopped, said why and exited 1"
