// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "deptscope/event.h"
#include "deptscope/stream.h"

struct ds_stream {
	struct {
		const struct ds_source_ops *ops;
		void *src;
	} sources[DS_STREAM_MAX_SOURCES];
	unsigned int nr_sources;
	int epfd;		/* over every source's fd, when there are several */
	unsigned int nr;
	struct {
		ds_consumer_fn fn;
		void *ctx;
	} consumers[DS_STREAM_MAX_CONSUMERS];
	uint64_t count;
	uint64_t last_ts;
};

int ds_stream__new(struct ds_stream **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->epfd = -1;
	return 0;
}

void ds_stream__free(struct ds_stream *s)
{
	if (!s)
		return;
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}

int ds_stream__add_consumer(struct ds_stream *s, ds_consumer_fn fn, void *ctx)
{
	if (s->nr >= DS_STREAM_MAX_CONSUMERS)
		return -E2BIG;
	s->consumers[s->nr].fn = fn;
	s->consumers[s->nr].ctx = ctx;
	s->nr++;
	return 0;
}

int ds_stream__add_source(struct ds_stream *s, const struct ds_source_ops *ops, void *src)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i;
	int fd;

	if (s->nr_sources >= DS_STREAM_MAX_SOURCES)
		return -E2BIG;
	s->sources[s->nr_sources].ops = ops;
	s->sources[s->nr_sources].src = src;
	s->nr_sources++;
	if (s->nr_sources < 2)
		return 0;
	/* several sources: one epoll set so a poll waits on all of them */
	if (s->epfd < 0) {
		s->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (s->epfd < 0)
			return -errno;
		i = 0;
	} else {
		i = s->nr_sources - 1;
	}
	for (; i < s->nr_sources; i++) {
		if (!s->sources[i].ops->fd)
			continue;
		fd = s->sources[i].ops->fd(s->sources[i].src);
		if (fd >= 0 && epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev))
			return -errno;
	}
	return 0;
}

int ds_stream__dispatch(struct ds_stream *s, const struct ds_event_hdr *ev)
{
	unsigned int i;
	int err;

	s->count++;
	if (ev->ts > s->last_ts && ev->type < DS_EV_META_BASE)
		s->last_ts = ev->ts;
	for (i = 0; i < s->nr; i++) {
		err = s->consumers[i].fn(s->consumers[i].ctx, ev);
		if (err < 0)
			return err;
	}
	return 0;
}

int ds_stream__poll(struct ds_stream *s, int timeout_ms)
{
	struct epoll_event ev;
	unsigned int i;
	int n, total = 0;

	if (!s->nr_sources)
		return -EINVAL;
	if (s->nr_sources == 1)
		return s->sources[0].ops->poll(s->sources[0].src, s, timeout_ms);
	if (timeout_ms && s->epfd >= 0) {
		n = epoll_wait(s->epfd, &ev, 1, timeout_ms);
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	for (i = 0; i < s->nr_sources; i++) {
		n = s->sources[i].ops->poll(s->sources[i].src, s, 0);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

int ds_stream__fd(struct ds_stream *s)
{
	if (s->nr_sources == 1 && s->sources[0].ops->fd)
		return s->sources[0].ops->fd(s->sources[0].src);
	return s->epfd;
}

bool ds_stream__eof(struct ds_stream *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_sources; i++)
		if (!s->sources[i].ops->eof || !s->sources[i].ops->eof(s->sources[i].src))
			return false;
	return s->nr_sources > 0;
}

/* Counters of all sources added up: one record describes the whole run. */
int ds_stream__stats(struct ds_stream *s, struct ds_meta_stats *st)
{
	struct ds_meta_stats one;
	unsigned int i, n = 0;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < s->nr_sources; i++) {
		if (!s->sources[i].ops->stats || s->sources[i].ops->stats(s->sources[i].src, &one))
			continue;
		if (!n++)
			st->hdr = one.hdr;
		st->received += one.received;
		st->emitted += one.emitted;
		st->dropped += one.dropped;
		st->names_dropped += one.names_dropped;
		st->waits_unmatched += one.waits_unmatched;
	}
	return n ? 0 : -EOPNOTSUPP;
}

int ds_stream__source_stats(struct ds_stream *s, unsigned int i,
			    struct ds_meta_source_stats *st)
{
	const struct ds_source_ops *ops;
	struct ds_meta_stats one;
	int err;

	if (i >= s->nr_sources)
		return -ENOENT;
	ops = s->sources[i].ops;
	memset(st, 0, sizeof(*st));
	if (!ops->stats)
		return -EOPNOTSUPP;
	err = ops->stats(s->sources[i].src, &one);
	if (err)
		return err;
	st->hdr = one.hdr;
	st->hdr.type = DS_EV_META_SOURCE_STATS;
	st->hdr.size = sizeof(*st);
	st->source = ops->source ? ops->source(s->sources[i].src) : 0;
	st->received = one.received;
	st->emitted = one.emitted;
	st->dropped = one.dropped;
	st->names_dropped = one.names_dropped;
	st->waits_unmatched = one.waits_unmatched;
	return 0;
}

int ds_stream__quiesce(struct ds_stream *s)
{
	unsigned int i;
	int err, first = 0;

	for (i = 0; i < s->nr_sources; i++) {
		if (!s->sources[i].ops->quiesce)
			continue;
		err = s->sources[i].ops->quiesce(s->sources[i].src);
		if (err && !first)
			first = err;
	}
	return first;
}

void ds_stream__ring_stats(struct ds_stream *s, struct ds_ring_stats *rs)
{
	struct ds_meta_source_stats one;
	unsigned int i;
	int err;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; (err = ds_stream__source_stats(s, i, &one)) != -ENOENT; i++)
		if (!err)
			ds_ring_stats__consume(rs, &one.hdr);
}

int ds_stream__dispatch_stats(struct ds_stream *s)
{
	struct ds_ring_stats rs;
	struct ds_meta_stats st;
	unsigned int i;
	int err;

	ds_stream__ring_stats(s, &rs);
	for (i = 0; i < DS_NR_SOURCES; i++) {
		if (!(rs.have & (1u << i)))
			continue;
		err = ds_stream__dispatch(s, &rs.src[i].hdr);
		if (err)
			return err;
	}
	if (ds_stream__stats(s, &st))
		return 0;
	return ds_stream__dispatch(s, &st.hdr);
}

bool ds_stream__drained(struct ds_stream *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_sources; i++)
		if (s->sources[i].ops->drained && !s->sources[i].ops->drained(s->sources[i].src))
			return false;
	return true;
}

uint64_t ds_stream__count(const struct ds_stream *s)
{
	return s->count;
}

uint64_t ds_stream__last_ts(const struct ds_stream *s)
{
	return s->last_ts;
}
