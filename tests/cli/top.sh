#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope top: --batch frames of recordings with known content (bench/dsgen,
# and a VPR recording written here byte by byte), then the curses screen
# under tmux at 80x24: panes, the events filter, a resize, and the terminal
# given back after q and after SIGTERM.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"
GEN=$OUT/bench/dsgen
skip=0

# --- usage ---
expect "top --help" 0 "$DS" top --help
grep -q '^Usage: deptscope top' "$tmp/out" && ok "top --help usage line" || bad "top --help" "$(head -2 "$tmp/out")"
expect "unknown pane is a usage error" 2 "$DS" top --batch --pane nope -i x
one_line "unknown pane"
expect "--speed without --input" 2 "$DS" top --batch --speed 2
expect "--save-dir that is not a directory" 1 "$DS" top --batch -i x --save-dir "$tmp/none/x"
one_line "bad --save-dir"
expect "missing input: exit 1" 1 "$DS" top --batch -i "$tmp/none.dsr"
one_line "missing input"

# --- a fence and dma-buf recording: 4 timelines x 50 waits, a hang, 3+1 buffers ---
"$GEN" -o "$tmp/g.dsr" -n 1004 -H -D 3 -V >/dev/null || { bad "dsgen" "failed"; exit 1; }
REC=$tmp/g.dsr

expect "batch fences" 0 "$DS" top --batch -i "$REC" --speed 0 --iterations 1 --pane fences
cp "$tmp/out" "$tmp/fences.txt"
grep -qx 'Fences: 4 timelines, 200 waits, 1 pending, 1 hangs; by waits' "$tmp/fences.txt" &&
	ok "fences: title with waits, pending, hangs" || bad "fences title" "$(sed -n 2p "$tmp/fences.txt")"
rows=$(awk '$1 ~ /^dsgen\/tl[0-3]$/ && $2 == 50 { print $1 }' "$tmp/fences.txt" | sort -u | tr '\n' ' ')
[ "$rows" = "dsgen/tl0 dsgen/tl1 dsgen/tl2 dsgen/tl3 " ] && ok "fences: one row per timeline, 50 waits each" ||
	bad "fences rows" "got '$rows'"
grep -Eq '^ +5\.00s +dsgen/tl0 +gen4 +2000/4242  HANG$' "$tmp/fences.txt" &&
	ok "fences: the pending wait, 5 s old, is a hang" || bad "fences pending" "$(grep -A1 PENDING "$tmp/fences.txt")"
grep -Eq '^ +200\.0us +dsgen/tl3 +gen3 ' "$tmp/fences.txt" && ok "fences: the longest wait is 200 us on tl3" ||
	bad "fences longest" "$(grep -A1 LONGEST "$tmp/fences.txt")"
[ "$(grep -c '^=== deptscope top: frame' "$tmp/fences.txt")" -eq 1 ] && ok "fences: one frame" ||
	bad "frames" "$(grep -c '^===' "$tmp/fences.txt")"

expect "batch dmabuf" 0 "$DS" top --batch -i "$REC" --speed 0 --pane dmabuf
grep -q '^dma-buf: 4 buffers (0 live), 62 events, 6 revocations, 0 maps after revoke; revocations by start$' "$tmp/out" &&
	ok "dmabuf: title" || bad "dmabuf title" "$(sed -n 2p "$tmp/out")"
grep -Eq ' 52\.0us +7000 +ok->temp_revoked \(command\) +10\.0us +50\.0us$' "$tmp/out" &&
	ok "dmabuf: the vfio-pci revocation with its latency and waits" || bad "dmabuf revocation" "$(grep 7000 "$tmp/out" | head -3)"
grep -Eq ' release +ino 7000 ' "$tmp/out" && ok "dmabuf: recent lifecycle lines" || bad "dmabuf recent" "no release line"

grep -A1 '^ANOMALIES$' "$tmp/out" | grep -qx '  none' && ok "dmabuf: no anomaly in a well-behaved run" ||
	bad "dmabuf anomalies" "$(grep -A3 ANOMALIES "$tmp/out")"

