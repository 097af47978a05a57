# The machine model from sysfs alone (issue 12): on an arm64 guest whose
# device tree describes big.LITTLE (run-vm.sh --arch arm64 --caps CAPS), the
# kernel reports each CPU's capacity and cluster itself. scx_joule, given no
# --model or --topology, must find one kind per group of CAPS, with that
# group's CPUs and the kernel's capacity, and run on that model.
. /scenarios/lib.sh
[ -n "$JOULE_CAPS" ] || fail "no joule_caps= on the kernel command line (run-vm.sh --arch arm64)"

# What the kernel says; capacity-dmips-mhz is scaled so that the largest is 1024.
for c in /sys/devices/system/cpu/cpu[0-9]*; do
	echo "kernel: ${c##*/} cpu_capacity $(cat $c/cpu_capacity)" \
		"cluster $(cat $c/topology/cluster_cpus_list 2>/dev/null)"
done

for c in /sys/devices/system/cpu/cpu0/cache/index*; do
	echo "kernel: cpu0 L$(cat $c/level) $(cat $c/type) shared with $(cat $c/shared_cpu_list)"
done

out=$(scx_joule --show-topology 2>&1) || fail "--show-topology exited $?: $out"
echo "$out"
groups=$(echo "$JOULE_CAPS" | tr , '\n' | wc -l)
n=$(nr_cpus)
echo "$out" | grep -qE "^$n of $n CPUs online, $groups kinds?; capacity from cpu_capacity" ||
	fail "expected $n CPUs in $groups kinds with capacities from cpu_capacity"
echo "$out" | grep -q "^$n of $n CPUs online.*, $groups clusters," ||
	fail "expected $groups clusters (one L2 per cluster in the device tree)"

# Each group: its CPU range and its capacity, in the kinds table.
max=$(echo "$JOULE_CAPS" | tr , '\n' | cut -dx -f1 | sort -n | tail -n1)
first=0
for g in $(echo "$JOULE_CAPS" | tr , ' '); do
	# a group without xN is one CPU, as run-vm.sh reads it
	dmips=${g%x*} count=1
	case $g in *x*) count=${g#*x} ;; esac
	last=$((first + count - 1))
	cap=$((dmips * 1024 / max))
	range=$first-$last
	[ $count -eq 1 ] && range=$first
	echo "$out" | grep -qE "^  [a-z0-9]+ +$range +$cap " ||
		fail "no kind with CPUs $range and capacity $cap (capacity-dmips-mhz $dmips)"
	ok "kind: CPUs $range, capacity $cap"
	first=$((last + 1))
done

start_scheduler --profile balanced --stats 1
# the loader says it attached a moment after the kernel says enabled
wait_log "attached.*$n CPUs, $groups kinds?," 5 ||
	fail "the scheduler did not say it runs on $n CPUs in $groups kinds"
sh -c 'while :; do :; done' &
hog=$!
sleep 3
kill $hog
stats_tail 2
stop_scheduler INT
check_dmesg
