// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * VPR resizes from tegra_vpr records (vpr_model.c): with our events, by
 * sequence number with every step; with v3's three events only, inferred.
 */
#include <errno.h>
#include <stdlib.h>
#include "deptscope/vpr.h"
#include "test.h"

#define MB	(1ULL << 20)

struct got {
	unsigned int n;
	struct ds_vpr_resize r[8];
};

static int keep(void *ctx, const struct ds_vpr_resize *r)
{
	struct got *g = ctx;

	if (g->n < 8)
		g->r[g->n++] = *r;
	return 0;
}

static uint64_t now = 1000000000ULL;

/* A record at now + @at_ms; every field from @tmpl. */
static void rec(struct ds_vpr_model *m, uint16_t type, double at_ms, struct ds_vpr_event e)
{
	e.hdr.type = type;
	e.hdr.size = sizeof(e);
	e.hdr.ts = now + (uint64_t)(at_ms * 1e6);
	e.hdr.tid = e.hdr.tid ? e.hdr.tid : 42;
	CHECK(!ds_vpr_model__feed(m, &e.hdr));
}

#define MS(x)	((uint64_t)((x) * 1e6))

/* A grow over chunks 0 and 1, as kernel/patches/tegra-vpr traces it. */
static void grow_two_chunks(struct ds_vpr_model *m, uint32_t seq)
{
	rec(m, DS_EV_VPR_RESIZE_BEGIN, 0, (struct ds_vpr_event){ .seq = seq, .grow = 1,
	    .name = "vpr", .base = 0x80000000, .size = 8 * MB });
	rec(m, DS_EV_VPR_CHUNK_ACTIVATE, 0.1, (struct ds_vpr_event){ .base = 0x80000000,
	    .size = 64 * MB });
	rec(m, DS_EV_VPR_CMA_ALLOC, 5, (struct ds_vpr_event){ .seq = seq, .chunk = 0,
	    .duration_ns = MS(4.8) });
	rec(m, DS_EV_VPR_MAP_DEVICE, 6, (struct ds_vpr_event){ .seq = seq, .chunk = 0,
	    .duration_ns = MS(1) });
	rec(m, DS_EV_VPR_CMA_ALLOC, 12, (struct ds_vpr_event){ .seq = seq, .chunk = 1,
	    .duration_ns = MS(5.5) });
	rec(m, DS_EV_VPR_MAP_DEVICE, 13, (struct ds_vpr_event){ .seq = seq, .chunk = 1,
	    .duration_ns = MS(1) });
	rec(m, DS_EV_VPR_FREEZE, 40, (struct ds_vpr_event){ .seq = seq,
	    .duration_ns = MS(27) });
	rec(m, DS_EV_VPR_DEV_FREEZE, 43, (struct ds_vpr_event){ .seq = seq, .name = "host1x",
	    .duration_ns = MS(3) });
	rec(m, DS_EV_VPR_SET, 43.1, (struct ds_vpr_event){ .base = 0x80000000,
	    .size = 128 * MB });
	rec(m, DS_EV_VPR_SMC, 44, (struct ds_vpr_event){ .seq = seq, .duration_ns = MS(0.9) });
	rec(m, DS_EV_VPR_DEV_THAW, 46, (struct ds_vpr_event){ .seq = seq, .name = "host1x",
	    .duration_ns = MS(2) });
	rec(m, DS_EV_VPR_THAW, 50, (struct ds_vpr_event){ .seq = seq, .duration_ns = MS(4),
	    .frozen_ns = MS(37) });
	rec(m, DS_EV_VPR_RESIZE_END, 50.5, (struct ds_vpr_event){ .seq = seq, .grow = 1,
	    .old_base = 0, .old_size = 0, .new_base = 0x80000000, .new_size = 128 * MB,
	    .mask = 3, .duration_ns = MS(50.5) });
}

