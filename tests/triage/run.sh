#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope triage against the real DEPT/lockdep report corpus in
# ../shared/corpus/dept-reports (read only, never copied here): every report
# parsed with the contexts, classes and verdict we read in it ourselves
# (tests/triage/expected.py), and signatures that do not change when the
# text is transformed the ways QA's logs transform it.
set -u
SRC=${DS_SRCDIR:?}
OUT=${OUT:?}
DS=$OUT/deptscope
CORPUS=${DS_CORPUS:-$SRC/../shared/corpus/dept-reports}
if [ ! -d "$CORPUS" ]; then
	echo "SKIP: no report corpus at $CORPUS (../shared is not here)"
	echo "triage: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec python3 "$SRC/tests/triage/check.py" "$DS" "$CORPUS"
