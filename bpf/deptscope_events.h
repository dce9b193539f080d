/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one header shared by BPF programs and user space: the wire format of
 * every event record.  It is also the record format of recordings (see
 * docs/recording-format.md), so changing a layout here is an ABI break and
 * needs DS_REC_VERSION bumped.
 *
 * Rules: fixed-width types only, fields ordered large to small, explicit
 * padding, every struct size checked in lib/event.c with _Static_assert.
 */
#ifndef DEPTSCOPE_EVENTS_H
#define DEPTSCOPE_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN		16
#endif

#define DS_MAX_STACK		32	/* kernel frames kept per wait */
#define DS_NAME_LEN		64	/* driver/timeline name, NUL included */
#define DS_EVENT_ALIGN		8	/* every record size is a multiple */
#define DS_EVENT_MAX_SIZE	4096

/*
 * Record types.  Values below DS_EV_META_BASE come from BPF programs;
 * values from DS_EV_META_BASE up are written by user space (recorder
 * bookkeeping).  Numbers are never reused.
 */
#define DS_EV_FENCE_INIT		1
#define DS_EV_FENCE_EMIT		2
#define DS_EV_FENCE_ENABLE_SIGNAL	3
#define DS_EV_FENCE_SIGNALED		4
#define DS_EV_FENCE_WAIT_START		5
#define DS_EV_FENCE_WAIT_END		6
#define DS_EV_FENCE_DESTROY		7
#define DS_EV_FENCE_NAME		8
#define DS_EV_PING			9
#define DS_EV_DMABUF_EXPORT		10
#define DS_EV_DMABUF_FD			11
#define DS_EV_DMABUF_GET		12
#define DS_EV_DMABUF_PUT		13
#define DS_EV_DMABUF_MMAP_INTERNAL	14
#define DS_EV_DMABUF_MMAP		15
#define DS_EV_DMABUF_ATTACH		16
#define DS_EV_DMABUF_DETACH		17
/* from our kernel patches (kernel/patches), absent from stock kernels */
#define DS_EV_DMABUF_INVALIDATE		18
#define DS_EV_DMABUF_MAP		19
#define DS_EV_DMABUF_UNMAP		20
#define DS_EV_DMABUF_BEGIN_CPU		21
#define DS_EV_DMABUF_END_CPU		22
#define DS_EV_DMABUF_RELEASE		23
/* vfio-pci dma-buf exporter, from our patches: struct ds_vfio_dmabuf_event */
#define DS_EV_VFIO_DMABUF_EXPORT	24
#define DS_EV_VFIO_DMABUF_STATE_START	25
#define DS_EV_VFIO_DMABUF_STATE_END	26
#define DS_EV_DMABUF_LAST		26	/* dma-buf types: EXPORT..LAST */
/* DEPT (kernel/patches/dept): include/trace/events/dept.h */
#define DS_EV_DEPT_CLASS		27
#define DS_EV_DEPT_DEP			28
#define DS_EV_DEPT_CIRCLE		29
#define DS_EV_DEPT_CIRCLE_DEP		30
#define DS_EV_DEPT_STACK		31
#define DS_EV_DEPT_HEALTH		32
/* Tegra VPR (kernel/patches/tegra-vpr): include/trace/events/tegra_vpr.h */
#define DS_EV_VPR_CHUNK_ACTIVATE	33	/* v3 */
#define DS_EV_VPR_CHUNK_DEACTIVATE	34	/* v3 */
#define DS_EV_VPR_SET			35	/* v3 */
#define DS_EV_VPR_RESIZE_BEGIN		36
#define DS_EV_VPR_RESIZE_END		37
#define DS_EV_VPR_CMA_ALLOC		38
#define DS_EV_VPR_MAP_DEVICE		39
#define DS_EV_VPR_MAP_NORMAL		40
#define DS_EV_VPR_CMA_RELEASE		41
#define DS_EV_VPR_FREEZE		42
#define DS_EV_VPR_THAW			43
#define DS_EV_VPR_DEV_FREEZE		44
#define DS_EV_VPR_DEV_THAW		45
#define DS_EV_VPR_SMC			46
#define DS_EV_VPR_ROLLBACK		47
#define DS_EV_VPR_FIRST			DS_EV_VPR_CHUNK_ACTIVATE
#define DS_EV_VPR_LAST			DS_EV_VPR_ROLLBACK
#define DS_EV_BPF_MAX			48

