. /scenarios/lib.sh
run() {
i=0; hogs=
while [ $i -lt "$(nr_cpus)" ]; do sh -c 'while :; do :; done' & hogs="$hogs $!"; i=$((i + 1)); done
periodic-load 2 1000 10000 4 >/tmp/frames.txt &
pl=$!
sleep 0.5
pids=$(pgrep -f "periodic-load 2 1000" | grep -v "^$pl\$" | tr '\n' ' ')
echo "$1 frame pids: $pids"
sched-probe waits 2 $pids
echo "$1 hog waits:"; sched-probe waits 2 $hogs
wait $pl
kill $hogs; wait $hogs 2>/dev/null
awk -v p=$1 '{ w += $3; m += $7; n++ } END { printf "%s: frame tasks waited %.0f us per run, missed %d of 800 frames\n", p, n ? w / n : -1, m }' /tmp/frames.txt
}
run EEVDF
start_scheduler --model $MODEL --profile balanced --stats 2
run balanced
stop_scheduler INT