# importers that misbehave: a map while revoked, mappings kept past the invalidation
"$GEN" -o "$tmp/an.dsr" -n 4 -t 1 -D 1 -R -A >/dev/null || bad "dsgen -R -A" "failed"
expect "batch dmabuf anomalies" 0 "$DS" top --batch -i "$tmp/an.dsr" --speed 0 --pane dmabuf
sed -n '/^ANOMALIES$/,/RECENT EVENT/p' "$tmp/out" >"$tmp/an.txt"
if grep -Eqx '  ino 7001 +vfio_pci_core 1 map\(s\) succeeded while revoked \(vfio temp_revoked\)' "$tmp/an.txt" &&
	grep -Eqx '  ino 6000 +vfio-pci +still mapped 4\.00s after its invalidation \(importer iommu\)' "$tmp/an.txt" &&
	grep -Eqx '  ino 7001 +vfio_pci_core still mapped 2\.00s after its invalidation \(importer rdma0\)' "$tmp/an.txt" &&
	[ "$(wc -l <"$tmp/an.txt")" -eq 5 ]; then ok "dmabuf: the three anomalies, nothing else"
else bad "dmabuf anomalies" "$(cat "$tmp/an.txt")"; fi
grep -Eq '^ +0\.000018 PENDING +6000 +invalidate ' "$tmp/out" && ok "dmabuf: the unfinished revocation is PENDING" ||
	bad "dmabuf pending" "$(grep PENDING "$tmp/out")"

expect "batch, every pane" 0 "$DS" top --batch -i "$REC" --speed 0
for t in 'Overview: ' 'Fences: ' 'dma-buf: ' 'VPR: ' 'Events: ' 'DEPT graph: '; do
	grep -q "^$t" "$tmp/out" && ok "all panes: '$t'" || bad "all panes" "no '$t'"
done
grep -Eq '^dma_fence +1006 ' "$tmp/out" && grep -Eq '^dma_buf +62 ' "$tmp/out" &&
	ok "overview: events per source" || bad "overview counts" "$(grep -E '^(dma_fence|dma_buf) ' "$tmp/out")"

# at the recorded pace: the last record comes 5 s after the others, so two
# frames 0.2 s apart have seen everything but it, and no hang yet
expect "batch at recorded pace" 0 "$DS" top --batch -i "$REC" --interval 200 -n 2 --pane overview
n=$(grep -c '^=== deptscope top: frame' "$tmp/out")
total=$(awk '$1 == "total" { v = $2 } END { print v }' "$tmp/out")
if [ "$n" -eq 2 ] && [ -n "$total" ] && [ "$total" -lt 1068 ] && [ "$total" -gt 1000 ] &&
	grep -q '1 pending, 0 hangs' "$tmp/out"; then ok "paced replay: 2 frames, the late record not yet there"
else bad "paced replay" "frames $n, total '$total'"; fi

# TERM=dumb: plain frames, no escape sequence
TERM=dumb "$DS" top -i "$REC" --speed 0 >"$tmp/dumb" 2>"$tmp/err"
if grep -q '^Fences: 4 timelines' "$tmp/dumb" && ! grep -q $'\e' "$tmp/dumb"; then ok "TERM=dumb: plain text"
else bad "TERM=dumb" "$(head -c 200 "$tmp/dumb" | od -c | head -3)"; fi

# --- VPR: a recording of three resizes; the rows must be deptscope vpr's ---
python3 - "$tmp/v.dsr" <<'PY' || bad "VPR recording" "python failed"
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<8sIIQQII64s64s", b"DSCOPREC", 1, 168, 0, 0, 0, 0, b"test", b"host"))
n = 0
def vpr(ts, typ, seq, grow, name=b"", err=0, base=0, size=0, ob=0, os_=0, nb=0, ns=0, mask=0, dur=0):
    global n
    body = struct.pack("<IiQQQQQQQQQQIB3x32s", seq, err, base, size, ob, os_, nb, ns, mask, 0,
                       dur, 0, 0, grow, name)
    out.write(struct.pack("<QHHIII", ts, typ, 24 + len(body), 0, 3000, 3000) + body)
    n += 1
