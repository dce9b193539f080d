#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Privileges and output files (docs/reliability.md, "Privileges and files").
# The live commands as user nobody with only the capabilities they need,
# and refused in one line when one is missing.  Every output file the CLI
# writes, aimed at a symbolic link planted by nobody in a sticky shared
# directory: the link is replaced or refused, the file it points at stays as
# it was.  File modes, two recorders at once, a recorder killed with SIGKILL,
# and a full disk (a small tmpfs).  Parts that need root, setpriv, tmux or
# trace-cmd say SKIP when they cannot run.
set -u
# shellcheck source=tests/lib/cli.sh
. "${DS_SRCDIR:?}/tests/lib/cli.sh"
GEN=$OUT/bench/dsgen
T=/sys/kernel/tracing
skip=0
umask 022

skipped() { echo "SKIP: $*"; skip=$((skip + 1)); }
# check NAME WHY CMD...: ok when CMD succeeds, else bad with WHY
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then ok "$name"; else bad "$name" "$why"; fi
}
# has NAME FILE PATTERN: FILE ($tmp/out or $tmp/err) matches the extended regex
has() {
	if grep -qE -- "$3" "$tmp/$2"; then ok "$1"; else bad "$1" "no /$3/ in $2: $(head -c 300 "$tmp/$2")"; fi
}
# mode NAME FILE MODE: FILE has this octal mode
mode() {
	local m
	m=$(stat -c %a "$2" 2>/dev/null)
	if [ "$m" = "$3" ]; then ok "$1: mode $3"; else bad "$1" "mode '$m', want $3"; fi
}
# status FILE: the recording_status deptscope report gives FILE
status() {
	"$DS" report --json --hang-ms 100000 "$1" 2>/dev/null | python3 -c \
		'import json, sys; print(json.loads(sys.stdin.readlines()[-1])["recording_status"])' 2>/dev/null
}
# wait_line FILE PATTERN: up to 10 s for FILE to have a line matching PATTERN
wait_line() {
	local i
	for i in $(seq 100); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

root=0
[ "$(id -u)" -eq 0 ] && root=1
nobody=0
if [ $root -eq 1 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	nobody=1
	NOGROUP=$(id -g nobody)
fi
as_nobody() { setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups "$@"; }
# with_caps CAPS CMD...: CMD as nobody with exactly CAPS ("bpf,perfmon"; "" for none)
with_caps() {
	local c="" x
	for x in ${1//,/ }; do c="$c,+$x"; done
	shift
	setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups --inh-caps="-all$c" \
		--ambient-caps="-all$c" --bounding-set="-all$c" "$@"
}
export TMUX_TMPDIR=$tmp	# a tmux server of our own: never the user's
S=dsprivs-$$
live=0
[ $root -eq 1 ] && "$DS" fence -d 0.2 >/dev/null 2>&1 && live=1

chmod 711 "$tmp"		# nobody may reach the directories made for it below
"$GEN" -o "$tmp/g.dsr" -n 1004 -H >/dev/null || { bad "dsgen" "failed"; exit 1; }

# ---------------------------------------------------------------------------
# 1. Capabilities: CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH (tracefs is 0700)
# ---------------------------------------------------------------------------
if [ $root -ne 1 ]; then
	skipped "capabilities: not root: cannot run the live commands as nobody with chosen capabilities"
elif [ $nobody -ne 1 ]; then
	skipped "capabilities: no setpriv (util-linux) or no user nobody"
elif ! with_caps bpf,perfmon,dac_read_search true 2>/dev/null; then
	skipped "capabilities: setpriv cannot give nobody CAP_BPF, CAP_PERFMON and" \
		"CAP_DAC_READ_SEARCH here (not in our bounding set?)"
elif [ $live -ne 1 ]; then
	skipped "capabilities: the live commands do not work here even as root (BPF, BTF, tracefs?)"
else
	NEED=bpf,perfmon,dac_read_search
	# tracefs mounted readable for others (gid=, mode=) needs no capability
	if with_caps "" test -r $T/events/header_page; then
		NEED=bpf,perfmon
		echo "note: tracefs is readable without CAP_DAC_READ_SEARCH here"
	fi
	U=$tmp/u
	mkdir -m 0777 "$U"

	expect "fence as nobody with $NEED" 0 with_caps $NEED "$DS" fence -d 1
	has "fence as nobody: attached (the Tracing line)" err '^Tracing dma_fence waits'
	expect "record as nobody with $NEED" 0 with_caps $NEED "$DS" record -o "$U/r.dsr" -d 1
	has "record as nobody: attached (the Recording line)" err '^Recording dma_fence'
	check "record as nobody: the file is nobody's" "owner $(stat -c %U "$U/r.dsr" 2>&1)" \
		[ "$(stat -c %U "$U/r.dsr" 2>/dev/null)" = nobody ]
	mode "record as nobody" "$U/r.dsr" 600
	case $(status "$U/r.dsr") in
	complete*) ok "record as nobody: a complete recording" ;;
	*) bad "record as nobody" "status '$(status "$U/r.dsr")'" ;;
	esac
	# dma_buf tracepoints exist from Linux 7.0: nobody gets what root gets
	"$DS" dmabuf -d 1 >/dev/null 2>"$tmp/root.err"
	want=$?
	expect "dmabuf as nobody with $NEED: exit $want, as root" $want \
		with_caps $NEED "$DS" dmabuf -d 1
	if [ $want -eq 0 ]; then
		has "dmabuf as nobody: attached" err '^Tracing'
	elif diff -q "$tmp/root.err" "$tmp/err" >/dev/null; then
		ok "dmabuf as nobody: the message root gets ($(head -c 80 "$tmp/err"))"
	else
		bad "dmabuf as nobody" "root: $(cat "$tmp/root.err") nobody: $(cat "$tmp/err")"
	fi
	expect "top --batch live as nobody with $NEED" 0 \
		with_caps $NEED "$DS" top --batch -n 1 --interval 300 --pane overview
	has "top as nobody: the live overview" out '^Overview: live'
	expect "CAP_SYS_ADMIN stands for CAP_BPF and CAP_PERFMON" 0 \
		with_caps "sys_admin${NEED#bpf,perfmon}" "$DS" fence -d 0.5

	for cap in ${NEED//,/ }; do
		have=$(tr ',' '\n' <<<"$NEED" | grep -vx "$cap" | paste -sd, -)
		CAP=CAP_${cap^^}
		for cmd in fence dmabuf record; do
			args=(-d 1)
			[ $cmd = record ] && args+=(-o "$U/drop.dsr")
			expect "$cmd without $CAP: exit 1" 1 with_caps "$have" "$DS" $cmd "${args[@]}"
			one_line "$cmd without $CAP"
			has "$cmd without $CAP: names it" err \
				"needs CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH \(or root\): missing $CAP( \(|$)"
		done
		check "record without $CAP: no file" "file left" [ ! -e "$U/drop.dsr" ]
	done
	expect "fence without any capability: exit 1" 1 with_caps "" "$DS" fence -d 1
	one_line "fence without any capability"
	has "no capability: all three named" err 'missing CAP_BPF, CAP_PERFMON(, CAP_DAC_READ_SEARCH|$)'
	expect "root: fence as before" 0 "$DS" fence -d 0.5
	has "root: attached" err '^Tracing dma_fence waits'
fi

# ---------------------------------------------------------------------------
# 2. Links planted in a sticky shared directory, pointing at a victim file
# ---------------------------------------------------------------------------
SH=$tmp/shared
mkdir -m 1777 "$SH"
VIC=$tmp/victim
printf 'precious\n' >"$VIC"
chmod 666 "$VIC"	# writable by all: only deptscope's own care protects it
# plant NAME [TARGET]: a link $SH/NAME -> TARGET (the victim), made by nobody
plant() {
	rm -f "$SH/$1"
	if [ $nobody -eq 1 ]; then as_nobody ln -s "${2:-$VIC}" "$SH/$1"; else ln -s "${2:-$VIC}" "$SH/$1"; fi
}
# safe NAME: the victim is as it was and no link target was created
safe() {
	local made
	made=$(find "$tmp" -maxdepth 1 -name 'new-*' | head -3)
	if [ "$(cat "$VIC")" = precious ] && [ -z "$made" ]; then ok "$1: the victim is untouched"
	else bad "$1" "victim now '$(head -c 80 "$VIC")', created: $made"; fi
}
# replaced NAME FILE: FILE is now a regular file of its own, not the link
replaced() {
	if [ -f "$2" ] && [ ! -L "$2" ]; then ok "$1: the link was replaced by a new file"
	else bad "$1" "$(ls -l "$2" 2>&1)"; fi
}
[ $nobody -eq 1 ] || echo "note: not root: the links are planted by this user, not by nobody"

plant x.json
expect "export -o a planted link" 0 "$DS" export -f chrome "$tmp/g.dsr" -o "$SH/x.json"
replaced "export" "$SH/x.json"
safe "export"
check "export: valid JSON" "invalid JSON" \
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$SH/x.json"
mode "export (umask 022)" "$SH/x.json" 644

rm -f "$SH/f.json"
if [ $nobody -eq 1 ]; then as_nobody mkfifo "$SH/f.json"; else mkfifo "$SH/f.json"; fi
expect "export -o a planted FIFO: not written into" 0 \
	timeout 20 "$DS" export -f chrome "$tmp/g.dsr" -o "$SH/f.json"
replaced "export over a FIFO" "$SH/f.json"

cat >"$tmp/deps" <<'EOF'
All classes:

[ffff888100000010] &a->lock
 -> [ffff888100000020] &b->lock

[ffff888100000020] &b->lock
 -> [ffff888100000010] &a->lock

EOF
plant g.dot
expect "graph -o a planted link" 0 "$DS" graph --proc-deps "$tmp/deps" -f dot -o "$SH/g.dot"
replaced "graph" "$SH/g.dot"
safe "graph"
mode "graph" "$SH/g.dot" 644

printf 'Linux version 6.18 (no reports in this log)\n' >"$tmp/quiet.log"
plant j.xml
plant h.html
expect "triage --junit --html to planted links" 0 \
	"$DS" triage --no-db --junit "$SH/j.xml" --html "$SH/h.html" "$tmp/quiet.log"
replaced "triage --junit" "$SH/j.xml"
replaced "triage --html" "$SH/h.html"
safe "triage --junit/--html"
mode "triage --junit" "$SH/j.xml" 644

plant d.dot
plant d.svg
expect "dept --dot --svg to planted links (a cycle: exit 3)" 3 \
	"$DS" dept --proc-deps "$tmp/deps" -d 0.3 --dot "$SH/d.dot" --svg "$SH/d.svg"
replaced "dept --dot" "$SH/d.dot"
replaced "dept --svg" "$SH/d.svg"
safe "dept --dot/--svg"

# the known-issue database is changed in place: a link in /tmp is refused
plant t.db
expect "triage --db a planted link: refused" 1 "$DS" triage --db "$SH/t.db" "$tmp/quiet.log"
one_line "triage --db link"
has "triage --db link: says why" err 'symbolic link in a sticky shared directory'
check "triage --db link: the link is left alone" "gone" [ -L "$SH/t.db" ]
plant t2.db "$tmp/new-db"
expect "triage --db a dangling planted link: refused" 1 "$DS" triage --db "$SH/t2.db" "$tmp/quiet.log"
plant t3.db-wal
expect "triage --db with a planted -wal link: refused" 1 "$DS" triage --db "$SH/t3.db" "$tmp/quiet.log"
check "triage --db -wal link: no database made" "t3.db made" [ ! -e "$SH/t3.db" ]
safe "triage --db"
expect "triage --db in the shared directory, nothing planted" 0 \
	"$DS" triage --db "$SH/ok.db" "$tmp/quiet.log"
mode "triage database in /tmp" "$SH/ok.db" 600
expect "triage --db, new directories" 0 "$DS" triage --db "$tmp/dbdir/sub/t.db" "$tmp/quiet.log"
mode "triage database" "$tmp/dbdir/sub/t.db" 600
mode "triage database directory" "$tmp/dbdir/sub" 700
for f in "$tmp/dbdir/sub/t.db"-{wal,shm}; do [ -e "$f" ] && mode "SQLite ${f##*-} file" "$f" 600; done

# a trace.dat of this host for import (as tests/cli/import.sh makes one)
dat=
if [ $root -eq 1 ] && command -v trace-cmd >/dev/null && [ -d $T/events/sched ]; then
	inst=deptscope-privs-$$
	I=$T/instances/$inst
	if mkdir "$I" 2>/dev/null && echo 1 >"$I/events/sched/sched_process_exec/enable"; then
		for i in $(seq 20); do /bin/true; done
		trace-cmd extract -B "$inst" -o "$tmp/host.dat" >/dev/null 2>&1 && dat=$tmp/host.dat
	fi
	[ -d "$I" ] && rmdir "$I"
fi
if [ -z "$dat" ]; then
	skipped "import: no trace.dat (needs root and trace-cmd)"
else
	plant i.dsr
	expect "import -o a planted link" 0 "$DS" import "$dat" -o "$SH/i.dsr"
	replaced "import" "$SH/i.dsr"
	safe "import"
	mode "import" "$SH/i.dsr" 600
	ln -s "$VIC" "$tmp/ilink.dsr"
	expect "import -o a link outside /tmp: refused" 1 "$DS" import "$dat" -o "$tmp/ilink.dsr"
	one_line "import -o link"
	has "import -o link: says why" err 'symbolic link'
	safe "import -o link"
fi

if [ $live -ne 1 ]; then
	skipped "record: the live commands need root (and BPF) here"
else
	plant r.dsr
	expect "record -o a planted link" 0 "$DS" record -o "$SH/r.dsr" -d 1
	replaced "record" "$SH/r.dsr"
	safe "record"
	mode "record" "$SH/r.dsr" 600
	ln -s "$VIC" "$tmp/rlink.dsr"
	expect "record -o a link outside /tmp: refused" 1 "$DS" record -o "$tmp/rlink.dsr" -d 1
	has "record -o link: says why" err 'error: cannot create .*: a symbolic link, and recordings'
	safe "record -o link"
	rm -f "$SH/p.dsr"
	if [ $nobody -eq 1 ]; then
		as_nobody sh -c "umask 0; : >'$SH/p.dsr'"
		expect "record -o a file nobody made beforehand" 0 "$DS" record -o "$SH/p.dsr" -d 1
		check "record: a new file of ours, not nobody's" "$(ls -l "$SH/p.dsr")" \
			[ "$(stat -c %u "$SH/p.dsr")" = 0 ]
		mode "record over nobody's file" "$SH/p.dsr" 600
	fi
	expect "record -o /dev/null" 0 "$DS" record -o /dev/null -d 0.5
fi
expect "export -o /dev/null" 0 "$DS" export -f chrome "$tmp/g.dsr" -o /dev/null
check "export -o /dev/null: still the device" "$(ls -l /dev/null)" [ -c /dev/null ]
ln -s /proc/self/fd/1 "$tmp/stdout"
if "$DS" export -f chrome "$tmp/g.dsr" -o "$tmp/stdout" 2>/dev/null |
	python3 -c 'import json, sys; json.load(sys.stdin)' && [ -L "$tmp/stdout" ]; then
	ok "export -o a link to stdout (a pipe): written into, the link kept"
else bad "export to stdout" "$(ls -l "$tmp/stdout")"; fi

# top's e and r in --save-dir: links planted at the names the next 30 s give
if ! command -v tmux >/dev/null; then
	skipped "top e/r: tmux is not installed"
else
	"$GEN" -o "$tmp/d.dsr" -n 4 -t 1 -G 0 >/dev/null || bad "dsgen -G" "failed"
	now=$(date +%s)
	for i in $(seq 0 30); do
		st=$(date -d "@$((now + i))" +%Y%m%d-%H%M%S)
		for n in "graph-$st.dot" "graph-$st.svg" "rec-$st.dsr"; do
			plant "deptscope-$n" "$tmp/new-$n"
		done
	done
	tmux new-session -d -s "$S" -x 120 -y 40 \
		"$DS top -i $tmp/d.dsr --speed 0 --pane graph --save-dir $SH 2>$tmp/top.err; sleep 60"
	sleep 1.5
	tmux send-keys -t "$S" e
	sleep 1
	tmux send-keys -t "$S" r
	sleep 1
	tmux send-keys -t "$S" r
	sleep 1
	tmux send-keys -t "$S" q
	sleep 1
	tmux kill-session -t "$S" 2>/dev/null
	n=$(grep -cE 'wrote .*deptscope-(graph|rec)-' "$tmp/top.err")
	check "top: e and r wrote their files" "$(cat "$tmp/top.err")" [ "$n" -eq 2 ]
	sed -nE 's/.*wrote ([^ ]+\.dsr).*/\1/p; s/.*wrote ([^ ]+\.dot) and ([^ :]+).*/\1\n\2/p' \
		"$tmp/top.err" >"$tmp/top.files"
	while read -r f; do
		case $f in
		"$SH"/*) replaced "top: ${f##*/}" "$f" ;;
		*) bad "top" "wrote outside --save-dir: $f" ;;
		esac
		case $f in *.dsr) mode "top r" "$f" 600 ;; esac
	done <"$tmp/top.files"
	safe "top e/r"
