# A benchmark, not in the vm suite (docs/design.md, "Kernel threads under
# load"): three CPU hogs per CPU and a fork-and-exit loop (stress-ng --fork,
# whose exits give RCU work) for 15 s, first under EEVDF, then under
# scx_joule, with the hybrid model. Prints, from the kernel's switches
# (sched-probe longest), rcu_preempt's waits to run (RCU's grace-period
# kthread: when it cannot run, no grace period ends) and every task's
# longest wait and waits over 100 ms. Fails only if something does not run.
# Run:
#   tests/vm/run-vm.sh --kernel K --build BUILD --cpus 6 --extra sim/socs kthread-waits
. /scenarios/lib.sh
WINDOW=15
n=$(nr_cpus)

# kthread_phase WHO: sets rcu_ms, rcu_over (rcu_preempt's longest wait and
# its waits over 100 ms)
kthread_phase() {
	sched-probe longest $WINDOW rcu_preempt >/tmp/longest.txt 2>/tmp/longest.err &
	probe=$!
	wait_probe_attached /tmp/longest.err
	stress-ng --cpu $((3 * n)) --fork 2 --timeout ${WINDOW}s --quiet &
	stress=$!
	wait $stress || fail "stress-ng failed under $1"
	wait $probe || fail "sched-probe longest failed under $1: $(cat /tmp/longest.err)"
	line=$(awk '$1 == "comm" && $NF == "rcu_preempt"' /tmp/longest.txt)
	[ -n "$line" ] || fail "no wait of rcu_preempt under $1: $(cat /tmp/longest.txt)"
	rcu_ms=$(echo "$line" | awk '{ printf "%d", $4 / 1e6 }')
	rcu_over=$(echo "$line" | awk '{ print $5 }')
	grep '^longest\|^waits\|^comm' /tmp/longest.txt | sed "s/^/$1: /"
}

kthread_phase EEVDF
echo "EEVDF: rcu_preempt waited at most $rcu_ms ms, $rcu_over times over 100 ms"
start_scheduler $MODEL_ARGS --profile balanced --stats 5
kthread_phase scx_joule
[ "$(scx_state)" = enabled ] || fail "sched_ext $(scx_state) after the load"
echo "scx_joule: rcu_preempt waited at most $rcu_ms ms, $rcu_over times over 100 ms"
stop_scheduler INT
check_dmesg
