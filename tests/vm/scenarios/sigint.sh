# Attach, check the ops name, detach with SIGINT: state back to disabled and
# the loader reports why it exited. Then the same while the loader is blocked
# writing stats into a pipe nobody reads.
. /scenarios/lib.sh
start_scheduler
sleep 2
stop_scheduler INT
grep -q '^scx_joule: exited: unregistered' $LOG || fail "no exit message from the loader"
grep '^scx_joule: exited' $LOG
check_dmesg

# A stats reader that stops reading, as a paused pager: the stats lines fill
# the pipe and the loader blocks writing one. SIGINT must still end the run
# and detach. The loader before this case (handlers with signal(), so the
# write went on after the handler and blocked again) failed it on 7.3: "the
# loader had not exited 30 s after SIGINT". Now a stop signal arms a check
# that sends an output stuck at two checks a second apart to /dev/null.
mkfifo /tmp/stats.fifo
sleep 600 </tmp/stats.fifo &
reader=$!
trap 'kill $reader 2>/dev/null; rm -f /tmp/stats.fifo' EXIT
: >$LOG
scx_joule --stats 0.1 --stats-json >/tmp/stats.fifo 2>$LOG &
SCHED_PID=$!
wait_state enabled $ATTACH_WAIT ||
	fail "scheduler did not attach within $ATTACH_WAIT s (state $(scx_state))"
i=0
until grep -q pipe /proc/$SCHED_PID/wchan 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && fail "stats never filled the pipe (wchan $(cat /proc/$SCHED_PID/wchan))"
	sleep 0.1
done
ok "the loader is blocked writing stats into a full pipe (wchan $(cat /proc/$SCHED_PID/wchan))"
stop_scheduler INT
# the blocked line went to /dev/null whole: no write failed
! grep -q "cannot write the stats" $LOG || fail "a stats write failed: $(cat $LOG)"
check_dmesg
