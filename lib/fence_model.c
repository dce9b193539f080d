// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fence wait aggregation.  Waits and signals are joined by the fence's
 * 64-bit context (timeline) and by the waiting thread, never by name: 7.x
 * replaces the names of signalled fences with placeholders.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/event.h"
#include "deptscope/fence.h"
#include "internal.h"

#define DEFAULT_TOP_N	10
#define DEFAULT_HANG_NS	1000000000ULL
#define MAX_TOP_N	1000

struct name_ent {
	char driver[DS_NAME_LEN];
	char timeline[DS_NAME_LEN];
};

struct ds_fence_model {
	struct ds_fence_model_opts opts;
	struct ds_map timelines;	/* context -> ds_fence_timeline */
	struct ds_map names;		/* context32 -> name_ent */
	struct ds_map pending;		/* tid -> ds_fence_wait */
	struct ds_fence_wait *free_waits; /* recycled, chained through ->fence */
	struct ds_hist hist;
	struct ds_fence_totals totals;
	struct ds_fence_wait *top;	/* top_n slots, longest first */
	unsigned int nr_top;
	const struct ds_fence_wait **top_ptrs;
	const struct ds_fence_timeline **tl_sorted;
	size_t tl_sorted_cap;
	const struct ds_fence_wait **pend_sorted;
	size_t pend_sorted_cap;
};

int ds_fence_model__new(const struct ds_fence_model_opts *o, struct ds_fence_model **out)
{
	struct ds_fence_model *m;
	int err = -ENOMEM;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (o)
		m->opts = *o;
	if (!m->opts.top_n)
		m->opts.top_n = DEFAULT_TOP_N;
	if (m->opts.top_n > MAX_TOP_N)
		m->opts.top_n = MAX_TOP_N;
	if (!m->opts.hang_ns)
		m->opts.hang_ns = DEFAULT_HANG_NS;
	ds_hist__init(&m->hist);
	m->top = calloc(m->opts.top_n, sizeof(*m->top));
	m->top_ptrs = calloc(m->opts.top_n, sizeof(*m->top_ptrs));
	if (!m->top || !m->top_ptrs)
		goto err;
	err = ds_map__init(&m->timelines, 64);
	if (err)
		goto err;
	err = ds_map__init(&m->names, 64);
	if (err)
		goto err;
	err = ds_map__init(&m->pending, 64);
	if (err)
		goto err;
	*out = m;
	return 0;
err:
	ds_fence_model__free(m);
	return err;
}

static void free_map_values(struct ds_map *map)
{
	size_t i;

	free(map->zero_val);
	for (i = 0; i < map->cap; i++)
		if (map->keys[i])
			free(map->vals[i]);
	ds_map__exit(map);
}

void ds_fence_model__free(struct ds_fence_model *m)
{
	struct ds_fence_wait *w;

	if (!m)
		return;
	if (m->timelines.keys)
		free_map_values(&m->timelines);
	if (m->names.keys)
		free_map_values(&m->names);
	if (m->pending.keys)
		free_map_values(&m->pending);
	while ((w = m->free_waits)) {
		m->free_waits = (struct ds_fence_wait *)(uintptr_t)w->fence;
		free(w);
	}
	free(m->top);
	free(m->top_ptrs);
	free(m->tl_sorted);
	free(m->pend_sorted);
	free(m);
}

static struct ds_fence_timeline *get_timeline(struct ds_fence_model *m, uint64_t context,
					      uint64_t ts)
{
	struct ds_fence_timeline *tl = ds_map__get(&m->timelines, context);
	struct name_ent *n;

	if (tl)
		return tl;
	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return NULL;
	tl->context = context;
	tl->first_ts = ts;
	ds_hist__init(&tl->hist);
	n = ds_map__get(&m->names, (uint32_t)context);
	if (n) {
		memcpy(tl->driver, n->driver, sizeof(tl->driver));
		memcpy(tl->timeline, n->timeline, sizeof(tl->timeline));
	}
	if (ds_map__set(&m->timelines, context, tl)) {
		free(tl);
		return NULL;
	}
	return tl;
}

