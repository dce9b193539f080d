// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include "deptscope/event.h"

/* The wire ABI must not change silently: any layout change breaks recordings. */
_Static_assert(sizeof(struct ds_event_hdr) == 24, "ds_event_hdr");
_Static_assert(offsetof(struct ds_event_hdr, type) == 8, "ds_event_hdr.type");
_Static_assert(sizeof(struct ds_fence_event) == 352, "ds_fence_event");
_Static_assert(DS_FENCE_EVENT_BASE_SIZE == 96, "ds_fence_event base");
_Static_assert(offsetof(struct ds_fence_event, stack) == 96, "ds_fence_event.stack");
_Static_assert(sizeof(struct ds_fence_name_event) == 160, "ds_fence_name_event");
_Static_assert(sizeof(struct ds_ping_event) == 40, "ds_ping_event");
_Static_assert(sizeof(struct ds_meta_source) == 288, "ds_meta_source");
_Static_assert(sizeof(struct ds_meta_stats) == 64, "ds_meta_stats");
_Static_assert(sizeof(struct ds_meta_end) == 40, "ds_meta_end");
_Static_assert(sizeof(struct ds_meta_source_stats) == 72, "ds_meta_source_stats");
_Static_assert(sizeof(struct ds_bpf_stats) == 40, "ds_bpf_stats");
_Static_assert(sizeof(struct ds_dmabuf_event) == 168, "ds_dmabuf_event");
_Static_assert(sizeof(struct ds_vfio_dmabuf_event) == 216, "ds_vfio_dmabuf_event");
_Static_assert(sizeof(struct ds_dept_class_event) == 136, "ds_dept_class_event");
_Static_assert(sizeof(struct ds_dept_dep_event) == 208, "ds_dept_dep_event");
_Static_assert(sizeof(struct ds_dept_circle_event) == 40, "ds_dept_circle_event");
_Static_assert(sizeof(struct ds_dept_stack_event) == 176, "ds_dept_stack_event");
_Static_assert(sizeof(struct ds_dept_health_event) == 56, "ds_dept_health_event");
_Static_assert(sizeof(struct ds_vpr_event) == 152, "ds_vpr_event");

static size_t min_size(unsigned int type)
{
	switch (type) {
	case DS_EV_FENCE_INIT ... DS_EV_FENCE_DESTROY:
		return DS_FENCE_EVENT_BASE_SIZE;
	case DS_EV_FENCE_NAME:
		return sizeof(struct ds_fence_name_event);
	case DS_EV_PING:
		return sizeof(struct ds_ping_event);
	case DS_EV_DMABUF_EXPORT ... DS_EV_DMABUF_RELEASE:
		return sizeof(struct ds_dmabuf_event);
	case DS_EV_VFIO_DMABUF_EXPORT ... DS_EV_VFIO_DMABUF_STATE_END:
		return sizeof(struct ds_vfio_dmabuf_event);
	case DS_EV_DEPT_CLASS:
		return sizeof(struct ds_dept_class_event);
	case DS_EV_DEPT_DEP:
	case DS_EV_DEPT_CIRCLE_DEP:
		return sizeof(struct ds_dept_dep_event);
	case DS_EV_DEPT_CIRCLE:
		return sizeof(struct ds_dept_circle_event);
	case DS_EV_DEPT_STACK:
		return DS_DEPT_STACK_BASE_SIZE;
	case DS_EV_DEPT_HEALTH:
		return sizeof(struct ds_dept_health_event);
	case DS_EV_VPR_FIRST ... DS_EV_VPR_LAST:
		return sizeof(struct ds_vpr_event);
	case DS_EV_META_SOURCE:
		return sizeof(struct ds_meta_source);
	case DS_EV_META_STATS:
		return sizeof(struct ds_meta_stats);
	case DS_EV_META_END:
		return sizeof(struct ds_meta_end);
	case DS_EV_META_SOURCE_STATS:
		return sizeof(struct ds_meta_source_stats);
	default:
		return sizeof(struct ds_event_hdr);
	}
}

int ds_event__check(const void *ev, size_t avail)
{
	const struct ds_event_hdr *h = ev;

	if (avail < sizeof(*h))
		return -EAGAIN;
	if (!h->type || h->size < sizeof(*h) || h->size % DS_EVENT_ALIGN ||
	    h->size > DS_EVENT_MAX_SIZE || h->size < min_size(h->type))
		return -EINVAL;
	/* Unknown types inside the two ranges pass: newer recordings stay readable. */
	if (h->type >= 0x100 && (h->type < DS_EV_META_BASE || h->type >= DS_EV_META_BASE + 0x100))
		return -EINVAL;
	if (h->type == DS_EV_DEPT_STACK && h->size > sizeof(struct ds_dept_stack_event))
		return -EINVAL;
	if (h->type >= DS_EV_FENCE_INIT && h->type <= DS_EV_FENCE_DESTROY &&
	    h->size > sizeof(struct ds_fence_event))
		return -EINVAL;
	if (avail < h->size)
		return -EAGAIN;
	return h->size;
}

unsigned int ds_fence_event__nr_frames(const struct ds_fence_event *e)
{
	unsigned int room;

	if (e->hdr.size <= DS_FENCE_EVENT_BASE_SIZE)
		return 0;
	room = (e->hdr.size - DS_FENCE_EVENT_BASE_SIZE) / sizeof(__u64);
	return e->nr_frames < room ? e->nr_frames : room;
}

