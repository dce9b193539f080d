#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A short libFuzzer run of the report parser (make test); `make fuzz` runs
# longer (DS_FUZZ_SECONDS).  Seeds: the real corpus in ../shared, read
# only; what the fuzzer finds goes to a temporary directory.
set -u
SRC=${DS_SRCDIR:?}
OUT=${OUT:?}
SECS=${DS_FUZZ_SECONDS:-15}
BIN=$OUT/tests/fuzz/fuzz_dept
if [ ! -x "$BIN" ]; then
	echo "SKIP: $BIN not built (clang's libFuzzer runtime missing? make deps installs it)"
	echo "fuzz: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=()
corpus=$SRC/../shared/corpus/dept-reports
[ -d "$corpus" ] && seeds=("$corpus")
echo "fuzzing the report parser for ${SECS}s (${#seeds[@]} seed dir(s))"
if "$BIN" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$work/" -print_final_stats=1 "$work" "${seeds[@]}" >"$work/log" 2>&1; then
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/log"
	echo "ok   parser survived $(grep -oE 'number_of_executed_units: [0-9]+' "$work/log" |
		grep -oE '[0-9]+') inputs"
	echo "fuzz: 1 passed, 0 failed"
	exit 0
fi
tail -n 40 "$work/log"
for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
	[ -e "$a" ] || continue
	mkdir -p "$OUT/fuzz-artifacts"
	cp "$a" "$OUT/fuzz-artifacts/"
	echo "FAIL reproducer kept: $OUT/fuzz-artifacts/$(basename "$a")"
done
echo "fuzz: 0 passed, 1 failed"
exit 1
