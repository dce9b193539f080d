#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Judge the outputs the VM guest sent back (tests/vm/guest/run.sh).

Every scenario asserts exact event counts seen by deptscope's own BPF
programs in the guest, plus the facts the scenario program printed (its
pid, the waiter's tid, the delay it used).  Writes results.json and prints
one line per scenario and "vm[KERNEL]: N passed, N failed".
"""
import argparse
import json
import os
import re
import subprocess
import sys


class Scenario:
    def __init__(self, name):
        self.name = name
        self.checks = []
        self.note = ""

    def check(self, what, ok, got=None, want=None):
        self.checks.append({"what": what, "ok": bool(ok), "got": got, "want": want})
        return ok

    def eq(self, what, got, want):
        return self.check(what, got == want, got, want)

    @property
    def passed(self):
        return bool(self.checks) and all(c["ok"] for c in self.checks)


def read(out, name, default=None):
    try:
        with open(os.path.join(out, name), errors="replace") as f:
            return f.read()
    except OSError:
        return default


def json_lines(text):
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except ValueError:
                rows.append({"type": "unparsable", "text": line[:200]})
    return rows


def summary_of(rows):
    s = [r for r in rows if r.get("type") == "fence_summary"]
    return s[-1] if s else None


def facts_of(out, name):
    rows = json_lines(read(out, name + ".facts", ""))
    return rows


def rc_of(out, name):
    t = read(out, name + ".rc")
    return int(t) if t and t.strip().lstrip("-").isdigit() else None


def counts(s):
    return s["counts"] if s else {}


def sw_sync_timelines(s):
    return [t for t in s["timelines"] if t["driver"] == "sw_sync"] if s else []


def sw_sync_enables(out):
    """1 when the guest kernel's sw_sync fences have enable_signaling (kallsyms)."""
    t = (read(out, "sw_sync_enable_signaling") or "").strip()
    return 1 if t.isdigit() and int(t) > 0 else 0


def frames(w):
    return [f["sym"] for f in w.get("stack", [])]


def check_wait(out, sc, stem, delay_ms_key="delay_ms"):
    """A single sw_sync wait released after a known delay."""
    facts = [f for f in facts_of(out, stem) if f.get("scenario") == "wait"]
    rows = json_lines(read(out, stem + "_fence.out", ""))
    s = summary_of(rows)
    if not sc.check("scenario program printed its facts", len(facts) == 1, len(facts), 1):
        return None
    f = facts[0]
    if not sc.check("deptscope printed a summary", s is not None,
                    read(out, stem + "_fence.err", "")[-300:]):
        return None
    c = counts(s)
    sc.eq("completed waits", s["waits"], 1)
    sc.eq("pending waits at exit", s["pending"], 0)
    sc.eq("unmatched wait ends", s["waits_unmatched"], 0)
    sc.eq("ring buffer drops", (s.get("ring") or {}).get("dropped"), 0)
    sc.eq("fence_wait_start events", c.get("fence_wait_start"), 1)
    sc.eq("fence_wait_end events", c.get("fence_wait_end"), 1)
    sc.eq("fence_signaled events", c.get("fence_signaled"), 1)
    sc.eq("fence_init events", c.get("fence_init"), 1)
    sc.eq("fence_emit events", c.get("fence_emit"), 0)
    # the wait enables signalling first: traced where sw_sync has the op
    sc.eq("fence_enable_signal events", c.get("fence_enable_signal"), sw_sync_enables(out))
    tls = sw_sync_timelines(s)
    sc.eq("sw_sync timelines with the wait", [(t["timeline"], t["waits"]) for t in tls],
          [("vmscen", 1)])
    top = s["longest"]
    if not sc.eq("longest waits listed", len(top), 1):
        return s
    w = top[0]
    sc.eq("waiter tid", w["tid"], f["waiter_tid"])
    sc.eq("waiter pid", w["pid"], f["pid"])
    sc.eq("waiter comm", w["comm"], "vmscen")
    sc.eq("fence signalled when the wait ended", w["signaled"], True)
    d = w["duration_ns"]
    lo = (f["delay_ms"] - 100) * 1000000
    sc.check("wait latency within [delay - 100 ms, time the ioctl took]",
             lo <= d <= f["measured_ns"], d, [lo, f["measured_ns"]])
    syms = frames(w)
    sc.check("waiter stack reaches the fence wait",
             any("dma_fence_wait" in x or "dma_resv_wait_timeout" in x for x in syms), syms[:8])
    sc.check("waiter stack reaches the dma-buf ioctl", any("dma_buf" in x for x in syms), syms[:8])
    sc.note = "1 wait of %.1f ms on sw_sync/vmscen" % (d / 1e6)
    return s


def scen_wait(out):
    sc = Scenario("fence wait")
    s = check_wait(out, sc, "wait")
    sc.eq("exit status", rc_of(out, "wait_fence"), 0)
    if s:
        sc.eq("hangs", s["hangs"], 0)
    return sc


def scen_hang(out):
    sc = Scenario("hang detection")
    facts = [f for f in facts_of(out, "hang") if f.get("scenario") == "wait"]
    rows = json_lines(read(out, "hang_fence.out", ""))
    s = summary_of(rows)
    if not sc.check("facts and summary present", len(facts) == 1 and s is not None):
        return sc
    tid = facts[0]["waiter_tid"]
    types = [r["type"] for r in rows]
    sc.eq("JSON lines in order", types, ["fence_hang", "fence_hang_resolved", "fence_summary"])
    hangs = [r for r in rows if r["type"] == "fence_hang"]
    res = [r for r in rows if r["type"] == "fence_hang_resolved"]
    if hangs:
        sc.eq("hang names the waiter", hangs[0]["wait"]["tid"], tid)
        sc.check("hang reported after --hang-ms (400 ms)",
                 hangs[0]["wait"]["waiting_ns"] >= 400000000, hangs[0]["wait"]["waiting_ns"])
        sc.check("hang carries the waiter's stack", len(hangs[0]["wait"]["stack"]) > 0)
    if res:
        sc.eq("resolution names the waiter", res[0]["wait"]["tid"], tid)
        sc.check("resolved wait lasted about the delay (>= 1.9 s)",
                 res[0]["wait"]["duration_ns"] >= 1900000000, res[0]["wait"]["duration_ns"])
    sc.eq("summary hangs", s["hangs"], 1)
    sc.eq("summary waits", s["waits"], 1)
    sc.eq("exit status 3 (a hang was reported)", rc_of(out, "hang_fence"), 3)
    if res:
        sc.note = "hang reported, resolved after %.2f s" % (res[0]["wait"]["duration_ns"] / 1e9)
    return sc


def scen_merge(out):
    sc = Scenario("enable_signal (merged sync_file)")
    facts = [f for f in facts_of(out, "merge") if f.get("scenario") == "merge"]
    s = summary_of(json_lines(read(out, "merge_fence.out", "")))
    if not sc.check("facts and summary present", len(facts) == 1 and s is not None):
        return sc
    sc.eq("merged fence not ready before the signals", facts[0]["ready_before"], 0)
    sc.eq("merged fence ready after the signals", facts[0]["ready_after"], 1)
    c = counts(s)
    sw_en = sw_sync_enables(out)
    # two sw_sync fences and the dma_fence_array that merges them
    sc.eq("fence_init events", c.get("fence_init"), 3)
    sc.eq("fence_signaled events", c.get("fence_signaled"), 3)
    # the array always traces enable_signal; its two sw_sync children only
    # where sw_sync has an enable_signaling op (6.12 has, 7.3 has not)
    sc.eq("fence_enable_signal events", c.get("fence_enable_signal"), 1 + 2 * sw_en)
    sc.eq("waits (poll() is not a traced wait)", s["waits"], 0)
    en = sorted((t["driver"], t["enable_signals"]) for t in s["timelines"] if t["enable_signals"])
    sc.eq("timelines with enable_signal", [list(x) for x in en],
          [list(x) for x in sorted([("dma_fence_array", 1)] + [("sw_sync", 1)] * (2 * sw_en))])
    sc.eq("sw_sync timelines signalled", sorted(t["signals"] for t in sw_sync_timelines(s)),
          [1, 1])
    sc.eq("exit status", rc_of(out, "merge_fence"), 0)
    sc.note = "enable_signal on the dma_fence_array, 3 inits, 3 signals"
    return sc


def kernel_major(out):
    try:
        return int((read(out, "kernel") or "0").split(".")[0])
    except ValueError:
        return 0


# What 7.3's iommufd and its selftest exporter do, step by step:
REVOKE_SEQUENCE = (
    ["export", "fd"] +                  # IOMMU_TEST_OP_DMABUF_GET
    ["get", "attach"] +                 # IOMMU_IOAS_MAP_FILE: looks the fd up, attaches
    ["get", "invalidate", "put"] +      # REVOKE(true): dma_buf_invalidate_mappings()
    ["get", "attach", "detach", "put"] +  # MAP_FILE again: attached, refused, detached
    ["get", "invalidate", "put"] +      # REVOKE(false): invalidates again
    ["detach", "put"] +                 # closing the iommufd drops the IOAS's import
    ["release"])                        # closing the fd: the last reference

PATCHED_DMABUF_EVENTS = ["dma_buf_begin_cpu_access", "dma_buf_end_cpu_access",
                         "dma_buf_invalidate_mappings", "dma_buf_map_attachment",
                         "dma_buf_release", "dma_buf_unmap_attachment"]


def patched_events(out):
    """Which of our kernel patches' dma_buf events the guest's tracefs has."""
    have = set((read(out, "dma_buf_events") or "").split())
    return [e for e in PATCHED_DMABUF_EVENTS if e in have]


def scen_dmabuf(out, kernel_name):
    sc = Scenario("dma_buf lifecycle")
    facts = facts_of(out, "dmabuf")
    hf = [f for f in facts if f.get("scenario") == "dmabuf"]
    wf = [f for f in facts if f.get("scenario") == "wait"]
    rows = json_lines(read(out, "dmabuf_trace.out", ""))
    err = read(out, "dmabuf_trace.err", "")
    if not sc.check("scenario programs printed their facts", len(hf) == 1 and len(wf) == 1,
                    read(out, "dmabuf.facts.err", "")[-300:]):
        return sc
    f = hf[0]
    if kernel_major(out) < 7:
        # the upstream dma_buf tracepoints arrived in 7.0
        sc.eq("exit status without dma_buf tracepoints", rc_of(out, "dmabuf_trace"), 1)
        sc.check("one clear error line", "no dma_buf tracepoints" in err
                 and len(err.strip().splitlines()) == 1, err.strip())
        sc.note = "no dma_buf tracepoints before 7.0: refused with one clear line"
        return sc
    patched = patched_events(out)
    if kernel_name == "7.3":
        # kernel/patches/series is applied to the 7.3 target
        sc.eq("our dma_buf tracepoints in the guest's tracefs", patched, PATCHED_DMABUF_EVENTS)
    sc.eq("exit status", rc_of(out, "dmabuf_trace"), 0)
    s = [r for r in rows if r.get("type") == "dmabuf_summary"]
    if not sc.check("summary present", len(s) == 1, err[-300:]):
        return sc
    s = s[0]
    sc.eq("ring buffer drops", (s.get("ring") or {}).get("dropped"), 0)
    sc.eq("events unavailable", s["unavailable"],
          list(e for e in [
              "dma_buf_invalidate_mappings", "dma_buf_map_attachment",
              "dma_buf_unmap_attachment", "dma_buf_begin_cpu_access",
              "dma_buf_end_cpu_access", "dma_buf_release"] if e not in patched))
    evs = [r["event"] for r in rows if r.get("type") == "dmabuf_event" and r["ino"] == f["ino"]]
    # 7.3 drm_prime.c/drm_gem.c: PRIME_FD_TO_HANDLE gets the buffer, attaches
    # and puts its lookup reference; GEM_CLOSE puts the prime-handle cache's
    # reference (drm_prime_remove_buf_handle) and the object's own
    # (drm_gem_object_exported_dma_buf_free), then drm_prime_gem_destroy
    # detaches and puts the import's reference.  vgem imports without
    # mapping (drm_gem_shmem_prime_import_no_map).  Our release event closes
    # the life at the final close.
    want = ["export", "fd", "mmap_internal", "get", "attach", "put", "put", "put", "detach",
            "put"]
    if "dma_buf_release" in patched:
        want.append("release")
    sc.eq("events of the buffer, in order", evs, want)
    b = [x for x in s["buffers"] if x["ino"] == f["ino"]]
    if not sc.eq("buffers with the scenario's inode", len(b), 1):
        return sc
    b = b[0]
    sc.eq("exporter", b["exp_name"], "system")
    sc.eq("size", b["size"], f["size"])
    sc.eq("exporter pid", b["exporter_pid"], f["pid"])
    sc.eq("importers still attached", b["attached"], 0)
    sc.eq("importing device", b["last_importer"], "vgem")
    sc.eq("released", b["released"], "dma_buf_release" in patched)
    att = [r for r in rows if r.get("type") == "dmabuf_event" and r["event"] == "attach"
           and r["ino"] == f["ino"]]
    if att:
        sc.eq("vgem attach is static (not dynamic)", att[0]["dynamic"], False)
    # the udmabuf of the fence wait: a CPU-access wait as long as the fence
    w = wf[0]
    uev = [r for r in rows if r.get("type") == "dmabuf_event" and r["ino"] == w["buf_ino"]]
    want = ["export", "fd"]
    if "dma_buf_begin_cpu_access" in patched:
        want += ["begin_cpu_access", "end_cpu_access"]
    if "dma_buf_release" in patched:
        want.append("release")
    sc.eq("udmabuf events, in order", [r["event"] for r in uev], want)
    sc.eq("udmabuf exporter", sorted({r["exp_name"] for r in uev}), ["udmabuf"])
    begin = [r for r in uev if r["event"] == "begin_cpu_access"]
    note = ""
    if begin:
        lo, hi = (w["delay_ms"] - 100) * 1000000, w["measured_ns"]
        sc.check("CPU-access wait within [delay - 100 ms, ioctl time]",
                 lo <= begin[0]["wait_ns"] <= hi, begin[0]["wait_ns"], [lo, hi])
        sc.eq("CPU access succeeded", begin[0]["ret"], 0)
        note = ", CPU-access wait %.1f ms" % (begin[0]["wait_ns"] / 1e6)
    sc.note = "heap buffer: %d events in order, vgem attach/detach%s" % (len(evs), note)
    return sc


def scen_revoke(out):
    """Revocation through the iommufd selftest exporter (7.3 config)."""
    sc = Scenario("dma-buf revocation (iommufd selftest exporter)")
    facts = [f for f in facts_of(out, "revoke") if f.get("scenario") == "revoke"]
    rows = json_lines(read(out, "revoke_trace.out", ""))
    if not sc.check("scenario program printed its facts", len(facts) == 1,
                    read(out, "revoke.facts.err", "")[-300:]):
        return sc
    f = facts[0]
    sc.eq("exit status", rc_of(out, "revoke_trace"), 0)
    ev = [r for r in rows if r.get("type") == "dmabuf_event" and r["ino"] == f["ino"]]
    sc.eq("events of the buffer, in order", [r["event"] for r in ev], REVOKE_SEQUENCE)
    inv = [r for r in ev if r["event"] == "invalidate"]
    sc.eq("importers notified by each invalidation", [r["nr_notified"] for r in inv], [1, 1])
    att = [r for r in ev if r["event"] == "attach"]
    sc.eq("iommufd's attachments are dynamic (they can be revoked)",
          [[r["dev_name"], r["dynamic"]] for r in att], [["iommu", True], ["iommu", True]])
    sc.eq("exporter", sorted({r["exp_name"] for r in ev}), ["iommufd"])
    sc.eq("size", sorted({r["size"] for r in ev}), [f["size"]])
    sc.eq("re-import while revoked is refused (ENODEV)", f["remap_while_revoked_errno"], 19)
    s = [r for r in rows if r.get("type") == "dmabuf_summary"]
    if sc.eq("summary present", len(s), 1):
        b = [x for x in s[0]["buffers"] if x["ino"] == f["ino"]]
        if sc.eq("buffer in the summary", len(b), 1):
            sc.eq("nothing attached at the end", b[0]["attached"], 0)
            sc.eq("released", b[0]["released"], True)
    sc.note = "revoke + un-revoke: %d invalidations, 1 importer each" % len(inv)
    return sc


# vmscen vfio, as the kernel runs it (7.3 drivers/vfio/pci, our patch 0007)
VFIO_SEQUENCE = (
    ["export", "vfio_export", "fd"] +   # VFIO_DEVICE_FEATURE_DMA_BUF
    ["get", "attach"] +                 # IOMMU_IOAS_MAP_FILE: looks the fd up, attaches
    # PCI_COMMAND without MEMORY: vfio_pci_dma_buf_move(true) invalidates,
    # waits for fences and for the importers' unmaps
    ["vfio_state_start", "invalidate", "vfio_state_end"] +
    ["get", "put"] +                    # MAP_FILE again: vfio's attach refuses it
    # PCI_COMMAND with MEMORY: move(false) invalidates again, then restores
    ["vfio_state_start", "invalidate", "vfio_state_end"] +
    # closing the device: vfio_pci_dma_buf_cleanup() revokes for good
    ["vfio_state_start", "invalidate", "vfio_state_end"] +
    ["detach", "put"] +                 # closing the iommufd drops the import
    ["release"])                        # closing the fd: the last reference


def scen_vfio(out):
    """vfio-pci revocation on QEMU's edu device (7.3 config)."""
    sc = Scenario("vfio-pci dma-buf revocation (edu, no-IOMMU)")
    facts = [f for f in facts_of(out, "vfio") if f.get("scenario") == "vfio"]
    rows = json_lines(read(out, "vfio_trace.out", ""))
    if not sc.check("scenario program printed its facts", len(facts) == 1,
                    read(out, "vfio.facts.err", "")[-300:]):
        return sc
    f = facts[0]
    sc.eq("exit status", rc_of(out, "vfio_trace"), 0)
    ev = [r for r in rows if r.get("type") == "dmabuf_event" and r["ino"] == f["ino"]]
    sc.eq("events of the buffer, in order", [r["event"] for r in ev], VFIO_SEQUENCE)
    x = [r for r in ev if r["event"] == "vfio_export"]
    if x:
        sc.eq("export: device, BAR, ranges, status",
              [x[0]["dev_name"], x[0]["bar"], x[0]["nr_ranges"], x[0]["range_offset"],
               x[0]["range_len"], x[0]["status"]], [f["bdf"], 0, 1, 0, 4096, "ok"])
    st = [r for r in ev if r["event"] in ("vfio_state_start", "vfio_state_end")]
    sc.eq("status changes: old, new, cause",
          [[r["event"], r["old_status"], r["new_status"], r["cause"]] for r in st],
          [["vfio_state_start", "ok", "temp_revoked", "command"],
           ["vfio_state_end", "ok", "temp_revoked", "command"],
           ["vfio_state_start", "temp_revoked", "ok", "command"],
           ["vfio_state_end", "temp_revoked", "ok", "command"],
           ["vfio_state_start", "ok", "temp_revoked", "close"],
           ["vfio_state_end", "ok", "temp_revoked", "close"]])
    sc.eq("the status changes name the device", sorted({r["dev_name"] for r in st}),
          [f["bdf"]])
    ends = [r for r in st if r["event"] == "vfio_state_end"]
    # no fences on the buffer and no sg mapping (iommufd's private path):
    # both waits return at once, microseconds even under TCG
    sc.check("fence and unmap waits short (< 50 ms)",
             all(r["fence_wait_ns"] < 50000000 and r["unmap_wait_ns"] < 50000000
                 for r in ends), [[r["fence_wait_ns"], r["unmap_wait_ns"]] for r in ends])
    inv = [r for r in ev if r["event"] == "invalidate"]
    sc.eq("importers notified by each invalidation", [r["nr_notified"] for r in inv], [1, 1, 1])
    att = [r for r in ev if r["event"] == "attach"]
    sc.eq("iommufd's attachment is dynamic", [[r["dev_name"], r["dynamic"]] for r in att],
          [["iommu", True]])
    sc.eq("exporter", sorted({r["exp_name"] for r in ev}), ["vfio_pci_core"])
    sc.eq("size", sorted({r["size"] for r in ev}), [f["size"]])
    sc.eq("re-import while revoked is refused (ENODEV)", f["remap_while_revoked_errno"], 19)
    s = [r for r in rows if r.get("type") == "dmabuf_summary"]
    if sc.eq("summary present", len(s), 1):
        s = s[0]
        sc.eq("no anomalies", [s["maps_after_revoke"], s["unmaps_overdue"]], [0, 0])
        imp = [[i["dev_name"], i["attaches"], i["detaches"], i["maps"]] for i in s["importers"]]
        sc.check("importer iommu: 1 attach, 1 detach, no sg map", ["iommu", 1, 1, 0] in imp, imp)
        b = [x for x in s["buffers"] if x["ino"] == f["ino"]]
        if sc.eq("buffer in the summary", len(b), 1):
            v = b[0].get("vfio") or {}
            sc.eq("vfio state at the end", [v.get("dev_name"), v.get("status"),
                                            v.get("revokes")],
                  [f["bdf"], "temp_revoked", 2])
            sc.eq("released", b[0]["released"], True)
        rv = [r for r in s["revocations"] if r["ino"] == f["ino"]]
        sc.eq("revocation timeline", [[r["new_status"], r["cause"], r["done"]] for r in rv],
              [["temp_revoked", "command", True], ["ok", "command", True],
               ["temp_revoked", "close", True]])
        if len(rv) == 3:
            sc.note = "revoke %.3f ms, restore %.3f ms, close %.3f ms" % tuple(
                r["latency_ns"] / 1e6 for r in rv)
    fmt = read(out, "vfio_state_end_format", "")
    sc.check("tracefs format has the two wait fields",
             "fence_wait_ns" in fmt and "unmap_wait_ns" in fmt, fmt[-200:])
    return sc


def scen_cost(out):
    """Per-event BPF cost, dma-buf programs against fence programs (make bench reads it)."""
    sc = Scenario("BPF cost per event (dma-buf vs fence programs)")
    facts = [f for f in facts_of(out, "cost") if f.get("scenario") == "cost"]
    if not sc.check("scenario program printed its facts", len(facts) == 1,
                    read(out, "cost.facts.err", "")[-300:]):
        return sc
    f = facts[0]
    sc.eq("recorder exit status", rc_of(out, "cost_rec"), 0)
    n = f["iterations"]
    # per iteration at least export, fd, begin/end CPU access, release and
    # a fence's init, signaled, destroy
    sc.check("dma-buf programs ran >= 5 per iteration", f["dmabuf"]["runs"] >= 5 * n,
             f["dmabuf"]["runs"], 5 * n)
    sc.check("fence programs ran >= 3 per iteration", f["fence"]["runs"] >= 3 * n,
             f["fence"]["runs"], 3 * n)
    sc.check("run time accounted", f["dmabuf"]["ns"] > 0 and f["fence"]["ns"] > 0)
    # run times in jiffies steps (no TSC on this boot) say nothing per event
    clock = (read(out, "clocksource") or "").strip()
    sc.eq("guest clocksource", clock, "tsc")
    if sc.passed:
        d = f["dmabuf"]["ns"] / f["dmabuf"]["runs"]
        fe = f["fence"]["ns"] / f["fence"]["runs"]
        sc.cost = {"dmabuf_ns_per_event": d, "fence_ns_per_event": fe, "ratio": d / fe,
                   "dmabuf_runs": f["dmabuf"]["runs"], "fence_runs": f["fence"]["runs"]}
        sc.note = "dma-buf %.0f ns/event, fence %.0f ns/event (ratio %.2f)" % (d, fe, d / fe)
    return sc


def strip_volatile(s):
    """Fields that legitimately differ between two replays of one file."""
    s = dict(s)
    for k in ("source", "recording_status"):
        s.pop(k, None)
    for w in s.get("longest", []) + s.get("pending_waits", []):
        w.pop("stack", None)
    return s


def scen_replay(out, host_ds):
    sc = Scenario("record in the guest, replay on the host")
    live = summary_of(json_lines(read(out, "replay_fence.out", "")))
    guest = summary_of(json_lines(read(out, "replay_report.out", "")))
    path = os.path.join(out, "replay.dsr")
    if not sc.check("recording copied out of the guest", os.path.exists(path)):
        return sc
    p = subprocess.run([host_ds, "report", "--json", "--no-stacks", path],
                       capture_output=True, text=True)
    host = summary_of(json_lines(p.stdout))
    sc.eq("host replay exit status", p.returncode, 0)
    sc.eq("record exit status", rc_of(out, "replay_rec"), 0)
    sc.eq("guest replay exit status", rc_of(out, "replay_report"), 0)
    if not sc.check("three summaries present", live and guest and host):
        return sc
    sc.check("recording complete", host["recording_status"].startswith("complete"),
             host["recording_status"])
    sc.eq("host replay equals guest replay", strip_volatile(host), strip_volatile(guest))
    # the live view and the recorder are two BPF instances on the same events
    sc.eq("live counts equal replayed counts", live["counts"], host["counts"])
    sc.eq("live waits equal replayed waits", live["waits"], host["waits"])
    sc.eq("waits recorded", host["waits"], 1)
    # the merge (array + its two children) and the wait's own fence
    sc.eq("enable_signal recorded", host["counts"]["fence_enable_signal"],
          1 + 3 * sw_sync_enables(out))
    ld, hd = live["latency_ns"]["max"], host["latency_ns"]["max"]
    wf = [f for f in facts_of(out, "replay") if f.get("scenario") == "wait"]
    if sc.eq("wait facts present", len(wf), 1):
        lo, hi = (wf[0]["delay_ms"] - 100) * 1000000, wf[0]["measured_ns"]
        sc.check("live wait latency within [delay - 100 ms, ioctl time]", lo <= ld <= hi,
                 ld, [lo, hi])
        sc.check("recorded wait latency within [delay - 100 ms, ioctl time]", lo <= hd <= hi,
                 hd, [lo, hi])
    # Two BPF instances run one after the other on each tracepoint hit, so
    # the second stamps later by the first's run time, which includes a
    # stack walk: milliseconds under TCG emulation.
    sc.check("live and recorded latency of the same wait agree within 20 ms",
             abs(ld - hd) <= 20000000, [ld, hd])
    # trace-cmd's file of the same run: the same fences, waits and timelines
    dat = os.path.join(out, "replay.dat")
    if not sc.check("trace-cmd recorded replay.dat in the guest", os.path.exists(dat),
                    read(out, "replay_tc.err") or "no trace-cmd in the guest image"):
        return sc
    sc.eq("trace-cmd exit status", rc_of(out, "replay_tc"), 0)
    p = subprocess.run([host_ds, "report", "--json", "--no-stacks", dat],
                       capture_output=True, text=True)
    imp = summary_of(json_lines(p.stdout))
    sc.eq("trace.dat report exit status", p.returncode, 0)
    if not sc.check("trace.dat summary present", imp, p.stderr[-300:]):
        return sc
    sc.eq("trace.dat: counts equal the recording's", imp["counts"], host["counts"])
    sc.eq("trace.dat: waits, pending, hangs, unmatched",
          [imp[k] for k in ("waits", "pending", "hangs", "waits_unmatched")],
          [host[k] for k in ("waits", "pending", "hangs", "waits_unmatched")])

    def tl(s):
        return [{k: v for k, v in t.items() if k != "latency_ns"}
                for t in s.get("timelines", [])]
    sc.eq("trace.dat: timelines (driver, name, per-event counts)", tl(imp), tl(host))
    im = imp["latency_ns"]["max"]
    sc.check("trace.dat: wait latency agrees with the recording within 20 ms",
             abs(im - hd) <= 20000000, [im, hd])
    sc.note = "%d events replayed identically; trace.dat agrees" % host["events"]
    return sc


def reach(adj, a, b):
    """Shortest number of edges from a to b (None when b is unreachable)."""
    seen, frontier, n = {a}, [a], 0
    while frontier:
        if b in frontier:
            return n
        nxt = []
        for x in frontier:
            for y in adj.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    nxt.append(y)
        frontier, n = nxt, n + 1
    return None


def scen_dept(out, host_ds, expect_path):
    """The DEPT tracepoints, fired by the fixture from the corpus reports (7.3)."""
    sc = Scenario("DEPT tracepoints via the fixture: corpus circles rebuilt")
    try:
        with open(expect_path) as f:
            exp = json.load(f)
    except OSError:
        return None
    scripts = exp["scripts"]
    facts = (read(out, "dept.facts", "") or "").split("\n")
    sc.eq("every script accepted by the fixture",
          [x.split()[1] for x in facts if x.strip()], ["0"] * len(scripts))
    sc.eq("dept exit status (cycles found)", rc_of(out, "dept_live"), 3)
    sc.eq("record exit status", rc_of(out, "dept_rec"), 0)
    rows = json_lines(read(out, "dept_live.out", ""))
    circles = [r for r in rows if r.get("type") == "dept_cycle" and r["source"] == "tracepoint"]
    graph = [r for r in rows if r.get("type") == "dept_cycle" and r["source"] == "graph"]
    if not sc.eq("one DEPT circle per script", len(circles), len(scripts)):
        return sc
    # the guest's kallsyms decides which of a report's frames the fixture could place
    have = set()
    for line in (read(out, "dept_kallsyms", "") or "").split("\n"):
        parts = line.split()
        if len(parts) >= 3:
            have.add(parts[2])
    adj, edges, want_graph = {}, set(), []
    for e, c in zip(scripts, circles):
        tag = e["file"]
        sc.eq(tag + ": signature as triage gives it", c["signature"], e["signature"])
        sc.eq(tag + ": bucket", c["bucket"], e["bucket"])
        rep = c["report"]
        sc.eq(tag + ": verdict", rep["verdict"], e["verdict"])
        sc.eq(tag + ": contexts (event class, wait class, [W] fn, [E] fn)",
              [[x["event"]["class"], x["wait"]["class"], x["wait"]["fn"], x["event"]["fn"]]
               for x in rep["contexts"]],
              [[x["from"], x["to"], x["wait_fn"], x["event_fn"]] for x in e["contexts"]])
        got_st, want_st = [], []
        for i, x in enumerate(rep["contexts"]):
            for k, point in enumerate(("start", "wait", "event", "wait_to_wake")):
                got_st.append(x["stacks"].get(point, []))
                want_st.append([f for f in e["stacks"][4 * i + k] if f in have])
        sc.eq(tag + ": stacks symbolised (frames this kernel has)", got_st, want_st)
        # the engine, independently: context A's edge closes a cycle if new
        deps = [tuple(d) for d in e["deps"]]
        for a, b in deps[1:] + deps[:1]:
            if (a, b) in edges:
                continue
            edges.add((a, b))
            adj.setdefault(a, set()).add(b)
            back = reach(adj, b, a)
            if back is not None:
                want_graph.append(back + 1)
        agree = all(reach(adj, b, a) is not None for a, b in deps)
        sc.eq(tag + ": engine has the circle on a cycle", c["engine_agrees"], agree)
    sc.eq("cycles the engine found, by length", [len(g["classes"]) for g in graph], want_graph)
    summ = [r for r in rows if r.get("type") == "dept_summary"]
    if sc.eq("summary present", len(summ), 1):
        sc.eq("classes", summ[0]["classes"], len(exp["classes"]))
        sc.eq("edges", summ[0]["edges"], len(edges))
        sc.eq("no record lost or malformed", [summ[0]["unknown_keys"], summ[0]["malformed"]],
              [0, 0])
    sc.check("--dot snapshot written", "digraph" in (read(out, "dept.dot", "") or ""))
    trace = read(out, "dept_trace", "") or ""
    for ev in ("dept_class_new:", "dept_dep_new:", "dept_circle:", "dept_circle_dep:",
               "dept_circle_stack:"):
        sc.check("tracefs shows " + ev, ev in trace)
    sc.check("tracefs formats the circle", " nr=2 verdict=deadlock" in trace,
             [x for x in trace.split("\n") if "dept_circle:" in x][:1])
    # the recording, replayed on the host, rebuilds the same graph and circles
    path = os.path.join(out, "dept.dsr")
    if sc.check("recording copied out of the guest", os.path.exists(path)):
        p = subprocess.run([host_ds, "dept", "-i", path, "--json"], capture_output=True,
                           text=True)
        rr = json_lines(p.stdout)
        sc.eq("host replay exit status", p.returncode, 3)
        sc.eq("replayed circles: same signatures",
              [r["signature"] for r in rr if r.get("type") == "dept_cycle" and
               r["source"] == "tracepoint"], [c["signature"] for c in circles])
        hs = [r for r in rr if r.get("type") == "dept_summary"]
        if summ and sc.eq("replay summary present", len(hs), 1):
            sc.eq("replay: classes and edges",
                  [hs[0]["classes"], hs[0]["edges"]], [summ[0]["classes"], summ[0]["edges"]])
    # the classic-tracepoint programs see the same (DEPTSCOPE_DEPT_CLASSIC=1)
    crow = json_lines(read(out, "dept_classic.out", ""))
    sc.eq("classic tracepoints: exit status", rc_of(out, "dept_classic"), 3)
    sc.eq("classic tracepoints: the same circles, contexts and stacks",
          [[c["signature"], c["report"]["contexts"]] for c in crow
           if c.get("type") == "dept_cycle" and c["source"] == "tracepoint"],
          [[c["signature"], c["report"]["contexts"]] for c in circles])
    cs = [r for r in crow if r.get("type") == "dept_summary"]
    if summ and sc.eq("classic tracepoints: summary present", len(cs), 1):
        sc.eq("classic tracepoints: classes and edges", [cs[0]["classes"], cs[0]["edges"]],
              [summ[0]["classes"], summ[0]["edges"]])
    sc.note = "%d corpus circles, %d engine cycles" % (len(circles), len(graph))
    return sc


# The Tegra VPR fixture (kernel/fixtures, CONFIG_TEST_TEGRA_VPR_TRACE): its
# events must be the driver's, as kernel/patches/tegra-vpr/README.md tables
# them, and its resizes those of the scripts in tests/vm/guest/run.sh.
VPR_README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "kernel",
                          "patches", "tegra-vpr", "README.md")