fi

# ---------------------------------------------------------------------------
# 3. Two recorders, and SIGKILL
# ---------------------------------------------------------------------------
if [ $live -ne 1 ]; then
	skipped "two recorders, SIGKILL: the live commands need root (and BPF) here"
else
	"$DS" record -o "$tmp/a.dsr" -d 1 >/dev/null 2>"$tmp/a.err" &
	pa=$!
	"$DS" record -o "$tmp/b.dsr" -d 1 >/dev/null 2>"$tmp/b.err"
	rb=$?
	wait $pa
	ra=$?
	check "two recorders to two files at once: both exit 0" \
		"exit $ra and $rb: $(cat "$tmp/a.err" "$tmp/b.err")" [ "$ra/$rb" = 0/0 ]
	case "$(status "$tmp/a.dsr") / $(status "$tmp/b.dsr")" in
	complete*/\ complete*) ok "two recorders: both recordings complete" ;;
	*) bad "two recordings" "$(status "$tmp/a.dsr") / $(status "$tmp/b.dsr")" ;;
	esac

	"$DS" record -o "$tmp/same.dsr" -d 4 >/dev/null 2>"$tmp/first.err" &
	pa=$!
	if wait_line "$tmp/first.err" '^Recording'; then
		expect "a second recorder to the same file: refused" 1 \
			"$DS" record -o "$tmp/same.dsr" -d 1
		has "second recorder: says why" err \
			'error: .*same\.dsr is being recorded by another deptscope: not replacing it'
		check "second recorder: one error line" "$(cat "$tmp/err")" \
			[ "$(grep -c 'error:' "$tmp/err")" -eq 1 ]
		expect "export over the file being recorded: refused" 1 \
			"$DS" export -f chrome "$tmp/g.dsr" -o "$tmp/same.dsr"
		one_line "export over a recording in progress"
	else
		bad "first recorder" "no Recording line: $(cat "$tmp/first.err")"
	fi
	wait $pa
	ra=$?
	check "the first recorder went on (exit 0)" "exit $ra" [ $ra -eq 0 ]
	case $(status "$tmp/same.dsr") in
	complete*) ok "the first recording is complete" ;;
	*) bad "first recording" "$(status "$tmp/same.dsr")" ;;
	esac

	"$DS" record -o "$tmp/k.dsr" >/dev/null 2>"$tmp/k.err" &
	pk=$!
	if wait_line "$tmp/k.err" '^Recording'; then
		sleep 0.5
		kill -KILL $pk
		wait $pk 2>/dev/null
		expect "report after SIGKILL of the recorder" 0 "$DS" report "$tmp/k.dsr"
		has "SIGKILL: truncated, up to the last complete record" err \
			'truncated at byte [0-9]+ \(recorder killed\?\): [1-9][0-9]* complete records read'
		mode "SIGKILL: the recording" "$tmp/k.dsr" 600
	else
		kill -KILL $pk 2>/dev/null
		bad "recorder to kill" "no Recording line: $(cat "$tmp/k.err")"
	fi
	left=$(find "$tmp" -maxdepth 1 \( -name '*.tmp.*' -o -name '*.import-*' \))
	check "no temporary files left behind" "$left" [ -z "$left" ]
