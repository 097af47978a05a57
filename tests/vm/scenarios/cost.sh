# Cost of the scheduler's BPF callbacks (issue 10), not in the `vm` suite:
# scripts/bench-cost.sh runs it at several CPU counts and prints one table.
# In one boot, the same work (hackbench beside light periodic tasks) runs
# under EEVDF, under the test suite's global-FIFO scheduler (fifo-floor: the
# floor any sched_ext scheduler pays; SCHED fifo on the kernel's global
# queue, fifodsq on a queue of its own that its ops.dispatch drains) and
# under scx_joule --profile balanced on a hybrid model. bpf-cost reads the kernel's own per-program run time
# (BPF_ENABLE_STATS) over each hackbench run. Prints, as lines for the script:
#   cost CPUS SCHED KIND CALLS NS_PER_CALL   per callback kind
#   mean CPUS SCHED CALLS TOTAL_NS NS_PER_CALL
#   hackbench CPUS SCHED SECONDS              the whole run: forking 4 x 40 tasks,
#                                             their messages, their exits
#   hbtime CPUS SCHED SECONDS                 hackbench's own "Time:", the part it
#                                             times: from the start signal to the
#                                             last task reaped (no forking)
#   switches CPUS SCHED N                     context switches (/proc/stat ctxt)
#   idle CPUS SCHED PERCENT                   idle and iowait share of CPU time
#   attach CPUS MS                            scx_joule's start to attached
# It fails only when something does not work, never on a number.
#
# /extra/cost-CPUS.soc, if there, is the model (scripts/bench-cost.sh makes
# one per CPU count), else lib.sh's; /extra/cost.conf may set HB_GROUPS,
# HB_LOOPS, MIX_TASKS, JOULE_VARIANTS: scx_joule option sets, commas for
# spaces ("--slice-us,20000 --profile,performance"), each measured in the same
# boot (hackbench, switches and idle only) before scx_joule's own run, and
# BUSY_CPUS=N: the work runs on CPUs 0..N-1 only (taskset), the others idle,
# to tell what the emulation adds per busy vCPU from what the code costs.
. /scenarios/lib.sh

CPUS=$(nr_cpus)
HB_GROUPS=4 HB_LOOPS=100 MIX_TASKS=4 BUSY_CPUS=
[ -f /extra/cost.conf ] && . /extra/cost.conf
RUN_ON=
if [ -n "$BUSY_CPUS" ]; then
	[ "$BUSY_CPUS" -ge 1 ] && [ "$BUSY_CPUS" -le "$CPUS" ] ||
		fail "BUSY_CPUS=$BUSY_CPUS: this guest has $CPUS CPUs"
	RUN_ON="taskset -c 0-$((BUSY_CPUS - 1))"
fi
COST_MODEL=$MODEL
[ -f /extra/cost-$CPUS.soc ] && COST_MODEL=/extra/cost-$CPUS.soc
echo "cost: $CPUS CPUs, model $COST_MODEL, hackbench -g $HB_GROUPS -l $HB_LOOPS," \
	"$MIX_TASKS tasks busy 2 ms of every 10 ms${RUN_ON:+, on CPUs 0-$((BUSY_CPUS - 1)) only}"

# now_ns: guest time in ns ("now at" of /proc/timer_list), else /proc/uptime's 10 ms
now_ns() {
	awk '/^now at/ { print $3; found = 1; exit }
	     END { if (!found) { getline u <"/proc/uptime"; split(u, f, " "); printf "%.0f\n", f[1] * 1e9 } }' \
		/proc/timer_list 2>/dev/null
}

