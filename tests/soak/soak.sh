#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Soak: deptscope's live commands side by side for DS_SOAK_SECONDS (make
# soak: 1800; make test: 30), while a DEPT graph grows to a million classes:
#   - record fence+selftest of a load generator (~DS_SOAK_RATE system calls
#     a second, so events flow all the time) to /dev/null;
#   - fence with a summary every 10 s;
#   - top --batch, a frame a second;
#   - top -i of a dsgen -C 1000000 DEPT recording whose records are spread
#     over the run, replayed at their pace under --max-classes 100000: a
#     graph that grows to a million classes for the whole soak.
# Every few seconds: each process's RSS and open fds, and the BPF programs
# and maps loaded system-wide.  Checks: no process dies; fds are the same
# at the end as after the start; RSS stops growing (the last sample is
# within a margin of the largest in the first quarter, dept's within its
# cap's working set); the record's counters add up; after the exit every
# program and map is gone.  The samples go to $DS_SOAK_OUT as JSON lines.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"

dur=${DS_SOAK_SECONDS:-30}
rate=${DS_SOAK_RATE:-20000}
classes=${DS_SOAK_CLASSES:-1000000}
cap=100000
out=${DS_SOAK_OUT:-$tmp/soak.jsonl}
DSGEN=${OUT}/bench/dsgen
step=$(( dur >= 300 ? 10 : 2 ))

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: the soak runs the live commands"
	echo "soak: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! command -v bpftool >/dev/null; then
	echo "SKIP: bpftool not installed: BPF programs and maps cannot be counted"
	echo "soak: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

ours_progs() { bpftool prog show 2>/dev/null | grep -cE ' name ds_'; }
# our maps: the ring buffers and globals of the skeletons
ours_maps() {
	bpftool map show 2>/dev/null |
		grep -cE ' name (events|names|waits|wait_hist|[a-z_]+\.(bss|rodata|data))'
}
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
nfd() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# "PROGS MAPS" once the counts hold still for a second: a process that just
# exited (a test before this one, or ours at the end) still has its programs
# released by the kernel after its exit, for a moment
settled_counts() {
	local now last="" i
	for i in $(seq 20); do
		now="$(ours_progs) $(ours_maps)"
		[ "$now" = "$last" ] && break
		last=$now
		sleep 1
	done
	echo "$now"
}

read -r progs0 maps0 < <(settled_counts)
echo "soak: $dur s, load $rate syscalls/s, DEPT graph of $classes classes under a cap of $cap"

