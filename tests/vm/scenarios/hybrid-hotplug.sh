# A CPU that is offline when the scheduler starts, and comes online later:
# CPU 5, a big CPU of the board model, goes offline before scx_joule starts
# with --model; it must attach all the same. Then CPU 5 comes online, and
# the kernel's side must show it used as the big CPU it is:
# - of two CPU hogs (the two big CPUs' worth of work), CPU 5 runs a fair
#   share (sched-probe runtime: run time per CPU at every context switch);
# - its frequency request while busy is a big CPU's (sched-probe perf:
#   about 1024/1.25 = 820 on the system-wide scale), not the kernel's 1024
#   that a CPU of capacity 0 would keep asking for, nor a little CPU's 305;
# - the scheduler moves no task for misfit while the hogs sit on the big
#   CPUs (a CPU of capacity 0 makes every task on it misfit).
. /scenarios/lib.sh
CPU5=/sys/devices/system/cpu/cpu5/online

echo 0 >$CPU5 || fail "cannot take CPU 5 offline"
echo "online before start: $(cat /sys/devices/system/cpu/online)"
start_scheduler --model $MODEL --profile balanced --stats 1
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
on5=$(pct_on "5" $hog1 $hog2)
onbig=$(share_on "$BIG" </tmp/rt.txt)
probe_perf 20 10 >/tmp/perf.txt
req5=$(awk '$3 == 5 && $5 > 0 { print $4 }' /tmp/perf.txt | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
awk '$3 == 5 { r = r " " $4 "/" $5 } END { print "  cpu 5 request/nr_running:" r }' /tmp/perf.txt
sleep 1
misfit=$(stats_tail 3 | sed -n 's/.* misfit=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
stats_tail 3
kill $hog1 $hog2
wait $hog1 $hog2 2>/dev/null
echo "two hogs: ${on5}% of their run time on CPU 5, ${onbig}% on big CPUs; CPU 5 requests $req5 while busy; misfit placements in the last 3 s: $misfit"

[ "$on5" -ge 30 ] || fail "CPU 5 ran ${on5}% of two hogs' time (one hog of two: about 50%)"
[ "$onbig" -ge 80 ] || fail "the two hogs ran ${onbig}% on big CPUs"
[ "$req5" -ge 700 ] && [ "$req5" -le 1000 ] ||
	fail "CPU 5 busy requests $req5: a big CPU's is about 820 (1024: no capacity known; 305: a little's)"
[ "$misfit" -le 2 ] || fail "$misfit misfit placements with the hogs on big CPUs"
ok "CPU 5, offline at start, runs as a big CPU once online"
stop_scheduler INT
[ $SCHED_RC -eq 0 ] || fail "loader exited $SCHED_RC"
check_dmesg
