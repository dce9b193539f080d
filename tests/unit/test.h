/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Minimal unit-test harness: TEST() registers a function at load time,
 * CHECK*() record failures without aborting the test, SKIP() ends a test
 * loudly.  main.c prints one line per test and the closing
 * "N passed, N failed, N skipped" line CI reads.
 */
#ifndef DS_TEST_H
#define DS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct ds_test {
	const char *name;
	void (*fn)(void);
	struct ds_test *next;
};

void ds_test_register(struct ds_test *t);
void ds_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ds_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ds_test_skipped(void);
/* Directory of the shared corpus (../shared next to the checkout) or NULL. */
const char *ds_test_shared_dir(void);
/* Scratch directory for this test run. */
const char *ds_test_tmpdir(void);

#define TEST(name)							\
	static void name(void);						\
	static struct ds_test name##__t = { #name, name, NULL };	\
	__attribute__((constructor)) static void name##__reg(void)	\
	{								\
		ds_test_register(&name##__t);				\
	}								\
	static void name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			ds_test_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_EQ_U64(a, b)						\
	do {								\
		unsigned long long __a = (a), __b = (b);		\
		if (__a != __b)						\
			ds_test_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", \
				     #a, #b, __a, __b);			\
	} while (0)

#define CHECK_EQ_STR(a, b)						\
	do {								\
		const char *__a = (a), *__b = (b);			\
		if (!__a || !__b || strcmp(__a, __b))			\
			ds_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
				     #a, #b, __a ? __a : "(null)", __b ? __b : "(null)"); \
	} while (0)

/* Stop the current test when a check failed and going on makes no sense. */
#define REQUIRE(cond)							\
	do {								\
		if (!(cond)) {						\
			ds_test_fail(__FILE__, __LINE__, "%s", #cond);	\
			return;						\
		}							\
	} while (0)

#define SKIP(...)							\
	do {								\
		ds_test_skip(__VA_ARGS__);				\
		return;							\
	} while (0)

#endif
