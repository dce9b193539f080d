// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope top: the models of lib/ on a live screen.  One poll() loop
 * waits on the keyboard, the event stream, a timerfd for the refresh and
 * a signalfd for SIGINT, SIGTERM and SIGWINCH, so no signal handler runs
 * in the middle of curses.  The models are fed exactly as the CLI
 * commands feed them; the screen only reads them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <curses.h>
#include "deptscope/dept_live.h"
#include "deptscope/dmabuf.h"
#include "deptscope/fence.h"
#include "deptscope/graph.h"
#include "deptscope/history.h"
#include "deptscope/log.h"
#include "deptscope/record.h"
#include "deptscope/symbolize.h"
#include "deptscope/util.h"
#include "deptscope/vpr.h"
#include "cli.h"
#include "cmds.h"
#include "graph_out.h"
#include "live.h"
#include "replay.h"
#include "top.h"

enum { PAIR_TITLE = 1, PAIR_HEAD, PAIR_ALERT, PAIR_TAB };

struct ui {
	struct top *t;
	const struct ds_params *p;
	bool curses;		/* curses owns the terminal */
	bool color;
	enum top_pane pane;
	bool help;
	bool editing;		/* typing the events filter after '/' */
	bool eof_seen;
	bool quit_error;	/* a seek could not read the file again */
	int scroll;
	struct top_lines frame;	/* what is on screen: kept while frozen */
	unsigned long frames;
	/* the footer's message: an export's path, why a key did nothing */
	char status[200];
	uint64_t status_until;
	/* files 'e' and 'r' wrote, said again on exit when the screen is gone */
	char wrote[16][256];
	unsigned int nr_wrote;
	/* --timing */
	uint64_t render_ns, render_max_ns, t_start;
};

#define STATUS_NS	8000000000ULL	/* how long a message stays in the footer */
#define SEEK_NS		10000000000ULL	/* Left and Right seek this far */
#define CIRCLE_IDLE_NS	300000000ULL	/* as deptscope dept: a circle is all in by then */

static void say(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line for the footer, kept in the viewer's log too (Overview shows it). */
static void say(struct ui *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->status, sizeof(u->status), fmt, ap);
	va_end(ap);
	u->status_until = ds_now_mono_ns() + STATUS_NS;
	ds_info("%s", u->status);
}

/* Set while curses owns the terminal: the crash handler gives it back. */
static volatile sig_atomic_t curses_active;

static void on_crash(int sig)
{
	/* not async-signal-safe, but a crash that leaves the terminal raw is worse */
	if (curses_active)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void crash_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
}

/* ds_log sink while curses owns the screen: a line on stderr would tear it. */
static void log_sink(void *ctx, enum ds_log_level level, const char *msg)
{
	struct top *t = ctx;
	unsigned int i = t->log_head;
	size_t n;

	snprintf(t->log[i], sizeof(t->log[i]), "%s%s",
		 level == DS_LOG_ERROR ? "error: " : level == DS_LOG_WARN ? "warning: " : "", msg);
	n = strlen(t->log[i]);
	while (n && t->log[i][n - 1] == '\n')
		t->log[i][--n] = '\0';
	t->log_level[i] = level;
	t->log_head = (i + 1) % TOP_LOG_LINES;
	if (t->log_nr < TOP_LOG_LINES)
		t->log_nr++;
}

/* After the screen is given back, the errors and warnings it held go to stderr. */
static void log_replay(struct top *t)
{
	unsigned int i, k;

	for (i = 0; i < t->log_nr; i++) {
		k = (t->log_head + TOP_LOG_LINES - t->log_nr + i) % TOP_LOG_LINES;
		if (t->log_level[k] <= DS_LOG_WARN)
			fprintf(stderr, "deptscope top: %s\n", t->log[k]);
	}
	t->log_nr = 0;
}

static void ui_end(struct ui *u)
{
	if (!u->curses)
		return;
	curses_active = 0;
	endwin();
	u->curses = false;
	ds_log_set_sink(NULL, NULL);
	log_replay(u->t);
}

static int ui_begin(struct ui *u)
{
	const char *nc = getenv("NO_COLOR");

	if (!newterm(NULL, stdout, stdin)) {
		ds_err("cannot start curses on TERM=%s: use --batch", getenv("TERM") ?: "");
		return -ENOTTY;
	}
	curses_active = 1;
	u->curses = true;
	u->t->cursor = true;
	ds_log_set_sink(log_sink, u->t);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	u->color = has_colors() && !(nc && *nc);
	if (u->color) {
		start_color();
		use_default_colors();
		init_pair(PAIR_TITLE, COLOR_CYAN, -1);
		init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_TAB, COLOR_BLACK, COLOR_GREEN);
	}
	return 0;
}

