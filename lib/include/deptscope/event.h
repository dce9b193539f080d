/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_EVENT_H
#define DEPTSCOPE_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include "deptscope_events.h"

/**
 * ds_event__check() - validate one record before anyone reads its fields
 * @ev: record start
 * @avail: bytes available at @ev
 *
 * Return: the record size (> 0) when a complete, well-formed record starts
 * at @ev; -EAGAIN when @avail is too short to hold it (truncation);
 * -EINVAL when the bytes cannot be a record (corruption).  Unknown types
 * with a sane size are accepted so newer recordings stay readable.
 */
int ds_event__check(const void *ev, size_t avail);

/* Short name of a record type ("fence_wait_start"), "unknown" otherwise. */
const char *ds_event_type_name(unsigned int type);

/* Frames of a fence event that are really present (bounded by size). */
unsigned int ds_fence_event__nr_frames(const struct ds_fence_event *e);

#endif
