# The machine model inside the guest (issue 3):
# - the guest's own model: QEMU's CPUs are one kind, with no cpufreq;
# - a recorded hybrid board (tests/fixtures, copied in as /extra) laid over
#   the guest's 6 CPUs: two kinds, capacities from cpu_capacity, a derived
#   energy model from its cpufreq tables;
# - bad recorded input is refused with exit status 2 and never attaches;
# - the scheduler runs on the recorded model, with its domains in the stats.
. /scenarios/lib.sh
FIX=/extra/arm-board-rk3399

echo "--- scx_joule --show-topology (the guest itself)"
out=$(scx_joule --show-topology 2>&1) || fail "--show-topology exited $?: $out"
echo "$out"
echo "$out" | grep -q "^$(nr_cpus) of $(nr_cpus) CPUs online, 1 kind;" ||
	fail "the guest's CPUs should be one kind"
echo "$out" | grep -q "^cpufreq: none" || fail "the guest has no cpufreq, the model should say so"
ok "guest model: $(nr_cpus) CPUs of one kind, no cpufreq"

# A service confined to some CPUs (systemd's AllowedCPUs=, a cpuset
# partition) still schedules all of them: hwloc must not hide the others.
echo "--- scx_joule --show-topology in a cgroup cpuset of CPUs 0-1"
cg=/sys/fs/cgroup
grep -q " $cg cgroup2 " /proc/mounts || mount -t cgroup2 none $cg || fail "cannot mount cgroup2"
echo +cpuset >$cg/cgroup.subtree_control || fail "no cpuset controller"
mkdir -p $cg/joule-confined
echo 0-1 >$cg/joule-confined/cpuset.cpus || fail "cannot confine a cgroup to CPUs 0-1"
out=$(sh -c "echo \$\$ >$cg/joule-confined/cgroup.procs &&
	grep Cpus_allowed_list /proc/self/status && exec scx_joule --show-topology" 2>&1) ||
	fail "--show-topology confined to CPUs 0-1 exited $?: $out"
echo "$out" | head -3
echo "$out" | grep -qE "^Cpus_allowed_list:[[:space:]]+0-1$" || fail "the shell was not confined to CPUs 0-1"
echo "$out" | grep -q "^$(nr_cpus) of $(nr_cpus) CPUs online, 1 kind;" ||
	fail "confined to CPUs 0-1, the model should still have all $(nr_cpus) CPUs"
rmdir $cg/joule-confined
ok "confined to CPUs 0-1, the model has all $(nr_cpus) CPUs"

echo "--- scx_joule --show-topology --sysfs-root $FIX"
out=$(scx_joule --show-topology --sysfs-root $FIX 2>&1) || fail "exited $?: $out"
echo "$out"
echo "$out" | grep -q "^6 of 6 CPUs online, 2 kinds; capacity from cpu_capacity" ||
	fail "the RK3399 fixture should be 2 kinds with capacities from cpu_capacity"
echo "$out" | grep -qE "^  little +0-3 +381 " || fail "little CPUs 0-3 of capacity 381 expected"
echo "$out" | grep -qE "^  big +4-5 +1024 " || fail "big CPUs 4-5 of capacity 1024 expected"
echo "$out" | grep -q "energy model derived" || fail "expected a derived energy model"
ok "recorded RK3399 model read inside the guest"

# the kernel's count of enables, not the state after the loader exited: an
# attach dies with the loader, and would read "disabled" here too
seq0=$(cat $SCX/enable_seq)
out=$(timeout 60 scx_joule --sysfs-root /extra/bad-missing-capacity --stats 1 2>&1)
rc=$?
echo "bad input: exit $rc: $out"
[ $rc -eq 2 ] || fail "bad recorded input exited $rc, not 2"
echo "$out" | grep -q "cpu3/cpu_capacity: missing" || fail "the error should name cpu3's cpu_capacity"
[ "$(cat $SCX/enable_seq)" = "$seq0" ] ||
	fail "refused input attached a scheduler (enable_seq $seq0 -> $(cat $SCX/enable_seq))"
ok "bad input refused with exit 2, nothing attached"

start_scheduler --sysfs-root $FIX --profile balanced --stats 1
wait_log "attached.*$FIX: 6 CPUs, 2 kinds, 2 domains, energy model derived" 5 ||
	fail "the scheduler did not say it runs on the recorded model"
sh -c 'while :; do :; done' &
hog=$!
sleep 4
kill $hog
stats_tail 2
grep -q "little" $LOG || fail "stats lines do not show the little kind"
stop_scheduler INT
check_dmesg
