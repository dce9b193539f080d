/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The DEPT dependency graph: classes are nodes, dependencies are edges from
 * an event class to the class whose wait that event waits on, as in
 * /proc/dept_deps ("fc -> tc": the event of fc cannot happen until the wait
 * on tc is woken).  Fed by console reports (dept.h) and /proc/dept_deps
 * dumps; every edge added says at once whether it closes a cycle.
 *
 * Memory, on x86-64, in arrays that double as they grow (so up to twice
 * this until the next doubling):
 *   per class   96 bytes: identity 16 (name and key string ids, subclass,
 *               flags), one 64-byte line of what inserting and searching
 *               read (union-find, level, mark, member list, three
 *               neighbour-array headers), 16 more search state; about 20
 *               more in the two class hash tables (5 bytes a slot) and 8
 *               of search scratch.  Names and keys are stored once,
 *               however many classes use them.
 *   per edge    12 bytes (ends, first detail), 4 in each of the two
 *               neighbour arrays, about 10 in the (from, to) table, 4 more
 *               while it joins two classes of one level; 12 per distinct
 *               detail (tuple id, count, link); a (wait fn, event fn,
 *               context, source) tuple is 16 bytes once, shared by every
 *               edge that has it: /proc/dept_deps edges share one.
 *               Neighbour arrays come from a pool that keeps the blocks
 *               they outgrow for other arrays: up to as much again.
 * bench/graphbench.c measures about 80 bytes per edge, slack included, at
 * a million edges among 100000 classes; ds_graph__mem_bytes() gives the
 * real figure.  Ids are 32-bit: up to 2^31 classes and edges.
 *
 * Functions return 0 or a negative errno.  Nothing here prints.
 */
#ifndef DEPTSCOPE_GRAPH_H
#define DEPTSCOPE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DS_GRAPH_NONE	UINT32_MAX

struct ds_graph;
struct ds_dept_report;

/* What one occurrence of a dependency says about it; any field may be NULL/0. */
struct ds_graph_dep {
	const char *wait_fn;	/* the function that waited on the "to" class */
	const char *event_fn;	/* the function whose event of the "from" class waited */
	char ctx;		/* DEPT context 'A'..; lockdep chain entry '0' + N; 0 */
	const char *source;	/* report bucket ("D-..."), "proc", ... */
};

/* A cycle as class ids c0 -> c1 -> ... -> cN-1 -> c0; grown as needed. */
struct ds_graph_cycle {
	uint32_t *ids;
	uint32_t nr, cap;
};

void ds_graph_cycle__free(struct ds_graph_cycle *c);

int ds_graph__new(struct ds_graph **out);
void ds_graph__free(struct ds_graph *g);

/*
 * The class @name with @key (NULL or "" for none: /proc/dept_deps gives the
 * hashed key address, reports do not) and subclass @sub (-1 for none),
 * created on first use.  Ids are 0, 1, 2, ... in creation order.
 */
int ds_graph__class(struct ds_graph *g, const char *name, const char *key, int sub,
		    uint32_t *id);
/* The same without creating it: -ENOENT when absent. */
int ds_graph__find_class(const struct ds_graph *g, const char *name, const char *key, int sub,
			 uint32_t *id);
/*
 * Every class called @name, any key or subclass, ascending; "name:N" also
 * matches subclass N of "name".  Returns how many there are (at most @max
 * are stored).
 */
size_t ds_graph__find_name(const struct ds_graph *g, const char *name, uint32_t *ids,
			   size_t max);

/*
 * Add the dependency @from -> @to with @dep's detail (identical details of
 * one edge are counted, not repeated).  *@cycle says whether the edge lies
 * on a cycle once added, i.e. @to already reached @from (always true for a
 * self-loop).  With @path, a shortest such cycle is stored there, starting
 * with @from, @to.  The edge stays in the graph either way.
 *
 * Cost: the two-way search of Bender, Fineman, Gilbert and Tarjan over
 * strongly connected components (see graph.c): O(1) when the levels
 * already order @from before @to, amortised O(sqrt(edges)) otherwise,
 * plus a bounded lift of @to above @from where that keeps the levels in
 * order; a duplicate edge costs a hash lookup.  In practice a new edge
 * costs about one round trip to memory: bench/deptingest.c.
 */
int ds_graph__add_edge(struct ds_graph *g, uint32_t from, uint32_t to,
		       const struct ds_graph_dep *dep, bool *cycle, struct ds_graph_cycle *path);

