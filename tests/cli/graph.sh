#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope graph end to end: a /proc/dept_deps dump and a DEPT report
# written here, exported as DOT and JSON (compared byte for byte), SVG
# (its nodes, edges, labels and colours) and PNG; usage errors, bad input
# and atomic output.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"

# same NAME FILE: FILE is exactly what is on stdin
same() {
	if diff -u - "$2" >"$tmp/diff"; then ok "$1"; else bad "$1" "$(head -40 "$tmp/diff")"; fi
}

# Two classes named &rq->__lock (keys ...10 and ...18), a <sched> class,
# a name with quotes; cycles {rq/10, pi_lock}, {wait_for_completion,
# "quoted"} and rq/18's self-loop; events and i_mutex_key on none.
cat >"$tmp/deps" <<'EOF'
All classes:

[ffff888100000010] &rq->__lock
 -> [ffff888100000020] &p->pi_lock

[ffff888100000020] &p->pi_lock
 -> [ffff888100000010] &rq->__lock
 -> [ffff888100000030] <sched> wait_for_completion

[ffff888100000030] <sched> wait_for_completion
 -> [ffff888100000040] &"quoted"->lock

[ffff888100000040] &"quoted"->lock
 -> [ffff888100000030] <sched> wait_for_completion
 -> [ffff888100000050] (wq_completion)events

[ffff888100000050] (wq_completion)events

[ffff888100000018] &rq->__lock
 -> [ffff888100000018] &rq->__lock
 -> [ffff888100000050] (wq_completion)events

[ffff888100000060] &sb->s_type->i_mutex_key
 -> [ffff888100000010] &rq->__lock

EOF

# ---- usage ----
expect "graph --help" 0 "$DS" graph --help
grep -q '^Usage: deptscope graph' "$tmp/out" && ok "graph --help usage line" || bad "graph --help" "$(head -2 "$tmp/out")"
expect "nothing to draw is a usage error" 2 "$DS" graph
one_line "nothing to draw"
expect "unknown format" 2 "$DS" graph --proc-deps "$tmp/deps" -f gif
expect "svg needs -o" 2 "$DS" graph --proc-deps "$tmp/deps" -f svg
expect "--depth needs --around" 2 "$DS" graph --proc-deps "$tmp/deps" --depth 3
expect "--json with --format png" 2 "$DS" graph --proc-deps "$tmp/deps" -j -f png -o "$tmp/x.png"
one_line "--json with --format png"
expect "--max-nodes 0" 2 "$DS" graph --proc-deps "$tmp/deps" --max-nodes 0

# ---- DOT: every cycle, nothing else ----
expect "dot of a dump" 0 "$DS" graph --proc-deps "$tmp/deps"
same "dot output" "$tmp/out" <<'EOF'
digraph deptscope {
	node [shape="box"];
	n0 [label="&rq->__lock\n[ffff888100000010]", color="red", fontcolor="red"];
	n1 [label="&p->pi_lock", color="red", fontcolor="red"];
	n2 [label="<sched> wait_for_completion", color="red", fontcolor="red"];
	n3 [label="&\"quoted\"->lock", color="red", fontcolor="red"];
	n5 [label="&rq->__lock\n[ffff888100000018]", color="red", fontcolor="red"];
	n0 -> n1 [color="red"];
	n1 -> n0 [color="red"];
	n1 -> n2;
	n2 -> n3 [color="red"];
	n3 -> n2 [color="red"];
	n5 -> n5 [color="red"];
}
EOF
same "dot summary on stderr" "$tmp/err" <<'EOF'
deptscope graph: kept 5 of 7 classes; 3 cycles
EOF
cp "$tmp/out" "$tmp/stdout.dot"
expect "dot to a file" 0 "$DS" graph --proc-deps "$tmp/deps" -o "$tmp/g.dot"
same "dot file is stdout's" "$tmp/g.dot" <"$tmp/stdout.dot"
grep -q ' -> .*/g.dot$' "$tmp/err" && ok "summary names the file" || bad "summary" "$(cat "$tmp/err")"

# ---- the neighbourhood of a class ----
expect "--around" 0 "$DS" graph --proc-deps "$tmp/deps" --around '(wq_completion)events' --depth 1
same "--around dot" "$tmp/out" <<'EOF'
digraph deptscope {
	node [shape="box"];
	n3 [label="&\"quoted\"->lock", color="red", fontcolor="red"];
	n4 [label="(wq_completion)events"];
	n5 [label="&rq->__lock\n[ffff888100000018]", color="red", fontcolor="red"];
	n3 -> n4;
	n5 -> n5 [color="red"];
	n5 -> n4;
}
EOF
same "--around summary" "$tmp/err" <<'EOF'
deptscope graph: kept 3 of 7 classes; 3 cycles
EOF
expect "--around both &rq->__lock classes" 0 "$DS" graph --proc-deps "$tmp/deps" \
	--around '&rq->__lock' --depth 1
