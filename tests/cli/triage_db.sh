#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope triage mark / triage list end to end: usage errors, missing,
# foreign and newer databases, and (with the sqlite3 command) marking and
# listing the buckets of a hand-made schema v1 database, which the first
# command migrates.  The library itself is tested in tests/unit/test_triage_db.c.
set -u
. "${DS_SRCDIR:?}/tests/lib/cli.sh"

# has NAME FILE PATTERN: FILE (out or err) matches the extended regex
has() {
	if grep -qE -- "$3" "$tmp/$2"; then ok "$1"; else bad "$1" "no /$3/ in $2: $(head -c 300 "$tmp/$2")"; fi
}

# json NAME PYTHON: the last stdout is JSON and the Python assertions on d hold
json() {
	if python3 - "$tmp/out" "$2" <<'PY' 2>"$tmp/pyerr"
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
	then ok "$1"; else bad "$1" "$(tail -n 3 "$tmp/pyerr")"; fi
}

db=$tmp/t.db

# ---- without a database ----
for c in mark list; do
	expect "triage $c --help" 0 "$DS" triage $c --help
	has "triage $c --help usage line" out "^Usage: deptscope triage $c"
done
expect "mark needs --status" 2 "$DS" triage mark D-000000000001 --db "$db"
one_line "mark needs --status"
expect "mark needs a bucket" 2 "$DS" triage mark --status known --db "$db"
expect "unknown status" 2 "$DS" triage mark D-000000000001 --status wontfix --db "$db"
one_line "unknown status"
has "unknown status lists the statuses" err "new, known, false-positive, fixed or duplicate"
expect "duplicate needs --dup-of" 2 "$DS" triage mark D-000000000001 --status duplicate --db "$db"
expect "--dup-of needs duplicate" 2 "$DS" triage mark D-000000000001 --status known \
	--dup-of D-000000000002 --db "$db"
expect "list takes no argument" 2 "$DS" triage list extra --db "$db"
long=$(head -c 600 /dev/zero | tr '\0' x)
expect "too long a note" 2 "$DS" triage mark D-000000000001 --status known --note "$long" --db "$db"
one_line "too long a note"

expect "no HOME, no XDG_DATA_HOME: list" 1 env -u HOME -u XDG_DATA_HOME "$DS" triage list
one_line "no default path (list)"
has "no default path suggests --db" err "--db"
expect "no HOME, no XDG_DATA_HOME: mark" 1 env -u HOME -u XDG_DATA_HOME "$DS" triage mark \
	D-000000000001 --status known
one_line "no default path (mark)"

expect "mark without a database" 1 "$DS" triage mark D-000000000001 --status known --db "$db"
one_line "mark without a database"
has "mark without a database: unknown bucket" err "unknown bucket D-000000000001"
expect "list without a database" 0 "$DS" triage list --db "$db"
has "list without a database: header" out "^BUCKET +STATUS +COUNT +LAST-SEEN"
expect "list --json without a database" 0 "$DS" triage list --json --db "$db"
json "empty JSON list" 'assert d == {"buckets": []}, d'
[ ! -e "$db" ] && ok "mark and list create no database" || bad "no database" "$db was created"

head -c 4096 /dev/urandom >"$tmp/garbage.db"
cp "$tmp/garbage.db" "$tmp/garbage.orig"
expect "garbage database: list" 1 "$DS" triage list --db "$tmp/garbage.db"
one_line "garbage database"
has "garbage database message" err "not a deptscope triage database"
expect "garbage database: mark" 1 "$DS" triage mark D-000000000001 --status known \
	--db "$tmp/garbage.db"
cmp -s "$tmp/garbage.db" "$tmp/garbage.orig" && ok "garbage left untouched" ||
	bad "garbage" "file changed"
expect "a directory as database" 1 "$DS" triage list --db "$tmp"
one_line "directory database"

# ---- a database with buckets: needs the sqlite3 command ----
if ! command -v sqlite3 >/dev/null; then
	echo "SKIP: no sqlite3 command (Debian package sqlite3): marking and listing not tested"
	echo "triage-db-cli: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
fi

# schema v1 as deptscope 0.1 wrote it, with three buckets
cat >"$tmp/v1.sql" <<'SQL'
PRAGMA application_id = 1146311748;
CREATE TABLE buckets (bucket TEXT PRIMARY KEY NOT NULL, signature TEXT NOT NULL,
  kind TEXT NOT NULL, verdict TEXT NOT NULL DEFAULT '', cycle TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'new', note TEXT NOT NULL DEFAULT '',
  dup_of TEXT REFERENCES buckets(bucket), first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,
  first_file TEXT NOT NULL DEFAULT '', kernel TEXT NOT NULL DEFAULT '',
  report TEXT NOT NULL DEFAULT '');
