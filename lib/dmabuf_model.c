// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dma-buf lifecycle model: every buffer followed by inode from export to
 * its last reference.  Inode numbers can be reused once a buffer is gone,
 * so a new export of a known inode with a different buffer pointer starts
 * a new life.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dmabuf.h"
#include "internal.h"

struct ds_dmabuf_model {
	struct ds_map by_ino;		/* ino -> current ds_dmabuf_buffer */
	struct ds_dmabuf_buffer **all;	/* every life, in order of appearance */
	size_t nr, cap;
	struct ds_dmabuf_totals totals;
};

int ds_dmabuf_model__new(struct ds_dmabuf_model **out)
{
	struct ds_dmabuf_model *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	err = ds_map__init(&m->by_ino, 64);
	if (err) {
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

void ds_dmabuf_model__free(struct ds_dmabuf_model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nr; i++)
		free(m->all[i]);
	free(m->all);
	ds_map__exit(&m->by_ino);
	free(m);
}

static struct ds_dmabuf_buffer *new_life(struct ds_dmabuf_model *m,
					 const struct ds_dmabuf_event *e)
{
	struct ds_dmabuf_buffer *b, **all;

	if (m->nr == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;

		all = realloc(m->all, cap * sizeof(*all));
		if (!all)
			return NULL;
		m->all = all;
		m->cap = cap;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (ds_map__set(&m->by_ino, e->ino, b)) {
		free(b);
		return NULL;
	}
	b->ino = e->ino;
	b->dmabuf = e->dmabuf;
	b->first_ts = e->hdr.ts;
	m->all[m->nr++] = b;
	m->totals.buffers++;
	return b;
}

static void revoke_done(struct ds_dmabuf_model *m, struct ds_dmabuf_buffer *b, uint64_t ts)
{
	uint64_t lat = b->revoke_ts && ts > b->revoke_ts ? ts - b->revoke_ts : 0;

	if (lat > b->revoke_latency_max_ns)
		b->revoke_latency_max_ns = lat;
	b->revokes_done++;
	m->totals.revokes_done++;
	b->revoke_ts = 0;
	b->revoke_alerted = false;
}

int ds_dmabuf_model__check_revokes(struct ds_dmabuf_model *m, uint64_t now, uint64_t limit_ns,
				   ds_dmabuf_revoke_fn cb, void *ctx)
{
	int found = 0;
	size_t i;

	for (i = 0; i < m->nr; i++) {
		struct ds_dmabuf_buffer *b = m->all[i];

		if (!b->revoke_ts || b->revoke_alerted || now < b->revoke_ts ||
		    now - b->revoke_ts < limit_ns)
			continue;
		b->revoke_alerted = true;
		m->totals.revokes_stuck++;
		found++;
		if (cb)
			cb(ctx, b, now);
	}
	return found;
}

int ds_dmabuf_model__consume(void *ctx, const struct ds_event_hdr *ev)
{
	const struct ds_dmabuf_event *e = (const void *)ev;
	struct ds_dmabuf_model *m = ctx;
	struct ds_dmabuf_buffer *b;
	unsigned int t;

	if (ev->type == DS_EV_META_STATS) {
		memcpy(&m->totals.stats, ev, sizeof(m->totals.stats));
		m->totals.have_stats = true;
		return 0;
	}
	if (ev->type < DS_EV_DMABUF_EXPORT || ev->type > DS_EV_DMABUF_RELEASE)
		return 0;
	t = ev->type - DS_EV_DMABUF_EXPORT;
	m->totals.events++;
	m->totals.by_type[t]++;
	b = ds_map__get(&m->by_ino, e->ino);
	if (!b || (ev->type == DS_EV_DMABUF_EXPORT && b->dmabuf != e->dmabuf)) {
		b = new_life(m, e);
		if (!b)
			return -ENOMEM;
	}
	b->last_ts = ev->ts;
	b->size = e->size;
	ds_copy_field(b->exp_name, sizeof(b->exp_name), e->exp_name, sizeof(e->exp_name));
	b->events[t]++;
	switch (ev->type) {
	case DS_EV_DMABUF_EXPORT:
		b->exporter_pid = ev->pid;
		ds_copy_field(b->exporter_comm, sizeof(b->exporter_comm), e->comm,
			      sizeof(e->comm));
		break;
	case DS_EV_DMABUF_ATTACH:
		b->attached++;
		ds_copy_field(b->last_importer, sizeof(b->last_importer), e->dev_name,
			      sizeof(e->dev_name));
		break;
	case DS_EV_DMABUF_DETACH:
		b->attached--;
		break;
	case DS_EV_DMABUF_MAP:
		if (!e->ret)
			b->mapped++;
		break;
	case DS_EV_DMABUF_UNMAP:
		b->mapped--;
		if (b->mapped <= 0 && b->revoke_ts)
			revoke_done(m, b, ev->ts);
		break;
	case DS_EV_DMABUF_INVALIDATE:
		b->invalidations++;
		/* nothing mapped: the revocation is complete at once */
		if (b->mapped <= 0)
			revoke_done(m, b, ev->ts);
		else if (!b->revoke_ts)
			b->revoke_ts = ev->ts;
		break;
	case DS_EV_DMABUF_BEGIN_CPU:
		if (e->duration_ns > b->cpu_wait_max_ns)
			b->cpu_wait_max_ns = e->duration_ns;
		break;
	case DS_EV_DMABUF_RELEASE:
		b->released = true;
		b->revoke_ts = 0;	/* gone: nothing left to wait for */
		break;
	}
	return 0;
}

size_t ds_dmabuf_model__buffers(struct ds_dmabuf_model *m,
				const struct ds_dmabuf_buffer *const **out)
{
	*out = (const struct ds_dmabuf_buffer *const *)m->all;
	return m->nr;
}

const struct ds_dmabuf_totals *ds_dmabuf_model__totals(const struct ds_dmabuf_model *m)
{
	return &m->totals;
}

const char *ds_dmabuf_type_short(unsigned int type)
{
	static const char *const names[DS_DMABUF_NR_TYPES] = {
		"export", "fd", "get", "put", "mmap_internal", "mmap", "attach", "detach",
		"invalidate", "map", "unmap", "begin_cpu_access", "end_cpu_access", "release",
	};

	if (type < DS_EV_DMABUF_EXPORT || type > DS_EV_DMABUF_RELEASE)
		return "unknown";
	return names[type - DS_EV_DMABUF_EXPORT];
}
