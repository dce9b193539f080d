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

/*
 * Reserve a record of @size and fill what every dma-buf record has: the
 * header and the buffer's identity.  NULL when filtered out or dropped.
 */
static __always_inline struct ds_dmabuf_event *reserve(struct dma_buf *db, __u16 type,
							__u16 size)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ds_dmabuf_event *e;
	const char *name;

	if (targ_tgid && (id >> 32) != targ_tgid)
		return NULL;
	if (stats.stopped)
		return NULL;
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return NULL;
	}
	e->hdr.ts = bpf_ktime_get_ns();
	e->hdr.type = type;
	e->hdr.size = size;
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.pid = id >> 32;
	e->hdr.tid = (__u32)id;
	e->dmabuf = (__u64)db;
	e->ino = BPF_CORE_READ(db, file, f_inode, i_ino);
	e->size = BPF_CORE_READ(db, size);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	name = BPF_CORE_READ(db, exp_name);
	if (bpf_probe_read_kernel_str(e->exp_name, sizeof(e->exp_name), name) < 0)
		e->exp_name[0] = '\0';
	return e;
}

/* Reserve and fill the common part; the caller adds its fields and submits. */
static __always_inline struct ds_dmabuf_event *
prepare(struct dma_buf *db, __u16 type, struct dma_buf_attachment *att, bool dynamic,
	struct device *dev, int fd)
{
	struct ds_dmabuf_event *e = reserve(db, type, sizeof(*e));
	const char *name;

	if (!e)
		return NULL;
	e->attach = (__u64)att;
	e->fd = fd;
	e->flags = dynamic ? DS_DMABUF_F_DYNAMIC : 0;
	e->dev_name[0] = '\0';
	if (dev) {
		/* dev_name(): init_name until the kobject is named */
		name = BPF_CORE_READ(dev, init_name);
		if (!name)
			name = BPF_CORE_READ(dev, kobj.name);
		if (name && bpf_probe_read_kernel_str(e->dev_name, sizeof(e->dev_name), name) < 0)
			e->dev_name[0] = '\0';
	}
	e->duration_ns = 0;
	e->ret = 0;
	e->dir = 0;
	e->nents = 0;
	e->nr_notified = 0;
	return e;
}

