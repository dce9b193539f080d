#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# CLI behaviour without BPF: help, usage errors, exit codes, replay, report,
# export and bad input, on recordings written by bench/dsgen (a synthetic
# pattern with exactly known results; see bench/dsgen.c).
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"
GEN=$OUT/bench/dsgen

expect "no arguments is a usage error" 2 "$DS"
expect "--help" 0 "$DS" --help
grep -q '^  fence ' "$tmp/out" && ok "--help lists fence" || bad "--help" "no fence line"
expect "--version" 0 "$DS" --version
for c in fence record report export; do
	expect "$c --help" 0 "$DS" $c --help
	grep -q "^Usage: deptscope $c" "$tmp/out" && ok "$c --help usage line" || bad "$c --help" "$(head -2 "$tmp/out")"
	expect "help $c" 0 "$DS" help $c
done
expect "unknown command" 2 "$DS" frobnicate
one_line "unknown command"
expect "no prefix matching (fen)" 2 "$DS" fen
expect "no prefix matching (rep)" 2 "$DS" rep
expect "bad option" 2 "$DS" fence --no-such-option
one_line "bad option"
expect "bad duration" 2 "$DS" fence -d soon
one_line "bad duration"
expect "record needs -o" 2 "$DS" record -d 1
expect "export needs a format" 2 "$DS" export "$tmp/x.dsr" -o "$tmp/x.json"

# not root (or no CAP_BPF/CAP_PERFMON): one clear line, exit 1
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	expect "unprivileged fence is refused" 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$DS" fence -d 1
	one_line "unprivileged fence"
	grep -q 'CAP_BPF' "$tmp/err" && ok "unprivileged message names the capabilities" ||
		bad "unprivileged message" "$(cat "$tmp/err")"
else
	echo "SKIP: not root: cannot drop privileges to test the unprivileged path"
fi

"$GEN" -o "$tmp/g.dsr" -n 1004 -H || { bad "dsgen" "failed"; exit 1; }

expect "report of a recording with a hang exits 3" 3 "$DS" report --json "$tmp/g.dsr"
cp "$tmp/out" "$tmp/report.json"
if python3 - "$tmp/report.json" <<'PY'
import json, sys
# --json is JSON Lines: a hang line as it is found, then the summary
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert [l["type"] for l in lines] == ["fence_hang", "fence_summary"], [l["type"] for l in lines]
d = lines[1]
assert d["recording_status"].startswith("complete"), d["recording_status"]
assert d["waits"] == 200 and d["pending"] == 1 and d["hangs"] == 1, (d["waits"], d["pending"], d["hangs"])
c = d["counts"]
assert c["fence_init"] == 200 and c["fence_wait_start"] == 201 and c["fence_wait_end"] == 200, c
assert c["fence_signaled"] == 201 and c["fence_destroy"] == 200 and c["fence_name"] == 4, c
tl = {t["timeline"]: t for t in d["timelines"]}
assert sorted(tl) == ["tl0", "tl1", "tl2", "tl3"], sorted(tl)
for i in range(4):
    t = tl["tl%d" % i]
    assert t["driver"] == "dsgen" and t["context"] == 1000 + i and t["waits"] == 50, t
    # cycle c uses timeline c % 4 and waits (c % 1000 + 1) us
    assert t["latency_ns"]["max"] == (196 + i + 1) * 1000, (i, t["latency_ns"])
    assert t["latency_ns"]["min"] == (i + 1) * 1000, (i, t["latency_ns"])
assert tl["tl0"]["hangs"] == 1
top = d["longest"]
assert len(top) == 10 and top[0]["duration_ns"] == 200000 and top[0]["tid"] == 2000 + 199 % 7, top[0]
assert [w["duration_ns"] for w in top] == sorted([w["duration_ns"] for w in top], reverse=True)
assert len(top[0]["stack"]) == 4 and top[0]["stack"][0]["addr"] == "0xffffffff81000000", top[0]["stack"]
p = d["pending_waits"]
assert len(p) == 1 and p[0]["tid"] == 4242 and p[0]["waiting_ns"] == 5000000000, p
assert d["latency_ns"]["count"] == 200 and d["latency_ns"]["max"] == 200000
PY
then ok "report --json has the exact expected numbers"; else bad "report --json" "see above"; fi

