// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DEPT tracepoint records into the graph (dept_live.c): classes by key,
 * edges with their cycle check, circles rebuilt as the report triage
 * parses from DEPT's printout of the same circle.
 */
#include <stdlib.h>
#include "deptscope/dept.h"
#include "deptscope/dept_live.h"
#include "deptscope/graph.h"
#include "test.h"

#define KEY_A	0xffffffff83a01230ULL
#define KEY_PG	0xffffffff83b04560ULL

/* What DEPT v18 prints for the circle the records below describe (ours). */
static const char *const abba_report[] = {
	"===================================================",
	"DEPT: Circular dependency has been detected.",
	"7.3.0 #1 Not tainted",
	"---------------------------------------------------",
	"summary",
	"---------------------------------------------------",
	"*** DEADLOCK ***",
	"",
	"context A",
	"   [S] lock(&a->lock:0)",
	"   [W] folio_wait_bit_common(pg_locked_map:0)",
	"   [E] unlock(&a->lock:0)",
	"",
	"context B",
	"   [S] (unknown)(pg_locked_map:0)",
	"   [W] lock(&a->lock:0)",
	"   [E] folio_unlock(pg_locked_map:0)",
	"",
	"[S]: start of the event context",
	"[W]: the wait blocked",
	"[E]: the event not reachable",
	"---------------------------------------------------",
	"information that might be helpful",
	"---------------------------------------------------",
	"CPU: 0 PID: 1 Comm: init Not tainted 7.3.0 #1",
	"Call Trace:",
	" <TASK>",
	" dump_stack_lvl+0x10/0x20",
	" </TASK>",
};

struct seen {
	unsigned int edges, cycles, circles, health;
	char signature[DS_DEPT_SIG_LEN], bucket[DS_DEPT_BUCKET_LEN];
	struct ds_dept_report *r;
	struct ds_dept_circle_info info;
};

static int on_edge(void *ctx, uint32_t from, uint32_t to, bool cycle,
		   const struct ds_graph_cycle *path, const struct ds_dept_dep_event *e)
{
	struct seen *s = ctx;

	s->edges++;
	if (cycle) {
		s->cycles++;
		CHECK(path->nr == 2);
		CHECK(path->ids[0] == from && path->ids[1] == to);
	}
	return 0;
}

static int on_circle(void *ctx, struct ds_dept_report *r, const struct ds_dept_circle_info *info)
{
	struct seen *s = ctx;

	s->circles++;
	ds_dept_report__free(s->r);
	s->r = ds_dept_report__dup(r);
	s->info = *info;
	return 0;
}

static int on_health(void *ctx, const struct ds_dept_health_event *h)
{
	struct seen *s = ctx;

	s->health++;
	return 0;
}

static int keep_sig(void *ctx, struct ds_dept_report *r)
{
	struct seen *s = ctx;

	snprintf(s->signature, sizeof(s->signature), "%s", r->signature);
	snprintf(s->bucket, sizeof(s->bucket), "%s", r->bucket);
	return 0;
}

static void hdr(struct ds_event_hdr *h, uint16_t type, uint16_t size, uint32_t cpu)
{
	static uint64_t ts = 1000;

	h->ts = ts++;
	h->type = type;
	h->size = size;
	h->cpu = cpu;
}

static void class_rec(struct ds_dept_live *l, uint64_t key, const char *name)
{
	struct ds_dept_class_event e = {};

	hdr(&e.hdr, DS_EV_DEPT_CLASS, sizeof(e), 0);
	e.key = key;
	snprintf(e.name, sizeof(e.name), "%s", name);
	CHECK(!ds_dept_live__feed(l, &e.hdr));
}

