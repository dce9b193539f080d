// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vprgen: small Tegra VPR recordings, seeds for tests/fuzz/fuzz_rec (bench/dsgen
 * writes fence, dma-buf and DEPT records, not these).
 *
 *   vprgen DIR
 *
 * writes DIR/vpr-ours.dsr (a source record, then a grow over two chunks
 * with every step of kernel/patches/tegra-vpr, the matching shrink, a grow
 * that fails at its second chunk and rolls back, and a resize left open)
 * and DIR/vpr-v3.dsr (the three events of the VPR series only: a grow and
 * a shrink that the model infers, and chunk changes rolled back without a
 * set).  The layouts are as in tests/unit/test_vpr.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "deptscope/record.h"

#define MB	(1ULL << 20)
#define MS(x)	((uint64_t)((x) * 1e6))
#define T0	1000000000ULL

static int err;

/* A record at T0 + @at_ms; every field from @e. */
static void rec(struct ds_recorder *r, uint16_t type, double at_ms, struct ds_vpr_event e)
{
	e.hdr.type = type;
	e.hdr.size = sizeof(e);
	e.hdr.ts = T0 + (uint64_t)(at_ms * 1e6);
	e.hdr.tid = e.hdr.tid ? e.hdr.tid : 42;
	e.hdr.pid = e.hdr.tid;
	if (!err)
		err = ds_recorder__write(r, &e.hdr);
}

static void source(struct ds_recorder *r)
{
	struct ds_meta_source s = {};

	s.hdr.type = DS_EV_META_SOURCE;
	s.hdr.size = sizeof(s);
	s.sources = DS_SRC_VPR;
	if (!err)
		err = ds_recorder__write(r, &s.hdr);
}

static void steps(struct ds_recorder *r, uint32_t seq, double t, bool grow, uint64_t size)
{
	uint16_t chunk = grow ? DS_EV_VPR_CHUNK_ACTIVATE : DS_EV_VPR_CHUNK_DEACTIVATE;
	uint32_t c;

	rec(r, DS_EV_VPR_RESIZE_BEGIN, t, (struct ds_vpr_event){ .seq = seq, .grow = grow,
	    .name = "vpr", .base = 0x80000000, .size = 8 * MB, .old_size = size });
	for (c = 0; c < 2; c++) {
		rec(r, chunk, t + 0.1 + c, (struct ds_vpr_event){ .base = 0x80000000 + c * 64 * MB,
		    .size = 64 * MB });
		rec(r, grow ? DS_EV_VPR_CMA_ALLOC : DS_EV_VPR_MAP_NORMAL, t + 5 + c * 7,
		    (struct ds_vpr_event){ .seq = seq, .chunk = c, .duration_ns = MS(4.8) });
		rec(r, grow ? DS_EV_VPR_MAP_DEVICE : DS_EV_VPR_CMA_RELEASE, t + 6 + c * 7,
		    (struct ds_vpr_event){ .seq = seq, .chunk = c, .duration_ns = MS(1) });
	}
	rec(r, DS_EV_VPR_FREEZE, t + 40, (struct ds_vpr_event){ .seq = seq,
	    .duration_ns = MS(27) });
	rec(r, DS_EV_VPR_DEV_FREEZE, t + 43, (struct ds_vpr_event){ .seq = seq,
	    .name = "host1x", .duration_ns = MS(3) });
	rec(r, DS_EV_VPR_SET, t + 43.1, (struct ds_vpr_event){ .base = 0x80000000,
	    .size = grow ? 128 * MB : 0 });
	rec(r, DS_EV_VPR_SMC, t + 44, (struct ds_vpr_event){ .seq = seq,
	    .duration_ns = MS(0.9) });
	rec(r, DS_EV_VPR_DEV_THAW, t + 46, (struct ds_vpr_event){ .seq = seq, .name = "host1x",
	    .duration_ns = MS(2) });
	rec(r, DS_EV_VPR_THAW, t + 50, (struct ds_vpr_event){ .seq = seq, .duration_ns = MS(4),
	    .frozen_ns = MS(37) });
	rec(r, DS_EV_VPR_RESIZE_END, t + 50.5, (struct ds_vpr_event){ .seq = seq, .grow = grow,
	    .old_size = size, .new_base = 0x80000000, .new_size = grow ? 128 * MB : 0,
	    .mask = 3, .duration_ns = MS(50.5) });
}

