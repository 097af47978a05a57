#!/bin/bash
# The command line on a machine that cannot attach: exit codes and the
# one-line messages users see. Runs on the host; no check may attach there:
# a run that gets that far is given a recorded machine it refuses.
# usage: test-cli.sh PATH/TO/scx_joule FIXTURES_DIR LARGE_FIXTURES_DIR
# (LARGE_FIXTURES_DIR "": a build with max_cpus below 512, no 512-CPU checks)
set -u
bin=$1 fixtures=$2 large=$3
failures=0 passes=0

# expect NAME STATUS REGEX CMD...: CMD must exit STATUS with output matching REGEX.
expect() {
	local name=$1 want=$2 regex=$3
	shift 3
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && grep -qE -- "$regex" <<<"$out"; then
		passes=$((passes + 1))
		echo "ok - $name"
	else
		failures=$((failures + 1))
		echo "not ok - $name: exit $rc (want $want), output:"
		sed 's/^/    /' <<<"$out"
	fi
}

expect "--version" 0 '^scx_joule [0-9]+\.[0-9]+\.[0-9]+$' "$bin" --version
expect "--help lists options" 0 '--stats=SECONDS' "$bin" --help
expect "unknown flag" 64 "unrecognized option '--bogus'" "$bin" --bogus
expect "bad --stats value" 64 "--stats takes seconds" "$bin" --stats=abc
expect "bad --slice-us value" 64 "--slice-us takes" "$bin" --slice-us=5
expect "negative --slice-us that wraps into range" 64 "--slice-us takes" "$bin" \
	--slice-us=-18446744073709546616
expect "a --bus-address that is not there is named" 0 \
	"^scx_joule: warning: D-Bus unix:path=/nonexistent: No such file or directory; trying again every 2 s$|^scx_joule: built without sd-bus" \
	"$bin" --explain-profile --bus-address unix:path=/nonexistent
# sd-bus reports an address it cannot parse as a bus refusing connections
expect "a --bus-address that is no address" 64 \
	"--bus-address takes a D-Bus address, TRANSPORT:KEY=VALUE .*, not 'garbage'" \
	"$bin" --explain-profile --bus-address garbage
expect "an empty --bus-address" 64 "--bus-address takes a D-Bus address.*, not ''" \
	"$bin" --explain-profile --bus-address=
for o in --topology --sysfs-root --model --energy-model --write-energy-model --power-sysfs; do
	expect "an empty $o" 64 "^scx_joule: $o takes a path, not an empty value$" "$bin" "$o="
done
# strtod's other forms: hex, an exponent, a leading blank; strtoul's sign
for v in 0x10 1e1 " 1"; do
	expect "--stats '$v'" 64 "--stats takes seconds" "$bin" --stats="$v"
done
expect "--slice-us +5000" 64 "--slice-us takes" "$bin" --slice-us=+5000
# the options under their headings: under argp's group 0 the power and log
# options had joined the model options
if "$bin" --help | awk '/^ The machine model/ { m = 1 } m && /^ Power settings and logging:/ { p = 1 }
	p && /--log / { ok = 1 } m && !p && /--log / { bad = 1 } END { exit !(ok && !bad) }'; then
	passes=$((passes + 1)); echo "ok - --help: the run options in their own group"
else
	failures=$((failures + 1)); echo "not ok - --help: --log listed among the model options"
fi
expect "--stats nan" 64 "--stats takes seconds between 0.1 and 3600, not 'nan'" "$bin" --stats nan
expect "a report that cannot be written is an error" 1 "^scx_joule: cannot write the output: No space left on device$" \
	sh -c 'exec "$1" --show-topology >/dev/full' sh "$bin"
expect "unknown profile" 64 "unknown profile 'turbo'" "$bin" --profile turbo
expect "missing model file" 2 "^scx_joule: /nonexistent/x.soc: cannot open" "$bin" --model /nonexistent/x.soc
# a kind whose CPUs differ shows their range (it showed the first CPU's: big 1024, little 645)
expect "--show-topology: each kind's capacity range" 0 "^  little +8-31 +645-700 " \
	"$bin" --show-topology --sysfs-root "$fixtures/intel-hybrid-32"
expect "--show-topology --json: each kind's capacity range" 0 '"capacity_min":919,"capacity_max":1024' \
	"$bin" --show-topology --json --sysfs-root "$fixtures/intel-hybrid-32"
expect "--show-topology --json: an artificial model's power is in no unit" 0 '"power_unit":"artificial"' \
	"$bin" --show-topology --json --sysfs-root "$fixtures/intel-hybrid-32"
expect "--show-topology --json: a derived model's power is in mW" 0 '"power_unit":"mW"' \
	"$bin" --show-topology --json --sysfs-root "$fixtures/arm-board-rk3399"
expect "--show-topology --json: intel_pstate active ignores the requests" 0 \
	'"frequency_requests":\{"followed":false,"why":"cpufreq driver intel_pstate' \
	"$bin" --show-topology --json --sysfs-root "$fixtures/intel-adl-laptop"
expect "--show-topology --json: an offline CPU's kind and domain" 0 \
	'"offline_cpus":\[\{"cpu":5,"like":4,[^}]*"kind":"big","domain":"[^"]+"\}' \
	"$bin" --show-topology --json --sysfs-root "$fixtures/offline-cpu"
expect "a directory as --model" 2 "^scx_joule: /tmp: cannot open: Is a directory$" "$bin" --model /tmp
expect "a directory as --energy-model" 2 "^scx_joule: /tmp: Is a directory$" \
	"$bin" --show-topology --energy-model /tmp
bad=$(mktemp)
printf 'soc broken\n# comment\nbogus line\n' >"$bad"
expect "malformed model names file and line" 2 "^scx_joule: $bad:3: " "$bin" --model "$bad"
# a model of 1 CPU on a machine with more online: the others would have no entry
if [ "$(cat /sys/devices/system/cpu/online)" != 0 ]; then
	printf 'soc tiny\npd p kind=little cpus=0 ipc=1024 dpc=100 llc=0 cluster=0 dvfs=1ms %s\nopp p mhz=1000 mv=900\n' \
		'wfi_mw=5 wfi_exit=1us sleep_mw=1 sleep_exit=370us sleep_min=900us' >"$bad"
	expect "a model that leaves online CPUs out" 2 \
		"^scx_joule: model 'tiny' has no entry for online CPUs? 1" "$bin" --model "$bad"
