/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace-cmd files (trace.dat) as a source of deptscope records.  The file
 * is read through libtracecmd and libtraceevent, and every field is found
 * by name in the event formats stored in the file, so a file recorded on
 * another machine or kernel (an arm64 board) reads the same.  Events of
 * the dma_fence, dma_buf, vfio_pci and tegra_vpr systems become the
 * DS_EV_* records the BPF programs produce (docs/import.md lists what a
 * trace record cannot carry: stacks, the fence pointer, the tgid); all
 * other events are counted and skipped.  Records of every CPU and every
 * buffer instance in the file come out in timestamp order.
 *
 * The parse runs in a child process (libtracecmd can crash on a damaged
 * file); the caller gets finished records through a pipe.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef DEPTSCOPE_TRACEDAT_H
#define DEPTSCOPE_TRACEDAT_H

#include <stdbool.h>
#include <stdint.h>
#include "deptscope/stream.h"

struct ds_tracedat;

struct ds_tracedat_stats {
	uint64_t records;		/* trace records read */
	uint64_t imported;		/* DS_EV_* records made from them */
	uint64_t skipped;		/* events of other systems */
	uint64_t malformed;		/* known events whose fields did not fit */
	uint64_t lost;			/* the ring buffer's own count of lost events */
	uint64_t waits_unmatched;	/* dma_fence_wait_end without its start */
	uint32_t cpus;
	uint32_t buffers;		/* the top buffer and the instances */
	uint32_t sources;		/* DS_SRC_* whose events the file has formats for */
};

/* 1 if @path starts with the trace.dat magic, 0 if not, or -errno. */
int ds_tracedat__probe(const char *path);

/*
 * Open @path.  On failure *why (if given) says what is wrong with the file
 * in a few words; it stays valid until the next call.
 */
int ds_tracedat__open(const char *path, struct ds_tracedat **out, const char **why);
void ds_tracedat__close(struct ds_tracedat *t);

/*
 * The next DS_EV_* record, valid until the next call; -ENODATA at the
 * end.  A DS_EV_META_SOURCE record comes first.  -EBADMSG when the file
 * is damaged past the records already returned (ds_tracedat__strerror()
 * says how); the records before stay good.
 */
int ds_tracedat__next(struct ds_tracedat *t, const struct ds_event_hdr **ev);
const char *ds_tracedat__strerror(const struct ds_tracedat *t);
void ds_tracedat__stats(const struct ds_tracedat *t, struct ds_tracedat_stats *st);

/* A finite ds_stream source over an open ds_tracedat. */
extern const struct ds_source_ops ds_tracedat_source_ops;

#endif
