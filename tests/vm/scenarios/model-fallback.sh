# This machine's own topology does not read (a kernel whose sysfs lacks what
# the loader needs): the loader warns, treats every CPU as equal and attaches
# anyway, rather than leave the machine to EEVDF without a word. Checked from
# outside the scheduler: with more hogs than CPUs, every CPU is busy >= 95%
# of the time (/proc/stat). When cpufreq policies come (a driver that probes
# late) and the model now reads, it is read again and the scheduler attaches
# with it. A file bound over /sys/devices/system/cpu/online stands in for the
# broken sysfs; a tmpfs over the cpufreq directory for the late driver.
. /scenarios/lib.sh
ONLINE=/sys/devices/system/cpu/online
CPUFREQ=/sys/devices/system/cpu/cpufreq
[ -d $CPUFREQ ] || fail "no $CPUFREQ in this guest"
echo "none of it" >/tmp/online
mount -o bind /tmp/online $ONLINE || fail "cannot bind a file over $ONLINE"
[ "$(cat $ONLINE)" = "none of it" ] || fail "$ONLINE still reads '$(cat $ONLINE)'"

start_scheduler --stats 2
wait_attached 1 $ATTACH_WAIT || fail "the loader did not say it attached within $ATTACH_WAIT s"
grep -E "^scx_joule: warning: .*online.*; treating all CPUs as equal" $LOG ||
	fail "no warning naming the unreadable online list"
cpus=$(nr_possible_cpus)
grep -q "^scx_joule: attached (.*; homogeneous: $cpus CPUs of capacity 1024)" $LOG ||
	fail "not attached as $cpus equal CPUs: $(grep '^scx_joule: attached' $LOG)"
ok "the online list did not read: attached with $cpus equal CPUs"

n=$(($(nr_cpus) + 2))
start_hogs $n
sleep 2
cpu_stat_mark
sleep 4
busy_since_mark >/tmp/busy.txt
kill $HOGS
wait $HOGS 2>/dev/null
cat /tmp/busy.txt
[ "$(wc -l </tmp/busy.txt)" -eq "$(nr_cpus)" ] || fail "busy time of $(wc -l </tmp/busy.txt) CPUs, not $(nr_cpus)"
idle=$(awk '$4 + 0 < 95 { printf "%s ", $2 }' /tmp/busy.txt)
[ -z "$idle" ] || fail "with $n hogs on $(nr_cpus) equal CPUs, CPUs $idle were busy under 95% of the time"
[ "$(scx_state)" = enabled ] || fail "sched_ext $(scx_state) after the hogs"
ok "$n hogs: every CPU busy >= 95% of the time"

umount $ONLINE || fail "cannot unbind $ONLINE"
mount -t tmpfs none $CPUFREQ || fail "cannot mount a tmpfs over $CPUFREQ"
mkdir $CPUFREQ/policy0
wait_log "^scx_joule: model read again: " 12 || fail "the model was not read again within 12 s"
wait_attached 2 $ATTACH_WAIT || fail "not attached again within $ATTACH_WAIT s of the model reading"
wait_state enabled 10 || fail "sched_ext $(scx_state) after the restart"
source=$(sed -n 's/^scx_joule: model read again: //p' $LOG)
# the second attach on the model read, not on the fallback's equal CPUs
again=$(grep '^scx_joule: attached' $LOG | tail -n 1)
case "$again" in
*"; $source)") ;;
*) fail "attached again on another model than the one read: $again" ;;
esac
[ "$(grep -c "treating all CPUs as equal" $LOG)" -eq 1 ] || fail "fell back again after the model read"
ok "model read again, attached again on it: $again"
stop_scheduler INT
umount $CPUFREQ
check_dmesg