TEST(vpr_grow_with_our_events)
{
	struct got g = {};
	struct ds_vpr_model *m;
	struct ds_vpr_stats st;
	const struct ds_vpr_size_point *sz;
	uint32_t nsz;

	CHECK(!ds_vpr_model__new(keep, &g, &m));
	grow_two_chunks(m, 7);
	CHECK_EQ_U64(g.n, 1);
	CHECK(g.r[0].complete && !g.r[0].inferred && g.r[0].grow);
	CHECK_EQ_U64(g.r[0].seq, 7);
	CHECK_EQ_STR(g.r[0].heap, "vpr");
	CHECK_EQ_U64(g.r[0].buf_size, 8 * MB);
	CHECK_EQ_U64(g.r[0].new_size, 128 * MB);
	CHECK_EQ_U64(g.r[0].chunks, 3);
	CHECK_EQ_U64(g.r[0].nr_chunk_steps, 2);
	CHECK_EQ_U64(g.r[0].cma_ns, MS(10.3));
	CHECK_EQ_U64(g.r[0].map_ns, MS(2));
	CHECK_EQ_U64(g.r[0].freeze_ns, MS(27));
	CHECK_EQ_U64(g.r[0].frozen_ns, MS(37));
	CHECK_EQ_U64(g.r[0].dev_freeze_ns + g.r[0].dev_thaw_ns, MS(5));
	CHECK_EQ_U64(g.r[0].nr_devs, 1);
	CHECK_EQ_U64(g.r[0].smc_ns, MS(0.9));
	CHECK_EQ_U64(g.r[0].duration_ns, MS(50.5));
	CHECK_EQ_U64(g.r[0].begin_ts, now);
	CHECK(!g.r[0].err && !g.r[0].step_err && !g.r[0].rolled_back);
	ds_vpr_model__stats(m, &st);
	CHECK(st.have_ours);
	CHECK_EQ_U64(st.resizes, 1);
	CHECK_EQ_U64(st.failed, 0);
	sz = ds_vpr_model__sizes(m, &nsz);
	CHECK_EQ_U64(nsz, 1);	/* set and resize_end: one programming */
	if (nsz)
		CHECK_EQ_U64(sz[0].size, 128 * MB);
	ds_vpr_model__free(m);
}

TEST(vpr_failed_grow_rolls_back)
{
	struct got g = {};
	struct ds_vpr_model *m;
	struct ds_vpr_stats st;

	CHECK(!ds_vpr_model__new(keep, &g, &m));
	rec(m, DS_EV_VPR_RESIZE_BEGIN, 0, (struct ds_vpr_event){ .seq = 3, .grow = 1 });
	rec(m, DS_EV_VPR_CMA_ALLOC, 5, (struct ds_vpr_event){ .seq = 3, .chunk = 0,
	    .duration_ns = MS(5) });
	rec(m, DS_EV_VPR_CMA_ALLOC, 9, (struct ds_vpr_event){ .seq = 3, .chunk = 1,
	    .duration_ns = MS(4), .err = -ENOMEM });
	rec(m, DS_EV_VPR_CMA_RELEASE, 10, (struct ds_vpr_event){ .seq = 3, .chunk = 0,
	    .duration_ns = MS(0.5) });
	rec(m, DS_EV_VPR_ROLLBACK, 10.5, (struct ds_vpr_event){ .seq = 3, .grow = 1, .mask = 1,
	    .duration_ns = MS(1) });
	rec(m, DS_EV_VPR_RESIZE_END, 11, (struct ds_vpr_event){ .seq = 3, .grow = 1,
	    .mask = 3, .err = -ENOMEM, .duration_ns = MS(11) });
	CHECK_EQ_U64(g.n, 1);
	CHECK(g.r[0].rolled_back);
	CHECK_EQ_U64((uint64_t)-g.r[0].err, ENOMEM);
	CHECK_EQ_U64((uint64_t)-g.r[0].step_err, ENOMEM);
	CHECK_EQ_U64(g.r[0].rollback_ns, MS(1));
	ds_vpr_model__stats(m, &st);
	CHECK_EQ_U64(st.failed, 1);
	ds_vpr_model__free(m);
}

