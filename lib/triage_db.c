// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The known-issue database of `deptscope triage` (docs/triage-db.md).
 *
 * Every statement is prepared from a constant string and fed through
 * sqlite3_bind_*(): no SQL is ever built from a value.  The schema version
 * is PRAGMA user_version, raised by the ordered migrations below, all of
 * them in one transaction; PRAGMA application_id tells our files from other
 * SQLite files, which are never written to.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include "deptscope/log.h"
#include "deptscope/triage_db.h"
#include "deptscope/util.h"
#include "deptscope/version.h"

/* "DSTD": deptscope triage database */
#define DS_TRIAGE_APP_ID	0x44535444

#define STR_(x)			#x
#define STR(x)			STR_(x)

/* Bounds the walk along dup_of links; a longer chain is treated as a loop. */
#define MAX_DUP_CHAIN		10000

/*
 * migrations[i] takes the schema from version i to i + 1.  Append only:
 * a released migration is never edited, since files out there ran it.
 */
static const char *const migrations[] = {
	/* v1: buckets, runs, occurrences */
	"PRAGMA application_id = 1146311748;"	/* DS_TRIAGE_APP_ID */
	"CREATE TABLE buckets ("
	"  bucket TEXT PRIMARY KEY NOT NULL,"
	"  signature TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  verdict TEXT NOT NULL DEFAULT '',"
	"  cycle TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'new',"
	"  note TEXT NOT NULL DEFAULT '',"
	"  dup_of TEXT REFERENCES buckets(bucket),"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  first_file TEXT NOT NULL DEFAULT '',"
	"  kernel TEXT NOT NULL DEFAULT '',"
	"  report TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX buckets_by_last_seen ON buckets(last_seen);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started INTEGER NOT NULL,"
	"  argv TEXT NOT NULL DEFAULT '',"
	"  version TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE TABLE occurrences ("
	"  id INTEGER PRIMARY KEY,"
	"  bucket TEXT NOT NULL REFERENCES buckets(bucket),"
	"  run INTEGER REFERENCES runs(id),"
	"  file TEXT NOT NULL,"
	"  first_line INTEGER NOT NULL,"
	"  last_line INTEGER NOT NULL,"
	"  kernel TEXT NOT NULL DEFAULT '',"
	"  seen_at INTEGER NOT NULL"
	");"
	"CREATE INDEX occurrences_by_bucket ON occurrences(bucket, seen_at);",

	/* v2: link, last_kernel, the status history */
	"ALTER TABLE buckets ADD COLUMN link TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE buckets ADD COLUMN last_kernel TEXT NOT NULL DEFAULT '';"
	"UPDATE buckets SET last_kernel = COALESCE((SELECT o.kernel FROM occurrences o"
	"  WHERE o.bucket = buckets.bucket AND o.kernel <> ''"
	"  ORDER BY o.seen_at DESC, o.id DESC LIMIT 1), '');"
	"CREATE TABLE status_history ("
	"  id INTEGER PRIMARY KEY,"
	"  bucket TEXT NOT NULL REFERENCES buckets(bucket),"
	"  at INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  old_status TEXT,"
	"  new_status TEXT NOT NULL,"
	"  note TEXT,"
	"  link TEXT,"
	"  dup_of TEXT"
	");"
	"CREATE INDEX status_history_by_bucket ON status_history(bucket, at);"
	"INSERT INTO status_history (bucket, at, origin, new_status, note, dup_of)"
	"  SELECT bucket, CAST(strftime('%s', 'now') AS INTEGER), 'migration', status,"
	"  note, dup_of FROM buckets;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == DS_TRIAGE_DB_VERSION,
	       "one migration per schema version");

/* The columns of struct ds_triage_bucket, in the order bucket_from_row() reads. */
#define BUCKET_COLS							\
	"bucket, signature, kind, verdict, cycle, status, note, link, "	\
	"COALESCE(dup_of, ''), first_seen, last_seen, count, first_file, kernel, last_kernel"

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_GET,
	ST_EXISTS,
	ST_SIGNATURE,
	ST_INSERT_BUCKET,
	ST_UPDATE_BUCKET,
	ST_INSERT_OCC,
	ST_INSERT_RUN,
	ST_INSERT_CHANGE,
	ST_DUP_OF,
	ST_MARK,
	ST_REPORT,
	ST_NR,
};

