// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include "test.h"
#include "deptscope/hist.h"

/* Compile the BPF-side bucket function here to prove both sides agree. */
#include <linux/types.h>
#include "common/hist.bpf.h"	/* glibc's cdefs.h already defines __always_inline */

TEST(test_hist_log2_slot_matches_bpf)
{
	uint64_t v;
	int s;

	for (v = 0; v < 70000; v++)
		if ((unsigned int)ds_log2_slot(v) != ds_log2_slot64(v)) {
			CHECK_EQ_U64(ds_log2_slot(v), ds_log2_slot64(v));
			return;
		}
	for (s = 1; s < 64; s++) {
		v = 1ULL << s;
		CHECK_EQ_U64(ds_log2_slot(v), s);
		CHECK_EQ_U64(ds_log2_slot64(v), s);
		CHECK_EQ_U64(ds_log2_slot(v - 1), s - 1);
		CHECK_EQ_U64(ds_log2_slot64(v - 1), s - 1);
	}
	CHECK_EQ_U64(ds_log2_slot(~0ULL), 63);
}

TEST(test_hist_basic_stats)
{
	struct ds_hist h;
	uint64_t v;

	ds_hist__init(&h);
	CHECK_EQ_U64(ds_hist__percentile(&h, 50), 0);
	for (v = 1; v <= 1000; v++)
		ds_hist__add(&h, v * 1000);
	CHECK_EQ_U64(h.count, 1000);
	CHECK_EQ_U64(h.min, 1000);
	CHECK_EQ_U64(h.max, 1000000);
	CHECK_EQ_U64(h.sum, 500500000ULL);
	CHECK_EQ_U64(ds_hist__percentile(&h, 100), 1000000);
	CHECK_EQ_U64(ds_hist__percentile(&h, 0), 1000);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Percentiles must be within one sub-bucket (1/16) of the exact value. */
TEST(test_hist_percentile_accuracy)
{
	static const double ps[] = { 50, 90, 99, 99.9 };
	uint64_t *vals, exact, got, i, n = 100000, rank;
	struct ds_hist h;
	unsigned int k;

	vals = malloc(n * sizeof(*vals));
	REQUIRE(vals);
	ds_hist__init(&h);
	srand(42);
	for (i = 0; i < n; i++) {
		/* log-uniform over 1 us .. 10 s: the shape of real wait latencies */
		vals[i] = (uint64_t)(1000.0 * __builtin_exp((rand() / (double)RAND_MAX) * 16.1));
		ds_hist__add(&h, vals[i]);
	}
	qsort(vals, n, sizeof(*vals), cmp_u64);
	for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		rank = (uint64_t)(ps[k] / 100.0 * n + 0.999999);
		exact = vals[rank - 1];
		got = ds_hist__percentile(&h, ps[k]);
		if (got > exact + exact / 16 || got + exact / 16 < exact)
			ds_test_fail(__FILE__, __LINE__, "p%.1f: got %llu, exact %llu", ps[k],
				     (unsigned long long)got, (unsigned long long)exact);
	}
	free(vals);
}

TEST(test_hist_merge_and_log2_counts)
{
	struct ds_hist a, b;

	ds_hist__init(&a);
	ds_hist__init(&b);
	ds_hist__add(&a, 0);
	ds_hist__add(&a, 1);
	ds_hist__add(&a, 1023);
	ds_hist__add(&b, 1024);
	ds_hist__add(&b, 5);
	ds_hist__merge(&a, &b);
	CHECK_EQ_U64(a.count, 5);
	CHECK_EQ_U64(a.min, 0);
	CHECK_EQ_U64(a.max, 1024);
	CHECK_EQ_U64(ds_hist__log2_count(&a, 0), 2);
	CHECK_EQ_U64(ds_hist__log2_count(&a, 2), 1);
	CHECK_EQ_U64(ds_hist__log2_count(&a, 9), 1);
	CHECK_EQ_U64(ds_hist__log2_count(&a, 10), 1);
	CHECK_EQ_U64(ds_hist__log2_count(&a, 64), 0);
}
