/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_HIST_H
#define DEPTSCOPE_HIST_H

#include <stdint.h>
#include <stdio.h>

/*
 * Log2 histogram with DS_HIST_SUB linear sub-buckets per power of two, so
 * percentiles are exact to within 1/DS_HIST_SUB of the value while memory
 * stays fixed.  Printing collapses sub-buckets to plain log2 rows.
 */
#define DS_HIST_LOG2	64
#define DS_HIST_SUB	16

struct ds_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t b[DS_HIST_LOG2][DS_HIST_SUB];
};

void ds_hist__init(struct ds_hist *h);
void ds_hist__add(struct ds_hist *h, uint64_t v);
void ds_hist__merge(struct ds_hist *dst, const struct ds_hist *src);
/* p in [0,100]; 0 for an empty histogram.  Never exceeds max. */
uint64_t ds_hist__percentile(const struct ds_hist *h, double p);
/* Count in plain log2 slot s: values in [2^s, 2^(s+1)), slot 0 holds 0 and 1. */
uint64_t ds_hist__log2_count(const struct ds_hist *h, unsigned int s);
/* bcc-style bars; @unit_div scales values (1000 = print in usecs). */
void ds_hist__print(const struct ds_hist *h, FILE *f, const char *unit, uint64_t unit_div);

unsigned int ds_log2_slot64(uint64_t v);

#endif
