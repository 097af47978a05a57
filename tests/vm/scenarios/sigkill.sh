# The struct_ops link dies with the loader: SIGKILL must detach the scheduler.
. /scenarios/lib.sh
start_scheduler
sleep 2
stop_scheduler KILL
check_dmesg