static int on_name(struct ds_fence_model *m, const struct ds_fence_name_event *e)
{
	struct ds_fence_timeline *tl;
	struct name_ent *n;
	size_t i;

	n = ds_map__get(&m->names, e->context32);
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n || ds_map__set(&m->names, e->context32, n)) {
			free(n);
			return -ENOMEM;
		}
	}
	ds_copy_field(n->driver, sizeof(n->driver), e->driver, sizeof(e->driver));
	ds_copy_field(n->timeline, sizeof(n->timeline), e->timeline, sizeof(e->timeline));
	/* the record only has 32 context bits: name every timeline they match */
	for (i = 0; i < m->timelines.cap; i++) {
		tl = m->timelines.keys[i] ? m->timelines.vals[i] : NULL;
		if (tl && (uint32_t)tl->context == e->context32) {
			memcpy(tl->driver, n->driver, sizeof(tl->driver));
			memcpy(tl->timeline, n->timeline, sizeof(tl->timeline));
		}
	}
	tl = m->timelines.zero_val;
	if (tl && !e->context32) {
		memcpy(tl->driver, n->driver, sizeof(tl->driver));
		memcpy(tl->timeline, n->timeline, sizeof(tl->timeline));
	}
	return 0;
}

static struct ds_fence_wait *alloc_wait(struct ds_fence_model *m)
{
	struct ds_fence_wait *w = m->free_waits;

	if (w) {
		m->free_waits = (struct ds_fence_wait *)(uintptr_t)w->fence;
		return w;
	}
	return malloc(sizeof(*w));
}

static void release_wait(struct ds_fence_model *m, struct ds_fence_wait *w)
{
	w->fence = (uint64_t)(uintptr_t)m->free_waits;
	m->free_waits = w;
}

static int on_wait_start(struct ds_fence_model *m, const struct ds_fence_event *e)
{
	struct ds_fence_wait *w = ds_map__get(&m->pending, e->hdr.tid);
	unsigned int nr = ds_fence_event__nr_frames(e);
	int err;

	if (!w) {
		w = alloc_wait(m);
		if (!w)
			return -ENOMEM;
		err = ds_map__set(&m->pending, e->hdr.tid, w);
		if (err) {
			release_wait(m, w);
			return err;
		}
		m->totals.pending++;
	}
	/* a thread waits on one fence at a time: an older entry lost its end */
	w->fence = e->fence;
	w->context = e->context;
	w->seqno = e->seqno;
	w->start_ts = e->hdr.ts;
	w->end_ts = 0;
	w->duration_ns = 0;
	w->pid = e->hdr.pid;
	w->tid = e->hdr.tid;
	w->flags = e->flags;
	w->hang_reported = false;
	memcpy(w->comm, e->comm, sizeof(w->comm));
	w->comm[sizeof(w->comm) - 1] = '\0';
	w->nr_frames = nr;
	memcpy(w->stack, e->stack, nr * sizeof(w->stack[0]));
	return 0;
}

static void top_insert(struct ds_fence_model *m, const struct ds_fence_wait *w)
{
	unsigned int n = m->opts.top_n, i;

	if (m->nr_top == n && w->duration_ns <= m->top[n - 1].duration_ns)
		return;
	i = m->nr_top < n ? m->nr_top++ : n - 1;
	while (i > 0 && m->top[i - 1].duration_ns < w->duration_ns) {
		m->top[i] = m->top[i - 1];
		i--;
	}
	m->top[i] = *w;
}

