// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* deptscope record: live events to a recording file. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "deptscope/event.h"
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "json_out.h"
#include "live.h"

struct record_run {
	struct ds_recorder *rec;
	struct ds_stream *s;
	uint64_t last_progress;
	bool progress;
};

static int tick(void *ctx, uint64_t now)
{
	struct record_run *r = ctx;
	struct ds_meta_stats st;
	int err;

	/* flush on a clock, not only when the buffer fills: a kill loses little */
	err = ds_recorder__flush(r->rec);
	if (err)
		return err;
	if (!r->progress || now - r->last_progress < 1000000000ULL)
		return 0;
	r->last_progress = now;
	if (ds_stream__stats(r->s, &st))
		memset(&st, 0, sizeof(st));
	fprintf(stderr, "\r  recorded %llu records, %.1f MiB, %llu dropped   ",
		(unsigned long long)ds_recorder__records(r->rec),
		ds_recorder__bytes(r->rec) / 1048576.0, (unsigned long long)st.dropped);
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct ds_live_hooks hooks = { .tick = tick };
	struct ds_fence_bpf *bpf = NULL, *ping = NULL;
	struct ds_dmabuf_bpf *dbpf = NULL;
	struct ds_dept_bpf *dept = NULL;
	struct ds_vpr_bpf *vpr = NULL;
	bool want_fence, want_dmabuf, dmabuf_named = false, want_dept, dept_named = false;
	bool want_vpr, vpr_named = false, want_ping = false;
	char missing[256] = "";
	__u32 sources = 0;
	struct record_run r = {};
	struct ds_meta_stats st = {};
	struct ds_ring_stats rs;
	uint64_t start, dur;
	struct ds_params p;
	struct ds_json j;
	int ret, err, i;

	ret = ds_parse_record(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_record, stdout);
		return 0;
	}
	ds_log_init("deptscope record", p.verbose);
	hooks.ctx = &r;
	want_fence = want_dmabuf = want_dept = want_vpr = !p.nr_positional;
	for (i = 0; i < p.nr_positional; i++) {
		want_fence |= !strcmp(p.positional[i], "fence");
		dmabuf_named |= !strcmp(p.positional[i], "dmabuf");
		dept_named |= !strcmp(p.positional[i], "dept");
		vpr_named |= !strcmp(p.positional[i], "vpr");
		want_ping |= !strcmp(p.positional[i], "selftest");
	}
	want_vpr |= vpr_named;
	want_dmabuf |= dmabuf_named;
	want_dept |= dept_named;
	if (want_fence) {
		ret = ds_live_open_fence(&p, &bpf);
		if (ret)
			goto out;
		sources |= DS_SRC_FENCE;
		snprintf(missing, sizeof(missing), "%s", ds_fence_bpf__missing(bpf));
	}
	if (want_dmabuf) {
		/* by default, a kernel before 7.0 simply has no dma_buf source */
		ret = ds_live_open_dmabuf(&p, dmabuf_named, &dbpf);
		if (ret)
			goto out;
		if (dbpf) {
			sources |= DS_SRC_DMABUF;
			if (ds_dmabuf_bpf__missing(dbpf)[0]) {
				size_t len = strlen(missing);

				snprintf(missing + len, sizeof(missing) - len, "%s%s",
					 len ? "," : "", ds_dmabuf_bpf__missing(dbpf));
			}
		} else {
			ds_warn("no dma_buf tracepoints on this kernel (Linux 7.0+): "
				"recording dma_fence only");
		}
	}
	if (want_dept) {
		/* only a DEPT kernel with our patches (or the VM fixture) has them */
		ret = ds_live_open_dept(&p, dept_named, &dept);
		if (ret)
			goto out;
		if (dept) {
			sources |= DS_SRC_DEPT;
			if (ds_dept_bpf__missing(dept)[0]) {
				size_t len = strlen(missing);

				snprintf(missing + len, sizeof(missing) - len, "%s%s",
					 len ? "," : "", ds_dept_bpf__missing(dept));
			}
		}
	}
	if (want_vpr) {
		ret = ds_live_open_vpr(&p, vpr_named, &vpr);
		if (ret)
			goto out;
		if (vpr) {
			sources |= DS_SRC_VPR;
			if (ds_vpr_bpf__missing(vpr)[0]) {
				size_t len = strlen(missing);

				snprintf(missing + len, sizeof(missing) - len, "%s%s",
					 len ? "," : "", ds_vpr_bpf__missing(vpr));
			}
		}
	}
	if (want_ping) {
		/* its own ring and counters: a storm's drops are its own */
		ret = ds_live_open_selftest(&p, &ping);
		if (ret)
			goto out;
		sources |= DS_SRC_PING;
	}
	err = ds_recorder__open(p.output, 0, &r.rec);
	if (err == -EBUSY) {
		ds_err("%s is being recorded by another deptscope: not replacing it", p.output);
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (err) {
		ds_err("cannot create %s: %s", p.output, err == -ELOOP ?
		       "a symbolic link, and recordings are never written through one" :
		       strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	err = ds_live_write_source(r.rec, sources, missing);
	if (!err)
		err = ds_stream__new(&r.s);
	if (!err)
		err = ds_stream__add_consumer(r.s, ds_recorder__consume, r.rec);
	if (!err && bpf)
		err = ds_stream__add_source(r.s, &ds_bpf_source_ops, bpf);
	if (!err && dbpf)
		err = ds_stream__add_source(r.s, &ds_bpf_source_ops, dbpf);
	if (!err && dept)
		err = ds_stream__add_source(r.s, &ds_bpf_source_ops, dept);
	if (!err && vpr)
		err = ds_stream__add_source(r.s, &ds_bpf_source_ops, vpr);
	if (!err && ping)
		err = ds_stream__add_source(r.s, &ds_bpf_source_ops, ping);
	if (err) {
		ds_err("cannot start recording: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	r.progress = isatty(STDERR_FILENO) && !p.json;
	fprintf(stderr, "Recording%s%s%s%s%s events to %s... Hit Ctrl-C to end.\n",
		bpf ? " dma_fence" : "", dbpf ? " dma_buf" : "", dept ? " DEPT" : "",
		vpr ? " tegra_vpr" : "", ping ? " selftest" : "", p.output);
	start = ds_now_mono_ns();
	err = ds_live_run(r.s, &p, &hooks);
	dur = ds_now_mono_ns() - start;
	if (ds_stream__stats(r.s, &st))
		memset(&st, 0, sizeof(st));
	ds_stream__ring_stats(r.s, &rs);
	if (r.progress)
		fputc('\n', stderr);
	if (err) {
		ds_err("recording stopped: %s; %s is readable up to the last record written",
		       strerror(-err), p.output);
		ret = DS_EXIT_ERROR;
	}
	{
		uint64_t records = ds_recorder__records(r.rec), bytes = ds_recorder__bytes(r.rec);

		err = ds_recorder__close(r.rec, dur);
		r.rec = NULL;
		/* after a write error the close fails alike: said once above */
		if (err && !ret) {
			ds_err("finishing %s failed: %s", p.output, strerror(-err));
			ret = DS_EXIT_ERROR;
		}
		if (p.json) {
			ds_json__init(&j, stdout, false);
			ds_json__begin_object(&j);
			ds_json__kv_str(&j, "type", "record_summary");
			ds_json__kv_str(&j, "output", p.output);
			ds_json__kv_u64(&j, "records", records);
			ds_json__kv_u64(&j, "bytes", bytes);
			ds_json__kv_u64(&j, "duration_ns", dur);
			ds_json__kv_u64(&j, "received", st.received);
			ds_json__kv_u64(&j, "dropped", st.dropped);
			ds_out_ring_sources(&j, "sources", &rs);
			ds_out_unavailable(&j, missing);
			ds_json__end_object(&j);
			ds_json__finish(&j);
		} else {
			printf("Recorded %llu records (%.1f KiB) in %.1f s to %s; %llu dropped.\n",
			       (unsigned long long)records, bytes / 1024.0, dur / 1e9, p.output,
			       (unsigned long long)st.dropped);
			/* which source lost them: the one that needs a bigger --buffer-kb */
			ds_text_ring_sources(stdout, &rs, st.dropped, " (ring buffer full)");
		}
		/* before the detach, which can take a while (docs/reliability.md) */
		fflush(stdout);
	}
out:
	if (r.rec)
		ds_recorder__close(r.rec, 0);
	ds_stream__free(r.s);
	ds_fence_bpf__destroy(bpf);
	ds_dmabuf_bpf__destroy(dbpf);
	ds_dept_bpf__destroy(dept);
	ds_vpr_bpf__destroy(vpr);
	ds_fence_bpf__destroy(ping);
	return ret;
}
