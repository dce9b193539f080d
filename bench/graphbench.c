// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * graphbench: cost of adding dependencies with a cycle check each, the way
 * /proc/dept_deps dumps and report streams feed lib/graph.c.
 *
 * The input is random with a fixed seed: classes sit in a hidden order
 * unrelated to their ids (so the engine's first topological order is
 * wrong), most edges go forward in that order by a short random span,
 * and one in 1000 closes a cycle: the reverse of an edge added shortly
 * before (always a cycle) or a short backward jump (a cycle when a path
 * exists).  Every cycle found asks for its path too.
 *
 * The peer is the check DEPT itself does: a search from the new wait class
 * over everything it reaches ("naive DFS per edge"), run on a prefix of
 * the same edges because it is quadratic; both answers are compared edge
 * by edge and must agree.
 *
 * Prints one line per measurement; exit status 0, 1 when the two disagree,
 * 2 on error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "bench.h"
#include "deptscope/graph.h"

struct edge {
	uint32_t from, to;
};

static uint64_t rng_state = 0x5eed0dec0de5eedULL;

static uint64_t rnd(void)
{
	return bench_rnd(&rng_state);
}

static struct edge *make_edges(uint32_t classes, uint32_t nr)
{
	uint32_t *at = malloc((size_t)classes * sizeof(*at)), i, j, t, span;
	struct edge *e = malloc((size_t)nr * sizeof(*e));
	uint64_t r;

	if (!at || !e) {
		free(at);
		free(e);
		return NULL;
	}
	/* at[position in the hidden order] = class id */
	for (i = 0; i < classes; i++)
		at[i] = i;
	for (i = classes - 1; i > 0; i--) {
		j = (uint32_t)(rnd() % (i + 1));
		t = at[i];
		at[i] = at[j];
		at[j] = t;
	}
	for (i = 0; i < nr; i++) {
		r = rnd();
		if (r % 1000 == 0 && i > 16) {
			if (r & 0x1000) {
				/* reverse a recent edge: always a cycle */
				e[i].from = e[i - 1 - (r >> 32) % 16].to;
				e[i].to = e[i - 1 - (r >> 32) % 16].from;
			} else {
				j = (uint32_t)((r >> 16) % (classes - 16)) + 16;
				span = 1 + (uint32_t)((r >> 40) % 16);
				e[i].from = at[j];
				e[i].to = at[j - span];
			}
			continue;
		}
		j = (uint32_t)((r >> 16) % (classes - 1));
		span = 1 + (uint32_t)((r >> 48) % 64);
		if (j + span >= classes)
			span = classes - 1 - j;
		e[i].from = at[j];
		e[i].to = at[j + span];
	}
	free(at);
	return e;
}

/* ---- the peer: adjacency arrays and one search per edge ---- */

struct naive {
	uint32_t **out, *nr, *cap;
	uint32_t *mark, *stack, epoch;
};

static int naive_init(struct naive *n, uint32_t classes)
{
	n->out = calloc(classes, sizeof(*n->out));
	n->nr = calloc(classes, sizeof(*n->nr));
	n->cap = calloc(classes, sizeof(*n->cap));
	n->mark = calloc(classes, sizeof(*n->mark));
	n->stack = malloc((size_t)classes * sizeof(*n->stack));
	n->epoch = 0;
	return n->out && n->nr && n->cap && n->mark && n->stack ? 0 : -ENOMEM;
}

static void naive_free(struct naive *n, uint32_t classes)
{
	uint32_t i;

	for (i = 0; n->out && i < classes; i++)
		free(n->out[i]);
	free(n->out);
	free(n->nr);
	free(n->cap);
	free(n->mark);
	free(n->stack);
}

