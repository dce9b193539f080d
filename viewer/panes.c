// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The panes of deptscope top, each rendered as lines of text from the
 * models of lib/.  The same lines go to the curses screen and, in --batch,
 * to stdout, so the tests read exactly what a user sees.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept_live.h"
#include "deptscope/dmabuf.h"
#include "deptscope/event.h"
#include "deptscope/fence.h"
#include "deptscope/graph.h"
#include "deptscope/history.h"
#include "deptscope/util.h"
#include "deptscope/vpr.h"
#include "top.h"

#define SPARK_W		16	/* log2 slots shown in a sparkline */
#define LIST_MAX	10	/* rows of the longest and pending waits */

static const char *const pane_names[PANE_NR] = {
	[PANE_OVERVIEW] = "overview",
	[PANE_FENCES] = "fences",
	[PANE_DMABUF] = "dmabuf",
	[PANE_VPR] = "vpr",
	[PANE_EVENTS] = "events",
	[PANE_GRAPH] = "graph",
};

const char *top_pane_name(enum top_pane pane)
{
	return pane < PANE_NR ? pane_names[pane] : "?";
}

int top_pane_parse(const char *name)
{
	int i;

	for (i = 0; i < PANE_NR; i++)
		if (!strcmp(name, pane_names[i]))
			return i;
	return -1;
}

void top_lines__reset(struct top_lines *l)
{
	l->nr = 0;
}

