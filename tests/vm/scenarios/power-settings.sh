# EPP, turbo, platform_profile and the uncore limit with the real scheduler
# attached (issue 11). The guest has no cpufreq, so scx_joule gets a copy of a
# recorded intel_pstate laptop with intel_uncore_frequency (tests/fixtures
# intel-adl-laptop-uncore, in /extra) through --power-sysfs, with an AC
# supply and a battery added. Checked, by reading the files back:
# - attached on AC (auto profile balanced), the originals are already right
#   and no state file is written;
# - unplugging AC switches it to powersave while attached, and the files
#   follow; AC back switches it to balanced (the low-power platform_profile
#   it wrote itself does not hold it in powersave), then unplugged again;
# - SIGKILL while attached detaches the scheduler (the struct_ops link dies
#   with the loader) but leaves the files changed, their originals in the
#   state file /run/scx_joule/power-saved: nothing ran to restore them;
# - the next start restores them first and says so, then attaches and sets
#   its own profile (performance);
# - SIGINT detaches and writes the originals back, deleting the state file;
# - the kernel log has no stall or error.
. /scenarios/lib.sh
FIX=/extra/intel-adl-laptop-uncore/sys
ROOT=/tmp/power/sys
STATE=/run/scx_joule/power-saved
[ -d $FIX ] || fail "no recorded tree at $FIX (run-vm.sh --extra build/tests/fixtures)"
mkdir -p /tmp/power
cp -a $FIX $ROOT
mkdir -p $ROOT/class/power_supply/AC $ROOT/class/power_supply/BAT0
echo Mains >$ROOT/class/power_supply/AC/type
echo 1 >$ROOT/class/power_supply/AC/online
echo Battery >$ROOT/class/power_supply/BAT0/type
echo Discharging >$ROOT/class/power_supply/BAT0/status
CPU=$ROOT/devices/system/cpu

values() {
	echo "EPP $(cat $CPU/cpufreq/policy0/energy_performance_preference)" \
		"$(cat $CPU/cpufreq/policy19/energy_performance_preference)," \
		"no_turbo $(cat $CPU/intel_pstate/no_turbo)," \
		"platform_profile $(cat $ROOT/firmware/acpi/platform_profile)," \
		"uncore max $(cat $CPU/intel_uncore_frequency/package_00_die_00/max_freq_khz)," \
		"state file $([ -e $STATE ] && echo yes || echo no)"
}

# expect WHAT VALUES: the files must say VALUES within 5 s.
expect() {
	i=0
	while [ "$(values)" != "$2" ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && fail "$1: $(values) (want $2)"
		sleep 0.1
	done
	ok "$1: $2"
}

ORIG="EPP balance_performance balance_performance, no_turbo 0, platform_profile balanced, uncore max 3800000, state file no"
SAVE="EPP balance_power balance_power, no_turbo 1, platform_profile low-power, uncore max 2100000, state file yes"
PERF="EPP performance performance, no_turbo 0, platform_profile performance, uncore max 3800000, state file yes"
rm -f $STATE
expect "recorded originals" "$ORIG"

start_scheduler --power-sysfs $ROOT
wait_log 'profile balanced \(auto: on AC power' 5 || fail "not balanced on AC"
sleep 1
expect "attached on AC: balanced, nothing to change" "$ORIG"

echo 0 >$ROOT/class/power_supply/AC/online
wait_log 'profile powersave \(auto: on battery' 5 || fail "no switch to powersave on battery"
expect "on battery while attached: powersave" "$SAVE"
echo 1 >$ROOT/class/power_supply/AC/online
expect "AC back while attached: balanced" "${ORIG%no}yes"
echo 0 >$ROOT/class/power_supply/AC/online
expect "on battery again: powersave" "$SAVE"
[ "$(scx_state)" = enabled ] || fail "sched_ext $(scx_state) after the profile switches"

stop_scheduler KILL
expect "SIGKILL: detached, files left changed, originals in the state file" "$SAVE"
grep -q "intel_uncore_frequency/package_00_die_00/max_freq_khz	3800000" $STATE ||
	fail "the state file lacks the uncore original: $(cat $STATE)"
ok "state file holds $(($(wc -l <$STATE) - 1)) originals"

echo 1 >$ROOT/class/power_supply/AC/online
start_scheduler --power-sysfs $ROOT --profile performance
grep -q '^scx_joule: restored 23 power settings left by a previous run$' $LOG ||
	fail "the restart did not say it restored the 23 originals"
ok "restart restored 23 originals before attaching"
grep -q '^scx_joule: model read again: ' $LOG ||
	fail "the model was not read again after the originals were restored"
ok "the model read again after the restore"
wait_log 'power settings: EPP performance, turbo on, platform_profile performance' 5 ||
	fail "performance not applied after the restart"
expect "restarted with --profile performance" "$PERF"

stop_scheduler INT
[ "$SCHED_RC" -eq 0 ] || fail "exit status $SCHED_RC after SIGINT"
expect "SIGINT: detached, originals back, no state file" "$ORIG"
grep -q '^scx_joule: restored the original power settings (21 files)$' $LOG ||
	fail "no 'restored the original power settings (21 files)' line"
ok "the loader said it restored 21 files"
check_dmesg
