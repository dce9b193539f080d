// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A recording (or trace.dat) as a stream source that delivers each record
 * when its time comes: the first record now, the others as far apart as
 * they were recorded, divided by --speed.  The viewer then shows a replay
 * as it would have looked live.  The source keeps one record read ahead:
 * it stays valid in the reader until the next read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/tracedat.h"
#include "deptscope/util.h"
#include "top.h"

/* records per poll at most: the screen and the keyboard stay responsive */
#define PACE_BATCH	20000
#define PACE_MIN_WAIT_MS 5

struct top_pace {
	const char *path;
	struct ds_reader *rd;
	struct ds_tracedat *td;
	const struct ds_event_hdr *next;	/* read ahead, not yet delivered */
	double speed;
	bool eof;
	bool failed;
	bool paused;
	uint64_t rec0, wall0;			/* a record time and when it was due */
	uint64_t pause_start;
	uint64_t now_rec;			/* newest record time delivered */
	uint64_t first_rec;			/* the first record time delivered */
	uint64_t skip_to;			/* seeking: deliver at once up to this time */
	uint64_t max_lag;			/* latest delivery behind its due time */
	char status[200];
};

int top_pace__open(const char *path, double speed, struct top_pace **out)
{
	struct top_pace *p;
	const char *why;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->path = path;
	p->speed = speed;
	err = ds_tracedat__probe(path);
	if (err == 1) {
		err = ds_tracedat__open(path, &p->td, &why);
		if (err)
			ds_err("cannot read trace-cmd file %s: %s", path, why);
	} else {
		err = ds_reader__open(path, &p->rd);
		if (err)
			ds_err("cannot read recording %s: %s", path, ds_reader_strerror(err));
	}
	if (err) {
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

void top_pace__close(struct top_pace *p)
{
	if (!p)
		return;
	if (p->rd)
		ds_reader__close(p->rd);
	if (p->td)
		ds_tracedat__close(p->td);
	free(p);
}

/* The end of the file: say once how it ended, as ds_replay_run does. */
static void finish(struct top_pace *p, int err)
{
	p->eof = true;
	if (p->td) {
		if (err == -EBADMSG) {
			ds_err("%s: %s", p->path, ds_tracedat__strerror(p->td));
			p->failed = true;
		} else if (err) {
			ds_err("reading %s failed: %s", p->path, strerror(-err));
			p->failed = true;
		}
		snprintf(p->status, sizeof(p->status), "%s", p->failed ? "damaged" : "complete");
		return;
	}
	if (err) {
		ds_err("reading %s failed: %s", p->path, strerror(-err));
		p->failed = true;
	}
	snprintf(p->status, sizeof(p->status), "%s", ds_reader__status_str(p->rd));
	if (ds_reader__state(p->rd) == DS_READER_TRUNCATED) {
		ds_warn("%s: %s", p->path, p->status);
	} else if (ds_reader__state(p->rd) == DS_READER_CORRUPT) {
		ds_err("%s: %s", p->path, p->status);
		p->failed = true;
	}
}

/* 1 with p->next set, 0 at the end. */
static int peek(struct top_pace *p)
{
	int err;

	if (p->next)
		return 1;
	if (p->eof)
		return 0;
	if (p->td) {
		err = ds_tracedat__next(p->td, &p->next);
		if (err == -ENODATA)
			err = 0;
		if (!err && p->next)
			return 1;
	} else {
		err = ds_reader__next(p->rd, &p->next);
		if (err == 1)
			return 1;
	}
	p->next = NULL;
	finish(p, err);
	return 0;
}

static uint64_t due(const struct top_pace *p, uint64_t ts)
{
	if (ts <= p->rec0)
		return p->wall0;
	return p->wall0 + (uint64_t)((ts - p->rec0) / p->speed);
}

/* Meta records and records without a time do not wait. */
static bool paced(const struct top_pace *p, const struct ds_event_hdr *ev)
{
	return p->speed > 0 && ev->type < DS_EV_META_BASE && ev->ts;
}

static int pace_poll(void *src, struct ds_stream *s, int timeout_ms)
{
	struct top_pace *p = src;
	uint64_t now = ds_now_mono_ns(), d;
	int n = 0, err;

	/* a seek goes on while paused: the screen then shows where it landed */
	if (p->paused && !p->skip_to)
		return 0;
	while (n < PACE_BATCH && peek(p)) {
		if (paced(p, p->next)) {
			if (p->skip_to && p->next->ts >= p->skip_to) {
				/* arrived: the recorded pace resumes from here */
				p->rec0 = p->skip_to;
				p->wall0 = now;
				p->pause_start = now;
				p->skip_to = 0;
				if (p->paused)
					break;
			}
			if (!p->rec0) {
				p->rec0 = p->next->ts;
				p->wall0 = now;
			}
			d = due(p, p->next->ts);
			if (!p->skip_to && d > now)
				break;
			if (!p->skip_to && now - d > p->max_lag)
				p->max_lag = now - d;
		}
		if (p->next->type < DS_EV_META_BASE && p->next->ts) {
			if (p->next->ts > p->now_rec)
				p->now_rec = p->next->ts;
			if (!p->first_rec)
				p->first_rec = p->next->ts;
		}
		err = ds_stream__dispatch(s, p->next);
		p->next = NULL;
		if (err < 0)
			return err;
		n++;
	}
	return n;
}

static int pace_fd(void *src)
{
	return -1;	/* a file is always readable: the viewer's poll times it */
}

static bool pace_eof(void *src)
{
	const struct top_pace *p = src;

	return p->eof && !p->next;
}

const struct ds_source_ops top_pace_source_ops = {
	.name = "pace",
	.poll = pace_poll,
	.fd = pace_fd,
	.eof = pace_eof,
};

void top_pace__set_paused(struct top_pace *p, bool paused, uint64_t now)
{
	if (paused == p->paused)
		return;
	p->paused = paused;
	if (paused)
		p->pause_start = now;
	else if (p->rec0)
		p->wall0 += now - p->pause_start;	/* the recording's clock stood still */
}

bool top_pace__paused(const struct top_pace *p)
{
	return p->paused;
}

int top_pace__wait_ms(const struct top_pace *p, uint64_t now)
{
	uint64_t d;

	if (pace_eof((void *)p))
		return -1;
	if (p->skip_to)
		return 0;
	if (p->paused)
		return -1;
	if (!p->next || !paced(p, p->next) || !p->rec0)
		return 0;
	d = due(p, p->next->ts);
	if (d <= now)
		return 0;
	d = (d - now + 999999) / 1000000;
	/*
	 * Wake at most every PACE_MIN_WAIT_MS: above ~1000 records/s one is
	 * always due within the millisecond, and waking for each costs more
	 * than the records; a few ms late is far below a frame.
	 */
	if (d < PACE_MIN_WAIT_MS)
		d = PACE_MIN_WAIT_MS;
	return d > 60000 ? 60000 : (int)d;
}

const char *top_pace__status(const struct top_pace *p)
{
	return p->status[0] ? p->status : "reading";
}

bool top_pace__failed(const struct top_pace *p)
{
	return p->failed;
}

uint64_t top_pace__now(const struct top_pace *p)
{
	return p->now_rec;
}

uint64_t top_pace__first(const struct top_pace *p)
{
	return p->first_rec;
}

void top_pace__skip_to(struct top_pace *p, uint64_t ts)
{
	/* at --speed 0 everything comes at once anyway */
	p->skip_to = p->speed > 0 && ts > p->now_rec ? ts : 0;
}

bool top_pace__seeking(const struct top_pace *p)
{
	return p->skip_to;
}

uint64_t top_pace__max_lag(const struct top_pace *p)
{
	return p->max_lag;
}
