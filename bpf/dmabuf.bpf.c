// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The upstream dma_buf tracepoints (Linux 7.0+).  tp_btf programs get the
 * struct dma_buf itself, so besides what the trace record holds they read
 * the buffer pointer and the importing device's name.  The kernel calls
 * these with dmabuf->name_lock held (a spinlock): nothing here may sleep,
 * and nothing does.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "deptscope_events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_tgid;		/* 0: every process */

struct ds_bpf_stats stats;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline int emit(struct dma_buf *db, __u16 type, struct dma_buf_attachment *att,
				bool dynamic, struct device *dev, int fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ds_dmabuf_event *e;
	const char *name;

	if (targ_tgid && (id >> 32) != targ_tgid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return 0;
	}
	e->hdr.ts = bpf_ktime_get_ns();
	e->hdr.type = type;
	e->hdr.size = sizeof(*e);
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.pid = id >> 32;
	e->hdr.tid = (__u32)id;
	e->dmabuf = (__u64)db;
	e->ino = BPF_CORE_READ(db, file, f_inode, i_ino);
	e->size = BPF_CORE_READ(db, size);
	e->attach = (__u64)att;
	e->fd = fd;
	e->flags = dynamic ? DS_DMABUF_F_DYNAMIC : 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	name = BPF_CORE_READ(db, exp_name);
	if (bpf_probe_read_kernel_str(e->exp_name, sizeof(e->exp_name), name) < 0)
		e->exp_name[0] = '\0';
	e->dev_name[0] = '\0';
	if (dev) {
		/* dev_name(): init_name until the kobject is named */
		name = BPF_CORE_READ(dev, init_name);
		if (!name)
			name = BPF_CORE_READ(dev, kobj.name);
		if (name && bpf_probe_read_kernel_str(e->dev_name, sizeof(e->dev_name), name) < 0)
			e->dev_name[0] = '\0';
	}
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

SEC("tp_btf/dma_buf_export")
int BPF_PROG(ds_dmabuf_export, struct dma_buf *db)
{
	return emit(db, DS_EV_DMABUF_EXPORT, NULL, false, NULL, -1);
}

SEC("tp_btf/dma_buf_fd")
int BPF_PROG(ds_dmabuf_fd, struct dma_buf *db, int fd)
{
	return emit(db, DS_EV_DMABUF_FD, NULL, false, NULL, fd);
}

SEC("tp_btf/dma_buf_get")
int BPF_PROG(ds_dmabuf_get, struct dma_buf *db, int fd)
{
	return emit(db, DS_EV_DMABUF_GET, NULL, false, NULL, fd);
}

SEC("tp_btf/dma_buf_put")
int BPF_PROG(ds_dmabuf_put, struct dma_buf *db)
{
	return emit(db, DS_EV_DMABUF_PUT, NULL, false, NULL, -1);
}

SEC("tp_btf/dma_buf_mmap_internal")
int BPF_PROG(ds_dmabuf_mmapi, struct dma_buf *db)
{
	return emit(db, DS_EV_DMABUF_MMAP_INTERNAL, NULL, false, NULL, -1);
}

SEC("tp_btf/dma_buf_mmap")
int BPF_PROG(ds_dmabuf_mmap, struct dma_buf *db)
{
	return emit(db, DS_EV_DMABUF_MMAP, NULL, false, NULL, -1);
}

SEC("tp_btf/dma_buf_dynamic_attach")
int BPF_PROG(ds_dmabuf_attach, struct dma_buf *db, struct dma_buf_attachment *att, bool dynamic,
	     struct device *dev)
{
	return emit(db, DS_EV_DMABUF_ATTACH, att, dynamic, dev, -1);
}

SEC("tp_btf/dma_buf_detach")
int BPF_PROG(ds_dmabuf_detach, struct dma_buf *db, struct dma_buf_attachment *att, bool dynamic,
	     struct device *dev)
{
	return emit(db, DS_EV_DMABUF_DETACH, att, dynamic, dev, -1);
}
