// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAX_OPTS 32

int ds_parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int ds_parse_seconds(const char *s, uint64_t *ns)
{
	double d;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || !isfinite(d) || d < 0 || d > 1e9)
		return -EINVAL;
	*ns = (uint64_t)(d * 1e9 + 0.5);
	return 0;
}

static int __attribute__((format(printf, 3, 4)))
usage_err(FILE *err, const struct ds_cmd_help *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(err, "deptscope %s: ", h->name);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fprintf(err, " (see 'deptscope %s --help')\n", h->name);
	return DS_EXIT_USAGE;
}

static int apply(const struct ds_cmd_help *h, const struct ds_opt *o, const char *arg,
		 struct ds_params *p, FILE *err)
{
	uint64_t v;

	switch (o->id) {
	case OPT_HELP:
		p->help = true;
		return 0;
	case OPT_VERBOSE:
		p->verbose++;
		return 0;
	case OPT_JSON:
		p->json = true;
		return 0;
	case OPT_PRETTY:
		p->json = p->pretty = true;
		return 0;
	case OPT_MSEC:
		p->msec = true;
		return 0;
	case OPT_NO_STACKS:
		p->no_stacks = true;
		return 0;
	case OPT_FORCE:
		p->force = true;
		return 0;
	case OPT_DURATION:
		if (ds_parse_seconds(arg, &p->duration_ns) || !p->duration_ns)
			return usage_err(err, h, "invalid --%s '%s': expected seconds > 0",
					 o->lname, arg);
		return 0;
	case OPT_PID:
	case OPT_SELFTEST:
		if (ds_parse_uint(arg, 0x7fffffff, &v) || !v)
			return usage_err(err, h, "invalid --%s '%s': expected a process id",
					 o->lname, arg);
		if (o->id == OPT_PID)
			p->pid = v;
		else
			p->selftest_pid = v;
		return 0;
	case OPT_HANG_MS:
	case OPT_UNMAP_MS:
	case OPT_SLOW_MS:
		if (ds_parse_uint(arg, 86400000ULL, &v) || !v)
			return usage_err(err, h, "invalid --%s '%s': expected milliseconds > 0",
					 o->lname, arg);
		if (o->id == OPT_HANG_MS)
			p->hang_ns = v * 1000000ULL;
		else if (o->id == OPT_SLOW_MS)
			p->slow_ns = v * 1000000ULL;
		else
			p->unmap_ns = v * 1000000ULL;
		return 0;
	case OPT_TOP:
		if (ds_parse_uint(arg, 1000, &v))
			return usage_err(err, h, "invalid --%s '%s': expected 0..1000",
					 o->lname, arg);
		p->top = v;
		return 0;
	case OPT_BUFFER:
		if (ds_parse_uint(arg, 1 << 20, &v) || v < 4 || (v & (v - 1)))
			return usage_err(err, h,
					 "invalid --%s '%s': expected a power of two KiB >= 4",
					 o->lname, arg);
		p->buffer_kb = v;
		return 0;
	case OPT_INODE:
		if (ds_parse_uint(arg, ~0ULL, &v) || !v)
			return usage_err(err, h, "invalid --%s '%s': expected an inode number",
					 o->lname, arg);
		p->inode = v;
		return 0;
	case OPT_INPUT:
		p->input = arg;
		return 0;
	case OPT_OUTPUT:
		p->output = arg;
		return 0;
	case OPT_VMLINUX:
		p->vmlinux = arg;
		return 0;
	case OPT_FORMAT:
		p->format = arg;
		return 0;
	case OPT_DB:
		p->db = arg;
		return 0;
	case OPT_NO_DB:
		p->no_db = true;
		return 0;
	case OPT_JUNIT:
		p->junit = arg;
		return 0;
	case OPT_HTML:
		p->html = arg;
		return 0;
	case OPT_STATUS:
		p->status = arg;
		return 0;
	case OPT_NOTE:
		p->note = arg;
		return 0;
	case OPT_LINK:
		p->link = arg;
		return 0;
	case OPT_DUP_OF:
		p->dup_of = arg;
		return 0;
	case OPT_PROC_DEPS:
		p->proc_deps = arg;
		return 0;
	case OPT_KMSG:
		p->kmsg = true;
		return 0;
	case OPT_TRACEPOINTS:
		p->tracepoints = true;
		return 0;
	case OPT_KMSG_FILE:
		p->kmsg_file = arg;
		return 0;
	case OPT_ALL:
		p->all = true;
		return 0;
	case OPT_INTERVAL_MS:
		if (ds_parse_uint(arg, 3600000, &v) || !v)
			return usage_err(err, h, "invalid --%s '%s': expected milliseconds > 0",
					 o->lname, arg);
		p->poll_ns = v * 1000000ULL;
		return 0;
	case OPT_BATCH:
		p->batch = true;
		return 0;
	case OPT_ITERATIONS:
		if (ds_parse_uint(arg, 1000000000, &v) || !v)
			return usage_err(err, h, "invalid --%s '%s': expected a number > 0",
					 o->lname, arg);
		p->iterations = v;
		return 0;
	case OPT_PANE:
		p->pane = arg;
		return 0;
	case OPT_TIMING:
		p->timing = true;
		return 0;
	case OPT_SAVE_DIR:
		p->save_dir = arg;
		return 0;
	case OPT_SPEED:
		/* the same syntax as seconds: a non-negative decimal number */
		if (ds_parse_seconds(arg, &v))
			return usage_err(err, h, "invalid --%s '%s': expected a factor >= 0 "
					 "(0: as fast as possible)", o->lname, arg);
		p->speed = v / 1e9;
		p->speed_set = true;
		return 0;
	case OPT_DOT:
		p->dot = arg;
		return 0;
	case OPT_SVG:
		p->svg = arg;
		return 0;
	case OPT_AROUND:
		p->around = arg;
		return 0;
	case OPT_DEPTH:
	case OPT_MAX_NODES:
		if (ds_parse_uint(arg, o->id == OPT_DEPTH ? 100 : 1000000, &v) || !v)
			return usage_err(err, h, "invalid --%s '%s': expected a number > 0",
					 o->lname, arg);
		if (o->id == OPT_DEPTH)
			p->depth = v;
		else
			p->max_nodes = v;
		return 0;
	case OPT_MAX_CLASSES:
		if (ds_parse_uint(arg, 1u << 31, &v) || v < 2)
			return usage_err(err, h, "invalid --%s '%s': expected a number >= 2",
					 o->lname, arg);
		p->max_classes = v;
		return 0;
	}
	return usage_err(err, h, "internal: unhandled option %s", o->lname);
}