else
	echo "ok - a model that leaves online CPUs out # SKIP host: only CPU 0 is online"
fi
rm -f "$bad"
# the machine model: this machine, then bad input of each kind. Checks that
# need a host without cpufreq (CI's VMs and containers) are skipped on one
# with it (a laptop); the recorded machines cover cpufreq.
host_cpufreq=
[ -e /sys/devices/system/cpu/cpufreq ] && [ -n "$(ls /sys/devices/system/cpu/cpufreq 2>/dev/null)" ] &&
	host_cpufreq=1
# no_cpufreq_expect NAME ...: expect, where the host has no cpufreq
no_cpufreq_expect() {
	if [ -n "$host_cpufreq" ]; then
		echo "ok - $1 # SKIP host: it has cpufreq"
	else
		expect "$@"
	fi
}
expect "--show-topology on this machine" 0 'capacity from' "$bin" --show-topology
# stdout closed: an error, not silence (its number is held, so nothing the
# loader opens, a bus socket, gets the output instead)
expect "--show-topology with stdout closed" 1 '^scx_joule: cannot write the output: Bad file descriptor$' \
	sh -c '"$0" --show-topology 2>&1 >&-' "$bin"
no_cpufreq_expect "--show-topology says there is no cpufreq" 0 '^cpufreq: none' "$bin" --show-topology
json=$("$bin" --show-topology --json)
if python3 -c 'import json,sys; m=json.load(sys.stdin); assert m["cpus"] and m["kinds"]' <<<"$json"; then
	passes=$((passes + 1)); echo "ok - --show-topology --json is JSON with cpus and kinds"
else
	failures=$((failures + 1)); echo "not ok - --show-topology --json: $json"
fi
# a domain name that is not UTF-8 (a model file's bytes) is written as U+FFFD
# in the JSON, a UTF-8 one as it is: json.loads failed on the raw byte
utf=$(mktemp)
printf 'scx-joule-energy-model 1\npd li\377t\303\257x cpus=0-3\nopp li\377t\303\257x khz=408000 mw=19.5\npd big cpus=4-5\nopp big khz=1800000 mw=1130.1\n' >"$utf"
json=$("$bin" --show-topology --json --sysfs-root "$fixtures/arm-board-rk3399" --energy-model "$utf")
if python3 -c 'import json,sys; m=json.load(sys.stdin); assert m["energy_model"]["domains"][0]["name"] == "li\ufffdt\u00efx"' <<<"$json"; then
	passes=$((passes + 1)); echo "ok - --show-topology --json: a name that is not UTF-8 as U+FFFD"
else
	failures=$((failures + 1)); echo "not ok - --show-topology --json with a name not UTF-8: $json"
fi
rm -f "$utf"
# options of a run given to a mode that prints and exits were dropped unseen
expect "--explain-profile with --slice-us" 64 \
	"^scx_joule: --slice-us changes a run; --explain-profile prints and exits without one$" \
	"$bin" --explain-profile --slice-us 3000
expect "--explain-profile --follow with --no-power-settings" 64 \
	"^scx_joule: --no-power-settings changes a run; --explain-profile prints" \
	"$bin" --explain-profile --follow --no-power-settings
expect "--explain-profile still takes --log and --profile" 0 "^balanced: chosen with --profile$" \
	"$bin" --explain-profile --log --profile balanced
expect "--show-topology with -v" 64 "^scx_joule: --verbose changes a run; --show-topology prints" \
	"$bin" --show-topology -v
expect "--write-energy-model with --log" 64 "^scx_joule: --log goes with a run or --explain-profile; --write-energy-model prints" \
	"$bin" --write-energy-model - --log
expect "--show-topology with --profile" 64 \
	"^scx_joule: --profile goes with a run or --explain-profile; --show-topology prints the machine model" \
	"$bin" --show-topology --profile gaming
expect "--write-energy-model with --power-sysfs" 64 "^scx_joule: --power-sysfs goes with a run or --explain-profile; --write-energy-model" \
	"$bin" --write-energy-model - --power-sysfs /tmp
expect "--show-topology with --write-energy-model is refused, not half done" 64 \
	"--show-topology and --write-energy-model each print the model and exit" \
	"$bin" --show-topology --write-energy-model /nonexistent/out.em
expect "--json needs --show-topology" 64 "--json goes with --show-topology" "$bin" --json
expect "--model excludes --topology" 64 "--model replaces" "$bin" --model x.soc --topology y.xml
expect "missing XML" 2 "^scx_joule: /nonexistent/t.xml: No such file or directory$" \
	"$bin" --topology /nonexistent/t.xml --show-topology
# its real path: messages about a recorded tree name real paths
tmp=$(realpath "$(mktemp -d)")
printf '<?xml version="1.0"?>\n<topology><object type="Machine"' >"$tmp/truncated.xml"
expect "malformed XML" 2 "^scx_joule: $tmp/truncated.xml: not a valid hwloc XML topology$" \
	"$bin" --topology "$tmp/truncated.xml" --show-topology
# a FIFO no one writes: refused, where hwloc's read of it never came back
mkfifo "$tmp/fifo.xml"
expect "XML that is a FIFO" 2 "^scx_joule: $tmp/fifo.xml: not a regular file$" \
	timeout 20 "$bin" --topology "$tmp/fifo.xml" --show-topology
# a FIFO, or a link to one, inside a recorded machine: hwloc's reads of
# proc/cpuinfo and sys/devices/system/cpu/online, and ours of cpufreq's
# files, never came back; so did the model files'
cp -a "$fixtures/intel-adl-laptop" "$tmp/fifo-root"
for f in proc/cpuinfo sys/devices/system/cpu/online \
	sys/devices/system/cpu/cpufreq/policy0/cpuinfo_max_freq; do
	mv "$tmp/fifo-root/$f" "$tmp/fifo-root/$f.orig"
	mkfifo "$tmp/fifo-root/$f"
	expect "a recorded machine with a FIFO at $f" 2 "^scx_joule: $tmp/fifo-root/$f: not a regular file$" \
		timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
	mv "$tmp/fifo-root/$f" "$tmp/fifo-root/fifo"
	ln -s "$(realpath -m --relative-to="$(dirname "$tmp/fifo-root/$f")" "$tmp/fifo-root/fifo")" \
		"$tmp/fifo-root/$f"
	expect "a recorded machine with a link to a FIFO at $f" 2 \
		"^scx_joule: $tmp/fifo-root/$f: not a regular file$" \
		timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
	rm "$tmp/fifo-root/$f" "$tmp/fifo-root/fifo"
	mv "$tmp/fifo-root/$f.orig" "$tmp/fifo-root/$f"
