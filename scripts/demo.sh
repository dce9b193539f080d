#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make demo: a first look at deptscope on this machine.
set -u
DS=${OUT:?}/deptscope
D=$OUT/demo
mkdir -p "$D"

step() { printf '\n\033[1m== %s ==\033[0m\n$ %s\n' "$1" "$2"; }

if [ "$(id -u)" -eq 0 ]; then
	mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	step "1. Live dma-fence wait profiling on the running kernel, 3 seconds" \
		"deptscope fence -d 3"
	"$DS" fence -d 3
	step "2. Record 2 seconds of dma_fence events, then summarise the file" \
		"deptscope record -o $D/live.dsr -d 2 && deptscope report $D/live.dsr"
	"$DS" record -o "$D/live.dsr" -d 2 && "$DS" report "$D/live.dsr"
	echo "(A machine without a GPU, sw_sync or vgem signals no fences: zero events is the"
	echo " true answer here.  The VM harness drives real fence waits; see README.)"
else
	echo "SKIP: not root: the live steps need root or CAP_BPF+CAP_PERFMON"
fi

step "3. A synthetic recording (bench/dsgen, documented format) where one wait never ends" \
	"deptscope report -n 3 $D/demo.dsr"
"$OUT/bench/dsgen" -o "$D/demo.dsr" -n 2004 -H
"$DS" report -n 3 --no-stacks "$D/demo.dsr"
echo "(exit status $? : 3 means a hang was found)"

step "4. The same as a timeline for ui.perfetto.dev or chrome://tracing" \
	"deptscope export --format chrome $D/demo.dsr -o $D/demo.json"
"$DS" export --format chrome "$D/demo.dsr" -o "$D/demo.json"
echo "Open $D/demo.json in https://ui.perfetto.dev (Open trace file)."
exit 0
