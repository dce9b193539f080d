// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for the DEPT/lockdep report parser: any bytes, split
 * into lines as the file reader does, must parse without a crash, a leak
 * or undefined behaviour, and every report handed out must be usable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_report(void *ctx, struct ds_dept_report *r)
{
	char classes[DS_DEPT_MAX_CONTEXTS * 3][DS_DEPT_NAME_LEN], cycle[512];
	struct ds_dept_report *d;
	unsigned int i;
	size_t *sink = ctx;

	/* touch everything a front end reads */
	ds_dept_report__cycle(r, cycle, sizeof(cycle));
	*sink += ds_dept_report__classes(r, classes, DS_DEPT_MAX_CONTEXTS * 3);
	*sink += strlen(r->signature) + strlen(r->bucket) + strlen(r->problem);
	for (i = 0; i < r->nr_contexts; i++) {
		const struct ds_dept_context *c = &r->ctx[i];
		uint32_t k;

		for (k = 0; k < c->wait.stack_nr; k++)
			*sink += strlen(ds_dept_report__frame(r, c->wait.stack_first + k));
		for (k = 0; k < c->wake_nr; k++)
			*sink += strlen(ds_dept_report__frame(r, c->wake_first + k));
	}
	d = ds_dept_report__dup(r);
	if (d && d->text)
		*sink += strlen(d->text);
	ds_dept_report__free(d);
	return 0;
}

static int on_health(void *ctx, const struct ds_dept_health *h)
{
	size_t *sink = ctx;

	*sink += strlen(h->message);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_dept_parser *p;
	size_t sink = 0, start = 0, i;

	if (ds_dept_parser__new(on_report, on_health, &sink, &p))
		return 0;
	for (i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			ds_dept_parser__feed(p, (const char *)data + start, i - start);
			start = i + 1;
		}
	}
	ds_dept_parser__finish(p);
	ds_dept_parser__free(p);
	return 0;
}
