/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in docs/cli.md. */
#define DS_EXIT_OK	0
#define DS_EXIT_ERROR	1	/* could not do the job: BPF, I/O, bad input file */
#define DS_EXIT_USAGE	2	/* bad command line */
#define DS_EXIT_HANG	3	/* fence/report: a wait exceeded --hang-ms; dmabuf: an
				 * importer missed --unmap-ms */

/*
 * One table per command drives both getopt_long and --help, so the help
 * text cannot drift from what is parsed.
 */
struct ds_opt {
	const char *lname;
	int sname;		/* 0: long only */
	const char *arg;	/* NULL: a flag */
	const char *help;
	int id;
};

enum {
	OPT_HELP = 1000, OPT_VERBOSE, OPT_JSON, OPT_DURATION, OPT_PID, OPT_INPUT, OPT_OUTPUT,
	OPT_HANG_MS, OPT_TOP, OPT_MSEC, OPT_VMLINUX, OPT_FORMAT, OPT_PRETTY, OPT_BUFFER,
	OPT_NO_STACKS, OPT_FORCE, OPT_INODE, OPT_UNMAP_MS,
	OPT_DB, OPT_NO_DB, OPT_JUNIT, OPT_HTML, OPT_STATUS, OPT_NOTE, OPT_LINK, OPT_DUP_OF,
	OPT_PROC_DEPS, OPT_AROUND, OPT_DEPTH, OPT_MAX_NODES, OPT_MAX_CLASSES,
	OPT_KMSG, OPT_KMSG_FILE, OPT_ALL, OPT_INTERVAL_MS, OPT_DOT, OPT_SVG, OPT_TRACEPOINTS,
	OPT_SLOW_MS, OPT_BATCH, OPT_ITERATIONS, OPT_PANE, OPT_SPEED, OPT_TIMING, OPT_SAVE_DIR,
	OPT_SELFTEST,
};

/* The live DEPT graph's default cap (dept, top): about 100 MB of classes and edges. */
#define DS_MAX_CLASSES	1000000

struct ds_cmd_help {
	const char *name;
	const char *summary;
	const char *usage;
	const char *description;
	const char *examples;
	const struct ds_opt *opts;
};

/* Parameters of every command; each parse fills only what its table allows. */
struct ds_params {
	int verbose;
	bool json;
	bool pretty;
	bool help;
	bool msec;
	bool no_stacks;
	bool force;
	uint64_t duration_ns;	/* 0: until Ctrl-C */
	uint32_t pid;
	uint32_t selftest_pid;	/* top --selftest: the load's process */
	uint64_t hang_ns;
	unsigned int top;
	uint32_t buffer_kb;
	uint64_t interval_ns;	/* positional interval, 0: none */
	long count;		/* positional count, 0: unlimited */
	const char *input;
	const char *output;
	const char *vmlinux;
	const char *format;
	uint64_t inode;		/* 0: every buffer */
	uint64_t unmap_ns;	/* dmabuf: unmap deadline after an invalidation */
	uint64_t slow_ns;	/* vpr: a resize slower than this is an alert */
	/* triage */
	const char *db;		/* known-issue database, NULL: the default */
	bool no_db;
	const char *junit;
	const char *html;
	const char *status;	/* triage mark */
	const char *note;
	const char *link;
	const char *dup_of;
	/* graph */
	const char *proc_deps;
	const char *around;	/* class whose neighbourhood to export */
	unsigned int depth;	/* neighbourhood radius, 0: default */
	unsigned int max_nodes;	/* 0: default */
	unsigned int max_classes;	/* dept, top: the live graph's cap, 0: default */
	/* dept */
	bool kmsg;		/* follow /dev/kmsg */
	bool tracepoints;	/* dept: the DEPT tracepoints only */
	const char *kmsg_file;	/* a kmsg capture or console log ('-': stdin) */
	bool all;		/* /dev/kmsg from the start of the buffer */
	uint64_t poll_ns;	/* dept: /proc/dept_deps poll period; top: the refresh */
	const char *dot;
	const char *svg;
	/* top */
	bool batch;		/* plain frames on stdout, no curses */
	uint64_t iterations;	/* frames to draw or print, 0: until the end */
	const char *pane;	/* --batch: only this pane; curses: the first one */
	bool timing;		/* frame and ingest figures on stderr at the end */
	const char *save_dir;	/* where 'e' and 'r' write, NULL: "." */
	double speed;		/* --input: times the recorded pace, 0: at once */
	bool speed_set;
	const char *positional[256];
	int nr_positional;
};

extern const struct ds_cmd_help ds_help_fence, ds_help_record, ds_help_report, ds_help_export,
	ds_help_dmabuf, ds_help_triage, ds_help_triage_mark, ds_help_triage_list, ds_help_graph,
	ds_help_dept, ds_help_vpr, ds_help_import, ds_help_top;

/*
 * Parse argv (argv[0] is the command name) with @h's table into @p.  No side
 * effects besides @p and messages on @err; returns 0, or DS_EXIT_USAGE with
 * a one-line reason written to @err.
 */
int ds_cli_parse(const struct ds_cmd_help *h, int argc, char **argv, struct ds_params *p,
		 FILE *err);
void ds_cli_help(const struct ds_cmd_help *h, FILE *f);

/* Command-specific checks of positionals after parsing. */
int ds_parse_fence(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_record(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_report(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_export(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_dmabuf(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_triage(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_triage_mark(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_triage_list(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_graph(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_dept(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_vpr(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_import(int argc, char **argv, struct ds_params *p, FILE *err);
int ds_parse_top(int argc, char **argv, struct ds_params *p, FILE *err);

/* Numbers as users type them: "1.5" seconds, "250" ms, "0x1f" pids are rejected. */
int ds_parse_seconds(const char *s, uint64_t *ns);
int ds_parse_uint(const char *s, uint64_t max, uint64_t *v);

#endif
