// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DEPT tracepoint records into the dependency graph; see dept_live.h.
 * Classes are looked up by key in one hash map, so a dependency costs two
 * lookups and the engine's edge insertion with its cycle check.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept.h"
#include "deptscope/dept_live.h"
#include "deptscope/event.h"
#include "deptscope/graph.h"
#include "deptscope/symbolize.h"
#include "internal.h"

/*
 * DEPT key -> class id, open addressing with the id beside its key: the
 * two lookups of every dependency are the hottest thing here after the
 * engine, and each costs one cache miss this way, not two.
 */
struct key_slot {
	uint64_t key;		/* 0: empty (DEPT keys are addresses) */
	uint32_t id;
};

struct key_tab {
	struct key_slot *slots;
	size_t mask, len;
	uint32_t zero_id;	/* the id of key 0, DS_GRAPH_NONE if none */
};

static size_t key_home(const struct key_tab *t, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & t->mask;
}

static uint32_t key_get(const struct key_tab *t, uint64_t key)
{
	size_t i;

	if (!key)
		return t->zero_id;
	for (i = key_home(t, key); t->slots[i].key; i = (i + 1) & t->mask)
		if (t->slots[i].key == key)
			return t->slots[i].id;
	return DS_GRAPH_NONE;
}

static void key_put(struct key_tab *t, uint64_t key, uint32_t id)
{
	size_t i;

	for (i = key_home(t, key); t->slots[i].key; i = (i + 1) & t->mask)
		;
	t->slots[i].key = key;
	t->slots[i].id = id;
	t->len++;
}

/* A new key (not in the table yet) -> @id; the table stays under half full. */
static int key_add(struct key_tab *t, uint64_t key, uint32_t id)
{
	struct key_tab n = { .zero_id = t->zero_id };
	size_t i;

	if (!key) {
		t->zero_id = id;
		return 0;
	}
	if ((t->len + 1) * 2 > t->mask + 1) {
		n.mask = t->mask * 2 + 1;
		n.slots = calloc(n.mask + 1, sizeof(*n.slots));
		if (!n.slots)
			return -ENOMEM;
		for (i = 0; i <= t->mask; i++)
			if (t->slots[i].key)
				key_put(&n, t->slots[i].key, t->slots[i].id);
		free(t->slots);
		*t = n;
	}
	key_put(t, key, id);
	return 0;
}

struct ds_dept_live {
	struct ds_graph *g;
	struct ds_dept_live_cbs cbs;
	struct ds_symbolizer *sym;
	struct key_tab cls;		/* DEPT key -> graph class id */
	struct ds_graph_cycle path;
	struct ds_dept_live_stats st;
	/* the circle being assembled */
	struct ds_dept_report *r;
	struct ds_dept_circle_info info;
	uint32_t nr, got;
	uint32_t from[DS_DEPT_MAX_CONTEXTS], to[DS_DEPT_MAX_CONTEXTS];
	uint64_t last_ts;		/* the newest DEPT record's time */
	uint32_t max_classes;		/* 0: no cap */
};

unsigned int ds_dept_stack_event__nr(const struct ds_dept_stack_event *e)
{
	unsigned int room;

	if (e->hdr.size <= DS_DEPT_STACK_BASE_SIZE)
		return 0;
	room = (e->hdr.size - DS_DEPT_STACK_BASE_SIZE) / sizeof(__u64);
	return e->nr < room ? e->nr : room;
}

const char *ds_dept_health_what_name(int what)
{
	switch (what) {
	case DS_DEPT_POOL_EMPTY:
		return "pool_empty";
	case DS_DEPT_POOL_REFILLED:
		return "pool_refilled";
	case DS_DEPT_STOP:
		return "stop";
	}
	return "unknown";
}

int ds_dept_live__new(struct ds_graph *g, const struct ds_dept_live_cbs *cbs,
		      struct ds_symbolizer *sym, struct ds_dept_live **out)
{
	struct ds_dept_live *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return -ENOMEM;
	l->cls.zero_id = DS_GRAPH_NONE;
	l->cls.mask = 1023;
	l->cls.slots = calloc(l->cls.mask + 1, sizeof(*l->cls.slots));
	if (!l->cls.slots) {
		free(l);
		return -ENOMEM;
	}
	l->g = g;
	if (cbs)
		l->cbs = *cbs;
	l->sym = sym;
	*out = l;
	return 0;
}

void ds_dept_live__free(struct ds_dept_live *l)
{
	if (!l)
		return;
	ds_dept_report__free(l->r);
	ds_graph_cycle__free(&l->path);
	free(l->cls.slots);
	free(l);
}

