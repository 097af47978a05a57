# More CPU hogs than CPUs (issue 4), checked from outside the scheduler:
# - every CPU is busy >= 95% of the measured window: the window less the
#   CPU's idle and iowait time in /proc/stat (busy_since_mark);
# - the hogs sit in each domain in proportion to its capacity, within 20%
#   (25% under on the x86 model, below): the share of (hog, sample) pairs
#   found runnable on big CPUs (running or queued, /proc/PID/task/TID/stat
#   state and CPU, every 5 ms) against the big CPUs' share of the capacity
#   (cpu_cap: 2 x 1024 of 4 x 381 + 2 x 1024 in the x86 model; an arm64
#   guest's own cpu_capacity).
# On an arm64 guest whose kernel knows the capacities (no --model), the same
# hogs are first measured under EEVDF, before attaching; the hogs' run time
# (throughput), the mean busy time and the big domain's share under each are
# printed with their ratios.
. /scenarios/lib.sh
n=$(($(nr_cpus) + 2))
want=$((100 * $(cap_sum "$BIG") / $(cap_sum "$(all_cpus)")))

# hogs_phase WHO: n hogs for 2 s, then 6 s measured: /tmp/busy.txt ("cpu N
# busy P%"), /tmp/hogs.txt (runtime-by-cpu); sets mean (busy %, all CPUs)
# share (hogs' runnable samples on big CPUs, %) and work (the hogs' run time
# in seconds, all CPUs added up: the throughput).
hogs_phase() {
	start_hogs $n
	sleep 2
	cpu_stat_mark
	runtime_by_cpu 6 $HOGS >/tmp/hogs.txt
	busy_since_mark >/tmp/busy.txt
	kill $HOGS
	wait $HOGS 2>/dev/null
	sed "s/^/$1: /" /tmp/busy.txt
	sed "s/^/  $1 hogs: cpu run-ns runnable-samples: /" /tmp/hogs.txt
	mean=$(awk '{ s += $4; k++ } END { printf "%d", k ? s / k : 0 }' /tmp/busy.txt)
	share=$(awk -v big=" $BIG " '{ all += $3; if (index(big, " " $1 " ")) on += $3 }
		END { printf "%d", all ? on * 100 / all : 0 }' /tmp/hogs.txt)
	work=$(awk '{ s += $2 } END { printf "%.2f", s / 1e9 }' /tmp/hogs.txt)
	echo "$1: $n hogs ran ${work}s in 6 s; CPUs busy $mean% of the time on average;" \
		"hogs on big CPUs: $share% of runnable samples; capacity share $want%"
}

if [ -z "$MODEL" ]; then
	hogs_phase EEVDF
	eevdf_mean=$mean eevdf_share=$share eevdf_work=$work
fi

start_scheduler $MODEL_ARGS --profile balanced --stats 2
hogs_phase scx_joule
stats_tail 3
[ -n "$MODEL" ] || {
	echo "hogs' run time: scx_joule ${work}s, EEVDF ${eevdf_work}s, ratio $(ratio $work $eevdf_work)"
	echo "mean busy: scx_joule $mean%, EEVDF $eevdf_mean%, ratio $(ratio $mean $eevdf_mean)"
	echo "hogs on big CPUs: scx_joule $share%, EEVDF $eevdf_share% (capacity share $want%), ratio $(ratio $share $eevdf_share)"
}
idle=$(awk '$4 + 0 < 95 { printf "%s ", $2 }' /tmp/busy.txt)
[ -z "$idle" ] || fail "with $n hogs on $(nr_cpus) CPUs, CPUs $idle were busy under 95% of the time"
ok "$n hogs: every CPU busy >= 95% of the time"
# On the x86 model 25% under: the balance's 4 + 4 split gives 50% of its 57%
# (12% under; 48% seen), the regressions it caught 40% (30% under). An arm64
# guest's share is 51%, where 25% under would let 40% pass.
under=0.2
[ -z "$MODEL" ] || under=0.25
awk -v s="$share" -v w="$want" -v u=$under 'BEGIN { d = s / w - 1; exit !(d <= 0.2 && d >= -u) }' ||
	fail "big domain holds $share% of the hogs, capacity share $want% (limits -$under, +0.2)"
ok "per-domain load within -$under and +0.2 of capacity-proportional"
stop_scheduler INT
check_dmesg