/* Add u -> v unless it is there. */
static int naive_link(struct naive *n, uint32_t u, uint32_t v)
{
	uint32_t i, *q;

	for (i = 0; i < n->nr[u]; i++)
		if (n->out[u][i] == v)
			return 0;
	if (n->nr[u] == n->cap[u]) {
		n->cap[u] = n->cap[u] ? n->cap[u] * 2 : 4;
		q = realloc(n->out[u], n->cap[u] * sizeof(*q));
		if (!q)
			return -ENOMEM;
		n->out[u] = q;
	}
	n->out[u][n->nr[u]++] = v;
	return 0;
}

/* Does @v reach @u (then u -> v closes a cycle)?  Searches, then adds the edge. */
static int naive_add(struct naive *n, uint32_t u, uint32_t v, bool *cycle)
{
	uint32_t sp = 0, x, i, y;

	*cycle = false;
	n->epoch++;
	n->stack[sp++] = v;
	n->mark[v] = n->epoch;
	while (sp) {
		x = n->stack[--sp];
		if (x == u) {
			*cycle = true;
			break;
		}
		for (i = 0; i < n->nr[x]; i++) {
			y = n->out[x][i];
			if (n->mark[y] != n->epoch) {
				n->mark[y] = n->epoch;
				n->stack[sp++] = y;
			}
		}
	}
	return naive_link(n, u, v);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: graphbench [--classes N] [--edges N] [--tail N] [--naive-seconds S]\n");
}

static void add_classes(struct ds_graph *g, uint32_t classes)
{
	char name[32];
	uint32_t i, id;

	for (i = 0; i < classes; i++) {
		snprintf(name, sizeof(name), "class%u", i);
		if (ds_graph__class(g, name, NULL, -1, &id) || id != i) {
			fprintf(stderr, "graphbench: cannot add class %u\n", i);
			exit(2);
		}
	}
}

/* The naive peer on edges [from, to): checks timed, answers compared; stops at @budget s. */
static uint32_t naive_run(struct naive *nv, const struct edge *edges, uint32_t from, uint32_t to,
			  const bool *engine, double budget, double *secs, uint64_t *cycles,
			  uint64_t *mismatches)
{
	double t0 = bench_now_s();
	uint32_t i;
	bool cyc;

	for (i = from; i < to; i++) {
		if (naive_add(nv, edges[i].from, edges[i].to, &cyc)) {
			fprintf(stderr, "graphbench: out of memory\n");
			exit(2);
		}
		*cycles += cyc;
		*mismatches += cyc != engine[i];
		/* it is quadratic: stop at the time budget, compare on what it did */
		if (((i - from) & 63) == 63 && bench_now_s() - t0 > budget) {
			i++;
			break;
		}
	}
	*secs = bench_now_s() - t0;
	return i - from;
}

