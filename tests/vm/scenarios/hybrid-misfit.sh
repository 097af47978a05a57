# Misfit: a task that starts light on a little CPU and turns into a CPU hog
# must be running on a big CPU within a second of turning busy. The task is
# periodic-load's (1 ms every 20 ms for 4 s, then a hog): it says which CPU
# ran its last light period, and that must be a little one, or there was
# nothing to move. Its CPU is then read from /proc/PID/stat every 20 ms with
# shell builtins only: a sed and a cut per sample were new tasks for the
# scheduler to place, 150 a second, keeping the big CPUs busy while the test
# watched for the move.
. /scenarios/lib.sh
start_scheduler $MODEL_ARGS --profile balanced --stats 1
periodic-load 1 1000 20000 4 /tmp/busy &
load=$!
i=0
while [ ! -e /tmp/busy ]; do
	kill -0 $load 2>/dev/null || fail "periodic-load exited before it turned busy"
	[ $i -lt 1000 ] || fail "periodic-load did not turn busy within 10 s of its 4 s light phase"
	usleep 10000
	i=$((i + 1))
done
read -r t0 _ </proc/uptime
read -r task light_cpu </tmp/busy
case " $LITTLE " in *" $light_cpu "*) ;; *)
	kill $task
	fail "its light phase ended on CPU $light_cpu, not a little CPU: nothing to move"
	;;
esac
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
echo "misfit: light on little CPU $light_cpu, on big CPU $cpu ${secs}s after turning busy"
sleep 3
pct=$(pct_on "$BIG" $task | tail -n1)
kill $task
wait $load
echo "misfit: afterwards $pct% of its run time on big CPUs"
stats_tail 3
awk -v s="$secs" 'BEGIN { exit !(s <= 1.0) }' || fail "took ${secs}s to reach a big CPU (limit 1 s)"
[ "$pct" -ge 80 ] || fail "after moving up it ran only $pct% on big CPUs"
stop_scheduler INT
check_dmesg