#define DS_EV_META_BASE			0x8000
#define DS_EV_META_SOURCE		0x8001
#define DS_EV_META_STATS		0x8002
#define DS_EV_META_END			0x8003
#define DS_EV_META_SOURCE_STATS		0x8004
#define DS_EV_META_MAX			0x8005

/* ds_fence_event.flags */
#define DS_FENCE_F_SIGNALED	(1u << 0)	/* fence was signalled at the event */
#define DS_FENCE_F_NO_START	(1u << 1)	/* wait_end without a seen wait_start */
#define DS_FENCE_F_OPS_NULL	(1u << 2)	/* ops already detached (7.x) */

/* Common header of every record, BPF or meta. */
struct ds_event_hdr {
	__u64 ts;		/* CLOCK_MONOTONIC ns (bpf_ktime_get_ns) */
	__u16 type;		/* DS_EV_* */
	__u16 size;		/* whole record incl. header, multiple of 8 */
	__u32 cpu;
	__u32 pid;		/* tgid */
	__u32 tid;
};

/*
 * One layout for all seven dma_fence tracepoints.  context/seqno are the
 * full 64-bit values read from struct dma_fence (the trace record only
 * has 32 bits).  stack[] is filled for WAIT_START only; nr_frames tells
 * how many entries are valid and size covers exactly those.
 */
struct ds_fence_event {
	struct ds_event_hdr hdr;
	__u64 fence;		/* struct dma_fence pointer: identity key */
	__u64 context;
	__u64 seqno;
	__u64 ops;		/* struct dma_fence_ops pointer, 0 if detached */
	__u64 start_ts;		/* WAIT_END: matching wait_start time */
	__u64 duration_ns;	/* WAIT_END: wait duration */
	__u32 flags;		/* DS_FENCE_F_* */
	__u32 nr_frames;
	char comm[TASK_COMM_LEN];
	__u64 stack[DS_MAX_STACK];
};

#define DS_FENCE_EVENT_BASE_SIZE	(sizeof(struct ds_fence_event) - \
					 DS_MAX_STACK * sizeof(__u64))

/*
 * Driver and timeline names for a fence context, sent once per context.
 * The classic trace record carries only the low 32 bits of the context.
 */
struct ds_fence_name_event {
	struct ds_event_hdr hdr;
	__u32 context32;
	__u32 seqno32;
	char driver[DS_NAME_LEN];
	char timeline[DS_NAME_LEN];
};

/* ds_dmabuf_event.flags */
#define DS_DMABUF_F_DYNAMIC	(1u << 0)	/* attach/detach: dynamic importer */

/*
 * The upstream dma_buf tracepoints (7.x): one layout for all eight.  ino
 * is the dma-buf file's inode, the key the kernel's own events and
 * /sys/kernel/debug/dma_buf/bufinfo use; dmabuf is the pointer, kept to
 * tell apart buffers whose inode number was reused.
 */
struct ds_dmabuf_event {
	struct ds_event_hdr hdr;
	__u64 dmabuf;
	__u64 ino;
	__u64 size;
	__u64 attach;		/* attach/detach: struct dma_buf_attachment * */
	__s32 fd;		/* fd/get: the file descriptor */
	__u32 flags;		/* DS_DMABUF_F_* */
	char comm[TASK_COMM_LEN];
	char exp_name[32];	/* exporter */
	char dev_name[32];	/* attach/detach/map/unmap: importing device */
	__u64 duration_ns;	/* map: time to map; begin_cpu: fence wait */
	__s32 ret;		/* map, begin/end_cpu: error, 0 on success */
	__u32 dir;		/* map/unmap, begin/end_cpu: enum dma_data_direction */
	__u32 nents;		/* map/unmap: mapped scatterlist entries */
	__u32 nr_notified;	/* invalidate: importers told */
};

/*
 * enum vfio_pci_dma_buf_status and enum vfio_pci_dma_buf_cause of our vfio
 * patch (kernel/patches/0007).  PERM_REVOKED is reserved for permanent
 * revocation on request (the pending vfio mmap series).
 */
#define DS_VFIO_DMABUF_OK		0
#define DS_VFIO_DMABUF_TEMP_REVOKED	1
#define DS_VFIO_DMABUF_PERM_REVOKED	2

