// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The newest records and resizes, for live displays; see history.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept.h"
#include "deptscope/history.h"

#define NS_PER_SEC	1000000000ULL
#define NR_CIRCLES	32

struct slot {
	void *buf;
	size_t cap;
};

struct ds_history {
	struct slot *ev;		/* ring of records */
	unsigned int nr_ev_max;
	size_t nr_ev, ev_head;		/* head: where the next one goes */
	struct ds_vpr_resize *rs;	/* ring of resizes */
	unsigned int nr_rs_max;
	size_t nr_rs, rs_head;
	uint64_t rs_total;
	uint64_t rs_t0;
	/* ring of circles: reports are big, so few; freed when overwritten */
	struct ds_dept_report *ci[NR_CIRCLES];
	struct ds_dept_circle_info ci_info[NR_CIRCLES];
	size_t nr_ci, ci_head;
	uint64_t ci_total;
	struct ds_history_counts c;
	uint64_t sec;			/* record-time second being counted */
	uint64_t cur[DS_HSRC_NR];	/* its events so far */
};

int ds_history__new(unsigned int nr_events, unsigned int nr_resizes, struct ds_history **out)
{
	struct ds_history *h;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->nr_ev_max = nr_events ? nr_events : 512;
	h->nr_rs_max = nr_resizes ? nr_resizes : 64;
	h->ev = calloc(h->nr_ev_max, sizeof(*h->ev));
	h->rs = calloc(h->nr_rs_max, sizeof(*h->rs));
	if (!h->ev || !h->rs) {
		ds_history__free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

void ds_history__free(struct ds_history *h)
{
	unsigned int i;

	if (!h)
		return;
	if (h->ev)
		for (i = 0; i < h->nr_ev_max; i++)
			free(h->ev[i].buf);
	free(h->ev);
	free(h->rs);
	for (i = 0; i < NR_CIRCLES; i++)
		ds_dept_report__free(h->ci[i]);
	free(h);
}

enum ds_history_src ds_history_src_of(unsigned int type)
{
	if (type >= DS_EV_FENCE_INIT && type <= DS_EV_FENCE_NAME)
		return DS_HSRC_FENCE;
	if (type >= DS_EV_DMABUF_EXPORT && type <= DS_EV_DMABUF_LAST)
		return DS_HSRC_DMABUF;
	if (type >= DS_EV_DEPT_CLASS && type <= DS_EV_DEPT_HEALTH)
		return DS_HSRC_DEPT;
	if (type >= DS_EV_VPR_FIRST && type <= DS_EV_VPR_LAST)
		return DS_HSRC_VPR;
	return DS_HSRC_OTHER;
}

const char *ds_history_src_name(enum ds_history_src src)
{
	static const char *const names[DS_HSRC_NR] = {
		[DS_HSRC_FENCE] = "dma_fence",
		[DS_HSRC_DMABUF] = "dma_buf",
		[DS_HSRC_DEPT] = "DEPT",
		[DS_HSRC_VPR] = "tegra_vpr",
		[DS_HSRC_OTHER] = "other",
	};

	return src < DS_HSRC_NR ? names[src] : "?";
}

/*
 * Rates by the records' clock, not the wall clock: a replay at --speed 0
 * then shows the rate the recorded machine saw, not how fast we read.
 */
static void count_rate(struct ds_history *h, enum ds_history_src src, uint64_t ts)
{
	uint64_t sec = ts / NS_PER_SEC;

	if (sec != h->sec) {
		/* a gap of more than one second: the previous second had nothing */
		if (sec == h->sec + 1)
			memcpy(h->c.rate, h->cur, sizeof(h->c.rate));
		else
			memset(h->c.rate, 0, sizeof(h->c.rate));
		memset(h->cur, 0, sizeof(h->cur));
		h->sec = sec;
	}
	h->cur[src]++;
}

static int keep_event(struct ds_history *h, const struct ds_event_hdr *ev)
{
	struct slot *s = &h->ev[h->ev_head];
	void *nb;

	if (s->cap < ev->size) {
		nb = realloc(s->buf, ev->size);
		if (!nb)
			return -ENOMEM;
		s->buf = nb;
		s->cap = ev->size;
	}
	memcpy(s->buf, ev, ev->size);
	h->ev_head = (h->ev_head + 1) % h->nr_ev_max;
	if (h->nr_ev < h->nr_ev_max)
		h->nr_ev++;
	return 0;
}

int ds_history__consume(void *ctx, const struct ds_event_hdr *ev)
{
	struct ds_history *h = ctx;
	enum ds_history_src src;

	if (ev->type == DS_EV_META_STATS && ev->size >= sizeof(h->c.stats)) {
		memcpy(&h->c.stats, ev, sizeof(h->c.stats));
		h->c.have_stats = true;
		return 0;
	}
	if (ev->type == DS_EV_META_SOURCE_STATS) {
		ds_ring_stats__consume(&h->c.ring, ev);
		return 0;
	}
	if (ev->type == DS_EV_META_SOURCE && ev->size >= sizeof(h->c.source)) {
		memcpy(&h->c.source, ev, sizeof(h->c.source));
		h->c.source.names[sizeof(h->c.source.names) - 1] = '\0';
		h->c.have_source = true;
		return 0;
	}
	if (ev->type >= DS_EV_META_BASE)
		return 0;
	src = ds_history_src_of(ev->type);
	h->c.events++;
	h->c.by_src[src]++;
	if (!h->c.first_ts || ev->ts < h->c.first_ts)
		h->c.first_ts = ev->ts;
	if (ev->ts > h->c.last_ts)
		h->c.last_ts = ev->ts;
	count_rate(h, src, ev->ts);
	return keep_event(h, ev);
}

int ds_history__add_resize(void *ctx, const struct ds_vpr_resize *r)
{
	struct ds_history *h = ctx;

	if (!h->rs_total)
		h->rs_t0 = r->begin_ts;
	h->rs[h->rs_head] = *r;
	h->rs_head = (h->rs_head + 1) % h->nr_rs_max;
	if (h->nr_rs < h->nr_rs_max)
		h->nr_rs++;
	h->rs_total++;
	return 0;
}

int ds_history__add_circle(void *ctx, struct ds_dept_report *r,
			   const struct ds_dept_circle_info *info)
{
	struct ds_history *h = ctx;
	struct ds_dept_report *d;

	d = ds_dept_report__dup(r);
	if (!d)
		return -ENOMEM;
	ds_dept_report__free(h->ci[h->ci_head]);
	h->ci[h->ci_head] = d;
	h->ci_info[h->ci_head] = *info;
	h->ci_head = (h->ci_head + 1) % NR_CIRCLES;
	if (h->nr_ci < NR_CIRCLES)
		h->nr_ci++;
	h->ci_total++;
	return 0;
}

size_t ds_history__nr_circles(const struct ds_history *h)
{
	return h->nr_ci;
}

const struct ds_dept_report *ds_history__circle(const struct ds_history *h, size_t i,
						const struct ds_dept_circle_info **info)
{
	size_t k;

	if (i >= h->nr_ci)
		return NULL;
	k = (h->ci_head + NR_CIRCLES - 1 - i) % NR_CIRCLES;
	if (info)
		*info = &h->ci_info[k];
	return h->ci[k];
}

uint64_t ds_history__circles_total(const struct ds_history *h)
{
	return h->ci_total;
}

const struct ds_history_counts *ds_history__counts(const struct ds_history *h)
{
	return &h->c;
}

size_t ds_history__nr_events(const struct ds_history *h)
{
	return h->nr_ev;
}

const struct ds_event_hdr *ds_history__event(const struct ds_history *h, size_t i)
{
	if (i >= h->nr_ev)
		return NULL;
	return h->ev[(h->ev_head + h->nr_ev_max - 1 - i) % h->nr_ev_max].buf;
}

size_t ds_history__nr_resizes(const struct ds_history *h)
{
	return h->nr_rs;
}

const struct ds_vpr_resize *ds_history__resize(const struct ds_history *h, size_t i)
{
	if (i >= h->nr_rs)
		return NULL;
	return &h->rs[(h->rs_head + h->nr_rs_max - 1 - i) % h->nr_rs_max];
}

uint64_t ds_history__resizes_total(const struct ds_history *h)
{
	return h->rs_total;
}

uint64_t ds_history__resize_t0(const struct ds_history *h)
{
	return h->rs_t0;
}

struct fmt {
	char *buf;
	size_t len;
	int n;		/* what was wanted so far */
};

static void __attribute__((format(printf, 2, 3))) add(struct fmt *f, const char *fmt, ...)
{
	size_t used = (size_t)f->n < f->len ? (size_t)f->n : f->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(f->buf + used, f->len - used, fmt, ap);
	va_end(ap);
	if (n > 0)
		f->n += n;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

/* Kept character for character with the rows of tools/cmd_vpr.c. */
int ds_vpr_resize__format(const struct ds_vpr_resize *r, uint64_t t0, uint64_t slow_ns,
			  char *buf, size_t len)
{
	bool failed = r->err || r->step_err || r->rolled_back;
	bool slow = r->duration_ns > slow_ns;
	struct fmt f = { .buf = buf, .len = len };

	if (!len)
		return 0;
	buf[0] = '\0';
	add(&f, "%10.3f  %s %-6s %8.1f -> %8.1f MiB  %2u chunk(s) %9.3f ms",
	    ms(r->begin_ts - t0), r->seq ? "#" : " ", r->grow ? "grow" : "shrink",
	    mib(r->old_size), mib(r->new_size), r->nr_chunk_steps, ms(r->duration_ns));
	if (r->inferred && r->rolled_back) {
		add(&f, "  (inferred: chunks given back, VPR not programmed)");
	} else if (r->inferred) {
		add(&f, "  (inferred: first chunk change to the SMC)");
	} else {
		add(&f, "  cma %.3f map %.3f freeze %.3f dev %.3f smc %.3f thaw %.3f frozen %.3f",
		    ms(r->cma_ns), ms(r->map_ns), ms(r->freeze_ns),
		    ms(r->dev_freeze_ns + r->dev_thaw_ns), ms(r->smc_ns), ms(r->thaw_ns),
		    ms(r->frozen_ns));
		if (r->rolled_back)
			add(&f, " rollback %.3f", ms(r->rollback_ns));
		if (r->seq)
			add(&f, "  seq %u", r->seq);
		if (r->heap[0])
			add(&f, "  %s buf %.1f MiB", r->heap, mib(r->buf_size));
	}
	if (failed && (r->err || r->step_err))
		add(&f, "  FAILED (err %d%s%s)", r->err ? r->err : r->step_err,
		    r->rolled_back ? ", rolled back" : "",
		    r->failed_chunks ? ", chunks left changed" : "");
	else if (failed)
		add(&f, "  FAILED (rolled back%s)",
		    r->failed_chunks ? ", chunks left changed" : "");
	if (slow)
		add(&f, "  SLOW (> %.0f ms)", ms(slow_ns));
	if (!r->complete)
		add(&f, "  UNFINISHED");
	return f.n;
}
