// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "deptscope/stream.h"

struct ds_stream {
	const struct ds_source_ops *ops;
	void *src;
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
	return *out ? 0 : -ENOMEM;
}

void ds_stream__free(struct ds_stream *s)
{
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

void ds_stream__set_source(struct ds_stream *s, const struct ds_source_ops *ops, void *src)
{
	s->ops = ops;
	s->src = src;
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
	if (!s->ops)
		return -EINVAL;
	return s->ops->poll(s->src, s, timeout_ms);
}

int ds_stream__fd(struct ds_stream *s)
{
	return s->ops && s->ops->fd ? s->ops->fd(s->src) : -1;
}

bool ds_stream__eof(struct ds_stream *s)
{
	return s->ops && s->ops->eof ? s->ops->eof(s->src) : false;
}

int ds_stream__stats(struct ds_stream *s, struct ds_meta_stats *st)
{
	if (!s->ops || !s->ops->stats)
		return -EOPNOTSUPP;
	return s->ops->stats(s->src, st);
}

uint64_t ds_stream__count(const struct ds_stream *s)
{
	return s->count;
}

uint64_t ds_stream__last_ts(const struct ds_stream *s)
{
	return s->last_ts;
}
