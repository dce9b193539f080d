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
#include "replay.h"

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

struct replay_ctx {
	struct fence_printer *fp;
	struct ds_fence_model *model;
};

/* Hangs are judged as time passes in the recording, by its clock, not ours. */
static int replay_tick(void *ctx, uint64_t now)
{
	struct replay_ctx *c = ctx;

	ds_fence_model__check_hangs(c->model, now, on_hang, c->fp);
	return 0;
}

/* Replay a recording through the same model as live capture. */
int fence_replay(struct fence_printer *fp, struct ds_fence_model *m, const char *path,
		 uint64_t *end_ts)
{
	struct replay_ctx c = { .fp = fp, .model = m };
	struct ds_replay rp = { .path = path, .tick = replay_tick, .ctx = &c };
	struct ds_stream *s = NULL;
	static char status[160];
	int ret;

	if (ds_stream__new(&s) || ds_stream__add_consumer(s, ds_fence_model__consume, m)) {
		ds_stream__free(s);
		ds_err("out of memory");
		return DS_EXIT_ERROR;
	}
	ret = ds_replay_run(&rp, s);
	ds_stream__free(s);
	*end_ts = rp.last_ts;
	if (rp.status[0]) {
		snprintf(status, sizeof(status), "%s", rp.status);
		fp->status = status;
	}
	/* what the recorder could not attach, as a live run would say */
	if (!fp->missing)
		fp->missing = ds_fence_model__totals(m)->unavailable;
	return ret;
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
