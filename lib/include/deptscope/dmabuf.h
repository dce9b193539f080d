/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_DMABUF_H
#define DEPTSCOPE_DMABUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "deptscope_events.h"
#include "deptscope/stream.h"

#define DS_DMABUF_NR_TYPES	(DS_EV_DMABUF_LAST - DS_EV_DMABUF_EXPORT + 1)

/* One dma-buf followed through its life, keyed by inode. */
struct ds_dmabuf_buffer {
	uint64_t ino;
	uint64_t dmabuf;
	uint64_t size;
	char exp_name[32];
	char exporter_comm[TASK_COMM_LEN];
	uint32_t exporter_pid;
	uint64_t first_ts;
	uint64_t last_ts;
	uint64_t events[DS_DMABUF_NR_TYPES];	/* by type - DS_EV_DMABUF_EXPORT */
	int64_t attached;			/* attaches minus detaches */
	int64_t mapped;				/* maps minus unmaps */
	uint64_t cpu_wait_max_ns;		/* longest begin_cpu_access wait */
	bool released;				/* the last file reference is gone */
	/* revocation: from dma_buf_invalidate_mappings to the last unmap */
	uint64_t invalidations;
	uint64_t revoke_ts;			/* pending revocation start, 0: none */
	uint64_t revoke_latency_max_ns;
	uint64_t revokes_done;
	bool revoke_alerted;
	char last_importer[32];			/* dev_name of the newest attach */
	/* vfio-pci exporter (our patch): status from its own events */
	bool vfio;
	uint8_t vfio_status;			/* DS_VFIO_DMABUF_* */
	uint32_t vfio_bar;
	char vfio_dev[32];			/* PCI device (BDF) */
	uint64_t vfio_revokes;			/* completed revocations */
	uint64_t vfio_fence_wait_max_ns;
	uint64_t vfio_unmap_wait_max_ns;
	uint64_t maps_after_revoke;		/* anomaly: map succeeded while revoked */
	size_t pending_rev;			/* index + 1 of the open revocation, 0: none */
};

/*
 * One revocation, for the timeline.  For vfio-pci buffers it is a status
 * change, from vfio_pci_dma_buf_state_start to _end (a restore too); for
 * other exporters it runs from dma_buf_invalidate_mappings until the last
 * importer unmapped.
 */
struct ds_dmabuf_revocation {
	uint64_t ino;
	uint64_t start_ts;
	uint64_t end_ts;			/* 0: still pending */
	int64_t mapped_at_start;		/* mappings the importers had to drop */
	bool vfio;
	uint8_t old_status, new_status;		/* vfio: DS_VFIO_DMABUF_* */
	uint8_t cause;				/* vfio: DS_VFIO_CAUSE_* */
	uint64_t fence_wait_ns;			/* vfio: from the kernel */
	uint64_t unmap_wait_ns;
};

/* One importing device (dev_name of attach/map events), over all buffers. */
struct ds_dmabuf_importer {
	char dev_name[32];
	uint64_t attaches, detaches;
	uint64_t maps, unmaps, map_errors;
	uint64_t maps_after_revoke;
	uint64_t map_max_ns;			/* longest dma_buf_map_attachment */
};

/* Importers beyond this many distinct devices are counted under "(other)". */
#define DS_DMABUF_MAX_IMPORTERS	256

/* vfio-pci says the buffer is revoked: a map now is an importer's bug. */
static inline bool ds_dmabuf_buffer__revoked(const struct ds_dmabuf_buffer *b)
{
	return b->vfio && b->vfio_status != DS_VFIO_DMABUF_OK;
}

struct ds_dmabuf_totals {
	uint64_t revokes_done;
	uint64_t revokes_stuck;			/* reported by check_revokes */
	uint64_t events;
	uint64_t by_type[DS_DMABUF_NR_TYPES];
	uint64_t buffers;
	uint64_t maps_after_revoke;
	bool have_stats;
	struct ds_meta_stats stats;
};

struct ds_dmabuf_model;

int ds_dmabuf_model__new(struct ds_dmabuf_model **out);
void ds_dmabuf_model__free(struct ds_dmabuf_model *m);
/* ds_consumer_fn */
int ds_dmabuf_model__consume(void *m, const struct ds_event_hdr *ev);
/* Buffers ordered by first appearance; array owned by the model. */
size_t ds_dmabuf_model__buffers(struct ds_dmabuf_model *m,
				const struct ds_dmabuf_buffer *const **out);
const struct ds_dmabuf_totals *ds_dmabuf_model__totals(const struct ds_dmabuf_model *m);

typedef void (*ds_dmabuf_revoke_fn)(void *ctx, const struct ds_dmabuf_buffer *b, uint64_t now);
/*
 * Importers must unmap in bounded time after an invalidation: call @cb
 * once for every buffer still mapped @limit_ns after one.  Returns how many.
 */
int ds_dmabuf_model__check_revokes(struct ds_dmabuf_model *m, uint64_t now, uint64_t limit_ns,
				   ds_dmabuf_revoke_fn cb, void *ctx);
/* Importing devices in order of first appearance; array owned by the model. */
size_t ds_dmabuf_model__importers(struct ds_dmabuf_model *m,
				  const struct ds_dmabuf_importer **out);
/* The current life of @ino, NULL if never seen. */
const struct ds_dmabuf_buffer *ds_dmabuf_model__find(struct ds_dmabuf_model *m, uint64_t ino);
/* Revocations in the order they started; array owned by the model. */
size_t ds_dmabuf_model__revocations(struct ds_dmabuf_model *m,
				    const struct ds_dmabuf_revocation **out);
/* "export", "attach", ... for a DS_EV_DMABUF_* or DS_EV_VFIO_DMABUF_* type */
const char *ds_dmabuf_type_short(unsigned int type);
/* "ok", "temp_revoked", ... and "command", "close", ...: the kernel's names */
const char *ds_vfio_status_name(unsigned int status);
const char *ds_vfio_cause_name(unsigned int cause);

struct ds_dmabuf_bpf_opts {
	uint32_t tgid;		/* 0: every process */
	uint32_t ringbuf_kb;	/* 0: default (1024) */
};

struct ds_dmabuf_bpf;

/*
 * The upstream dma_buf tracepoints exist from Linux 7.0; invalidate,
 * map/unmap, CPU access and release come from our patches
 * (kernel/patches).  Missing events are skipped and listed; on a kernel
 * with none of them this returns -ENOENT.
 */
int ds_dmabuf_bpf__open(const struct ds_dmabuf_bpf_opts *o, struct ds_dmabuf_bpf **out);
void ds_dmabuf_bpf__destroy(struct ds_dmabuf_bpf *b);
const char *ds_dmabuf_bpf__missing(const struct ds_dmabuf_bpf *b);
unsigned int ds_dmabuf_bpf__nr_attached(const struct ds_dmabuf_bpf *b);

#endif
