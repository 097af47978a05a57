# What README command (a) shows: scx_joule on an emulated hybrid machine
# (the RK3399-like board model: CPUs 0-3 little, 4-5 big) scheduling light
# then heavy work, with its stats every second, then a clean detach. The
# light phase must show energy placements and low frequency targets (the
# guest's clock counts instructions, so this holds on any host): checked
# on the stats lines of that phase.
. /scenarios/lib.sh
n=$(nr_cpus)
stats_count() { grep -cE '^scx_joule: [0-9.]+s ' $LOG; }
echo "demo: starting scx_joule --model $MODEL --stats 1"
# the log exists before tail opens it: started first, busybox tail gave up
# ("can't open") and the demo showed no live stats
: >$LOG
scx_joule --model $MODEL --stats 1 >>$LOG 2>&1 &
SCHED_PID=$!
tail -f $LOG &
tail_pid=$!
wait_state enabled $ATTACH_WAIT || fail "scheduler did not attach within $ATTACH_WAIT s"
ok "attached: $(cat $SCX/root/ops)"
echo "demo: phase 1 (8 s): light periodic work, $n tasks running 1 ms of every 20 ms"
before=$(stats_count)
periodic-load "$n" 1000 20000 8 >/dev/null
after=$(stats_count)

echo "demo: phase 2 (10 s): $n CPU hogs plus hackbench"
stress-ng --cpu "$n" --timeout 10s --quiet &
hog=$!
end=$(($(date +%s) + 10))
while [ "$(date +%s)" -lt $end ]; do hackbench -g 2 -l 50 >/dev/null 2>&1; done
wait $hog
[ "$(scx_state)" = enabled ] || fail "scheduler left during the demo"
stop_scheduler INT
sleep 0.5 # let tail print the loader's exit line
kill $tail_pid
# the stats lines of the light phase, less the first (it began before it)
grep -E '^scx_joule: [0-9.]+s ' $LOG | sed -n "$((before + 2)),${after}p" >/tmp/light.txt
grep -q 'place energy=[1-9]' /tmp/light.txt || fail "no energy placements in the light phase"
# the first kind's (little's) target, from lines where little was busy: a
# kind with no busy time reports 0, which would pass for a low target
awk '{ share = 0; for (i = 1; i <= NF; i++) {
	if ($i == "busy") { split($(i + 1), a, "="); share = a[2] + 0 }
	if ($i == "perf") { split($(i + 1), b, "="); target = b[2] } }
	if (share > 0) print target }' /tmp/light.txt |
	awk '{ s += $1; n++ } END { exit !(n && s / n < 512) }' ||
	fail "little CPUs' frequency targets were not low in the light phase"
ok "light phase: energy placements, little CPUs' mean target below half"
check_dmesg
