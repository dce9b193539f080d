#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope dept without our tracepoints: real reports fed through a pipe
# at console speed, as /dev/kmsg records and as plain text, with other
# tasks' lines interleaved, must give the cycle triage gives for the same
# report; /proc/dept_deps dumps (written here) changing under a running
# deptscope must be diffed into new edges and a cycle.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"
CORPUS=${DS_CORPUS:-$DS_SRCDIR/../shared/corpus/dept-reports}
skip=0

expect "dept --help" 0 "$DS" dept --help
expect "--all without --kmsg is a usage error" 2 "$DS" dept --all --kmsg-file /dev/null
one_line "--all without --kmsg"
if [ ! -e /proc/dept_deps ]; then
	expect "no DEPT in this kernel and no capture given: exit 1" 1 "$DS" dept
	one_line "no DEPT"
fi
expect "missing capture file: exit 1" 1 "$DS" dept --kmsg-file "$tmp/nope"
one_line "missing capture"

# replay FILE MODE: the report as kmsg records or text, 400 lines/s, with
# noise from another task every few lines
replay() {
	python3 - "$1" "$2" <<'PY'
import re, sys, time
path, mode = sys.argv[1], sys.argv[2]
ts = re.compile(r"^\s*\[\s*(\d+)\.(\d+)\](?:\[\s*([TC]\d+)\])?\s?")
seq = 0
for i, line in enumerate(open(path, errors="replace").read().split("\n")):
    out = []
    if mode == "kmsg":
        m = ts.match(line)
        us = int(m.group(1)) * 1000000 + int(m.group(2)[:6].ljust(6, "0")) if m else 0
        caller = ",caller=" + m.group(3) if m and m.group(3) else ""
        text = line[m.end():] if m else line
        out.append("4,%d,%d,-%s;%s" % (seq, us, caller, text))
        out.append(" SUBSYSTEM=dept")
        if i % 5 == 2:
            out.append("6,%d,%d,-,caller=T1;usb 1-1: new high-speed USB device" % (seq, us))
    else:
        out.append(line)
        if i % 5 == 2:
            out.append("[ 9999.000001] usb 1-1: new high-speed USB device number 3")
    seq += 1
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()
    time.sleep(0.0025)
PY
}

for spec in "022-ntfs3-fill_super-ni_lock-pg_locked-arm64.txt kmsg" \
	    "004-ntfs3-ni_lock-PG_locked.txt text" \
	    "lockdep-001-btrfs-delayed_node-fs_reclaim-kswapd.txt kmsg"; do
	set -- $spec
	f=$CORPUS/$1
	if [ ! -f "$f" ]; then
		echo "SKIP: no corpus report $f (../shared is not here)"
		skip=$((skip + 1))
		continue
	fi
	replay "$f" "$2" | "$DS" dept --kmsg-file - --json >"$tmp/live.json" 2>"$tmp/err"
	rc=$?
	"$DS" triage --no-db --json "$f" >"$tmp/triage.json"
	if [ $rc -eq 3 ] && python3 - "$tmp/live.json" "$tmp/triage.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = json.load(open(sys.argv[2]))["reports"]
cyc = [r for r in rows if r["type"] == "dept_cycle"]
assert len(cyc) == len(want) == 1, (len(cyc), len(want))
got = cyc[0]["report"]
for k in ("bucket", "signature", "classes", "verdict", "kernel", "contexts"):
    assert got[k] == want[0][k], (k, got[k], want[0][k])
assert cyc[0]["new_edges"] == len(want[0]["contexts"]) or want[0]["kind"] == "lockdep"
s = rows[-1]
assert s["type"] == "dept_summary" and s["cycles"] == 1 and s["reports"] == 1, s
PY
	then ok "$1 as $2 through a pipe: the cycle triage finds, contexts and stacks"
	else bad "$1 as $2" "exit $rc: $(tail -3 "$tmp/live.json") $(head -3 "$tmp/err")"; fi
done

# /proc/dept_deps changing under a running deptscope
cat >"$tmp/deps1" <<'DUMP'
All classes:

[ffff8881000a0010] &ni->ni_lock
 -> [ffff8881000a0020] pg_locked_map

[ffff8881000a0020] pg_locked_map

DUMP
cat >"$tmp/deps2" <<'DUMP'
All classes:

[ffff8881000a0010] &ni->ni_lock
 -> [ffff8881000a0020] pg_locked_map

[ffff8881000a0020] pg_locked_map
 -> [ffff8881000a0030] <sched> jbd2_wait

[ffff8881000a0030] <sched> jbd2_wait
 -> [ffff8881000a0010] &ni->ni_lock