static attr_t attr_of(const struct ui *u, enum top_attr a)
{
	switch (a) {
	case TA_TITLE:
		return A_BOLD | (u->color ? COLOR_PAIR(PAIR_TITLE) : 0);
	case TA_HEAD:
		return u->color ? COLOR_PAIR(PAIR_HEAD) : A_UNDERLINE;
	case TA_ALERT:
		return A_BOLD | (u->color ? COLOR_PAIR(PAIR_ALERT) : 0);
	case TA_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/* Bytes of @s that fill at most @cols columns (UTF-8: one column a character). */
static int fit(const char *s, int cols)
{
	int i = 0;

	for (; s[i] && cols >= 0; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && --cols < 0)
			break;
	return i;
}

static void put(const struct ui *u, int y, enum top_attr a, const char *s)
{
	attr_t at = attr_of(u, a);

	attron(at);
	mvaddnstr(y, 0, s, fit(s, COLS));
	if (a == TA_HEAD) {
		int x = getcurx(stdscr);

		/* a heading bar spans the screen */
		if (x < COLS && x > 0)
			mvhline(y, x, ' ', COLS - x);
	}
	attroff(at);
}

static const char *const tab_titles[PANE_NR] = {
	"Overview", "Fences", "dma-buf", "VPR", "Events", "Graph",
};

static void help_lines(struct top_lines *l)
{
	static const char *const keys[] = {
		"  1-6, Tab, Shift-Tab  switch panes",
		"  Up/Down              move the cursor (Graph) or scroll; PgUp/PgDn, Home",
		"  Enter                Graph: open the circle, cycle or class under the cursor",
		"  Esc, Backspace       Graph: back to where Enter came from",
		"  /                    filter the Events pane (Enter: keep, Esc: clear)",
		"  s                    next sort order of this pane (shown in its title)",
		"  e                    export the graph, or the circle, cycle or class open",
		"                       or under the cursor, to DOT and SVG (--save-dir)",
		"  r                    start or stop recording what comes in (--save-dir)",
		"  p, space             pause: a replay stops; live, the screen stays",
		"                       while events are still taken in",
		"  f                    freeze the screen (a replay goes on)",
		"  Left/Right           replay (--input): seek 10 s back or forward",
		"  ?                    this help; any key closes it",
		"  q                    quit",
	};
	size_t i;

	top_lines__add(l, TA_TITLE, "%s", "Help: deptscope top");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		top_lines__add(l, TA_TEXT, "%s", keys[i]);
}

static void ui_render(struct ui *u, bool refresh_models)
{
	int rows = LINES - 2;

	if (refresh_models || !u->frame.nr) {
		u->t->cols = COLS;
		top_lines__reset(&u->frame);
		if (u->help)
			help_lines(&u->frame);
		else
			top_pane__render(u->t, u->pane, &u->frame, rows > 3 ? rows - 3 : 1);
	}
}

/* The cursor's line stays on screen: scroll to it when it moved off. */
static void follow_cursor(struct ui *u, int body)
{
	int line = u->t->sel_line;

	if (u->pane != PANE_GRAPH || u->help || line < 0)
		return;
	if (line < u->scroll + 1)
		u->scroll = line > 0 ? line - 1 : 0;
	else if (line >= u->scroll + body)
		u->scroll = line - body + 1;
}

/* The footer: the state the view is in, then a message or the keys (all of them in '?'). */
static void footer(struct ui *u, char *buf, size_t len)
{
	struct top *t = u->t;
	bool paused = t->pace ? top_pace__paused(t->pace) : t->frozen;
	char pos[48] = "", state[128];

	if (u->editing) {
		snprintf(buf, len, "filter: %s_", t->filter);
		return;
	}
	if (t->pace && top_pace__first(t->pace))
		snprintf(pos, sizeof(pos), "at %.1f s%s ",
			 (top_pace__now(t->pace) - top_pace__first(t->pace)) / 1e9,
			 top_pace__seeking(t->pace) ? " seeking" : "");
	snprintf(state, sizeof(state), "%s%s%s%s%s| ", u->eof_seen ? "[end of input] " : "",
		 paused ? "[PAUSED] " : "", t->pace && t->frozen ? "[FROZEN] " : "",
		 t->rec ? "[REC] " : "", pos);
	if (u->status[0] && ds_now_mono_ns() < u->status_until)
		snprintf(buf, len, "%s%s", state, u->status);
	else
		snprintf(buf, len, "%sq quit ? help / filter s sort e export r %s p %s", state,
			 t->rec ? "stop" : "rec", paused ? "resume" : "pause");
}

static void ui_draw(struct ui *u)
{
	char buf[400];
	int y, x = 0, i, body = LINES - 2, max_scroll;
	size_t k;

	erase();
	/* tab bar */
	for (i = 0; i < PANE_NR && x < COLS; i++) {
		attr_t at = i == (int)u->pane ? (u->color ? COLOR_PAIR(PAIR_TAB) : A_REVERSE) |
			    A_BOLD : A_NORMAL;

		snprintf(buf, sizeof(buf), " %d %s ", i + 1, tab_titles[i]);
		attron(at);
		mvaddnstr(0, x, buf, COLS - x);
		attroff(at);
		x += strlen(buf);
	}
	follow_cursor(u, body);
	max_scroll = (int)u->frame.nr - body;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	if (u->scroll < 0)
		u->scroll = 0;
	for (y = 0; y < body && (size_t)(y + u->scroll) < u->frame.nr; y++) {
		k = y + u->scroll;
		if (u->frame.v[k].selected)
			attron(A_REVERSE);
		put(u, y + 1, u->frame.v[k].attr, u->frame.v[k].text);
		if (u->frame.v[k].selected) {
			if (getcury(stdscr) == y + 1 && getcurx(stdscr) < COLS)
				hline(' ', COLS - getcurx(stdscr));
			attroff(A_REVERSE);
		}
	}
	footer(u, buf, sizeof(buf));
	attron(A_REVERSE);
	mvaddnstr(LINES - 1, 0, buf, COLS);
	if (getcurx(stdscr) < COLS - 1 && getcury(stdscr) == LINES - 1)
		hline(' ', COLS - getcurx(stdscr));
	attroff(A_REVERSE);
	refresh();
}

static void ui_resize(struct ui *u)
{
	struct winsize ws;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);	/* the terminal's old content is gone: repaint it all */
}

static void wrote(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A file written, for the list printed on exit: the footer's message is gone by then. */
static void wrote(struct ui *u, const char *fmt, ...)
{
	va_list ap;

	if (u->nr_wrote >= sizeof(u->wrote) / sizeof(u->wrote[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(u->wrote[u->nr_wrote++], sizeof(u->wrote[0]), fmt, ap);
	va_end(ap);
}

/* ---- the Graph pane's cursor and views ---- */

#define GSTACK	16

static struct {
	enum top_gview view[GSTACK];
	struct top_item open[GSTACK], sel[GSTACK];
	unsigned int nr;
} gback;

static void cursor_move(struct top *t, int delta)
{
	unsigned int i;
	int k;

	if (!t->nr_items)
		return;
	for (i = 0; i < t->nr_items; i++)
		if (t->items[i].kind == t->sel.kind && t->items[i].id == t->sel.id &&
		    t->items[i].nth == t->sel.nth)
			break;
	k = i == t->nr_items ? 0 : (int)i + delta;
	if (k < 0)
		k = 0;
	if (k >= (int)t->nr_items)
		k = (int)t->nr_items - 1;
	t->sel = t->items[k];
	t->sel_set = true;
}

static void graph_open(struct ui *u)
{
	struct top *t = u->t;

	if (!t->sel_set || t->sel.kind == GV_LIST)
		return;
	if (gback.nr < GSTACK) {
		gback.view[gback.nr] = t->gview;
		gback.open[gback.nr] = t->open;
		gback.sel[gback.nr] = t->sel;
		gback.nr++;
	}
	t->gview = t->sel.kind;
	t->open = t->sel;
	t->open.nth = 0;
	t->sel_set = false;	/* the new view's first row */
	u->scroll = 0;
}

static void graph_back(struct ui *u)
{
	struct top *t = u->t;

	if (t->gview == GV_LIST)
		return;
	if (gback.nr) {
		gback.nr--;
		t->gview = gback.view[gback.nr];
		t->open = gback.open[gback.nr];
		t->sel = gback.sel[gback.nr];
		t->sel_set = true;
	} else {
		t->gview = GV_LIST;
		t->sel_set = false;
	}
	u->scroll = 0;
}

/* ---- e: the graph, or what the Graph pane is on, to DOT and SVG ---- */

/* "DIR/deptscope-PREFIX-YYYYmmdd-HHMMSS[-N].EXT" that does not exist yet. */
static int new_path(const struct ui *u, const char *prefix, const char *ext, char *out,
		    size_t len)
{
	const char *dir = u->p->save_dir ? u->p->save_dir : ".";
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int i, n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 1; i < 100; i++) {
		if (i == 1)
			n = snprintf(out, len, "%s/deptscope-%s-%s.%s", dir, prefix, stamp, ext);
		else
			n = snprintf(out, len, "%s/deptscope-%s-%s-%d.%s", dir, prefix, stamp, i,
				     ext);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		if (access(out, F_OK) && errno == ENOENT)
			return 0;
	}
	return -EEXIST;
}

static void export_graph(struct ui *u)
{
	struct top *t = u->t;
	struct ds_graph_sccs sccs = {};
	struct ds_graph_sel sel = {};
	char what[160], dot[PATH_MAX], svg[PATH_MAX], sum[256];
	uint32_t ids[TOP_ITEMS_MAX];
	unsigned int depth;
	size_t n;
	int err;

	if (!ds_graph__nr_classes(t->graph)) {
		say(u, "nothing to export: the DEPT graph is empty");
		return;
	}
	n = top_graph__focus(t, ids, TOP_ITEMS_MAX, &depth, what, sizeof(what));
	err = ds_graph__sccs(t->graph, &sccs);
	if (!err)
		err = n ? ds_graph__select_around(t->graph, &sccs, ids, n, depth, 0, &sel) :
		      ds_graph__select_all(t->graph, &sccs, 0, &sel);
	if (!err) {
		err = new_path(u, "graph", "dot", dot, sizeof(dot));
		if (!err) {
			/* the SVG takes the DOT's name: one stamp for the pair */
			snprintf(svg, sizeof(svg), "%.*s.svg", (int)strlen(dot) - 4, dot);
		}
	}
	if (err) {
		say(u, "export failed: %s", strerror(-err));
		goto out;
	}
	ds_graph_sel__summary(t->graph, &sel, sum, sizeof(sum));
	/* graph_write says why on the log when it fails */
	if (graph_write(dot, "dot", false, t->graph, &sccs, &sel)) {
		say(u, "export of %s failed (see the Overview's messages)", what);
		goto out;
	}
	if (graph_write(svg, "svg", false, t->graph, &sccs, &sel)) {
		say(u, "exported %s to %s (no SVG: see the Overview's messages)", what, dot);
	} else {
		say(u, "exported %s: %s, .svg", what, dot);
		wrote(u, "wrote %s and %s: %s, %s", dot, svg, what, sum);
	}
out:
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&sccs);
}

/* ---- r: what comes in, to a recording ---- */

static int rec_consume(void *ctx, const struct ds_event_hdr *ev)
{
	struct top *t = ctx;
	int err;

	if (!t->rec)
		return 0;
	err = ds_recorder__write(t->rec, ev);
	if (err) {
		/* the recording stops; the view does not */
		ds_err("writing %s failed: %s; recording stopped", t->rec_path, strerror(-err));
		ds_recorder__close(t->rec, ds_now_mono_ns() - t->rec_start);
		t->rec = NULL;
	}
	return 0;
}

static void record_stop(struct ui *u)
{
	struct top *t = u->t;
	uint64_t records = ds_recorder__records(t->rec);
	int err;

	err = ds_recorder__close(t->rec, ds_now_mono_ns() - t->rec_start);
	t->rec = NULL;
	if (err) {
		say(u, "closing %s failed: %s", t->rec_path, strerror(-err));
	} else {
		say(u, "recorded %" PRIu64 " records to %s", records, t->rec_path);
		wrote(u, "wrote %s: %" PRIu64 " records", t->rec_path, records);
	}
}

static void record_toggle(struct ui *u)
{
	const struct ds_history_counts *c;
	struct top *t = u->t;
	int err;

	if (t->rec) {
		record_stop(u);
		return;
	}
	err = new_path(u, "rec", "dsr", t->rec_path, sizeof(t->rec_path));
	if (!err)
		err = ds_recorder__open(t->rec_path, 0, &t->rec);
	if (err) {
		say(u, "cannot record to %s: %s", t->rec_path, strerror(-err));
		t->rec = NULL;
		return;
	}
	t->rec_start = ds_now_mono_ns();
	/* what was attached, so a replay says what could not be seen */
	c = ds_history__counts(t->hist);
	if (!t->pace)
		err = ds_live_write_source(t->rec, t->sources, t->missing);
	else if (c->have_source)
		err = ds_recorder__write(t->rec, &c->source.hdr);
	if (err) {
		say(u, "writing %s failed: %s", t->rec_path, strerror(-err));
		ds_recorder__close(t->rec, 0);
		t->rec = NULL;
		return;
	}
	say(u, "recording to %s (r stops)", t->rec_path);
}

/* ---- the models, fed by one stream ---- */

static int models_open(struct top *t)
{
	struct ds_fence_model_opts mo = { .top_n = 10 };
	struct ds_dept_live_cbs cbs = { .circle = ds_history__add_circle };

	if (ds_fence_model__new(&mo, &t->fence) || ds_dmabuf_model__new(&t->dmabuf) ||
	    ds_history__new(0, 0, &t->hist))
		return -ENOMEM;
	cbs.ctx = t->hist;
	if (ds_vpr_model__new(ds_history__add_resize, t->hist, &t->vpr) ||
	    ds_graph__new(&t->graph) || ds_dept_live__new(t->graph, &cbs, t->sym, &t->dept))
		return -ENOMEM;
	ds_dept_live__set_max_classes(t->dept, t->max_classes);
	t->evictions_seen = 0;
	if (ds_stream__new(&t->s) ||
	    ds_stream__add_consumer(t->s, ds_fence_model__consume, t->fence) ||
	    ds_stream__add_consumer(t->s, ds_dmabuf_model__consume, t->dmabuf) ||
	    ds_stream__add_consumer(t->s, ds_vpr_model__feed, t->vpr) ||
	    ds_stream__add_consumer(t->s, ds_dept_live__feed, t->dept) ||
	    ds_stream__add_consumer(t->s, ds_history__consume, t->hist) ||
	    ds_stream__add_consumer(t->s, rec_consume, t))
		return -ENOMEM;
	return 0;
}

static void models_close(struct top *t)
{
	ds_stream__free(t->s);
	ds_dept_live__free(t->dept);
	ds_graph__free(t->graph);
	ds_vpr_model__free(t->vpr);
	ds_history__free(t->hist);
	ds_dmabuf_model__free(t->dmabuf);
	ds_fence_model__free(t->fence);
	t->s = NULL;
	t->dept = NULL;
	t->graph = NULL;
	t->vpr = NULL;
	t->hist = NULL;
	t->dmabuf = NULL;
	t->fence = NULL;
}

/*
 * Seek a replay by @delta ns of record time.  Forward, the records in
 * between go to the models at once; back, the models forget everything,
 * so the file is read again from the start up to the new position.
 */
static void seek(struct ui *u, int64_t delta)
{
	struct top *t = u->t;
	uint64_t now_rec, first, target;
	bool paused;
	int err;

	if (!t->pace) {
		say(u, "seeking is for replays (--input)");
		return;
	}
	now_rec = top_pace__now(t->pace);
	first = top_pace__first(t->pace);
	if (!first)
		return;
	if (delta > 0) {
		if (u->eof_seen) {
			say(u, "at the end of %s", t->input);
			return;
		}
		top_pace__skip_to(t->pace, now_rec + (uint64_t)delta);
		return;
	}
	if (t->rec) {
		say(u, "stop the recording (r) before seeking back");
		return;
	}
	target = now_rec - first > (uint64_t)-delta ? now_rec + delta : first;
	paused = top_pace__paused(t->pace);
	models_close(t);
	top_pace__close(t->pace);
	t->pace = NULL;
	u->eof_seen = false;
	err = models_open(t);
	if (!err)
		err = top_pace__open(t->input, u->p->speed, &t->pace);
	if (!err)
		err = ds_stream__add_source(t->s, &top_pace_source_ops, t->pace);
	if (err) {
		/* nothing left to show: say so and let the user quit */
		ds_err("cannot read %s again: %s", t->input, strerror(-err));
		u->quit_error = true;
		return;
	}
	top_pace__set_paused(t->pace, paused, ds_now_mono_ns());
	if (target > first)
		top_pace__skip_to(t->pace, target);
	t->sel_set = false;
	u->scroll = 0;
}

/* One key; returns true to quit. */
static bool ui_key(struct ui *u, int ch)
{
	struct top *t = u->t;
	size_t n = strlen(t->filter);
	const char *sort;

	if (u->editing) {
		if (ch == 27) {
			t->filter[0] = '\0';
			u->editing = false;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			u->editing = false;
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (n)
				t->filter[n - 1] = '\0';
		} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(t->filter)) {
			t->filter[n] = (char)ch;
			t->filter[n + 1] = '\0';
		}
		return false;
	}
	if (u->help && ch != 'q') {
		u->help = false;
		return false;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return true;
	case '1': case '2': case '3': case '4': case '5': case '6':
		u->pane = ch - '1';
		u->scroll = 0;
		break;
	case '\t':
		u->pane = (u->pane + 1) % PANE_NR;
		u->scroll = 0;
		break;
	case KEY_BTAB:
		u->pane = (u->pane + PANE_NR - 1) % PANE_NR;
		u->scroll = 0;
		break;
	case '?':
	case 'h':
		u->help = true;
		break;
	case 'p':
	case ' ':
		if (t->pace)
			top_pace__set_paused(t->pace, !top_pace__paused(t->pace), ds_now_mono_ns());
		else
			t->frozen = !t->frozen;
		break;
	case 'f':
		t->frozen = !t->frozen;
		break;
	case 's':
		top_sort__next(t, u->pane);
		sort = top_sort_name(t, u->pane);
		if (sort)
			say(u, "%s sorted by %s", tab_titles[u->pane], sort);
		else
			say(u, "the %s pane has one order", tab_titles[u->pane]);
		break;
	case 'e':
		export_graph(u);
		break;
	case 'r':
		record_toggle(u);
		break;
	case KEY_LEFT:
		seek(u, -(int64_t)SEEK_NS);
		break;
	case KEY_RIGHT:
		seek(u, (int64_t)SEEK_NS);
		break;
	case '/':
		u->pane = PANE_EVENTS;
		u->editing = true;
		t->filter[0] = '\0';
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (u->pane == PANE_GRAPH)
			graph_open(u);
		break;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (u->pane == PANE_GRAPH)
			graph_back(u);
		break;
	case KEY_UP:
		if (u->pane == PANE_GRAPH)
			cursor_move(t, -1);
		else
			u->scroll--;
		break;
	case KEY_DOWN:
		if (u->pane == PANE_GRAPH)
			cursor_move(t, 1);
		else
			u->scroll++;
		break;
	case KEY_PPAGE:
		if (u->pane == PANE_GRAPH)
			cursor_move(t, -(LINES - 3));
		else
			u->scroll -= LINES - 3;
		break;
	case KEY_NPAGE:
		if (u->pane == PANE_GRAPH)
			cursor_move(t, LINES - 3);
		else
			u->scroll += LINES - 3;
		break;
	case KEY_HOME:
		if (u->pane == PANE_GRAPH && t->nr_items)
			cursor_move(t, -(int)t->nr_items);
		u->scroll = 0;
		break;
	default:
		break;
	}
	return false;
}

/* --batch and TERM=dumb: a frame of every pane (or --pane) as plain text. */
static void batch_frame(struct ui *u)
{
	struct top_lines l = {};
	int first = 0, last = PANE_NR - 1, i;
	uint64_t t0 = ds_now_mono_ns(), d;
	size_t k;

	if (u->p->pane)
		first = last = top_pane_parse(u->p->pane);
	u->t->cols = 0;
	printf("=== deptscope top: frame %lu\n", ++u->frames);
	for (i = first; i <= last; i++) {
		top_lines__reset(&l);
		top_pane__render(u->t, i, &l, 20);
		for (k = 0; k < l.nr; k++)
			printf("%s\n", l.v[k].text);
		if (i < last)
			printf("\n");
	}
	fflush(stdout);
	top_lines__free(&l);
	d = ds_now_mono_ns() - t0;
	u->render_ns += d;
	if (d > u->render_max_ns)
		u->render_max_ns = d;
}

static void no_hang_print(void *ctx, const struct ds_fence_wait *w,
			  const struct ds_fence_timeline *tl, uint64_t now)
{
	/* the fences pane shows it; the model has counted it */
}

static void no_revoke_print(void *ctx, const struct ds_dmabuf_buffer *b, uint64_t now)
{
	/* the dma-buf pane lists it; the model has counted it */
}

/* What the timer does: the clock-driven parts of the models, then a frame. */
static void refresh_models(struct top *t)
{
	uint64_t now = t->pace ? top_pace__now(t->pace) : ds_now_mono_ns();

	if (!t->pace)
		ds_stream__dispatch_stats(t->s);
	ds_fence_model__check_hangs(t->fence, now, no_hang_print, NULL);
	ds_dmabuf_model__check_revokes(t->dmabuf, now, TOP_UNMAP_NS, no_revoke_print, NULL);
	if (ds_dept_live__flush_idle(t->dept, now, CIRCLE_IDLE_NS))
		ds_warn("could not finish a DEPT circle");
	if (t->rec) {
		int err = ds_recorder__flush(t->rec);

		if (err) {
			/* as a failed write: the recording stops, the view does not */
			ds_err("writing %s failed: %s; recording stopped", t->rec_path,
			       strerror(-err));
			ds_recorder__close(t->rec, ds_now_mono_ns() - t->rec_start);
			t->rec = NULL;
		}
	}
}

enum { FD_SIG, FD_TIMER, FD_STREAM, FD_KEYS, FD_NR };

static int run(struct ui *u, bool plain)
{
	struct top *t = u->t;
	struct pollfd fds[FD_NR];
	struct itimerspec its = {};
	struct signalfd_siginfo si;
	uint64_t ticks, iv = u->p->poll_ns, t0;
	sigset_t mask;
	int sfd = -1, tfd = -1, n, timeout, ret = 0;
	bool quit = false, dirty = true;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0) {
		ds_err("cannot set up the event loop: %s", strerror(errno));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	its.it_value.tv_sec = iv / 1000000000ULL;
	its.it_value.tv_nsec = iv % 1000000000ULL;
	its.it_interval = its.it_value;
	timerfd_settime(tfd, 0, &its, NULL);

	fds[FD_SIG] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	fds[FD_TIMER] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	fds[FD_KEYS] = (struct pollfd){ .fd = plain ? -1 : STDIN_FILENO, .events = POLLIN };
	u->t_start = ds_now_mono_ns();

	while (!quit && !u->quit_error) {
		if (!plain && dirty) {
			t0 = ds_now_mono_ns();
			ui_render(u, !t->frozen);
			ui_draw(u);
			dirty = false;
			t0 = ds_now_mono_ns() - t0;
			u->frames++;
			u->render_ns += t0;
			if (t0 > u->render_max_ns)
				u->render_max_ns = t0;
			if (u->p->iterations && u->frames >= u->p->iterations)
				break;
		}
		/* a backward seek replaces the stream: its fd is taken each round */
		fds[FD_STREAM] = (struct pollfd){ .fd = t->pace ? -1 : ds_stream__fd(t->s),
						  .events = POLLIN };
		timeout = t->pace ? top_pace__wait_ms(t->pace, ds_now_mono_ns()) : 100;
		n = poll(fds, FD_NR, timeout);
		if (n < 0 && errno != EINTR) {
			ds_err("poll: %s", strerror(errno));
			ret = DS_EXIT_ERROR;
			break;
		}
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH) {
				if (!plain)
					ui_resize(u);
				dirty = true;
			} else {
				quit = true;
			}
		}
		if (!plain && (fds[FD_KEYS].revents & (POLLIN | POLLHUP))) {
			int ch;

			while (!quit && (ch = getch()) != ERR) {
				/* resizeterm() queues KEY_RESIZE itself: the resize is done */
				if (ch != KEY_RESIZE)
					quit = ui_key(u, ch);
				/* a key asks for its answer now, frozen or not */
				top_lines__reset(&u->frame);
				dirty = true;
			}
		}
		if (u->quit_error)
			break;
		n = ds_stream__poll(t->s, 0);
		if (n < 0) {
			ds_err("reading events failed: %s", strerror(-n));
			ret = DS_EXIT_ERROR;
			break;
		}
		if (t->pace && !u->eof_seen && ds_stream__eof(t->s)) {
			u->eof_seen = true;
			/* what is still open shows as unfinished, as deptscope vpr shows it */
			if (ds_vpr_model__flush(t->vpr) || ds_dept_live__flush(t->dept))
				ds_warn("could not finish the open VPR resizes or DEPT circles");
			refresh_models(t);
			if (top_pace__failed(t->pace))
				ret = DS_EXIT_ERROR;
			if (plain) {
				batch_frame(u);
				break;
			}
			dirty = true;
		}
		if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks)) {
			if (!u->eof_seen)
				refresh_models(t);
			if (plain) {
				batch_frame(u);
				if (u->p->iterations && u->frames >= u->p->iterations)
					break;
			} else if (!t->frozen || (u->status[0] &&
						  ds_now_mono_ns() < u->status_until + iv)) {
				dirty = true;
			}
		}
	}
	if (u->quit_error)
		ret = DS_EXIT_ERROR;
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return ret;
}