static const char *const stmt_sql[ST_NR] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT ds_unit",
	[ST_RELEASE] = "RELEASE ds_unit",
	[ST_ROLLBACK_TO] = "ROLLBACK TO ds_unit",
	[ST_GET] = "SELECT " BUCKET_COLS " FROM buckets WHERE bucket = ?1",
	[ST_EXISTS] = "SELECT status FROM buckets WHERE bucket = ?1",
	[ST_SIGNATURE] = "SELECT signature = ?2 FROM buckets WHERE bucket = ?1",
	[ST_INSERT_BUCKET] =
		"INSERT INTO buckets (bucket, signature, kind, verdict, cycle, status, first_seen,"
		" last_seen, count, first_file, kernel, last_kernel, report)"
		" VALUES (?1, ?2, ?3, ?4, ?5, 'new', ?6, ?6, 1, ?7, ?8, ?8, ?9)",
	/* every right-hand side sees the row as it was before this UPDATE */
	[ST_UPDATE_BUCKET] =
		"UPDATE buckets SET count = count + 1,"
		" first_seen = MIN(first_seen, ?2),"
		" last_seen = MAX(last_seen, ?2),"
		" first_file = CASE WHEN ?2 < first_seen THEN ?3 ELSE first_file END,"
		" kernel = CASE WHEN ?4 <> '' AND (kernel = '' OR ?2 < first_seen)"
		"  THEN ?4 ELSE kernel END,"
		" last_kernel = CASE WHEN ?4 <> '' AND (last_kernel = '' OR ?2 >= last_seen)"
		"  THEN ?4 ELSE last_kernel END,"
		" verdict = CASE WHEN verdict = '' THEN ?5 ELSE verdict END,"
		" cycle = CASE WHEN cycle = '' THEN ?6 ELSE cycle END,"
		" report = CASE WHEN ?7 <> '' AND (report = '' OR ?2 < first_seen)"
		"  THEN ?7 ELSE report END"
		" WHERE bucket = ?1",
	[ST_INSERT_OCC] =
		"INSERT INTO occurrences (bucket, run, file, first_line, last_line, kernel,"
		" seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_INSERT_RUN] = "INSERT INTO runs (started, argv, version) VALUES (?1, ?2, ?3)",
	[ST_INSERT_CHANGE] =
		"INSERT INTO status_history (bucket, at, origin, old_status, new_status, note,"
		" link, dup_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_DUP_OF] = "SELECT dup_of FROM buckets WHERE bucket = ?1",
	[ST_MARK] =
		"UPDATE buckets SET status = ?2, note = COALESCE(?3, note),"
		" link = COALESCE(?4, link), dup_of = ?5 WHERE bucket = ?1",
	[ST_REPORT] = "SELECT report FROM buckets WHERE bucket = ?1",
};

struct ds_triage_db {
	sqlite3 *sql;
	char *path;
	int opened_version;
	sqlite3_stmt *stmt[ST_NR];
};

static const char *const statuses[] = { "new", "known", "false-positive", "fixed", "duplicate" };

bool ds_triage_status_valid(const char *status)
{
	unsigned int i;

	if (!status)
		return false;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(status, statuses[i]))
			return true;
	return false;
}

const char *ds_triage_db_strerror(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a deptscope triage database";
	case -EPROTONOSUPPORT:
		return "database written by a newer deptscope (schema newer than v"
		       STR(DS_TRIAGE_DB_VERSION) "): upgrade deptscope";
	case -EBUSY:
		return "database locked by another process for more than 5 s";
	case -EBADMSG:
		return "database file is corrupt";
	case -EEXIST:
		return "bucket id exists with another signature";
	case -ELOOP:
		return "duplicate of a bucket that is itself a duplicate of this one";
	case -E2BIG:
		return "text too long";
	case -ENOLINK:
		return "a symbolic link in a sticky shared directory (like /tmp): not followed";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

_Static_assert(DS_TRIAGE_DB_BUSY_MS == 5000, "update the message of -EBUSY");

static int map_rc(sqlite3 *sql, int rc)
{
	int sys;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_PROTOCOL:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
		return -EINVAL;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		sys = sql ? sqlite3_system_errno(sql) : 0;
		return sys > 0 ? -sys : -EIO;
	default:
		return -EIO;
	}
}

