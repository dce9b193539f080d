#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make test: run every suite even if one fails, then one closing line with
# the totals.  Each suite ends with its own "NAME: N passed, N failed[, N
# skipped]" line; a suite that dies without one counts as one failure.
#
# run-tests.sh san (make san-test): the unit, CLI and live suites again, on
# the SAN=1 build in $OUT (ASan, UBSan, LeakSanitizer).  Every sanitizer
# report aborts the process; a suite after which a report is found (in a
# file, or in its output) fails, whatever the test made of the exit status.
set -u
: "${OUT:?}" "${DS_SRCDIR:?}"
cd "$DS_SRCDIR"
export OUT DS_SRCDIR
mode=${1:-all}

suites=(
	"style|scripts/check-style.sh"
	"unit|$OUT/tests/unit/unit"
	"cli|tests/cli/run.sh"
	"triage|tests/triage/run.sh"
	"triage-html|tests/triage/html.sh"
	"triage-db|tests/cli/triage_db.sh"
	"graph-cli|tests/cli/graph.sh"
	"dept-cli|tests/cli/dept.sh"
	"import-cli|tests/cli/import.sh"
	"top-cli|tests/cli/top.sh"
	"privs-cli|tests/cli/privs.sh"
	"fuzz|tests/fuzz/run.sh"
	"live|$OUT/tests/live/live"
	"detach|tests/live/detach.sh"
	"overload|tests/live/overload.sh"
	"faults|tests/live/faults.sh"
	"soak|tests/soak/soak.sh"
	"san|env OUT=${SAN_OUT:-$OUT-san} scripts/run-tests.sh san"
	"kernel|tests/kernel/check-patches.sh"
	"vm|tests/vm/vmtest.sh"
)
total=tests
tp=0 tf=0 ts=0 bad=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "$mode" = san ]; then
	suites=(
		"san-unit|$OUT/tests/unit/unit"
		"san-cli|tests/cli/run.sh"
		"san-triage|tests/triage/run.sh"
		"san-triage-html|tests/triage/html.sh"
		"san-triage-db|tests/cli/triage_db.sh"
		"san-graph-cli|tests/cli/graph.sh"
		"san-dept-cli|tests/cli/dept.sh"
		"san-import-cli|tests/cli/import.sh"
		"san-top-cli|tests/cli/top.sh"
		"san-privs-cli|tests/cli/privs.sh"
		"san-live|$OUT/tests/live/live"
		"san-detach|tests/live/detach.sh"
		"san-overload|tests/live/overload.sh"
		"san-faults|tests/live/faults.sh"
	)
	total=san
	if ! nm "$OUT/deptscope" 2>/dev/null | grep -q __asan_init; then
		echo "FAIL san: $OUT/deptscope is not a SAN=1 build (make san-test builds one)"
		echo "san: 0 passed, 1 failed"
		exit 1
	fi
	reports=$(mktemp -d)
	chmod 1777 "$reports"	# privs.sh runs deptscope as nobody too
	trap 'rm -f "$log"; rm -rf "$reports"' EXIT
	# abort_on_error: a report is exit 134, never a status a test expects.
	# ASan and LSan reports also go to files; UBSan's stay on stderr (GCC's
	# libubsan next to libasan ignores log_path), the suite's output is read.
	# Full allocation stacks (fast_unwind_on_malloc=0): a suppression can
	# name the function that leaks.  allocator_may_return_null: malloc of a
	# size read from a damaged file (libtracecmd, in import's reader child)
	# returns NULL as glibc's does, not an ASan report.
	asan="detect_leaks=1:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1"
	asan+=":fast_unwind_on_malloc=0:log_path=$reports/asan"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
	# third-party leaks only, each line says whose and why
	export LSAN_OPTIONS="suppressions=$DS_SRCDIR/tests/lsan.supp:print_suppressions=0"
fi

for s in "${suites[@]}"; do
	name=${s%%|*}
	cmd=${s#*|}
	echo "== $name"
	if [ "$mode" = san ]; then
		# libtracecmd allocates per record: with full stacks import-cli
		# takes 12 times as long (7 min); it lays out no graph
		export ASAN_OPTIONS=$asan
		[ "$name" = san-import-cli ] && ASAN_OPTIONS+=":fast_unwind_on_malloc=1"
	fi
	SECONDS=0
	$cmd 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	[ "$mode" = san ] && echo "($name: ${SECONDS} s)"
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ "$mode" = san ] && [ -n "$(ls -A "$reports")" ]; then
		# "WARNING: AddressSanitizer failed to allocate": a NULL malloc
		# (allocator_may_return_null above); any ERROR is a report, and
		# LSan's fatal error (under ptrace, say) is a leak check not made
		errs=$(grep -lE 'ERROR: |Sanitizer has encountered a fatal error' "$reports"/*)
		if [ -n "$errs" ]; then
			echo "FAIL $name: sanitizer reports:"
			for r in $errs; do
				echo "--- ${r##*/}"
				head -c 20000 "$r"
			done
			tf=$((tf + 1))
			bad=1
		fi
		w=$(cat "$reports"/* | grep -c WARNING)
		[ "$w" -eq 0 ] || echo "note: $name: $w sanitizer warnings, such as" \
			"$(grep -h -m1 WARNING "$reports"/* | head -n 1)"
		rm -f "$reports"/*
	fi
	if [ "$mode" = san ] &&
	   grep -qE 'runtime error:|ERROR: [A-Za-z]+Sanitizer|Sanitizer has encountered a fatal' "$log"; then
		echo "FAIL $name: a sanitizer report in the output (above)"
		tf=$((tf + 1))
		bad=1
	fi
	if [ -z "$line" ]; then
		echo "FAIL $name: exited $rc without a result line"
		tf=$((tf + 1))
		bad=1
		continue
	fi
	p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	k=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + ${k:-0}))
	[ "$rc" -eq 0 ] || bad=1
done
echo
echo "$total: $tp passed, $tf failed, $ts skipped"
exit $bad
