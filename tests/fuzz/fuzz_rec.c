// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for recordings (lib/record.c): the input is a whole
 * recording file, header included.  The reader opens a path, so the bytes
 * go to a memfd opened as /proc/self/fd/N: the library is used as the
 * commands use it.  Every record read goes through a stream into every
 * consumer of a replay (fence, dma-buf and VPR models, the DEPT graph of
 * ds_dept_live, the history of 'top', the Chrome exporter), with the hang,
 * revocation and idle checks a replay runs as time advances, and then
 * everything the front ends read from them is read.  So a record that
 * passes ds_event__check() but lies in its fields is exercised where it is
 * used, not only where it is parsed.
 *
 * The header's reserved word, which the reader ignores, is a knob of this
 * harness: when non-zero, the DEPT graph is capped at 2 + (reserved % 64)
 * classes, so that forgetting the oldest half (ds_graph__keep_newest())
 * is reached with small inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "deptscope/chrome.h"
#include "deptscope/dept.h"
#include "deptscope/dept_live.h"
#include "deptscope/dmabuf.h"
#include "deptscope/event.h"
#include "deptscope/fence.h"
#include "deptscope/graph.h"
#include "deptscope/history.h"
#include "deptscope/record.h"
#include "deptscope/stream.h"
#include "deptscope/vpr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static int memfd = -1;
static char memfd_path[64];

struct ctx {
	struct ds_fence_model *fence;
	struct ds_dmabuf_model *dmabuf;
	struct ds_vpr_model *vpr;
	struct ds_graph *graph;
	struct ds_dept_live *dept;
	struct ds_history *hist;
	struct ds_chrome *chrome;
	uint64_t sink;
};

static void setup(void)
{
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	memfd = fuzz_memfd("fuzz_rec", memfd_path, sizeof(memfd_path));
}

/* What the report printers read of a wait and its timeline. */
static void touch_wait(struct ctx *c, const struct ds_fence_wait *w,
		       const struct ds_fence_timeline *tl)
{
	char label[2 * DS_NAME_LEN + 8];
	uint32_t i;

	c->sink += strnlen(w->comm, sizeof(w->comm)) + w->duration_ns;
	CHECK(w->nr_frames <= DS_MAX_STACK);
	for (i = 0; i < w->nr_frames; i++)
		c->sink += w->stack[i];
	if (tl)
		c->sink += strlen(ds_fence_timeline__label(tl, label, sizeof(label)));
}

static void on_resolved(void *ctx, const struct ds_fence_wait *w,
			const struct ds_fence_timeline *tl)
{
	touch_wait(ctx, w, tl);
}

static void on_hang(void *ctx, const struct ds_fence_wait *w, const struct ds_fence_timeline *tl,
		    uint64_t now)
{
	touch_wait(ctx, w, tl);
}

static void on_revoke(void *ctx, const struct ds_dmabuf_buffer *b, uint64_t now)
{
	struct ctx *c = ctx;

	c->sink += strnlen(b->exp_name, sizeof(b->exp_name)) + b->ino;
}

static int on_resize(void *ctx, const struct ds_vpr_resize *r)
{
	struct ctx *c = ctx;
	char line[512];

	ds_vpr_resize__format(r, 0, 100000000ULL, line, sizeof(line));
	c->sink += strlen(line) + strnlen(r->heap, sizeof(r->heap));
	return ds_history__add_resize(c->hist, r);
}

static int on_class(void *ctx, uint32_t id, uint64_t key)
{
	struct ctx *c = ctx;

	c->sink += strlen(ds_graph__class_name(c->graph, id));
	return 0;
}

static int on_edge(void *ctx, uint32_t from, uint32_t to, bool cycle,
		   const struct ds_graph_cycle *path, const struct ds_dept_dep_event *e)
{
	struct ctx *c = ctx;
	uint32_t i, n = ds_graph__nr_classes(c->graph);

	CHECK(from < n && to < n);
	if (cycle && path)
		for (i = 0; i < path->nr; i++)
			c->sink += strlen(ds_graph__class_name(c->graph, path->ids[i]));
	return 0;
}

