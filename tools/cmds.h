/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_CMDS_H
#define DS_CMDS_H

#include <stdint.h>

struct fence_printer;
struct ds_fence_model;

int cmd_fence(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_dmabuf(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_dept(int argc, char **argv);
int cmd_vpr(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_top(int argc, char **argv);	/* viewer/top.c */
/* triage mark / triage list: argv[0] is "mark" / "list" */
int cmd_triage_mark(int argc, char **argv);
int cmd_triage_list(int argc, char **argv);

int fence_replay(struct fence_printer *fp, struct ds_fence_model *m, const char *path,
		 uint64_t *end_ts);

#endif
