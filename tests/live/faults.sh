#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Faults of the machine under a live command, each with one clear line and
# nothing lost:
#   - no tracefs, and no kernel BTF: hidden in a private mount namespace
#     (unshare -m) by an empty tmpfs over /sys/kernel/{tracing,debug,btf};
#   - the BPF objects built from the vendored vmlinux.h (no BTF at build
#     time) load and run here;
#   - a tracepoint gone between load and attach, and a ring buffer poll that
#     fails mid-run: real machines cannot be made to do either on demand, so
#     DEPTSCOPE_TEST_FAULTS (docs/reliability.md) fails the very call.
# Disk full, SIGKILL of the recorder and two recorders at once are in
# tests/cli/privs.sh.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"

skipped=0
skip() { echo "SKIP: $1"; skipped=$((skipped + 1)); }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: the fault tests load BPF programs and use mount namespaces"
	echo "faults: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

# has NAME FILE REGEX
has() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else bad "$1" "no /$3/ in: $(head -c 400 "$2")"; fi
}

# in_ns HIDE... -- CMD...: run CMD with each HIDE directory covered by an
# empty tmpfs, in a mount namespace of its own
in_ns() {
	local hide=()
	while [ "$1" != -- ]; do hide+=("$1"); shift; done
	shift
	unshare -m --propagation private sh -c '
		n=$1; shift
		i=0
		while [ $i -lt "$n" ]; do
			[ -d "$1" ] && mount -t tmpfs none "$1"
			shift; i=$((i + 1))
		done
		exec "$@"' sh "${#hide[@]}" "${hide[@]}" "$@"
}

# refused NAME REGEX FILE: the last command (its status in $rc) exited 1
# with one line matching REGEX, and left no FILE behind
refused() {
	if [ "$rc" -eq 1 ]; then ok "$1: exit 1"; else bad "$1: exit" "$rc"; fi
	one_line "$1"
	has "$1: says why" "$tmp/err" "$2"
	if [ ! -e "$3" ]; then ok "$1: no file left behind"; else bad "$1: file" "$3 exists"; fi
}

storm() {
	dd if=/dev/zero of=/dev/null bs=1 count=100000000000 2>/dev/null &
	echo $!
}

if ! unshare -m --propagation private true 2>/dev/null; then
	skip "no mount namespaces (unshare -m): tracefs and BTF cannot be hidden"
else
	# --- no tracefs --------------------------------------------------
	in_ns /sys/kernel/tracing /sys/kernel/debug -- \
		"$DS" record -o "$tmp/nt.dsr" -d 1 fence >"$tmp/out" 2>"$tmp/err"
	rc=$?
	refused "no tracefs" "tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing" \
		"$tmp/nt.dsr"
	# the offline commands do not need it
	"$DS" record -o "$tmp/ok.dsr" -d 1 fence >/dev/null 2>&1
	in_ns /sys/kernel/tracing /sys/kernel/debug -- \
		"$DS" report "$tmp/ok.dsr" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "no tracefs: report of a recording still works"
	else bad "no tracefs: report" "exit $rc: $(cat "$tmp/err")"; fi

	# --- no kernel BTF -----------------------------------------------
	for cmd in "record -o $tmp/nb.dsr -d 1" "fence -d 1" "top --batch -n 1"; do
		# shellcheck disable=SC2086
		in_ns /sys/kernel/btf -- "$DS" $cmd >"$tmp/out" 2>"$tmp/err"
		rc=$?
		refused "no BTF: ${cmd%% *}" "kernel has no BTF .*CONFIG_DEBUG_INFO_BTF=y" "$tmp/nb.dsr"
	done
fi

# --- built without BTF: the vendored vmlinux.h ----------------------------
# the whole tool, from a clean object directory, as on a build machine
# whose kernel has no BTF
vo=$tmp/vendored
if nm "$DS" 2>/dev/null | grep -q __asan_init; then
	skip "vendored vmlinux.h build: done by the plain suite, not again under ASan"
