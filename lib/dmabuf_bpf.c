// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Loader of bpf/dmabuf.bpf.c: the only file that includes its skeleton. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "deptscope/event.h"	/* before the skeleton: it names our wire types */
#include "dmabuf.skel.h"
#include "deptscope/dmabuf.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "bpf_source.h"

#define DEFAULT_RINGBUF_KB	1024

struct ds_dmabuf_bpf {
	struct ds_bpf_source base;	/* first: ds_bpf_source_ops use it */
	struct dmabuf_bpf *skel;
	struct bpf_link *links[8];
};

int ds_dmabuf_bpf__open(const struct ds_dmabuf_bpf_opts *o, struct ds_dmabuf_bpf **out)
{
	struct {
		struct bpf_program *prog;
		const char *event;
	} progs[8];
	struct ds_dmabuf_bpf *b;
	struct btf *btf;
	unsigned int i, nr_avail = 0;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->skel = dmabuf_bpf__open();
	if (!b->skel) {
		err = -errno;
		goto err;
	}
	b->skel->rodata->targ_tgid = o->tgid;
	err = bpf_map__set_max_entries(b->skel->maps.events,
				       (o->ringbuf_kb ? o->ringbuf_kb : DEFAULT_RINGBUF_KB) << 10);
	if (err)
		goto err;
	progs[0].prog = b->skel->progs.ds_dmabuf_export;
	progs[0].event = "dma_buf_export";
	progs[1].prog = b->skel->progs.ds_dmabuf_fd;
	progs[1].event = "dma_buf_fd";
	progs[2].prog = b->skel->progs.ds_dmabuf_get;
	progs[2].event = "dma_buf_get";
	progs[3].prog = b->skel->progs.ds_dmabuf_put;
	progs[3].event = "dma_buf_put";
	progs[4].prog = b->skel->progs.ds_dmabuf_mmapi;
	progs[4].event = "dma_buf_mmap_internal";
	progs[5].prog = b->skel->progs.ds_dmabuf_mmap;
	progs[5].event = "dma_buf_mmap";
	progs[6].prog = b->skel->progs.ds_dmabuf_attach;
	progs[6].event = "dma_buf_dynamic_attach";
	progs[7].prog = b->skel->progs.ds_dmabuf_detach;
	progs[7].event = "dma_buf_detach";

	btf = btf__load_vmlinux_btf();
	for (i = 0; i < DS_ARRAY_SIZE(progs); i++) {
		bool have = ds_btf_has_tp(btf, progs[i].event);

		if (!have)
			ds_bpf_source__add_missing(&b->base, progs[i].event);
		bpf_program__set_autoload(progs[i].prog, have);
		nr_avail += have;
	}
	btf__free(btf);
	if (!nr_avail) {
		err = -ENOENT;	/* a kernel before 7.0: nothing to load */
		goto err;
	}
	err = dmabuf_bpf__load(b->skel);
	if (err) {
		ds_dbg("loading dma_buf BPF programs failed: %s", strerror(-err));
		goto err;
	}
	for (i = 0; i < DS_ARRAY_SIZE(progs); i++)
		if (bpf_program__autoload(progs[i].prog))
			b->links[i] = ds_bpf_source__attach(&b->base, progs[i].prog,
							    progs[i].event);
	if (!b->base.nr_attached) {
		err = -ENOENT;
		goto err;
	}
	b->base.kstats = &b->skel->bss->stats;
	err = ds_bpf_source__open_ring(&b->base, bpf_map__fd(b->skel->maps.events));
	if (err)
		goto err;
	*out = b;
	return 0;
err:
	*out = NULL;
	if (b->base.missing[0])
		ds_dbg("unavailable: %s", b->base.missing);
	ds_dmabuf_bpf__destroy(b);
	return err;
}

void ds_dmabuf_bpf__destroy(struct ds_dmabuf_bpf *b)
{
	unsigned int i;

	if (!b)
		return;
	ds_bpf_source__exit(&b->base);
	for (i = 0; i < DS_ARRAY_SIZE(b->links); i++)
		bpf_link__destroy(b->links[i]);
	dmabuf_bpf__destroy(b->skel);
	free(b);
}

const char *ds_dmabuf_bpf__missing(const struct ds_dmabuf_bpf *b)
{
	return b->base.missing;
}

unsigned int ds_dmabuf_bpf__nr_attached(const struct ds_dmabuf_bpf *b)
{
	return b->base.nr_attached;
}
