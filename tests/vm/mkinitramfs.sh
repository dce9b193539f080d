#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# mkinitramfs.sh OUT.cpio.gz DEPTSCOPE PROGDIR
#   The guest image: busybox (static), the guest build of deptscope with the
#   shared libraries it links (copied from this host, so the guest needs no
#   distribution), the static scenario programs and the guest scripts.
set -euo pipefail
out=${1:?} ds=${2:?} progs=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	busybox=/bin/busybox
[ -x "$busybox" ] || { echo "vmtest: busybox-static is not installed" >&2; exit 3; }

mkdir -p "$stage"/{bin,sbin,usr/bin,proc,sys,dev,tmp,scen,lib64}
cp "$busybox" "$stage/bin/busybox"
cp "$here/guest/init" "$stage/init"
cp "$here/guest/run.sh" "$progs/vmscen" "$progs/vmexit" "$stage/scen/"
cp "$ds" "$stage/usr/bin/deptscope"
# trace-cmd, to record trace.dat files in the guest as on a board
tc=$(command -v trace-cmd || true)
[ -n "$tc" ] && cp "$tc" "$stage/usr/bin/trace-cmd"
# scripts for the DEPT tracepoint fixture, when the host made them
if [ -d "$progs/dept" ]; then
	mkdir -p "$stage/scen/dept"
	cp "$progs"/dept/*.script "$progs/dept/frames" "$stage/scen/dept/"
fi
# the dynamic loader and every library they link, at the same paths
ldd "$ds" ${tc:+"$tc"} | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | sort -u |
while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
