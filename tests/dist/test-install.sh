#!/bin/bash
# What `meson install` puts on a system: the binaries and their man pages,
# the unit, its defaults file, bash completion and the machine files; the
# unit passes `systemd-analyze verify` (with its ExecStart= and man page
# pointing into the install).
# usage: test-install.sh BUILD_DIR
set -u
build=$1
failures=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
if ! meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1; then
	cat "$dest.log"; rm -f "$dest.log"
	echo "not ok - meson install failed"; exit 1
fi
rm -f "$dest.log"

find_one() { find "$dest" -path "$1" \( -type f -o -type l \) | head -n1; }
bin=$(find_one '*/sbin/scx_joule')
man=$(find_one '*/man/man8/scx_joule.8')
unit=$(find_one '*/systemd/system/scx_joule.service')
defaults=$(find_one '*/etc/default/scx_joule')
completion=$(find_one '*/bash-completion/completions/scx_joule')
soc=$(find_one '*/share/scx_joule/socs/board-rk3399.soc')
for f in bin man unit defaults completion soc; do
	[ -n "${!f}" ] && ok "installs $f: ${!f#"$dest"}" || not_ok "installs no $f"
done
[ -n "$unit" ] && [ -n "$bin" ] && [ -n "$man" ] || { echo "$passes passed, $failures failed"; exit 1; }

# every option of a program's --help is in its man page
# man_names_options PROGRAM MAN_PAGE
man_names_options() {
	local manpage opts missing=0
	manpage=$(MANWIDTH=200 man -l "$2" 2>/dev/null)
	opts=$("$1" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
	# an empty list (--help failed) would pass the loop below
	[ "$(wc -w <<<"$opts")" -ge 10 ] ||
		not_ok "${1##*/} --help lists $(wc -w <<<"$opts") options, not 10 or more"
	for opt in $opts; do
		grep -qF -- "$opt" <<<"$manpage" || { not_ok "${2##*/} misses $opt"; missing=1; }
	done
	[ $missing = 1 ] || ok "${2##*/} names every one of the $(wc -w <<<"$opts") --help options"
}
man_names_options "$bin" "$man"
bench=$(find_one '*/sbin/joule-bench')
bench_man=$(find_one '*/man/man8/joule-bench.8')
[ -n "$bench" ] && [ -n "$bench_man" ] && man_names_options "$bench" "$bench_man" ||
	not_ok "joule-bench (${bench:-not installed}) or its man page (${bench_man:-not installed}) missing"
# --model's help names where the machine files went
if [ -n "$soc" ]; then
	socdir=$(dirname "${soc#"$dest"}")
	"$bin" --help | grep -qF "$socdir" && ok "--help names $socdir" ||
		not_ok "--help does not name $socdir, where the machine files are installed"
fi

# bash completion offers the options and the profiles
if [ -r /usr/share/bash-completion/bash_completion ]; then
	got=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
		COMP_WORDS=("$2" --profile ""); COMP_CWORD=2; COMP_LINE="$2 --profile "
		COMP_POINT=${#COMP_LINE}; _scx_joule "$2" "" --profile; echo "${COMPREPLY[*]}"' \
		_ "$completion" "$bin")
	[ "$got" = "auto powersave balanced performance gaming" ] &&
		ok "completion of --profile" || not_ok "completion of --profile: '$got'"
else
	echo "ok - completion of --profile # SKIP bash-completion is not installed"
fi

# the unit's own lines, which need no systemd to check
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[ "$dest$exec_start" = "$bin" ] && ok "ExecStart= runs the installed binary ($exec_start)" ||
	not_ok "ExecStart= is $exec_start, binary installed at ${bin#"$dest"}"
grep -q '^Restart=on-failure$' "$unit" && ok "Restart=on-failure" || not_ok "no Restart=on-failure"
grep -q '^RestartPreventExitStatus=.*\b3\b' "$unit" && ok "no restart while another scheduler runs" ||
	not_ok "exit status 3 restarts"
grep -q '^RestartPreventExitStatus=.*\b4\b' "$unit" && ok "no restart on a kernel that cannot run it" ||
	not_ok "exit status 4 restarts"
grep -q '^StartLimitBurst=[1-9]' "$unit" && grep -q '^StartLimitIntervalSec=[1-9]' "$unit" &&
	ok "a start limit that a 2 s restart loop trips" || not_ok "no start limit of its own"

if ! command -v systemd-analyze >/dev/null; then
	echo "$passes passed, $failures failed (systemd-analyze absent: unit not verified)"
	[ $failures -eq 0 ] || exit 1
	exit 77
fi
sed -i "s|^ExecStart=$exec_start|ExecStart=$bin|" "$unit"
out=$(MANPATH=${man%/man8/*} systemd-analyze verify "$unit" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
	ok "systemd-analyze verify: clean"
else
	not_ok "systemd-analyze verify: exit $rc"
	sed 's/^/    /' <<<"$out"
fi
echo "$passes passed, $failures failed"
[ $failures -eq 0 ]
