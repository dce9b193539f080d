// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope graph: the dependency graph of DEPT/lockdep reports in console
 * logs, or of a /proc/dept_deps dump, as DOT, JSON, SVG or PNG.  lib/
 * writes the DOT; SVG and PNG are rendered here, in process, by libgvc
 * (lib/ must not link Graphviz).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gvc.h>
#include "deptscope/dept.h"
#include "deptscope/graph.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "graph_out.h"

#define DEFAULT_MAX_NODES	200
#define DEFAULT_DEPTH		2
#define MAX_ROOTS		64

struct log_ctx {
	struct ds_graph *g;
	unsigned long reports, used, skipped;
	int err;
};

static int on_report(void *ctx, struct ds_dept_report *r)
{
	struct log_ctx *lc = ctx;
	int err;

	lc->reports++;
	err = ds_graph__add_report(lc->g, r);
	if (!err) {
		lc->used++;
	} else if (err == -EOPNOTSUPP || err == -EINVAL) {
		lc->skipped++;	/* recover reports, fragments without classes */
	} else {
		lc->err = err;
		return err;
	}
	return 0;
}

static int load_proc(struct ds_graph *g, const char *file)
{
	struct ds_dept_deps_stats st;
	int err;

	err = ds_dept_deps__load(g, file, &st);
	if (err == -EINVAL) {
		ds_err("%s: not a /proc/dept_deps dump (no \"[key] class\" line in %llu lines)",
		       file, (unsigned long long)st.lines);
		return DS_EXIT_ERROR;
	}
	if (err == -ENODATA) {
		ds_err("%s: empty: no \"All classes:\" header and no classes", file);
		return DS_EXIT_ERROR;
	}
	if (err == -EBADMSG) {
		ds_err("%s: corrupt gzip data", file);
		return DS_EXIT_ERROR;
	}
	if (err) {
		ds_err("cannot read %s: %s", file, strerror(-err));
		return DS_EXIT_ERROR;
	}
	if (st.truncated)
		ds_warn("%s: the last line is cut short (truncated dump?): ignored it", file);
	if (st.bad_lines)
		ds_warn("%s: skipped %llu unrecognised line%s, the first at line %llu", file,
			(unsigned long long)st.bad_lines, st.bad_lines == 1 ? "" : "s",
			(unsigned long long)st.first_bad);
	ds_dbg("%s: %llu classes, %llu dependencies, %llu closed a cycle", file,
	       (unsigned long long)st.classes, (unsigned long long)st.deps,
	       (unsigned long long)st.cycles);
	return 0;
}

static int load_log(struct log_ctx *lc, const char *file)
{
	unsigned long before = lc->reports;
	int err;

	err = ds_dept_parse_file(file, on_report, NULL, lc);
	if (err && lc->err) {
		ds_err("%s: %s", file, strerror(-lc->err));
		return DS_EXIT_ERROR;
	}
	if (err) {
		ds_err("cannot read %s: %s", file, strerror(-err));
		return DS_EXIT_ERROR;
	}
	if (lc->reports == before)
		ds_warn("%s: no DEPT or lockdep report", file);
	return 0;
}

/* ---- rendering through libgvc ---- */

static char gv_msg[512];

/* Graphviz reports errors in pieces ("Error", ": ", text): keep the text. */
static int gv_error(char *msg)
{
	size_t n = strlen(gv_msg);

	if (!strcmp(msg, "Error") || !strcmp(msg, "Warning") || !strcmp(msg, ": "))
		return 0;
	snprintf(gv_msg + n, sizeof(gv_msg) - n, "%s", msg);
	return 0;
}

static const char *gv_why(void)
{
	size_t n = strlen(gv_msg);

	while (n && (gv_msg[n - 1] == '\n' || gv_msg[n - 1] == ' '))
		gv_msg[--n] = '\0';
	return n ? gv_msg : "no reason given";
}

static bool gv_has(GVC_t *gvc, const char *kind, const char *name)
{
	char **list;
	bool found = false;
	int n = 0, i;

	list = gvPluginList(gvc, kind, &n, NULL);
	for (i = 0; i < n; i++) {
		if (!strcmp(list[i], name))
			found = true;
		free(list[i]);
	}
	free(list);
	return found;
}

