// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lib/history.c: what deptscope top shows besides the models. */
#include <stdlib.h>
#include "deptscope/dept.h"
#include "deptscope/history.h"
#include "test.h"

static void fence_ev(struct ds_fence_event *e, unsigned int type, uint64_t ts, uint64_t seqno)
{
	memset(e, 0, sizeof(*e));
	e->hdr.type = type;
	e->hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	e->hdr.ts = ts;
	e->seqno = seqno;
}

TEST(test_history_events_counts_rates)
{
	struct ds_history *h;
	struct ds_fence_event e;
	struct ds_vpr_event v = {};
	struct ds_meta_stats st = {};
	const struct ds_history_counts *c;
	const struct ds_fence_event *got;
	uint64_t i;

	REQUIRE(ds_history__new(8, 0, &h) == 0);
	/* second 1: 20 fence events; second 2: 5 more and 2 VPR ones */
	for (i = 0; i < 25; i++) {
		fence_ev(&e, DS_EV_FENCE_SIGNALED, i < 20 ? 1000000000ULL + i * 40000000ULL :
			 2000000000ULL + (i - 20) * 10000000ULL, i);
		REQUIRE(ds_history__consume(h, &e.hdr) == 0);
	}
	v.hdr.type = DS_EV_VPR_FIRST;
	v.hdr.size = sizeof(v);
	v.hdr.ts = 2900000000ULL;
	REQUIRE(ds_history__consume(h, &v.hdr) == 0);
	REQUIRE(ds_history__consume(h, &v.hdr) == 0);
	/* meta records are kept apart, not counted as events */
	st.hdr.type = DS_EV_META_STATS;
	st.hdr.size = sizeof(st);
	st.dropped = 7;
	REQUIRE(ds_history__consume(h, &st.hdr) == 0);
	v.hdr.ts = 3100000000ULL;	/* second 3 starts: second 2's counts become the rate */
	REQUIRE(ds_history__consume(h, &v.hdr) == 0);

	c = ds_history__counts(h);
	CHECK_EQ_U64(c->events, 28);
	CHECK_EQ_U64(c->by_src[DS_HSRC_FENCE], 25);
	CHECK_EQ_U64(c->by_src[DS_HSRC_VPR], 3);
	CHECK_EQ_U64(c->rate[DS_HSRC_FENCE], 5);
	CHECK_EQ_U64(c->rate[DS_HSRC_VPR], 2);
	CHECK(c->have_stats && c->stats.dropped == 7);
	CHECK_EQ_U64(c->first_ts, 1000000000ULL);
	CHECK_EQ_U64(c->last_ts, 3100000000ULL);

	/* the newest 8, newest first */
	CHECK_EQ_U64(ds_history__nr_events(h), 8);
	CHECK_EQ_U64(ds_history__event(h, 0)->ts, 3100000000ULL);
	got = (const void *)ds_history__event(h, 3);
	CHECK_EQ_U64(got->hdr.type, DS_EV_FENCE_SIGNALED);
	CHECK_EQ_U64(got->seqno, 24);
	got = (const void *)ds_history__event(h, 7);
	CHECK_EQ_U64(got->seqno, 20);
	CHECK(ds_history__event(h, 8) == NULL);
	/* a gap of seconds: no rate */
	v.hdr.ts = 9000000000ULL;
	REQUIRE(ds_history__consume(h, &v.hdr) == 0);
	CHECK_EQ_U64(ds_history__counts(h)->rate[DS_HSRC_VPR], 0);
	ds_history__free(h);
}

static void circle_report(struct ds_dept_report *r, unsigned int n)
{
	static const char *const cls[] = { "A", "B", "C" };
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->kind = DS_RK_DEPT;
	r->verdict = DS_V_DEADLOCK;
	r->parsed = true;
	r->nr_contexts = 2;
	for (i = 0; i < 2; i++) {
		r->ctx[i].id = (char)('A' + i);
		snprintf(r->ctx[i].event.cls, sizeof(r->ctx[i].event.cls), "%s", cls[(n + i) % 3]);
		snprintf(r->ctx[i].wait.cls, sizeof(r->ctx[i].wait.cls), "%s",
			 cls[(n + i + 1) % 3]);
		r->ctx[i].event.sub = r->ctx[i].wait.sub = -1;
	}
	ds_dept_report__add_frame(r, "frame_of_circle");
	r->ctx[0].wait.stack_first = 0;
	r->ctx[0].wait.stack_nr = 1;
	ds_dept_report__sign(r);
}

static void free_frames(struct ds_dept_report *r)
{
	uint32_t i;

	for (i = 0; i < r->nr_frames; i++)
		free(r->frames[i]);
	free(r->frames);
	r->frames = NULL;
	r->nr_frames = r->cap_frames = 0;
}

TEST(test_history_circles)
{
	struct ds_dept_circle_info info = {};
	const struct ds_dept_circle_info *gi;
	const struct ds_dept_report *g;
	struct ds_dept_report r;
	struct ds_history *h;
	unsigned int i;

	REQUIRE(ds_history__new(0, 0, &h) == 0);
	CHECK(ds_history__circle(h, 0, &gi) == NULL);
	for (i = 1; i <= 40; i++) {
		circle_report(&r, i);
		info.circle = i;
		info.ts = 1000 * i;
		info.cls[0] = i;
		/* the report is the caller's: the history keeps a copy */
		REQUIRE(ds_history__add_circle(h, &r, &info) == 0);
		free_frames(&r);
	}
	CHECK_EQ_U64(ds_history__circles_total(h), 40);
	CHECK_EQ_U64(ds_history__nr_circles(h), 32);
	g = ds_history__circle(h, 0, &gi);
	REQUIRE(g);
	CHECK_EQ_U64(gi->circle, 40);
	CHECK_EQ_U64(gi->ts, 40000);
	CHECK_EQ_U64(gi->cls[0], 40);
	circle_report(&r, 40);
	CHECK_EQ_STR(g->bucket, r.bucket);
	free_frames(&r);
	CHECK_EQ_STR(ds_dept_report__frame(g, g->ctx[0].wait.stack_first), "frame_of_circle");
	/* the oldest kept is circle 9: 1..8 were dropped */
	g = ds_history__circle(h, 31, &gi);
	REQUIRE(g);
	CHECK_EQ_U64(gi->circle, 9);
	CHECK(ds_history__circle(h, 32, &gi) == NULL);
	ds_history__free(h);
}