int ds_cli_parse(const struct ds_cmd_help *h, int argc, char **argv, struct ds_params *p,
		 FILE *err)
{
	struct option lopts[MAX_OPTS + 1];
	char sopts[MAX_OPTS * 2 + 3], *sp = sopts;
	const struct ds_opt *o;
	int n = 0, c, idx, ret;

	memset(p, 0, sizeof(*p));
	*sp++ = ':';	/* report missing arguments as ':' */
	for (o = h->opts; o->lname && n < MAX_OPTS; o++, n++) {
		lopts[n].name = o->lname;
		lopts[n].has_arg = o->arg ? required_argument : no_argument;
		lopts[n].flag = NULL;
		lopts[n].val = o->id;
		if (o->sname) {
			*sp++ = (char)o->sname;
			if (o->arg)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	memset(&lopts[n], 0, sizeof(lopts[n]));

	optind = 0;	/* full reset: parse may run more than once (tests) */
	opterr = 0;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, sopts, lopts, &idx);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt && optopt < 256)
				return usage_err(err, h, "unknown option '-%c'", optopt);
			return usage_err(err, h, "unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':')
			return usage_err(err, h, "option '%s' needs an argument", argv[optind - 1]);
		for (o = h->opts; o->lname; o++)
			if ((idx >= 0 && o == &h->opts[idx]) || (idx < 0 && o->sname == c))
				break;
		if (!o->lname)
			return usage_err(err, h, "unknown option '%s'", argv[optind - 1]);
		ret = apply(h, o, optarg, p, err);
		if (ret)
			return ret;
	}
	/* GNU getopt moved every positional behind the options */
	while (optind < argc) {
		if (p->nr_positional >= (int)(sizeof(p->positional) / sizeof(p->positional[0])))
			return usage_err(err, h, "too many arguments");
		p->positional[p->nr_positional++] = argv[optind++];
	}
	return 0;
}

void ds_cli_help(const struct ds_cmd_help *h, FILE *f)
{
	const struct ds_opt *o;
	char left[64];

	fprintf(f, "Usage: %s\n\n%s\n", h->usage, h->summary);
	if (h->description)
		fprintf(f, "\n%s\n", h->description);
	fprintf(f, "\nOptions:\n");
	for (o = h->opts; o->lname; o++) {
		if (o->sname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->sname, o->lname,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->lname, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
	if (h->examples)
		fprintf(f, "\nExamples:\n%s", h->examples);
}
