# Both big CPUs offline when scx_joule reads the model, as after maxcpus=4:
# the recorded RK3399 board with CPUs 4-5 offline (tests/fixtures
# offline-big), whose sysfs, like Linux's, tells nothing of an offline CPU
# but that its cpufreq policy has no online CPU. The model can only guess
# them (the little CPU nearest by number). Once they are online, what the
# kernel shows of them (here: the whole board, tests/fixtures
# arm-board-rk3399, put in place of the root before they come online) must
# be read, or the two A72s run as A53s for good:
# - the loader says it read the model again and attached again, once;
# - of two CPU hogs, at least 80% of their run time is on CPUs 4-5
#   (sched-probe runtime), where a model of six little CPUs spreads them;
# - busy CPU 5 asks for its top speed (sched-probe perf: about 1024/1.25 =
#   820 on the kernel's scale); taken for an A53 it would ask for about 300.
. /scenarios/lib.sh
# its own exit and the kernel's refusal, both asking the loader to restart
DMESG_EXITS="unregistered from BPF|unregistered from the main kernel"
ROOT=/tmp/board
ln -s /extra/offline-big $ROOT || fail "cannot link $ROOT"
for c in 4 5; do
	echo 0 >/sys/devices/system/cpu/cpu$c/online || fail "cannot take CPU $c offline"
done
start_scheduler --sysfs-root $ROOT --profile balanced --stats 1
grep -q "offline CPUs 4-5: nothing known of them" $LOG ||
	fail "no warning that CPUs 4-5 were guessed"
ok "attached with CPUs 4-5 offline and guessed"

rm $ROOT && ln -s /extra/arm-board-rk3399 $ROOT || fail "cannot relink $ROOT"
for c in 4 5; do
	echo 1 >/sys/devices/system/cpu/cpu$c/online || fail "cannot bring CPU $c online"
done
wait_log "model read again" 30 || fail "the model was not read again within 30 s"
wait_log "attaching again" 5 || fail "no 'attaching again' after the model was read again"
wait_attached 2 $ATTACH_WAIT || fail "not attached again within $ATTACH_WAIT s (state $(scx_state))"
[ "$(scx_state)" = enabled ] || fail "attached again, but sched_ext is $(scx_state)"
grep -E "exited: |model read again|attaching again|^scx_joule: attached" $LOG
grep -q "CPU 4 came online; the model only guessed it" $LOG ||
	fail "the exit does not say CPU 4 came online with a guessed entry"
ok "CPU 4 came online: the model was read again and the scheduler attached again, once"

# big_hogs WHEN: two hogs must run on CPUs 4-5, and busy CPU 5 ask for its top speed
big_hogs() {
	sh -c 'while :; do :; done' &
	hog1=$!
	sh -c 'while :; do :; done' &
	hog2=$!
	sleep 3
	pct_on "$BIG" $hog1 $hog2 >/tmp/onbig.txt
	onbig=$(tail -n 1 /tmp/onbig.txt)
	probe_perf 20 10 >/tmp/perf.txt
	req5=$(busy_request 5)
	show_requests 5
	kill $hog1 $hog2
	wait $hog1 $hog2 2>/dev/null
	echo "$1: two hogs: ${onbig}% of their run time on CPUs 4-5; CPU 5 requests $req5 while busy"
	[ "$onbig" -ge 80 ] || fail "$1: the two hogs ran ${onbig}% on big CPUs 4-5"
	[ "$req5" -ge 650 ] && [ "$req5" -le 1000 ] ||
		fail "$1: CPU 5 busy requests $req5: its top speed is about 820 (an A53's: about 300)"
	ok "$1: CPUs 4-5, guessed while offline, run as the big CPUs they are"
}

big_hogs "online after the attach"
[ "$(attached)" -eq 2 ] || fail "attached $(attached) times, not twice"
stop_scheduler INT

# The same CPUs coming online after the model was read but before the
# attach, while the programs load: no ops.cpu_online tells of them. The
# kernel's hotplug count, read with the model and given with the attach
# (ops.hotplug_seq), makes the kernel refuse the attach with a restart.
for c in 4 5; do
	echo 0 >/sys/devices/system/cpu/cpu$c/online || fail "cannot take CPU $c offline again"
done
rm $ROOT && ln -s /extra/offline-big $ROOT || fail "cannot relink $ROOT"
wait_state disabled 5 || fail "sched_ext not disabled before the second start: $(scx_state)"
# emptied first: wait_log must not find the first run's "nothing known" line
# while the background job has yet to open the log (the scenario then relinked
# the root under a loader still starting: "/tmp/board: no sys/devices/system/cpu
# there", seen once on 7.3 with a CI run beside it)
: >$LOG
scx_joule --sysfs-root $ROOT --profile balanced --stats 1 >$LOG 2>&1 &
SCHED_PID=$!
wait_log "offline CPUs 4-5: nothing known" 30 || fail "the second start did not read the model within 30 s"
[ "$(scx_state)" = disabled ] || fail "attached before the CPUs came online: nothing to test"
rm $ROOT && ln -s /extra/arm-board-rk3399 $ROOT || fail "cannot relink $ROOT"
for c in 4 5; do
	echo 1 >/sys/devices/system/cpu/cpu$c/online || fail "cannot bring CPU $c online again"
done
wait_attached 1 $ATTACH_WAIT || fail "not attached within $ATTACH_WAIT s (state $(scx_state))"
grep -E "exited: |model read again|attaching again|^scx_joule: attached" $LOG
grep -q "hotplug seq" $LOG || fail "the kernel did not refuse the attach for the hotplug during the load"
grep -q "model read again: .*2 kinds" $LOG || fail "the model was not read again with both kinds"
ok "CPUs online during the load: the kernel refused the attach, the model was read again"
big_hogs "online during the load"
# one restart (the refusal), not one per re-read during the hogs
[ "$(attached)" -eq 1 ] || fail "attached $(attached) times in the second run, not once"
stop_scheduler INT
check_dmesg
