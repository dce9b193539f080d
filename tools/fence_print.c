// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Text and JSON presentation of the fence model, shared by 'fence' and 'report'. */
#include <inttypes.h>
#include <string.h>
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/symbolize.h"
#include "fence_print.h"
#include "json_out.h"

static struct ds_symbolizer *symbolizer(struct fence_printer *fp)
{
	struct ds_symbolizer_opts o = { .vmlinux = fp->p->vmlinux };
	int err;

	if (fp->sym || fp->sym_failed)
		return fp->sym;
	err = ds_symbolizer__new(&o, &fp->sym);
	if (err) {
		fp->sym_failed = true;
		fp->sym = NULL;
		if (fp->p->vmlinux)
			ds_warn("cannot use --vmlinux %s: %s; stacks stay raw", fp->p->vmlinux,
				strerror(-err));
		else
			ds_warn("no kernel symbols (%s); stacks stay raw", strerror(-err));
	} else {
		ds_dbg("symbols from %s", ds_symbolizer__source(fp->sym));
	}
	return fp->sym;
}

void fence_printer__exit(struct fence_printer *fp)
{
	ds_symbolizer__free(fp->sym);
	fp->sym = NULL;
}

static const char *frame_str(struct fence_printer *fp, uint64_t addr, char *buf, size_t len)
{
	struct ds_symbolizer *s = symbolizer(fp);

	if (s)
		return ds_symbolizer__format(s, addr, buf, len);
	snprintf(buf, len, "0x%016" PRIx64, addr);
	return buf;
}

static const char *tl_label(const struct ds_fence_timeline *tl, uint64_t context, char *buf,
			    size_t len)
{
	if (tl)
		return ds_fence_timeline__label(tl, buf, len);
	snprintf(buf, len, "context %" PRIu64, context);
	return buf;
}

static void print_stack_text(struct fence_printer *fp, const struct ds_fence_wait *w)
{
	char buf[256];
	uint32_t i;

	if (fp->p->no_stacks)
		return;
	for (i = 0; i < w->nr_frames; i++)
		fprintf(fp->out, "        %s\n", frame_str(fp, w->stack[i], buf, sizeof(buf)));
}

