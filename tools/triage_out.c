// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* deptscope triage: JUnit XML for CI dashboards, written atomically. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "triage.h"

/* XML text and attribute values; control bytes other than tab/newline dropped. */
void triage_xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (c >= 0x20 || c == '\n' || c == '\t')
				fputc(c, f);
		}
	}
}

/* The whole file @body writes appears at @path, or nothing does. */
int triage_write_file(struct triage_run *t, const char *path,
		      void (*body)(struct triage_run *t, FILE *f))
{
	struct ds_atomic_file af = {};
	int err;

	err = ds_atomic_file__open(&af, path);
	if (err) {
		ds_err("cannot create %s: %s", path, strerror(-err));
		return err;
	}
	body(t, af.f);
	err = ds_atomic_file__commit(&af);
	if (err)
		ds_err("writing %s failed: %s", path, strerror(-err));
	return err;
}

/*
 * One test case per bucket, in a suite per run.  A bucket fails when
 * nobody triaged it yet (new, open) or a fixed bug came back; known,
 * false-positive and duplicate buckets pass, so a dashboard stays green
 * on known noise and turns red on anything new.
 */
static void junit_body(struct triage_run *t, FILE *f)
{
	size_t i, failures = triage_nr_failing(t);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"deptscope triage\" tests=\"%zu\" failures=\"%zu\">\n",
		t->nr, failures);
	fprintf(f, "  <testsuite name=\"dept\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		t->nr, failures);
	for (i = 0; i < t->nr; i++) {
		const struct triage_bucket *b = &t->buckets[i];
		char cycle[512];

		ds_dept_report__cycle(b->first, cycle, sizeof(cycle));
		fprintf(f, "    <testcase classname=\"deptscope.%s\" name=\"%s ",
			ds_report_kind_name(b->first->kind), b->bucket);
		triage_xml_escape(f, cycle);
		fprintf(f, "\">\n");
		if (triage_bucket_failing(b)) {
			fprintf(f, "      <failure type=\"%s\" message=\"%s %s: %" PRIu64
				" report(s), first at ", b->status,
				ds_report_kind_name(b->first->kind), b->status, b->count);
			triage_xml_escape(f, b->occ[0].file);
			fprintf(f, ":%" PRIu64 "\">", b->occ[0].first_line);
			triage_xml_escape(f, b->first->text ? b->first->text : "");
			fprintf(f, "</failure>\n");
		}
		fprintf(f, "      <system-out>status %s; %" PRIu64 " report(s) in this run",
			b->status, b->count);
		if (b->note[0]) {
			fprintf(f, "; note: ");
			triage_xml_escape(f, b->note);
		}
		if (b->link[0]) {
			fprintf(f, "; link: ");
			triage_xml_escape(f, b->link);
		}
		fprintf(f, "</system-out>\n    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
}

int triage_write_junit(struct triage_run *t, const char *path)
{
	return triage_write_file(t, path, junit_body);
}
