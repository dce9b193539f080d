// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* deptscope dmabuf: every dma-buf followed by inode, live or from a recording. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "deptscope/dmabuf.h"
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "json_out.h"
#include "live.h"
#include "replay.h"

struct dmabuf_run {
	const struct ds_params *p;
	struct ds_dmabuf_model *model;
	uint64_t t0;		/* first event: log times are relative to it */
	const char *missing;
};

static bool has_device(unsigned int type)
{
	return type == DS_EV_DMABUF_ATTACH || type == DS_EV_DMABUF_DETACH ||
	       type == DS_EV_DMABUF_MAP || type == DS_EV_DMABUF_UNMAP;
}

static bool is_vfio(const struct ds_event_hdr *ev)
{
	return ev->type >= DS_EV_VFIO_DMABUF_EXPORT && ev->type <= DS_EV_VFIO_DMABUF_STATE_END &&
	       ev->size >= sizeof(struct ds_vfio_dmabuf_event);
}

static void json_vfio(struct ds_json *j, const struct ds_vfio_dmabuf_event *v)
{
	ds_json__key(j, "dev_name");
	ds_json__strn(j, v->db.dev_name, sizeof(v->db.dev_name));
	if (v->db.hdr.type == DS_EV_VFIO_DMABUF_EXPORT) {
		ds_json__kv_u64(j, "bar", v->bar);
		ds_json__kv_u64(j, "nr_ranges", v->nr_ranges);
		ds_json__kv_u64(j, "range_offset", v->range_offset);
		ds_json__kv_u64(j, "range_len", v->range_len);
		ds_json__kv_str(j, "status", ds_vfio_status_name(v->new_status));
		return;
	}
	ds_json__kv_str(j, "old_status", ds_vfio_status_name(v->old_status));
	ds_json__kv_str(j, "new_status", ds_vfio_status_name(v->new_status));
	ds_json__kv_str(j, "cause", ds_vfio_cause_name(v->cause));
	if (v->db.hdr.type == DS_EV_VFIO_DMABUF_STATE_END) {
		ds_json__kv_u64(j, "fence_wait_ns", v->fence_wait_ns);
		ds_json__kv_u64(j, "unmap_wait_ns", v->unmap_wait_ns);
	}
}

static void text_vfio(const struct ds_vfio_dmabuf_event *v)
{
	printf("  dev %.32s", v->db.dev_name);
	if (v->db.hdr.type == DS_EV_VFIO_DMABUF_EXPORT) {
		printf("  BAR %u, %u range(s) from +0x%" PRIx64 ", %s", v->bar, v->nr_ranges,
		       (uint64_t)v->range_offset, ds_vfio_status_name(v->new_status));
		return;
	}
	printf("  %s -> %s (%s)", ds_vfio_status_name(v->old_status),
	       ds_vfio_status_name(v->new_status), ds_vfio_cause_name(v->cause));
	if (v->db.hdr.type == DS_EV_VFIO_DMABUF_STATE_END)
		printf("  fence wait %.3f ms, unmap wait %.3f ms", v->fence_wait_ns / 1e6,
		       v->unmap_wait_ns / 1e6);
}