CREATE INDEX buckets_by_last_seen ON buckets(last_seen);
CREATE TABLE runs (id INTEGER PRIMARY KEY, started INTEGER NOT NULL,
  argv TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '');
CREATE TABLE occurrences (id INTEGER PRIMARY KEY,
  bucket TEXT NOT NULL REFERENCES buckets(bucket), run INTEGER REFERENCES runs(id),
  file TEXT NOT NULL, first_line INTEGER NOT NULL, last_line INTEGER NOT NULL,
  kernel TEXT NOT NULL DEFAULT '', seen_at INTEGER NOT NULL);
CREATE INDEX occurrences_by_bucket ON occurrences(bucket, seen_at);
PRAGMA user_version = 1;
INSERT INTO runs VALUES (1, 1700000000, 'triage console.log', '0.1.0');
INSERT INTO buckets (bucket, signature, kind, verdict, cycle, status, note, first_seen,
  last_seen, count, first_file, kernel, report) VALUES
  ('D-0123456789ab', 'dept|a', 'dept', 'deadlock', 'jbd2_handle -> PG_locked -> jbd2_handle',
   'new', '', 1700000000, 1700000300, 3, 'console.log', '6.12.0', 'DEPT: ...'),
  ('L-00000000beef', 'lockdep|b', 'lockdep', '', '&mm->mmap_lock -> &sb->s_type->i_mutex_key',
   'known', 'old news', 1700000000, 1700000000, 1, 'console.log', '', ''),
  ('D-cafe00000000', 'dept|c', 'dept', 'timeout', 'wq -> ctx -> wq',
   'new', '', 1700000000, 1700000100, 2, 'console.log', '6.12.0', '');
INSERT INTO occurrences (bucket, run, file, first_line, last_line, kernel, seen_at) VALUES
  ('D-0123456789ab', 1, 'console.log', 10, 60, '6.12.0', 1700000000),
  ('D-0123456789ab', 1, 'console.log', 100, 150, '6.12.0', 1700000100),
  ('D-0123456789ab', 1, 'console2.log', 10, 60, '7.3.0', 1700000300),
  ('L-00000000beef', 1, 'console.log', 200, 260, '', 1700000000),
  ('D-cafe00000000', 1, 'console.log', 300, 340, '6.12.0', 1700000000),
  ('D-cafe00000000', 1, 'console.log', 400, 440, '6.12.0', 1700000100);
SQL
sqlite3 "$db" <"$tmp/v1.sql" || { bad "v1 fixture" "sqlite3 failed"; exit 1; }

expect "list a v1 database" 0 "$DS" triage list --db "$db"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 2 ] && ok "v1 database migrated to v2" ||
	bad "migration" "user_version $(sqlite3 "$db" 'PRAGMA user_version')"
[ "$(sed -n 2p "$tmp/out" | awk '{print $1, $2, $3}')" = "D-0123456789ab new 3" ] &&
	ok "latest seen first" || bad "list order" "$(cat "$tmp/out")"
has "last seen in UTC" out "^D-0123456789ab +new +3  2023-11-14 22:18  jbd2_handle -> PG_locked"
[ "$(wc -l <"$tmp/out")" -eq 4 ] && ok "a header and three rows" || bad "rows" "$(cat "$tmp/out")"

expect "list --json" 0 "$DS" triage list --json --db "$db"
json "list JSON fields" '
b = d["buckets"]
assert [x["bucket"] for x in b] == ["D-0123456789ab", "D-cafe00000000", "L-00000000beef"], b
x = b[0]
assert x["status"] == "new" and x["count"] == 3 and x["dup_of"] is None, x
assert x["first_seen"] == 1700000000 and x["last_seen"] == 1700000300, x
assert x["kernel"] == "6.12.0" and x["last_kernel"] == "7.3.0", x
assert x["kind"] == "dept" and x["verdict"] == "deadlock" and x["signature"] == "dept|a", x
assert x["note"] is None and x["link"] is None and x["first_file"] == "console.log", x
assert b[2]["status"] == "known" and b[2]["note"] == "old news" and b[2]["verdict"] is None'
expect "list --pretty" 0 "$DS" triage list --pretty --db "$db"
json "pretty JSON" 'assert len(d["buckets"]) == 3'
[ "$(wc -l <"$tmp/out")" -gt 10 ] && ok "--pretty is indented" || bad "--pretty" "$(head -3 "$tmp/out")"

expect "mark known" 0 "$DS" triage mark D-0123456789ab --status known --note 'jbd2 vs folio lock' \
	--link https://lore.kernel.org/r/1 --db "$db"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok "mark prints one line" || bad "mark output" "$(cat "$tmp/out")"