VPR_COMMON = [("unsigned short", "common_type", 0, 2, 0),
              ("unsigned char", "common_flags", 2, 1, 0),
              ("unsigned char", "common_preempt_count", 3, 1, 0),
              ("int", "common_pid", 4, 4, 1)]
# the layout of the scripts (run.sh): 4 chunks of 32 MiB, two devices
VPR_BASE, VPR_CHUNK = 0x90000000, 0x2000000
VPR_DEVS = ["17000000.gpu", "15480000.nvdec"]
VPR_HEX = {"buf_start", "buf_size", "old_base", "old_size", "new_base", "new_size", "chunks",
           "failed", "start", "size", "base"}
VPR_V3 = ("tegra_vpr_chunk_activate", "tegra_vpr_chunk_deactivate", "tegra_vpr_set")
# record timestamps are printed in microseconds
VPR_TS_SLACK = 2000
# A duration the fixture measured with ktime against the stamps of its
# begin and end records: an interrupt between its ktime_get() and the
# record's write costs milliseconds under TCG (4.2 ms seen), so 10 ms;
# resizes last 40-200 ms, so a record of the wrong resize still fails.
VPR_STAMP_SLACK_NS = 10000000


def vpr_readme_events(path):
    """{event: (fields as (type, name, offset, size, signed), print fmt, record size)}
    from Table 1 (fields in order, print formats) and Table 2 (layouts) of the README."""
    with open(path) as f:
        text = f.read()
    rows, layout, table = {}, {}, None
    for line in text.splitlines():
        if line.startswith("#"):
            table = line[len("### Table "):][:1] if line.startswith("### Table ") else None
            continue
        m = re.match(r"^\| (\d+) \| `(tegra_vpr_\w+)`[^|]*\| (.*)$", line)
        if table == "1" and m:
            rows[m.group(1)] = (m.group(2), [c.strip() for c in
                                             m.group(3).rstrip(" |").split(" | ")])
        m = re.match(r"^\| ((?:`tegra_vpr_\w+`(?:, )?)+) \| (.*) \| (\d+) \|$", line)
        if table == "2" and m:
            fields = [(t, n, int(o), int(s), int(g)) for t, n, o, s, g in
                      re.findall(r"`([^`:]+) (\w+): (\d+)/(\d+)/(\d+)`", m.group(2))]
            for ev in re.findall(r"`(tegra_vpr_\w+)`", m.group(1)):
                layout[ev] = (fields, int(m.group(3)))
    events = {}
    for ev, cells in rows.values():
        # "as 6": the cell of row 6
        cells = [rows[c[3:]][1][i] if re.match(r"^as \d+$", c) else c
                 for i, c in enumerate(cells)]
        names = [re.match(r"^__string\((\w+),", x).group(1) if x.startswith("__string(")
                 else x.split()[-1] for x in re.findall(r"`([^`]+)`", cells[1])]
        fields, size = layout[ev]
        if names != [x[1] for x in fields]:
            raise ValueError("%s: Table 1 has fields %s, Table 2 %s" %
                             (ev, names, [x[1] for x in fields]))
        events[ev] = (VPR_COMMON + fields, cells[2].strip("`").replace("__entry->", "REC->"),
                      size)
    return events


