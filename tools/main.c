// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "deptscope/log.h"
#include "deptscope/version.h"
#include "cli.h"
#include "cmds.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const struct ds_cmd_help *help;
};

/* Exact names only: a prefix must never pick a command by table order. */
static const struct command commands[] = {
	{ "fence", cmd_fence, &ds_help_fence },
	{ "dmabuf", cmd_dmabuf, &ds_help_dmabuf },
	{ "record", cmd_record, &ds_help_record },
	{ "report", cmd_report, &ds_help_report },
	{ "export", cmd_export, &ds_help_export },
	{ "triage", cmd_triage, &ds_help_triage },
	{ "graph", cmd_graph, &ds_help_graph },
	{ "dept", cmd_dept, &ds_help_dept },
	{ "vpr", cmd_vpr, &ds_help_vpr },
	{ "import", cmd_import, &ds_help_import },
	{ "top", cmd_top, &ds_help_top },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "Usage: deptscope [--version] [--help] COMMAND [OPTIONS]\n\n"
		"Wait/event dependency and dma-fence tracing for kernel developers and QA.\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %.*s\n", commands[i].name,
			(int)strcspn(commands[i].help->summary, "\n"), commands[i].help->summary);
	fprintf(f, "  %-8s %s\n", "help", "show help of a command: deptscope help COMMAND");
	fprintf(f, "\nRun 'deptscope COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	const char *name;
	unsigned int i;

	ds_log_init("deptscope", 0);
	if (argc < 2) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("deptscope %s\n", DS_VERSION);
		return 0;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			if (!strcmp(argv[2], commands[i].name)) {
				ds_cli_help(commands[i].help, stdout);
				return 0;
			}
		}
		fprintf(stderr, "deptscope: unknown command '%s'\n", argv[2]);
		return DS_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "deptscope: unknown command '%s' (see 'deptscope --help')\n", name);
	return DS_EXIT_USAGE;
}
