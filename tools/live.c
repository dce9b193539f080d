// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/util.h"
#include "live.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

bool ds_live_stopping(void)
{
	return stop_requested;
}

/* What every live command needs before loading anything: one line each. */
int ds_live_preflight(void)
{
	char why[256];

	if (ds_check_bpf_privileges(why, sizeof(why))) {
		ds_err("%s", why);
		return DS_EXIT_ERROR;
	}
	if (!ds_have_kernel_btf()) {
		ds_err("kernel has no BTF (/sys/kernel/btf/vmlinux missing): CO-RE programs cannot "
		       "load; build the kernel with CONFIG_DEBUG_INFO_BTF=y");
		return DS_EXIT_ERROR;
	}
	if (!ds_tracefs_dir()) {
		ds_err("tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing");
		return DS_EXIT_ERROR;
	}
	return 0;
}

static int load_error(const char *what, int err)
{
	if (err == -EPERM)
		ds_err("loading BPF programs was refused (EPERM): lockdown, a security module or "
		       "RLIMIT_MEMLOCK (ulimit -l) forbids it; -v for details");
	else if (err == -ENOENT)
		ds_err("none of the %s programs could be attached to its tracepoint; -v names "
		       "each failure", what);
	else
		ds_err("could not load the %s BPF programs: %s; run with -v for details", what,
		       strerror(-err));
	return DS_EXIT_ERROR;
}

int ds_live_open_fence(const struct ds_params *p, struct ds_fence_bpf **out)
{
	struct ds_fence_bpf_opts o = {
		.tgid = p->pid,
		.fence = true,
		.ringbuf_kb = p->buffer_kb,
	};
	int err;

	err = ds_live_preflight();
	if (err)
		return err;
	if (!ds_tracepoint_exists("dma_fence", "dma_fence_wait_start")) {
		ds_err("this kernel has no dma_fence tracepoints (CONFIG_DMA_SHARED_BUFFER off?)");
		return DS_EXIT_ERROR;
	}
	err = ds_fence_bpf__open(&o, out);
	if (err)
		return load_error("dma_fence", err);
	if (ds_fence_bpf__missing(*out)[0])
		ds_warn("unavailable on this kernel, not traced: %s", ds_fence_bpf__missing(*out));
	return 0;
}

int ds_live_open_dmabuf(const struct ds_params *p, bool required, struct ds_dmabuf_bpf **out)
{
	struct ds_dmabuf_bpf_opts o = { .tgid = p->pid, .ringbuf_kb = p->buffer_kb };
	int err;

	*out = NULL;
	err = ds_live_preflight();
	if (err)
		return err;
	err = ds_dmabuf_bpf__open(&o, out);
	if (err == -ENOENT) {
		if (!required)
			return 0;
		ds_err("this kernel has no dma_buf tracepoints (they exist from Linux 7.0)");
		return DS_EXIT_ERROR;
	}
	if (err)
		return load_error("dma_buf", err);
	if (ds_dmabuf_bpf__missing(*out)[0])
		ds_warn("unavailable on this kernel, not traced: %s", ds_dmabuf_bpf__missing(*out));
	return 0;
}

int ds_live_open_dept(const struct ds_params *p, bool required, struct ds_dept_bpf **out)
{
	struct ds_dept_bpf_opts o = { .ringbuf_kb = p->buffer_kb };
	const char *classic = getenv("DEPTSCOPE_DEPT_CLASSIC");
	int err;

	/* the VM test runs the classic programs beside the tp_btf ones */
	o.classic = classic && *classic && strcmp(classic, "0");

	*out = NULL;
	err = ds_live_preflight();
	if (err)
		return err;
	err = ds_dept_bpf__open(&o, out);
	if (err == -ENOENT) {
		if (!required)
			return 0;
		ds_err("this kernel has no DEPT tracepoints (DEPT with kernel/patches/dept, or "
		       "its test fixture)");
		return DS_EXIT_ERROR;
	}
	if (err && !required) {
		/* an optional source must not cost the ones that work */
		ds_warn("the DEPT tracepoints are there but their BPF programs did not load (%s): "
			"not recording them; -v for details", strerror(-err));
		return 0;
	}
	if (err)
		return load_error("DEPT", err);
	if (ds_dept_bpf__missing(*out)[0])
		ds_warn("unavailable on this kernel, not traced: %s", ds_dept_bpf__missing(*out));
	return 0;
}