static int on_wait_end(struct ds_fence_model *m, const struct ds_fence_event *e)
{
	struct ds_fence_wait *w = ds_map__del(&m->pending, e->hdr.tid);
	struct ds_fence_timeline *tl;
	struct ds_fence_wait done;

	if (w)
		m->totals.pending--;
	if (w && w->fence != e->fence) {
		release_wait(m, w);
		w = NULL;
	}
	memset(&done, 0, sizeof(done));
	if (w)
		memcpy(&done, w, sizeof(done));
	done.fence = e->fence;
	done.context = e->context;
	done.seqno = e->seqno;
	done.pid = e->hdr.pid;
	done.tid = e->hdr.tid;
	done.flags = e->flags;
	done.end_ts = e->hdr.ts;
	memcpy(done.comm, e->comm, sizeof(done.comm));
	done.comm[sizeof(done.comm) - 1] = '\0';
	if (!(e->flags & DS_FENCE_F_NO_START) && e->start_ts && e->start_ts <= e->hdr.ts) {
		/* the kernel paired it: exact even if wait_start was dropped */
		done.start_ts = e->start_ts;
		done.duration_ns = e->duration_ns;
	} else if (w && w->start_ts <= e->hdr.ts) {
		done.duration_ns = e->hdr.ts - w->start_ts;
	} else {
		m->totals.waits_unmatched++;
		if (w)
			release_wait(m, w);
		return 0;
	}
	if (w)
		release_wait(m, w);
	tl = get_timeline(m, e->context, e->hdr.ts);
	if (!tl)
		return -ENOMEM;
	tl->waits++;
	if (!(e->flags & DS_FENCE_F_SIGNALED))
		tl->waits_unsignaled++;
	ds_hist__add(&tl->hist, done.duration_ns);
	ds_hist__add(&m->hist, done.duration_ns);
	m->totals.waits++;
	top_insert(m, &done);
	if (m->opts.resolved && done.hang_reported)
		m->opts.resolved(m->opts.cb_ctx, &done, tl);
	return 0;
}

int ds_fence_model__consume(void *ctx, const struct ds_event_hdr *ev)
{
	const struct ds_fence_event *e = (const void *)ev;
	struct ds_fence_model *m = ctx;
	struct ds_fence_timeline *tl;

	if (ev->type == DS_EV_META_STATS) {
		memcpy(&m->totals.stats, ev, sizeof(m->totals.stats));
		m->totals.have_stats = true;
		return 0;
	}
	if (ev->type == DS_EV_META_SOURCE && ev->size >= sizeof(struct ds_meta_source)) {
		const struct ds_meta_source *ms = (const void *)ev;

		snprintf(m->totals.unavailable, sizeof(m->totals.unavailable), "%.*s",
			 (int)sizeof(ms->names), ms->names);
		return 0;
	}
	if (ev->type == DS_EV_META_SOURCE_STATS || ev->type == DS_EV_PING) {
		ds_ring_stats__consume(&m->totals.ring, ev);
		return 0;
	}
	if (ev->type == DS_EV_FENCE_NAME) {
		m->totals.events++;
		m->totals.by_type[ev->type]++;
		return on_name(m, (const void *)ev);
	}
	if (ev->type < DS_EV_FENCE_INIT || ev->type > DS_EV_FENCE_DESTROY)
		return 0;
	m->totals.events++;
	m->totals.by_type[ev->type]++;
	if (!m->totals.first_ts || ev->ts < m->totals.first_ts)
		m->totals.first_ts = ev->ts;
	if (ev->ts > m->totals.last_ts)
		m->totals.last_ts = ev->ts;
	if (ev->type == DS_EV_FENCE_WAIT_START)
		return on_wait_start(m, e);
	if (ev->type == DS_EV_FENCE_WAIT_END)
		return on_wait_end(m, e);
	tl = get_timeline(m, e->context, ev->ts);
	if (!tl)
		return -ENOMEM;
	tl->last_ts = ev->ts;
	if (e->ops)
		tl->ops = e->ops;
	switch (ev->type) {
	case DS_EV_FENCE_INIT:
		tl->inits++;
		break;
	case DS_EV_FENCE_EMIT:
		tl->emits++;
		break;
	case DS_EV_FENCE_ENABLE_SIGNAL:
		tl->enables++;
		break;
	case DS_EV_FENCE_SIGNALED:
		tl->signals++;
		break;
	case DS_EV_FENCE_DESTROY:
		tl->destroys++;
		break;
	}
	return 0;
}

