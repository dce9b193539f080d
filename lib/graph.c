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
 * One departure from the paper, for speed: where it would leave a new
 * edge inside one level ("no cycle", level(B) == level(A)), we lift B to
 * level(A) + 1 instead when the forward search that takes scans at most
 * RAISE_BUDGET edges.  The answers cannot change, only which edges later
 * searches cross.  On a lock hierarchy, DEPT's shape, levels then follow
 * the layers and most new edges go up a level, answered without a search:
 * bench/deptingest.c's backward searches scan 4 M edges per million
 * edges instead of 19 M.  The paper's bound on the number of levels no
 * longer strictly holds; each lift costs at most twice the budget, and
 * on bench/graphbench.c's long random chains the time went down, not up.
 *
 * Layout.  Adding an edge is bound by cache misses, not by work: the
 * graph outgrows the caches long before a million edges, and a miss costs
 * more than the rest of an insertion.  So everything an insertion or a
 * search step reads of a class (union-find parent, level, mark, next
 * member, the headers of its neighbour arrays) sits in one 64-byte line;
 * hash tables keep a byte of each entry's hash apart from the entries, so
 * that probing reads neither edges nor strings; the details ds_dept_live
 * and dumps repeat are recognised by a small cache before any table is
 * probed; small neighbour arrays come from a pool rather than malloc();
 * and an insertion starts the misses it will take (both classes, the
 * table slot) before it interns the detail, so that they overlap.  A new
 * edge then waits for about one round trip to memory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept.h"
#include "deptscope/graph.h"

#define NONE		DS_GRAPH_NONE
#define MAX_IDS		(1u << 31)	/* arrays double up to this many entries */
#define MAX_SAME	(1u << 30)	/* a same-level list longer than this is given up */
#define F_AMBIGUOUS	1u		/* another class has this name and subclass */
#define PREFETCH	8		/* neighbours ahead whose search record is fetched early */
#define CACHE_LINE	64
#define RAISE_BUDGET	64		/* edges a raise no search asked for may scan */
#define TCACHE		64		/* details remembered by their strings */
#define POOL_LG		12		/* id arrays up to 2^POOL_LG entries come from the pool */
#define POOL_CHUNK	(256u << 10)

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

/* Representatives: the classes of the edges into the component from its level. */
struct slist {
	uint32_t *v;
	uint32_t nr;
	uint32_t cap : 31;
	uint32_t lost : 1;	/* could not grow: searches scan all in-edges instead */
};

/* What inserting an edge and every search step read of a class: one cache line. */
struct gcls {
	uint32_t uf;		/* union-find parent; a representative is its own */
	uint32_t level;		/* representatives: never decreases */
	uint32_t markb;		/* == epoch: in this backward search */
	uint32_t mnext;		/* next member of the component, NONE; the rep comes first */
	struct adj out, in;
	struct slist same;
};

_Static_assert(sizeof(struct gcls) == CACHE_LINE, "struct gcls is one cache line");

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

/*
 * Open addressing, linear probing.  A byte per slot, 0 for empty or else
 * a tag from the top byte of the entry's hash, apart from the entries (an
 * id, or a string's arena offset): probing reads the bytes, a fifth of
 * the table, and an entry only when its tag matches (1 in 255 others do),
 * since on tables this size every entry read is a cache miss.  A table
 * grows by reinserting its entries from where they live, in order.
 */
struct htab {
	uint8_t *tags;
	uint32_t *vals;
	uint32_t mask;
	uint32_t len;
};

struct vec {
	uint32_t *v;
	uint32_t nr, cap;
};

/*
 * Neighbour arrays, which double from 2 entries, come from chunks carved
 * by size, with a free list per size: most classes have a few neighbours,
 * and malloc()'s headers and realloc()'s bookkeeping cost more than the
 * arrays on that scale.  Bigger arrays are malloc()'s.
 */
struct pool {
	void *free[POOL_LG + 1];	/* blocks of 2^k ids, linked through their start */
	char *bump, *end;		/* what is left of the newest chunk */
	void *chunks;			/* linked through their first pointer */
	size_t bytes;			/* in chunks */
};

