#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# build-kernel.sh NAME SRC CACHE FRAGMENT[:FRAGMENT...] [SERIES[:SERIES...]]
#   Build an x86_64 bzImage from kernel tree SRC: tinyconfig + FRAGMENTs,
#   with the patches listed in each SERIES (a quilt-style series file; paths
#   are relative to its directory) applied in order to a private copy of
#   the tree.  A series line "PATCH PATH" applies only PATCH's changes to
#   PATH (how kernel/fixtures takes the DEPT tracepoint header alone).
#   Builds are cached under CACHE/build/NAME-KEY, KEY hashing the source
#   identity, the patches and the config, so a warm run rebuilds nothing.
#   Prints the build directory (bzImage, vmlinux) on stdout.
#
#   W=1: when a SERIES is kernel/patches/series (the mainline dma-buf and
#   vfio-pci series, or a file of that name elsewhere: a copy), every .c
#   file its patches touch whose object this config builds is compiled
#   again with W=1 on the patched tree, then with the files the series
#   touches put back as in SRC (files it creates removed).  The warnings
#   of both, without line and column ("OBJ: file: message [-Wflag]", so a
#   header's count too), are compared: one the series adds fails the build.
#   BUILD/w1.txt keeps the figures (objects, warnings before, after, new)
#   and names each new warning; w1-before.txt and w1-after.txt list them
#   all, w1.log is the compiler's output.  The fixtures are not checked.
#
#   Exit status: 0 built (or cached), 3 bad arguments or not a kernel tree,
#   4 a patch does not apply, 5 the config fragment cannot be applied,
#   6 the kernel build failed, 7 the W=1 check failed: the series adds a
#   warning, or a W=1 build failed.  On 7 the build directory is printed
#   all the same, for its w1.txt; it is not cached.
set -euo pipefail
# bump when the way kernels are built changes: it is part of the cache key
RECIPE=4
KEEP_BUILDS=2
name=${1:?name} src=${2:?src} cache=${3:?cache} frags=${4:?fragment} series=${5:-}
IFS=: read -r -a fragments <<<"$frags"
for f in "${fragments[@]}"; do
	[ -f "$f" ] || { echo "vmtest[$name]: no config fragment $f" >&2; exit 3; }
done
log() { echo "vmtest[$name]: $*" >&2; }

[ -f "$src/Makefile" ] || { log "not a kernel tree: $src"; exit 3; }

# What identifies the source: Debian's version file, else git, else the path.
src_id() {
	if [ -f "$src/../version" ]; then
		cat "$src/../version"
	elif git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
		git -C "$src" rev-parse HEAD
		git -C "$src" diff HEAD | sha256sum
	else
		echo "$src"
		stat -c %Y "$src/Makefile"
	fi
}

