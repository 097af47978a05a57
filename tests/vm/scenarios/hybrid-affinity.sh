# Tasks confined to part of a domain (taskset, as cpusets do): the idle CPUs
# of that domain they may not use must be left asleep. 6 hogs may run on
# little CPUs 0-1 only, so 4 always wait in the little domain's queue while
# little CPUs 2-3 are idle. The tick of a busy CPU wakes an idle CPU for its
# domain's queue (wake_idle_cpu_for_queue), but only for tasks that may run
# on every CPU (pd_local.nr_free_queued): before, it woke CPU 2 or 3 at every
# tick of CPUs 0-1, for nothing.
# - CPUs 2-3 receive under 200 rescheduling interrupts in 5 s (the kernel's
#   count, /proc/interrupts RES: a kick of an idle CPU in a guest's hlt is
#   one). Measured on 7.3 at c7f7c05: 462; under EEVDF 2-3, which is printed
#   in the same boot for comparison only. The rest are wakeups of other
#   tasks (the loader's among them) placed on CPUs 2-3 while idle;
# - CPUs 0-1 stay busy >= 95% of the window (idle time in /proc/stat): the
#   queued hogs are not left waiting while a CPU they may use is idle.
# Then the same with CPUs 2-5 offline when the hogs are confined, and back
# online before the window: when the hogs' CPUs were set they took in every
# online CPU, and the kernel does not call ops.set_cpumask again when CPUs
# come or go. Before enqueue worked that out again after a hotplug
# (online_gen), the hogs still counted as free to run anywhere and the
# ticks woke CPUs 2-3 for them. The same bound.
. /scenarios/lib.sh
ALLOWED="0 1"
ASLEEP="2 3"
RES_LIMIT=200

# res_sum "CPUS": rescheduling interrupts the CPUs have received so far
res_sum() {
	awk -v cpus=" $1 " '$1 == "RES:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
		if (index(cpus, " " (i - 2) " ")) s += $i; print s + 0; exit }' /proc/interrupts
}

# confined_phase WHO: 6 hogs on CPUs 0-1 for 1 s, then 5 s measured; sets
# res (RES on CPUs 2-3 in the window) and busy (the lower busy % of CPUs 0-1).
confined_phase() {
	pids=
	for i in 1 2 3 4 5 6; do
		taskset -c 0,1 sh -c 'while :; do :; done' &
		pids="$pids $!"
	done
	sleep 1
	if [ -n "$BACK_ONLINE" ]; then
		for c in $BACK_ONLINE; do
			echo 1 >/sys/devices/system/cpu/cpu$c/online || fail "cannot bring CPU $c online"
		done
		sleep 1
	fi
	r0=$(res_sum "$ASLEEP")
	read -r t1 _ </proc/uptime
	grep '^cpu[0-9]' /proc/stat >/tmp/s1
	sleep 5
	grep '^cpu[0-9]' /proc/stat >/tmp/s2
	read -r t2 _ </proc/uptime
	r1=$(res_sum "$ASLEEP")
	kill $pids
	wait $pids 2>/dev/null
	res=$((r1 - r0))
	# cpuN user nice system idle iowait ...: 11 fields per line, in 1/100 s
	busy=$(paste /tmp/s1 /tmp/s2 | awk -v w="$t1" -v v="$t2" -v cpus=" $ALLOWED " '
		index(cpus, " " substr($1, 4) " ") { b = 100 * (1 - ($16 + $17 - $5 - $6) / 100 / (v - w))
			if (!n++ || b < low) low = b }
		END { printf "%d", low }')
	echo "$1: rescheduling interrupts on CPUs $ASLEEP in 5 s: $res;" \
		"CPUs $ALLOWED busy at least $busy% of the time"
}

confined_phase EEVDF
start_scheduler $MODEL_ARGS --profile balanced --stats 2
confined_phase scx_joule
stats_tail 2
[ "$res" -lt $RES_LIMIT ] ||
	fail "CPUs $ASLEEP, which none of the queued hogs may use, were kicked $res times in 5 s (limit $RES_LIMIT)"
ok "CPUs $ASLEEP left asleep: $res rescheduling interrupts in 5 s"
[ "$busy" -ge 95 ] || fail "CPUs $ALLOWED busy only $busy% of the time with 6 hogs confined to them"
ok "CPUs $ALLOWED busy >= 95% of the time"

for c in 2 3 4 5; do
	echo 0 >/sys/devices/system/cpu/cpu$c/online || fail "cannot take CPU $c offline"
done
BACK_ONLINE="2 3 4 5" confined_phase "scx_joule, CPUs 2-5 offline when the hogs were confined"
[ "$res" -lt $RES_LIMIT ] ||
	fail "after hotplug, CPUs $ASLEEP were kicked $res times in 5 s for hogs confined while they were offline (limit $RES_LIMIT)"
ok "after hotplug, CPUs $ASLEEP left asleep: $res rescheduling interrupts in 5 s"
stop_scheduler INT
check_dmesg
