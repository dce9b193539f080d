#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Project rules a compiler does not check.  Prints what is wrong, one line
# each, and "style: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0

rule() {	# rule NAME OUTPUT
	if [ -z "$2" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL style: $1"
		printf '%s\n' "$2" | head -20 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}

csrc=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^bpf/vmlinux/' || true)
[ -n "$csrc" ] || csrc=$(find lib tools tests bench bpf viewer -name '*.[ch]' -not -path 'bpf/vmlinux/*')

rule "lib/ must not include UI, Graphviz or tool headers" \
	"$(grep -nE '#include [<"](n?curses|gvc|cgraph|graphviz/|\.\./tools|\.\./viewer|cli\.h)' lib/*.c lib/*.h lib/include/deptscope/*.h 2>/dev/null)"
# A forked child must end with _exit() (exit() would run the caller's atexit
# handlers and flush its stdio buffers twice); such a line says "forked child".
rule "no exit() in library code" "$(grep -nE '\b_?exit\(' lib/*.c 2>/dev/null |
	grep -vE '\b_exit\(.*forked child')"
rule "only lib/log.c sets libbpf's print callback" \
	"$(grep -lE '^[^*/]*libbpf_set_print\(' $csrc | grep -v '^lib/log.c$')"
rule "skeletons are included only by lib/*_bpf.c" \
	"$(grep -lE '#include "[a-z_]+\.skel\.h"' $csrc | grep -vE '^lib/[a-z_]+_bpf\.c$')"
rule "lines of C at most 100 columns (tabs are 8)" \
	"$(for f in $csrc; do expand -t 8 "$f" | awk -v f="$f" 'length > 100 { print f ":" NR ": " length " columns" }'; done)"
rule "no trailing whitespace" "$(grep -nE '[[:space:]]+$' $csrc)"
rule "indent with tabs, not spaces" \
	"$(grep -nE '^ {8,}[^ *]' $csrc)"
rule "no wire struct uses long, bool or enum fields" \
	"$(awk '/^struct ds_/ { in_s = 1 } in_s && /^\t(long|bool|enum|unsigned long|int) / { print FILENAME ":" FNR ": " $0 } /^};/ { in_s = 0 }' bpf/deptscope_events.h)"

echo "style: $pass passed, $fail failed"
[ $fail -eq 0 ]
