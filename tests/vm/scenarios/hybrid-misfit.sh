# Misfit: a task that starts light on a little CPU and turns into a CPU hog
# must be running on a big CPU within a second of turning busy (its CPU is
# read from /proc/PID/stat every 20 ms with shell builtins only: a sed and
# a cut per sample were new tasks for the scheduler to place, 150 a second,
# keeping the big CPUs busy while the test watched for the move).
. /scenarios/lib.sh
start_scheduler --model $MODEL --profile balanced --stats 1
# light for 4 s (sleeps in usleep children), then a busy loop in the shell itself
sh -c 'end=$(($(date +%s) + 4)); while [ $(date +%s) -lt $end ]; do usleep 20000; done;
       touch /tmp/busy; while :; do :; done' &
task=$!
while [ ! -e /tmp/busy ]; do usleep 10000; done
read -r t0 _ </proc/uptime
moved=
i=0
while [ $i -lt 150 ]; do
	read -r line </proc/$task/stat
	set -- ${line##*) }
	cpu=${37}
	case " $BIG " in *" $cpu "*) read -r moved _ </proc/uptime; break ;; esac
	usleep 20000
	i=$((i + 1))
done
[ -n "$moved" ] || { kill $task; fail "the task never reached a big CPU (last on CPU $cpu)"; }
secs=$(awk -v a="$t0" -v b="$moved" 'BEGIN { printf "%.2f", b - a }')
echo "misfit: on big CPU $cpu ${secs}s after turning busy"
sleep 3
pct=$(pct_on "$BIG" $task | tail -n1)
kill $task
echo "misfit: afterwards $pct% of its run time on big CPUs"
stats_tail 3
awk -v s="$secs" 'BEGIN { exit !(s <= 1.0) }' || fail "took ${secs}s to reach a big CPU (limit 1 s)"
[ "$pct" -ge 80 ] || fail "after moving up it ran only $pct% on big CPUs"
stop_scheduler INT
check_dmesg
