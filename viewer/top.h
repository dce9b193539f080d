/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_TOP_H
#define DS_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "deptscope/stream.h"

/* ---- pace.c: a recording or trace.dat replayed at its recorded pace ---- */

struct top_pace;

/*
 * Open @path (a deptscope recording or a trace-cmd trace.dat).  @speed
 * scales the recorded pace; 0 delivers as fast as the consumers take it.
 * Problems are logged (ds_log) as one line; returns 0 or -errno.
 */
int top_pace__open(const char *path, double speed, struct top_pace **out);
void top_pace__close(struct top_pace *p);
/* The ds_stream source over it. */
extern const struct ds_source_ops top_pace_source_ops;
void top_pace__set_paused(struct top_pace *p, bool paused, uint64_t now);
bool top_pace__paused(const struct top_pace *p);
/* ms until the next record is due (0: now), -1: nothing to wait for. */
int top_pace__wait_ms(const struct top_pace *p, uint64_t now);
/* At the end: how reading stopped ("complete", "truncated at ...", an error). */
const char *top_pace__status(const struct top_pace *p);
bool top_pace__failed(const struct top_pace *p);
/* Record time the replay has reached: what "now" is for hang checks. */
uint64_t top_pace__now(const struct top_pace *p);

/* ---- panes.c: every pane rendered as lines of text ---- */

enum top_pane {
	PANE_OVERVIEW,
	PANE_FENCES,
	PANE_DMABUF,
	PANE_VPR,
	PANE_EVENTS,
	PANE_GRAPH,
	PANE_NR,
};

enum top_attr {
	TA_TEXT,
	TA_TITLE,	/* a pane's title line */
	TA_HEAD,		/* column headings */
	TA_ALERT,	/* hangs, failures, drops */
	TA_DIM,
};

struct top_line {
	enum top_attr attr;
	char text[256];
};

/* Lines of one frame; grows as needed. */
struct top_lines {
	struct top_line *v;
	size_t nr, cap;
};

void top_lines__reset(struct top_lines *l);
void top_lines__free(struct top_lines *l);
void top_lines__add(struct top_lines *l, enum top_attr a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TOP_LOG_LINES	64

/* What the panes render: the models of lib/, and the viewer's own UI state only. */
struct top {
	/* models, fed by the stream like the CLI commands' */
	struct ds_stream *s;
	struct ds_fence_model *fence;
	struct ds_dmabuf_model *dmabuf;
	struct ds_vpr_model *vpr;
	struct ds_graph *graph;
	struct ds_dept_live *dept;
	struct ds_history *hist;
	/* sources */
	struct top_pace *pace;		/* --input */
	const char *input;
	char attached[128];		/* live: "dma_fence dma_buf ..." */
	char missing[256];		/* live: events that could not attach */
	uint64_t slow_ns;		/* VPR rows: as deptscope vpr's default */
	/* UI state */
	bool utf8;
	bool frozen;			/* 'p': the screen stays, ingest goes on */
	char filter[64];		/* Events pane: substring */
	char log[TOP_LOG_LINES][160];	/* ds_log lines while curses owns stderr */
	unsigned char log_level[TOP_LOG_LINES];
	unsigned int log_head, log_nr;
};

const char *top_pane_name(enum top_pane pane);
/* "fences" -> PANE_FENCES; -1 when unknown */
int top_pane_parse(const char *name);
/* Render @pane of @t into @l; its lists have at most @rows rows (0: 20). */
void top_pane__render(struct top *t, enum top_pane pane, struct top_lines *l, int rows);

#endif
