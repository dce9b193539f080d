// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Loader of bpf/dept.bpf.c: the only file that includes its skeleton. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "deptscope/event.h"	/* before the skeleton: it names our wire types */
#include "dept.skel.h"
#include "deptscope/dept_live.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "bpf_source.h"

#define DEFAULT_RINGBUF_KB	1024

/*
 * Per tracepoint, a tp_btf program and a classic one for a kernel whose
 * BTF does not describe the event; one of the two is loaded and attached.
 */
static const struct ds_bpf_prog_ref dept_progs[] = {
	{ "ds_dept_class", "dept_class_new" },
	{ "ds_dept_dep", "dept_dep_new" },
	{ "ds_dept_circle", "dept_circle" },
	{ "ds_dept_circle_dep", "dept_circle_dep" },
	{ "ds_dept_stack", "dept_circle_stack" },
	{ "ds_dept_health", "dept_health" },
};

/* the classic program of dept_progs[i] */
static const char *const dept_progs_tp[] = {
	"ds_dept_class_tp", "ds_dept_dep_tp", "ds_dept_circle_tp", "ds_dept_circle_dep_tp",
	"ds_dept_stack_tp", "ds_dept_health_tp",
};

#define NR_PROGS DS_ARRAY_SIZE(dept_progs)
_Static_assert(DS_ARRAY_SIZE(dept_progs_tp) == NR_PROGS, "two programs per event");

struct ds_dept_bpf {
	struct ds_bpf_source base;	/* first: ds_bpf_source_ops use it */
	struct dept_bpf *skel;
	struct bpf_link *links[NR_PROGS];
};

int ds_dept_bpf__open(const struct ds_dept_bpf_opts *o, struct ds_dept_bpf **out)
{
	struct bpf_program *btf_progs[NR_PROGS], *tp_progs[NR_PROGS], *use[NR_PROGS];
	struct ds_dept_bpf *b;
	unsigned int i, nr_avail = 0;
	struct btf *btf;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->base.src_bit = DS_SRC_DEPT;
	b->skel = dept_bpf__open();
	if (!b->skel) {
		err = -errno;
		goto err;
	}
	err = ds_bpf_source__size_ring(b->skel->maps.events, o->ringbuf_kb, DEFAULT_RINGBUF_KB);
	if (err)
		goto err;
	for (i = 0; i < NR_PROGS; i++) {
		btf_progs[i] = bpf_object__find_program_by_name(b->skel->obj, dept_progs[i].prog);
		tp_progs[i] = bpf_object__find_program_by_name(b->skel->obj, dept_progs_tp[i]);
		if (!btf_progs[i] || !tp_progs[i]) {
			err = -ENOENT;
			goto err;
		}
	}

	btf = btf__load_vmlinux_btf();
	for (i = 0; i < NR_PROGS; i++) {
		bool tp_btf = !o->classic && !o->load_only &&
			      ds_btf_has_tp(btf, dept_progs[i].event);
		bool classic = !tp_btf && (o->load_only ||
					   ds_tracepoint_exists("dept", dept_progs[i].event));

		use[i] = tp_btf ? btf_progs[i] : classic ? tp_progs[i] : NULL;
		if (!use[i])
			ds_bpf_source__add_missing(&b->base, dept_progs[i].event);
		bpf_program__set_autoload(btf_progs[i], tp_btf);
		bpf_program__set_autoload(tp_progs[i], classic);
		nr_avail += use[i] != NULL;
		if (classic && !o->load_only)
			ds_dbg("%s: classic tracepoint (not in BTF)", dept_progs[i].event);
	}
	btf__free(btf);
	if (!nr_avail) {
		err = -ENOENT;	/* no DEPT tracepoints: nothing to load */
		goto err;
	}
	err = dept_bpf__load(b->skel);
	if (err) {
		ds_dbg("loading the DEPT BPF programs failed: %s", strerror(-err));
		goto err;
	}
	if (o->load_only) {
		*out = b;
		return 0;
	}
	err = ds_bpf_source__attach_start(&b->base, dept_progs, NR_PROGS, use, b->links,
					  &b->skel->bss->stats, bpf_map__fd(b->skel->maps.events));
	if (err)
		goto err;
	*out = b;
	return 0;
err:
	*out = NULL;
	if (b->base.missing[0])
		ds_dbg("unavailable: %s", b->base.missing);
	ds_dept_bpf__destroy(b);
	return err;
}

void ds_dept_bpf__destroy(struct ds_dept_bpf *b)
{
	if (!b)
		return;
	ds_bpf_source__exit(&b->base);
	dept_bpf__destroy(b->skel);
	free(b);
}

const char *ds_dept_bpf__missing(const struct ds_dept_bpf *b)
{
	return b->base.missing;
}
