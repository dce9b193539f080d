#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope triage --html on the real corpus: the page is well-formed, has
# a section with an inline SVG cycle per bucket and nothing fetched from
# elsewhere, and Debian's headless Chromium renders it to a screenshot that
# is not blank.
set -u
SRC=${DS_SRCDIR:?}
OUT=${OUT:?}
DS=$OUT/deptscope
CORPUS=${DS_CORPUS:-$SRC/../shared/corpus/dept-reports}
pass=0 fail=0 skip=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
finish() { echo "triage-html: $pass passed, $fail failed, $skip skipped"; [ $fail -eq 0 ]; exit $?; }

if [ ! -d "$CORPUS" ]; then
	echo "SKIP: no report corpus at $CORPUS (../shared is not here)"
	skip=1
	finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$DS" triage --no-db --html "$tmp/dept.html" --json "$CORPUS"/*.txt >"$tmp/out.json"
rc=$?
[ $rc -eq 3 ] && ok "triage --html: exit 3 (new buckets)" || bad "triage --html exit $rc"
if python3 - "$tmp/dept.html" "$tmp/out.json" <<'PY'
import json, sys
from html.parser import HTMLParser

page = open(sys.argv[1], encoding="utf-8").read()
buckets = [b["bucket"] for b in json.load(open(sys.argv[2]))["buckets"]]


class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.sections, self.svgs, self.fetch = [], [], 0, []
        self.cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.cur = a["id"]
            self.sections.append(self.cur)
        if tag == "svg" and self.cur:
            self.svgs += 1
        for k in ("src", "href"):
            v = a.get(k) or ""
            if tag in ("script", "img", "link", "iframe") and v:
                self.fetch.append(v)


p = P()
p.feed(page)
assert p.sections == buckets, (p.sections, buckets)
assert p.svgs == len(buckets), (p.svgs, len(buckets))
assert not p.fetch, p.fetch
assert "<script" not in page
for b in buckets:
    assert page.count('href="#%s"' % b) == 1, b
# the ntfs3 cycle's two class names are drawn in its SVG
sec = page[page.index('<section id="D-9c968da36dcc"'):]
sec = sec[:sec.index("</section>")]
svg = sec[sec.index("<svg"):sec.index("</svg>")]
import html
drawn = html.unescape(svg)
assert "&ni->ni_lock" in drawn and "PG_locked" in drawn, drawn[:500]
PY
then ok "page: one section with an inline SVG per bucket, nothing fetched"
else bad "page structure"; fi

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP: chromium not installed (make deps installs it): no screenshot"
	skip=$((skip + 1))
	finish
fi
timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=1280,1600 --screenshot="$tmp/shot.png" "file://$tmp/dept.html" \
	>"$tmp/chrome.log" 2>&1
if [ -s "$tmp/shot.png" ] && python3 - "$tmp/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w, h = 8, b"", 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp + 1
# count distinct colours over the raw rows (filter bytes aside): a blank
# or error page has a handful, a rendered table, graphs and text hundreds
colours = set()
for y in range(0, h, 7):
    row = raw[y * stride + 1:(y + 1) * stride]
    for x in range(0, w * bpp, bpp * 5):
        colours.add(row[x:x + 3])
assert w == 1280 and h == 1600, (w, h)
assert len(colours) > 50, len(colours)
PY
then ok "Chromium renders the page (1280x1600 screenshot, not blank)"
else bad "Chromium screenshot" "$(tail -5 "$tmp/chrome.log")"; fi
finish
