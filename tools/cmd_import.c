// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope import: a trace-cmd file into a deptscope recording.  Every
 * offline command also reads trace.dat directly; a recording is for
 * keeping, merging into the usual workflow, and for reading again without
 * libtracecmd's parse.  The output appears only when complete: it is
 * written under a temporary name and renamed.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/tracedat.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "replay.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_stats(const struct ds_params *p, const struct ds_tracedat_stats *st,
			uint64_t written, uint64_t ns)
{
	struct ds_json j;

	if (!p->json) {
		fprintf(stderr, "Imported %" PRIu64 " of %" PRIu64 " trace records (%" PRIu64
			" of other events skipped) from %u buffer(s), %u CPU(s) into %s: %"
			PRIu64 " records in %.2f s\n", st->imported, st->records, st->skipped,
			st->buffers, st->cpus, p->output, written, ns / 1e9);
		return;
	}
	ds_json__init(&j, stdout, false);
	ds_json__begin_object(&j);
	ds_json__kv_str(&j, "type", "import");
	ds_json__kv_str(&j, "input", p->input);
	ds_json__kv_str(&j, "output", p->output);
	ds_json__kv_u64(&j, "trace_records", st->records);
	ds_json__kv_u64(&j, "imported", st->imported);
	ds_json__kv_u64(&j, "skipped", st->skipped);
	ds_json__kv_u64(&j, "malformed", st->malformed);
	ds_json__kv_u64(&j, "lost", st->lost);
	ds_json__kv_u64(&j, "waits_unmatched", st->waits_unmatched);
	ds_json__kv_u64(&j, "buffers", st->buffers);
	ds_json__kv_u64(&j, "cpus", st->cpus);
	ds_json__key(&j, "sources");
	ds_json__begin_array(&j);
	if (st->sources & DS_SRC_FENCE)
		ds_json__str(&j, "fence");
	if (st->sources & DS_SRC_DMABUF)
		ds_json__str(&j, "dmabuf");
	if (st->sources & DS_SRC_VPR)
		ds_json__str(&j, "vpr");
	ds_json__end_array(&j);
	ds_json__kv_u64(&j, "records_written", written);
	ds_json__kv_u64(&j, "duration_ns", ns);
	ds_json__end_object(&j);
	ds_json__finish(&j);
}

int cmd_import(int argc, char **argv)
{
	struct ds_tracedat_stats st = {};
	struct ds_params p;
	struct ds_recorder *rec = NULL;
	const struct ds_event_hdr *ev;
	struct ds_tracedat *t = NULL;
	struct sigaction sa = {};
	uint64_t t0, last = 0, n = 0, written = 0;
	char tmp[4096], *where = NULL;
	const char *why;
	bool tty = isatty(STDERR_FILENO), direct = false;
	int ret, err;

	ret = ds_parse_import(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_import, stdout);
		return 0;
	}
	ds_log_init("deptscope import", p.verbose);
	err = ds_tracedat__open(p.input, &t, &why);
	if (err) {
		ds_err("cannot read trace-cmd file %s: %s", p.input, why);
		return DS_EXIT_ERROR;
	}
	/* as a recording: never through a symbolic link; /dev/null is written into */
	err = ds_out_resolve(p.output, false, &where, &direct);
	if (!err && snprintf(tmp, sizeof(tmp), "%s.import-%d", where, (int)getpid()) >=
	    (int)sizeof(tmp))
		err = -ENAMETOOLONG;
	if (!err && direct)
		snprintf(tmp, sizeof(tmp), "%s", where);
	if (!err)
		err = ds_recorder__open(tmp, 0, &rec);
	if (err) {
		ds_err("cannot create %s: %s", p.output, err == -ELOOP ?
		       "a symbolic link, and recordings are never written through one" :
		       strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	t0 = ds_now_mono_ns();
	while (!stop) {
		err = ds_tracedat__next(t, &ev);
		if (err == -ENODATA) {
			err = 0;
			break;
		}
		if (!err)
			err = ds_recorder__write(rec, ev);
		if (err)
			break;
		if (tty && !(++n & 0xffff) && ds_now_mono_ns() - last > 500000000ULL) {
			last = ds_now_mono_ns();
			ds_tracedat__stats(t, &st);
			fprintf(stderr, "\rimporting: %" PRIu64 " trace records, %" PRIu64
				" imported", st.records, st.imported);
		}
	}
	if (last)
		fprintf(stderr, "\r\033[K");
	ds_tracedat__stats(t, &st);
	if (stop) {
		ds_err("interrupted after %" PRIu64 " trace records: %s not written",
		       st.records, p.output);
		ret = DS_EXIT_ERROR;
		goto fail;
	}
	if (err == -EBADMSG) {
		ds_err("%s: %s; %s not written", p.input, ds_tracedat__strerror(t), p.output);
		ret = DS_EXIT_ERROR;
		goto fail;
	}
	if (err) {
		ds_err("importing %s failed: %s", p.input, strerror(-err));
		ret = DS_EXIT_ERROR;
		goto fail;
	}
	written = ds_recorder__records(rec);
	err = ds_recorder__close(rec, ds_now_mono_ns() - t0);
	rec = NULL;
	if (!err && !direct)
		err = ds_out_publish(tmp, where);
	if (err) {
		ds_err("writing %s failed: %s", p.output, strerror(-err));
		ret = DS_EXIT_ERROR;
		goto fail;
	}
	ds_tracedat_warn(p.input, &st);
	print_stats(&p, &st, written, ds_now_mono_ns() - t0);
	goto out;
fail:
	if (rec)
		ds_recorder__close(rec, 0);
	if (!direct)
		unlink(tmp);
out:
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	ds_tracedat__close(t);
	free(where);
	return ret;
}