static void dep_rec(struct ds_dept_live *l, uint16_t type, uint32_t circle, uint32_t idx,
		    uint64_t fkey, uint64_t tkey, const char *ecxt, const char *ev,
		    const char *wait, uint32_t cpu)
{
	struct ds_dept_dep_event e = {};

	hdr(&e.hdr, type, sizeof(e), cpu);
	e.circle = circle;
	e.idx = idx;
	e.fkey = fkey;
	e.tkey = tkey;
	snprintf(e.ecxt_fn, sizeof(e.ecxt_fn), "%s", ecxt);
	snprintf(e.event_fn, sizeof(e.event_fn), "%s", ev);
	snprintf(e.wait_fn, sizeof(e.wait_fn), "%s", wait);
	CHECK(!ds_dept_live__feed(l, &e.hdr));
}

static void circle_rec(struct ds_dept_live *l, uint32_t circle, uint32_t nr, uint32_t cpu)
{
	struct ds_dept_circle_event e = {};

	hdr(&e.hdr, DS_EV_DEPT_CIRCLE, sizeof(e), cpu);
	e.circle = circle;
	e.nr = nr;
	e.verdict = DS_DEPT_DEADLOCK;
	CHECK(!ds_dept_live__feed(l, &e.hdr));
}

static void stack_rec(struct ds_dept_live *l, uint32_t circle, uint32_t idx, int point,
		      unsigned int nr, uint32_t cpu)
{
	struct ds_dept_stack_event e = {};
	unsigned int i;

	hdr(&e.hdr, DS_EV_DEPT_STACK, DS_DEPT_STACK_BASE_SIZE + nr * 8, cpu);
	e.circle = circle;
	e.idx = idx;
	e.point = point;
	e.nr = nr;
	for (i = 0; i < nr; i++)
		e.entries[i] = 0xffffffff81000000ULL + i;
	CHECK(!ds_dept_live__feed(l, &e.hdr));
}

/* The ABBA circle as DEPT emits it: the closing edge, then the circle. */
static void abba(struct ds_dept_live *l, uint32_t circle, uint32_t cpu)
{
	dep_rec(l, DS_EV_DEPT_DEP, 0, 0, KEY_PG, KEY_A, "(unknown)", "folio_unlock", "lock",
		cpu);
	dep_rec(l, DS_EV_DEPT_DEP, 0, 0, KEY_A, KEY_PG, "lock", "unlock",
		"folio_wait_bit_common", cpu);
	circle_rec(l, circle, 2, cpu);
	dep_rec(l, DS_EV_DEPT_CIRCLE_DEP, circle, 0, KEY_A, KEY_PG, "lock", "unlock",
		"folio_wait_bit_common", cpu);
	stack_rec(l, circle, 0, DS_DEPT_POINT_S, 3, cpu);
	stack_rec(l, circle, 0, DS_DEPT_POINT_W, 5, cpu);
	dep_rec(l, DS_EV_DEPT_CIRCLE_DEP, circle, 1, KEY_PG, KEY_A, "(unknown)", "folio_unlock",
		"lock", cpu);
	stack_rec(l, circle, 1, DS_DEPT_POINT_E, 2, cpu);
}

static void printed_signature(struct seen *s)
{
	struct ds_dept_parser *p;
	size_t i;

	CHECK(!ds_dept_parser__new(keep_sig, NULL, s, &p));
	for (i = 0; i < sizeof(abba_report) / sizeof(abba_report[0]); i++)
		CHECK(!ds_dept_parser__feed(p, abba_report[i], strlen(abba_report[i])));
	CHECK(!ds_dept_parser__finish(p));
	ds_dept_parser__free(p);
	CHECK(s->signature[0]);
}