def vpr_format(text):
    """(name, fields, print fmt) of a tracefs format file."""
    name, fields, fmt = None, [], None
    for line in (text or "").splitlines():
        if line.startswith("name: "):
            name = line[6:]
        elif line.startswith("print fmt: "):
            fmt = line[11:]
        else:
            m = re.match(r"^\tfield:(.+) (\w+);\toffset:(\d+);\tsize:(\d+);\tsigned:(\d+);$",
                         line)
            if m:
                fields.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4)),
                               int(m.group(5))))
    return name, fields, fmt


def vpr_trace(text):
    """Records of the trace file: (task, pid, ts_ns, event, fields)."""
    recs = []
    for line in (text or "").splitlines():
        m = re.match(r"^\s*(.+)-(\d+)\s+\[\d+\]\s+(?:\S+\s+)?(\d+)\.(\d{6}): (\w+): (.*)$", line)
        if not m:
            continue
        ev, msg, f = m.group(5), m.group(6), {}
        if ev == "tracing_mark_write":
            f["text"] = msg.strip()
        elif ev in VPR_V3:
            a, _, b = msg.partition("-")
            f["start"], f["limit"] = int(a, 16), int(b, 16)
        elif ev.startswith("tegra_vpr_"):
            for tok in msg.split():
                k, eq, v = tok.partition("=")
                if not eq:
                    f["grow"] = (k == "grow")
                elif k in VPR_HEX:
                    f[k] = int(v, 16)
                elif k in ("heap", "dev"):
                    f[k] = v
                else:
                    f[k] = int(v)
        else:
            continue
        ts = int(m.group(3)) * 1000000000 + int(m.group(4)) * 1000
        recs.append((m.group(1).strip(), int(m.group(2)), ts, ev, f))
    return recs