static void json_event(const struct ds_dmabuf_event *e, uint64_t t0)
{
	struct ds_json j;

	ds_json__init(&j, stdout, false);
	ds_json__begin_object(&j);
	ds_json__kv_str(&j, "type", "dmabuf_event");
	ds_json__kv_str(&j, "event", ds_dmabuf_type_short(e->hdr.type));
	ds_json__kv_u64(&j, "ts_ns", e->hdr.ts - t0);
	ds_json__kv_u64(&j, "ino", e->ino);
	ds_json__key(&j, "exp_name");
	ds_json__strn(&j, e->exp_name, sizeof(e->exp_name));
	ds_json__kv_u64(&j, "size", e->size);
	ds_json__kv_u64(&j, "pid", e->hdr.pid);
	ds_json__kv_u64(&j, "tid", e->hdr.tid);
	ds_json__key(&j, "comm");
	ds_json__strn(&j, e->comm, sizeof(e->comm));
	if (e->hdr.type == DS_EV_DMABUF_FD || e->hdr.type == DS_EV_DMABUF_GET) {
		ds_json__key(&j, "fd");
		ds_json__i64(&j, e->fd);
	}
	if (has_device(e->hdr.type)) {
		ds_json__key(&j, "dev_name");
		ds_json__strn(&j, e->dev_name, sizeof(e->dev_name));
		ds_json__kv_bool(&j, "dynamic", e->flags & DS_DMABUF_F_DYNAMIC);
	}
	switch (e->hdr.type) {
	case DS_EV_DMABUF_MAP:
		ds_json__kv_u64(&j, "duration_ns", e->duration_ns);
		/* fall through */
	case DS_EV_DMABUF_UNMAP:
		ds_json__kv_u64(&j, "dir", e->dir);
		ds_json__kv_u64(&j, "nents", e->nents);
		ds_json__key(&j, "ret");
		ds_json__i64(&j, e->ret);
		break;
	case DS_EV_DMABUF_BEGIN_CPU:
		ds_json__kv_u64(&j, "wait_ns", e->duration_ns);
		/* fall through */
	case DS_EV_DMABUF_END_CPU:
		ds_json__kv_u64(&j, "dir", e->dir);
		ds_json__key(&j, "ret");
		ds_json__i64(&j, e->ret);
		break;
	case DS_EV_DMABUF_INVALIDATE:
		ds_json__kv_u64(&j, "nr_notified", e->nr_notified);
		break;
	}
	if (is_vfio(&e->hdr))
		json_vfio(&j, (const void *)e);
	ds_json__end_object(&j);
	ds_json__finish(&j);
}

static void text_event(const struct ds_dmabuf_event *e, uint64_t t0)
{
	printf("%12.6f %-16s ino %-8" PRIu64 " %-16.32s %10" PRIu64 " B  %s pid %u tid %u",
	       (e->hdr.ts - t0) / 1e9, ds_dmabuf_type_short(e->hdr.type), (uint64_t)e->ino,
	       e->exp_name, (uint64_t)e->size, e->comm, e->hdr.pid, e->hdr.tid);
	if (e->hdr.type == DS_EV_DMABUF_FD || e->hdr.type == DS_EV_DMABUF_GET)
		printf("  fd %d", e->fd);
	if (has_device(e->hdr.type))
		printf("  dev %.32s%s", e->dev_name,
		       e->flags & DS_DMABUF_F_DYNAMIC ? " (dynamic)" : "");
	if (e->hdr.type == DS_EV_DMABUF_MAP)
		printf("  %u entries in %.3f ms", e->nents, e->duration_ns / 1e6);
	if (e->hdr.type == DS_EV_DMABUF_BEGIN_CPU)
		printf("  waited %.3f ms", e->duration_ns / 1e6);
	if (e->hdr.type == DS_EV_DMABUF_INVALIDATE)
		printf("  %u importers notified", e->nr_notified);
	if (is_vfio(&e->hdr))
		text_vfio((const void *)e);
	if (e->ret)
		printf("  error %d", e->ret);
	putchar('\n');
}

/* A map of a buffer its vfio-pci exporter has revoked: the importer ignored it. */
static void on_map_after_revoke(struct dmabuf_run *r, const struct ds_dmabuf_event *e,
				const struct ds_dmabuf_buffer *b)
{
	struct ds_json j;

	if (r->p->json) {
		ds_json__init(&j, stdout, false);
		ds_json__begin_object(&j);
		ds_json__kv_str(&j, "type", "dmabuf_map_after_revoke");
		ds_json__kv_u64(&j, "ts_ns", e->hdr.ts - r->t0);
		ds_json__kv_u64(&j, "ino", b->ino);
		ds_json__kv_str(&j, "exp_name", b->exp_name);
		ds_json__kv_str(&j, "vfio_dev", b->vfio_dev);
		ds_json__kv_str(&j, "status", ds_vfio_status_name(b->vfio_status));
		ds_json__key(&j, "importer");
		ds_json__strn(&j, e->dev_name, sizeof(e->dev_name));
		ds_json__end_object(&j);
		ds_json__finish(&j);
	} else {
		printf("ANOMALY: ino %" PRIu64 " (%s %s) mapped by %.32s while %s\n", b->ino,
		       b->exp_name, b->vfio_dev, e->dev_name, ds_vfio_status_name(b->vfio_status));
	}
	fflush(stdout);
}

