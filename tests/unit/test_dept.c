// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The report parser on hand-written lines: normalisation, signature, limits. */
#include <stdlib.h>
#include "deptscope/dept.h"
#include "test.h"

struct got {
	int n;
	struct ds_dept_report *r[8];
	int health;
};

static int keep(void *ctx, struct ds_dept_report *r)
{
	struct got *g = ctx;

	if (g->n < 8)
		g->r[g->n++] = ds_dept_report__dup(r);
	return 0;
}

static int count_health(void *ctx, const struct ds_dept_health *h)
{
	struct got *g = ctx;

	g->health++;
	return 0;
}

static void feed_all(struct got *g, const char *const *lines, size_t n)
{
	struct ds_dept_parser *p;
	size_t i;

	CHECK(!ds_dept_parser__new(keep, count_health, g, &p));
	for (i = 0; i < n; i++)
		CHECK(!ds_dept_parser__feed(p, lines[i], strlen(lines[i])));
	CHECK(!ds_dept_parser__finish(p));
	ds_dept_parser__free(p);
}

static void got_free(struct got *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		ds_dept_report__free(g->r[i]);
}

TEST(test_dept_class_norm)
{
	static const char *const cases[][2] = {
		{ "pglocked", "PG_locked" },
		{ "PG_locked_map", "PG_locked" },
		{ "pg_locked_map", "PG_locked" },
		{ "pg_writeback_map", "PG_writeback" },
		{ "&(&journal->j_wait_commit)->dmap", "&journal->j_wait_commit" },
		{ "&q->q_usage_counter(io)#10", "&q->q_usage_counter(io)" },
		{ "&type->s_umount_key#30", "&type->s_umount_key" },
		{ "<sched>", "<sched>" },
		{ "pgdat", "pgdat" },		/* a "pg" prefix alone is no page flag */
		{ "#3", "#3" },
		{ "", "" },
	};
	char out[DS_DEPT_NAME_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ds_dept_class_norm(cases[i][0], out, sizeof(out));
		CHECK_EQ_STR(out, cases[i][1]);
	}
	/* a short buffer is cut and terminated */
	ds_dept_class_norm("&ni->ni_lock", out, 5);
	CHECK_EQ_STR(out, "&ni-");
}

/* The same cycle in two eras, in two orders: one signature. */
TEST(test_dept_signature_era_and_rotation)
{
	static const char *const v7[] = {
		"DEPT: Circular dependency has been detected.",
		"6.2.0-rc1 #28 Not tainted",
		"*** DEADLOCK ***",
		"context A",
		"    [S] lock(&ni->ni_lock:0)",
		"    [W] folio_wait_bit_common(PG_locked_map:0)",
		"    [E] unlock(&ni->ni_lock:0)",
		"context B",
		"    [S] (unknown)(PG_locked_map:0)",
		"    [W] lock(&ni->ni_lock:0)",
		"    [E] folio_unlock(PG_locked_map:0)",
	};
	static const char *const v15[] = {
		"> [ 1.0][T7] *** DEADLOCK ***",
		"> [ 1.0][T7] context A",
		"> [ 1.0][T7]    [S] (unknown)(pg_locked_map:0)",
		"> [ 1.0][T9]    [S] an interleaved line from another task",
		"> [ 1.0][T7]    [W] lock(&ni->ni_lock:0)",
		"> [ 1.0][T7]    [E] dept_page_clear_bit(pg_locked_map:0)",
		"> [ 1.0][T7] context B",
		"> [ 1.0][T7]    [S] lock(&ni->ni_lock:0)",
		"> [ 1.0][T7]    [W] dept_page_wait_on_bit(pg_locked_map:0)",
		"> [ 1.0][T7]    [E] unlock(&ni->ni_lock:0)",
	};
	struct got a = {}, b = {};

	feed_all(&a, v7, sizeof(v7) / sizeof(v7[0]));
	feed_all(&b, v15, sizeof(v15) / sizeof(v15[0]));
	CHECK(a.n == 1 && b.n == 1);
	if (a.n == 1 && b.n == 1) {
		CHECK_EQ_STR(a.r[0]->signature, "dept: &ni->ni_lock -> PG_locked -> &ni->ni_lock");
		CHECK_EQ_STR(a.r[0]->bucket, b.r[0]->bucket);
		CHECK(!a.r[0]->complete && !b.r[0]->complete);
		CHECK_EQ_STR(a.r[0]->kernel, "6.2.0-rc1");
		CHECK_EQ_STR(b.r[0]->ctx[0].wait.fn, "lock");
		CHECK_EQ_U64(b.r[0]->first_line, 1);
	}
	got_free(&a);
	got_free(&b);
}