/* A failed SQLite call: the details with -v, the errno to the caller. */
static int sql_fail(struct ds_triage_db *db, int rc, const char *what)
{
	int err = map_rc(db->sql, rc);

	ds_dbg("triage db %s: %s: %s (%d)", db->path, what, sqlite3_errmsg(db->sql), rc);
	return err ? err : -EIO;
}

static int prep(struct ds_triage_db *db, enum stmt_id id, sqlite3_stmt **out)
{
	int rc;

	*out = NULL;
	if (!db->stmt[id]) {
		rc = sqlite3_prepare_v3(db->sql, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					&db->stmt[id], NULL);
		if (rc != SQLITE_OK) {
			db->stmt[id] = NULL;
			return sql_fail(db, rc, stmt_sql[id]);
		}
	}
	*out = db->stmt[id];
	return 0;
}

/* Done with a cached statement: ready for the next use, no value kept bound. */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/*
 * Step a statement expected to return no row (or to have its rows
 * ignored) and reset it.
 */
static int step_done(struct ds_triage_db *db, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		rc = sql_fail(db, rc, sqlite3_sql(st));
	else
		rc = 0;
	done(st);
	return rc;
}

static int exec_id(struct ds_triage_db *db, enum stmt_id id)
{
	sqlite3_stmt *st;
	int err;

	err = prep(db, id, &st);
	return err ? err : step_done(db, st);
}

