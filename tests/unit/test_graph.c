// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dependency graph engine (lib/graph.c), its DOT/JSON writers
 * (lib/graph_dot.c) and the /proc/dept_deps reader (lib/dept_proc.c).
 * Cycle answers and components are checked against a plain DFS and
 * Tarjan on random graphs; DOT is read back with cgraph and rendered
 * with libgvc, which lib/ itself never links.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <cgraph.h>
#include <gvc.h>
#include "test.h"
#include "deptscope/dept.h"
#include "deptscope/graph.h"

/* ---- helpers ---- */

static uint32_t cls(struct ds_graph *g, const char *name)
{
	uint32_t id = DS_GRAPH_NONE;

	if (ds_graph__class(g, name, NULL, -1, &id))
		return DS_GRAPH_NONE;
	return id;
}

static bool add(struct ds_graph *g, uint32_t a, uint32_t b)
{
	bool cycle = false;

	if (ds_graph__add_edge(g, a, b, NULL, &cycle, NULL))
		return false;
	return cycle;
}

/* The selection's DOT (or JSON) as a string; caller frees. */
static char *export(const struct ds_graph *g, const struct ds_graph_sel *sel, bool json)
{
	struct ds_graph_sccs s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (ds_graph__sccs(g, &s))
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f) {
		ds_graph_sccs__free(&s);
		return NULL;
	}
	if (json)
		err = ds_graph__write_json(g, &s, sel, f, false);
	else
		err = ds_graph__write_dot(g, &s, sel, f);
	fclose(f);
	ds_graph_sccs__free(&s);
	if (err) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *export_cycles(const struct ds_graph *g, uint32_t max, bool json)
{
	struct ds_graph_sccs s;
	struct ds_graph_sel sel;
	char *out = NULL;

	if (ds_graph__sccs(g, &s))
		return NULL;
	if (!ds_graph__select_cycles(g, &s, max, &sel)) {
		out = export(g, &sel, json);
		ds_graph_sel__free(&sel);
	}
	ds_graph_sccs__free(&s);
	return out;
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Plain DFS on the graph as it is: does @from reach @to? */
static bool reaches(const struct ds_graph *g, uint32_t from, uint32_t to)
{
	uint32_t n = ds_graph__nr_classes(g), *stack, sp = 0, x, y, k;
	bool *seen, found = false;

	stack = malloc((n + 1) * sizeof(*stack));
	seen = calloc(n + 1, 1);
	if (!stack || !seen)
		goto out;
	stack[sp++] = from;
	seen[from] = true;
	while (sp && !found) {
		x = stack[--sp];
		found = x == to;
		for (k = 0; k < ds_graph__out_nr(g, x); k++) {
			y = ds_graph__out_to(g, x, k);
			if (!seen[y]) {
				seen[y] = true;
				stack[sp++] = y;
			}
		}
	}
out:
	free(stack);
	free(seen);
	return found;
}

/* A cycle path must start with the new edge and follow existing edges back to its start. */
static bool valid_cycle(const struct ds_graph *g, const struct ds_graph_cycle *c, uint32_t a,
			uint32_t b)
{
	uint32_t i;

	if (!c->nr || c->ids[0] != a || (c->nr > 1 && c->ids[1] != b) || (c->nr == 1 && a != b))
		return false;
	for (i = 0; i < c->nr; i++)
		if (ds_graph__edge_find(g, c->ids[i], c->ids[(i + 1) % c->nr]) == DS_GRAPH_NONE)
			return false;
	return true;
}

/* ---- engine ---- */

TEST(test_graph_classes_interned)
{
	struct ds_graph *g;
	uint32_t a, b, c, d, e, ids[8];

	REQUIRE(!ds_graph__new(&g));
	CHECK(!ds_graph__class(g, "&q->lock", "ffff1", -1, &a));
	CHECK(!ds_graph__class(g, "&q->lock", "ffff2", -1, &b));
	CHECK(!ds_graph__class(g, "&q->lock", "ffff1", -1, &c));
	CHECK(!ds_graph__class(g, "PG_locked", NULL, 8, &d));
	CHECK(!ds_graph__class(g, "PG_locked", "", -1, &e));
	CHECK_EQ_U64(a, 0);
	CHECK_EQ_U64(b, 1);
	CHECK_EQ_U64(c, 0);
	CHECK_EQ_U64(d, 2);
	CHECK_EQ_U64(e, 3);
	CHECK_EQ_U64(ds_graph__nr_classes(g), 4);
	CHECK_EQ_STR(ds_graph__class_name(g, b), "&q->lock");
	CHECK_EQ_STR(ds_graph__class_key(g, b), "ffff2");
	CHECK_EQ_STR(ds_graph__class_key(g, d), "");
	CHECK_EQ_U64(ds_graph__class_sub(g, d), 8);
	CHECK(ds_graph__class_sub(g, e) == -1);
	/* same name and subclass, different keys: both must show their key */
	CHECK(ds_graph__class_ambiguous(g, a) && ds_graph__class_ambiguous(g, b));
	CHECK(!ds_graph__class_ambiguous(g, d) && !ds_graph__class_ambiguous(g, e));
	CHECK(!ds_graph__find_class(g, "PG_locked", NULL, 8, &c) && c == d);
	CHECK(ds_graph__find_class(g, "PG_locked", NULL, 3, &c) == -ENOENT);
	CHECK(ds_graph__find_class(g, "nope", NULL, -1, &c) == -ENOENT);
	CHECK_EQ_U64(ds_graph__find_name(g, "&q->lock", ids, 8), 2);
	CHECK(ids[0] == a && ids[1] == b);
	CHECK_EQ_U64(ds_graph__find_name(g, "PG_locked", ids, 8), 2);
	CHECK_EQ_U64(ds_graph__find_name(g, "PG_locked:8", ids, 8), 1);
	CHECK_EQ_U64(ids[0], d);
	CHECK_EQ_U64(ds_graph__find_name(g, "PG_locked:9", ids, 8), 0);
	CHECK_EQ_U64(ds_graph__find_name(g, "", ids, 8), 0);
	CHECK(ds_graph__class(g, "", NULL, -1, &c) == -EINVAL);
	CHECK(ds_graph__add_edge(g, 0, 99, NULL, NULL, NULL) == -EINVAL);
	ds_graph__free(g);
}

TEST(test_graph_cycle_detection)
{
	struct ds_graph_cycle cyc_path = { 0 };
	struct ds_graph_dep dep = { "lock", "unlock", 'A', "D-1" };
	struct ds_graph *g;
	uint32_t a, b, c, d, e;
	bool cyc;

	REQUIRE(!ds_graph__new(&g));
	a = cls(g, "a");
	b = cls(g, "b");
	c = cls(g, "c");
	d = cls(g, "d");
	CHECK(!add(g, a, b));
	CHECK(!add(g, b, c));
	CHECK(!add(g, a, c));		/* a shortcut is no cycle */
	CHECK(!add(g, d, a));
	CHECK(!ds_graph__same_scc(g, a, c));
	CHECK(!ds_graph__add_edge(g, c, a, &dep, &cyc, &cyc_path));
	CHECK(cyc);
	CHECK(valid_cycle(g, &cyc_path, c, a));
	CHECK_EQ_U64(cyc_path.nr, 2);	/* c -> a -> c via the shortcut a -> c */
	CHECK(ds_graph__same_scc(g, a, b) && ds_graph__same_scc(g, b, c));
	CHECK(!ds_graph__same_scc(g, a, d));
	/* within the component: every new edge is on a cycle */
	CHECK(add(g, b, a));
	/* c -> d -> a -> b -> c: closes one through d */
	CHECK(add(g, c, d));
	CHECK(ds_graph__same_scc(g, d, a));
	/* self-loop */
	e = cls(g, "e");
	CHECK(!ds_graph__add_edge(g, e, e, &dep, &cyc, &cyc_path));
	CHECK(cyc && cyc_path.nr == 1 && cyc_path.ids[0] == e);
	/* duplicates are counted, not added, and keep their answer */
	CHECK(!ds_graph__add_edge(g, c, a, &dep, &cyc, &cyc_path));
	CHECK(cyc);
	CHECK(valid_cycle(g, &cyc_path, c, a));
	CHECK_EQ_U64(ds_graph__edge_count(g, ds_graph__edge_find(g, c, a)), 2);
	CHECK_EQ_U64(ds_graph__nr_edges(g), 8);
	CHECK_EQ_U64(ds_graph__nr_cycle_adds(g), 5);
	ds_graph_cycle__free(&cyc_path);
	ds_graph__free(g);
}

/* 10000 classes in a line: iterative searches, and a 10000-class cycle cyc_path. */
TEST(test_graph_long_cycle)
{
	enum { N = 10000 };
	struct ds_graph_cycle cyc_path = { 0 };
	struct ds_graph_sccs s;
	struct ds_graph *g;
	char name[32];
	uint32_t i, id[N];
	bool cyc, bad = false;

	REQUIRE(!ds_graph__new(&g));
	/* created backwards, so insertion order disagrees with the path */
	for (i = N; i-- > 0;) {
		snprintf(name, sizeof(name), "c%u", i);
		id[i] = cls(g, name);
	}
	for (i = 0; i + 1 < N; i++)
		bad |= add(g, id[i], id[i + 1]);
	CHECK(!bad);
	CHECK(!ds_graph__add_edge(g, id[N - 1], id[0], NULL, &cyc, &cyc_path));
	CHECK(cyc);
	CHECK_EQ_U64(cyc_path.nr, N);
	CHECK(valid_cycle(g, &cyc_path, id[N - 1], id[0]));
	CHECK(ds_graph__same_scc(g, id[0], id[N / 2]));
	REQUIRE(!ds_graph__sccs(g, &s));
	CHECK_EQ_U64(s.nr, 1);
	CHECK_EQ_U64(s.first[1], N);
	ds_graph_sccs__free(&s);
	ds_graph_cycle__free(&cyc_path);
	ds_graph__free(g);
}

/*
 * Random graphs, dense and sparse: every answer equals a plain DFS's,
 * every path is a real cycle, and the incremental components are
 * Tarjan's.
 */
TEST(test_graph_random_against_dfs)
{
	static const uint32_t sizes[][2] = { { 8, 30 }, { 40, 60 }, { 60, 400 }, { 300, 600 },
					     { 500, 3000 } };
	struct ds_graph_cycle cyc_path = { 0 };
	struct ds_graph_sccs s;
	struct ds_graph *g;
	uint32_t t, i, n, m, a, b;
	char name[32];
	bool cyc, want;
	int round, wrong = 0, bad_path = 0, bad_scc = 0, cycles = 0;

	for (round = 0; round < 20; round++) {
		t = (uint32_t)round % (sizeof(sizes) / sizeof(sizes[0]));
		n = sizes[t][0];
		m = sizes[t][1];
		REQUIRE(!ds_graph__new(&g));
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "k%u", i);
			cls(g, name);
		}
		for (i = 0; i < m; i++) {
			/* mostly "downhill" in a hidden order, so cycles stay rare */
			a = rnd(n);
			b = rnd(n);
			if (rnd(10) && (a * 7919 % n) > (b * 7919 % n)) {
				uint32_t x = a;

				a = b;
				b = x;
			}
			want = reaches(g, b, a);
			REQUIRE(!ds_graph__add_edge(g, a, b, NULL, &cyc, &cyc_path));
			wrong += cyc != want;
			cycles += cyc;
			if (cyc && !valid_cycle(g, &cyc_path, a, b))
				bad_path++;
		}
		REQUIRE(!ds_graph__sccs(g, &s));
		/* same Tarjan component <=> same incremental component */
		for (a = 0; a < n; a++) {
			for (b = a + 1; b < n; b++) {
				bool tj = s.scc_of[a] != DS_GRAPH_NONE &&
					  s.scc_of[a] == s.scc_of[b];

				bad_scc += tj != ds_graph__same_scc(g, a, b);
			}
		}
		ds_graph_sccs__free(&s);
		ds_graph__free(g);
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(bad_path, 0);
	CHECK_EQ_U64(bad_scc, 0);
	CHECK(cycles > 20);		/* the test did test cycles */
	ds_graph_cycle__free(&cyc_path);
}

