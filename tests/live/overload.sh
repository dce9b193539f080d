#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Overload through the CLI: 'deptscope record selftest --pid P' turns every
# system call of P into a numbered event; P is dd copying one byte at a time
# (about a million system calls a second), far more than user space takes
# from a small ring buffer.  The ring fills; what must hold:
#   - drops are counted, per source, in the summary and in the file;
#   - what is in the file is exactly what was received, and the sequence
#     numbers agree with the drop count (report says "consistent");
#   - SIGINT (Ctrl-C) is answered within 100 ms: the programs stop reserving
#     records, the ring is drained (so the drain ends under a storm too), the
#     file is closed and the summary printed; the exit follows once the
#     kernel has detached the programs;
#   - memory does not grow with the storm.
# The latency bound is the issue's 100 ms; the figure is printed for the docs.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: the overload tests load BPF programs"
	echo "overload: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! grep -q ' sys_enter$' <(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	sed -n "s/^\[[0-9]*\] TYPEDEF 'btf_trace_\(sys_enter\)'.*/ \1/p"); then
	echo "SKIP: no BTF for the sys_enter tracepoint: the selftest source cannot attach"
	echo "overload: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

storm() {
	dd if=/dev/zero of=/dev/null bs=1 count=100000000000 2>/dev/null &
	echo $!
}

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# field NAME of the selftest entry of a JSON document on stdin
jsrc() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
key = sys.argv[1]
for s in d.get("sources", d.get("ring_sources", [])):
	if s["source"] == key:
		print(s[sys.argv[2]])
		break
else:
	print("none")' "$@"
}

hwm_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }

# run_storm NAME KB SECONDS EXIT_MAX_MS [SOURCE...]: record under a storm,
# SIGINT, check
run_storm() {
	local name=$1 kb=$2 secs=$3 exit_max=$4; shift 4
	local out=$tmp/$name.dsr s r t0 lat rc rss1 rss2 hwm stop
	s=$(storm)
	"$DS" record -o "$out" --buffer-kb "$kb" --json --pid "$s" "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.err" &
	r=$!
	sleep 0.5
	rss1=$(rss_kb $r)
	sleep "$secs"
	rss2=$(rss_kb $r)
	hwm=$(hwm_kb $r)
	t0=$(date +%s%N)
	kill -INT $r
	# stopped: the summary is out (it is printed after the file is closed)
	while [ ! -s "$tmp/$name.json" ] && kill -0 $r 2>/dev/null; do sleep 0.002; done
	stop=$(ms_since "$t0")
	wait $r
	rc=$?
	lat=$(ms_since "$t0")
	kill $s 2>/dev/null
	wait $s 2>/dev/null
	echo "$name: SIGINT to summary $stop ms, to exit $lat ms (ring $kb KiB);" \
		"RSS ${rss1:-?} -> ${rss2:-?} KiB, peak ${hwm:-?} KiB"
	if [ "$rc" -eq 0 ]; then ok "$name: exit 0 after SIGINT"; else
		bad "$name: exit" "$rc: $(head -c 300 "$tmp/$name.err")"; fi
	if [ "$stop" -le 100 ]; then ok "$name: SIGINT answered (file closed, summary out) in $stop ms"
	else bad "$name: SIGINT latency" "$stop ms > 100 ms to the summary"; fi
	# the detach waits for RCU grace periods: the classic tracepoints of the
	# fence source one after another in the kernel (docs/reliability.md)
	if [ "$lat" -le "$exit_max" ]; then ok "$name: exited $lat ms after SIGINT (<= $exit_max)"
	else bad "$name: exit latency" "$lat ms > $exit_max ms"; fi
	if [ -n "$rss1" ] && [ -n "$rss2" ] && [ $((rss2 - rss1)) -le 4096 ]; then
		ok "$name: RSS bounded under the storm (${rss1} -> ${rss2} KiB)"
	else
		bad "$name: RSS" "${rss1:-?} -> ${rss2:-?} KiB"
	fi
	echo "$stop/$lat" >>"$tmp/latencies"
}

# --- a 16 KiB ring under the storm: drops, counted and consistent ---------
run_storm small 16 2 100 selftest
j=$tmp/small.json
recv=$(jsrc selftest received <"$j")
emit=$(jsrc selftest emitted <"$j")
drop=$(jsrc selftest dropped <"$j")
echo "small: received $recv, dropped $drop"
if [ "$drop" != none ] && [ "$drop" -gt 0 ]; then ok "small: drops counted for selftest ($drop)"
else bad "small: drops" "selftest dropped '$drop': $(cat "$j")"; fi
if [ "$recv" != none ] && [ "$recv" = "$emit" ]; then ok "small: every emitted record received"
else bad "small: received" "received $recv, emitted $emit"; fi
tot_drop=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["dropped"])' <"$j")
if [ "$tot_drop" = "$drop" ]; then ok "small: the total drops are the selftest's"
else bad "small: total drops" "$tot_drop vs selftest $drop"; fi

