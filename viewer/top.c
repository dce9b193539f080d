// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope top: the models of lib/ on a live screen.  One poll() loop
 * waits on the keyboard, the event stream, a timerfd for the refresh and
 * a signalfd for SIGINT, SIGTERM and SIGWINCH, so no signal handler runs
 * in the middle of curses.  The models are fed exactly as the CLI
 * commands feed them; the screen only reads them.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "deptscope/util.h"
#include "deptscope/vpr.h"
#include "cli.h"
#include "cmds.h"
#include "live.h"
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
	int scroll;
	struct top_lines frame;	/* what is on screen: kept while frozen */
	unsigned long frames;
};

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
	top_lines__add(l, TA_TITLE, "%s", "Help: deptscope top");
	top_lines__add(l, TA_TEXT, "%s", "  1-6, Tab, Shift-Tab  switch panes");
	top_lines__add(l, TA_TEXT, "%s", "  Up/Down, PgUp/PgDn   scroll; Home: top");
	top_lines__add(l, TA_TEXT, "%s", "  /                    filter the Events pane "
		       "(Enter: keep, Esc: clear)");
	top_lines__add(l, TA_TEXT, "%s", "  p                    freeze the screen; events "
		       "are still taken in");
	top_lines__add(l, TA_TEXT, "%s", "  space                pause or resume a replay "
		       "(--input)");
	top_lines__add(l, TA_TEXT, "%s", "  ?                    this help; any key closes it");
	top_lines__add(l, TA_TEXT, "%s", "  q                    quit");
}

static void ui_render(struct ui *u, bool refresh_models)
{
	int rows = LINES - 2;

	if (refresh_models || !u->frame.nr) {
		top_lines__reset(&u->frame);
		if (u->help)
			help_lines(&u->frame);
		else
			top_pane__render(u->t, u->pane, &u->frame, rows > 3 ? rows - 3 : 1);
	}
}

static void ui_draw(struct ui *u)
{
	char buf[256];
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
	max_scroll = (int)u->frame.nr - body;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	if (u->scroll < 0)
		u->scroll = 0;
	for (y = 0; y < body && (size_t)(y + u->scroll) < u->frame.nr; y++) {
		k = y + u->scroll;
		put(u, y + 1, u->frame.v[k].attr, u->frame.v[k].text);
	}
	/* footer: the filter being typed, else the newest message, else the keys */
	if (u->editing)
		snprintf(buf, sizeof(buf), "filter: %s_", u->t->filter);
	else
		snprintf(buf, sizeof(buf), "q quit  ? help  1-6/Tab panes  / filter  p %s%s%s",
			 u->t->frozen ? "FROZEN" : "freeze",
			 u->t->pace ? (top_pace__paused(u->t->pace) ? "  space PAUSED" :
				       "  space pause") : "",
			 u->eof_seen ? "  [end of input]" : "");
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

/* One key; returns true to quit. */
static bool ui_key(struct ui *u, int ch)
{
	struct top *t = u->t;
	size_t n = strlen(t->filter);

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
		t->frozen = !t->frozen;
		break;
	case ' ':
		if (t->pace)
			top_pace__set_paused(t->pace, !top_pace__paused(t->pace), ds_now_mono_ns());
		break;
	case '/':
		u->pane = PANE_EVENTS;
		u->editing = true;
		t->filter[0] = '\0';
		break;
	case KEY_UP:
		u->scroll--;
		break;
	case KEY_DOWN:
		u->scroll++;
		break;
	case KEY_PPAGE:
		u->scroll -= LINES - 3;
		break;
	case KEY_NPAGE:
		u->scroll += LINES - 3;
		break;
	case KEY_HOME:
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
	size_t k;

	if (u->p->pane)
		first = last = top_pane_parse(u->p->pane);
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
}

static void dispatch_stats(struct top *t)
{
	struct ds_meta_stats st;

	if (!ds_stream__stats(t->s, &st))
		ds_stream__dispatch(t->s, &st.hdr);
}

static void no_hang_print(void *ctx, const struct ds_fence_wait *w,
			  const struct ds_fence_timeline *tl, uint64_t now)
{
	/* the fences pane shows it; the model has counted it */
}

/* What the timer does: the clock-driven parts of the models, then a frame. */
static void refresh_models(struct top *t)
{
	if (!t->pace)
		dispatch_stats(t);
	ds_fence_model__check_hangs(t->fence, t->pace ? top_pace__now(t->pace) :
				    ds_now_mono_ns(), no_hang_print, NULL);
}

enum { FD_SIG, FD_TIMER, FD_STREAM, FD_KEYS, FD_NR };

static int run(struct ui *u, bool plain)
{
	struct top *t = u->t;
	struct pollfd fds[FD_NR];
	struct itimerspec its = {};
	struct signalfd_siginfo si;
	uint64_t ticks, iv = u->p->poll_ns;
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
	fds[FD_STREAM] = (struct pollfd){ .fd = t->pace ? -1 : ds_stream__fd(t->s),
					  .events = POLLIN };
	fds[FD_KEYS] = (struct pollfd){ .fd = plain ? -1 : STDIN_FILENO, .events = POLLIN };

	while (!quit) {
		if (!plain && dirty) {
			ui_render(u, !t->frozen);
			ui_draw(u);
			dirty = false;
		}
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
			} else if (!t->frozen) {
				dirty = true;
			}
		}
	}
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return ret;
}

