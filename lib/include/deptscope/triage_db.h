/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The known-issue database of `deptscope triage`: one SQLite file holding
 * every bucket (reports with one cycle signature) ever seen, its QA status,
 * every occurrence and the runs that saw them.  Schema, statuses,
 * concurrency and migrations are described in docs/triage-db.md.
 *
 * A struct ds_triage_db is one connection: use it from one thread.  Several
 * processes may use one file at once (WAL, 5 s busy timeout).
 *
 * Every function returns 0 or a negative errno; ds_triage_db_strerror()
 * says what the database-specific ones mean.  Begin/commit/rollback out of
 * order give -EINVAL.
 */
#ifndef DEPTSCOPE_TRIAGE_DB_H
#define DEPTSCOPE_TRIAGE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this code writes; a newer file is refused. */
#define DS_TRIAGE_DB_VERSION		2
/* How long a write waits for another process's transaction, in ms. */
#define DS_TRIAGE_DB_BUSY_MS		5000

/*
 * Sizes of the text fields of struct ds_triage_bucket, terminating NUL
 * included.  The database keeps every value whole; a copy longer than its
 * field is cut at a UTF-8 character boundary.  Notes and links longer than
 * their fields are refused by ds_triage_db__mark(), so what is marked is
 * what is read back.
 */
#define DS_TRIAGE_BUCKET_LEN		16	/* "D-" or "L-" and 12 hex digits */
#define DS_TRIAGE_SIG_LEN		1024	/* DS_DEPT_SIG_LEN */
#define DS_TRIAGE_KIND_LEN		16	/* "dept", "dept-recover", "lockdep" */
#define DS_TRIAGE_VERDICT_LEN		32
#define DS_TRIAGE_CYCLE_LEN		512
#define DS_TRIAGE_STATUS_LEN		24
#define DS_TRIAGE_NOTE_LEN		512
#define DS_TRIAGE_LINK_LEN		512
#define DS_TRIAGE_FILE_LEN		256
#define DS_TRIAGE_KERNEL_LEN		64

struct ds_triage_db;

/* A bucket as stored. */
struct ds_triage_bucket {
	char bucket[DS_TRIAGE_BUCKET_LEN];
	char signature[DS_TRIAGE_SIG_LEN];
	char kind[DS_TRIAGE_KIND_LEN];
	char verdict[DS_TRIAGE_VERDICT_LEN];	/* "" when the report printed none */
	char cycle[DS_TRIAGE_CYCLE_LEN];	/* one line: "A -> B -> A" */
	char status[DS_TRIAGE_STATUS_LEN];	/* new, known, false-positive, fixed, duplicate */
	char note[DS_TRIAGE_NOTE_LEN];		/* "" when none */
	char link[DS_TRIAGE_LINK_LEN];		/* "" when none */
	char dup_of[DS_TRIAGE_BUCKET_LEN];	/* status duplicate: the bucket; else "" */
	int64_t first_seen, last_seen;		/* unix time of the earliest, latest occurrence */
	int64_t count;				/* occurrences recorded, all runs */
	char first_file[DS_TRIAGE_FILE_LEN];	/* file of the earliest occurrence */
	char kernel[DS_TRIAGE_KERNEL_LEN];	/* release of the earliest occurrence naming one */
	char last_kernel[DS_TRIAGE_KERNEL_LEN];	/* release of the latest occurrence naming one */
};

/*
 * One report seen by a triage run.  Strings are copied; NULL is "" for
 * verdict, kernel and text.  bucket, signature, kind and file are required.
 */
struct ds_triage_occurrence {
	int64_t run;			/* from ds_triage_db__new_run(), 0: none */
	const char *bucket;
	const char *signature;
	const char *kind;
	const char *verdict;
	const char *cycle;
	const char *kernel;
	const char *file;
	uint64_t first_line, last_line;	/* 1-based, in file */
	int64_t seen_at;		/* unix time */
	const char *text;		/* the report as read: kept for the bucket's first one */
	size_t text_len;
};

/* An occurrence as stored, for reports (ds_triage_db__occurrences()). */
struct ds_triage_seen {
	int64_t id;
	int64_t run;			/* 0: recorded without a run */
	char file[DS_TRIAGE_FILE_LEN];
	uint64_t first_line, last_line;
	char kernel[DS_TRIAGE_KERNEL_LEN];
	int64_t seen_at;
};

/* A status change (ds_triage_db__history()). */
struct ds_triage_change {
	int64_t at;				/* unix time */
	char origin[16];			/* "created", "mark" or "migration" */
	char old_status[DS_TRIAGE_STATUS_LEN];	/* "" for "created" and "migration" */
	char new_status[DS_TRIAGE_STATUS_LEN];
	char note[DS_TRIAGE_NOTE_LEN];		/* as set by this change; "" when unchanged */
	char link[DS_TRIAGE_LINK_LEN];
	char dup_of[DS_TRIAGE_BUCKET_LEN];
};

