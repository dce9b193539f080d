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
set -euo pipefail
# bump when the way kernels are built changes: it is part of the cache key
RECIPE=3
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

patches=() only=()
IFS=: read -r -a serieses <<<"$series"
for s in "${serieses[@]}"; do
	[ -f "$s" ] || continue
	while read -r p path; do
		p=${p%%#*}
		[ -n "$p" ] || continue
		[[ $path == \#* ]] && path=
		patches+=("$(dirname "$s")/$p")
		only+=("$path")
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
# the object tree is large; keep only what the harness uses
rm -rf "$o" "$b/src"
touch "$b/.built"
# keep the newest few builds of this name: each is ~100 MB
ls -1dt "$cache/build/$name"-* 2>/dev/null | tail -n +$((KEEP_BUILDS + 1)) | xargs -r rm -rf
echo "$b"
