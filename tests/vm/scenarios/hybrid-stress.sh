# With the hybrid model loaded (or, on an arm64 guest, the kernel's own
# capacities): 60 s of stress-ng (cpu, fork, switch, yield stressors on
# every CPU) plus back-to-back hackbench, and the last big CPU (5 on both
# 4+2 layouts) taken offline and back in the middle. The scheduler must stay
# attached (no ejection on hotplug), and the kernel must log no stall or
# error. Throughput is hackbench rounds per second of hackbench time (each
# round timed in the guest, so neither the hotplug step's sleeps nor a round
# cut by the end of the 60 s count), the same 60 s run first under EEVDF,
# before attaching, and scx_joule must reach at least 0.70x EEVDF's: it did
# 0.57-0.67x when a task yielding in a loop kept the head of its queue
# (design.md, "Tasks that yield"), and 0.74-1.06x in CI runs since, with
# EEVDF's own count 19-25 between boots. Most of the gap is what a sched_ext
# task switch costs in this guest (docs/testing.md, "What hybrid-stress's
# hackbench ratio is made of"), and single pairs went down to 0.72x in
# stop 64's boots, so the bar sits between the two ranges, not at 0.75x
# as until then. Two 60 s counts that noisy put a
# healthy scheduler under the bar now and then, so a first pair under it is
# not the verdict: a second pair (EEVDF again, then scx_joule again) runs,
# and the bar applies to both pairs' sums. A regression like the one above
# stays under it in both. On an arm64 guest (no --model) the ratio is
# printed, not checked: 3-5 rounds there, where one round is 20-30%.
# The kernel's own switches (sched-probe longest) give every task's longest
# wait to run in the 60 s, how many waits were over 100 ms and 1 s, and the
# names that waited most in all, with rcu_preempt's always (design.md,
# "Kernel threads under load").
# Under scx_joule no task may wait over 1.5 s: it runs any task that waited
# 500 ms in a queue next (design.md, "Waits with no end"), and the waits
# that rule ended went on for 6 s. Not 1 s: in 81 phases repeated here, one
# stress-ng-fork child waited 1,351 ms, in a guest whose CPUs now and then
# go seconds without a tick (docs/testing.md, "The hybrid-stress stall").
# irq-watch watches from CPUs 2 and 3 throughout: a busy CPU that goes
# 700 ms without an interrupt fails the scenario, with every CPU's backtrace
# taken while it is stuck (docs/testing.md, "The hybrid-stress stall").
. /scenarios/lib.sh
start_irq_watch 2 3
n=$(nr_cpus)
hot=${BIG##* }

# uptime_cs: the guest's uptime in centiseconds (/proc/uptime has two decimals).
uptime_cs() {
	read -r up _ </proc/uptime
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

# stress_phase STATE: the 60 s above; sched_ext must stay in STATE
# (enabled under scx_joule, disabled under EEVDF) throughout. Sets rounds and
# hb_cs, the centiseconds those rounds took.
stress_phase() {
	sched-probe longest 62 rcu_preempt >/tmp/longest.txt 2>/tmp/longest.err &
	probe_pid=$!
	# a wait that began before the probe attached would not be seen
	wait_probe_attached /tmp/longest.err
	stress-ng --cpu "$n" --fork 2 --switch 2 --yield 2 --timeout 60s --quiet &
	stress_pid=$!
	end=$(($(date +%s) + 60))
	rounds=0
	hb_cs=0
	hotplugged=0
	while [ "$(date +%s)" -lt $end ]; do
		t0=$(uptime_cs)
		hackbench -g 2 -l 20 >/dev/null 2>&1 || fail "hackbench failed"
		hb_cs=$((hb_cs + $(uptime_cs) - t0))
		rounds=$((rounds + 1))
		if [ $hotplugged = 0 ] && [ $rounds -ge 3 ]; then
			echo 0 >/sys/devices/system/cpu/cpu$hot/online || fail "cannot take CPU $hot offline"
			sleep 2
			[ "$(scx_state)" = $1 ] || fail "sched_ext $(scx_state), not $1, when CPU $hot went offline"
			echo 1 >/sys/devices/system/cpu/cpu$hot/online || fail "cannot bring CPU $hot back"
			sleep 1
			hotplugged=1
			ok "CPU $hot offline and back online under load, still $(scx_state)"
		fi
		[ "$(scx_state)" = $1 ] || fail "sched_ext $(scx_state), not $1, after $rounds hackbench rounds"
	done
	wait $stress_pid || fail "stress-ng failed"
	wait $probe_pid || fail "sched-probe longest failed: $(cat /tmp/longest.err)"
	read -r _ wait_ns wait_pid wait_comm _ </tmp/longest.txt
	waits=$(sed -n 's/^waits //p' /tmp/longest.txt)
	echo "longest wait to run: $((wait_ns / 1000000)) ms ($wait_comm[$wait_pid]); waits: $waits"
	awk '$1 == "comm" { printf "  waited most: %-16s %7d waits, %6d ms in all, longest %4d ms, %4d over 100 ms (requeued: longest %4d ms, %4d over 100 ms)\n", $NF, $2, $3 / 1e6, $4 / 1e6, $5, $6 / 1e6, $7 }' /tmp/longest.txt
	[ $hotplugged = 1 ] || fail "the hotplug step never ran"
}

# rate ROUNDS CS: hackbench rounds per second of hackbench time.
rate() { awk -v r="$1" -v cs="$2" 'BEGIN { printf "%.3f", cs ? r * 100 / cs : 0 }'; }

# stress_pair: one 60 s phase under EEVDF, then one under scx_joule (left
# attached), added to the totals.
eevdf_rounds=0 eevdf_cs=0 joule_rounds=0 joule_cs=0
stress_pair() {
	stress_phase disabled
	echo "EEVDF: $rounds hackbench rounds in 60 s of stress-ng, $(rate $rounds $hb_cs)/s"
	eevdf_rounds=$((eevdf_rounds + rounds)) eevdf_cs=$((eevdf_cs + hb_cs))
	start_scheduler $MODEL_ARGS --profile auto --stats 10
	stress_phase enabled
	ok "stayed enabled for 60 s: stress-ng cpu/fork/switch/yield, $rounds hackbench rounds, $(rate $rounds $hb_cs)/s"
	joule_rounds=$((joule_rounds + rounds)) joule_cs=$((joule_cs + hb_cs))
	[ "$wait_ns" -le 1500000000 ] ||
		fail "$wait_comm[$wait_pid] waited $((wait_ns / 1000000)) ms to run (bound 1500 ms)"
	ok "no task waited over 1500 ms to run"
}

# rate_ratio: scx_joule's rate over EEVDF's, from the totals.
rate_ratio() {
	awk -v jr=$joule_rounds -v jc=$joule_cs -v er=$eevdf_rounds -v ec=$eevdf_cs \
		'BEGIN { printf "%.2f", (jc && er) ? (jr / jc) / (er / ec) : 0 }'
}
bar=0.70
above_bar() { awk -v q="$(rate_ratio)" -v bar=$bar 'BEGIN { exit !(q >= bar) }'; }

stress_pair
pairs=1
if [ -n "$MODEL" ] && ! above_bar; then
	echo "hackbench rate ratio $(rate_ratio) after one pair, under $bar: a second pair decides"
	stop_scheduler INT
	stress_pair
	pairs=2
fi
echo "hackbench rounds in $((pairs * 60)) s: scx_joule $joule_rounds, EEVDF $eevdf_rounds, ratio $(ratio $joule_rounds $eevdf_rounds)"
echo "hackbench rate: scx_joule $(rate $joule_rounds $joule_cs)/s, EEVDF $(rate $eevdf_rounds $eevdf_cs)/s, ratio $(rate_ratio)"
if [ -n "$MODEL" ]; then
	above_bar ||
		fail "hackbench rate under scx_joule $(rate_ratio)x EEVDF's in $((pairs * 60)) s each, under ${bar}x"
	ok "hackbench rate at least ${bar}x EEVDF's"
fi
stats_tail 6
grep -q 'hotplug\|exited' $LOG && grep -E 'restart|exited' $LOG
stop_scheduler INT
check_irq_watch
check_dmesg