static int ours(const char *path)
{
	struct ds_recorder *r;

	if (ds_recorder__open(path, 0, &r))
		return -1;
	source(r);
	steps(r, 1, 0, true, 0);
	steps(r, 2, 100, false, 128 * MB);
	/* a grow failing at its second chunk, rolled back */
	rec(r, DS_EV_VPR_RESIZE_BEGIN, 200, (struct ds_vpr_event){ .seq = 3, .grow = 1 });
	rec(r, DS_EV_VPR_CMA_ALLOC, 205, (struct ds_vpr_event){ .seq = 3, .chunk = 0,
	    .duration_ns = MS(5) });
	rec(r, DS_EV_VPR_CMA_ALLOC, 209, (struct ds_vpr_event){ .seq = 3, .chunk = 1,
	    .duration_ns = MS(4), .err = -ENOMEM });
	rec(r, DS_EV_VPR_CMA_RELEASE, 210, (struct ds_vpr_event){ .seq = 3, .chunk = 0,
	    .duration_ns = MS(0.5) });
	rec(r, DS_EV_VPR_ROLLBACK, 210.5, (struct ds_vpr_event){ .seq = 3, .grow = 1, .mask = 1,
	    .failed = 0, .duration_ns = MS(1) });
	rec(r, DS_EV_VPR_RESIZE_END, 211, (struct ds_vpr_event){ .seq = 3, .grow = 1,
	    .mask = 3, .err = -ENOMEM, .duration_ns = MS(11) });
	/* one that never ends: the model hands it over at flush */
	rec(r, DS_EV_VPR_RESIZE_BEGIN, 300, (struct ds_vpr_event){ .seq = 4, .grow = 1,
	    .hdr.tid = 43, .name = "vpr" });
	rec(r, DS_EV_VPR_CMA_ALLOC, 301, (struct ds_vpr_event){ .seq = 4, .chunk = 0,
	    .hdr.tid = 43, .duration_ns = MS(1) });
	if (err) {
		ds_recorder__close(r, 0);
		return -1;
	}
	return ds_recorder__close(r, MS(400));
}

static int v3(const char *path)
{
	struct ds_recorder *r;
	int c;

	if (ds_recorder__open(path, 0, &r))
		return -1;
	source(r);
	for (c = 0; c < 2; c++)
		rec(r, DS_EV_VPR_CHUNK_ACTIVATE, c, (struct ds_vpr_event){
		    .base = 0x80000000 + c * 64 * MB, .size = 64 * MB });
	rec(r, DS_EV_VPR_SET, 2, (struct ds_vpr_event){ .base = 0x80000000, .size = 128 * MB });
	rec(r, DS_EV_VPR_CHUNK_DEACTIVATE, 50, (struct ds_vpr_event){ .base = 0x84000000,
	    .size = 64 * MB });
	rec(r, DS_EV_VPR_SET, 51, (struct ds_vpr_event){ .base = 0x80000000, .size = 64 * MB });
	/* chunk changes by another task that never reach a set: rolled back */
	rec(r, DS_EV_VPR_CHUNK_ACTIVATE, 60, (struct ds_vpr_event){ .hdr.tid = 7,
	    .base = 0x84000000, .size = 64 * MB });
	rec(r, DS_EV_VPR_CHUNK_DEACTIVATE, 61, (struct ds_vpr_event){ .hdr.tid = 7,
	    .base = 0x84000000, .size = 64 * MB });
	if (err) {
		ds_recorder__close(r, 0);
		return -1;
	}
	return ds_recorder__close(r, MS(70));
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: vprgen DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/vpr-ours.dsr", argv[1]);
	if (ours(path)) {
		fprintf(stderr, "vprgen: cannot write %s\n", path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/vpr-v3.dsr", argv[1]);
	if (v3(path)) {
		fprintf(stderr, "vprgen: cannot write %s\n", path);
		return 1;
	}
	return 0;
}
