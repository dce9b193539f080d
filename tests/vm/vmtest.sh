#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make vmtest: build real kernels, boot them under QEMU, run deptscope's
# scenarios in the guest and judge them on the host.
#
#   VMTEST_KERNELS  targets to run (default "6.12 7.3")
#   KSRC            run one kernel built from this tree instead (patches in
#                   kernel/patches/series and the test fixtures of
#                   kernel/fixtures/series are applied to a copy)
#   DS_CACHE        where sources and kernel builds are cached
#                   (default /var/cache/deptscope as root, else ~/.cache/deptscope)
#   VM_TIMEOUT      seconds a guest may run (default 600)
#
# Results: $OUT/vmtest/<kernel>/results.json and a summary line per
# scenario; the last line is "vm: N passed, N failed, N skipped".  A kernel
# built with kernel/patches/series (7.3, KSRC) adds one line for the W=1
# check of that series (build-kernel.sh, the build's w1.txt), counted with
# the scenarios.
set -uo pipefail
: "${OUT:?}" "${DS_SRCDIR:?}"
src_dir=$DS_SRCDIR
here=$src_dir/tests/vm
if [ -z "${DS_CACHE:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then DS_CACHE=/var/cache/deptscope
	else DS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/deptscope; fi
fi
mkdir -p "$DS_CACHE"
timeout_s=${VM_TIMEOUT:-600}
# real DEPT reports, replayed through the DEPT tracepoint fixture (7.3)
corpus=$src_dir/../shared/corpus/dept-reports
pass=0 fail=0 skip=0
log() { echo "vmtest: $*" >&2; }

for tool in qemu-system-x86_64 python3 cpio gzip base64; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $tool not installed (make deps installs it)"
		echo "vm: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
done

# Under TCG the guest's TSC runs at the host's rate, but without ACPI the
# guest has no reference to calibrate it against on some boots and falls
# back to jiffies: 1 ms clock steps, which ruin every latency and BPF run
# time.  Measuring the host's TSC rate here and handing it to the guest
# (tsc_early_khz) makes every boot use the TSC.
host_tsc_khz() {
	local c=$OUT/vmtest/tsc_khz
	mkdir -p "$OUT/vmtest"
	cat >"$c.c" <<'EOF_C'
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	double t0 = now(), t1;
	unsigned long long c0 = __rdtsc(), c1;

	do
		t1 = now();
	while (t1 - t0 < 0.2);
	c1 = __rdtsc();
	printf("%.0f\n", (c1 - c0) / (t1 - t0) / 1000);
	return 0;
}
EOF_C
	gcc -O2 -o "$c" "$c.c" 2>/dev/null && "$c"
}
TSC_KHZ=
[ "$(uname -m)" = x86_64 ] && TSC_KHZ=$(host_tsc_khz)
TSC_ARGS=${TSC_KHZ:+tsc_early_khz=$TSC_KHZ tsc=reliable}

# w1_report NAME RC W1.TXT: the line of build-kernel.sh's W=1 check of the
# mainline series (RC: its exit status; 7 is that check failing)
w1_report() {
	local name=$1 rc=$2 f=$3 n before after new
	if [ ! -f "$f" ]; then
		[ "$rc" -ne 7 ] || echo "FAIL $name: W=1: the check could not be made (see above)"
		return 0
	fi
	n=$(sed -n 's/^objects: //p' "$f")
	before=$(sed -n 's/^before: //p' "$f")
	after=$(sed -n 's/^after: //p' "$f")
	new=$(sed -n 's/^new: //p' "$f")
	if [ "$rc" -eq 0 ] && [ "$new" = 0 ] && [ "${n:-0}" -gt 0 ]; then
		echo "ok   $name: W=1: $n objects of the mainline series, no new warnings (before $before, after $after)"
	elif [ "$rc" -eq 0 ] && [ "$new" = 0 ]; then
		echo "SKIP: $name: W=1: this config builds no object the mainline series touches"
	else
		echo "FAIL $name: W=1: ${new:-?} new warnings with the mainline series in $n objects (before $before, after $after)"
		sed -n 's/^new warning: /    /p' "$f"
	fi
}

