// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The suite's only logging module and the only owner of libbpf's print
 * callback, so verbosity and the destination (stderr, a file, the viewer's
 * log pane) are decided in one place.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "deptscope/log.h"

static const char *log_prog = "deptscope";
static int log_verbosity;
static int libbpf_quiet;
static ds_log_sink_fn log_sink;
static void *log_sink_ctx;

static void emit(enum ds_log_level level, const char *msg)
{
	if (log_sink) {
		log_sink(log_sink_ctx, level, msg);
		return;
	}
	fprintf(stderr, "%s: %s%s", log_prog,
		level == DS_LOG_ERROR ? "error: " : level == DS_LOG_WARN ? "warning: " : "", msg);
	if (!*msg || msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
}

static void vlog(enum ds_log_level level, const char *fmt, va_list ap)
{
	char buf[1024], *big;
	va_list again;
	int n;

	if (level == DS_LOG_DEBUG && log_verbosity < 1)
		return;
	if (level == DS_LOG_TRACE && log_verbosity < 2)
		return;
	va_copy(again, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	/* a verifier log is one message of many kilobytes: keep all of it */
	if (n >= (int)sizeof(buf) && (big = malloc((size_t)n + 1))) {
		vsnprintf(big, (size_t)n + 1, fmt, again);
		emit(level, big);
		free(big);
	} else {
		emit(level, buf);
	}
	va_end(again);
}

void ds_log(enum ds_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/*
 * libbpf's own warnings (a verifier log, "failed to attach") are noise for
 * a user who asked for a tool, not a debugger: they show with -v only; the
 * tools print one clear line instead.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum ds_log_level l;

	if (libbpf_quiet && log_verbosity < 2)
		return 0;
	switch (level) {
	case LIBBPF_WARN:
	case LIBBPF_INFO:
		l = DS_LOG_DEBUG;
		break;
	default:
		l = DS_LOG_TRACE;
		break;
	}
	vlog(l, fmt, ap);
	return 0;
}

void ds_log_init(const char *prog, int verbosity)
{
	if (prog)
		log_prog = prog;
	log_verbosity = verbosity;
	libbpf_set_print(libbpf_print);
}

int ds_log_verbosity(void)
{
	return log_verbosity;
}

void ds_log_set_sink(ds_log_sink_fn fn, void *ctx)
{
	log_sink = fn;
	log_sink_ctx = ctx;
}

void ds_log_quiet_libbpf(int quiet)
{
	libbpf_quiet = quiet;
}