# the load: one process, batches of system calls, paced
python3 -c '
import os, sys, time
rate = int(sys.argv[1]); batch = max(1, rate // 100); t = time.monotonic()
while True:
	for _ in range(batch):
		os.getppid()
	t += batch / rate
	d = t - time.monotonic()
	if d > 0:
		time.sleep(d)
' "$rate" >/dev/null 2>&1 </dev/null &
gen=$!
# whatever happens, nothing of the soak outlives it
trap 'kill "$gen" 2>/dev/null; pkill -P $$ 2>/dev/null; rm -rf "$tmp"' EXIT

# the live commands outlive the sampling a little: the last sample sees them
# running, not detaching
live=$((dur + 2 * step))
"$DS" record -o /dev/null --json --pid "$gen" -d "$live" fence selftest \
	>"$tmp/record.json" 2>"$tmp/record.err" &
p_record=$!
"$DS" fence --json -d "$live" 10 >/dev/null 2>"$tmp/fence.err" &
p_fence=$!
"$DS" top --batch --interval 1000 -n "$live" 2>"$tmp/top.err" | tail -n 400 >"$tmp/top.out" &
p_top=$(jobs -p | tail -n 1)
sleep 0.5
p_top=$(pgrep -P $$ -f "deptscope top" | head -n 1)
[ -n "$p_top" ] || p_top=$(pgrep -f "$DS top --batch" | head -n 1)

# the DEPT graph: its records spread over the run, replayed at their pace
"$DSGEN" -C "$classes" -S "$(( dur > 10 ? dur - 5 : dur ))" -o "$tmp/dept.dsr" \
	>/dev/null 2>"$tmp/dsgen.err" || bad "dsgen" "$(cat "$tmp/dsgen.err")"
"$DS" top -i "$tmp/dept.dsr" --batch --interval 1000 --pane overview \
	--max-classes "$cap" 2>"$tmp/dept.err" | tail -n 40 >"$tmp/dept.out" &
sleep 0.5
p_dept=$(pgrep -f "$DS top -i $tmp/dept.dsr" | head -n 1)
names=(record fence top dept)
pids=("$p_record" "$p_fence" "$p_top" "$p_dept")
declare -A fd0 fdN rssmax_q1 rss_last rss_max
t=0
t0=$SECONDS
: >"$out"
# by the wall clock: sampling takes time too, and the commands run for $live s
while [ "$t" -lt "$dur" ]; do
	sleep $((step - (SECONDS - t0) % step))
	t=$((SECONDS - t0))
	line="{\"t\":$t,\"progs\":$(ours_progs),\"maps\":$(ours_maps)"
	for i in "${!names[@]}"; do
		n=${names[$i]} p=${pids[$i]}
		r=$(rss "$p") f=$(nfd "$p")
		[ -n "$r" ] || continue
		line+=",\"${n}_rss_kb\":$r,\"${n}_fds\":$f"
		[ -n "${fd0[$n]:-}" ] || fd0[$n]=$f
		fdN[$n]=$f
		rss_last[$n]=$r
		[ "$r" -gt "${rss_max[$n]:-0}" ] && rss_max[$n]=$r
		if [ $((t * 4)) -le "$dur" ] && [ "$r" -gt "${rssmax_q1[$n]:-0}" ]; then
			rssmax_q1[$n]=$r
		fi
	done
	echo "$line}" >>"$out"
	[ $((t % 60)) -lt "$step" ] && echo "soak: ${t}s of $dur: $(tail -n 1 "$out")"
done

for i in "${!names[@]}"; do
	n=${names[$i]} p=${pids[$i]}
	wait "$p"
	rc=$?
	want=0
	if [ "$rc" -eq "$want" ]; then ok "$n: ran the whole soak and exited $rc"
	else bad "$n: exit" "$rc (want $want): $(tail -n 3 "$tmp/$n.err" 2>/dev/null)"; fi
	if [ -n "${fd0[$n]:-}" ] && [ "${fd0[$n]}" = "${fdN[$n]}" ]; then
		ok "$n: open fds unchanged (${fd0[$n]})"
	else
		bad "$n: fds" "${fd0[$n]:-?} at the start, ${fdN[$n]:-?} at the end"
	fi
	q1=${rssmax_q1[$n]:-0} last=${rss_last[$n]:-0}
	echo "soak: $n RSS: first quarter max $q1 KiB, last $last KiB, max ${rss_max[$n]:-0} KiB"
	if [ "$n" != dept ]; then
		if [ "$last" -le $((q1 + q1 / 10 + 2048)) ]; then
			ok "$n: RSS stopped growing ($q1 -> $last KiB)"
		else
			bad "$n: RSS grows" "$q1 KiB in the first quarter, $last KiB at the end"
		fi
	fi
done
kill "$gen" 2>/dev/null
wait "$gen" 2>/dev/null

# dept: a million classes in, at most the cap's working set kept
last=$(awk '/^=== deptscope top: frame/ { f = "" } { f = f $0 "\n" } END { printf "%s", f }' \
	"$tmp/dept.out")
if grep -q "complete: " <<<"$last" && grep -qE "^DEPT: +$classes classes" <<<"$last"; then
	ok "dept: the whole recording read, $classes classes taken in"
else
	bad "dept: last frame" "$last"
fi
forgot=$(sed -n 's/.*the class cap ([0-9]*) forgot the oldest \([0-9]*\) classes.*/\1/p' \
	<<<"$last")
if [ -n "$forgot" ] && [ "$forgot" -ge $((classes - cap)) ] && [ "$forgot" -lt "$classes" ]; then
	ok "dept: at most $cap classes kept ($forgot forgotten, counted)"
else
	bad "dept: cap" "forgot '${forgot:-}' of $classes under $cap"
fi
# the cap's working set: 20000 classes take ~18 MB (docs/reliability.md)
if [ "${rss_max[dept]:-0}" -le 131072 ]; then
	ok "dept: RSS at most ${rss_max[dept]:-0} KiB for a $cap-class cap"
else
	bad "dept: RSS" "${rss_max[dept]:-0} KiB > 128 MiB under a $cap-class cap"
fi

# record: every event received or counted
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["sources"]:
	assert s["received"] == s["emitted"], d
sel = [s for s in d["sources"] if s["source"] == "selftest"][0]
assert sel["received"] + sel["dropped"] > 0, d' "$tmp/record.json" 2>"$tmp/py.err"; then
	ok "record: every emitted event received ($(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(", ".join("%s %d received %d dropped" % (s["source"], s["received"], s["dropped"])
	for s in d["sources"]))' "$tmp/record.json"))"
else
	bad "record: counters" "$(cat "$tmp/py.err") $(cat "$tmp/record.json")"
fi
if grep -q "^Overview\|Overview" "$tmp/top.out"; then ok "top: frames until the end"
else bad "top: output" "$(tail -n 5 "$tmp/top.out")"; fi

# nothing left in the kernel
read -r progs1 maps1 < <(settled_counts)
if [ "$progs1" -eq "$progs0" ]; then ok "no BPF program left behind ($progs0 before, $progs1 after)"
else bad "programs left" "$progs0 before, $progs1 after"; fi
if [ "$maps1" -eq "$maps0" ]; then ok "no BPF map left behind ($maps0 before, $maps1 after)"
else bad "maps left" "$maps0 before, $maps1 after"; fi
read -r peak_p peak_m < <(python3 -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
print(max(x["progs"] for x in s), max(x["maps"] for x in s))' "$out" 2>/dev/null)
# the counts above mean something only if they saw ours while running
if [ "${peak_p:-0}" -gt 0 ] && [ "${peak_m:-0}" -gt 0 ]; then
	ok "during the run: up to $peak_p of our programs and $peak_m maps loaded"
else
	bad "program and map counts" "saw ${peak_p:-?} programs, ${peak_m:-?} maps while running"
fi
echo "soak: samples in $out"
echo "soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
