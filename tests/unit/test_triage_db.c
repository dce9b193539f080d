// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The known-issue database: every call, migrations, refusals, concurrency. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include "test.h"
#include "deptscope/triage_db.h"

#define SIG_A	"dept|A:0>B:0|B:0>A:0"
#define SIG_B	"dept|C:0>D:0|D:0>C:0"
#define SIG_C	"lockdep|E>F|F>E"

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", ds_test_tmpdir(), name);
}

static struct ds_triage_occurrence occ(const char *bucket, const char *sig, const char *file,
				       uint64_t line, int64_t seen, const char *kernel)
{
	struct ds_triage_occurrence o = {
		.bucket = bucket,
		.signature = sig,
		.kind = "dept",
		.verdict = "deadlock",
		.cycle = "A -> B -> A",
		.kernel = kernel,
		.file = file,
		.first_line = line,
		.last_line = line + 30,
		.seen_at = seen,
	};
	return o;
}

/* Whole file contents, malloc'd; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		err = -EIO;
	close(fd);
	return err;
}

/* An integer from a query on a raw connection, -1 on error. */
static int64_t raw_int(const char *path, const char *q)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *sql = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(sql, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(sql);
	return v;
}

static int raw_exec(const char *path, const char *q)
{
	sqlite3 *sql = NULL;
	int rc;

	rc = sqlite3_open(path, &sql);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(sql, q, NULL, NULL, NULL);
	sqlite3_close(sql);
	return rc;
}

static void set_env(const char *name, const char *v)
{
	if (v)
		setenv(name, v, 1);
	else
		unsetenv(name);
}

TEST(test_triage_db_default_path)
{
	char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char buf[256], small[16];

	xdg = xdg ? strdup(xdg) : NULL;
	home = home ? strdup(home) : NULL;
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	setenv("HOME", "/home/qa", 1);
	CHECK_EQ_U64(ds_triage_db__default_path(buf, sizeof(buf)), 0);
	CHECK_EQ_STR(buf, "/xdg/data/deptscope/triage.db");
	/* the XDG spec: a relative value is ignored */
	setenv("XDG_DATA_HOME", "relative/data", 1);
	CHECK_EQ_U64(ds_triage_db__default_path(buf, sizeof(buf)), 0);
	CHECK_EQ_STR(buf, "/home/qa/.local/share/deptscope/triage.db");
	setenv("XDG_DATA_HOME", "", 1);
	CHECK_EQ_U64(ds_triage_db__default_path(buf, sizeof(buf)), 0);
	CHECK_EQ_STR(buf, "/home/qa/.local/share/deptscope/triage.db");
	unsetenv("XDG_DATA_HOME");
	CHECK_EQ_U64(ds_triage_db__default_path(buf, sizeof(buf)), 0);
	CHECK_EQ_STR(buf, "/home/qa/.local/share/deptscope/triage.db");
	CHECK(ds_triage_db__default_path(small, sizeof(small)) == -ENAMETOOLONG);
	unsetenv("HOME");
	CHECK(ds_triage_db__default_path(buf, sizeof(buf)) == -ENOENT);
	setenv("HOME", "", 1);
	CHECK(ds_triage_db__default_path(buf, sizeof(buf)) == -ENOENT);
	set_env("XDG_DATA_HOME", xdg);
	set_env("HOME", home);
	free(xdg);
	free(home);
}