done
# a link out of the tree, even to a file: /proc/kmsg's read waits for the
# next kernel message, and a recording's links stay inside it
ln -s /proc/kmsg "$tmp/fifo-root/proc/kmsg-link"
expect "a recorded machine with a link out of it" 2 \
	"^scx_joule: $tmp/fifo-root/proc/kmsg-link: a link out of the recorded machine $tmp/fifo-root$" \
	timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
rm "$tmp/fifo-root/proc/kmsg-link"
expect "the recorded machine put back together" 0 "^machine: $tmp/fifo-root$" \
	timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
# the walk follows what hwloc follows: sys/ itself a link, and a link out of
# the tree to a directory with a FIFO in it (both hung hwloc)
mv "$tmp/fifo-root/sys" "$tmp/fifo-root/sys.real"
ln -s sys.real "$tmp/fifo-root/sys"
mv "$tmp/fifo-root/sys.real/devices/system/cpu/online" "$tmp/online.orig"
mkfifo "$tmp/fifo-root/sys.real/devices/system/cpu/online"
expect "a recorded machine whose sys/ is a link" 2 \
	"^scx_joule: $tmp/fifo-root/sys.real/devices/system/cpu/online: not a regular file$" \
	timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
rm "$tmp/fifo-root/sys.real/devices/system/cpu/online" "$tmp/fifo-root/sys"
mv "$tmp/online.orig" "$tmp/fifo-root/sys.real/devices/system/cpu/online"
mv "$tmp/fifo-root/sys.real" "$tmp/fifo-root/sys"
# a link out to a directory is refused whatever it holds
mkdir "$tmp/elsewhere"
mv "$tmp/fifo-root/sys/devices/system/cpu/cpu0" "$tmp/elsewhere/cpu0"
ln -s "$tmp/elsewhere/cpu0" "$tmp/fifo-root/sys/devices/system/cpu/cpu0"
expect "a recorded machine with a link out to a directory" 2 \
	"a link out of the recorded machine $tmp/fifo-root$" \
	timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
rm "$tmp/fifo-root/sys/devices/system/cpu/cpu0"
mv "$tmp/elsewhere/cpu0" "$tmp/fifo-root/sys/devices/system/cpu/cpu0"
# a link inside the tree into the kernel's files, through the kernel's proc/
ln -s ../proc/kmsg "$tmp/fifo-root/sys/kmsg-link"
rm -rf "$tmp/fifo-root/proc.rec"
mv "$tmp/fifo-root/proc" "$tmp/fifo-root/proc.rec"
ln -s /proc "$tmp/fifo-root/proc"
expect "a link through the kernel's proc/ to its files" 2 \
	"^scx_joule: $tmp/fifo-root/sys/kmsg-link: a link out of the recorded machine $tmp/fifo-root$" \
	timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
rm "$tmp/fifo-root/proc"
# ... and through a proc mount inside the tree (a host's root in a container)
mkdir "$tmp/fifo-root/proc"
if mount -t proc proc "$tmp/fifo-root/proc" 2>/dev/null; then
	expect "a link through a proc mount in the tree to its files" 2 \
		"^scx_joule: $tmp/fifo-root/sys/kmsg-link: a link out of the recorded machine $tmp/fifo-root$" \
		timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
	umount "$tmp/fifo-root/proc"
else
	echo "ok - a link through a proc mount in the tree # SKIP host: cannot mount proc here"
fi
rmdir "$tmp/fifo-root/proc"
rm "$tmp/fifo-root/sys/kmsg-link"
mv "$tmp/fifo-root/proc.rec" "$tmp/fifo-root/proc"
# sys/ and proc/ may lead to the kernel's own (a host's root in a container)
rm -rf "$tmp/fifo-root/proc"
ln -s /proc "$tmp/fifo-root/proc"
expect "a recorded machine whose proc/ is the kernel's" 0 "^machine: $tmp/fifo-root$" \
	timeout 20 "$bin" --sysfs-root "$tmp/fifo-root" --show-topology
# a device: not even opened (a watchdog's open arms it)
expect "a device as --energy-model" 2 "^scx_joule: /dev/null: not a regular file$" \
	"$bin" --show-topology --energy-model /dev/null
expect "an energy model that is a FIFO" 2 "^scx_joule: $tmp/fifo.xml: not a regular file$" \
	timeout 20 "$bin" --show-topology --energy-model "$tmp/fifo.xml"
# written to a FIFO no one reads: the open never came back
expect "--write-energy-model to a FIFO no one reads" 1 \
	"^scx_joule: cannot write $tmp/fifo.xml: a FIFO or socket that no one reads$" \
	timeout 20 "$bin" --sysfs-root "$fixtures/arm-board-rk3399" --write-energy-model "$tmp/fifo.xml"
# one that is read gets every line a file gets, and the status says so
expect "--write-energy-model to a file" 0 "" \
	"$bin" --sysfs-root "$fixtures/arm-board-rk3399" --write-energy-model "$tmp/rk3399.em"
want_lines=$(wc -l 2>/dev/null <"$tmp/rk3399.em")
# no lines would match a reader that got none: the comparison below needs some
if [ "${want_lines:-0}" -gt 0 ]; then
	passes=$((passes + 1)); echo "ok - --write-energy-model wrote $want_lines lines"
else
	failures=$((failures + 1)); echo "not ok - --write-energy-model wrote no lines to $tmp/rk3399.em"
fi
mkfifo "$tmp/read.fifo"
# (the open under the timeout too: if scx_joule never opened it, no hang)
timeout 30 sh -c 'wc -l <"$1"' sh "$tmp/read.fifo" >"$tmp/read.lines" &
reader=$!
expect "--write-energy-model to a pipe that is read" 0 "" \
	timeout 20 "$bin" --sysfs-root "$fixtures/arm-board-rk3399" --write-energy-model "$tmp/read.fifo"