MiB, B, E, t = 1 << 20, 36, 37, 10_000_000_000
vpr(t, B, 1, 1, b"vpr-heap", base=0x1000, size=4*MiB, ob=0x90000000)
vpr(t + 3_000_000, E, 1, 1, ob=0x90000000, nb=0x90000000, ns=32*MiB, mask=1, dur=3_000_000)
vpr(t + 50_000_000, B, 2, 1, b"vpr-heap", base=0x2000, size=8*MiB, ob=0x90000000, os_=32*MiB)
vpr(t + 200_000_000, E, 2, 1, ob=0x90000000, os_=32*MiB, nb=0x90000000, ns=64*MiB, mask=2,
    dur=150_000_000)
vpr(t + 300_000_000, B, 3, 0, b"vpr-heap", ob=0x90000000, os_=64*MiB)
vpr(t + 301_000_000, E, 3, 0, err=-12, ob=0x90000000, os_=64*MiB, nb=0x90000000, ns=64*MiB,
    mask=2, dur=1_000_000)
out.write(struct.pack("<QHHIIIQQ", t + 400_000_000, 0x8003, 40, 0, 0, 0, n, 400_000_000))
PY
"$DS" vpr -i "$tmp/v.dsr" | grep -E '^ +[0-9]+\.[0-9]{3}  [# ] ' >"$tmp/vpr.rows"
expect "batch vpr" 0 "$DS" top --batch -i "$tmp/v.dsr" --speed 0 --pane vpr
grep -E '^ +[0-9]+\.[0-9]{3}  [# ] ' "$tmp/out" >"$tmp/top.rows"
if [ "$(wc -l <"$tmp/vpr.rows")" -eq 3 ] && cmp -s "$tmp/vpr.rows" "$tmp/top.rows"; then
	ok "vpr: the three rows, as deptscope vpr prints them"
else bad "vpr rows" "$(diff "$tmp/vpr.rows" "$tmp/top.rows" | head -5)"; fi
grep -q '^VPR: 3 resizes: 2 grow, 1 shrink, 1 failed; by time$' "$tmp/out" && grep -q 'SLOW (> 100 ms)' "$tmp/out" &&
	grep -q 'FAILED (err -12)' "$tmp/out" && ok "vpr: title and alerts" || bad "vpr title" "$(sed -n 2p "$tmp/out")"
grep -Eq '^ +200\.000  0x90000000 +64\.0 MiB' "$tmp/out" && ok "vpr: size over time" || bad "vpr sizes" "none"


# --- DEPT: two circles over four classes (dsgen -G); stacks at a real kernel symbol ---
addr=$(awk '$3 == "schedule" && $1 !~ /^0+$/ { print $1; exit }' /proc/kallsyms 2>/dev/null)
frame=schedule
[ -n "$addr" ] || { addr=0; frame='0x1000'; echo "note: no readable kallsyms: stacks stay addresses"; }
"$GEN" -o "$tmp/d.dsr" -n 4 -t 1 -G "$addr" >/dev/null || bad "dsgen -G" "failed"
expect "batch graph" 0 "$DS" top --batch -i "$tmp/d.dsr" --speed 0 --pane graph
cp "$tmp/out" "$tmp/graph.txt"
grep -qx 'DEPT graph: 4 classes, 5 edges, 2 edges closed a cycle, 2 circles; classes by cycle, then edges' \
	"$tmp/graph.txt" && ok "graph: title" || bad "graph title" "$(sed -n 2p "$tmp/graph.txt")"
# the buckets are the ones deptscope dept gives the same circles
"$DS" dept -i "$tmp/d.dsr" --json 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("type") == "dept_cycle" and r.get("bucket"):
        print(r["circle"], r["bucket"])' >"$tmp/buckets"
b1=$(awk '$1 == 1 { print $2 }' "$tmp/buckets")
b2=$(awk '$1 == 2 { print $2 }' "$tmp/buckets")
if [ -n "$b1" ] && [ -n "$b2" ] &&
	grep -Eqx "  circle 2 +[0-9.]+ s  $b2 +deadlock  &ei->i_data_sem -> PG_locked -> &ei->i_data_sem" "$tmp/graph.txt" &&
	grep -Eqx "  circle 1 +[0-9.]+ s  $b1 +deadlock  &ei->i_data_sem -> PG_locked -> &journal->j_wait_commit -> &ei->i_data_sem" "$tmp/graph.txt"
	! grep -q '^>' "$tmp/graph.txt"
