// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "test.h"
#include "deptscope/fence.h"

static struct ds_fence_event ev(__u16 type, __u64 ts, __u32 tid, __u64 fence, __u64 ctx,
				__u64 seqno)
{
	struct ds_fence_event e = {};

	e.hdr.type = type;
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	e.hdr.ts = ts;
	e.hdr.pid = 100;
	e.hdr.tid = tid;
	e.fence = fence;
	e.context = ctx;
	e.seqno = seqno;
	snprintf(e.comm, sizeof(e.comm), "t%u", tid);
	return e;
}

static int feed(struct ds_fence_model *m, struct ds_fence_event e)
{
	return ds_fence_model__consume(m, &e.hdr);
}

struct hang_log {
	int hangs;
	int resolved;
	__u32 last_tid;
};

static void on_hang(void *ctx, const struct ds_fence_wait *w, const struct ds_fence_timeline *tl,
		    uint64_t now)
{
	struct hang_log *l = ctx;

	l->hangs++;
	l->last_tid = w->tid;
}

static void on_resolved(void *ctx, const struct ds_fence_wait *w,
			const struct ds_fence_timeline *tl)
{
	((struct hang_log *)ctx)->resolved++;
}

TEST(test_model_waits_names_and_top)
{
	struct ds_fence_model_opts o = { .top_n = 2 };
	const struct ds_fence_timeline *const *tls;
	const struct ds_fence_wait *const *top;
	const struct ds_fence_timeline *tl;
	struct ds_fence_name_event n = {};
	struct ds_fence_model *m;
	struct ds_fence_event e;
	char buf[128];

	REQUIRE(ds_fence_model__new(&o, &m) == 0);
	/* context with high bits set: the name record only has the low 32 */
	n.hdr.type = DS_EV_FENCE_NAME;
	n.hdr.size = sizeof(n);
	n.context32 = 7;
	strcpy(n.driver, "sw_sync");
	strcpy(n.timeline, "tl-a");
	CHECK(ds_fence_model__consume(m, &n.hdr) == 0);

	CHECK(feed(m, ev(DS_EV_FENCE_INIT, 10, 1, 0xa0, 0x100000007ULL, 1)) == 0);
	/* wait 1: kernel-paired duration 500 ns, with a 2-frame stack at start */
	e = ev(DS_EV_FENCE_WAIT_START, 100, 1, 0xa0, 0x100000007ULL, 1);
	e.nr_frames = 2;
	e.hdr.size += 16;
	e.stack[0] = 0x1111;
	e.stack[1] = 0x2222;
	CHECK(feed(m, e) == 0);
	CHECK(feed(m, ev(DS_EV_FENCE_SIGNALED, 590, 9, 0xa0, 0x100000007ULL, 1)) == 0);
	e = ev(DS_EV_FENCE_WAIT_END, 600, 1, 0xa0, 0x100000007ULL, 1);
	e.start_ts = 100;
	e.duration_ns = 500;
	e.flags = DS_FENCE_F_SIGNALED;
	CHECK(feed(m, e) == 0);
	/* wait 2: timed out unsignalled, 3000 ns */
	CHECK(feed(m, ev(DS_EV_FENCE_WAIT_START, 1000, 2, 0xb0, 0x100000007ULL, 2)) == 0);
	e = ev(DS_EV_FENCE_WAIT_END, 4000, 2, 0xb0, 0x100000007ULL, 2);
	e.start_ts = 1000;
	e.duration_ns = 3000;
	CHECK(feed(m, e) == 0);
	/* wait 3 on another timeline, start lost (kernel flagged NO_START): unmatched */
	e = ev(DS_EV_FENCE_WAIT_END, 5000, 3, 0xc0, 9, 1);
	e.flags = DS_FENCE_F_NO_START | DS_FENCE_F_SIGNALED;
	CHECK(feed(m, e) == 0);
	/* wait 4: kernel start missing but user saw the start: user pairs it */
	CHECK(feed(m, ev(DS_EV_FENCE_WAIT_START, 6000, 4, 0xd0, 9, 2)) == 0);
	e = ev(DS_EV_FENCE_WAIT_END, 6100, 4, 0xd0, 9, 2);
	e.flags = DS_FENCE_F_NO_START | DS_FENCE_F_SIGNALED;
	CHECK(feed(m, e) == 0);

	CHECK_EQ_U64(ds_fence_model__totals(m)->waits, 3);
	CHECK_EQ_U64(ds_fence_model__totals(m)->waits_unmatched, 1);
	CHECK_EQ_U64(ds_fence_model__totals(m)->pending, 0);
	CHECK_EQ_U64(ds_fence_model__hist(m)->count, 3);
	CHECK_EQ_U64(ds_fence_model__hist(m)->max, 3000);
	CHECK_EQ_U64(ds_fence_model__hist(m)->min, 100);

	tl = ds_fence_model__timeline(m, 0x100000007ULL);
	REQUIRE(tl);
	CHECK_EQ_STR(ds_fence_timeline__label(tl, buf, sizeof(buf)), "sw_sync/tl-a");
	CHECK_EQ_U64(tl->waits, 2);
	CHECK_EQ_U64(tl->waits_unsignaled, 1);
	CHECK_EQ_U64(tl->signals, 1);
	CHECK_EQ_U64(tl->inits, 1);
	tl = ds_fence_model__timeline(m, 9);
	REQUIRE(tl);
	CHECK_EQ_STR(ds_fence_timeline__label(tl, buf, sizeof(buf)), "context 9");

	CHECK_EQ_U64(ds_fence_model__timelines(m, &tls), 2);
	CHECK_EQ_U64(tls[0]->context, 0x100000007ULL);

	REQUIRE(ds_fence_model__top(m, &top) == 2);
	CHECK_EQ_U64(top[0]->duration_ns, 3000);
	CHECK_EQ_U64(top[1]->duration_ns, 500);
	/* the stack of the start record travels to the completed wait */
	CHECK_EQ_U64(top[1]->nr_frames, 2);
	CHECK_EQ_U64(top[1]->stack[1], 0x2222);
	CHECK_EQ_STR(top[1]->comm, "t1");
	ds_fence_model__free(m);
}