/*
 * Details are deduplicated by content, not by pointer: ds_dept_live passes
 * the same buffers with new contents every time, which the engine's cache
 * of recent details must not mistake for the last detail.
 */
TEST(test_graph_detail_dedup)
{
	static const char long_a[] = "folio_wait_bit_common", long_b[] = "folio_wait_XXX_common";
	struct ds_graph_dep dep = { 0 }, empty = { "", "", 0, "" }, got;
	char wait[48], event[48], src[16], name[48];
	uint32_t a, b, e, cnt = 0, i, r, wrong = 0;
	struct ds_graph *g;
	bool cyc;

	REQUIRE(!ds_graph__new(&g));
	a = cls(g, "a");
	b = cls(g, "b");
	dep.wait_fn = wait;
	dep.event_fn = event;
	dep.source = src;
	snprintf(wait, sizeof(wait), "lock");
	snprintf(event, sizeof(event), "unlock");
	snprintf(src, sizeof(src), "tracepoint");
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	e = ds_graph__edge_find(g, a, b);
	CHECK(!ds_graph__edge_detail(g, e, 0, &got, &cnt) && cnt == 2);
	CHECK(ds_graph__edge_detail(g, e, 1, NULL, NULL) == -ENOENT);
	/* the same buffer, other contents: a second detail */
	snprintf(wait, sizeof(wait), "%s", long_a);
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 1, &got, &cnt) && cnt == 1);
	CHECK_EQ_STR(got.wait_fn, long_a);
	CHECK_EQ_STR(got.event_fn, "unlock");
	CHECK_EQ_STR(got.source, "tracepoint");
	/* same first and last 8 bytes and length, different middle */
	snprintf(wait, sizeof(wait), "%s", long_b);
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 2, &got, &cnt) && cnt == 1);
	CHECK_EQ_STR(got.wait_fn, long_b);
	/* back to the first: counted on it */
	snprintf(wait, sizeof(wait), "lock");
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 0, &got, &cnt) && cnt == 3);
	/* the context tells details apart too */
	dep.ctx = 'B';
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 3, &got, &cnt) && cnt == 1 && got.ctx == 'B');
	/* other pointers, same contents: the same detail */
	CHECK(!ds_graph__add_edge(g, a, b, &(struct ds_graph_dep){ "lock", "unlock", 'B',
								  "tracepoint" }, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 3, &got, &cnt) && cnt == 2);
	/* only the event function differs, then only the source */
	dep.ctx = 0;
	snprintf(event, sizeof(event), "complete");
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 4, &got, &cnt) && cnt == 1);
	CHECK_EQ_STR(got.event_fn, "complete");
	snprintf(src, sizeof(src), "proc");
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 5, &got, &cnt) && cnt == 1);
	CHECK_EQ_STR(got.source, "proc");
	snprintf(event, sizeof(event), "unlock");
	snprintf(src, sizeof(src), "tracepoint");
	CHECK(!ds_graph__add_edge(g, a, b, &dep, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, e, 0, &got, &cnt) && cnt == 4);
	CHECK(ds_graph__edge_detail(g, e, 6, NULL, NULL) == -ENOENT);
	/* no detail and an empty one are the same */
	CHECK(!ds_graph__add_edge(g, b, a, NULL, &cyc, NULL));
	CHECK(!ds_graph__add_edge(g, b, a, &empty, &cyc, NULL));
	CHECK(!ds_graph__edge_detail(g, ds_graph__edge_find(g, b, a), 0, &got, &cnt) && cnt == 2);
	CHECK(ds_graph__edge_detail(g, ds_graph__edge_find(g, b, a), 1, NULL, NULL) == -ENOENT);
	CHECK_EQ_STR(got.wait_fn, "");
	/* prefixes of one name, 1 to 20 bytes, each its own detail */
	dep.ctx = 0;
	snprintf(event, sizeof(event), "e");
	for (r = 0; r < 2; r++) {
		for (i = 1; i <= 20; i++) {
			snprintf(wait, sizeof(wait), "%.*s", (int)i, "abcdefghijklmnopqrstu");
			CHECK(!ds_graph__add_edge(g, a, a, &dep, &cyc, NULL));
		}
	}
	e = ds_graph__edge_find(g, a, a);
	for (i = 0; i < 20; i++) {
		CHECK(!ds_graph__edge_detail(g, e, i, &got, &cnt));
		wrong += cnt != 2 || strlen(got.wait_fn) != i + 1;
	}
	CHECK(ds_graph__edge_detail(g, e, 20, NULL, NULL) == -ENOENT);
	CHECK_EQ_U64(wrong, 0);
	/* many more details than the cache holds, round-robin */
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 300; i++) {
			snprintf(name, sizeof(name), "wait_fn_%u", i * 7919 % 300);
			dep.wait_fn = name;
			CHECK(!ds_graph__add_edge(g, b, b, &dep, &cyc, NULL));
		}
	}
	e = ds_graph__edge_find(g, b, b);
	CHECK_EQ_U64(ds_graph__edge_count(g, e), 900);
	for (i = 0, wrong = 0; i < 300; i++)
		wrong += ds_graph__edge_detail(g, e, i, &got, &cnt) || cnt != 3;
	CHECK(ds_graph__edge_detail(g, e, 300, NULL, NULL) == -ENOENT);
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(ds_graph__nr_edges(g), 4);
	ds_graph__free(g);
}