"$DS" report --json "$tmp/small.dsr" >"$tmp/rep.json" 2>"$tmp/rep.err"
rrecv=$(jsrc selftest received <"$tmp/rep.json")
rdrop=$(jsrc selftest dropped <"$tmp/rep.json")
read -r recs seqs missing < <(python3 -c '
import json, sys
t = json.load(sys.stdin)["selftest"]
print(t["records"], t["sequence_numbers"], t["missing"])' <"$tmp/rep.json")
if [ "$rrecv" = "$recv" ] && [ "$rdrop" = "$drop" ]; then
	ok "small: the recording keeps the per-source counters"
else
	bad "small: recorded counters" "report $rrecv/$rdrop, summary $recv/$drop"
fi
if [ "$recs" = "$recv" ]; then ok "small: the file holds exactly the $recv records received"
else bad "small: records in the file" "$recs, received $recv"; fi
# numbers never seen are drops; drops after the last record kept have no
# number in the file, so missing <= dropped, and the attempts add up
if [ "$missing" -gt 0 ] && [ "$missing" -le "$drop" ] && [ "$seqs" -le $((recv + drop)) ]; then
	ok "small: sequence numbers agree with the drop count ($missing missing <= $drop)"
else
	bad "small: sequence numbers" "missing $missing, dropped $drop, seqs $seqs, recv $recv"
fi
"$DS" report "$tmp/small.dsr" >"$tmp/rep.txt" 2>&1
if grep -q "^selftest: .*(consistent)" "$tmp/rep.txt" &&
	grep -qE "^  selftest +$recv received, $drop dropped" "$tmp/rep.txt"; then
	ok "small: report shows the drops per source and says consistent"
else
	bad "small: report text" "$(cat "$tmp/rep.txt")"
fi

"$DS" top -i "$tmp/small.dsr" --batch --pane overview --speed 0 >"$tmp/top.txt" 2>&1
if grep -qE "^  selftest +$recv received, $drop dropped" "$tmp/top.txt"; then
	ok "small: top's overview names the source that dropped"
else
	bad "small: top overview" "$(grep -A3 'ring buffer' "$tmp/top.txt")"
fi

# --- the default 4 MiB ring: a full ring to drain after SIGINT -------------
run_storm big 4096 2 100 selftest
drop=$(jsrc selftest dropped <"$tmp/big.json")
recv=$(jsrc selftest received <"$tmp/big.json")
"$DS" report --json "$tmp/big.dsr" >"$tmp/rep.json" 2>/dev/null
recs=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["selftest"]["records"])' \
	<"$tmp/rep.json")
if [ "$recs" = "$recv" ]; then ok "big: all $recv received records are in the file ($drop dropped)"
else bad "big: file" "$recs records, $recv received"; fi

# --- two sources: the drops are blamed on the one that had them ------------
run_storm mixed 16 1 1000 fence selftest
fdrop=$(jsrc fence dropped <"$tmp/mixed.json")
sdrop=$(jsrc selftest dropped <"$tmp/mixed.json")
if [ "$fdrop" = 0 ] && [ "$sdrop" != none ] && [ "$sdrop" -gt 0 ]; then
	ok "mixed: fence 0 dropped, selftest $sdrop dropped"
else
	bad "mixed: per-source drops" "fence '$fdrop', selftest '$sdrop': $(cat "$tmp/mixed.json")"
fi

# --- the same at the terminal: the text summary names the source ----------
s=$(storm)
"$DS" record -o "$tmp/text.dsr" --buffer-kb 16 -d 1 --pid "$s" selftest \
	>"$tmp/text.out" 2>"$tmp/text.err"
rc=$?
kill $s 2>/dev/null
wait $s 2>/dev/null
if [ $rc -eq 0 ] && grep -qE "^  selftest +[0-9]+ received, [1-9][0-9]* dropped \(ring buffer full\)" \
	"$tmp/text.out"; then
	ok "text: the summary lists the drops per source"
else
	bad "text: summary" "exit $rc: $(cat "$tmp/text.out" "$tmp/text.err")"
fi

# --- the viewer under the storm: frames keep coming, SIGINT ends it -------
s=$(storm)
"$DS" top --batch --interval 250 --pane overview --selftest "$s" --buffer-kb 16 \
	>"$tmp/top.out" 2>"$tmp/top.err" &
r=$!
sleep 3.2
t0=$(date +%s%N)
kill -INT $r
wait $r
rc=$?
lat=$(ms_since "$t0")
kill "$s" 2>/dev/null
wait "$s" 2>/dev/null
frames=$(grep -c '^=== deptscope top: frame' "$tmp/top.out")
echo "top: $frames frames in 3.2 s under the storm; SIGINT to exit $lat ms"
if [ $rc -eq 0 ] && [ "$lat" -le 1000 ]; then ok "top: SIGINT under the storm: exit 0 in $lat ms"
else bad "top: SIGINT" "exit $rc after $lat ms: $(head -c 300 "$tmp/top.err")"; fi
# one frame each 250 ms: the poll budget leaves the timer its turn
if [ "$frames" -ge 7 ]; then ok "top: the screen kept refreshing under the storm ($frames frames)"
else bad "top: frames" "$frames in 3.2 s at --interval 250"; fi
last=$(awk '/^=== deptscope top: frame/ { f = "" } { f = f $0 "\n" } END { printf "%s", f }' \
	"$tmp/top.out")
if grep -qE "^  selftest +[0-9]+ received, [1-9][0-9]* dropped" <<<"$last"; then
	ok "top: the overview shows the selftest source's drops live"
else
	bad "top: overview" "$last"
fi
expect "top --selftest with --input" 2 "$DS" top -i "$tmp/small.dsr" --selftest 1

# the selftest source needs its process
expect "selftest without --pid" 2 "$DS" record -o "$tmp/x.dsr" selftest
one_line "selftest without --pid"

echo "overload: SIGINT to summary/exit (ms): $(xargs <"$tmp/latencies")"
echo "overload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
