// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptingest: ingest of DEPT's dependency events, DS_EV_DEPT_CLASS and
 * DS_EV_DEPT_DEP records, through ds_dept_live__feed() into the graph
 * engine, every new dependency checked for a cycle as it goes in; and,
 * side by side, what deptscope dept does on a kernel without our
 * tracepoints: re-read the whole /proc/dept_deps and diff it against the
 * graph, every poll, for the same graph.
 *
 * The stream is built in memory with a fixed seed before the clock starts;
 * only the feed is timed, class records included (each comes just before
 * the first dependency that names it, as the BPF side sends them).  Every
 * dependency is a new edge.
 *
 * The "dept" shape.  DEPT's graph follows the kernel's lock and wait
 * hierarchy: a wait happens with events of outer classes pending, so
 * edges go from outer to inner classes, and nesting is shallow.  Classes
 * sit on 16 layers (the hidden order; unrelated to the order they are
 * first seen in) and a dependency joins two classes of different layers,
 * outer to inner.  Degrees are skewed: one end in 8 is one of 16 hot
 * classes (rq and pi locks on the innermost layers, pg_locked_map in the
 * middle, ...), the others are drawn with density ~ 1/sqrt(rank).  At a
 * million edges among 100,000 classes the hot ones have 7,000 to 38,000
 * edges each, about 800 classes have more than 100 and the median 14.
 * One dependency in 10,000 goes backward and closes a short cycle: the
 * reverse of an earlier edge between adjacent layers (AB-BA), or the
 * closing edge of a three-class cycle over three adjacent layers.  Names,
 * keys and the wait/event functions look like DEPT's: lockdep-style class
 * names with "#N" for repeated ones, a few "<sched>" classes, keys in
 * vmlinux, module and slab address ranges, and the [W]/[E] functions of
 * each class's kind ("lock"/"unlock", "folio_wait_bit_common"/
 * "folio_unlock", "schedule"/"try_to_wake_up", ...).
 *
 * The "random" shape is bench/graphbench.c's input, deduplicated: uniform
 * endpoints a short random span apart in a hidden order, so paths are
 * long, and one edge in 1000 goes backward.  It is harder for the engine
 * and reported for information only.
 *
 * Checks: the graph ends with every edge and class; the edges the engine
 * said closed a cycle are, one by one, those an independent replay says
 * did: an edge u -> v closes a cycle iff v reaches u once it is in, and
 * such a path lies inside one strongly connected component of the final
 * graph (ds_graph__sccs(), a plain Tarjan), so a search over the edges
 * inside final components, in arrival order, answers exactly.
 *
 * The peer: the final graph written as a /proc/dept_deps dump (and one of
 * the graph 1% of edges earlier) under $TMPDIR, then polls as cmd_dept.c's
 * poll_proc() does them: ds_dept_deps__load() into a fresh graph, every
 * class mapped into the live graph, every edge looked up, new ones added
 * with their cycle check.  The live graph is what deptscope dept holds
 * after its first poll.  The kernel's cost of printing the dump is not
 * included, nor is it for ingest the cost of the records' transport.
 *
 * Prints human lines, then one "deptingest: key=value ..." line and the
 * verdict.  Exit status 0 target met and checks passed, 1 missed or
 * failed, 2 on error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include "bench.h"
#include "deptscope/dept_live.h"
#include "deptscope/event.h"
#include "deptscope/graph.h"

#define NONE		DS_GRAPH_NONE
#define LAYERS		16
#define BACK_EVERY	10000		/* dept shape: one backward edge in this many */
#define RAND_BACK_EVERY	1000		/* random shape, as graphbench */
#define DEFAULT_TARGET	1e6		/* new edges per second */

/* ---- names, kinds, keys ---- */

enum kind { K_LOCK, K_FOLIO, K_WRITEBACK, K_COMPLETION, K_WAITQ, K_RCU, K_SCHED };

/* DEPT's [W], [E] and [S] functions for a class of each kind */
static const struct {
	const char *wait, *event, *ecxt;
} kind_fns[] = {
	[K_LOCK] = { "lock", "unlock", "lock" },
	[K_FOLIO] = { "folio_wait_bit_common", "folio_unlock", "__folio_lock" },
	[K_WRITEBACK] = { "folio_wait_bit_common", "folio_end_writeback",
			  "__folio_start_writeback" },
	[K_COMPLETION] = { "__wait_for_common", "complete", "complete" },
	[K_WAITQ] = { "prepare_to_wait_event", "__wake_up_common", "__wake_up" },
	[K_RCU] = { "__wait_rcu_gp", "wakeme_after_rcu", "rcu_gp_kthread" },
	[K_SCHED] = { "schedule", "try_to_wake_up", "try_to_wake_up" },
};

struct tmpl {
	const char *name;
	enum kind kind;
	int layer;		/* hot classes: their layer; -1: any */
};