int ds_fence_model__check_hangs(struct ds_fence_model *m, uint64_t now,
				ds_fence_hang_fn cb, void *ctx)
{
	struct ds_fence_timeline *tl;
	struct ds_fence_wait *w;
	int found = 0;
	size_t i;

	for (i = 0; i < m->pending.cap; i++) {
		if (!m->pending.keys[i])
			continue;
		w = m->pending.vals[i];
		if (w->hang_reported || now < w->start_ts || now - w->start_ts < m->opts.hang_ns)
			continue;
		w->hang_reported = true;
		tl = get_timeline(m, w->context, w->start_ts);
		if (tl)
			tl->hangs++;
		m->totals.hangs++;
		found++;
		if (cb)
			cb(ctx, w, tl, now);
	}
	return found;
}

static int cmp_tl(const void *a, const void *b)
{
	const struct ds_fence_timeline *x = *(const struct ds_fence_timeline *const *)a;
	const struct ds_fence_timeline *y = *(const struct ds_fence_timeline *const *)b;

	if (x->waits != y->waits)
		return x->waits > y->waits ? -1 : 1;
	if (x->signals != y->signals)
		return x->signals > y->signals ? -1 : 1;
	return x->context < y->context ? -1 : x->context > y->context;
}

/* Collect the values of @map into *arr (grown as needed); returns the count. */
static size_t collect(const struct ds_map *map, const void ***arr, size_t *cap)
{
	size_t i, n = 0, need = map->len + 1;
	const void **a = *arr;

	if (*cap < need) {
		a = realloc(a, need * sizeof(*a));
		if (!a)
			return 0;
		*arr = a;
		*cap = need;
	}
	if (map->zero_val)
		a[n++] = map->zero_val;
	for (i = 0; i < map->cap; i++)
		if (map->keys[i])
			a[n++] = map->vals[i];
	return n;
}

size_t ds_fence_model__timelines(struct ds_fence_model *m,
				 const struct ds_fence_timeline *const **out)
{
	size_t n = collect(&m->timelines, (const void ***)&m->tl_sorted, &m->tl_sorted_cap);

	qsort(m->tl_sorted, n, sizeof(*m->tl_sorted), cmp_tl);
	*out = m->tl_sorted;
	return n;
}

size_t ds_fence_model__top(struct ds_fence_model *m, const struct ds_fence_wait *const **out)
{
	unsigned int i;

	for (i = 0; i < m->nr_top; i++)
		m->top_ptrs[i] = &m->top[i];
	*out = m->top_ptrs;
	return m->nr_top;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct ds_fence_wait *x = *(const struct ds_fence_wait *const *)a;
	const struct ds_fence_wait *y = *(const struct ds_fence_wait *const *)b;

	if (x->start_ts != y->start_ts)
		return x->start_ts < y->start_ts ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

size_t ds_fence_model__pending(struct ds_fence_model *m, const struct ds_fence_wait *const **out)
{
	size_t n = collect(&m->pending, (const void ***)&m->pend_sorted, &m->pend_sorted_cap);

	qsort(m->pend_sorted, n, sizeof(*m->pend_sorted), cmp_pending);
	*out = m->pend_sorted;
	return n;
}

const struct ds_fence_timeline *ds_fence_model__timeline(struct ds_fence_model *m,
							 uint64_t context)
{
	return ds_map__get(&m->timelines, context);
}

const struct ds_hist *ds_fence_model__hist(const struct ds_fence_model *m)
{
	return &m->hist;
}

const struct ds_fence_totals *ds_fence_model__totals(const struct ds_fence_model *m)
{
	return &m->totals;
}

const char *ds_fence_timeline__label(const struct ds_fence_timeline *tl, char *buf, size_t len)
{
	if (tl->driver[0] || tl->timeline[0])
		snprintf(buf, len, "%s/%s", tl->driver, tl->timeline);
	else
		snprintf(buf, len, "context %llu", (unsigned long long)tl->context);
	return buf;
}