/*
 * One Graphviz context for the process, never freed.  The pango plugin of
 * Graphviz 2.43 (Debian 12) keeps the last font name as a pointer into the
 * context's font table and compares it in the next layout: after
 * gvFreeContext() that is a read of freed memory (AddressSanitizer, triage
 * --html with two buckets).
 */
static GVC_t *gv_context(void)
{
	static GVC_t *gvc;

	if (!gvc)
		gvc = gvContext();
	return gvc;
}

/* @dot laid out by "dot" and rendered as @format into @out; one line in @why if not. */
int graph_render(const char *dot, const char *format, FILE *out, char *why, size_t len)
{
	Agraph_t *ag = NULL;
	GVC_t *gvc;
	bool laid = false;
	int ret = -1;

	gv_msg[0] = '\0';
	agseterr(AGERR);
	agseterrf(gv_error);
	gvc = gv_context();
	if (!gvc) {
		snprintf(why, len, "cannot start Graphviz (libgvc)");
		return -1;
	}
	if (!gv_has(gvc, "layout", "dot")) {
		snprintf(why, len, "Graphviz has no \"dot\" layout plugin here (Debian: libgvc6; "
			 "its plugins are listed in the graphviz config6a file); use --format dot");
		goto out;
	}
	if (!gv_has(gvc, "device", format)) {
		snprintf(why, len, "Graphviz cannot render %s here: no %s renderer plugin (%s); "
			 "use --format dot or svg", format, format,
			 !strcmp(format, "png") ? "Debian: the cairo or gd plugin of libgvc6" :
			 "Debian: libgvc6");
		goto out;
	}
	ag = agmemread(dot);
	if (!ag) {
		snprintf(why, len, "Graphviz could not read the DOT: %s", gv_why());
		goto out;
	}
	if (gvLayout(gvc, ag, "dot")) {
		snprintf(why, len, "Graphviz layout failed: %s", gv_why());
		goto out;
	}
	laid = true;
	if (gvRender(gvc, ag, format, out)) {
		snprintf(why, len, "Graphviz could not render %s: %s", format, gv_why());
		goto out;
	}
	ret = 0;
out:
	if (laid)
		gvFreeLayout(gvc, ag);
	if (ag)
		agclose(ag);
	return ret;
}

/* ---- output ---- */

/* Also for deptscope dept's snapshots: @out_path NULL is stdout. */
int graph_write(const char *out_path, const char *format, bool pretty, const struct ds_graph *g,
		const struct ds_graph_sccs *s, const struct ds_graph_sel *sel)
{
	struct ds_atomic_file af = { 0 };
	char why[512], *dot = NULL;
	size_t dot_len = 0;
	FILE *f = stdout, *mem;
	int err;

	if (out_path) {
		err = ds_atomic_file__open(&af, out_path);
		if (err) {
			ds_err("cannot create %s: %s", out_path, strerror(-err));
			return DS_EXIT_ERROR;
		}
		f = af.f;
	}
	if (!strcmp(format, "dot")) {
		err = ds_graph__write_dot(g, s, sel, f);
	} else if (!strcmp(format, "json")) {
		err = ds_graph__write_json(g, s, sel, f, pretty);
	} else {
		mem = open_memstream(&dot, &dot_len);
		err = mem ? ds_graph__write_dot(g, s, sel, mem) : -ENOMEM;
		if (mem && fclose(mem) && !err)
			err = -ENOMEM;
		if (!err && graph_render(dot, format, f, why, sizeof(why))) {
			ds_err("%s", why);
			free(dot);
			ds_atomic_file__abort(&af);
			return DS_EXIT_ERROR;
		}
		free(dot);
	}
	if (err) {
		ds_err("writing the graph failed: %s", strerror(-err));
		if (out_path)
			ds_atomic_file__abort(&af);
		return DS_EXIT_ERROR;
	}
	if (out_path) {
		err = ds_atomic_file__commit(&af);
		if (err) {
			ds_err("writing %s failed: %s", out_path, strerror(-err));
			return DS_EXIT_ERROR;
		}
	} else if (fflush(stdout) || ferror(stdout)) {
		ds_err("writing to stdout failed");
		return DS_EXIT_ERROR;
	}
	return 0;
}

