// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* deptscope export: recording -> Chrome Trace Event JSON, written atomically. */
#include <errno.h>
#include <string.h>
#include "deptscope/chrome.h"
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "replay.h"

struct export_out {
	struct ds_chrome *c;
	FILE *f;
	struct ds_replay *rp;
	int err;
};

/* A write error (a full disk) is the output's: said as such, not as a bad recording. */
static int export_consume(void *ctx, const struct ds_event_hdr *ev)
{
	struct export_out *o = ctx;
	int err;

	errno = 0;
	err = ds_chrome__consume(o->c, ev);
	if (err && ferror(o->f)) {
		o->err = errno ? -errno : err;
		o->rp->output_failed = true;
	}
	return err;
}

int cmd_export(int argc, char **argv)
{
	struct ds_atomic_file af = {};
	struct ds_chrome *c = NULL;
	struct ds_replay rp = {};
	struct export_out o = { .rp = &rp };
	struct ds_stream *s = NULL;
	struct ds_params p;
	int ret, err;

	ret = ds_parse_export(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_export, stdout);
		return 0;
	}
	ds_log_init("deptscope export", p.verbose);
	err = ds_atomic_file__open(&af, p.output);
	if (err) {
		ds_err("cannot create %s: %s", p.output, strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	err = ds_chrome__new(af.f, &c);
	if (!err)
		err = ds_stream__new(&s);
	o.c = c;
	o.f = af.f;
	if (!err)
		err = ds_stream__add_consumer(s, export_consume, &o);
	if (err)
		goto fail;
	rp.path = p.input;
	ret = ds_replay_run(&rp, s);
	if (ret && o.err) {
		ds_err("writing %s failed: %s", p.output, strerror(-o.err));
		ds_atomic_file__abort(&af);
		goto out;
	}
	if (ret) {
		/* unreadable or corrupt: a partial timeline would mislead */
		ds_atomic_file__abort(&af);
		goto out;
	}
	errno = 0;
	err = ds_chrome__finish(c);
	if (err && ferror(af.f) && errno)
		err = -errno;
	if (err)
		goto fail;
	err = ds_atomic_file__commit(&af);
	if (err) {
		ds_err("writing %s failed: %s", p.output, strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	fprintf(stderr, "Wrote %llu trace events from %llu records to %s\n",
		(unsigned long long)ds_chrome__events_written(c), (unsigned long long)rp.records,
		p.output);
	goto out;
fail:
	ds_err("export failed: %s", strerror(-err));
	ds_atomic_file__abort(&af);
	ret = DS_EXIT_ERROR;
out:
	ds_stream__free(s);
	ds_chrome__free(c);
	return ret;
}
