# Work conservation (issue 10): under hackbench plus a mixed load (two CPU
# hogs and four tasks busy 2 ms of every 10 ms), the time tasks spend
# waiting to run, summed over every task by the kernel (/proc/schedstat
# run_delay), is no more than 1.1x EEVDF's for the same work in the same
# boot. An idle CPU that is not told about queued work leaves it waiting.
. /scenarios/lib.sh

# waited_ns: every CPU's run_delay (8th value of its /proc/schedstat line)
waited_ns() { awk '/^cpu[0-9]/ { s += $9 } END { printf "%.0f\n", s }' /proc/schedstat; }

# mixed_load NAME: the workload; prints "NAME WAITED_NS HACKBENCH_S"
mixed_load() {
	periodic-load 4 2000 10000 30 >/dev/null &
	light=$!
	sh -c 'while :; do :; done' &
	h1=$!
	sh -c 'while :; do :; done' &
	h2=$!
	sleep 1
	w0=$(waited_ns)
	read -r t0 _ </proc/uptime
	hackbench -g 4 -l 100 >/dev/null || fail "hackbench failed" >&2
	read -r t1 _ </proc/uptime
	# run_delay grows when a wait ends: read once the load has run to its
	# exit, so that a task held across the end is counted too
	kill $h1 $h2 $light
	wait $h1 $h2 $light 2>/dev/null
	none_left periodic-load
	w1=$(waited_ns)
	echo "$1 $((w1 - w0)) $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

mixed_load eevdf >/tmp/eevdf.txt
start_scheduler --model $MODEL --profile balanced --stats 5
mixed_load scx_joule >/tmp/joule.txt
stats_tail 1
stop_scheduler INT
read -r _ w_eevdf s_eevdf </tmp/eevdf.txt
read -r _ w_joule s_joule </tmp/joule.txt
[ "${w_eevdf:-0}" -gt 0 ] && [ -n "$w_joule" ] ||
	fail "no waiting time measured (EEVDF '$w_eevdf', scx_joule '$w_joule')"
ratio=$(awk -v a="$w_joule" -v b="$w_eevdf" 'BEGIN { printf "%.2f", a / b }')
echo "time waited to run: EEVDF $((w_eevdf / 1000000)) ms (hackbench ${s_eevdf} s)," \
	"scx_joule $((w_joule / 1000000)) ms (hackbench ${s_joule} s): ${ratio}x"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.1) }' || fail "tasks waited ${ratio}x as long as under EEVDF (limit 1.1x)"
ok "waiting within 1.1x of EEVDF's"
check_dmesg