/* v3's events only: a resize is inferred from chunk changes to the SMC. */
TEST(vpr_inferred_from_upstream_events)
{
	struct got g = {};
	struct ds_vpr_model *m;
	struct ds_vpr_stats st;

	CHECK(!ds_vpr_model__new(keep, &g, &m));
	rec(m, DS_EV_VPR_CHUNK_ACTIVATE, 0, (struct ds_vpr_event){ .base = 0x80000000 });
	rec(m, DS_EV_VPR_CHUNK_ACTIVATE, 10, (struct ds_vpr_event){ .base = 0x84000000 });
	CHECK_EQ_U64(g.n, 0);
	rec(m, DS_EV_VPR_SET, 45, (struct ds_vpr_event){ .base = 0x80000000,
	    .size = 128 * MB });
	rec(m, DS_EV_VPR_CHUNK_DEACTIVATE, 100, (struct ds_vpr_event){ .base = 0x84000000 });
	rec(m, DS_EV_VPR_SET, 130, (struct ds_vpr_event){ .base = 0x80000000,
	    .size = 64 * MB });
	CHECK_EQ_U64(g.n, 2);
	CHECK(g.r[0].inferred && g.r[0].grow && g.r[0].complete && !g.r[0].rolled_back);
	CHECK_EQ_U64(g.r[0].nr_chunk_steps, 2);
	CHECK_EQ_U64(g.r[0].duration_ns, MS(45));
	CHECK_EQ_U64(g.r[0].old_size, 0);	/* as it began: nothing programmed yet */
	CHECK_EQ_U64(g.r[0].new_size, 128 * MB);
	CHECK(!g.r[1].grow);
	CHECK_EQ_U64(g.r[1].old_size, 128 * MB);
	CHECK_EQ_U64(g.r[1].new_size, 64 * MB);
	CHECK_EQ_U64(g.r[1].duration_ns, MS(30));

	/*
	 * A grow whose chunks are given back without programming (v3's
	 * rollback): resizes hold the VPR lock, so the next task's chunk
	 * change ends it, rolled back, at its last chunk change.
	 */
	rec(m, DS_EV_VPR_CHUNK_ACTIVATE, 200, (struct ds_vpr_event){ .base = 0x84000000 });
	rec(m, DS_EV_VPR_CHUNK_ACTIVATE, 210, (struct ds_vpr_event){ .base = 0x88000000 });
	rec(m, DS_EV_VPR_CHUNK_DEACTIVATE, 230, (struct ds_vpr_event){ .base = 0x84000000 });
	rec(m, DS_EV_VPR_CHUNK_DEACTIVATE, 236, (struct ds_vpr_event){ .base = 0x88000000 });
	CHECK_EQ_U64(g.n, 2);
	rec(m, DS_EV_VPR_CHUNK_ACTIVATE, 300, (struct ds_vpr_event){ .hdr.tid = 7,
	    .base = 0x84000000 });
	CHECK_EQ_U64(g.n, 3);
	CHECK(g.r[2].inferred && g.r[2].grow && g.r[2].complete && g.r[2].rolled_back);
	CHECK_EQ_U64(g.r[2].nr_chunk_steps, 4);
	CHECK_EQ_U64(g.r[2].duration_ns, MS(36));
	CHECK_EQ_U64(g.r[2].old_size, 64 * MB);
	CHECK_EQ_U64(g.r[2].new_size, 64 * MB);	/* never programmed */
	rec(m, DS_EV_VPR_SET, 340, (struct ds_vpr_event){ .hdr.tid = 7, .base = 0x80000000,
	    .size = 128 * MB });
	CHECK_EQ_U64(g.n, 4);
	CHECK(g.r[3].grow && !g.r[3].rolled_back);
	CHECK_EQ_U64(g.r[3].tid, 7);
	CHECK_EQ_U64(g.r[3].duration_ns, MS(40));
	ds_vpr_model__stats(m, &st);
	CHECK(!st.have_ours);
	CHECK_EQ_U64(st.inferred, 4);
	ds_vpr_model__free(m);
}

/* A resize whose end never came (the SMC trapped) is handed over at flush. */
TEST(vpr_unfinished_resize_at_flush)
{
	struct got g = {};
	struct ds_vpr_model *m;
	struct ds_vpr_stats st;
	struct ds_vpr_event bad = {};

	CHECK(!ds_vpr_model__new(keep, &g, &m));
	rec(m, DS_EV_VPR_RESIZE_BEGIN, 0, (struct ds_vpr_event){ .seq = 9, .grow = 0 });
	rec(m, DS_EV_VPR_FREEZE, 20, (struct ds_vpr_event){ .seq = 9, .duration_ns = MS(20) });
	bad.hdr.type = DS_EV_VPR_SMC;
	bad.hdr.size = 64;	/* short: counted, not read */
	CHECK(!ds_vpr_model__feed(m, &bad.hdr));
	CHECK_EQ_U64(g.n, 0);
	CHECK(!ds_vpr_model__flush(m));
	CHECK_EQ_U64(g.n, 1);
	CHECK(!g.r[0].complete);
	CHECK_EQ_U64(g.r[0].freeze_ns, MS(20));
	ds_vpr_model__stats(m, &st);
	CHECK_EQ_U64(st.incomplete, 1);
	CHECK_EQ_U64(st.malformed, 1);
	ds_vpr_model__free(m);
}