/* NULL binds NULL; @or_empty makes it '' instead. */
static int bind_str(sqlite3_stmt *st, int i, const char *s, bool or_empty)
{
	if (!s && !or_empty)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

/* Copy a text column into @dst, cut at a UTF-8 boundary to fit @size. */
static void col_copy(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n = s ? (size_t)sqlite3_column_bytes(st, col) : 0;

	if (n >= size) {
		n = size - 1;
		while (n && (s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

#define COL_COPY(st, col, field) col_copy(st, col, field, sizeof(field))

static void bucket_from_row(sqlite3_stmt *st, struct ds_triage_bucket *b)
{
	memset(b, 0, sizeof(*b));
	COL_COPY(st, 0, b->bucket);
	COL_COPY(st, 1, b->signature);
	COL_COPY(st, 2, b->kind);
	COL_COPY(st, 3, b->verdict);
	COL_COPY(st, 4, b->cycle);
	COL_COPY(st, 5, b->status);
	COL_COPY(st, 6, b->note);
	COL_COPY(st, 7, b->link);
	COL_COPY(st, 8, b->dup_of);
	b->first_seen = sqlite3_column_int64(st, 9);
	b->last_seen = sqlite3_column_int64(st, 10);
	b->count = sqlite3_column_int64(st, 11);
	COL_COPY(st, 12, b->first_file);
	COL_COPY(st, 13, b->kernel);
	COL_COPY(st, 14, b->last_kernel);
}

/*
 * The atomic unit of one call that writes: its own BEGIN IMMEDIATE when the
 * caller has no transaction (a deferred one could fail to upgrade its lock
 * without waiting), else a savepoint inside the caller's.
 */
static int unit_begin(struct ds_triage_db *db, bool *own)
{
	*own = sqlite3_get_autocommit(db->sql);
	return exec_id(db, *own ? ST_BEGIN : ST_SAVEPOINT);
}

static int unit_end(struct ds_triage_db *db, bool own, int err)
{
	if (!err) {
		err = exec_id(db, own ? ST_COMMIT : ST_RELEASE);
		if (!err)
			return 0;
	}
	/* SQLite may already have rolled back on its own (SQLITE_FULL, ...) */
	if (sqlite3_get_autocommit(db->sql))
		return err;
	if (own) {
		exec_id(db, ST_ROLLBACK);
	} else {
		exec_id(db, ST_ROLLBACK_TO);
		exec_id(db, ST_RELEASE);
	}
	return err;
}

int ds_triage_db__default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	/* the XDG spec: a relative XDG_DATA_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/deptscope/triage.db", xdg);
	else if (home && home[0])
		n = snprintf(buf, len, "%s/.local/share/deptscope/triage.db", home);
	else
		return -ENOENT;
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* mkdir -p of @path's directory; what is created is 0700. */
static int make_parents(const char *path)
{
	char *dir, *p;
	struct stat st;
	int err = 0;

	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		goto out;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (stat(dir, &st)) {
			if (errno != ENOENT || (mkdir(dir, 0700) && errno != EEXIST)) {
				err = -errno;
				goto out;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			err = -ENOTDIR;
			goto out;
		}
		if (last)
			break;
		*p = '/';
	}
out:
	free(dir);
	return err;
}

/*
 * The file exists as a regular file we can write; created 0600 if absent.
 * @where is @path, or the file a link there names.  A link at @path in a
 * sticky shared directory (/tmp) is refused, and one at SQLite's side
 * files anywhere: SQLite would follow it.
 */
static int make_file(const char *path, char **where)
{
	static const char *const side[] = { "", "-wal", "-shm", "-journal" };
	char name[PATH_MAX];
	struct stat st;
	bool direct;
	int fd, err = 0;
	size_t i;

	err = ds_out_resolve(path, true, where, &direct);
	if (err)
		return err;
	if (direct)
		return -EINVAL;
	for (i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		if (snprintf(name, sizeof(name), "%s%s", *where, side[i]) >= (int)sizeof(name))
			return -ENAMETOOLONG;
		if (!lstat(name, &st) && S_ISLNK(st.st_mode))
			return -ENOLINK;
	}
	fd = open(*where, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == ELOOP ? -ENOLINK : -errno;
	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	close(fd);
	return err;
}

/* One integer from a constant query (pragmas). */
static int query_int(struct ds_triage_db *db, const char *q, int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(db->sql, q, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		err = sql_fail(db, rc, q);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*v = 0;
	else
		err = sql_fail(db, rc, q);
out:
	sqlite3_finalize(st);
	return err;
}

/*
 * The schema version of the file, after checking it is ours: 0 for an
 * empty file, -EINVAL for any other SQLite file, -EPROTONOSUPPORT if newer.
 */
static int check_version(struct ds_triage_db *db, int *version)
{
	int64_t app_id, v, nr_objects;
	int err;

	err = query_int(db, "PRAGMA application_id", &app_id);
	if (!err)
		err = query_int(db, "PRAGMA user_version", &v);
	if (err)
		return err;
	if (app_id != DS_TRIAGE_APP_ID) {
		if (app_id || v)
			return -EINVAL;
		/* neither set: only a file with nothing in it is ours to fill */
		err = query_int(db, "SELECT count(*) FROM sqlite_master", &nr_objects);
		if (err)
			return err;
		if (nr_objects)
			return -EINVAL;
	}
	if (v > DS_TRIAGE_DB_VERSION)
		return -EPROTONOSUPPORT;
	if (v < 0)
		return -EINVAL;
	*version = (int)v;
	return 0;
}

static int migrate(struct ds_triage_db *db)
{
	char *msg = NULL;
	char sql[64];
	int v, rc, err;

	err = exec_id(db, ST_BEGIN);
	if (err)
		return err;
	/* again, under the write lock: another process may have done it meanwhile */
	err = check_version(db, &v);
	for (; !err && v < DS_TRIAGE_DB_VERSION; v++) {
		ds_dbg("triage db %s: migrating schema v%d -> v%d", db->path, v, v + 1);
		rc = sqlite3_exec(db->sql, migrations[v], NULL, NULL, &msg);
		if (rc != SQLITE_OK) {
			ds_dbg("triage db %s: migration to v%d: %s", db->path, v + 1,
			       msg ? msg : sqlite3_errstr(rc));
			err = map_rc(db->sql, rc);
		}
		sqlite3_free(msg);
		msg = NULL;
	}
	if (!err) {
		/* an integer constant: PRAGMA takes no bound parameter */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", DS_TRIAGE_DB_VERSION);
		rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			err = sql_fail(db, rc, sql);
	}
	if (!err)
		err = exec_id(db, ST_COMMIT);
	if (err && !sqlite3_get_autocommit(db->sql))
		exec_id(db, ST_ROLLBACK);
	return err;
}

int ds_triage_db__open(const char *path, struct ds_triage_db **out)
{
	struct ds_triage_db *db;
	char *where = NULL;
	int64_t ignored;
	int rc, err;

	*out = NULL;
	if (!path || !*path)
		return -EINVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->path = strdup(path);
	if (!db->path) {
		err = -ENOMEM;
		goto err;
	}
	err = make_parents(path);
	if (!err)
		err = make_file(path, &where);
	if (err)
		goto err;
	rc = sqlite3_open_v2(where, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	free(where);
	where = NULL;
	if (rc != SQLITE_OK) {
		err = db->sql ? sql_fail(db, rc, "open") : -ENOMEM;
		goto err;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, DS_TRIAGE_DB_BUSY_MS);

	/*
	 * Read only until the file is known to be ours, in one read
	 * transaction: another process creating the schema between two of
	 * the reads would otherwise look like someone else's database.
	 */
	rc = sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = sql_fail(db, rc, "BEGIN");
		goto err;
	}
	err = check_version(db, &db->opened_version);
	sqlite3_exec(db->sql, err ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (err)
		goto err;
	/* persistent; a file system without shared memory keeps the rollback journal */
	rc = sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) {
		err = sql_fail(db, rc, "PRAGMA journal_mode = WAL");
		goto err;
	}
	err = query_int(db, "PRAGMA foreign_keys = ON", &ignored);
	if (err)
		goto err;
	if (db->opened_version < DS_TRIAGE_DB_VERSION) {
		err = migrate(db);
		if (err)
			goto err;
	}
	*out = db;
	return 0;
err:
	free(where);
	ds_triage_db__close(db);
	return err;
}

void ds_triage_db__close(struct ds_triage_db *db)
{
	unsigned int i;

	if (!db)
		return;
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(db->stmt[i]);
	if (db->sql) {
		if (!sqlite3_get_autocommit(db->sql))
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db->sql);
	}
	free(db->path);
	free(db);
}

int ds_triage_db__opened_version(const struct ds_triage_db *db)
{
	return db->opened_version;
}

int ds_triage_db__begin(struct ds_triage_db *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		return -EINVAL;
	return exec_id(db, ST_BEGIN);
}

int ds_triage_db__commit(struct ds_triage_db *db)
{
	int err;

	if (sqlite3_get_autocommit(db->sql))
		return -EINVAL;
	err = exec_id(db, ST_COMMIT);
	if (err && !sqlite3_get_autocommit(db->sql))
		exec_id(db, ST_ROLLBACK);
	return err;
}

int ds_triage_db__rollback(struct ds_triage_db *db)
{
	if (sqlite3_get_autocommit(db->sql))
		return -EINVAL;
	return exec_id(db, ST_ROLLBACK);
}

int ds_triage_db__new_run(struct ds_triage_db *db, const char *argv_summary, int64_t started,
			  int64_t *run_id)
{
	sqlite3_stmt *st;
	bool own;
	int err;

	err = unit_begin(db, &own);
	if (err)
		return err;
	err = prep(db, ST_INSERT_RUN, &st);
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, started);
	bind_str(st, 2, argv_summary, true);
	bind_str(st, 3, DS_VERSION, true);
	err = step_done(db, st);
	if (!err)
		*run_id = sqlite3_last_insert_rowid(db->sql);
out:
	return unit_end(db, own, err);
}

/* The bucket into @out; -ENOENT if absent. */
static int get_bucket(struct ds_triage_db *db, const char *bucket, struct ds_triage_bucket *out)
{
	sqlite3_stmt *st;
	int rc, err;

	err = prep(db, ST_GET, &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		bucket_from_row(st, out);
	else if (rc == SQLITE_DONE)
		err = -ENOENT;
	else
		err = sql_fail(db, rc, "get bucket");
	done(st);
	return err;
}

int ds_triage_db__get(struct ds_triage_db *db, const char *bucket, struct ds_triage_bucket *out)
{
	if (!bucket)
		return -EINVAL;
	return get_bucket(db, bucket, out);
}

/*
 * A one-column lookup by bucket: the text into @buf (NULL column: ""), or
 * -ENOENT when there is no such bucket.
 */
static int lookup(struct ds_triage_db *db, enum stmt_id id, const char *bucket, char *buf,
		  size_t len)
{
	sqlite3_stmt *st;
	int rc, err;

	err = prep(db, id, &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		col_copy(st, 0, buf, len);
	else if (rc == SQLITE_DONE)
		err = -ENOENT;
	else
		err = sql_fail(db, rc, "lookup");
	done(st);
	return err;
}

static int add_change(struct ds_triage_db *db, const char *bucket, const char *origin,
		      const char *old_status, const char *new_status, const char *note,
		      const char *link, const char *dup_of)
{
	sqlite3_stmt *st;
	int err;

	err = prep(db, ST_INSERT_CHANGE, &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	sqlite3_bind_int64(st, 2, time(NULL));
	bind_str(st, 3, origin, true);
	bind_str(st, 4, old_status, false);
	bind_str(st, 5, new_status, true);
	bind_str(st, 6, note, false);
	bind_str(st, 7, link, false);
	bind_str(st, 8, dup_of, false);
	return step_done(db, st);
}

static int bind_text_len(sqlite3_stmt *st, int i, const char *s, size_t len)
{
	if (!s || !len)
		return sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC);
	return sqlite3_bind_text(st, i, s, (int)len, SQLITE_STATIC);
}

static int record_locked(struct ds_triage_db *db, const struct ds_triage_occurrence *o,
			 bool *created)
{
	bool same_sig = false;
	sqlite3_stmt *st;
	int rc, err;

	err = prep(db, ST_SIGNATURE, &st);
	if (err)
		return err;
	bind_str(st, 1, o->bucket, true);
	bind_str(st, 2, o->signature, true);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		same_sig = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE)
		err = sql_fail(db, rc, "bucket signature");
	*created = rc == SQLITE_DONE;
	done(st);
	if (err)
		return err;
	if (!*created && !same_sig)
		return -EEXIST;

	if (*created) {
		err = prep(db, ST_INSERT_BUCKET, &st);
		if (err)
			return err;
		bind_str(st, 1, o->bucket, true);
		bind_str(st, 2, o->signature, true);
		bind_str(st, 3, o->kind, true);
		bind_str(st, 4, o->verdict, true);
		bind_str(st, 5, o->cycle, true);
		sqlite3_bind_int64(st, 6, o->seen_at);
		bind_str(st, 7, o->file, true);
		bind_str(st, 8, o->kernel, true);
		bind_text_len(st, 9, o->text, o->text_len);
		err = step_done(db, st);
		if (!err)
			err = add_change(db, o->bucket, "created", NULL, "new", NULL, NULL, NULL);
	} else {
		err = prep(db, ST_UPDATE_BUCKET, &st);
		if (err)
			return err;
		bind_str(st, 1, o->bucket, true);
		sqlite3_bind_int64(st, 2, o->seen_at);
		bind_str(st, 3, o->file, true);
		bind_str(st, 4, o->kernel, true);
		bind_str(st, 5, o->verdict, true);
		bind_str(st, 6, o->cycle, true);
		bind_text_len(st, 7, o->text, o->text_len);
		err = step_done(db, st);
	}
	if (err)
		return err;

	err = prep(db, ST_INSERT_OCC, &st);
	if (err)
		return err;
	bind_str(st, 1, o->bucket, true);
	if (o->run)
		sqlite3_bind_int64(st, 2, o->run);
	else
		sqlite3_bind_null(st, 2);
	bind_str(st, 3, o->file, true);
	sqlite3_bind_int64(st, 4, (int64_t)o->first_line);
	sqlite3_bind_int64(st, 5, (int64_t)o->last_line);
	bind_str(st, 6, o->kernel, true);
	sqlite3_bind_int64(st, 7, o->seen_at);
	return step_done(db, st);
}

int ds_triage_db__record(struct ds_triage_db *db, const struct ds_triage_occurrence *o,
			 struct ds_triage_bucket *out, bool *was_new)
{
	bool own, created = false;
	int err;

	if (!o || !o->bucket || !o->bucket[0] || strlen(o->bucket) >= DS_TRIAGE_BUCKET_LEN ||
	    !o->signature || !o->kind || !o->file ||
	    o->text_len > INT_MAX || o->first_line > INT64_MAX || o->last_line > INT64_MAX)
		return -EINVAL;
	err = unit_begin(db, &own);
	if (err)
		return err;
	err = record_locked(db, o, &created);
	if (!err && out)
		err = get_bucket(db, o->bucket, out);
	err = unit_end(db, own, err);
	if (!err && was_new)
		*was_new = created;
	return err;
}

/* @dup_of may become the original of @bucket: it exists, and is no duplicate of it. */
static int check_dup_chain(struct ds_triage_db *db, const char *bucket, const char *dup_of)
{
	char cur[DS_TRIAGE_BUCKET_LEN * 4], next[sizeof(cur)];
	int i, err;

	if (!strcmp(bucket, dup_of) || strlen(dup_of) >= sizeof(cur))
		return -EINVAL;
	strcpy(cur, dup_of);
	for (i = 0; i < MAX_DUP_CHAIN; i++) {
		err = lookup(db, ST_DUP_OF, cur, next, sizeof(next));
		if (err)
			return err == -ENOENT ? -EINVAL : err;
		if (!next[0])
			return 0;
		if (!strcmp(next, bucket))
			return -ELOOP;
		strcpy(cur, next);
	}
	return -ELOOP;
}

static int mark_locked(struct ds_triage_db *db, const char *bucket, const char *status,
		       const char *note, const char *link, const char *dup_of)
{
	char old[DS_TRIAGE_STATUS_LEN];
	sqlite3_stmt *st;
	int err;

	err = lookup(db, ST_EXISTS, bucket, old, sizeof(old));
	if (!err && dup_of)
		err = check_dup_chain(db, bucket, dup_of);
	if (!err)
		err = prep(db, ST_MARK, &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	bind_str(st, 2, status, true);
	bind_str(st, 3, note, false);
	bind_str(st, 4, link, false);
	bind_str(st, 5, dup_of, false);
	err = step_done(db, st);
	if (err)
		return err;
	return add_change(db, bucket, "mark", old, status, note, link, dup_of);
}

int ds_triage_db__mark(struct ds_triage_db *db, const char *bucket, const char *status,
		       const char *note, const char *link, const char *dup_of)
{
	bool own;
	int err;

	if (!bucket || !ds_triage_status_valid(status))
		return -EINVAL;
	if (!strcmp(status, "duplicate") != !!dup_of)
		return -EINVAL;
	if ((note && strlen(note) >= DS_TRIAGE_NOTE_LEN) ||
	    (link && strlen(link) >= DS_TRIAGE_LINK_LEN))
		return -E2BIG;
	err = unit_begin(db, &own);
	if (err)
		return err;
	err = mark_locked(db, bucket, status, note, link, dup_of);
	return unit_end(db, own, err);
}

/* An uncached statement for a walk, so a callback may use any other call. */
static int prep_walk(struct ds_triage_db *db, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return sql_fail(db, rc, sql);
	}
	return 0;
}

int ds_triage_db__list(struct ds_triage_db *db, ds_triage_bucket_fn cb, void *ctx)
{
	struct ds_triage_bucket b;
	sqlite3_stmt *st;
	int rc, err;

	err = prep_walk(db, "SELECT " BUCKET_COLS " FROM buckets"
			" ORDER BY last_seen DESC, bucket", &st);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bucket_from_row(st, &b);
		err = cb(ctx, &b);
		if (err)
			goto out;
	}
	if (rc != SQLITE_DONE)
		err = sql_fail(db, rc, "list buckets");
out:
	sqlite3_finalize(st);
	return err;
}

int ds_triage_db__report_text(struct ds_triage_db *db, const char *bucket, char **text,
			      size_t *len)
{
	sqlite3_stmt *st;
	const void *s;
	size_t n;
	int rc, err;

	*text = NULL;
	if (!bucket)
		return -EINVAL;
	err = prep(db, ST_REPORT, &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		err = -ENOENT;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		err = sql_fail(db, rc, "report text");
		goto out;
	}
	s = sqlite3_column_blob(st, 0);
	n = s ? (size_t)sqlite3_column_bytes(st, 0) : 0;
	*text = malloc(n + 1);
	if (!*text) {
		err = -ENOMEM;
		goto out;
	}
	if (n)
		memcpy(*text, s, n);
	(*text)[n] = '\0';
	if (len)
		*len = n;
out:
	done(st);
	return err;
}

/* -ENOENT unless @bucket exists. */
static int must_exist(struct ds_triage_db *db, const char *bucket)
{
	char status[DS_TRIAGE_STATUS_LEN];

	if (!bucket)
		return -EINVAL;
	return lookup(db, ST_EXISTS, bucket, status, sizeof(status));
}

int ds_triage_db__occurrences(struct ds_triage_db *db, const char *bucket, unsigned int max,
			      ds_triage_seen_fn cb, void *ctx)
{
	struct ds_triage_seen s;
	sqlite3_stmt *st;
	int rc, err;

	err = must_exist(db, bucket);
	if (err)
		return err;
	/* LIMIT -1: no limit */
	err = prep_walk(db, "SELECT id, COALESCE(run, 0), file, first_line, last_line, kernel,"
			" seen_at FROM occurrences WHERE bucket = ?1"
			" ORDER BY seen_at DESC, id DESC LIMIT ?2", &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	sqlite3_bind_int64(st, 2, max ? (int64_t)max : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		s.id = sqlite3_column_int64(st, 0);
		s.run = sqlite3_column_int64(st, 1);
		COL_COPY(st, 2, s.file);
		s.first_line = (uint64_t)sqlite3_column_int64(st, 3);
		s.last_line = (uint64_t)sqlite3_column_int64(st, 4);
		COL_COPY(st, 5, s.kernel);
		s.seen_at = sqlite3_column_int64(st, 6);
		err = cb(ctx, &s);
		if (err)
			goto out;
	}
	if (rc != SQLITE_DONE)
		err = sql_fail(db, rc, "list occurrences");
out:
	sqlite3_finalize(st);
	return err;
}

int ds_triage_db__history(struct ds_triage_db *db, const char *bucket, ds_triage_change_fn cb,
			  void *ctx)
{
	struct ds_triage_change c;
	sqlite3_stmt *st;
	int rc, err;

	err = must_exist(db, bucket);
	if (err)
		return err;
	err = prep_walk(db, "SELECT at, origin, COALESCE(old_status, ''), new_status,"
			" COALESCE(note, ''), COALESCE(link, ''), COALESCE(dup_of, '')"
			" FROM status_history WHERE bucket = ?1 ORDER BY at, id", &st);
	if (err)
		return err;
	bind_str(st, 1, bucket, true);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.at = sqlite3_column_int64(st, 0);
		COL_COPY(st, 1, c.origin);
		COL_COPY(st, 2, c.old_status);
		COL_COPY(st, 3, c.new_status);
		COL_COPY(st, 4, c.note);
		COL_COPY(st, 5, c.link);
		COL_COPY(st, 6, c.dup_of);
		err = cb(ctx, &c);
		if (err)
			goto out;
	}
	if (rc != SQLITE_DONE)
		err = sql_fail(db, rc, "list status history");
out:
	sqlite3_finalize(st);
	return err;
}