TEST(dept_live_circle_matches_printed_report)
{
	struct seen s = {};
	struct ds_dept_live_cbs cbs = { .edge = on_edge, .circle = on_circle, .ctx = &s };
	struct ds_dept_live_stats st;
	struct ds_dept_live *l;
	struct ds_graph *g;

	printed_signature(&s);
	CHECK(!ds_graph__new(&g));
	CHECK(!ds_dept_live__new(g, &cbs, NULL, &l));
	class_rec(l, KEY_A, "&a->lock");
	class_rec(l, KEY_PG, "pg_locked_map");
	abba(l, 1, 0);
	CHECK(s.circles == 0);	/* the last context's stacks may still come */
	CHECK(!ds_dept_live__flush(l));
	CHECK(s.circles == 1);
	CHECK_EQ_U64(s.edges, 2);
	CHECK_EQ_U64(s.cycles, 1);
	CHECK_EQ_U64(ds_graph__nr_classes(g), 2);
	CHECK_EQ_U64(ds_graph__nr_edges(g), 2);
	if (s.r) {
		CHECK_EQ_STR(s.r->signature, s.signature);
		CHECK_EQ_STR(s.r->bucket, s.bucket);
		CHECK(s.r->complete);
		CHECK(s.r->verdict == DS_V_DEADLOCK);
		CHECK_EQ_U64(s.r->nr_contexts, 2);
		CHECK_EQ_STR(s.r->ctx[0].wait.fn, "folio_wait_bit_common");
		CHECK_EQ_STR(s.r->ctx[0].wait.cls, "pg_locked_map");
		CHECK_EQ_STR(s.r->ctx[1].event.fn, "folio_unlock");
		CHECK_EQ_U64(s.r->ctx[0].start.stack_nr, 3);
		CHECK_EQ_U64(s.r->ctx[0].wait.stack_nr, 5);
		CHECK_EQ_U64(s.r->ctx[1].event.stack_nr, 2);
		CHECK_EQ_STR(ds_dept_report__frame(s.r, s.r->ctx[0].wait.stack_first + 1),
			     "0xffffffff81000001");
	}
	CHECK(s.info.engine_agrees);
	CHECK_EQ_U64(s.info.circle, 1);
	ds_dept_live__stats(l, &st);
	CHECK_EQ_U64(st.circles, 1);
	CHECK_EQ_U64(st.unknown_keys, 0);
	ds_dept_report__free(s.r);
	ds_dept_live__free(l);
	ds_graph__free(g);
}

/* Another CPU's records do not end a circle; the circle's own CPU does. */
TEST(dept_live_circle_ends_on_its_cpu)
{
	struct seen s = {};
	struct ds_dept_live_cbs cbs = { .circle = on_circle, .ctx = &s };
	struct ds_dept_live *l;
	struct ds_graph *g;

	CHECK(!ds_graph__new(&g));
	CHECK(!ds_dept_live__new(g, &cbs, NULL, &l));
	class_rec(l, KEY_A, "&a->lock");
	class_rec(l, KEY_PG, "pg_locked_map");
	abba(l, 7, 1);
	/* records kept coming within the idle time: not yet */
	CHECK(!ds_dept_live__flush_idle(l, 1010, 100));
	CHECK(s.circles == 0);
	class_rec(l, 0x1234, "&other");		/* CPU 0 */
	CHECK(s.circles == 0);
	stack_rec(l, 7, 1, DS_DEPT_POINT_WAKE, 4, 1);	/* still this circle's */
	CHECK(s.circles == 0);
	class_rec(l, 0x5678, "&more");		/* CPU 0 again */
	dep_rec(l, DS_EV_DEPT_DEP, 0, 0, 0x1234, 0x5678, "lock", "unlock", "lock", 1);
	CHECK(s.circles == 1);
	if (s.r)
		CHECK_EQ_U64(s.r->ctx[1].wake_nr, 4);
	ds_dept_report__free(s.r);
	ds_dept_live__free(l);
	ds_graph__free(g);
}