/* The first NR_HOT are the hot classes, one each; the others name many classes. */
static const struct tmpl tmpls[] = {
	{ "&rq->__lock", K_LOCK, 15 },
	{ "&p->pi_lock", K_LOCK, 14 },
	{ "pg_locked_map", K_FOLIO, 8 },
	{ "&base->lock", K_LOCK, 15 },
	{ "&zone->lock", K_LOCK, 13 },
	{ "pg_writeback_map", K_WRITEBACK, 9 },
	{ "&mm->mmap_lock", K_LOCK, 4 },
	{ "&sb->s_type->i_mutex_key", K_LOCK, 3 },
	{ "(wq_completion)events", K_COMPLETION, 6 },
	{ "&pool->lock", K_LOCK, 12 },
	{ "fs_reclaim", K_LOCK, 5 },
	{ "rcu_state.exp_wq", K_RCU, 10 },
	{ "&journal->j_state_lock", K_LOCK, 11 },
	{ "jbd2_handle", K_LOCK, 7 },
	{ "&lruvec->lru_lock", K_LOCK, 14 },
	{ "&x->wait", K_SCHED, 9 },
#define NR_HOT	16
	{ "&sb->s_type->i_lock_key", K_LOCK, -1 },
	{ "&ei->i_data_sem", K_LOCK, -1 },
	{ "&mapping->i_mmap_rwsem", K_LOCK, -1 },
	{ "&dev->mutex", K_LOCK, -1 },
	{ "&q->queue_lock", K_LOCK, -1 },
	{ "&ctx->lock", K_LOCK, -1 },
	{ "&tty->termios_rwsem", K_LOCK, -1 },
	{ "&pipe->mutex", K_LOCK, -1 },
	{ "&n->list_lock", K_LOCK, -1 },
	{ "&xa->xa_lock", K_LOCK, -1 },
	{ "&sighand->siglock", K_LOCK, -1 },
	{ "&ni->ni_lock", K_LOCK, -1 },
	{ "&fs_info->reloc_mutex", K_LOCK, -1 },
	{ "&delayed_node->mutex", K_LOCK, -1 },
	{ "&hdev->lock", K_LOCK, -1 },
	{ "&obj->lock", K_LOCK, -1 },
	{ "&wq->mutex", K_LOCK, -1 },
	{ "&type->s_umount_key", K_LOCK, -1 },
	{ "&ctx->completion", K_COMPLETION, -1 },
	{ "(wq_completion)kblockd", K_COMPLETION, -1 },
	{ "&req->done", K_COMPLETION, -1 },
	{ "&wq->wait", K_WAITQ, -1 },
	{ "&pipe->rd_wait", K_WAITQ, -1 },
	{ "&ep->wq", K_WAITQ, -1 },
	{ "&q->mq_freeze_wq", K_WAITQ, -1 },
	{ "&journal->j_wait_done_commit", K_WAITQ, -1 },
	{ "&ssp->srcu_sup->srcu_gp_mutex", K_RCU, -1 },
	{ "&tsk->signal->wait_chldexit", K_SCHED, -1 },
};

#define NR_TMPLS	(sizeof(tmpls) / sizeof(tmpls[0]))

struct gclass {
	uint64_t key;
	uint32_t num;		/* "#N" suffix of a repeated name, 0: none */
	int32_t sub;
	uint16_t tmpl;
	uint8_t layer;
	uint8_t sched;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return bench_rnd(&rng_state);
}

static double rnd_unit(void)
{
	return (rnd() >> 11) * 0x1p-53;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "deptingest: out of memory\n");
		exit(2);
	}
	return p;
}

static void class_name(const struct gclass *c, char *buf, size_t len)
{
	if (c->num)
		snprintf(buf, len, "%s#%u", tmpls[c->tmpl].name, c->num);
	else
		snprintf(buf, len, "%s", tmpls[c->tmpl].name);
}

/*
 * Names, kinds, layers and keys.  Keys are 16-byte-aligned addresses:
 * most static lock_class_keys in vmlinux's .data, some in modules, some
 * registered dynamically from slab memory, each range handed out in order
 * with random gaps so that no two classes share one.
 */
static struct gclass *make_classes(uint32_t n)
{
	static const uint64_t base[3] = {
		0xffffffff83a10000ULL, 0xffffffffc0a04000ULL, 0xffff888104e00000ULL,
	};
	uint32_t *uses = xcalloc(NR_TMPLS, sizeof(*uses)), i;
	struct gclass *cls = xcalloc(n, sizeof(*cls));
	uint64_t next[3] = { base[0], base[1], base[2] }, r;
	unsigned int region;

	for (i = 0; i < n; i++) {
		struct gclass *c = &cls[i];
		const struct tmpl *t;

		r = rnd();
		c->tmpl = i < NR_HOT ? (uint16_t)i :
			  (uint16_t)(NR_HOT + (r % (NR_TMPLS - NR_HOT)));
		t = &tmpls[c->tmpl];
		c->num = uses[c->tmpl]++;
		c->layer = (uint8_t)(t->layer >= 0 ? (uint64_t)t->layer : (r >> 16) % LAYERS);
		c->sched = t->kind == K_SCHED;
		/* a nested acquisition's class: a subclass of its lock's */
		c->sub = t->kind == K_LOCK && (r >> 24) % 32 == 0 ? 1 : 0;
		region = (r >> 32) % 20 < 12 ? 0 : (r >> 32) % 20 < 17 ? 1 : 2;
		next[region] += 16 * (1 + (r >> 40) % 8);
		c->key = next[region];
	}
	free(uses);
	return cls;
}

/* ---- the two shapes ---- */

struct gen {
	uint32_t nr_classes, nr_edges, nr;
	struct gclass *cls;
	uint32_t *from, *to;	/* generator class indices, arrival order */
	uint64_t backward;	/* edges generated against the hidden order */
	/* (from, to) seen: open addressing, bit 63 marks a used slot */
	uint64_t *set;
	uint64_t set_mask;
	/* out-neighbours so far, for the backward edges */
	uint32_t **out, *out_nr, *out_cap;
};

