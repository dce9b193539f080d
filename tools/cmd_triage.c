// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope triage: DEPT and lockdep reports from console logs, bucketed by
 * the signature of their cycle and looked up in the known-issue database.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "deptscope/dept.h"
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "triage.h"

static void json_point(struct ds_json *j, const char *key, const struct ds_dept_point *pt)
{
	ds_json__key(j, key);
	if (!pt->cls[0] && !pt->fn[0]) {
		ds_json__null(j);
		return;
	}
	ds_json__begin_object(j);
	ds_json__kv_str(j, "fn", pt->fn);
	ds_json__kv_str(j, "class", pt->cls);
	ds_json__key(j, "sub");
	if (pt->sub >= 0)
		ds_json__i64(j, pt->sub);
	else
		ds_json__null(j);
	ds_json__end_object(j);
}

static void json_str_or_null(struct ds_json *j, const char *key, const char *s)
{
	ds_json__key(j, key);
	if (s && *s)
		ds_json__str(j, s);
	else
		ds_json__null(j);
}

static void json_stack(struct ds_json *j, const struct ds_dept_report *r, const char *key,
		       uint32_t first, uint32_t nr)
{
	uint32_t i;

	if (!nr)
		return;
	ds_json__key(j, key);
	ds_json__begin_array(j);
	for (i = 0; i < nr; i++)
		ds_json__str(j, ds_dept_report__frame(r, first + i));
	ds_json__end_array(j);
}

/* One report as the "reports" array holds it (docs/triage.md). */
void triage_json_report(struct ds_json *j, const struct ds_dept_report *r)
{
	char classes[64][DS_DEPT_NAME_LEN];
	size_t n, i;

	ds_json__begin_object(j);
	ds_json__kv_str(j, "kind", ds_report_kind_name(r->kind));
	json_str_or_null(j, "verdict", ds_verdict_name(r->verdict));
	json_str_or_null(j, "kernel", r->kernel);
	ds_json__kv_bool(j, "complete", r->complete);
	if (!r->complete)
		ds_json__kv_str(j, "problem", r->problem);
	ds_json__key(j, "contexts");
	ds_json__begin_array(j);
	for (i = 0; i < r->nr_contexts; i++) {
		const struct ds_dept_context *c = &r->ctx[i];
		char id[2] = { c->id, '\0' };

		ds_json__begin_object(j);
		ds_json__kv_str(j, "id", id);
		json_point(j, "start", &c->start);
		json_point(j, "wait", &c->wait);
		json_point(j, "event", &c->event);
		ds_json__kv_bool(j, "timeout", c->timeout);
		json_str_or_null(j, "irq", ds_irq_name(c->irq));
		ds_json__key(j, "stacks");
		ds_json__begin_object(j);
		json_stack(j, r, "start", c->start.stack_first, c->start.stack_nr);
		json_stack(j, r, "wait", c->wait.stack_first, c->wait.stack_nr);
		json_stack(j, r, "event", c->event.stack_first, c->event.stack_nr);
		json_stack(j, r, "wait_to_wake", c->wake_first, c->wake_nr);
		ds_json__end_object(j);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
	n = ds_dept_report__classes(r, classes, 64);
	ds_json__key(j, "classes");
	ds_json__begin_array(j);
	for (i = 0; i < n; i++)
		ds_json__str(j, classes[i]);
	ds_json__end_array(j);
	ds_json__kv_str(j, "signature", r->signature);
	ds_json__kv_str(j, "bucket", r->bucket);
	ds_json__key(j, "source");
	ds_json__begin_object(j);
	ds_json__kv_str(j, "file", r->file ? r->file : "-");
	ds_json__kv_u64(j, "first_line", r->first_line);
	ds_json__kv_u64(j, "last_line", r->last_line);
	ds_json__end_object(j);
	ds_json__end_object(j);
}

static struct triage_bucket *find_bucket(struct triage_run *t, const char *bucket)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->buckets[i].bucket, bucket))
			return &t->buckets[i];
	return NULL;
}

static int add_occurrence(struct triage_bucket *b, const struct ds_dept_report *r)
{
	struct triage_occ *o;

	if (ds_grow(&b->occ, &b->cap_occ, b->nr_occ, sizeof(*o), 4))
		return -ENOMEM;
	o = &b->occ[b->nr_occ++];
	memset(o, 0, sizeof(*o));
	snprintf(o->file, sizeof(o->file), "%s", r->file ? r->file : "-");
	o->first_line = r->first_line;
	o->last_line = r->last_line;
	snprintf(o->kernel, sizeof(o->kernel), "%s", r->kernel);
	return 0;
}

