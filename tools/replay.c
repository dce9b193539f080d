// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Replaying a recording: the one loop every offline command shares. */
#include <errno.h>
#include <string.h>
#include "deptscope/log.h"
#include "cli.h"
#include "replay.h"

int ds_replay_run(struct ds_replay *r, struct ds_stream *s)
{
	struct ds_reader *rd = NULL;
	int err, n;

	err = ds_reader__open(r->path, &rd);
	if (err) {
		ds_err("cannot read recording %s: %s", r->path, ds_reader_strerror(err));
		return DS_EXIT_ERROR;
	}
	err = ds_stream__add_source(s, &ds_reader_source_ops, rd);
	while (!err && !ds_stream__eof(s)) {
		n = ds_stream__poll(s, 0);
		if (n < 0)
			err = n;
		else if (r->tick)
			err = r->tick(r->ctx, ds_stream__last_ts(s));
	}
	r->state = ds_reader__state(rd);
	r->records = ds_reader__records(rd);
	r->last_ts = ds_stream__last_ts(s);
	/* the status string lives in the reader: keep a copy */
	snprintf(r->status, sizeof(r->status), "%s", ds_reader__status_str(rd));
	ds_reader__close(rd);
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
