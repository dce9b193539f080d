/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_CHROME_H
#define DEPTSCOPE_CHROME_H

#include <stdio.h>
#include "deptscope/stream.h"

/*
 * Chrome Trace Event JSON (opened by ui.perfetto.dev and chrome://tracing).
 * Fence timelines become synthetic processes with one async track of waits
 * and instant events for signals; waiter threads get complete slices on
 * their real pid/tid.  dma-bufs get one track each (by inode) in a "dma-buf"
 * process: their events as instants, CPU-access waits and maps as slices,
 * also on the thread that waited.  Tegra VPR resizes go to a "Tegra VPR
 * (<heap>)" process: a slice per resize with its steps nested inside, the
 * user-space freeze window on a row of its own, and a size counter
 * (docs/export.md).
 */
struct ds_chrome;

int ds_chrome__new(FILE *f, struct ds_chrome **out);
/* ds_consumer_fn */
int ds_chrome__consume(void *c, const struct ds_event_hdr *ev);
/* Close unfinished waits at the last timestamp, write metadata, end the document. */
int ds_chrome__finish(struct ds_chrome *c);
void ds_chrome__free(struct ds_chrome *c);
uint64_t ds_chrome__events_written(const struct ds_chrome *c);

#endif
