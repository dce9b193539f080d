// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope triage and the known-issue database.  Parsing comes first and
 * only fills memory; the occurrences are recorded afterwards in one short
 * transaction, so a second triage run on the same database waits
 * milliseconds, not for our whole parse.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/triage_db.h"
#include "triage.h"

int triage_db_open(struct triage_run *t)
{
	char def[4096];
	const char *path = t->p->db;
	int err;

	if (t->p->no_db)
		return 0;
	if (!path) {
		err = ds_triage_db__default_path(def, sizeof(def));
		if (err) {
			ds_err("no place for the known-issue database ($XDG_DATA_HOME and $HOME "
			       "unset): give --db FILE or --no-db");
			return err;
		}
		path = def;
	}
	err = ds_triage_db__open(path, &t->db);
	if (err)
		ds_err("%s: %s", path, ds_triage_db_strerror(err));
	return err;
}

static int record_bucket(struct triage_run *t, struct triage_bucket *b)
{
	const struct ds_dept_report *r = b->first;
	struct ds_triage_occurrence o = {
		.run = t->run_id,
		.bucket = b->bucket,
		.signature = r->signature,
		.kind = ds_report_kind_name(r->kind),
		.verdict = ds_verdict_name(r->verdict),
		.seen_at = t->started,
		.text = r->text,
		.text_len = r->text_len,
	};
	struct ds_triage_bucket stored;
	char cycle[DS_TRIAGE_CYCLE_LEN];
	bool was_new;
	size_t i;
	int err;

	ds_dept_report__cycle(r, cycle, sizeof(cycle));
	o.cycle = cycle;
	for (i = 0; i < b->nr_occ; i++) {
		o.file = b->occ[i].file;
		o.first_line = b->occ[i].first_line;
		o.last_line = b->occ[i].last_line;
		o.kernel = b->occ[i].kernel;
		err = ds_triage_db__record(t->db, &o, &stored, &was_new);
		if (err)
			return err;
		if (!i)
			b->seen_before = !was_new;
		o.text = NULL;	/* the bucket keeps its first report's text */
		o.text_len = 0;
	}
	snprintf(b->status, sizeof(b->status), "%s", stored.status);
	/* never triaged, but not new either: it was already there last time */
	if (!strcmp(b->status, "new") && b->seen_before)
		snprintf(b->status, sizeof(b->status), "open");
	snprintf(b->note, sizeof(b->note), "%s", stored.note);
	snprintf(b->link, sizeof(b->link), "%s", stored.link);
	b->db_count = stored.count;
	b->db_first_seen = stored.first_seen;
	return 0;
}

int triage_db_commit(struct triage_run *t)
{
	char what[256];
	size_t i;
	int err;

	if (!t->db)
		return 0;
	snprintf(what, sizeof(what), "triage of %d file(s)%s%s", t->p->nr_positional,
		 t->p->nr_positional ? ", first " : "",
		 t->p->nr_positional ? t->p->positional[0] : "");
	err = ds_triage_db__begin(t->db);
	if (!err)
		err = ds_triage_db__new_run(t->db, what, t->started, &t->run_id);
	for (i = 0; !err && i < t->nr; i++)
		err = record_bucket(t, &t->buckets[i]);
	if (!err)
		err = ds_triage_db__commit(t->db);
	if (err) {
		ds_err("known-issue database: %s", ds_triage_db_strerror(err));
		ds_triage_db__rollback(t->db);
	}
	return err;
}

void triage_db_close(struct triage_run *t)
{
	ds_triage_db__close(t->db);
	t->db = NULL;
}