then ok "graph: both circles, newest first, with deptscope dept's buckets ($b1 $b2); no cursor in --batch"
else bad "graph circles" "$(grep circle "$tmp/graph.txt"; cat "$tmp/buckets")"; fi
grep -qx '  3 classes: &ei->i_data_sem:0, PG_locked:0, &journal->j_wait_commit:0' "$tmp/graph.txt" &&
	ok "graph: the cyclic component" || bad "graph component" "$(grep classes: "$tmp/graph.txt")"
got=$(awk '/^  CLASS/ { on = 1; next } on { print $1 "/" $2 "/" $3 "/" $4 }' "$tmp/graph.txt" | tr '\n' ' ')
[ "$got" = "&ei->i_data_sem:0/1/3/yes PG_locked:0/2/1/yes &journal->j_wait_commit:0/1/1/yes &sbi->s_lock:0/1/0/ " ] &&
	ok "graph: classes, the cyclic ones first, out and in degrees" || bad "graph classes" "$got"
expect "batch events of DEPT" 0 "$DS" top --batch -i "$tmp/d.dsr" --speed 0 --pane events
grep -Eq ' dept_circle_dep +circle 1 B: PG_locked -> &journal->j_wait_commit \(jbd2_log_wait_commit / folio_unlock\)$' "$tmp/out" &&
	grep -Eq ' dept_stack +circle 2 B \[E\]: 3 frames$' "$tmp/out" &&
	grep -Eq ' dept_circle +circle 2, 2 contexts$' "$tmp/out" &&
	ok "events: DEPT records in the graph's words" || bad "events DEPT" "$(grep dept_ "$tmp/out" | head -5)"

# --- the screen, under tmux ---
if ! command -v tmux >/dev/null; then
	echo "SKIP: tmux is not installed (make deps): the curses screen is not tested"
	skip=1
