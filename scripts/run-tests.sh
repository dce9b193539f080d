#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make test: run every suite even if one fails, then one closing line with
# the totals.  Each suite ends with its own "NAME: N passed, N failed[, N
# skipped]" line; a suite that dies without one counts as one failure.
set -u
: "${OUT:?}" "${DS_SRCDIR:?}"
cd "$DS_SRCDIR"
export OUT DS_SRCDIR

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
	"fuzz|tests/fuzz/run.sh"
	"live|$OUT/tests/live/live"
	"detach|tests/live/detach.sh"
	"kernel|tests/kernel/check-patches.sh"
	"vm|tests/vm/vmtest.sh"
)
tp=0 tf=0 ts=0 bad=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for s in "${suites[@]}"; do
	name=${s%%|*}
	cmd=${s#*|}
	echo "== $name"
	$cmd 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
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
echo "tests: $tp passed, $tf failed, $ts skipped"
exit $bad
