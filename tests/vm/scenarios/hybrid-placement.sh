# Energy-aware placement on a hybrid model (issue 4), checked from outside
# the scheduler as well as by its stats:
# - light periodic tasks (~5% duty) spend >= 90% of their own run time on
#   little CPUs (their schedstat run time charged to the CPU each ran on),
#   in balanced and powersave; the whole machine's share of busy time on
#   little CPUs (/proc/schedstat, which includes kernel threads and this
#   script) is printed next to it;
# - one CPU hog (fewer hogs than big CPUs) runs >= 80% on big CPUs
#   (its own schedstat run time, charged to the CPU it runs on);
# - a task pinned with taskset to a little CPU runs only there.
# On an arm64 guest whose kernel itself knows the capacities (no --model),
# EEVDF is capacity-aware too: the same light tasks are first measured under
# it, before attaching, and both shares are printed with their ratio.
. /scenarios/lib.sh
eevdf=

light_on_little() {
	light_tasks 3 12
	own=$(pct_on "$LITTLE" $LIGHT_PID | tail -n1)
	pct=$(cpu_busy_pct "$LITTLE" 2)
	wait $LIGHT_PID
	stats_tail 2
	echo "$1: the light tasks' own run time on little CPUs: $own%"
	echo "$1: all busy time (every task) on little CPUs meanwhile: $pct%"
	[ -z "$eevdf" ] || echo "$1: light tasks on little CPUs: scx_joule $own%, EEVDF $eevdf%," \
		"ratio $(ratio "$own" "$eevdf")"
	[ "$own" -ge 90 ] || fail "$1: light tasks spent only $own% of their run time on little CPUs"
}

if [ -z "$MODEL" ]; then
	light_tasks 3 12
	eevdf=$(pct_on "$LITTLE" $LIGHT_PID | tail -n1)
	wait $LIGHT_PID
	echo "EEVDF: the light tasks' own run time on little CPUs: $eevdf%"
fi

start_scheduler $MODEL_ARGS --profile balanced --stats 2
light_on_little balanced

sh -c 'while :; do :; done' &
hog=$!
sleep 2
pct=$(pct_on "$BIG" $hog | tail -n1)
kill $hog
stats_tail 2
echo "balanced: one hog on big CPUs: $pct% of its run time"
[ "$pct" -ge 80 ] || fail "one hog ran only $pct% on big CPUs"

taskset -c 1 sh -c 'while :; do :; done' &
pinned=$!
sleep 1
pct=$(pct_on "1" $pinned | tail -n1)
kill $pinned
echo "taskset -c 1 hog: $pct% of its run time on CPU 1"
[ "$pct" -eq 100 ] || fail "a task pinned to CPU 1 ran elsewhere ($pct% on CPU 1)"
stop_scheduler INT

start_scheduler $MODEL_ARGS --profile powersave --stats 2
light_on_little powersave
stop_scheduler INT
check_dmesg
