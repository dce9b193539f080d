// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope triage --html: one self-contained page for people.  No
 * scripts and nothing fetched: styles inline, each cycle an inline SVG.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "triage.h"

static const char style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
	"text-align:left;vertical-align:top}th{background:#eee}"
	"pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto;"
	"font-size:85%}code{font-size:90%}"
	".st{font-weight:bold;padding:.1em .4em;border-radius:.3em}"
	".st-new,.st-open,.st-fixed{background:#fdd;color:#900}"
	".st-known{background:#ffd;color:#660}"
	".st-false-positive,.st-duplicate{background:#dfd;color:#060}"
	".graph svg{max-width:100%;height:auto}section{margin-top:2.5em}";

static void esc(FILE *f, const char *s)
{
	triage_xml_escape(f, s ? s : "");
}

static void status_span(FILE *f, const char *status)
{
	fprintf(f, "<span class=\"st st-");
	esc(f, status);
	fprintf(f, "\">");
	esc(f, status);
	fprintf(f, "</span>");
}

static void bucket_section(FILE *f, const struct triage_bucket *b)
{
	const struct ds_dept_report *r = b->first;
	char cycle[512], *svg = NULL;
	size_t i, svg_len = 0;
	int err;

	ds_dept_report__cycle(r, cycle, sizeof(cycle));
	fprintf(f, "<section id=\"%s\"><h2>%s ", b->bucket, b->bucket);
	status_span(f, b->status);
	fprintf(f, "</h2>\n<p><b>Cycle:</b> <code>");
	esc(f, cycle);
	fprintf(f, "</code><br><b>Kind:</b> %s", ds_report_kind_name(r->kind));
	if (ds_verdict_name(r->verdict))
		fprintf(f, ", verdict %s", ds_verdict_name(r->verdict));
	if (r->kernel[0]) {
		fprintf(f, ", kernel ");
		esc(f, r->kernel);
	}
	fprintf(f, "<br><b>Signature:</b> <code>");
	esc(f, r->signature);
	fprintf(f, "</code>");
	if (b->note[0]) {
		fprintf(f, "<br><b>Note:</b> ");
		esc(f, b->note);
	}
	if (b->link[0]) {
		fprintf(f, "<br><b>Link:</b> <a href=\"");
		esc(f, b->link);
		fprintf(f, "\">");
		esc(f, b->link);
		fprintf(f, "</a>");
	}
	fprintf(f, "</p>\n");
	err = triage_bucket_svg(r, &svg, &svg_len);
	if (!err && svg) {
		/* the SVG's own XML prologue and doctype do not belong inline */
		const char *start = strstr(svg, "<svg");

		fprintf(f, "<div class=\"graph\">\n");
		if (start)
			fwrite(start, 1, svg_len - (size_t)(start - svg), f);
		fprintf(f, "</div>\n");
	} else {
		fprintf(f, "<p><i>No cycle graph: %s.</i></p>\n",
			err ? strerror(-err) : "nothing to draw");
	}
	free(svg);
	fprintf(f, "<h3>Occurrences in this run (%" PRIu64 ")</h3>\n<ul>\n", b->count);
	for (i = 0; i < b->nr_occ; i++) {
		fprintf(f, "<li><code>");
		esc(f, b->occ[i].file);
		fprintf(f, ":%" PRIu64 "-%" PRIu64 "</code>", b->occ[i].first_line,
			b->occ[i].last_line);
		if (b->occ[i].kernel[0]) {
			fprintf(f, " kernel ");
			esc(f, b->occ[i].kernel);
		}
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n");
	if (!r->complete) {
		fprintf(f, "<p><b>Incomplete report:</b> ");
		esc(f, r->problem);
		fprintf(f, "</p>\n");
	}
	fprintf(f, "<h3>Representative report</h3>\n<pre>");
	esc(f, r->text);
	fprintf(f, "</pre>\n</section>\n");
}

static void html_body(struct triage_run *t, FILE *f)
{
	size_t i, failing = triage_nr_failing(t);

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>deptscope triage</title><style>%s</style></head><body>\n", style);
	fprintf(f, "<h1>deptscope triage</h1>\n<p>%" PRIu64 " report(s) in %d file(s): "
		"%zu bucket(s), <b>%zu need attention</b> (new, open, or fixed but back).</p>\n",
		t->nr_reports, t->p->nr_positional, t->nr, failing);
	if (t->nr) {
		fprintf(f, "<table><tr><th>Bucket</th><th>Count</th><th>Status</th>"
			"<th>Kind</th><th>Cycle</th><th>First seen</th></tr>\n");
		for (i = 0; i < t->nr; i++) {
			const struct triage_bucket *b = &t->buckets[i];
			char cycle[512];

			ds_dept_report__cycle(b->first, cycle, sizeof(cycle));
			fprintf(f, "<tr><td><a href=\"#%s\">%s</a></td><td>%" PRIu64 "</td><td>",
				b->bucket, b->bucket, b->count);
			status_span(f, b->status);
			fprintf(f, "</td><td>%s</td><td><code>",
				ds_report_kind_name(b->first->kind));
			esc(f, cycle);
			fprintf(f, "</code></td><td><code>");
			esc(f, b->occ[0].file);
			fprintf(f, ":%" PRIu64 "</code></td></tr>\n", b->occ[0].first_line);
		}
		fprintf(f, "</table>\n");
	} else {
		fprintf(f, "<p>No DEPT or lockdep reports found.</p>\n");
	}
	for (i = 0; i < t->nr; i++)
		bucket_section(f, &t->buckets[i]);
	if (t->nr_unparsed) {
		fprintf(f, "<section><h2>Unparseable reports</h2><ul>\n");
		for (i = 0; i < t->nr_unparsed; i++) {
			fprintf(f, "<li><code>");
			esc(f, t->unparsed[i].file);
			fprintf(f, ":%" PRIu64 "-%" PRIu64 "</code>: ", t->unparsed[i].first_line,
				t->unparsed[i].last_line);
			esc(f, t->unparsed[i].problem);
			fprintf(f, "</li>\n");
		}
		fprintf(f, "</ul></section>\n");
	}
	if (t->nr_health) {
		fprintf(f, "<section><h2>DEPT health</h2><ul>\n");
		for (i = 0; i < t->nr_health; i++) {
			const struct triage_health *e = &t->health[i];

			fprintf(f, "<li>%s <code>", ds_health_kind_name(e->h.kind));
			esc(f, e->file);
			fprintf(f, ":%" PRIu64 "</code> %s: ", e->h.line, e->h.macro);
			esc(f, e->h.message);
			fprintf(f, "</li>\n");
		}
		fprintf(f, "</ul></section>\n");
	}
	fprintf(f, "</body></html>\n");
}

int triage_write_html(struct triage_run *t, const char *path)
{
	return triage_write_file(t, path, html_body);
}
