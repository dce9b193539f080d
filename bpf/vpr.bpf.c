// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tegra_vpr events: the three of the VPR heap series (v3) and the
 * twelve of kernel/patches/tegra-vpr (kernel/patches/tegra-vpr/README.md,
 * table 1).  All take plain values, read here as tp_btf arguments.  They
 * fire with the driver's mutex held, in process context; the step events
 * of a resize come while user space is frozen, so the records wait in the
 * ring buffer until it is thawed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "deptscope_events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct ds_bpf_stats stats;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Reserve a zeroed record: each event fills only what it has. */
static __always_inline struct ds_vpr_event *reserve(__u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ds_vpr_event *e;

	if (stats.stopped)
		return NULL;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->hdr.ts = bpf_ktime_get_ns();
	e->hdr.type = type;
	e->hdr.size = sizeof(*e);
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.pid = id >> 32;
	e->hdr.tid = (__u32)id;
	return e;
}

static __always_inline int submit(struct ds_vpr_event *e)
{
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

static __always_inline int range(__u16 type, __u64 base, __u64 size)
{
	struct ds_vpr_event *e = reserve(type);

	if (!e)
		return 0;
	e->base = base;
	e->size = size;
	return submit(e);
}

/* v3: chunk_activate/_deactivate pass the chunk's start and limit */
SEC("tp_btf/tegra_vpr_chunk_activate")
int BPF_PROG(ds_vpr_chunk_act, __u64 start, __u64 limit)
{
	return range(DS_EV_VPR_CHUNK_ACTIVATE, start, limit - start);
}

SEC("tp_btf/tegra_vpr_chunk_deactivate")
int BPF_PROG(ds_vpr_chunk_deact, __u64 start, __u64 limit)
{
	return range(DS_EV_VPR_CHUNK_DEACTIVATE, start, limit - start);
}

/* v3: the arguments of tegra_vpr_set() itself, base and size */
SEC("tp_btf/tegra_vpr_set")
int BPF_PROG(ds_vpr_set, __u64 base, __u64 size)
{
	return range(DS_EV_VPR_SET, base, size);
}

SEC("tp_btf/tegra_vpr_resize_begin")
int BPF_PROG(ds_vpr_begin, __u32 seq, bool grow, const char *heap, __u64 buf_start,
	     __u64 buf_size, __u64 old_base, __u64 old_size)
{
	struct ds_vpr_event *e = reserve(DS_EV_VPR_RESIZE_BEGIN);

	if (!e)
		return 0;
	e->seq = seq;
	e->grow = grow;
	if (heap)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), heap);
	e->base = buf_start;
	e->size = buf_size;
	e->old_base = old_base;
	e->old_size = old_size;
	return submit(e);
}

SEC("tp_btf/tegra_vpr_resize_end")
int BPF_PROG(ds_vpr_end, __u32 seq, bool grow, __u64 old_base, __u64 old_size, __u64 new_base,
	     __u64 new_size, __u64 chunks, __u64 duration_ns, int err)
{
	struct ds_vpr_event *e = reserve(DS_EV_VPR_RESIZE_END);

	if (!e)
		return 0;
	e->seq = seq;
	e->grow = grow;
	e->old_base = old_base;
	e->old_size = old_size;
	e->new_base = new_base;
	e->new_size = new_size;
	e->mask = chunks;
	e->duration_ns = duration_ns;
	e->err = err;
	return submit(e);
}

static __always_inline int chunk_op(__u16 type, __u32 seq, __u32 chunk, __u64 start, __u64 size,
				    __u64 duration_ns, int err)
{
	struct ds_vpr_event *e = reserve(type);

	if (!e)
		return 0;
	e->seq = seq;
	e->chunk = chunk;
	e->base = start;
	e->size = size;
	e->duration_ns = duration_ns;
	e->err = err;
	return submit(e);
}

