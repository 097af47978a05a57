# Realtime tasks (issue 10): a SCHED_FIFO hog takes CPU 0 for 6 s while 6
# normal hogs run on the 6 CPUs. The normal hog it preempts goes back to
# CPU 0's local queue (sched_ext keeps a preempted task at its head), where
# by the kernel's contract it waits as long as the realtime task runs (on
# 7.x, the deadline server for sched_ext lets it run about 5% of the time)
# unless the scheduler moves it. scx_joule re-enqueues such tasks (a
# sched_switch hook on 6.19+, ops.cpu_release before). The kernel probe
# measures every wait to run of the normal hogs. Left in CPU 0's queue, the
# preempted one waited 952 ms (the deadline server's period less its 50 ms);
# with 6 hogs on the 5 CPUs left, waits of tens of ms are the guest's usual
# (EEVDF's too), so the bar is 400 ms.
. /scenarios/lib.sh
start_scheduler --model $MODEL --profile balanced --stats 5
hogs=
for i in 1 2 3 4 5 6; do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
sleep 1
stress-ng --cpu 1 --sched fifo --sched-prio 50 --taskset 0 --timeout 6s --quiet &
rt=$!
sleep 0.5
sched-probe waits 5 $hogs >/tmp/waits.txt || fail "sched-probe waits failed"
wait $rt || fail "the SCHED_FIFO stress-ng failed"
kill $hogs
stats_tail 1
awk '{ printf "  hog %s: %d waits, mean %.2f ms, longest %.2f ms\n", $1, $2, $3 / $2 / 1e6, $4 / 1e6
	if ($4 > max) max = $4 }
	END { printf "longest wait of a normal hog beside the realtime one: %.2f ms\n", max / 1e6 }' \
	/tmp/waits.txt | tee /tmp/waits.sum
[ "$(wc -l </tmp/waits.txt)" -eq 6 ] || fail "the probe saw $(wc -l </tmp/waits.txt) of 6 hogs wait"
longest=$(awk '/^longest/ { print int($(NF - 1)) }' /tmp/waits.sum)
[ "$longest" -lt 400 ] || fail "a normal task waited ${longest} ms behind the realtime task"
ok "no normal task waited behind the realtime task"
stop_scheduler INT
check_dmesg
