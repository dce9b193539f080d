/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_RECORD_H
#define DEPTSCOPE_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "deptscope_events.h"
#include "deptscope/stream.h"

/* On-disk format: docs/recording-format.md. */
#define DS_REC_MAGIC		"DSCOPREC"
#define DS_REC_VERSION		1

struct ds_rec_header {
	char magic[8];
	__u32 version;
	__u32 header_size;	/* bytes before the first record */
	__u64 start_realtime_ns;
	__u64 start_mono_ns;
	__u32 flags;
	__u32 reserved;
	char release[64];	/* uname -r of the recording host */
	char hostname[64];
};

struct ds_recorder;

/*
 * Create @path (mode 0600, refusing to follow a symlink) and write the
 * header.  Records are buffered and flushed at least every @flush_ms
 * (0: a default) so a killed recorder loses at most that much.
 */
int ds_recorder__open(const char *path, unsigned int flush_ms, struct ds_recorder **out);
int ds_recorder__write(struct ds_recorder *r, const struct ds_event_hdr *ev);
int ds_recorder__flush(struct ds_recorder *r);
uint64_t ds_recorder__records(const struct ds_recorder *r);
uint64_t ds_recorder__bytes(const struct ds_recorder *r);
/* Write the end trailer, flush, fsync and close; frees @r either way. */
int ds_recorder__close(struct ds_recorder *r, uint64_t duration_ns);
/* ds_consumer_fn adapter. */
int ds_recorder__consume(void *r, const struct ds_event_hdr *ev);

enum ds_reader_state {
	DS_READER_OK,		/* more may follow */
	DS_READER_END,		/* end trailer seen: recording complete */
	DS_READER_TRUNCATED,	/* file ends mid-record or without trailer */
	DS_READER_CORRUPT,	/* bytes that cannot be a record */
};

/*
 * The recording was made on this machine since its last boot: same
 * release and host name, and the same offset between CLOCK_REALTIME and
 * CLOCK_MONOTONIC (within 10 s of clock adjustments).  Only then do the
 * kernel addresses in it mean what this kernel's kallsyms says.
 */
bool ds_rec_header__this_boot(const struct ds_rec_header *h);

struct ds_reader;

int ds_reader__open(const char *path, struct ds_reader **out);
void ds_reader__close(struct ds_reader *r);
const struct ds_rec_header *ds_reader__header(const struct ds_reader *r);
/*
 * Next record: 1 with *ev set (valid until the next call), 0 at the end
 * (see ds_reader__state()), -errno on I/O error.
 */
int ds_reader__next(struct ds_reader *r, const struct ds_event_hdr **ev);
enum ds_reader_state ds_reader__state(const struct ds_reader *r);
/* File offset of the first byte not consumed as a complete record. */
uint64_t ds_reader__offset(const struct ds_reader *r);
uint64_t ds_reader__records(const struct ds_reader *r);
/* One line describing why reading stopped, for the user. */
const char *ds_reader__status_str(const struct ds_reader *r);

/* What an error of ds_reader__open() means for the user. */
const char *ds_reader_strerror(int err);

/* Source adapter: replays a reader into a stream as fast as it can. */
extern const struct ds_source_ops ds_reader_source_ops;

#endif