/* The classes --around names; one line saying why not when there are none. */
static int around_roots(const struct ds_graph *g, const char *name, uint32_t *roots,
			size_t *nr)
{
	uint32_t i, n = ds_graph__nr_classes(g), shown = 0;
	char hint[300] = "";
	size_t pos = 0;

	*nr = ds_graph__find_name(g, name, roots, MAX_ROOTS);
	if (*nr > MAX_ROOTS) {
		ds_warn("%zu classes are called '%s': using the first %d", *nr, name, MAX_ROOTS);
		*nr = MAX_ROOTS;
	}
	if (*nr)
		return 0;
	for (i = 0; i < n && shown < 3; i++) {
		const char *cn = ds_graph__class_name(g, i);
		int w;

		if (!strstr(cn, name))
			continue;
		w = snprintf(hint + pos, sizeof(hint) - pos, "%s'%s'",
			     shown ? ", " : "; did you mean ", cn);
		if (w < 0 || (size_t)w >= sizeof(hint) - pos) {
			hint[pos] = '\0';
			break;
		}
		pos += (size_t)w;
		shown++;
	}
	ds_err("no class called '%s' among the %u classes%s", name, n, hint);
	return DS_EXIT_ERROR;
}

int cmd_graph(int argc, char **argv)
{
	struct ds_graph_sccs sccs = { 0 };
	struct ds_graph_sel sel = { 0 };
	struct log_ctx lc = { 0 };
	struct ds_graph *g = NULL;
	struct ds_params p;
	uint32_t roots[MAX_ROOTS], max_nodes;
	const char *format;
	char summary[512];
	size_t nr_roots;
	int ret, err, i;

	ret = ds_parse_graph(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_graph, stdout);
		return 0;
	}
	ds_log_init("deptscope graph", p.verbose);
	/* -j is --format json; it cannot also be an image */
	format = p.format;
	if (p.json && (!strcmp(format, "svg") || !strcmp(format, "png"))) {
		fprintf(stderr, "deptscope graph: --json and --format %s do not go together\n",
			format);
		return DS_EXIT_USAGE;
	}
	if (p.json)
		format = "json";
	max_nodes = p.max_nodes ? p.max_nodes : DEFAULT_MAX_NODES;

	err = ds_graph__new(&g);
	if (err)
		goto fail;
	if (p.proc_deps) {
		ret = load_proc(g, p.proc_deps);
		if (ret)
			goto out;
	}
	lc.g = g;
	for (i = 0; i < p.nr_positional; i++) {
		ret = load_log(&lc, p.positional[i]);
		if (ret)
			goto out;
	}
	if (lc.skipped)
		ds_warn("%lu of %lu reports had no usable cycle (recover reports, fragments)",
			lc.skipped, lc.reports);

	err = ds_graph__sccs(g, &sccs);
	if (err)
		goto fail;
	if (p.around) {
		ret = around_roots(g, p.around, roots, &nr_roots);
		if (ret)
			goto out;
		err = ds_graph__select_around(g, &sccs, roots, nr_roots,
					      p.depth ? p.depth : DEFAULT_DEPTH, max_nodes, &sel);
	} else if (sccs.nr) {
		err = ds_graph__select_cycles(g, &sccs, max_nodes, &sel);
	} else {
		/* no cycle at all: the start of the graph beats an empty picture */
		err = ds_graph__select_all(g, &sccs, max_nodes, &sel);
	}
	if (err)
		goto fail;
	ret = graph_write(p.output, format, p.pretty, g, &sccs, &sel);
	if (ret)
		goto out;
	ds_graph_sel__summary(g, &sel, summary, sizeof(summary));
	if (p.nr_positional)
		ds_info("%s (from %lu report%s)%s%s", summary, lc.used, lc.used == 1 ? "" : "s",
			p.output ? " -> " : "", p.output ? p.output : "");
	else
		ds_info("%s%s%s", summary, p.output ? " -> " : "", p.output ? p.output : "");
	goto out;
fail:
	ds_err("%s", strerror(-err));
	ret = DS_EXIT_ERROR;
out:
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&sccs);
	ds_graph__free(g);
	return ret;
}