static void json_stack(struct fence_printer *fp, struct ds_json *j, const struct ds_fence_wait *w)
{
	char buf[256];
	uint32_t i;

	ds_json__key(j, "stack");
	ds_json__begin_array(j);
	for (i = 0; !fp->p->no_stacks && i < w->nr_frames; i++) {
		ds_json__begin_object(j);
		snprintf(buf, sizeof(buf), "0x%016" PRIx64, w->stack[i]);
		ds_json__kv_str(j, "addr", buf);
		ds_json__kv_str(j, "sym", frame_str(fp, w->stack[i], buf, sizeof(buf)));
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
}

static void json_wait(struct fence_printer *fp, struct ds_json *j, const struct ds_fence_wait *w,
		      const struct ds_fence_timeline *tl, uint64_t now)
{
	char buf[160];

	ds_json__begin_object(j);
	ds_json__kv_u64(j, "pid", w->pid);
	ds_json__kv_u64(j, "tid", w->tid);
	ds_json__kv_str(j, "comm", w->comm);
	snprintf(buf, sizeof(buf), "0x%016" PRIx64, w->fence);
	ds_json__kv_str(j, "fence", buf);
	ds_json__kv_u64(j, "context", w->context);
	ds_json__kv_u64(j, "seqno", w->seqno);
	ds_json__kv_str(j, "timeline", tl_label(tl, w->context, buf, sizeof(buf)));
	ds_json__kv_u64(j, "start_ns", w->start_ts);
	if (w->end_ts) {
		ds_json__kv_u64(j, "duration_ns", w->duration_ns);
		ds_json__kv_bool(j, "signaled", w->flags & DS_FENCE_F_SIGNALED);
	} else {
		ds_json__kv_u64(j, "waiting_ns", now > w->start_ts ? now - w->start_ts : 0);
	}
	json_stack(fp, j, w);
	ds_json__end_object(j);
}

void fence_print_hang(struct fence_printer *fp, const struct ds_fence_wait *w,
		      const struct ds_fence_timeline *tl, uint64_t now)
{
	struct ds_json j;
	char buf[160];

	if (fp->p->json) {
		ds_json__init(&j, fp->out, false);
		ds_json__begin_object(&j);
		ds_json__kv_str(&j, "type", "fence_hang");
		ds_json__key(&j, "wait");
		json_wait(fp, &j, w, tl, now);
		ds_json__end_object(&j);
		ds_json__finish(&j);
	} else {
		fprintf(fp->out,
			"HANG: %s pid %u tid %u waiting %.3f s on %s seqno %" PRIu64
			" (fence 0x%" PRIx64 "), not signalled\n",
			w->comm, w->pid, w->tid, (now - w->start_ts) / 1e9,
			tl_label(tl, w->context, buf, sizeof(buf)), w->seqno, w->fence);
		print_stack_text(fp, w);
	}
	fflush(fp->out);
}

void fence_print_resolved(struct fence_printer *fp, const struct ds_fence_wait *w,
			  const struct ds_fence_timeline *tl)
{
	struct ds_json j;
	char buf[160];

	if (fp->p->json) {
		ds_json__init(&j, fp->out, false);
		ds_json__begin_object(&j);
		ds_json__kv_str(&j, "type", "fence_hang_resolved");
		ds_json__key(&j, "wait");
		json_wait(fp, &j, w, tl, w->end_ts);
		ds_json__end_object(&j);
		ds_json__finish(&j);
	} else {
		fprintf(fp->out, "RESOLVED: %s tid %u waited %.3f s on %s seqno %" PRIu64 "%s\n",
			w->comm, w->tid, w->duration_ns / 1e9,
			tl_label(tl, w->context, buf, sizeof(buf)), w->seqno,
			w->flags & DS_FENCE_F_SIGNALED ? "" : " (ended unsignalled: timeout?)");
	}
	fflush(fp->out);
}

static void json_hist(struct ds_json *j, const struct ds_hist *h)
{
	unsigned int s;
	uint64_t c;

	ds_json__key(j, "latency_ns");
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "count", h->count);
	ds_json__kv_u64(j, "min", h->min);
	ds_json__kv_u64(j, "mean", h->count ? h->sum / h->count : 0);
	ds_json__kv_u64(j, "p50", ds_hist__percentile(h, 50));
	ds_json__kv_u64(j, "p90", ds_hist__percentile(h, 90));
	ds_json__kv_u64(j, "p99", ds_hist__percentile(h, 99));
	ds_json__kv_u64(j, "max", h->max);
	ds_json__key(j, "log2");
	ds_json__begin_array(j);
	for (s = 0; s < DS_HIST_LOG2; s++) {
		c = ds_hist__log2_count(h, s);
		if (!c)
			continue;
		ds_json__begin_object(j);
		ds_json__kv_u64(j, "lo", s ? 1ULL << s : 0);
		ds_json__kv_u64(j, "hi", s == 63 ? ~0ULL : (2ULL << s) - 1);
		ds_json__kv_u64(j, "count", c);
		ds_json__end_object(j);
	}
	ds_json__end_array(j);
	ds_json__end_object(j);
}

