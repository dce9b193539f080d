// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "test.h"
#include "deptscope/record.h"
#include "deptscope/stream.h"
#include "../../lib/internal.h"

struct seen {
	int n;
	int order[4];
	int id;
	int *log;
	int *pos;
};

static int consumer(void *ctx, const struct ds_event_hdr *ev)
{
	struct seen *s = ctx;

	s->log[(*s->pos)++] = s->id;
	s->n++;
	return ev->type == 99 && s->id == 1 ? -ECANCELED : 0;
}

TEST(test_stream_dispatch_order_and_errors)
{
	struct ds_event_hdr h = { .type = DS_EV_PING, .size = 40, .ts = 77 };
	int log[16], pos = 0;
	struct seen a = { .id = 0, .log = log, .pos = &pos };
	struct seen b = { .id = 1, .log = log, .pos = &pos };
	struct seen c = { .id = 2, .log = log, .pos = &pos };
	struct ds_stream *s;

	REQUIRE(ds_stream__new(&s) == 0);
	CHECK(ds_stream__add_consumer(s, consumer, &a) == 0);
	CHECK(ds_stream__add_consumer(s, consumer, &b) == 0);
	CHECK(ds_stream__add_consumer(s, consumer, &c) == 0);
	CHECK(ds_stream__dispatch(s, &h) == 0);
	CHECK(log[0] == 0 && log[1] == 1 && log[2] == 2);
	h.type = 99;
	h.ts = 5;
	/* the second consumer fails: the third never sees the event */
	CHECK(ds_stream__dispatch(s, &h) == -ECANCELED);
	CHECK_EQ_U64(c.n, 1);
	CHECK_EQ_U64(ds_stream__count(s), 2);
	CHECK_EQ_U64(ds_stream__last_ts(s), 77);
	CHECK(ds_stream__poll(s, 0) == -EINVAL);	/* no source */
	ds_stream__free(s);
}

/* The map against a brute-force reference under random inserts and deletes. */
TEST(test_map_random_against_reference)
{
	enum { N = 4096 };
	static uint64_t keys[N];
	static int present[N];
	struct ds_map m;
	int i, k, bad = 0;
	uint64_t key;

	REQUIRE(ds_map__init(&m, 4) == 0);
	srand(7);
	for (i = 0; i < N; i++)
		keys[i] = i == 0 ? 0 : ((uint64_t)rand() << 32 | rand()) & ~0xfULL;
	for (i = 0; i < 200000; i++) {
		k = rand() % N;
		key = keys[k];
		if (rand() & 1) {
			CHECK(ds_map__set(&m, key, &keys[k]) == 0);
			present[k] = 1;
		} else {
			void *v = ds_map__del(&m, key);

			if ((v != NULL) != present[k])
				bad++;
			present[k] = 0;
		}
	}
	for (k = 0; k < N; k++)
		if ((ds_map__get(&m, keys[k]) != NULL) != present[k])
			bad++;
	CHECK_EQ_U64(bad, 0);
	ds_map__exit(&m);
}

static int count_consumer(void *ctx, const struct ds_event_hdr *ev)
{
	(*(int *)ctx)++;
	return 0;
}

static void write_pings(const char *path, int n)
{
	struct ds_ping_event p = {};
	struct ds_recorder *r;
	int i;

	if (ds_recorder__open(path, 0, &r))
		return;
	p.hdr.type = DS_EV_PING;
	p.hdr.size = sizeof(p);
	for (i = 0; i < n; i++) {
		p.seq = i;
		ds_recorder__write(r, &p.hdr);
	}
	ds_recorder__close(r, 0);
}

/* Two sources feed one set of consumers; the stream ends when both do. */
TEST(test_stream_several_sources)
{
	struct ds_reader *a = NULL, *b = NULL;
	struct ds_stream *s;
	char pa[256], pb[256];
	int seen = 0, guard = 0;

	snprintf(pa, sizeof(pa), "%s/a.dsr", ds_test_tmpdir());
	snprintf(pb, sizeof(pb), "%s/b.dsr", ds_test_tmpdir());
	write_pings(pa, 10000);
	write_pings(pb, 3);
	REQUIRE(ds_reader__open(pa, &a) == 0);
	REQUIRE(ds_reader__open(pb, &b) == 0);
	REQUIRE(ds_stream__new(&s) == 0);
	CHECK(ds_stream__add_source(s, &ds_reader_source_ops, a) == 0);
	CHECK(ds_stream__add_source(s, &ds_reader_source_ops, b) == 0);
	CHECK(ds_stream__add_consumer(s, count_consumer, &seen) == 0);
	CHECK(!ds_stream__eof(s));
	while (!ds_stream__eof(s) && guard++ < 100)
		CHECK(ds_stream__poll(s, 0) >= 0);
	CHECK_EQ_U64(seen, 10003);
	CHECK(ds_reader__state(a) == DS_READER_END);
	CHECK(ds_reader__state(b) == DS_READER_END);
	ds_stream__free(s);
	ds_reader__close(a);
	ds_reader__close(b);
}
