#!/bin/bash
# The test-only machine model of the cost benchmarks (scripts/bench-cost.sh,
# scripts/bench-policy-cost.sh), in the sim/socs format, on stdout:
#   scripts/cost-model.sh N
# N CPUs, 0..N/2-1 little and the rest big, with the RK3399 board's kinds and
# OPPs, in domains of at most 8 CPUs, or of N/8 where more than 8 domains
# would be needed (the .soc reader takes 8).
set -euo pipefail

n=${1:?usage: cost-model.sh N}
case "$n" in '' | *[!0-9]*) echo "cost-model: N must be a number, not '$n'" >&2; exit 2 ;; esac
[ "$n" -ge 2 ] && [ $((n % 2)) -eq 0 ] || { echo "cost-model: N must be even and >= 2" >&2; exit 2; }
half=$((n / 2)) pd=0
size=$((half < 8 ? half : 8))
[ $((n / size)) -le 8 ] || size=$((n / 8))
[ $((half % size)) -eq 0 ] || {
	echo "cost-model: $n CPUs do not split into domains of $size CPUs, half of them little" >&2
	exit 2
}
echo "# test-only: $n CPUs for the cost benchmarks (RK3399 kinds and OPPs)"
echo "soc cost-$n"
for ((first = 0; first < n; first += size)); do
	if [ $first -lt $half ]; then
		echo "pd d$pd kind=little cpus=$first-$((first + size - 1)) ipc=485 dpc=100 llc=$pd cluster=$pd dvfs=1ms wfi_mw=5 wfi_exit=1us sleep_mw=1 sleep_exit=370us sleep_min=900us"
	else
		echo "pd d$pd kind=big cpus=$first-$((first + size - 1)) ipc=1024 dpc=436 llc=$pd cluster=$pd dvfs=1ms wfi_mw=20 wfi_exit=1us sleep_mw=2 sleep_exit=370us sleep_min=900us"
	fi
	pd=$((pd + 1))
done
for ((pd = 0, first = 0; first < n; first += size, pd++)); do
	if [ $first -lt $half ]; then
		for o in 408:800 600:800 816:850 1008:925 1200:1000 1416:1125; do
			echo "opp d$pd mhz=${o%:*} mv=${o#*:}"
		done
	else
		for o in 408:800 600:800 816:825 1008:875 1200:950 1416:1025 1608:1100 1800:1200; do
			echo "opp d$pd mhz=${o%:*} mv=${o#*:}"
		done
	fi
done
