# What README command (a) shows: scx_joule on an emulated hybrid machine
# (the RK3399-like board model: CPUs 0-3 little, 4-5 big) scheduling light
# then heavy work, with its stats every second, then a clean detach.
. /scenarios/lib.sh
n=$(nr_cpus)
echo "demo: starting scx_joule --model $MODEL --stats 1"
scx_joule --model $MODEL --stats 1 >$LOG 2>&1 &
SCHED_PID=$!
tail -f $LOG &
tail_pid=$!
wait_state enabled 20 || fail "scheduler did not attach"
ok "attached: $(cat $SCX/root/ops)"
echo "demo: phase 1 (8 s): light periodic work"
stress-ng --cpu "$n" --cpu-load 5 --timeout 8s --quiet

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
check_dmesg