patches=() only=() mainline=()
IFS=: read -r -a serieses <<<"$series"
for s in "${serieses[@]}"; do
	[ -f "$s" ] || continue
	m=0
	[[ $(realpath "$s") == */kernel/patches/series ]] && m=1
	while read -r p path; do
		p=${p%%#*}
		[ -n "$p" ] || continue
		[[ $path == \#* ]] && path=
		patches+=("$(dirname "$s")/$p")
		only+=("$path")
		mainline+=("$m")
	done <"$s"
done

# only what reaches .config counts: editing a comment must not cost a rebuild
key=$({
	src_id
	grep -hE '^(CONFIG_|# CONFIG_)' "${fragments[@]}"
	for i in "${!patches[@]}"; do
		if [ -n "${only[$i]}" ]; then
			# only what is applied counts: the DEPT series' dept.c is not
			awk -v f="a/${only[$i]}" '/^diff --git /{ keep = ($3 == f) } keep' \
				"${patches[$i]}"
			echo "only ${only[$i]}"
		else
			cat "${patches[$i]}"
		fi
	done
	echo "recipe $RECIPE"
} | sha256sum | cut -c1-16)
b=$cache/build/$name-$key
if [ -f "$b/.built" ]; then
	log "cached build $b"
	echo "$b"
	exit 0
fi
rm -rf "$b"
mkdir -p "$b"

tree=$src
if [ ${#patches[@]} -gt 0 ]; then
	# patch a copy: the cached source and the user's tree stay untouched
	tree=$b/src
	log "copying the tree to apply ${#patches[@]} patches"
	cp -a "$src" "$tree"
	for i in "${!patches[@]}"; do
		p=${patches[$i]}
		if [ -n "${only[$i]}" ]; then
			log "applying $(basename "$p") (only ${only[$i]})"
			# outside any repository: git apply takes the paths as given
			(cd "$tree" && GIT_CEILING_DIRECTORIES=$(dirname "$tree") \
				git apply --include="${only[$i]}" "$p") ||
				{ log "patch $p does not apply to ${only[$i]}"; exit 4; }
			continue
		fi
		log "applying $(basename "$p")"
		patch -d "$tree" -p1 --quiet --forward <"$p" || { log "patch $p does not apply"; exit 4; }
	done
fi

o=$b/obj
mkdir -p "$o"
kmake() { make -C "$tree" O="$o" ARCH=x86_64 "$@"; }
log "configuring: tinyconfig + $(for f in "${fragments[@]}"; do basename "$f"; done | xargs)"
kmake -s tinyconfig >/dev/null
"$tree/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "${fragments[@]}" >/dev/null
kmake -s olddefconfig >/dev/null

# every wanted option must really be set: Kconfig drops what it cannot satisfy
missing=0
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qx -- "$line" "$o/.config" || { log "config: wanted $line, got: $(grep "^${line%%=*}=\|# ${line%%=*} is" "$o/.config" || echo unset)"; missing=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$o/.config" && { log "config: $opt must not be set"; missing=1; }
		;;
	esac
done < <(cat "${fragments[@]}")
[ $missing -eq 0 ] || { log "the config fragment could not be applied (see above)"; exit 5; }

log "building bzImage with $(nproc) jobs (a few minutes cold; progress every 20 s)"
start=$(date +%s)
kmake -j"$(nproc)" bzImage >"$b/build.log" 2>&1 &
mk=$!
while kill -0 $mk 2>/dev/null; do
	sleep 20
	kill -0 $mk 2>/dev/null || break
	log "  $(( $(date +%s) - start )) s: $(grep -E '^  [A-Z]+' "$b/build.log" | tail -n 1 | xargs)"
done
if ! wait $mk; then
	log "kernel build failed; last lines of $b/build.log:"
	tail -n 30 "$b/build.log" >&2
	exit 6
fi
log "built in $(( $(date +%s) - start )) s"
cp "$o/arch/x86/boot/bzImage" "$b/bzImage"
cp "$o/vmlinux" "$b/vmlinux"
cp "$o/.config" "$b/config"

# files a patch reads or writes (the part an "only" line applies)
touched() {	# touched INDEX
	if [ -n "${only[$1]}" ]; then
		echo "${only[$1]}"
	else
		sed -n -e 's|^--- a/||p' -e 's|^+++ b/||p' "${patches[$1]}"
	fi
}

# a path as a literal sed pattern
sed_lit() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|#/]/\\&/g'; }

# w1_pass PASS: build each object of w1_objs afresh with W=1 and append its
# warnings, as "OBJ: file: message [-Wflag]", to $b/w1-PASS.txt
w1_pass() {
	local pass=$1 obj out rc
	local t_re o_re
	t_re=$(sed_lit "$tree/") o_re=$(sed_lit "$o/")
	: >"$b/w1-$pass.txt"
	for obj in "${w1_objs[@]}"; do
		# created by the series: nothing to build before it
		[ -f "$tree/${obj%.o}.c" ] || continue
		rm -f "$o/$obj"
		echo "== $pass: make W=1 $obj" >>"$b/w1.log"
		rc=0
		# plain quotes: the kernel's Makefile unexports LC_ALL, not LANG
		out=$(LC_ALL=C LANG=C kmake W=1 "$obj" 2>&1) || rc=$?
		printf '%s\n' "$out" >>"$b/w1.log"
		if [ $rc -ne 0 ]; then
			log "W=1: building $obj ($pass the series) failed; the last lines:"
			printf '%s\n' "$out" | tail -n 30 >&2
			return 1
		fi
		printf '%s\n' "$out" | grep -E '(^|: )warning: ' | grep -vE '^make(\[[0-9]+\])?: ' |
			sed -E -e "s/$t_re//g" -e "s/$o_re//g" \
				-e 's/^([^ :]+)(:[0-9]+)?(:[0-9]+)?: warning: /\1: /' \
				-e 's/\+0x[0-9a-f]+(\/0x[0-9a-f]+)?//g' -e "s|^|$obj: |" \
			>>"$b/w1-$pass.txt" || true
	done
	LC_ALL=C sort -o "$b/w1-$pass.txt" "$b/w1-$pass.txt"
}

# W=1: the mainline series must add no warning to the objects it touches
w1_check() {
	local i f n_before n_after n_new t0
	local -a files=() others=() overlap=()
	w1_objs=()
	for i in "${!patches[@]}"; do
		if [ "${mainline[$i]}" = 1 ]; then
			mapfile -t -O "${#files[@]}" files < <(touched "$i")
		else
			mapfile -t -O "${#others[@]}" others < <(touched "$i")
		fi
	done
	mapfile -t files < <(printf '%s\n' "${files[@]}" | sed '/^$/d' | sort -u)
	for f in "${files[@]}"; do
		[[ $f == *.c ]] && [ -f "$o/${f%.c}.o" ] && w1_objs+=("${f%.c}.o")
	done
	[ ${#others[@]} -eq 0 ] ||
		mapfile -t overlap < <(comm -12 <(printf '%s\n' "${files[@]}") <(printf '%s\n' "${others[@]}" | sort -u))
	[ ${#overlap[@]} -eq 0 ] ||
		log "W=1: note: also changed by other patches, compared without their changes: ${overlap[*]}"
	t0=$(date +%s)
	: >"$b/w1.log"
	log "W=1: ${#w1_objs[@]} objects of the mainline series: ${w1_objs[*]}"
	if [ ${#w1_objs[@]} -gt 0 ]; then
		# the first W=1 make rebuilds what prepare makes (asm-offsets...)
		# with the new flags: once here, so that both passes see the same
		echo "== make W=1 prepare" >>"$b/w1.log"
		LC_ALL=C LANG=C kmake -j"$(nproc)" W=1 prepare >>"$b/w1.log" 2>&1 ||
			{ log "W=1: make prepare failed (see $b/w1.log)"; return 1; }
		log "W=1: building them with the series"
		w1_pass after || return 1
		# the files as they were before the series
		for f in "${files[@]}"; do
			if [ -e "$src/$f" ]; then cp "$src/$f" "$tree/$f"; else rm -f "$tree/$f"; fi
		done
		log "W=1: building them without the series"
		w1_pass before || return 1
	else
		: >"$b/w1-after.txt"
		: >"$b/w1-before.txt"
	fi
	n_before=$(wc -l <"$b/w1-before.txt")
	n_after=$(wc -l <"$b/w1-after.txt")
	LC_ALL=C comm -13 "$b/w1-before.txt" "$b/w1-after.txt" >"$b/w1-new.txt"
	n_new=$(wc -l <"$b/w1-new.txt")
	{
		echo "# W=1 check of the mainline series (tests/vm/build-kernel.sh)"
		echo "objects: ${#w1_objs[@]}"
		echo "before: $n_before"
		echo "after: $n_after"
		echo "new: $n_new"
		for f in "${w1_objs[@]}"; do echo "object: $f"; done
		sed 's/^/new warning: /' "$b/w1-new.txt"
	} >"$b/w1.txt"
	rm -f "$b/w1-new.txt"
	log "W=1: ${#w1_objs[@]} objects, warnings before $n_before, after $n_after, new $n_new ($(( $(date +%s) - t0 )) s)"
	if [ "$n_new" -gt 0 ]; then
		log "W=1: new warnings with the mainline series:"
		sed -n 's/^new warning: /  /p' "$b/w1.txt" >&2
		return 1
	fi
}

has_mainline=0
for m in "${mainline[@]}"; do [ "$m" = 1 ] && has_mainline=1; done
if [ $has_mainline -eq 1 ] && ! w1_check; then
	rm -rf "$o" "$b/src"
	echo "$b"
	exit 7
fi
# the object tree is large; keep only what the harness uses
rm -rf "$o" "$b/src"
touch "$b/.built"
# keep the newest few builds of this name: each is ~100 MB
ls -1dt "$cache/build/$name"-* 2>/dev/null | tail -n +$((KEEP_BUILDS + 1)) | xargs -r rm -rf
echo "$b"