elif make -C "$DS_SRCDIR" -j"$(nproc)" O="$vo" VMLINUX_BTF=/nonexistent \
	"$vo/deptscope" >"$tmp/build.log" 2>&1; then
	has "vendored: the build said it used the vendored vmlinux.h" "$tmp/build.log" \
		"bpf/vmlinux.h \(vendored: no BTF at /nonexistent\)"
	if cmp -s "$vo/bpf/vmlinux.h" "$DS_SRCDIR/bpf/vmlinux/x86/vmlinux.h"; then
		ok "vendored: bpf/vmlinux.h is the vendored header"
	else
		bad "vendored: header" "$vo/bpf/vmlinux.h differs from the vendored one"
	fi
	s=$(storm)
	"$vo/deptscope" record -o "$tmp/v.dsr" -d 1 --json --pid "$s" fence selftest \
		>"$tmp/v.json" 2>"$tmp/v.err"
	rc=$?
	kill "$s" 2>/dev/null
	wait "$s" 2>/dev/null
	if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["received"] > 1000, d
assert {s["source"] for s in d["sources"]} == {"fence", "selftest"}, d' "$tmp/v.json"; then
		ok "vendored: its programs load, attach and deliver events here"
	else
		bad "vendored: live run" "exit $rc: $(cat "$tmp/v.err" "$tmp/v.json")"
	fi
else
	bad "vendored: build" "$(tail -n 20 "$tmp/build.log")"
fi
rm -rf "$vo"

# --- a tracepoint gone between load and attach ----------------------------
DEPTSCOPE_TEST_FAULTS=attach=dma_fence_signaled "$DS" record -o "$tmp/a.dsr" -d 1 --json \
	fence >"$tmp/a.json" 2>"$tmp/a.err"
rc=$?
if [ $rc -eq 0 ]; then ok "attach fails for one event: the others are recorded (exit 0)"
else bad "attach one: exit" "$rc: $(cat "$tmp/a.err")"; fi
has "attach one: a warning names it" "$tmp/a.err" \
	"unavailable on this kernel, not traced: .*dma_fence_signaled"
# lists_unavailable NAME FILE: the JSON object in FILE has dma_fence_signaled
# in its "unavailable" list
lists_unavailable() {
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "dma_fence_signaled" in d["unavailable"], d' "$2" 2>/dev/null; then
		ok "$1"
	else
		bad "$1" "$(head -c 400 "$2")"
	fi
}
lists_unavailable "attach one: the JSON summary lists it as unavailable" "$tmp/a.json"
"$DS" report --json "$tmp/a.dsr" >"$tmp/a.rep" 2>/dev/null
lists_unavailable "attach one: the recording says so too" "$tmp/a.rep"

DEPTSCOPE_TEST_FAULTS='attach=*' "$DS" record -o "$tmp/b.dsr" -d 1 fence \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
refused "attach fails for all" "none of the dma_fence programs could be attached" "$tmp/b.dsr"

# --- the ring buffer poll fails mid-run -----------------------------------
s=$(storm)
DEPTSCOPE_TEST_FAULTS=poll=30 "$DS" record -o "$tmp/p.dsr" -d 10 --pid "$s" selftest \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
kill "$s" 2>/dev/null
wait "$s" 2>/dev/null
if [ $rc -eq 1 ]; then ok "poll error: record exits 1"; else bad "poll error: exit" "$rc"; fi
# the banner, then the error
if [ "$(grep -c 'error' "$tmp/err")" -eq 1 ]; then ok "poll error: one error line"
else bad "poll error: error lines" "$(cat "$tmp/err")"; fi
has "poll error: one line, the file named readable" "$tmp/err" \
	"recording stopped: Input/output error; .*p\.dsr is readable up to the last record written"
"$DS" report --json "$tmp/p.dsr" >"$tmp/p.rep" 2>"$tmp/p.err"
rc=$?
if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["selftest"]
assert t["records"] > 0, d
assert t["records"] == d["ring"]["received"], d' "$tmp/p.rep" 2>/dev/null; then
	ok "poll error: the recording is complete up to the error, with its counters"
else
	bad "poll error: recording" "exit $rc: $(head -c 400 "$tmp/p.rep") $(cat "$tmp/p.err")"
fi
# the same in a command with models: the error ends it, the summary is printed
DEPTSCOPE_TEST_FAULTS=poll=5 "$DS" fence -d 10 --json >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ]; then ok "poll error: fence exits 1"; else bad "poll error: fence exit" "$rc"; fi
has "poll error: fence says why" "$tmp/err" "Input/output error"

echo "faults: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
