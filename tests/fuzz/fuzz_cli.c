// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for the command-line parsers (tools/cli.c, tools/opts.c):
 * the input is split into arguments at NUL bytes and newlines.  When the
 * first one names a command ("triage mark" and "triage list" take two),
 * that command's parser gets the rest, as main() would hand it over;
 * otherwise every parser gets all of them.  Beyond not crashing, each
 * parser must keep its contract: 0 with nothing written, or DS_EXIT_USAGE
 * with exactly one line on the error stream; the fields a command relies
 * on after a successful parse are set; every string is one of the
 * arguments.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS	300	/* past the 256 positionals ds_cli_parse takes */

typedef int (*parse_fn)(int argc, char **argv, struct ds_params *p, FILE *err);

static const struct {
	const char *name, *sub;
	parse_fn parse;
	const struct ds_cmd_help *help;
} cmds[] = {
	{ "fence", NULL, ds_parse_fence, &ds_help_fence },
	{ "record", NULL, ds_parse_record, &ds_help_record },
	{ "report", NULL, ds_parse_report, &ds_help_report },
	{ "export", NULL, ds_parse_export, &ds_help_export },
	{ "dmabuf", NULL, ds_parse_dmabuf, &ds_help_dmabuf },
	{ "triage", "mark", ds_parse_triage_mark, &ds_help_triage_mark },
	{ "triage", "list", ds_parse_triage_list, &ds_help_triage_list },
	{ "triage", NULL, ds_parse_triage, &ds_help_triage },
	{ "graph", NULL, ds_parse_graph, &ds_help_graph },
	{ "dept", NULL, ds_parse_dept, &ds_help_dept },
	{ "vpr", NULL, ds_parse_vpr, &ds_help_vpr },
	{ "import", NULL, ds_parse_import, &ds_help_import },
	{ "top", NULL, ds_parse_top, &ds_help_top },
};

#define NR_CMDS	(sizeof(cmds) / sizeof(cmds[0]))

static FILE *devnull;

/* @s is NULL or one of the arguments (not a copy, not freed memory). */
static void check_str(const char *s, char **args, int n)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < n; i++)
		if (s >= args[i] && s <= args[i] + strlen(args[i]))
			return;
	/* the parsers' own defaults */
	CHECK(!strcmp(s, "dot"));
}

static void check_params(unsigned int c, const struct ds_params *p, char **args, int n)
{
	const char *strs[] = { p->input, p->output, p->vmlinux, p->format, p->db, p->junit,
			       p->html, p->status, p->note, p->link, p->dup_of, p->proc_deps,
			       p->around, p->kmsg_file, p->dot, p->svg, p->pane, p->save_dir };
	const char *name = cmds[c].help->name;
	unsigned int i;

	CHECK(p->nr_positional >= 0 && p->nr_positional <= 256);
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		check_str(strs[i], args, n);
	for (i = 0; i < (unsigned int)p->nr_positional; i++)
		check_str(p->positional[i], args, n);
	CHECK(!p->buffer_kb || (p->buffer_kb >= 4 && !(p->buffer_kb & (p->buffer_kb - 1))));
	CHECK(p->top <= 1000 && p->depth <= 100 && p->max_nodes <= 1000000);
	CHECK(!p->max_classes || p->max_classes >= 2);
	if (p->help)
		return;
	/* what each command reads without checking again */
	if (!strcmp(name, "record"))
		CHECK(p->output);
	if (!strcmp(name, "report") || !strcmp(name, "import"))
		CHECK(p->input && p->nr_positional == 1);
	if (!strcmp(name, "import"))
		CHECK(p->output);
	if (!strcmp(name, "export"))
		CHECK(p->input && p->output && p->format && !strcmp(p->format, "chrome"));
	if (!strcmp(name, "graph"))
		CHECK(p->format && (p->proc_deps || p->nr_positional));
	if (!strcmp(name, "triage"))
		CHECK(p->nr_positional > 0 && !(p->db && p->no_db));
	if (!strcmp(name, "triage mark"))
		CHECK(p->status && p->nr_positional == 1);
	if (!strcmp(name, "dept"))
		CHECK(p->poll_ns && !(p->kmsg && p->kmsg_file));
	if (!strcmp(name, "vpr"))
		CHECK(p->slow_ns);
	if (!strcmp(name, "top"))
		CHECK(p->poll_ns && p->speed >= 0 && (!p->speed_set || p->input));
	if (!strcmp(name, "fence") && p->nr_positional)
		CHECK(p->interval_ns);
}

static void run(unsigned int c, char **args, int n)
{
	char *argv[MAX_ARGS + 2], *msg = NULL;
	struct ds_params p;
	size_t len = 0;
	FILE *err;
	int i, ret;

	/* getopt permutes argv: every parser gets its own array */
	argv[0] = (char *)cmds[c].help->name;
	for (i = 0; i < n; i++)
		argv[i + 1] = args[i];
	argv[n + 1] = NULL;
	err = open_memstream(&msg, &len);
	if (!err)
		abort();
	ret = cmds[c].parse(n + 1, argv, &p, err);
	fclose(err);
	CHECK(ret == 0 || ret == DS_EXIT_USAGE);
	if (ret) {
		/* one line: the reason, ending in a newline and holding no other */
		CHECK(len > 1 && msg[len - 1] == '\n' && !memchr(msg, '\n', len - 1));
	} else {
		CHECK(len == 0);
		check_params(c, &p, args, n);
		if (p.help)
			ds_cli_help(cmds[c].help, devnull);
	}
	free(msg);
}

/* The two number parsers on their own, against what they promise. */
static void numbers(const char *s)
{
	uint64_t v;

	if (!ds_parse_uint(s, 1000000, &v))
		CHECK(v <= 1000000);
	if (!ds_parse_seconds(s, &v))
		CHECK(v <= 1000000000000000000ULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS];
	size_t start = 0, i;
	unsigned int c;
	int n = 0, k, skip = -1;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	/* each argument in its own allocation, so that reading past one is caught */
	for (i = 0; i <= size && n < MAX_ARGS; i++) {
		if (i < size && data[i] && data[i] != '\n')
			continue;
		args[n] = strndup((const char *)data + start, i - start);
		if (!args[n])
			abort();
		n++;
		start = i + 1;
	}
	for (k = 0; k < n; k++)
		numbers(args[k]);
	for (c = 0; n && c < NR_CMDS; c++) {
		if (strcmp(args[0], cmds[c].name))
			continue;
		if (!cmds[c].sub) {
			skip = 1;
			break;
		}
		if (n > 1 && !strcmp(args[1], cmds[c].sub)) {
			skip = 2;
			break;
		}
	}
	if (skip > 0)
		run(c, args + skip, n - skip);
	else
		for (c = 0; c < NR_CMDS; c++)
			run(c, args, n);
	for (k = 0; k < n; k++)
		free(args[k]);
	return 0;
}
