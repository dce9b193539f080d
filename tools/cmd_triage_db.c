// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope triage mark / triage list: the known-issue database by hand
 * (docs/triage-db.md).  Neither creates a database: a missing file has no
 * buckets, and a typo in --db must not leave an empty database behind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/triage_db.h"
#include "cli.h"
#include "cmds.h"

#define STATUSES "new, known, false-positive, fixed or duplicate"

/* --db, else the default path; NULL after an error line. */
static const char *db_path(const struct ds_params *p, char *buf, size_t len)
{
	int err;

	if (p->db)
		return p->db;
	err = ds_triage_db__default_path(buf, len);
	if (!err)
		return buf;
	if (err == -ENOENT)
		ds_err("cannot tell where the known-issue database is: neither XDG_DATA_HOME nor "
		       "HOME is set; give --db FILE");
	else
		ds_err("cannot tell where the known-issue database is: %s; give --db FILE",
		       strerror(-err));
	return NULL;
}

static int open_db(const char *path, struct ds_triage_db **db)
{
	int err = ds_triage_db__open(path, db);

	if (err)
		ds_err("cannot open the known-issue database %s: %s", path,
		       ds_triage_db_strerror(err));
	return err;
}

/* "2025-01-31 23:59" in UTC */
static void fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, len, "?");
}

/* Text for one line: control characters become spaces. */
static void one_line(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	out[i] = '\0';
}

static void kv_str_or_null(struct ds_json *j, const char *k, const char *v)
{
	ds_json__key(j, k);
	if (v[0])
		ds_json__str(j, v);
	else
		ds_json__null(j);
}

static void kv_i64(struct ds_json *j, const char *k, int64_t v)
{
	ds_json__key(j, k);
	ds_json__i64(j, v);
}

/* A bucket's members, inside an object the caller opened. */
static void json_bucket_fields(struct ds_json *j, const struct ds_triage_bucket *b)
{
	ds_json__kv_str(j, "bucket", b->bucket);
	ds_json__kv_str(j, "status", b->status);
	kv_str_or_null(j, "dup_of", b->dup_of);
	kv_i64(j, "count", b->count);
	kv_i64(j, "first_seen", b->first_seen);
	kv_i64(j, "last_seen", b->last_seen);
	ds_json__kv_str(j, "kind", b->kind);
	kv_str_or_null(j, "verdict", b->verdict);
	ds_json__kv_str(j, "cycle", b->cycle);
	ds_json__kv_str(j, "signature", b->signature);
	kv_str_or_null(j, "note", b->note);
	kv_str_or_null(j, "link", b->link);
	ds_json__kv_str(j, "first_file", b->first_file);
	kv_str_or_null(j, "kernel", b->kernel);
	kv_str_or_null(j, "last_kernel", b->last_kernel);
}

/* Checks that need no database: usage errors, exit 2. */
static int check_mark_args(const struct ds_params *p)
{
	if (!ds_triage_status_valid(p->status)) {
		fprintf(stderr, "deptscope triage mark: unknown status '%s' (" STATUSES ")\n",
			p->status);
		return DS_EXIT_USAGE;
	}
	if (p->note && strlen(p->note) >= DS_TRIAGE_NOTE_LEN) {
		fprintf(stderr, "deptscope triage mark: --note is longer than %d bytes\n",
			DS_TRIAGE_NOTE_LEN - 1);
		return DS_EXIT_USAGE;
	}
	if (p->link && strlen(p->link) >= DS_TRIAGE_LINK_LEN) {
		fprintf(stderr, "deptscope triage mark: --link is longer than %d bytes\n",
			DS_TRIAGE_LINK_LEN - 1);
		return DS_EXIT_USAGE;
	}
	return 0;
}

static void print_marked(const struct ds_params *p, const struct ds_triage_bucket *b,
			 const char *old_status)
{
	char text[DS_TRIAGE_NOTE_LEN > DS_TRIAGE_LINK_LEN ? DS_TRIAGE_NOTE_LEN :
		  DS_TRIAGE_LINK_LEN];
	struct ds_json j;

	if (p->json) {
		ds_json__init(&j, stdout, p->pretty);
		ds_json__begin_object(&j);
		json_bucket_fields(&j, b);
		ds_json__kv_str(&j, "previous_status", old_status);
		ds_json__end_object(&j);
		ds_json__finish(&j);
		return;
	}
	printf("%s: %s -> %s", b->bucket, old_status, b->status);
	if (b->dup_of[0])
		printf(" of %s", b->dup_of);
	if (p->note) {
		one_line(b->note, text, sizeof(text));
		printf(b->note[0] ? "; note \"%s\"" : "; note cleared", text);
	}
	if (p->link) {
		one_line(b->link, text, sizeof(text));
		printf(b->link[0] ? "; link %s" : "; link cleared", text);
	}
	putchar('\n');
}

