// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope vpr: Tegra VPR resizes, live through BPF or from a recording.
 * A row per resize as it ends (vpr_model.c), then a latency histogram,
 * the VPR's size over time and counts per trigger.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/hist.h"
#include "deptscope/history.h"
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "deptscope/vpr.h"
#include "cli.h"
#include "cmds.h"
#include "live.h"
#include "replay.h"

#define MAX_TRIGGERS	32

struct trigger {
	char heap[32];
	bool grow;
	uint64_t count, failed;
};

struct vpr_run {
	const struct ds_params *p;
	struct ds_vpr_model *m;
	struct ds_hist lat;
	struct trigger trig[MAX_TRIGGERS];
	unsigned int nr_trig;
	uint64_t alerts, slow;
	uint64_t first_ts;
};

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

static void count_trigger(struct vpr_run *v, const struct ds_vpr_resize *r, bool failed)
{
	unsigned int i;

	for (i = 0; i < v->nr_trig; i++)
		if (v->trig[i].grow == r->grow && !strcmp(v->trig[i].heap, r->heap))
			break;
	if (i == v->nr_trig) {
		if (i == MAX_TRIGGERS)
			return;
		v->nr_trig++;
		snprintf(v->trig[i].heap, sizeof(v->trig[i].heap), "%s", r->heap);
		v->trig[i].grow = r->grow;
	}
	v->trig[i].count++;
	v->trig[i].failed += failed;
}

static void json_resize(const struct ds_vpr_resize *r, bool failed, bool slow)
{
	struct ds_json j;

	ds_json__init(&j, stdout, false);
	ds_json__begin_object(&j);
	ds_json__kv_str(&j, "type", "vpr_resize");
	ds_json__kv_u64(&j, "seq", r->seq);
	ds_json__kv_str(&j, "kind", r->grow ? "grow" : "shrink");
	ds_json__kv_bool(&j, "inferred", r->inferred);
	ds_json__kv_bool(&j, "complete", r->complete);
	ds_json__kv_u64(&j, "ts_ns", r->begin_ts);
	ds_json__kv_u64(&j, "tid", r->tid);
	ds_json__kv_str(&j, "heap", r->heap);
	ds_json__kv_u64(&j, "buf_start", r->buf_start);
	ds_json__kv_u64(&j, "buf_size", r->buf_size);
	ds_json__kv_u64(&j, "old_base", r->old_base);
	ds_json__kv_u64(&j, "old_size", r->old_size);
	ds_json__kv_u64(&j, "new_base", r->new_base);
	ds_json__kv_u64(&j, "new_size", r->new_size);
	ds_json__kv_u64(&j, "chunks", r->chunks);
	ds_json__kv_u64(&j, "chunk_steps", r->nr_chunk_steps);
	ds_json__kv_u64(&j, "duration_ns", r->duration_ns);
	ds_json__kv_i64(&j, "err", r->err);
	ds_json__kv_i64(&j, "step_err", r->step_err);
	ds_json__kv_bool(&j, "rolled_back", r->rolled_back);
	ds_json__kv_u64(&j, "failed_chunks", r->failed_chunks);
	ds_json__key(&j, "phases_ns");
	ds_json__begin_object(&j);
	ds_json__kv_u64(&j, "cma", r->cma_ns);
	ds_json__kv_u64(&j, "linear_map", r->map_ns);
	ds_json__kv_u64(&j, "freeze", r->freeze_ns);
	ds_json__kv_u64(&j, "dev_freeze", r->dev_freeze_ns);
	ds_json__kv_u64(&j, "smc", r->smc_ns);
	ds_json__kv_u64(&j, "dev_thaw", r->dev_thaw_ns);
	ds_json__kv_u64(&j, "thaw", r->thaw_ns);
	ds_json__kv_u64(&j, "rollback", r->rollback_ns);
	ds_json__end_object(&j);
	ds_json__kv_u64(&j, "frozen_ns", r->frozen_ns);
	ds_json__kv_u64(&j, "devices", r->nr_devs);
	ds_json__kv_i64(&j, "smc_ret", r->smc_ret);
	ds_json__kv_bool(&j, "failed", failed);
	ds_json__kv_bool(&j, "slow", slow);
	ds_json__end_object(&j);
	ds_json__finish(&j);
}

static int on_resize(void *ctx, const struct ds_vpr_resize *r)
{
	struct vpr_run *v = ctx;
	char row[512];
	bool failed = r->err || r->step_err || r->rolled_back;
	bool slow = r->duration_ns > v->p->slow_ns;

	if (!v->first_ts)
		v->first_ts = r->begin_ts;
	ds_hist__add(&v->lat, r->duration_ns);
	count_trigger(v, r, failed);
	v->alerts += failed || slow || !r->complete;
	v->slow += slow;
	if (v->p->json) {
		json_resize(r, failed, slow);
		fflush(stdout);
		return 0;
	}
	/* one formatter for this and the viewer's VPR pane (lib/history.c) */
	ds_vpr_resize__format(r, v->first_ts, v->p->slow_ns, row, sizeof(row));
	fputs(row, stdout);
	printf("\n");
	fflush(stdout);
	return 0;
}