/* Every table grows many times over: the answers before and after must agree. */
TEST(test_graph_tables_grow)
{
	enum { N = 20000, M = 60000 };
	uint32_t *id = malloc(N * sizeof(*id)), *ef = malloc(M * sizeof(*ef));
	uint32_t *et = malloc(M * sizeof(*et)), i, x, wrong = 0, edges = 0;
	char name[32], key[32];
	struct ds_graph *g;
	size_t mem;

	REQUIRE(id && ef && et);
	REQUIRE(!ds_graph__new(&g));
	/* every third name is shared with the class before it: an ambiguous pair */
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "&obj->lock#%u", i % 3 == 2 ? i - 1 : i);
		snprintf(key, sizeof(key), "ffffffff8%07x", i * 16);
		REQUIRE(!ds_graph__class(g, name, key, i % 5 == 4 ? 1 : -1, &id[i]));
		wrong += id[i] != i;
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(ds_graph__nr_classes(g), N);
	for (i = 0; i < N; i++) {
		bool shared = (i % 3 == 2 || (i % 3 == 1 && i + 1 < N)) &&
			      (i % 5 == 4) == ((i % 3 == 2 ? i - 1 : i + 1) % 5 == 4);

		snprintf(name, sizeof(name), "&obj->lock#%u", i % 3 == 2 ? i - 1 : i);
		snprintf(key, sizeof(key), "ffffffff8%07x", i * 16);
		wrong += ds_graph__find_class(g, name, key, i % 5 == 4 ? 1 : -1, &x) || x != i;
		wrong += ds_graph__class(g, name, key, i % 5 == 4 ? 1 : -1, &x) || x != i;
		wrong += ds_graph__class_ambiguous(g, i) != shared;
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(ds_graph__nr_classes(g), N);
	for (i = 0; i < M; i++) {
		ef[i] = rnd(N);
		et[i] = rnd(N);
		/* a tenth repeat an earlier edge */
		if (i && !rnd(10)) {
			x = rnd(i);
			ef[i] = ef[x];
			et[i] = et[x];
		}
		edges += ds_graph__edge_find(g, ef[i], et[i]) == DS_GRAPH_NONE;
		REQUIRE(!ds_graph__add_edge(g, ef[i], et[i], NULL, NULL, NULL));
	}
	CHECK_EQ_U64(ds_graph__nr_edges(g), edges);
	for (i = 0; i < M; i++) {
		x = ds_graph__edge_find(g, ef[i], et[i]);
		wrong += x == DS_GRAPH_NONE || ds_graph__edge_from(g, x) != ef[i] ||
			 ds_graph__edge_to(g, x) != et[i];
	}
	for (i = 0; i < edges; i++)
		wrong += ds_graph__edge_find(g, ds_graph__edge_from(g, i),
					     ds_graph__edge_to(g, i)) != i;
	CHECK_EQ_U64(wrong, 0);
	mem = ds_graph__mem_bytes(g);
	CHECK(mem > (size_t)edges * 20 && mem < (size_t)edges * 400);
	ds_graph__free(g);
	free(id);
	free(ef);
	free(et);
}

/* Neighbour lists keep creation order however they grow, interleaved with others. */
TEST(test_graph_neighbours_in_order)
{
	enum { N = 12000, K = 40 };
	struct ds_graph *g;
	uint32_t hub, sink, i, k, wrong = 0;
	char name[32];

	REQUIRE(!ds_graph__new(&g));
	hub = cls(g, "hub");
	sink = cls(g, "sink");
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		cls(g, name);
	}
	/* hub and sink past any small-array size, 40 others growing between them */
	for (i = 0; i < N; i++) {
		REQUIRE(!ds_graph__add_edge(g, hub, 2 + i, NULL, NULL, NULL));
		REQUIRE(!ds_graph__add_edge(g, 2 + (i * 7) % N, sink, NULL, NULL, NULL));
		if (i % (N / K / 8) == 0)
			for (k = 0; k < K; k++)
				REQUIRE(!ds_graph__add_edge(g, 2 + k, 2 + K + (i + k) % (N - K),
							    NULL, NULL, NULL));
	}
	CHECK_EQ_U64(ds_graph__out_nr(g, hub), N);
	CHECK_EQ_U64(ds_graph__in_nr(g, sink), N);
	for (i = 0; i < N; i++) {
		wrong += ds_graph__out_to(g, hub, i) != 2 + i;
		wrong += ds_graph__in_from(g, sink, i) != 2 + (i * 7) % N;
	}
	for (k = 0; k < K; k++) {
		uint32_t n = ds_graph__out_nr(g, 2 + k), j, prev = DS_GRAPH_NONE;

		/* out-edges in creation order have increasing ids */
		for (j = 0; j < n; j++) {
			uint32_t e = ds_graph__edge_find(g, 2 + k, ds_graph__out_to(g, 2 + k, j));

			wrong += e == DS_GRAPH_NONE || (prev != DS_GRAPH_NONE && e <= prev);
			prev = e;
		}
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(ds_graph__out_to(g, hub, N), DS_GRAPH_NONE);
	ds_graph__free(g);
}

/*
 * A lock hierarchy as DEPT sees one: layers, hubs with many more edges
 * than a cheap raise may scan, a few edges against the order.  Every
 * answer equals a plain DFS's and the components are Tarjan's.
 */
