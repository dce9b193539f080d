/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_STREAM_H
#define DEPTSCOPE_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include "deptscope_events.h"

/*
 * One stream, one or more sources, several consumers.  The same consumers (models,
 * recorder, printers) run unchanged on a live ring buffer or a recording:
 * only the source differs.
 */
struct ds_stream;

/* Return < 0 to stop the stream with that error. */
typedef int (*ds_consumer_fn)(void *ctx, const struct ds_event_hdr *ev);

struct ds_source_ops {
	const char *name;
	/* Deliver events through ds_stream__dispatch(); events delivered or -errno. */
	int (*poll)(void *src, struct ds_stream *s, int timeout_ms);
	/* pollable fd, or -1 */
	int (*fd)(void *src);
	/* true once a finite source (a file) has nothing more */
	bool (*eof)(void *src);
	/* Fill current counters; may be NULL. */
	int (*stats)(void *src, struct ds_meta_stats *st);
	/* Stop producing; what was produced can still be polled.  May be NULL. */
	int (*quiesce)(void *src);
	/* After quiesce: has all that was produced been polled?  May be NULL. */
	bool (*drained)(void *src);
	/* The DS_SRC_* bit of this source, 0 if none.  May be NULL. */
	unsigned int (*source)(void *src);
};

#define DS_STREAM_MAX_CONSUMERS	8
#define DS_STREAM_MAX_SOURCES	4

int ds_stream__new(struct ds_stream **out);
void ds_stream__free(struct ds_stream *s);
int ds_stream__add_consumer(struct ds_stream *s, ds_consumer_fn fn, void *ctx);
/*
 * Add a source.  With several, a poll waits on all of them (epoll) and
 * drains each; the stream is at its end when every source is.
 */
int ds_stream__add_source(struct ds_stream *s, const struct ds_source_ops *ops, void *src);
/* Pass one event to every consumer in order; first error wins. */
int ds_stream__dispatch(struct ds_stream *s, const struct ds_event_hdr *ev);
int ds_stream__poll(struct ds_stream *s, int timeout_ms);
int ds_stream__fd(struct ds_stream *s);
bool ds_stream__eof(struct ds_stream *s);
int ds_stream__stats(struct ds_stream *s, struct ds_meta_stats *st);
/*
 * The counters of source @i alone (0, -EOPNOTSUPP when it keeps none, or
 * -ENOENT past the last source).
 */
int ds_stream__source_stats(struct ds_stream *s, unsigned int i,
			    struct ds_meta_source_stats *st);
struct ds_ring_stats;
/* Each source's counters into @rs, by its DS_SRC_* bit (sources without one are left out). */
void ds_stream__ring_stats(struct ds_stream *s, struct ds_ring_stats *rs);
/*
 * Pass the counters on: a DS_EV_META_SOURCE_STATS per source that has a
 * DS_SRC_* bit (in bit order), then their DS_EV_META_STATS sum, which
 * older readers know alone.  First consumer error, or 0.
 */
int ds_stream__dispatch_stats(struct ds_stream *s);
/*
 * Ask every source to stop producing (the BPF programs stop reserving
 * records), so that a drain afterwards ends even under a storm.  First
 * error, or 0.
 */
int ds_stream__quiesce(struct ds_stream *s);
/* After ds_stream__quiesce(): true when every source has been polled dry. */
bool ds_stream__drained(struct ds_stream *s);
/* Events dispatched so far, and the newest event timestamp seen. */
uint64_t ds_stream__count(const struct ds_stream *s);
uint64_t ds_stream__last_ts(const struct ds_stream *s);

#endif