/*
 * Every dependency of a parsed report, classes by ds_dept_class_norm(), a
 * subclass only when it is above 0, the report's bucket as source:
 *   DEPT (DS_RK_DEPT): context i gives event class -> wait class ([E]'s
 *     class, or [S]'s when [E] has none), with [W]'s and [E]'s functions.
 *   lockdep (DS_RK_LOCKDEP): the chain "-> #N (class)", ordered by N, gives
 *     #k -> #k+1 and #last -> #0: the lock held -> the lock then taken,
 *     which is DEPT's direction (the held lock's release waits for the
 *     acquisition), labelled with entry #k+1, whose stack took that lock.
 * -EOPNOTSUPP for other kinds and unparsed reports, -EINVAL without contexts.
 */
int ds_graph__add_report(struct ds_graph *g, const struct ds_dept_report *r);

/*
 * Forget all but the @keep newest classes (the highest ids) and the edges
 * among them, details and counts kept; the oldest go first.  Ids change:
 * with @remap (room for ds_graph__nr_classes() entries), old id -> new id
 * or DS_GRAPH_NONE.  ds_graph__nr_cycle_adds() keeps counting.  Strings of
 * the forgotten classes are freed with them.
 */
int ds_graph__keep_newest(struct ds_graph *g, uint32_t keep, uint32_t *remap);
uint32_t ds_graph__nr_classes(const struct ds_graph *g);
uint32_t ds_graph__nr_edges(const struct ds_graph *g);
/* Edges that closed a cycle when added (duplicates of such edges included). */
uint64_t ds_graph__nr_cycle_adds(const struct ds_graph *g);
size_t ds_graph__mem_bytes(const struct ds_graph *g);

const char *ds_graph__class_name(const struct ds_graph *g, uint32_t id);
const char *ds_graph__class_key(const struct ds_graph *g, uint32_t id);	/* "" if none */
int ds_graph__class_sub(const struct ds_graph *g, uint32_t id);		/* -1 if none */
/* Another class has the same name and subclass (a different key). */
bool ds_graph__class_ambiguous(const struct ds_graph *g, uint32_t id);
/* Both in one strongly connected component, as maintained incrementally. */
bool ds_graph__same_scc(const struct ds_graph *g, uint32_t a, uint32_t b);

/*
 * Neighbours of a class, in the order their edges were added: its i-th
 * successor (i < ds_graph__out_nr()) and i-th predecessor.  Edge ids are
 * 0, 1, ... in creation order; ds_graph__edge_find() gives one's id.
 */
uint32_t ds_graph__out_nr(const struct ds_graph *g, uint32_t cls);
uint32_t ds_graph__out_to(const struct ds_graph *g, uint32_t cls, uint32_t i);
uint32_t ds_graph__in_nr(const struct ds_graph *g, uint32_t cls);
uint32_t ds_graph__in_from(const struct ds_graph *g, uint32_t cls, uint32_t i);
uint32_t ds_graph__edge_from(const struct ds_graph *g, uint32_t e);
uint32_t ds_graph__edge_to(const struct ds_graph *g, uint32_t e);
/* The edge @from -> @to, or DS_GRAPH_NONE. */
uint32_t ds_graph__edge_find(const struct ds_graph *g, uint32_t from, uint32_t to);
/* How many times the edge was added, all details together (saturates). */
uint64_t ds_graph__edge_count(const struct ds_graph *g, uint32_t e);
/*
 * Detail @i (0, 1, ... in first-seen order) of edge @e: strings point into
 * the graph ("" when absent).  -ENOENT past the last.
 */
int ds_graph__edge_detail(const struct ds_graph *g, uint32_t e, uint32_t i,
			  struct ds_graph_dep *dep, uint32_t *count);

/*
 * Strongly connected components that contain a cycle (more than one class,
 * or one with a self-loop), by an iterative Tarjan over the whole graph.
 * Members ascending; components ordered by their smallest member.
 */
struct ds_graph_sccs {
	uint32_t nr;		/* cyclic components */
	uint32_t *first;	/* nr + 1 offsets into members */
	uint32_t *members;
	uint32_t *scc_of;	/* per class: its component, or DS_GRAPH_NONE */
	uint32_t nr_classes;	/* size of scc_of */
};

int ds_graph__sccs(const struct ds_graph *g, struct ds_graph_sccs *out);
void ds_graph_sccs__free(struct ds_graph_sccs *s);