/* What 'deptscope dept' prints of a circle, then kept as 'top' keeps it. */
static int on_circle(void *ctx, struct ds_dept_report *r, const struct ds_dept_circle_info *info)
{
	char classes[DS_DEPT_MAX_CONTEXTS * 3][DS_DEPT_NAME_LEN], cycle[512];
	struct ctx *c = ctx;
	unsigned int i;
	uint32_t k;

	ds_dept_report__cycle(r, cycle, sizeof(cycle));
	c->sink += ds_dept_report__classes(r, classes, DS_DEPT_MAX_CONTEXTS * 3);
	c->sink += strlen(r->signature) + strlen(r->bucket) + strlen(cycle);
	CHECK(r->nr_contexts <= DS_DEPT_MAX_CONTEXTS);
	for (i = 0; i < r->nr_contexts; i++) {
		const struct ds_dept_context *x = &r->ctx[i];

		for (k = 0; k < x->wait.stack_nr; k++)
			c->sink += strlen(ds_dept_report__frame(r, x->wait.stack_first + k));
		for (k = 0; k < x->wake_nr; k++)
			c->sink += strlen(ds_dept_report__frame(r, x->wake_first + k));
	}
	return ds_history__add_circle(c->hist, r, info);
}

static int on_health(void *ctx, const struct ds_dept_health_event *h)
{
	struct ctx *c = ctx;

	c->sink += strlen(ds_dept_health_what_name(h->what));
	return 0;
}

/* Everything the front ends read once the replay is over. */
static void read_back(struct ctx *c)
{
	const struct ds_fence_timeline *const *tls;
	const struct ds_fence_wait *const *ws;
	const struct ds_dmabuf_buffer *const *bufs;
	const struct ds_dmabuf_importer *imps;
	const struct ds_dmabuf_revocation *revs;
	const struct ds_vpr_size_point *sizes;
	const struct ds_dept_circle_info *info;
	const struct ds_event_hdr *ev;
	struct ds_dept_live_stats dst;
	struct ds_vpr_stats vst;
	size_t i, n;
	uint32_t nr;

	n = ds_fence_model__timelines(c->fence, &tls);
	for (i = 0; i < n; i++) {
		c->sink += ds_hist__percentile(&tls[i]->hist, 99);
		CHECK(ds_fence_model__timeline(c->fence, tls[i]->context) == tls[i]);
	}
	n = ds_fence_model__top(c->fence, &ws);
	for (i = 0; i < n; i++)
		touch_wait(c, ws[i], ds_fence_model__timeline(c->fence, ws[i]->context));
	n = ds_fence_model__pending(c->fence, &ws);
	for (i = 0; i < n; i++)
		touch_wait(c, ws[i], NULL);
	c->sink += ds_hist__percentile(ds_fence_model__hist(c->fence), 50);
	ds_hist__print(ds_fence_model__hist(c->fence), devnull, "usecs", 1000);
	c->sink += ds_fence_model__totals(c->fence)->events;

	n = ds_dmabuf_model__buffers(c->dmabuf, &bufs);
	for (i = 0; i < n; i++) {
		c->sink += strnlen(bufs[i]->last_importer, sizeof(bufs[i]->last_importer));
		c->sink += strlen(ds_vfio_status_name(bufs[i]->vfio_status));
		c->sink += ds_dmabuf_buffer__revoked(bufs[i]);
		CHECK(ds_dmabuf_model__find(c->dmabuf, bufs[i]->ino));
	}
	n = ds_dmabuf_model__importers(c->dmabuf, &imps);
	CHECK(n <= DS_DMABUF_MAX_IMPORTERS + 1);
	for (i = 0; i < n; i++)
		c->sink += strnlen(imps[i].dev_name, sizeof(imps[i].dev_name));
	n = ds_dmabuf_model__revocations(c->dmabuf, &revs);
	for (i = 0; i < n; i++)
		c->sink += strlen(ds_vfio_cause_name(revs[i].cause)) + revs[i].end_ts;
	c->sink += ds_dmabuf_model__totals(c->dmabuf)->events;

	ds_vpr_model__stats(c->vpr, &vst);
	sizes = ds_vpr_model__sizes(c->vpr, &nr);
	for (i = 0; i < nr; i++)
		c->sink += sizes[i].size;

	ds_dept_live__stats(c->dept, &dst);
	CHECK(ds_graph__nr_classes(c->graph) <= dst.classes);

	n = ds_history__nr_events(c->hist);
	for (i = 0; i < n; i++) {
		ev = ds_history__event(c->hist, i);
		CHECK(ev && ev->size >= sizeof(*ev));
		c->sink += strlen(ds_event_type_name(ev->type));
		c->sink += strlen(ds_history_src_name(ds_history_src_of(ev->type)));
	}
	n = ds_history__nr_resizes(c->hist);
	for (i = 0; i < n; i++)
		CHECK(ds_history__resize(c->hist, i));
	n = ds_history__nr_circles(c->hist);
	for (i = 0; i < n; i++)
		CHECK(ds_history__circle(c->hist, i, &info));
	c->sink += ds_history__counts(c->hist)->events;
}