typedef int (*ds_triage_bucket_fn)(void *ctx, const struct ds_triage_bucket *b);
typedef int (*ds_triage_seen_fn)(void *ctx, const struct ds_triage_seen *s);
typedef int (*ds_triage_change_fn)(void *ctx, const struct ds_triage_change *c);

/*
 * $XDG_DATA_HOME/deptscope/triage.db (an absolute XDG_DATA_HOME only, as the
 * XDG spec says), else $HOME/.local/share/deptscope/triage.db.  -ENOENT
 * when neither is set, -ENAMETOOLONG when @len is too small.
 */
int ds_triage_db__default_path(char *buf, size_t len);

/*
 * Open @path, creating it (mode 0600) and its missing parent directories
 * (0700), and bring its schema up to DS_TRIAGE_DB_VERSION in one
 * transaction.  -EINVAL: not a SQLite file, or a SQLite file of something
 * else (left untouched); -EPROTONOSUPPORT: written by a newer deptscope;
 * -EBUSY: another process held the database past the busy timeout.
 */
int ds_triage_db__open(const char *path, struct ds_triage_db **out);
/* An open transaction is rolled back.  NULL-safe. */
void ds_triage_db__close(struct ds_triage_db *db);
/* The schema version found on open, before migrations (0: a new file). */
int ds_triage_db__opened_version(const struct ds_triage_db *db);

/*
 * One transaction for a whole triage run (BEGIN IMMEDIATE: it waits up to
 * the busy timeout for another writer, then -EBUSY).  Without one, each
 * call that writes is its own transaction.  Hold it for milliseconds:
 * parse first, then begin, record everything, commit.
 */
int ds_triage_db__begin(struct ds_triage_db *db);
int ds_triage_db__commit(struct ds_triage_db *db);
int ds_triage_db__rollback(struct ds_triage_db *db);

/* A run: what was triaged and when; @argv_summary may be NULL. */
int ds_triage_db__new_run(struct ds_triage_db *db, const char *argv_summary, int64_t started,
			  int64_t *run_id);

/*
 * Count one occurrence: create its bucket with status "new" if absent,
 * else update count, first/last seen, kernels.  The bucket as now stored
 * goes to @out and whether this call created it to @was_new (both
 * optional).  Atomic: on error nothing of this call is kept.  -EEXIST: the
 * bucket exists with another signature (a bucket id collision); -EINVAL: a
 * required field is NULL, the bucket id has 16 bytes or more, or no such run.
 */
int ds_triage_db__record(struct ds_triage_db *db, const struct ds_triage_occurrence *o,
			 struct ds_triage_bucket *out, bool *was_new);

/* -ENOENT if absent. */
int ds_triage_db__get(struct ds_triage_db *db, const char *bucket, struct ds_triage_bucket *out);

/*
 * Set a bucket's status and log the change with the time.  NULL @note or
 * @link keep the old value ("" clears it).  @dup_of is required with
 * "duplicate" and must be NULL otherwise.  -ENOENT: no such bucket;
 * -EINVAL: unknown status, or @dup_of missing, unknown or the bucket
 * itself; -ELOOP: @dup_of is (through duplicates) a duplicate of @bucket;
 * -E2BIG: note or link longer than its field in struct ds_triage_bucket.
 */
int ds_triage_db__mark(struct ds_triage_db *db, const char *bucket, const char *status,
		       const char *note, const char *link, const char *dup_of);

/*
 * Every bucket, latest seen first (then by bucket).  A non-zero return of
 * @cb stops the walk and is returned.  @cb may call any other function of
 * this API on @db (get, occurrences, report_text ...).
 */
int ds_triage_db__list(struct ds_triage_db *db, ds_triage_bucket_fn cb, void *ctx);

/*
 * The report text kept for @bucket (its earliest occurrence with text), as
 * a NUL-terminated malloc'd copy the caller frees; @len (optional) gets its
 * length.  "" when none was recorded; -ENOENT: no such bucket.
 */
int ds_triage_db__report_text(struct ds_triage_db *db, const char *bucket, char **text,
			      size_t *len);

/*
 * Occurrences of @bucket, latest first; at most @max of them (0: all).
 * -ENOENT: no such bucket.  @cb as in ds_triage_db__list().
 */
int ds_triage_db__occurrences(struct ds_triage_db *db, const char *bucket, unsigned int max,
			      ds_triage_seen_fn cb, void *ctx);

/* Status changes of @bucket, oldest first.  -ENOENT: no such bucket. */
int ds_triage_db__history(struct ds_triage_db *db, const char *bucket, ds_triage_change_fn cb,
			  void *ctx);

/* One of the five statuses. */
bool ds_triage_status_valid(const char *status);
/*
 * What an error means, in words: every error of ds_triage_db__open(), and
 * -EBUSY, -EBADMSG, -EEXIST, -ELOOP, -E2BIG of any call.  (-EINVAL from a
 * call other than open is a bad argument, not a foreign file.)
 */
const char *ds_triage_db_strerror(int err);

#endif