static __always_inline int submit(struct ds_dmabuf_event *e)
{
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

static __always_inline int emit(struct dma_buf *db, __u16 type, struct dma_buf_attachment *att,
				bool dynamic, struct device *dev, int fd)
{
	struct ds_dmabuf_event *e = prepare(db, type, att, dynamic, dev, fd);

	return e ? submit(e) : 0;
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

/*
 * The events below come from our kernel patches (kernel/patches); on a
 * stock kernel these programs are not loaded.
 */
SEC("tp_btf/dma_buf_invalidate_mappings")
int BPF_PROG(ds_dmabuf_inval, struct dma_buf *db, unsigned int nr_notified)
{
	struct ds_dmabuf_event *e = prepare(db, DS_EV_DMABUF_INVALIDATE, NULL, false, NULL, -1);

	if (!e)
		return 0;
	e->nr_notified = nr_notified;
	return submit(e);
}

static __always_inline int emit_map(__u16 type, struct dma_buf_attachment *att, int dir,
				    struct sg_table *sgt, __u64 duration)
{
	struct ds_dmabuf_event *e;

	e = prepare(BPF_CORE_READ(att, dmabuf), type, att,
		    BPF_CORE_READ(att, importer_ops) != NULL, BPF_CORE_READ(att, dev), -1);
	if (!e)
		return 0;
	e->dir = dir;
	e->duration_ns = duration;
	/* a failed map passes ERR_PTR(-errno) */
	if ((unsigned long)sgt >= (unsigned long)-4095)
		e->ret = (long)sgt;
	else
		e->nents = BPF_CORE_READ(sgt, nents);
	return submit(e);
}

SEC("tp_btf/dma_buf_map_attachment")
int BPF_PROG(ds_dmabuf_map, struct dma_buf_attachment *att, int dir, struct sg_table *sgt,
	     __u64 duration_ns)
{
	return emit_map(DS_EV_DMABUF_MAP, att, dir, sgt, duration_ns);
}

SEC("tp_btf/dma_buf_unmap_attachment")
int BPF_PROG(ds_dmabuf_unmap, struct dma_buf_attachment *att, int dir, struct sg_table *sgt)
{
	return emit_map(DS_EV_DMABUF_UNMAP, att, dir, sgt, 0);
}

SEC("tp_btf/dma_buf_begin_cpu_access")
int BPF_PROG(ds_dmabuf_bcpu, struct dma_buf *db, int dir, int ret, __u64 wait_ns)
{
	struct ds_dmabuf_event *e = prepare(db, DS_EV_DMABUF_BEGIN_CPU, NULL, false, NULL, -1);

	if (!e)
		return 0;
	e->dir = dir;
	e->ret = ret;
	e->duration_ns = wait_ns;
	return submit(e);
}

SEC("tp_btf/dma_buf_end_cpu_access")
int BPF_PROG(ds_dmabuf_ecpu, struct dma_buf *db, int dir, int ret)
{
	struct ds_dmabuf_event *e = prepare(db, DS_EV_DMABUF_END_CPU, NULL, false, NULL, -1);

	if (!e)
		return 0;
	e->dir = dir;
	e->ret = ret;
	return submit(e);
}

SEC("tp_btf/dma_buf_release")
int BPF_PROG(ds_dmabuf_release, struct dma_buf *db)
{
	return emit(db, DS_EV_DMABUF_RELEASE, NULL, false, NULL, -1);
}

/*
 * vfio-pci's exporter (our patch 0007).  The BTF this is built against may
 * lack every type involved: vfio_pci_core_device is private to vfio-pci,
 * phys_vec is new in 6.19 and pci_dev needs CONFIG_PCI.  These local
 * definitions name only what is read; CO-RE relocates them against the
 * running kernel, and the programs load only where the events exist.
 */
struct pci_dev___ds {
	struct device dev;
	struct resource resource[17];
} __attribute__((preserve_access_index));

struct vfio_pci_core_device___ds {
	struct pci_dev___ds *pdev;
} __attribute__((preserve_access_index));

struct phys_vec___ds {
	__u64 paddr;
	__u64 len;
} __attribute__((preserve_access_index));

static __always_inline struct ds_vfio_dmabuf_event *
vfio_prepare(void *vdev, struct dma_buf *db, __u16 type)
{
	struct vfio_pci_core_device___ds *v = vdev;
	struct ds_vfio_dmabuf_event *e;
	struct pci_dev___ds *pdev;
	const char *name;

	e = (struct ds_vfio_dmabuf_event *)reserve(db, type, sizeof(*e));
	if (!e)
		return NULL;
	/* everything after the identity reserve() filled */
	__builtin_memset(&e->db.attach, 0, sizeof(e->db.attach) + sizeof(e->db.fd) +
			 sizeof(e->db.flags));
	__builtin_memset(e->db.dev_name, 0, sizeof(*e) - offsetof(typeof(*e), db.dev_name));
	e->db.fd = -1;
	/* pci_name(): the device's kobject name, its BDF */
	pdev = BPF_CORE_READ(v, pdev);
	name = BPF_CORE_READ(pdev, dev.kobj.name);
	if (name && bpf_probe_read_kernel_str(e->db.dev_name, sizeof(e->db.dev_name), name) < 0)
		e->db.dev_name[0] = '\0';
	return e;
}

static __always_inline int vfio_submit(struct ds_vfio_dmabuf_event *e)
{
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

SEC("tp_btf/vfio_pci_dma_buf_export")
int BPF_PROG(ds_vfio_export, void *vdev, struct dma_buf *db, unsigned int bar,
	     const struct phys_vec___ds *phys, __u32 nr_ranges, int status)
{
	struct ds_vfio_dmabuf_event *e = vfio_prepare(vdev, db, DS_EV_VFIO_DMABUF_EXPORT);
	struct pci_dev___ds *pdev;
	__u64 start;

	if (!e)
		return 0;
	e->bar = bar;
	e->nr_ranges = nr_ranges;
	e->old_status = status;
	e->new_status = status;
	e->cause = DS_VFIO_CAUSE_NONE;
	if (nr_ranges && bar < 6) {
		pdev = BPF_CORE_READ((struct vfio_pci_core_device___ds *)vdev, pdev);
		start = BPF_CORE_READ(pdev, resource[bar].start);
		e->range_offset = BPF_CORE_READ(phys, paddr) - start;
		e->range_len = BPF_CORE_READ(phys, len);
	}
	return vfio_submit(e);
}

SEC("tp_btf/vfio_pci_dma_buf_state_start")
int BPF_PROG(ds_vfio_state_start, void *vdev, struct dma_buf *db, int old_status,
	     int new_status, int cause)
{
	struct ds_vfio_dmabuf_event *e = vfio_prepare(vdev, db, DS_EV_VFIO_DMABUF_STATE_START);

	if (!e)
		return 0;
	e->old_status = old_status;
	e->new_status = new_status;
	e->cause = cause;
	return vfio_submit(e);
}

SEC("tp_btf/vfio_pci_dma_buf_state_end")
int BPF_PROG(ds_vfio_state_end, void *vdev, struct dma_buf *db, int old_status,
	     int new_status, int cause, __u64 fence_wait_ns, __u64 unmap_wait_ns)
{
	struct ds_vfio_dmabuf_event *e = vfio_prepare(vdev, db, DS_EV_VFIO_DMABUF_STATE_END);

	if (!e)
		return 0;
	e->old_status = old_status;
	e->new_status = new_status;
	e->cause = cause;
	e->fence_wait_ns = fence_wait_ns;
	e->unmap_wait_ns = unmap_wait_ns;
	return vfio_submit(e);
}
