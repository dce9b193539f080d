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
/* The first record's time, 0 before it. */
uint64_t top_pace__first(const struct top_pace *p);
/*
 * Seek forward: records up to @ts go to the stream at once, then the
 * recorded pace resumes from @ts (paused, if it was).  A time already
 * reached cancels a seek.  Going back means reading again from the start.
 */
void top_pace__skip_to(struct top_pace *p, uint64_t ts);
bool top_pace__seeking(const struct top_pace *p);
/* How far behind its due time a record was delivered, at most. */
uint64_t top_pace__max_lag(const struct top_pace *p);

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
	bool selected;		/* the Graph pane's cursor is on it */
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
#define TOP_UNMAP_NS	1000000000ULL	/* as deptscope dmabuf's --unmap-ms */
#define TOP_ITEMS_MAX	1024	/* rows of the Graph pane the cursor can stop on */

/* What the Graph pane shows: the list, or one thing opened with Enter. */
enum top_gview {
	GV_LIST,
	GV_CIRCLE,	/* a circle DEPT reported: contexts and stacks */
	GV_SCC,		/* a cyclic component of the graph: its edges */
	GV_CLASS,	/* one class: what it waits on, what waits on it */
};

/* A row the cursor can stop on, by identity, so new rows do not move it. */
struct top_item {
	enum top_gview kind;	/* what Enter opens; GV_LIST: nothing */
	uint64_t id;		/* circle: its record time; scc and class: a class id */
	unsigned int nth;	/* the same kind and id shown before it in the frame */
	int line;		/* where it is in the frame (not part of the identity) */
};

/* Sort orders a pane cycles through with 's'. */
#define TOP_SORTS	4

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
	struct ds_symbolizer *sym;	/* DEPT stacks; NULL: addresses */
	/* 'r': everything dispatched also goes here */
	struct ds_recorder *rec;
	char rec_path[4096];
	uint64_t rec_start;
	/* sources */
	struct top_pace *pace;		/* --input */
	const char *input;
	char attached[128];		/* live: "dma_fence dma_buf ..." */
	char missing[256];		/* live: events that could not attach */
	unsigned int sources;		/* live: DS_SRC_* attached */
	uint64_t slow_ns;		/* VPR rows: as deptscope vpr's default */
	uint32_t max_classes;		/* the DEPT graph's cap (--max-classes) */
	uint64_t evictions_seen;	/* the Graph pane's ids are stale past this */
	/* UI state */
	bool utf8;
	int cols;			/* screen width long rows wrap at; 0: never (--batch) */
	bool cursor;			/* a Graph pane cursor to show: curses, not --batch */
	bool frozen;			/* the screen stays, ingest goes on */
	char filter[64];		/* Events pane: substring */
	unsigned int sort[PANE_NR];	/* index into the pane's sort orders */
	/* Graph pane: the view, the cursor, and the rows it can stop on */
	enum top_gview gview;
	struct top_item open;		/* what the view shows (GV_LIST: unused) */
	struct top_item sel;		/* the cursor */
	bool sel_set;
	int sel_line;			/* the cursor's line in the last frame, -1: none */
	struct top_item items[TOP_ITEMS_MAX];
	unsigned int nr_items;
	char log[TOP_LOG_LINES][160];	/* ds_log lines while curses owns stderr */
	unsigned char log_level[TOP_LOG_LINES];
	unsigned int log_head, log_nr;
};

const char *top_pane_name(enum top_pane pane);
/* The name of @pane's current sort order, NULL for panes that do not sort. */
const char *top_sort_name(const struct top *t, enum top_pane pane);
/* Next sort order of @pane. */
void top_sort__next(struct top *t, enum top_pane pane);
/*
 * The classes the Graph pane's current view or cursor is about, for an
 * export: a circle's or component's classes, one class; none (0) means
 * the whole graph.  @ids holds up to @max; returns how many there are,
 * and what they are in @what ("circle 3", "class foo", ...).
 */
size_t top_graph__focus(struct top *t, uint32_t *ids, size_t max, unsigned int *depth,
			char *what, size_t len);
/* "fences" -> PANE_FENCES; -1 when unknown */
int top_pane_parse(const char *name);
/* Render @pane of @t into @l; its lists have at most @rows rows (0: 20). */
void top_pane__render(struct top *t, enum top_pane pane, struct top_lines *l, int rows);

#endif
