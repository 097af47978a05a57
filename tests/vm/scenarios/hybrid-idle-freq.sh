# Frequency requests as the kernel received them (issue 9), read by the
# kernel probe (sched-probe perf: every CPU's rq->scx.cpuperf_target, the
# value schedutil turns into a frequency, on the system-wide capacity scale,
# with its own x1.25 on top):
# - right after attach, and within 100 ms of a load on every CPU stopping,
#   every idle CPU (nothing on its run queue in two samples 20 ms apart)
#   requests at most the idle floor, 128; the kernel itself sets 1024 for
#   every CPU when a scheduler attaches, and an idle CPU does not tick;
# - under load each CPU asks on the system-wide scale for what its
#   utilization needs with the profile's headroom (balanced: 1.25, the same
#   as schedutil's, so the request is the utilization): a hog on a little
#   CPU asks for about its capacity (381 in the model), on a big CPU about
#   1024 / 1.25; a little CPU busy 10 ms of every 20 ms asks for less than
#   its capacity, near half of it.
. /scenarios/lib.sh
FLOOR=128

# idle_requests WHEN: sample every 20 ms for 100 ms; a CPU idle in a sample
# and the one before must request at most FLOOR.
idle_requests() {
	probe_perf 20 6 >/tmp/perf.txt
	awk '{ print $2, $3, $4, $5 }' /tmp/perf.txt | awk -v f=$FLOOR -v when="$1" '
		{ if (prev_idle[$2] && $4 == 0) { n++; if ($3 > f) bad = bad " cpu" $2 "=" $3 "@" $1 "ms"; reqs = reqs " " $3 }
		  prev_idle[$2] = ($4 == 0) }
		END { printf "%s: idle CPUs requested:%s\n", when, reqs
		      if (!n) { print "no CPU was idle twice in a row"; exit 1 }
		      if (bad != "") { printf "over %d:%s\n", f, bad; exit 1 } }' ||
		fail "$1: idle CPUs did not give up their frequency request"
	ok "$1: every idle CPU requests at most $FLOOR"
}

# request_of CPU: the median of CPU's requests in /tmp/perf.txt while it had
# something to run (an idle CPU requests 0)
request_of() {
	awk -v c="$1" '$3 == c && $5 > 0 { print $4 }' /tmp/perf.txt | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }'
}

start_scheduler --model $MODEL --profile balanced --stats 2
idle_requests "right after attach"

hogs=
for c in 0 1 2 3 4 5; do
	taskset -c $c sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
sleep 3
probe_perf 20 10 >/tmp/perf.txt
little=$(request_of 2)
big=$(request_of 4)
echo "a hog on every CPU: little CPU 2 requests $little, big CPU 4 requests $big"
awk '{ r[$3] = r[$3] " " $4 "/" $5 } END { for (c in r) printf "  cpu %s request/nr_running:%s\n", c, r[c] }' /tmp/perf.txt
kill $hogs
wait $hogs 2>/dev/null
idle_requests "within 100 ms of the load stopping"
[ "$little" -ge 260 ] && [ "$little" -le 400 ] ||
	fail "a busy little CPU (capacity 381) should request about 381/1.25..381, not $little"
[ "$big" -ge 700 ] && [ "$big" -le 1024 ] ||
	fail "a busy big CPU should request about 1024/1.25 = 820, not $big"

taskset -c 1 periodic-load 1 10000 20000 5 >/dev/null &
half=$!
sleep 3
probe_perf 7 40 >/tmp/perf.txt
wait $half
req=$(request_of 1)
busy=$(awk '$3 == 1 && $5 > 0' /tmp/perf.txt | wc -l)
echo "little CPU 1 busy 10 ms of every 20 ms: requests $req while busy (median of $busy of 40 samples 7 ms apart; capacity 381)"
# schedutil runs it at req * 1.25 / 381 of its top speed: 305 means the top
[ "$req" -le 260 ] || fail "a half-busy little CPU requests $req, near its whole capacity (381/1.25 = 305 is the top speed)"
[ "$req" -ge 95 ] || fail "a half-busy little CPU requests only $req (half its capacity is 190)"
ok "requests under load are on the system-wide scale with the profile's headroom"
stats_tail 2
stop_scheduler INT
check_dmesg