grep -c '^	n[0-9]* \[' "$tmp/out" | grep -qx 5 && ok "--around takes every class of the name" ||
	bad "--around by name" "$(cat "$tmp/out")"
expect "--around an unknown class" 1 "$DS" graph --proc-deps "$tmp/deps" --around 'pi_lock'
one_line "--around unknown"
grep -q "did you mean '&p->pi_lock'" "$tmp/err" && ok "--around suggests a name" ||
	bad "--around hint" "$(cat "$tmp/err")"

# ---- the cap ----
expect "--max-nodes 3" 0 "$DS" graph --proc-deps "$tmp/deps" --max-nodes 3
same "capped dot" "$tmp/out" <<'EOF'
digraph deptscope {
	graph [labelloc="t", label="kept 3 of 7 classes; 3 cycles; the 3-class cap left out 2 more; 1 cycle not shown"];
	node [shape="box"];
	n0 [label="&rq->__lock\n[ffff888100000010]", color="red", fontcolor="red"];
	n1 [label="&p->pi_lock", color="red", fontcolor="red"];
	n5 [label="&rq->__lock\n[ffff888100000018]", color="red", fontcolor="red"];
	n0 -> n1 [color="red"];
	n1 -> n0 [color="red"];
	n5 -> n5 [color="red"];
}
EOF
same "capped summary" "$tmp/err" <<'EOF'
deptscope graph: kept 3 of 7 classes; 3 cycles; the 3-class cap left out 2 more; 1 cycle not shown
EOF

# ---- JSON ----
expect "json" 0 "$DS" graph --proc-deps "$tmp/deps" -f json --max-nodes 3
same "json output" "$tmp/out" <<'EOF'
{"classes":7,"dependencies":9,"nodes":[{"id":0,"name":"&rq->__lock","key":"ffff888100000010","sub":-1,"cycle":true},{"id":1,"name":"&p->pi_lock","key":"ffff888100000020","sub":-1,"cycle":true},{"id":5,"name":"&rq->__lock","key":"ffff888100000018","sub":-1,"cycle":true}],"edges":[{"from":0,"to":1,"count":1,"cycle":true,"details":[{"wait_fn":"","event_fn":"","context":"","source":"proc","count":1}]},{"from":1,"to":0,"count":1,"cycle":true,"details":[{"wait_fn":"","event_fn":"","context":"","source":"proc","count":1}]},{"from":5,"to":5,"count":1,"cycle":true,"details":[{"wait_fn":"","event_fn":"","context":"","source":"proc","count":1}]}],"cycles":[[0,1],[5]],"omitted_nodes":2}
EOF
expect "-j is --format json" 0 "$DS" graph --proc-deps "$tmp/deps" -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["nodes"]) == 5 and d["omitted_nodes"] == 0 and d["cycles"] == [[0,1],[2,3],[5]], d' \
	"$tmp/out" && ok "-j output is the cycles' JSON" || bad "-j" "$(head -c 300 "$tmp/out")"

# ---- SVG and PNG, rendered by libgvc ----
expect "svg" 0 "$DS" graph --proc-deps "$tmp/deps" -f svg -o "$tmp/g.svg"
if python3 - "$tmp/g.svg" <<'PY'
import sys
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
groups = {}
for g in root.iter("{http://www.w3.org/2000/svg}g"):
    cls = g.get("class")
    if cls in ("node", "edge"):
        title = g.find("s:title", ns).text
        texts = [t.text for t in g.findall("s:text", ns)]
        strokes = {e.get("stroke") for e in g.iter() if e.get("stroke")}
        groups[title] = (cls, texts, strokes)