TEST(test_model_hang_once_then_resolved)
{
	struct hang_log log = {};
	struct ds_fence_model_opts o = { .hang_ns = 1000, .resolved = on_resolved,
					 .cb_ctx = &log };
	const struct ds_fence_wait *const *pend;
	struct ds_fence_model *m;
	struct ds_fence_event e;

	REQUIRE(ds_fence_model__new(&o, &m) == 0);
	CHECK(feed(m, ev(DS_EV_FENCE_WAIT_START, 100, 5, 0xe0, 3, 1)) == 0);
	CHECK(feed(m, ev(DS_EV_FENCE_WAIT_START, 500, 6, 0xf0, 3, 2)) == 0);
	CHECK_EQ_U64(ds_fence_model__check_hangs(m, 1099, on_hang, &log), 0);
	CHECK_EQ_U64(ds_fence_model__check_hangs(m, 1100, on_hang, &log), 1);
	CHECK_EQ_U64(log.last_tid, 5);
	/* reported once, not on every check */
	CHECK_EQ_U64(ds_fence_model__check_hangs(m, 1200, on_hang, &log), 0);
	CHECK_EQ_U64(ds_fence_model__check_hangs(m, 1500, on_hang, &log), 1);
	CHECK_EQ_U64(log.hangs, 2);
	CHECK_EQ_U64(ds_fence_model__totals(m)->hangs, 2);
	CHECK_EQ_U64(ds_fence_model__timeline(m, 3)->hangs, 2);
	REQUIRE(ds_fence_model__pending(m, &pend) == 2);
	CHECK_EQ_U64(pend[0]->tid, 5);	/* oldest first */

	e = ev(DS_EV_FENCE_WAIT_END, 5000, 5, 0xe0, 3, 1);
	e.start_ts = 100;
	e.duration_ns = 4900;
	e.flags = DS_FENCE_F_SIGNALED;
	CHECK(feed(m, e) == 0);
	CHECK_EQ_U64(log.resolved, 1);
	CHECK_EQ_U64(ds_fence_model__pending(m, &pend), 1);
	ds_fence_model__free(m);
}

TEST(test_model_ignores_foreign_and_counts_stats)
{
	struct ds_meta_stats st = {};
	struct ds_ping_event p = {};
	struct ds_fence_model *m;

	REQUIRE(ds_fence_model__new(NULL, &m) == 0);
	p.hdr.type = DS_EV_PING;
	p.hdr.size = sizeof(p);
	CHECK(ds_fence_model__consume(m, &p.hdr) == 0);
	st.hdr.type = DS_EV_META_STATS;
	st.hdr.size = sizeof(st);
	st.dropped = 7;
	CHECK(ds_fence_model__consume(m, &st.hdr) == 0);
	CHECK_EQ_U64(ds_fence_model__totals(m)->events, 0);
	CHECK(ds_fence_model__totals(m)->have_stats);
	CHECK_EQ_U64(ds_fence_model__totals(m)->stats.dropped, 7);
	ds_fence_model__free(m);
}

/* Many threads and fences: pending entries are recycled, never leaked or mixed. */
TEST(test_model_many_threads)
{
	struct ds_fence_model *m;
	struct ds_fence_event e;
	__u32 t;
	int round;

	REQUIRE(ds_fence_model__new(NULL, &m) == 0);
	for (round = 0; round < 3; round++) {
		for (t = 0; t < 5000; t++)
			CHECK(feed(m, ev(DS_EV_FENCE_WAIT_START, 1000 * round + t, t, t, t % 13,
					 round)) == 0);
		CHECK_EQ_U64(ds_fence_model__totals(m)->pending, 5000);
		for (t = 0; t < 5000; t++) {
			e = ev(DS_EV_FENCE_WAIT_END, 1000 * round + t + 50, t, t, t % 13, round);
			e.flags = DS_FENCE_F_NO_START;
			CHECK(feed(m, e) == 0);
		}
		CHECK_EQ_U64(ds_fence_model__totals(m)->pending, 0);
	}
	CHECK_EQ_U64(ds_fence_model__totals(m)->waits, 15000);
	CHECK_EQ_U64(ds_fence_model__hist(m)->max, 50);
	CHECK_EQ_U64(ds_fence_model__hist(m)->min, 50);
	ds_fence_model__free(m);
}