static int on_report(void *ctx, struct ds_dept_report *r)
{
	struct triage_run *t = ctx;
	struct triage_bucket *b;

	t->nr_reports++;
	if (!r->parsed) {
		struct triage_unparsed *u;

		if (ds_grow(&t->unparsed, &t->cap_unparsed, t->nr_unparsed, sizeof(*u), 8))
			return -ENOMEM;
		u = &t->unparsed[t->nr_unparsed++];
		snprintf(u->file, sizeof(u->file), "%s", r->file ? r->file : "-");
		u->first_line = r->first_line;
		u->last_line = r->last_line;
		snprintf(u->problem, sizeof(u->problem), "%s", r->problem);
		return 0;
	}
	if (t->json) {
		/* streamed: memory stays bounded by the buckets, not the reports */
		triage_json_report(&t->j, r);
	}
	b = find_bucket(t, r->bucket);
	if (!b) {
		if (ds_grow(&t->buckets, &t->cap, t->nr, sizeof(*b), 16))
			return -ENOMEM;
		b = &t->buckets[t->nr++];
		memset(b, 0, sizeof(*b));
		snprintf(b->bucket, sizeof(b->bucket), "%s", r->bucket);
		b->first = ds_dept_report__dup(r);
		if (!b->first)
			return -ENOMEM;
		snprintf(b->status, sizeof(b->status), "new");
		b->seen_before = false;
	}
	b->count++;
	return add_occurrence(b, r);
}

static int on_health(void *ctx, const struct ds_dept_health *h)
{
	struct triage_run *t = ctx;
	struct triage_health *e;

	if (ds_grow(&t->health, &t->cap_health, t->nr_health, sizeof(*e), 8))
		return -ENOMEM;
	e = &t->health[t->nr_health++];
	e->h = *h;
	snprintf(e->file, sizeof(e->file), "%s", h->file ? h->file : "-");
	return 0;
}

/* A bucket that makes the run fail: never triaged (new, open), or a fixed bug back. */
bool triage_bucket_failing(const struct triage_bucket *b)
{
	return !strcmp(b->status, "new") || !strcmp(b->status, "open") ||
	       !strcmp(b->status, "fixed");
}

size_t triage_nr_failing(const struct triage_run *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++)
		n += triage_bucket_failing(&t->buckets[i]);
	return n;
}

