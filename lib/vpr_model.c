// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tegra VPR resizes from the tegra_vpr records; see vpr.h.  Resizes run
 * one at a time under the driver's lock, so only a few are ever open at
 * once (one, plus any whose end was lost): a small array is enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/event.h"
#include "deptscope/util.h"
#include "deptscope/vpr.h"

#define MAX_OPEN	8

struct ds_vpr_model {
	ds_vpr_resize_fn done;
	void *ctx;
	struct ds_vpr_resize open[MAX_OPEN];
	bool used[MAX_OPEN];
	uint64_t cur_base, cur_size;	/* the VPR as last programmed */
	bool cur_known;
	struct ds_vpr_size_point *sizes;
	size_t nr_sizes, cap_sizes;
	struct ds_vpr_stats st;
};

int ds_vpr_model__new(ds_vpr_resize_fn done, void *ctx, struct ds_vpr_model **out)
{
	struct ds_vpr_model *m = calloc(1, sizeof(*m));

	*out = m;
	if (!m)
		return -ENOMEM;
	m->done = done;
	m->ctx = ctx;
	return 0;
}

void ds_vpr_model__free(struct ds_vpr_model *m)
{
	if (!m)
		return;
	free(m->sizes);
	free(m);
}

void ds_vpr_model__stats(const struct ds_vpr_model *m, struct ds_vpr_stats *st)
{
	*st = m->st;
}

const struct ds_vpr_size_point *ds_vpr_model__sizes(const struct ds_vpr_model *m, uint32_t *nr)
{
	*nr = (uint32_t)m->nr_sizes;
	return m->sizes;
}

static int add_size(struct ds_vpr_model *m, uint64_t ts, uint64_t base, uint64_t size)
{
	int err;

	m->cur_base = base;
	m->cur_size = size;
	m->cur_known = true;
	/* resize_end after tegra_vpr_set repeats the same programming */
	if (m->nr_sizes && m->sizes[m->nr_sizes - 1].base == base &&
	    m->sizes[m->nr_sizes - 1].size == size)
		return 0;
	err = ds_grow(&m->sizes, &m->cap_sizes, m->nr_sizes, sizeof(*m->sizes), 64);
	if (err)
		return err;
	m->sizes[m->nr_sizes++] = (struct ds_vpr_size_point){ ts, base, size };
	return 0;
}

/* The open resize with @seq (ours) or of task @tid (inferred); -1 if none. */
static int find(const struct ds_vpr_model *m, bool inferred, uint32_t seq, uint32_t tid)
{
	int i;

	for (i = 0; i < MAX_OPEN; i++)
		if (m->used[i] && m->open[i].inferred == inferred &&
		    (inferred ? m->open[i].tid == tid : m->open[i].seq == seq))
			return i;
	return -1;
}

static int finish(struct ds_vpr_model *m, int i)
{
	struct ds_vpr_resize *r = &m->open[i];
	int err = 0;

	m->used[i] = false;
	m->st.resizes++;
	m->st.grows += r->grow;
	m->st.shrinks += !r->grow;
	m->st.failed += r->err || r->step_err || r->rolled_back;
	m->st.inferred += r->inferred;
	m->st.incomplete += !r->complete;
	if (m->done)
		err = m->done(m->ctx, r);
	return err;
}

/* A new open resize; the oldest one is handed over when all are taken. */
static int open_resize(struct ds_vpr_model *m, const struct ds_event_hdr *h, bool inferred,
		       uint32_t seq, struct ds_vpr_resize **out)
{
	int i, oldest = 0, err;

	for (i = 0; i < MAX_OPEN && m->used[i]; i++)
		if (m->open[i].begin_ts < m->open[oldest].begin_ts)
			oldest = i;
	if (i == MAX_OPEN) {
		err = finish(m, oldest);
		if (err)
			return err;
		i = oldest;
	}
	memset(&m->open[i], 0, sizeof(m->open[i]));
	m->used[i] = true;
	m->open[i].seq = seq;
	m->open[i].inferred = inferred;
	m->open[i].tid = h->tid;
	m->open[i].begin_ts = h->ts;
	m->open[i].old_base = m->cur_base;
	m->open[i].old_size = m->cur_size;
	*out = &m->open[i];
	return 0;
}

/* Our events: the resize of e->seq, opened if its begin was not seen. */
static int ours(struct ds_vpr_model *m, const struct ds_vpr_event *e, struct ds_vpr_resize **r)
{
	int i = find(m, false, e->seq, 0);

	m->st.have_ours = true;
	if (i >= 0) {
		*r = &m->open[i];
		return 0;
	}
	return open_resize(m, &e->hdr, false, e->seq, r);
}

static void step(struct ds_vpr_resize *r, uint64_t *sum, const struct ds_vpr_event *e)
{
	*sum += e->duration_ns;
	if (e->err && !r->step_err)
		r->step_err = e->err;
}

/*
 * Resizes run under vpr->lock, so a chunk change or programming by another
 * task means an open inferred resize ended without programming the VPR.
 * v3 only does that when a grow failed and its chunks were given back.
 */
static int close_unprogrammed(struct ds_vpr_model *m, uint32_t tid)
{
	struct ds_vpr_resize *r;
	int i, err;

	for (i = 0; i < MAX_OPEN; i++) {
		r = &m->open[i];
		if (!m->used[i] || !r->inferred || r->tid == tid)
			continue;
		r->new_base = r->old_base;
		r->new_size = r->old_size;
		r->duration_ns = r->end_ts - r->begin_ts;
		r->rolled_back = r->saw_activate && r->saw_deactivate;
		r->complete = true;
		err = finish(m, i);
		if (err)
			return err;
	}
	return 0;
}