TEST(test_graph_hierarchy_against_dfs)
{
	enum { N = 600, M = 6000, LAYERS = 8 };
	struct ds_graph_cycle cyc_path = { 0 };
	uint32_t i, a, b, x, layer[N];
	int wrong = 0, bad_path = 0, bad_scc = 0, cycles = 0;
	struct ds_graph_sccs s;
	struct ds_graph *g;
	char name[32];
	bool cyc, want;

	REQUIRE(!ds_graph__new(&g));
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "l%u", i);
		cls(g, name);
		layer[i] = rnd(LAYERS);
	}
	for (i = 0; i < M; i++) {
		/* one end in four is one of 4 hubs */
		a = rnd(4) ? rnd(N) : rnd(4);
		b = rnd(4) ? rnd(N) : rnd(4);
		if (layer[a] == layer[b])
			continue;
		if ((layer[a] > layer[b]) != !rnd(200)) {
			x = a;
			a = b;
			b = x;
		}
		want = reaches(g, b, a);
		REQUIRE(!ds_graph__add_edge(g, a, b, NULL, &cyc, &cyc_path));
		wrong += cyc != want;
		cycles += cyc;
		if (cyc && !valid_cycle(g, &cyc_path, a, b))
			bad_path++;
	}
	REQUIRE(!ds_graph__sccs(g, &s));
	for (a = 0; a < N; a++) {
		for (b = a + 1; b < N; b++) {
			bool tj = s.scc_of[a] != DS_GRAPH_NONE && s.scc_of[a] == s.scc_of[b];

			bad_scc += tj != ds_graph__same_scc(g, a, b);
		}
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(bad_path, 0);
	CHECK_EQ_U64(bad_scc, 0);
	CHECK(cycles > 5);
	CHECK(ds_graph__out_nr(g, 0) > 64);
	ds_graph_sccs__free(&s);
	ds_graph_cycle__free(&cyc_path);
	ds_graph__free(g);
}

TEST(test_graph_sccs)
{
	struct ds_graph_sccs s;
	struct ds_graph *g;
	uint32_t v[8], i;

	REQUIRE(!ds_graph__new(&g));
	for (i = 0; i < 8; i++) {
		char name[8];

		snprintf(name, sizeof(name), "v%u", i);
		v[i] = cls(g, name);
	}
	/* {1,2,3} a cycle, {5} a self-loop, {6,7} a cycle, 0 and 4 on none */
	add(g, v[0], v[1]);
	add(g, v[1], v[2]);
	add(g, v[2], v[3]);
	add(g, v[3], v[1]);
	add(g, v[3], v[4]);
	add(g, v[5], v[5]);
	add(g, v[7], v[6]);
	add(g, v[6], v[7]);
	add(g, v[4], v[6]);
	REQUIRE(!ds_graph__sccs(g, &s));
	REQUIRE(s.nr == 3);
	CHECK_EQ_U64(s.first[0], 0);
	CHECK_EQ_U64(s.first[1], 3);
	CHECK_EQ_U64(s.first[2], 4);
	CHECK_EQ_U64(s.first[3], 6);
	CHECK(s.members[0] == 1 && s.members[1] == 2 && s.members[2] == 3);
	CHECK(s.members[3] == 5);
	CHECK(s.members[4] == 6 && s.members[5] == 7);
	CHECK(s.scc_of[0] == DS_GRAPH_NONE && s.scc_of[4] == DS_GRAPH_NONE);
	CHECK(s.scc_of[2] == 0 && s.scc_of[5] == 1 && s.scc_of[7] == 2);
	ds_graph_sccs__free(&s);
	ds_graph__free(g);
}

/* ---- subgraphs ---- */

/* Cycles of 1 (self-loop), 2, 3 and 6 classes, and a tail of acyclic ones. */
static struct ds_graph *cycles_graph(void)
{
	static const uint32_t sizes[] = { 6, 3, 1, 2 };
	struct ds_graph *g;
	uint32_t i, k, first, id = 0;
	char name[16];

	if (ds_graph__new(&g))
		return NULL;
	for (i = 0; i < 4; i++) {
		first = id;
		for (k = 0; k < sizes[i]; k++) {
			snprintf(name, sizeof(name), "c%u", id++);
			cls(g, name);
		}
		for (k = 0; k < sizes[i]; k++)
			add(g, first + k, first + (k + 1) % sizes[i]);
	}
	/* a chord in the 6-cycle: its shortest cycle through c0 is c0 c1 c4 c5 */
	add(g, 1, 4);
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "t%u", k);
		cls(g, name);
		add(g, id + k, k ? id + k - 1 : 0);
	}
	return g;
}

TEST(test_graph_select_cycles_and_cap)
{
	struct ds_graph_sccs s;
	struct ds_graph_sel sel;
	struct ds_graph *g = cycles_graph();
	char sum[256];

	REQUIRE(g);
	REQUIRE(!ds_graph__sccs(g, &s));
	CHECK_EQ_U64(s.nr, 4);
	/* no cap: every cycle, nothing else */
	REQUIRE(!ds_graph__select_cycles(g, &s, 0, &sel));
	CHECK_EQ_U64(sel.nr, 12);
	CHECK_EQ_U64(sel.omitted, 0);
	CHECK(!ds_graph_sel__has(&sel, 12));
	ds_graph_sel__summary(g, &sel, sum, sizeof(sum));
	CHECK_EQ_STR(sum, "kept 12 of 16 classes; 4 cycles");
	ds_graph_sel__free(&sel);
	/* cap 9: 1 + 2 + 3 fit whole, the 6-cycle gives its 4-class shortest cycle? no: 3 left */
	REQUIRE(!ds_graph__select_cycles(g, &s, 9, &sel));
	CHECK_EQ_U64(sel.nr, 6);
	CHECK_EQ_U64(sel.wanted, 12);
	CHECK_EQ_U64(sel.omitted, 6);
	CHECK_EQ_U64(sel.cycles_cut, 0);
	CHECK_EQ_U64(sel.cycles_left, 1);
	ds_graph_sel__summary(g, &sel, sum, sizeof(sum));
	CHECK_EQ_STR(sum, "kept 6 of 16 classes; 4 cycles; the 9-class cap left out 6 more; "
		     "1 cycle not shown");
	ds_graph_sel__free(&sel);
	/* cap 10: the 6-cycle is cut to c0 c1 c4 c5 */
	REQUIRE(!ds_graph__select_cycles(g, &s, 10, &sel));
	CHECK_EQ_U64(sel.nr, 10);
	CHECK_EQ_U64(sel.cycles_cut, 1);
	CHECK(ds_graph_sel__has(&sel, 0) && ds_graph_sel__has(&sel, 1) &&
	      ds_graph_sel__has(&sel, 4) && ds_graph_sel__has(&sel, 5));
	CHECK(!ds_graph_sel__has(&sel, 2) && !ds_graph_sel__has(&sel, 3));
	ds_graph_sel__summary(g, &sel, sum, sizeof(sum));
	CHECK_EQ_STR(sum, "kept 10 of 16 classes; 4 cycles; the 10-class cap left out 2 more; "
		     "1 cycle cut to one shortest cycle");
	ds_graph_sel__free(&sel);
	/* cap 1: only the self-loop */
	REQUIRE(!ds_graph__select_cycles(g, &s, 1, &sel));
	CHECK(sel.nr == 1 && sel.ids[0] == 9);
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&s);
	ds_graph__free(g);
}

TEST(test_graph_select_around)
{
	struct ds_graph_sccs s;
	struct ds_graph_sel sel;
	struct ds_graph *g = cycles_graph();
	uint32_t root;

	REQUIRE(g);
	REQUIRE(!ds_graph__sccs(g, &s));
	/* t1 -> t0 -> c0; c0 <-> c1 ... both directions count */
	REQUIRE(ds_graph__find_name(g, "t0", &root, 1) == 1);
	REQUIRE(!ds_graph__select_around(g, &s, &root, 1, 0, 0, &sel));
	CHECK(sel.nr == 1 && sel.ids[0] == root);
	ds_graph_sel__free(&sel);
	REQUIRE(!ds_graph__select_around(g, &s, &root, 1, 1, 0, &sel));
	CHECK_EQ_U64(sel.nr, 3);	/* t0, t1, c0 */
	CHECK(ds_graph_sel__has(&sel, 0) && ds_graph_sel__has(&sel, 13));
	ds_graph_sel__free(&sel);
	REQUIRE(!ds_graph__select_around(g, &s, &root, 1, 2, 0, &sel));
	CHECK_EQ_U64(sel.nr, 6);	/* + t2, c1, c5 */
	CHECK(ds_graph_sel__has(&sel, 1) && ds_graph_sel__has(&sel, 5) &&
	      ds_graph_sel__has(&sel, 14));
	ds_graph_sel__free(&sel);
	/* capped: the nearest first, ties by id */
	REQUIRE(!ds_graph__select_around(g, &s, &root, 1, 2, 4, &sel));
	CHECK_EQ_U64(sel.nr, 4);
	CHECK_EQ_U64(sel.wanted, 6);
	CHECK_EQ_U64(sel.omitted, 2);
	CHECK(ds_graph_sel__has(&sel, 0) && ds_graph_sel__has(&sel, 12) &&
	      ds_graph_sel__has(&sel, 13) && ds_graph_sel__has(&sel, 1));
	ds_graph_sel__free(&sel);
	root = 99;
	CHECK(ds_graph__select_around(g, &s, &root, 1, 2, 4, &sel) == -EINVAL);
	REQUIRE(!ds_graph__select_all(g, &s, 5, &sel));
	CHECK(sel.nr == 5 && sel.ids[4] == 4 && sel.omitted == 11);
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&s);
	ds_graph__free(g);
}

