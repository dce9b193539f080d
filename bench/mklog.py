# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Write a large console log for the triage benchmark: ordinary kernel log
lines (written here) with the real reports of a corpus directory
interleaved, one every EVERY lines.

Usage: mklog.py OUT SIZE_MB CORPUS_DIR [EVERY]
"""
import os
import random
import sys

out, size_mb, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
every = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
reports = [open(os.path.join(corpus, f), errors="replace").read()
           for f in sorted(os.listdir(corpus)) if f.endswith(".txt")]
lines = [
    "usb 1-1: new high-speed USB device number {n} using xhci_hcd",
    "EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.",
    "audit: type=1400 audit({n}.123:42): apparmor=\"STATUS\" operation=\"profile_load\"",
    "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "systemd[1]: Started Session {n} of user root.",
    "perf: interrupt took too long ({n} > 2500), lowering kernel.perf_event_max_sample_rate",
    "nvme nvme0: 8/0/0 default/read/poll queues",
    "TCP: request_sock_TCP: Possible SYN flooding on port 22. Sending cookies.",
]
rnd = random.Random(7)
limit = size_mb * 1024 * 1024
t, n, size, nrep = 0.0, 0, 0, 0
with open(out, "w") as f:
    while size < limit:
        chunk = []
        for _ in range(1000):
            t += 0.000137
            n += 1
            chunk.append("[%12.6f] %s\n" % (t, rnd.choice(lines).format(n=n)))
            if n % every == 0:
                chunk.append(reports[nrep % len(reports)] + "\n")
                nrep += 1
        s = "".join(chunk)
        f.write(s)
        size += len(s)
print(nrep)
