// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for /proc/dept_deps dumps (lib/dept_proc.c): any bytes
 * go into a fresh graph, then through what 'deptscope graph --proc-deps'
 * does with it: components, the cycle and neighbourhood selections under
 * a cap, DOT and JSON.  The same bytes read as a file through
 * ds_dept_deps__load() must give the same counts as the in-memory parse,
 * and the counts must agree with the graph.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "deptscope/graph.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static int memfd = -1;
static char memfd_path[64];

static void setup(void)
{
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	memfd = fuzz_memfd("fuzz_deps", memfd_path, sizeof(memfd_path));
}

/* What the graph command exports, into /dev/null. */
static void export(struct ds_graph *g)
{
	struct ds_graph_sccs s = {};
	struct ds_graph_sel sel = {};
	uint32_t root = 0, n = ds_graph__nr_classes(g);
	char line[256];

	if (ds_graph__sccs(g, &s))
		return;
	if (!ds_graph__select_cycles(g, &s, 16, &sel)) {
		ds_graph_sel__summary(g, &sel, line, sizeof(line));
		ds_graph__write_dot(g, &s, &sel, devnull);
		ds_graph__write_json(g, &s, &sel, devnull, true);
	}
	ds_graph_sel__free(&sel);
	memset(&sel, 0, sizeof(sel));
	if (n && !ds_graph__select_around(g, &s, &root, 1, 2, 8, &sel))
		ds_graph__write_dot(g, &s, &sel, devnull);
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&s);
}

static void check_graph(const struct ds_graph *g, const struct ds_dept_deps_stats *st)
{
	uint32_t c, i, e, nc = ds_graph__nr_classes(g), ne = ds_graph__nr_edges(g);
	uint64_t sum = 0;

	CHECK(st->bad_lines <= st->lines && st->first_bad <= st->lines);
	CHECK(!st->first_bad == !st->bad_lines);
	CHECK(nc <= st->classes + st->deps && ne <= st->deps && st->cycles <= st->deps);
	for (c = 0; c < nc; c++) {
		CHECK(ds_graph__class_name(g, c) && ds_graph__class_key(g, c));
		for (i = 0; i < ds_graph__out_nr(g, c); i++) {
			CHECK(ds_graph__out_to(g, c, i) < nc);
			e = ds_graph__edge_find(g, c, ds_graph__out_to(g, c, i));
			CHECK(e < ne && ds_graph__edge_from(g, e) == c);
			sum += ds_graph__edge_count(g, e);
		}
	}
	/* every dependency line is one occurrence of its edge */
	CHECK(sum == st->deps);
}

static bool same_stats(const struct ds_dept_deps_stats *a, const struct ds_dept_deps_stats *b)
{
	return a->lines == b->lines && a->classes == b->classes && a->deps == b->deps &&
	       a->cycles == b->cycles && a->bad_lines == b->bad_lines &&
	       a->first_bad == b->first_bad && a->header == b->header &&
	       a->truncated == b->truncated;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_dept_deps_stats st, fst;
	struct ds_graph *g, *fg;
	int err, ferr;

	if (!devnull)
		setup();
	if (ds_graph__new(&g))
		return 0;
	err = ds_dept_deps__parse(g, (const char *)data, size, &st);
	if (!err || err == -EINVAL || err == -ENODATA) {
		check_graph(g, &st);
		export(g);
	}
	/* the file reader must agree; a gzip header makes it decompress, the parser not */
	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
			abort();
		if (!ds_graph__new(&fg)) {
			ferr = ds_dept_deps__load(fg, memfd_path, &fst);
			CHECK(ferr == err);
			CHECK(same_stats(&st, &fst));
			CHECK(ds_graph__nr_classes(fg) == ds_graph__nr_classes(g));
			CHECK(ds_graph__nr_edges(fg) == ds_graph__nr_edges(g));
			ds_graph__free(fg);
		}
	}
	ds_graph__free(g);
	return 0;
}