TEST(test_dept_point_parsing)
{
	static const char *const lines[] = {
		"DEPT: Circular dependency has been detected.",
		"5.17.0-rc1 #2 Tainted: G        W",
		"NOT A DEADLOCK BUT A CIRCULAR DEPENDENCY",
		"CHECK IF THE TIMEOUT IS INTENDED",
		"context A",
		"   [S] (unknown)(&(&journal->j_wait_commit)->dmap:0)",
		"      <hardirq interrupt>",
		"      [W] __raw_read_lock(&journal->j_state_lock:8)",
		"   --------------- >8 timeout ---------------",
		"   [E] event(&(&journal->j_wait_commit)->dmap:0)",
		"context A's detail",
		"[W] __raw_read_lock(&journal->j_state_lock:8) in hardirq context:",
		"[<ffffffff8133cd87>] start_this_handle+0xa7/0x5e0",
		"stacktrace:",
		"      _raw_read_lock+0x57/0xd0",
		"      do_event.isra.22+0x284/0x300",
		"      foo+0x1/0x2 fs/foo.c:12 [inline]",
		"[E] event(&(&journal->j_wait_commit)->dmap:0):",
		"[<ffffffff810baa53>] __wake_up_common+0x93/0x1a0",
		"DEPT_INFO_ONCE: Need to expand the ring buffer.",
	};
	struct got g = {};
	const struct ds_dept_report *r;

	feed_all(&g, lines, sizeof(lines) / sizeof(lines[0]));
	CHECK(g.n == 1 && g.health == 1);
	if (g.n != 1)
		return;
	r = g.r[0];
	CHECK(r->verdict == DS_V_TIMEOUT && r->nr_contexts == 1);
	CHECK(r->ctx[0].timeout && r->ctx[0].irq == DS_IRQ_HARDIRQ);
	CHECK_EQ_STR(r->ctx[0].start.fn, "(unknown)");
	CHECK_EQ_STR(r->ctx[0].start.cls, "&(&journal->j_wait_commit)->dmap");
	CHECK(r->ctx[0].wait.sub == 8);
	/* the stacktrace replaced the ip line; names without offsets or suffixes */
	CHECK_EQ_U64(r->ctx[0].wait.stack_nr, 3);
	CHECK_EQ_STR(ds_dept_report__frame(r, r->ctx[0].wait.stack_first), "_raw_read_lock");
	CHECK_EQ_STR(ds_dept_report__frame(r, r->ctx[0].wait.stack_first + 1), "do_event");
	CHECK_EQ_STR(ds_dept_report__frame(r, r->ctx[0].wait.stack_first + 2), "foo");
	/* no stacktrace: the ip line is the stack */
	CHECK_EQ_U64(r->ctx[0].event.stack_nr, 1);
	CHECK_EQ_STR(ds_dept_report__frame(r, r->ctx[0].event.stack_first),
		     "__wake_up_common");
	CHECK(ds_dept_report__frame(r, 1000000) == NULL);
	got_free(&g);
}

/* More contexts than the model holds, and lines past every limit: no overflow. */
TEST(test_dept_limits)
{
	char line[8192];
	struct ds_dept_parser *p;
	struct got g = {};
	int i;

	CHECK(!ds_dept_parser__new(keep, NULL, &g, &p));
	strcpy(line, "DEPT: Circular dependency has been detected.");
	ds_dept_parser__feed(p, line, strlen(line));
	strcpy(line, "*** DEADLOCK ***");
	ds_dept_parser__feed(p, line, strlen(line));
	for (i = 0; i < 26; i++) {
		snprintf(line, sizeof(line), "context %c", 'A' + i);
		ds_dept_parser__feed(p, line, strlen(line));
		snprintf(line, sizeof(line), "[W] lock(c%d:0)", i);
		ds_dept_parser__feed(p, line, strlen(line));
	}
	memset(line, 'x', sizeof(line));
	line[0] = '[';
	line[1] = 'S';
	line[2] = ']';
	line[3] = ' ';
	ds_dept_parser__feed(p, line, sizeof(line));
	CHECK(!ds_dept_parser__finish(p));
	ds_dept_parser__free(p);
	CHECK(g.n == 1);
	if (g.n == 1)
		CHECK_EQ_U64(g.r[0]->nr_contexts, DS_DEPT_MAX_CONTEXTS);
	got_free(&g);
}

/* The v14-v18 recover report, written here in the format dept.c prints. */
TEST(test_dept_recover_report)
{
	static const char *const lines[] = {
		"===================================================",
		"DEPT: Circular recover dependency has been detected.",
		"6.16.0-rc1 #3 Not tainted",
		"---------------------------------------------------",
		"   event site(foo_recover@foo_func)",
		"   -> event site(bar_recover@bar_func)",
		"",
		"   -> event site(foo_recover@foo_func)",
		"---------------------------------------------------",
		"information that might be helpful",
		"---------------------------------------------------",
		"CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.16.0-rc1 #3",
		"Call Trace:",
		" <TASK>",
		" dump_stack_lvl+0x44/0x57",
		" </TASK>",
		"[   9.0] an unrelated line after the report",
	};
	struct got g = {};

	feed_all(&g, lines, sizeof(lines) / sizeof(lines[0]));
	CHECK(g.n == 1);
	if (g.n != 1)
		return;
	CHECK(g.r[0]->kind == DS_RK_DEPT_RECOVER && g.r[0]->complete);
	/* the circle as printed ends where it began: two sites */
	CHECK_EQ_U64(g.r[0]->nr_contexts, 2);
	CHECK_EQ_STR(g.r[0]->signature,
		     "dept-recover: bar_recover -> foo_recover -> bar_recover");
	CHECK_EQ_STR(g.r[0]->ctx[1].event.cls, "bar_recover");
	CHECK_EQ_STR(g.r[0]->ctx[1].event.fn, "bar_func");
	CHECK_EQ_STR(g.r[0]->kernel, "6.16.0-rc1");
	CHECK_EQ_U64(g.r[0]->first_line, 1);
	CHECK_EQ_U64(g.r[0]->last_line, 16);
	CHECK(g.r[0]->bucket[0] == 'R');
	got_free(&g);
}