static void summary_json(struct fence_printer *fp, struct ds_fence_model *m, uint64_t now,
			 bool final)
{
	const struct ds_fence_totals *t = ds_fence_model__totals(m);
	const struct ds_fence_timeline *const *tls;
	const struct ds_fence_wait *const *ws;
	struct ds_json j;
	size_t n, i;

	ds_json__init(&j, fp->out, fp->p->pretty);
	ds_json__begin_object(&j);
	ds_json__kv_str(&j, "type", final ? "fence_summary" : "fence_interval");
	ds_json__kv_str(&j, "source", fp->source);
	if (fp->status)
		ds_json__kv_str(&j, "recording_status", fp->status);
	ds_out_unavailable(&j, fp->missing);
	ds_json__kv_u64(&j, "events", t->events);
	ds_json__kv_u64(&j, "waits", t->waits);
	ds_json__kv_u64(&j, "pending", t->pending);
	ds_json__kv_u64(&j, "hangs", t->hangs);
	ds_json__kv_u64(&j, "waits_unmatched", t->waits_unmatched);
	ds_json__key(&j, "counts");
	ds_json__begin_object(&j);
	for (i = DS_EV_FENCE_INIT; i <= DS_EV_FENCE_NAME; i++)
		ds_json__kv_u64(&j, ds_event_type_name(i), t->by_type[i]);
	ds_json__end_object(&j);
	ds_out_ring(&j, t->have_stats, &t->stats);
	ds_out_ring_sources(&j, "ring_sources", &t->ring);
	json_hist(&j, ds_fence_model__hist(m));

	ds_json__key(&j, "timelines");
	ds_json__begin_array(&j);
	n = ds_fence_model__timelines(m, &tls);
	for (i = 0; i < n; i++) {
		const struct ds_fence_timeline *tl = tls[i];

		ds_json__begin_object(&j);
		ds_json__kv_u64(&j, "context", tl->context);
		ds_json__kv_str(&j, "driver", tl->driver);
		ds_json__kv_str(&j, "timeline", tl->timeline);
		ds_json__kv_u64(&j, "waits", tl->waits);
		ds_json__kv_u64(&j, "waits_unsignaled", tl->waits_unsignaled);
		ds_json__kv_u64(&j, "hangs", tl->hangs);
		ds_json__kv_u64(&j, "inits", tl->inits);
		ds_json__kv_u64(&j, "emits", tl->emits);
		ds_json__kv_u64(&j, "enable_signals", tl->enables);
		ds_json__kv_u64(&j, "signals", tl->signals);
		ds_json__kv_u64(&j, "destroys", tl->destroys);
		json_hist(&j, &tl->hist);
		ds_json__end_object(&j);
	}
	ds_json__end_array(&j);

	ds_json__key(&j, "longest");
	ds_json__begin_array(&j);
	n = ds_fence_model__top(m, &ws);
	for (i = 0; i < n; i++)
		json_wait(fp, &j, ws[i], ds_fence_model__timeline(m, ws[i]->context), now);
	ds_json__end_array(&j);

	ds_json__key(&j, "pending_waits");
	ds_json__begin_array(&j);
	n = ds_fence_model__pending(m, &ws);
	for (i = 0; i < n; i++)
		json_wait(fp, &j, ws[i], ds_fence_model__timeline(m, ws[i]->context), now);
	ds_json__end_array(&j);
	ds_json__end_object(&j);
	ds_json__finish(&j);
}

