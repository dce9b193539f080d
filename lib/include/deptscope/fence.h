/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_FENCE_H
#define DEPTSCOPE_FENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "deptscope_events.h"
#include "deptscope/event.h"
#include "deptscope/hist.h"
#include "deptscope/stream.h"

/* ---- model: aggregation of fence events, live or replayed ---- */

struct ds_fence_wait {
	uint64_t fence;
	uint64_t context;
	uint64_t seqno;
	uint64_t start_ts;
	uint64_t end_ts;	/* 0 while pending */
	uint64_t duration_ns;
	uint32_t pid;
	uint32_t tid;
	uint32_t flags;		/* DS_FENCE_F_* at wait end */
	uint32_t nr_frames;
	bool hang_reported;
	char comm[TASK_COMM_LEN];
	uint64_t stack[DS_MAX_STACK];
};

struct ds_fence_timeline {
	uint64_t context;
	uint64_t ops;
	char driver[DS_NAME_LEN];	/* "" until a name record arrives */
	char timeline[DS_NAME_LEN];
	uint64_t inits;
	uint64_t emits;
	uint64_t enables;
	uint64_t signals;
	uint64_t destroys;
	uint64_t waits;			/* completed */
	uint64_t waits_unsignaled;	/* ended without the fence signalled */
	uint64_t hangs;
	uint64_t first_ts;
	uint64_t last_ts;
	struct ds_hist hist;
};

struct ds_fence_totals {
	uint64_t events;
	uint64_t by_type[DS_EV_BPF_MAX];
	uint64_t waits;
	uint64_t waits_unmatched;	/* wait_end with no wait_start seen */
	uint64_t hangs;
	uint64_t pending;
	uint64_t first_ts;
	uint64_t last_ts;
	/* from the newest DS_EV_META_STATS seen (recordings) */
	bool have_stats;
	struct ds_meta_stats stats;
	struct ds_ring_stats ring;	/* per source, and the self-test numbers */
	/* from the DS_EV_META_SOURCE of a recording: events that were not traced */
	char unavailable[256];
};

struct ds_fence_model_opts {
	unsigned int top_n;	/* longest waits kept (0: 10) */
	uint64_t hang_ns;	/* pending longer than this is a hang (0: 1 s) */
	/* called when a wait already reported as a hang finally ends */
	void (*resolved)(void *ctx, const struct ds_fence_wait *w,
			 const struct ds_fence_timeline *tl);
	void *cb_ctx;
};

struct ds_fence_model;

int ds_fence_model__new(const struct ds_fence_model_opts *o, struct ds_fence_model **out);
void ds_fence_model__free(struct ds_fence_model *m);
/* ds_consumer_fn: takes any record, ignores what is not about fences. */
int ds_fence_model__consume(void *m, const struct ds_event_hdr *ev);

typedef void (*ds_fence_hang_fn)(void *ctx, const struct ds_fence_wait *w,
				 const struct ds_fence_timeline *tl, uint64_t now);
/* Call @cb once for every pending wait older than hang_ns at @now. */
int ds_fence_model__check_hangs(struct ds_fence_model *m, uint64_t now,
				ds_fence_hang_fn cb, void *ctx);

/* Timelines sorted by completed waits, then signals; array owned by the model. */
size_t ds_fence_model__timelines(struct ds_fence_model *m,
				 const struct ds_fence_timeline *const **out);
/* Longest completed waits, longest first. */
size_t ds_fence_model__top(struct ds_fence_model *m, const struct ds_fence_wait *const **out);
/* Waits still in progress, oldest first. */
size_t ds_fence_model__pending(struct ds_fence_model *m, const struct ds_fence_wait *const **out);
const struct ds_fence_timeline *ds_fence_model__timeline(struct ds_fence_model *m,
							 uint64_t context);
const struct ds_hist *ds_fence_model__hist(const struct ds_fence_model *m);
const struct ds_fence_totals *ds_fence_model__totals(const struct ds_fence_model *m);
/* "driver/timeline" or "context N" when no name is known. */
const char *ds_fence_timeline__label(const struct ds_fence_timeline *tl, char *buf, size_t len);

/* ---- live source: the fence BPF programs ---- */

struct ds_fence_bpf_opts {
	uint32_t tgid;		/* waiter filter, 0: all */
	bool fence;		/* attach the dma_fence programs */
	bool ping;		/* attach the self-test program */
	uint32_t ping_tid;	/* this thread's syscall ping_nr, */
	uint32_t ping_nr;
	uint32_t ping_tgid;	/* or, if set, every syscall of this process */
	bool bench;		/* load only the sched_switch benchmark probe */
	uint32_t ringbuf_kb;	/* 0: default (4096) */
};

struct ds_fence_bpf;

/*
 * Open, configure, load and attach.  Events whose tracepoint this kernel
 * lacks are skipped and listed by ds_fence_bpf__missing(); it is an error
 * (-ENOENT) only when nothing could be attached.
 */
int ds_fence_bpf__open(const struct ds_fence_bpf_opts *o, struct ds_fence_bpf **out);
void ds_fence_bpf__destroy(struct ds_fence_bpf *b);
const char *ds_fence_bpf__missing(const struct ds_fence_bpf *b);
unsigned int ds_fence_bpf__nr_attached(const struct ds_fence_bpf *b);
/* Sum of the per-CPU in-kernel wait histogram (DS_HIST_SLOTS log2 slots). */
int ds_fence_bpf__read_hist(struct ds_fence_bpf *b, uint64_t *slots);
int ds_fence_bpf__bench_prog_fd(const struct ds_fence_bpf *b);
/* The live source of every deptscope BPF loader (ds_fence_bpf, ds_dmabuf_bpf). */
extern const struct ds_source_ops ds_bpf_source_ops;

#endif
