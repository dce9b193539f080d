// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Loader of bpf/vpr.bpf.c: the only file that includes its skeleton. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "deptscope/event.h"	/* before the skeleton: it names our wire types */
#include "vpr.skel.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "deptscope/vpr.h"
#include "bpf_source.h"

#define DEFAULT_RINGBUF_KB	1024

/* Program and the tracepoint it attaches to; each attached on its own. */
static const struct ds_bpf_prog_ref vpr_progs[] = {
	/* the VPR heap series (v3) */
	{ "ds_vpr_chunk_act", "tegra_vpr_chunk_activate" },
	{ "ds_vpr_chunk_deact", "tegra_vpr_chunk_deactivate" },
	{ "ds_vpr_set", "tegra_vpr_set" },
	/* kernel/patches/tegra-vpr */
	{ "ds_vpr_begin", "tegra_vpr_resize_begin" },
	{ "ds_vpr_end", "tegra_vpr_resize_end" },
	{ "ds_vpr_cma_alloc", "tegra_vpr_cma_alloc" },
	{ "ds_vpr_map_dev", "tegra_vpr_map_device" },
	{ "ds_vpr_map_norm", "tegra_vpr_map_normal" },
	{ "ds_vpr_cma_rel", "tegra_vpr_cma_release" },
	{ "ds_vpr_freeze", "tegra_vpr_freeze" },
	{ "ds_vpr_thaw", "tegra_vpr_thaw" },
	{ "ds_vpr_dev_freeze", "tegra_vpr_dev_freeze" },
	{ "ds_vpr_dev_thaw", "tegra_vpr_dev_thaw" },
	{ "ds_vpr_smc", "tegra_vpr_smc" },
	{ "ds_vpr_rollback", "tegra_vpr_rollback" },
};

#define NR_PROGS DS_ARRAY_SIZE(vpr_progs)

struct ds_vpr_bpf {
	struct ds_bpf_source base;	/* first: ds_bpf_source_ops use it */
	struct vpr_bpf *skel;
	struct bpf_link *links[NR_PROGS];
	bool ours;
};

int ds_vpr_bpf__open(const struct ds_vpr_bpf_opts *o, struct ds_vpr_bpf **out)
{
	struct bpf_program *progs[NR_PROGS];
	struct ds_vpr_bpf *b;
	int nr_avail, err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->base.src_bit = DS_SRC_VPR;
	b->skel = vpr_bpf__open();
	if (!b->skel) {
		err = -errno;
		goto err;
	}
	err = ds_bpf_source__size_ring(b->skel->maps.events, o->ringbuf_kb, DEFAULT_RINGBUF_KB);
	if (err)
		goto err;
	nr_avail = ds_bpf_source__select_btf(&b->base, b->skel->obj, vpr_progs, NR_PROGS, progs);
	if (nr_avail < 0) {
		err = nr_avail;
		goto err;
	}
	/* with tegra_vpr_resize_end, the kernel has our series */
	b->ours = bpf_program__autoload(b->skel->progs.ds_vpr_end);
	if (!nr_avail) {
		err = -ENOENT;	/* no VPR heap in this kernel */
		goto err;
	}
	err = vpr_bpf__load(b->skel);
	if (err) {
		ds_dbg("loading the VPR BPF programs failed: %s", strerror(-err));
		goto err;
	}
	err = ds_bpf_source__attach_start(&b->base, vpr_progs, NR_PROGS, progs, b->links,
					  &b->skel->bss->stats, bpf_map__fd(b->skel->maps.events));
	if (err)
		goto err;
	*out = b;
	return 0;
err:
	*out = NULL;
	ds_vpr_bpf__destroy(b);
	return err;
}

void ds_vpr_bpf__destroy(struct ds_vpr_bpf *b)
{
	if (!b)
		return;
	ds_bpf_source__exit(&b->base);
	vpr_bpf__destroy(b->skel);
	free(b);
}

const char *ds_vpr_bpf__missing(const struct ds_vpr_bpf *b)
{
	return b->base.missing;
}

bool ds_vpr_bpf__ours(const struct ds_vpr_bpf *b)
{
	return b->ours;
}
