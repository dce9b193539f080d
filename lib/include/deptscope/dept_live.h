/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The DEPT tracepoint events (kernel/patches/dept, DS_EV_DEPT_* records)
 * into the dependency graph of graph.h: classes by key, every new
 * dependency an edge checked for a cycle as it goes in, and each circle
 * DEPT reports rebuilt as the report triage would parse from its console
 * output, so the two give the same bucket and signature.
 *
 * Records come from the BPF program live or from a recording; the order
 * is the ring buffer's.  DEPT emits a circle's records in one go under
 * its lock, on one CPU: dept_circle, then per context dept_circle_dep and
 * its stacks.  A circle is complete once all its contexts are in and that
 * CPU sends anything else, or at ds_dept_live__flush().
 *
 * Functions return 0 or a negative errno (a callback's error stops the
 * feed and is returned as is).
 */
#ifndef DEPTSCOPE_DEPT_LIVE_H
#define DEPTSCOPE_DEPT_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include "deptscope_events.h"
#include "deptscope/dept.h"

struct ds_graph;
struct ds_graph_cycle;
struct ds_dept_report;
struct ds_symbolizer;

struct ds_dept_circle_info {
	uint32_t circle;	/* DEPT's circle number */
	uint64_t ts;		/* the dept_circle record's time */
	uint32_t cpu;
	/* the circle's edges are in the graph and on one cycle there */
	bool engine_agrees;
	/* contexts announced but not received (records lost) */
	uint32_t missing;
	/* per context, its event class in the graph (DS_GRAPH_NONE: not received) */
	uint32_t cls[DS_DEPT_MAX_CONTEXTS];
};

struct ds_dept_live_cbs {
	/* a class the graph did not have; may be NULL */
	int (*class)(void *ctx, uint32_t id, uint64_t key);
	/*
	 * A new edge; @cycle when it closed a cycle, with the shortest one in
	 * @path (starting from, to).  May be NULL.
	 */
	int (*edge)(void *ctx, uint32_t from, uint32_t to, bool cycle,
		    const struct ds_graph_cycle *path, const struct ds_dept_dep_event *e);
	/* A circle DEPT found, as a parsed report (signed); may be NULL. */
	int (*circle)(void *ctx, struct ds_dept_report *r, const struct ds_dept_circle_info *info);
	int (*health)(void *ctx, const struct ds_dept_health_event *h);
	void *ctx;
};

struct ds_dept_live_stats {
	uint64_t records;	/* DEPT records fed */
	uint64_t classes;	/* classes created */
	uint64_t edges;		/* edges created */
	uint64_t cycle_edges;	/* edges that closed a cycle */
	uint64_t circles;	/* circles completed */
	uint64_t unknown_keys;	/* dependencies naming a class never announced */
	uint64_t malformed;	/* records too short for their type */
	uint64_t evictions;	/* times the class cap made the oldest half go */
	uint64_t classes_evicted;
};

struct ds_dept_live;

/*
 * @g is the caller's and outlives the object; @sym (may be NULL: frames
 * stay addresses) resolves stacks.
 */
int ds_dept_live__new(struct ds_graph *g, const struct ds_dept_live_cbs *cbs,
		      struct ds_symbolizer *sym, struct ds_dept_live **out);
void ds_dept_live__free(struct ds_dept_live *l);
/* One record; others than DS_EV_DEPT_* are ignored.  A ds_consumer_fn. */
int ds_dept_live__feed(void *l, const struct ds_event_hdr *h);
/*
 * Cap the graph at @max classes (0: none, the default): when a new class
 * would pass it, the oldest half of the classes and their edges are
 * forgotten (ds_graph__keep_newest()), counted in the stats.  Class ids of
 * the graph change then; the class callback's ids from before are stale.
 */
void ds_dept_live__set_max_classes(struct ds_dept_live *l, uint32_t max);
/* Complete the circle being assembled, if any. */
int ds_dept_live__flush(struct ds_dept_live *l);
/*
 * The same, only once no DEPT record came for @idle_ns before @now (the
 * records' clock, CLOCK_MONOTONIC): for a live run, where the ring buffer
 * may hand over half a circle in one round.
 */
int ds_dept_live__flush_idle(struct ds_dept_live *l, uint64_t now, uint64_t idle_ns);
void ds_dept_live__stats(const struct ds_dept_live *l, struct ds_dept_live_stats *st);
/* The graph class of a DEPT key, or DS_GRAPH_NONE. */
uint32_t ds_dept_live__class_of(const struct ds_dept_live *l, uint64_t key);

/* Frames of a stack record that are really present (bounded by its size). */
unsigned int ds_dept_stack_event__nr(const struct ds_dept_stack_event *e);

const char *ds_dept_health_what_name(int what);	/* "pool_empty", ...; "unknown" */

/*
 * The BPF programs of bpf/dept.bpf.c, attached to every DEPT tracepoint
 * the running kernel has; its records go to a ds_stream through
 * ds_bpf_source_ops.  -ENOENT when the kernel has none of them (no DEPT,
 * or DEPT without kernel/patches/dept).
 */
struct ds_dept_bpf_opts {
	unsigned int ringbuf_kb;	/* 0: 1024 */
	/* classic tracepoints even where BTF describes the events (tp_btf) */
	bool classic;
	/* load every classic program, attach nothing: do they pass the verifier? */
	bool load_only;
};

struct ds_dept_bpf;

int ds_dept_bpf__open(const struct ds_dept_bpf_opts *o, struct ds_dept_bpf **out);
void ds_dept_bpf__destroy(struct ds_dept_bpf *b);
/* Tracepoints that could not be attached, comma-separated ("" if none). */
const char *ds_dept_bpf__missing(const struct ds_dept_bpf *b);

#endif