expect "fence --input gives the same summary" 3 "$DS" fence -i "$tmp/g.dsr" --json
if python3 - "$tmp/report.json" "$tmp/out" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
b = [l for l in lines if l["type"] == "fence_summary"][0]
hangs = [l for l in lines if l["type"] == "fence_hang"]
assert len(hangs) == 1 and hangs[0]["wait"]["tid"] == 4242, hangs
for k in ("waits", "pending", "hangs", "counts", "timelines", "longest", "latency_ns"):
    assert a[k] == b[k], k
PY
then ok "fence -i equals report, hang printed once as JSON"; else bad "fence -i" "differs"; fi

expect "report text" 3 "$DS" report "$tmp/g.dsr"
grep -q 'dsgen/tl0' "$tmp/out" && grep -q '^HANG: gen4 pid 2000 tid 4242' "$tmp/out" &&
	ok "report text names timelines and the hang" || bad "report text" "$(head -20 "$tmp/out")"
expect "no hang with --hang-ms above the wait" 0 "$DS" report --hang-ms 6000 "$tmp/g.dsr"

expect "export chrome" 0 "$DS" export --format chrome "$tmp/g.dsr" -o "$tmp/g.json"
if python3 - "$tmp/g.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
x = [e for e in ev if e["ph"] == "X"]
b = [e for e in ev if e["ph"] == "b"]
e_ = [e for e in ev if e["ph"] == "e"]
i = [e for e in ev if e["ph"] == "i"]
names = [e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"]
assert len(x) == 201, len(x)
assert len([e for e in x if e["args"].get("unfinished")]) == 1
# the unfinished wait is closed on its timeline track too
assert len(b) == 201 and len(e_) == 201 and {e["id"] for e in b} == {e["id"] for e in e_}
assert len(i) == 201, len(i)
assert any("dsgen/tl3" in n for n in names), names
assert max(e["dur"] for e in x if not e["args"].get("unfinished")) == 200.0
PY
then ok "chrome export parses and has every wait and signal"; else bad "chrome export" "see above"; fi

# dma-buf lifecycles from a recording
"$GEN" -o "$tmp/d.dsr" -n 0 -t 1 -D 3 || bad "dsgen -D" "failed"
expect "dmabuf -i" 0 "$DS" dmabuf -i "$tmp/d.dsr" --json
if python3 - "$tmp/out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [r for r in rows if r["type"] == "dmabuf_event"]
s = [r for r in rows if r["type"] == "dmabuf_summary"][0]
assert len(ev) == 42, len(ev)
assert [e["event"] for e in ev if e["ino"] == 5001] == ["export", "fd", "mmap_internal", "get",
    "attach", "map", "begin_cpu_access", "end_cpu_access", "invalidate", "unmap", "put",
    "detach", "put", "release"], ev
assert s["counts"] == {"export": 3, "fd": 3, "get": 3, "put": 6, "mmap_internal": 3, "mmap": 0,
    "attach": 3, "detach": 3, "invalidate": 3, "map": 3, "unmap": 3, "begin_cpu_access": 3,
    "end_cpu_access": 3, "release": 3, "vfio_export": 0, "vfio_state_start": 0,
    "vfio_state_end": 0}, s["counts"]
m = [e for e in ev if e["event"] == "map"][0]
assert m["nents"] == 2 and m["duration_ns"] == 2000 and m["dev_name"] == "vgem", m
assert [e["nr_notified"] for e in ev if e["event"] == "invalidate"] == [1, 1, 1]
b = {x["ino"]: x for x in s["buffers"]}
assert sorted(b) == [5000, 5001, 5002], sorted(b)
assert b[5002]["size"] == 3 * 4096 and b[5002]["exp_name"] == "system", b[5002]
assert b[5002]["cpu_wait_max_ns"] == 15000, b[5002]
assert all(x["attached"] == 0 and x["mapped"] == 0 and x["released"] and
           x["last_importer"] == "vgem" for x in b.values())
# invalidated while mapped; the importer unmapped one event (1 us) later
assert all(x["invalidations"] == 1 and x["unmap_after_invalidate_max_ns"] == 1000 and
           not x["unmap_pending"] for x in b.values()), b
assert s["unmaps_overdue"] == 0
assert s["exporters"] == [{"exp_name": "system", "buffers": 3, "bytes": 6 * 4096, "live": 0,
                           "revocations": 3, "attached": 0}], s["exporters"]
assert s["importers"] == [{"dev_name": "vgem", "attaches": 3, "detaches": 3, "maps": 3,
                           "unmaps": 3, "map_errors": 0, "map_max_ns": 2000,
                           "maps_after_revoke": 0}], s["importers"]
PY
then ok "dmabuf -i: every event and buffer"; else bad "dmabuf -i" "see above"; fi
expect "dmabuf -i --inode" 0 "$DS" dmabuf -i "$tmp/d.dsr" --inode 5001
[ "$(grep -cE '^ +[0-9]+\.[0-9]+ .* ino 5001 ' "$tmp/out")" -eq 14 ] && ! grep -q ' ino 5000 ' "$tmp/out" &&
	ok "--inode shows one buffer's history" || bad "--inode" "$(head -5 "$tmp/out")"
expect "dmabuf rejects --input with --pid" 2 "$DS" dmabuf -i "$tmp/d.dsr" -p 1
"$GEN" -o "$tmp/stuck.dsr" -n 0 -t 1 -D 1 -R || bad "dsgen -R" "failed"
expect "an importer missing its unmap deadline exits 3" 3 "$DS" dmabuf -i "$tmp/stuck.dsr" --json
if python3 - "$tmp/out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
od = [r for r in rows if r["type"] == "dmabuf_unmap_overdue"]
assert len(od) == 1 and od[0]["ino"] == 6000 and od[0]["mapped"] == 1, od
assert od[0]["since_invalidate_ns"] >= 1000000000, od
s = rows[-1]
assert s["type"] == "dmabuf_summary" and s["unmaps_overdue"] == 1, s
b = {x["ino"]: x for x in s["buffers"]}
assert b[6000]["unmap_pending"] and not b[5000]["unmap_pending"], b
PY
then ok "overdue unmap after invalidation flagged once, as JSON"; else bad "overdue unmap" "see above"; fi
expect "no overdue with --unmap-ms above the gap" 0 "$DS" dmabuf -i "$tmp/stuck.dsr" --unmap-ms 5000
grep -q "STILL MAPPED" "$tmp/out" && ok "summary says the buffer is still mapped" ||
	bad "still mapped" "$(tail -5 "$tmp/out")"
# vfio-pci revocations: a clean life, then a buffer mapped while revoked
# whose revocation never ends
"$GEN" -o "$tmp/vfio.dsr" -n 0 -t 1 -V || bad "dsgen -V" "failed"
expect "vfio-pci revoke/restore/close" 0 "$DS" dmabuf -i "$tmp/vfio.dsr" --json
if python3 - "$tmp/out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [r for r in rows if r["type"] == "dmabuf_event"]
s = [r for r in rows if r["type"] == "dmabuf_summary"][0]
assert not [r for r in rows if r["type"] not in ("dmabuf_event", "dmabuf_summary")], rows
assert [e["event"] for e in ev] == ["export", "vfio_export", "fd", "attach", "map",
    "vfio_state_start", "invalidate", "unmap", "vfio_state_end", "map", "vfio_state_start",
    "invalidate", "vfio_state_end", "map", "vfio_state_start", "invalidate", "unmap",
    "vfio_state_end", "detach", "release"], ev
x = ev[1]
assert (x["dev_name"], x["bar"], x["nr_ranges"], x["range_offset"], x["range_len"],
        x["status"]) == ("0000:00:04.0", 0, 1, 4096, 4096, "ok"), x
e = ev[8]
assert (e["old_status"], e["new_status"], e["cause"], e["fence_wait_ns"],
        e["unmap_wait_ns"]) == ("ok", "temp_revoked", "command", 10000, 50000), e
b = s["buffers"][0]["vfio"]
assert b == {"dev_name": "0000:00:04.0", "bar": 0, "status": "temp_revoked", "revokes": 2,
             "fence_wait_max_ns": 10000, "unmap_wait_max_ns": 50000,
             "maps_after_revoke": 0}, b
rv = s["revocations"]
got = [(r["start_ns"], r["latency_ns"], r["mapped_at_start"], r["old_status"], r["new_status"],
        r["cause"], r["fence_wait_ns"], r["unmap_wait_ns"]) for r in rv]
# events 1 us apart from t0, the unmap 50 us after the invalidate
assert got == [(5000, 52000, 1, "ok", "temp_revoked", "command", 10000, 50000),
               (59000, 2000, 0, "temp_revoked", "ok", "command", 0, 0),
               (63000, 3000, 1, "ok", "temp_revoked", "close", 0, 1000)], got
assert s["maps_after_revoke"] == 0 and s["unmaps_overdue"] == 0, s
assert s["exporters"] == [{"exp_name": "vfio_pci_core", "buffers": 1, "bytes": 4096, "live": 0,
                           "revocations": 2, "attached": 0}], s["exporters"]
assert s["importers"] == [{"dev_name": "rdma0", "attaches": 1, "detaches": 1, "maps": 2,
                           "unmaps": 2, "map_errors": 1, "map_max_ns": 0,
                           "maps_after_revoke": 0}], s["importers"]
PY
then ok "vfio-pci: status changes, waits and the revocation timeline"; else bad "vfio-pci" "see above"; fi
"$GEN" -o "$tmp/vfiobad.dsr" -n 0 -t 1 -A || bad "dsgen -A" "failed"
expect "a map while revoked and an unfinished revocation exit 3" 3 \
	"$DS" dmabuf -i "$tmp/vfiobad.dsr" --json
if python3 - "$tmp/out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [r["type"] for r in rows if r["type"] != "dmabuf_event"]
assert kinds == ["dmabuf_map_after_revoke", "dmabuf_unmap_overdue", "dmabuf_summary"], kinds
a = rows[[r["type"] for r in rows].index("dmabuf_map_after_revoke")]
assert (a["ino"], a["importer"], a["status"], a["vfio_dev"]) == \
    (7001, "rdma0", "temp_revoked", "0000:00:04.0"), a
o = [r for r in rows if r["type"] == "dmabuf_unmap_overdue"][0]
assert o["ino"] == 7001 and o["since_invalidate_ns"] >= 2000000000, o
s = rows[-1]
assert s["maps_after_revoke"] == 1 and s["unmaps_overdue"] == 1, s
assert [(r["cause"], r["done"]) for r in s["revocations"]] == [("reset", False)], s
assert s["importers"][0]["maps_after_revoke"] == 1, s["importers"]
PY
then ok "vfio-pci: map after revoke and a stuck revocation flagged as they happen"; else bad "vfio-pci anomalies" "see above"; fi
expect "vfio-pci text view" 3 "$DS" dmabuf -i "$tmp/vfiobad.dsr"
grep -q '^ANOMALY: ino 7001 .* mapped by rdma0 while temp_revoked' "$tmp/out" &&
	grep -q '^OVERDUE: ino 7001 .*status change not finished' "$tmp/out" &&
	grep -qE '^ +[0-9.]+ 7001 +vfio ok->temp_revoked \(reset\) +0 +PENDING' "$tmp/out" &&
	ok "text: anomaly, overdue and the pending revocation" || bad "vfio text" "$(tail -8 "$tmp/out")"
expect "export chrome with vfio revocations" 0 "$DS" export -f chrome "$tmp/vfio.dsr" -o "$tmp/v.json"
if python3 - "$tmp/v.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
x = [e for e in ev if e.get("cat") == "dma-buf" and e["ph"] == "X"]
names = sorted({e["name"] for e in x})
assert names == ["vfio restore ino 7000 (command)", "vfio revoke ino 7000 (close)",
                 "vfio revoke ino 7000 (command)"], names
r = [e for e in x if e["name"] == "vfio revoke ino 7000 (command)"]
# on the buffer's track and on the thread that held memory_lock
assert sorted(e["tid"] for e in r) == [3100, 7000] and all(e["dur"] == 52.0 for e in r), r
assert r[0]["args"]["unmap_wait_ns"] == 50000, r
PY
then ok "chrome: vfio revocations are slices"; else bad "chrome vfio" "see above"; fi
expect "export chrome with dma-buf events" 0 "$DS" export -f chrome "$tmp/d.dsr" -o "$tmp/d.json"
if python3 - "$tmp/d.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
buf = [e for e in ev if e.get("cat") == "dma-buf"]
x = [e for e in buf if e["ph"] == "X"]
i = [e for e in buf if e["ph"] == "i"]
# per buffer: the CPU-access wait and the map as slices on the buffer track
# and on the waiting thread, the other 12 events as instants on the track
assert len(x) == 12 and len(i) == 36, (len(x), len(i))
w = [e for e in x if e["name"] == "dma-buf CPU access wait ino 5002"]
assert len(w) == 1 and w[0]["dur"] == 15.0 and w[0]["tid"] == 3000, w
names = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"
         and e["pid"] == 0x7e000000}
