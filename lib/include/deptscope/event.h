/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_EVENT_H
#define DEPTSCOPE_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include "deptscope_events.h"

/**
 * ds_event__check() - validate one record before anyone reads its fields
 * @ev: record start
 * @avail: bytes available at @ev
 *
 * Return: the record size (> 0) when a complete, well-formed record starts
 * at @ev; -EAGAIN when @avail is too short to hold it (truncation);
 * -EINVAL when the bytes cannot be a record (corruption).  Unknown types
 * with a sane size are accepted so newer recordings stay readable.
 */
int ds_event__check(const void *ev, size_t avail);

/* Short name of a record type ("fence_wait_start"), "unknown" otherwise. */
const char *ds_event_type_name(unsigned int type);

/* Frames of a fence event that are really present (bounded by size). */
unsigned int ds_fence_event__nr_frames(const struct ds_fence_event *e);

/* Sources, DS_SRC_* bit i for i < DS_NR_SOURCES. */
#define DS_NR_SOURCES	5

/* "fence", "selftest", "dmabuf", "dept" or "vpr" for one DS_SRC_* bit; "?" else. */
const char *ds_source_name(unsigned int bit);

/*
 * Ring counters per source (the newest DS_EV_META_SOURCE_STATS of each) and
 * what the self-test source's sequence numbers say: the BPF program numbers
 * every attempt, kept or dropped, so ping_seqs - pings were lost on the way
 * (at most the ring's drop count: attempts after the last record kept are
 * counted by the ring alone).
 */
struct ds_ring_stats {
	uint32_t have;				/* DS_SRC_* bits with a record */
	struct ds_meta_source_stats src[DS_NR_SOURCES];
	uint64_t pings;				/* DS_EV_PING records */
	uint64_t ping_seqs;			/* the highest sequence number + 1 */
};

/* Take one record: only source stats and self-test records matter. */
void ds_ring_stats__consume(struct ds_ring_stats *rs, const struct ds_event_hdr *ev);

#endif
