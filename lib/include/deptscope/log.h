/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_LOG_H
#define DEPTSCOPE_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum ds_log_level {
	DS_LOG_ERROR,
	DS_LOG_WARN,
	DS_LOG_INFO,
	DS_LOG_DEBUG,	/* -v: also libbpf's warnings and info */
	DS_LOG_TRACE,	/* -vv: everything, libbpf debug included */
};

typedef void (*ds_log_sink_fn)(void *ctx, enum ds_log_level level, const char *msg);

/*
 * This module owns libbpf's print callback: ds_log_init() installs it and
 * nothing else in the suite may call libbpf_set_print().
 */
void ds_log_init(const char *prog, int verbosity);
int ds_log_verbosity(void);
/* Redirect messages (the viewer's log pane); NULL restores stderr. */
void ds_log_set_sink(ds_log_sink_fn fn, void *ctx);
/* Silence libbpf around optional probes whose failure is expected. */
void ds_log_quiet_libbpf(int quiet);

void ds_log(enum ds_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define ds_err(...)	ds_log(DS_LOG_ERROR, __VA_ARGS__)
#define ds_warn(...)	ds_log(DS_LOG_WARN, __VA_ARGS__)
#define ds_info(...)	ds_log(DS_LOG_INFO, __VA_ARGS__)
#define ds_dbg(...)	ds_log(DS_LOG_DEBUG, __VA_ARGS__)

#endif