wait $reader
expect "... and its reader got all $want_lines lines" 0 "^ *$want_lines$" cat "$tmp/read.lines"
expect "a --model that is a FIFO" 2 "^scx_joule: $tmp/fifo.xml: cannot open: not a regular file$" \
	timeout 20 "$bin" --model "$tmp/fifo.xml"
# hwloc 2.12 dereferences NULL on children without complete_cpuset (docs/fuzzing.md)
printf '<topology version="2.0"><object type="Machine" cpuset="0x1" complete_cpuset="0x1"><object type="PU" cpuset="0x1"/><object type="PU" cpuset="0x1"/></object></topology>\n' >"$tmp/crash.xml"
expect "XML that crashes hwloc" 2 "^scx_joule: $tmp/crash.xml: hwloc crashed parsing this XML \\(signal 11\\)$" \
	"$bin" --topology "$tmp/crash.xml" --show-topology
# an XML whose numbers would overflow the model: a refusal, never a crash
# (it divided by zero), nor CPUs past the build's limit among the offline
# ones (the limit was checked on the online CPUs only: memory corruption)
sed 's/FrequencyMaxMHz" value="1803"/FrequencyMaxMHz" value="536870912"/' \
	"$fixtures/arm-phone-tri.xml" >"$tmp/mhz.xml"
expect "XML with a 537 THz CPU kind" 2 "^scx_joule: $tmp/mhz.xml: CPU kind .*FrequencyMaxMHz=536870912 is more than 10000$" \
	"$bin" --topology "$tmp/mhz.xml" --show-topology
# a LinuxCapacity of -1 read as the biggest and ranked the A53s big: out of range
for cap in -1 99999999999999 0; do
	sed "s/name=\"LinuxCapacity\" value=\"381\"/name=\"LinuxCapacity\" value=\"$cap\"/" \
		"$fixtures/arm-board-rk3399.xml" >"$tmp/cap.xml"
	expect "XML with LinuxCapacity $cap" 2 "^scx_joule: $tmp/cap.xml: CPU kind .*\(CPUs 0-3\): LinuxCapacity=$cap is out of range \(expected 1\.\.1024\)$" \
		"$bin" --topology "$tmp/cap.xml" --show-topology
done
words=$(printf ',0x00000000%.0s' $(seq 17))
sed "0,/complete_cpuset=\"0x000000ff\"/s//complete_cpuset=\"0x01000000${words},0x000000ff\"/" \
	"$fixtures/arm-phone-tri.xml" >"$tmp/offline-many.xml"
expect "XML with offline CPUs past the build's limit" 2 "^scx_joule: $tmp/offline-many.xml: 601 possible CPUs; this build of scx_joule handles at most" \
	"$bin" --topology "$tmp/offline-many.xml" --show-topology
# hwloc 2.12 fails an assertion when no online CPU has a topology directory
mkdir -p "$tmp/no-pus/sys/devices/system/cpu/cpu0/topology"
echo 7 >"$tmp/no-pus/sys/devices/system/cpu/online"
echo 00000001 >"$tmp/no-pus/sys/devices/system/cpu/cpu0/topology/thread_siblings"
expect "sysfs tree that crashes hwloc" 2 \
	"^scx_joule: $tmp/no-pus: hwloc crashed reading this sysfs tree \\(signal 6\\)$" \
	"$bin" --sysfs-root "$tmp/no-pus" --show-topology
expect "not a sysfs root" 2 "^scx_joule: $tmp: no sys/devices/system/cpu there" \
	"$bin" --sysfs-root "$tmp" --show-topology
printf 'scx-joule-energy-model 1\npd all cpus=0-255\n' >"$tmp/bad.em"
expect "energy model names file and line" 2 "^scx_joule: $tmp/bad.em:2: bad 'cpus=0-255'" \
	"$bin" --energy-model "$tmp/bad.em" --show-topology
no_cpufreq_expect "no energy model to write without cpufreq" 1 \
	'^scx_joule: no energy model to write: no cpufreq' "$bin" --write-energy-model "$tmp/x.em"
printf 'garbage\n' >"$tmp/garbage.em"
expect "a bad --energy-model fails even where the kernel has a model" 2 \
	"^scx_joule: $tmp/garbage.em:1: expected 'scx-joule-energy-model 1' first$" \
	"$bin" --show-topology --sysfs-root "$fixtures/arm-phone-tri" --energy-model "$tmp/garbage.em"
"$bin" --write-energy-model "$tmp/phone.em" --sysfs-root "$fixtures/arm-phone-tri"
sed -i 's/^opp cpu6 khz=2802000 mw=.*/opp cpu6 khz=2802000 mw=2500/' "$tmp/phone.em"
expect "a good --energy-model wins over the kernel's and says so" 0 \
	"^energy model in use: file $tmp/phone.em \(given with --energy-model; the kernel's debugfs model is ignored\)$" \
	"$bin" --show-topology --sysfs-root "$fixtures/arm-phone-tri" --energy-model "$tmp/phone.em"
expect "the file's power is the one shown" 0 '^ +2802000 +1024 +2500\.000 ' \
	"$bin" --show-topology --sysfs-root "$fixtures/arm-phone-tri" --energy-model "$tmp/phone.em"
rm -rf "$tmp"
expect "recorded machine's model" 0 '^8 of 8 CPUs online, 3 kinds; capacity from cpu_capacity' \
	"$bin" --show-topology --sysfs-root "$fixtures/arm-phone-tri"
expect "24 per-CPU kernel domains (Arrow Lake) are grouped, not refused" 0 \
	'^  cpu8: little CPUs 8-23, capacity 736' \
	"$bin" --show-topology --sysfs-root "$fixtures/intel-arl-desktop"
expect "20 distinct domains are merged to 16 and it says so" 0 \
	"^  note: 20 distinct domains are more than the scheduler's 16" \
	"$bin" --show-topology --sysfs-root "$fixtures/intel-hybrid-32"
expect "a hybrid without cpufreq gets a model estimated per kind, and says why" 0 \
	'^energy model in use: derived \(no kernel model, no --energy-model and no cpufreq on a machine with 2 kinds' \
	"$bin" --show-topology --sysfs-root "$fixtures/arm-virt-no-cpufreq"
expect "recorded machine's energy model written" 0 '^opp cpu6 khz=2802000 mw=2007.983$' \
	"$bin" --write-energy-model - --sysfs-root "$fixtures/arm-phone-tri"
