/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the benchmarks here share: clocks, peak RSS, a seeded generator. */
#ifndef DS_BENCH_H
#define DS_BENCH_H

#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Time on the CPU, the process's own (the benchmarks are single-threaded):
 * what "on one core" asks for, and unlike the wall clock it does not count
 * time the scheduler gave to other work on a busy machine.
 */
static inline double bench_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline long bench_peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* splitmix64: a fixed seed gives the same input on every machine */
static inline uint64_t bench_rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
