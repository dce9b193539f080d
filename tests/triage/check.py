# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""deptscope triage on the real corpus: exact parse results, and invariance.

Usage: check.py DEPTSCOPE CORPUS_DIR.  Prints ok/FAIL lines and a summary;
exit status 1 when anything failed.
"""
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expected import EXPECTED, SAME_BUCKET  # noqa: E402

DS, CORPUS = sys.argv[1], sys.argv[2]
passed = failed = 0


def ok(what):
    global passed
    passed += 1
    print("ok   " + what)


def bad(what, detail=""):
    global failed
    failed += 1
    print("FAIL " + what)
    if detail:
        print("     " + str(detail)[:600])


def triage(paths, extra=()):
    p = subprocess.run([DS, "triage", "--no-db", "--json", *extra, *paths],
                       capture_output=True, text=True)
    if p.returncode not in (0, 3):
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip()[:300])
    try:
        return json.loads(p.stdout), None
    except ValueError as e:
        return None, "not JSON (%s): %s" % (e, p.stdout[:200])


def point(p):
    if not p:
        return None
    sub = ":%d" % p["sub"] if p["sub"] is not None else ""
    return "%s(%s%s)" % (p["fn"], p["class"], sub)


def summary(r):
    ctx = []
    for c in r["contexts"]:
        e = [c["id"], point(c["start"]), point(c["wait"]), point(c["event"])]
        if c["timeout"]:
            e.append("timeout")
        if c["irq"]:
            e.append(c["irq"])
        ctx.append(e)
    return dict(kind=r["kind"], verdict=r["verdict"], kernel=r["kernel"],
                complete=r["complete"], lines=[r["source"]["first_line"],
                                               r["source"]["last_line"]],
                contexts=ctx, classes=r["classes"])


def essence(r):
    """What a transformation of the text must not change."""
    s = summary(r)
    s.pop("lines")
    # context letters move with a rotation; the set of points does not
    s["contexts"] = sorted(c[1:] for c in s["contexts"])
    return s, r["signature"], r["bucket"]


files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".txt"))
missing = sorted(set(EXPECTED) - set(files))
if missing:
    bad("corpus has every file the expectations name", missing)

# 1. every report parsed as we read it
buckets = {}
for name in files:
    if name not in EXPECTED:
        bad("%s: an expectation exists" % name, "new corpus file: read it, add it")
        continue
    want = EXPECTED[name]
    d, err = triage([os.path.join(CORPUS, name)])
    if d is None:
        bad("%s: triage runs" % name, err)
        continue
    got = [summary(r) for r in d["reports"]]
    if got == want["reports"]:
        ok("%s: %d report(s) as read" % (name, len(got)))
    else:
        bad("%s: reports as read" % name, json.dumps(got))
    health = [[h["macro"], h["message"], h["line"]] for h in d["health"]]
    if health == want["health"]:
        if health:
            ok("%s: %d health message(s)" % (name, len(health)))
    else:
        bad("%s: health messages" % name, health)
    if d["unparseable"]:
        bad("%s: nothing unparseable" % name, d["unparseable"])
    buckets[name] = [r["bucket"] for r in d["reports"]]

# 2. one bucket per cycle: the same cycle across eras together, the rest apart
for a, b in SAME_BUCKET:
    if buckets.get(a) and buckets.get(a) == buckets.get(b):
        ok("same cycle, two DEPT eras, one bucket: %s %s" % (a[:3], b[:3]))
    else:
        bad("same bucket for %s and %s" % (a, b), [buckets.get(a), buckets.get(b)])
together = {x for pair in SAME_BUCKET for x in pair}
solo = [b for n, bs in buckets.items() if n not in together for b in bs]
if len(solo) == len(set(solo)) and not set(solo) & {b for n in together
                                                      for b in buckets.get(n, [])}:
    ok("different cycles, different buckets (%d)" % len(solo))
else:
    bad("different cycles, different buckets", buckets)


# 3. invariance: what QA's logs do to a report must not change its bucket
TS = re.compile(r"^(\s*)\[\s*\d+\.\d+\](\[\s*[TC]\d+\])?\s?")


def strip_ts(lines):
    return [TS.sub(r"\1", l) for l in lines]


def rotate_letters(lines):
    n = 0
    for l in lines:
        m = re.search(r"context ([A-Z])\b", l)
        if m:
            n = max(n, ord(m.group(1)) - 64)
    if n < 2:
        return None

    def sub(m):
        return "context " + chr(65 + (ord(m.group(1)) - 65 + 1) % n)
    return [re.sub(r"context ([A-Z])(?=\b|'s)", sub, l) for l in lines]


def interleave(lines):
    out = []
    for i, l in enumerate(lines):
        out.append(l)
        if i % 9 == 4:
            out.append("[  999.000001] usb 1-1: new high-speed USB device number 3 using "
                       "xhci_hcd")
    return out


def mail_wrap(lines, width=72):
    """What a mail client does to long lines: break at the last space."""
    out = []
    for line in lines:
        while len(line) > width:
            k = line.rfind(" ", 0, width)
            if k <= 0:
                break
            out.append(line[:k])
            line = line[k + 1:]
        out.append(line)
    return out


TRANSFORMS = [
    ("timestamps stripped", strip_ts),
    ("indented 4 spaces", lambda ls: ["    " + l for l in ls]),
    ("quoted '> '", lambda ls: ["> " + l for l in ls]),
    ("quoted twice '> > '", lambda ls: ["> > " + l for l in ls]),
    ("CRLF", lambda ls: [l + "\r" for l in ls]),
    ("contexts rotated", rotate_letters),
    ("other log lines interleaved", interleave),
    ("mail-wrapped at 72 columns", mail_wrap),
]

with tempfile.TemporaryDirectory() as tmp:
    for name in files:
        want = EXPECTED.get(name)
        if not want or not want["reports"]:
            continue
        base, err = triage([os.path.join(CORPUS, name)])
        if base is None:
            continue
        ref = [essence(r) for r in base["reports"]]
        lines = open(os.path.join(CORPUS, name), encoding="utf-8",
                     errors="replace").read().split("\n")
        for what, fn in TRANSFORMS:
            t = fn(lines)
            if t is None:
                continue
            path = os.path.join(tmp, "t.txt")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write("\n".join(t))
            d, err = triage([path])
            got = [essence(r) for r in d["reports"]] if d else err
            if got == ref:
                ok("%s: %s" % (name[:40], what))
            else:
                bad("%s: %s" % (name, what), got)
        path = os.path.join(tmp, "t.txt.gz")
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write("\n".join(lines))
        d, err = triage([path])
        if d and [essence(r) for r in d["reports"]] == ref:
            ok("%s: gzip-compressed" % name[:40])
        else:
            bad("%s: gzip-compressed" % name, err or d)

    # 4. one log holding everything: the same buckets, counted together
    every = [os.path.join(CORPUS, f) for f in files]
    allin = os.path.join(tmp, "all.log")
    with open(allin, "w") as out:
        for f in every:
            out.write(open(f, encoding="utf-8", errors="replace").read() + "\n")
    d, err = triage([allin])
    nrep = sum(len(EXPECTED[f]["reports"]) for f in files if f in EXPECTED)
    nhealth = sum(len(EXPECTED[f]["health"]) for f in files if f in EXPECTED)
    if d and len(d["reports"]) == nrep and len(d["health"]) == nhealth:
        ok("all files in one log: %d reports, %d health messages" % (nrep, nhealth))
    else:
        bad("all files in one log", err or (len(d["reports"]), len(d["health"])))
    if d:
        counts = {b["bucket"]: b["count"] for b in d["buckets"]}
        want = {}
        for f in files:
            for b in buckets.get(f, []):
                want[b] = want.get(b, 0) + 1
        if counts == want:
            ok("all files in one log: %d buckets with the right counts" % len(counts))
        else:
            bad("bucket counts in one log", [counts, want])

    # 5. cut anywhere: never a crash, always valid output
    crashes = []
    for name in files:
        text = open(os.path.join(CORPUS, name), "rb").read()
        for cut in range(0, len(text), max(1, len(text) // 23)):
            path = os.path.join(tmp, "cut.txt")
            with open(path, "wb") as f:
                f.write(text[:cut])
            d, err = triage([path])
            if d is None:
                crashes.append((name, cut, err))
    if not crashes:
        ok("every file cut at 23 places: valid output each time")
    else:
        bad("cut files", crashes[:3])

# 6. the known-issue workflow: triage, mark, re-triage; exit status; JUnit
import xml.etree.ElementTree as ET  # noqa: E402


def run(args):
    return subprocess.run([DS, *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "sub", "known.db")
    a = os.path.join(CORPUS, "004-ntfs3-ni_lock-PG_locked.txt")
    b = os.path.join(CORPUS, "022-ntfs3-fill_super-ni_lock-pg_locked-arm64.txt")
    c = os.path.join(CORPUS, "013-kunit-try_completion-timeout-AA-arm64.txt")
    if not all(os.path.exists(x) for x in (a, b, c)):
        bad("workflow files present", [a, b, c])
    else:
        p1 = run(["triage", "--db", db, "--json", a, c])
        d1 = json.loads(p1.stdout) if p1.returncode in (0, 3) else {}
        st1 = {x["bucket"]: (x["status"], x["seen_before"]) for x in d1.get("buckets", [])}
        ntfs = buckets.get(os.path.basename(a), ["?"])[0]
        kunit = buckets.get(os.path.basename(c), ["?"])[0]
        if p1.returncode == 3 and st1 == {ntfs: ("new", False), kunit: ("new", False)}:
            ok("first triage: both buckets new, exit 3")
        else:
            bad("first triage", [p1.returncode, st1, p1.stderr[-300:]])
        p2 = run(["triage", "--db", db, "--json", b])
        d2 = json.loads(p2.stdout) if p2.returncode in (0, 3) else {}
        st2 = {x["bucket"]: (x["status"], x["seen_before"]) for x in d2.get("buckets", [])}
        if p2.returncode == 3 and st2 == {ntfs: ("open", True)}:
            ok("the same cycle from another era, untriaged: open, exit 3")
        else:
            bad("re-triage before marking", [p2.returncode, st2])
        pm = run(["triage", "mark", ntfs, "--db", db, "--status", "known",
                  "--note", "real: truncate vs write_begin"])
        pk = run(["triage", "mark", kunit, "--db", db, "--status", "false-positive"])
        if pm.returncode == 0 and pk.returncode == 0:
            ok("mark known and false-positive")
        else:
            bad("mark", [pm.stderr, pk.stderr])
        junit = os.path.join(tmp, "out", "dept.xml")
        os.makedirs(os.path.dirname(junit))
        p3 = run(["triage", "--db", db, "--junit", junit, a, b, c])
        if p3.returncode == 0 and "known" in p3.stdout and "false-positive" in p3.stdout:
            ok("re-triage after marking: known and false-positive, exit 0")
        else:
            bad("re-triage after marking", [p3.returncode, p3.stdout, p3.stderr])
        try:
            root = ET.parse(junit).getroot()
            cases = root.findall(".//testcase")
            fails = root.findall(".//failure")
            if len(cases) == 2 and not fails and root.get("failures") == "0":
                ok("JUnit: 2 test cases, none failing once triaged")
            else:
                bad("JUnit after marking", ET.tostring(root)[:300])
        except (OSError, ET.ParseError) as e:
            bad("JUnit written and well-formed", e)
        p4 = run(["triage", "--db", db, "--junit", junit, os.path.join(CORPUS, files[0])])
        root = ET.parse(junit).getroot() if os.path.exists(junit) else None
        if p4.returncode == 3 and root is not None and len(root.findall(".//failure")) == 1:
            ok("a new bucket fails its JUnit test case and exits 3")
        else:
            bad("new bucket in JUnit", [p4.returncode, p4.stderr])
        pl = run(["triage", "list", "--db", db, "--json"])
        lst = {x["bucket"]: (x["status"], x["count"])
               for x in json.loads(pl.stdout)["buckets"]} if pl.returncode == 0 else {}
        if lst.get(ntfs) == ("known", 4) and lst.get(kunit) == ("false-positive", 2):
            ok("list: statuses and counts over every run")
        else:
            bad("list after the runs", lst)
        # two triage runs on one database at once: both land, nothing lost
        procs = [subprocess.Popen([DS, "triage", "--db", db, "--json", a, b],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
        rcs = [pr.wait() for pr in procs]
        for pr in procs:
            pr.stdout.close()
            pr.stderr.close()
        pl = run(["triage", "list", "--db", db, "--json"])
        lst = {x["bucket"]: x["count"] for x in json.loads(pl.stdout)["buckets"]}
        if rcs == [0, 0, 0, 0] and lst.get(ntfs) == 4 + 4 * 2:
            ok("four concurrent triage runs on one database: all counted")
        else:
            bad("concurrent runs", [rcs, lst])

print("triage: %d passed, %d failed, 0 skipped" % (passed, failed))
sys.exit(1 if failed else 0)
