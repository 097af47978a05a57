# A frame's stages in gaming (issue 9, bpf/policy/frame.h), checked by what
# the kernel was asked. frame-chain runs a game's frame loop: every 16.7 ms
# the main thread runs 8 ms, then wakes the render thread through a pipe,
# which runs 4 ms; each is pinned to a big CPU of its own ($BIG: 4 and 5 in
# the board model), where run time is work. The render thread's wakeup joins
# main's frame, so its speed is its work over the 8.7 ms left, not over a
# whole period: 4 ms * 1.1875 / 8.7 ms of 1024 = 561, which its CPU
# requests (sched-probe starts: rq->scx.cpuperf_target when it is switched
# in, after ops.running set it) as 561 / 1.25 = 449. Without the join it
# would be 4 * 1.1875 / 16.7 = 292, below what its util asks with gaming's
# 1.25 (util 251: 314, request about 252). In balanced, without frame
# speeds, its util: about 252. Checked: gaming's request at least 1.4x
# balanced's, and within 380..760 (main's wakeup, the pipe and whatever
# else runs on main's CPU take some of the render thread's time: 760 is
# main done 11.7 ms into the frame). main's requests and the frames missed
# are printed for both.
. /scenarios/lib.sh
set -- $BIG
MAIN_CPU=$1
RENDER_CPU=$2

# chain PROFILE: the median start requests of render (render_req) and main
# (main_req) over 3 s, after 2 s for the estimates to settle
chain() {
	out=/tmp/chain-$1.txt
	start_scheduler $MODEL_ARGS --profile "$1"
	frame-chain 16667 8000 4000 6 $MAIN_CPU $RENDER_CPU >$out &
	chain_pid=$!
	i=0
	tids=
	while [ -z "$tids" ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && fail "$1: frame-chain did not start"
		sleep 0.1
		tids=$(sed -n 's/^frame-chain: main \([0-9]*\) render \([0-9]*\)$/\1 \2/p' $out 2>/dev/null)
	done
	set -- "$1" $tids
	sleep 2
	sched-probe starts 3 "$2" "$3" >/tmp/starts.txt || fail "sched-probe starts failed"
	wait $chain_pid
	stop_scheduler INT
	main_req=$(awk -v t="$2" '$1 == t { print $3 }' /tmp/starts.txt)
	render_req=$(awk -v t="$3" '$1 == t { print $3 }' /tmp/starts.txt)
	[ -n "$main_req" ] && [ -n "$render_req" ] || fail "$1: no starts seen: $(cat /tmp/starts.txt)"
	echo "$1: main starts with a request of $main_req, render $render_req" \
		"(starts median min max: $(tr '\n' ';' </tmp/starts.txt));" \
		"$(grep frames $out)"
}

chain balanced
render_balanced=$render_req
chain gaming
echo "render thread's request: balanced $render_balanced, gaming $render_req" \
	"(ratio $(ratio "$render_req" "$render_balanced"))"
[ $((render_req * 10)) -ge $((render_balanced * 14)) ] ||
	fail "gaming: the render thread asked $render_req, not 1.4x balanced's $render_balanced"
[ "$render_req" -ge 380 ] && [ "$render_req" -le 760 ] ||
	fail "gaming: the render thread asked $render_req, not 380..760"
ok "the render thread runs at its frame's speed: $render_req against $render_balanced"
check_dmesg
