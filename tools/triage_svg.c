// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A report's cycle as SVG text for the HTML page, drawn by deptscope graph's renderer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/graph.h"
#include "deptscope/log.h"
#include "graph_out.h"
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
	char *dot = NULL, why[512];
	size_t dot_len = 0;
	FILE *f;
	int err;

	*svg = NULL;
	*len = 0;
	err = report_dot(r, &dot, &dot_len);
	if (err)
		return err;
	f = open_memstream(svg, len);
	if (!f) {
		err = -errno;
		goto out;
	}
	if (graph_render(dot, "svg", f, why, sizeof(why))) {
		ds_dbg("cycle graph of %s: %s", r->bucket, why);
		err = -EINVAL;
	}
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(*svg);
		*svg = NULL;
		*len = 0;
	}
out:
	free(dot);
	return err;
}