static void json_tail(struct triage_run *t)
{
	struct ds_json *j = &t->j;
	size_t i;

	ds_json__end_array(j);
	ds_json__key(j, "buckets");
	ds_json__begin_array(j);
	for (i = 0; i < t->nr; i++) {
		const struct triage_bucket *b = &t->buckets[i];
		char cycle[512];

		ds_dept_report__cycle(b->first, cycle, sizeof(cycle));
		ds_json__begin_object(j);
		ds_json__kv_str(j, "bucket", b->bucket);
		ds_json__kv_u64(j, "count", b->count);
		ds_json__kv_str(j, "status", b->status);
		ds_json__kv_bool(j, "seen_before", b->seen_before);
		ds_json__kv_str(j, "kind", ds_report_kind_name(b->first->kind));
		json_str_or_null(j, "verdict", ds_verdict_name(b->first->verdict));
		ds_json__kv_str(j, "signature", b->first->signature);
		ds_json__kv_str(j, "cycle", cycle);
		json_str_or_null(j, "note", b->note);
		json_str_or_null(j, "link", b->link);
		ds_json__key(j, "first_seen");
		ds_json__begin_object(j);
		ds_json__kv_str(j, "file", b->occ[0].file);
		ds_json__kv_u64(j, "first_line", b->occ[0].first_line);
		ds_json__end_object(j);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
	ds_json__key(j, "unparseable");
	ds_json__begin_array(j);
	for (i = 0; i < t->nr_unparsed; i++) {
		ds_json__begin_object(j);
		ds_json__kv_str(j, "file", t->unparsed[i].file);
		ds_json__kv_u64(j, "first_line", t->unparsed[i].first_line);
		ds_json__kv_u64(j, "last_line", t->unparsed[i].last_line);
		ds_json__kv_str(j, "problem", t->unparsed[i].problem);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
	ds_json__key(j, "health");
	ds_json__begin_array(j);
	for (i = 0; i < t->nr_health; i++) {
		const struct triage_health *e = &t->health[i];

		ds_json__begin_object(j);
		ds_json__kv_str(j, "kind", ds_health_kind_name(e->h.kind));
		ds_json__kv_str(j, "macro", e->h.macro);
		ds_json__kv_str(j, "message", e->h.message);
		ds_json__kv_str(j, "file", e->file);
		ds_json__kv_u64(j, "line", e->h.line);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
	ds_json__end_object(j);
	ds_json__finish(j);
}

static void text_out(struct triage_run *t)
{
	size_t i;

	if (!t->nr && !t->nr_unparsed && !t->nr_health) {
		printf("No DEPT or lockdep reports found.\n");
		return;
	}
	if (t->nr) {
		printf("%-15s %5s %-15s %-32s %s\n", "BUCKET", "COUNT", "STATUS", "FIRST SEEN",
		       "CYCLE");
		for (i = 0; i < t->nr; i++) {
			const struct triage_bucket *b = &t->buckets[i];
			char cycle[512], where[300];
			const char *base = strrchr(b->occ[0].file, '/');

			ds_dept_report__cycle(b->first, cycle, sizeof(cycle));
			snprintf(where, sizeof(where), "%s:%" PRIu64,
				 base ? base + 1 : b->occ[0].file, b->occ[0].first_line);
			printf("%-15s %5" PRIu64 " %-15s %-32.32s %s%s%s\n", b->bucket, b->count,
			       b->status, where,
			       b->first->kind == DS_RK_LOCKDEP ? "[lockdep] " : "",
			       cycle, b->first->verdict == DS_V_TIMEOUT ? " (timeout)" : "");
		}
	}
	for (i = 0; i < t->nr_unparsed; i++)
		printf("UNPARSEABLE: %s:%" PRIu64 "-%" PRIu64 ": %s\n", t->unparsed[i].file,
		       t->unparsed[i].first_line, t->unparsed[i].last_line, t->unparsed[i].problem);
	for (i = 0; i < t->nr_health; i++) {
		const struct triage_health *e = &t->health[i];

		printf("DEPT %s: %s:%" PRIu64 ": %s: %s\n", ds_health_kind_name(e->h.kind), e->file,
		       e->h.line, e->h.macro, e->h.message);
	}
}

static void run_free(struct triage_run *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		ds_dept_report__free(t->buckets[i].first);
		free(t->buckets[i].occ);
	}
	free(t->buckets);
	free(t->unparsed);
	free(t->health);
}

int cmd_triage(int argc, char **argv)
{
	struct triage_run t = {};
	struct ds_params p;
	int ret, err, i;

	if (argc >= 2 && !strcmp(argv[1], "mark"))
		return cmd_triage_mark(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return cmd_triage_list(argc - 1, argv + 1);
	ret = ds_parse_triage(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_triage, stdout);
		return 0;
	}
	ds_log_init("deptscope triage", p.verbose);
	t.p = &p;
	t.json = p.json;
	t.started = time(NULL);
	err = triage_db_open(&t);
	if (err) {
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (t.json) {
		ds_json__init(&t.j, stdout, p.pretty);
		ds_json__begin_object(&t.j);
		ds_json__key(&t.j, "reports");
		ds_json__begin_array(&t.j);
	}
	for (i = 0; i < p.nr_positional; i++) {
		const char *f = p.positional[i];

		if (p.verbose)
			ds_info("reading %s", f);
		err = ds_dept_parse_file(f, on_report, on_health, &t);
		if (err) {
			ds_err("%s: %s", strcmp(f, "-") ? f : "stdin", strerror(-err));
			ret = DS_EXIT_ERROR;
			goto out;
		}
	}
	err = triage_db_commit(&t);
	if (err) {
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (t.json)
		json_tail(&t);
	else
		text_out(&t);
	fflush(stdout);
	if (p.junit && triage_write_junit(&t, p.junit))
		ret = DS_EXIT_ERROR;
	if (!ret && p.html && triage_write_html(&t, p.html))
		ret = DS_EXIT_ERROR;
	if (!ret && triage_nr_failing(&t))
		ret = DS_EXIT_HANG;
out:
	triage_db_close(&t);
	run_free(&t);
	return ret;
}