has "mark confirms the change" out '^D-0123456789ab: new -> known; note "jbd2 vs folio lock"; link https://lore.kernel.org/r/1$'
expect "mark false-positive keeps note and link" 0 "$DS" triage mark D-0123456789ab \
	--status false-positive --json --db "$db"
json "mark --json" '
assert d["bucket"] == "D-0123456789ab" and d["status"] == "false-positive", d
assert d["previous_status"] == "known" and d["note"] == "jbd2 vs folio lock", d
assert d["link"] == "https://lore.kernel.org/r/1", d'
expect "mark with an empty note clears it" 0 "$DS" triage mark D-0123456789ab --status fixed \
	--note '' --db "$db"
has "note cleared" out "note cleared"

expect "mark an unknown bucket" 1 "$DS" triage mark D-ffffffffffff --status known --db "$db"
one_line "mark an unknown bucket"
has "unknown bucket named" err "unknown bucket D-ffffffffffff"
expect "duplicate of an unknown bucket" 1 "$DS" triage mark D-cafe00000000 --status duplicate \
	--dup-of D-ffffffffffff --db "$db"
one_line "duplicate of an unknown bucket"
has "--dup-of named" err "D-ffffffffffff given to --dup-of"
expect "duplicate of itself" 1 "$DS" triage mark D-cafe00000000 --status duplicate \
	--dup-of D-cafe00000000 --db "$db"
one_line "duplicate of itself"
expect "mark duplicate" 0 "$DS" triage mark D-cafe00000000 --status duplicate \
	--dup-of D-0123456789ab --db "$db"
has "duplicate confirmed" out "^D-cafe00000000: new -> duplicate of D-0123456789ab$"
expect "duplicate loop refused" 1 "$DS" triage mark D-0123456789ab --status duplicate \
	--dup-of D-cafe00000000 --db "$db"
one_line "duplicate loop"

expect "list after marking" 0 "$DS" triage list -v --db "$db"
has "list shows the duplicate" out "^D-cafe00000000 +duplicate .*\(duplicate of D-0123456789ab\)$"
has "list -v shows the link" out "^    link: https://lore.kernel.org/r/1$"
has "list -v shows the first occurrence" out "^    first seen 2023-11-14 22:13 in console.log, kernel 6.12.0$"
[ "$(sqlite3 "$db" "SELECT group_concat(new_status, ' ') FROM (SELECT new_status FROM status_history
	WHERE bucket = 'D-0123456789ab' ORDER BY id)")" = "new known false-positive fixed" ] &&
	ok "status history kept" || bad "history" "$(sqlite3 "$db" 'SELECT * FROM status_history')"

# the default place
mkdir -p "$tmp/xdg/deptscope"
cp "$db" "$tmp/xdg/deptscope/triage.db"
expect "XDG_DATA_HOME default" 0 env XDG_DATA_HOME="$tmp/xdg" "$DS" triage list --json
json "XDG_DATA_HOME database listed" 'assert len(d["buckets"]) == 3'
mkdir -p "$tmp/home/.local/share/deptscope"
cp "$db" "$tmp/home/.local/share/deptscope/triage.db"
expect "HOME default: mark" 0 env -u XDG_DATA_HOME HOME="$tmp/home" "$DS" triage mark \
	L-00000000beef --status fixed
expect "HOME default: list" 0 env -u XDG_DATA_HOME HOME="$tmp/home" "$DS" triage list --json
json "HOME database marked" 'assert [b["status"] for b in d["buckets"] if b["bucket"] == "L-00000000beef"] == ["fixed"]'

# written by a newer deptscope
cp "$db" "$tmp/newer.db"
sqlite3 "$tmp/newer.db" 'PRAGMA user_version = 99' >/dev/null
expect "newer database: list" 1 "$DS" triage list --db "$tmp/newer.db"
one_line "newer database"
has "newer database message" err "newer deptscope"
expect "newer database: mark" 1 "$DS" triage mark D-0123456789ab --status known --db "$tmp/newer.db"
[ "$(sqlite3 "$tmp/newer.db" "SELECT status FROM buckets WHERE bucket = 'D-0123456789ab'")" = fixed ] &&
	ok "newer database not changed" || bad "newer database" "changed"

# another program's SQLite file
sqlite3 "$tmp/foreign.db" 'CREATE TABLE t (x); INSERT INTO t VALUES (1)'
expect "foreign SQLite database" 1 "$DS" triage list --db "$tmp/foreign.db"
has "foreign database message" err "not a deptscope triage database"

echo "triage-db-cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