assert names == {5000: "system ino 5000 (4096 bytes)", 5001: "system ino 5001 (8192 bytes)",
                 5002: "system ino 5002 (12288 bytes)"}, names
inv = [e for e in i if e["name"] == "invalidate"]
assert len(inv) == 3 and all(e["args"]["nr_notified"] == 1 for e in inv)
PY
then ok "chrome export has dma-buf tracks, waits and invalidations"; else bad "chrome dma-buf" "see above"; fi

# truncated recording: readable up to the last complete record
size=$(stat -c %s "$tmp/g.dsr")
head -c $((size / 2 + 3)) "$tmp/g.dsr" >"$tmp/half.dsr"
expect "truncated recording still reports" 0 "$DS" report --json --hang-ms 100000 "$tmp/half.dsr"
grep -q 'truncated' "$tmp/err" && ok "truncation warned on stderr" || bad "truncation warning" "$(cat "$tmp/err")"
grep -q '"recording_status":"truncated at byte' "$tmp/out" && ok "truncation in JSON" ||
	bad "truncation JSON" "$(head -c 200 "$tmp/out")"
expect "export of a truncated recording" 0 "$DS" export -f chrome "$tmp/half.dsr" -o "$tmp/half.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/half.json" &&
	ok "export of truncated recording is valid JSON" || bad "truncated export" "invalid JSON"

