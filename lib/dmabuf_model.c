// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dma-buf lifecycle model: every buffer followed by inode from export to
 * its last reference.  Inode numbers can be reused once a buffer is gone,
 * so a new export of a known inode with a different buffer pointer starts
 * a new life.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dmabuf.h"
#include "deptscope/util.h"
#include "internal.h"

struct ds_dmabuf_model {
	struct ds_map by_ino;		/* ino -> current ds_dmabuf_buffer */
	struct ds_dmabuf_buffer **all;	/* every life, in order of appearance */
	size_t nr, cap;
	struct ds_dmabuf_revocation *revs;	/* the timeline */
	size_t nr_revs, cap_revs;
	struct ds_dmabuf_importer *imps;	/* by device; few, so searched linearly */
	size_t nr_imps;
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
	free(m->revs);
	free(m->imps);
	ds_map__exit(&m->by_ino);
	free(m);
}

static struct ds_dmabuf_buffer *new_life(struct ds_dmabuf_model *m,
					 const struct ds_dmabuf_event *e)
{
	struct ds_dmabuf_buffer *b;

	if (ds_grow(&m->all, &m->cap, m->nr, sizeof(*m->all), 64))
		return NULL;
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

static struct ds_dmabuf_importer *importer(struct ds_dmabuf_model *m,
					   const struct ds_dmabuf_event *e)
{
	char name[sizeof(e->dev_name)];
	struct ds_dmabuf_importer *imp = NULL;
	size_t i;

	ds_copy_field(name, sizeof(name), e->dev_name, sizeof(e->dev_name));
	if (m->nr_imps == DS_DMABUF_MAX_IMPORTERS)
		snprintf(name, sizeof(name), "(other)");
	for (i = 0; i < m->nr_imps; i++)
		if (!strcmp(m->imps[i].dev_name, name))
			return &m->imps[i];
	if (!m->imps) {
		/* one allocation for the bound: no realloc, no pointer invalidation */
		m->imps = calloc(DS_DMABUF_MAX_IMPORTERS + 1, sizeof(*m->imps));
		if (!m->imps)
			return NULL;
	}
	imp = &m->imps[m->nr_imps++];
	memcpy(imp->dev_name, name, sizeof(name));
	return imp;
}

/* Open a timeline entry for @b; it stays pending until revoke_done(). */
static int revoke_start(struct ds_dmabuf_model *m, struct ds_dmabuf_buffer *b, uint64_t ts)
{
	struct ds_dmabuf_revocation *r;

	if (ds_grow(&m->revs, &m->cap_revs, m->nr_revs, sizeof(*r), 16))
		return -ENOMEM;
	r = &m->revs[m->nr_revs++];
	memset(r, 0, sizeof(*r));
	r->ino = b->ino;
	r->start_ts = ts;
	r->mapped_at_start = b->mapped;
	r->vfio = b->vfio;
	b->pending_rev = m->nr_revs;
	b->revoke_ts = ts;
	b->revoke_alerted = false;
	return 0;
}

static void revoke_done(struct ds_dmabuf_model *m, struct ds_dmabuf_buffer *b, uint64_t ts)
{
	uint64_t lat = b->revoke_ts && ts > b->revoke_ts ? ts - b->revoke_ts : 0;

	if (lat > b->revoke_latency_max_ns)
		b->revoke_latency_max_ns = lat;
	if (b->pending_rev)
		m->revs[b->pending_rev - 1].end_ts = ts;
	b->pending_rev = 0;
	b->revokes_done++;
	m->totals.revokes_done++;
	b->revoke_ts = 0;
	b->revoke_alerted = false;
}

/*
 * vfio-pci says itself when a status change starts and ends: the model
 * follows its status, and the change, not the invalidation inside it, is
 * the revocation.
 */
static int vfio_event(struct ds_dmabuf_model *m, struct ds_dmabuf_buffer *b,
		      const struct ds_vfio_dmabuf_event *v)
{
	struct ds_dmabuf_revocation *r;
	int err;

	b->vfio = true;
	ds_copy_field(b->vfio_dev, sizeof(b->vfio_dev), v->db.dev_name, sizeof(v->db.dev_name));
	switch (v->db.hdr.type) {
	case DS_EV_VFIO_DMABUF_EXPORT:
		b->vfio_bar = v->bar;
		b->vfio_status = v->new_status;
		break;
	case DS_EV_VFIO_DMABUF_STATE_START:
		/* the kernel marks the buffer revoked before notifying importers */
		if (v->new_status != DS_VFIO_DMABUF_OK)
			b->vfio_status = v->new_status;
		if (b->pending_rev)
			revoke_done(m, b, v->db.hdr.ts);
		err = revoke_start(m, b, v->db.hdr.ts);
		if (err)
			return err;
		r = &m->revs[b->pending_rev - 1];
		r->old_status = v->old_status;
		r->new_status = v->new_status;
		r->cause = v->cause;
		break;
	case DS_EV_VFIO_DMABUF_STATE_END:
		b->vfio_status = v->new_status;
		if (v->fence_wait_ns > b->vfio_fence_wait_max_ns)
			b->vfio_fence_wait_max_ns = v->fence_wait_ns;
		if (v->unmap_wait_ns > b->vfio_unmap_wait_max_ns)
			b->vfio_unmap_wait_max_ns = v->unmap_wait_ns;
		if (v->new_status != DS_VFIO_DMABUF_OK)
			b->vfio_revokes++;
		if (b->pending_rev) {
			r = &m->revs[b->pending_rev - 1];
			r->fence_wait_ns = v->fence_wait_ns;
			r->unmap_wait_ns = v->unmap_wait_ns;
			revoke_done(m, b, v->db.hdr.ts);
		}
		break;
	}
	return 0;
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
	struct ds_dmabuf_importer *imp = NULL;
	struct ds_dmabuf_buffer *b;
	unsigned int t;

	if (ev->type == DS_EV_META_STATS) {
		memcpy(&m->totals.stats, ev, sizeof(m->totals.stats));
		m->totals.have_stats = true;
		return 0;
	}
	if (ev->type < DS_EV_DMABUF_EXPORT || ev->type > DS_EV_DMABUF_LAST)
		return 0;
	t = ev->type - DS_EV_DMABUF_EXPORT;
	m->totals.events++;
	m->totals.by_type[t]++;
	b = ds_map__get(&m->by_ino, e->ino);
	if (!b || ((ev->type == DS_EV_DMABUF_EXPORT || ev->type == DS_EV_VFIO_DMABUF_EXPORT) &&
		   b->dmabuf != e->dmabuf)) {
		b = new_life(m, e);
		if (!b)
			return -ENOMEM;
	}
	b->last_ts = ev->ts;
	b->size = e->size;
	ds_copy_field(b->exp_name, sizeof(b->exp_name), e->exp_name, sizeof(e->exp_name));
	b->events[t]++;
	/* the four events of an importing device */
	if (ev->type == DS_EV_DMABUF_ATTACH || ev->type == DS_EV_DMABUF_DETACH ||
	    ev->type == DS_EV_DMABUF_MAP || ev->type == DS_EV_DMABUF_UNMAP) {
		imp = importer(m, e);
		if (!imp)
			return -ENOMEM;
	}
	switch (ev->type) {
	case DS_EV_DMABUF_EXPORT:
		b->exporter_pid = ev->pid;
		ds_copy_field(b->exporter_comm, sizeof(b->exporter_comm), e->comm,
			      sizeof(e->comm));
		break;
	case DS_EV_DMABUF_ATTACH:
		imp->attaches++;
		b->attached++;
		ds_copy_field(b->last_importer, sizeof(b->last_importer), e->dev_name,
			      sizeof(e->dev_name));
		break;
	case DS_EV_DMABUF_DETACH:
		imp->detaches++;
		b->attached--;
		break;
	case DS_EV_DMABUF_MAP:
		if (e->duration_ns > imp->map_max_ns)
			imp->map_max_ns = e->duration_ns;
		if (e->ret) {
			imp->map_errors++;
			break;
		}
		imp->maps++;
		b->mapped++;
		if (ds_dmabuf_buffer__revoked(b)) {
			b->maps_after_revoke++;
			imp->maps_after_revoke++;
			m->totals.maps_after_revoke++;
		}
		break;
	case DS_EV_DMABUF_UNMAP:
		imp->unmaps++;
		b->mapped--;
		if (b->mapped <= 0 && b->revoke_ts && !b->vfio)
			revoke_done(m, b, ev->ts);
		break;
	case DS_EV_DMABUF_INVALIDATE:
		b->invalidations++;
		if (b->vfio)
			break;
		if (!b->revoke_ts && revoke_start(m, b, ev->ts))
			return -ENOMEM;
		/* nothing mapped: the revocation is complete at once */
		if (b->mapped <= 0)
			revoke_done(m, b, ev->ts);
		break;
	case DS_EV_DMABUF_BEGIN_CPU:
		if (e->duration_ns > b->cpu_wait_max_ns)
			b->cpu_wait_max_ns = e->duration_ns;
		break;
	case DS_EV_DMABUF_RELEASE:
		b->released = true;
		b->revoke_ts = 0;	/* gone: nothing left to wait for */
		b->pending_rev = 0;
		break;
	case DS_EV_VFIO_DMABUF_EXPORT ... DS_EV_VFIO_DMABUF_STATE_END:
		if (ev->size < sizeof(struct ds_vfio_dmabuf_event))
			return 0;
		return vfio_event(m, b, (const void *)ev);
	}
	return 0;
}

size_t ds_dmabuf_model__importers(struct ds_dmabuf_model *m,
				  const struct ds_dmabuf_importer **out)
{
	*out = m->imps;
	return m->nr_imps;
}

const struct ds_dmabuf_buffer *ds_dmabuf_model__find(struct ds_dmabuf_model *m, uint64_t ino)
{
	return ds_map__get(&m->by_ino, ino);
}

size_t ds_dmabuf_model__revocations(struct ds_dmabuf_model *m,
				    const struct ds_dmabuf_revocation **out)
{
	*out = m->revs;
	return m->nr_revs;
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
		"vfio_export", "vfio_state_start", "vfio_state_end",
	};

	if (type < DS_EV_DMABUF_EXPORT || type > DS_EV_DMABUF_LAST)
		return "unknown";
	return names[type - DS_EV_DMABUF_EXPORT];
}

const char *ds_vfio_status_name(unsigned int status)
{
	static const char *const names[] = { "ok", "temp_revoked", "perm_revoked" };

	return status < DS_ARRAY_SIZE(names) ? names[status] : "unknown";
}

const char *ds_vfio_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		"command", "power", "flr", "reset", "hot_reset", "runtime_pm", "close",
	};

	if (cause == DS_VFIO_CAUSE_NONE)
		return "none";
	return cause < DS_ARRAY_SIZE(names) ? names[cause] : "unknown";
}
