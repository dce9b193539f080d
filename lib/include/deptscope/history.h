/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Bounded histories for live displays (deptscope top): the newest records
 * as they were dispatched, event counts and rates per source, and the
 * newest finished VPR resizes and DEPT circles.  The models aggregate and forget the single
 * record (ds_vpr_model hands a resize over and keeps nothing), while a
 * live display wants the last few of them: this keeps them, in fixed
 * memory, behind the same ds_consumer_fn interface as every model.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef DEPTSCOPE_HISTORY_H
#define DEPTSCOPE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "deptscope_events.h"
#include "deptscope/dept_live.h"
#include "deptscope/event.h"
#include "deptscope/vpr.h"

enum ds_history_src {
	DS_HSRC_FENCE,
	DS_HSRC_DMABUF,
	DS_HSRC_DEPT,
	DS_HSRC_VPR,
	DS_HSRC_OTHER,		/* ping and unknown types */
	DS_HSRC_NR,
};

struct ds_history_counts {
	uint64_t events;			/* records, meta ones excluded */
	uint64_t by_src[DS_HSRC_NR];
	/* events in the newest whole second of record time, per source */
	uint64_t rate[DS_HSRC_NR];
	uint64_t first_ts, last_ts;
	bool have_stats;			/* a DS_EV_META_STATS was seen */
	struct ds_meta_stats stats;		/* the newest one */
	bool have_source;
	struct ds_meta_source source;		/* the newest DS_EV_META_SOURCE */
	struct ds_ring_stats ring;		/* per source */
};

struct ds_history;

/* Keep the newest @nr_events records and @nr_resizes resizes (0: 512 and 64). */
int ds_history__new(unsigned int nr_events, unsigned int nr_resizes, struct ds_history **out);
void ds_history__free(struct ds_history *h);
/* ds_consumer_fn: every record. */
int ds_history__consume(void *h, const struct ds_event_hdr *ev);
/* ds_vpr_resize_fn: a finished resize from ds_vpr_model. */
int ds_history__add_resize(void *h, const struct ds_vpr_resize *r);

/*
 * ds_dept_live_cbs.circle: a circle DEPT reported, copied; the newest 32
 * are kept, the @i-th newest by ds_history__circle() (NULL past the end).
 */
int ds_history__add_circle(void *h, struct ds_dept_report *r,
			   const struct ds_dept_circle_info *info);
size_t ds_history__nr_circles(const struct ds_history *h);
const struct ds_dept_report *ds_history__circle(const struct ds_history *h, size_t i,
						const struct ds_dept_circle_info **info);
uint64_t ds_history__circles_total(const struct ds_history *h);

const struct ds_history_counts *ds_history__counts(const struct ds_history *h);
/* Records kept, and the @i-th newest (0: the newest), NULL past the end. */
size_t ds_history__nr_events(const struct ds_history *h);
const struct ds_event_hdr *ds_history__event(const struct ds_history *h, size_t i);
/* Resizes kept, the @i-th newest, how many were ever added, the first one's begin. */
size_t ds_history__nr_resizes(const struct ds_history *h);
const struct ds_vpr_resize *ds_history__resize(const struct ds_history *h, size_t i);
uint64_t ds_history__resizes_total(const struct ds_history *h);
uint64_t ds_history__resize_t0(const struct ds_history *h);

enum ds_history_src ds_history_src_of(unsigned int type);
const char *ds_history_src_name(enum ds_history_src src);	/* "fence", "dma-buf", ... */

/*
 * One resize as 'deptscope vpr' prints its row (without the newline):
 * time since @t0 in ms, kind, sizes, steps and the alerts (@slow_ns).
 * Returns the length it wanted, as snprintf.
 */
int ds_vpr_resize__format(const struct ds_vpr_resize *r, uint64_t t0, uint64_t slow_ns,
			  char *buf, size_t len);

#endif