static int setup_ctx(struct ctx *c, uint32_t cap)
{
	struct ds_fence_model_opts fo = { .hang_ns = 1000000000ULL, .resolved = on_resolved,
					  .cb_ctx = c };
	struct ds_dept_live_cbs cbs = { .class = on_class, .edge = on_edge,
					.circle = on_circle, .health = on_health, .ctx = c };

	if (ds_fence_model__new(&fo, &c->fence) || ds_dmabuf_model__new(&c->dmabuf) ||
	    ds_vpr_model__new(on_resize, c, &c->vpr) || ds_graph__new(&c->graph) ||
	    ds_history__new(64, 8, &c->hist) ||
	    ds_dept_live__new(c->graph, &cbs, NULL, &c->dept) ||
	    ds_chrome__new(devnull, &c->chrome))
		return -ENOMEM;
	if (cap)
		ds_dept_live__set_max_classes(c->dept, 2 + cap % 64);
	return 0;
}

static void free_ctx(struct ctx *c)
{
	ds_chrome__free(c->chrome);
	ds_dept_live__free(c->dept);
	ds_history__free(c->hist);
	ds_graph__free(c->graph);
	ds_vpr_model__free(c->vpr);
	ds_dmabuf_model__free(c->dmabuf);
	ds_fence_model__free(c->fence);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_stream *s = NULL;
	struct ds_reader *rd;
	struct ctx c = {};
	uint64_t now;
	int err, n;

	if (!devnull)
		setup();
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	err = ds_reader__open(memfd_path, &rd);
	if (err) {
		CHECK(err == -EBADMSG || err == -ENODATA || err == -EPROTONOSUPPORT);
		CHECK(strlen(ds_reader_strerror(err)));
		return 0;
	}
	ds_rec_header__this_boot(ds_reader__header(rd));
	if (setup_ctx(&c, ds_reader__header(rd)->reserved) || ds_stream__new(&s))
		goto out;
	/* the order of a replay's consumers: models first, exporters after */
	if (ds_stream__add_consumer(s, ds_fence_model__consume, c.fence) ||
	    ds_stream__add_consumer(s, ds_dmabuf_model__consume, c.dmabuf) ||
	    ds_stream__add_consumer(s, ds_vpr_model__feed, c.vpr) ||
	    ds_stream__add_consumer(s, ds_dept_live__feed, c.dept) ||
	    ds_stream__add_consumer(s, ds_history__consume, c.hist) ||
	    ds_stream__add_consumer(s, ds_chrome__consume, c.chrome) ||
	    ds_stream__add_source(s, &ds_reader_source_ops, rd))
		goto out;
	err = 0;
	while (!err && !ds_stream__eof(s)) {
		n = ds_stream__poll(s, 0);
		if (n < 0) {
			err = n;
			break;
		}
		/* what a replay's tick does as record time advances */
		now = ds_stream__last_ts(s);
		ds_fence_model__check_hangs(c.fence, now, on_hang, &c);
		ds_dmabuf_model__check_revokes(c.dmabuf, now, 1000000000ULL, on_revoke, &c);
		err = ds_dept_live__flush_idle(c.dept, now, 100000000ULL);
	}
	CHECK(ds_reader__offset(rd) <= size);
	CHECK(ds_stream__count(s) == ds_reader__records(rd));
	CHECK(ds_reader__state(rd) != DS_READER_OK || err);
	CHECK(strlen(ds_reader__status_str(rd)));
	ds_vpr_model__flush(c.vpr);
	ds_dept_live__flush(c.dept);
	ds_chrome__finish(c.chrome);
	read_back(&c);
out:
	ds_stream__free(s);
	free_ctx(&c);
	ds_reader__close(rd);
	return 0;
}
