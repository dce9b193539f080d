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
	struct bpf_link *links[DS_DMABUF_NR_TYPES];
};

/* Program and the tracepoint it attaches to; each attached on its own. */
static const struct ds_bpf_prog_ref dmabuf_progs[] = {
	{ "ds_dmabuf_export", "dma_buf_export" },
	{ "ds_dmabuf_fd", "dma_buf_fd" },
	{ "ds_dmabuf_get", "dma_buf_get" },
	{ "ds_dmabuf_put", "dma_buf_put" },
	{ "ds_dmabuf_mmapi", "dma_buf_mmap_internal" },
	{ "ds_dmabuf_mmap", "dma_buf_mmap" },
	{ "ds_dmabuf_attach", "dma_buf_dynamic_attach" },
	{ "ds_dmabuf_detach", "dma_buf_detach" },
	/* from kernel/patches */
	{ "ds_dmabuf_inval", "dma_buf_invalidate_mappings" },
	{ "ds_dmabuf_map", "dma_buf_map_attachment" },
	{ "ds_dmabuf_unmap", "dma_buf_unmap_attachment" },
	{ "ds_dmabuf_bcpu", "dma_buf_begin_cpu_access" },
	{ "ds_dmabuf_ecpu", "dma_buf_end_cpu_access" },
	{ "ds_dmabuf_release", "dma_buf_release" },
	{ "ds_vfio_export", "vfio_pci_dma_buf_export" },
	{ "ds_vfio_state_start", "vfio_pci_dma_buf_state_start" },
	{ "ds_vfio_state_end", "vfio_pci_dma_buf_state_end" },
};

_Static_assert(DS_ARRAY_SIZE(dmabuf_progs) == DS_DMABUF_NR_TYPES, "one program per event");

int ds_dmabuf_bpf__open(const struct ds_dmabuf_bpf_opts *o, struct ds_dmabuf_bpf **out)
{
	struct bpf_program *progs[DS_ARRAY_SIZE(dmabuf_progs)];
	struct ds_dmabuf_bpf *b;
	int nr_avail, err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->base.src_bit = DS_SRC_DMABUF;
	b->skel = dmabuf_bpf__open();
	if (!b->skel) {
		err = -errno;
		goto err;
	}
	b->skel->rodata->targ_tgid = o->tgid;
	err = ds_bpf_source__size_ring(b->skel->maps.events, o->ringbuf_kb, DEFAULT_RINGBUF_KB);
	if (err)
		goto err;
	nr_avail = ds_bpf_source__select_btf(&b->base, b->skel->obj, dmabuf_progs,
					     DS_ARRAY_SIZE(dmabuf_progs), progs);
	if (nr_avail < 0) {
		err = nr_avail;
		goto err;
	}
	if (!nr_avail) {
		err = -ENOENT;	/* a kernel before 7.0: nothing to load */
		goto err;
	}
	err = dmabuf_bpf__load(b->skel);
	if (err) {
		ds_dbg("loading dma_buf BPF programs failed: %s", strerror(-err));
		goto err;
	}
	err = ds_bpf_source__attach_start(&b->base, dmabuf_progs, DS_ARRAY_SIZE(dmabuf_progs),
					  progs, b->links, &b->skel->bss->stats,
					  bpf_map__fd(b->skel->maps.events));
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
	if (!b)
		return;
	ds_bpf_source__exit(&b->base);
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
