# An energy model the guest kernel registers itself (run-vm.sh --arch arm64
# --em DPCS): OPP tables and dynamic-power-coefficient in the device tree,
# a fixed clock per cluster, and cpufreq-dt (loaded by lib.sh). The kernel
# must list one performance domain per group of CAPS in debugfs, and
# scx_joule, with no model arguments, must take that model ("kernel
# (debugfs)") and attach on it.
. /scenarios/lib.sh
em=/sys/kernel/debug/energy_model
[ -d $em ] || fail "no $em: the kernel registered no energy model"
groups=$(echo "$JOULE_CAPS" | tr , '\n' | wc -l)
pds=$(ls -d $em/cpu* | wc -l)
for p in /sys/devices/system/cpu/cpufreq/policy*; do
	echo "kernel: ${p##*/} cpus $(cat $p/related_cpus) $(cat $p/scaling_driver)" \
		"$(cat $p/scaling_governor) $(cat $p/scaling_available_frequencies)"
done
for d in $em/cpu*; do
	for ps in $d/ps:*; do
		echo "kernel EM: ${d##*/} ${ps##*/} perf $(cat $ps/performance) power $(cat $ps/power) cost $(cat $ps/cost)"
	done
done
echo "kernel: sched_energy_aware $(cat /proc/sys/kernel/sched_energy_aware 2>/dev/null)"
[ "$pds" -eq "$groups" ] || fail "$pds performance domains in $em, expected $groups"
ok "kernel energy model: $pds performance domains"

out=$(scx_joule --show-topology 2>&1) || fail "--show-topology exited $?: $out"
echo "$out"
echo "$out" | grep -q "energy model kernel (debugfs)" ||
	fail "scx_joule did not take the kernel's energy model"

start_scheduler --profile balanced --stats 1
# the loader prints its line a moment after the kernel says enabled
wait_log "attached.*$groups kinds?, $groups domains?, energy model kernel" 10 ||
	fail "the scheduler did not say it runs on the kernel's energy model"
light_tasks 3 4
wait $LIGHT_PID
stats_tail 2
stop_scheduler INT
check_dmesg