fi

# ---------------------------------------------------------------------------
# 4. A full disk: a 128 KiB tmpfs
# ---------------------------------------------------------------------------
M=$tmp/small
mkdir "$M"
if [ $root -ne 1 ] || ! mount -t tmpfs -o size=128k,mode=0755 tmpfs "$M" 2>/dev/null; then
	skipped "disk full: cannot mount a small tmpfs (needs root)"
else
	trap 'umount "$M" 2>/dev/null; rm -rf "$tmp"' EXIT
	expect "a recording that outgrows the disk (dsgen, lib/record.c)" 1 \
		"$GEN" -o "$M/x.dsr" -n 100000
	one_line "dsgen on a full disk"
	has "dsgen: ENOSPC named" err 'No space left on device'
	case $(status "$M/x.dsr") in
	"truncated at byte"*) ok "the partial recording reads to its last complete record" ;;
	*) bad "partial recording" "$(status "$M/x.dsr")" ;;
	esac
	rm -f "$M"/*

	if command -v tmux >/dev/null; then
		# 10 s at 20000 events/s, about 2.5 MiB/s: r fills the disk at once
		"$GEN" -o "$tmp/paced.dsr" -n 200000 -r 20000 >/dev/null
		tmux new-session -d -s "$S" -x 120 -y 40 \
			"$DS top -i $tmp/paced.dsr --interval 100 --save-dir $M 2>$tmp/top.err; sleep 60"
		sleep 1
		tmux send-keys -t "$S" r
		sleep 2
		tmux send-keys -t "$S" q
		sleep 1
		tmux kill-session -t "$S" 2>/dev/null
		has "top r on a full disk: the recording stops, ENOSPC named" top.err \
			'error: writing .*: No space left on device; recording stopped'
		rec=$(find "$M" -name 'deptscope-rec-*.dsr' | head -1)
		case $(status "$rec") in
		"truncated at byte"*) ok "top r: the partial recording reads to its last complete record" ;;
		*) bad "top r partial recording" "'$rec': $(status "$rec")" ;;
		esac
		rm -f "$M"/*
	else
		skipped "top r on a full disk: tmux is not installed"
	fi

	"$GEN" -o "$tmp/big.dsr" -n 100000 >/dev/null
	expect "export to a full disk" 1 "$DS" export -f chrome "$tmp/big.dsr" -o "$M/z.json"
	one_line "export to a full disk"
	has "export: ENOSPC named" err 'writing .*z\.json failed: No space left on device'
	check "export to a full disk: nothing left behind" "$(ls "$M")" [ -z "$(ls -A "$M")" ]

	dd if=/dev/zero of="$M/fill" bs=4k 2>/dev/null
	if [ $live -eq 1 ]; then
		expect "record onto a full disk" 1 "$DS" record -o "$M/y.dsr" -d 0.5
		has "record on a full disk: ENOSPC named" err \
			'error: cannot create .*y\.dsr: No space left on device'
	fi
	if [ -n "$dat" ]; then
		expect "import onto a full disk" 1 "$DS" import "$dat" -o "$M/i.dsr"
		one_line "import onto a full disk"
		has "import on a full disk: ENOSPC named" err 'No space left on device'
	fi
	check "full disk: nothing left behind" "$(ls "$M")" [ "$(ls -A "$M")" = fill ]
	umount "$M"
fi

echo "privs-cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