SEC("tp_btf/tegra_vpr_cma_alloc")
int BPF_PROG(ds_vpr_cma_alloc, __u32 seq, __u32 chunk, __u64 start, __u64 size, __u64 dur,
	     int err)
{
	return chunk_op(DS_EV_VPR_CMA_ALLOC, seq, chunk, start, size, dur, err);
}

SEC("tp_btf/tegra_vpr_map_device")
int BPF_PROG(ds_vpr_map_dev, __u32 seq, __u32 chunk, __u64 start, __u64 size, __u64 dur,
	     int err)
{
	return chunk_op(DS_EV_VPR_MAP_DEVICE, seq, chunk, start, size, dur, err);
}

SEC("tp_btf/tegra_vpr_map_normal")
int BPF_PROG(ds_vpr_map_norm, __u32 seq, __u32 chunk, __u64 start, __u64 size, __u64 dur,
	     int err)
{
	return chunk_op(DS_EV_VPR_MAP_NORMAL, seq, chunk, start, size, dur, err);
}

SEC("tp_btf/tegra_vpr_cma_release")
int BPF_PROG(ds_vpr_cma_rel, __u32 seq, __u32 chunk, __u64 start, __u64 size, __u64 dur,
	     int err)
{
	return chunk_op(DS_EV_VPR_CMA_RELEASE, seq, chunk, start, size, dur, err);
}

SEC("tp_btf/tegra_vpr_freeze")
int BPF_PROG(ds_vpr_freeze, __u32 seq, __u64 duration_ns, int err)
{
	struct ds_vpr_event *e = reserve(DS_EV_VPR_FREEZE);

	if (!e)
		return 0;
	e->seq = seq;
	e->duration_ns = duration_ns;
	e->err = err;
	return submit(e);
}

SEC("tp_btf/tegra_vpr_thaw")
int BPF_PROG(ds_vpr_thaw, __u32 seq, __u64 duration_ns, __u64 frozen_ns)
{
	struct ds_vpr_event *e = reserve(DS_EV_VPR_THAW);

	if (!e)
		return 0;
	e->seq = seq;
	e->duration_ns = duration_ns;
	e->frozen_ns = frozen_ns;
	return submit(e);
}

static __always_inline int dev_op(__u16 type, __u32 seq, const char *dev, __u64 duration_ns,
				  int err)
{
	struct ds_vpr_event *e = reserve(type);

	if (!e)
		return 0;
	e->seq = seq;
	if (dev)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), dev);
	e->duration_ns = duration_ns;
	e->err = err;
	return submit(e);
}

SEC("tp_btf/tegra_vpr_dev_freeze")
int BPF_PROG(ds_vpr_dev_freeze, __u32 seq, const char *dev, __u64 duration_ns, int err)
{
	return dev_op(DS_EV_VPR_DEV_FREEZE, seq, dev, duration_ns, err);
}

SEC("tp_btf/tegra_vpr_dev_thaw")
int BPF_PROG(ds_vpr_dev_thaw, __u32 seq, const char *dev, __u64 duration_ns, int err)
{
	return dev_op(DS_EV_VPR_DEV_THAW, seq, dev, duration_ns, err);
}

SEC("tp_btf/tegra_vpr_smc")
int BPF_PROG(ds_vpr_smc, __u32 seq, __u64 base, __u64 size, __u64 duration_ns, int ret)
{
	struct ds_vpr_event *e = reserve(DS_EV_VPR_SMC);

	if (!e)
		return 0;
	e->seq = seq;
	e->base = base;
	e->size = size;
	e->duration_ns = duration_ns;
	e->err = ret;
	return submit(e);
}

SEC("tp_btf/tegra_vpr_rollback")
int BPF_PROG(ds_vpr_rollback, __u32 seq, bool grow, __u64 chunks, __u64 failed,
	     __u64 duration_ns)
{
	struct ds_vpr_event *e = reserve(DS_EV_VPR_ROLLBACK);

	if (!e)
		return 0;
	e->seq = seq;
	e->grow = grow;
	e->mask = chunks;
	e->failed = failed;
	e->duration_ns = duration_ns;
	return submit(e);
}