static void gen_init(struct gen *g, uint32_t classes, uint32_t edges, uint64_t seed)
{
	uint64_t slots = 16;

	memset(g, 0, sizeof(*g));
	rng_state = seed;
	g->nr_classes = classes;
	g->nr_edges = edges;
	g->cls = make_classes(classes);
	g->from = xcalloc(edges, sizeof(*g->from));
	g->to = xcalloc(edges, sizeof(*g->to));
	while (slots < 2ULL * edges)
		slots *= 2;
	g->set = xcalloc(slots, sizeof(*g->set));
	g->set_mask = slots - 1;
	g->out = xcalloc(classes, sizeof(*g->out));
	g->out_nr = xcalloc(classes, sizeof(*g->out_nr));
	g->out_cap = xcalloc(classes, sizeof(*g->out_cap));
}

static void gen_free(struct gen *g)
{
	uint32_t i;

	for (i = 0; i < g->nr_classes; i++)
		free(g->out[i]);
	free(g->out);
	free(g->out_nr);
	free(g->out_cap);
	free(g->set);
	free(g->from);
	free(g->to);
	free(g->cls);
}

/* Adds @a -> @b unless it is a self-loop or already there; says whether it did. */
static bool gen_edge(struct gen *g, uint32_t a, uint32_t b)
{
	uint64_t k = (uint64_t)a << 32 | b | 1ULL << 63, i;

	if (a == b)
		return false;
	for (i = (k * 0x9e3779b97f4a7c15ULL) >> 20 & g->set_mask; g->set[i];
	     i = (i + 1) & g->set_mask)
		if (g->set[i] == k)
			return false;
	g->set[i] = k;
	if (g->out_nr[a] == g->out_cap[a]) {
		g->out_cap[a] = g->out_cap[a] ? 2 * g->out_cap[a] : 4;
		g->out[a] = realloc(g->out[a], g->out_cap[a] * sizeof(*g->out[a]));
		if (!g->out[a]) {
			fprintf(stderr, "deptingest: out of memory\n");
			exit(2);
		}
	}
	g->out[a][g->out_nr[a]++] = b;
	g->from[g->nr] = a;
	g->to[g->nr++] = b;
	return true;
}

/* One end of a dept-shaped edge: hot with 1/8, else density ~ 1/sqrt(rank). */
static uint32_t dept_end(const struct gen *g)
{
	double u = rnd_unit();

	if (rnd() % 8 == 0)
		return (uint32_t)(NR_HOT * u * u);
	return NR_HOT + (uint32_t)((g->nr_classes - NR_HOT) * u * u);
}

/* A short cycle closed against the hierarchy, over adjacent layers. */
static void dept_backward(struct gen *g)
{
	uint32_t a, b, c;

	for (;;) {
		uint64_t r = rnd(), e = r % g->nr;

		a = g->from[e];
		b = g->to[e];
		if (g->cls[b].layer != g->cls[a].layer + 1)
			continue;
		if ((r >> 32) & 1) {
			/* a -> b -> c over three layers: c -> a */
			if (!g->out_nr[b])
				continue;
			c = g->out[b][(r >> 40) % g->out_nr[b]];
			if (g->cls[c].layer != g->cls[b].layer + 1 || !gen_edge(g, c, a))
				continue;
		} else if (!gen_edge(g, b, a)) {	/* AB-BA */
			continue;
		}
		g->backward++;
		return;
	}
}

static void gen_dept(struct gen *g)
{
	uint32_t a, b, t;

	while (g->nr < g->nr_edges) {
		if (g->nr % BACK_EVERY == BACK_EVERY / 2) {
			dept_backward(g);
			continue;
		}
		a = dept_end(g);
		b = dept_end(g);
		if (g->cls[a].layer == g->cls[b].layer)
			continue;
		if (g->cls[a].layer > g->cls[b].layer) {
			t = a;
			a = b;
			b = t;
		}
		gen_edge(g, a, b);
	}
}

/* graphbench's make_edges(), every edge new. */
static void gen_random(struct gen *g)
{
	uint32_t n = g->nr_classes, *at = xcalloc(n, sizeof(*at)), i, j, t, span, k;
	uint64_t r;

	for (i = 0; i < n; i++)
		at[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (uint32_t)(rnd() % (i + 1));
		t = at[i];
		at[i] = at[j];
		at[j] = t;
	}
	while (g->nr < g->nr_edges) {
		r = rnd();
		if (r % RAND_BACK_EVERY == 0 && g->nr > 16) {
			if (r & 0x1000) {
				/* reverse a recent edge: always a cycle */
				k = g->nr - 1 - (uint32_t)((r >> 32) % 16);
				g->backward += gen_edge(g, g->to[k], g->from[k]);
			} else {
				j = (uint32_t)((r >> 16) % (n - 16)) + 16;
				span = 1 + (uint32_t)((r >> 40) % 16);
				g->backward += gen_edge(g, at[j], at[j - span]);
			}
			continue;
		}
		j = (uint32_t)((r >> 16) % (n - 1));
		span = 1 + (uint32_t)((r >> 48) % 64);
		if (j + span >= n)
			span = n - 1 - j;
		gen_edge(g, at[j], at[j + span]);
	}
	free(at);
}

/* ---- the record stream ---- */

struct stream {
	char *buf;
	size_t len;
	uint32_t classes;	/* class records */
	uint32_t classes_at_tail;	/* of them, sent before the last 1% of edges */
	uint32_t tail;		/* the first of the last 1% of edges */
};