run_target() {
	local name=$1 ksrc=$2 series=$3 t0 b w rc
	w=$OUT/vmtest/$name
	t0=$(date +%s)
	rm -rf "$w/out" "$w/results.json"
	mkdir -p "$w"
	local frags=$src_dir/kernel/configs/vmtest.config
	[ -f "$src_dir/kernel/configs/vmtest-$name.config" ] &&
		frags+=":$src_dir/kernel/configs/vmtest-$name.config"
	b=$("$here/build-kernel.sh" "$name" "$ksrc" "$DS_CACHE" "$frags" "$series")
	rc=$?
	# the build dir comes back on exit 7 (new W=1 warnings) too
	w1_report "$name" "$rc" "${b:-/nonexistent}/w1.txt"
	[ $rc -eq 0 ] || return 1

	log "[$name] building deptscope against the guest kernel's BTF"
	make -s -C "$src_dir" O="$w/ds" VMLINUX_BTF="$b/vmlinux" "$w/ds/deptscope" >&2 || return 1
	gcc -static -O2 -Wall -Wextra -Werror -o "$w/vmscen" "$here/progs/vmscen.c" -lpthread &&
		gcc -static -O2 -Wall -Wextra -Werror -o "$w/vmexit" "$here/progs/vmexit.c" || return 1
	# the DEPT fixture's scripts: the corpus reports, as events (dept_scripts.py)
	rm -rf "$w/dept"
	if [ -d "$corpus" ]; then
		python3 "$here/dept_scripts.py" "$OUT/deptscope" "$corpus" "$w/dept" >/dev/null ||
			return 1
	fi
	"$here/mkinitramfs.sh" "$w/initramfs.cpio.gz" "$w/ds/deptscope" "$w" || return 1

	log "[$name] booting under QEMU (TCG), timeout ${timeout_s}s"
	rm -f "$w/console.log" "$w/data.b64"
	timeout "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 \
		-display none -no-reboot -monitor none \
		-kernel "$b/bzImage" -initrd "$w/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=4 $TSC_ARGS" \
		-serial "file:$w/console.log" -serial "file:$w/data.b64" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -device edu
	rc=$?
	# isa-debug-exit: guest status s -> qemu exit (s << 1) | 1
	if [ $rc -eq 124 ]; then
		log "[$name] guest timed out after ${timeout_s}s; console tail:"
		tail -n 20 "$w/console.log" >&2
	elif [ $((rc & 1)) -eq 0 ]; then
		log "[$name] guest did not finish (qemu exit $rc); console tail:"
		tail -n 20 "$w/console.log" >&2
	fi
	mkdir -p "$w/out"
	# the guest's tty turns \n into \r\n
	sed -n '/===DSOUT-BEGIN===/,/===DSOUT-END===/p' "$w/data.b64" | tr -d '\r' | sed '1d;$d' |
		base64 -d 2>/dev/null | tar -xzf - -C "$w/out" 2>/dev/null
	python3 "$here/check.py" --kernel-name "$name" --out "$w/out" --host-deptscope "$OUT/deptscope" \
		--results "$w/results.json" --boot-seconds $(( $(date +%s) - t0 )) \
		--dept-expect "$w/dept/expect.json"
}

targets=${VMTEST_KERNELS:-6.12 7.3}
if [ -n "${KSRC:-}" ]; then
	targets=custom
fi
for t in $targets; do
	case $t in
	custom)
		series=$src_dir/kernel/patches/series:$src_dir/kernel/fixtures/series
		out=$(run_target custom "$KSRC" "$series")
		;;
	6.12 | 7.3)
		if ! ksrc=$("$here/fetch-source.sh" "$t" "$DS_CACHE"); then
			if [ "$t" = 6.12 ]; then
				echo "FAIL $t: could not get linux-source-6.12"
				fail=$((fail + 1))
			else
				echo "SKIP: $t: linux-source-7.x could not be had from the archive"
				skip=$((skip + 1))
			fi
			continue
		fi
		series=
		[ "$t" = 7.3 ] && series=$src_dir/kernel/patches/series:$src_dir/kernel/fixtures/series
		out=$(run_target "$t" "$ksrc" "$series")
		;;
	*)
		echo "FAIL $t: unknown kernel target (known: 6.12 7.3, or KSRC=)"
		fail=$((fail + 1))
		continue
		;;
	esac
	printf '%s\n' "$out"
	# the W=1 line (w1_report) is one result more
	pass=$((pass + $(grep -c '^ok   [^ ]*: W=1: ' <<<"$out")))
	fail=$((fail + $(grep -c '^FAIL [^ ]*: W=1: ' <<<"$out")))
	p=$(sed -nE 's/^vm\[.*\]: ([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$out")
	f=$(sed -nE 's/^vm\[.*\]: ([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$out")
	if [ -z "$p" ]; then
		echo "FAIL $t: the harness did not produce results (see above)"
		fail=$((fail + 1))
	else
		pass=$((pass + p)) fail=$((fail + f))
		skip=$((skip + $(grep -c '^SKIP' <<<"$out")))
	fi
done
echo "vm: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
