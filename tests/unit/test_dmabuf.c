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