else
	S=dstop-$$
	export TMUX_TMPDIR=$tmp	# a server of our own: never the user's
	cap() { tmux capture-pane -p -t "$S" >"$tmp/cap"; }
	# wait_for PATTERN: up to 5 s for the screen to show it
	wait_for() {
		local i
		for i in $(seq 50); do
			cap
			grep -Eq -- "$1" "$tmp/cap" && return 0
			sleep 0.1
		done
		return 1
	}
	screen() {	# screen NAME PATTERN: a check on what the screen shows
		if wait_for "$2"; then ok "screen: $1"; else bad "screen: $1" "$(head -5 "$tmp/cap")"; fi
	}
	keys() { tmux send-keys -t "$S" "$@"; }

	tmux new-session -d -s "$S" -x 80 -y 24 \
		"stty -g >$tmp/stty.before; $DS top -i $REC --speed 0; echo EXIT=\$?; stty -g >$tmp/stty.after; sleep 60"
	screen "overview at start" '^Overview: .*g\.dsr: complete'
	screen "tab bar" '^ 1 Overview  2 Fences  3 dma-buf  4 VPR  5 Events  6 Graph'
	screen "end of input in the footer" '^\[end of input\] .*\| q quit '
	keys 2
	screen "2: fences" '^Fences: 4 timelines, 200 waits, 1 pending, 1 hangs'
	screen "fences: tl0 row with 50 waits" '^dsgen/tl0 +50 '
	got=$(awk '$1 ~ /^dsgen\/tl/ && $2 == 50 { printf "%s ", $1 }' "$tmp/cap")
	[ "$got" = "dsgen/tl0 dsgen/tl1 dsgen/tl2 dsgen/tl3 " ] && ok "fences: by waits, ties by context" ||
		bad "fences order" "$got"
	keys s s
	screen "s s: fences by max" '^Fences: .*; by max$'
	got=$(awk '$1 ~ /^dsgen\/tl/ && $2 == 50 { printf "%s/%s ", $1, $5 }' "$tmp/cap")
	[ "$got" = "dsgen/tl3/200.0us dsgen/tl2/199.0us dsgen/tl1/198.0us dsgen/tl0/197.0us " ] &&
		ok "fences: by max, longest first" || bad "fences by max" "$got"
	keys s s
	screen "s: back to by waits" '^Fences: .*; by waits$'
	keys 3
	screen "3: dma-buf" '^dma-buf: 4 buffers \(0 live\), 62 events, 6 revocations'
	keys s
	screen "s: revocations by latency" 'revocations by latency$'
	sed -n '/REVOKED s/{n;p;}' "$tmp/cap" | grep -Eq '^ +[0-9.]+ 52\.0us +7000 ' &&
		ok "dma-buf by latency: the 52 us revocation first" || bad "dmabuf sort" "$(grep -A2 'REVOKED s' "$tmp/cap")"
	keys 4
	screen "4: VPR" '^VPR: 0 resizes'
	keys 6
	screen "6: graph" '^DEPT graph: 0 classes'
	keys Tab
	screen "Tab wraps to overview" '^Overview: '
	keys BTab
	screen "Shift-Tab wraps back to the graph" '^DEPT graph: '
	keys 1
	keys '?'
	screen "? help" '^Help: deptscope top'
	keys x 5
	screen "5: events" '^Events: the newest 512 of 1068, newest last$'
	[ "$(grep -c ' dmabuf_' "$tmp/cap")" -gt 0 ] && ok "events: dma-buf events before the filter" ||
		bad "events" "no dma-buf event shown"
	keys / w a i t _ e n d
	screen "filter prompt" '^filter: wait_end_'
	keys Enter
	screen "filter in the title" "^Events: the newest 512 of 1068, newest last, filter 'wait_end'"
	n=$(grep -cE '^ +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ ' "$tmp/cap")
	m=$(grep -cE ' fence_wait_end ' "$tmp/cap")
	[ "$n" -ge 10 ] && [ "$n" -eq "$m" ] && ok "filter: only fence_wait_end rows ($n)" ||
		bad "filter" "$n rows, $m fence_wait_end"

	tmux resize-window -t "$S" -x 100 -y 30
	# at 100 columns the wait time fits: seen only if the screen was redrawn
	screen "resize: redrawn at 100 columns" 'fence_wait_end +ctx [0-9]+ seq [0-9]+ gen[0-6] waited 0\.[0-9]{3} ms$'
	cap
	lines=$(wc -l <"$tmp/cap")
	long=$(awk 'length > 100' "$tmp/cap" | wc -l)
	if [ "$lines" -eq 30 ] && [ "$long" -eq 0 ] && head -1 "$tmp/cap" | grep -q '^ 1 Overview' &&
		tail -1 "$tmp/cap" | grep -q '^\[end of input\] .*| ' &&
		[ "$(grep -cvE '^( 1 Overview|Events: |    TIME s|\[end of input\] | +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ fence_wait_end|$)' "$tmp/cap")" -eq 0 ]; then
		ok "resize: 30 lines, tab bar, rows and footer, nothing else"
	else
		bad "resize" "$lines lines, $long too long: $(grep -vE '^( 1 Overview|Events: |    TIME s|\[end of input\] | +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ fence_wait_end|$)' "$tmp/cap" | head -3)"
	fi

	keys q
	screen "q: exit status 0" '^EXIT=0$'
	sleep 0.2
	cap
	if ! grep -q '1 Overview' "$tmp/cap" && cmp -s "$tmp/stty.before" "$tmp/stty.after"; then
		ok "q: the shell has its screen and tty settings back"
	else bad "q: terminal" "$(head -3 "$tmp/cap"; diff "$tmp/stty.before" "$tmp/stty.after")"; fi
	tmux kill-session -t "$S"

	# SIGTERM from outside: the same clean exit
	rm -f "$tmp/stty.before" "$tmp/stty.after"
	tmux new-session -d -s "$S" -x 80 -y 24 \
		"stty -g >$tmp/stty.before; sh -c 'echo \$\$ >$tmp/pid; exec $DS top -i $REC --speed 0'; echo EXIT=\$?; stty -g >$tmp/stty.after; sleep 60"
	screen "SIGTERM: running" '^Overview: '
	kill -TERM "$(cat "$tmp/pid")"
	screen "SIGTERM: exit status 0" '^EXIT=0$'
	sleep 0.2
	cap
	if ! grep -q '1 Overview' "$tmp/cap" && cmp -s "$tmp/stty.before" "$tmp/stty.after"; then
		ok "SIGTERM: the terminal is given back"
	else bad "SIGTERM: terminal" "$(head -3 "$tmp/cap")"; fi
	tmux kill-session -t "$S"

	# a crash (SIGSEGV): endwin runs in the handler, then the signal kills it
	rm -f "$tmp/stty.before" "$tmp/stty.after"
	tmux new-session -d -s "$S" -x 80 -y 24 \
		"stty -g >$tmp/stty.before; sh -c 'echo \$\$ >$tmp/pid; exec $DS top -i $REC --speed 0'; echo EXIT=\$?; stty -g >$tmp/stty.after; sleep 60"
	screen "SIGSEGV: running" '^Overview: '
	kill -SEGV "$(cat "$tmp/pid")"
	screen "SIGSEGV: killed by the signal (139)" '^EXIT=139$'
	sleep 0.2
	cap
	if ! grep -q '1 Overview' "$tmp/cap" && cmp -s "$tmp/stty.before" "$tmp/stty.after"; then
		ok "SIGSEGV: the terminal is given back"
	else bad "SIGSEGV: terminal" "$(head -3 "$tmp/cap")"; fi
	tmux kill-session -t "$S"

	# --- at 80 columns a resize's steps wrap under it: nothing cut off ---
	tmux new-session -d -s "$S" -x 80 -y 24 "$DS top -i $tmp/v.dsr --speed 0 --pane vpr; sleep 60"
	screen "vpr at 80 columns" '^VPR: 3 resizes'
	if python3 - "$tmp/cap" "$tmp/vpr.rows" <<'PY'
