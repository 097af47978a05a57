#!/bin/bash
# Builds the .deb from a copy of the source tree (dpkg-buildpackage -b), runs
# lintian on it (errors fail, warnings are listed) and checks that it ships
# exactly what `meson install` of the same build installs, apart from what
# debhelper adds by policy (/usr/share/doc/scx-joule/) and the man page that
# dh_compress gzips.
# usage: test-deb.sh SOURCE_DIR        exit 77: no Debian packaging tools here
set -u
src=$1
for tool in dpkg-buildpackage dh dpkg-deb; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { failures=$((failures + 1)); echo "not ok - $*"; }

# tracked and new files, never build directories or earlier package products
mkdir "$tmp/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf -) |
		tar -xf - -C "$tmp/src"
else
	tar -C "$src" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$tmp/src"
fi

start=$(date +%s)
if ! (cd "$tmp/src" && dpkg-buildpackage -b -us -uc >"$tmp/build.log" 2>&1); then
	tail -n 40 "$tmp/build.log"
	echo "not ok - dpkg-buildpackage failed"
	exit 1
fi
echo "ok - dpkg-buildpackage -b -us -uc ($(($(date +%s) - start)) s)"
deb=$(ls "$tmp"/scx-joule_*.deb)

if command -v lintian >/dev/null; then
	lintian "$deb" >"$tmp/lintian.log" 2>&1
	sed 's/^/    lintian: /' "$tmp/lintian.log" | grep -v 'root privileges'
	grep -q '^E: ' "$tmp/lintian.log" && fail "lintian reports errors" ||
		echo "ok - lintian: no errors ($(grep -c '^W: ' "$tmp/lintian.log") warnings)"
else
	echo "ok - lintian # SKIP lintian is not installed"
fi

list() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort); }
dpkg-deb -x "$deb" "$tmp/deb-root"
list "$tmp/deb-root" | grep -v '^/usr/share/doc/scx-joule/' |
	sed 's|^\(/usr/share/man/.*\)\.gz$|\1|' >"$tmp/deb.files"
obj=$(ls -d "$tmp"/src/obj-*/ | head -n1)
meson install -C "$obj" --no-rebuild --quiet --destdir "$tmp/meson-root" >/dev/null 2>&1 ||
	fail "meson install of the package's build failed"
list "$tmp/meson-root" >"$tmp/meson.files"
echo "the package installs:"
sed 's/^/    /' "$tmp/deb.files"
if diff -u "$tmp/meson.files" "$tmp/deb.files" >"$tmp/diff"; then
	echo "ok - the .deb ships exactly what meson install installs ($(wc -l <"$tmp/deb.files") files)"
else
	fail "the .deb and meson install differ (- meson, + .deb):"
	cat "$tmp/diff"
fi
[ -n "$(list "$tmp/deb-root" | grep '^/usr/share/doc/scx-joule/copyright$')" ] ||
	fail "no copyright file"
[ $failures -eq 0 ]
