#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Every patch in kernel/patches/series: checkpatch.pl --strict clean (the
# base tree's own checkpatch) and applying in order to the base, Linux
# 7.3 from Debian's linux-source-7.3 (tests/vm/fetch-source.sh).  That the
# patched kernel builds and the events fire is checked by the VM tests.
#
# The DEPT series in kernel/patches/dept/series is based on DEPT v18, not
# on 7.3: each patch must be checkpatch --strict clean too, and their
# include/trace/events/dept.h hunks must apply in order onto a tree that
# lacks the file (what the VM fixture build does).  Their dept.c hunks
# need DEPT's sources, which are not here.  The test fixtures of
# kernel/fixtures/series must be clean and apply to 7.3.  The Tegra VPR
# series (kernel/patches/tegra-vpr) sits on the VPR heap series, which is
# not here either: checkpatch only.
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

# the DEPT series: checkpatch, then the header hunks alone, in order
dept_series=kernel/patches/dept/series
dept_hdr=include/trace/events/dept.h
mapfile -t dept_patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dept_series" 2>/dev/null)
if [ ${#dept_patches[@]} -eq 0 ]; then
	bad "$dept_series" "missing or empty"
fi
# outside any git repository, so that git apply takes paths as given
hdr=$tmp/dept-hdr
mkdir -p "$hdr"
hdr_ok=1
for p in "${dept_patches[@]}"; do
	f=kernel/patches/dept/$p
	if [ ! -f "$f" ]; then
		bad "dept/$p" "listed in the series but missing"
		hdr_ok=0
		continue
	fi
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -q - <"$f" 2>&1)
	if [ -z "$out" ]; then ok "dept/$p: checkpatch --strict clean"; else bad "dept/$p: checkpatch" "$out"; fi
	[ $hdr_ok -eq 1 ] || continue
	if out=$(cd "$hdr" && GIT_CEILING_DIRECTORIES=$tmp \
		git apply --include="$dept_hdr" "$DS_SRCDIR/$f" 2>&1); then
		ok "dept/$p: $dept_hdr hunks apply in order"
	else
		bad "dept/$p: $dept_hdr hunks do not apply" "$out"
		hdr_ok=0
	fi
done
if [ ${#dept_patches[@]} -gt 0 ] && [ $hdr_ok -eq 1 ]; then
	if [ -s "$hdr/$dept_hdr" ]; then ok "dept: the series builds $dept_hdr"
	else bad "dept: $dept_hdr" "not created by the series"; fi
fi
# the VM kernel's test fixtures: checkpatch, and each applies to 7.3
fx_tmp=$tmp/fixtures
mkdir -p "$fx_tmp"
while read -r p only; do
	p=${p%%#*}
	[ -n "$p" ] || continue
	[ -z "$only" ] || continue	# a header taken from the DEPT series, checked above
	f=kernel/fixtures/$p
	if [ ! -f "$f" ]; then
		bad "fixtures/$p" "listed in kernel/fixtures/series but missing"
		continue
	fi
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -q - <"$f" 2>&1)
	if [ -z "$out" ]; then ok "fixtures/$p: checkpatch --strict clean"; else bad "fixtures/$p: checkpatch" "$out"; fi
	for file in $(sed -n 's|^+++ b/||p' "$f"); do
		[ -e "$fx_tmp/$file" ] && continue
		mkdir -p "$fx_tmp/$(dirname "$file")"
		[ -e "$tree/$file" ] && cp "$tree/$file" "$fx_tmp/$file"
	done
	if out=$(cd "$fx_tmp" && patch -p1 --forward --quiet <"$DS_SRCDIR/$f" 2>&1); then
		ok "fixtures/$p: applies to $(basename "$(dirname "$tree")")"
	else
		bad "fixtures/$p: does not apply" "$out"
	fi
done <kernel/fixtures/series
# the Tegra VPR series sits on the VPR heap series (v3), which is not in
# any tree here: checkpatch only
vpr_series=kernel/patches/tegra-vpr/series
mapfile -t vpr_patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$vpr_series" 2>/dev/null)
[ ${#vpr_patches[@]} -gt 0 ] || bad "$vpr_series" "missing or empty"
for p in "${vpr_patches[@]}"; do
	f=kernel/patches/tegra-vpr/$p
	if [ ! -f "$f" ]; then
		bad "tegra-vpr/$p" "listed in the series but missing"
		continue
	fi
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -q - <"$f" 2>&1)
	if [ -z "$out" ]; then ok "tegra-vpr/$p: checkpatch --strict clean"
	else bad "tegra-vpr/$p: checkpatch" "$out"; fi
done
echo "note: tegra-vpr: the VPR heap series (v3) is not in the tree; its patches are checked by checkpatch only"
echo "note: dept.c hunks: DEPT v18 is not in the tree; kernel/dependency/dept.c and MAINTAINERS hunks are checked by checkpatch only"

echo "kernel: $pass passed, $fail failed"
[ $fail -eq 0 ]
