# A benchmark, not in the vm suite (it prints numbers and asserts nothing):
# how long light periodic tasks wait to run beside a CPU hog on every CPU,
# under EEVDF, the test suite's FIFO floor (fifo-floor --dsq: sched_ext at
# its simplest, for what sched_ext itself costs here), and scx_joule in
# balanced and in gaming, in one boot.
# Two tasks of 300 us every 4 ms, twice: woken by their own timers, then
# (periodic-load -p) by a spinning parent through pipes. With every vCPU
# busy the guest charges a task that arms a timer 10-20 ms of CPU inside
# clock_nanosleep per sleep, under any scheduler (docs/testing.md, "Timer
# sleeps in a busy guest"), so only the piped tasks are light; each line's
# cpu_us_per_run shows it. Each line gives the wait per run from the task's
# own schedstat, and for the piped tasks, over 4 s, the kernel probe's
# per-name totals (sched-probe longest: "comm WAITS TOTAL_NS MAX_NS
# OVER_100MS REQUEUED_MAX_NS REQUEUED_OVER_100MS NAME"). docs/design.md
# ("Known gaps") has the figures. Run:
#   tests/vm/run-vm.sh --kernel K --build BUILD --cpus 6 --extra sim/socs light-waits
. /scenarios/lib.sh

# phase NAME: the light tasks among one hog per CPU, 6 s woken by timers, 6 s by pipes
phase() {
	hogs=
	for i in $(all_cpus); do
		sh -c 'while :; do :; done' &
		hogs="$hogs $!"
	done
	sleep 1
	periodic-load 2 300 4000 6 | sed "s/^/$1 timer: /"
	periodic-load -p 2 300 4000 6 | sed "s/^/$1 pipe: /" &
	light=$!
	sleep 1
	sched-probe longest 4 | grep -E "^comm .* periodic-load$|^waits" | sed "s/^/$1 pipe: /"
	wait $light
	kill $hogs
	wait $hogs 2>/dev/null
}

phase EEVDF
start_fifo_floor --dsq
phase fifodsq
stop_fifo_floor
start_scheduler $MODEL_ARGS --profile balanced --stats 3
phase balanced
stats_tail 1
stop_scheduler INT
start_scheduler $MODEL_ARGS --profile gaming --stats 3
phase gaming
stats_tail 1
stop_scheduler INT
check_dmesg
