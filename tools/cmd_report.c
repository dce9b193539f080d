// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* deptscope report: what a recording holds, then the fence report. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "deptscope/log.h"
#include "deptscope/tracedat.h"
#include "deptscope/record.h"
#include "cli.h"
#include "cmds.h"
#include "fence_print.h"

static void print_header(const char *path, const struct ds_rec_header *h)
{
	time_t t = h->start_realtime_ns / 1000000000ULL;
	char when[64];
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");
	printf("Recording %s: format v%u, host %.64s, kernel %.64s, started %s\n", path,
	       h->version, h->hostname, h->release, when);
}

int cmd_report(int argc, char **argv)
{
	struct ds_fence_model_opts mo = {};
	struct fence_printer fp = {};
	struct ds_fence_model *m = NULL;
	struct ds_reader *rd = NULL;
	uint64_t end_ts = 0;
	struct ds_params p;
	int ret, err;

	ret = ds_parse_report(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_report, stdout);
		return 0;
	}
	ds_log_init("deptscope report", p.verbose);
	/* open once for the header: a clear error before any output */
	if (ds_tracedat__probe(p.input) == 1) {
		if (!p.json)
			printf("trace-cmd file %s (imported: no stacks; docs/import.md)\n",
			       p.input);
	} else {
		err = ds_reader__open(p.input, &rd);
		if (err) {
			ds_err("cannot read recording %s: %s", p.input, ds_reader_strerror(err));
			return DS_EXIT_ERROR;
		}
		if (!p.json)
			print_header(p.input, ds_reader__header(rd));
		ds_reader__close(rd);
	}

	fp.p = &p;
	fp.out = stdout;
	fp.source = p.input;
	mo.top_n = p.top ? p.top : 10;
	mo.hang_ns = p.hang_ns;
	if (ds_fence_model__new(&mo, &m)) {
		ds_err("out of memory");
		return DS_EXIT_ERROR;
	}
	ret = fence_replay(&fp, m, p.input, &end_ts);
	if (!ret || ds_fence_model__totals(m)->events)
		fence_print_summary(&fp, m, end_ts, true);
	if (!ret && ds_fence_model__totals(m)->hangs)
		ret = DS_EXIT_HANG;
	fence_printer__exit(&fp);
	ds_fence_model__free(m);
	return ret;
}