/* Lost records: contexts missing, classes never announced, short records. */
TEST(dept_live_lost_records)
{
	struct seen s = {};
	struct ds_dept_live_cbs cbs = { .circle = on_circle, .health = on_health, .ctx = &s };
	struct ds_dept_health_event h = {};
	struct ds_dept_dep_event shortrec = {};
	struct ds_dept_live_stats st;
	struct ds_dept_live *l;
	struct ds_graph *g;
	uint32_t id;

	CHECK(!ds_graph__new(&g));
	CHECK(!ds_dept_live__new(g, &cbs, NULL, &l));
	/* a scheduler wait's class is "<sched>", as reports print it */
	{
		struct ds_dept_class_event c = {};

		hdr(&c.hdr, DS_EV_DEPT_CLASS, sizeof(c), 0);
		c.key = 0x4242;
		c.flags = DS_DEPT_CLASS_F_SCHED;
		snprintf(c.name, sizeof(c.name), "%s", "&rcu_state.gp_wq");
		CHECK(!ds_dept_live__feed(l, &c.hdr));
		id = ds_dept_live__class_of(l, 0x4242);
		CHECK(id != DS_GRAPH_NONE);
		if (id != DS_GRAPH_NONE)
			CHECK_EQ_STR(ds_graph__class_name(g, id), "<sched>");
	}
	/* no class records at all */
	dep_rec(l, DS_EV_DEPT_DEP, 0, 0, KEY_A, KEY_PG, "lock", "unlock", "lock", 0);
	id = ds_dept_live__class_of(l, KEY_A);
	CHECK(id != DS_GRAPH_NONE);
	CHECK_EQ_STR(ds_graph__class_name(g, id), "(class ffffffff83a01230)");
	circle_rec(l, 3, 3, 0);
	dep_rec(l, DS_EV_DEPT_CIRCLE_DEP, 3, 0, KEY_A, KEY_PG, "lock", "unlock", "lock", 0);
	dep_rec(l, DS_EV_DEPT_CIRCLE_DEP, 3, 2, KEY_PG, KEY_A, "lock", "unlock", "lock", 0);
	hdr(&shortrec.hdr, DS_EV_DEPT_DEP, 64, 0);
	CHECK(!ds_dept_live__feed(l, &shortrec.hdr));
	hdr(&h.hdr, DS_EV_DEPT_HEALTH, sizeof(h), 0);
	h.what = DS_DEPT_POOL_EMPTY;
	CHECK(!ds_dept_live__feed(l, &h.hdr));
	CHECK(!ds_dept_live__flush_idle(l, 1000000, 100));
	CHECK_EQ_U64(s.circles, 1);
	CHECK_EQ_U64(s.health, 1);
	CHECK_EQ_U64(s.info.missing, 1);
	if (s.r)
		CHECK(!s.r->complete);
	ds_dept_live__stats(l, &st);
	CHECK_EQ_U64(st.unknown_keys, 2);
	CHECK_EQ_U64(st.malformed, 1);
	ds_dept_report__free(s.r);
	ds_dept_live__free(l);
	ds_graph__free(g);
}

/*
 * Garbage in the DEPT records of a recording (dept -i reads files): random
 * contents at every valid size, and short records, must be taken or
 * counted, never crash; run under SAN=1 too.
 */