#define DS_VFIO_CAUSE_COMMAND		0	/* PCI_COMMAND memory enable */
#define DS_VFIO_CAUSE_POWER		1	/* PM control, D3hot and back */
#define DS_VFIO_CAUSE_FLR		2
#define DS_VFIO_CAUSE_RESET		3	/* VFIO_DEVICE_RESET */
#define DS_VFIO_CAUSE_HOT_RESET		4
#define DS_VFIO_CAUSE_RUNTIME_PM	5
#define DS_VFIO_CAUSE_CLOSE		6	/* last close of the device */
#define DS_VFIO_CAUSE_NONE		0xff	/* export: no state change */

/*
 * The vfio_pci dma-buf events: a dma-buf event (dev_name is the PCI
 * device, duration_ns is unused) followed by the vfio fields, so that
 * everything keyed by inode handles them unchanged.
 */
struct ds_vfio_dmabuf_event {
	struct ds_dmabuf_event db;
	__u64 fence_wait_ns;	/* STATE_END: dma_resv wait under memory_lock */
	__u64 unmap_wait_ns;	/* STATE_END: wait for the importers to unmap */
	__u64 range_offset;	/* EXPORT: first range, offset in the BAR */
	__u64 range_len;	/* EXPORT: first range, length */
	__u32 bar;		/* EXPORT */
	__u32 nr_ranges;	/* EXPORT */
	__u8 old_status;	/* DS_VFIO_DMABUF_*; EXPORT: the initial one */
	__u8 new_status;
	__u8 cause;		/* DS_VFIO_CAUSE_* */
	__u8 pad[5];
};

#define DS_DEPT_EV_NAME_LEN	96	/* class names, NUL included; longer ones are cut */
#define DS_DEPT_FN_LEN		48	/* [S]/[E]/[W] function names */
#define DS_DEPT_MAX_STACK	16	/* DEPT_MAX_STACK_ENTRY */

/* ds_dept_class_event.flags */
#define DS_DEPT_CLASS_F_SCHED	(1u << 0)	/* a "<sched>" class */
/* ds_dept_dep_event.flags: the tracepoint's DEPT_TRACE_* flags */
#define DS_DEPT_F_TIMEOUT	(1u << 0)
#define DS_DEPT_F_SIRQ		(1u << 1)
#define DS_DEPT_F_HIRQ		(1u << 2)
/* ds_dept_circle_event.verdict */
#define DS_DEPT_DEADLOCK	0
#define DS_DEPT_AA_DEADLOCK	1
#define DS_DEPT_CIRCULAR_TIMEOUT 2
/* ds_dept_stack_event.point */
#define DS_DEPT_POINT_S		0
#define DS_DEPT_POINT_W		1
#define DS_DEPT_POINT_E		2
#define DS_DEPT_POINT_WAKE	3
/* ds_dept_health_event.what */
#define DS_DEPT_POOL_EMPTY	0
#define DS_DEPT_POOL_REFILLED	1
#define DS_DEPT_STOP		2

/*
 * A DEPT class, identified by its key (the address DEPT uses).  Sent by
 * dept_class_new, and by the BPF side the first time a dependency names a
 * class it has not sent, so a consumer that starts late still has names.
 */
struct ds_dept_class_event {
	struct ds_event_hdr hdr;
	__u64 key;
	__s32 sub_id;
	__u32 flags;		/* DS_DEPT_CLASS_F_* */
	char name[DS_DEPT_EV_NAME_LEN];
};

/*
 * A dependency (DS_EV_DEPT_DEP: a new edge, circle and idx 0) or context
 * idx of circle number circle (DS_EV_DEPT_CIRCLE_DEP): the event of class
 * fkey waits for the wait on class tkey.  Classes travel as keys only.
 */
struct ds_dept_dep_event {
	struct ds_event_hdr hdr;
	__u64 fkey;
	__u64 tkey;
	__u32 circle;
	__u32 idx;
	__s32 fsub;
	__s32 tsub;
	__u32 flags;		/* DS_DEPT_F_* */
	__u32 pad;
	char ecxt_fn[DS_DEPT_FN_LEN];
	char event_fn[DS_DEPT_FN_LEN];
	char wait_fn[DS_DEPT_FN_LEN];
};

/* A circle DEPT found: nr DS_EV_DEPT_CIRCLE_DEP records follow. */
struct ds_dept_circle_event {
	struct ds_event_hdr hdr;
	__u32 circle;
	__u32 nr;
	__s32 verdict;		/* DS_DEPT_DEADLOCK... */
	__u32 pad;
};

