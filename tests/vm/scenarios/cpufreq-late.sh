# A cpufreq driver that probes after the scheduler started (a module udev
# loads late, a cluster's driver that failed once): the loader sees the
# machine's cpufreq policies change, reads its model again and attaches
# again, once per change. The guest has no cpufreq driver; a tmpfs over
# its cpufreq directory, with a policy directory in it, stands in for one.
# The kernel's own count of enables (enable_seq) must move by one each time.
# A new count must hold for two of the loader's checks (3 s apart), so that
# a driver switching modes (unregistered, registered again) is not a restart.
. /scenarios/lib.sh
CPUFREQ=/sys/devices/system/cpu/cpufreq
[ -d $CPUFREQ ] || fail "no $CPUFREQ in this guest"
before=$(ls -d $CPUFREQ/policy* 2>/dev/null | wc -l)
start_scheduler
# the kernel counts an enable after it reports the state enabled, and before
# the loader's attach returns: read before the loader says so, the count may
# not have moved yet, and the next change seemed to move it by 2 (CI, 7.2)
wait_attached 1 $ATTACH_WAIT || fail "the loader did not say it attached within $ATTACH_WAIT s"
seq0=$(cat $SCX/enable_seq)
sleep 6
[ "$(attached)" -eq 1 ] || fail "attached $(attached) times with no cpufreq change"
mount -t tmpfs none $CPUFREQ || fail "cannot mount a tmpfs over $CPUFREQ"
mkdir $CPUFREQ/policy0 $CPUFREQ/policy1
wait_log "^scx_joule: cpufreq policies $before -> 2: reading the model again" 12 ||
	fail "the loader did not see the new policies within 12 s"
wait_attached 2 $ATTACH_WAIT || fail "not attached again within $ATTACH_WAIT s of the change"
wait_state enabled 10 || fail "sched_ext $(scx_state) after the restart"
n=$(grep -c '^scx_joule: model read again' $LOG)
[ "$n" -eq 1 ] || fail "the model was read again $n times after one change, not once"
seq1=$(cat $SCX/enable_seq)
[ $((seq1 - seq0)) -eq 1 ] || fail "enable_seq moved by $((seq1 - seq0)), not 1"
ok "policies $before -> 2: model read again, attached again (enable_seq $seq0 -> $seq1)"
umount $CPUFREQ
wait_attached 3 $ATTACH_WAIT || fail "not attached again within $ATTACH_WAIT s of the policies going"
sleep 6
[ "$(attached)" -eq 3 ] || fail "attached $(attached) times after two changes"
seq2=$(cat $SCX/enable_seq)
[ $((seq2 - seq1)) -eq 1 ] || fail "enable_seq moved by $((seq2 - seq1)) after the second change"
n=$(grep -c '^scx_joule: model read again' $LOG)
[ "$n" -eq 2 ] || fail "the model was read again $n times after two changes, not twice"
ok "policies back to $before: attached again once (enable_seq $seq1 -> $seq2)"
grep -E '^scx_joule: (cpufreq|model read|attaching)' $LOG
stop_scheduler INT
check_dmesg