static void put_class(struct stream *s, const struct gclass *c, uint64_t ts)
{
	struct ds_dept_class_event *e = (void *)(s->buf + s->len);

	memset(e, 0, sizeof(*e));
	e->hdr.type = DS_EV_DEPT_CLASS;
	e->hdr.size = sizeof(*e);
	e->hdr.ts = ts;
	e->key = c->key;
	e->sub_id = c->sub;
	e->flags = c->sched ? DS_DEPT_CLASS_F_SCHED : 0;
	class_name(c, e->name, sizeof(e->name));
	s->len += sizeof(*e);
	s->classes++;
}

static void put_dep(struct stream *s, const struct gclass *f, const struct gclass *t,
		    uint64_t ts, uint32_t cpu)
{
	struct ds_dept_dep_event *e = (void *)(s->buf + s->len);

	memset(e, 0, sizeof(*e));
	e->hdr.type = DS_EV_DEPT_DEP;
	e->hdr.size = sizeof(*e);
	e->hdr.ts = ts;
	e->hdr.cpu = cpu;
	e->hdr.pid = e->hdr.tid = 1000 + cpu;
	e->fkey = f->key;
	e->tkey = t->key;
	e->fsub = f->sub;
	e->tsub = t->sub;
	snprintf(e->ecxt_fn, sizeof(e->ecxt_fn), "%s", kind_fns[tmpls[f->tmpl].kind].ecxt);
	snprintf(e->event_fn, sizeof(e->event_fn), "%s", kind_fns[tmpls[f->tmpl].kind].event);
	snprintf(e->wait_fn, sizeof(e->wait_fn), "%s", kind_fns[tmpls[t->tmpl].kind].wait);
	s->len += sizeof(*e);
}

/* Each class is announced just before the first dependency that names it. */
static void make_stream(const struct gen *g, struct stream *s)
{
	uint8_t *sent = xcalloc(g->nr_classes, 1);
	uint64_t ts = 5000000000ULL;
	uint32_t i, k, c[2];

	memset(s, 0, sizeof(*s));
	s->buf = xcalloc((size_t)g->nr_classes * sizeof(struct ds_dept_class_event) +
			 (size_t)g->nr * sizeof(struct ds_dept_dep_event), 1);
	s->tail = g->nr - g->nr / 100;
	for (i = 0; i < g->nr; i++) {
		if (i == s->tail)
			s->classes_at_tail = s->classes;
		c[0] = g->from[i];
		c[1] = g->to[i];
		for (k = 0; k < 2; k++) {
			if (sent[c[k]])
				continue;
			sent[c[k]] = 1;
			put_class(s, &g->cls[c[k]], ts += 731);
		}
		put_dep(s, &g->cls[g->from[i]], &g->cls[g->to[i]], ts += 1187, i % 2);
	}
	free(sent);
}

/* ---- ingest ---- */

struct seen {
	uint8_t *cycle;		/* per new edge, in arrival order */
	uint32_t nr, cap;
	uint64_t cycles;
};

static int on_edge(void *ctx, uint32_t from, uint32_t to, bool cycle,
		   const struct ds_graph_cycle *path, const struct ds_dept_dep_event *e)
{
	struct seen *s = ctx;

	(void)from, (void)to, (void)path, (void)e;
	if (s->nr < s->cap)
		s->cycle[s->nr] = cycle;
	s->nr++;
	s->cycles += cycle;
	return 0;
}

/* The whole stream through a fresh graph; the feed alone is timed (CPU; *@wall: wall clock). */
static double ingest(const struct stream *s, struct seen *seen, struct ds_graph **gp,
		     struct ds_dept_live **lp, double *wall)
{
	struct ds_dept_live_cbs cbs = { .edge = on_edge, .ctx = seen };
	const struct ds_event_hdr *h;
	const char *p, *end = s->buf + s->len;
	double t0, w0, t;
	int err;

	seen->nr = 0;
	seen->cycles = 0;
	if (ds_graph__new(gp) || ds_dept_live__new(*gp, &cbs, NULL, lp)) {
		fprintf(stderr, "deptingest: out of memory\n");
		exit(2);
	}
	w0 = bench_now_s();
	t0 = bench_cpu_s();
	for (p = s->buf; p < end; p += h->size) {
		h = (const void *)p;
		err = ds_dept_live__feed(*lp, h);
		if (err) {
			fprintf(stderr, "deptingest: feed: %s\n", strerror(-err));
			exit(2);
		}
	}
	t = bench_cpu_s() - t0;
	*wall = bench_now_s() - w0;
	return t;
}

struct key_id {
	uint64_t key;
	uint32_t id;
};

static int cmp_key(const void *a, const void *b)
{
	uint64_t x = ((const struct key_id *)a)->key, y = ((const struct key_id *)b)->key;

	return x < y ? -1 : x > y;
}

static uint32_t id_of(const struct key_id *k, uint32_t nr, uint64_t key)
{
	struct key_id want = { key, 0 }, *hit = bsearch(&want, k, nr, sizeof(*k), cmp_key);

	return hit ? hit->id : NONE;
}

/*
 * The engine's share: the same classes created beforehand in the same
 * order, then the same edges with the same details straight into
 * ds_graph__add_edge(), asking for a cycle's path as ds_dept_live does
 * when there is an edge callback.
 */