/* v3's events: chunk changes and the programming of the VPR. */
static int upstream(struct ds_vpr_model *m, const struct ds_vpr_event *e)
{
	uint16_t type = e->hdr.type;
	struct ds_vpr_resize *r;
	int i, err;

	if (!m->st.have_ours) {
		err = close_unprogrammed(m, e->hdr.tid);
		if (err)
			return err;
	}
	if (type == DS_EV_VPR_SET) {
		err = add_size(m, e->hdr.ts, e->base, e->size);
		i = find(m, true, 0, e->hdr.tid);
		if (err || i < 0)
			return err;
		/* without our events the programming is all we know of the end */
		r = &m->open[i];
		r->new_base = e->base;
		r->new_size = e->size;
		r->end_ts = e->hdr.ts;
		r->duration_ns = e->hdr.ts - r->begin_ts;
		r->complete = true;
		return finish(m, i);
	}
	/* with our events, seq-grouped events describe the same resize */
	if (m->st.have_ours)
		return 0;
	i = find(m, true, 0, e->hdr.tid);
	if (i < 0) {
		err = open_resize(m, &e->hdr, true, 0, &r);
		if (err)
			return err;
		r->grow = type == DS_EV_VPR_CHUNK_ACTIVATE;
	} else {
		r = &m->open[i];
	}
	r->nr_chunk_steps++;
	r->end_ts = e->hdr.ts;
	if (type == DS_EV_VPR_CHUNK_ACTIVATE)
		r->saw_activate = true;
	else
		r->saw_deactivate = true;
	return 0;
}

int ds_vpr_model__feed(void *ctx, const struct ds_event_hdr *h)
{
	struct ds_vpr_model *m = ctx;
	const struct ds_vpr_event *e = (const void *)h;
	struct ds_vpr_resize *r;
	int err;

	if (h->type < DS_EV_VPR_FIRST || h->type > DS_EV_VPR_LAST)
		return 0;
	if (ds_event__check(h, h->size) != h->size) {
		m->st.malformed++;
		return 0;
	}
	m->st.records++;
	if (h->type <= DS_EV_VPR_SET)
		return upstream(m, e);
	err = ours(m, e, &r);
	if (err)
		return err;
	switch (h->type) {
	case DS_EV_VPR_RESIZE_BEGIN:
		r->begin_ts = h->ts;
		r->grow = e->grow;
		memcpy(r->heap, e->name, sizeof(r->heap) - 1);
		r->buf_start = e->base;
		r->buf_size = e->size;
		r->old_base = e->old_base;
		r->old_size = e->old_size;
		break;
	case DS_EV_VPR_CMA_ALLOC:
	case DS_EV_VPR_CMA_RELEASE:
		if (e->chunk < 64)
			r->chunks |= 1ULL << e->chunk;
		r->nr_chunk_steps += h->type == DS_EV_VPR_CMA_ALLOC;
		step(r, &r->cma_ns, e);
		break;
	case DS_EV_VPR_MAP_DEVICE:
	case DS_EV_VPR_MAP_NORMAL:
		if (e->chunk < 64)
			r->chunks |= 1ULL << e->chunk;
		r->nr_chunk_steps += h->type == DS_EV_VPR_MAP_NORMAL;
		step(r, &r->map_ns, e);
		break;
	case DS_EV_VPR_FREEZE:
		step(r, &r->freeze_ns, e);
		break;
	case DS_EV_VPR_THAW:
		r->thaw_ns += e->duration_ns;
		r->frozen_ns += e->frozen_ns;
		break;
	case DS_EV_VPR_DEV_FREEZE:
		r->nr_devs++;
		step(r, &r->dev_freeze_ns, e);
		break;
	case DS_EV_VPR_DEV_THAW:
		step(r, &r->dev_thaw_ns, e);
		break;
	case DS_EV_VPR_SMC:
		r->smc_ret = e->err;
		r->smc_ns += e->duration_ns;
		if (e->err < 0 && !r->step_err)
			r->step_err = e->err;
		break;
	case DS_EV_VPR_ROLLBACK:
		r->rolled_back = true;
		r->rollback_ns += e->duration_ns;
		r->failed_chunks |= e->failed;
		break;
	case DS_EV_VPR_RESIZE_END:
		r->grow = e->grow;
		if (!r->begin_ts || r->begin_ts > h->ts)
			r->begin_ts = h->ts - e->duration_ns;
		r->end_ts = h->ts;
		r->old_base = e->old_base;
		r->old_size = e->old_size;
		r->new_base = e->new_base;
		r->new_size = e->new_size;
		r->chunks = e->mask;
		r->duration_ns = e->duration_ns;
		r->err = e->err;
		r->complete = true;
		err = add_size(m, h->ts, e->new_base, e->new_size);
		if (!err)
			err = finish(m, (int)(r - m->open));
		return err;
	}
	return 0;
}

int ds_vpr_model__flush(struct ds_vpr_model *m)
{
	int i, err;

	for (i = 0; i < MAX_OPEN; i++) {
		if (!m->used[i])
			continue;
		err = finish(m, i);
		if (err)
			return err;
	}
	return 0;
}