TEST(test_triage_db_open_creates)
{
	struct ds_triage_db *db = NULL;
	char path[512], dir[512];
	struct stat st;

	tmp_path(dir, sizeof(dir), "create/a/b");
	tmp_path(path, sizeof(path), "create/a/b/triage.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	CHECK_EQ_U64(ds_triage_db__opened_version(db), 0);
	ds_triage_db__close(db);
	REQUIRE(stat(dir, &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ_U64(st.st_mode & 0777, 0700);
	REQUIRE(stat(path, &st) == 0);
	CHECK_EQ_U64(st.st_mode & 0777, 0600);
	CHECK_EQ_U64(raw_int(path, "PRAGMA user_version"), DS_TRIAGE_DB_VERSION);
	CHECK_EQ_U64(raw_int(path, "PRAGMA application_id"), 0x44535444);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM pragma_journal_mode WHERE "
			     "journal_mode = 'wal'"), 1);

	/* again: already current, nothing to migrate */
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	CHECK_EQ_U64(ds_triage_db__opened_version(db), DS_TRIAGE_DB_VERSION);
	ds_triage_db__close(db);
	ds_triage_db__close(NULL);

	CHECK(ds_triage_db__open("", &db) == -EINVAL);
	CHECK(db == NULL);
	tmp_path(path, sizeof(path), "create");
	CHECK(ds_triage_db__open(path, &db) == -EISDIR);
	tmp_path(path, sizeof(path), "create/a/b/triage.db/x.db");
	CHECK(ds_triage_db__open(path, &db) == -ENOTDIR);
}

TEST(test_triage_db_record_get)
{
	static const char text1[] = "DEPT: Circular dependency has been detected.\n[S] first\n";
	static const char text0[] = "DEPT: Circular dependency has been detected.\n[S] older\n";
	struct ds_triage_occurrence o;
	struct ds_triage_bucket b;
	struct ds_triage_db *db;
	int64_t run1 = 0, run2 = 0;
	bool was_new = false;
	char path[512], *text;
	size_t len = 0;

	tmp_path(path, sizeof(path), "record.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	CHECK(ds_triage_db__get(db, "D-000000000001", &b) == -ENOENT);
	REQUIRE(ds_triage_db__new_run(db, "triage a.log", 1000, &run1) == 0);
	REQUIRE(ds_triage_db__new_run(db, NULL, 2000, &run2) == 0);
	CHECK(run1 > 0 && run2 > run1);

	o = occ("D-000000000001", SIG_A, "a.log", 10, 1000, "6.12.0");
	o.run = run1;
	o.text = text1;
	o.text_len = sizeof(text1) - 1;
	REQUIRE(ds_triage_db__record(db, &o, &b, &was_new) == 0);
	CHECK(was_new);
	CHECK_EQ_STR(b.bucket, "D-000000000001");
	CHECK_EQ_STR(b.signature, SIG_A);
	CHECK_EQ_STR(b.kind, "dept");
	CHECK_EQ_STR(b.verdict, "deadlock");
	CHECK_EQ_STR(b.cycle, "A -> B -> A");
	CHECK_EQ_STR(b.status, "new");
	CHECK_EQ_STR(b.note, "");
	CHECK_EQ_STR(b.link, "");
	CHECK_EQ_STR(b.dup_of, "");
	CHECK_EQ_U64(b.count, 1);
	CHECK_EQ_U64(b.first_seen, 1000);
	CHECK_EQ_U64(b.last_seen, 1000);
	CHECK_EQ_STR(b.first_file, "a.log");
	CHECK_EQ_STR(b.kernel, "6.12.0");
	CHECK_EQ_STR(b.last_kernel, "6.12.0");

	/* later, another kernel, no text: counted, first report kept */
	o = occ("D-000000000001", SIG_A, "b.log", 50, 2000, "7.3.0");
	o.run = run2;
	REQUIRE(ds_triage_db__record(db, &o, &b, &was_new) == 0);
	CHECK(!was_new);
	CHECK_EQ_U64(b.count, 2);
	CHECK_EQ_U64(b.first_seen, 1000);
	CHECK_EQ_U64(b.last_seen, 2000);
	CHECK_EQ_STR(b.first_file, "a.log");
	CHECK_EQ_STR(b.kernel, "6.12.0");
	CHECK_EQ_STR(b.last_kernel, "7.3.0");

	/* the same place seen again in a later run counts again */
	o.seen_at = 2500;
	o.kernel = NULL;
	o.verdict = NULL;
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "D-000000000001", &b) == 0);
	CHECK_EQ_U64(b.count, 3);
	CHECK_EQ_U64(b.last_seen, 2500);
	CHECK_EQ_STR(b.last_kernel, "7.3.0");
	CHECK_EQ_STR(b.verdict, "deadlock");

	REQUIRE(ds_triage_db__report_text(db, "D-000000000001", &text, &len) == 0);
	CHECK_EQ_STR(text, text1);
	CHECK_EQ_U64(len, sizeof(text1) - 1);
	free(text);

	/* an older log triaged late: it becomes the first occurrence */
	o = occ("D-000000000001", SIG_A, "old.log", 5, 500, "6.1.0");
	o.text = text0;
	o.text_len = sizeof(text0) - 1;
	REQUIRE(ds_triage_db__record(db, &o, &b, NULL) == 0);
	CHECK_EQ_U64(b.count, 4);
	CHECK_EQ_U64(b.first_seen, 500);
	CHECK_EQ_U64(b.last_seen, 2500);
	CHECK_EQ_STR(b.first_file, "old.log");
	CHECK_EQ_STR(b.kernel, "6.1.0");
	CHECK_EQ_STR(b.last_kernel, "7.3.0");
	REQUIRE(ds_triage_db__report_text(db, "D-000000000001", &text, NULL) == 0);
	CHECK_EQ_STR(text, text0);
	free(text);

	/* a bucket id with another signature is a collision, and changes nothing */
	o = occ("D-000000000001", SIG_B, "c.log", 1, 3000, "7.3.0");
	CHECK(ds_triage_db__record(db, &o, &b, &was_new) == -EEXIST);
	REQUIRE(ds_triage_db__get(db, "D-000000000001", &b) == 0);
	CHECK_EQ_U64(b.count, 4);
	CHECK_EQ_U64(b.last_seen, 2500);

	/* bad occurrences */
	o = occ(NULL, SIG_B, "c.log", 1, 3000, NULL);
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EINVAL);
	o = occ("", SIG_B, "c.log", 1, 3000, NULL);
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EINVAL);
	o = occ("D-0000000000000000", SIG_B, "c.log", 1, 3000, NULL);
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EINVAL);
	o = occ("D-000000000002", NULL, "c.log", 1, 3000, NULL);
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EINVAL);
	o = occ("D-000000000002", SIG_B, NULL, 1, 3000, NULL);
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EINVAL);
	o = occ("D-000000000002", SIG_B, "c.log", 1, 3000, NULL);
	o.run = 999;	/* no such run */
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__get(db, "D-000000000002", &b) == -ENOENT);
	CHECK(ds_triage_db__report_text(db, "D-000000000002", &text, NULL) == -ENOENT);
	CHECK(text == NULL);

	/* a bucket recorded without text has "" */
	o.run = 0;
	REQUIRE(ds_triage_db__record(db, &o, NULL, &was_new) == 0);
	CHECK(was_new);
	REQUIRE(ds_triage_db__report_text(db, "D-000000000002", &text, &len) == 0);
	CHECK_EQ_STR(text, "");
	CHECK_EQ_U64(len, 0);
	free(text);
	ds_triage_db__close(db);

	/* everything is on disk */
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM occurrences"), 5);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM runs"), 2);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM occurrences WHERE run IS NULL"), 2);
}

