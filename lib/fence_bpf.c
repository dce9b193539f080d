// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Loader of bpf/fence.bpf.c.  The only file that includes its skeleton.
 * Each program is attached on its own so a kernel that lacks one tracepoint
 * loses that event only, and the user is told which.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "deptscope/event.h"	/* before the skeleton: it names our wire types */
#include "fence.skel.h"
#include "deptscope/fence.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "bpf_source.h"

#define DEFAULT_RINGBUF_KB	4096

enum prog_kind { PK_FENCE, PK_NAME, PK_PING, PK_BENCH };

struct prog_ent {
	struct bpf_program *prog;
	const char *event;	/* tracepoint in the dma_fence system, or other */
	enum prog_kind kind;
};

struct ds_fence_bpf {
	struct ds_bpf_source base;	/* first: ds_bpf_source_ops use it */
	struct fence_bpf *skel;
	struct prog_ent progs[16];
	unsigned int nr_progs;
	struct bpf_link *links[16];	/* by progs[] index; ds_bpf_source__exit frees */
};

static void add_prog(struct ds_fence_bpf *b, struct bpf_program *p, const char *event,
		     enum prog_kind kind)
{
	b->progs[b->nr_progs].prog = p;
	b->progs[b->nr_progs].event = event;
	b->progs[b->nr_progs].kind = kind;
	b->nr_progs++;
}

/*
 * The name programs read the classic record at fixed offsets; refuse them
 * rather than read garbage if a kernel ever reshuffles the record.
 */
static bool record_layout_ok(const char *event)
{
	static const struct {
		const char *field;
		int offset, size;
	} want[] = {
		{ "driver", 8, 4 }, { "timeline", 12, 4 }, { "context", 16, 4 }, { "seqno", 20, 4 },
	};
	unsigned int i;
	int off, size;

	for (i = 0; i < DS_ARRAY_SIZE(want); i++) {
		if (ds_tracepoint_field("dma_fence", event, want[i].field, &off, &size))
			return false;
		if (off != want[i].offset || size != want[i].size)
			return false;
	}
	return true;
}

static void choose_programs(struct ds_fence_bpf *b, const struct ds_fence_bpf_opts *o)
{
	struct fence_bpf *s = b->skel;
	struct btf *btf = NULL;
	char what[96];
	unsigned int i;
	bool want;

	add_prog(b, s->progs.ds_fence_init, "dma_fence_init", PK_FENCE);
	add_prog(b, s->progs.ds_fence_emit, "dma_fence_emit", PK_FENCE);
	add_prog(b, s->progs.ds_fence_enable, "dma_fence_enable_signal", PK_FENCE);
	add_prog(b, s->progs.ds_fence_signal, "dma_fence_signaled", PK_FENCE);
	add_prog(b, s->progs.ds_fence_wstart, "dma_fence_wait_start", PK_FENCE);
	add_prog(b, s->progs.ds_fence_wend, "dma_fence_wait_end", PK_FENCE);
	add_prog(b, s->progs.ds_fence_free, "dma_fence_destroy", PK_FENCE);
	add_prog(b, s->progs.ds_fnm_init, "dma_fence_init", PK_NAME);
	add_prog(b, s->progs.ds_fnm_wait, "dma_fence_wait_start", PK_NAME);
	add_prog(b, s->progs.ds_fnm_signal, "dma_fence_signaled", PK_NAME);
	add_prog(b, s->progs.ds_ping, "sys_enter", PK_PING);
	add_prog(b, s->progs.ds_bench_switch, "sched_switch", PK_BENCH);

	if (o->fence) {
		btf = btf__load_vmlinux_btf();
		if (!btf)
			btf = NULL;
	}
	for (i = 0; i < b->nr_progs; i++) {
		struct prog_ent *p = &b->progs[i];

		switch (p->kind) {
		case PK_FENCE:
			want = o->fence && !o->bench;
			if (want && !ds_btf_has_tp(btf, p->event)) {
				ds_bpf_source__add_missing(&b->base, p->event);
				want = false;
			}
			break;
		case PK_NAME:
			want = o->fence && !o->bench;
			if (want && !(ds_tracepoint_exists("dma_fence", p->event) &&
				      record_layout_ok(p->event))) {
				snprintf(what, sizeof(what), "names@%s", p->event);
				ds_bpf_source__add_missing(&b->base, what);
				want = false;
			}
			break;
		case PK_PING:
			want = o->ping && !o->bench;
			break;
		default:
			want = o->bench;
			break;
		}
		bpf_program__set_autoload(p->prog, want);
	}
	btf__free(btf);
}

int ds_fence_bpf__open(const struct ds_fence_bpf_opts *o, struct ds_fence_bpf **out)
{
	struct ds_fence_bpf *b;
	unsigned int i;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->skel = fence_bpf__open();
	if (!b->skel) {
		err = -errno;
		goto err;
	}
	b->skel->rodata->targ_tgid = o->tgid;
	b->skel->rodata->targ_ping_tid = o->ping_tid;
	b->skel->rodata->targ_ping_nr = o->ping_nr;
	b->skel->rodata->targ_ping_tgid = o->ping_tgid;
	/* drops are counted per source: a ping-only loader is the self-test */
	b->base.src_bit = o->fence || o->bench ? DS_SRC_FENCE : DS_SRC_PING;
	err = ds_bpf_source__size_ring(b->skel->maps.events, o->ringbuf_kb, DEFAULT_RINGBUF_KB);
	if (err)
		goto err;
	choose_programs(b, o);
	err = fence_bpf__load(b->skel);
	if (err) {
		ds_dbg("loading fence BPF programs failed: %s", strerror(-err));
		goto err;
	}
	b->base.links = b->links;
	b->base.nr_links = b->nr_progs;
	for (i = 0; i < b->nr_progs; i++) {
		struct prog_ent *p = &b->progs[i];

		if (!bpf_program__autoload(p->prog))
			continue;
		b->links[i] = ds_bpf_source__attach(&b->base, p->prog, p->event);
	}
	err = ds_bpf_source__start(&b->base, &b->skel->bss->stats,
				   bpf_map__fd(b->skel->maps.events));
	if (err)
		goto err;
	*out = b;
	return 0;
err:
	*out = NULL;
	/* keep the list of missing events for the caller's message */
	if (err == -ENOENT && b->base.missing[0])
		ds_dbg("unavailable: %s", b->base.missing);
	ds_fence_bpf__destroy(b);
	return err;
}

void ds_fence_bpf__destroy(struct ds_fence_bpf *b)
{
	if (!b)
		return;
	ds_bpf_source__exit(&b->base);
	fence_bpf__destroy(b->skel);
	free(b);
}

const char *ds_fence_bpf__missing(const struct ds_fence_bpf *b)
{
	return b->base.missing;
}

unsigned int ds_fence_bpf__nr_attached(const struct ds_fence_bpf *b)
{
	return b->base.nr_attached;
}

int ds_fence_bpf__read_hist(struct ds_fence_bpf *b, uint64_t *slots)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c;
	uint64_t *vals;
	__u32 k;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = bpf_map__fd(b->skel->maps.wait_hist);
	for (k = 0; k < DS_HIST_SLOTS; k++) {
		slots[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			slots[k] += vals[c];
	}
	free(vals);
	return 0;
}

int ds_fence_bpf__bench_prog_fd(const struct ds_fence_bpf *b)
{
	return bpf_program__fd(b->skel->progs.ds_bench_switch);
}