def vpr_times(text):
    """The 'time STEP USEC [INDEX]' lines of a script, in order."""
    times = []
    for line in (text or "").splitlines():
        w = line.split("#")[0].split()
        if len(w) >= 3 and w[0] == "time":
            times.append((w[1], int(w[2]), int(w[3]) if len(w) > 3 else None))
    return times


def vpr_delay_ns(times, step, index):
    """A step's scripted time, as the fixture applies the lines (the last wins)."""
    usec = 0
    for s, u, i in times:
        if s == step and (i is None or i == index):
            usec = u
    return usec * 1000


def vpr_expected():
    """The resizes of run.sh's scripts, in the driver's order (cover letter, README)."""
    def chunk(i):
        return VPR_BASE + i * VPR_CHUNK

    def op(seq, ev, i, err=0):
        return ("tegra_vpr_" + ev, {"seq": seq, "chunk": i, "start": chunk(i),
                                    "size": VPR_CHUNK, "err": err})

    def activate(seq, i, cma_err=0):
        ev = [("tegra_vpr_chunk_activate", {"start": chunk(i), "limit": chunk(i + 1)}),
              op(seq, "cma_alloc", i, cma_err)]
        return ev if cma_err else ev + [op(seq, "map_device", i)]

    def deactivate(seq, i):
        return [("tegra_vpr_chunk_deactivate", {"start": chunk(i), "limit": chunk(i + 1)}),
                op(seq, "map_normal", i), op(seq, "cma_release", i)]

    def program(seq, base, size):
        return ([("tegra_vpr_freeze", {"seq": seq, "err": 0})] +
                [("tegra_vpr_dev_freeze", {"seq": seq, "dev": d, "err": 0}) for d in VPR_DEVS] +
                [("tegra_vpr_set", {"start": base, "limit": base + size}),
                 ("tegra_vpr_smc", {"seq": seq, "base": base, "size": size, "ret": 0})] +
                [("tegra_vpr_dev_thaw", {"seq": seq, "dev": d, "err": 0})
                 for d in reversed(VPR_DEVS)] +
                [("tegra_vpr_thaw", {"seq": seq})])

    def begin(seq, grow, buf, old):
        return [("tegra_vpr_resize_begin", {"seq": seq, "grow": grow, "heap": "vpr",
                                            "buf_start": buf[0], "buf_size": buf[1],
                                            "old_base": old[0], "old_size": old[1]})]

    def end(seq, grow, old, new, chunks, err=0):
        return [("tegra_vpr_resize_end", {"seq": seq, "grow": grow, "old_base": old[0],
                                          "old_size": old[1], "new_base": new[0],
                                          "new_size": new[1], "chunks": chunks, "err": err})]

    empty, c0, c02, c03 = (0, 0), (chunk(0), VPR_CHUNK), (chunk(0), 3 * VPR_CHUNK), \
        (chunk(0), 4 * VPR_CHUNK)
    return [
        # (seq, script, what, events)
        (1, "grow", "grow of 3 chunks",
         begin(1, True, (0x91000000, 0x5000000), empty) + activate(1, 0) + activate(1, 1) +
         activate(1, 2) + program(1, *c02) + end(1, True, empty, c02, 0x7)),
        (2, "shrink", "shrink by 2 chunks",
         begin(2, False, (0x91000000, 0x5000000), c02) + deactivate(2, 2) + deactivate(2, 1) +
         program(2, *c0) + end(2, False, c02, c0, 0x6)),
        (3, "failgrow", "failed grow, rolled back",
         begin(3, True, (0x92000000, 0x6000000), c0) + activate(3, 1) + activate(3, 2) +
         activate(3, 3, -12) + deactivate(3, 1) + deactivate(3, 2) +
         [("tegra_vpr_rollback", {"seq": 3, "grow": True, "chunks": 0x6, "failed": 0})] +
         end(3, True, c0, c0, 0xe, -12)),
        (4, "lockhold", "grow holding the lock",
         begin(4, True, (0x92000000, 0x3000000), c0) + activate(4, 1) + activate(4, 2) +
         program(4, *c02) + end(4, True, c0, c02, 0x6)),
        (5, "lockwait", "grow that waited for the lock",
         begin(5, True, (0x96000000, 0x1000000), c02) + activate(5, 3) + program(5, *c03) +
         end(5, True, c02, c03, 0x8)),
    ]


