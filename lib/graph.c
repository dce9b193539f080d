// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dependency graph engine: interned classes, deduplicated edges with
 * their details, cycle detection as each edge arrives, strongly connected
 * components and the subgraphs we export.
 *
 * Cycle detection.  DEPT itself runs a BFS from the new wait class for
 * every new dependency.  That costs O(V + E) whenever the answer is "no
 * cycle", which is nearly always, so a million edges would take hours.  A
 * search bounded only by a visited-epoch array has the same problem: it
 * cannot stop early on a "no".  A dynamic topological order (Pearce and
 * Kelly) prunes the "no"s, but only once the order is nearly right: with
 * classes arriving in an order unrelated to the dependencies, as dumps
 * and reports give them, each misplaced edge searches everything between
 * the two positions; that was 600 us per edge on bench/graphbench.c.
 *
 * So we use the two-way search of Bender, Fineman, Gilbert and Tarjan ("A
 * new approach to incremental cycle detection and related problems", TALG
 * 2016, section 2), O(sqrt(m)) amortised per edge, on the components of
 * the graph: every cycle found is contracted into one component (union-
 * find plus a member list).  The paper's algorithm refuses such an edge;
 * we keep it.  Each component has a level; every edge between components
 * goes from a level to the same or a higher one, and each component lists
 * the edges reaching it from its own level.  For a new edge a -> b between
 * components A and B:
 *  - A == B: on a cycle already; level(A) < level(B): no cycle possible;
 *  - otherwise search backward from A through same-level edges only,
 *    scanning at most delta = sqrt(m) of them.  Reaching B is a cycle;
 *    finishing with level(B) == level(A) is "no cycle";
 *  - otherwise raise B to level(A) (level(A) + 1 if the backward search
 *    was cut short) and search forward from B, raising each component
 *    found below that level.  Reaching A or the backward set is a cycle.
 *    Levels only grow, which pays for the forward searches.
 * A cycle's components all end up on one level; those reachable from B
 * that reach A become one.  Searches are worklists, never recursion;
 * marks are epochs, so nothing is cleared between edges.  Scratch space
 * is reserved before anything changes, so -ENOMEM leaves the graph as it
 * was; a same-level list that cannot grow falls back to scanning all the
 * component's in-edges.
 *
 * Layout.  What a search step reads of a class (union-find parent, level,
 * mark, next member) sits in one 16-byte record, and neighbours are
 * arrays of class ids, so one step costs one cache miss, not four.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept.h"
#include "deptscope/graph.h"

#define NONE		DS_GRAPH_NONE
#define MAX_IDS		(1u << 31)	/* arrays double up to this many entries */
#define F_AMBIGUOUS	1u		/* another class has this name and subclass */
#define F_IN_LOST	2u		/* the same-level list could not grow: scan all in-edges */
#define PREFETCH	8		/* neighbours ahead whose search record is fetched early */

struct gnode {
	uint32_t name, key;	/* string arena offsets, 0: "" */
	int32_t sub;
	uint32_t flags;
};

/* Neighbour class ids, in edge creation order. */
struct adj {
	uint32_t *v;
	uint32_t nr, cap;
};

/* What every search step reads: one record per class. */
struct ghot {
	uint32_t uf;		/* union-find parent; a representative is its own */
	uint32_t level;		/* representatives: never decreases */
	uint32_t markb;		/* == epoch: in this backward search */
	uint32_t mnext;		/* next member of the component, NONE; the rep comes first */
};

struct gcold {
	uint32_t mtail;		/* representatives: last member */
	uint32_t csize;		/* representatives: members */
	uint32_t markf;		/* == epoch: seen by this forward search */
	uint32_t parent;	/* BFS parent of cycle paths */
};

struct gedge {
	uint32_t from, to;
	uint32_t detail;	/* first detail */
};

struct gdetail {
	uint32_t tuple;
	uint32_t count;		/* saturates */
	uint32_t next;		/* NONE: last */
};

struct gtuple {
	uint32_t wait, event, source;
	char ctx;
};

/* Open addressing, linear probing; a slot holds an entry + 1 (strings: the offset). */
struct htab {
	uint32_t *slots;
	uint32_t mask;
	uint32_t len;
};

struct vec {
	uint32_t *v;
	uint32_t nr, cap;
};

struct ds_graph {
	struct gnode *nodes;
	struct adj *out, *in;
	struct ghot *hot;
	struct gcold *cold;
	struct adj *same;	/* representatives: the classes of edges into it from its level */
	uint32_t nr_nodes, cap_nodes;
	struct gedge *edges;
	uint32_t nr_edges, cap_edges;
	struct gdetail *details;
	uint32_t nr_details, cap_details;
	struct gtuple *tuples;
	uint32_t nr_tuples, cap_tuples;
	char *str;
	uint32_t str_len, str_cap;
	struct htab strs, classes, names, edge_tab, tuple_tab;
	uint32_t epoch;
	uint64_t cycle_adds;
	uint32_t delta, delta_edges;	/* sqrt(edges), recomputed as they double */
	struct vec fwd, bwd;	/* scratch, one entry per class reserved before a search */
};

/* ---- hashing and tables ---- */

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return mix64(h);
}

static inline uint64_t hash_class(uint32_t name, uint32_t key, int32_t sub)
{
	return mix64(((uint64_t)name << 32 | key) ^ mix64((uint64_t)(uint32_t)sub + 1));
}

static inline uint64_t hash_name(uint32_t name, int32_t sub)
{
	return mix64((uint64_t)name << 32 | (uint32_t)sub);
}

static inline uint64_t hash_edge(uint32_t from, uint32_t to)
{
	return mix64((uint64_t)from << 32 | to);
}

static inline uint64_t hash_tuple(const struct gtuple *t)
{
	return mix64(((uint64_t)t->wait << 32 | t->event) ^
		     mix64((uint64_t)t->source << 8 | (unsigned char)t->ctx));
}

typedef uint64_t (*slot_hash_fn)(const struct ds_graph *g, uint32_t slot);

static uint64_t strs_slot_hash(const struct ds_graph *g, uint32_t v)
{
	return hash_str(g->str + v);
}

static uint64_t classes_slot_hash(const struct ds_graph *g, uint32_t v)
{
	const struct gnode *n = &g->nodes[v - 1];

	return hash_class(n->name, n->key, n->sub);
}

static uint64_t names_slot_hash(const struct ds_graph *g, uint32_t v)
{
	const struct gnode *n = &g->nodes[v - 1];

	return hash_name(n->name, n->sub);
}

static uint64_t edges_slot_hash(const struct ds_graph *g, uint32_t v)
{
	const struct gedge *e = &g->edges[v - 1];

	return hash_edge(e->from, e->to);
}

static uint64_t tuples_slot_hash(const struct ds_graph *g, uint32_t v)
{
	return hash_tuple(&g->tuples[v - 1]);
}