/* ---- reports ---- */

static void set_point(struct ds_dept_point *pt, const char *fn, const char *cls, int sub)
{
	snprintf(pt->fn, sizeof(pt->fn), "%s", fn);
	snprintf(pt->cls, sizeof(pt->cls), "%s", cls);
	pt->sub = sub;
}

TEST(test_graph_add_report)
{
	struct ds_dept_report *r = calloc(1, sizeof(*r));
	struct ds_graph_dep d;
	struct ds_graph *g;
	uint32_t a, b, c, e, cnt;

	REQUIRE(r);
	REQUIRE(!ds_graph__new(&g));
	/* DEPT: A: [S]/[E] on PG_locked_map waits for &x->lock; B the other way round */
	r->kind = DS_RK_DEPT;
	r->parsed = true;
	r->nr_contexts = 2;
	snprintf(r->bucket, sizeof(r->bucket), "D-0123456789ab");
	r->ctx[0].id = 'A';
	set_point(&r->ctx[0].start, "(unknown)", "PG_locked_map", 0);
	set_point(&r->ctx[0].wait, "lock", "&x->lock", 8);
	set_point(&r->ctx[0].event, "folio_unlock", "PG_locked_map", 0);
	r->ctx[1].id = 'B';
	set_point(&r->ctx[1].start, "start", "&x->lock", 8);
	set_point(&r->ctx[1].wait, "folio_wait_bit_common", "pg_locked_map", 0);
	set_point(&r->ctx[1].event, "", "", -1);	/* no [E]: [S] names the event class */
	CHECK(!ds_graph__add_report(g, r));
	REQUIRE(ds_graph__nr_classes(g) == 2);
	CHECK(!ds_graph__find_class(g, "PG_locked", NULL, -1, &a));
	CHECK(!ds_graph__find_class(g, "&x->lock", NULL, 8, &b));
	e = ds_graph__edge_find(g, a, b);
	REQUIRE(e != DS_GRAPH_NONE);
	CHECK(!ds_graph__edge_detail(g, e, 0, &d, &cnt));
	CHECK_EQ_STR(d.wait_fn, "lock");
	CHECK_EQ_STR(d.event_fn, "folio_unlock");
	CHECK_EQ_STR(d.source, "D-0123456789ab");
	CHECK(d.ctx == 'A' && cnt == 1);
	e = ds_graph__edge_find(g, b, a);
	REQUIRE(e != DS_GRAPH_NONE);
	CHECK(!ds_graph__edge_detail(g, e, 0, &d, &cnt));
	CHECK_EQ_STR(d.wait_fn, "folio_wait_bit_common");
	CHECK(d.ctx == 'B');
	CHECK(ds_graph__same_scc(g, a, b));
	/* the same report again: counted */
	CHECK(!ds_graph__add_report(g, r));
	CHECK_EQ_U64(ds_graph__edge_count(g, e), 2);
	CHECK_EQ_U64(ds_graph__nr_edges(g), 2);

	/* lockdep: printed #2 (C), #1 (B), #0 (A): held -> taken is #0 -> #1 -> #2 -> #0 */
	memset(r, 0, sizeof(*r));
	r->kind = DS_RK_LOCKDEP;
	r->parsed = true;
	r->nr_contexts = 3;
	r->ctx[0].id = '2';
	set_point(&r->ctx[0].wait, "", "lk_c", -1);
	r->ctx[1].id = '1';
	set_point(&r->ctx[1].wait, "", "lk_b#3", -1);	/* the instance suffix goes */
	r->ctx[2].id = '0';
	set_point(&r->ctx[2].wait, "", "lk_a", -1);
	CHECK(!ds_graph__add_report(g, r));
	a = ds_graph__find_class(g, "lk_a", NULL, -1, &a) ? DS_GRAPH_NONE : a;
	b = ds_graph__find_class(g, "lk_b", NULL, -1, &b) ? DS_GRAPH_NONE : b;
	c = ds_graph__find_class(g, "lk_c", NULL, -1, &c) ? DS_GRAPH_NONE : c;
	REQUIRE(a != DS_GRAPH_NONE && b != DS_GRAPH_NONE && c != DS_GRAPH_NONE);
	CHECK(ds_graph__edge_find(g, a, b) != DS_GRAPH_NONE);
	CHECK(ds_graph__edge_find(g, b, c) != DS_GRAPH_NONE);
	CHECK(ds_graph__edge_find(g, c, a) != DS_GRAPH_NONE);
	CHECK(ds_graph__edge_find(g, b, a) == DS_GRAPH_NONE);
	/* each edge carries the entry whose stack took its lock */
	CHECK(!ds_graph__edge_detail(g, ds_graph__edge_find(g, c, a), 0, &d, NULL));
	CHECK(d.ctx == '0');
	CHECK_EQ_STR(d.source, "report");
	CHECK(!ds_graph__edge_detail(g, ds_graph__edge_find(g, a, b), 0, &d, NULL));
	CHECK(d.ctx == '1');

	r->kind = DS_RK_DEPT_RECOVER;
	CHECK(ds_graph__add_report(g, r) == -EOPNOTSUPP);
	r->kind = DS_RK_LOCKDEP;
	r->parsed = false;
	CHECK(ds_graph__add_report(g, r) == -EOPNOTSUPP);
	r->parsed = true;
	r->nr_contexts = 0;
	CHECK(ds_graph__add_report(g, r) == -EINVAL);
	ds_graph__free(g);
	free(r);
}

/* ---- DOT ---- */

TEST(test_graph_dot_escape)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "&x->lock", "&x->lock" },
		{ "say \"hi\"", "say \\\"hi\\\"" },
		{ "a\\b", "a\\\\b" },
		{ "ends\\", "ends\\\\ " },	/* no \" at the end of the string */
		{ "two\nlines", "two\\nlines" },
		{ "tab\there\x01\x7f", "tab?here??" },
		{ "&amp; &#38; &#x26; &lt", "&amp;amp; &amp;#38; &amp;#x26; &lt" },
		{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
		{ "bad\xff\xc3(\xe2\x82", "bad?" "?(??" },
		{ "\xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf", "??? ???? ??" },
		{ "\\N \\G", "\\\\N \\\\G" },
		{ "", "" },
	};
	char buf[64];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = ds_graph_dot_escape(cases[i].in, buf, sizeof(buf));
		CHECK_EQ_STR(buf, cases[i].out);
		CHECK_EQ_U64(n, strlen(cases[i].out));
	}
	/* cut short: still terminated, the full length returned */
	n = ds_graph_dot_escape("\"\"\"\"", buf, 4);
	CHECK_EQ_U64(n, 8);
	CHECK_EQ_STR(buf, "\\\"\\");
	CHECK_EQ_U64(ds_graph_dot_escape("abc", NULL, 0), 3);
}