struct ds_graph {
	struct gnode *nodes;
	struct gcls *cls;	/* cache-line aligned */
	struct gcold *cold;
	uint32_t nr_nodes, cap_nodes;
	struct gedge *edges;
	uint32_t nr_edges, cap_edges;
	struct gdetail *details;
	uint32_t nr_details, cap_details;
	struct gtuple *tuples;
	uint32_t nr_tuples, cap_tuples;
	char *str;
	uint32_t str_len, str_cap;
	struct htab strs, classes, names, tuple_tab, edge_tab;
	/* details recently interned, by the hash of their strings: index hash % TCACHE */
	struct {
		uint64_t hash;
		uint32_t tuple;		/* + 1, 0: empty */
	} tcache[TCACHE];
	uint32_t epoch;
	uint64_t cycle_adds;
	uint32_t delta, delta_edges;	/* sqrt(edges), recomputed as they double */
	struct vec fwd, bwd;	/* scratch, one entry per class reserved before a search */
	struct pool pool;
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

/* The up to 8 bytes at @s as a number, without reading past them. */
static inline uint64_t load_small(const char *s, size_t n)
{
	uint32_t a, b;

	if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return (uint64_t)a << 32 | b;
	}
	if (!n)
		return 0;
	return (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
	       (unsigned char)s[n - 1];
}

/* Eight bytes at a time: every edge's detail hashes three strings. */
static uint64_t hash_mem(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n, w;
	size_t i;

	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	/* the last 1 to 8 bytes, overlapping the words before if need be */
	if (n >= 8)
		memcpy(&w, s + n - 8, 8);
	else
		w = load_small(s, n);
	return mix64((h ^ w) * 0x9e3779b97f4a7c15ULL);
}

static uint64_t hash_str(const char *s)
{
	return hash_mem(s, strlen(s));
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

static inline uint8_t hash_tag(uint64_t h)
{
	return (uint8_t)(h >> 56) ? (uint8_t)(h >> 56) : 1;
}

static inline bool htab_full(const struct htab *t)
{
	return !t->tags || ((uint64_t)t->len + 1) * 4 > ((uint64_t)t->mask + 1) * 3;
}

/* An empty table for @want entries at a load of at most 3/4, twice @t's size at least. */
static int htab_new(const struct htab *t, uint64_t want, struct htab *nt)
{
	uint64_t ncap = t->tags ? ((uint64_t)t->mask + 1) * 2 : 16;

	while (want * 4 > ncap * 3)
		ncap *= 2;
	if (ncap > (1ULL << 32))
		return -E2BIG;
	nt->tags = calloc(ncap, 1);
	nt->vals = malloc(ncap * sizeof(*nt->vals));
	if (!nt->tags || !nt->vals) {
		free(nt->tags);
		free(nt->vals);
		return -ENOMEM;
	}
	nt->mask = (uint32_t)(ncap - 1);
	nt->len = 0;
	return 0;
}

static void htab_free(struct htab *t)
{
	free(t->tags);
	free(t->vals);
}

static void htab_replace(struct htab *t, const struct htab *nt)
{
	htab_free(t);
	*t = *nt;
}

static inline void htab_set(struct htab *t, uint32_t i, uint64_t h, uint32_t val)
{
	t->tags[i] = hash_tag(h);
	t->vals[i] = val;
	t->len++;
}

/* @val, with hash @h, known to be absent: refilling a table. */
static void htab_put(struct htab *t, uint64_t h, uint32_t val)
{
	uint32_t i;

	for (i = (uint32_t)h & t->mask; t->tags[i]; i = (i + 1) & t->mask)
		;
	htab_set(t, i, h, val);
}

/*
 * The slot of the edge @from -> @to, hash @h (*@found), or the empty slot
 * where it would go; the table must have one.
 */
static inline uint32_t edge_slot(const struct ds_graph *g, uint32_t from, uint32_t to,
				 uint64_t h, bool *found)
{
	const struct htab *t = &g->edge_tab;
	uint8_t tag = hash_tag(h), x;
	uint32_t i;

	for (i = (uint32_t)h & t->mask; (x = t->tags[i]); i = (i + 1) & t->mask) {
		if (x == tag) {
			const struct gedge *e = &g->edges[t->vals[i]];

			if (e->from == from && e->to == to) {
				*found = true;
				return i;
			}
		}
	}
	*found = false;
	return i;
}

/* Room for one more edge in the table. */
static int edges_reserve(struct ds_graph *g)
{
	struct htab nt;
	uint32_t e;
	int err;

	if (!htab_full(&g->edge_tab))
		return 0;
	err = htab_new(&g->edge_tab, (uint64_t)g->nr_edges + 1, &nt);
	if (err)
		return err;
	for (e = 0; e < g->nr_edges; e++)
		htab_put(&nt, hash_edge(g->edges[e].from, g->edges[e].to), e);
	htab_replace(&g->edge_tab, &nt);
	return 0;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	uint64_t ncap;
	void *q;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
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

/* ---- id arrays ---- */

static unsigned int lg_of(uint32_t cap)
{
	return 31 - (unsigned int)__builtin_clz(cap);
}

/* A block for @cap ids, a power of two from 2; NULL when out of memory. */
static uint32_t *ids_alloc(struct ds_graph *g, uint32_t cap)
{
	struct pool *p = &g->pool;
	unsigned int k = lg_of(cap);
	size_t size = (size_t)cap * sizeof(uint32_t), align = size < 64 ? size : 64, room;
	char *b;

	if (k > POOL_LG)
		return malloc(size);
	if (p->free[k]) {
		b = p->free[k];
		memcpy(&p->free[k], b, sizeof(void *));
		return (uint32_t *)b;
	}
	b = (char *)(((uintptr_t)p->bump + align - 1) & ~(uintptr_t)(align - 1));
	if (!p->bump || b + size > p->end) {
		/* what is left of the old chunk is given up: less than the biggest block */
		room = POOL_CHUNK;
		b = malloc(room);
		if (!b)
			return NULL;
		memcpy(b, &p->chunks, sizeof(void *));
		p->chunks = b;
		p->bytes += room;
		p->end = b + room;
		b = (char *)(((uintptr_t)b + sizeof(void *) + align - 1) & ~(uintptr_t)(align - 1));
	}
	p->bump = b + size;
	return (uint32_t *)b;
}

static void ids_free(struct ds_graph *g, uint32_t *v, uint32_t cap)
{
	unsigned int k;

	if (!v)
		return;
	k = lg_of(cap);
	if (k > POOL_LG) {
		free(v);
		return;
	}
	memcpy(v, &g->pool.free[k], sizeof(void *));
	g->pool.free[k] = v;
}

/* @v, holding @nr ids in room for @cap (0 or a power of two), moved into room for 2 * @cap. */
static int ids_grow(struct ds_graph *g, uint32_t **v, uint32_t nr, uint32_t cap)
{
	uint32_t ncap = cap ? cap * 2 : 2, *n;

	if (ncap > MAX_IDS)
		return -E2BIG;
	if (lg_of(cap | 1) > POOL_LG) {
		n = realloc(*v, (size_t)ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		*v = n;
		return 0;
	}
	n = ids_alloc(g, ncap);
	if (!n)
		return -ENOMEM;
	if (nr)
		memcpy(n, *v, (size_t)nr * sizeof(*n));
	ids_free(g, *v, cap);
	*v = n;
	return 0;
}

static void pool_free(struct pool *p)
{
	void *c, *next;

	for (c = p->chunks; c; c = next) {
		memcpy(&next, c, sizeof(void *));
		free(c);
	}
	memset(p, 0, sizeof(*p));
}

/* ---- strings ---- */

/* Room for one more string in the table. */
static int strs_reserve(struct ds_graph *g)
{
	struct htab nt;
	uint32_t off, n;
	int err;

	if (!htab_full(&g->strs))
		return 0;
	err = htab_new(&g->strs, (uint64_t)g->strs.len + 1, &nt);
	if (err)
		return err;
	/* the arena holds each string once, after the "" at 0 */
	for (off = 1; off < g->str_len; off += n + 1) {
		n = (uint32_t)strlen(g->str + off);
		htab_put(&nt, hash_mem(g->str + off, n), off);
	}
	htab_replace(&g->strs, &nt);
	return 0;
}

/* The offset of @s (@n bytes, hash @h) in the arena, interned on first use. */
static int str_intern_h(struct ds_graph *g, const char *s, size_t n, uint64_t h, uint32_t *off)
{
	uint8_t tag = hash_tag(h), x;
	uint32_t i;
	int err;

	*off = 0;
	if (!n)
		return 0;
	if (n >= UINT32_MAX - g->str_len - 1)
		return -E2BIG;
	err = strs_reserve(g);
	if (err)
		return err;
	for (i = (uint32_t)h & g->strs.mask; (x = g->strs.tags[i]); i = (i + 1) & g->strs.mask) {
		if (x == tag && !strcmp(g->str + g->strs.vals[i], s)) {
			*off = g->strs.vals[i];
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
	htab_set(&g->strs, i, h, *off);
	return 0;
}

/* The offset of @s in the arena, interned on first use; "" and NULL are 0. */
static int str_intern(struct ds_graph *g, const char *s, uint32_t *off)
{
	size_t n = s ? strlen(s) : 0;

	if (!n) {
		*off = 0;
		return 0;
	}
	return str_intern_h(g, s, n, hash_mem(s, n), off);
}

/* Offset of @s without interning it; NONE when absent. */
static uint32_t str_find(const struct ds_graph *g, const char *s)
{
	uint64_t h;
	uint32_t i;
	uint8_t x;

	if (!s || !*s)
		return 0;
	if (!g->strs.tags)
		return NONE;
	h = hash_str(s);
	for (i = (uint32_t)h & g->strs.mask; (x = g->strs.tags[i]); i = (i + 1) & g->strs.mask)
		if (x == hash_tag(h) && !strcmp(g->str + g->strs.vals[i], s))
			return g->strs.vals[i];
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
	/* pooled arrays go with their chunks */
	for (i = 0; i < g->nr_nodes; i++) {
		if (g->cls[i].out.cap > 1u << POOL_LG)
			free(g->cls[i].out.v);
		if (g->cls[i].in.cap > 1u << POOL_LG)
			free(g->cls[i].in.v);
		if (g->cls[i].same.cap > 1u << POOL_LG)
			free(g->cls[i].same.v);
	}
	free(g->nodes);
	free(g->cls);
	free(g->cold);
	free(g->edges);
	free(g->details);
	free(g->tuples);
	free(g->str);
	htab_free(&g->strs);
	htab_free(&g->classes);
	htab_free(&g->names);
	htab_free(&g->edge_tab);
	htab_free(&g->tuple_tab);
	free(g->fwd.v);
	free(g->bwd.v);
	pool_free(&g->pool);
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
	uint32_t cap = g->cap_nodes;
	struct gcls *cls;
	void *q;
	int err;

	if (g->nr_nodes < cap)
		return 0;
	err = grow((void **)&g->nodes, &cap, g->nr_nodes + 1, sizeof(*g->nodes));
	if (err)
		return err;
	q = realloc(g->cold, (size_t)cap * sizeof(*g->cold));
	if (!q)
		return -ENOMEM;
	g->cold = q;
	/* realloc() does not keep the alignment: a class must not straddle two lines */
	cls = aligned_alloc(CACHE_LINE, (size_t)cap * sizeof(*cls));
	if (!cls)
		return -ENOMEM;
	if (g->nr_nodes)
		memcpy(cls, g->cls, (size_t)g->nr_nodes * sizeof(*cls));
	free(g->cls);
	g->cls = cls;
	g->cap_nodes = cap;
	return 0;
}

static void clamp_sub(int *sub)
{
	if (*sub < -1)
		*sub = -1;
}

/* The slot of the class (@name, @key, @sub), hash @h (*@found), or the empty one for it. */
static uint32_t class_slot(const struct ds_graph *g, uint32_t name, uint32_t key, int32_t sub,
			   uint64_t h, bool *found)
{
	const struct htab *t = &g->classes;
	uint8_t tag = hash_tag(h), x;
	uint32_t i;

	for (i = (uint32_t)h & t->mask; (x = t->tags[i]); i = (i + 1) & t->mask) {
		const struct gnode *node = &g->nodes[t->vals[i]];

		if (x == tag && node->name == name && node->key == key && node->sub == sub) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return i;
}

/* The same for the first class called @name with subclass @sub, in @t. */
static uint32_t name_slot(const struct ds_graph *g, const struct htab *t, uint32_t name,
			  int32_t sub, uint64_t h, bool *found)
{
	uint8_t tag = hash_tag(h), x;
	uint32_t i;

	for (i = (uint32_t)h & t->mask; (x = t->tags[i]); i = (i + 1) & t->mask) {
		const struct gnode *node = &g->nodes[t->vals[i]];

		if (x == tag && node->name == name && node->sub == sub) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return i;
}

/* Room for one more class in both class tables. */
static int classes_reserve(struct ds_graph *g)
{
	struct htab nt;
	uint32_t id, i;
	bool found;
	uint64_t h;
	int err;

	if (htab_full(&g->classes)) {
		err = htab_new(&g->classes, (uint64_t)g->nr_nodes + 1, &nt);
		if (err)
			return err;
		for (id = 0; id < g->nr_nodes; id++)
			htab_put(&nt, hash_class(g->nodes[id].name, g->nodes[id].key,
						 g->nodes[id].sub), id);
		htab_replace(&g->classes, &nt);
	}
	if (htab_full(&g->names)) {
		err = htab_new(&g->names, (uint64_t)g->names.len + 1, &nt);
		if (err)
			return err;
		/* in creation order: the first of each name and subclass is the one kept */
		for (id = 0; id < g->nr_nodes; id++) {
			h = hash_name(g->nodes[id].name, g->nodes[id].sub);
			i = name_slot(g, &nt, g->nodes[id].name, g->nodes[id].sub, h, &found);
			if (!found)
				htab_set(&nt, i, h, id);
		}
		htab_replace(&g->names, &nt);
	}
	return 0;
}

int ds_graph__class(struct ds_graph *g, const char *name, const char *key, int sub,
		    uint32_t *id)
{
	uint32_t n, k, i, j, id_new;
	uint64_t h, nh;
	struct gnode *node;
	bool found;
	int err;

	if (!g || !name || !*name || !id)
		return -EINVAL;
	clamp_sub(&sub);
	err = str_intern(g, name, &n);
	if (!err)
		err = str_intern(g, key, &k);
	if (!err)
		err = classes_reserve(g);
	if (err)
		return err;
	h = hash_class(n, k, sub);
	i = class_slot(g, n, k, sub, h, &found);
	if (found) {
		*id = g->classes.vals[i];
		return 0;
	}
	if (g->nr_nodes >= MAX_IDS - 1)
		return -E2BIG;
	err = nodes_reserve(g);
	if (err)
		return err;
	id_new = g->nr_nodes++;
	node = &g->nodes[id_new];
	*node = (struct gnode){ n, k, sub, 0 };
	g->cls[id_new] = (struct gcls){ .uf = id_new, .mnext = NONE };
	g->cold[id_new] = (struct gcold){ id_new, 1, 0, NONE };
	htab_set(&g->classes, i, h, id_new);
	*id = id_new;
	/* another class of this name and subclass: labels must show their keys */
	nh = hash_name(n, sub);
	j = name_slot(g, &g->names, n, sub, nh, &found);
	if (found) {
		g->nodes[g->names.vals[j]].flags |= F_AMBIGUOUS;
		node->flags |= F_AMBIGUOUS;
		return 0;
	}
	htab_set(&g->names, j, nh, id_new);
	return 0;
}

int ds_graph__find_class(const struct ds_graph *g, const char *name, const char *key, int sub,
			 uint32_t *id)
{
	uint32_t n, k, i;
	bool found;

	if (!g || !name || !id)
		return -EINVAL;
	clamp_sub(&sub);
	n = str_find(g, name);
	k = str_find(g, key);
	if (n == NONE || k == NONE || !g->classes.tags)
		return -ENOENT;
	i = class_slot(g, n, k, sub, hash_class(n, k, sub), &found);
	if (!found)
		return -ENOENT;
	*id = g->classes.vals[i];
	return 0;
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
	struct gcls *h = g->cls;

	while (h[x].uf != x) {
		h[x].uf = h[h[x].uf].uf;
		x = h[x].uf;
	}
	return x;
}

static inline uint32_t comp_find_const(const struct ds_graph *g, uint32_t x)
{
	while (g->cls[x].uf != x)
		x = g->cls[x].uf;
	return x;
}

static void comp_union(struct ds_graph *g, uint32_t r, uint32_t x)
{
	g->cls[x].uf = r;
	g->cls[g->cold[r].mtail].mnext = x;
	g->cold[r].mtail = g->cold[x].mtail;
	g->cold[r].csize += g->cold[x].csize;
}

static uint32_t epoch_next(struct ds_graph *g)
{
	uint32_t i;

	if (g->epoch == UINT32_MAX) {
		for (i = 0; i < g->nr_nodes; i++)
			g->cls[i].markb = g->cold[i].markf = 0;
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
static int adj_reserve(struct ds_graph *g, struct adj *a)
{
	int err;

	if (a->nr < a->cap)
		return 0;
	err = ids_grow(g, &a->v, a->nr, a->cap);
	if (!err)
		a->cap = a->cap ? a->cap * 2 : 2;
	return err;
}

/* ---- two-way search over components ---- */

static void same_clear(struct ds_graph *g, uint32_t x)
{
	g->cls[x].same.nr = 0;
	g->cls[x].same.lost = 0;
}

/* An edge from class @from comes into rep @x from its level; if the list cannot grow, scan. */
static void same_add(struct ds_graph *g, uint32_t x, uint32_t from)
{
	struct slist *l = &g->cls[x].same;

	if (l->lost)
		return;
	if (l->nr == l->cap) {
		if (l->cap >= MAX_SAME || ids_grow(g, &l->v, l->nr, l->cap)) {
			l->lost = 1;
			return;
		}
		l->cap = l->cap ? l->cap * 2 : 2;
	}
	l->v[l->nr++] = from;
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

	if (y == x || g->cls[y].level != g->cls[x].level)
		return;
	if (y == target)
		*found = true;
	if (g->cls[y].markb == ep)
		return;
	g->cls[y].markb = ep;
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
	g->cls[a].markb = ep;
	for (i = 0; i < g->bwd.nr && !found && !*early; i++) {
		x = g->bwd.v[i];
		if (!g->cls[x].same.lost) {
			for (k = 0; k < g->cls[x].same.nr && !found && !*early; k++) {
				if (k + PREFETCH < g->cls[x].same.nr)
					__builtin_prefetch(&g->cls[g->cls[x].same.v[k + PREFETCH]]);
				back_step(g, x, g->cls[x].same.v[k], target, ep, &found);
				*early = ++scanned >= limit;
			}
			continue;
		}
		for (m = x; m != NONE && !found && !*early; m = g->cls[m].mnext) {
			for (k = 0; k < g->cls[m].in.nr && !found && !*early; k++) {
				back_step(g, x, g->cls[m].in.v[k], target, ep, &found);
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

	g->cls[b].level = lvl;
	same_clear(g, b);
	g->fwd.nr = 0;
	g->fwd.v[g->fwd.nr++] = b;
	for (i = 0; i < g->fwd.nr; i++) {
		x = g->fwd.v[i];
		for (m = x; m != NONE; m = g->cls[m].mnext) {
			for (k = 0; k < g->cls[m].out.nr; k++) {
				if (k + PREFETCH < g->cls[m].out.nr)
					__builtin_prefetch(&g->cls[g->cls[m].out.v[k + PREFETCH]]);
				y = comp_find(g, g->cls[m].out.v[k]);
				if (y == x)
					continue;
				if (y == a || (!early && g->cls[y].markb == ep))
					cycle = true;
				if (g->cls[y].level == lvl) {
					same_add(g, y, m);
				} else if (g->cls[y].level < lvl) {
					/* raised to lvl once per search: fwd has room */
					g->cls[y].level = lvl;
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
 * Whether raising rep @b to @lvl would scan at most @budget edges: the
 * forward search's walk, without the raising (marks: markf == @ep).
 */
static bool raise_cheap(struct ds_graph *g, uint32_t b, uint32_t lvl, uint32_t ep,
			uint32_t budget)
{
	uint32_t i, k, x, y, m, scanned = 0;

	g->fwd.nr = 0;
	g->fwd.v[g->fwd.nr++] = b;
	g->cold[b].markf = ep;
	for (i = 0; i < g->fwd.nr; i++) {
		x = g->fwd.v[i];
		for (m = x; m != NONE; m = g->cls[m].mnext) {
			scanned += g->cls[m].out.nr;
			if (scanned > budget)
				return false;
			for (k = 0; k < g->cls[m].out.nr; k++) {
				y = comp_find(g, g->cls[m].out.v[k]);
				if (y == x || g->cls[y].level >= lvl || g->cold[y].markf == ep)
					continue;
				g->cold[y].markf = ep;
				g->fwd.v[g->fwd.nr++] = y;	/* once per class: fwd has room */
			}
		}
	}
	return true;
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
		for (m = x; m != NONE; m = g->cls[m].mnext) {
			for (k = 0; k < g->cls[m].out.nr; k++) {
				y = comp_find(g, g->cls[m].out.v[k]);
				if (y == x || g->cls[y].markb != ep || g->cold[y].markf == ep)
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
		if (g->cls[x].same.lost)
			g->cls[r].same.lost = 1;
		for (k = 0; k < g->cls[x].same.nr; k++)
			same_add(g, r, g->cls[x].same.v[k]);
		ids_free(g, g->cls[x].same.v, g->cls[x].same.cap);
		g->cls[x].same = (struct slist){ NULL, 0, 0, 0 };
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
	if (g->cls[a].level < g->cls[b].level)
		return false;
	if (g->nr_edges >= g->delta_edges) {
		g->delta = isqrt(g->nr_edges) > 16 ? isqrt(g->nr_edges) : 16;
		g->delta_edges = g->nr_edges ? g->nr_edges * 2 : 1;
	}
	ep = epoch_next(g);
	if (search_back(g, a, b, ep, g->delta, &early))
		return true;
	lvl = early ? g->cls[a].level + 1 : g->cls[a].level;
	if (!early && g->cls[b].level == lvl) {
		/*
		 * No cycle, but a new edge inside one level, which every later
		 * backward search through it has to scan again.  Lift b above
		 * a instead when that is cheap (BFGT would only on a search
		 * cut short): hierarchies like DEPT's then spread over levels
		 * that put most new edges in order, answered without a search.
		 */
		if (!raise_cheap(g, b, lvl + 1, ep, RAISE_BUDGET))
			return false;
		lvl++;
	}
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
		for (k = 0; k < g->cls[x].out.nr; k++) {
			y = g->cls[x].out.v[k];
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

/* One string of a detail, "" for NULL, with its length and hash. */
struct dstr {
	const char *s;
	size_t n;
	uint64_t h;
};

static void dstr_of(struct dstr *d, const char *s)
{
	d->s = s ? s : "";
	d->n = strlen(d->s);
	d->h = hash_mem(d->s, d->n);
}

/* strcmp(): a shorter string may end the arena, and memcmp() may read all n bytes. */
static bool dstr_is(const struct ds_graph *g, const struct dstr *d, uint32_t off)
{
	return !strcmp(g->str + off, d->s);
}

static inline uint64_t rotl64(uint64_t x, unsigned int r)
{
	return x << r | x >> (64 - r);
}

/* Room for one more detail tuple in the table. */
static int tuples_reserve(struct ds_graph *g)
{
	struct htab nt;
	uint32_t i;
	int err;

	if (!htab_full(&g->tuple_tab))
		return 0;
	err = htab_new(&g->tuple_tab, (uint64_t)g->nr_tuples + 1, &nt);
	if (err)
		return err;
	for (i = 0; i < g->nr_tuples; i++)
		htab_put(&nt, hash_tuple(&g->tuples[i]), i);
	htab_replace(&g->tuple_tab, &nt);
	return 0;
}

/*
 * The id of @dep's (wait fn, event fn, context, source), interned on
 * first use.  A feed names few distinct details, so a small cache by the
 * hash of the strings answers most calls with three comparisons where
 * interning would probe four tables.
 */
static int tuple_intern(struct ds_graph *g, const struct ds_graph_dep *dep, uint32_t *id)
{
	struct gtuple t = { 0 };
	struct dstr w, e, src;
	uint64_t h, th;
	uint32_t i, c;
	uint8_t x;
	int err;

	dstr_of(&w, dep ? dep->wait_fn : NULL);
	dstr_of(&e, dep ? dep->event_fn : NULL);
	dstr_of(&src, dep ? dep->source : NULL);
	t.ctx = dep ? dep->ctx : 0;
	h = mix64(w.h ^ rotl64(e.h, 21) ^ rotl64(src.h, 42) ^ (unsigned char)t.ctx);
	c = (uint32_t)(h % TCACHE);
	if (g->tcache[c].tuple && g->tcache[c].hash == h) {
		const struct gtuple *o = &g->tuples[g->tcache[c].tuple - 1];

		if (o->ctx == t.ctx && dstr_is(g, &w, o->wait) && dstr_is(g, &e, o->event) &&
		    dstr_is(g, &src, o->source)) {
			*id = g->tcache[c].tuple - 1;
			return 0;
		}
	}
	err = str_intern_h(g, w.s, w.n, w.h, &t.wait);
	if (!err)
		err = str_intern_h(g, e.s, e.n, e.h, &t.event);
	if (!err)
		err = str_intern_h(g, src.s, src.n, src.h, &t.source);
	if (!err)
		err = tuples_reserve(g);
	if (err)
		return err;
	th = hash_tuple(&t);
	for (i = (uint32_t)th & g->tuple_tab.mask; (x = g->tuple_tab.tags[i]);
	     i = (i + 1) & g->tuple_tab.mask) {
		const struct gtuple *o = &g->tuples[g->tuple_tab.vals[i]];

		if (x == hash_tag(th) && o->wait == t.wait && o->event == t.event &&
		    o->source == t.source && o->ctx == t.ctx) {
			*id = g->tuple_tab.vals[i];
			goto out;
		}
	}
	err = grow((void **)&g->tuples, &g->cap_tuples, g->nr_tuples + 1, sizeof(*g->tuples));
	if (err)
		return err;
	g->tuples[g->nr_tuples] = t;
	htab_set(&g->tuple_tab, i, th, g->nr_tuples);
	*id = g->nr_tuples++;
out:
	g->tcache[c].hash = h;
	g->tcache[c].tuple = *id + 1;
	return 0;
}

uint32_t ds_graph__edge_find(const struct ds_graph *g, uint32_t from, uint32_t to)
{
	uint32_t i;
	bool found;

	if (!g || !g->edge_tab.tags)
		return NONE;
	i = edge_slot(g, from, to, hash_edge(from, to), &found);
	return found ? g->edge_tab.vals[i] : NONE;
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
	struct gcls *f, *t;
	bool cyc, found = false;
	uint64_t h;
	int err;

	if (cycle)
		*cycle = false;
	if (path)
		path->nr = 0;
	if (!g || from >= g->nr_nodes || to >= g->nr_nodes)
		return -EINVAL;
	/* the misses this edge will take, under way while the detail is interned */
	f = &g->cls[from];
	t = &g->cls[to];
	h = hash_edge(from, to);
	__builtin_prefetch(f);
	__builtin_prefetch(t);
	if (g->edge_tab.tags)
		__builtin_prefetch(&g->edge_tab.tags[(uint32_t)h & g->edge_tab.mask]);
	err = tuple_intern(g, dep, &tuple);
	if (err)
		return err;
	i = g->edge_tab.tags ? edge_slot(g, from, to, h, &found) : 0;
	if (found) {
		e = g->edge_tab.vals[i];
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
		if (!err && htab_full(&g->edge_tab)) {
			err = edges_reserve(g);
			if (!err)
				i = edge_slot(g, from, to, h, &found);
		}
		if (!err)
			err = adj_reserve(g, &f->out);
		if (!err)
			err = adj_reserve(g, &t->in);
		if (!err)
			err = search_reserve(g);
		if (err)
			return err;
		/* nothing below fails */
		__builtin_prefetch(&f->out.v[f->out.nr], 1);
		__builtin_prefetch(&t->in.v[t->in.nr], 1);
		ra = comp_find(g, from);
		rb = comp_find(g, to);
		cyc = levels_insert(g, ra, rb);
		e = g->nr_edges++;
		g->edges[e] = (struct gedge){ from, to, NONE };
		f->out.v[f->out.nr++] = to;
		t->in.v[t->in.nr++] = from;
		htab_set(&g->edge_tab, i, h, e);
		detail_add(g, e, tuple);
		if (ra != rb && g->cls[ra].level == g->cls[rb].level)
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

/*
 * Rebuilt rather than deleted from: the levels, components and neighbour
 * arrays are all incremental state, and a fresh graph fed the kept edges in
 * their old order has them right by construction.  The cost, O(kept edges),
 * is paid once per halving, so amortised it is a constant per class added.
 */
int ds_graph__keep_newest(struct ds_graph *g, uint32_t keep, uint32_t *remap)
{
	struct ds_graph *n = NULL, tmp;
	struct ds_graph_dep dep;
	uint32_t cut, i, e, k, d, nd, cnt;
	int err;

	if (!g)
		return -EINVAL;
	cut = g->nr_nodes > keep ? g->nr_nodes - keep : 0;
	if (remap)
		for (i = 0; i < g->nr_nodes; i++)
			remap[i] = i >= cut ? i - cut : DS_GRAPH_NONE;
	if (!cut)
		return 0;
	err = ds_graph__new(&n);
	for (i = cut; !err && i < g->nr_nodes; i++) {
		uint32_t id;

		err = ds_graph__class(n, ds_graph__class_name(g, i), ds_graph__class_key(g, i),
				      ds_graph__class_sub(g, i), &id);
	}
	for (e = 0; !err && e < g->nr_edges; e++) {
		if (g->edges[e].from < cut || g->edges[e].to < cut)
			continue;
		/* each detail once, in first-seen order, then the counts as they were */
		for (k = 0; !err && !ds_graph__edge_detail(g, e, k, &dep, &cnt); k++)
			err = ds_graph__add_edge(n, g->edges[e].from - cut, g->edges[e].to - cut,
						 &dep, NULL, NULL);
		if (err)
			break;
		d = g->edges[e].detail;
		nd = n->edges[n->nr_edges - 1].detail;
		for (; d != NONE && nd != NONE; d = g->details[d].next, nd = n->details[nd].next)
			n->details[nd].count = g->details[d].count;
	}
	if (err) {
		ds_graph__free(n);
		return err;
	}
	n->cycle_adds = g->cycle_adds;	/* a count of what happened, not of what is kept */
	tmp = *g;
	*g = *n;
	*n = tmp;
	ds_graph__free(n);
	return 0;
}

uint64_t ds_graph__nr_cycle_adds(const struct ds_graph *g)
{
	return g ? g->cycle_adds : 0;
}

static size_t htab_bytes(const struct htab *t)
{
	return t->tags ? ((size_t)t->mask + 1) * (1 + sizeof(*t->vals)) : 0;
}

size_t ds_graph__mem_bytes(const struct ds_graph *g)
{
	uint32_t i, caps[3], k;
	size_t b;

	if (!g)
		return 0;
	b = sizeof(*g);
	b += (size_t)g->cap_nodes * (sizeof(*g->nodes) + sizeof(*g->cls) + sizeof(*g->cold));
	b += g->pool.bytes;
	for (i = 0; i < g->nr_nodes; i++) {
		caps[0] = g->cls[i].out.cap;
		caps[1] = g->cls[i].in.cap;
		caps[2] = g->cls[i].same.cap;
		for (k = 0; k < 3; k++)
			if (caps[k] > 1u << POOL_LG)
				b += (size_t)caps[k] * sizeof(uint32_t);
	}
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
	return g && cls < g->nr_nodes ? g->cls[cls].out.nr : 0;
}

uint32_t ds_graph__out_to(const struct ds_graph *g, uint32_t cls, uint32_t i)
{
	return g && cls < g->nr_nodes && i < g->cls[cls].out.nr ? g->cls[cls].out.v[i] : NONE;
}

uint32_t ds_graph__in_nr(const struct ds_graph *g, uint32_t cls)
{
	return g && cls < g->nr_nodes ? g->cls[cls].in.nr : 0;
}

uint32_t ds_graph__in_from(const struct ds_graph *g, uint32_t cls, uint32_t i)
{
	return g && cls < g->nr_nodes && i < g->cls[cls].in.nr ? g->cls[cls].in.v[i] : NONE;
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
			if (t.cs_pos[sp - 1] < g->cls[x].out.nr) {
				y = g->cls[x].out.v[t.cs_pos[sp - 1]++];
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
		for (k = 0; k < g->cls[x].out.nr; k++) {
			y = g->cls[x].out.v[k];
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
			for (k = 0; k < g->cls[x].out.nr; k++) {
				y = g->cls[x].out.v[k];
				if (!SEEN(y)) {
					SET_SEEN(y);
					order[cnt++] = y;
				}
			}
			for (k = 0; k < g->cls[x].in.nr; k++) {
				y = g->cls[x].in.v[k];
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