/* Room for @want entries at a load of at most 3/4. */
static int htab_reserve(const struct ds_graph *g, struct htab *t, uint64_t want,
			slot_hash_fn hash)
{
	uint64_t cap = t->slots ? (uint64_t)t->mask + 1 : 0, ncap, i, j;
	uint32_t *ns;

	if (want * 4 <= cap * 3)
		return 0;
	ncap = cap ? cap * 2 : 16;
	while (want * 4 > ncap * 3)
		ncap *= 2;
	if (ncap > (1ULL << 32))
		return -E2BIG;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < cap; i++) {
		if (!t->slots[i])
			continue;
		j = hash(g, t->slots[i]) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->mask = (uint32_t)(ncap - 1);
	return 0;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	uint64_t ncap = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (ncap > MAX_IDS)
		return -E2BIG;
	q = realloc(*p, ncap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = (uint32_t)ncap;
	return 0;
}

/* ---- strings ---- */

/* The offset of @s in the arena, interned on first use; "" and NULL are 0. */
static int str_intern(struct ds_graph *g, const char *s, uint32_t *off)
{
	size_t n;
	uint32_t i;
	int err;

	*off = 0;
	if (!s || !*s)
		return 0;
	n = strlen(s);
	if (n >= UINT32_MAX - g->str_len - 1)
		return -E2BIG;
	err = htab_reserve(g, &g->strs, (uint64_t)g->strs.len + 1, strs_slot_hash);
	if (err)
		return err;
	for (i = hash_str(s) & g->strs.mask; g->strs.slots[i]; i = (i + 1) & g->strs.mask) {
		if (!strcmp(g->str + g->strs.slots[i], s)) {
			*off = g->strs.slots[i];
			return 0;
		}
	}
	if (g->str_len + n + 1 > g->str_cap) {
		uint64_t ncap = g->str_cap ? g->str_cap : 4096;
		char *ns;

		while (ncap < (uint64_t)g->str_len + n + 1)
			ncap *= 2;
		if (ncap > UINT32_MAX)
			ncap = UINT32_MAX;
		ns = realloc(g->str, ncap);
		if (!ns)
			return -ENOMEM;
		g->str = ns;
		g->str_cap = (uint32_t)ncap;
	}
	*off = g->str_len;
	memcpy(g->str + g->str_len, s, n + 1);
	g->str_len += (uint32_t)n + 1;
	g->strs.slots[i] = *off;
	g->strs.len++;
	return 0;
}

/* Offset of @s without interning it; NONE when absent. */
static uint32_t str_find(const struct ds_graph *g, const char *s)
{
	uint32_t i;

	if (!s || !*s)
		return 0;
	if (!g->strs.slots)
		return NONE;
	for (i = hash_str(s) & g->strs.mask; g->strs.slots[i]; i = (i + 1) & g->strs.mask)
		if (!strcmp(g->str + g->strs.slots[i], s))
			return g->strs.slots[i];
	return NONE;
}

/* ---- life cycle ---- */

int ds_graph__new(struct ds_graph **out)
{
	struct ds_graph *g;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->str = malloc(4096);
	if (!g->str) {
		free(g);
		return -ENOMEM;
	}
	g->str[0] = '\0';
	g->str_len = 1;
	g->str_cap = 4096;
	g->epoch = 1;
	*out = g;
	return 0;
}

void ds_graph__free(struct ds_graph *g)
{
	uint32_t i;

	if (!g)
		return;
	for (i = 0; i < g->nr_nodes; i++) {
		free(g->out[i].v);
		free(g->in[i].v);
		free(g->same[i].v);
	}
	free(g->nodes);
	free(g->out);
	free(g->in);
	free(g->hot);
	free(g->cold);
	free(g->same);
	free(g->edges);
	free(g->details);
	free(g->tuples);
	free(g->str);
	free(g->strs.slots);
	free(g->classes.slots);
	free(g->names.slots);
	free(g->edge_tab.slots);
	free(g->tuple_tab.slots);
	free(g->fwd.v);
	free(g->bwd.v);
	free(g);
}

void ds_graph_cycle__free(struct ds_graph_cycle *c)
{
	free(c->ids);
	c->ids = NULL;
	c->nr = c->cap = 0;
}

/* Every per-class array grows together; a failure leaves some bigger, which is harmless. */
static int nodes_reserve(struct ds_graph *g)
{
	struct {
		void **p;
		size_t size;
	} arrays[] = {
		{ (void **)&g->out, sizeof(*g->out) },
		{ (void **)&g->in, sizeof(*g->in) },
		{ (void **)&g->hot, sizeof(*g->hot) },
		{ (void **)&g->cold, sizeof(*g->cold) },
		{ (void **)&g->same, sizeof(*g->same) },
	};
	uint32_t cap = g->cap_nodes;
	size_t i;
	void *q;
	int err;

	if (g->nr_nodes < cap)
		return 0;
	err = grow((void **)&g->nodes, &cap, g->nr_nodes + 1, sizeof(*g->nodes));
	if (err)
		return err;
	for (i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
		q = realloc(*arrays[i].p, (size_t)cap * arrays[i].size);
		if (!q)
			return -ENOMEM;
		*arrays[i].p = q;
	}
	g->cap_nodes = cap;
	return 0;
}

static void clamp_sub(int *sub)
{
	if (*sub < -1)
		*sub = -1;
}

int ds_graph__class(struct ds_graph *g, const char *name, const char *key, int sub,
		    uint32_t *id)
{
	uint32_t n, k, i, j, id_new;
	struct gnode *node;
	int err;

	if (!g || !name || !*name || !id)
		return -EINVAL;
	clamp_sub(&sub);
	err = str_intern(g, name, &n);
	if (!err)
		err = str_intern(g, key, &k);
	if (!err)
		err = htab_reserve(g, &g->classes, (uint64_t)g->nr_nodes + 1, classes_slot_hash);
	if (err)
		return err;
	for (i = hash_class(n, k, sub) & g->classes.mask; g->classes.slots[i];
	     i = (i + 1) & g->classes.mask) {
		node = &g->nodes[g->classes.slots[i] - 1];
		if (node->name == n && node->key == k && node->sub == sub) {
			*id = g->classes.slots[i] - 1;
			return 0;
		}
	}
	if (g->nr_nodes >= MAX_IDS - 1)
		return -E2BIG;
	err = nodes_reserve(g);
	if (!err)
		err = htab_reserve(g, &g->names, (uint64_t)g->names.len + 1, names_slot_hash);
	if (err)
		return err;
	id_new = g->nr_nodes++;
	node = &g->nodes[id_new];
	*node = (struct gnode){ n, k, sub, 0 };
	g->out[id_new] = g->in[id_new] = g->same[id_new] = (struct adj){ NULL, 0, 0 };
	g->hot[id_new] = (struct ghot){ id_new, 0, 0, NONE };
	g->cold[id_new] = (struct gcold){ id_new, 1, 0, NONE };
	g->classes.slots[i] = id_new + 1;
	g->classes.len++;
	*id = id_new;
	/* another class of this name and subclass: labels must show their keys */
	for (j = hash_name(n, sub) & g->names.mask; g->names.slots[j];
	     j = (j + 1) & g->names.mask) {
		struct gnode *first = &g->nodes[g->names.slots[j] - 1];

		if (first->name == n && first->sub == sub) {
			first->flags |= F_AMBIGUOUS;
			node->flags |= F_AMBIGUOUS;
			return 0;
		}
	}
	g->names.slots[j] = id_new + 1;
	g->names.len++;
	return 0;
}

int ds_graph__find_class(const struct ds_graph *g, const char *name, const char *key, int sub,
			 uint32_t *id)
{
	uint32_t n, k, i;

	if (!g || !name || !id)
		return -EINVAL;
	clamp_sub(&sub);
	n = str_find(g, name);
	k = str_find(g, key);
	if (n == NONE || k == NONE || !g->classes.slots)
		return -ENOENT;
	for (i = hash_class(n, k, sub) & g->classes.mask; g->classes.slots[i];
	     i = (i + 1) & g->classes.mask) {
		const struct gnode *node = &g->nodes[g->classes.slots[i] - 1];

		if (node->name == n && node->key == k && node->sub == sub) {
			*id = g->classes.slots[i] - 1;
			return 0;
		}
	}
	return -ENOENT;
}

size_t ds_graph__find_name(const struct ds_graph *g, const char *name, uint32_t *ids,
			   size_t max)
{
	uint32_t n, nsub = NONE, i;
	const char *colon;
	char *base;
	int sub = -1;
	size_t found = 0;

	if (!g || !name || !*name)
		return 0;
	n = str_find(g, name);
	/* "name:N": subclass N of "name" */
	colon = strrchr(name, ':');
	if (colon && colon > name && colon[1] && strlen(colon + 1) < 6 &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		sub = atoi(colon + 1);
		base = strndup(name, (size_t)(colon - name));
		if (base)
			nsub = str_find(g, base);
		free(base);
	}
	for (i = 0; i < g->nr_nodes; i++) {
		const struct gnode *node = &g->nodes[i];

		if ((n != NONE && node->name == n) ||
		    (nsub != NONE && node->name == nsub && node->sub == sub)) {
			if (found < max)
				ids[found] = i;
			found++;
		}
	}
	return found;
}

/* ---- components ---- */

static inline uint32_t comp_find(struct ds_graph *g, uint32_t x)
{
	struct ghot *h = g->hot;

	while (h[x].uf != x) {
		h[x].uf = h[h[x].uf].uf;
		x = h[x].uf;
	}
	return x;
}

static inline uint32_t comp_find_const(const struct ds_graph *g, uint32_t x)
{
	while (g->hot[x].uf != x)
		x = g->hot[x].uf;
	return x;
}

static void comp_union(struct ds_graph *g, uint32_t r, uint32_t x)
{
	g->hot[x].uf = r;
	g->hot[g->cold[r].mtail].mnext = x;
	g->cold[r].mtail = g->cold[x].mtail;
	g->cold[r].csize += g->cold[x].csize;
}

static uint32_t epoch_next(struct ds_graph *g)
{
	uint32_t i;

	if (g->epoch == UINT32_MAX) {
		for (i = 0; i < g->nr_nodes; i++)
			g->hot[i].markb = g->cold[i].markf = 0;
		g->epoch = 0;
	}
	return ++g->epoch;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Room for one more neighbour, before anything changes. */
static int adj_reserve(struct adj *a)
{
	uint32_t ncap;
	void *q;

	if (a->nr < a->cap)
		return 0;
	ncap = a->cap ? a->cap * 2 : 2;
	if (ncap > MAX_IDS)
		return -E2BIG;
	q = realloc(a->v, (size_t)ncap * sizeof(*a->v));
	if (!q)
		return -ENOMEM;
	a->v = q;
	a->cap = ncap;
	return 0;
}

/* ---- two-way search over components ---- */

static void same_clear(struct ds_graph *g, uint32_t x)
{
	g->same[x].nr = 0;
	g->nodes[x].flags &= ~F_IN_LOST;
}

/* An edge from class @from comes into rep @x from its level; if the list cannot grow, scan. */
static void same_add(struct ds_graph *g, uint32_t x, uint32_t from)
{
	if (g->nodes[x].flags & F_IN_LOST)
		return;
	if (adj_reserve(&g->same[x])) {
		g->nodes[x].flags |= F_IN_LOST;
		return;
	}
	g->same[x].v[g->same[x].nr++] = from;
}

static uint32_t isqrt(uint64_t n)
{
	uint64_t x = n, y = (x + 1) / 2;

	while (y < x) {
		x = y;
		y = (x + n / x) / 2;
	}
	return (uint32_t)x;
}

/* An edge from class @from into rep @x in a backward search: list its rep, if new. */
static inline void back_step(struct ds_graph *g, uint32_t x, uint32_t from, uint32_t target,
			     uint32_t ep, bool *found)
{
	uint32_t y = comp_find(g, from);

	if (y == x || g->hot[y].level != g->hot[x].level)
		return;
	if (y == target)
		*found = true;
	if (g->hot[y].markb == ep)
		return;
	g->hot[y].markb = ep;
	g->bwd.v[g->bwd.nr++] = y;	/* reserved: one entry per class */
}

/*
 * Backward from rep @a through same-level edges, marking what reaches it
 * (markb == @ep, listed in g->bwd); stops at @target or after @limit edges
 * (*@early).  Returns whether @target was reached.
 */
static bool search_back(struct ds_graph *g, uint32_t a, uint32_t target, uint32_t ep,
			uint64_t limit, bool *early)
{
	uint64_t scanned = 0;
	bool found = false;
	uint32_t i, k, x, m;

	*early = false;
	g->bwd.nr = 0;
	g->bwd.v[g->bwd.nr++] = a;
	g->hot[a].markb = ep;
	for (i = 0; i < g->bwd.nr && !found && !*early; i++) {
		x = g->bwd.v[i];
		if (!(g->nodes[x].flags & F_IN_LOST)) {
			for (k = 0; k < g->same[x].nr && !found && !*early; k++) {
				if (k + PREFETCH < g->same[x].nr)
					__builtin_prefetch(&g->hot[g->same[x].v[k + PREFETCH]]);
				back_step(g, x, g->same[x].v[k], target, ep, &found);
				*early = ++scanned >= limit;
			}
			continue;
		}
		for (m = x; m != NONE && !found && !*early; m = g->hot[m].mnext) {
			for (k = 0; k < g->in[m].nr && !found && !*early; k++) {
				back_step(g, x, g->in[m].v[k], target, ep, &found);
				*early = ++scanned >= limit;
			}
		}
	}
	if (found)
		*early = false;
	return found;
}

/*
 * Raise rep @b to @lvl and everything it reaches below @lvl with it,
 * keeping the same-level lists.  Returns whether it reached rep @a or
 * (unless @early) the backward set marked with @ep: a cycle.  The search
 * goes on after that: the levels must be right for every edge.
 */
static bool search_forward(struct ds_graph *g, uint32_t a, uint32_t b, uint32_t ep,
			   uint32_t lvl, bool early)
{
	uint32_t i, k, x, y, m;
	bool cycle = false;

	g->hot[b].level = lvl;
	same_clear(g, b);
	g->fwd.nr = 0;
	g->fwd.v[g->fwd.nr++] = b;
	for (i = 0; i < g->fwd.nr; i++) {
		x = g->fwd.v[i];
		for (m = x; m != NONE; m = g->hot[m].mnext) {
			for (k = 0; k < g->out[m].nr; k++) {
				if (k + PREFETCH < g->out[m].nr)
					__builtin_prefetch(&g->hot[g->out[m].v[k + PREFETCH]]);
				y = comp_find(g, g->out[m].v[k]);
				if (y == x)
					continue;
				if (y == a || (!early && g->hot[y].markb == ep))
					cycle = true;
				if (g->hot[y].level == lvl) {
					same_add(g, y, m);
				} else if (g->hot[y].level < lvl) {
					/* raised to lvl once per search: fwd has room */
					g->hot[y].level = lvl;
					same_clear(g, y);
					same_add(g, y, m);
					g->fwd.v[g->fwd.nr++] = y;
				}
			}
		}
	}
	return cycle;
}

/*
 * The new edge from rep @a into rep @b closed a cycle: every component on
 * a path from @b to @a is on their level now; make them one.  Backward
 * from @a finds what reaches it, forward from @b within that the path's.
 */
static void merge_cycle(struct ds_graph *g, uint32_t a, uint32_t b)
{
	uint32_t ep = epoch_next(g), i, k, x, y, m, r = NONE;
	bool early;

	search_back(g, a, NONE, ep, UINT64_MAX, &early);
	g->fwd.nr = 0;
	g->fwd.v[g->fwd.nr++] = b;
	g->cold[b].markf = ep;
	for (i = 0; i < g->fwd.nr; i++) {
		x = g->fwd.v[i];
		for (m = x; m != NONE; m = g->hot[m].mnext) {
			for (k = 0; k < g->out[m].nr; k++) {
				y = comp_find(g, g->out[m].v[k]);
				if (y == x || g->hot[y].markb != ep || g->cold[y].markf == ep)
					continue;
				g->cold[y].markf = ep;
				g->fwd.v[g->fwd.nr++] = y;
			}
		}
	}
	/* the biggest stays the representative; the others' lists join its own */
	for (i = 0; i < g->fwd.nr; i++)
		if (r == NONE || g->cold[g->fwd.v[i]].csize > g->cold[r].csize)
			r = g->fwd.v[i];
	for (i = 0; i < g->fwd.nr; i++) {
		x = g->fwd.v[i];
		if (x == r)
			continue;
		if (g->nodes[x].flags & F_IN_LOST)
			g->nodes[r].flags |= F_IN_LOST;
		for (k = 0; k < g->same[x].nr; k++)
			same_add(g, r, g->same[x].v[k]);
		free(g->same[x].v);
		g->same[x] = (struct adj){ NULL, 0, 0 };
		g->nodes[x].flags &= ~F_IN_LOST;
		comp_union(g, r, x);
	}
}

/* Room for one entry per class in the search lists, before anything changes. */
static int search_reserve(struct ds_graph *g)
{
	int err = grow((void **)&g->fwd.v, &g->fwd.cap, g->nr_nodes, sizeof(*g->fwd.v));

	if (!err)
		err = grow((void **)&g->bwd.v, &g->bwd.cap, g->nr_nodes, sizeof(*g->bwd.v));
	return err;
}

/*
 * Whether a new edge from rep @a to rep @b closes a cycle, with the levels
 * updated for it.  The edge is not linked yet.
 */
static bool levels_insert(struct ds_graph *g, uint32_t a, uint32_t b)
{
	uint32_t ep, lvl;
	bool early;

	if (a == b)
		return true;
	if (g->hot[a].level < g->hot[b].level)
		return false;
	if (g->nr_edges >= g->delta_edges) {
		g->delta = isqrt(g->nr_edges) > 16 ? isqrt(g->nr_edges) : 16;
		g->delta_edges = g->nr_edges ? g->nr_edges * 2 : 1;
	}
	ep = epoch_next(g);
	if (search_back(g, a, b, ep, g->delta, &early))
		return true;
	if (!early && g->hot[b].level == g->hot[a].level)
		return false;
	lvl = early ? g->hot[a].level + 1 : g->hot[a].level;
	return search_forward(g, a, b, ep, lvl, early);
}

/*
 * A shortest cycle through the edge u -> v, inside their component: u, v,
 * then the BFS path from v back to u.
 */
static int cycle_path(struct ds_graph *g, uint32_t u, uint32_t v, struct ds_graph_cycle *path)
{
	uint32_t r = comp_find(g, u), ep, i, k, x, y, n;
	bool found = false;
	int err;

	path->nr = 0;
	if (u == v) {
		err = grow((void **)&path->ids, &path->cap, 1, sizeof(*path->ids));
		if (err)
			return err;
		path->ids[path->nr++] = u;
		return 0;
	}
	err = search_reserve(g);
	if (err)
		return err;
	ep = epoch_next(g);
	g->fwd.nr = 0;
	g->fwd.v[g->fwd.nr++] = v;
	g->cold[v].markf = ep;
	for (i = 0; i < g->fwd.nr && !found; i++) {
		x = g->fwd.v[i];
		for (k = 0; k < g->out[x].nr; k++) {
			y = g->out[x].v[k];
			if (g->cold[y].markf == ep || comp_find(g, y) != r)
				continue;
			g->cold[y].markf = ep;
			g->cold[y].parent = x;
			if (y == u) {
				found = true;
				break;
			}
			g->fwd.v[g->fwd.nr++] = y;
		}
	}
	if (!found)
		return -EPROTO;		/* the components disagree with the edges: a bug */
	for (n = 1, x = u; x != v; x = g->cold[x].parent)
		n++;
	err = grow((void **)&path->ids, &path->cap, n, sizeof(*path->ids));
	if (err)
		return err;
	path->ids[0] = u;
	for (i = n - 1, x = g->cold[u].parent; i >= 1; i--) {
		path->ids[i] = x;	/* ids[1] is v */
		if (i > 1)
			x = g->cold[x].parent;
	}
	path->nr = n;
	return 0;
}

/* ---- edges ---- */

static int tuple_intern(struct ds_graph *g, const struct ds_graph_dep *dep, uint32_t *id)
{
	struct gtuple t = { 0 };
	uint32_t i;
	int err;

	if (dep) {
		err = str_intern(g, dep->wait_fn, &t.wait);
		if (!err)
			err = str_intern(g, dep->event_fn, &t.event);
		if (!err)
			err = str_intern(g, dep->source, &t.source);
		if (err)
			return err;
		t.ctx = dep->ctx;
	}
	err = htab_reserve(g, &g->tuple_tab, (uint64_t)g->nr_tuples + 1, tuples_slot_hash);
	if (err)
		return err;
	for (i = hash_tuple(&t) & g->tuple_tab.mask; g->tuple_tab.slots[i];
	     i = (i + 1) & g->tuple_tab.mask) {
		const struct gtuple *o = &g->tuples[g->tuple_tab.slots[i] - 1];

		if (o->wait == t.wait && o->event == t.event && o->source == t.source &&
		    o->ctx == t.ctx) {
			*id = g->tuple_tab.slots[i] - 1;
			return 0;
		}
	}
	err = grow((void **)&g->tuples, &g->cap_tuples, g->nr_tuples + 1, sizeof(*g->tuples));
	if (err)
		return err;
	g->tuples[g->nr_tuples] = t;
	g->tuple_tab.slots[i] = g->nr_tuples + 1;
	g->tuple_tab.len++;
	*id = g->nr_tuples++;
	return 0;
}

uint32_t ds_graph__edge_find(const struct ds_graph *g, uint32_t from, uint32_t to)
{
	uint32_t i;

	if (!g || !g->edge_tab.slots)
		return NONE;
	for (i = hash_edge(from, to) & g->edge_tab.mask; g->edge_tab.slots[i];
	     i = (i + 1) & g->edge_tab.mask) {
		const struct gedge *e = &g->edges[g->edge_tab.slots[i] - 1];

		if (e->from == from && e->to == to)
			return g->edge_tab.slots[i] - 1;
	}
	return NONE;
}

/* Count @tuple on edge @e, appending a detail if it is new there. */
static int detail_add(struct ds_graph *g, uint32_t e, uint32_t tuple)
{
	uint32_t d, last = NONE;
	int err;

	for (d = g->edges[e].detail; d != NONE; last = d, d = g->details[d].next) {
		if (g->details[d].tuple == tuple) {
			if (g->details[d].count < UINT32_MAX)
				g->details[d].count++;
			return 0;
		}
	}
	err = grow((void **)&g->details, &g->cap_details, g->nr_details + 1, sizeof(*g->details));
	if (err)
		return err;
	d = g->nr_details++;
	g->details[d] = (struct gdetail){ tuple, 1, NONE };
	if (last == NONE)
		g->edges[e].detail = d;
	else
		g->details[last].next = d;
	return 0;
}

int ds_graph__add_edge(struct ds_graph *g, uint32_t from, uint32_t to,
		       const struct ds_graph_dep *dep, bool *cycle, struct ds_graph_cycle *path)
{
	uint32_t tuple, e, i, ra, rb;
	bool cyc;
	int err;

	if (cycle)
		*cycle = false;
	if (path)
		path->nr = 0;
	if (!g || from >= g->nr_nodes || to >= g->nr_nodes)
		return -EINVAL;
	err = tuple_intern(g, dep, &tuple);
	if (err)
		return err;
	e = ds_graph__edge_find(g, from, to);
	if (e != NONE) {
		err = detail_add(g, e, tuple);
		if (err)
			return err;
		cyc = comp_find(g, from) == comp_find(g, to);
	} else {
		if (g->nr_edges >= MAX_IDS - 1)
			return -E2BIG;
		err = grow((void **)&g->edges, &g->cap_edges, g->nr_edges + 1, sizeof(*g->edges));
		if (!err)
			err = grow((void **)&g->details, &g->cap_details, g->nr_details + 1,
				   sizeof(*g->details));
		if (!err)
			err = htab_reserve(g, &g->edge_tab, (uint64_t)g->nr_edges + 1,
					   edges_slot_hash);
		if (!err)
			err = adj_reserve(&g->out[from]);
		if (!err)
			err = adj_reserve(&g->in[to]);
		if (!err)
			err = search_reserve(g);
		if (err)
			return err;
		/* nothing below fails */
		ra = comp_find(g, from);
		rb = comp_find(g, to);
		cyc = levels_insert(g, ra, rb);
		e = g->nr_edges++;
		g->edges[e] = (struct gedge){ from, to, NONE };
		g->out[from].v[g->out[from].nr++] = to;
		g->in[to].v[g->in[to].nr++] = from;
		for (i = hash_edge(from, to) & g->edge_tab.mask; g->edge_tab.slots[i];
		     i = (i + 1) & g->edge_tab.mask)
			;
		g->edge_tab.slots[i] = e + 1;
		g->edge_tab.len++;
		detail_add(g, e, tuple);
		if (ra != rb && g->hot[ra].level == g->hot[rb].level)
			same_add(g, rb, from);
		if (cyc && ra != rb)
			merge_cycle(g, ra, rb);
	}
	if (!cyc)
		return 0;
	g->cycle_adds++;
	if (cycle)
		*cycle = true;
	return path ? cycle_path(g, from, to, path) : 0;
}

/* ---- reports ---- */

static int point_class(struct ds_graph *g, const struct ds_dept_point *pt, uint32_t *id)
{
	char name[DS_DEPT_NAME_LEN];

	ds_dept_class_norm(pt->cls, name, sizeof(name));
	if (!name[0])
		return -EINVAL;
	return ds_graph__class(g, name, NULL, pt->sub > 0 ? pt->sub : -1, id);
}

static int report_edge(struct ds_graph *g, const struct ds_dept_point *from,
		       const struct ds_dept_point *to, const struct ds_dept_context *label,
		       const char *source)
{
	struct ds_graph_dep dep = {
		.wait_fn = label->wait.fn,
		.event_fn = label->event.fn,
		.ctx = label->id,
		.source = source,
	};
	uint32_t a, b;
	int err;

	err = point_class(g, from, &a);
	if (!err)
		err = point_class(g, to, &b);
	if (!err)
		err = ds_graph__add_edge(g, a, b, &dep, NULL, NULL);
	return err;
}

int ds_graph__add_report(struct ds_graph *g, const struct ds_dept_report *r)
{
	const char *source;
	unsigned int n, i, added = 0;
	bool descending;
	int err;

	if (!g || !r)
		return -EINVAL;
	if (!r->parsed || (r->kind != DS_RK_DEPT && r->kind != DS_RK_LOCKDEP))
		return -EOPNOTSUPP;
	n = r->nr_contexts < DS_DEPT_MAX_CONTEXTS ? r->nr_contexts : DS_DEPT_MAX_CONTEXTS;
	source = r->bucket[0] ? r->bucket : "report";
	if (r->kind == DS_RK_DEPT) {
		for (i = 0; i < n; i++) {
			const struct ds_dept_context *c = &r->ctx[i];
			const struct ds_dept_point *from = c->event.cls[0] ? &c->event : &c->start;

			if (!from->cls[0] || !c->wait.cls[0])
				continue;	/* a fragment: this context lost its classes */
			err = report_edge(g, from, &c->wait, c, source);
			if (err == -EINVAL)
				continue;
			if (err)
				return err;
			added++;
		}
		return added ? 0 : -EINVAL;
	}
	/*
	 * lockdep prints the chain from #N down to #0; entry #k+1's stack took
	 * its lock while holding #k's, and #0 is the lock being taken now,
	 * while holding #N's.  Work in chain order #0, #1, ... whichever way
	 * the contexts are stored.
	 */
	descending = !(n >= 2 && isdigit((unsigned char)r->ctx[0].id) &&
		       isdigit((unsigned char)r->ctx[n - 1].id) && r->ctx[0].id < r->ctx[n - 1].id);
	for (i = 0; i < n; i++) {
		const struct ds_dept_context *held, *taken;

		held = &r->ctx[descending ? n - 1 - i : i];
		taken = &r->ctx[descending ? (2 * n - 2 - i) % n : (i + 1) % n];
		if (!held->wait.cls[0] || !taken->wait.cls[0])
			continue;
		err = report_edge(g, &held->wait, &taken->wait, taken, source);
		if (err == -EINVAL)
			continue;
		if (err)
			return err;
		added++;
	}
	return added ? 0 : -EINVAL;
}

/* ---- accessors ---- */

uint32_t ds_graph__nr_classes(const struct ds_graph *g)
{
	return g ? g->nr_nodes : 0;
}

uint32_t ds_graph__nr_edges(const struct ds_graph *g)
{
	return g ? g->nr_edges : 0;
}

uint64_t ds_graph__nr_cycle_adds(const struct ds_graph *g)
{
	return g ? g->cycle_adds : 0;
}

static size_t htab_bytes(const struct htab *t)
{
	return t->slots ? ((size_t)t->mask + 1) * sizeof(*t->slots) : 0;
}

size_t ds_graph__mem_bytes(const struct ds_graph *g)
{
	uint32_t i;
	size_t b;

	if (!g)
		return 0;
	b = sizeof(*g);
	b += (size_t)g->cap_nodes * (sizeof(*g->nodes) + 3 * sizeof(struct adj) +
				     sizeof(*g->hot) + sizeof(*g->cold));
	for (i = 0; i < g->nr_nodes; i++)
		b += ((size_t)g->out[i].cap + g->in[i].cap + g->same[i].cap) * sizeof(uint32_t);
	b += (size_t)g->cap_edges * sizeof(*g->edges);
	b += (size_t)g->cap_details * sizeof(*g->details);
	b += (size_t)g->cap_tuples * sizeof(*g->tuples);
	b += g->str_cap;
	b += htab_bytes(&g->strs) + htab_bytes(&g->classes) + htab_bytes(&g->names);
	b += htab_bytes(&g->edge_tab) + htab_bytes(&g->tuple_tab);
	b += ((size_t)g->fwd.cap + g->bwd.cap) * sizeof(uint32_t);
	return b;
}

const char *ds_graph__class_name(const struct ds_graph *g, uint32_t id)
{
	return g && id < g->nr_nodes ? g->str + g->nodes[id].name : NULL;
}

const char *ds_graph__class_key(const struct ds_graph *g, uint32_t id)
{
	return g && id < g->nr_nodes ? g->str + g->nodes[id].key : NULL;
}

int ds_graph__class_sub(const struct ds_graph *g, uint32_t id)
{
	return g && id < g->nr_nodes ? g->nodes[id].sub : -1;
}

bool ds_graph__class_ambiguous(const struct ds_graph *g, uint32_t id)
{
	return g && id < g->nr_nodes && (g->nodes[id].flags & F_AMBIGUOUS);
}

bool ds_graph__same_scc(const struct ds_graph *g, uint32_t a, uint32_t b)
{
	if (!g || a >= g->nr_nodes || b >= g->nr_nodes)
		return false;
	return comp_find_const(g, a) == comp_find_const(g, b);
}

uint32_t ds_graph__out_nr(const struct ds_graph *g, uint32_t cls)
{
	return g && cls < g->nr_nodes ? g->out[cls].nr : 0;
}

uint32_t ds_graph__out_to(const struct ds_graph *g, uint32_t cls, uint32_t i)
{
	return g && cls < g->nr_nodes && i < g->out[cls].nr ? g->out[cls].v[i] : NONE;
}

uint32_t ds_graph__in_nr(const struct ds_graph *g, uint32_t cls)
{
	return g && cls < g->nr_nodes ? g->in[cls].nr : 0;
}

uint32_t ds_graph__in_from(const struct ds_graph *g, uint32_t cls, uint32_t i)
{
	return g && cls < g->nr_nodes && i < g->in[cls].nr ? g->in[cls].v[i] : NONE;
}

uint32_t ds_graph__edge_from(const struct ds_graph *g, uint32_t e)
{
	return g && e < g->nr_edges ? g->edges[e].from : NONE;
}

uint32_t ds_graph__edge_to(const struct ds_graph *g, uint32_t e)
{
	return g && e < g->nr_edges ? g->edges[e].to : NONE;
}

uint64_t ds_graph__edge_count(const struct ds_graph *g, uint32_t e)
{
	uint64_t n = 0;
	uint32_t d;

	if (!g || e >= g->nr_edges)
		return 0;
	for (d = g->edges[e].detail; d != NONE; d = g->details[d].next)
		n += g->details[d].count;
	return n;
}

int ds_graph__edge_detail(const struct ds_graph *g, uint32_t e, uint32_t i,
			  struct ds_graph_dep *dep, uint32_t *count)
{
	const struct gtuple *t;
	uint32_t d;

	if (!g || e >= g->nr_edges)
		return -EINVAL;
	for (d = g->edges[e].detail; d != NONE && i; d = g->details[d].next)
		i--;
	if (d == NONE)
		return -ENOENT;
	t = &g->tuples[g->details[d].tuple];
	if (dep) {
		dep->wait_fn = g->str + t->wait;
		dep->event_fn = g->str + t->event;
		dep->source = g->str + t->source;
		dep->ctx = t->ctx;
	}
	if (count)
		*count = g->details[d].count;
	return 0;
}

/* ---- strongly connected components: iterative Tarjan ---- */

void ds_graph_sccs__free(struct ds_graph_sccs *s)
{
	free(s->first);
	free(s->members);
	free(s->scc_of);
	memset(s, 0, sizeof(*s));
}

struct scc_sort {
	const uint32_t *first, *members;
};

/* Components by their smallest member, which comes first since members are sorted. */
static int cmp_scc_first(const void *a, const void *b, void *arg)
{
	const struct scc_sort *ss = arg;

	return cmp_u32(&ss->members[ss->first[*(const uint32_t *)a]],
		       &ss->members[ss->first[*(const uint32_t *)b]]);
}

struct tarjan {
	uint32_t *index, *low, *stack, *cs_node, *cs_pos, *order;
	uint8_t *onstack;
};

int ds_graph__sccs(const struct ds_graph *g, struct ds_graph_sccs *out)
{
	uint32_t n = g ? g->nr_nodes : 0, idx = 0, sp, top = 0, nr = 0, nm = 0, s, x, y, c, i;
	uint32_t *first = NULL, *members = NULL, *nfirst = NULL, *nmembers = NULL;
	struct tarjan t = { 0 };
	size_t words = (size_t)n + 1;
	int err = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!g)
		return -EINVAL;
	out->nr_classes = n;
	t.index = malloc(words * sizeof(uint32_t));
	t.low = malloc(words * sizeof(uint32_t));
	t.stack = malloc(words * sizeof(uint32_t));
	t.cs_node = malloc(words * sizeof(uint32_t));
	t.cs_pos = malloc(words * sizeof(uint32_t));
	t.onstack = calloc(words, 1);
	first = malloc((words + 1) * sizeof(uint32_t));
	members = malloc(words * sizeof(uint32_t));
	out->scc_of = malloc(words * sizeof(uint32_t));
	if (!t.index || !t.low || !t.stack || !t.cs_node || !t.cs_pos || !t.onstack || !first ||
	    !members || !out->scc_of)
		goto out;
	for (i = 0; i < n; i++)
		t.index[i] = out->scc_of[i] = NONE;

	for (s = 0; s < n; s++) {
		if (t.index[s] != NONE)
			continue;
		sp = 0;
		t.index[s] = t.low[s] = idx++;
		t.stack[top++] = s;
		t.onstack[s] = 1;
		t.cs_node[sp] = s;
		t.cs_pos[sp++] = 0;
		while (sp) {
			x = t.cs_node[sp - 1];
			if (t.cs_pos[sp - 1] < g->out[x].nr) {
				y = g->out[x].v[t.cs_pos[sp - 1]++];
				if (t.index[y] == NONE) {
					t.index[y] = t.low[y] = idx++;
					t.stack[top++] = y;
					t.onstack[y] = 1;
					t.cs_node[sp] = y;
					t.cs_pos[sp++] = 0;
				} else if (t.onstack[y] && t.index[y] < t.low[x]) {
					t.low[x] = t.index[y];
				}
				continue;
			}
			if (t.low[x] == t.index[x]) {
				uint32_t start = nm, size;

				do {
					y = t.stack[--top];
					t.onstack[y] = 0;
					members[nm++] = y;
				} while (y != x);
				size = nm - start;
				if (size > 1 || ds_graph__edge_find(g, x, x) != NONE) {
					qsort(members + start, size, sizeof(*members), cmp_u32);
					first[nr++] = start;
				} else {
					nm = start;
				}
			}
			sp--;
			if (sp && t.low[x] < t.low[t.cs_node[sp - 1]])
				t.low[t.cs_node[sp - 1]] = t.low[x];
		}
	}
	first[nr] = nm;

	/* components by smallest member, for output that does not depend on DFS order */
	t.order = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	nfirst = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	nmembers = malloc(((size_t)nm + 1) * sizeof(uint32_t));
	if (!t.order || !nfirst || !nmembers)
		goto out;
	for (c = 0; c < nr; c++)
		t.order[c] = c;
	qsort_r(t.order, nr, sizeof(*t.order), cmp_scc_first, &(struct scc_sort){ first, members });
	for (c = 0, nm = 0; c < nr; c++) {
		nfirst[c] = nm;
		for (i = first[t.order[c]]; i < first[t.order[c] + 1]; i++) {
			nmembers[nm++] = members[i];
			out->scc_of[members[i]] = c;
		}
	}
	nfirst[nr] = nm;
	out->nr = nr;
	out->first = nfirst;
	out->members = nmembers;
	nfirst = nmembers = NULL;
	err = 0;
out:
	free(t.index);
	free(t.low);
	free(t.stack);
	free(t.cs_node);
	free(t.cs_pos);
	free(t.onstack);
	free(t.order);
	free(first);
	free(members);
	free(nfirst);
	free(nmembers);
	if (err)
		ds_graph_sccs__free(out);
	return err;
}

/* ---- selections ---- */

void ds_graph_sel__free(struct ds_graph_sel *sel)
{
	free(sel->ids);
	free(sel->in);
	memset(sel, 0, sizeof(*sel));
}

bool ds_graph_sel__has(const struct ds_graph_sel *sel, uint32_t id)
{
	return sel && sel->in && id < sel->nr_classes && (sel->in[id / 64] >> (id % 64) & 1);
}

static int sel_begin(const struct ds_graph *g, const struct ds_graph_sccs *s, uint32_t max,
		     struct ds_graph_sel *sel)
{
	uint32_t n = g->nr_nodes;

	memset(sel, 0, sizeof(*sel));
	sel->in = calloc((size_t)n / 64 + 1, sizeof(*sel->in));
	sel->ids = malloc(((size_t)n + 1) * sizeof(*sel->ids));
	if (!sel->in || !sel->ids) {
		ds_graph_sel__free(sel);
		return -ENOMEM;
	}
	sel->nr_classes = n;
	sel->max_nodes = max;
	sel->cycles = s ? s->nr : 0;
	return 0;
}

static void sel_add(struct ds_graph_sel *sel, uint32_t id)
{
	if (ds_graph_sel__has(sel, id))
		return;
	sel->in[id / 64] |= 1ULL << (id % 64);
	sel->ids[sel->nr++] = id;
}

static uint32_t sel_room(const struct ds_graph_sel *sel)
{
	return sel->max_nodes ? sel->max_nodes - sel->nr : UINT32_MAX;
}

static void sel_end(struct ds_graph_sel *sel)
{
	qsort(sel->ids, sel->nr, sizeof(*sel->ids), cmp_u32);
	sel->omitted = sel->wanted - sel->nr;
}

static int cmp_scc_size(const void *a, const void *b, void *arg)
{
	const struct ds_graph_sccs *s = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t sx = s->first[x + 1] - s->first[x], sy = s->first[y + 1] - s->first[y];

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return cmp_u32(&x, &y);		/* components are already by smallest member */
}

/*
 * A shortest cycle through component @c's first class, staying inside the
 * component: its classes in @path (from that class on); returns how many.
 */
static uint32_t scc_short_cycle(const struct ds_graph *g, const struct ds_graph_sccs *s,
				uint32_t c, uint32_t *queue, uint32_t *parent, uint32_t *path)
{
	uint32_t r = s->members[s->first[c]], head = 0, tail = 0, x, y, k, n, last = NONE;

	/* parent[] of a member is reset here, so calls for other components do not clash */
	for (x = s->first[c]; x < s->first[c + 1]; x++)
		parent[s->members[x]] = NONE;
	queue[tail++] = r;
	parent[r] = r;
	while (head < tail && last == NONE) {
		x = queue[head++];
		for (k = 0; k < g->out[x].nr; k++) {
			y = g->out[x].v[k];
			if (y == r) {
				last = x;
				break;
			}
			if (s->scc_of[y] != c || parent[y] != NONE)
				continue;
			parent[y] = x;
			queue[tail++] = y;
		}
	}
	if (last == NONE)
		return 0;
	for (n = 1, x = last; x != r; x = parent[x])
		n++;
	for (y = n, x = last; y > 0; y--, x = parent[x])
		path[y - 1] = x;
	return n;
}

int ds_graph__select_cycles(const struct ds_graph *g, const struct ds_graph_sccs *s,
			    uint32_t max_nodes, struct ds_graph_sel *sel)
{
	uint32_t *order = NULL, *queue = NULL, *parent = NULL, *path = NULL, k, c, i, size, len;
	int err;

	if (!g || !s || s->nr_classes != g->nr_nodes)
		return -EINVAL;
	err = sel_begin(g, s, max_nodes, sel);
	if (err)
		return err;
	err = -ENOMEM;
	order = malloc(((size_t)s->nr + 1) * sizeof(*order));
	if (!order)
		goto out;
	for (c = 0; c < s->nr; c++)
		order[c] = c;
	/* the small ones first: more cycles fit under the cap */
	qsort_r(order, s->nr, sizeof(*order), cmp_scc_size, (void *)s);
	sel->wanted = s->first[s->nr];
	for (k = 0; k < s->nr; k++) {
		c = order[k];
		size = s->first[c + 1] - s->first[c];
		if (size <= sel_room(sel)) {
			for (i = s->first[c]; i < s->first[c + 1]; i++)
				sel_add(sel, s->members[i]);
			continue;
		}
		if (!queue) {
			queue = malloc(((size_t)g->nr_nodes + 1) * sizeof(*queue));
			parent = malloc(((size_t)g->nr_nodes + 1) * sizeof(*parent));
			path = malloc(((size_t)g->nr_nodes + 1) * sizeof(*path));
			if (!queue || !parent || !path)
				goto out;
		}
		len = scc_short_cycle(g, s, c, queue, parent, path);
		if (len && len <= sel_room(sel)) {
			for (i = 0; i < len; i++)
				sel_add(sel, path[i]);
			sel->cycles_cut++;
		} else {
			sel->cycles_left++;
		}
	}
	sel_end(sel);
	err = 0;
out:
	free(order);
	free(queue);
	free(parent);
	free(path);
	if (err)
		ds_graph_sel__free(sel);
	return err;
}

int ds_graph__select_around(const struct ds_graph *g, const struct ds_graph_sccs *s,
			    const uint32_t *roots, size_t nr_roots, unsigned int depth,
			    uint32_t max_nodes, struct ds_graph_sel *sel)
{
	uint32_t *order = NULL, cnt = 0, lvl_start = 0, lvl_end, i, k, x, y, keep;
	uint64_t *seen = NULL;
	unsigned int d;
	size_t r;
	int err;

	if (!g || (!roots && nr_roots))
		return -EINVAL;
	for (r = 0; r < nr_roots; r++)
		if (roots[r] >= g->nr_nodes)
			return -EINVAL;
	err = sel_begin(g, s, max_nodes, sel);
	if (err)
		return err;
	order = malloc(((size_t)g->nr_nodes + 1) * sizeof(*order));
	seen = calloc((size_t)g->nr_nodes / 64 + 1, sizeof(*seen));
	if (!order || !seen) {
		err = -ENOMEM;
		goto out;
	}
#define SEEN(id)	(seen[(id) / 64] >> ((id) % 64) & 1)
#define SET_SEEN(id)	(seen[(id) / 64] |= 1ULL << ((id) % 64))
	for (r = 0; r < nr_roots; r++) {
		if (SEEN(roots[r]))
			continue;
		SET_SEEN(roots[r]);
		order[cnt++] = roots[r];
	}
	qsort(order, cnt, sizeof(*order), cmp_u32);
	lvl_end = cnt;
	/* level by level, each level by id: the nearest classes are kept first */
	for (d = 0; d < depth && lvl_start < lvl_end; d++) {
		for (i = lvl_start; i < lvl_end; i++) {
			x = order[i];
			for (k = 0; k < g->out[x].nr; k++) {
				y = g->out[x].v[k];
				if (!SEEN(y)) {
					SET_SEEN(y);
					order[cnt++] = y;
				}
			}
			for (k = 0; k < g->in[x].nr; k++) {
				y = g->in[x].v[k];
				if (!SEEN(y)) {
					SET_SEEN(y);
					order[cnt++] = y;
				}
			}
		}
		qsort(order + lvl_end, cnt - lvl_end, sizeof(*order), cmp_u32);
		lvl_start = lvl_end;
		lvl_end = cnt;
	}
#undef SEEN
#undef SET_SEEN
	sel->wanted = cnt;
	keep = cnt < sel_room(sel) ? cnt : sel_room(sel);
	for (i = 0; i < keep; i++)
		sel_add(sel, order[i]);
	sel_end(sel);
out:
	free(order);
	free(seen);
	if (err)
		ds_graph_sel__free(sel);
	return err;
}

int ds_graph__select_all(const struct ds_graph *g, const struct ds_graph_sccs *s,
			 uint32_t max_nodes, struct ds_graph_sel *sel)
{
	uint32_t i, keep;
	int err;

	if (!g)
		return -EINVAL;
	err = sel_begin(g, s, max_nodes, sel);
	if (err)
		return err;
	sel->wanted = g->nr_nodes;
	keep = g->nr_nodes < sel_room(sel) ? g->nr_nodes : sel_room(sel);
	for (i = 0; i < keep; i++)
		sel_add(sel, i);
	sel_end(sel);
	return 0;
}

void ds_graph_sel__summary(const struct ds_graph *g, const struct ds_graph_sel *sel, char *buf,
			   size_t len)
{
	size_t pos;
	int n;

	if (!len)
		return;
	n = snprintf(buf, len, "kept %u of %u classes; %u cycle%s", sel->nr,
		     ds_graph__nr_classes(g), sel->cycles, sel->cycles == 1 ? "" : "s");
	pos = n < 0 ? 0 : (size_t)n;
	if (pos < len && sel->omitted) {
		n = snprintf(buf + pos, len - pos, "; the %u-class cap left out %u more",
			     sel->max_nodes, sel->omitted);
		pos += n < 0 ? 0 : (size_t)n;
	}
	if (pos < len && sel->cycles_cut) {
		n = snprintf(buf + pos, len - pos, "; %u cycle%s cut to one shortest cycle",
			     sel->cycles_cut, sel->cycles_cut == 1 ? "" : "s");
		pos += n < 0 ? 0 : (size_t)n;
	}
	if (pos < len && sel->cycles_left)
		snprintf(buf + pos, len - pos, "; %u cycle%s not shown", sel->cycles_left,
			 sel->cycles_left == 1 ? "" : "s");
}