/* Two reports' worth of classes, a /proc-like ambiguous pair and a self-loop. */
static struct ds_graph *label_graph(void)
{
	struct ds_graph_dep a1 = { "lock", "unlock", 'A', "D-1" };
	struct ds_graph_dep a2 = { "lock", "unlock", 'A', "D-2" };
	struct ds_graph_dep b1 = { "wait_for_completion", "complete", 'B', "D-1" };
	struct ds_graph_dep l0 = { "", "", '0', "L-1" };
	struct ds_graph_dep pr = { NULL, NULL, 0, "proc" };
	struct ds_graph *g;
	uint32_t x, y, k1, k2, s;

	if (ds_graph__new(&g))
		return NULL;
	ds_graph__class(g, "&x->lock", NULL, -1, &x);
	ds_graph__class(g, "done \"completion\"", NULL, 8, &y);
	ds_graph__class(g, "dup", "ffff01", -1, &k1);
	ds_graph__class(g, "dup", "ffff02", -1, &k2);
	ds_graph__class(g, "self", NULL, -1, &s);
	ds_graph__add_edge(g, x, y, &a1, NULL, NULL);
	ds_graph__add_edge(g, x, y, &a2, NULL, NULL);
	ds_graph__add_edge(g, x, y, &a1, NULL, NULL);
	ds_graph__add_edge(g, y, x, &b1, NULL, NULL);
	ds_graph__add_edge(g, k1, k2, &pr, NULL, NULL);
	ds_graph__add_edge(g, k2, x, &l0, NULL, NULL);
	ds_graph__add_edge(g, s, s, &pr, NULL, NULL);
	return g;
}

TEST(test_graph_dot_exact)
{
	struct ds_graph_sccs s;
	struct ds_graph_sel sel;
	struct ds_graph *g = label_graph();
	char *dot;

	REQUIRE(g);
	REQUIRE(!ds_graph__sccs(g, &s));
	REQUIRE(!ds_graph__select_all(g, &s, 0, &sel));
	dot = export(g, &sel, false);
	CHECK_EQ_STR(dot,
		"digraph deptscope {\n"
		"\tnode [shape=\"box\"];\n"
		"\tn0 [label=\"&x->lock\", color=\"red\", fontcolor=\"red\"];\n"
		"\tn1 [label=\"done \\\"completion\\\":8\", color=\"red\", fontcolor=\"red\"];\n"
		"\tn2 [label=\"dup\\n[ffff01]\"];\n"
		"\tn3 [label=\"dup\\n[ffff02]\"];\n"
		"\tn4 [label=\"self\", color=\"red\", fontcolor=\"red\"];\n"
		"\tn0 -> n1 [label=\"A: lock / unlock (x3)\", color=\"red\"];\n"
		"\tn1 -> n0 [label=\"B: wait_for_completion / complete\", color=\"red\"];\n"
		"\tn2 -> n3;\n"
		"\tn3 -> n0 [label=\"#0\"];\n"
		"\tn4 -> n4 [color=\"red\"];\n"
		"}\n");
	free(dot);
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&s);
	/* capped: the graph says what is missing */
	/* capped: smaller cycles first, and the graph says what is missing */
	dot = export_cycles(g, 2, false);
	CHECK(dot && strstr(dot, "\tgraph [labelloc=\"t\", label=\"kept 1 of 5 classes; 2 cycles; "
			    "the 2-class cap left out 2 more; 1 cycle not shown\"];\n"));
	CHECK(dot && strstr(dot, "\tn4 -> n4 [") && !strstr(dot, "n0"));
	free(dot);
	ds_graph__free(g);
}

TEST(test_graph_json_exact)
{
	struct ds_graph *g = label_graph();
	char *json;

	REQUIRE(g);
	json = export_cycles(g, 0, true);
	CHECK_EQ_STR(json,
		"{\"classes\":5,\"dependencies\":5,\"nodes\":["
		"{\"id\":0,\"name\":\"&x->lock\",\"key\":\"\",\"sub\":-1,\"cycle\":true},"
		"{\"id\":1,\"name\":\"done \\\"completion\\\"\",\"key\":\"\",\"sub\":8,"
		"\"cycle\":true},"
		"{\"id\":4,\"name\":\"self\",\"key\":\"\",\"sub\":-1,\"cycle\":true}],"
		"\"edges\":["
		"{\"from\":0,\"to\":1,\"count\":3,\"cycle\":true,\"details\":["
		"{\"wait_fn\":\"lock\",\"event_fn\":\"unlock\",\"context\":\"A\","
		"\"source\":\"D-1\",\"count\":2},"
		"{\"wait_fn\":\"lock\",\"event_fn\":\"unlock\",\"context\":\"A\","
		"\"source\":\"D-2\",\"count\":1}]},"
		"{\"from\":1,\"to\":0,\"count\":1,\"cycle\":true,\"details\":["
		"{\"wait_fn\":\"wait_for_completion\",\"event_fn\":\"complete\",\"context\":\"B\","
		"\"source\":\"D-1\",\"count\":1}]},"
		"{\"from\":4,\"to\":4,\"count\":1,\"cycle\":true,\"details\":["
		"{\"wait_fn\":\"\",\"event_fn\":\"\",\"context\":\"\",\"source\":\"proc\","
		"\"count\":1}]}],"
		"\"cycles\":[[0,1],[4]],\"omitted_nodes\":0}\n");
	free(json);
	json = export_cycles(g, 2, true);
	CHECK(json && strstr(json, "\"nodes\":[{\"id\":4,") && strstr(json, "\"cycles\":[[4]],"));
	CHECK(json && strstr(json, "\"omitted_nodes\":2}"));
	free(json);
	ds_graph__free(g);
}

/* A cgraph node by its DOT name, and one of its attributes. */
static const char *node_attr(Agraph_t *ag, const char *node, const char *attr)
{
	Agnode_t *n = agnode(ag, (char *)node, 0);

	return n ? agget(n, (char *)attr) : NULL;
}

/*
 * Our DOT read back by Graphviz: every node and edge there, labels as
 * escaped; then laid out and rendered, to DOT again and to SVG.
 */
TEST(test_graph_dot_graphviz_roundtrip)
{
	struct ds_graph_sccs s;
	struct ds_graph_sel sel;
	struct ds_graph *g = label_graph();
	uint32_t nasty;
	char *dot = NULL, *laid = NULL, *svg = NULL;
	unsigned int len;
	Agraph_t *ag = NULL, *ag2 = NULL;
	GVC_t *gvc = NULL;
	Agedge_t *e;

	REQUIRE(g);
	/* everything the escaper must get past Graphviz's scanner */
	REQUIRE(!ds_graph__class(g, "q\"uote\\back\nnl&amp;\\", NULL, -1, &nasty));
	ds_graph__add_edge(g, nasty, 0, NULL, NULL, NULL);
	REQUIRE(!ds_graph__sccs(g, &s));
	REQUIRE(!ds_graph__select_all(g, &s, 0, &sel));
	dot = export(g, &sel, false);
	REQUIRE(dot);
	ag = agmemread(dot);
	REQUIRE(ag);
	CHECK_EQ_U64(agnnodes(ag), 6);
	CHECK_EQ_U64(agnedges(ag), 6);
	CHECK_EQ_STR(node_attr(ag, "n0", "label"), "&x->lock");
	CHECK_EQ_STR(node_attr(ag, "n0", "color"), "red");
	CHECK_EQ_STR(node_attr(ag, "n2", "color"), "");
	/* cgraph undoes \" only; \\, \n and &amp; are for the label renderer */
	CHECK_EQ_STR(node_attr(ag, "n5", "label"), "q\"uote\\\\back\\nnl&amp;amp;\\\\ ");
	e = agedge(ag, agnode(ag, "n0", 0), agnode(ag, "n1", 0), NULL, 0);
	CHECK(e && !strcmp(agget(e, "label"), "A: lock / unlock (x3)"));
	CHECK(agedge(ag, agnode(ag, "n4", 0), agnode(ag, "n4", 0), NULL, 0) != NULL);
	CHECK(agedge(ag, agnode(ag, "n1", 0), agnode(ag, "n2", 0), NULL, 0) == NULL);

	gvc = gvContext();
	REQUIRE(gvc);
	REQUIRE(!gvLayout(gvc, ag, "dot"));
	REQUIRE(!gvRenderData(gvc, ag, "dot", &laid, &len));
	ag2 = agmemread(laid);
	REQUIRE(ag2);
	CHECK_EQ_U64(agnnodes(ag2), 6);
	CHECK_EQ_U64(agnedges(ag2), 6);
	CHECK(node_attr(ag2, "n3", "pos") && *node_attr(ag2, "n3", "pos"));
	REQUIRE(!gvRenderData(gvc, ag, "svg", &svg, &len));
	CHECK(strstr(svg, "<title>n0&#45;&gt;n1</title>"));
	CHECK(strstr(svg, ">&amp;x&#45;&gt;lock</text>"));
	CHECK(strstr(svg, ">q&quot;uote\\back</text>"));
	CHECK(strstr(svg, ">nl&amp;amp;\\ </text>"));
	CHECK(strstr(svg, "stroke=\"red\""));
	gvFreeLayout(gvc, ag);
	gvFreeRenderData(laid);
	gvFreeRenderData(svg);
	agclose(ag2);
	agclose(ag);
	gvFreeContext(gvc);
	free(dot);
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&s);
	ds_graph__free(g);
}

