// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "deptscope/hist.h"

unsigned int ds_log2_slot64(uint64_t v)
{
	return v < 2 ? 0 : 63 - __builtin_clzll(v);
}

void ds_hist__init(struct ds_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* Sub-bucket: the DS_HIST_SUB equal parts of [2^s, 2^(s+1)) */
static unsigned int sub_of(uint64_t v, unsigned int s)
{
	if (s < 4)	/* fewer values than sub-buckets: one value per bucket */
		return (unsigned int)(v - (s ? 1ULL << s : 0)) & (DS_HIST_SUB - 1);
	return (unsigned int)((v >> (s - 4)) & (DS_HIST_SUB - 1));
}

void ds_hist__add(struct ds_hist *h, uint64_t v)
{
	unsigned int s = ds_log2_slot64(v);

	h->b[s][sub_of(v, s)]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

void ds_hist__merge(struct ds_hist *dst, const struct ds_hist *src)
{
	unsigned int i, j;

	if (!src->count)
		return;
	for (i = 0; i < DS_HIST_LOG2; i++)
		for (j = 0; j < DS_HIST_SUB; j++)
			dst->b[i][j] += src->b[i][j];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

/* Lowest value that lands in bucket (s, j). */
static uint64_t bucket_lo(unsigned int s, unsigned int j)
{
	if (s == 0)
		return j;
	if (s < 4)
		return (1ULL << s) + j;
	return (1ULL << s) + ((uint64_t)j << (s - 4));
}

static uint64_t bucket_width(unsigned int s)
{
	return s < 4 ? 1 : 1ULL << (s - 4);
}

uint64_t ds_hist__percentile(const struct ds_hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int s, j;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	/* nearest-rank definition: the smallest value with >= p% at or below it */
	rank = (uint64_t)((p / 100.0) * h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (s = 0; s < DS_HIST_LOG2; s++) {
		for (j = 0; j < DS_HIST_SUB; j++) {
			if (!h->b[s][j])
				continue;
			seen += h->b[s][j];
			if (seen >= rank) {
				/* report the bucket midpoint, clamped to what was seen */
				v = bucket_lo(s, j) + bucket_width(s) / 2;
				if (v > h->max)
					v = h->max;
				if (v < h->min)
					v = h->min;
				return v;
			}
		}
	}
	return h->max;
}

uint64_t ds_hist__log2_count(const struct ds_hist *h, unsigned int s)
{
	uint64_t n = 0;
	unsigned int j;

	if (s >= DS_HIST_LOG2)
		return 0;
	for (j = 0; j < DS_HIST_SUB; j++)
		n += h->b[s][j];
	return n;
}

void ds_hist__print(const struct ds_hist *h, FILE *f, const char *unit, uint64_t unit_div)
{
	uint64_t maxc = 0, c, lo, hi;
	int first = -1, last = -1, s, k, stars;
	char range[64];

	if (!unit_div)
		unit_div = 1;
	for (s = 0; s < DS_HIST_LOG2; s++) {
		c = ds_hist__log2_count(h, s);
		if (!c)
			continue;
		if (first < 0)
			first = s;
		last = s;
		if (c > maxc)
			maxc = c;
	}
	if (first < 0) {
		fprintf(f, "     (no samples)\n");
		return;
	}
	fprintf(f, "%24s : %-10s |%-40s|\n", unit, "count", "distribution");
	for (s = first; s <= last; s++) {
		c = ds_hist__log2_count(h, s);
		lo = s ? 1ULL << s : 0;
		hi = s == 63 ? ~0ULL : (2ULL << s) - 1;
		/* scaled bucket edges are not integers: show them as they are */
		if (unit_div > 1)
			snprintf(range, sizeof(range), "%.1f -> %.1f", (double)lo / unit_div,
				 (double)(hi + 1) / unit_div);
		else
			snprintf(range, sizeof(range), "%llu -> %llu", (unsigned long long)lo,
				 (unsigned long long)hi);
		stars = maxc ? (int)(c * 40 / maxc) : 0;
		if (c && !stars)
			stars = 1;
		fprintf(f, "%24s : %-10llu |", range, (unsigned long long)c);
		for (k = 0; k < 40; k++)
			fputc(k < stars ? '*' : ' ', f);
		fprintf(f, "|\n");
	}
}
