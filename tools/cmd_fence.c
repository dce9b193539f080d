// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* deptscope fence: live dma-fence wait profiling, or the same on a recording. */
#include <errno.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/util.h"
#include "cmds.h"
#include "fence_print.h"
#include "live.h"

struct fence_run {
	struct fence_printer fp;
	struct ds_fence_model *model;
	uint64_t last_now;
};

static void on_hang(void *ctx, const struct ds_fence_wait *w, const struct ds_fence_timeline *tl,
		    uint64_t now)
{
	fence_print_hang(ctx, w, tl, now);
}

static void on_resolved(void *ctx, const struct ds_fence_wait *w,
			const struct ds_fence_timeline *tl)
{
	fence_print_resolved(ctx, w, tl);
}

static int tick(void *ctx, uint64_t now)
{
	struct fence_run *r = ctx;

	r->last_now = now;
	ds_fence_model__check_hangs(r->model, now, on_hang, &r->fp);
	return 0;
}

static int interval(void *ctx, uint64_t now)
{
	struct fence_run *r = ctx;

	fence_print_summary(&r->fp, r->model, now, false);
	return 0;
}

/*
 * Replay a recording through the same model.  "Now" is the newest event
 * time, so a hang is judged against the recording's clock, not ours.
 */
int fence_replay(struct fence_printer *fp, struct ds_fence_model *m, const char *path,
		 uint64_t *end_ts)
{
	struct ds_stream *s = NULL;
	struct ds_reader *rd = NULL;
	int err, n;

	err = ds_reader__open(path, &rd);
	if (err) {
		ds_err("cannot read recording %s: %s", path, ds_reader_strerror(err));
		return DS_EXIT_ERROR;
	}
	err = ds_stream__new(&s);
	if (err)
		goto out;
	ds_stream__add_source(s, &ds_reader_source_ops, rd);
	err = ds_stream__add_consumer(s, ds_fence_model__consume, m);
	if (err)
		goto out;
	while (!ds_stream__eof(s)) {
		n = ds_stream__poll(s, 0);
		if (n < 0) {
			err = n;
			goto out;
		}
		/* hangs are checked as time passes in the recording */
		ds_fence_model__check_hangs(m, ds_stream__last_ts(s), on_hang, fp);
	}
	*end_ts = ds_stream__last_ts(s);
	fp->status = ds_reader__status_str(rd);
	if (ds_reader__state(rd) == DS_READER_TRUNCATED)
		ds_warn("%s: %s", path, ds_reader__status_str(rd));
	if (ds_reader__state(rd) == DS_READER_CORRUPT) {
		ds_err("%s: %s", path, ds_reader__status_str(rd));
		err = -EBADMSG;
	}
out:
	if (err && err != -EBADMSG)
		ds_err("reading %s failed: %s", path, strerror(-err));
	/* the status string lives in the reader: keep a copy for the summary */
	if (fp->status) {
		static char status[160];

		snprintf(status, sizeof(status), "%s", fp->status);
		fp->status = status;
	}
	ds_stream__free(s);
	ds_reader__close(rd);
	return err ? DS_EXIT_ERROR : 0;
}

int cmd_fence(int argc, char **argv)
{
	struct ds_fence_model_opts mo = {};
	struct fence_run r = {};
	struct ds_fence_bpf *bpf = NULL;
	struct ds_stream *s = NULL;
	struct ds_live_hooks hooks = { .tick = tick, .interval = interval, .ctx = &r };
	struct ds_params p;
	uint64_t end_ts = 0;
	char missing[256];
	int ret, err;

	ret = ds_parse_fence(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_fence, stdout);
		return 0;
	}
	ds_log_init("deptscope fence", p.verbose);
	r.fp.p = &p;
	r.fp.out = stdout;
	mo.top_n = p.top ? p.top : 10;
	mo.hang_ns = p.hang_ns;
	mo.resolved = on_resolved;
	mo.cb_ctx = &r.fp;
	if (ds_fence_model__new(&mo, &r.model)) {
		ds_err("out of memory");
		return DS_EXIT_ERROR;
	}

	if (p.input) {
		r.fp.source = p.input;
		ret = fence_replay(&r.fp, r.model, p.input, &end_ts);
		if (ret == 0 || ds_fence_model__totals(r.model)->events)
			fence_print_summary(&r.fp, r.model, end_ts, true);
		goto out;
	}

	r.fp.source = "live";
	r.fp.live = true;
	ret = ds_live_open_fence(&p, &bpf);
	if (ret)
		goto out;
	/* the summary is printed after the programs are gone: keep a copy */
	snprintf(missing, sizeof(missing), "%s", ds_fence_bpf__missing(bpf));
	r.fp.missing = missing;
	if (ds_stream__new(&s) || ds_stream__add_consumer(s, ds_fence_model__consume, r.model)) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	ds_stream__add_source(s, &ds_bpf_source_ops, bpf);
	/* stderr even with --json: scripts wait for it to know tracing started */
	fprintf(stderr, "Tracing dma_fence waits%s... Hit Ctrl-C to end.\n",
		p.pid ? " of one process" : "");
	err = ds_live_run(s, &p, &hooks);
	if (err) {
		ds_err("tracing stopped: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
	}
	/* detach before printing: symbolisation can take a moment */
	ds_fence_bpf__destroy(bpf);
	bpf = NULL;
	end_ts = ds_now_mono_ns();
	ds_fence_model__check_hangs(r.model, end_ts, on_hang, &r.fp);
	fence_print_summary(&r.fp, r.model, end_ts, true);
out:
	if (!ret && ds_fence_model__totals(r.model)->hangs)
		ret = DS_EXIT_HANG;
	ds_stream__free(s);
	ds_fence_bpf__destroy(bpf);
	fence_printer__exit(&r.fp);
	ds_fence_model__free(r.model);
	return ret;
}