/* ---- /proc/dept_deps ---- */

static const char sample_deps[] =
	"All classes:\n"
	"\n"
	"[ffff8881002a3c10] &rq->__lock\n"
	" -> [ffff8881002a3d20] &p->pi_lock\n"
	"\n"
	"[ffff8881002a3d20] &p->pi_lock\n"
	" -> [ffff8881002a3c10] &rq->__lock\n"
	" -> [ffffffff82a0c400] <sched> rcu_gp_wait\n"
	"\n"
	"[ffffffff82a0c400] <sched> rcu_gp_wait\n"
	"\n"
	"[ffff8881002a3c18] &rq->__lock\n"
	" -> [ffff8881002a3c18] &rq->__lock\n"
	"\n";

TEST(test_dept_deps_parse)
{
	struct ds_dept_deps_stats st;
	struct ds_graph *g;
	uint32_t rq, pi, rcu, rq2;

	REQUIRE(!ds_graph__new(&g));
	CHECK(!ds_dept_deps__parse(g, sample_deps, strlen(sample_deps), &st));
	CHECK(st.header && !st.truncated);
	CHECK_EQ_U64(st.lines, 14);
	CHECK_EQ_U64(st.classes, 4);
	CHECK_EQ_U64(st.deps, 4);
	CHECK_EQ_U64(st.cycles, 2);
	CHECK_EQ_U64(st.bad_lines, 0);
	CHECK_EQ_U64(ds_graph__nr_classes(g), 4);
	CHECK(!ds_graph__find_class(g, "&rq->__lock", "ffff8881002a3c10", -1, &rq));
	CHECK(!ds_graph__find_class(g, "&p->pi_lock", "ffff8881002a3d20", -1, &pi));
	CHECK(!ds_graph__find_class(g, "<sched> rcu_gp_wait", "ffffffff82a0c400", -1, &rcu));
	CHECK(!ds_graph__find_class(g, "&rq->__lock", "ffff8881002a3c18", -1, &rq2));
	CHECK(ds_graph__edge_find(g, rq, pi) != DS_GRAPH_NONE);
	CHECK(ds_graph__edge_find(g, pi, rcu) != DS_GRAPH_NONE);
	CHECK(ds_graph__edge_find(g, rq2, rq2) != DS_GRAPH_NONE);
	CHECK(ds_graph__same_scc(g, rq, pi) && !ds_graph__same_scc(g, rq, rq2));
	CHECK(ds_graph__class_ambiguous(g, rq) && !ds_graph__class_ambiguous(g, pi));
	/* the same dump twice: nothing new, only counts */
	CHECK(!ds_dept_deps__parse(g, sample_deps, strlen(sample_deps), &st));
	CHECK_EQ_U64(ds_graph__nr_classes(g), 4);
	CHECK_EQ_U64(ds_graph__nr_edges(g), 4);
	CHECK_EQ_U64(ds_graph__edge_count(g, ds_graph__edge_find(g, rq, pi)), 2);
	ds_graph__free(g);
}

TEST(test_dept_deps_garbage)
{
	static const char *const bad[] = {
		"hello\nworld\n",
		" -> [ffff] orphan\n",			/* a dependency without its class */
		"[] empty key\n[ffff]no space\n[ffff] \n[fff fff] spaces\n",
		"[0123456789012345678901234567890123456789012345678901234567890123456789] k\n",
		"\xff\xfe\x00\x01\n\x00\x00\x00\n",
	};
	struct ds_dept_deps_stats st;
	struct ds_graph *g;
	char *junk;
	int round;
	size_t i;

	REQUIRE(!ds_graph__new(&g));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = i == 4 ? 9 : strlen(bad[i]);

		CHECK(ds_dept_deps__parse(g, bad[i], len, &st) == -EINVAL);
		CHECK(st.bad_lines > 0 && st.first_bad == 1);
	}
	CHECK_EQ_U64(ds_graph__nr_classes(g), 0);
	CHECK(ds_dept_deps__parse(g, "", 0, &st) == -ENODATA);
	CHECK(ds_dept_deps__parse(g, "\n\n", 2, &st) == -ENODATA);
	CHECK(!ds_dept_deps__parse(g, "All classes:\n\n", 14, &st));	/* empty, but a dump */
	/* no newline at all: a cut dump is empty, anything else is not a dump */
	CHECK(ds_dept_deps__parse(g, "All cla", 7, &st) == -ENODATA && st.truncated);
	CHECK(ds_dept_deps__parse(g, "[ffff01] &a->lo", 15, &st) == -ENODATA && st.truncated);
	CHECK(ds_dept_deps__parse(g, "PNG\x89 whatever", 12, &st) == -EINVAL && st.truncated);
	/* a good class after junk still counts; its dependency after a bad line does not */
	CHECK(!ds_dept_deps__parse(g, "junk\n[k1] a\n -> [k2] b\nbad\n -> [k3] c\n", 38, &st));
	CHECK_EQ_U64(st.classes, 1);
	CHECK_EQ_U64(st.deps, 1);
	CHECK_EQ_U64(st.bad_lines, 3);	/* junk, bad, and the orphan after bad */
	CHECK_EQ_U64(st.first_bad, 1);
	/* random bytes with brackets and arrows: no crash, every line accounted for */
	junk = malloc(1 << 16);
	REQUIRE(junk);
	for (round = 0; round < 8; round++) {
		size_t nl = 0;
		int err;

		for (i = 0; i < (1 << 16); i++) {
			static const char pick[] = "\n[] ->ab\0";

			junk[i] = rnd(3) ? pick[rnd(sizeof(pick))] : (char)rnd(256);
			nl += junk[i] == '\n';
		}
		err = ds_dept_deps__parse(g, junk, 1 << 16, &st);
		CHECK(!err || err == -EINVAL || err == -ENODATA);
		CHECK_EQ_U64(st.lines, nl + (junk[(1 << 16) - 1] != '\n'));
	}
	free(junk);
	ds_graph__free(g);
}