static double engine_only(const struct stream *s, uint32_t nr_edges)
{
	const struct ds_dept_dep_event **rec = xcalloc(nr_edges, sizeof(*rec));
	struct key_id *keys = xcalloc(s->classes, sizeof(*keys));
	uint32_t *from = xcalloc(nr_edges, sizeof(*from)), *to = xcalloc(nr_edges, sizeof(*to));
	struct ds_graph_cycle path = { 0 };
	const struct ds_event_hdr *h;
	const char *p, *end = s->buf + s->len;
	uint32_t nr = 0, ne = 0, i;
	struct ds_graph *g;
	double t0, t;
	char key[24];
	bool cyc;
	int err;

	err = ds_graph__new(&g);
	for (p = s->buf; p < end && !err; p += h->size) {
		const struct ds_dept_class_event *c = (const void *)p;

		h = (const void *)p;
		if (h->type == DS_EV_DEPT_DEP && ne < nr_edges) {
			rec[ne++] = (const void *)p;
			continue;
		}
		if (h->type != DS_EV_DEPT_CLASS)
			continue;
		snprintf(key, sizeof(key), "%016" PRIx64, (uint64_t)c->key);
		keys[nr].key = c->key;
		err = ds_graph__class(g, c->name, key, c->sub_id, &keys[nr++].id);
	}
	qsort(keys, nr, sizeof(*keys), cmp_key);
	for (i = 0; i < ne; i++) {
		from[i] = id_of(keys, nr, rec[i]->fkey);
		to[i] = id_of(keys, nr, rec[i]->tkey);
	}
	t0 = bench_cpu_s();
	for (i = 0; i < ne && !err; i++) {
		struct ds_graph_dep dep = { .wait_fn = rec[i]->wait_fn,
					    .event_fn = rec[i]->event_fn, .source = "tracepoint" };

		err = ds_graph__add_edge(g, from[i], to[i], &dep, &cyc, &path);
	}
	t = bench_cpu_s() - t0;
	if (err || ds_graph__nr_edges(g) != nr_edges) {
		fprintf(stderr, "deptingest: engine alone: %s\n",
			err ? strerror(-err) : "edges lost");
		exit(2);
	}
	ds_graph_cycle__free(&path);
	ds_graph__free(g);
	free(rec);
	free(keys);
	free(from);
	free(to);
	return t;
}

static void free_ingest(struct ds_graph *g, struct ds_dept_live *l)
{
	ds_dept_live__free(l);
	ds_graph__free(g);
}

/* ---- the independent cycle check ---- */

struct check {
	uint64_t cycles, mismatches, intra;
	uint32_t biggest;	/* classes in the biggest cyclic component */
	uint32_t components;
	uint32_t done;		/* edges checked before the budget ran out */
};

/*
 * Replays the edges in arrival order over the edges inside final strongly
 * connected components only, asking for each whether its target reaches
 * its source then; compares with what the engine said.
 */
static int check_cycles(const struct gen *gn, const struct ds_dept_live *l,
			const struct ds_graph *g, const struct seen *seen, double budget,
			struct check *ck)
{
	uint32_t n = ds_graph__nr_classes(g), *id = xcalloc(gn->nr_classes, sizeof(*id));
	uint32_t *first, *fill, *adj, *queue, *mark, ep = 0, i, u, v, x, k, head, tail;
	struct ds_graph_sccs s;
	double t0 = bench_now_s();
	int err;

	memset(ck, 0, sizeof(*ck));
	err = ds_graph__sccs(g, &s);
	if (err)
		return err;
	ck->components = s.nr;
	for (i = 0; i < s.nr; i++)
		if (s.first[i + 1] - s.first[i] > ck->biggest)
			ck->biggest = s.first[i + 1] - s.first[i];
	for (i = 0; i < gn->nr_classes; i++)
		id[i] = ds_dept_live__class_of(l, gn->cls[i].key);
	first = xcalloc((size_t)n + 1, sizeof(*first));
	fill = xcalloc(n, sizeof(*fill));
	queue = xcalloc(n, sizeof(*queue));
	mark = xcalloc(n, sizeof(*mark));
	adj = NULL;
	for (i = 0; i < gn->nr; i++) {
		u = id[gn->from[i]];
		v = id[gn->to[i]];
		if (u >= n || v >= n) {
			err = -EPROTO;	/* a class the feed did not create */
			goto out;
		}
		if (s.scc_of[u] != NONE && s.scc_of[u] == s.scc_of[v])
			first[u + 1]++;
	}
	for (x = 0; x < n; x++)
		first[x + 1] += first[x];
	ck->intra = first[n];
	adj = xcalloc(first[n], sizeof(*adj));
	for (i = 0; i < gn->nr; i++) {
		bool cyc;

		u = id[gn->from[i]];
		v = id[gn->to[i]];
		cyc = u == v;
		if (!cyc && s.scc_of[u] != NONE && s.scc_of[u] == s.scc_of[v]) {
			adj[first[u] + fill[u]++] = v;
			/* does v reach u now? */
			ep++;
			head = tail = 0;
			queue[tail++] = v;
			mark[v] = ep;
			while (head < tail && !cyc) {
				x = queue[head++];
				for (k = first[x]; k < first[x] + fill[x]; k++) {
					if (adj[k] == u) {
						cyc = true;
						break;
					}
					if (mark[adj[k]] != ep) {
						mark[adj[k]] = ep;
						queue[tail++] = adj[k];
					}
				}
			}
		}
		ck->cycles += cyc;
		ck->mismatches += i < seen->nr && cyc != !!seen->cycle[i];
		ck->done = i + 1;
		if ((i & 1023) == 1023 && bench_now_s() - t0 > budget)
			break;
	}
out:
	free(id);
	free(first);
	free(fill);
	free(adj);
	free(queue);
	free(mark);
	ds_graph_sccs__free(&s);
	return err;
}

/* ---- the peer: /proc/dept_deps re-read and diff ---- */

