// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A report's cycle as an SVG string, for the HTML page: DOT, then libgvc in memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <graphviz/gvc.h>
#include "deptscope/graph.h"
#include "triage.h"

/* The DOT of the report's own graph: its cycle, drawn as deptscope graph draws it. */
static int report_dot(const struct ds_dept_report *r, char **dot, size_t *len)
{
	struct ds_graph_sccs sccs = {};
	struct ds_graph_sel sel = {};
	struct ds_graph *g = NULL;
	FILE *f = NULL;
	int err;

	*dot = NULL;
	err = ds_graph__new(&g);
	if (!err)
		err = ds_graph__add_report(g, r);
	if (!err)
		err = ds_graph__sccs(g, &sccs);
	if (!err)
		err = ds_graph__select_all(g, &sccs, 0, &sel);
	if (err)
		goto out;
	f = open_memstream(dot, len);
	if (!f) {
		err = -errno;
		goto out;
	}
	err = ds_graph__write_dot(g, &sccs, &sel, f);
	if (fclose(f) && !err)
		err = -EIO;
out:
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&sccs);
	ds_graph__free(g);
	if (err) {
		free(*dot);
		*dot = NULL;
	}
	return err;
}

int triage_bucket_svg(const struct ds_dept_report *r, char **svg, size_t *len)
{
	char *dot = NULL, *data = NULL;
	unsigned int n = 0;
	size_t dot_len = 0;
	GVC_t *gvc = NULL;
	Agraph_t *ag = NULL;
	int err;

	*svg = NULL;
	*len = 0;
	err = report_dot(r, &dot, &dot_len);
	if (err)
		return err;
	gvc = gvContext();
	if (!gvc) {
		err = -ENOMEM;
		goto out;
	}
	ag = agmemread(dot);
	if (!ag || gvLayout(gvc, ag, "dot") || gvRenderData(gvc, ag, "svg", &data, &n)) {
		err = -EINVAL;
		goto out;
	}
	*svg = malloc(n + 1);
	if (!*svg) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(*svg, data, n);
	(*svg)[n] = '\0';
	*len = n;
out:
	if (data)
		gvFreeRenderData(data);
	if (ag) {
		gvFreeLayout(gvc, ag);
		agclose(ag);
	}
	if (gvc)
		gvFreeContext(gvc);
	free(dot);
	return err;
}