int ds_live_open_vpr(const struct ds_params *p, bool required, struct ds_vpr_bpf **out)
{
	struct ds_vpr_bpf_opts o = { .ringbuf_kb = p->buffer_kb };
	int err;

	*out = NULL;
	err = ds_live_preflight();
	if (err)
		return err;
	err = ds_vpr_bpf__open(&o, out);
	if (err == -ENOENT) {
		if (!required)
			return 0;
		ds_err("this kernel has no tegra_vpr tracepoints (the Tegra VPR heap, or its "
		       "test fixture)");
		return DS_EXIT_ERROR;
	}
	if (err && !required) {
		ds_warn("the tegra_vpr tracepoints are there but their BPF programs did not load "
			"(%s): not recording them; -v for details", strerror(-err));
		return 0;
	}
	if (err)
		return load_error("VPR", err);
	if (ds_vpr_bpf__missing(*out)[0])
		ds_warn("unavailable on this kernel, not traced: %s", ds_vpr_bpf__missing(*out));
	return 0;
}

int ds_live_open_selftest(const struct ds_params *p, struct ds_fence_bpf **out)
{
	struct ds_fence_bpf_opts o = {
		.ping = true,
		.ping_tgid = p->pid,
		.ringbuf_kb = p->buffer_kb,
	};
	int err;

	err = ds_live_preflight();
	if (err)
		return err;
	err = ds_fence_bpf__open(&o, out);
	if (err)
		return load_error("selftest", err);
	return 0;
}

int ds_live_run(struct ds_stream *s, const struct ds_params *p, const struct ds_live_hooks *h)
{
	uint64_t start = ds_now_mono_ns(), next_int, now, drain_end;
	struct sigaction sa;
	long intervals = 0;
	int err = 0, n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: epoll_wait must return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	next_int = p->interval_ns ? start + p->interval_ns : 0;

	while (!stop_requested) {
		n = ds_stream__poll(s, 100);
		if (n < 0) {
			err = n;
			break;
		}
		now = ds_now_mono_ns();
		if (h->tick) {
			err = h->tick(h->ctx, now);
			if (err)
				break;
		}
		if (next_int && now >= next_int) {
			err = ds_stream__dispatch_stats(s);
			if (!err && h->interval)
				err = h->interval(h->ctx, now);
			if (err)
				break;
			next_int += p->interval_ns;
			if (p->count && ++intervals >= p->count)
				break;
		}
		if (p->duration_ns && now - start >= p->duration_ns)
			break;
	}
	/*
	 * Stop the producers first, then drain: the ring then holds a bounded
	 * number of records, so the drain ends even under a storm, and every
	 * record the kernel produced is either received or counted as dropped.
	 * A program that passed the stop check just before it may still be
	 * submitting: poll until its count of emitted records is reached.
	 */
	ds_stream__quiesce(s);
	drain_end = ds_now_mono_ns() + 200000000ULL;
	for (;;) {
		n = ds_stream__poll(s, 0);
		if (n < 0) {
			if (!err)
				err = n;
			break;
		}
		if (!n && (ds_stream__drained(s) || ds_now_mono_ns() > drain_end))
			break;
	}
	/* after an error too: a recording keeps the counters of what it holds */
	n = ds_stream__dispatch_stats(s);
	if (!err)
		err = n;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return err;
}

int ds_live_write_source(struct ds_recorder *rec, __u32 sources, const char *missing)
{
	struct ds_meta_source ms = {};

	ms.hdr.type = DS_EV_META_SOURCE;
	ms.hdr.size = sizeof(ms);
	ms.hdr.ts = ds_now_mono_ns();
	ms.sources = sources;
	snprintf(ms.names, sizeof(ms.names), "%s", missing);
	ms.missing = missing[0] ? 1 : 0;
	for (; *missing; missing++)
		ms.missing += *missing == ',';
	return ds_recorder__write(rec, &ms.hdr);
}
