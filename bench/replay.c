// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * replay: throughput of the offline path, decode + aggregate, exactly as
 * `deptscope report` drives it (reader source -> stream -> fence model)
 * minus the printing.  Pin it with taskset for a single-core number.
 *
 * Exit status: 0 target met, 1 target missed, 2 error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "bench.h"
#include "deptscope/dmabuf.h"
#include "deptscope/fence.h"
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/stream.h"

#define DEFAULT_TARGET	5e6	/* events/s */

static void usage(FILE *f)
{
	fprintf(f, "usage: replay [--json] [--dmabuf] [--target EVENTS_PER_SEC] FILE\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "target", required_argument, NULL, 't' },
		{ "dmabuf", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const struct ds_fence_totals *tot;
	struct ds_fence_model *m = NULL;
	struct ds_dmabuf_model *dm = NULL;
	bool dmabuf = false;
	uint64_t seen;
	struct ds_stream *s = NULL;
	struct ds_reader *rd = NULL;
	double target = DEFAULT_TARGET, t0, secs, rate;
	bool json = false, pass;
	unsigned long long events;
	struct rusage ru;
	const char *path;
	char *end;
	int opt, n, err, ret = 2;

	while ((opt = getopt_long(argc, argv, "jt:dh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			/* the dma-buf model instead, as 'deptscope dmabuf -i' drives it */
			dmabuf = true;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			target = strtod(optarg, &end);
			if (*end || target <= 0) {
				fprintf(stderr, "replay: bad target '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	path = argv[optind];
	ds_log_init("replay", 0);

	err = ds_reader__open(path, &rd);
	if (err) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(-err));
		return 2;
	}
	err = dmabuf ? ds_dmabuf_model__new(&dm) : ds_fence_model__new(NULL, &m);
	if (err)
		goto out_err;
	err = ds_stream__new(&s);
	if (err)
		goto out_err;
	ds_stream__add_source(s, &ds_reader_source_ops, rd);
	if (dmabuf)
		err = ds_stream__add_consumer(s, ds_dmabuf_model__consume, dm);
	else
		err = ds_stream__add_consumer(s, ds_fence_model__consume, m);
	if (err)
		goto out_err;

	t0 = bench_now_s();
	while (!ds_stream__eof(s)) {
		n = ds_stream__poll(s, 0);
		if (n < 0) {
			err = n;
			goto out_err;
		}
	}
	secs = bench_now_s() - t0;

	/* a short or damaged input would make any rate meaningless */
	if (ds_reader__state(rd) != DS_READER_END) {
		fprintf(stderr, "replay: %s: %s\n", path, ds_reader__status_str(rd));
		goto out;
	}
	events = ds_stream__count(s);
	tot = m ? ds_fence_model__totals(m) : NULL;
	seen = m ? tot->events : ds_dmabuf_model__totals(dm)->events;
	/* a fence recording starts with name records the dma-buf model skips */
	if (!events || seen + (dmabuf ? 1 : 0) < events || seen > events) {
		fprintf(stderr, "replay: model saw %llu of %llu events\n",
			(unsigned long long)seen, events);
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru);
	rate = secs > 0 ? events / secs : 0;
	pass = rate >= target;
	if (json) {
		printf("{\"events\":%llu,\"waits\":%llu,\"seconds\":%.6f,\"events_per_sec\":%.0f,"
		       "\"peak_rss_kib\":%ld,\"target_events_per_sec\":%.0f,\"pass\":%s}\n",
		       events, tot ? (unsigned long long)tot->waits : 0ULL, secs, rate,
		       ru.ru_maxrss, target,
		       pass ? "true" : "false");
	} else {
		printf("%s: %llu events in %.3f s: %.2f M events/s, peak RSS %.1f MiB "
		       "(target >= %.2f M events/s): %s\n", dmabuf ? "dmabuf replay" : "replay",
		       events, secs, rate / 1e6, ru.ru_maxrss / 1024.0, target / 1e6,
		       pass ? "PASS" : "FAIL");
	}
	ret = pass ? 0 : 1;
	goto out;

out_err:
	fprintf(stderr, "replay: %s: %s\n", path, strerror(-err));
out:
	ds_stream__free(s);
	ds_fence_model__free(m);
	ds_dmabuf_model__free(dm);
	ds_reader__close(rd);
	return ret;
}
