// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Replaying a recording: the one loop every offline command shares. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/tracedat.h"
#include "cli.h"
#include "replay.h"

static int drain(struct ds_replay *r, struct ds_stream *s)
{
	int err = 0, n;

	while (!err && !ds_stream__eof(s)) {
		n = ds_stream__poll(s, 0);
		if (n < 0)
			err = n;
		else if (r->tick)
			err = r->tick(r->ctx, ds_stream__last_ts(s));
	}
	return err;
}

void ds_tracedat_warn(const char *path, const struct ds_tracedat_stats *st)
{
	if (st->lost)
		ds_warn("%s: the ring buffer lost %" PRIu64 " event(s) while trace-cmd recorded",
			path, st->lost);
	if (st->malformed)
		ds_warn("%s: %" PRIu64 " record(s) did not match their event format; skipped",
			path, st->malformed);
}

/* A trace-cmd file: the same consumers, records made by ds_tracedat. */
static int replay_tracedat(struct ds_replay *r, struct ds_stream *s)
{
	struct ds_tracedat_stats st;
	struct ds_tracedat *t;
	const char *why;
	int err;

	err = ds_tracedat__open(r->path, &t, &why);
	if (err) {
		ds_err("cannot read trace-cmd file %s: %s", r->path, why);
		return DS_EXIT_ERROR;
	}
	err = ds_stream__add_source(s, &ds_tracedat_source_ops, t);
	if (!err)
		err = drain(r, s);
	ds_tracedat__stats(t, &st);
	if (err == -EBADMSG) {
		/* the records before the damage were delivered: say where it stopped */
		ds_err("%s: %s", r->path, ds_tracedat__strerror(t));
		ds_tracedat__close(t);
		return DS_EXIT_ERROR;
	}
	ds_tracedat__close(t);
	r->state = DS_READER_OK;
	r->records = st.imported;
	r->last_ts = ds_stream__last_ts(s);
	snprintf(r->status, sizeof(r->status), "%" PRIu64 " trace records, %" PRIu64
		 " imported", st.records, st.imported);
	if (err && r->output_failed)
		return DS_EXIT_ERROR;
	if (err) {
		ds_err("reading %s failed: %s", r->path, strerror(-err));
		return DS_EXIT_ERROR;
	}
	ds_tracedat_warn(r->path, &st);
	return 0;
}

int ds_replay_run(struct ds_replay *r, struct ds_stream *s)
{
	struct ds_reader *rd = NULL;
	int err;

	if (ds_tracedat__probe(r->path) == 1)
		return replay_tracedat(r, s);
	err = ds_reader__open(r->path, &rd);
	if (err) {
		ds_err("cannot read recording %s: %s", r->path, ds_reader_strerror(err));
		return DS_EXIT_ERROR;
	}
	err = ds_stream__add_source(s, &ds_reader_source_ops, rd);
	if (!err)
		err = drain(r, s);
	r->state = ds_reader__state(rd);
	r->records = ds_reader__records(rd);
	r->last_ts = ds_stream__last_ts(s);
	/* the status string lives in the reader: keep a copy */
	snprintf(r->status, sizeof(r->status), "%s", ds_reader__status_str(rd));
	ds_reader__close(rd);
	if (err && r->output_failed)
		return DS_EXIT_ERROR;
	if (err) {
		ds_err("reading %s failed: %s", r->path, strerror(-err));
		return DS_EXIT_ERROR;
	}
	if (r->state == DS_READER_TRUNCATED)
		ds_warn("%s: %s", r->path, r->status);
	if (r->state == DS_READER_CORRUPT) {
		ds_err("%s: %s", r->path, r->status);
		return DS_EXIT_ERROR;
	}
	return 0;
}

bool ds_replay_this_boot(const char *path)
{
	struct ds_reader *rd;
	bool same;

	if (ds_tracedat__probe(path) == 1 || ds_reader__open(path, &rd))
		return false;
	same = ds_rec_header__this_boot(ds_reader__header(rd));
	ds_reader__close(rd);
	return same;
}