struct seen_log {
	int n;
	struct ds_triage_seen s[8];
};

static int collect_seen(void *ctx, const struct ds_triage_seen *s)
{
	struct seen_log *l = ctx;

	if (l->n < 8)
		l->s[l->n] = *s;
	l->n++;
	return 0;
}

TEST(test_triage_db_occurrences)
{
	struct ds_triage_occurrence o;
	struct ds_triage_db *db;
	struct seen_log l = {};
	int64_t run = 0;
	char path[512];
	int i;

	tmp_path(path, sizeof(path), "occurrences.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	REQUIRE(ds_triage_db__new_run(db, "triage x", 100, &run) == 0);
	for (i = 0; i < 5; i++) {
		o = occ("L-00000000000a", SIG_C, i % 2 ? "odd.log" : "even.log", 100 * i, 100 + i,
			i == 4 ? "" : "6.12.0");
		o.run = i < 3 ? run : 0;
		REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	}
	REQUIRE(ds_triage_db__occurrences(db, "L-00000000000a", 0, collect_seen, &l) == 0);
	CHECK_EQ_U64(l.n, 5);
	/* latest first */
	CHECK_EQ_U64(l.s[0].seen_at, 104);
	CHECK_EQ_U64(l.s[0].first_line, 400);
	CHECK_EQ_U64(l.s[0].last_line, 430);
	CHECK_EQ_STR(l.s[0].file, "even.log");
	CHECK_EQ_STR(l.s[0].kernel, "");
	CHECK_EQ_U64(l.s[0].run, 0);
	CHECK_EQ_U64(l.s[4].seen_at, 100);
	CHECK_EQ_U64(l.s[4].run, run);
	CHECK_EQ_STR(l.s[3].file, "odd.log");
	CHECK_EQ_STR(l.s[3].kernel, "6.12.0");
	CHECK(l.s[0].id > l.s[4].id);

	memset(&l, 0, sizeof(l));
	REQUIRE(ds_triage_db__occurrences(db, "L-00000000000a", 2, collect_seen, &l) == 0);
	CHECK_EQ_U64(l.n, 2);
	CHECK_EQ_U64(l.s[1].seen_at, 103);
	CHECK(ds_triage_db__occurrences(db, "L-0000000000ff", 0, collect_seen, &l) == -ENOENT);
	ds_triage_db__close(db);
}

struct change_log {
	int n;
	struct ds_triage_change c[8];
};

static int collect_change(void *ctx, const struct ds_triage_change *c)
{
	struct change_log *l = ctx;

	if (l->n < 8)
		l->c[l->n] = *c;
	l->n++;
	return 0;
}

TEST(test_triage_db_mark)
{
	struct ds_triage_occurrence o;
	struct ds_triage_bucket b;
	struct change_log h = {};
	struct ds_triage_db *db;
	char path[512], long_note[DS_TRIAGE_NOTE_LEN + 1];
	int64_t before = time(NULL);

	tmp_path(path, sizeof(path), "mark.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	o = occ("D-00000000000a", SIG_A, "a.log", 1, 100, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	o = occ("D-00000000000b", SIG_B, "a.log", 50, 100, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	o = occ("L-00000000000c", SIG_C, "a.log", 90, 100, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);

	/* validation */
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "wontfix", NULL, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "", NULL, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", NULL, NULL, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "Known", NULL, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__mark(db, NULL, "known", NULL, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-0000000000ff", "known", NULL, NULL, NULL) == -ENOENT);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "duplicate", NULL, NULL, NULL) == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "known", NULL, NULL,
				 "D-00000000000b") == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "duplicate", NULL, NULL,
				 "D-00000000000a") == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "duplicate", NULL, NULL,
				 "D-0000000000ff") == -EINVAL);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "duplicate", NULL, NULL, "") == -EINVAL);
	memset(long_note, 'x', sizeof(long_note) - 1);
	long_note[sizeof(long_note) - 1] = '\0';
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "known", long_note, NULL, NULL) == -E2BIG);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "known", NULL, long_note, NULL) == -E2BIG);
	long_note[DS_TRIAGE_NOTE_LEN - 1] = '\0';	/* exactly fits */
	REQUIRE(ds_triage_db__mark(db, "D-00000000000b", "known", long_note, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "D-00000000000b", &b) == 0);
	CHECK_EQ_STR(b.note, long_note);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.status, "new");

	/* known with note and link; NULL keeps, "" clears */
	REQUIRE(ds_triage_db__mark(db, "D-00000000000a", "known", "ext4 vs jbd2",
				   "https://lore.kernel.org/x", NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.status, "known");
	CHECK_EQ_STR(b.note, "ext4 vs jbd2");
	CHECK_EQ_STR(b.link, "https://lore.kernel.org/x");
	REQUIRE(ds_triage_db__mark(db, "D-00000000000a", "false-positive", NULL, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.status, "false-positive");
	CHECK_EQ_STR(b.note, "ext4 vs jbd2");
	CHECK_EQ_STR(b.link, "https://lore.kernel.org/x");
	REQUIRE(ds_triage_db__mark(db, "D-00000000000a", "fixed", "", NULL, NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.status, "fixed");
	CHECK_EQ_STR(b.note, "");
	CHECK_EQ_STR(b.link, "https://lore.kernel.org/x");

	/* duplicates: a chain is fine, a loop is not */
	REQUIRE(ds_triage_db__mark(db, "L-00000000000c", "duplicate", NULL, NULL,
				   "D-00000000000b") == 0);
	REQUIRE(ds_triage_db__get(db, "L-00000000000c", &b) == 0);
	CHECK_EQ_STR(b.status, "duplicate");
	CHECK_EQ_STR(b.dup_of, "D-00000000000b");
	REQUIRE(ds_triage_db__mark(db, "D-00000000000b", "duplicate", NULL, NULL,
				   "D-00000000000a") == 0);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "duplicate", NULL, NULL,
				 "L-00000000000c") == -ELOOP);
	CHECK(ds_triage_db__mark(db, "D-00000000000a", "duplicate", NULL, NULL,
				 "D-00000000000b") == -ELOOP);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.status, "fixed");
	CHECK_EQ_STR(b.dup_of, "");
	/* leaving duplicate clears dup_of */
	REQUIRE(ds_triage_db__mark(db, "L-00000000000c", "new", NULL, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "L-00000000000c", &b) == 0);
	CHECK_EQ_STR(b.status, "new");
	CHECK_EQ_STR(b.dup_of, "");

	/* the history, oldest first */
	REQUIRE(ds_triage_db__history(db, "D-00000000000a", collect_change, &h) == 0);
	REQUIRE(h.n == 4);
	CHECK_EQ_STR(h.c[0].origin, "created");
	CHECK_EQ_STR(h.c[0].old_status, "");
	CHECK_EQ_STR(h.c[0].new_status, "new");
	CHECK_EQ_STR(h.c[1].origin, "mark");
	CHECK_EQ_STR(h.c[1].old_status, "new");
	CHECK_EQ_STR(h.c[1].new_status, "known");
	CHECK_EQ_STR(h.c[1].note, "ext4 vs jbd2");
	CHECK_EQ_STR(h.c[1].link, "https://lore.kernel.org/x");
	CHECK_EQ_STR(h.c[2].old_status, "known");
	CHECK_EQ_STR(h.c[2].new_status, "false-positive");
	CHECK_EQ_STR(h.c[2].note, "");
	CHECK_EQ_STR(h.c[3].new_status, "fixed");
	CHECK(h.c[1].at >= before && h.c[3].at <= time(NULL));
	memset(&h, 0, sizeof(h));
	REQUIRE(ds_triage_db__history(db, "L-00000000000c", collect_change, &h) == 0);
	REQUIRE(h.n == 3);
	CHECK_EQ_STR(h.c[1].new_status, "duplicate");
	CHECK_EQ_STR(h.c[1].dup_of, "D-00000000000b");
	CHECK(ds_triage_db__history(db, "D-0000000000ff", collect_change, &h) == -ENOENT);
	ds_triage_db__close(db);

	CHECK(ds_triage_status_valid("new") && ds_triage_status_valid("known") &&
	      ds_triage_status_valid("false-positive") && ds_triage_status_valid("fixed") &&
	      ds_triage_status_valid("duplicate"));
	CHECK(!ds_triage_status_valid("open") && !ds_triage_status_valid(NULL));
}

