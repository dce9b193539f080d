/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_REPLAY_H
#define DS_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include "deptscope/record.h"
#include "deptscope/stream.h"

struct ds_replay {
	const char *path;
	/* optional: after each batch, with the newest event time */
	int (*tick)(void *ctx, uint64_t now);
	void *ctx;
	/*
	 * Set by a consumer whose own output failed (a full disk): the
	 * replay stops without a line of its own; the caller says what failed.
	 */
	bool output_failed;
	/* results */
	enum ds_reader_state state;
	uint64_t records;
	uint64_t last_ts;
	char status[160];
};

/*
 * Feed the recording r->path to the consumers of @s; a trace-cmd file
 * (trace.dat) is imported on the way (lib/tracedat.c).  Problems are printed
 * as one line each; a truncated file is only a warning.  Returns 0, or
 * DS_EXIT_ERROR when the file cannot be read or is corrupt (the records
 * before the corruption have still been delivered).
 */
int ds_replay_run(struct ds_replay *r, struct ds_stream *s);

/*
 * @path is a deptscope recording made on this machine since this boot
 * (ds_rec_header__this_boot()): its kernel addresses can be symbolised
 * with this kernel's kallsyms.  False for anything else, trace.dat too.
 */
bool ds_replay_this_boot(const char *path);

struct ds_tracedat_stats;
/* The warnings a trace.dat import gives (lost and malformed records). */
void ds_tracedat_warn(const char *path, const struct ds_tracedat_stats *st);

#endif
