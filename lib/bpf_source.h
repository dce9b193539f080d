/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Private to lib/: what every <feature>_bpf.c loader shares.  A loader's
 * object embeds struct ds_bpf_source as its first member, so the generic
 * source ops below serve every feature.
 */
#ifndef DS_BPF_SOURCE_H
#define DS_BPF_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "deptscope/stream.h"

struct ds_bpf_source {
	struct ring_buffer *rb;
	struct ds_stream *stream;
	struct ds_bpf_stats *kstats;	/* the skeleton's mmapped .bss */
	uint64_t received;
	uint64_t malformed;
	uint32_t src_bit;		/* DS_SRC_* of this loader, for per-source stats */
	unsigned int budget;		/* records left in this poll call */
	bool budget_spent;
	/* DEPTSCOPE_TEST_FAULTS poll=N: the Nth poll fails (0: never) */
	unsigned long polls, fail_poll_at;
	unsigned int nr_attached;
	/* the loader's link array, from attach_start; destroyed by exit */
	struct bpf_link **links;
	unsigned int nr_links;
	char missing[256];
};

/* A program of a skeleton and the tracepoint it attaches to. */
struct ds_bpf_prog_ref {
	const char *prog;
	const char *event;
};

void ds_bpf_source__add_missing(struct ds_bpf_source *bs, const char *what);
/*
 * Find the @n programs of @refs in @obj (into @progs) and autoload those
 * whose tracepoint the running kernel's BTF describes (tp_btf); the others
 * are recorded as missing.  Returns how many will load, or -ENOENT when a
 * program is not in @obj.
 */
int ds_bpf_source__select_btf(struct ds_bpf_source *bs, struct bpf_object *obj,
			      const struct ds_bpf_prog_ref *refs, unsigned int n,
			      struct bpf_program **progs);
/*
 * After the load: attach each of the @n @progs that is set and loaded into
 * @links (a failure records @refs[i].event as missing), then
 * ds_bpf_source__start().  ds_bpf_source__exit() destroys the links.
 */
int ds_bpf_source__attach_start(struct ds_bpf_source *bs, const struct ds_bpf_prog_ref *refs,
				unsigned int n, struct bpf_program **progs,
				struct bpf_link **links, struct ds_bpf_stats *kstats,
				int map_fd);
/* Attach @p; on failure record @event as missing.  Returns the link or NULL. */
struct bpf_link *ds_bpf_source__attach(struct ds_bpf_source *bs, struct bpf_program *p,
				       const char *event);
/*
 * After the attach loop: -ENOENT when nothing could be attached, else
 * start consuming the ring buffer map @map_fd with the BPF side's counters
 * at @kstats; -errno on failure.
 */
int ds_bpf_source__start(struct ds_bpf_source *bs, struct ds_bpf_stats *kstats,
			 int map_fd);
/*
 * Records one poll call takes from the ring at most: under a storm the ring
 * never runs dry, and libbpf would keep the caller (and Ctrl-C) waiting.
 */
#define DS_BPF_POLL_BUDGET	8192

/* Release the ring buffer and the links of ds_bpf_source__attach_start(). */
void ds_bpf_source__exit(struct ds_bpf_source *bs);
/* The ring buffer map @events at @kb KiB, @default_kb when 0; before the load. */
int ds_bpf_source__size_ring(struct bpf_map *events, unsigned int kb, unsigned int default_kb);
/* Does the running kernel's BTF know tracepoint @event (for tp_btf)? */
bool ds_btf_has_tp(const struct btf *btf, const char *event);

extern const struct ds_source_ops ds_bpf_source_ops;

#endif
