// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "test.h"
#include "deptscope/event.h"

TEST(test_event_check_valid)
{
	struct ds_fence_event e = {};

	e.hdr.type = DS_EV_FENCE_WAIT_START;
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE + 3 * 8;
	e.nr_frames = 3;
	CHECK(ds_event__check(&e, sizeof(e)) == (int)e.hdr.size);
	/* exactly the record, no more */
	CHECK(ds_event__check(&e, e.hdr.size) == (int)e.hdr.size);
	CHECK_EQ_U64(ds_fence_event__nr_frames(&e), 3);
}

TEST(test_event_check_truncated)
{
	struct ds_fence_event e = {};
	size_t i;

	e.hdr.type = DS_EV_FENCE_INIT;
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	for (i = 0; i < e.hdr.size; i++)
		CHECK(ds_event__check(&e, i) == -EAGAIN);
}

TEST(test_event_check_corrupt)
{
	struct ds_fence_event e = {};

	e.hdr.type = DS_EV_FENCE_INIT;
	e.hdr.size = 0;
	CHECK(ds_event__check(&e, sizeof(e)) == -EINVAL);
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE + 4;	/* not 8-aligned */
	CHECK(ds_event__check(&e, sizeof(e)) == -EINVAL);
	e.hdr.size = 16;				/* smaller than the header */
	CHECK(ds_event__check(&e, sizeof(e)) == -EINVAL);
	e.hdr.size = 48;				/* smaller than a fence event */
	CHECK(ds_event__check(&e, sizeof(e)) == -EINVAL);
	e.hdr.size = sizeof(e) + 8;			/* bigger than any fence event */
	CHECK(ds_event__check(&e, 4096) == -EINVAL);
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	e.hdr.type = 0;
	CHECK(ds_event__check(&e, sizeof(e)) == -EINVAL);
	e.hdr.type = 0x4000;				/* outside both type ranges */
	CHECK(ds_event__check(&e, sizeof(e)) == -EINVAL);
}

TEST(test_event_unknown_type_in_range_is_skippable)
{
	struct ds_event_hdr h = { .type = 0x42, .size = 32 };
	unsigned char buf[64] = {};

	memcpy(buf, &h, sizeof(h));
	CHECK(ds_event__check(buf, sizeof(buf)) == 32);
	CHECK_EQ_STR(ds_event_type_name(0x42), "unknown");
	CHECK_EQ_STR(ds_event_type_name(DS_EV_FENCE_WAIT_END), "fence_wait_end");
}

TEST(test_event_nr_frames_bounded_by_size)
{
	struct ds_fence_event e = {};

	/* a lying nr_frames must never let a reader walk past the record */
	e.hdr.type = DS_EV_FENCE_WAIT_START;
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE + 2 * 8;
	e.nr_frames = 1000;
	CHECK_EQ_U64(ds_fence_event__nr_frames(&e), 2);
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	CHECK_EQ_U64(ds_fence_event__nr_frames(&e), 0);
}
