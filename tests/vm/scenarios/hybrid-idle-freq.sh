# Frequency requests as the kernel received them (issue 9), read by the
# kernel probe (sched-probe perf: every CPU's rq->scx.cpuperf_target, the
# value schedutil turns into a frequency, on the system-wide capacity scale,
# with its own x1.25 on top):
# - right after attach, and within 100 ms of a load on every CPU stopping,
#   every idle CPU (nothing on its run queue in two samples 20 ms apart)
#   requests at most the idle floor, 128; the kernel itself sets 1024 for
#   every CPU when a scheduler attaches, and an idle CPU does not tick;
# - under load each CPU asks on the system-wide scale for the speed its
#   utilization needs with the profile's headroom (balanced: 1.25, the same
#   as schedutil's), scaled by the capacity schedutil divides by, the
#   kernel's (kernel_cap), not the model's: a hog on any CPU asks for its
#   top speed, about its kernel capacity / 1.25; a little CPU busy 10 ms of
#   every 20 ms asks for less than that, near half of its capacity.
# The bounds are fractions of each CPU's kernel capacity (hog 260..400 of
# 381 on a little CPU, 650..1024 of 1024 on a big one, half-busy 95..260 of
# 381): 1024 on every CPU of the x86 guest, whatever --model says (so that
# a little CPU's request scaled by the model's 381 fails), an arm64 guest's
# own cpu_capacity there.
# - gaming: an idle CPU may keep its request after a frame thread, but not
#   once the frames have stopped (checked from 70 ms after, as above).
# The probe itself stops the load (sched-probe perf ... PID...), once it is
# loaded, so the windows are timed from the load's end, not from the start
# of a probe whose verifier work takes longer than they do.
. /scenarios/lib.sh
# CPU 2 and 1 little, 4 big: both 4+2 layouts (the x86 model, arm64 485x4,1024x2)
LCAP=$(kernel_cap 2)
BCAP=$(kernel_cap 4)
HCAP=$(kernel_cap 1)

start_scheduler $MODEL_ARGS --profile balanced --stats 2
idle_requests "right after attach"

hogs=
for c in $(all_cpus); do
	taskset -c $c sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
sleep 3
probe_perf 20 10 >/tmp/perf.txt
little=$(busy_request 2)
big=$(busy_request 4)
echo "a hog on every CPU: little CPU 2 (kernel capacity $LCAP, model's $(cpu_cap 2)) requests $little, big CPU 4 (kernel capacity $BCAP) requests $big"
awk '{ r[$3] = r[$3] " " $4 "/" $5 } END { for (c in r) printf "  cpu %s request/nr_running:%s\n", c, r[c] }' /tmp/perf.txt
# the probe kills the hogs once it is attached, and judges from 100 ms after
idle_requests "within 100 ms of the load stopping" 100 $hogs
wait $hogs 2>/dev/null
lo=$((LCAP * 260 / 381)) hi=$((LCAP * 400 / 381))
[ "$little" -ge $lo ] && [ "$little" -le $hi ] ||
	fail "a busy little CPU (kernel capacity $LCAP) should request $lo..$hi (0.68-1.05 x its capacity), not $little"
lo=$((BCAP * 650 / 1024)) hi=$BCAP
[ "$big" -ge $lo ] && [ "$big" -le $hi ] ||
	fail "a busy big CPU (kernel capacity $BCAP) should request about $BCAP/1.25 = $((BCAP * 4 / 5)) ($lo..$hi), not $big"

taskset -c 1 periodic-load 1 10000 20000 5 >/dev/null &
half=$!
sleep 3
probe_perf 7 40 >/tmp/perf.txt
wait $half
req=$(busy_request 1)
busy=$(awk '$3 == 1 && $5 > 0' /tmp/perf.txt | wc -l)
echo "little CPU 1 busy 10 ms of every 20 ms: requests $req while busy (median of $busy of 40 samples 7 ms apart; kernel capacity $HCAP)"
# schedutil runs it at req * 1.25 / capacity of its top speed: capacity/1.25
# (820 of 1024) means the top
hi=$((HCAP * 260 / 381)) lo=$((HCAP / 4))
[ "$req" -le $hi ] || fail "a half-busy little CPU requests $req (over $hi), near its whole capacity ($HCAP/1.25 = $((HCAP * 4 / 5)) is the top speed)"
[ "$req" -ge $lo ] || fail "a half-busy little CPU requests only $req (under $lo; half its capacity is $((HCAP / 2)))"
ok "requests under load are on the system-wide scale with the profile's headroom"
stats_tail 2
stop_scheduler INT

# gaming: a CPU that goes idle after a frame thread keeps its request (the
# frame's next stage needs that speed), for JP_KEPT_REQUEST_NS (50 ms) at
# most: once the frames stop, the idle CPUs must give them up as well.
start_scheduler $MODEL_ARGS --profile gaming --stats 2
periodic-load 2 2000 10000 600 >/dev/null &
frames=$!
sleep 2
probe_perf 3 30 >/tmp/perf.txt
kept=$(awk '$5 == 0 && $4 > 0' /tmp/perf.txt | wc -l)
echo "gaming, frame tasks 2 ms every 10 ms: $kept of $(wc -l </tmp/perf.txt) CPU samples were idle holding a request"
# stopped by the probe (long before its 600 s are over, so the kill is its
# end), judged from 70 ms after
idle_requests "gaming, 70 ms after the frames stopped" 70 $frames
wait $frames
stop_scheduler INT
check_dmesg