/* The engine's time for edges [0, @n) on a fresh graph. */
static double engine_prefix(const struct edge *edges, uint32_t classes, uint32_t n,
			    uint64_t *cycles)
{
	struct ds_graph_cycle path = { 0 };
	struct ds_graph *g;
	double t0;
	uint32_t i;
	bool cyc;

	if (ds_graph__new(&g))
		exit(2);
	add_classes(g, classes);
	*cycles = 0;
	t0 = bench_now_s();
	for (i = 0; i < n; i++) {
		ds_graph__add_edge(g, edges[i].from, edges[i].to, NULL, &cyc, &path);
		*cycles += cyc;
	}
	t0 = bench_now_s() - t0;
	ds_graph__free(g);
	ds_graph_cycle__free(&path);
	return t0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "classes", required_argument, NULL, 'c' },
		{ "edges", required_argument, NULL, 'e' },
		{ "tail", required_argument, NULL, 't' },
		{ "naive-seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t classes = 100000, nr = 1000000, tail = 1000, i, done;
	uint64_t cycles = 0, n_cyc = 0, e_cyc = 0, bad = 0, bad_total = 0;
	double budget = 10, t0, t_engine, t_tail = 0, t_naive, t_prefix, rss;
	struct ds_graph_cycle path = { 0 };
	struct ds_graph *g = NULL;
	struct naive nv = { 0 };
	struct edge *edges;
	bool *engine_says, cyc;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "c:e:t:s:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			classes = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			nr = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			tail = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
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
	if (classes < 64 || !nr) {
		fprintf(stderr, "graphbench: need at least 64 classes and 1 edge\n");
		return 2;
	}
	if (tail > nr)
		tail = nr;
	edges = make_edges(classes, nr);
	engine_says = calloc(nr, sizeof(*engine_says));
	if (!edges || !engine_says || ds_graph__new(&g)) {
		fprintf(stderr, "graphbench: out of memory\n");
		return 2;
	}
	add_classes(g, classes);

	t0 = bench_now_s();
	for (i = 0; i < nr; i++) {
		if (i == nr - tail)
			t_tail = bench_now_s();
		err = ds_graph__add_edge(g, edges[i].from, edges[i].to, NULL, &cyc, &path);
		if (err) {
			fprintf(stderr, "graphbench: edge %u: %s\n", i, strerror(-err));
			return 2;
		}
		cycles += cyc;
		engine_says[i] = cyc;
	}
	t_engine = bench_now_s() - t0;
	t_tail = bench_now_s() - t_tail;
	rss = (bench_peak_rss_kib() / 1024.0);
	printf("graph: %u edges among %u classes: %.2f us/edge, peak RSS %.0f MiB\n", nr, classes,
	       t_engine * 1e6 / nr, rss);
	printf("graph: %u distinct edges, %llu closed a cycle, engine memory %.1f MiB\n",
	       ds_graph__nr_edges(g), (unsigned long long)cycles,
	       ds_graph__mem_bytes(g) / 1048576.0);
	ds_graph__free(g);
	ds_graph_cycle__free(&path);

	/* the peer from the start, as far as the budget goes */
	if (naive_init(&nv, classes)) {
		fprintf(stderr, "graphbench: out of memory\n");
		return 2;
	}
	done = naive_run(&nv, edges, 0, nr, engine_says, budget, &t_naive, &n_cyc, &bad);
	bad_total += bad;
	t_prefix = engine_prefix(edges, classes, done, &e_cyc);
	printf("graph: naive DFS per edge: first %u edges (%.0f s budget): %.2f us/edge; engine on "
	       "the same edges: %.2f us/edge (%.0fx faster); cycles %llu and %llu, %llu "
	       "disagreements\n", done, budget, t_naive * 1e6 / done, t_prefix * 1e6 / done,
	       t_naive / t_prefix, (unsigned long long)n_cyc, (unsigned long long)e_cyc,
	       (unsigned long long)bad);

	/* and at the end, where the graph is dense: the rest added unchecked first */
	if (done < nr - tail) {
		for (i = done; i < nr - tail; i++)
			if (naive_link(&nv, edges[i].from, edges[i].to))
				return 2;
		n_cyc = bad = 0;
		done = naive_run(&nv, edges, nr - tail, nr, engine_says, budget, &t_naive, &n_cyc,
				 &bad);
		bad_total += bad;
		e_cyc = 0;
		for (i = nr - tail; i < nr - tail + done; i++)
			e_cyc += engine_says[i];
		printf("graph: naive DFS per edge: %u edges after the first %u: %.2f us/edge; "
		       "engine on the same edges: %.2f us/edge (%.0fx faster); cycles %llu and "
		       "%llu, %llu disagreements\n", done, nr - tail, t_naive * 1e6 / done,
		       t_tail * 1e6 / tail, t_naive * 1e6 / done / (t_tail * 1e6 / tail),
		       (unsigned long long)n_cyc, (unsigned long long)e_cyc,
		       (unsigned long long)bad);
	}
	naive_free(&nv, classes);
	free(engine_says);
	free(edges);
	return bad_total ? 1 : 0;
}
