# A benchmark, not in the vm suite (it prints numbers and asserts only that
# scx_joule stays attached): how long taking CPUs 4 and 5 of the board model
# offline takes under 12 CPU hogs, 20 rounds under EEVDF, then 60 under
# scx_joule, in one boot; each offline timed on the guest's clock. CPU 5 goes
# second, the last CPU of the big domain. docs/design.md ("Why the inactive
# CPU took nothing") has the figures. Run:
#   tests/vm/run-vm.sh --kernel K --build BUILD --cpus 6 --extra sim/socs hotplug-times
. /scenarios/lib.sh
# churn ROUNDS WHO: CPUs 4 and 5 offline (timed) and back ROUNDS times; per CPU
# the count, mean and longest offline and how many took over 1 s, then the 5 slowest
churn() {
	: >/tmp/times
	for round in $(seq "$1"); do
		for c in 4 5; do
			t0=$(uptime_ms)
			echo 0 >/sys/devices/system/cpu/cpu$c/online || fail "cannot take CPU $c offline"
			echo "$c $(($(uptime_ms) - t0))" >>/tmp/times
		done
		for c in 4 5; do
			echo 1 >/sys/devices/system/cpu/cpu$c/online || fail "cannot bring CPU $c back"
		done
		sleep 0.5
	done
	awk -v who="$2" '{ n[$1]++; s[$1] += $2; if ($2 > m[$1]) m[$1] = $2; if ($2 > 1000) o[$1]++ }
		END { for (c in n) printf "%s CPU %s: %d offlines, mean %d ms, longest %d ms, over 1 s %d\n",
			who, c, n[c], s[c] / n[c], m[c], o[c] }' /tmp/times
	echo "$2 slowest (CPU, ms): $(sort -k2 -n /tmp/times | tail -5 | tr '\n' ' ')"
}

# twelve_hogs: lib.sh's start_hogs, 12 of them (in HOGS), given 3 s to start
twelve_hogs() {
	start_hogs 12
	sleep 3
}

twelve_hogs
churn 20 EEVDF
kill $HOGS
wait $HOGS 2>/dev/null
# attached before the hogs: under 12 of them the load takes longer than start_scheduler waits
start_scheduler $MODEL_ARGS --profile balanced --stats 5 --stats-json
twelve_hogs
churn 60 scx_joule
[ "$(scx_state)" = enabled ] || fail "sched_ext $(scx_state) after the offlines"
grep -a -o '"starved_rescues":[0-9]*,"offline_rescues":[0-9]*,"cpus_left_early":[0-9]*' $LOG |
	awk -F'[:,]' '{ s += $2; o += $4; l += $6 }
		END { print "scx_joule stats: starved rescues", s, "offline rescues", o, "CPUs left early", l }'
kill $HOGS
wait $HOGS 2>/dev/null
stop_scheduler INT
check_dmesg