nodes = {t: v for t, v in groups.items() if v[0] == "node"}
edges = {t: v for t, v in groups.items() if v[0] == "edge"}
assert sorted(nodes) == ["n0", "n1", "n2", "n3", "n5"], sorted(nodes)
assert sorted(edges) == ["n0->n1", "n1->n0", "n1->n2", "n2->n3", "n3->n2", "n5->n5"], sorted(edges)
assert nodes["n0"][1] == ["&rq->__lock", "[ffff888100000010]"], nodes["n0"][1]
assert nodes["n3"][1] == ['&"quoted"->lock'], nodes["n3"][1]
assert nodes["n2"][1] == ["<sched> wait_for_completion"], nodes["n2"][1]
assert all(v[2] == {"red"} for v in nodes.values()), nodes
assert edges["n1->n2"][2] == {"black"}, edges["n1->n2"]
assert all(v[2] == {"red"} for t, v in edges.items() if t != "n1->n2"), edges
PY
then ok "svg has the nodes, edges, labels and colours"; else bad "svg content" "see above"; fi
ls "$tmp" | grep -q 'g.svg.tmp' && bad "svg temp file" "left behind" || ok "no temp file left"
expect "png" 0 "$DS" graph --proc-deps "$tmp/deps" -f png -o "$tmp/g.png"
if [ "$(head -c 8 "$tmp/g.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	ok "png is a PNG"
else
	bad "png" "$(head -c 16 "$tmp/g.png" | od -c | head -2)"
fi

# ---- a console log with a DEPT report ----
cat >"$tmp/dept.log" <<'EOF'
[   12.000001] ===================================================
[   12.000002] DEPT: Circular dependency has been detected.
[   12.000003] 6.18.0-demo #1 Not tainted
[   12.000004] ---------------------------------------------------
[   12.000005] summary
[   12.000006] ---------------------------------------------------
[   12.000007] *** DEADLOCK ***
[   12.000008]
[   12.000009] context A
[   12.000010]    [S] lock(&demo_a->mtx:0)
[   12.000011]    [W] lock(&demo_b->mtx:0)
[   12.000012]    [E] unlock(&demo_a->mtx:0)
[   12.000013]
[   12.000014] context B
[   12.000015]    [S] lock(&demo_b->mtx:0)
[   12.000016]    [W] wait_for_completion(&demo_b->done:0)
[   12.000017]    [E] unlock(&demo_b->mtx:0)
[   12.000018]
[   12.000019] context C
[   12.000020]    [S] (unknown)(&demo_b->done:0)
[   12.000021]    [W] lock(&demo_a->mtx:0)
[   12.000022]    [E] complete(&demo_b->done:0)
[   12.000023]
[   12.000024] [S]: start of the event context
[   12.000025] [W]: the wait blocked
[   12.000026] [E]: the event not reachable
[   12.000027] ---------------------------------------------------
[   12.000028] information that might be helpful
[   12.000029] ---------------------------------------------------
[   12.000030] CPU: 1 PID: 77 Comm: demo Not tainted 6.18.0-demo #1
[   12.000031] Call Trace:
[   12.000032]  <TASK>
[   12.000033]  dump_stack_lvl+0x10/0x20
[   12.000034]  </TASK>
EOF
expect "graph of a log" 0 "$DS" graph "$tmp/dept.log" "$tmp/dept.log"
same "log dot: event class -> wait class, counted per report" "$tmp/out" <<'EOF'
digraph deptscope {
	node [shape="box"];
	n0 [label="&demo_a->mtx", color="red", fontcolor="red"];
	n1 [label="&demo_b->mtx", color="red", fontcolor="red"];
	n2 [label="&demo_b->done", color="red", fontcolor="red"];
	n0 -> n1 [label="A: lock / unlock (x2)", color="red"];
	n1 -> n2 [label="B: wait_for_completion / unlock (x2)", color="red"];
	n2 -> n0 [label="C: lock / complete (x2)", color="red"];
}
EOF
same "log summary" "$tmp/err" <<'EOF'
deptscope graph: kept 3 of 3 classes; 1 cycle (from 2 reports)
EOF
expect "a log and a dump together" 0 "$DS" graph --proc-deps "$tmp/deps" "$tmp/dept.log" -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["classes"] == 10 and len(d["cycles"]) == 4, d' \
	"$tmp/out" && ok "log and dump in one graph" || bad "log and dump" "$(head -c 300 "$tmp/out")"

# ---- bad input: one line, exit 1, no output file ----
expect "missing dump" 1 "$DS" graph --proc-deps "$tmp/none" -o "$tmp/none.dot"
one_line "missing dump"
[ ! -e "$tmp/none.dot" ] && ok "no output for a missing dump" || bad "missing dump" "output created"
head -c 4096 /dev/urandom | tr -d '\n[' >"$tmp/garbage"
expect "garbage dump" 1 "$DS" graph --proc-deps "$tmp/garbage" -o "$tmp/garbage.dot"
one_line "garbage dump"
grep -q 'not a /proc/dept_deps dump' "$tmp/err" && ok "garbage message" || bad "garbage message" "$(cat "$tmp/err")"
ls "$tmp" | grep -q '^garbage.dot' && bad "garbage dump" "output or temp file left" || ok "no output for garbage"
: >"$tmp/empty"
expect "empty dump" 1 "$DS" graph --proc-deps "$tmp/empty"
one_line "empty dump"
head -c 200 "$tmp/deps" >"$tmp/cut"
expect "truncated dump still draws" 0 "$DS" graph --proc-deps "$tmp/cut"
grep -q 'cut short' "$tmp/err" && ok "truncation warned" || bad "truncation warning" "$(cat "$tmp/err")"
gzip -c "$tmp/deps" >"$tmp/deps.gz"
expect "gzip dump" 0 "$DS" graph --proc-deps "$tmp/deps.gz"
same "gzip dump dot" "$tmp/out" <"$tmp/stdout.dot"
expect "output into a missing directory" 1 "$DS" graph --proc-deps "$tmp/deps" -o "$tmp/no/dir.dot"
one_line "missing directory"
expect "missing log" 1 "$DS" graph "$tmp/none.log"
one_line "missing log"

echo "graph-cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
