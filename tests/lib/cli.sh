# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by the CLI test scripts: counters, a scratch directory and the
# checks they share.  The script prints its own "NAME: N passed, N failed".
DS=${OUT:?}/deptscope
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# expect NAME RC CMD...: run, compare the exit status
expect() {
	local name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $rc, want $want: $(head -c 300 "$tmp/err")"; fi
}

# one_line NAME: stderr of the last command is exactly one line
one_line() {
	local n
	n=$(wc -l <"$tmp/err")
	if [ "$n" -eq 1 ]; then ok "$1: one-line error"; else bad "$1" "stderr has $n lines: $(cat "$tmp/err")"; fi
}