const char *ds_event_type_name(unsigned int type)
{
	static const char *const names[] = {
		[DS_EV_FENCE_INIT] = "fence_init",
		[DS_EV_FENCE_EMIT] = "fence_emit",
		[DS_EV_FENCE_ENABLE_SIGNAL] = "fence_enable_signal",
		[DS_EV_FENCE_SIGNALED] = "fence_signaled",
		[DS_EV_FENCE_WAIT_START] = "fence_wait_start",
		[DS_EV_FENCE_WAIT_END] = "fence_wait_end",
		[DS_EV_FENCE_DESTROY] = "fence_destroy",
		[DS_EV_FENCE_NAME] = "fence_name",
		[DS_EV_PING] = "ping",
		[DS_EV_DMABUF_EXPORT] = "dmabuf_export",
		[DS_EV_DMABUF_FD] = "dmabuf_fd",
		[DS_EV_DMABUF_GET] = "dmabuf_get",
		[DS_EV_DMABUF_PUT] = "dmabuf_put",
		[DS_EV_DMABUF_MMAP_INTERNAL] = "dmabuf_mmap_internal",
		[DS_EV_DMABUF_MMAP] = "dmabuf_mmap",
		[DS_EV_DMABUF_ATTACH] = "dmabuf_attach",
		[DS_EV_DMABUF_DETACH] = "dmabuf_detach",
		[DS_EV_DMABUF_INVALIDATE] = "dmabuf_invalidate",
		[DS_EV_DMABUF_MAP] = "dmabuf_map",
		[DS_EV_DMABUF_UNMAP] = "dmabuf_unmap",
		[DS_EV_DMABUF_BEGIN_CPU] = "dmabuf_begin_cpu_access",
		[DS_EV_DMABUF_END_CPU] = "dmabuf_end_cpu_access",
		[DS_EV_DMABUF_RELEASE] = "dmabuf_release",
		[DS_EV_VFIO_DMABUF_EXPORT] = "vfio_dmabuf_export",
		[DS_EV_VFIO_DMABUF_STATE_START] = "vfio_dmabuf_state_start",
		[DS_EV_VFIO_DMABUF_STATE_END] = "vfio_dmabuf_state_end",
		[DS_EV_DEPT_CLASS] = "dept_class",
		[DS_EV_DEPT_DEP] = "dept_dep",
		[DS_EV_DEPT_CIRCLE] = "dept_circle",
		[DS_EV_DEPT_CIRCLE_DEP] = "dept_circle_dep",
		[DS_EV_DEPT_STACK] = "dept_stack",
		[DS_EV_DEPT_HEALTH] = "dept_health",
		[DS_EV_VPR_CHUNK_ACTIVATE] = "vpr_chunk_activate",
		[DS_EV_VPR_CHUNK_DEACTIVATE] = "vpr_chunk_deactivate",
		[DS_EV_VPR_SET] = "vpr_set",
		[DS_EV_VPR_RESIZE_BEGIN] = "vpr_resize_begin",
		[DS_EV_VPR_RESIZE_END] = "vpr_resize_end",
		[DS_EV_VPR_CMA_ALLOC] = "vpr_cma_alloc",
		[DS_EV_VPR_MAP_DEVICE] = "vpr_map_device",
		[DS_EV_VPR_MAP_NORMAL] = "vpr_map_normal",
		[DS_EV_VPR_CMA_RELEASE] = "vpr_cma_release",
		[DS_EV_VPR_FREEZE] = "vpr_freeze",
		[DS_EV_VPR_THAW] = "vpr_thaw",
		[DS_EV_VPR_DEV_FREEZE] = "vpr_dev_freeze",
		[DS_EV_VPR_DEV_THAW] = "vpr_dev_thaw",
		[DS_EV_VPR_SMC] = "vpr_smc",
		[DS_EV_VPR_ROLLBACK] = "vpr_rollback",
	};

	if (type < DS_EV_BPF_MAX && names[type])
		return names[type];
	switch (type) {
	case DS_EV_META_SOURCE:
		return "meta_source";
	case DS_EV_META_STATS:
		return "meta_stats";
	case DS_EV_META_END:
		return "meta_end";
	case DS_EV_META_SOURCE_STATS:
		return "meta_source_stats";
	}
	return "unknown";
}

const char *ds_source_name(unsigned int bit)
{
	switch (bit) {
	case DS_SRC_FENCE:
		return "fence";
	case DS_SRC_PING:
		return "selftest";
	case DS_SRC_DMABUF:
		return "dmabuf";
	case DS_SRC_DEPT:
		return "dept";
	case DS_SRC_VPR:
		return "vpr";
	}
	return "?";
}

void ds_ring_stats__consume(struct ds_ring_stats *rs, const struct ds_event_hdr *ev)
{
	const struct ds_meta_source_stats *ss = (const void *)ev;
	const struct ds_ping_event *p = (const void *)ev;
	unsigned int i;

	if (ev->type == DS_EV_PING && ev->size >= sizeof(*p)) {
		rs->pings++;
		if (p->seq >= rs->ping_seqs)
			rs->ping_seqs = p->seq + 1;
		return;
	}
	if (ev->type != DS_EV_META_SOURCE_STATS || ev->size < sizeof(*ss))
		return;
	/* one bit per record; anything else is not ours to index */
	if (!ss->source || (ss->source & (ss->source - 1)))
		return;
	i = __builtin_ctz(ss->source);
	if (i >= DS_NR_SOURCES)
		return;
	rs->src[i] = *ss;
	rs->have |= ss->source;
}