int cmd_triage_mark(int argc, char **argv)
{
	struct ds_triage_bucket b, orig;
	struct ds_triage_db *db = NULL;
	const char *path, *bucket;
	char old_status[DS_TRIAGE_STATUS_LEN], buf[4096];
	struct ds_params p;
	int ret, err;

	ret = ds_parse_triage_mark(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_triage_mark, stdout);
		return 0;
	}
	ds_log_init("deptscope triage mark", p.verbose);
	ret = check_mark_args(&p);
	if (ret)
		return ret;
	bucket = p.positional[0];
	path = db_path(&p, buf, sizeof(buf));
	if (!path)
		return DS_EXIT_ERROR;
	if (access(path, F_OK) && errno == ENOENT) {
		ds_err("unknown bucket %s: there is no known-issue database at %s yet", bucket,
		       path);
		return DS_EXIT_ERROR;
	}
	if (open_db(path, &db))
		return DS_EXIT_ERROR;

	ret = DS_EXIT_ERROR;
	/* the library says -EINVAL or -ENOENT; these say which argument */
	err = ds_triage_db__get(db, bucket, &b);
	if (err) {
		if (err == -ENOENT)
			ds_err("unknown bucket %s (in %s)", bucket, path);
		else
			ds_err("cannot read bucket %s: %s", bucket, ds_triage_db_strerror(err));
		goto out;
	}
	snprintf(old_status, sizeof(old_status), "%s", b.status);
	if (p.dup_of) {
		if (!strcmp(p.dup_of, bucket)) {
			ds_err("bucket %s cannot be a duplicate of itself", bucket);
			goto out;
		}
		err = ds_triage_db__get(db, p.dup_of, &orig);
		if (err) {
			if (err == -ENOENT)
				ds_err("unknown bucket %s given to --dup-of (in %s)", p.dup_of,
				       path);
			else
				ds_err("cannot read bucket %s: %s", p.dup_of,
				       ds_triage_db_strerror(err));
			goto out;
		}
	}
	err = ds_triage_db__mark(db, bucket, p.status, p.note, p.link, p.dup_of);
	if (err == -ELOOP) {
		ds_err("%s is already a duplicate of %s (directly or through other buckets)",
		       p.dup_of, bucket);
		goto out;
	}
	if (err) {
		ds_err("cannot mark %s: %s", bucket, ds_triage_db_strerror(err));
		goto out;
	}
	err = ds_triage_db__get(db, bucket, &b);
	if (err) {
		ds_err("cannot read bucket %s: %s", bucket, ds_triage_db_strerror(err));
		goto out;
	}
	print_marked(&p, &b, old_status);
	ret = 0;
out:
	ds_triage_db__close(db);
	return ret;
}

struct list_out {
	const struct ds_params *p;
	struct ds_json j;
};

static int list_one(void *ctx, const struct ds_triage_bucket *b)
{
	struct list_out *lo = ctx;
	char when[32], text[DS_TRIAGE_NOTE_LEN];

	if (lo->p->json) {
		ds_json__begin_object(&lo->j);
		json_bucket_fields(&lo->j, b);
		ds_json__end_object(&lo->j);
		return 0;
	}
	fmt_time(b->last_seen, when, sizeof(when));
	printf("%-15s %-14s %7lld  %-16s  %s", b->bucket, b->status, (long long)b->count, when,
	       b->cycle);
	if (b->dup_of[0])
		printf("  (duplicate of %s)", b->dup_of);
	putchar('\n');
	if (lo->p->verbose) {
		if (b->note[0]) {
			one_line(b->note, text, sizeof(text));
			printf("    note: %s\n", text);
		}
		if (b->link[0]) {
			one_line(b->link, text, sizeof(text));
			printf("    link: %s\n", text);
		}
		fmt_time(b->first_seen, when, sizeof(when));
		printf("    first seen %s in %s%s%s\n", when, b->first_file,
		       b->kernel[0] ? ", kernel " : "", b->kernel);
	}
	return 0;
}

static void list_begin(struct list_out *lo)
{
	if (lo->p->json) {
		ds_json__init(&lo->j, stdout, lo->p->pretty);
		ds_json__begin_object(&lo->j);
		ds_json__key(&lo->j, "buckets");
		ds_json__begin_array(&lo->j);
	} else {
		printf("%-15s %-14s %7s  %-16s  %s\n", "BUCKET", "STATUS", "COUNT",
		       "LAST-SEEN (UTC)", "CYCLE");
	}
}

static void list_end(struct list_out *lo)
{
	if (!lo->p->json)
		return;
	ds_json__end_array(&lo->j);
	ds_json__end_object(&lo->j);
	ds_json__finish(&lo->j);
}

int cmd_triage_list(int argc, char **argv)
{
	struct ds_triage_db *db = NULL;
	struct list_out lo = {};
	struct ds_params p;
	const char *path;
	char buf[4096];
	int ret, err;

	ret = ds_parse_triage_list(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_triage_list, stdout);
		return 0;
	}
	ds_log_init("deptscope triage list", p.verbose);
	path = db_path(&p, buf, sizeof(buf));
	if (!path)
		return DS_EXIT_ERROR;
	lo.p = &p;
	if (access(path, F_OK) && errno == ENOENT) {
		/* nothing triaged yet: an empty list, and no file created */
		if (!p.json)
			ds_info("no known-issue database at %s yet", path);
		list_begin(&lo);
		list_end(&lo);
		return 0;
	}
	if (open_db(path, &db))
		return DS_EXIT_ERROR;
	list_begin(&lo);
	err = ds_triage_db__list(db, list_one, &lo);
	list_end(&lo);
	ds_triage_db__close(db);
	if (err) {
		ds_err("cannot list %s: %s", path, ds_triage_db_strerror(err));
		return DS_EXIT_ERROR;
	}
	return 0;
}