void top_lines__free(struct top_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void top_lines__add(struct top_lines *l, enum top_attr a, const char *fmt, ...)
{
	va_list ap;

	if (ds_grow(&l->v, &l->cap, l->nr + 1, sizeof(*l->v), 64))
		return;	/* out of memory: the frame misses a line, nothing worse */
	l->v[l->nr].attr = a;
	va_start(ap, fmt);
	vsnprintf(l->v[l->nr].text, sizeof(l->v[l->nr].text), fmt, ap);
	va_end(ap);
	l->nr++;
}

/* "12.3us", "4.56ms", "1.20s": durations the width of a column. */
static const char *dur(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* Record time: live, the clock; a replay, as far as it has got. */
static uint64_t now_of(const struct top *t)
{
	if (t->pace)
		return top_pace__now(t->pace);
	return ds_now_mono_ns();
}

static double rel(const struct top *t, uint64_t ts)
{
	uint64_t t0 = ds_history__counts(t->hist)->first_ts;

	return ts >= t0 ? (ts - t0) / 1e9 : 0;
}

static void title(struct top_lines *l, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void title(struct top_lines *l, const char *name, const char *fmt, ...)
{
	char rest[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	top_lines__add(l, TA_TITLE, "%s: %s", name, rest);
}

/* ---- Overview ---- */

static void render_overview(struct top *t, struct top_lines *l)
{
	const struct ds_history_counts *c = ds_history__counts(t->hist);
	const struct ds_fence_totals *ft = ds_fence_model__totals(t->fence);
	const struct ds_dmabuf_totals *dt = ds_dmabuf_model__totals(t->dmabuf);
	struct ds_dept_live_stats ds;
	struct ds_vpr_stats vs;
	unsigned int i, n;

	if (t->pace)
		title(l, "Overview", "%s: %s%s", t->input, top_pace__status(t->pace),
		      top_pace__paused(t->pace) ? " [paused]" : "");
	else
		title(l, "Overview", "live: %s", t->attached[0] ? t->attached : "nothing attached");
	top_lines__add(l, TA_HEAD, "%-12s %12s %10s", "SOURCE", "EVENTS", "RATE/s");
	for (i = 0; i < DS_HSRC_NR; i++) {
		if (!c->by_src[i] && i == DS_HSRC_OTHER)
			continue;
		top_lines__add(l, TA_TEXT, "%-12s %12" PRIu64 " %10" PRIu64,
			       ds_history_src_name(i), c->by_src[i], c->rate[i]);
	}
	top_lines__add(l, TA_TEXT, "%-12s %12" PRIu64, "total", c->events);
	if (c->have_stats)
		top_lines__add(l, c->stats.dropped ? TA_ALERT : TA_TEXT,
			       "ring buffer: %" PRIu64 " received, %" PRIu64 " dropped, %" PRIu64
			       " names dropped, %" PRIu64 " waits unmatched",
			       (uint64_t)c->stats.received,
			       (uint64_t)c->stats.dropped, (uint64_t)c->stats.names_dropped,
			       (uint64_t)c->stats.waits_unmatched);
	else
		top_lines__add(l, TA_DIM, "ring buffer: no drop counters yet");
	if (t->missing[0])
		top_lines__add(l, TA_DIM, "not attached on this kernel: %.200s", t->missing);
	else if (c->have_source && c->source.names[0])
		top_lines__add(l, TA_DIM, "not attached when recorded: %.200s", c->source.names);
	top_lines__add(l, TA_TEXT, "%s", "");
	top_lines__add(l, ft->hangs ? TA_ALERT : TA_TEXT,
		       "fences:    %" PRIu64 " waits, %" PRIu64 " pending, %" PRIu64 " hangs",
		       ft->waits, ft->pending, ft->hangs);
	top_lines__add(l, dt->maps_after_revoke ? TA_ALERT : TA_TEXT,
		       "dma-buf:   %" PRIu64 " buffers, %" PRIu64 " revocations done, %" PRIu64
		       " maps after revoke", dt->buffers, dt->revokes_done, dt->maps_after_revoke);
	ds_vpr_model__stats(t->vpr, &vs);
	top_lines__add(l, vs.failed ? TA_ALERT : TA_TEXT,
		       "VPR:       %" PRIu64 " resizes, %" PRIu64 " grow, %" PRIu64 " shrink, %"
		       PRIu64 " failed", vs.resizes, vs.grows, vs.shrinks, vs.failed);
	ds_dept_live__stats(t->dept, &ds);
	top_lines__add(l, ds.circles || ds.cycle_edges ? TA_ALERT : TA_TEXT,
		       "DEPT:      %" PRIu64 " classes, %" PRIu64 " edges, %" PRIu64 " circles",
		       ds.classes, ds.edges, ds.circles);
	if (!t->log_nr)
		return;
	top_lines__add(l, TA_TEXT, "%s", "");
	top_lines__add(l, TA_HEAD, "%s", "MESSAGES");
	n = t->log_nr < 5 ? t->log_nr : 5;
	for (i = t->log_nr - n; i < t->log_nr; i++) {
		unsigned int k = (t->log_head + TOP_LOG_LINES - t->log_nr + i) % TOP_LOG_LINES;

		top_lines__add(l, TA_DIM, "%s", t->log[k]);
	}
}

/* ---- Fences ---- */

/* The log2 histogram of a timeline over slots [lo, lo + w), one character a slot. */
static void sparkline(const struct top *t, const struct ds_hist *h, unsigned int lo,
		      unsigned int w, char *buf, size_t len)
{
	static const char *const utf8[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
					    "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = " _.-:=+*#";
	uint64_t max = 0, v;
	unsigned int i, lv;
	size_t o = 0;

	for (i = 0; i < w; i++) {
		v = ds_hist__log2_count(h, lo + i);
		if (v > max)
			max = v;
	}
	buf[0] = '\0';
	for (i = 0; i < w && o + 4 < len; i++) {
		v = ds_hist__log2_count(h, lo + i);
		/* any count shows: the first level is for the smallest nonzero */
		lv = !v ? 0 : 1 + (unsigned int)((v - 1) * 7 / (max ? max : 1));
		if (t->utf8)
			o += snprintf(buf + o, len - o, "%s", utf8[lv]);
		else
			buf[o++] = ascii[lv];
	}
	buf[o] = '\0';
}

static void render_fences(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_fence_totals *ft = ds_fence_model__totals(t->fence);
	const struct ds_fence_timeline *const *tls;
	const struct ds_fence_wait *const *ws;
	unsigned int lo = DS_HIST_LOG2, hi = 0, s;
	char lab[96], a[16], b[16], c[16], sp[SPARK_W * 4 + 1];
	uint64_t now = now_of(t);
	size_t n, i;

	n = ds_fence_model__timelines(t->fence, &tls);
	title(l, "Fences", "%zu timelines, %" PRIu64 " waits, %" PRIu64 " pending, %" PRIu64
	      " hangs", n, ft->waits, ft->pending, ft->hangs);
	/* one slot range for all rows, so the columns line up */
	for (i = 0; i < n; i++)
		for (s = 0; s < DS_HIST_LOG2; s++)
			if (ds_hist__log2_count(&tls[i]->hist, s)) {
				lo = s < lo ? s : lo;
				hi = s > hi ? s : hi;
			}
	if (lo > hi)
		lo = hi = 0;
	if (hi - lo + 1 > SPARK_W)
		lo = hi + 1 - SPARK_W;
	top_lines__add(l, TA_HEAD, "%-28s %7s %9s %9s %9s  %s", "TIMELINE", "WAITS", "P50", "P99",
		       "MAX", "LOG2 HIST");
	for (i = 0; i < n && i < rows; i++) {
		const struct ds_fence_timeline *tl = tls[i];

		sparkline(t, &tl->hist, lo, hi - lo + 1, sp, sizeof(sp));
		top_lines__add(l, tl->hangs ? TA_ALERT : TA_TEXT, "%-28.28s %7" PRIu64
			       " %9s %9s %9s  %s", ds_fence_timeline__label(tl, lab, sizeof(lab)),
			       tl->waits, dur(ds_hist__percentile(&tl->hist, 50), a, sizeof(a)),
			       dur(ds_hist__percentile(&tl->hist, 99), b, sizeof(b)),
			       dur(tl->hist.max, c, sizeof(c)), sp);
	}
	if (n > rows)
		top_lines__add(l, TA_DIM, "... %zu more timelines", n - rows);

	n = ds_fence_model__pending(t->fence, &ws);
	snprintf(a, sizeof(a), "PENDING (%zu)", n);
	top_lines__add(l, TA_HEAD, "%-12s %-9s %-24s %-16s %s", a, "AGE", "TIMELINE", "COMM",
		       "PID/TID");
	for (i = 0; i < n && i < LIST_MAX; i++) {
		const struct ds_fence_timeline *tl = ds_fence_model__timeline(t->fence,
									      ws[i]->context);

		snprintf(lab, sizeof(lab), "context %" PRIu64, ws[i]->context);
		top_lines__add(l, ws[i]->hang_reported ? TA_ALERT : TA_TEXT,
			       "%-12s %-9s %-24.24s %-16s %u/%u%s", "",
			       dur(now > ws[i]->start_ts ? now - ws[i]->start_ts : 0, a, sizeof(a)),
			       tl ? ds_fence_timeline__label(tl, lab, sizeof(lab)) : lab,
			       ws[i]->comm, ws[i]->pid, ws[i]->tid,
			       ws[i]->hang_reported ? "  HANG" : "");
	}
	n = ds_fence_model__top(t->fence, &ws);
	top_lines__add(l, TA_HEAD, "%-12s %-9s %-24s %-16s %s", "LONGEST", "WAITED", "TIMELINE",
		       "COMM", "PID/TID");
	for (i = 0; i < n && i < LIST_MAX; i++) {
		const struct ds_fence_timeline *tl = ds_fence_model__timeline(t->fence,
									      ws[i]->context);

		snprintf(lab, sizeof(lab), "context %" PRIu64, ws[i]->context);
		top_lines__add(l, TA_TEXT, "%-12s %-9s %-24.24s %-16s %u/%u", "",
			       dur(ws[i]->duration_ns, a, sizeof(a)),
			       tl ? ds_fence_timeline__label(tl, lab, sizeof(lab)) : lab,
			       ws[i]->comm, ws[i]->pid, ws[i]->tid);
	}
}

/* ---- dma-buf ---- */

static bool is_dmabuf(unsigned int type)
{
	return type >= DS_EV_DMABUF_EXPORT && type <= DS_EV_DMABUF_LAST;
}

static void dmabuf_line(const struct top *t, const struct ds_dmabuf_event *e, char *buf,
			size_t len)
{
	int o;

	o = snprintf(buf, len, "%10.6f %-16s ino %-8" PRIu64 " %-12.32s %10" PRIu64 " B  %s %u",
		     rel(t, e->hdr.ts), ds_dmabuf_type_short(e->hdr.type), (uint64_t)e->ino,
		     e->exp_name, (uint64_t)e->size, e->comm, e->hdr.pid);
	if (o < 0 || (size_t)o >= len)
		return;
	if (e->hdr.type == DS_EV_DMABUF_ATTACH || e->hdr.type == DS_EV_DMABUF_DETACH ||
	    e->hdr.type == DS_EV_DMABUF_MAP || e->hdr.type == DS_EV_DMABUF_UNMAP)
		o += snprintf(buf + o, len - o, "  dev %.32s", e->dev_name);
	if ((size_t)o < len && e->hdr.type == DS_EV_DMABUF_BEGIN_CPU)
		o += snprintf(buf + o, len - o, "  waited %.3f ms", e->duration_ns / 1e6);
	if ((size_t)o < len && e->ret)
		snprintf(buf + o, len - o, "  error %d", e->ret);
}

static void render_dmabuf(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_dmabuf_totals *dt = ds_dmabuf_model__totals(t->dmabuf);
	const struct ds_dmabuf_buffer *const *bufs;
	const struct ds_dmabuf_revocation *rv;
	const struct ds_event_hdr *ev;
	size_t nb, nr, i, live = 0, shown = 0, first, start = l->nr, budget;
	char line[256], a[16], b[16], c[16];

	nb = ds_dmabuf_model__buffers(t->dmabuf, &bufs);
	for (i = 0; i < nb; i++)
		live += !bufs[i]->released;
	nr = ds_dmabuf_model__revocations(t->dmabuf, &rv);
	title(l, "dma-buf", "%zu buffers (%zu live), %" PRIu64 " events, %zu revocations, %"
	      PRIu64 " maps after revoke", nb, live, dt->events, nr, dt->maps_after_revoke);

	top_lines__add(l, TA_HEAD, "%-13s %10s %-10s %-8s %-28s %s", "REVOCATIONS", "START s",
		       "LATENCY", "INO", "STATUS", "WAITS (fence/unmap)");
	first = nr > LIST_MAX ? nr - LIST_MAX : 0;
	for (i = first; i < nr; i++) {
		const struct ds_dmabuf_revocation *r = &rv[i];
		char st[64] = "invalidate";

		if (r->vfio)
			snprintf(st, sizeof(st), "%s->%s (%s)", ds_vfio_status_name(r->old_status),
				 ds_vfio_status_name(r->new_status), ds_vfio_cause_name(r->cause));
		top_lines__add(l, r->end_ts ? TA_TEXT : TA_ALERT,
			       "%-13s %10.6f %-10s %-8" PRIu64 " %-28s %s/%s", "",
			       rel(t, r->start_ts),
			       r->end_ts ? dur(r->end_ts - r->start_ts, a, sizeof(a)) : "PENDING",
			       r->ino, st, r->vfio ? dur(r->fence_wait_ns, b, sizeof(b)) : "-",
			       r->vfio ? dur(r->unmap_wait_ns, c, sizeof(c)) : "-");
	}
	/* the newest lifecycle events, oldest first, in the rows the revocations left */
	budget = l->nr - start + 2 < rows ? rows - (l->nr - start + 2) : 3;
	top_lines__add(l, TA_HEAD, "%10s %-16s %-12s %-12s %12s  %s", "TIME s", "RECENT EVENT",
		       "INODE", "EXPORTER", "SIZE", "COMM PID");
	for (i = 0; i < ds_history__nr_events(t->hist) && shown < budget; i++)
		shown += is_dmabuf(ds_history__event(t->hist, i)->type);
	for (; i > 0; i--) {
		ev = ds_history__event(t->hist, i - 1);
		if (!is_dmabuf(ev->type))
			continue;
		dmabuf_line(t, (const void *)ev, line, sizeof(line));
		top_lines__add(l, TA_TEXT, "%s", line);
	}
}

/* ---- VPR ---- */

static void render_vpr(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_vpr_size_point *sz;
	struct ds_vpr_stats st;
	uint32_t nsz, i, first;
	size_t n;
	char line[256];

	ds_vpr_model__stats(t->vpr, &st);
	title(l, "VPR", "%" PRIu64 " resizes: %" PRIu64 " grow, %" PRIu64 " shrink, %" PRIu64
	      " failed%s", st.resizes, st.grows, st.shrinks, st.failed,
	      st.inferred ? "; phases inferred" : "");
	top_lines__add(l, TA_HEAD, "%10s  %-8s %22s  %11s %12s  %s", "TIME ms", "KIND",
		       "SIZE MiB", "CHUNKS", "TOTAL", "STEPS ms");
	n = ds_history__nr_resizes(t->hist);
	for (i = n > rows ? rows : n; i > 0; i--) {
		const struct ds_vpr_resize *r = ds_history__resize(t->hist, i - 1);

		ds_vpr_resize__format(r, ds_history__resize_t0(t->hist), t->slow_ns, line,
				      sizeof(line));
		top_lines__add(l, strstr(line, "FAILED") || strstr(line, "SLOW") ||
			       !r->complete ? TA_ALERT : TA_TEXT, "%s", line);
	}
	sz = ds_vpr_model__sizes(t->vpr, &nsz);
	top_lines__add(l, TA_HEAD, "SIZE OVER TIME (%u)", nsz);
	first = nsz > LIST_MAX ? nsz - LIST_MAX : 0;
	for (i = first; i < nsz; i++) {
		uint64_t t0 = ds_history__resize_t0(t->hist);
		unsigned int bar = (unsigned int)(sz[i].size >> 24);	/* a mark per 16 MiB */

		if (!t0 || t0 > sz[i].ts)
			t0 = sz[0].ts;
		top_lines__add(l, TA_TEXT, "  %10.3f  %#" PRIx64 " %8.1f MiB  %.*s",
			       (sz[i].ts - t0) / 1e6, sz[i].base, sz[i].size / 1048576.0,
			       bar > 40 ? 40 : (int)bar,
			       "########################################");
	}
}

/* ---- Events ---- */

static void event_line(const struct top *t, const struct ds_event_hdr *ev, char *buf,
		       size_t len)
{
	const struct ds_fence_event *f = (const void *)ev;
	const struct ds_vpr_event *v = (const void *)ev;
	int o;

	o = snprintf(buf, len, "%10.6f %3u %7u %7u %-22s", rel(t, ev->ts), ev->cpu, ev->pid,
		     ev->tid, ds_event_type_name(ev->type));
	if (o < 0 || (size_t)o >= len)
		return;
	switch (ds_history_src_of(ev->type)) {
	case DS_HSRC_FENCE:
		if (ev->type == DS_EV_FENCE_NAME) {
			const struct ds_fence_name_event *n = (const void *)ev;

			snprintf(buf + o, len - o, " %.64s/%.64s", n->driver, n->timeline);
			break;
		}
		o += snprintf(buf + o, len - o, " ctx %" PRIu64 " seq %" PRIu64 " %.16s",
			      (uint64_t)f->context, (uint64_t)f->seqno, f->comm);
		if ((size_t)o < len && ev->type == DS_EV_FENCE_WAIT_END)
			snprintf(buf + o, len - o, " waited %.3f ms", f->duration_ns / 1e6);
		break;
	case DS_HSRC_DMABUF: {
		const struct ds_dmabuf_event *d = (const void *)ev;

		snprintf(buf + o, len - o, " ino %" PRIu64 " %.32s %.16s", (uint64_t)d->ino,
			 d->exp_name, d->comm);
		break;
	}
	case DS_HSRC_VPR:
		snprintf(buf + o, len - o, " seq %u base %#" PRIx64 " size %#" PRIx64 " %.32s",
			 v->seq, (uint64_t)v->base, (uint64_t)v->size, v->name);
		break;
	case DS_HSRC_DEPT:
		if (ev->type == DS_EV_DEPT_CLASS) {
			const struct ds_dept_class_event *c = (const void *)ev;

			snprintf(buf + o, len - o, " %.96s", c->name);
		}
		break;
	default:
		break;
	}
}

static void render_events(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_event_hdr *ev;
	size_t i, n = ds_history__nr_events(t->hist), shown = 0;
	char line[256];

	title(l, "Events", "the newest %zu of %" PRIu64 "%s%s%s", n,
	      ds_history__counts(t->hist)->events, t->filter[0] ? ", filter '" : "", t->filter,
	      t->filter[0] ? "'" : "");
	top_lines__add(l, TA_HEAD, "%10s %3s %7s %7s %-22s %s", "TIME s", "CPU", "PID", "TID",
		       "EVENT", "DETAILS");
	/* newest at the bottom, as a log scrolls: find the oldest to show first */
	for (i = 0; i < n && shown < rows; i++) {
		event_line(t, ds_history__event(t->hist, i), line, sizeof(line));
		shown += !t->filter[0] || strstr(line, t->filter);
	}
	for (; i > 0; i--) {
		ev = ds_history__event(t->hist, i - 1);
		event_line(t, ev, line, sizeof(line));
		if (t->filter[0] && !strstr(line, t->filter))
			continue;
		top_lines__add(l, TA_TEXT, "%s", line);
	}
}

/* ---- Graph ---- */

static void render_graph(struct top *t, struct top_lines *l, unsigned int rows)
{
	struct ds_dept_live_stats st;
	uint32_t nc, i;

	ds_dept_live__stats(t->dept, &st);
	nc = ds_graph__nr_classes(t->graph);
	title(l, "DEPT graph", "%u classes, %u edges, %" PRIu64 " edges closed a cycle, %" PRIu64
	      " circles", nc, ds_graph__nr_edges(t->graph), st.cycle_edges, st.circles);
	if (st.unknown_keys || st.malformed)
		top_lines__add(l, TA_ALERT, "%" PRIu64 " dependencies on unknown classes, %" PRIu64
			       " malformed records", st.unknown_keys, st.malformed);
	top_lines__add(l, TA_HEAD, "%-60s %s", "CLASS", "WAITS ON");
	for (i = 0; i < nc && i < rows; i++)
		top_lines__add(l, TA_TEXT, "%-60.60s %u", ds_graph__class_name(t->graph, i),
			       ds_graph__out_nr(t->graph, i));
	if (nc > rows)
		top_lines__add(l, TA_DIM, "... %u more classes", nc - rows);
}

void top_pane__render(struct top *t, enum top_pane pane, struct top_lines *l, int rows)
{
	unsigned int r = rows > 0 ? (unsigned int)rows : 20;

	switch (pane) {
	case PANE_OVERVIEW:
		render_overview(t, l);
		break;
	case PANE_FENCES:
		render_fences(t, l, r);
		break;
	case PANE_DMABUF:
		render_dmabuf(t, l, r);
		break;
	case PANE_VPR:
		render_vpr(t, l, r);
		break;
	case PANE_EVENTS:
		render_events(t, l, r);
		break;
	case PANE_GRAPH:
		render_graph(t, l, r);
		break;
	default:
		break;
	}
}