/*
 * The graph's first @nr_classes classes and its first @nr_edges edges as
 * DEPT prints them (kernel/dependency/dept_proc.c), "<sched> " included.
 */
static int write_dump(const struct ds_graph *g, const uint8_t *sched, uint32_t nr_classes,
		      uint32_t nr_edges, const char *path, size_t *bytes)
{
	uint32_t c, i, to;
	FILE *f = fopen(path, "w");
	long pos;

	if (!f)
		return -errno;
	fputs("All classes:\n\n", f);
	for (c = 0; c < nr_classes; c++) {
		fprintf(f, "[%s] %s%s\n", ds_graph__class_key(g, c), sched[c] ? "<sched> " : "",
			ds_graph__class_name(g, c));
		for (i = 0; i < ds_graph__out_nr(g, c); i++) {
			to = ds_graph__out_to(g, c, i);
			/* out-edges are in creation order: the rest are newer */
			if (ds_graph__edge_find(g, c, to) >= nr_edges)
				break;
			fprintf(f, " -> [%s] %s%s\n", ds_graph__class_key(g, to),
				sched[to] ? "<sched> " : "", ds_graph__class_name(g, to));
		}
		fputc('\n', f);
	}
	pos = ftell(f);
	if (fclose(f) || pos < 0)
		return -EIO;
	*bytes = (size_t)pos;
	return 0;
}

struct poll_res {
	uint32_t new_classes, new_edges;
	uint64_t cycles;
	double secs;
};

/* One poll as tools/cmd_dept.c poll_proc() does it, minus the printing. */
static int poll_dump(struct ds_graph *live, const char *path, struct poll_res *res)
{
	struct ds_graph_cycle cyc = { 0 };
	struct ds_dept_deps_stats st;
	uint32_t c, i, nr, from, to, before, *map = NULL;
	struct ds_graph *fresh;
	double t0 = bench_cpu_s();
	int err;

	memset(res, 0, sizeof(*res));
	err = ds_graph__new(&fresh);
	if (err)
		return err;
	err = ds_dept_deps__load(fresh, path, &st);
	if (err)
		goto out;
	nr = ds_graph__nr_classes(fresh);
	map = calloc(nr ? nr : 1, sizeof(*map));
	if (!map) {
		err = -ENOMEM;
		goto out;
	}
	for (c = 0; c < nr; c++) {
		before = ds_graph__nr_classes(live);
		err = ds_graph__class(live, ds_graph__class_name(fresh, c),
				      ds_graph__class_key(fresh, c), ds_graph__class_sub(fresh, c),
				      &map[c]);
		if (err)
			goto out;
		res->new_classes += ds_graph__nr_classes(live) > before;
	}
	for (c = 0; c < nr; c++) {
		from = map[c];
		for (i = 0; i < ds_graph__out_nr(fresh, c); i++) {
			struct ds_graph_dep dep = { .source = "proc" };
			bool cycle = false;

			to = map[ds_graph__out_to(fresh, c, i)];
			if (ds_graph__edge_find(live, from, to) != NONE)
				continue;
			err = ds_graph__add_edge(live, from, to, &dep, &cycle, &cyc);
			if (err)
				goto out;
			res->new_edges++;
			res->cycles += cycle;
		}
	}
out:
	free(map);
	ds_graph_cycle__free(&cyc);
	ds_graph__free(fresh);
	res->secs = bench_cpu_s() - t0;
	return err;
}

/* The dumps being written or read, removed on a fatal signal too: they are tens of MiB. */
static char dump_early[4096], dump_full[4096];

