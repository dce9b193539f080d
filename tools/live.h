/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_LIVE_H
#define DS_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include "deptscope/dept_live.h"
#include "deptscope/dmabuf.h"
#include "deptscope/fence.h"
#include "deptscope/stream.h"
#include "deptscope/vpr.h"
#include "cli.h"

/* Periodic work of a live run; return < 0 to stop with that error. */
struct ds_live_hooks {
	int (*tick)(void *ctx, uint64_t now);		/* every poll round (~100 ms) */
	int (*interval)(void *ctx, uint64_t now);	/* every --interval */
	void *ctx;
};

/*
 * Checks privileges, BTF and tracefs, then opens the fence programs and
 * says which events are unavailable.  Prints one clear line and returns
 * DS_EXIT_ERROR on failure.
 */
int ds_live_open_fence(const struct ds_params *p, struct ds_fence_bpf **out);
/*
 * The same for the dma_buf programs.  A kernel without dma_buf tracepoints
 * is an error only when @required; otherwise *out stays NULL.
 */
int ds_live_open_dmabuf(const struct ds_params *p, bool required, struct ds_dmabuf_bpf **out);
/* The same for the DEPT tracepoints (kernel/patches/dept). */
int ds_live_open_dept(const struct ds_params *p, bool required, struct ds_dept_bpf **out);
/* The same for the tegra_vpr events (Tegra VPR heap, or its VM fixture). */
int ds_live_open_vpr(const struct ds_params *p, bool required, struct ds_vpr_bpf **out);
/*
 * The self-test source: one event per system call of process @p->pid, which
 * the option parsers require (a load generator with known numbers: the
 * overload tests, 'record selftest' and 'top --selftest').
 */
int ds_live_open_selftest(const struct ds_params *p, struct ds_fence_bpf **out);
int ds_live_preflight(void);

struct ds_recorder;
/*
 * The DS_EV_META_SOURCE record a recording starts with: the DS_SRC_* bits
 * attached and the events that could not be (comma-separated).
 */
int ds_live_write_source(struct ds_recorder *rec, __u32 sources, const char *missing);

/*
 * Poll until Ctrl-C/SIGTERM, --duration or COUNT intervals, then detach the
 * programs, drain the ring buffer and dispatch the final counters (one
 * DS_EV_META_SOURCE_STATS per source, then their DS_EV_META_STATS sum) so
 * consumers see the drops.  Returns 0 or -errno.
 */
int ds_live_run(struct ds_stream *s, const struct ds_params *p, const struct ds_live_hooks *h);

/* Set by SIGINT/SIGTERM handlers installed by ds_live_run(). */
bool ds_live_stopping(void);

#endif
