/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tegra VPR resizes from the tegra_vpr events (DS_EV_VPR_* records):
 * with kernel/patches/tegra-vpr each resize is grouped by its sequence
 * number and every step has its measured duration; with only the three
 * events of the VPR series itself (chunk_activate, chunk_deactivate,
 * set), a resize is the run of chunk changes of one task up to the VPR
 * being programmed, and its figures are inferred (marked so).
 *
 * Functions return 0 or a negative errno; a callback's error is passed on.
 */
#ifndef DEPTSCOPE_VPR_H
#define DEPTSCOPE_VPR_H

#include <stdbool.h>
#include <stdint.h>
#include "deptscope_events.h"

struct ds_vpr_resize {
	uint32_t seq;			/* 0 when inferred (no seq in v3's events) */
	bool grow;
	bool inferred;			/* from v3's three events only */
	bool complete;			/* its end was seen */
	bool rolled_back;		/* inferred: chunks given back, VPR not programmed */
	bool saw_activate, saw_deactivate;	/* inferred: chunk changes seen */
	uint32_t tid;
	uint64_t begin_ts, end_ts;	/* record times, ns */
	char heap[32];
	uint64_t buf_start, buf_size;	/* the buffer that triggered it */
	uint64_t old_base, old_size, new_base, new_size;
	uint64_t chunks;		/* bit i: chunk i changed */
	uint32_t nr_chunk_steps;
	uint64_t duration_ns;		/* inferred: first chunk change to the SMC */
	int err;			/* resize_end's result */
	int step_err;			/* the first step that failed, 0 if none */
	int smc_ret;
	uint64_t failed_chunks;		/* rollback: chunks not restored */
	/* time per step, ns (summed over chunks and devices) */
	uint64_t cma_ns, map_ns, freeze_ns, thaw_ns, frozen_ns;
	uint64_t dev_freeze_ns, dev_thaw_ns, smc_ns, rollback_ns;
	uint32_t nr_devs;
};

/* Called once per resize, when it ends (or at flush, incomplete). */
typedef int (*ds_vpr_resize_fn)(void *ctx, const struct ds_vpr_resize *r);

struct ds_vpr_model;

int ds_vpr_model__new(ds_vpr_resize_fn done, void *ctx, struct ds_vpr_model **out);
void ds_vpr_model__free(struct ds_vpr_model *m);
/* One record; others than DS_EV_VPR_* are ignored.  A ds_consumer_fn. */
int ds_vpr_model__feed(void *m, const struct ds_event_hdr *h);
/* Hand over the resizes still open, as incomplete. */
int ds_vpr_model__flush(struct ds_vpr_model *m);

/* The VPR's size after each programming (tegra_vpr_set or resize_end). */
struct ds_vpr_size_point {
	uint64_t ts;
	uint64_t base, size;
};

struct ds_vpr_stats {
	uint64_t records;
	uint64_t resizes, grows, shrinks, failed, inferred, incomplete;
	uint64_t malformed;
	bool have_ours;			/* any event of kernel/patches/tegra-vpr */
};

void ds_vpr_model__stats(const struct ds_vpr_model *m, struct ds_vpr_stats *st);
/* The size timeline; valid until the next feed. */
const struct ds_vpr_size_point *ds_vpr_model__sizes(const struct ds_vpr_model *m, uint32_t *nr);

/*
 * The BPF programs of bpf/vpr.bpf.c, attached to every tegra_vpr event the
 * kernel has; records go to a ds_stream through ds_bpf_source_ops.
 * -ENOENT when it has none (no VPR heap).
 */
struct ds_vpr_bpf_opts {
	unsigned int ringbuf_kb;	/* 0: 1024 */
};

struct ds_vpr_bpf;

int ds_vpr_bpf__open(const struct ds_vpr_bpf_opts *o, struct ds_vpr_bpf **out);
void ds_vpr_bpf__destroy(struct ds_vpr_bpf *b);
/* Events that could not be attached, comma-separated ("" if none). */
const char *ds_vpr_bpf__missing(const struct ds_vpr_bpf *b);
/* The kernel has kernel/patches/tegra-vpr (else phases are inferred). */
bool ds_vpr_bpf__ours(const struct ds_vpr_bpf *b);

#endif
