# Attach, check the ops name, detach with SIGINT: state back to disabled and
# the loader reports why it exited.
. /scenarios/lib.sh
start_scheduler
sleep 2
stop_scheduler INT
[ $SCHED_RC -eq 0 ] || fail "loader exited $SCHED_RC after SIGINT"
grep -q '^scx_joule: exited: unregistered' $LOG || fail "no exit message from the loader"
grep '^scx_joule: exited' $LOG
check_dmesg