TEST(dept_live_random_records)
{
	static const uint16_t types[] = {
		DS_EV_DEPT_CLASS, DS_EV_DEPT_DEP, DS_EV_DEPT_CIRCLE, DS_EV_DEPT_CIRCLE_DEP,
		DS_EV_DEPT_STACK, DS_EV_DEPT_HEALTH,
	};
	struct seen s = {};
	struct ds_dept_live_cbs cbs = { .edge = on_edge, .circle = on_circle,
					.health = on_health, .ctx = &s };
	uint64_t state = 0x5eedULL, buf[64];
	struct ds_dept_live_stats st;
	struct ds_dept_live *l;
	struct ds_graph *g;
	unsigned int i, k, fed = 0;

	CHECK(!ds_graph__new(&g));
	CHECK(!ds_dept_live__new(g, &cbs, NULL, &l));
	for (i = 0; i < 20000; i++) {
		struct ds_event_hdr *h = (struct ds_event_hdr *)buf;
		uint16_t size;

		for (k = 0; k < 64; k++) {
			state = state * 6364136223846793005ULL + 1442695040888963407ULL;
			/* small keys and indices collide often, as real ones do */
			buf[k] = (k & 1) ? state >> 60 : state;
		}
		size = (uint16_t)(8 * (3 + (buf[0] >> 3) % 27));	/* 24..232 */
		h->type = types[(buf[1] >> 7) % 6];
		h->size = size;
		h->ts = i;
		h->cpu = i & 1;
		k = (unsigned int)-ds_dept_live__feed(l, h);
		if (k)
			ds_test_fail(__FILE__, __LINE__, "record %u (type %u, size %u): error %u",
				     i, h->type, h->size, k);
		fed++;
	}
	CHECK(!ds_dept_live__flush(l));
	ds_dept_live__stats(l, &st);
	CHECK_EQ_U64(st.records + st.malformed, fed);
	CHECK(st.malformed > 0 && st.records > 0);
	CHECK_EQ_U64(ds_graph__nr_edges(g), st.edges);
	ds_dept_report__free(s.r);
	ds_dept_live__free(l);
	ds_graph__free(g);
}

/* A long run under a class cap: the oldest half go, the newest still work. */
TEST(dept_live_class_cap)
{
	struct ds_dept_live_cbs cbs = {};
	struct ds_dept_live_stats st;
	struct ds_dept_live *l;
	struct ds_graph *g;
	char name[32];
	uint64_t k, cycles;
	uint32_t a, b;

	REQUIRE(ds_graph__new(&g) == 0);
	REQUIRE(ds_dept_live__new(g, &cbs, NULL, &l) == 0);
	ds_dept_live__set_max_classes(l, 100);
	/* a chain of 1000 classes: k waits on k + 1 */
	for (k = 1; k <= 1000; k++) {
		snprintf(name, sizeof(name), "c%llu", (unsigned long long)k);
		class_rec(l, 0x1000 + k, name);
		if (k > 1)
			dep_rec(l, DS_EV_DEPT_DEP, 0, 0, 0x1000 + k - 1, 0x1000 + k, "s", "e", "w",
				0);
		CHECK(ds_graph__nr_classes(g) <= 100);
	}
	ds_dept_live__stats(l, &st);
	CHECK(st.evictions >= 18);
	CHECK_EQ_U64(st.classes, 1000);
	CHECK_EQ_U64(st.classes_evicted, 1000 - ds_graph__nr_classes(g));
	CHECK_EQ_U64(st.unknown_keys, 0);
	/* the newest classes keep their names and edges; the oldest are gone */
	a = ds_dept_live__class_of(l, 0x1000 + 999);
	b = ds_dept_live__class_of(l, 0x1000 + 1000);
	REQUIRE(a != DS_GRAPH_NONE && b != DS_GRAPH_NONE);
	CHECK_EQ_STR(ds_graph__class_name(g, a), "c999");
	CHECK_EQ_STR(ds_graph__class_name(g, b), "c1000");
	CHECK(ds_graph__edge_find(g, a, b) != DS_GRAPH_NONE);
	CHECK(ds_dept_live__class_of(l, 0x1000 + 1) == DS_GRAPH_NONE);
	CHECK_EQ_U64(ds_graph__nr_edges(g), ds_graph__nr_classes(g) - 1);
	/* a cycle among kept classes is still found as the edge closing it comes */
	cycles = st.cycle_edges;
	dep_rec(l, DS_EV_DEPT_DEP, 0, 0, 0x1000 + 1000, 0x1000 + 990, "s", "e", "w", 0);
	ds_dept_live__stats(l, &st);
	CHECK_EQ_U64(st.cycle_edges, cycles + 1);
	CHECK(ds_graph__same_scc(g, ds_dept_live__class_of(l, 0x1000 + 990), b));
	ds_dept_live__free(l);
	ds_graph__free(g);
}
