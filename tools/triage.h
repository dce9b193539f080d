/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* deptscope triage: the run's state, shared by its output writers. */
#ifndef DS_TRIAGE_H
#define DS_TRIAGE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include "deptscope/dept.h"
#include "deptscope/json.h"
#include "cli.h"

struct ds_triage_db;

struct triage_occ {
	char file[256];
	uint64_t first_line, last_line;
	char kernel[64];
};

struct triage_bucket {
	char bucket[DS_DEPT_BUCKET_LEN];
	struct ds_dept_report *first;	/* the representative report */
	uint64_t count;			/* in this run */
	struct triage_occ *occ;
	size_t nr_occ, cap_occ;
	char status[24];		/* from the database; "new" without one */
	bool seen_before;		/* the database knew it before this run */
	char note[512];
	char link[512];
	int64_t db_count;		/* every run's, from the database */
	int64_t db_first_seen;		/* unix time, 0: unknown */
};

struct triage_unparsed {
	char file[256];
	uint64_t first_line, last_line;
	char problem[128];
};

struct triage_health {
	struct ds_dept_health h;
	char file[256];
};

struct triage_run {
	const struct ds_params *p;
	bool json;
	struct ds_json j;
	time_t started;
	struct ds_triage_db *db;
	int64_t run_id;
	uint64_t nr_reports;
	struct triage_bucket *buckets;
	size_t nr, cap;
	struct triage_unparsed *unparsed;
	size_t nr_unparsed, cap_unparsed;
	struct triage_health *health;
	size_t nr_health, cap_health;
};

void triage_json_report(struct ds_json *j, const struct ds_dept_report *r);
bool triage_bucket_failing(const struct triage_bucket *b);
size_t triage_nr_failing(const struct triage_run *t);

/* tools/triage_db_glue.c: the known-issue database, unless --no-db */
int triage_db_open(struct triage_run *t);
int triage_db_commit(struct triage_run *t);
void triage_db_close(struct triage_run *t);

/* tools/triage_out.c: JUnit XML and the HTML report, written atomically */
int triage_write_file(struct triage_run *t, const char *path,
		      void (*body)(struct triage_run *t, FILE *f));
int triage_write_junit(struct triage_run *t, const char *path);
void triage_xml_escape(FILE *f, const char *s);
int triage_write_html(struct triage_run *t, const char *path);
/* tools/triage_svg.c: the report's cycle drawn, malloc'd SVG text */
int triage_bucket_svg(const struct ds_dept_report *r, char **svg, size_t *len);

#endif