static int open_live(struct top *t, const struct ds_params *p, struct ds_fence_bpf **fb,
		     struct ds_dmabuf_bpf **db, struct ds_dept_bpf **dept, struct ds_vpr_bpf **vb)
{
	int ret, err = 0;

	/* what 'deptscope record' attaches without a SOURCE: fence, then what else there is */
	ret = ds_live_open_fence(p, fb);
	if (!ret)
		ret = ds_live_open_dmabuf(p, false, db);
	if (!ret)
		ret = ds_live_open_dept(p, false, dept);
	if (!ret)
		ret = ds_live_open_vpr(p, false, vb);
	if (ret)
		return ret;
	snprintf(t->attached, sizeof(t->attached), "dma_fence%s%s%s", *db ? " dma_buf" : "",
		 *dept ? " DEPT" : "", *vb ? " tegra_vpr" : "");
	snprintf(t->missing, sizeof(t->missing), "%s%s%s", ds_fence_bpf__missing(*fb),
		 *db && ds_dmabuf_bpf__missing(*db)[0] ? " " : "",
		 *db ? ds_dmabuf_bpf__missing(*db) : "");
	err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *fb);
	if (!err && *db)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *db);
	if (!err && *dept)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *dept);
	if (!err && *vb)
		err = ds_stream__add_source(t->s, &ds_bpf_source_ops, *vb);
	if (err) {
		ds_err("cannot start: %s", strerror(-err));
		return DS_EXIT_ERROR;
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct ds_fence_model_opts mo = { .top_n = 10 };
	struct ds_dept_live_cbs cbs = {};
	struct ds_fence_bpf *fb = NULL;
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
	setlocale(LC_ALL, "");
	t.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t.slow_ns = 100000000ULL;	/* deptscope vpr's default --slow-ms */
	t.input = p.input;
	/* curses needs a terminal on both ends; else frames as text, as --batch */
	plain = p.batch || !term || !strcmp(term, "dumb") || !isatty(STDIN_FILENO) ||
		!isatty(STDOUT_FILENO);

	if (ds_fence_model__new(&mo, &t.fence) || ds_dmabuf_model__new(&t.dmabuf) ||
	    ds_history__new(0, 0, &t.hist) ||
	    ds_vpr_model__new(ds_history__add_resize, t.hist, &t.vpr) ||
	    ds_graph__new(&t.graph) || ds_dept_live__new(t.graph, &cbs, NULL, &t.dept) ||
	    ds_stream__new(&t.s) ||
	    ds_stream__add_consumer(t.s, ds_fence_model__consume, t.fence) ||
	    ds_stream__add_consumer(t.s, ds_dmabuf_model__consume, t.dmabuf) ||
	    ds_stream__add_consumer(t.s, ds_vpr_model__feed, t.vpr) ||
	    ds_stream__add_consumer(t.s, ds_dept_live__feed, t.dept) ||
	    ds_stream__add_consumer(t.s, ds_history__consume, t.hist)) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (p.input) {
		if (top_pace__open(p.input, p.speed, &t.pace)) {
			ret = DS_EXIT_ERROR;
			goto out;
		}
		ds_stream__add_source(t.s, &top_pace_source_ops, t.pace);
	} else {
		ret = open_live(&t, &p, &fb, &db, &dept, &vb);
		if (ret)
			goto out;
	}
	if (!p.batch && plain)
		ds_info("no terminal for curses (TERM=%s): plain frames on stdout, as --batch",
			term ?: "");
	crash_handlers();
	if (!plain && ui_begin(&u)) {
		ret = DS_EXIT_ERROR;
		goto out;
	}
	ret = run(&u, plain);
out:
	ui_end(&u);
	top_lines__free(&u.frame);
	ds_stream__free(t.s);
	ds_fence_bpf__destroy(fb);
	ds_dmabuf_bpf__destroy(db);
	ds_dept_bpf__destroy(dept);
	ds_vpr_bpf__destroy(vb);
	top_pace__close(t.pace);
	ds_dept_live__free(t.dept);
	ds_graph__free(t.graph);
	ds_vpr_model__free(t.vpr);
	ds_history__free(t.hist);
	ds_dmabuf_model__free(t.dmabuf);
	ds_fence_model__free(t.fence);
	return ret;
}
