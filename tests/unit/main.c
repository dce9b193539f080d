// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "test.h"
#include "deptscope/log.h"

static struct ds_test *tests, **tail = &tests;
static int cur_failed, cur_skipped;
static char tmpdir[] = "/tmp/ds-unit-XXXXXX";

void ds_test_register(struct ds_test *t)
{
	*tail = t;
	tail = &t->next;
}

void ds_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "    %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	cur_failed++;
}

void ds_test_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("    SKIP: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	cur_skipped = 1;
}

int ds_test_skipped(void)
{
	return cur_skipped;
}

const char *ds_test_shared_dir(void)
{
	static char buf[4096];
	const char *env = getenv("DS_SHARED_DIR");
	struct stat st;

	if (env && !stat(env, &st))
		return env;
	/* the checkout lives next to shared/: <root>/main and <root>/shared */
	snprintf(buf, sizeof(buf), "%s/../shared", getenv("DS_SRCDIR") ? getenv("DS_SRCDIR") : ".");
	if (!stat(buf, &st) && S_ISDIR(st.st_mode))
		return buf;
	return NULL;
}

const char *ds_test_tmpdir(void)
{
	return tmpdir;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	const char *filter = argc > 1 ? argv[1] : NULL;
	struct ds_test *t;
	const char *name;
	char cmd[64];

	ds_log_init("unit", getenv("DS_VERBOSE") ? 2 : 0);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	for (t = tests; t; t = t->next) {
		if (filter && !strstr(t->name, filter))
			continue;
		cur_failed = cur_skipped = 0;
		t->fn();
		if (cur_failed) {
			failed++;
			printf("FAIL %s\n", t->name);
		} else if (cur_skipped) {
			skipped++;
			printf("skip %s\n", t->name);
		} else {
			passed++;
			printf("ok   %s\n", t->name);
		}
		fflush(stdout);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
	name = strrchr(argv[0], '/');
	printf("%s: %d passed, %d failed, %d skipped\n", name ? name + 1 : argv[0], passed, failed,
	       skipped);
	return failed ? 1 : 0;
}
