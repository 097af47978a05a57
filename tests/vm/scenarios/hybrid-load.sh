# More CPU hogs than CPUs (issue 4), checked from outside the scheduler:
# - every CPU is busy: its run time in /proc/schedstat covers >= 85% of the
#   measured window (96-99% is usual; one little CPU measured 86% and 87% in
#   2 of about 10 runs of this code, an idle gap not yet explained: see
#   docs/design.md; under 85% is a CPU left idle for real);
# - the hogs sit in each domain in proportion to its capacity, within 20%:
#   the share of (hog, sample) pairs found runnable on big CPUs (running or
#   queued, /proc/PID/task/TID/stat state and CPU, every 5 ms) against the
#   big CPUs' share of the model's capacity (2 x 1024 of 4 x 381 + 2 x 1024).
. /scenarios/lib.sh
start_scheduler --model $MODEL --profile balanced --stats 2
n=$(($(nr_cpus) + 2))
i=0
pids=
while [ $i -lt $n ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 2
read -r t1 _ </proc/uptime
grep '^cpu[0-9]' /proc/schedstat >/tmp/s1
runtime_by_cpu 6 $pids >/tmp/hogs.txt
grep '^cpu[0-9]' /proc/schedstat >/tmp/s2
read -r t2 _ </proc/uptime
kill $pids
stats_tail 3
paste /tmp/s1 /tmp/s2 | awk -v w="$t1" -v v="$t2" '{ printf "cpu %s busy %d%%\n", substr($1, 4), ($18 - $8) / ((v - w) * 1e7) }' >/tmp/busy.txt
cat /tmp/busy.txt
sed 's/^/  hogs: cpu run-ns runnable-samples: /' /tmp/hogs.txt
idle=$(awk '$4 + 0 < 85 { printf "%s ", $2 }' /tmp/busy.txt)
[ -z "$idle" ] || fail "with $n hogs on $(nr_cpus) CPUs, CPUs $idle were busy under 85% of the time"
ok "$n hogs: every CPU busy >= 85% of the time"
share=$(awk -v big=" $BIG " '{ all += $3; if (index(big, " " $1 " ")) on += $3 }
	END { printf "%d", all ? on * 100 / all : 0 }' /tmp/hogs.txt)
want=$((100 * 2 * 1024 / (4 * 381 + 2 * 1024)))
echo "hogs on big CPUs: $share% of runnable samples; capacity share $want%"
awk -v s="$share" -v w="$want" 'BEGIN { d = s / w - 1; exit !(d <= 0.2 && d >= -0.2) }' ||
	fail "big domain holds $share% of the hogs, capacity share $want% (limit +-20%)"
ok "per-domain load within 20% of capacity-proportional"
stop_scheduler INT
check_dmesg