def vpr_step(ev, f):
    """(script step, index) of a step event; None for the others."""
    step = ev[len("tegra_vpr_"):]
    if step in ("cma_alloc", "map_device", "map_normal", "cma_release"):
        return step, f.get("chunk")
    if step in ("dev_freeze", "dev_thaw"):
        return step, VPR_DEVS.index(f["dev"]) if f.get("dev") in VPR_DEVS else None
    if step in ("freeze", "smc", "thaw"):
        return step, 0
    return None


def vpr_within(sc, what, got, lo_ns):
    """A measured duration against the scripted time: >= it, < it + 50 % + 50 ms."""
    hi = lo_ns * 3 // 2 + 50000000
    return sc.check(what + " within [scripted, scripted + 50 % + 50 ms]",
                    got is not None and lo_ns <= got < hi, got, [lo_ns, hi])


VPR_PHASES = {"cma": ("cma_alloc", "cma_release"), "linear_map": ("map_device", "map_normal"),
              "freeze": ("freeze",), "dev_freeze": ("dev_freeze",), "smc": ("smc",),
              "dev_thaw": ("dev_thaw",), "thaw": ("thaw",), "rollback": ("rollback",)}


def vpr_row_want(got, slow_ns):
    """The row deptscope vpr must print for one resize's tracefs records."""
    ev = {}
    for r in got:
        ev.setdefault(r[3][len("tegra_vpr_"):], []).append(r[4])
    b, e = ev["resize_begin"][0], ev["resize_end"][0]
    step_err = next((f["err"] for r in got for f in [r[4]]
                     if vpr_step(r[3], f) and f.get("err")), 0)
    failed = bool(e["err"] or step_err or "rollback" in ev)
    return {
        "type": "vpr_resize", "seq": e["seq"], "kind": "grow" if e["grow"] else "shrink",
        "inferred": False, "complete": True, "tid": got[0][1], "heap": b["heap"],
        "buf_start": b["buf_start"], "buf_size": b["buf_size"],
        "old_base": e["old_base"], "old_size": e["old_size"],
        "new_base": e["new_base"], "new_size": e["new_size"], "chunks": e["chunks"],
        "chunk_steps": len(ev.get("cma_alloc", [])) + len(ev.get("map_normal", [])),
        "duration_ns": e["duration_ns"], "err": e["err"], "step_err": step_err,
        "rolled_back": "rollback" in ev,
        "failed_chunks": sum(f["failed"] for f in ev.get("rollback", [])),
        "phases_ns": {k: sum(f["duration_ns"] for s in v for f in ev.get(s, []))
                      for k, v in VPR_PHASES.items()},
        "frozen_ns": sum(f["frozen_ns"] for f in ev.get("thaw", [])),
        "devices": len(ev.get("dev_freeze", [])),
        "smc_ret": ev["smc"][0]["ret"] if "smc" in ev else 0,
        "failed": failed, "slow": e["duration_ns"] > slow_ns,
    }


def no_ts(rows):
    """Rows without their record times (BPF and ftrace stamp the same event apart)."""
    res = []
    for r in rows:
        r = dict(r)
        r.pop("ts_ns", None)
        if "sizes" in r:
            r["sizes"] = [{k: v for k, v in x.items() if k != "ts_ns"} for x in r["sizes"]]
        res.append(r)
    return res


def run_ds(host_ds, *args):
    p = subprocess.run([host_ds] + list(args), capture_output=True, text=True, timeout=120)
    return p.returncode, json_lines(p.stdout), p.stderr


