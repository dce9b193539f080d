#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Ctrl-C and SIGTERM stop deptscope cleanly: exit 0, a complete report or
# recording, and none of its BPF programs left in the kernel (bpftool).
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"

# ids of loaded programs named like ours, one per line
our_ids() {
	bpftool prog show 2>/dev/null |
		sed -nE 's/^([0-9]+): .* name (ds_fence_|ds_fnm_|ds_ping|ds_bench_)[^ ]*.*/\1/p' | sort -n
}

# Start a command, wait until programs it loaded appear, signal it.
# Leaves the ids it loaded in $tmp/ids (others may run deptscope too).
run_and_signal() {
	local sig=$1 out=$2; shift 2
	our_ids >"$tmp/before"
	"$@" >"$out" 2>"$out.err" &
	local pid=$! i
	for i in $(seq 100); do
		our_ids | comm -13 "$tmp/before" - >"$tmp/ids"
		[ -s "$tmp/ids" ] && break
		sleep 0.1
	done
	if [ ! -s "$tmp/ids" ]; then
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		return 99
	fi
	sleep 0.3
	our_ids | comm -13 "$tmp/before" - >"$tmp/ids"
	kill -s "$sig" $pid
	wait $pid 2>/dev/null
}

# how many of the programs in $tmp/ids are still loaded
left() {
	our_ids | comm -12 "$tmp/ids" - | wc -l
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: detach tests need to load BPF programs"
	echo "detach: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! command -v bpftool >/dev/null; then
	echo "SKIP: bpftool not installed"
	echo "detach: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

run_and_signal INT "$tmp/fence.out" "$DS" fence --json -d 60
rc=$?
if [ $rc -eq 0 ] && grep -q '"type":"fence_summary"' "$tmp/fence.out"; then
	ok "fence: SIGINT exits 0 with a summary"
else
	bad "fence: SIGINT" "rc=$rc, output: $(head -c 300 "$tmp/fence.out") $(head -c 300 "$tmp/fence.out.err")"
fi
n=$(left)
nids=$(wc -l <"$tmp/ids")
[ "$nids" -ge 10 ] && ok "fence: loaded its $nids programs" || bad "fence: programs" "only $nids seen"
[ "$n" -eq 0 ] && ok "fence: no programs left after SIGINT" || bad "fence: detach" "$n programs left"

run_and_signal TERM "$tmp/rec.out" "$DS" record -o "$tmp/r.dsr" -d 60
rc=$?
[ $rc -eq 0 ] && ok "record: SIGTERM exits 0" || bad "record: SIGTERM" "rc=$rc $(cat "$tmp/rec.out.err")"
n=$(left)
[ "$n" -eq 0 ] && ok "record: no programs left after SIGTERM" || bad "record: detach" "$n programs left"
if "$DS" report --json "$tmp/r.dsr" >"$tmp/rep.json" 2>"$tmp/rep.err" &&
	grep -q '"recording_status":"complete' "$tmp/rep.json"; then
	ok "record: recording after SIGTERM is complete"
else
	bad "record: recording" "$(cat "$tmp/rep.err") $(head -c 300 "$tmp/rep.json")"
fi

# SIGKILL: the kernel drops fd-owned programs; the file stays readable
run_and_signal KILL "$tmp/k.out" "$DS" record -o "$tmp/k.dsr"
sleep 0.2
n=$(left)
[ "$n" -eq 0 ] && ok "record: SIGKILL leaves no programs" || bad "record: SIGKILL" "$n programs left"
if "$DS" report --json "$tmp/k.dsr" >"$tmp/k.json" 2>"$tmp/k.err" &&
	grep -q '"recording_status":"truncated' "$tmp/k.json"; then
	ok "record: SIGKILLed recording is readable and reported truncated"
else
	bad "record: SIGKILLed recording" "$(cat "$tmp/k.err") $(head -c 300 "$tmp/k.json")"
fi

# INTERVAL COUNT: COUNT interval objects, then the summary, then exit 0
if timeout 20 "$DS" fence --json 0.3 2 >"$tmp/int.out" 2>"$tmp/int.err" &&
	python3 - "$tmp/int.out" <<'PY'
import json, sys
types = [json.loads(l)["type"] for l in open(sys.argv[1]) if l.strip()]
assert types == ["fence_interval", "fence_interval", "fence_summary"], types
PY
then
	ok "fence INTERVAL COUNT: two intervals, then the summary"
else
	bad "fence INTERVAL COUNT" "$(cat "$tmp/int.err") $(head -c 300 "$tmp/int.out")"
fi

echo "detach: $pass passed, $fail failed"
[ $fail -eq 0 ]