/* The live log: printed as events arrive, after the model took them. */
static int log_event(void *ctx, const struct ds_event_hdr *ev)
{
	const struct ds_dmabuf_event *e = (const void *)ev;
	const struct ds_dmabuf_buffer *b;
	struct dmabuf_run *r = ctx;

	if (ev->type < DS_EV_DMABUF_EXPORT || ev->type > DS_EV_DMABUF_LAST)
		return 0;
	if (r->p->inode && e->ino != r->p->inode)
		return 0;
	if (!r->t0)
		r->t0 = ev->ts;
	if (r->p->json)
		json_event(e, r->t0);
	else
		text_event(e, r->t0);
	/* the model has taken this event: a revoked status here was already set */
	if (ev->type == DS_EV_DMABUF_MAP && !e->ret) {
		b = ds_dmabuf_model__find(r->model, e->ino);
		if (b && ds_dmabuf_buffer__revoked(b))
			on_map_after_revoke(r, e, b);
	}
	return 0;
}

static void on_overdue(void *ctx, const struct ds_dmabuf_buffer *b, uint64_t now)
{
	struct dmabuf_run *r = ctx;
	struct ds_json j;

	if (r->p->json) {
		ds_json__init(&j, stdout, false);
		ds_json__begin_object(&j);
		ds_json__kv_str(&j, "type", "dmabuf_unmap_overdue");
		ds_json__kv_u64(&j, "ino", b->ino);
		ds_json__kv_str(&j, "exp_name", b->exp_name);
		ds_json__key(&j, "mapped");
		ds_json__i64(&j, b->mapped);
		ds_json__kv_u64(&j, "since_invalidate_ns", now - b->revoke_ts);
		if (b->vfio)
			ds_json__kv_str(&j, "vfio_dev", b->vfio_dev);
		ds_json__end_object(&j);
		ds_json__finish(&j);
	} else if (b->vfio) {
		printf("OVERDUE: ino %" PRIu64 " (%s %s) status change not finished %.3f ms after"
		       " it began: vfio-pci still waits for fences or importers, holding"
		       " memory_lock\n", b->ino, b->exp_name, b->vfio_dev,
		       (now - b->revoke_ts) / 1e6);
	} else {
		printf("OVERDUE: ino %" PRIu64 " (%s) still mapped by %" PRId64
		       " importer(s) %.3f ms after invalidation\n", b->ino, b->exp_name, b->mapped,
		       (now - b->revoke_ts) / 1e6);
	}
	fflush(stdout);
}

static int tick(void *ctx, uint64_t now)
{
	struct dmabuf_run *r = ctx;

	ds_dmabuf_model__check_revokes(r->model, now, r->p->unmap_ns ?: 1000000000ULL,
				       on_overdue, r);
	return 0;
}

/* One count per dma-buf event type, by its short name. */
static void json_counts(struct ds_json *j, const char *key, const uint64_t *counts)
{
	unsigned int k;

	ds_json__key(j, key);
	ds_json__begin_object(j);
	for (k = 0; k < DS_DMABUF_NR_TYPES; k++)
		ds_json__kv_u64(j, ds_dmabuf_type_short(DS_EV_DMABUF_EXPORT + k), counts[k]);
	ds_json__end_object(j);
}

/* Per exporter: the buffers' rows summed by exporter name. */
struct exporter_row {
	char name[32];
	uint64_t buffers, bytes, live, revocations;
	int64_t attached;
};