/* A stack DEPT saved for one point of a circle's context; size covers nr. */
struct ds_dept_stack_event {
	struct ds_event_hdr hdr;
	__u32 circle;
	__u32 idx;
	__s32 point;		/* DS_DEPT_POINT_* */
	__u32 nr;
	__u64 ip;
	__u64 entries[DS_DEPT_MAX_STACK];
};

#define DS_DEPT_STACK_BASE_SIZE	(sizeof(struct ds_dept_stack_event) - \
				 DS_DEPT_MAX_STACK * sizeof(__u64))

struct ds_dept_health_event {
	struct ds_event_hdr hdr;
	__s32 what;		/* DS_DEPT_POOL_EMPTY... */
	__u32 pad;
	__u64 bytes;
	char pool[16];
};

/*
 * One layout for the fifteen tegra_vpr events; each fills what its
 * tracepoint has (kernel/patches/tegra-vpr/README.md, table 1):
 *   chunk_activate/_deactivate, set  base = start, size = limit - start
 *   resize_begin   seq grow name=heap base/size = buffer, old_*
 *   resize_end     seq grow old_* new_* mask=chunks duration err
 *   chunk steps    seq chunk base/size = the chunk's range, duration err
 *   freeze         seq duration err;  thaw  seq duration frozen_ns
 *   dev_freeze/_thaw  seq name=dev duration err
 *   smc            seq base size duration err=ret
 *   rollback       seq grow mask=chunks failed duration
 */
struct ds_vpr_event {
	struct ds_event_hdr hdr;
	__u32 seq;
	__s32 err;
	__u64 base;
	__u64 size;
	__u64 old_base;
	__u64 old_size;
	__u64 new_base;
	__u64 new_size;
	__u64 mask;
	__u64 failed;
	__u64 duration_ns;
	__u64 frozen_ns;
	__u32 chunk;
	__u8 grow;
	__u8 pad[3];
	char name[32];		/* heap or device */
};

/* Self-test event: proves the ring-buffer path end to end. */
struct ds_ping_event {
	struct ds_event_hdr hdr;
	__u64 seq;		/* per-run sequence number, from 0 */
	__u64 syscall_nr;
};

/* Sources: one bit each, recorded in DS_EV_META_SOURCE. */
#define DS_SRC_FENCE		(1u << 0)
#define DS_SRC_PING		(1u << 1)
#define DS_SRC_DMABUF		(1u << 2)
#define DS_SRC_DEPT		(1u << 3)
#define DS_SRC_VPR		(1u << 4)

/*
 * Per-source counters kept by the BPF side in .bss and snapshotted by
 * user space into DS_EV_META_STATS records.
 */
struct ds_bpf_stats {
	__u64 emitted;		/* records submitted to the ring buffer */
	__u64 dropped;		/* ring buffer full: record lost */
	__u64 names_dropped;	/* name map full */
	__u64 waits_unmatched;	/* wait_end without wait_start */
	/*
	 * Set by user space to end a run: no record is reserved after it, so
	 * the ring can be drained to empty under any load before the slow
	 * detach (an RCU grace period per tracepoint).
	 */
	__u64 stopped;
};

struct ds_meta_source {
	struct ds_event_hdr hdr;
	__u32 sources;		/* DS_SRC_* attached */
	__u32 missing;		/* number of events that could not attach */
	char names[256];	/* "dma_fence_emit,..." of missing events */
};

struct ds_meta_stats {
	struct ds_event_hdr hdr;
	__u64 received;		/* records user space got from the ring */
	__u64 emitted;
	__u64 dropped;
	__u64 names_dropped;
	__u64 waits_unmatched;
};

/*
 * One source's counters (DS_SRC_* in @source), written just before each
 * DS_EV_META_STATS, which stays the sum of all sources: readers that know
 * only the sum keep working, and drops can be blamed on a source.
 */
struct ds_meta_source_stats {
	struct ds_event_hdr hdr;
	__u32 source;
	__u32 pad;
	__u64 received;
	__u64 emitted;
	__u64 dropped;
	__u64 names_dropped;
	__u64 waits_unmatched;
};

struct ds_meta_end {
	struct ds_event_hdr hdr;
	__u64 records;		/* records written before this one */
	__u64 duration_ns;
};

#define DS_HIST_SLOTS		64	/* log2 slots of the in-kernel histogram */

#endif /* DEPTSCOPE_EVENTS_H */
