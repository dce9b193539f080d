#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Every patch in kernel/patches/series: checkpatch.pl --strict clean (the
# base tree's own checkpatch) and applying in order to the base, Linux
# 7.3 from Debian's linux-source-7.3 (tests/vm/fetch-source.sh).  That the
# patched kernel builds and the events fire is checked by the VM tests.
set -u
: "${DS_SRCDIR:?}"
cd "$DS_SRCDIR"
if [ -z "${DS_CACHE:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then DS_CACHE=/var/cache/deptscope
	else DS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/deptscope; fi
fi
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

series=kernel/patches/series
mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")
if [ ${#patches[@]} -eq 0 ]; then
	echo "SKIP: $series is empty"
	echo "kernel: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! tree=$(tests/vm/fetch-source.sh 7.3 "$DS_CACHE"); then
	echo "SKIP: the Linux 7.3 source could not be had: cannot check the patches"
	echo "kernel: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
for p in "${patches[@]}"; do
	[ -f "kernel/patches/$p" ] || bad "$p" "listed in the series but missing"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apply in order on a scratch copy of the touched files only
for p in "${patches[@]}"; do
	f=kernel/patches/$p
	[ -f "$f" ] || continue
	# on stdin: checkpatch checks a file git tracks as source, not as a patch
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -q - <"$f" 2>&1)
	if [ -z "$out" ]; then ok "$p: checkpatch --strict clean"; else bad "$p: checkpatch" "$out"; fi
	for file in $(sed -n 's|^+++ b/||p' "$f"); do
		[ -e "$tmp/$file" ] && continue
		mkdir -p "$tmp/$(dirname "$file")"
		[ -e "$tree/$file" ] && cp "$tree/$file" "$tmp/$file"
	done
	if out=$(cd "$tmp" && patch -p1 --forward --quiet <"$DS_SRCDIR/$f" 2>&1); then
		ok "$p: applies in order to $(basename "$(dirname "$tree")")"
	else
		bad "$p: does not apply" "$out"
	fi
done
echo "kernel: $pass passed, $fail failed"
[ $fail -eq 0 ]
