#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Scripts for the DEPT tracepoint fixture of the VM kernel (kernel/fixtures).

Each DEPT report of the corpus becomes a script that fires, through the
fixture, the events DEPT would fire for that circle: a class event per
class, a new-dependency event per context (context A, the dependency DEPT
just added, last), then the circle with its contexts and stacks.  The
report's own parse by the host's `deptscope triage --json` is the
expectation: the guest's `deptscope dept` must rebuild the same contexts
and the same signature from the events.

    dept_scripts.py DEPTSCOPE CORPUS_DIR OUT_DIR

writes OUT_DIR/NNN.script (for the guest), OUT_DIR/frames (every frame
name, to pick the guest's kallsyms lines) and OUT_DIR/expect.json (kept on
the host).  Prints how many scripts it wrote.
"""
import json
import os
import subprocess
import sys

VERDICT = {"deadlock": 0, "aa-deadlock": 1, "circular-dependency-timeout": 2}
IRQ_FLAG = {"softirq": 2, "hardirq": 4}
POINTS = [("start", 0), ("wait", 1), ("event", 2), ("wait_to_wake", 3)]


def fn(s):
    # the fixture reads "-" as NULL, which the tracepoint prints "(unknown)"
    return s if s and s != "(unknown)" and " " not in s else "-"


def from_point(ctx):
    # triage's choice: the event's class, else the start's (dept_report.c)
    return ctx["event"] if ctx["event"]["class"] else ctx["start"]


def main():
    ds, corpus, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    ids = {}
    expect = []
    frames = set()
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".txt") or not name[:3].isdigit():
            continue
        res = subprocess.run([ds, "triage", "--json", "--no-db", os.path.join(corpus, name)],
                             capture_output=True, text=True)
        if res.returncode not in (0, 3):
            sys.exit(f"dept_scripts: triage {name}: {res.stderr.strip()}")
        for k, rep in enumerate(json.loads(res.stdout)["reports"]):
            ctxs = rep.get("contexts") or []
            if rep["kind"] != "dept" or not ctxs or len(ctxs) > 16:
                continue
            lines = [f"# {name} report {k}: {rep['signature']}"]
            deps = []
            for c in ctxs:
                f, t = from_point(c), c["wait"]
                pair = []
                for pt in (f, t):
                    key = (pt["class"], max(pt["sub"], 0) if pt["sub"] is not None else 0)
                    if key not in ids:
                        ids[key] = len(ids)
                        if ids[key] >= 256:
                            sys.exit("dept_scripts: more than 256 classes")
                        lines.append(f"class {ids[key]} {key[1]} 0 {key[0]}")
                    pair.append(ids[key])
                flags = (1 if c.get("timeout") else 0) | IRQ_FLAG.get(c.get("irq") or "", 0)
                deps.append((pair[0], pair[1], flags, fn(c["start"]["fn"]),
                             fn(c["event"]["fn"]), fn(c["wait"]["fn"])))
            # DEPT adds context A's dependency last: it closes the circle
            for d in deps[1:] + deps[:1]:
                lines.append("dep %d %d %d %s %s %s" % d)
            lines.append(f"circle {len(deps)} {VERDICT.get(rep['verdict'], 0)}")
            stacks = []
            for i, (d, c) in enumerate(zip(deps, ctxs)):
                lines.append("cdep %d %d %d %d %s %s %s" % ((i,) + d))
                st = c.get("stacks") or {}
                for point, num in POINTS:
                    fr = [x for x in st.get(point, []) if x and " " not in x][:16]
                    if fr:
                        lines.append(f"stack {i} {num} " + " ".join(fr))
                        frames.update(fr)
                    stacks.append(fr)
            n = len(expect)
            with open(os.path.join(out, f"{n:03d}.script"), "w") as fh:
                fh.write("\n".join(lines) + "\n")
            expect.append({"script": f"{n:03d}", "file": name, "signature": rep["signature"],
                           "bucket": rep["bucket"], "verdict": rep["verdict"],
                           "contexts": [{"from": ctx_cls(from_point(c)),
                                         "to": ctx_cls(c["wait"]),
                                         "wait_fn": c["wait"]["fn"],
                                         "event_fn": c["event"]["fn"]} for c in ctxs],
                           "deps": [[d[0], d[1]] for d in deps],
                           "stacks": stacks})
    with open(os.path.join(out, "frames"), "w") as fh:
        fh.write("".join(f"{f}\n" for f in sorted(frames)))
    with open(os.path.join(out, "expect.json"), "w") as fh:
        json.dump({"classes": {f"{k[0]}:{k[1]}": v for k, v in ids.items()},
                   "scripts": expect}, fh, indent=1)
    print(len(expect))


def ctx_cls(pt):
    return pt["class"]


if __name__ == "__main__":
    main()