static void add_missing(char *buf, size_t len, const char *m)
{
	size_t n = strlen(buf);

	if (m && m[0])
		snprintf(buf + n, len - n, "%s%s", n ? "," : "", m);
}

static int open_live(struct top *t, const struct ds_params *p, struct ds_fence_bpf **fb,
		     struct ds_dmabuf_bpf **db, struct ds_dept_bpf **dept, struct ds_vpr_bpf **vb,
		     struct ds_fence_bpf **pb)
{
	struct ds_params q = *p;
	int ret, err = 0;

	/* what 'deptscope record' attaches without a SOURCE: fence, then what else there is */
	ret = ds_live_open_fence(p, fb);
	if (!ret)
		ret = ds_live_open_dmabuf(p, false, db);
	if (!ret)
		ret = ds_live_open_dept(p, false, dept);
	if (!ret)
		ret = ds_live_open_vpr(p, false, vb);
	q.pid = p->selftest_pid;
	if (!ret && p->selftest_pid)
		ret = ds_live_open_selftest(&q, pb);
	if (ret)
		return ret;
	snprintf(t->attached, sizeof(t->attached), "dma_fence%s%s%s%s", *db ? " dma_buf" : "",
		 *dept ? " DEPT" : "", *vb ? " tegra_vpr" : "", *pb ? " selftest" : "");
	t->sources = DS_SRC_FENCE | (*db ? DS_SRC_DMABUF : 0) | (*dept ? DS_SRC_DEPT : 0) |
		     (*vb ? DS_SRC_VPR : 0) | (*pb ? DS_SRC_PING : 0);
	add_missing(t->missing, sizeof(t->missing), ds_fence_bpf__missing(*fb));
	if (*db)
		add_missing(t->missing, sizeof(t->missing), ds_dmabuf_bpf__missing(*db));
	if (*dept)
		add_missing(t->missing, sizeof(t->missing), ds_dept_bpf__missing(*dept));
	if (*vb)
		add_missing(t->missing, sizeof(t->missing), ds_vpr_bpf__missing(*vb));
	err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *fb);
	if (!err && *db)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *db);
	if (!err && *dept)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *dept);
	if (!err && *vb)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *vb);
	if (!err && *pb)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *pb);
	if (err) {
		ds_err("cannot start: %s", strerror(-err));
		return DS_EXIT_ERROR;
	}
	return 0;
}