DUMP
cp "$tmp/deps1" "$tmp/deps"
"$DS" dept --proc-deps "$tmp/deps" --interval-ms 100 -d 2 --json --dot "$tmp/g.dot" \
	>"$tmp/proc.json" 2>"$tmp/err" &
pid=$!
sleep 0.7
cp "$tmp/deps2" "$tmp/deps.new" && mv "$tmp/deps.new" "$tmp/deps"
wait $pid
rc=$?
if [ $rc -eq 3 ] && python3 - "$tmp/proc.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [r["type"] for r in rows]
assert kinds == ["dept_snapshot", "dept_edge", "dept_edge", "dept_cycle", "dept_summary"], kinds
assert rows[0]["classes"] == 2 and rows[0]["edges"] == 1 and rows[0]["cycles"] == 0, rows[0]
edges = [(r["from"], r["to"]) for r in rows if r["type"] == "dept_edge"]
assert edges == [("pg_locked_map", "<sched> jbd2_wait"), ("<sched> jbd2_wait", "&ni->ni_lock")], edges
c = rows[3]["classes"]
assert sorted(c) == ["&ni->ni_lock", "<sched> jbd2_wait", "pg_locked_map"], c
s = rows[-1]
assert s["classes"] == 3 and s["edges"] == 3 and s["cycles"] == 1 and s["proc_polls"] >= 10, s
PY
then ok "/proc/dept_deps diffed while running: 2 new edges, then the cycle"
else bad "/proc/dept_deps diff" "exit $rc: $(cat "$tmp/proc.json") $(cat "$tmp/err")"; fi
if grep -q 'red' "$tmp/g.dot" && [ "$(grep -c -- ' -> n' "$tmp/g.dot")" -eq 3 ]; then
	ok "--dot at exit: the cycle, in red"
else
	bad "--dot at exit" "$(head -20 "$tmp/g.dot" 2>/dev/null)"
fi

# --- a graph that only grows: --max-classes bounds memory, cycles are still found ---
GEN=$OUT/bench/dsgen
"$GEN" -o "$tmp/ch20k.dsr" -n 4 -t 1 -C 20000 && "$GEN" -o "$tmp/ch200k.dsr" -n 4 -t 1 -C 200000 ||
	bad "dsgen -C" "failed"
rss() {	# rss OUT FILE ARGS...: peak RSS in KiB of deptscope dept -i FILE ARGS --json
	local o=$1 f=$2
	shift 2
	# under ASan (make san-test) freed memory waits in quarantine: not counted
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 \
		/usr/bin/time -f '%M' -o "$tmp/rss" "$DS" dept -i "$f" --json "$@" >"$o" 2>/dev/null
	tail -1 "$tmp/rss"	# time says "Command exited with non-zero status 3" first
}
small=$(rss "$tmp/c1.json" "$tmp/ch20k.dsr" --max-classes 10000)
big=$(rss "$tmp/c2.json" "$tmp/ch200k.dsr" --max-classes 10000)
nocap=$(rss "$tmp/c3.json" "$tmp/ch200k.dsr")
if python3 - "$tmp/c2.json" "$tmp/c3.json" <<'PY'
import json, sys
cap = [json.loads(l) for l in open(sys.argv[1])][-1]
full = [json.loads(l) for l in open(sys.argv[2])][-1]
assert cap["type"] == "dept_summary" and cap["classes"] <= 10000, cap
assert cap["evictions"] >= 30 and cap["classes_evicted"] + cap["classes"] == 200000, cap
assert cap["graph_cycles"] == 1 and full["graph_cycles"] == 1, (cap, full)
assert full["classes"] == 200000 and full["evictions"] == 0, full
PY
then ok "--max-classes 10000 on 200000 classes: the oldest forgotten, counted, the cycle found"
else bad "--max-classes" "$(tail -1 "$tmp/c2.json")"; fi
# ten times the classes in the same peak memory; without the cap it grows
if [ -n "$small" ] && [ -n "$big" ] && [ -n "$nocap" ] && [ "$big" -lt $((small * 3 / 2)) ] &&
	[ "$nocap" -gt $((big * 2)) ]; then
	ok "--max-classes bounds memory: ${small} KiB for 20000 classes, ${big} KiB for 200000 (${nocap} KiB without the cap)"
else bad "--max-classes memory" "20000: ${small} KiB, 200000: ${big} KiB, no cap: ${nocap} KiB"; fi
expect "--max-classes 1 is a usage error" 2 "$DS" dept -i "$tmp/ch20k.dsr" --max-classes 1

echo "dept-cli: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