/* The part of the graph to export: a set of classes and the edges among them. */
struct ds_graph_sel {
	uint32_t *ids;		/* ascending */
	uint32_t nr;
	uint32_t wanted;	/* classes the request covered before the cap */
	uint32_t omitted;	/* wanted - nr: left out by the cap */
	uint32_t max_nodes;	/* the cap, 0: none */
	uint32_t cycles;	/* cyclic components in the whole graph */
	uint32_t cycles_cut;	/* too big: only one shortest cycle of each kept */
	uint32_t cycles_left;	/* left out entirely */
	uint64_t *in;		/* bitmap over class ids */
	uint32_t nr_classes;	/* of the graph when selected: bits in @in */
};

void ds_graph_sel__free(struct ds_graph_sel *sel);
bool ds_graph_sel__has(const struct ds_graph_sel *sel, uint32_t id);

/*
 * Every cyclic component.  Under a cap of @max_nodes (0: none) the smaller
 * components go first; one that does not fit gives a shortest cycle through
 * its first class instead, if that fits.
 */
int ds_graph__select_cycles(const struct ds_graph *g, const struct ds_graph_sccs *s,
			    uint32_t max_nodes, struct ds_graph_sel *sel);
/*
 * Classes at most @depth edges away from any of @roots, following edges
 * either way; the nearest kept first under the cap.
 */
int ds_graph__select_around(const struct ds_graph *g, const struct ds_graph_sccs *s,
			    const uint32_t *roots, size_t nr_roots, unsigned int depth,
			    uint32_t max_nodes, struct ds_graph_sel *sel);
/* Classes 0, 1, ... up to the cap. */
int ds_graph__select_all(const struct ds_graph *g, const struct ds_graph_sccs *s,
			 uint32_t max_nodes, struct ds_graph_sel *sel);

/*
 * "kept 200 of 5000 classes; 12 cycles", then what the cap did, if
 * anything: "; the 200-class cap left out 40 more; 3 cycles cut to one
 * shortest cycle; 1 cycle not shown".
 */
void ds_graph_sel__summary(const struct ds_graph *g, const struct ds_graph_sel *sel, char *buf,
			   size_t len);

/*
 * Graphviz DOT text of the selection (graph_dot.c): node "n<id>" per class,
 * classes and edges on a cycle in red, edges labelled "ctx: wait_fn /
 * event_fn", a graph label when the cap left something out.  -EIO when
 * writing failed.
 */
int ds_graph__write_dot(const struct ds_graph *g, const struct ds_graph_sccs *s,
			const struct ds_graph_sel *sel, FILE *f);
/*
 * {"nodes":[{"id","name","key","sub","cycle"}],"edges":[{"from","to",
 * "count","cycle","details":[{"wait_fn","event_fn","context","source",
 * "count"}]}],"cycles":[[ids]],"classes":N,"dependencies":N,
 * "omitted_nodes":N}
 */
int ds_graph__write_json(const struct ds_graph *g, const struct ds_graph_sccs *s,
			 const struct ds_graph_sel *sel, FILE *f, bool pretty);
/*
 * @s as the body of a DOT double-quoted string: '"' and '\' escaped, newline
 * as \n, other control bytes and invalid UTF-8 as '?', and '&' as "&amp;"
 * where Graphviz would read an entity.  Returns the length it needs (as
 * snprintf); @out is always terminated when @len > 0.
 */
size_t ds_graph_dot_escape(const char *s, char *out, size_t len);

/* ---- /proc/dept_deps (dept_proc.c) ---- */

struct ds_dept_deps_stats {
	uint64_t lines;
	uint64_t classes;	/* "[key] name" lines */
	uint64_t deps;		/* " -> [key] name" lines */
	uint64_t cycles;	/* of those, dependencies that closed a cycle */
	uint64_t bad_lines;	/* anything else that is not blank: ignored */
	uint64_t first_bad;	/* line number of the first, 0: none */
	bool header;		/* "All classes:" seen */
	bool truncated;		/* the last line had no newline: not trusted, ignored */
};

/*
 * Add the classes and dependencies of a dump.  A class is its name (with a
 * "<sched> " prefix when the dump has one) and its key; dependencies carry
 * the detail source "proc".  -ENODATA for an empty input, -EINVAL when no
 * line is a class or a dependency; @st (may be NULL) is filled either way.
 */
int ds_dept_deps__parse(struct ds_graph *g, const char *buf, size_t len,
			struct ds_dept_deps_stats *st);
/* The same from a file, plain or gzip-compressed; "-" is stdin. */
int ds_dept_deps__load(struct ds_graph *g, const char *path, struct ds_dept_deps_stats *st);

#endif