static size_t exporters(struct dmabuf_run *r, struct exporter_row *rows, size_t max)
{
	const struct ds_dmabuf_buffer *const *bufs;
	size_t n = ds_dmabuf_model__buffers(r->model, &bufs), nr = 0, i, k;

	for (i = 0; i < n; i++) {
		const struct ds_dmabuf_buffer *b = bufs[i];

		if (r->p->inode && b->ino != r->p->inode)
			continue;
		for (k = 0; k < nr; k++)
			if (!strcmp(rows[k].name, b->exp_name))
				break;
		if (k == nr) {
			if (nr == max)
				continue;	/* bounded; more exporters than this are rare */
			memset(&rows[nr], 0, sizeof(rows[nr]));
			snprintf(rows[nr].name, sizeof(rows[nr].name), "%s", b->exp_name);
			nr++;
		}
		rows[k].buffers++;
		rows[k].bytes += b->size;
		rows[k].live += !b->released;
		/* vfio-pci: restores are status changes too, but not revocations */
		rows[k].revocations += b->vfio ? b->vfio_revokes : b->revokes_done;
		rows[k].attached += b->attached;
	}
	return nr;
}

#define MAX_EXPORTERS	64

static void json_by_device(struct dmabuf_run *r, struct ds_json *j)
{
	struct exporter_row rows[MAX_EXPORTERS];
	const struct ds_dmabuf_importer *imps;
	size_t n = exporters(r, rows, MAX_EXPORTERS), i;

	ds_json__key(j, "exporters");
	ds_json__begin_array(j);
	for (i = 0; i < n; i++) {
		ds_json__begin_object(j);
		ds_json__kv_str(j, "exp_name", rows[i].name);
		ds_json__kv_u64(j, "buffers", rows[i].buffers);
		ds_json__kv_u64(j, "bytes", rows[i].bytes);
		ds_json__kv_u64(j, "live", rows[i].live);
		ds_json__kv_u64(j, "revocations", rows[i].revocations);
		ds_json__key(j, "attached");
		ds_json__i64(j, rows[i].attached);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
	/* importers are counted over all buffers: --inode does not narrow them */
	n = ds_dmabuf_model__importers(r->model, &imps);
	ds_json__key(j, "importers");
	ds_json__begin_array(j);
	for (i = 0; i < n; i++) {
		ds_json__begin_object(j);
		ds_json__kv_str(j, "dev_name", imps[i].dev_name);
		ds_json__kv_u64(j, "attaches", imps[i].attaches);
		ds_json__kv_u64(j, "detaches", imps[i].detaches);
		ds_json__kv_u64(j, "maps", imps[i].maps);
		ds_json__kv_u64(j, "unmaps", imps[i].unmaps);
		ds_json__kv_u64(j, "map_errors", imps[i].map_errors);
		ds_json__kv_u64(j, "map_max_ns", imps[i].map_max_ns);
		ds_json__kv_u64(j, "maps_after_revoke", imps[i].maps_after_revoke);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
}

static void text_by_device(struct dmabuf_run *r)
{
	struct exporter_row rows[MAX_EXPORTERS];
	const struct ds_dmabuf_importer *imps;
	size_t n = exporters(r, rows, MAX_EXPORTERS), i;

	printf("\n%-16s %8s %14s %6s %8s %11s\n", "EXPORTER", "BUFFERS", "BYTES", "LIVE",
	       "ATTACHED", "REVOCATIONS");
	for (i = 0; i < n; i++)
		printf("%-16.16s %8" PRIu64 " %14" PRIu64 " %6" PRIu64 " %8" PRId64 " %11" PRIu64
		       "\n", rows[i].name, rows[i].buffers, rows[i].bytes, rows[i].live,
		       rows[i].attached, rows[i].revocations);
	n = ds_dmabuf_model__importers(r->model, &imps);
	if (!n)
		return;
	printf("\n%-16s %8s %8s %8s %8s %8s %12s %14s\n", "IMPORTER", "ATTACH", "DETACH", "MAP",
	       "UNMAP", "MAP ERR", "MAP MAX ms", "MAPPED REVOKED");
	for (i = 0; i < n; i++)
		printf("%-16.16s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
		       " %12.3f %14" PRIu64 "\n", imps[i].dev_name, imps[i].attaches,
		       imps[i].detaches, imps[i].maps, imps[i].unmaps, imps[i].map_errors,
		       imps[i].map_max_ns / 1e6, imps[i].maps_after_revoke);
}

static bool rev_shown(const struct dmabuf_run *r, const struct ds_dmabuf_revocation *v)
{
	return !r->p->inode || v->ino == r->p->inode;
}

/* The revocation timeline: one entry per revocation (vfio-pci: per status change). */
static void json_timeline(struct dmabuf_run *r, struct ds_json *j)
{
	const struct ds_dmabuf_revocation *revs;
	size_t n = ds_dmabuf_model__revocations(r->model, &revs), i;

	ds_json__key(j, "revocations");
	ds_json__begin_array(j);
	for (i = 0; i < n; i++) {
		const struct ds_dmabuf_revocation *v = &revs[i];

		if (!rev_shown(r, v))
			continue;
		ds_json__begin_object(j);
		ds_json__kv_u64(j, "ino", v->ino);
		ds_json__kv_u64(j, "start_ns", v->start_ts - r->t0);
		ds_json__kv_bool(j, "done", v->end_ts != 0);
		if (v->end_ts)
			ds_json__kv_u64(j, "latency_ns", v->end_ts - v->start_ts);
		ds_json__key(j, "mapped_at_start");
		ds_json__i64(j, v->mapped_at_start);
		if (v->vfio) {
			ds_json__kv_str(j, "old_status", ds_vfio_status_name(v->old_status));
			ds_json__kv_str(j, "new_status", ds_vfio_status_name(v->new_status));
			ds_json__kv_str(j, "cause", ds_vfio_cause_name(v->cause));
			ds_json__kv_u64(j, "fence_wait_ns", v->fence_wait_ns);
			ds_json__kv_u64(j, "unmap_wait_ns", v->unmap_wait_ns);
		}
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
}

static void text_timeline(struct dmabuf_run *r)
{
	const struct ds_dmabuf_revocation *revs;
	size_t n = ds_dmabuf_model__revocations(r->model, &revs), i;
	bool header = false;

	for (i = 0; i < n; i++) {
		const struct ds_dmabuf_revocation *v = &revs[i];
		char what[48];

		if (!rev_shown(r, v))
			continue;
		if (!header) {
			printf("\nrevocations:\n%12s %-8s %-30s %7s %12s %12s %12s\n", "START",
			       "INO", "WHAT", "MAPPED", "LATENCY ms", "FENCES ms", "UNMAPS ms");
			header = true;
		}
		if (v->vfio)
			snprintf(what, sizeof(what), "vfio %s->%s (%s)",
				 ds_vfio_status_name(v->old_status),
				 ds_vfio_status_name(v->new_status), ds_vfio_cause_name(v->cause));
		else
			snprintf(what, sizeof(what), "invalidate");
		printf("%12.6f %-8" PRIu64 " %-30s %7" PRId64, (v->start_ts - r->t0) / 1e9, v->ino,
		       what, v->mapped_at_start);
		if (!v->end_ts)
			printf(" %12s\n", "PENDING");
		else if (v->vfio)
			printf(" %12.3f %12.3f %12.3f\n", (v->end_ts - v->start_ts) / 1e6,
			       v->fence_wait_ns / 1e6, v->unmap_wait_ns / 1e6);
		else
			printf(" %12.3f %12s %12s\n", (v->end_ts - v->start_ts) / 1e6, "-", "-");
	}
}

static void summary(struct dmabuf_run *r)
{
	const struct ds_dmabuf_totals *t = ds_dmabuf_model__totals(r->model);
	const struct ds_dmabuf_buffer *const *bufs;
	size_t n = ds_dmabuf_model__buffers(r->model, &bufs), i;
	struct ds_json j;

	if (r->p->json) {
		ds_json__init(&j, stdout, r->p->pretty);
		ds_json__begin_object(&j);
		ds_json__kv_str(&j, "type", "dmabuf_summary");
		ds_out_unavailable(&j, r->missing);
		ds_json__kv_u64(&j, "events", t->events);
		ds_json__kv_u64(&j, "unmaps_overdue", t->revokes_stuck);
		ds_json__kv_u64(&j, "maps_after_revoke", t->maps_after_revoke);
		json_counts(&j, "counts", t->by_type);
		ds_out_ring(&j, t->have_stats, &t->stats);
		ds_json__key(&j, "buffers");
		ds_json__begin_array(&j);
		for (i = 0; i < n; i++) {
			const struct ds_dmabuf_buffer *b = bufs[i];

			if (r->p->inode && b->ino != r->p->inode)
				continue;
			ds_json__begin_object(&j);
			ds_json__kv_u64(&j, "ino", b->ino);
			ds_json__kv_str(&j, "exp_name", b->exp_name);
			ds_json__kv_u64(&j, "size", b->size);
			ds_json__kv_u64(&j, "exporter_pid", b->exporter_pid);
			ds_json__kv_str(&j, "exporter_comm", b->exporter_comm);
			json_counts(&j, "events", b->events);
			ds_json__key(&j, "attached");
			ds_json__i64(&j, b->attached);
			ds_json__key(&j, "mapped");
			ds_json__i64(&j, b->mapped);
			ds_json__kv_u64(&j, "cpu_wait_max_ns", b->cpu_wait_max_ns);
			ds_json__kv_u64(&j, "invalidations", b->invalidations);
			ds_json__kv_u64(&j, "unmap_after_invalidate_max_ns",
					b->revoke_latency_max_ns);
			ds_json__kv_bool(&j, "unmap_pending", b->revoke_ts != 0);
			ds_json__kv_bool(&j, "released", b->released);
			ds_json__kv_str(&j, "last_importer", b->last_importer);
			if (b->vfio) {
				ds_json__key(&j, "vfio");
				ds_json__begin_object(&j);
				ds_json__kv_str(&j, "dev_name", b->vfio_dev);
				ds_json__kv_u64(&j, "bar", b->vfio_bar);
				ds_json__kv_str(&j, "status", ds_vfio_status_name(b->vfio_status));
				ds_json__kv_u64(&j, "revokes", b->vfio_revokes);
				ds_json__kv_u64(&j, "fence_wait_max_ns", b->vfio_fence_wait_max_ns);
				ds_json__kv_u64(&j, "unmap_wait_max_ns", b->vfio_unmap_wait_max_ns);
				ds_json__kv_u64(&j, "maps_after_revoke", b->maps_after_revoke);
				ds_json__end_object(&j);
			}
			ds_json__end_object(&j);
		}
		ds_json__end_array(&j);
		json_by_device(r, &j);
		json_timeline(r, &j);
		ds_json__end_object(&j);
		ds_json__finish(&j);
		return;
	}
	printf("\ndma_buf summary: %" PRIu64 " events, %" PRIu64 " buffers", t->events,
	       t->buffers);
	if (t->have_stats)
		printf(" (ring: %" PRIu64 " received, %" PRIu64 " dropped)",
		       (uint64_t)t->stats.received, (uint64_t)t->stats.dropped);
	printf("\n");
	if (!n) {
		printf("No dma_buf events%s.\n", r->p->input ? " in this recording" :
		       " seen while tracing");
		return;
	}
	printf("\n%-8s %-16s %12s %6s %4s %4s %4s %6s %6s %6s %8s %-16s\n", "INO", "EXPORTER",
	       "SIZE", "EXPORT", "FD", "GET", "PUT", "MMAP", "ATTACH", "DETACH", "ATTACHED",
	       "LAST IMPORTER");
	for (i = 0; i < n; i++) {
		const struct ds_dmabuf_buffer *b = bufs[i];
		const uint64_t *ev = b->events;

		if (r->p->inode && b->ino != r->p->inode)
			continue;
		printf("%-8" PRIu64 " %-16.16s %12" PRIu64 " %6" PRIu64 " %4" PRIu64 " %4" PRIu64
		       " %4" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %8" PRId64
		       " %-16.16s\n",
		       b->ino, b->exp_name, b->size, ev[0], ev[1], ev[2], ev[3], ev[4] + ev[5],
		       ev[6], ev[7], b->attached, b->last_importer);
	}
	text_by_device(r);
	for (i = 0; i < n; i++) {
		const struct ds_dmabuf_buffer *b = bufs[i];

		if (!b->vfio || (r->p->inode && b->ino != r->p->inode))
			continue;
		printf("vfio-pci: ino %" PRIu64 " %s BAR %u now %s; %" PRIu64
		       " revocation(s), longest fence wait %.3f ms, longest unmap wait %.3f ms",
		       b->ino, b->vfio_dev, b->vfio_bar, ds_vfio_status_name(b->vfio_status),
		       b->vfio_revokes, b->vfio_fence_wait_max_ns / 1e6,
		       b->vfio_unmap_wait_max_ns / 1e6);
		if (b->maps_after_revoke)
			printf("; MAPPED %" PRIu64 " time(s) while revoked", b->maps_after_revoke);
		putchar('\n');
	}
	for (i = 0; i < n; i++) {
		const struct ds_dmabuf_buffer *b = bufs[i];

		if (!b->invalidations || b->vfio || (r->p->inode && b->ino != r->p->inode))
			continue;
		printf("invalidated: ino %" PRIu64 " (%s) %" PRIu64
		       " time(s); last importer unmapped at most %.3f ms after%s\n",
		       b->ino, b->exp_name, b->invalidations,
		       b->revoke_latency_max_ns / 1e6,
		       b->revoke_ts ? "; STILL MAPPED since the last one" : "");
	}
	text_timeline(r);
}

int cmd_dmabuf(int argc, char **argv)
{
	struct ds_live_hooks hooks = { .tick = tick };
	struct ds_dmabuf_bpf *bpf = NULL;
	struct dmabuf_run r = {};
	struct ds_stream *s = NULL;
	char missing[256] = "";
	struct ds_params p;
	int ret, err;

	ret = ds_parse_dmabuf(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_dmabuf, stdout);
		return 0;
	}
	ds_log_init("deptscope dmabuf", p.verbose);
	r.p = &p;
	hooks.ctx = &r;
	if (ds_dmabuf_model__new(&r.model) || ds_stream__new(&s) ||
	    ds_stream__add_consumer(s, ds_dmabuf_model__consume, r.model) ||
	    ds_stream__add_consumer(s, log_event, &r)) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (p.input) {
		struct ds_replay rp = { .path = p.input, .tick = tick, .ctx = &r };

		ret = ds_replay_run(&rp, s);
		if (!ret || rp.records) {
			/* judged by the recording's clock, as it ends */
			tick(&r, rp.last_ts);
			summary(&r);
		}
		goto out;
	}
	ret = ds_live_open_dmabuf(&p, true, &bpf);
	if (ret)
		goto out;
	snprintf(missing, sizeof(missing), "%s", ds_dmabuf_bpf__missing(bpf));
	r.missing = missing;
	ds_stream__add_source(s, &ds_bpf_source_ops, bpf);
	fprintf(stderr, "Tracing dma_buf events... Hit Ctrl-C to end.\n");
	err = ds_live_run(s, &p, &hooks);
	if (err) {
		ds_err("tracing stopped: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
	}
	ds_dmabuf_bpf__destroy(bpf);
	bpf = NULL;
	tick(&r, ds_now_mono_ns());
	summary(&r);
out:
	if (!ret && (ds_dmabuf_model__totals(r.model)->revokes_stuck ||
		     ds_dmabuf_model__totals(r.model)->maps_after_revoke))
		ret = DS_EXIT_HANG;
	ds_stream__free(s);
	ds_dmabuf_bpf__destroy(bpf);
	ds_dmabuf_model__free(r.model);
	return ret;
}
