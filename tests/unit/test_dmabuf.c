// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "test.h"
#include "deptscope/dmabuf.h"

static int feed(struct ds_dmabuf_model *m, __u16 type, __u64 ino, __u64 ptr, const char *dev)
{
	struct ds_dmabuf_event e = {};

	e.hdr.type = type;
	e.hdr.size = sizeof(e);
	e.hdr.ts = 100;
	e.hdr.pid = 7;
	e.dmabuf = ptr;
	e.ino = ino;
	e.size = 8192;
	strcpy(e.exp_name, "system");
	strcpy(e.comm, "alloc");
	if (dev)
		strcpy(e.dev_name, dev);
	return ds_dmabuf_model__consume(m, &e.hdr);
}

TEST(test_dmabuf_model_lifecycle_and_inode_reuse)
{
	const struct ds_dmabuf_buffer *const *bufs;
	struct ds_dmabuf_model *m;

	REQUIRE(ds_dmabuf_model__new(&m) == 0);
	CHECK(feed(m, DS_EV_DMABUF_EXPORT, 10, 0xa000, NULL) == 0);
	CHECK(feed(m, DS_EV_DMABUF_FD, 10, 0xa000, NULL) == 0);
	CHECK(feed(m, DS_EV_DMABUF_ATTACH, 10, 0xa000, "vgem") == 0);
	CHECK(feed(m, DS_EV_DMABUF_ATTACH, 10, 0xa000, "virtio") == 0);
	CHECK(feed(m, DS_EV_DMABUF_DETACH, 10, 0xa000, "vgem") == 0);
	/* the inode is reused by a new buffer: a new life, not a merge */
	CHECK(feed(m, DS_EV_DMABUF_EXPORT, 10, 0xb000, NULL) == 0);
	CHECK(feed(m, DS_EV_DMABUF_PUT, 10, 0xb000, NULL) == 0);
	/* events of other kinds are not ours */
	{
		struct ds_event_hdr h = { .type = DS_EV_FENCE_INIT, .size = 96 };

		CHECK(ds_dmabuf_model__consume(m, &h) == 0);
	}
	REQUIRE(ds_dmabuf_model__buffers(m, &bufs) == 2);
	CHECK_EQ_U64(bufs[0]->dmabuf, 0xa000);
	CHECK_EQ_U64(bufs[0]->events[DS_EV_DMABUF_ATTACH - DS_EV_DMABUF_EXPORT], 2);
	CHECK_EQ_U64(bufs[0]->attached, 1);
	CHECK_EQ_STR(bufs[0]->last_importer, "virtio");
	CHECK_EQ_U64(bufs[0]->exporter_pid, 7);
	CHECK_EQ_STR(bufs[0]->exporter_comm, "alloc");
	CHECK_EQ_U64(bufs[1]->dmabuf, 0xb000);
	CHECK_EQ_U64(bufs[1]->events[DS_EV_DMABUF_PUT - DS_EV_DMABUF_EXPORT], 1);
	CHECK_EQ_U64(ds_dmabuf_model__totals(m)->events, 7);
	CHECK_EQ_U64(ds_dmabuf_model__totals(m)->buffers, 2);
	CHECK_EQ_STR(ds_dmabuf_type_short(DS_EV_DMABUF_MMAP_INTERNAL), "mmap_internal");
	CHECK_EQ_STR(ds_dmabuf_type_short(DS_EV_PING), "unknown");
	ds_dmabuf_model__free(m);
}

static int feed_at(struct ds_dmabuf_model *m, __u16 type, __u64 ts)
{
	struct ds_dmabuf_event e = {};

	e.hdr.type = type;
	e.hdr.size = sizeof(e);
	e.hdr.ts = ts;
	e.dmabuf = 0xc000;
	e.ino = 77;
	return ds_dmabuf_model__consume(m, &e.hdr);
}

static void count_overdue(void *ctx, const struct ds_dmabuf_buffer *b, uint64_t now)
{
	(*(int *)ctx)++;
}

/* Invalidation to last unmap, and an overdue importer reported once. */
TEST(test_dmabuf_model_unmap_after_invalidate)
{
	const struct ds_dmabuf_buffer *const *bufs;
	struct ds_dmabuf_model *m;
	int overdue = 0;

	REQUIRE(ds_dmabuf_model__new(&m) == 0);
	CHECK(feed_at(m, DS_EV_DMABUF_EXPORT, 100) == 0);
	CHECK(feed_at(m, DS_EV_DMABUF_MAP, 200) == 0);
	CHECK(feed_at(m, DS_EV_DMABUF_MAP, 210) == 0);
	CHECK(feed_at(m, DS_EV_DMABUF_INVALIDATE, 1000) == 0);
	CHECK(feed_at(m, DS_EV_DMABUF_UNMAP, 1500) == 0);
	/* one importer still mapped: not done, and overdue only past the limit */
	CHECK_EQ_U64(ds_dmabuf_model__check_revokes(m, 1999, 1000, count_overdue, &overdue), 0);
	CHECK_EQ_U64(ds_dmabuf_model__check_revokes(m, 2000, 1000, count_overdue, &overdue), 1);
	CHECK_EQ_U64(ds_dmabuf_model__check_revokes(m, 9000, 1000, count_overdue, &overdue), 0);
	CHECK_EQ_U64(overdue, 1);
	CHECK(feed_at(m, DS_EV_DMABUF_UNMAP, 4000) == 0);
	REQUIRE(ds_dmabuf_model__buffers(m, &bufs) == 1);
	CHECK_EQ_U64(bufs[0]->revoke_latency_max_ns, 3000);
	CHECK_EQ_U64(bufs[0]->revoke_ts, 0);
	/* nothing mapped: an invalidation completes at once */
	CHECK(feed_at(m, DS_EV_DMABUF_INVALIDATE, 5000) == 0);
	CHECK_EQ_U64(bufs[0]->revokes_done, 2);
	CHECK_EQ_U64(bufs[0]->invalidations, 2);
	CHECK_EQ_U64(ds_dmabuf_model__totals(m)->revokes_stuck, 1);
	ds_dmabuf_model__free(m);
}
