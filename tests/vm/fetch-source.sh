#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# fetch-source.sh TARGET CACHE_DIR
#   Put an extracted kernel tree for TARGET (6.12 or 7.3) under
#   CACHE_DIR/src and print its path on stdout; progress on stderr.
#
# Sources come from Debian's linux-source-X.Y package.  6.12 is in the
# system's own suites; 7.3 is in a newer suite on the same archive, which
# is reached with a private apt state (lists, cache, sources) so nothing is
# installed into, or added to, the system.  The archive address is read
# from the system's apt sources: none is written here.
set -euo pipefail
target=${1:?target}
cache=${2:?cache dir}
mkdir -p "$cache/src"
log() { echo "vmtest: $*" >&2; }

# URI of the system's main Debian archive (not -security)
archive_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk '/^URIs:/ { print $2 }' "$f" | grep -v -- '-security' | head -n 1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	if [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	fi
	return 1
}

case $target in
6.12)
	pkg=linux-source-6.12
	apt_opts=()
	;;
7.3)
	pkg=linux-source-7.3
	uri=$(archive_uri) || { log "no Debian archive found in the apt sources"; exit 3; }
	st=$cache/apt
	mkdir -p "$st/lists/partial" "$st/archives/partial" "$st/sources.d"
	cat >"$st/sources.d/newer.sources" <<SRC
Types: deb
URIs: $uri
Suites: trixie-backports sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_opts=(-o "Dir::State::Lists=$st/lists" -o "Dir::Etc::SourceList=/dev/null"
		  -o "Dir::Etc::SourceParts=$st/sources.d" -o "Dir::Cache=$st"
		  -o "Dir::Cache::Archives=$st/archives" -o "Debug::NoLocking=1")
	if [ -z "$(find "$st/lists" -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
		log "updating the private package lists for trixie-backports and sid"
		apt-get "${apt_opts[@]}" -qq update >&2 || { log "apt-get update failed"; exit 3; }
	fi
	if ! apt-cache "${apt_opts[@]}" show "$pkg" >/dev/null 2>&1; then
		newest=$(apt-cache "${apt_opts[@]}" pkgnames linux-source-7. 2>/dev/null | sort -V | tail -n 1)
		if [ -z "$newest" ]; then
			log "no linux-source-7.x in the archive"
			exit 3
		fi
		log "WARNING: $pkg is no longer offered; using $newest instead"
		pkg=$newest
	fi
	;;
*)
	log "unknown target '$target' (known: 6.12 7.3)"
	exit 2
	;;
esac

ver=$(apt-cache "${apt_opts[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	[ ${#apt_opts[@]} -eq 0 ] && apt-get -qq update >&2
	ver=$(apt-cache "${apt_opts[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
fi
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	log "$pkg is not available from the configured archive"
	exit 3
fi
dir=$cache/src/$pkg-$ver
if [ -f "$dir/.complete" ]; then
	echo "$dir/tree"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/deb"
log "downloading $pkg $ver"
(cd "$dir/deb" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -qq download "$pkg=$ver" >&2) ||
	{ log "download of $pkg failed"; exit 3; }
dpkg-deb -x "$dir"/deb/*.deb "$dir/pkg"
tarball=$(find "$dir/pkg/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n 1)
[ -n "$tarball" ] || { log "no source tarball in $pkg"; exit 3; }
log "extracting $(basename "$tarball")"
mkdir -p "$dir/tree"
tar -xf "$tarball" -C "$dir/tree" --strip-components=1
rm -rf "$dir/pkg" "$dir/deb"
echo "$ver" >"$dir/version"
touch "$dir/.complete"
echo "$dir/tree"
