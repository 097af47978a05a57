# Live profile switching (issue 4): scx_joule --profile auto follows a fake
# power-supply tree (--power-sysfs) while it runs. Going from AC to battery
# must switch balanced -> powersave, and the firmware asking for
# "performance" must switch to performance, without detaching; placement
# must follow: energy placements under powersave, none under performance
# (the scheduler's per-interval placement counts), and the share of busy time
# on big CPUs (/proc/schedstat): at most 10% in powersave, at least 80% in
# performance.
. /scenarios/lib.sh
fake=/tmp/fakesys
mkdir -p $fake/class/power_supply/AC $fake/class/power_supply/BAT0 $fake/firmware/acpi
echo Mains >$fake/class/power_supply/AC/type
echo 1 >$fake/class/power_supply/AC/online
echo Battery >$fake/class/power_supply/BAT0/type
echo balanced >$fake/firmware/acpi/platform_profile

start_scheduler --model $MODEL --profile auto --power-sysfs $fake --stats 1
wait_log '^scx_joule: profile balanced \(auto: on AC power' 5 || fail "did not start in balanced on AC"

# phase NAME: run light tasks for 6 s and report where their busy time went
phase() {
	light_tasks 3 7
	sleep 1
	pct=$(cpu_busy_pct "$BIG" 4)
	wait $LIGHT_PID
	echo "$1: big CPUs' share of busy time: $pct%"
	eval "big_$1=$pct"
}

echo 0 >$fake/class/power_supply/AC/online
# the loader looks at the power state about once a second
wait_log '^scx_joule: profile powersave \(auto: on battery' 5 || fail "no switch to powersave on battery"
[ "$(scx_state)" = enabled ] || fail "detached while switching profile"
phase powersave
stats_tail 3 | tee /tmp/ps.txt
grep -q ' powersave busy' /tmp/ps.txt || fail "stats do not show powersave"
# ' place energy=' is the placement count; '| energy=' the estimate in joules
grep ' powersave busy' /tmp/ps.txt | grep -q ' place energy=[1-9]' || fail "no energy placements in powersave"

echo performance >$fake/firmware/acpi/platform_profile
wait_log '^scx_joule: profile performance \(auto: platform_profile performance\)' 5 ||
	fail "no switch to performance on platform_profile"
[ "$(scx_state)" = enabled ] || fail "detached while switching profile"
phase performance
stats_tail 3 | tee /tmp/pf.txt
grep ' performance busy' /tmp/pf.txt | tail -n 2 | grep -q ' place energy=[1-9]' &&
	fail "energy placements continued in performance"
grep ' performance busy' /tmp/pf.txt | tail -n 2 | grep -q 'perf=[1-9]' ||
	fail "no performance placements in performance"
grep '^scx_joule: profile' $LOG
echo "light busy time on big CPUs: powersave $big_powersave%, performance $big_performance%"
[ "$big_powersave" -le 10 ] || fail "powersave left $big_powersave% of busy time on big CPUs"
[ "$big_performance" -ge 80 ] || fail "performance put only $big_performance% of busy time on big CPUs"
stop_scheduler INT
check_dmesg