struct list_ctx {
	struct ds_triage_db *db;
	int n, stop_at;
	char order[8][DS_TRIAGE_BUCKET_LEN];
	int64_t counts[8];
	int nested_ok;
};

static int collect_bucket(void *ctx, const struct ds_triage_bucket *b)
{
	struct list_ctx *l = ctx;
	struct seen_log s = {};
	struct ds_triage_bucket again;

	if (l->n < 8) {
		strcpy(l->order[l->n], b->bucket);
		l->counts[l->n] = b->count;
	}
	l->n++;
	/* a callback may use the other calls (the HTML report does) */
	if (l->db && !ds_triage_db__get(l->db, b->bucket, &again) &&
	    !ds_triage_db__occurrences(l->db, b->bucket, 0, collect_seen, &s) &&
	    s.n == again.count)
		l->nested_ok++;
	return l->n == l->stop_at ? 42 : 0;
}

TEST(test_triage_db_list)
{
	struct ds_triage_occurrence o;
	struct list_ctx l = {};
	struct ds_triage_db *db;
	char path[512];

	tmp_path(path, sizeof(path), "list.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	REQUIRE(ds_triage_db__list(db, collect_bucket, &l) == 0);
	CHECK_EQ_U64(l.n, 0);

	o = occ("D-00000000000b", SIG_B, "a.log", 1, 200, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	o = occ("D-00000000000a", SIG_A, "a.log", 1, 300, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	o = occ("L-00000000000c", SIG_C, "a.log", 1, 100, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	o = occ("D-000000000009", "dept|other", "a.log", 1, 200, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);

	l.db = db;
	REQUIRE(ds_triage_db__list(db, collect_bucket, &l) == 0);
	REQUIRE(l.n == 4);
	/* latest seen first, ties by bucket */
	CHECK_EQ_STR(l.order[0], "D-00000000000a");
	CHECK_EQ_U64(l.counts[0], 2);
	CHECK_EQ_STR(l.order[1], "D-000000000009");
	CHECK_EQ_STR(l.order[2], "D-00000000000b");
	CHECK_EQ_STR(l.order[3], "L-00000000000c");
	CHECK_EQ_U64(l.nested_ok, 4);

	memset(&l, 0, sizeof(l));
	l.stop_at = 2;
	CHECK_EQ_U64(ds_triage_db__list(db, collect_bucket, &l), 42);
	CHECK_EQ_U64(l.n, 2);
	ds_triage_db__close(db);
}

TEST(test_triage_db_transactions)
{
	struct ds_triage_occurrence o;
	struct list_ctx l = {};
	struct ds_triage_bucket b;
	struct ds_triage_db *db;
	int64_t run = 0;
	char path[512];
	bool was_new;

	tmp_path(path, sizeof(path), "tx.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	CHECK(ds_triage_db__commit(db) == -EINVAL);
	CHECK(ds_triage_db__rollback(db) == -EINVAL);

	/* a rolled back run leaves nothing */
	REQUIRE(ds_triage_db__begin(db) == 0);
	CHECK(ds_triage_db__begin(db) == -EINVAL);
	REQUIRE(ds_triage_db__new_run(db, "triage a.log", 100, &run) == 0);
	o = occ("D-00000000000a", SIG_A, "a.log", 1, 100, "6.12.0");
	o.run = run;
	REQUIRE(ds_triage_db__record(db, &o, NULL, &was_new) == 0);
	CHECK(was_new);
	REQUIRE(ds_triage_db__record(db, &o, &b, &was_new) == 0);
	CHECK(!was_new);
	CHECK_EQ_U64(b.count, 2);
	o = occ("D-00000000000b", SIG_B, "a.log", 40, 100, "6.12.0");
	o.run = run;
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__mark(db, "D-00000000000b", "known", "x", NULL, NULL) == 0);
	REQUIRE(ds_triage_db__rollback(db) == 0);
	CHECK(ds_triage_db__get(db, "D-00000000000a", &b) == -ENOENT);
	CHECK(ds_triage_db__get(db, "D-00000000000b", &b) == -ENOENT);
	REQUIRE(ds_triage_db__list(db, collect_bucket, &l) == 0);
	CHECK_EQ_U64(l.n, 0);
	ds_triage_db__close(db);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM runs"), 0);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM occurrences"), 0);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM status_history"), 0);

	/* a failed record inside a run undoes only itself */
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	REQUIRE(ds_triage_db__begin(db) == 0);
	o = occ("D-00000000000a", SIG_A, "a.log", 1, 100, NULL);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	o.signature = SIG_B;
	CHECK(ds_triage_db__record(db, &o, NULL, NULL) == -EEXIST);
	o.signature = SIG_A;
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	REQUIRE(ds_triage_db__commit(db) == 0);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_U64(b.count, 2);

	/* closing with a transaction open rolls it back */
	REQUIRE(ds_triage_db__begin(db) == 0);
	REQUIRE(ds_triage_db__record(db, &o, NULL, NULL) == 0);
	ds_triage_db__close(db);
	CHECK_EQ_U64(raw_int(path, "SELECT count FROM buckets"), 2);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM occurrences"), 2);
}

/* The v1 schema exactly as deptscope 0.1 wrote it. */
static const char v1_schema[] =
	"PRAGMA application_id = 1146311748;"
	"CREATE TABLE buckets (bucket TEXT PRIMARY KEY NOT NULL, signature TEXT NOT NULL,"
	" kind TEXT NOT NULL, verdict TEXT NOT NULL DEFAULT '', cycle TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL DEFAULT 'new', note TEXT NOT NULL DEFAULT '',"
	" dup_of TEXT REFERENCES buckets(bucket), first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,"
	" first_file TEXT NOT NULL DEFAULT '', kernel TEXT NOT NULL DEFAULT '',"
	" report TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX buckets_by_last_seen ON buckets(last_seen);"
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, started INTEGER NOT NULL,"
	" argv TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE occurrences (id INTEGER PRIMARY KEY,"
	" bucket TEXT NOT NULL REFERENCES buckets(bucket), run INTEGER REFERENCES runs(id),"
	" file TEXT NOT NULL, first_line INTEGER NOT NULL, last_line INTEGER NOT NULL,"
	" kernel TEXT NOT NULL DEFAULT '', seen_at INTEGER NOT NULL);"
	"CREATE INDEX occurrences_by_bucket ON occurrences(bucket, seen_at);"
	"PRAGMA user_version = 1;"
	"INSERT INTO runs VALUES (1, 1000, 'triage a.log b.log', '0.1.0');"
	"INSERT INTO buckets (bucket, signature, kind, verdict, cycle, status, note, first_seen,"
	" last_seen, count, first_file, kernel, report) VALUES"
	" ('D-00000000000a', '" SIG_A "', 'dept', 'deadlock', 'A -> B -> A', 'known',"
	"  'jbd2 vs ext4', 1000, 1100, 2, 'a.log', '6.12.0', 'DEPT: report text'),"
	" ('D-00000000000b', '" SIG_B "', 'dept', '', 'C -> D -> C', 'new', '', 1000, 1000, 1,"
	"  'a.log', '', '');"
	"UPDATE buckets SET status = 'duplicate', dup_of = 'D-00000000000a'"
	" WHERE bucket = 'D-00000000000b';"
	"INSERT INTO occurrences VALUES (1, 'D-00000000000a', 1, 'a.log', 10, 40, '6.12.0', 1000),"
	" (2, 'D-00000000000a', 1, 'b.log', 10, 40, '7.3.0', 1100),"
	" (3, 'D-00000000000b', 1, 'a.log', 50, 80, '', 1000);";

TEST(test_triage_db_migrate_v1)
{
	struct ds_triage_occurrence o;
	struct change_log h = {};
	struct ds_triage_bucket b;
	struct ds_triage_db *db;
	char path[512], *text;

	tmp_path(path, sizeof(path), "v1.db");
	REQUIRE(raw_exec(path, v1_schema) == SQLITE_OK);
	REQUIRE(raw_int(path, "PRAGMA user_version") == 1);

	REQUIRE(ds_triage_db__open(path, &db) == 0);
	CHECK_EQ_U64(ds_triage_db__opened_version(db), 1);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.status, "known");
	CHECK_EQ_STR(b.note, "jbd2 vs ext4");
	CHECK_EQ_STR(b.link, "");
	CHECK_EQ_U64(b.count, 2);
	CHECK_EQ_STR(b.kernel, "6.12.0");
	/* v2 fills last_kernel from the occurrences */
	CHECK_EQ_STR(b.last_kernel, "7.3.0");
	REQUIRE(ds_triage_db__report_text(db, "D-00000000000a", &text, NULL) == 0);
	CHECK_EQ_STR(text, "DEPT: report text");
	free(text);
	REQUIRE(ds_triage_db__get(db, "D-00000000000b", &b) == 0);
	CHECK_EQ_STR(b.status, "duplicate");
	CHECK_EQ_STR(b.dup_of, "D-00000000000a");
	CHECK_EQ_STR(b.last_kernel, "");

	/* each bucket's status at migration time starts its history */
	REQUIRE(ds_triage_db__history(db, "D-00000000000a", collect_change, &h) == 0);
	REQUIRE(h.n == 1);
	CHECK_EQ_STR(h.c[0].origin, "migration");
	CHECK_EQ_STR(h.c[0].new_status, "known");
	CHECK_EQ_STR(h.c[0].note, "jbd2 vs ext4");

	/* and the migrated file works like a new one */
	o = occ("D-00000000000a", SIG_A, "c.log", 1, 1200, "7.4.0");
	REQUIRE(ds_triage_db__record(db, &o, &b, NULL) == 0);
	CHECK_EQ_U64(b.count, 3);
	CHECK_EQ_STR(b.last_kernel, "7.4.0");
	REQUIRE(ds_triage_db__mark(db, "D-00000000000a", "fixed", NULL, "https://x/1", NULL) == 0);
	REQUIRE(ds_triage_db__get(db, "D-00000000000a", &b) == 0);
	CHECK_EQ_STR(b.link, "https://x/1");
	ds_triage_db__close(db);
	CHECK_EQ_U64(raw_int(path, "PRAGMA user_version"), DS_TRIAGE_DB_VERSION);

	REQUIRE(ds_triage_db__open(path, &db) == 0);
	CHECK_EQ_U64(ds_triage_db__opened_version(db), DS_TRIAGE_DB_VERSION);
	ds_triage_db__close(db);
}

/* @path is refused with @want, and left byte for byte as it was. */
static void check_refused(const char *path, int want)
{
	struct ds_triage_db *db = (void *)1;
	size_t len_before = 0, len_after = 0;
	char *before, *after, wal[600];
	int err;

	before = slurp(path, &len_before);
	REQUIRE(before);
	err = ds_triage_db__open(path, &db);
	if (err != want)
		ds_test_fail(__FILE__, __LINE__, "open %s: %d, want %d", path, err, want);
	CHECK(db == NULL);
	after = slurp(path, &len_after);
	CHECK(after && len_after == len_before && !memcmp(before, after, len_before));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK(access(wal, F_OK) != 0);
	free(before);
	free(after);
}

TEST(test_triage_db_refuses)
{
	struct ds_triage_db *db;
	char path[512], garbage[8192];
	unsigned int i, seed = 12345;

	/* written by a newer deptscope */
	tmp_path(path, sizeof(path), "newer.db");
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	ds_triage_db__close(db);
	REQUIRE(raw_exec(path, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99")
		== SQLITE_OK);
	check_refused(path, -EPROTONOSUPPORT);
	CHECK(strstr(ds_triage_db_strerror(-EPROTONOSUPPORT), "newer") != NULL);

	/* random bytes, text, an empty-looking header */
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(rand_r(&seed) & 0xff);
	tmp_path(path, sizeof(path), "garbage.db");
	REQUIRE(write_file(path, garbage, sizeof(garbage)) == 0);
	check_refused(path, -EINVAL);
	CHECK(strstr(ds_triage_db_strerror(-EINVAL), "not a deptscope") != NULL);
	tmp_path(path, sizeof(path), "text.db");
	REQUIRE(write_file(path, "[    0.000000] Linux version 6.12\n", 34) == 0);
	check_refused(path, -EINVAL);

	/* another program's SQLite database is not ours to change */
	tmp_path(path, sizeof(path), "foreign.db");
	REQUIRE(raw_exec(path, "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);"
			 "INSERT INTO moz_places VALUES (1, 'https://kernel.org')") == SQLITE_OK);
	check_refused(path, -EINVAL);
	tmp_path(path, sizeof(path), "foreign2.db");
	REQUIRE(raw_exec(path, "PRAGMA user_version = 7") == SQLITE_OK);
	check_refused(path, -EINVAL);
	tmp_path(path, sizeof(path), "foreign3.db");
	REQUIRE(raw_exec(path, "PRAGMA application_id = 1234") == SQLITE_OK);
	check_refused(path, -EINVAL);

	/* an empty file is a new database */
	tmp_path(path, sizeof(path), "empty.db");
	REQUIRE(write_file(path, "", 0) == 0);
	REQUIRE(ds_triage_db__open(path, &db) == 0);
	ds_triage_db__close(db);
}

#define CONC_TX		20
#define CONC_PER_TX	10

/* One child: its own connection, many short transactions; exit 0/1 = created the shared bucket. */
static int concurrent_child(const char *path, int id, int go_fd)
{
	char own[DS_TRIAGE_BUCKET_LEN], sig[64], c;
	struct ds_triage_occurrence o;
	struct ds_triage_db *db;
	int created = 0, i, j;
	bool was_new;
	int64_t run;

	/* wait for the start signal: both open and migrate a new file at once */
	if (read(go_fd, &c, 1) < 0)
		return 10;
	if (ds_triage_db__open(path, &db))
		return 11;
	snprintf(own, sizeof(own), "D-%012d", id + 100);
	snprintf(sig, sizeof(sig), "dept|own%d", id);
	for (i = 0; i < CONC_TX; i++) {
		if (ds_triage_db__begin(db) ||
		    ds_triage_db__new_run(db, "concurrent", 1000 + i, &run))
			return 12;
		for (j = 0; j < CONC_PER_TX; j++) {
			o = occ("D-000000000001", SIG_A, "shared.log", j, 1000 + i, NULL);
			o.run = run;
			if (ds_triage_db__record(db, &o, NULL, &was_new))
				return 13;
			created += was_new;
			o = occ(own, sig, "own.log", j, 1000 + i, NULL);
			o.run = run;
			if (ds_triage_db__record(db, &o, NULL, NULL))
				return 14;
		}
		if (ds_triage_db__commit(db))
			return 15;
	}
	ds_triage_db__close(db);
	return created;
}

TEST(test_triage_db_concurrent)
{
	struct ds_triage_bucket b;
	struct ds_triage_db *db;
	int pipefd[2], status, created = 0, i;
	char path[512], own[DS_TRIAGE_BUCKET_LEN];
	pid_t pid[2];

	tmp_path(path, sizeof(path), "concurrent/triage.db");
	REQUIRE(pipe(pipefd) == 0);
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		REQUIRE(pid[i] >= 0);
		if (!pid[i]) {
			close(pipefd[1]);
			_exit(concurrent_child(path, i, pipefd[0]));
		}
	}
	close(pipefd[0]);
	close(pipefd[1]);	/* go: both reads return 0 */
	for (i = 0; i < 2; i++) {
		REQUIRE(waitpid(pid[i], &status, 0) == pid[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
			ds_test_fail(__FILE__, __LINE__, "child %d: status 0x%x", i, status);
		else
			created += WEXITSTATUS(status);
	}
	CHECK_EQ_U64(created, 1);

	REQUIRE(ds_triage_db__open(path, &db) == 0);
	REQUIRE(ds_triage_db__get(db, "D-000000000001", &b) == 0);
	CHECK_EQ_U64(b.count, 2 * CONC_TX * CONC_PER_TX);
	for (i = 0; i < 2; i++) {
		snprintf(own, sizeof(own), "D-%012d", i + 100);
		REQUIRE(ds_triage_db__get(db, own, &b) == 0);
		CHECK_EQ_U64(b.count, CONC_TX * CONC_PER_TX);
	}
	ds_triage_db__close(db);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM runs"), 2 * CONC_TX);
	CHECK_EQ_U64(raw_int(path, "SELECT count(*) FROM occurrences"),
		     2 * 2 * CONC_TX * CONC_PER_TX);
}

TEST(test_triage_db_strerror)
{
	CHECK(strstr(ds_triage_db_strerror(-EBUSY), "locked") != NULL);
	CHECK_EQ_STR(ds_triage_db_strerror(-ENOENT), strerror(ENOENT));
}