static void summary(struct vpr_run *v)
{
	const struct ds_vpr_size_point *sz;
	struct ds_vpr_stats st;
	struct ds_json j;
	uint32_t nsz, i;

	ds_vpr_model__stats(v->m, &st);
	sz = ds_vpr_model__sizes(v->m, &nsz);
	if (v->p->json) {
		ds_json__init(&j, stdout, false);
		ds_json__begin_object(&j);
		ds_json__kv_str(&j, "type", "vpr_summary");
		ds_json__kv_u64(&j, "resizes", st.resizes);
		ds_json__kv_u64(&j, "grows", st.grows);
		ds_json__kv_u64(&j, "shrinks", st.shrinks);
		ds_json__kv_u64(&j, "failed", st.failed);
		ds_json__kv_u64(&j, "slow", v->slow);
		ds_json__kv_u64(&j, "inferred", st.inferred);
		ds_json__kv_u64(&j, "incomplete", st.incomplete);
		ds_json__kv_u64(&j, "records", st.records);
		ds_json__kv_u64(&j, "malformed", st.malformed);
		ds_json__kv_bool(&j, "phases", st.have_ours);
		ds_json__key(&j, "latency_ns");
		ds_json__begin_object(&j);
		ds_json__kv_u64(&j, "min", v->lat.count ? v->lat.min : 0);
		ds_json__kv_u64(&j, "p50", ds_hist__percentile(&v->lat, 50));
		ds_json__kv_u64(&j, "p99", ds_hist__percentile(&v->lat, 99));
		ds_json__kv_u64(&j, "max", v->lat.max);
		ds_json__end_object(&j);
		ds_json__key(&j, "sizes");
		ds_json__begin_array(&j);
		for (i = 0; i < nsz; i++) {
			ds_json__begin_object(&j);
			ds_json__kv_u64(&j, "ts_ns", sz[i].ts);
			ds_json__kv_u64(&j, "base", sz[i].base);
			ds_json__kv_u64(&j, "size", sz[i].size);
			ds_json__end_object(&j);
		}
		ds_json__end_array(&j);
		ds_json__key(&j, "triggers");
		ds_json__begin_array(&j);
		for (i = 0; i < v->nr_trig; i++) {
			ds_json__begin_object(&j);
			ds_json__kv_str(&j, "heap", v->trig[i].heap);
			ds_json__kv_str(&j, "kind", v->trig[i].grow ? "grow" : "shrink");
			ds_json__kv_u64(&j, "count", v->trig[i].count);
			ds_json__kv_u64(&j, "failed", v->trig[i].failed);
			ds_json__end_object(&j);
		}
		ds_json__end_array(&j);
		ds_json__end_object(&j);
		ds_json__finish(&j);
		return;
	}
	printf("\n%" PRIu64 " resize(s): %" PRIu64 " grow, %" PRIu64 " shrink; %" PRIu64
	       " failed, %" PRIu64 " slow, %" PRIu64 " unfinished%s\n", st.resizes, st.grows,
	       st.shrinks, st.failed, v->slow, st.incomplete,
	       st.inferred ? "; phases inferred (no kernel/patches/tegra-vpr events)" : "");
	if (v->lat.count) {
		printf("\nresize latency:\n");
		ds_hist__print(&v->lat, stdout, "ms", 1000000);
	}
	if (nsz) {
		printf("\nVPR size over time:\n");
		for (i = 0; i < nsz; i++)
			printf("  %10.3f  %#" PRIx64 " %8.1f MiB\n",
			       ms(sz[i].ts - (v->first_ts && v->first_ts < sz[i].ts ?
					       v->first_ts : sz[0].ts)),
			       sz[i].base, mib(sz[i].size));
	}
	if (v->nr_trig) {
		printf("\nresizes by trigger:\n");
		for (i = 0; i < v->nr_trig; i++)
			printf("  %-20s %-6s %6" PRIu64 " (%" PRIu64 " failed)\n",
			       v->trig[i].heap[0] ? v->trig[i].heap : "(unknown heap)",
			       v->trig[i].grow ? "grow" : "shrink", v->trig[i].count,
			       v->trig[i].failed);
	}
}

int cmd_vpr(int argc, char **argv)
{
	struct ds_live_hooks hooks = {};
	struct vpr_run v = {};
	struct ds_vpr_bpf *bpf = NULL;
	struct ds_stream *s = NULL;
	struct ds_params p;
	int ret, err;

	ret = ds_parse_vpr(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_vpr, stdout);
		return 0;
	}
	ds_log_init("deptscope vpr", p.verbose);
	v.p = &p;
	ds_hist__init(&v.lat);
	if (ds_vpr_model__new(on_resize, &v, &v.m) || ds_stream__new(&s) ||
	    ds_stream__add_consumer(s, ds_vpr_model__feed, v.m)) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (p.input) {
		struct ds_replay rp = { .path = p.input };

		ret = ds_replay_run(&rp, s);
		if (ret && !rp.records)
			goto out;	/* nothing read: no summary of nothing */
	} else {
		ret = ds_live_open_vpr(&p, true, &bpf);
		if (ret)
			goto out;
		err = ds_stream__add_source(s, &ds_bpf_source_ops, bpf);
		if (err) {
			ds_err("cannot start: %s", strerror(-err));
			ret = DS_EXIT_ERROR;
			goto out;
		}
		fprintf(stderr, "Tracing VPR resizes%s... Hit Ctrl-C to end.\n",
			ds_vpr_bpf__ours(bpf) ? "" :
			" (the VPR series' own events only: phases inferred)");
		err = ds_live_run(s, &p, &hooks);
		if (err) {
			ds_err("stopped: %s", strerror(-err));
			ret = DS_EXIT_ERROR;
		}
	}
	err = ds_vpr_model__flush(v.m);
	if (err && !ret) {
		ds_err("%s", strerror(-err));
		ret = DS_EXIT_ERROR;
	}
	summary(&v);
	if (!ret && v.alerts)
		ret = DS_EXIT_HANG;
out:
	ds_stream__free(s);
	ds_vpr_bpf__destroy(bpf);
	ds_vpr_model__free(v.m);
	return ret;
}