# bad input: clear error, exit 1, no output file left behind
head -c 4096 /dev/urandom >"$tmp/garbage"
expect "garbage is refused" 1 "$DS" report "$tmp/garbage"
one_line "garbage report"
grep -q 'not a deptscope recording' "$tmp/err" && ok "garbage message" || bad "garbage message" "$(cat "$tmp/err")"
expect "missing file" 1 "$DS" report "$tmp/none.dsr"
one_line "missing file"
expect "export of garbage" 1 "$DS" export -f chrome "$tmp/garbage" -o "$tmp/garbage.json"
[ ! -e "$tmp/garbage.json" ] && ok "no output file on failure" || bad "export garbage" "output left"
cp "$tmp/g.dsr" "$tmp/corrupt.dsr"
printf '\x03\x00' | dd of="$tmp/corrupt.dsr" bs=1 seek=$((168 + 96 * 0 + 160 * 4 + 10)) conv=notrunc 2>/dev/null
expect "corrupt recording is an error" 1 "$DS" report "$tmp/corrupt.dsr"
grep -q 'corrupt record at byte' "$tmp/err" && ok "corruption located" || bad "corrupt message" "$(cat "$tmp/err")"
expect "export of corrupt recording" 1 "$DS" export -f chrome "$tmp/corrupt.dsr" -o "$tmp/c.json"
ls "$tmp" | grep -q '^c.json' && bad "export corrupt" "output or temp file left" || ok "no partial export"
expect "export into a missing directory" 1 "$DS" export -f chrome "$tmp/g.dsr" -o "$tmp/no/dir.json"
one_line "export missing dir"

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