import re, sys
cap = open(sys.argv[1]).read().split("\n")
want = [" ".join(l.split()) for l in open(sys.argv[2]).read().split("\n") if l.strip()]
rows, cur = [], None
for l in cap:
    assert len(l) <= 80, l
    if re.match(r"^ +[0-9]+\.[0-9]{3}  [# ] ", l):
        cur = [l]
        rows.append(cur)
    elif cur is not None and l.startswith(" " * 12) and l.strip():
        cur.append(l)
    else:
        cur = None
got = [" ".join(" ".join(r).split()) for r in rows]
assert len(rows) == 3 and all(len(r) > 1 for r in rows), rows
assert got == want, (got, want)
PY
	then ok "vpr at 80 columns: each row wrapped under itself, the same words as deptscope vpr"
	else bad "vpr wrap" "$(grep -A2 'TIME ms' "$tmp/cap")"; fi
	tmux kill-session -t "$S"

	# --- the Graph pane: the cursor, Enter, Esc, sort and export, at 120x40 ---
	mkdir -p "$tmp/sv"
	tmux new-session -d -s "$S" -x 120 -y 40 \
		"$DS top -i $tmp/d.dsr --speed 0 --pane graph --save-dir $tmp/sv 2>$tmp/graph.err; echo EXIT=\$?; sleep 60"
	screen "graph: --pane starts on it" '^DEPT graph: 4 classes, 5 edges'
	screen "graph: the cursor on the newest circle" '^> circle 2 '
	keys Down
	screen "graph: Down moves the cursor" '^> circle 1 '
	keys Enter
	screen "graph: Enter opens circle 1" "^DEPT circle 1: $b1 deadlock, 3 contexts, at [0-9.]+ s on CPU 0; the graph has this cycle"
	screen "circle: context A's [S] under the cursor" '^>   \[S\] down_write\(&ei->i_data_sem:0\)$'
	screen "circle: [W] of context A" '^    \[W\] folio_wait_bit_common\(PG_locked:0\)$'
	n=$(grep -cx "          $frame" "$tmp/cap")
	[ "$n" -ge 9 ] && ok "circle: symbolised stacks ($n frames '$frame' on screen)" || bad "circle stacks" "$n frames"
	keys Down
	keys Enter
	screen "circle: Enter on [W] opens its class" '^Class: PG_locked:0 \[0+a2\]: ON A CYCLE of 3 classes$'
	screen "class: what its events wait for" '^  -> &journal->j_wait_commit:0 +x2 +jbd2_log_wait_commit / folio_unlock$'
	screen "class: what waits for it" '^  <- &ei->i_data_sem:0 +x3 +folio_wait_bit_common / up_write$'
	keys BSpace
	screen "Backspace: back to the circle" '^DEPT circle 1: '
	keys e
	screen "e: the circle exported" '\| exported circle 1: .*/deptscope-graph-[0-9-]+\.dot, \.svg'
	dot=$(ls "$tmp/sv"/*.dot 2>/dev/null)
	if [ "$(ls "$tmp/sv" | wc -l)" -eq 2 ] && [ -n "$dot" ] && [ -s "${dot%.dot}.svg" ] &&
		[ "$(grep -c '^	n[0-9]* \[label=' "$dot")" -eq 3 ] &&
		[ "$(grep -c ' -> .*color="red"' "$dot")" -eq 4 ] &&
		python3 -c 'import sys, xml.etree.ElementTree as E
t = E.parse(sys.argv[1]).getroot()
txt = " ".join(x.text or "" for x in t.iter() if x.tag.endswith("text"))
assert all(c in txt for c in ("&ei->i_data_sem:0", "PG_locked:0", "&journal->j_wait_commit:0")), txt
assert "s_lock" not in txt' "${dot%.dot}.svg"; then
		ok "e: DOT of the circle's 3 classes and 4 red edges, an SVG that parses, nothing else left"
	else bad "e: files" "$(ls "$tmp/sv"; cat "$dot" 2>/dev/null | head -5)"; fi
	keys Escape
	screen "Esc: back to the list, the cursor where it was" '^> circle 1 '
	keys s
	screen "s: classes by edges" '^DEPT graph: .* classes by edges$'
	keys Down Down
	screen "the cursor on a class row" '^> &ei->i_data_sem:0 +1 +3 yes$'
	keys e
	screen "e on a class row: the whole graph" '\| exported the whole graph: '
	keys Home
	screen "Home: the cursor on the first row" '^> circle 2 '
	keys NPage
	screen "PgDn: the cursor down a page, to the last row" '^> &sbi->s_lock:0 +1 +0 *$'
	dot=$(ls -t "$tmp/sv"/*.dot | head -1)
	[ "$(grep -c '^	n[0-9]* \[label=' "$dot")" -eq 4 ] && ok "e: the whole graph, 4 classes" ||
		bad "e whole graph" "$(cat "$dot")"
	keys '?'
	screen "?: help lists every key" '^  e +export the graph'
	miss=
	for k in '1-6, Tab' 'Up/Down ' 'Enter ' 'Esc, Backspace ' '/ ' 's ' 'r ' 'p, space ' 'f ' \
		'Left/Right ' '? ' 'q '; do
		grep -qF "  $k" "$tmp/cap" || miss="$miss '$k'"
	done
	[ -z "$miss" ] && ok "?: every key in the help" || bad "help" "missing$miss"
	keys x q
	screen "graph session: exit 0" '^EXIT=0$'
	n=$(grep -c '^deptscope top: wrote .*\.dot and .*\.svg: ' "$tmp/graph.err")
	[ "$n" -eq 2 ] && ok "q: the files written are listed after the screen is gone" || bad "wrote lines" "$n"
	tmux kill-session -t "$S"

	# a recording from another machine: its addresses are not this kernel's, so no names
	python3 -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[104:168] = b"otherhost".ljust(64, b"\0")	# ds_rec_header.hostname
open(sys.argv[2], "wb").write(d)' "$tmp/d.dsr" "$tmp/d2.dsr"
	tmux new-session -d -s "$S" -x 120 -y 40 "$DS top -i $tmp/d2.dsr --speed 0 --pane graph; sleep 60"
	screen "another host's recording: running" '^> circle 2 '
	keys Down Enter
	if [ "$addr" != 0 ]; then
		screen "another host's recording: stacks stay addresses" "^          0x0*${addr#0x}\$"
	fi
	tmux kill-session -t "$S"
	if [ "$addr" != 0 ]; then
		"$DS" dept -i "$tmp/d2.dsr" >"$tmp/d2.txt" 2>&1
		grep -q 'was not recorded on this boot: DEPT stacks stay addresses' "$tmp/d2.txt" &&
			grep -q "\[S\]: 0x0*${addr#0x} <- " "$tmp/d2.txt" &&
			"$DS" dept -i "$tmp/d.dsr" 2>&1 | grep -q '\[S\]: schedule <- schedule' &&
			ok "dept -i: names for this boot's recording, addresses for another host's" ||
			bad "dept -i symbols" "$(grep -m2 '\[S\]' "$tmp/d2.txt")"
	fi

	# --- r and the replay keys: the last records come 5 s after the others ---
	rm -rf "$tmp/sv" && mkdir -p "$tmp/sv"
	tmux new-session -d -s "$S" -x 160 -y 30 \
		"$DS top -i $REC --speed 1 --interval 100 --save-dir $tmp/sv; echo EXIT=\$?; sleep 60"
	screen "paced: all but the late records" '^total +1005$'
	keys r
	screen "r: recording" '^\[REC\] .*\| recording to .*/deptscope-rec-[0-9-]+\.dsr \(r stops\)'
	keys Left
	screen "Left while recording: refused" '\| stop the recording \(r\) before seeking back'
	start=$(date +%s)
	keys Right
	screen "Right: seek 10 s, to the end" '^\[end of input\] '
	el=$(( $(date +%s) - start ))
	[ "$el" -lt 4 ] && ok "Right: the 5 s gap skipped (${el} s)" || bad "seek" "took $el s"
	screen "seek: every record" '^total +1068$'
	keys r
	screen "r again: stopped" '\| recorded 63 records to .*/deptscope-rec-'
	keys Left
	screen "Left: read again from the start" '^total +1005$'
	cap
	grep -q '^\[end of input\]' "$tmp/cap" && bad "Left" "still at the end" || ok "Left: not at the end any more"
	# f: the screen stays while the late records come, 5 s after the others
	keys f
	screen "f: frozen" '^\[FROZEN\] '
	sleep 6
	cap
	# the footer goes on telling the state; the pane keeps its numbers
	if grep -Eq '^total +1005$' "$tmp/cap" && grep -q '^\[end of input\] \[FROZEN\]' "$tmp/cap"; then
		ok "f: the frozen pane kept its numbers, the footer says the input ended"
	else bad "f" "$(grep -E '^(total|\[)' "$tmp/cap")"; fi
	keys f
	screen "f again: the screen shows what came meanwhile" '^total +1068$'
	screen "f again: at the end of the input" '^\[end of input\] '
	keys Space
	screen "space: paused" '^\[end of input\] \[PAUSED\] '
	keys Space
	cap
	grep -q '\[PAUSED\]' "$tmp/cap" && bad "space" "still paused" || ok "space again: resumed"
	keys p
	screen "p: paused" '^\[end of input\] \[PAUSED\] at [0-9.]+ s \| '
	keys p
	screen "p again: playing" '^\[end of input\] at [0-9.]+ s \| '
	keys q
	screen "replay session: exit 0" '^EXIT=0$'
	tmux kill-session -t "$S"
	rec=$(ls "$tmp/sv"/*.dsr 2>/dev/null)
	if [ -n "$rec" ] && "$DS" top --batch -i "$rec" --speed 0 --pane overview >"$tmp/rec.txt" 2>&1 &&
		grep -q ': complete: 63 records$' "$tmp/rec.txt" && grep -Eq '^dma_fence +1 ' "$tmp/rec.txt" &&
		grep -Eq '^dma_buf +62 ' "$tmp/rec.txt"; then
		ok "r: the recording has the 63 records that came while it ran, complete"
	else bad "r recording" "$(cat "$tmp/rec.txt" 2>/dev/null | head -5)"; fi

	# --- NO_COLOR: attributes, no colours; without it, colours ---
	for nc in 1 ""; do
		tmux new-session -d -s "$S" -x 80 -y 24 \
			"NO_COLOR=$nc TERM=xterm-256color $DS top -i $REC --speed 0; sleep 60"
		screen "NO_COLOR='$nc': running" '^Overview: '
		tmux capture-pane -e -p -t "$S" >"$tmp/esc"
		c=$(grep -cE $'\e\\[[0-9;]*(3[0-7]|4[0-7])[;m]' "$tmp/esc")
		if [ -n "$nc" ]; then
			[ "$c" -eq 0 ] && grep -q $'\e\\[' "$tmp/esc" && ok "NO_COLOR: bold and reverse, no colour" ||
				bad "NO_COLOR" "$c coloured lines"
		else
			[ "$c" -gt 0 ] && ok "colours without NO_COLOR ($c lines)" || bad "colour" "none"
		fi
		tmux kill-session -t "$S"
	done
	tmux kill-server 2>/dev/null
fi

echo "top-cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