static void print_timing(struct ui *u)
{
	struct top *t = u->t;
	uint64_t wall = ds_now_mono_ns() - u->t_start;
	uint64_t ev = t->hist ? ds_history__counts(t->hist)->events : 0;

	/* one line a script can read: the benchmark does */
	fprintf(stderr, "deptscope top: timing: %lu frames, render %.3f ms mean, %.3f ms max; "
		"%" PRIu64 " events in %.3f s, %.0f events/s; replay lag %.3f ms max\n",
		u->frames, u->frames ? u->render_ns / 1e6 / u->frames : 0.0,
		u->render_max_ns / 1e6, ev, wall / 1e9, wall ? ev * 1e9 / wall : 0.0,
		t->pace ? top_pace__max_lag(t->pace) / 1e6 : 0.0);
}

int cmd_top(int argc, char **argv)
{
	struct ds_symbolizer_opts so = { .no_dwarf = 1 };
	struct ds_fence_bpf *fb = NULL, *pb = NULL;
	struct ds_dmabuf_bpf *db = NULL;
	struct ds_dept_bpf *dept = NULL;
	struct ds_vpr_bpf *vb = NULL;
	struct top t = {};
	struct ui u = { .t = &t };
	const char *term = getenv("TERM");
	struct ds_params p;
	bool plain;
	int ret;

	ret = ds_parse_top(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_top, stdout);
		return 0;
	}
	ds_log_init("deptscope top", p.verbose);
	u.p = &p;
	if (p.pane)
		u.pane = top_pane_parse(p.pane);
	if (p.save_dir && access(p.save_dir, W_OK | X_OK)) {
		ds_err("cannot write in --save-dir %s: %s", p.save_dir, strerror(errno));
		return DS_EXIT_ERROR;
	}
	setlocale(LC_ALL, "");
	t.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t.slow_ns = 100000000ULL;	/* deptscope vpr's default --slow-ms */
	t.input = p.input;
	t.max_classes = p.max_classes ?: DS_MAX_CLASSES;
	/* curses needs a terminal on both ends; else frames as text, as --batch */
	plain = p.batch || !term || !strcmp(term, "dumb") || !isatty(STDIN_FILENO) ||
		!isatty(STDOUT_FILENO);
	/*
	 * DEPT stacks by name when kallsyms can be read and is the one the
	 * addresses came from: live, or a recording of this boot.
	 */
	if (p.input && !ds_replay_this_boot(p.input))
		ds_dbg("%s was not recorded on this boot: DEPT stacks stay addresses", p.input);
	else if (ds_symbolizer__new(&so, &t.sym))
		ds_dbg("no kallsyms: DEPT stacks stay addresses");

	if (models_open(&t)) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (p.input) {
		if (top_pace__open(p.input, p.speed, &t.pace)) {
			ret = DS_EXIT_ERROR;
			goto out;
		}
		if (ds_stream__add_source(t.s, &top_pace_source_ops, t.pace)) {
			ds_err("out of memory");
			ret = DS_EXIT_ERROR;
			goto out;
		}
	} else {
		ret = open_live(&t, &p, &fb, &db, &dept, &vb, &pb);
		if (ret)
			goto out;
	}
	if (!p.batch && plain)
		ds_info("no terminal for curses (TERM=%s): plain frames on stdout, as --batch",
			term ?: "");
	/* as the other live commands: a script waits for this line before it starts work */
	if (!p.input && plain)
		fprintf(stderr, "Tracing %s... Hit Ctrl-C to end.\n", t.attached);
	crash_handlers();
	if (!plain && ui_begin(&u)) {
		ret = DS_EXIT_ERROR;
		goto out;
	}
	ret = run(&u, plain);
	if (t.rec)
		record_stop(&u);
out:
	ui_end(&u);
	if (p.timing)
		print_timing(&u);
	for (unsigned int i = 0; i < u.nr_wrote; i++)
		fprintf(stderr, "deptscope top: %s\n", u.wrote[i]);
	top_lines__free(&u.frame);
	ds_stream__free(t.s);
	t.s = NULL;
	ds_fence_bpf__destroy(fb);
	ds_dmabuf_bpf__destroy(db);
	ds_dept_bpf__destroy(dept);
	ds_vpr_bpf__destroy(vb);
	ds_fence_bpf__destroy(pb);
	top_pace__close(t.pace);
	models_close(&t);
	ds_symbolizer__free(t.sym);
	return ret;
}
