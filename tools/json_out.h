/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* JSON fields every command's summary shares, written one way. */
#ifndef DS_JSON_OUT_H
#define DS_JSON_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "deptscope/event.h"
#include "deptscope/json.h"
#include "deptscope_events.h"

/* "unavailable": the comma-separated list of events not traced, as an array */
void ds_out_unavailable(struct ds_json *j, const char *missing);
/* "ring": the ring-buffer counters, or null when none were recorded */
void ds_out_ring(struct ds_json *j, bool have, const struct ds_meta_stats *st);

/*
 * @key ("ring_sources" in reports, "sources" in record's summary): each
 * source's ring counters; "selftest": its records, sequence numbers and
 * how many are missing.  Each only when there are any.
 */
void ds_out_ring_sources(struct ds_json *j, const char *key, const struct ds_ring_stats *rs);
/* The same as text; the per-source lines, each ending in @note, only when @per_source. */
void ds_text_ring_sources(FILE *f, const struct ds_ring_stats *rs, bool per_source,
			  const char *note);

#endif
