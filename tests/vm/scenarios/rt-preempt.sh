# Realtime tasks (issue 10): a SCHED_FIFO hog takes CPU 0 for 6 s while 6
# normal hogs run on the 6 CPUs. The normal hog it preempts goes back to
# CPU 0's local queue (sched_ext keeps a preempted task at its head), where
# by the kernel's contract it waits as long as the realtime task runs (on
# 7.x, the deadline server for sched_ext lets it run about 5% of the time)
# unless the scheduler moves it. scx_joule re-enqueues such tasks (a
# sched_switch hook on 6.19+, ops.cpu_release before: older-kernel-paths
# runs that one). Left in CPU 0's queue, the preempted hog waited 952 ms.
. /scenarios/lib.sh
start_scheduler --model $MODEL --profile balanced --stats 5
check_rt_takeover 400
stop_scheduler INT
check_dmesg