static void summary_text(struct fence_printer *fp, struct ds_fence_model *m, uint64_t now,
			 bool final)
{
	const struct ds_fence_totals *t = ds_fence_model__totals(m);
	uint64_t div = fp->p->msec ? 1000000 : 1000;
	const char *unit = fp->p->msec ? "msecs" : "usecs";
	const struct ds_fence_timeline *const *tls;
	const struct ds_fence_wait *const *ws;
	FILE *f = fp->out;
	char buf[160];
	size_t n, i;

	fprintf(f, "\n%s: %" PRIu64 " fence waits, %" PRIu64 " pending, %" PRIu64
		" hangs, %" PRIu64 " events",
		final ? "dma_fence summary" : "dma_fence interval", t->waits, t->pending, t->hangs,
		t->events);
	if (t->have_stats)
		fprintf(f, " (ring: %" PRIu64 " received, %" PRIu64 " dropped)",
			(uint64_t)t->stats.received, (uint64_t)t->stats.dropped);
	fputc('\n', f);
	if (t->have_stats && t->stats.dropped)
		fprintf(f, "WARNING: %" PRIu64 " events were dropped (ring buffer full): counts "
			"below are lower bounds; try --buffer-kb\n", (uint64_t)t->stats.dropped);
	ds_text_ring_sources(f, &t->ring, t->have_stats && t->stats.dropped, "");
	if (t->waits_unmatched)
		fprintf(f, "note: %" PRIu64 " waits ended without a seen start (begun before "
			"tracing)\n", t->waits_unmatched);

	n = ds_fence_model__timelines(m, &tls);
	if (n) {
		fprintf(f, "\n%-32s %8s %6s %6s %8s %8s %10s %10s %10s %10s\n", "DRIVER/TIMELINE",
			"CONTEXT", "WAITS", "UNSIG", "SIGNALS", "INITS", "P50", "P90", "P99",
			"MAX");
		for (i = 0; i < n; i++) {
			const struct ds_fence_timeline *tl = tls[i];
			const struct ds_hist *h = &tl->hist;

			fprintf(f, "%-32.32s %8" PRIu64 " %6" PRIu64 " %6" PRIu64 " %8" PRIu64
				" %8" PRIu64 " %10.1f %10.1f %10.1f %10.1f\n",
				ds_fence_timeline__label(tl, buf, sizeof(buf)), tl->context,
				tl->waits, tl->waits_unsignaled, tl->signals, tl->inits,
				(double)ds_hist__percentile(h, 50) / div,
				(double)ds_hist__percentile(h, 90) / div,
				(double)ds_hist__percentile(h, 99) / div, (double)h->max / div);
		}
		fprintf(f, "(latencies in %s)\n", unit);
	}
	if (ds_fence_model__hist(m)->count) {
		fprintf(f, "\nWait latency, all timelines:\n");
		ds_hist__print(ds_fence_model__hist(m), f, unit, div);
	}
	n = ds_fence_model__top(m, &ws);
	if (n) {
		fprintf(f, "\nLongest waits:\n");
		for (i = 0; i < n; i++) {
			fprintf(f,
				"  %2zu. %10.3f ms  %s pid %u tid %u on %s seqno %" PRIu64 "%s\n",
				i + 1, ws[i]->duration_ns / 1e6, ws[i]->comm, ws[i]->pid,
				ws[i]->tid,
				tl_label(ds_fence_model__timeline(m, ws[i]->context),
					 ws[i]->context, buf, sizeof(buf)),
				ws[i]->seqno,
				ws[i]->flags & DS_FENCE_F_SIGNALED ? "" : "  [ended unsignalled]");
			print_stack_text(fp, ws[i]);
		}
	}
	n = ds_fence_model__pending(m, &ws);
	if (n) {
		fprintf(f, "\nWaits still pending:\n");
		for (i = 0; i < n; i++) {
			fprintf(f, "  %10.3f ms  %s pid %u tid %u on %s seqno %" PRIu64 "%s\n",
				(now - ws[i]->start_ts) / 1e6, ws[i]->comm, ws[i]->pid, ws[i]->tid,
				tl_label(ds_fence_model__timeline(m, ws[i]->context),
					 ws[i]->context, buf, sizeof(buf)),
				ws[i]->seqno, ws[i]->hang_reported ? "  [HANG]" : "");
			print_stack_text(fp, ws[i]);
		}
	}
	if (!t->events)
		fprintf(f, "\nNo dma_fence events%s.\n", fp->live ?
			" seen: nothing waited on or signalled a fence while tracing (no GPU, "
			"sw_sync or vgem activity?)" : " in this recording");
	fflush(f);
}

void fence_print_summary(struct fence_printer *fp, struct ds_fence_model *m, uint64_t now,
			 bool final)
{
	if (fp->p->json)
		summary_json(fp, m, now, final);
	else
		summary_text(fp, m, now, final);
}
