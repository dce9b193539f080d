#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Every patch in kernel/patches/series: checkpatch.pl --strict clean (the
# base tree's own checkpatch) and applying in order to the base, Linux
# 7.3 from Debian's linux-source-7.3 (tests/vm/fetch-source.sh).  Applying
# is `git apply --check` and then `git apply` on a scratch copy of the
# files the series touches, outside any git repository (so the paths are
# taken as given): unlike patch(1), git apply accepts no fuzz, and each
# patch sees its predecessors applied.  That
# the patched kernel builds, without new W=1 warnings, and that the events
# fire is checked by the VM tests (tests/vm/build-kernel.sh).
#
# The DEPT series in kernel/patches/dept/series is based on DEPT v18, not
# on 7.3: each patch must be checkpatch --strict clean too, and their
# include/trace/events/dept.h hunks must apply in order (git apply
# --include, --check first) onto a tree that lacks the file (what the VM
# fixture build does).  Their dept.c hunks need DEPT's sources, which are
# not here.  The test fixtures of kernel/fixtures/series must be clean and
# apply in the order the VM build applies them: onto 7.3 with the mainline
# series and the DEPT header.  The Tegra VPR series (kernel/patches/tegra-vpr)
# sits on the VPR heap series v3, whose text is not here either:
# checkpatch only, and one SKIP line per patch says that its apply is not
# checked.
set -u
: "${DS_SRCDIR:?}"
cd "$DS_SRCDIR"
if [ -z "${DS_CACHE:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then DS_CACHE=/var/cache/deptscope
	else DS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/deptscope; fi
fi
pass=0 fail=0 skip=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
skipped() { echo "SKIP: $1"; skip=$((skip + 1)); }

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
base=$(basename "$(dirname "$tree")")
for p in "${patches[@]}"; do
	[ -f "kernel/patches/$p" ] || bad "$p" "listed in the series but missing"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the scratch tree: the files the patches touch, copied from the base as
# the patches come.  It is outside any git repository ($tmp is the ceiling),
# so git apply takes the paths as given.
scratch=$tmp/tree
mkdir -p "$scratch"
export GIT_CEILING_DIRECTORIES=$tmp

# copy_touched PATCH: the files PATCH reads or writes that the scratch tree
# has not seen yet, from the base (a file the patch creates is not there)
copy_touched() {
	local file
	for file in $(sed -n -e 's|^--- a/||p' -e 's|^+++ b/||p' "$1"); do
		[ -e "$scratch/$file" ] && continue
		mkdir -p "$scratch/$(dirname "$file")"
		if [ -e "$tree/$file" ]; then cp "$tree/$file" "$scratch/$file"; fi
	done
}

# git_apply DIR PATCH [GIT-APPLY-OPTIONS...]: --check, then apply for real
# so that the next patch sees this one; the output of the failing step
git_apply() {
	local dir=$1 patch=$2
	shift 2
	(cd "$dir" && git apply --check "$@" "$patch" 2>&1 && git apply "$@" "$patch" 2>&1)
}

# apply in order on the scratch tree
for p in "${patches[@]}"; do
	f=kernel/patches/$p
	[ -f "$f" ] || continue
	# on stdin: checkpatch checks a file git tracks as source, not as a patch
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -q - <"$f" 2>&1)
	if [ -z "$out" ]; then ok "$p: checkpatch --strict clean"; else bad "$p: checkpatch" "$out"; fi
	copy_touched "$f"
	if out=$(git_apply "$scratch" "$DS_SRCDIR/$f"); then
		ok "$p: applies (git apply --check) in order to $base"
	else
		bad "$p: does not apply (git apply --check)" "$out"
	fi
done

# the DEPT series: checkpatch, then the header hunks alone, in order
dept_series=kernel/patches/dept/series
dept_hdr=include/trace/events/dept.h
mapfile -t dept_patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dept_series" 2>/dev/null)
if [ ${#dept_patches[@]} -eq 0 ]; then
	bad "$dept_series" "missing or empty"
fi
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
	if out=$(git_apply "$hdr" "$DS_SRCDIR/$f" --include="$dept_hdr"); then
		ok "dept/$p: applies (git apply --check) in order, its $dept_hdr hunks alone"
	else
		bad "dept/$p: $dept_hdr hunks do not apply (git apply --check)" "$out"
		hdr_ok=0
	fi
done
if [ ${#dept_patches[@]} -gt 0 ] && [ $hdr_ok -eq 1 ]; then
	if [ -s "$hdr/$dept_hdr" ]; then ok "dept: the series builds $dept_hdr"
	else bad "dept: $dept_hdr" "not created by the series"; fi
fi
# the VM kernel's test fixtures: checkpatch, and each applies in the VM
# build's order, onto the scratch tree that has the mainline series: a
# "PATCH PATH" line (the DEPT header, checked above) is applied there too
while read -r p only; do
	p=${p%%#*}
	[ -n "$p" ] || continue
	[[ $only == \#* ]] && only=
	f=kernel/fixtures/$p
	if [ ! -f "$f" ]; then
		bad "fixtures/$p" "listed in kernel/fixtures/series but missing"
		continue
	fi
	if [ -n "$only" ]; then
		out=$(git_apply "$scratch" "$DS_SRCDIR/$f" --include="$only") ||
			bad "fixtures/$p ($only)" "does not apply after the mainline series: $out"
		continue
	fi
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -q - <"$f" 2>&1)
	if [ -z "$out" ]; then ok "fixtures/$p: checkpatch --strict clean"; else bad "fixtures/$p: checkpatch" "$out"; fi
	copy_touched "$f"
	if out=$(git_apply "$scratch" "$DS_SRCDIR/$f"); then
		ok "fixtures/$p: applies (git apply --check) in order to $base + kernel/patches/series"
	else
		bad "fixtures/$p: does not apply (git apply --check)" "$out"
	fi
done <kernel/fixtures/series
# the Tegra VPR series sits on the VPR heap series (v3): the text of the
# two files it changes (v3 08/11's blobs) is in no tree here, so checkpatch
# only, and a SKIP per patch for the apply
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
	skipped "tegra-vpr/${p%%-*}: base (VPR heap series v3) not available: apply not checked"
done
echo "note: dept.c hunks: DEPT v18 is not in the tree; kernel/dependency/dept.c and MAINTAINERS hunks are checked by checkpatch only"

echo "kernel: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