# measure SCHED: hackbench under bpf-cost beside the periodic tasks;
# the per-program lines go to /tmp/cost-SCHED.txt (characters other than
# letters, digits and _.:,=- made _)
measure() {
	$RUN_ON periodic-load "$MIX_TASKS" 2000 10000 100000 >/dev/null &
	mix=$!
	sleep 1
	f=/tmp/cost-$(printf %s "$1" | tr -c 'A-Za-z0-9_.:,=-' '_').txt
	sw0=$(awk '$1 == "ctxt" { print $2 }' /proc/stat)
	id0=$(awk '$1 == "cpu" { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
	bpf-cost $RUN_ON hackbench -g "$HB_GROUPS" -l "$HB_LOOPS" >"$f" ||
		fail "hackbench under $1 failed"
	sw1=$(awk '$1 == "ctxt" { print $2 }' /proc/stat)
	id1=$(awk '$1 == "cpu" { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
	kill $mix
	wait $mix 2>/dev/null
	none_left periodic-load
	awk -v c="$CPUS" -v s="$1" '/^window / { printf "hackbench %s %s %.3f\n", c, s, $2 / 1e9 }
		/^Time: / { printf "hbtime %s %s %s\n", c, s, $2 }' "$f"
	echo "switches $CPUS $1 $((sw1 - sw0))"
	echo "$id0 $id1" | awk -v c="$CPUS" -v s="$1" '{ printf "idle %s %s %.1f\n", c, s, 100 * ($3 - $1) / ($4 - $2) }'
}

# report SCHED PREFIX: per kind (the name after PREFIX) and the mean, of
# the programs named PREFIX*
report() {
	awk -v c="$CPUS" -v s="$1" -v pre="$2" '
		$1 == "prog" && index($3, pre) == 1 && $4 > 0 {
			k = substr($3, length(pre) + 1); calls[k] += $4; ns[k] += $5
			tc += $4; tn += $5 }
		END {
			for (k in calls) printf "cost %s %s %s %d %.0f\n", c, s, k, calls[k], ns[k] / calls[k]
			if (tc) printf "mean %s %s %d %.0f %.0f\n", c, s, tc, tn, tn / tc }' /tmp/cost-$1.txt |
		sort
}

measure eevdf

# floor NAME ARGS...: the same under fifo-floor ARGS
floor() {
	name=$1
	shift
	start_fifo_floor "$@"
	measure "$name"
	stop_fifo_floor
}

# the kernel's global queue, drained by the kernel; then a queue of the
# floor's own that its ops.dispatch moves to the CPU, as scx_joule's does
floor fifo
floor fifodsq --dsq

# start to attach: the loader started, to root/ops naming it (polled every 10 ms)
wait_state disabled 5 || fail "sched_ext not disabled before scx_joule: $(scx_state)"
for v in ${JOULE_VARIANTS:-}; do
	wait_state disabled 5 || fail "not disabled before variant $v"
	scx_joule --model "$COST_MODEL" --profile balanced $(echo "$v" | tr , ' ') >$LOG 2>&1 &
	SCHED_PID=$!
	wait_state enabled $ATTACH_WAIT || fail "variant $v did not attach"
	measure "joule:$v"
	stop_scheduler INT
done
t0=$(now_ns)
scx_joule --model "$COST_MODEL" --profile balanced >$LOG 2>&1 &
SCHED_PID=$!
i=0
while [ "$(cat $SCX/root/ops 2>/dev/null)" != scx_joule ]; do
	i=$((i + 1))
	[ $i -gt 6000 ] && fail "scx_joule did not attach within 60 s (state $(scx_state))"
	sleep 0.01
done
t1=$(now_ns)
echo "attach $CPUS $(((t1 - t0) / 1000000))"
measure joule
stop_scheduler INT

report fifo fifo_
report fifodsq fifo_
report joule joule_
for s in fifo fifodsq joule; do
	sed "s/^/  $s: /" /tmp/cost-$s.txt
done
[ -n "$(report fifo fifo_)" ] || fail "bpf-cost saw no call of the floor's programs"
[ -n "$(report fifodsq fifo_)" ] || fail "bpf-cost saw no call of the own-queue floor's programs"
[ -n "$(report joule joule_)" ] || fail "bpf-cost saw no call of scx_joule's programs"
check_dmesg
