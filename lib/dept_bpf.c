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

/* Program and the tracepoint it attaches to; each attached on its own. */
static const struct {
	const char *prog;
	const char *event;
} dept_progs[] = {
	{ "ds_dept_class", "dept_class_new" },
	{ "ds_dept_dep", "dept_dep_new" },
	{ "ds_dept_circle", "dept_circle" },
	{ "ds_dept_circle_dep", "dept_circle_dep" },
	{ "ds_dept_stack", "dept_circle_stack" },
	{ "ds_dept_health", "dept_health" },
};

#define NR_PROGS DS_ARRAY_SIZE(dept_progs)

struct ds_dept_bpf {
	struct ds_bpf_source base;	/* first: ds_bpf_source_ops use it */
	struct dept_bpf *skel;
	struct bpf_link *links[NR_PROGS];
};

int ds_dept_bpf__open(const struct ds_dept_bpf_opts *o, struct ds_dept_bpf **out)
{
	struct bpf_program *progs[DS_ARRAY_SIZE(dept_progs)];
	struct ds_dept_bpf *b;
	unsigned int i, nr_avail = 0;
	struct btf *btf;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->skel = dept_bpf__open();
	if (!b->skel) {
		err = -errno;
		goto err;
	}
	err = bpf_map__set_max_entries(b->skel->maps.events,
				       (o->ringbuf_kb ? o->ringbuf_kb : DEFAULT_RINGBUF_KB) << 10);
	if (err)
		goto err;
	for (i = 0; i < DS_ARRAY_SIZE(dept_progs); i++) {
		progs[i] = bpf_object__find_program_by_name(b->skel->obj, dept_progs[i].prog);
		if (!progs[i]) {
			err = -ENOENT;
			goto err;
		}
	}

	btf = btf__load_vmlinux_btf();
	for (i = 0; i < DS_ARRAY_SIZE(dept_progs); i++) {
		bool have = ds_btf_has_tp(btf, dept_progs[i].event);

		if (!have)
			ds_bpf_source__add_missing(&b->base, dept_progs[i].event);
		bpf_program__set_autoload(progs[i], have);
		nr_avail += have;
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
	for (i = 0; i < DS_ARRAY_SIZE(dept_progs); i++)
		if (bpf_program__autoload(progs[i]))
			b->links[i] = ds_bpf_source__attach(&b->base, progs[i],
							    dept_progs[i].event);
	err = ds_bpf_source__start(&b->base, &b->skel->bss->stats,
				   bpf_map__fd(b->skel->maps.events));
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
	unsigned int i;

	if (!b)
		return;
	ds_bpf_source__exit(&b->base);
	for (i = 0; i < DS_ARRAY_SIZE(b->links); i++)
		bpf_link__destroy(b->links[i]);
	dept_bpf__destroy(b->skel);
	free(b);
}

const char *ds_dept_bpf__missing(const struct ds_dept_bpf *b)
{
	return b->base.missing;
}
