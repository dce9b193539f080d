/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_FENCE_PRINT_H
#define DS_FENCE_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include "deptscope/event.h"
#include "deptscope/fence.h"
#include "cli.h"

struct ds_symbolizer;

struct fence_printer {
	const struct ds_params *p;
	FILE *out;
	const char *source;	/* "live" or the recording path */
	const char *missing;	/* events not traced, comma separated */
	const char *status;	/* recording status line, NULL live */
	bool live;
	/* symbols are loaded on first use: most runs print no stack */
	struct ds_symbolizer *sym;
	bool sym_failed;
};

void fence_printer__exit(struct fence_printer *fp);
void fence_print_hang(struct fence_printer *fp, const struct ds_fence_wait *w,
		      const struct ds_fence_timeline *tl, uint64_t now);
void fence_print_resolved(struct fence_printer *fp, const struct ds_fence_wait *w,
			  const struct ds_fence_timeline *tl);
void fence_print_summary(struct fence_printer *fp, struct ds_fence_model *m, uint64_t now,
			 bool final);

#endif