void ds_dept_live__stats(const struct ds_dept_live *l, struct ds_dept_live_stats *st)
{
	*st = l->st;
}

uint32_t ds_dept_live__class_of(const struct ds_dept_live *l, uint64_t key)
{
	return key_get(&l->cls, key);
}

/* A fixed-size field from the kernel is not trusted to be terminated. */
static void field(char *out, size_t len, const char *in, size_t in_len)
{
	size_t n = strnlen(in, in_len);

	if (n >= len)
		n = len - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/* The same without a copy when @in is terminated (the BPF side always does that). */
static const char *field_str(char *buf, size_t len, const char *in, size_t in_len)
{
	if (memchr(in, '\0', in_len))
		return in;
	field(buf, len, in, in_len);
	return buf;
}

static uint32_t remap_id(const uint32_t *remap, uint32_t id)
{
	return id == DS_GRAPH_NONE ? id : remap[id];
}

/*
 * Before @need more classes would pass the cap, the oldest half go: a
 * long run on a DEPT kernel keeps making classes (every new lock or wait
 * object), and a monitor must not grow without end.  The key table and a
 * circle being assembled follow the new ids; keys of forgotten classes
 * are forgotten with them, so a dependency naming one again makes it anew.
 */
static int make_room(struct ds_dept_live *l, uint32_t need)
{
	uint32_t nr = ds_graph__nr_classes(l->g), keep, *remap, i;
	struct key_tab n = { 0 };
	int err;

	if (!l->max_classes || nr + need <= l->max_classes)
		return 0;
	keep = l->max_classes / 2;
	remap = malloc((size_t)nr * sizeof(*remap));
	n.mask = l->cls.mask;
	n.slots = calloc(n.mask + 1, sizeof(*n.slots));
	if (!remap || !n.slots) {
		err = -ENOMEM;
		goto out;
	}
	err = ds_graph__keep_newest(l->g, keep, remap);
	if (err)
		goto out;
	for (i = 0; l->cls.slots && i <= l->cls.mask; i++)
		if (l->cls.slots[i].key && remap[l->cls.slots[i].id] != DS_GRAPH_NONE)
			key_put(&n, l->cls.slots[i].key, remap[l->cls.slots[i].id]);
	n.zero_id = remap_id(remap, l->cls.zero_id);
	free(l->cls.slots);
	l->cls = n;
	n.slots = NULL;
	for (i = 0; i < DS_DEPT_MAX_CONTEXTS; i++) {
		l->from[i] = remap_id(remap, l->from[i]);
		l->to[i] = remap_id(remap, l->to[i]);
	}
	l->st.evictions++;
	l->st.classes_evicted += nr - keep;
out:
	free(n.slots);
	free(remap);
	return err;
}

void ds_dept_live__set_max_classes(struct ds_dept_live *l, uint32_t max)
{
	l->max_classes = max && max < 2 ? 2 : max;
}

/* The class of @key, created (as @name, or named by its key) when new. */
static int class_of(struct ds_dept_live *l, uint64_t key, const char *name, int sub,
		    uint32_t *id)
{
	char keys[24], fallback[40];
	uint32_t before;
	int err;

	*id = key_get(&l->cls, key);
	if (*id != DS_GRAPH_NONE)
		return 0;
	snprintf(keys, sizeof(keys), "%016" PRIx64, key);
	if (!name) {
		l->st.unknown_keys++;
		snprintf(fallback, sizeof(fallback), "(class %s)", keys);
		name = fallback;
	}
	before = ds_graph__nr_classes(l->g);
	err = ds_graph__class(l->g, name, keys, sub, id);
	if (err)
		return err;
	err = key_add(&l->cls, key, *id);
	if (err)
		return err;
	if (ds_graph__nr_classes(l->g) == before)
		return 0;
	l->st.classes++;
	return l->cbs.class ? l->cbs.class(l->cbs.ctx, *id, key) : 0;
}

static int on_class(struct ds_dept_live *l, const struct ds_dept_class_event *e)
{
	char name[DS_DEPT_EV_NAME_LEN];
	uint32_t id;

	field(name, sizeof(name), e->name, sizeof(e->name));
	/* as DEPT's reports and dependency events name it */
	if (e->flags & DS_DEPT_CLASS_F_SCHED)
		snprintf(name, sizeof(name), "<sched>");
	else if (!name[0])
		snprintf(name, sizeof(name), "(unknown)");
	return make_room(l, 1) ?: class_of(l, e->key, name, e->sub_id, &id);
}

static int add_dep(struct ds_dept_live *l, const struct ds_dept_dep_event *e,
		   uint32_t *from, uint32_t *to)
{
	char wait_fn[DS_DEPT_FN_LEN + 1], event_fn[DS_DEPT_FN_LEN + 1];
	struct ds_graph_dep dep = { .source = "tracepoint" };
	bool cycle = false;
	uint32_t before;
	int err;

	/* room first: ids resolved below must not change under us */
	err = make_room(l, 2);
	if (!err)
		err = class_of(l, e->fkey, NULL, e->fsub, from);
	if (!err)
		err = class_of(l, e->tkey, NULL, e->tsub, to);
	if (err)
		return err;
	dep.wait_fn = field_str(wait_fn, sizeof(wait_fn), e->wait_fn, sizeof(e->wait_fn));
	dep.event_fn = field_str(event_fn, sizeof(event_fn), e->event_fn, sizeof(e->event_fn));
	before = ds_graph__nr_edges(l->g);
	err = ds_graph__add_edge(l->g, *from, *to, &dep, &cycle,
				 l->cbs.edge ? &l->path : NULL);
	if (err || ds_graph__nr_edges(l->g) == before)
		return err;
	l->st.edges++;
	l->st.cycle_edges += cycle;
	return l->cbs.edge ? l->cbs.edge(l->cbs.ctx, *from, *to, cycle, &l->path, e) : 0;
}

static enum ds_verdict verdict_of(int v)
{
	switch (v) {
	case DS_DEPT_AA_DEADLOCK:
		return DS_V_AA;
	case DS_DEPT_CIRCULAR_TIMEOUT:
		return DS_V_TIMEOUT;
	default:
		return DS_V_DEADLOCK;
	}
}

/* Sign the assembled circle and hand it over. */
static int complete(struct ds_dept_live *l)
{
	struct ds_dept_report *r = l->r;
	bool agree;
	uint32_t i;
	int err = 0;

	if (!r)
		return 0;
	l->r = NULL;
	r->complete = l->got >= l->nr;
	if (!r->complete)
		snprintf(r->problem, sizeof(r->problem), "%u of %u contexts were received",
			 l->got, l->nr);
	/* the engine's view: each context an edge on one cycle of the graph */
	agree = r->nr_contexts > 0;
	for (i = 0; i < r->nr_contexts && agree; i++)
		agree = l->from[i] != DS_GRAPH_NONE &&
			ds_graph__edge_find(l->g, l->from[i], l->to[i]) != DS_GRAPH_NONE &&
			ds_graph__same_scc(l->g, l->from[i], l->to[i]);
	ds_dept_report__sign(r);
	l->info.engine_agrees = agree;
	l->info.missing = l->nr > l->got ? l->nr - l->got : 0;
	memcpy(l->info.cls, l->from, sizeof(l->info.cls));
	l->st.circles++;
	if (l->cbs.circle)
		err = l->cbs.circle(l->cbs.ctx, r, &l->info);
	ds_dept_report__free(r);
	return err;
}

int ds_dept_live__flush(struct ds_dept_live *l)
{
	return complete(l);
}

int ds_dept_live__flush_idle(struct ds_dept_live *l, uint64_t now, uint64_t idle_ns)
{
	if (!l->r || now < l->last_ts + idle_ns)
		return 0;
	return complete(l);
}

static int on_circle(struct ds_dept_live *l, const struct ds_dept_circle_event *e)
{
	struct ds_dept_report *r;
	uint32_t i;
	int err;

	err = complete(l);
	if (err)
		return err;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->kind = DS_RK_DEPT;
	r->verdict = verdict_of(e->verdict);
	snprintf(r->header, sizeof(r->header), "DEPT");
	r->parsed = true;
	l->r = r;
	l->nr = e->nr;
	l->got = 0;
	for (i = 0; i < DS_DEPT_MAX_CONTEXTS; i++)
		l->from[i] = l->to[i] = DS_GRAPH_NONE;
	memset(&l->info, 0, sizeof(l->info));
	l->info.circle = e->circle;
	l->info.ts = e->hdr.ts;
	l->info.cpu = e->hdr.cpu;
	return 0;
}

static void point(struct ds_dept_point *pt, const char *fn, size_t fn_len,
		  const struct ds_graph *g, uint32_t cls, int sub)
{
	field(pt->fn, sizeof(pt->fn), fn, fn_len);
	snprintf(pt->cls, sizeof(pt->cls), "%s", ds_graph__class_name(g, cls));
	pt->sub = sub;
}

static int on_circle_dep(struct ds_dept_live *l, const struct ds_dept_dep_event *e)
{
	struct ds_dept_context *c;
	uint32_t from, to;
	int err;

	err = add_dep(l, e, &from, &to);
	if (err || !l->r || e->circle != l->info.circle || e->idx >= DS_DEPT_MAX_CONTEXTS)
		return err;
	c = &l->r->ctx[e->idx];
	c->id = (char)('A' + e->idx);
	/* print_circle(): [S] and [E] name the event class, [W] the wait class */
	point(&c->start, e->ecxt_fn, sizeof(e->ecxt_fn), l->g, from, e->fsub);
	point(&c->wait, e->wait_fn, sizeof(e->wait_fn), l->g, to, e->tsub);
	point(&c->event, e->event_fn, sizeof(e->event_fn), l->g, from, e->fsub);
	c->timeout = e->flags & DS_DEPT_F_TIMEOUT;
	c->irq = e->flags & DS_DEPT_F_HIRQ ? DS_IRQ_HARDIRQ :
		 e->flags & DS_DEPT_F_SIRQ ? DS_IRQ_SOFTIRQ : DS_IRQ_NONE;
	if (l->from[e->idx] == DS_GRAPH_NONE)
		l->got++;
	l->from[e->idx] = from;
	l->to[e->idx] = to;
	if (e->idx + 1 > l->r->nr_contexts)
		l->r->nr_contexts = e->idx + 1;
	return 0;
}

static int on_stack(struct ds_dept_live *l, const struct ds_dept_stack_event *e)
{
	struct ds_dept_report *r = l->r;
	unsigned int nr = ds_dept_stack_event__nr(e), i;
	uint32_t first, *pfirst, *pnr;
	struct ds_dept_context *c;
	char buf[160];
	int err;

	if (!r || e->circle != l->info.circle || e->idx >= DS_DEPT_MAX_CONTEXTS)
		return 0;
	c = &r->ctx[e->idx];
	switch (e->point) {
	case DS_DEPT_POINT_S:
		pfirst = &c->start.stack_first;
		pnr = &c->start.stack_nr;
		break;
	case DS_DEPT_POINT_W:
		pfirst = &c->wait.stack_first;
		pnr = &c->wait.stack_nr;
		break;
	case DS_DEPT_POINT_E:
		pfirst = &c->event.stack_first;
		pnr = &c->event.stack_nr;
		break;
	case DS_DEPT_POINT_WAKE:
		pfirst = &c->wake_first;
		pnr = &c->wake_nr;
		break;
	default:
		return 0;
	}
	first = r->nr_frames;
	for (i = 0; i < nr; i++) {
		struct ds_frame f = {};
		const char *name = NULL;

		if (l->sym && !ds_symbolizer__resolve(l->sym, e->entries[i], &f) && f.func)
			name = f.func;
		if (!name) {
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)e->entries[i]);
			name = buf;
		}
		err = ds_dept_report__add_frame(r, name);
		if (err == -E2BIG)
			break;
		if (err)
			return err;
	}
	*pfirst = first;
	*pnr = r->nr_frames - first;
	return 0;
}