static void on_signal(int sig)
{
	if (dump_early[0])
		unlink(dump_early);
	if (dump_full[0])
		unlink(dump_full);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct peer {
	size_t bytes;
	double first_ms, tail_ms, same_ms;
	uint32_t tail_edges, tail_classes;
	bool ok;
};

/*
 * Dumps of the graph before its last 1% of edges and of all of it; a
 * first poll of the former primes the live graph, a poll of the latter
 * finds the last 1%, then polls that find nothing (median of @rounds).
 */
static int run_peer(const struct ds_graph *g, const struct gen *gn, const struct ds_dept_live *l,
		    const struct stream *s, unsigned int rounds, struct peer *pr)
{
	const char *tmp = getenv("TMPDIR");
	char *early = dump_early, *full = dump_full;
	uint8_t *sched = xcalloc(ds_graph__nr_classes(g), 1);
	double *ms = xcalloc(rounds, sizeof(*ms));
	struct ds_graph *live = NULL;
	struct poll_res res;
	size_t bytes;
	unsigned int r;
	uint32_t i, id;
	int fd, err;

	memset(pr, 0, sizeof(*pr));
	for (i = 0; i < gn->nr_classes; i++) {
		id = ds_dept_live__class_of(l, gn->cls[i].key);
		if (id != NONE)
			sched[id] = gn->cls[i].sched;
	}
	snprintf(early, sizeof(dump_early), "%s/deptingest-early.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	snprintf(full, sizeof(dump_full), "%s/deptingest-full.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(early);
	if (fd < 0) {
		err = -errno;
		early[0] = full[0] = '\0';
		goto out;
	}
	close(fd);
	fd = mkstemp(full);
	if (fd < 0) {
		err = -errno;
		full[0] = '\0';
		goto out;
	}
	close(fd);
	err = write_dump(g, sched, s->classes_at_tail, s->tail, early, &bytes);
	if (!err)
		err = write_dump(g, sched, ds_graph__nr_classes(g), ds_graph__nr_edges(g), full,
				 &pr->bytes);
	if (!err)
		err = ds_graph__new(&live);
	if (!err)
		err = poll_dump(live, early, &res);
	if (err)
		goto out;
	pr->first_ms = res.secs * 1e3;
	err = poll_dump(live, full, &res);
	if (err)
		goto out;
	pr->tail_ms = res.secs * 1e3;
	pr->tail_edges = res.new_edges;
	pr->tail_classes = res.new_classes;
	pr->ok = res.new_edges == ds_graph__nr_edges(g) - s->tail;
	for (r = 0; r < rounds; r++) {
		err = poll_dump(live, full, &res);
		if (err)
			goto out;
		ms[r] = res.secs * 1e3;
		pr->ok = pr->ok && !res.new_edges && !res.new_classes;
	}
	qsort(ms, rounds, sizeof(*ms), cmp_double);
	pr->same_ms = ms[rounds / 2];
	pr->ok = pr->ok && ds_graph__nr_edges(live) == ds_graph__nr_edges(g) &&
		 ds_graph__nr_classes(live) == ds_graph__nr_classes(g);
out:
	if (early[0])
		unlink(early);
	if (full[0])
		unlink(full);
	early[0] = full[0] = '\0';
	ds_graph__free(live);
	free(sched);
	free(ms);
	return err;
}

/* ---- main ---- */

struct result {
	double secs, wall, rate, engine_secs;
	uint64_t cycles, backward;
	struct check ck;
	size_t mem;
	uint32_t classes;
	bool ok;
};

/* Generate, ingest @rounds times (the median counts), check the last. */
static void run_shape(bool dept, uint32_t classes, uint32_t edges, unsigned int rounds,
		      double budget, bool peer, unsigned int poll_rounds, struct result *res,
		      struct peer *pr)
{
	double *secs = xcalloc(rounds, sizeof(*secs)), *wall = xcalloc(rounds, sizeof(*wall));
	struct seen seen = { 0 };
	struct ds_dept_live_stats st;
	struct ds_dept_live *l;
	struct ds_graph *g;
	struct stream s;
	struct gen gn;
	unsigned int r;
	int err;

	memset(res, 0, sizeof(*res));
	gen_init(&gn, classes, edges, dept ? 0xde97c1a55e5ULL : 0x5eed0dec0de5eedULL);
	if (dept)
		gen_dept(&gn);
	else
		gen_random(&gn);
	make_stream(&gn, &s);
	res->backward = gn.backward;
	seen.cap = gn.nr;
	seen.cycle = xcalloc(gn.nr, 1);
	for (r = 0; r < rounds; r++) {
		secs[r] = ingest(&s, &seen, &g, &l, &wall[r]);
		if (r + 1 < rounds)
			free_ingest(g, l);
	}
	qsort(secs, rounds, sizeof(*secs), cmp_double);
	qsort(wall, rounds, sizeof(*wall), cmp_double);
	res->secs = secs[rounds / 2];
	res->wall = wall[rounds / 2];
	res->rate = gn.nr / res->secs;
	res->cycles = seen.cycles;
	if (dept)
		res->engine_secs = engine_only(&s, gn.nr);
	res->mem = ds_graph__mem_bytes(g);
	res->classes = ds_graph__nr_classes(g);
	ds_dept_live__stats(l, &st);
	res->ok = ds_graph__nr_edges(g) == gn.nr && st.edges == gn.nr && seen.nr == gn.nr &&
		  st.classes == s.classes && res->classes == s.classes && !st.unknown_keys &&
		  !st.malformed;
	if (!res->ok)
		fprintf(stderr, "deptingest: graph has %u edges and %u classes, stream %u and %u\n",
			ds_graph__nr_edges(g), res->classes, gn.nr, s.classes);
	err = check_cycles(&gn, l, g, &seen, budget, &res->ck);
	if (err) {
		fprintf(stderr, "deptingest: cycle check: %s\n", strerror(-err));
		exit(2);
	}
	res->ok = res->ok && !res->ck.mismatches && res->ck.cycles == res->cycles &&
		  res->ck.done == gn.nr;
	if (peer) {
		err = run_peer(g, &gn, l, &s, poll_rounds, pr);
		if (err) {
			fprintf(stderr, "deptingest: /proc/dept_deps peer: %s\n", strerror(-err));
			exit(2);
		}
	}
	free_ingest(g, l);
	free(seen.cycle);
	free(s.buf);
	free(secs);
	free(wall);
	gen_free(&gn);
}

static void print_shape(const char *shape, uint32_t edges, const struct result *r)
{
	printf("ingest (%s): %u new edges among %u classes: %.3f s on the CPU (%.3f s wall), "
	       "%.2f M edges/s, %.0f ns/edge; %llu closed a cycle (%llu generated backward), "
	       "engine memory %.1f MiB\n", shape, edges, r->classes, r->secs, r->wall,
	       r->rate / 1e6, r->secs * 1e9 / edges,
	       (unsigned long long)r->cycles, (unsigned long long)r->backward,
	       r->mem / 1048576.0);
	if (r->engine_secs)
		printf("ingest (%s): of which the engine: %.0f ns/edge (ds_graph__add_edge "
		       "alone, same edges and details)\n", shape, r->engine_secs * 1e9 / edges);
	printf("ingest (%s): independent check: %llu cycle-closing edges of %u checked, %llu "
	       "disagreements; %u cyclic components, biggest %u classes: %s\n", shape,
	       (unsigned long long)r->ck.cycles, r->ck.done, (unsigned long long)r->ck.mismatches,
	       r->ck.components, r->ck.biggest, r->ok ? "ok" : "FAILED");
}

/* The one line for scripts: key=value, 0 for what was not run. */
static void print_kv(uint32_t classes, uint32_t edges, unsigned int rounds,
		     const struct result *rd, const struct peer *pr, const struct result *rr,
		     double target, bool ok, bool pass)
{
	printf("deptingest: classes=%u edges=%u rounds=%u", classes, edges, rounds);
	printf(" edges_per_sec=%.0f ns_per_edge=%.1f ingest_s=%.6f ingest_wall_s=%.6f", rd->rate,
	       rd->secs * 1e9 / edges, rd->secs, rd->wall);
	printf(" engine_ns_per_edge=%.1f cycle_edges=%llu check_cycle_edges=%llu engine_mib=%.1f",
	       rd->engine_secs * 1e9 / edges, (unsigned long long)rd->cycles,
	       (unsigned long long)rd->ck.cycles, rd->mem / 1048576.0);
	printf(" poll_ms=%.3f poll_tail_ms=%.3f poll_tail_new_edges=%u poll_equiv_edges=%.0f"
	       " dump_bytes=%zu", pr->same_ms, pr->tail_ms, pr->tail_edges,
	       pr->same_ms / 1e3 * rd->rate, pr->bytes);
	printf(" random_edges_per_sec=%.0f random_ns_per_edge=%.1f random_cycle_edges=%llu"
	       " random_check_cycle_edges=%llu", rr->rate, rr->secs * 1e9 / edges,
	       (unsigned long long)rr->cycles, (unsigned long long)rr->ck.cycles);
	printf(" peak_rss_kib=%ld target_edges_per_sec=%.0f checks=%s pass=%d\n",
	       bench_peak_rss_kib(), target, ok ? "ok" : "failed", pass);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: deptingest [--classes N] [--edges N] [--rounds N] [--shape "
		"dept|random|both]\n                  [--no-poll] [--target EDGES_PER_SEC] "
		"[--check-seconds S]\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "classes", required_argument, NULL, 'c' },
		{ "edges", required_argument, NULL, 'e' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "shape", required_argument, NULL, 's' },
		{ "no-poll", no_argument, NULL, 'n' },
		{ "target", required_argument, NULL, 't' },
		{ "check-seconds", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t classes = 100000, edges = 1000000;
	unsigned int rounds = 3;
	double target = DEFAULT_TARGET, budget = 120, equiv;
	bool do_dept = true, do_random = true, poll = true, pass, ok = true;
	struct result rd = { 0 }, rr = { 0 };
	struct peer pr = { 0 };
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:e:r:s:nt:b:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			classes = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			edges = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			do_dept = !strcmp(optarg, "dept") || !strcmp(optarg, "both");
			do_random = !strcmp(optarg, "random") || !strcmp(optarg, "both");
			if (!do_dept && !do_random) {
				usage(stderr);
				return 2;
			}
			break;
		case 'n':
			poll = false;
			break;
		case 't':
			target = strtod(optarg, &end);
			if (*end || target <= 0) {
				fprintf(stderr, "deptingest: bad target '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b':
			budget = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (classes < 4 * NR_HOT || edges < 1000 || !rounds || rounds > 99) {
		fprintf(stderr, "deptingest: need %u classes, 1000 edges, 1 to 99 rounds\n",
			4 * NR_HOT);
		return 2;
	}
	/* the dept shape joins different layers only; leave room for distinct edges */
	if ((uint64_t)classes * classes / 4 < edges) {
		fprintf(stderr, "deptingest: too many edges for %u classes\n", classes);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (do_dept) {
		run_shape(true, classes, edges, rounds, budget, poll, rounds, &rd, &pr);
		print_shape("dept", edges, &rd);
		ok = ok && rd.ok;
		if (poll) {
			equiv = pr.same_ms / 1e3 * rd.rate;
			printf("poll (dept): /proc/dept_deps re-read and diff of the same graph "
			       "(%.1f MiB dump): %.1f ms (median of %u) = the cost of ingesting "
			       "%.0f edges\n", pr.bytes / 1048576.0, pr.same_ms, rounds, equiv);
			printf("poll (dept): after the last 1%% of edges: %.1f ms, found %u new "
			       "edges and %u new classes; first poll, empty graph: %.1f ms: %s\n",
			       pr.tail_ms, pr.tail_edges, pr.tail_classes, pr.first_ms,
			       pr.ok ? "ok" : "FAILED");
			ok = ok && pr.ok;
		}
	}
	if (do_random) {
		run_shape(false, classes, edges, 1, budget, false, 0, &rr, NULL);
		print_shape("random", edges, &rr);
		ok = ok && rr.ok;
	}
	printf("peak RSS %.0f MiB (the record stream included: %.0f MiB)\n",
	       bench_peak_rss_kib() / 1024.0,
	       ((double)edges * sizeof(struct ds_dept_dep_event) +
		(double)classes * sizeof(struct ds_dept_class_event)) / 1048576.0);
	pass = do_dept && rd.rate >= target;
	print_kv(classes, edges, rounds, &rd, &pr, &rr, target, ok, pass && ok);
	if (do_dept)
		printf("deptingest: %.2f M new edges/s on the dept shape, CPU time, median of %u "
		       "(target >= %.2f M edges/s)%s: %s\n", rd.rate / 1e6, rounds, target / 1e6,
		       ok ? "" : ", checks failed", pass && ok ? "PASS" : "FAIL");
	return pass && ok ? 0 : do_dept ? 1 : !ok;
}
