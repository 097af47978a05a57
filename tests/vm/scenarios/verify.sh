# Load scx_joule with libbpf's debug output and show what the verifier said:
# for a failing load, the end of the log (the failing instruction and the
# "processed N insns" line); for a load that passes, the instructions the
# verifier walked per program and how long loading took (most of the start
# to attach). Used to debug verifier rejections and load times on a kernel.
. /scenarios/lib.sh
scx_joule -v >$LOG 2>&1 &
pid=$!
if wait_state enabled $ATTACH_WAIT; then
	ok "verifier accepted every program"
	grep -E '^scx_joule: verifier:' $LOG
	check_stack_depth
	kill -INT $pid
	wait $pid
	exit 0
fi
wait $pid
grep -E 'processed [0-9]+ insns|failed to load|BEGIN PROG LOAD LOG|too complex|^[0-9]+: \(' $LOG | tail -n 60
fail "scx_joule did not attach"