/* Every prefix of a dump parses without harm, to a subset of the whole. */
TEST(test_dept_deps_truncation)
{
	size_t len = strlen(sample_deps), cut;
	struct ds_dept_deps_stats st;
	struct ds_graph *g;
	int err, bad = 0;
	uint32_t c, k, id;

	for (cut = 0; cut <= len; cut++) {
		REQUIRE(!ds_graph__new(&g));
		err = ds_dept_deps__parse(g, sample_deps, cut, &st);
		if (err && err != -ENODATA && err != -EINVAL)
			bad++;
		/* a cut line is never taken for a shorter name */
		if (cut && sample_deps[cut - 1] != '\n' && !st.truncated)
			bad++;
		for (c = 0; c < ds_graph__nr_classes(g); c++) {
			if (!strstr(sample_deps, ds_graph__class_name(g, c)) ||
			    !strstr(sample_deps, ds_graph__class_key(g, c)))
				bad++;
			if (strcmp(ds_graph__class_name(g, c), "&rq->__lock") &&
			    strcmp(ds_graph__class_name(g, c), "&p->pi_lock") &&
			    strcmp(ds_graph__class_name(g, c), "<sched> rcu_gp_wait"))
				bad++;
			for (k = 0; k < ds_graph__out_nr(g, c); k++) {
				id = ds_graph__out_to(g, c, k);
				/* pi_lock -> rq, rq -> pi_lock, pi_lock -> rcu, rq2 -> rq2 only */
				if (!strcmp(ds_graph__class_name(g, c), "<sched> rcu_gp_wait") ||
				    (id == c && strcmp(ds_graph__class_key(g, c),
						       "ffff8881002a3c18")))
					bad++;
			}
		}
		ds_graph__free(g);
	}
	CHECK_EQ_U64(bad, 0);
}

static int write_text(const char *file, const char *text, bool gz)
{
	gzFile z;
	FILE *f;

	if (gz) {
		z = gzopen(file, "wb");
		if (!z)
			return -1;
		gzputs(z, text);
		return gzclose(z) == Z_OK ? 0 : -1;
	}
	f = fopen(file, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) ? -1 : 0;
}

TEST(test_dept_deps_load)
{
	struct ds_dept_deps_stats st;
	struct ds_graph *g;
	char plain[512], gz[512], cut[512];

	snprintf(plain, sizeof(plain), "%s/deps.txt", ds_test_tmpdir());
	snprintf(gz, sizeof(gz), "%s/deps.txt.gz", ds_test_tmpdir());
	snprintf(cut, sizeof(cut), "%s/deps-cut.txt", ds_test_tmpdir());
	REQUIRE(!write_text(plain, sample_deps, false));
	REQUIRE(!write_text(gz, sample_deps, true));
	REQUIRE(!write_text(cut, "All classes:\n\n[ffff8881002a3c10] &rq->__lock\n"
			    " -> [ffff8881002a3d20] &p->pi", false));

	REQUIRE(!ds_graph__new(&g));
	CHECK(!ds_dept_deps__load(g, plain, &st));
	CHECK(st.classes == 4 && st.deps == 4 && !st.truncated);
	ds_graph__free(g);
	REQUIRE(!ds_graph__new(&g));
	CHECK(!ds_dept_deps__load(g, gz, &st));
	CHECK(st.classes == 4 && st.deps == 4 && !st.truncated);
	CHECK_EQ_U64(ds_graph__nr_edges(g), 4);
	ds_graph__free(g);
	REQUIRE(!ds_graph__new(&g));
	CHECK(!ds_dept_deps__load(g, cut, &st));
	CHECK(st.truncated && st.classes == 1 && st.deps == 0);
	CHECK(ds_dept_deps__load(g, "/nonexistent/deps", &st) == -ENOENT);
	CHECK(ds_dept_deps__load(g, ds_test_tmpdir(), &st) == -EISDIR);
	ds_graph__free(g);
	unlink(plain);
	unlink(gz);
	unlink(cut);
}

/* Keeping the newest classes: names, edges, details, counts and cycles survive. */
TEST(test_graph_keep_newest)
{
	struct ds_graph_dep d1 = { .wait_fn = "w1", .event_fn = "e1", .ctx = 'A', .source = "s" };
	struct ds_graph_dep d2 = { .wait_fn = "w2", .event_fn = "e2", .ctx = 'B', .source = "s" };
	struct ds_graph_dep got;
	uint32_t id[10], remap[10], i, e, cnt;
	struct ds_graph *g;
	char name[16];
	bool cyc;

	REQUIRE(ds_graph__new(&g) == 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "k%u", i);
		REQUIRE(ds_graph__class(g, name, i == 7 ? "key7" : NULL, i == 8 ? 3 : -1,
					&id[i]) == 0);
	}
	/* 0->1->...->9, a cycle 6->7->8->6 among the kept, one 1->2->1 among the gone */
	for (i = 0; i < 9; i++)
		REQUIRE(ds_graph__add_edge(g, id[i], id[i + 1], &d1, &cyc, NULL) == 0);
	REQUIRE(ds_graph__add_edge(g, id[8], id[6], &d1, &cyc, NULL) == 0);
	CHECK(cyc);
	REQUIRE(ds_graph__add_edge(g, id[2], id[1], &d1, &cyc, NULL) == 0);
	CHECK(cyc);
	/* edge 6->7 has two details, the first seen three times */
	REQUIRE(ds_graph__add_edge(g, id[6], id[7], &d1, &cyc, NULL) == 0);
	REQUIRE(ds_graph__add_edge(g, id[6], id[7], &d1, &cyc, NULL) == 0);
	REQUIRE(ds_graph__add_edge(g, id[6], id[7], &d2, &cyc, NULL) == 0);
	CHECK_EQ_U64(ds_graph__nr_cycle_adds(g), 5);

	REQUIRE(ds_graph__keep_newest(g, 5, remap) == 0);
	CHECK_EQ_U64(ds_graph__nr_classes(g), 5);
	for (i = 0; i < 10; i++)
		CHECK_EQ_U64(remap[i], i < 5 ? DS_GRAPH_NONE : i - 5);
	CHECK_EQ_STR(ds_graph__class_name(g, 0), "k5");
	CHECK_EQ_STR(ds_graph__class_key(g, 2), "key7");
	CHECK_EQ_U64(ds_graph__class_sub(g, 3), 3);
	CHECK(ds_graph__class_sub(g, 0) == -1);
	/* 5->6, 6->7, 7->8, 8->9, 8->6 */
	CHECK_EQ_U64(ds_graph__nr_edges(g), 5);
	CHECK(ds_graph__same_scc(g, 1, 3) && ds_graph__same_scc(g, 2, 3));
	CHECK(!ds_graph__same_scc(g, 0, 1));
	e = ds_graph__edge_find(g, 1, 2);
	REQUIRE(e != DS_GRAPH_NONE);
	CHECK_EQ_U64(ds_graph__edge_count(g, e), 4);
	REQUIRE(ds_graph__edge_detail(g, e, 0, &got, &cnt) == 0);
	CHECK_EQ_STR(got.wait_fn, "w1");
	CHECK_EQ_U64(cnt, 3);
	REQUIRE(ds_graph__edge_detail(g, e, 1, &got, &cnt) == 0);
	CHECK_EQ_STR(got.event_fn, "e2");
	CHECK(got.ctx == 'B');
	CHECK_EQ_U64(cnt, 1);
	CHECK(ds_graph__edge_detail(g, e, 2, &got, &cnt) == -ENOENT);
	CHECK_EQ_U64(ds_graph__nr_cycle_adds(g), 5);
	CHECK(ds_graph__find_class(g, "k1", NULL, -1, &i) == -ENOENT);
	/* the rebuilt graph goes on finding cycles: 9->5 closes 5..9 */
	REQUIRE(ds_graph__add_edge(g, 4, 0, &d1, &cyc, NULL) == 0);
	CHECK(cyc);
	CHECK(ds_graph__same_scc(g, 0, 4));
	/* a cap above the size changes nothing */
	REQUIRE(ds_graph__keep_newest(g, 100, remap) == 0);
	CHECK_EQ_U64(ds_graph__nr_classes(g), 5);
	CHECK_EQ_U64(remap[4], 4);
	ds_graph__free(g);
}