int ds_dept_live__feed(void *ctx, const struct ds_event_hdr *h)
{
	struct ds_dept_live *l = ctx;
	int err;

	if (h->type < DS_EV_DEPT_CLASS || h->type > DS_EV_DEPT_HEALTH)
		return 0;
	if (ds_event__check(h, h->size) != h->size) {
		l->st.malformed++;
		return 0;
	}
	l->st.records++;
	if (h->ts > l->last_ts)
		l->last_ts = h->ts;
	/* the circle's CPU moved on: it has all DEPT emitted for it */
	if (l->r && l->got >= l->nr && h->cpu == l->info.cpu &&
	    h->type != DS_EV_DEPT_STACK && h->type != DS_EV_DEPT_CIRCLE_DEP) {
		err = complete(l);
		if (err)
			return err;
	}
	switch (h->type) {
	case DS_EV_DEPT_CLASS:
		return on_class(l, (const void *)h);
	case DS_EV_DEPT_DEP: {
		uint32_t from, to;

		return add_dep(l, (const void *)h, &from, &to);
	}
	case DS_EV_DEPT_CIRCLE:
		return on_circle(l, (const void *)h);
	case DS_EV_DEPT_CIRCLE_DEP:
		return on_circle_dep(l, (const void *)h);
	case DS_EV_DEPT_STACK:
		return on_stack(l, (const void *)h);
	case DS_EV_DEPT_HEALTH:
		return l->cbs.health ? l->cbs.health(l->cbs.ctx, (const void *)h) : 0;
	}
	return 0;
}
