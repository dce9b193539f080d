/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_GRAPH_OUT_H
#define DS_GRAPH_OUT_H

#include <stdbool.h>
#include "deptscope/graph.h"

/*
 * The selection as dot, json, svg or png, atomically to @out_path (NULL:
 * stdout); SVG and PNG through libgvc.  Returns 0 or DS_EXIT_ERROR after
 * saying why on stderr.
 */
/* @dot rendered by Graphviz as @format into @out: 0, or -1 and one line in @why. */
int graph_render(const char *dot, const char *format, FILE *out, char *why, size_t len);

int graph_write(const char *out_path, const char *format, bool pretty, const struct ds_graph *g,
		const struct ds_graph_sccs *s, const struct ds_graph_sel *sel);

#endif
