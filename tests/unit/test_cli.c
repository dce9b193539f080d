// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include "test.h"
#include "../../tools/cli.h"

/* Parse a space-separated command line. */
static int parse(int (*fn)(int, char **, struct ds_params *, FILE *), const char *line,
		 struct ds_params *p, char *err, size_t errlen)
{
	char *copy = strdup(line), *argv[32], *tok, *save = NULL;
	FILE *ef = fmemopen(err, errlen, "w");
	int argc = 0, ret;

	for (tok = strtok_r(copy, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	memset(err, 0, errlen);
	ret = fn(argc, argv, p, ef);
	fclose(ef);
	/* argv points into copy: callers only look at numbers and flags */
	free(copy);
	return ret;
}

TEST(test_cli_fence_forms)
{
	struct ds_params p;
	char err[512];

	CHECK(parse(ds_parse_fence, "fence -d 2.5 -p 42 --hang-ms=250 -n 3 -m -j 1 4", &p, err,
		    sizeof(err)) == 0);
	CHECK_EQ_U64(p.duration_ns, 2500000000ULL);
	CHECK_EQ_U64(p.pid, 42);
	CHECK_EQ_U64(p.hang_ns, 250000000ULL);
	CHECK_EQ_U64(p.top, 3);
	CHECK(p.msec && p.json);
	CHECK_EQ_U64(p.interval_ns, 1000000000ULL);
	CHECK_EQ_U64(p.count, 4);

	CHECK(parse(ds_parse_fence, "fence --duration 3 --pid=7 --hang-ms 9 --top=0 -vv", &p, err,
		    sizeof(err)) == 0);
	CHECK_EQ_U64(p.duration_ns, 3000000000ULL);
	CHECK_EQ_U64(p.pid, 7);
	CHECK_EQ_U64(p.hang_ns, 9000000ULL);
	CHECK_EQ_U64(p.verbose, 2);

	/* options may follow positionals */
	CHECK(parse(ds_parse_fence, "fence 2 --json", &p, err, sizeof(err)) == 0);
	CHECK(p.json);
	CHECK_EQ_U64(p.interval_ns, 2000000000ULL);
}

TEST(test_cli_fence_errors)
{
	static const char *const bad[] = {
		"fence -d", "fence -d 0", "fence -d -1", "fence -d abc", "fence -p 0",
		"fence -p 12x", "fence --hang-ms 0", "fence -n 5000", "fence --bogus",
		"fence -Z", "fence 0", "fence 1 0", "fence 1 2 3", "fence -i f -p 3",
		"fence --buffer-kb 3", "fence --buffer-kb 1000",
	};
	struct ds_params p;
	char err[512];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(ds_parse_fence, bad[i], &p, err, sizeof(err));

		if (ret != DS_EXIT_USAGE)
			ds_test_fail(__FILE__, __LINE__, "'%s' gave %d, want usage error", bad[i],
				     ret);
		/* exactly one line, naming the command */
		if (strncmp(err, "deptscope fence: ", 17) ||
		    strchr(err, '\n') != err + strlen(err) - 1)
			ds_test_fail(__FILE__, __LINE__, "'%s': message '%s'", bad[i], err);
	}
}

TEST(test_cli_record_report_export)
{
	struct ds_params p;
	char err[512];

	CHECK(parse(ds_parse_record, "record -o x.dsr -d 1 fence", &p, err, sizeof(err)) == 0);
	CHECK_EQ_U64(p.duration_ns, 1000000000ULL);
	CHECK(parse(ds_parse_record, "record -d 1", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(strstr(err, "missing -o") != NULL);
	CHECK(parse(ds_parse_record, "record -o x gpu", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(strstr(err, "unknown source 'gpu'") != NULL);
	CHECK(parse(ds_parse_record, "record -o x vpr dept", &p, err, sizeof(err)) == 0);
	CHECK(parse(ds_parse_vpr, "vpr --slow-ms 0", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(parse(ds_parse_vpr, "vpr -i x.dsr -d 3", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(parse(ds_parse_vpr, "vpr", &p, err, sizeof(err)) == 0);
	CHECK_EQ_U64(p.slow_ns, 100000000ULL);

	CHECK(parse(ds_parse_report, "report rec.dsr --json -n 2", &p, err, sizeof(err)) == 0);
	CHECK(p.json);
	CHECK_EQ_U64(p.top, 2);
	CHECK(parse(ds_parse_report, "report", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(parse(ds_parse_report, "report a b", &p, err, sizeof(err)) == DS_EXIT_USAGE);

	CHECK(parse(ds_parse_export, "export --format chrome r.dsr -o o.json", &p, err,
		    sizeof(err)) == 0);
	CHECK(parse(ds_parse_export, "export -f chrome r.dsr", &p, err, sizeof(err)) ==
	      DS_EXIT_USAGE);
	CHECK(parse(ds_parse_export, "export -f svg r.dsr -o x", &p, err, sizeof(err)) ==
	      DS_EXIT_USAGE);
	CHECK(strstr(err, "unknown format 'svg'") != NULL);
	CHECK(parse(ds_parse_export, "export -h", &p, err, sizeof(err)) == 0);
	CHECK(p.help);
}

/* Every option in a table is in the help and is accepted by the parser. */
TEST(test_cli_help_matches_table)
{
	const struct ds_cmd_help *cmds[] = {
		&ds_help_fence, &ds_help_record, &ds_help_report, &ds_help_export,
		&ds_help_dmabuf, &ds_help_triage, &ds_help_triage_mark, &ds_help_triage_list,
		&ds_help_graph, &ds_help_dept, &ds_help_vpr, &ds_help_import, &ds_help_top,
	};
	char help[8192], line[256];
	const struct ds_opt *o;
	struct ds_params p;
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		f = fmemopen(help, sizeof(help), "w");
		REQUIRE(f);
		ds_cli_help(cmds[i], f);
		fclose(f);
		CHECK(strstr(help, cmds[i]->usage) != NULL);
		for (o = cmds[i]->opts; o->lname; o++) {
			char *argv[4] = { (char *)cmds[i]->name, line, (char *)"8", NULL };
			FILE *ef = fopen("/dev/null", "w");

			snprintf(line, sizeof(line), "--%s", o->lname);
			if (!strstr(help, line))
				ds_test_fail(__FILE__, __LINE__, "%s help lacks %s",
					     cmds[i]->name, line);
			/* "8" is a valid argument for every option that takes one */
			if (ds_cli_parse(cmds[i], o->arg ? 3 : 2, argv, &p, ef))
				ds_test_fail(__FILE__, __LINE__, "%s rejects %s",
					     cmds[i]->name, line);
			fclose(ef);
		}
	}
}

TEST(test_cli_number_parsers)
{
	uint64_t v;

	CHECK(ds_parse_seconds("0.001", &v) == 0 && v == 1000000);
	CHECK(ds_parse_seconds("1e-3", &v) == 0 && v == 1000000);
	CHECK(ds_parse_seconds("nan", &v) < 0);
	CHECK(ds_parse_seconds("inf", &v) < 0);
	CHECK(ds_parse_seconds("", &v) < 0);
	CHECK(ds_parse_uint("18446744073709551616", ~0ULL, &v) < 0);
	CHECK(ds_parse_uint("+5", 10, &v) < 0);
	CHECK(ds_parse_uint("10", 10, &v) == 0 && v == 10);
	CHECK(ds_parse_uint("11", 10, &v) < 0);
}

TEST(test_cli_top)
{
	struct ds_params p;
	char err[512];

	CHECK(parse(ds_parse_top, "top -i r.dsr --speed 2.5 --interval 100 --pane graph -n 3 "
		    "--save-dir /tmp --timing", &p, err, sizeof(err)) == 0);
	/* strings point into the freed command line: only whether they are set */
	CHECK(p.input != NULL);
	CHECK(p.speed > 2.49 && p.speed < 2.51);
	CHECK_EQ_U64(p.poll_ns, 100000000ULL);
	CHECK(p.pane != NULL);
	CHECK_EQ_U64(p.iterations, 3);
	CHECK(p.save_dir != NULL);
	CHECK(p.timing && !p.batch);
	/* the defaults: the recorded pace, a frame a second */
	CHECK(parse(ds_parse_top, "top -i r.dsr", &p, err, sizeof(err)) == 0);
	CHECK(p.speed > 0.99 && p.speed < 1.01);
	CHECK_EQ_U64(p.poll_ns, 1000000000ULL);
	CHECK(!p.save_dir && !p.timing && !p.iterations);
	CHECK(parse(ds_parse_top, "top --batch --speed 0 -i r.dsr", &p, err, sizeof(err)) == 0);
	CHECK(p.batch && p.speed == 0);

	CHECK(parse(ds_parse_top, "top --pane nope", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(strstr(err, "unknown pane 'nope'") != NULL);
	CHECK(parse(ds_parse_top, "top --speed 2", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(strstr(err, "--speed goes with --input") != NULL);
	CHECK(parse(ds_parse_top, "top --interval 0", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(parse(ds_parse_top, "top -n 0", &p, err, sizeof(err)) == DS_EXIT_USAGE);
	CHECK(parse(ds_parse_top, "top -i r.dsr --speed -1", &p, err, sizeof(err)) ==
	      DS_EXIT_USAGE);
	CHECK(parse(ds_parse_top, "top extra", &p, err, sizeof(err)) == DS_EXIT_USAGE);
}
