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
	l->v[l->nr].selected = false;
	va_start(ap, fmt);
	vsnprintf(l->v[l->nr].text, sizeof(l->v[l->nr].text), fmt, ap);
	va_end(ap);
	l->nr++;
}

/*
 * A row longer than the screen is as wide goes on indented lines, cut
 * where its fields are (two spaces), else between words: the tail of a
 * row (a resize's steps, a cycle) is what the user came for.  In --batch
 * (t->cols 0) a row stays one line, as the CLI prints it.
 */
static void add_wrapped(const struct top *t, struct top_lines *l, enum top_attr a,
			const char *text, int indent)
{
	const char *p = text;
	int avail = t->cols, n, cut, i, first = 1;

	if (t->cols <= indent + 20 || (int)strlen(text) <= t->cols) {
		top_lines__add(l, a, "%s", text);
		return;
	}
	while ((n = (int)strlen(p)) > avail) {
		cut = 0;
		for (i = avail; i > avail / 3 && !cut; i--)
			if (p[i] == ' ' && p[i + 1] == ' ' && p[i - 1] != ' ')
				cut = i;
		for (i = avail; i > avail / 3 && !cut; i--)
			if (p[i] == ' ' && p[i - 1] != ' ')
				cut = i;
		if (!cut)
			cut = avail;
		top_lines__add(l, a, "%*s%.*s", first ? 0 : indent, "", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = 0;
		avail = t->cols - indent;
	}
	if (*p)
		top_lines__add(l, a, "%*s%s", first ? 0 : indent, "", p);
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

static void title(const struct top *t, struct top_lines *l, const char *name,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void title(const struct top *t, struct top_lines *l, const char *name,
		  const char *fmt, ...)
{
	char text[256];
	va_list ap;
	int n;

	n = snprintf(text, sizeof(text), "%s: ", name);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(text))
		vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	va_end(ap);
	add_wrapped(t, l, TA_TITLE, text, 2);
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
		title(t, l, "Overview", "%s: %s%s", t->input, top_pace__status(t->pace),
		      top_pace__paused(t->pace) ? " [paused]" : "");
	else
		title(t, l, "Overview", "live: %s",
		      t->attached[0] ? t->attached : "nothing attached");
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
	/* which source lost them: the one whose ring needs --buffer-kb */
	for (i = 0; c->have_stats && c->stats.dropped && i < DS_NR_SOURCES; i++)
		if ((c->ring.have & (1u << i)) && c->ring.src[i].dropped)
			top_lines__add(l, TA_ALERT, "  %-10s %" PRIu64 " received, %" PRIu64
				       " dropped", ds_source_name(1u << i),
				       (uint64_t)c->ring.src[i].received,
				       (uint64_t)c->ring.src[i].dropped);
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
	if (ds.evictions)
		top_lines__add(l, TA_DIM, "           the class cap (%u) forgot the oldest %" PRIu64
			       " classes", t->max_classes, ds.classes_evicted);
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

/* A timeline's percentile; "-" before its first completed wait, not a zero. */
static const char *pct(const struct ds_fence_timeline *tl, unsigned int p, char *buf, size_t len)
{
	return tl->waits ? dur(ds_hist__percentile(&tl->hist, p), buf, len) : "-";
}

static int cmp_timeline(const void *a, const void *b, void *ctx)
{
	const struct ds_fence_timeline *x = *(const struct ds_fence_timeline *const *)a;
	const struct ds_fence_timeline *y = *(const struct ds_fence_timeline *const *)b;
	unsigned int key = *(const unsigned int *)ctx;
	uint64_t vx, vy;
	int c;

	switch (key) {
	case 1:
		vx = ds_hist__percentile(&x->hist, 99);
		vy = ds_hist__percentile(&y->hist, 99);
		break;
	case 2:
		vx = x->hist.max;
		vy = y->hist.max;
		break;
	case 3:
		c = strcmp(x->driver, y->driver);
		if (!c)
			c = strcmp(x->timeline, y->timeline);
		if (c)
			return c;
		return x->context < y->context ? -1 : x->context > y->context;
	default:
		vx = x->waits;
		vy = y->waits;
		break;
	}
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return x->context < y->context ? -1 : x->context > y->context;
}

static void render_fences(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_fence_totals *ft = ds_fence_model__totals(t->fence);
	const struct ds_fence_timeline *const *tls;
	const struct ds_fence_wait *const *ws;
	unsigned int lo = DS_HIST_LOG2, hi = 0, s;
	char lab[96], a[16], b[16], c[16], sp[SPARK_W * 4 + 1];
	const struct ds_fence_timeline **sorted;
	uint64_t now = now_of(t);
	size_t n, i;

	n = ds_fence_model__timelines(t->fence, &tls);
	title(t, l, "Fences", "%zu timelines, %" PRIu64 " waits, %" PRIu64 " pending, %" PRIu64
	      " hangs; by %s", n, ft->waits, ft->pending, ft->hangs,
	      top_sort_name(t, PANE_FENCES));
	/* the model's array is its own: sort a copy */
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted) {
		top_lines__add(l, TA_ALERT, "%s", "out of memory");
		return;
	}
	memcpy(sorted, tls, n * sizeof(*sorted));
	qsort_r(sorted, n, sizeof(*sorted), cmp_timeline, &t->sort[PANE_FENCES]);
	tls = sorted;
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
			       tl->waits, pct(tl, 50, a, sizeof(a)), pct(tl, 99, b, sizeof(b)),
			       tl->waits ? dur(tl->hist.max, c, sizeof(c)) : "-", sp);
	}
	if (n > rows)
		top_lines__add(l, TA_DIM, "... %zu more timelines", n - rows);
	free(sorted);

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

static uint64_t rev_latency(const struct ds_dmabuf_revocation *r, uint64_t now)
{
	uint64_t end = r->end_ts ? r->end_ts : now;

	return end > r->start_ts ? end - r->start_ts : 0;
}

struct rev_sort {
	const struct ds_dmabuf_revocation *rv;
	uint64_t now;
};

/* Longest first, then the order they started. */
static int cmp_rev_latency(const void *a, const void *b, void *ctx)
{
	const struct rev_sort *rs = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint64_t lx = rev_latency(&rs->rv[x], rs->now), ly = rev_latency(&rs->rv[y], rs->now);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* What an importer or exporter got wrong: one line each, none if all is well. */
static void dmabuf_anomalies(struct top *t, struct top_lines *l,
			     const struct ds_dmabuf_buffer *const *bufs, size_t nb, uint64_t now)
{
	size_t i, shown = 0, start = l->nr;
	char a[16];

	top_lines__add(l, TA_HEAD, "%s", "ANOMALIES");
	for (i = 0; i < nb && shown < LIST_MAX; i++) {
		const struct ds_dmabuf_buffer *b = bufs[i];

		if (b->maps_after_revoke) {
			top_lines__add(l, TA_ALERT, "  ino %-8" PRIu64 " %-12.32s %" PRIu64
				       " map(s) succeeded while revoked (vfio %s)",
				       (uint64_t)b->ino, b->exp_name, b->maps_after_revoke,
				       ds_vfio_status_name(b->vfio_status));
			shown++;
		}
		if (b->revoke_ts && b->mapped > 0 && now > b->revoke_ts + TOP_UNMAP_NS) {
			top_lines__add(l, TA_ALERT, "  ino %-8" PRIu64 " %-12.32s still mapped %s "
				       "after its invalidation (importer %s)", (uint64_t)b->ino,
				       b->exp_name, dur(now - b->revoke_ts, a, sizeof(a)),
				       b->last_importer[0] ? b->last_importer : "?");
			shown++;
		}
	}
	if (l->nr == start + 1)
		top_lines__add(l, TA_DIM, "%s", "  none");
}

static void render_dmabuf(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_dmabuf_totals *dt = ds_dmabuf_model__totals(t->dmabuf);
	const struct ds_dmabuf_buffer *const *bufs;
	const struct ds_dmabuf_revocation *rv;
	const struct ds_event_hdr *ev;
	size_t nb, nr, i, k, live = 0, shown = 0, first, start = l->nr, budget, *order;
	char line[256], a[16], b[16], c[16];
	uint64_t now = now_of(t);
	struct rev_sort rs;

	nb = ds_dmabuf_model__buffers(t->dmabuf, &bufs);
	for (i = 0; i < nb; i++)
		live += !bufs[i]->released;
	nr = ds_dmabuf_model__revocations(t->dmabuf, &rv);
	title(t, l, "dma-buf", "%zu buffers (%zu live), %" PRIu64 " events, %zu revocations, %"
	      PRIu64 " maps after revoke; revocations by %s", nb, live, dt->events, nr,
	      dt->maps_after_revoke, top_sort_name(t, PANE_DMABUF));

	top_lines__add(l, TA_HEAD, "%10s %-9s %-8s %-28s %9s %9s", "REVOKED s", "LATENCY",
		       "INO", "STATUS", "FENCE", "UNMAP");
	order = malloc((nr ? nr : 1) * sizeof(*order));
	if (!order) {
		top_lines__add(l, TA_ALERT, "%s", "out of memory");
		return;
	}
	for (i = 0; i < nr; i++)
		order[i] = i;
	rs.rv = rv;
	rs.now = now;
	/* by start: the newest LIST_MAX in order; by latency: the longest LIST_MAX */
	if (t->sort[PANE_DMABUF] == 1)
		qsort_r(order, nr, sizeof(*order), cmp_rev_latency, &rs);
	first = t->sort[PANE_DMABUF] == 1 ? 0 : nr > LIST_MAX ? nr - LIST_MAX : 0;
	for (k = first; k < nr && k < first + LIST_MAX; k++) {
		const struct ds_dmabuf_revocation *r = &rv[order[k]];
		char st[64] = "invalidate";

		if (r->vfio)
			snprintf(st, sizeof(st), "%s->%s (%s)", ds_vfio_status_name(r->old_status),
				 ds_vfio_status_name(r->new_status), ds_vfio_cause_name(r->cause));
		top_lines__add(l, r->end_ts ? TA_TEXT : TA_ALERT,
			       "%10.6f %-9s %-8" PRIu64 " %-28s %9s %9s", rel(t, r->start_ts),
			       r->end_ts ? dur(r->end_ts - r->start_ts, a, sizeof(a)) : "PENDING",
			       r->ino, st, r->vfio ? dur(r->fence_wait_ns, b, sizeof(b)) : "-",
			       r->vfio ? dur(r->unmap_wait_ns, c, sizeof(c)) : "-");
	}
	free(order);
	dmabuf_anomalies(t, l, bufs, nb, now);
	/* the newest lifecycle events, oldest first, in the rows the rest left */
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

static void vpr_line(struct top *t, struct top_lines *l, const struct ds_vpr_resize *r)
{
	char line[256];

	ds_vpr_resize__format(r, ds_history__resize_t0(t->hist), t->slow_ns, line, sizeof(line));
	/* the steps wrap under the total: the phase breakdown stays on screen */
	add_wrapped(t, l, strstr(line, "FAILED") || strstr(line, "SLOW") || !r->complete ?
		    TA_ALERT : TA_TEXT, line, 12);
}

static int cmp_resize(const void *a, const void *b)
{
	const struct ds_vpr_resize *x = *(const struct ds_vpr_resize *const *)a;
	const struct ds_vpr_resize *y = *(const struct ds_vpr_resize *const *)b;

	if (x->duration_ns != y->duration_ns)
		return x->duration_ns > y->duration_ns ? -1 : 1;
	return x->begin_ts < y->begin_ts ? -1 : x->begin_ts > y->begin_ts;
}

/* The @rows longest of the @n resizes kept, longest first. */
static void vpr_by_duration(struct top *t, struct top_lines *l, size_t rows, size_t n)
{
	const struct ds_vpr_resize **v = malloc(n * sizeof(*v));
	size_t i;

	if (!v) {
		top_lines__add(l, TA_ALERT, "%s", "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		v[i] = ds_history__resize(t->hist, i);
	qsort(v, n, sizeof(*v), cmp_resize);
	for (i = 0; i < rows; i++)
		vpr_line(t, l, v[i]);
	free(v);
}

static void render_vpr(struct top *t, struct top_lines *l, unsigned int rows)
{
	const struct ds_vpr_size_point *sz;
	struct ds_vpr_stats st;
	uint32_t nsz, i, first;
	size_t n;

	ds_vpr_model__stats(t->vpr, &st);
	title(t, l, "VPR", "%" PRIu64 " resizes: %" PRIu64 " grow, %" PRIu64 " shrink, %" PRIu64
	      " failed%s; by %s", st.resizes, st.grows, st.shrinks, st.failed,
	      st.inferred ? "; phases inferred" : "", top_sort_name(t, PANE_VPR));
	top_lines__add(l, TA_HEAD, "%10s  %-8s %22s  %11s %12s  %s", "TIME ms", "KIND",
		       "SIZE MiB", "CHUNKS", "TOTAL", "STEPS ms");
	n = ds_history__nr_resizes(t->hist);
	if (t->sort[PANE_VPR] == 1 && n)
		vpr_by_duration(t, l, n < rows ? n : rows, n);
	else
		for (i = n > rows ? rows : n; i > 0; i--)
			vpr_line(t, l, ds_history__resize(t->hist, i - 1));
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

static const char *dept_class_of(const struct top *t, uint64_t key)
{
	uint32_t id = ds_dept_live__class_of(t->dept, key);

	return id == DS_GRAPH_NONE ? "?" : ds_graph__class_name(t->graph, id);
}

/* What a DEPT record says, in the words of the graph: classes by name. */
static void dept_details(const struct top *t, const struct ds_event_hdr *ev, char *buf,
			 size_t len)
{
	static const char *const points[] = { "[S]", "[W]", "[E]", "wake" };
	const struct ds_dept_class_event *c = (const void *)ev;
	const struct ds_dept_dep_event *d = (const void *)ev;
	const struct ds_dept_circle_event *ci = (const void *)ev;
	const struct ds_dept_stack_event *st = (const void *)ev;
	const struct ds_dept_health_event *h = (const void *)ev;

	/* a record shorter than its type is not read past its size */
	switch (ev->type) {
	case DS_EV_DEPT_CLASS:
		if (ev->size >= sizeof(*c))
			snprintf(buf, len, " %.96s", c->name);
		break;
	case DS_EV_DEPT_DEP:
	case DS_EV_DEPT_CIRCLE_DEP:
		if (ev->size < sizeof(*d))
			break;
		if (ev->type == DS_EV_DEPT_CIRCLE_DEP)
			snprintf(buf, len, " circle %u %c: %.60s -> %.60s (%.48s / %.48s)",
				 d->circle, 'A' + (char)(d->idx % 26), dept_class_of(t, d->fkey),
				 dept_class_of(t, d->tkey), d->wait_fn, d->event_fn);
		else
			snprintf(buf, len, " %.60s -> %.60s (%.48s / %.48s)",
				 dept_class_of(t, d->fkey), dept_class_of(t, d->tkey), d->wait_fn,
				 d->event_fn);
		break;
	case DS_EV_DEPT_CIRCLE:
		if (ev->size >= sizeof(*ci))
			snprintf(buf, len, " circle %u, %u contexts", ci->circle, ci->nr);
		break;
	case DS_EV_DEPT_STACK:
		if (ev->size >= DS_DEPT_STACK_BASE_SIZE)
			snprintf(buf, len, " circle %u %c %s: %u frames", st->circle,
				 'A' + (char)(st->idx % 26),
				 st->point >= 0 && st->point < 4 ? points[st->point] : "?",
				 ds_dept_stack_event__nr(st));
		break;
	case DS_EV_DEPT_HEALTH:
		if (ev->size >= sizeof(*h))
			snprintf(buf, len, " %s %.16s", ds_dept_health_what_name(h->what), h->pool);
		break;
	default:
		break;
	}
}

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
		dept_details(t, ev, buf + o, len - o);
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

	title(t, l, "Events", "the newest %zu of %" PRIu64 ", %s%s%s%s", n,
	      ds_history__counts(t->hist)->events, top_sort_name(t, PANE_EVENTS),
	      t->filter[0] ? ", filter '" : "", t->filter, t->filter[0] ? "'" : "");
	top_lines__add(l, TA_HEAD, "%10s %3s %7s %7s %-22s %s", "TIME s", "CPU", "PID", "TID",
		       "EVENT", "DETAILS");
	if (t->sort[PANE_EVENTS] == 1) {
		/* newest first: every record kept, the older ones a scroll away */
		for (i = 0; i < n; i++) {
			event_line(t, ds_history__event(t->hist, i), line, sizeof(line));
			if (!t->filter[0] || strstr(line, t->filter))
				top_lines__add(l, TA_TEXT, "%s", line);
		}
		return;
	}
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

#define NEIGH_MAX	200	/* neighbours listed in a class's view */
#define CLASSES_MAX	500	/* classes listed, by the sort order */

static bool item_eq(const struct top_item *a, const struct top_item *b)
{
	return a->kind == b->kind && a->id == b->id && a->nth == b->nth;
}

/* A line the cursor can stop on; Enter opens @kind @id. */
static void item(struct top *t, struct top_lines *l, enum top_gview kind, uint64_t id,
		 enum top_attr a, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void item(struct top *t, struct top_lines *l, enum top_gview kind, uint64_t id,
		 enum top_attr a, const char *fmt, ...)
{
	struct top_item it = { .kind = kind, .id = id };
	char text[256];
	unsigned int i;
	size_t first;
	va_list ap;
	bool sel;

	/* a class twice in one view ([S] and [E]): the cursor tells them apart */
	for (i = 0; i < t->nr_items; i++)
		it.nth += t->items[i].kind == kind && t->items[i].id == id;
	sel = t->cursor && t->sel_set && item_eq(&t->sel, &it);
	va_start(ap, fmt);
	text[0] = sel ? '>' : ' ';
	text[1] = ' ';
	vsnprintf(text + 2, sizeof(text) - 2, fmt, ap);
	va_end(ap);
	first = l->nr;
	/* a long row (a cycle) goes on under itself; the cursor is on its first line */
	add_wrapped(t, l, a, text, 6);
	if (l->nr == first)
		return;
	if (sel) {
		l->v[first].selected = true;
		t->sel_line = (int)first;
	}
	if (t->nr_items < TOP_ITEMS_MAX) {
		it.line = (int)first;
		t->items[t->nr_items++] = it;
	}
}

static const struct ds_dept_report *circle_by_ts(const struct top *t, uint64_t ts,
						 const struct ds_dept_circle_info **info)
{
	const struct ds_dept_report *r;
	size_t i;

	for (i = 0; (r = ds_history__circle(t->hist, i, info)); i++)
		if ((*info)->ts == ts)
			return r;
	return NULL;
}

static const char *class_label(const struct top *t, uint32_t id, char *buf, size_t len)
{
	int sub = ds_graph__class_sub(t->graph, id);

	if (sub >= 0)
		snprintf(buf, len, "%s:%d", ds_graph__class_name(t->graph, id), sub);
	else
		snprintf(buf, len, "%s", ds_graph__class_name(t->graph, id));
	return buf;
}

/* "x3    A: wait_fn / event_fn (source)": an edge's count and first detail. */
static void edge_detail(const struct top *t, uint32_t e, char *buf, size_t len)
{
	struct ds_graph_dep d = {};
	uint32_t n = 0;
	char ctx[4] = "";
	int o;

	o = snprintf(buf, len, "x%-4" PRIu64, ds_graph__edge_count(t->graph, e));
	if (o < 0 || (size_t)o >= len || ds_graph__edge_detail(t->graph, e, 0, &d, &n))
		return;
	if (d.ctx)
		snprintf(ctx, sizeof(ctx), "%c: ", d.ctx);
	/* the live graph's own source goes without saying; a report's bucket does not */
	if (d.source && !strcmp(d.source, "tracepoint"))
		d.source = NULL;
	snprintf(buf + o, len - o, " %s%s / %s%s%s", ctx, d.wait_fn && d.wait_fn[0] ?
		 d.wait_fn : "?", d.event_fn && d.event_fn[0] ? d.event_fn : "?",
		 d.source && d.source[0] ? "  " : "", d.source ? d.source : "");
}

struct class_sort {
	const struct ds_graph *g;
	const struct ds_graph_sccs *s;
	unsigned int key;
};

static int cmp_class(const void *a, const void *b, void *ctx)
{
	const struct class_sort *cs = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t dx = ds_graph__out_nr(cs->g, x) + ds_graph__in_nr(cs->g, x);
	uint32_t dy = ds_graph__out_nr(cs->g, y) + ds_graph__in_nr(cs->g, y);
	bool cx = cs->s->scc_of && cs->s->scc_of[x] != DS_GRAPH_NONE;
	bool cy = cs->s->scc_of && cs->s->scc_of[y] != DS_GRAPH_NONE;
	int c;

	switch (cs->key) {
	case 0:		/* on a cycle first, then by edges */
		if (cx != cy)
			return cx ? -1 : 1;
		/* fall through */
	case 1:		/* most edges first */
		if (dx != dy)
			return dx > dy ? -1 : 1;
		break;
	case 2:
		c = strcmp(ds_graph__class_name(cs->g, x), ds_graph__class_name(cs->g, y));
		if (c)
			return c;
		break;
	default:	/* newest first */
		return x > y ? -1 : x < y;
	}
	return x < y ? -1 : x > y;
}

static void graph_list(struct top *t, struct top_lines *l, const struct ds_graph_sccs *s,
		       unsigned int rows)
{
	const struct ds_dept_circle_info *info;
	const struct ds_dept_report *r;
	struct class_sort cs = { .g = t->graph, .s = s, .key = t->sort[PANE_GRAPH] };
	uint32_t nc = ds_graph__nr_classes(t->graph), *ids, i, k, shown;
	char cyc[200], lab[160];
	size_t n;

	n = ds_history__nr_circles(t->hist);
	top_lines__add(l, TA_HEAD, "CIRCLES DEPT REPORTED (%zu of %" PRIu64 ", newest first)  "
		       "Enter: contexts and stacks", n, ds_history__circles_total(t->hist));
	for (i = 0; (r = ds_history__circle(t->hist, i, &info)); i++) {
		ds_dept_report__cycle(r, cyc, sizeof(cyc));
		item(t, l, GV_CIRCLE, info->ts, TA_ALERT, "circle %u  %.6f s  %s %s  %s",
		     info->circle, rel(t, info->ts), r->bucket,
		     ds_verdict_name(r->verdict) ?: "", cyc);
	}
	top_lines__add(l, TA_HEAD, "CYCLES IN THE GRAPH (%u)  Enter: their edges", s->nr);
	for (i = 0; i < s->nr; i++) {
		uint32_t first = s->first[i], cnt = s->first[i + 1] - first;
		int o = 0;

		cyc[0] = '\0';
		for (k = 0; k < cnt && o >= 0 && (size_t)o < sizeof(cyc); k++)
			o += snprintf(cyc + o, sizeof(cyc) - o, "%s%s", k ? ", " : "",
				      class_label(t, s->members[first + k], lab, sizeof(lab)));
		item(t, l, GV_SCC, s->members[first], TA_ALERT, "%u classes: %s", cnt, cyc);
	}
	top_lines__add(l, TA_HEAD, "  %-58s %5s %5s %s", "CLASS", "OUT", "IN", "CYCLE");
	ids = malloc((size_t)nc * sizeof(*ids));
	if (!ids) {
		top_lines__add(l, TA_ALERT, "out of memory listing %u classes", nc);
		return;
	}
	for (i = 0; i < nc; i++)
		ids[i] = i;
	qsort_r(ids, nc, sizeof(*ids), cmp_class, &cs);
	shown = nc < CLASSES_MAX ? nc : CLASSES_MAX;
	(void)rows;
	for (i = 0; i < shown; i++) {
		bool cyclic = s->scc_of && s->scc_of[ids[i]] != DS_GRAPH_NONE;

		item(t, l, GV_CLASS, ids[i], cyclic ? TA_ALERT : TA_TEXT, "%-58.58s %5u %5u %s",
		     class_label(t, ids[i], lab, sizeof(lab)), ds_graph__out_nr(t->graph, ids[i]),
		     ds_graph__in_nr(t->graph, ids[i]), cyclic ? "yes" : "");
	}
	if (nc > shown)
		top_lines__add(l, TA_DIM, "... %u more classes (e exports the whole graph)",
			       nc - shown);
	free(ids);
}

static void point_lines(struct top *t, struct top_lines *l, const struct ds_dept_report *r,
			const char *tag, const struct ds_dept_point *pt, uint32_t cls)
{
	char lab[DS_DEPT_NAME_LEN + 16];
	uint32_t i;

	ds_dept_class_label(pt, lab, sizeof(lab));
	if (cls != DS_GRAPH_NONE)
		item(t, l, GV_CLASS, cls, TA_TEXT, "  %s %s(%s)", tag, pt->fn[0] ? pt->fn : "?",
		     lab);
	else
		top_lines__add(l, TA_TEXT, "    %s %s(%s)", tag, pt->fn[0] ? pt->fn : "?", lab);
	for (i = 0; i < pt->stack_nr; i++)
		top_lines__add(l, TA_DIM, "          %s",
			       ds_dept_report__frame(r, pt->stack_first + i) ?: "?");
}

static void graph_circle(struct top *t, struct top_lines *l)
{
	const struct ds_dept_circle_info *info;
	const struct ds_dept_report *r = circle_by_ts(t, t->open.id, &info);
	char cyc[200], text[256];
	uint32_t i, k, n;

	if (!r) {
		top_lines__add(l, TA_DIM, "%s",
			       "  this circle is no longer kept (the newest 32 are)");
		return;
	}
	snprintf(text, sizeof(text), "DEPT circle %u: %s %s, %u contexts, at %.6f s on CPU %u; %s",
		 info->circle, r->bucket, ds_verdict_name(r->verdict) ?: "", r->nr_contexts,
		 rel(t, info->ts), info->cpu, info->engine_agrees ?
		 "the graph has this cycle" : "NOT one cycle in the graph");
	add_wrapped(t, l, TA_TITLE, text, 2);
	if (info->missing)
		top_lines__add(l, TA_ALERT, "  %u contexts were not received (records lost)",
			       info->missing);
	ds_dept_report__cycle(r, cyc, sizeof(cyc));
	snprintf(text, sizeof(text), "  cycle: %s", cyc);
	add_wrapped(t, l, TA_TEXT, text, 9);
	n = r->nr_contexts < DS_DEPT_MAX_CONTEXTS ? r->nr_contexts : DS_DEPT_MAX_CONTEXTS;
	for (i = 0; i < n; i++) {
		const struct ds_dept_context *c = &r->ctx[i];

		top_lines__add(l, TA_HEAD, "context %c%s%s", c->id ? c->id : '?',
			       c->timeout ? "  (timeout)" : "",
			       c->irq == DS_IRQ_HARDIRQ ? "  in hardirq" :
			       c->irq ? "  in softirq" : "");
		/* [S] and [E] are the event class, [W] the next context's */
		point_lines(t, l, r, "[S]", &c->start, info->cls[i]);
		point_lines(t, l, r, "[W]", &c->wait, info->cls[(i + 1) % n]);
		point_lines(t, l, r, "[E]", &c->event, info->cls[i]);
		if (c->wake_nr) {
			top_lines__add(l, TA_TEXT, "%s", "    (wait to wake up)");
			for (k = 0; k < c->wake_nr; k++)
				top_lines__add(l, TA_DIM, "          %s",
					       ds_dept_report__frame(r, c->wake_first + k) ?: "?");
		}
	}
}

static void graph_scc(struct top *t, struct top_lines *l, const struct ds_graph_sccs *s)
{
	uint32_t id = (uint32_t)t->open.id, c, i, k, m, to, e, first, cnt, edges = 0;
	char a[160], b[160], d[200];

	if (id >= s->nr_classes || s->scc_of[id] == DS_GRAPH_NONE) {
		top_lines__add(l, TA_DIM, "%s", "  no longer a cycle");
		return;
	}
	c = s->scc_of[id];
	first = s->first[c];
	cnt = s->first[c + 1] - first;
	for (i = 0; i < cnt; i++) {
		m = s->members[first + i];
		for (k = 0; k < ds_graph__out_nr(t->graph, m); k++)
			edges += s->scc_of[ds_graph__out_to(t->graph, m, k)] == c;
	}
	title(t, l, "Cycle", "%u classes, %u edges among them (Enter: a class)", cnt, edges);
	top_lines__add(l, TA_HEAD, "  %-30s    %-30s %s", "EVENT CLASS", "WAITS ON", "DETAIL");
	for (i = 0; i < cnt; i++) {
		m = s->members[first + i];
		for (k = 0; k < ds_graph__out_nr(t->graph, m); k++) {
			to = ds_graph__out_to(t->graph, m, k);
			if (s->scc_of[to] != c)
				continue;
			e = ds_graph__edge_find(t->graph, m, to);
			edge_detail(t, e, d, sizeof(d));
			item(t, l, GV_CLASS, m, TA_TEXT, "%-30.30s -> %-30.30s %s",
			     class_label(t, m, a, sizeof(a)), class_label(t, to, b, sizeof(b)), d);
		}
	}
}

/* A class's edges one way: @out, what its events wait for; else what waits for it. */
static void neighbours(struct top *t, struct top_lines *l, uint32_t id, bool out)
{
	uint32_t n = out ? ds_graph__out_nr(t->graph, id) : ds_graph__in_nr(t->graph, id);
	uint32_t i, o, e;
	char a[160], d[200];

	top_lines__add(l, TA_HEAD, out ? "ITS EVENTS WAIT FOR (%u)" : "WAITED FOR BY (%u)", n);
	for (i = 0; i < n && i < NEIGH_MAX; i++) {
		o = out ? ds_graph__out_to(t->graph, id, i) : ds_graph__in_from(t->graph, id, i);
		e = ds_graph__edge_find(t->graph, out ? id : o, out ? o : id);
		edge_detail(t, e, d, sizeof(d));
		item(t, l, GV_CLASS, o, ds_graph__same_scc(t->graph, id, o) ? TA_ALERT : TA_TEXT,
		     "%s %-32.32s %s", out ? "->" : "<-", class_label(t, o, a, sizeof(a)), d);
	}
	if (n > NEIGH_MAX)
		top_lines__add(l, TA_DIM, "   ... %u more", n - NEIGH_MAX);
}

static void graph_class(struct top *t, struct top_lines *l, const struct ds_graph_sccs *s)
{
	uint32_t id = (uint32_t)t->open.id;
	char a[160];
	const char *key;

	if (id >= ds_graph__nr_classes(t->graph)) {
		top_lines__add(l, TA_DIM, "%s", "  no such class");
		return;
	}
	key = ds_graph__class_key(t->graph, id);
	if (s->scc_of && s->scc_of[id] != DS_GRAPH_NONE) {
		uint32_t c = s->scc_of[id];

		title(t, l, "Class", "%s%s%s%s: ON A CYCLE of %u classes",
		      class_label(t, id, a, sizeof(a)), key[0] ? " [" : "", key, key[0] ? "]" : "",
		      s->first[c + 1] - s->first[c]);
	} else {
		title(t, l, "Class", "%s%s%s%s: not on a cycle", class_label(t, id, a, sizeof(a)),
		      key[0] ? " [" : "", key, key[0] ? "]" : "");
	}
	if (s->scc_of && s->scc_of[id] != DS_GRAPH_NONE)
		item(t, l, GV_SCC, id, TA_ALERT, "%s", "its cycle: Enter for the edges");
	neighbours(t, l, id, true);
	neighbours(t, l, id, false);
}

static void render_graph(struct top *t, struct top_lines *l, unsigned int rows)
{
	struct ds_graph_sccs s = {};
	struct ds_dept_live_stats st;
	uint32_t nc;

	t->nr_items = 0;
	t->sel_line = -1;
	ds_dept_live__stats(t->dept, &st);
	if (st.evictions != t->evictions_seen) {
		/* class ids were renumbered: what the view and cursor held is gone */
		t->evictions_seen = st.evictions;
		t->gview = GV_LIST;
		t->sel_set = false;
	}
	nc = ds_graph__nr_classes(t->graph);
	if (t->gview == GV_LIST)
		title(t, l, "DEPT graph", "%u classes, %u edges, %" PRIu64
		      " edges closed a cycle, %" PRIu64 " circles; classes by %s", nc,
		      ds_graph__nr_edges(t->graph), st.cycle_edges, st.circles,
		      top_sort_name(t, PANE_GRAPH));
	if (st.unknown_keys || st.malformed)
		top_lines__add(l, TA_ALERT, "%" PRIu64 " dependencies on unknown classes, %" PRIu64
			       " malformed records", st.unknown_keys, st.malformed);
	if (ds_graph__sccs(t->graph, &s)) {
		top_lines__add(l, TA_ALERT, "%s", "out of memory finding the cycles");
		return;
	}
	switch (t->gview) {
	case GV_CIRCLE:
		graph_circle(t, l);
		break;
	case GV_SCC:
		graph_scc(t, l, &s);
		break;
	case GV_CLASS:
		graph_class(t, l, &s);
		break;
	default:
		graph_list(t, l, &s, rows);
		break;
	}
	ds_graph_sccs__free(&s);
	/* the cursor's row went away, or there was none: the first row takes it */
	if (t->cursor && t->sel_line < 0 && t->nr_items) {
		t->sel = t->items[0];
		t->sel_set = true;
		t->sel_line = t->items[0].line;
		l->v[t->sel_line].selected = true;
		l->v[t->sel_line].text[0] = '>';
	}
}

size_t top_graph__focus(struct top *t, uint32_t *ids, size_t max, unsigned int *depth,
			char *what, size_t len)
{
	const struct top_item *it = t->gview == GV_LIST ? &t->sel : &t->open;
	const struct ds_dept_circle_info *info;
	const struct ds_dept_report *r;
	struct ds_graph_sccs s = {};
	size_t n = 0;
	uint32_t i, c;

	*depth = 0;
	if (t->gview == GV_LIST && (!t->sel_set || it->kind == GV_CLASS)) {
		snprintf(what, len, "the whole graph");
		return 0;
	}
	switch (it->kind) {
	case GV_CIRCLE:
		r = circle_by_ts(t, it->id, &info);
		if (!r)
			break;
		for (i = 0; i < r->nr_contexts && i < DS_DEPT_MAX_CONTEXTS && n < max; i++)
			if (info->cls[i] != DS_GRAPH_NONE)
				ids[n++] = info->cls[i];
		snprintf(what, len, "circle %u", info->circle);
		break;
	case GV_SCC:
		if (ds_graph__sccs(t->graph, &s))
			break;
		if (it->id < s.nr_classes && s.scc_of[it->id] != DS_GRAPH_NONE) {
			c = s.scc_of[it->id];
			for (i = s.first[c]; i < s.first[c + 1] && n < max; i++)
				ids[n++] = s.members[i];
		}
		ds_graph_sccs__free(&s);
		snprintf(what, len, "a cycle of %zu classes", n);
		break;
	case GV_CLASS:
		if (it->id >= ds_graph__nr_classes(t->graph))
			break;
		ids[n++] = (uint32_t)it->id;
		*depth = 2;
		snprintf(what, len, "class %.100s and its neighbours",
			 ds_graph__class_name(t->graph, (uint32_t)it->id));
		break;
	default:
		break;
	}
	if (!n)
		snprintf(what, len, "the whole graph");
	return n;
}

/* ---- sort orders ---- */

static const char *const sort_names[PANE_NR][TOP_SORTS + 1] = {
	[PANE_FENCES] = { "waits", "p99", "max", "name", NULL },
	[PANE_DMABUF] = { "start", "latency", NULL },
	[PANE_VPR] = { "time", "duration", NULL },
	[PANE_EVENTS] = { "newest last", "newest first", NULL },
	[PANE_GRAPH] = { "cycle, then edges", "edges", "name", "newest", NULL },
};

const char *top_sort_name(const struct top *t, enum top_pane pane)
{
	if (pane >= PANE_NR || !sort_names[pane][0])
		return NULL;
	return sort_names[pane][t->sort[pane]];
}

void top_sort__next(struct top *t, enum top_pane pane)
{
	if (pane >= PANE_NR || !sort_names[pane][0])
		return;
	t->sort[pane]++;
	if (t->sort[pane] >= TOP_SORTS || !sort_names[pane][t->sort[pane]])
		t->sort[pane] = 0;
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