def vpr_deptscope(sc, out, host_ds, by_seq, exp):
    """deptscope vpr live, its recording replayed, and trace-cmd's files imported."""
    live = json_lines(read(out, "vpr_live.out") or "")
    rows = [r for r in live if r.get("type") == "vpr_resize"]
    summ = [r for r in live if r.get("type") == "vpr_summary"]
    sc.eq("live: exit status 3 (a failed and a slow resize are alerts)",
          rc_of(out, "vpr_live"), 3)
    sc.eq("live: one row per resize, in order", [r.get("seq") for r in rows],
          [e[0] for e in exp])
    slow_ns = 100000000
    for r in rows:
        got = by_seq.get(r.get("seq"))
        if not got or got[-1][3] != "tegra_vpr_resize_end":
            continue
        want = vpr_row_want(got, slow_ns)
        sc.eq("live: seq %d row equals its tracefs records" % r["seq"],
              {k: r.get(k) for k in want}, want)
        sc.check("live: seq %d begins with its resize_begin record (5 ms)" % r["seq"],
                 abs(r.get("ts_ns", 0) - got[0][2]) <= 5000000, r.get("ts_ns"), got[0][2])
    # the scripted times, through the row: the phases of the grow of seq 1
    times = vpr_times(read(out, "vpr_grow.script"))
    r1 = next((r for r in rows if r.get("seq") == 1), None)
    if r1:
        for ph, steps in VPR_PHASES.items():
            lo = sum(vpr_delay_ns(times, st, i) for st in steps for i in
                     (range(4) if st.startswith(("cma", "map")) else
                      range(2) if st.startswith("dev_") else [0])
                     if (st, i) in {vpr_step(x[3], x[4]) for x in by_seq.get(1, [])})
            vpr_within(sc, "live: seq 1 phase " + ph, r1["phases_ns"].get(ph), lo)
    failed = [r["seq"] for r in rows if r.get("failed")]
    sc.eq("live: the failed resize is flagged, rolled back", failed, [3])
    sc.check("live: seq 3 rolled back, step error -ENOMEM",
             any(r.get("seq") == 3 and r.get("rolled_back") and r.get("step_err") == -12
                 and r.get("err") == -12 for r in rows), [r for r in rows if r.get("seq") == 3])
    if sc.eq("live: one summary", len(summ), 1):
        s = summ[0]
        sc.eq("live: summary counts", [s.get(k) for k in ("resizes", "grows", "shrinks",
                                                          "failed", "incomplete", "inferred")],
              [5, 4, 1, 1, 0, 0])
        ends = [x for seq in sorted(by_seq) for x in by_seq[seq]
                if x[3] == "tegra_vpr_resize_end" and not x[4]["err"]]
        sc.eq("live: VPR size over time (the successful resize_ends)",
              [(z["base"], z["size"]) for z in s.get("sizes", [])],
              [(x[4]["new_base"], x[4]["new_size"]) for x in ends])
        sc.eq("live: slow count", s.get("slow"),
              sum(1 for r in rows if r.get("duration_ns", 0) > slow_ns))

    # the guest's recording, replayed on the host: the same output, byte for byte
    rc, rep, err = run_ds(host_ds, "vpr", "-i", os.path.join(out, "vpr.dsr"), "--json")
    recrows = rep
    sc.eq("replay of the guest recording: exit status", rc, 3)
    # two BPF instances stamp one event apart (the second waits for the first)
    sc.eq("replay of the guest recording equals live (record times aside)",
          no_ts(rep), no_ts(live))

    dat = os.path.join(out, "vpr.dat")
    if not os.path.exists(dat):
        sc.check("trace-cmd recorded vpr.dat in the guest", False,
                 read(out, "vpr_tc.err") or "no trace-cmd in the guest image")
        return
    sc.eq("trace-cmd exit status", [rc_of(out, "vpr_tc"), rc_of(out, "vpr_tc3")], [0, 0])
    rc, imp, err = run_ds(host_ds, "vpr", "--input", dat, "--json")
    sc.eq("trace.dat: exit status", rc, 3)
    sc.eq("trace.dat: every row and the summary equal live (record times aside)",
          no_ts(imp), no_ts(live))
    irows = [r for r in imp if r.get("type") == "vpr_resize"]
    sc.check("trace.dat: record times within 5 ms of live",
             len(irows) == len(rows) and all(abs(a["ts_ns"] - b["ts_ns"]) <= 5000000
                                             for a, b in zip(irows, rows)),
             [a.get("ts_ns", 0) - b.get("ts_ns", 0) for a, b in zip(irows, rows)])
    dsr = os.path.join(out, "vpr_imported.dsr")
    rc, st, err = run_ds(host_ds, "import", "--json", dat, "-o", dsr)
    sc.eq("import: exit status", rc, 0)
    sc.check("import: every tegra_vpr record imported, none skipped or malformed",
             st and st[0].get("imported") == st[0].get("trace_records") > 0 and
             st[0].get("skipped") == 0 and st[0].get("malformed") == 0
             and st[0].get("lost") == 0 and st[0].get("sources") == ["vpr"], st)
    rc, rep, err = run_ds(host_ds, "vpr", "-i", dsr, "--json")
    sc.eq("import: the recording gives what the trace.dat gives", rep, imp)

    # the Perfetto timeline, from the recording and from the trace.dat
    for src, name in ((os.path.join(out, "vpr.dsr"), "recording"), (dat, "trace.dat")):
        js = os.path.join(out, "vpr_%s.json" % name.replace(".", "_"))
        p = subprocess.run([host_ds, "export", "-f", "chrome", src, "-o", js],
                           capture_output=True, text=True, timeout=120)
        if not sc.eq("export of the %s: exit status" % name, p.returncode, 0):
            continue
        with open(js) as f:
            doc = json.load(f)
        evs = doc["traceEvents"] if isinstance(doc, dict) else doc
        xs = [e for e in evs if e.get("cat") == "vpr" and e.get("ph") == "X"]
        res = [e for e in xs if e.get("tid") == xs[0].get("tid") and "seq" in e.get("args", {})
               and "kind" in e["args"]] if xs else []
        by = {e["args"]["seq"]: e for e in res}
        sc.eq("export of the %s: one resize slice per seq" % name, sorted(by),
              [e[0] for e in exp])
        for r in rows:
            sl = by.get(r["seq"])
            if not sl:
                continue
            # From the begin record to the end record.  The trace.dat's
            # records are stamped by the ftrace probe, registered first
            # (run.sh), so its slice is the kernel's own duration_ns give or
            # take the stamping.  The BPF records are stamped after the
            # other probes ran, and the first firing of each program is
            # slow under TCG (milliseconds): that slice must start at or
            # before its begin record and hold its steps.
            if name == "trace.dat":
                sc.check("export of the %s: seq %d slice lasts its duration (10 ms)"
                         % (name, r["seq"]),
                         abs(sl["dur"] * 1000 - r["duration_ns"]) <= VPR_STAMP_SLACK_NS,
                         sl["dur"], r["duration_ns"] / 1000)
            else:
                own = next((x for x in recrows if x.get("type") == "vpr_resize"
                            and x.get("seq") == r["seq"]), {})
                sc.check("export of the %s: seq %d slice starts at or before its begin "
                         "record (1 us)" % (name, r["seq"]),
                         own and sl["ts"] <= own["ts_ns"] / 1000 + 0.001,
                         sl["ts"], own.get("ts_ns", 0) / 1000)
            inner = [e for e in xs if e is not sl and e.get("tid") == sl.get("tid")
                     and sl["ts"] <= e["ts"] and e["ts"] + e["dur"] <= sl["ts"] + sl["dur"]
                     + 0.001]
            sc.check("export of the %s: seq %d has its steps inside it" % (name, r["seq"]),
                     len(inner) >= r["chunk_steps"] + (5 if r["frozen_ns"] else 0),
                     len(inner), r["chunk_steps"])
        fr = [e for e in xs if e.get("name") == "user space frozen"]
        want = sorted(r["frozen_ns"] for r in rows if r["frozen_ns"])
        sc.eq("export of the %s: the freeze windows, frozen_ns each (1 us)" % name,
              sorted(round(e["dur"]) for e in fr), [round(w / 1000) for w in want])

    # v3's three events alone, from the trace-cmd instance: inferred rows
    rc, v3, err = run_ds(host_ds, "vpr", "--input", os.path.join(out, "vpr3.dat"), "--json")
    v3rows = [r for r in v3 if r.get("type") == "vpr_resize"]
    mib = 1 << 20
    sc.eq("v3 only: rows (kind, old -> new MiB, chunk changes, rolled back, inferred)",
          [(r["kind"], r["old_size"] // mib, r["new_size"] // mib, r["chunk_steps"],
            r["rolled_back"], r["inferred"], r["complete"]) for r in v3rows],
          [("grow", 0, 96, 3, False, True, True), ("shrink", 96, 32, 2, False, True, True),
           ("grow", 32, 32, 5, True, True, True), ("grow", 32, 96, 2, False, True, True),
           ("grow", 96, 128, 1, False, True, True)])
    sc.eq("v3 only: tasks as in tracefs", [r["tid"] for r in v3rows],
          [by_seq[e[0]][0][1] for e in exp if e[0] in by_seq])
    # The reference is vpr3.dat's own stamps, read by trace-cmd on the host.
    # The main instance stamps the same events apart from it: by up to 10 ms
    # under TCG (an interrupt between the two buffer writes).  Its order of
    # v3 events tells which resize each of vpr3.dat's belongs to.
    order = [(seq, x[3]) for seq in sorted(by_seq) for x in by_seq[seq] if x[3] in VPR_V3]
    p = subprocess.run(["trace-cmd", "report", "-t", "-i", os.path.join(out, "vpr3.dat")],
                       capture_output=True, text=True)
    stamps = [(int(m.group(1)) * 1000000000 + int(m.group(2).ljust(9, "0")), m.group(3))
              for m in re.finditer(r"\s(\d+)\.(\d+):\s+(tegra_vpr_\w+):", p.stdout)]
    if sc.eq("v3 only: trace-cmd reads vpr3.dat: the v3 events of the main instance, in order",
             [n for _, n in stamps], [n for _, n in order]):
        own = {}
        for (seq, _), (ts, _) in zip(order, stamps):
            own.setdefault(seq, []).append(ts)
        for r, e in zip(v3rows, exp):
            ts = own.get(e[0])
            if r["rolled_back"] or not ts:
                continue
            sc.eq("v3 only: resize %d runs from its first chunk change to tegra_vpr_set, "
                  "as vpr3.dat stamps them" % e[0], r["duration_ns"], ts[-1] - ts[0])
    sc.eq("v3 only: exit status 3 (the rolled-back grow, the slow one)", rc, 3)

    # damaged files: a clear one-line error, never a crash
    with open(dat, "rb") as f:
        data = f.read()
    bad = []
    for cut in (16, 4096, len(data) // 2, len(data) - 1024, len(data) - 1):
        path = os.path.join(out, "vpr_cut.dat")
        with open(path, "wb") as f:
            f.write(data[:cut])
        rc, rows2, err = run_ds(host_ds, "vpr", "--input", path, "--json")
        lines = err.strip().splitlines()
        # a cut that loses no record may read whole; else an error, never a crash
        whole = rc == 3 and rows2 == imp
        if not whole and (rc != 1 or not lines or "vpr_cut.dat" not in lines[-1]):
            bad.append([cut, rc, err[-200:]])
    sc.eq("truncated trace.dat: all records or a clear error naming the file (5 cuts)",
          bad, [])


def scen_vpr(out, host_ds):
    """The Tegra VPR tracepoints, fired by the fixture's resizes (7.3)."""
    scen = (read(out, "scenarios") or "").split()
    ready = "Tegra VPR tracepoints from scripts" in (read(out, "dmesg") or "")
    if "vpr" not in scen and not ready:
        return None
    sc = Scenario("Tegra VPR tracepoints via the fixture: resizes replayed")
    if not sc.check("the fixture's scenario ran", "vpr" in scen, scen):
        return sc
    names = ["setup"] + [x[1] for x in vpr_expected()]
    facts = sorted(x.split() for x in (read(out, "vpr.facts") or "").splitlines() if x.strip())
    sc.eq("every script accepted by the fixture", facts, sorted([n, "0"] for n in names))
    sc.eq("records stamped with the clock of the durations (mono)",
          "[mono]" in (read(out, "vpr_trace_clock") or ""), True)

    # the format files: the README's tables, exactly
    try:
        want = vpr_readme_events(VPR_README)
    except (OSError, KeyError, IndexError, ValueError) as e:
        sc.check("README's event tables readable", False, str(e))
        return sc
    sc.eq("events in the README's tables", len(want), 15)
    have = sorted(f[len("vpr_format_"):] for f in os.listdir(out) if f.startswith("vpr_format_"))
    sc.eq("tracefs has exactly the README's events", have, sorted(want))
    for ev in sorted(want):
        fields, fmt, size = want[ev]
        name, gf, gfmt = vpr_format(read(out, "vpr_format_" + ev))
        sc.eq(ev + ": format name", name, ev)
        sc.eq(ev + ": fields (type, name, offset, size, signed)", [list(x) for x in gf],
              [list(x) for x in fields])
        sc.eq(ev + ": print fmt", gfmt, fmt)
        end = max([o + s for _, _, o, s, _ in gf] or [0])
        sc.eq(ev + ": record size", (end + 7) // 8 * 8, size)

    # the records, grouped by resize: seq, or the resize begun last in the task
    text = read(out, "vpr_trace") or ""
    sc.check("no records lost", "LOST" not in text)
    recs = vpr_trace(text)
    marks = [r for r in recs if r[3] == "tracing_mark_write"]
    cur, by_seq, stray = {}, {}, []
    for r in recs:
        task, pid, ts, ev, f = r
        if not ev.startswith("tegra_vpr_"):
            continue
        if ev == "tegra_vpr_resize_begin":
            cur[pid] = f.get("seq")
        seq = f.get("seq", cur.get(pid))
        if seq is None or ("seq" in f and f["seq"] != cur.get(pid)):
            stray.append([ev, pid, f])
            continue
        by_seq.setdefault(seq, []).append(r)
    sc.eq("records outside a resize of their task", stray, [])
    exp = vpr_expected()
    sc.eq("resizes, by seq", sorted(by_seq), [e[0] for e in exp])
    notes = []
    for seq, script, what, events in exp:
        tag = "seq %d (%s)" % (seq, what)
        got = by_seq.get(seq, [])
        times = vpr_times(read(out, "vpr_%s.script" % script))
        sc.check(tag + ": script has its step times", times, script)
        if not sc.eq(tag + ": events in order", [r[3] for r in got], [e[0] for e in events]):
            continue
        sc.eq(tag + ": fields", [{k: r[4].get(k) for k in e[1]} for r, e in zip(got, events)],
              [e[1] for e in events])
        sc.eq(tag + ": one task", len({r[1] for r in got}), 1)
        # each step: its scripted time, begun after the record before it
        steps, delays, prev, fail_at, rb_from = 0, 0, got[0], None, None
        for r in got[1:]:
            task, pid, ts, ev, f = r
            st = vpr_step(ev, f)
            if st:
                d, lo = f["duration_ns"], vpr_delay_ns(times, *st)
                step = "%s: %s" % (tag, ev) + (" chunk %d" % f["chunk"] if "chunk" in f else
                                               " " + f["dev"] if "dev" in f else "")
                vpr_within(sc, step, d, lo)
                sc.check(step + " began after the record before it, within 20 ms",
                         -VPR_TS_SLACK <= ts - d - prev[2] <= 20000000, ts - d - prev[2],
                         [-VPR_TS_SLACK, 20000000])
                steps, delays = steps + d, delays + lo
                if fail_at is not None and rb_from is None:
                    rb_from = (0, 0)
                if rb_from is not None:
                    rb_from = (rb_from[0] + d, rb_from[1] + lo)
                if f.get("err"):
                    fail_at = r
            if ev == "tegra_vpr_thaw":
                fr = [x for x in got if x[3] == "tegra_vpr_freeze"][0]
                i0, i1 = got.index(fr), got.index(r)
                inner = sum(x[4].get("duration_ns", 0) for x in got[i0:i1])
                sc.check(tag + ": frozen_ns covers freeze to thaw",
                         f["frozen_ns"] >= inner + f["duration_ns"], f["frozen_ns"],
                         inner + f["duration_ns"])
                sc.check(tag + ": frozen_ns starts where the freeze started (10 ms)",
                         abs((ts - f["frozen_ns"]) - (fr[2] - fr[4]["duration_ns"]))
                         <= VPR_STAMP_SLACK_NS,
                         [ts - f["frozen_ns"], fr[2] - fr[4]["duration_ns"]])
            if ev == "tegra_vpr_rollback":
                vpr_within(sc, tag + ": rollback duration (its chunk steps)", f["duration_ns"],
                           rb_from[1] if rb_from else 0)
                sc.check(tag + ": rollback covers its chunk steps",
                         rb_from is not None and f["duration_ns"] >= rb_from[0],
                         f["duration_ns"], rb_from)
                sc.check(tag + ": rollback began after the failed step",
                         fail_at is not None and ts - f["duration_ns"] >= fail_at[2] - VPR_TS_SLACK,
                         ts - f["duration_ns"], fail_at and fail_at[2])
            if ev == "tegra_vpr_resize_end":
                vpr_within(sc, tag + ": resize_end duration (all its steps)", f["duration_ns"],
                           delays)
                sc.check(tag + ": resize_end covers its steps", f["duration_ns"] >= steps,
                         f["duration_ns"], steps)
                sc.check(tag + ": resize_end minus its duration is the begin record (10 ms)",
                         abs(ts - f["duration_ns"] - got[0][2]) <= VPR_STAMP_SLACK_NS,
                         ts - f["duration_ns"] - got[0][2])
                notes.append("%d: %.1f ms" % (seq, f["duration_ns"] / 1e6))
            prev = r
    # the lock: seq 5's writer waited for seq 4's resize to end
    s4, s5 = by_seq.get(4, []), by_seq.get(5, [])
    if s4 and s5:
        e4, b5 = s4[-1], s5[0]
        sc.check("the waiter is another task", s4[0][1] != b5[1], [s4[0][1], b5[1]])
        sc.check("seq 5 begins after seq 4 ends", b5[2] > e4[2], [b5[2], e4[2]])
        bl = [m for m in marks if m[4]["text"].startswith("vpr_fixture: waiter")]
        if sc.eq("one marker: the waiter seen blocked",
                 [m[4]["text"] for m in bl], ["vpr_fixture: waiter blocked during resize 4"]):
            m = bl[0]
            sc.check("waiter blocked during seq 4 (marker between its begin and end)",
                     s4[0][2] <= m[2] < e4[2], [s4[0][2], m[2], e4[2]])
            notes.append("waiter blocked >= %.1f ms" % ((b5[2] - m[2]) / 1e6))
    vpr_deptscope(sc, out, host_ds, by_seq, exp)
    sc.note = "%d resizes (%s), %d format files as the README; live, replay, trace.dat" % (
        len(by_seq), ", ".join(notes), len(have))
    return sc


# deptscope top --batch, live beside the scenarios (run.sh): each frame
# starts with "=== deptscope top: frame N" and holds one pane's lines.
TOP_FRAME = re.compile(r"^=== deptscope top: frame (\d+)")


def top_frames(out, name):
    """The frames top printed: [(N, [lines])], in order."""
    frames = []
    for line in (read(out, name + ".out") or "").splitlines():
        m = TOP_FRAME.match(line)
        if m:
            frames.append((int(m.group(1)), []))
        elif frames:
            frames[-1][1].append(line)
    return frames


def top_sources(out):
    """What live top must attach on this kernel: the event systems tracefs has."""
    have = set((read(out, "event_systems") or "").split())
    return " ".join(["dma_fence"] + [n for s, n in (("dma_buf", "dma_buf"), ("dept", "DEPT"),
                                                   ("tegra_vpr", "tegra_vpr")) if s in have])


def top_run(sc, out, name):
    """What every live top run must show: attached, frames 1..N, SIGINT ends it with 0."""
    err = (read(out, name + ".err") or "").splitlines()
    want = "Tracing %s... Hit Ctrl-C to end." % top_sources(out)
    sc.eq("top: stderr is the line naming every source it traced", err, [want])
    sc.eq("top: exit status after SIGINT", rc_of(out, name), 0)
    frames = top_frames(out, name)
    sc.check("top: frames 1..N, at least 2", len(frames) >= 2 and
             [n for n, _ in frames] == list(range(1, len(frames) + 1)),
             [n for n, _ in frames][:20])
    return frames


DUR_UNITS = {"ns": (1, 0.5), "us": (1e3, 50), "ms": (1e6, 5000), "s": (1e9, 5e6)}


def top_dur(text):
    """A duration as top prints it ("301.52ms"): (ns, half its last digit), or None."""
    m = re.match(r"^(\d+(?:\.\d+)?)(ns|us|ms|s)$", text or "")
    if not m:
        return None
    mul, half = DUR_UNITS[m.group(2)]
    return float(m.group(1)) * mul, half


def c_dur(ns):
    """top's own formatting of a duration (viewer/panes.c dur())."""
    if ns < 1000:
        return "%dns" % ns
    if ns < 1000000:
        return "%.1fus" % (ns / 1e3)
    if ns < 1000000000:
        return "%.2fms" % (ns / 1e6)
    return "%.2fs" % (ns / 1e9)


def top_words(line, words):
    """Whether @line has @words (a string of them) in order, as whole words."""
    w = line.split()
    n = len(words.split())
    return any(w[i:i + n] == words.split() for i in range(len(w) - n + 1))


def top_section(lines, head, stop=()):
    """The lines under the heading that has the words @head, up to an empty line or one
    that has the words of one of @stop: found by their words, the columns may move."""
    res, inside = [], False
    for line in lines:
        if inside and (not line.strip() or any(top_words(line, x) for x in stop)):
            break
        if inside:
            res.append(line)
        elif top_words(line, head):
            inside = True
    return res


def top_title(lines, pane):
    return next((x for x in lines if x.startswith(pane + ": ")), "")


def scen_top_fences(out, stem):
    """top's Fences pane during a wait of known delay: pending, then the longest.
    stem "wait": 300 ms; "hang": 2 s, a hang in the pane once older than 1 s."""
    hang = stem == "hang"
    sc = Scenario("deptscope top live: Fences pane during the %s" %
                  ("hang (a 2 s wait)" if hang else "fence wait"))
    facts = [f for f in facts_of(out, stem) if f.get("scenario") == "wait"]
    if not sc.check("scenario program printed its facts", len(facts) == 1):
        return sc
    f = facts[0]
    frames = top_run(sc, out, stem + "_top")
    who = ["vmscen", "%d/%d" % (f["pid"], f["waiter_tid"])]
    titles = re.compile(r"^Fences: (\d+) timelines, (\d+) waits, (\d+) pending, (\d+) hangs")

    def rows(lines, head):
        # "AGE|WAITED  TIMELINE  COMM  PID/TID [HANG]" under PENDING (n) / LONGEST
        return [x.split() for x in top_section(lines, head, ("LONGEST", "PENDING"))]

    def title(lines):
        m = titles.match(top_title(lines, "Fences"))
        return m and [int(x) for x in m.groups()]

    pend = [(n, r, lines) for n, lines in frames for r in rows(lines, "PENDING")
            if r[2:4] == who]
    if not sc.check("a frame shows the wait PENDING (waiter comm, pid/tid)", pend,
                    [lines for _, lines in frames[:3]]):
        return sc
    n0, r, lines = pend[0]
    sc.eq("first pending row: timeline", r[1], "sw_sync/vmscen")
    sc.eq("first pending frame: title (timelines, waits, pending, hangs)", title(lines),
          [1, 0, 1, int(r[4:] == ["HANG"])])
    ages = [[x[0], x[4:]] for _, x, _ in pend]
    sc.check("pending rows: ages no longer than the wait took",
             all(top_dur(a) and 0 <= top_dur(a)[0] <= f["measured_ns"] + top_dur(a)[1]
                 for a, _ in ages), ages, f["measured_ns"])
    # the flag and the age are taken a moment apart: not at 1.00 s itself
    sc.check("pending rows: HANG exactly when older than 1 s",
             all(top_dur(a) and (h == ["HANG"] if top_dur(a)[0] >= 1.01e9 else
                                 h == [] if top_dur(a)[0] < 0.99e9 else h in ([], ["HANG"]))
                 for a, h in ages), ages)
    if hang:
        hf = [(n, lines) for n, x, lines in pend if x[4:] == ["HANG"]]
        if sc.check("a frame shows the wait as a HANG", hf, ages):
            sc.eq("hang frame: title counts the hang", title(hf[0][1]), [1, 0, 1, 1])
    long_ = [(n, r) for n, lines in frames if n > n0 for r in rows(lines, "LONGEST")
             if r[2:4] == who]
    if not sc.check("a later frame lists the wait under LONGEST", long_, frames[-1][1]):
        return sc
    n1, r = long_[0]
    sc.eq("longest row: timeline", r[1], "sw_sync/vmscen")
    d = top_dur(r[0])
    lo, hi = (f["delay_ms"] - 100) * 1000000, f["measured_ns"]
    sc.check("longest row: waited within [delay - 100 ms, time the ioctl took]",
             d is not None and lo - d[1] <= d[0] <= hi + d[1], r[0], [lo, hi])
    fence = summary_of(json_lines(read(out, stem + "_fence.out", "")))
    if d and fence and fence.get("longest"):
        fd = fence["longest"][0]["duration_ns"]
        # two BPF instances on one tracepoint: the second stamps later by the
        # first one's run time (milliseconds under TCG, a stack walk included)
        sc.check("longest row: agrees with deptscope fence within 20 ms",
                 abs(d[0] - fd) <= 20000000 + d[1], r[0], fd)
    last = frames[-1][1]
    sc.eq("last frame: title (timelines, waits, pending, hangs)", title(last),
          [1, 1, 0, int(hang)])
    tl = [x.split() for x in top_section(last, "TIMELINE WAITS", ("PENDING", "LONGEST"))]
    sc.eq("last frame: the timeline's row (name, waits, max)", [x[:2] + x[4:5] for x in tl],
          [["sw_sync/vmscen", "1", r[0]]])
    sc.eq("last frame: nothing pending", rows(last, "PENDING"), [])
    sc.note = "pending in frame %d%s, longest %s in frame %d of %d" % (
        n0, " (a hang from frame %d)" % hf[0][0] if hang and hf else "", r[0], n1, len(frames))
    return sc


def scen_top_dmabuf(out):
    """top's dma-buf pane through the iommufd and vfio-pci revocations (7.3)."""
    sc = Scenario("deptscope top live: dma-buf pane during the revocations")
    frames = top_run(sc, out, "dmabuf_top")
    if not frames:
        return sc
    want, events, buffers = [], [], []
    for stem in ("revoke", "vfio"):
        facts = [f for f in facts_of(out, stem) if f.get("scenario") == stem]
        rows = json_lines(read(out, stem + "_trace.out", ""))
        s = [r for r in rows if r.get("type") == "dmabuf_summary"]
        if not sc.check(stem + ": facts and deptscope dmabuf's summary present",
                        len(facts) == 1 and len(s) == 1):
            return sc
        for r in s[0]["revocations"]:
            vfio = "new_status" in r
            want.append([r["ino"], "%s->%s (%s)" % (r["old_status"], r["new_status"], r["cause"])
                         if vfio else "invalidate",
                         "%s/%s" % (c_dur(r["fence_wait_ns"]), c_dur(r["unmap_wait_ns"]))
                         if vfio else "-/-", r["latency_ns"]])
        buffers += s[0]["buffers"]
        events += [r for r in rows if r.get("type") == "dmabuf_event"]
    last = frames[-1][1]
    m = re.match(r"^dma-buf: (\d+) buffers \((\d+) live\), \d+ events, (\d+) revocations, "
                 r"(\d+) maps after revoke", top_title(last, "dma-buf"))
    sc.eq("last frame: title (buffers, live, revocations, maps after revoke)",
          m and [int(x) for x in m.groups()],
          [len(buffers), sum(1 for b in buffers if not b["released"]), len(want), 0])
    # "START LATENCY INO STATUS... FENCE UNMAP" (or "FENCE/UNMAP"), by words
    got = []
    for line in top_section(last, "LATENCY", ("ANOMALIES",)):
        w = line.split()
        if len(w) >= 5 and "/" in w[-1]:
            w = w[:-1] + w[-1].split("/", 1)
        ok = len(w) >= 6 and re.match(r"^\d+\.\d+$", w[0]) and w[2].isdigit()
        got.append([int(w[2]), " ".join(w[3:-2]), "%s/%s" % tuple(w[-2:]), w[1]] if ok
                   else [line])
    sc.eq("last frame: revocation rows (inode, status, fence/unmap waits), as deptscope dmabuf",
          [x[:3] for x in got], [x[:3] for x in want])
    if len(got) == len(want) and all(len(x) == 4 for x in got):
        # top attached first: the other instance's stamps are later by top's
        # run time at each end, about the same at both
        lat = [[x[3], w[3]] for x, w in zip(got, want)]
        sc.check("last frame: each latency done, within 5 ms of deptscope dmabuf's",
                 all(top_dur(a) and abs(top_dur(a)[0] - b) <= 5000000 + top_dur(a)[1]
                     for a, b in lat), lat)
    sc.eq("last frame: no anomalies",
          [x.strip() for x in top_section(last, "ANOMALIES", ("RECENT EVENT",))], ["none"])
    # the newest lifecycle events: the tail of what deptscope dmabuf logged
    rec = []
    for line in top_section(last, "RECENT EVENT"):
        m = re.match(r"^\s*\d+\.\d+\s+(\S+)\s+ino (\d+)\s+(\S+)\s+(\d+) B\s+(\S+) (\d+)"
                     r"(?:\s+dev (\S+))?", line)
        rec.append([m.group(1), int(m.group(2)), m.group(3), int(m.group(4)), m.group(5),
                    int(m.group(6)), m.group(7)] if m else [line])
    tail = [[e["event"], e["ino"], e["exp_name"], e["size"], e["comm"], e["pid"],
             e.get("dev_name") if e["event"] in ("attach", "detach", "map", "unmap") else None]
            for e in events[-len(rec):]] if rec else []
    sc.check("last frame: recent lifecycle events listed", len(rec) >= 3, len(rec))
    sc.eq("last frame: the newest lifecycle events (event, inode, exporter, size, comm, pid, "
          "device), as deptscope dmabuf logged them", rec, tail)
    sc.note = "%d revocations, %d recent events in the last of %d frames" % (
        len(got), len(rec), len(frames))
    return sc


VPR_ROW = re.compile(r"^\s*(\d+\.\d{3})  ([# ] (?:grow|shrink) .*)$")


def scen_top_vpr(out):
    """top's VPR pane against deptscope vpr's rows, on a repeat of the resizes (7.3)."""
    scen = (read(out, "scenarios") or "").split()
    if "vpr" not in scen:
        return None
    sc = Scenario("deptscope top live: VPR pane rows equal deptscope vpr's")
    facts = sorted(x.split() for x in (read(out, "vpr_top.facts") or "").splitlines()
                   if x.strip())
    sc.eq("every script of the repeat accepted by the fixture", facts,
          sorted([n, "0"] for n in ("setup", "grow", "shrink", "failgrow")))
    frames = top_run(sc, out, "vpr_top")
    text = (read(out, "vpr_text.out") or "").splitlines()
    sc.eq("deptscope vpr: exit status 3 (the failed grow is an alert)", rc_of(out, "vpr_text"),
          3)
    want = [VPR_ROW.match(x).groups() for x in text if VPR_ROW.match(x)]
    sc.eq("deptscope vpr: a row per resize of the repeat (grow, shrink, failed grow)",
          [" ".join(w[1].split()[1:2]) + (" FAILED" if "FAILED" in w[1] else "") for w in want],
          ["grow", "shrink", "grow FAILED"])
    if not frames:
        return sc
    last = frames[-1][1]
    m = re.match(r"^VPR: (\d+) resizes: (\d+) grow, (\d+) shrink, (\d+) failed",
                 top_title(last, "VPR"))
    sc.eq("last frame: title (resizes, grow, shrink, failed)", m and list(m.groups()),
          ["3", "2", "1", "1"])
    rows = top_section(last, "KIND", ("SIZE OVER TIME",))
    got = [VPR_ROW.match(x).groups() if VPR_ROW.match(x) else (None, x) for x in rows]
    # one formatter for both (ds_vpr_resize__format): the text is the same
    # but for the time column, which each counts from its own first stamp
    sc.eq("last frame: the rows, as deptscope vpr printed them (time column aside)",
          [g[1] for g in got], [w[1] for w in want])
    if len(got) == len(want) and all(g[0] for g in got):
        sc.check("last frame: time column within 20 ms of deptscope vpr's",
                 all(abs(float(g[0]) - float(w[0])) <= 20 for g, w in zip(got, want)),
                 [[g[0], w[0]] for g, w in zip(got, want)])

    def sizes(lines):
        return [x.split()[1:3] for x in lines
                if re.match(r"^\s+\d+\.\d{3}\s+0x[0-9a-f]+\s+[\d.]+ MiB", x)]
    sc.eq("last frame: the size over time, as deptscope vpr's (base, MiB)",
          sizes(top_section(last, "SIZE OVER TIME")),
          sizes(top_section(text, "VPR size over time:")))
    sc.note = "%d rows equal deptscope vpr's in the last of %d frames" % (len(got), len(frames))
    return sc


def scen_top_graph(out):
    """top's Graph pane during the DEPT fixture's circles (7.3)."""
    scen = (read(out, "scenarios") or "").split()
    if "dept" not in scen:
        return None
    sc = Scenario("deptscope top live: Graph pane has the circles DEPT reported")
    frames = top_run(sc, out, "dept_top")
    rows = json_lines(read(out, "dept_live.out", ""))
    circles = [r for r in rows if r.get("type") == "dept_cycle" and r["source"] == "tracepoint"]
    graph = [r for r in rows if r.get("type") == "dept_cycle" and r["source"] == "graph"]
    summ = [r for r in rows if r.get("type") == "dept_summary"]
    if not sc.check("deptscope dept reported circles and a summary", circles and summ) or \
            not frames:
        return sc
    summ = summ[0]
    last = frames[-1][1]
    m = re.match(r"^DEPT graph: (\d+) classes, (\d+) edges, (\d+) edges closed a cycle, "
                 r"(\d+) circles", top_title(last, "DEPT graph"))
    sc.eq("last frame: title (classes, edges, edges closed a cycle, circles), as deptscope "
          "dept", m and [int(x) for x in m.groups()],
          [summ["classes"], summ["edges"], len(graph), len(circles)])
    head = next((x for x in last if x.startswith("CIRCLES DEPT REPORTED")), "")
    m = re.match(r"^CIRCLES DEPT REPORTED \((\d+) of (\d+)", head)
    sc.eq("last frame: circles kept of circles reported", m and [int(x) for x in m.groups()],
          [min(len(circles), 32), len(circles)])
    # "circle N  TIME s  BUCKET VERDICT  CYCLE": compared word by word, the
    # columns' widths aside
    got = []
    for line in top_section(last, "CIRCLES DEPT REPORTED", ("CYCLES IN THE GRAPH", "CLASS")):
        m = re.match(r"^[> ] circle (\d+)\s+\d+\.\d{6} s\s+(.*)$", line)
        got.append([int(m.group(1))] + m.group(2).split() if m else [line])
    want = [[c["circle"], c["bucket"]] + ("%s %s" % (c["report"]["verdict"] or "",
                                                      c["cycle"])).split() for c in circles]
    sc.eq("last frame: the circles, newest first (number, bucket, verdict, cycle), as "
          "deptscope dept", got, sorted(want, reverse=True)[:32])
    cls = []
    for line in top_section(last, "CLASS OUT IN"):
        m = re.match(r"^[> ] .*?\s(\d+)\s+(\d+)\s*(yes)?\s*$", line)
        cls.append([int(m.group(1)), int(m.group(2))] if m else [line])
    sc.eq("last frame: one row per class", len(cls), summ["classes"])
    sc.eq("last frame: out- and in-degrees each sum to the edges",
          [sum(x[0] for x in cls if len(x) == 2), sum(x[1] for x in cls if len(x) == 2)],
          [summ["edges"], summ["edges"]])
    first = next((n for n, lines in frames if any(x.startswith(("> circle", "  circle"))
                                                   for x in lines)), None)
    sc.check("a circle shown before the last frame (live)", first and first < frames[-1][0],
             first)
    sc.note = "%d circles, %d classes in the last of %d frames" % (len(got), len(cls),
                                                                   len(frames))
    return sc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--host-deptscope", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--boot-seconds", type=int, default=0)
    ap.add_argument("--dept-expect", default="")
    a = ap.parse_args()

    kernel = (read(a.out, "kernel") or "").strip()
    scenarios = []
    if not kernel:
        sc = Scenario("guest ran")
        sc.check("guest sent results back", False, "no output from the guest")
        scenarios.append(sc)
    else:
        if a.kernel_name in ("6.12", "7.3"):
            sc = Scenario("kernel version")
            sc.check("guest runs the built kernel", kernel.startswith(a.kernel_name + "."),
                     kernel, a.kernel_name)
            scenarios.append(sc)
        scenarios += [scen_wait(a.out), scen_top_fences(a.out, "wait"), scen_hang(a.out),
                      scen_top_fences(a.out, "hang"), scen_merge(a.out),
                      scen_dmabuf(a.out, a.kernel_name), scen_replay(a.out, a.host_deptscope)]
        if a.kernel_name == "7.3":
            # kernel/configs/vmtest-7.3.config enables the iommufd selftest
            scenarios.append(scen_revoke(a.out))
            # PCI + vfio-pci (no-IOMMU) and QEMU -device edu
            scenarios.append(scen_vfio(a.out))
            scenarios.append(scen_top_dmabuf(a.out))
            scenarios.append(scen_cost(a.out))
            sc = scen_dept(a.out, a.host_deptscope, a.dept_expect)
            if sc is None:
                print("SKIP: vm[7.3] DEPT tracepoint fixture: the corpus (../shared) is not "
                      "here, so there are no scripts")
            else:
                scenarios.append(sc)
                sc = scen_top_graph(a.out)
                if sc is not None:
                    scenarios.append(sc)
            # kernel/fixtures: the Tegra VPR fixture (CONFIG_TEST_TEGRA_VPR_TRACE)
            sc = scen_vpr(a.out, a.host_deptscope)
            if sc is None:
                print("SKIP: vm[7.3] Tegra VPR tracepoint fixture: this kernel has none "
                      "(no /sys/kernel/debug/tegra_vpr_trace_fixture)")
            else:
                scenarios.append(sc)
                sc = scen_top_vpr(a.out)
                if sc is not None:
                    scenarios.append(sc)

    res = {
        "kernel": a.kernel_name,
        "release": kernel or None,
        "seconds": a.boot_seconds,
        "scenarios": [{"name": s.name, "pass": s.passed, "note": s.note,
                       "checks": s.checks} for s in scenarios],
        "bpf_cost": next((s.cost for s in scenarios if getattr(s, "cost", None)), None),
    }
    tmp = a.results + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1)
    os.replace(tmp, a.results)

    npass = nfail = 0
    for s in scenarios:
        if s.passed:
            npass += 1
            print("ok   vm[%s] %s: %s (%d checks)" % (a.kernel_name, s.name, s.note,
                                                    len(s.checks)))
        else:
            nfail += 1
            print("FAIL vm[%s] %s" % (a.kernel_name, s.name))
            for c in s.checks:
                if not c["ok"]:
                    print("    %s: got %s, want %s" % (c["what"], json.dumps(c["got"])[:300],
                                                      json.dumps(c["want"])[:200]))
    print("vm[%s]: %d passed, %d failed" % (a.kernel_name, npass, nfail))
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