expect "bad recording names the CPU's file" 2 'cpu3/cpu_capacity: missing \(CPU 5 has one\)$' \
	"$bin" --sysfs-root "$fixtures/bad-missing-capacity" --stats 1
# numa-server has 32 CPUs: on a host of 32 possible CPUs it would match, and
# try to attach
possible=$(awk -F- '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
if [ "$possible" != 32 ]; then
	expect "a recorded machine that does not match this one" 2 \
		'this machine has [0-9]+$|exists here but the model' \
		timeout 20 "$bin" --sysfs-root "$fixtures/numa-server"
else
	echo "ok - a recorded machine that does not match this one # SKIP host: 32 possible CPUs, as the recording"
fi
# past the old 256-CPU ceiling: 512 CPUs of 2 kinds in 2 domains of 256 (timed)
if [ -n "$large" ]; then
	start=$(date +%s%N)
	expect "--show-topology on 512 CPUs" 0 '^512 of 512 CPUs online, 2 kinds' \
		"$bin" --show-topology --sysfs-root "$large/server-512-hybrid"
	echo "# server-512-hybrid modelled in $((($(date +%s%N) - start) / 1000000)) ms"
	expect "512 CPUs: two domains of 256" 0 'big: big CPUs 0-255, capacity 1024' \
		"$bin" --show-topology --sysfs-root "$large/server-512-hybrid"
	# the longest CPU lists there are (every other CPU) go out and come back whole:
	# they were cut at 255 characters, "...,152,15", which named CPU 15 twice
	em=$(mktemp)
	{
		echo "scx-joule-energy-model 1"
		echo "pd even cpus=$(seq -s, 0 2 510)"
		printf 'opp even khz=1000000 mw=100\nopp even khz=2000000 mw=400\n'
		echo "pd odd cpus=$(seq -s, 1 2 511)"
		printf 'opp odd khz=1000000 mw=120\nopp odd khz=2000000 mw=480\n'
	} >"$em"
	expect "512 CPUs: a model of interleaved domains is written whole" 0 "^pd odd cpus=1,3,5,.*,509,511 " \
		"$bin" --sysfs-root "$large/server-512-hybrid" --energy-model "$em" --write-energy-model -
	"$bin" --sysfs-root "$large/server-512-hybrid" --energy-model "$em" --write-energy-model "$em.out" >/dev/null 2>&1
	expect "512 CPUs: and reads back" 0 "^energy model in use: file $em.out" \
		"$bin" --sysfs-root "$large/server-512-hybrid" --energy-model "$em.out" --show-topology
	rm -f "$em" "$em.out"
fi
# an XML alone is the whole input: this machine's cpufreq is not mixed in.
# Seen from a mount namespace whose /sys has the RK3399 board's cpufreq
# (6 CPUs), the phone's XML (8 CPUs) gets no cpufreq, where it failed on the
# board's files ("cpu7/cpufreq: missing").
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	expect "--topology alone reads no cpufreq of this machine" 0 '^cpufreq: none' \
		unshare -m sh -c 'mount --bind "$1/sys/devices/system/cpu" /sys/devices/system/cpu &&
			exec "$2" --show-topology --topology "$3"' sh \
		"$fixtures/arm-board-rk3399" "$bin" "$fixtures/arm-phone-tri.xml"
else
	echo "ok - --topology alone reads no cpufreq of this machine # SKIP host: needs root and unshare -m"
fi
# --write-energy-model says when the kernel's model was not used (it writes the derived one)
expect "--write-energy-model warns that the kernel's model is not used" 0 \
	"^scx_joule: warning: the kernel's energy model is not used \(.*energy_model/cpu4: no performance states" \
	"$bin" --sysfs-root "$fixtures/bad-em-empty" --write-energy-model /dev/null
# the kernel's model with a frequency of 0: not used, and the warning names
# that file (the machine is modelled from cpufreq instead)
tmp2=$(mktemp -d)
cp -a "$fixtures/arm-phone-tri" "$tmp2/root"
echo 0 >"$tmp2/root/sys/kernel/debug/energy_model/cpu0/ps:1098000/frequency"
expect "debugfs model with a zero frequency: not used, the warning names that file" 0 \
	"^warning: the kernel's energy model is not used \($tmp2/root/sys/kernel/debug/energy_model/cpu0/ps:1098000/frequency: absurd value\)$" \
	"$bin" --sysfs-root "$tmp2/root" --show-topology
# a kernel EM domain that cannot be listed: the message names it (it was
# empty). Root lists any directory, so as root this runs as nobody.
echo 1098000 >"$tmp2/root/sys/kernel/debug/energy_model/cpu0/ps:1098000/frequency"
chmod 755 "$tmp2"
chmod 311 "$tmp2/root/sys/kernel/debug/energy_model/cpu4"
# nobody runs a copy: the build tree may be where only root can go (a clone in /root)
ubin=$bin
if [ "$(id -u)" != 0 ]; then
	unlisted=()
elif command -v setpriv >/dev/null && cp "$bin" "$tmp2/scx_joule" && ubin=$tmp2/scx_joule &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$ubin"; then
	unlisted=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
	unlisted=(skip)
fi
# expect_unprivileged NAME CODE PATTERN ARGS...: expect, as nobody when root
expect_unprivileged() {
	if [ "${unlisted[*]}" = skip ]; then
		echo "ok - $1 # SKIP root, and nobody cannot run $bin"
		return
	fi
	local name=$1 code=$2 pattern=$3
	shift 3
	expect "$name" "$code" "$pattern" "${unlisted[@]}" "$@"
}
expect_unprivileged "debugfs model domain that cannot be listed: not used, the warning names it" 0 \
	"^warning: the kernel's energy model is not used \($tmp2/root/sys/kernel/debug/energy_model/cpu4: Permission denied\)$" \
	"$ubin" --sysfs-root "$tmp2/root" --show-topology
# debugfs itself is root's (mode 0700): a user's --show-topology must not
# say the machine has no kernel model
chmod 755 "$tmp2/root/sys/kernel/debug/energy_model/cpu4"
chmod 700 "$tmp2/root/sys/kernel/debug"
expect_unprivileged "debugfs that only root can read: the warning says so" 0 \
	"^warning: the kernel's energy model is not used \(whether the kernel has one is not known: $tmp2/root/sys/kernel/debug/energy_model: Permission denied \(run as root\)\)$" \
	"$ubin" --sysfs-root "$tmp2/root" --show-topology
rm -rf "$tmp2"
# cpufreq on the little cluster only (the big one's driver did not probe):
# modelled without cpufreq, per kind, not refused (the live loader then
# treated every CPU as equal)
tmp2=$(mktemp -d)
cp -a "$fixtures/arm-board-rk3399" "$tmp2/root"
rm -rf "$tmp2/root/sys/devices/system/cpu/cpu4/cpufreq" "$tmp2/root/sys/devices/system/cpu/cpu5/cpufreq" \
	"$tmp2/root/sys/devices/system/cpu/cpufreq/policy4"
expect "cpufreq on some CPUs only: warned, modelled per kind" 0 \
	"^warning: cpufreq covers only some CPUs \($tmp2/root/sys/devices/system/cpu/cpu5/cpufreq: missing \(CPU 3 has one\)\): modelled without cpufreq$" \
	"$bin" --sysfs-root "$tmp2/root" --show-topology
expect "cpufreq on some CPUs only: the kinds stay apart" 0 \
	"^energy model in use: derived \(no kernel model, no --energy-model and no cpufreq on a machine with 2 kinds" \
	"$bin" --sysfs-root "$tmp2/root" --show-topology
rm -rf "$tmp2"
# a model file line too long to read is an error, not two lines
long=$(mktemp)
printf 'scx-joule-energy-model 1\n# %s\n' "$(head -c 3000 /dev/zero | tr '\0' x)" >"$long"
expect "model file line too long" 2 "^scx_joule: $long:2: line longer than [0-9]+ characters$" \
	"$bin" --sysfs-root "$fixtures/arm-phone-tri" --energy-model "$long" --show-topology
rm -f "$long"
# beyond the build's ceiling (max_cpus, at most 512): one line, exit 2
tmp=$(mktemp -d)
cp -r "$fixtures/arm-board-rk3399" "$tmp/root"
echo 0-2047 >"$tmp/root/sys/devices/system/cpu/possible"
expect "more possible CPUs than max_cpus" 2 \
	"^scx_joule: $tmp/root: 2048 possible CPUs; this build of scx_joule handles at most [0-9]+ \(meson option max_cpus" \
	"$bin" --show-topology --sysfs-root "$tmp/root"
# an empty online file is no CPU list (it said "Input/output error")
echo 0-5 >"$tmp/root/sys/devices/system/cpu/possible"
: >"$tmp/root/sys/devices/system/cpu/online"
expect "empty online file" 2 "^scx_joule: $tmp/root/sys/devices/system/cpu/online: empty, not a CPU list$" \
	"$bin" --show-topology --sysfs-root "$tmp/root"
# an online list too long for any build's CPUs: named, not cut to a shorter list
seq -s ' ' 0 2999 >"$tmp/root/sys/devices/system/cpu/online"
expect "online list too long" 2 \
	"^scx_joule: $tmp/root/sys/devices/system/cpu/online: longer than [0-9]+ bytes, not a CPU list of at most [0-9]+ CPUs$" \
	"$bin" --show-topology --sysfs-root "$tmp/root"
echo 0-5 >"$tmp/root/sys/devices/system/cpu/online"
# a related_cpus list too long: named, where a cut list read as fewer CPUs
seq -s ' ' 0 2999 >"$tmp/root/sys/devices/system/cpu/cpufreq/policy0/related_cpus"
expect "related_cpus too long" 2 \
	"^scx_joule: $tmp/root/sys/devices/system/cpu/cpu0/cpufreq/related_cpus: longer than [0-9]+ bytes, not a list of at most [0-9]+ CPUs$" \
	"$bin" --show-topology --sysfs-root "$tmp/root"
echo 0 1 2 3 >"$tmp/root/sys/devices/system/cpu/cpufreq/policy0/related_cpus"
# cpufreq files that are there but wrong: each named, exit 2 (a file missing
# altogether is covered above: cpufreq on some CPUs only)
pol=$tmp/root/sys/devices/system/cpu/cpufreq/policy0
cpu0=$tmp/root/sys/devices/system/cpu/cpu0/cpufreq
bad_cpufreq() { # FILE CONTENT NAME REGEX: FILE holding CONTENT is refused
	cp "$pol/$1" "$tmp/saved"
	printf '%s\n' "$2" >"$pol/$1"
	expect "$3" 2 "$4" "$bin" --show-topology --sysfs-root "$tmp/root"
	cp "$tmp/saved" "$pol/$1"
}
bad_cpufreq scaling_available_frequencies "408000 abc 816000" "frequency list with a word in it" \
	"^scx_joule: $cpu0/scaling_available_frequencies: '408000 abc 816000' is not a frequency list$"
bad_cpufreq related_cpus "" "empty related_cpus" \
	"^scx_joule: $cpu0/related_cpus: missing or not a CPU list$"
bad_cpufreq cpuinfo_min_freq "fast" "cpuinfo_min_freq not a number" \
	"^scx_joule: $cpu0/cpuinfo_min_freq: not a number$"
bad_cpufreq cpuinfo_min_freq 0 "cpuinfo_min_freq 0" \
	"cpu0/cpufreq/cpuinfo_\{min,max\}_freq: 0\.\.[0-9]+ kHz is not a frequency range$"
bad_cpufreq cpuinfo_max_freq 1000 "cpuinfo_max_freq under cpuinfo_min_freq" \
	"cpu0/cpufreq/cpuinfo_\{min,max\}_freq: [0-9]+\.\.1000 kHz is not a frequency range$"
# a CPU number beyond any int: named, where it printed -9223372036854775808 CPUs
for list in 0-99999999999999999999 0-2147483648; do
	echo $list >"$tmp/root/sys/devices/system/cpu/possible"
	expect "possible CPUs $list" 2 \
		"^scx_joule: $tmp/root/sys/devices/system/cpu/possible: '$list' is not a CPU list \(a CPU number out of range\)$" \
		"$bin" --show-topology --sysfs-root "$tmp/root"
done
rm -rf "$tmp"
expect "--show-topology takes no stats" 64 "--stats and --stats-json need a run" \
	"$bin" --show-topology --stats 1
expect "--write-energy-model takes no stats" 64 "--stats and --stats-json need a run" \
	"$bin" --write-energy-model - --stats-json
expect "--follow needs --explain-profile" 64 "--follow goes with --explain-profile" "$bin" --follow
# --explain-profile: the choice and its reason, without root or sched_ext
tmp=$(mktemp -d)
mkdir -p "$tmp/class/power_supply/AC" "$tmp/class/power_supply/BAT0" "$tmp/firmware/acpi"
echo Mains >"$tmp/class/power_supply/AC/type"
echo 0 >"$tmp/class/power_supply/AC/online"
echo Battery >"$tmp/class/power_supply/BAT0/type"
expect "--explain-profile on battery" 0 '^powersave: on battery$' \
	"$bin" --explain-profile --power-sysfs "$tmp" --bus-address unix:path=/nonexistent
echo performance >"$tmp/firmware/acpi/platform_profile"
expect "--explain-profile names platform_profile" 0 '^performance: platform_profile performance$' \
	"$bin" --explain-profile --power-sysfs "$tmp" --bus-address unix:path=/nonexistent
expect "--explain-profile with a fixed profile" 0 '^gaming: chosen with --profile$' \
	"$bin" --explain-profile --profile gaming
# what --explain-profile would have ignored is refused (it exited 0 and wrote nothing)
for extra in "--write-energy-model $tmp/em" --show-topology "--model /nonexistent.soc" \
	"--stats 1" --stats-json "--sysfs-root $tmp"; do
	# word splitting on purpose: an option and its value
	expect "--explain-profile $extra refused" 64 "--explain-profile only says which profile" \
		"$bin" --explain-profile $extra
done
[ ! -e "$tmp/em" ] && passes=$((passes + 1)) && echo "ok - nothing written" ||
	{ failures=$((failures + 1)); echo "not ok - $tmp/em written"; }
expect "a --power-sysfs that is not there" 64 "^scx_joule: --power-sysfs /nonexistent: No such file or directory$" \
	"$bin" --explain-profile --power-sysfs /nonexistent
expect "a --power-sysfs that is a file" 64 "^scx_joule: --power-sysfs /etc/passwd: Not a directory$" \
	"$bin" --explain-profile --power-sysfs /etc/passwd
expect "--follow with a fixed profile refused" 64 "a fixed profile never changes" \
	"$bin" --explain-profile --follow --profile gaming
expect "--explain-profile that cannot write is an error" 1 \
	"^scx_joule: cannot write the output: No space left on device$" \
	sh -c 'exec "$1" --explain-profile --profile gaming >/dev/full' sh "$bin"
# following into output that goes nowhere: ends at once with the write's error (it
# followed on until stopped, then named EINTR, the interrupted poll's)
expect "--explain-profile --follow that cannot write ends" 1 \
	"^scx_joule: cannot write the output: No space left on device$" \
	timeout 20 sh -c 'exec "$1" --explain-profile --follow --power-sysfs "$2" --no-gamemode \
		--bus-address unix:path=/nonexistent >/dev/full' sh "$bin" "$tmp"
rm -rf "$tmp"
# log mode: stdout is the journal stream systemd named (here a file). Each
# run is given a recorded machine it refuses (exit 2, after the log mode is
# chosen), so that it cannot attach on a host that has sched_ext.
out=$(mktemp)
refused=(--sysfs-root "$fixtures/bad-missing-capacity" --stats 1)
JOURNAL_STREAM=$(stat -c '%d:%i' "$out") timeout 20 "$bin" "${refused[@]}" >"$out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q '^--stats and --stats-json are off in log mode' "$out" &&
	grep -q 'cpu_capacity: missing' "$out"; then
	passes=$((passes + 1)); echo "ok - JOURNAL_STREAM on stdout: log mode, no stats"
else
	failures=$((failures + 1)); echo "not ok - no log mode under JOURNAL_STREAM (exit $rc, want 2):"
	sed 's/^/    /' "$out"
fi
JOURNAL_STREAM=1:1 timeout 20 "$bin" "${refused[@]}" >"$out" 2>&1
rc=$?
if [ $rc -eq 2 ] && ! grep -q 'log mode' "$out" && grep -q 'cpu_capacity: missing' "$out"; then
	passes=$((passes + 1)); echo "ok - an inherited JOURNAL_STREAM does not count"
else
	failures=$((failures + 1)); echo "not ok - log mode from an inherited JOURNAL_STREAM, or exit $rc (want 2):"
	sed 's/^/    /' "$out"
fi
rm -f "$out"
# EPP, turbo, platform_profile and the uncore limit per profile, on a copy of
# a recorded intel_pstate laptop with intel_uncore_frequency
# (--power-settings-only: what a run does to them, without sched_ext).
# Killed with SIGKILL, the next start restores the originals.
tmp=$(mktemp -d)
cp -a "$fixtures/intel-adl-laptop-uncore/sys" "$tmp/sys"
export SCX_JOULE_POWER_STATE=$tmp/run/power-saved
cpu=$tmp/sys/devices/system/cpu
power_values() {
	echo "EPP $(cat "$cpu/cpufreq/policy0/energy_performance_preference")" \
		"$(cat "$cpu/cpufreq/policy19/energy_performance_preference")," \
		"no_turbo $(cat "$cpu/intel_pstate/no_turbo")," \
		"platform_profile $(cat "$tmp/sys/firmware/acpi/platform_profile")," \
		"uncore max $(cat "$cpu/intel_uncore_frequency/package_00_die_00/max_freq_khz")," \
		"state file $([ -e "$SCX_JOULE_POWER_STATE" ] && echo yes || echo no)"
}
# wait_for VALUES: up to 5 s for power_values to say VALUES
wait_for() {
	for _ in $(seq 50); do
		[ "$(power_values)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# check NAME VALUES: power_values must say VALUES now (or within 5 s)
check() {
	if wait_for "$2"; then
		passes=$((passes + 1)); echo "ok - $1: $(power_values)"
	else
		failures=$((failures + 1)); echo "not ok - $1: $(power_values) (want $2)"
	fi
}
power_run() {
	"$bin" --power-settings-only --power-sysfs "$tmp/sys" \
		--bus-address unix:path=/nonexistent "$@" >>"$tmp/out" 2>&1 &
	pid=$!
}
original="EPP balance_performance balance_performance, no_turbo 0, platform_profile balanced, uncore max 3800000, state file no"
check "power settings before" "$original"
power_run --profile powersave
check "powersave applied" "EPP balance_power balance_power, no_turbo 1, platform_profile low-power, uncore max 2100000, state file yes"
{ kill -KILL $pid && wait $pid; } 2>/dev/null # no "Killed" line
check "killed with SIGKILL: still applied, originals in the state file" \
	"EPP balance_power balance_power, no_turbo 1, platform_profile low-power, uncore max 2100000, state file yes"
power_run --no-power-settings
check "the next start restores the originals" "$original"
kill -TERM $pid
wait $pid
expect "and says so" 0 '^scx_joule: restored 23 power settings left by a previous run$' cat "$tmp/out"
: >"$tmp/out"
power_run --profile gaming
check "gaming applied" "EPP performance performance, no_turbo 0, platform_profile performance, uncore max 3800000, state file yes"
kill -TERM $pid
wait $pid
check "SIGTERM restores the originals" "$original"
expect "and says so" 0 '^scx_joule: restored the original power settings \(21 files\)$' cat "$tmp/out"
: >"$tmp/out"
# a value someone else writes while it runs is theirs: left at exit, and said so
power_run --profile gaming
check "gaming applied once more" "EPP performance performance, no_turbo 0, platform_profile performance, uncore max 3800000, state file yes"
echo low-power >"$tmp/sys/firmware/acpi/platform_profile"
kill -TERM $pid
wait $pid
check "the user's platform_profile stays, the rest is restored" \
	"EPP balance_performance balance_performance, no_turbo 0, platform_profile low-power, uncore max 3800000, state file no"
expect "and says so" 0 '^scx_joule: left 1 power setting someone else changed while scx_joule ran$' cat "$tmp/out"
echo balanced >"$tmp/sys/firmware/acpi/platform_profile"
: >"$tmp/out"
# a closed terminal (SIGHUP) and a stats reader gone (SIGPIPE) end the run the same way
for sig in HUP PIPE; do
	power_run --profile gaming
	check "gaming applied again" "EPP performance performance, no_turbo 0, platform_profile performance, uncore max 3800000, state file yes"
	kill -$sig $pid
	wait $pid
	expect "SIG$sig: exit status 0" 0 "^status 0$" echo "status $?"
	check "SIG$sig restores the originals" "$original"
done
# started with SIGHUP and SIGPIPE ignored (nohup; systemd ignores SIGPIPE), they stay ignored
( trap '' HUP PIPE; exec "$bin" --power-settings-only --power-sysfs "$tmp/sys" \
	--bus-address unix:path=/nonexistent --profile gaming >>"$tmp/out" 2>&1 ) &
pid=$!
check "gaming applied, SIGHUP and SIGPIPE ignored" "EPP performance performance, no_turbo 0, platform_profile performance, uncore max 3800000, state file yes"
kill -HUP $pid
kill -PIPE $pid
# long enough for a build that does stop on them to have stopped, on a
# host busy with two guests (a stop restores the power settings first)
sleep 2
if kill -0 $pid 2>/dev/null; then
	passes=$((passes + 1)); echo "ok - ignored SIGHUP and SIGPIPE do not end the run"
else
	failures=$((failures + 1)); echo "not ok - an ignored SIGHUP or SIGPIPE ended the run"
fi
check "and the settings stay" "EPP performance performance, no_turbo 0, platform_profile performance, uncore max 3800000, state file yes"
kill -TERM $pid
wait $pid
check "SIGTERM still restores them" "$original"
: >"$tmp/out"
"$bin" --power-settings-only --profile powersave --no-power-settings --power-sysfs "$tmp/sys" \
	--bus-address unix:path=/nonexistent >>"$tmp/out" 2>&1 &
pid=$!
# the profile line comes just before the settings would be applied: after
# it, they are, or they never will be; a run that died changes nothing too
for _ in $(seq 100); do
	grep -q '^scx_joule: profile powersave' "$tmp/out" && break
	sleep 0.1
done
sleep 0.5
if grep -q '^scx_joule: profile powersave' "$tmp/out" && kill -0 $pid 2>/dev/null; then
	check "--no-power-settings changes nothing" "$original"
else
	failures=$((failures + 1)); echo "not ok - --no-power-settings: the run did not start or ended early:"
	sed 's/^/    /' "$tmp/out"
fi
kill -TERM $pid
wait $pid
expect "--no-power-settings: SIGTERM, exit status 0" 0 "^status 0$" echo "status $?"
# --profile auto on a laptop: unplugged, powersave writes platform_profile
# low-power; plugged in again, that value is scx_joule's own and must not keep
# it in powersave (it did: "auto: platform_profile low-power").
mkdir -p "$tmp/sys/class/power_supply/AC" "$tmp/sys/class/power_supply/BAT0"
echo Mains >"$tmp/sys/class/power_supply/AC/type"
echo 0 >"$tmp/sys/class/power_supply/AC/online"
echo Battery >"$tmp/sys/class/power_supply/BAT0/type"
: >"$tmp/out"
power_run
check "auto on battery: powersave" "EPP balance_power balance_power, no_turbo 1, platform_profile low-power, uncore max 2100000, state file yes"
echo 1 >"$tmp/sys/class/power_supply/AC/online"
check "AC again: balanced, its own low-power notwithstanding" \
	"EPP balance_performance balance_performance, no_turbo 0, platform_profile balanced, uncore max 3800000, state file yes"
kill -TERM $pid
wait $pid
expect "and the profile line says why" 0 '^scx_joule: profile balanced \(auto: on AC power, platform_profile balanced\)$' \
	cat "$tmp/out"
unset SCX_JOULE_POWER_STATE
rm -rf "$tmp"
expect "stray argument" 64 "unexpected argument 'foo'" "$bin" foo
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bin"; then
	expect "not root" 1 '^scx_joule: must be run as root' \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin"
else
	echo "ok - not root # SKIP host: not root, no setpriv, or nobody cannot run $bin"
fi
if [ ! -e /sys/kernel/sched_ext/state ] && [ "$(id -u)" -eq 0 ]; then
	expect "no sched_ext in this kernel" 4 '^scx_joule: this kernel has no sched_ext support' "$bin"
	lines=$("$bin" 2>&1 | wc -l)
	if [ "$lines" -eq 1 ]; then passes=$((passes + 1)); echo "ok - error is one line"
	else failures=$((failures + 1)); echo "not ok - error is $lines lines"; fi
else
	echo "ok - no sched_ext in this kernel # SKIP host: this kernel has sched_ext, or not root"
fi
echo "$passes passed, $failures failed"
[ $failures -eq 0 ]
