// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deptscope dept: the live DEPT dependency graph.  With our tracepoints
 * (kernel/patches/dept) BPF streams every new class, dependency and circle
 * (dept_live.c), live or from a recording.  Without them, reports on
 * /dev/kmsg (or a capture) are parsed as triage parses them and add their
 * cycle's edges, and polls of /proc/dept_deps are diffed against the graph
 * and add what is new.  One graph model for all, the one deptscope graph
 * draws, and one printout of a cycle whether DEPT printed it or traced it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "deptscope/dept.h"
#include "deptscope/dept_live.h"
#include "deptscope/graph.h"
#include "deptscope/json.h"
#include "deptscope/log.h"
#include "deptscope/symbolize.h"
#include "deptscope/util.h"
#include "cli.h"
#include "cmds.h"
#include "graph_out.h"
#include "live.h"
#include "replay.h"
#include "triage.h"

#define PROC_DEPT_DEPS	"/proc/dept_deps"
#define KMSG		"/dev/kmsg"
#define QUIET_NS	300000000ULL	/* a pause that ends a report's stack dump */
#define LINE_CAP	8192
#define CIRCLE_IDLE_NS	300000000ULL	/* a circle's records all arrive well within this */

static volatile sig_atomic_t stop, snapshot;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		snapshot = 1;
	else
		stop = 1;
}

struct dept_run {
	const struct ds_params *p;
	struct ds_graph *g;
	struct ds_dept_parser *parser;
	bool kmsg_records;		/* the input is /dev/kmsg's record format */
	bool skip_dict;			/* the lines after a record are its dictionary */
	bool primed;			/* /proc/dept_deps read once */
	uint64_t reports, cycles, proc_polls;
	uint64_t graph_cycles;		/* tracepoints: edges that closed a cycle */
	bool status;			/* a status line on stderr (a terminal) */
	uint64_t last_status;
	struct ds_dept_live *live;
	char line[LINE_CAP];
	size_t line_len;
};

static void json_open(struct ds_json *j, const char *type)
{
	ds_json__init(j, stdout, false);
	ds_json__begin_object(j);
	ds_json__kv_str(j, "type", type);
}

static void json_close(struct ds_json *j)
{
	ds_json__end_object(j);
	ds_json__finish(j);
	fflush(stdout);
}

/* @dep: the tracepoint's record, for its functions and flags; may be NULL */
static void print_edge(struct dept_run *d, uint32_t from, uint32_t to, const char *source,
		       const struct ds_dept_dep_event *dep)
{
	const struct ds_graph *g = d->g;
	struct ds_json j;

	if (d->p->json) {
		json_open(&j, "dept_edge");
		ds_json__kv_str(&j, "from", ds_graph__class_name(g, from));
		ds_json__kv_str(&j, "to", ds_graph__class_name(g, to));
		ds_json__kv_str(&j, "source", source);
		if (dep) {
			ds_json__kv_str(&j, "from_key", ds_graph__class_key(g, from));
			ds_json__kv_str(&j, "to_key", ds_graph__class_key(g, to));
			ds_json__kv_i64(&j, "from_sub", dep->fsub);
			ds_json__kv_i64(&j, "to_sub", dep->tsub);
			ds_json__kv_str(&j, "ecxt_fn", dep->ecxt_fn);
			ds_json__kv_str(&j, "event_fn", dep->event_fn);
			ds_json__kv_str(&j, "wait_fn", dep->wait_fn);
			ds_json__kv_bool(&j, "timeout", dep->flags & DS_DEPT_F_TIMEOUT);
			if (dep->flags & (DS_DEPT_F_SIRQ | DS_DEPT_F_HIRQ))
				ds_json__kv_str(&j, "irq", dep->flags & DS_DEPT_F_HIRQ ?
						"hardirq" : "softirq");
		}
		json_close(&j);
		return;
	}
	if (dep)
		printf("EDGE %s:%d -> %s:%d ([E] %s, [W] %s%s)\n", ds_graph__class_name(g, from),
		       dep->fsub, ds_graph__class_name(g, to), dep->tsub, dep->event_fn,
		       dep->wait_fn, dep->flags & DS_DEPT_F_TIMEOUT ? ", timeout" : "");
	else
		printf("EDGE %s -> %s (%s)\n", ds_graph__class_name(g, from),
		       ds_graph__class_name(g, to), source);
}

/*
 * A cycle the engine found when an edge closed it: from /proc/dept_deps
 * (@source "proc") or from a traced dependency ("graph": DEPT's own
 * circle, with contexts and stacks, follows).
 */
static void print_graph_cycle(struct dept_run *d, const struct ds_graph_cycle *c,
			      const char *source)
{
	struct ds_json j;
	uint32_t i;

	if (d->p->json) {
		json_open(&j, "dept_cycle");
		ds_json__kv_str(&j, "source", source);
		ds_json__key(&j, "classes");
		ds_json__begin_array(&j);
		for (i = 0; i < c->nr; i++)
			ds_json__str(&j, ds_graph__class_name(d->g, c->ids[i]));
		ds_json__end_array(&j);
		json_close(&j);
		return;
	}
	printf("CYCLE (%s):", strcmp(source, "proc") ? "graph" : "/proc/dept_deps");
	for (i = 0; i <= c->nr; i++)
		printf("%s %s", i ? " ->" : "", ds_graph__class_name(d->g, c->ids[i % c->nr]));
	printf("\n");
	fflush(stdout);
}

static void print_stack(const struct ds_dept_report *r, const char *what, uint32_t first,
			uint32_t nr)
{
	uint32_t i;

	if (!nr)
		return;
	printf("      %s:", what);
	for (i = 0; i < nr && i < 8; i++)
		printf("%s %s", i ? " <-" : "", ds_dept_report__frame(r, first + i));
	printf("%s\n", nr > 8 ? " <- ..." : "");
}

/*
 * A cycle DEPT reported, printed or traced (@info), with its contexts and
 * stacks, as triage reads it: same bucket, same signature.
 */
static void print_report(struct dept_run *d, const struct ds_dept_report *r, const char *source,
			 const struct ds_dept_circle_info *info, uint64_t new_edges)
{
	char cycle[512], label[3][DS_DEPT_NAME_LEN + 16];
	struct ds_json j;
	unsigned int i;

	ds_dept_report__cycle(r, cycle, sizeof(cycle));
	if (d->p->json) {
		json_open(&j, "dept_cycle");
		ds_json__kv_str(&j, "source", source);
		ds_json__kv_str(&j, "bucket", r->bucket);
		ds_json__kv_str(&j, "signature", r->signature);
		ds_json__kv_str(&j, "cycle", cycle);
		if (info) {
			ds_json__kv_u64(&j, "circle", info->circle);
			ds_json__kv_bool(&j, "engine_agrees", info->engine_agrees);
			ds_json__kv_u64(&j, "missing_contexts", info->missing);
		} else {
			ds_json__kv_u64(&j, "new_edges", new_edges);
		}
		ds_json__key(&j, "report");
		triage_json_report(&j, r);
		json_close(&j);
		return;
	}
	if (info)
		printf("CYCLE %s (DEPT circle %u, %s; %s): %s\n", r->bucket, info->circle,
		       ds_verdict_name(r->verdict), info->engine_agrees ?
		       "the graph has it" : "NOT on a cycle of the graph", cycle);
	else
		printf("CYCLE %s (%s%s%s): %s\n", r->bucket,
		       ds_verdict_name(r->verdict) ? ds_verdict_name(r->verdict) : "no verdict",
		       r->kernel[0] ? ", kernel " : "", r->kernel, cycle);
	for (i = 0; i < r->nr_contexts; i++) {
		const struct ds_dept_context *c = &r->ctx[i];

		ds_dept_class_label(&c->start, label[0], sizeof(label[0]));
		ds_dept_class_label(&c->wait, label[1], sizeof(label[1]));
		ds_dept_class_label(&c->event, label[2], sizeof(label[2]));
		printf("  context %c: [S] %s(%s) [W] %s(%s) [E] %s(%s)%s\n", c->id, c->start.fn,
		       label[0], c->wait.fn, label[1], c->event.fn, label[2],
		       c->timeout ? " timeout" : "");
		print_stack(r, "[S]", c->start.stack_first, c->start.stack_nr);
		print_stack(r, "[W]", c->wait.stack_first, c->wait.stack_nr);
		print_stack(r, "[E]", c->event.stack_first, c->event.stack_nr);
		print_stack(r, "(wait to wake up)", c->wake_first, c->wake_nr);
	}
	if (info && info->missing)
		printf("  (%u context(s) lost: records were dropped)\n", info->missing);
	fflush(stdout);
}

/* A report DEPT printed: its cycle, contexts and stacks; its edges go into the graph. */
static int on_report(void *ctx, struct ds_dept_report *r)
{
	struct dept_run *d = ctx;
	uint32_t before = ds_graph__nr_edges(d->g);
	int err;

	d->reports++;
	if (!r->parsed)
		return 0;
	err = ds_graph__add_report(d->g, r);
	if (err && err != -EOPNOTSUPP)
		return err;
	d->cycles++;
	print_report(d, r, "kmsg", NULL, ds_graph__nr_edges(d->g) - before);
	return 0;
}

static int on_health(void *ctx, const struct ds_dept_health *h)
{
	struct dept_run *d = ctx;
	struct ds_json j;

	if (d->p->json) {
		json_open(&j, "dept_health");
		ds_json__kv_str(&j, "kind", ds_health_kind_name(h->kind));
		ds_json__kv_str(&j, "macro", h->macro);
		ds_json__kv_str(&j, "message", h->message);
		json_close(&j);
	} else {
		printf("DEPT %s: %s: %s\n", ds_health_kind_name(h->kind), h->macro, h->message);
		fflush(stdout);
	}
	return 0;
}

/*
 * "6,1234,5678901,-,caller=T42;text" (/dev/kmsg) into "[    5.678901][T42] text",
 * the console form the parser knows.  Lines that are not records pass as they are.
 */
static size_t kmsg_line(struct dept_run *d, const char *in, size_t len, char *out, size_t cap)
{
	const char *semi = memchr(in, ';', len), *p;
	unsigned long long us = 0;
	char caller[24] = "";
	int field = 0;

	if (!semi || len == 0 || in[0] < '0' || in[0] > '9')
		goto plain;
	for (p = in; p < semi; p++) {
		if (*p == ',') {
			field++;
			if (field == 2)
				us = strtoull(p + 1, NULL, 10);
			if (!strncmp(p + 1, "caller=", 7)) {
				size_t n = strcspn(p + 8, ",;");

				snprintf(caller, sizeof(caller), "[%.*s]", (int)(n < 16 ? n : 16),
					 p + 8);
			}
		} else if (field < 3 && (*p < '0' || *p > '9')) {
			goto plain;
		}
	}
	if (field < 3)
		goto plain;
	d->kmsg_records = true;
	return (size_t)snprintf(out, cap, "[%5llu.%06llu]%s %.*s", us / 1000000, us % 1000000,
				caller, (int)(len - (size_t)(semi + 1 - in)), semi + 1);
plain:
	len = len < cap - 1 ? len : cap - 1;
	memcpy(out, in, len);
	out[len] = '\0';
	return len;
}

static int feed(struct dept_run *d, const char *s, size_t len)
{
	char out[LINE_CAP + 64];
	size_t n;

	/* a record's dictionary: " KEY=value" lines after it */
	if (d->kmsg_records && len && s[0] == ' ')
		return 0;
	n = kmsg_line(d, s, len, out, sizeof(out));
	return ds_dept_parser__feed(d->parser, out, n);
}

/* Whole lines out of what was read; the rest waits for more. */
static int take(struct dept_run *d, const char *buf, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			err = feed(d, d->line, d->line_len);
			d->line_len = 0;
			if (err)
				return err;
		} else if (d->line_len < sizeof(d->line)) {
			d->line[d->line_len++] = buf[i];
		}
	}
	return 0;
}

/* Diff a fresh read of the dump against the graph: what is new goes in. */
static int poll_proc(struct dept_run *d, const char *file)
{
	struct ds_graph_cycle cyc = {};
	struct ds_dept_deps_stats st;
	uint32_t c, i, nr, from, to, *live = NULL;
	struct ds_graph *fresh;
	uint32_t new_classes = 0, new_edges = 0;
	int err;

	err = ds_graph__new(&fresh);
	if (err)
		return err;
	err = ds_dept_deps__load(fresh, file, &st);
	if (err)
		goto out;
	d->proc_polls++;
	nr = ds_graph__nr_classes(fresh);
	/* each class of the dump, by its id in the live graph */
	live = calloc(nr ? nr : 1, sizeof(*live));
	if (!live) {
		err = -ENOMEM;
		goto out;
	}
	for (c = 0; c < nr; c++) {
		uint32_t before = ds_graph__nr_classes(d->g);

		err = ds_graph__class(d->g, ds_graph__class_name(fresh, c),
				      ds_graph__class_key(fresh, c), ds_graph__class_sub(fresh, c),
				      &live[c]);
		if (err)
			goto out;
		new_classes += ds_graph__nr_classes(d->g) > before;
	}
	for (c = 0; c < nr; c++) {
		from = live[c];
		for (i = 0; i < ds_graph__out_nr(fresh, c); i++) {
			struct ds_graph_dep dep = { .source = "proc" };
			bool cycle = false;

			to = live[ds_graph__out_to(fresh, c, i)];
			if (ds_graph__edge_find(d->g, from, to) != DS_GRAPH_NONE)
				continue;
			err = ds_graph__add_edge(d->g, from, to, &dep, &cycle, &cyc);
			if (err)
				goto out;
			new_edges++;
			if (d->primed)
				print_edge(d, from, to, "proc", NULL);
			d->cycles += cycle;
			if (cycle && d->primed)
				print_graph_cycle(d, &cyc, "proc");
		}
	}
	if (!d->primed) {
		struct ds_json j;

		if (d->p->json) {
			json_open(&j, "dept_snapshot");
			ds_json__kv_u64(&j, "classes", ds_graph__nr_classes(d->g));
			ds_json__kv_u64(&j, "edges", ds_graph__nr_edges(d->g));
			ds_json__kv_u64(&j, "cycles", d->cycles);
			json_close(&j);
		} else {
			printf("%s: %u classes, %u edges, %" PRIu64 " on cycles at the start\n",
			       file, ds_graph__nr_classes(d->g), ds_graph__nr_edges(d->g),
			       d->cycles);
			fflush(stdout);
		}
	}
	d->primed = true;
	ds_dbg("%s: %u new classes, %u new edges", file, new_classes, new_edges);
out:
	free(live);
	ds_graph_cycle__free(&cyc);
	ds_graph__free(fresh);
	return err;
}

static int write_snapshots(struct dept_run *d)
{
	struct ds_graph_sccs sccs = {};
	struct ds_graph_sel sel = {};
	int ret = 0, err;

	if (!d->p->dot && !d->p->svg)
		return 0;
	err = ds_graph__sccs(d->g, &sccs);
	if (!err)
		err = sccs.nr ? ds_graph__select_cycles(d->g, &sccs, 200, &sel) :
				ds_graph__select_all(d->g, &sccs, 200, &sel);
	if (err) {
		ds_err("graph snapshot: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (d->p->dot)
		ret = graph_write(d->p->dot, "dot", false, d->g, &sccs, &sel);
	if (!ret && d->p->svg)
		ret = graph_write(d->p->svg, "svg", false, d->g, &sccs, &sel);
out:
	ds_graph_sel__free(&sel);
	ds_graph_sccs__free(&sccs);
	return ret;
}

static int open_kmsg(const struct ds_params *p, int *fd)
{
	if (p->kmsg_file) {
		*fd = strcmp(p->kmsg_file, "-") ? open(p->kmsg_file, O_RDONLY | O_CLOEXEC) : 0;
		if (*fd < 0) {
			ds_err("%s: %s", p->kmsg_file, strerror(errno));
			return -errno;
		}
		return 0;
	}
	*fd = open(KMSG, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0) {
		ds_err("%s: %s", KMSG, strerror(errno));
		return -errno;
	}
	/* watching live: what is already in the buffer is triage's job */
	if (!p->all)
		lseek(*fd, 0, SEEK_END);
	return 0;
}

/* ---- the tracepoint source: live through BPF, or a recording ---- */

static bool live_fed(const struct ds_dept_live *l)
{
	struct ds_dept_live_stats st;

	ds_dept_live__stats(l, &st);
	return st.records > 0;
}

static int live_edge(void *ctx, uint32_t from, uint32_t to, bool cycle,
		     const struct ds_graph_cycle *path, const struct ds_dept_dep_event *e)
{
	struct dept_run *d = ctx;

	/* a context of a circle re-announces an edge the graph did not have */
	print_edge(d, from, to, e->hdr.type == DS_EV_DEPT_DEP ? "tracepoint" : "circle", e);
	if (cycle) {
		d->graph_cycles++;
		print_graph_cycle(d, path, "graph");
	}
	return 0;
}

static int live_circle(void *ctx, struct ds_dept_report *r, const struct ds_dept_circle_info *info)
{
	struct dept_run *d = ctx;

	d->cycles++;
	print_report(d, r, "tracepoint", info, 0);
	return 0;
}

static int live_health(void *ctx, const struct ds_dept_health_event *h)
{
	struct dept_run *d = ctx;
	char pool[sizeof(h->pool) + 1];
	struct ds_json j;

	snprintf(pool, sizeof(pool), "%.*s", (int)sizeof(h->pool), h->pool);
	if (d->p->json) {
		json_open(&j, "dept_health");
		ds_json__kv_str(&j, "source", "tracepoint");
		ds_json__kv_str(&j, "kind", h->what == DS_DEPT_STOP ? "stop" : "info");
		ds_json__kv_str(&j, "what", ds_dept_health_what_name(h->what));
		ds_json__kv_str(&j, "pool", pool);
		ds_json__kv_u64(&j, "bytes", h->bytes);
		json_close(&j);
	} else {
		printf("DEPT %s%s%s", ds_dept_health_what_name(h->what), pool[0] ? ": pool " : "",
		       pool);
		if (h->bytes)
			printf(", %llu KiB", (unsigned long long)(h->bytes >> 10));
		printf("\n");
		fflush(stdout);
	}
	return 0;
}

static int live_tick(void *ctx, uint64_t now)
{
	struct dept_run *d = ctx;

	if (snapshot) {
		snapshot = 0;
		write_snapshots(d);
	}
	/* the graph's size once a second, on a terminal, where it is overwritten */
	if (d->status && now - d->last_status >= 1000000000ULL) {
		d->last_status = now;
		fprintf(stderr, "\r%u classes, %u edges, %" PRIu64 " cycle(s)   ",
			ds_graph__nr_classes(d->g), ds_graph__nr_edges(d->g), d->cycles);
	}
	/* DEPT emits a circle in one go: a quiet spell means it is all here */
	return ds_dept_live__flush_idle(d->live, now, CIRCLE_IDLE_NS);
}

static int run_tracepoints(struct dept_run *d, struct ds_params *p)
{
	struct ds_live_hooks hooks = { .tick = live_tick, .ctx = d };
	struct ds_replay rp = { .path = p->input };
	struct ds_dept_bpf *bpf = NULL;
	struct ds_stream *s = NULL;
	int ret = 0, err;

	err = ds_stream__new(&s);
	if (!err)
		err = ds_stream__add_consumer(s, ds_dept_live__feed, d->live);
	if (err) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (p->input) {
		ret = ds_replay_run(&rp, s);
		err = ds_dept_live__flush(d->live);
		if (err && !ret) {
			ds_err("%s: %s", p->input, strerror(-err));
			ret = DS_EXIT_ERROR;
		}
		goto out;
	}
	ret = ds_live_open_dept(p, true, &bpf);
	if (ret)
		goto out;
	err = ds_stream__add_source(s, &ds_bpf_source_ops, bpf);
	if (err) {
		ds_err("cannot start: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
		goto out;
	}
	fprintf(stderr, "Watching the DEPT graph (tracepoints)... Hit Ctrl-C to end.\n");
	d->status = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) && !p->json;
	err = ds_live_run(s, p, &hooks);
	if (d->status)
		fputc('\n', stderr);
	if (!err)
		err = ds_dept_live__flush(d->live);
	if (err) {
		ds_err("stopped: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
	}
out:
	ds_stream__free(s);
	ds_dept_bpf__destroy(bpf);
	return ret;
}

int cmd_dept(int argc, char **argv)
{
	struct dept_run d = {};
	const char *proc = NULL;
	uint64_t start, last_input, next_poll = 0;
	struct sigaction sa = {};
	struct ds_symbolizer *sym = NULL;
	struct ds_params p;
	int fd = -1, ret, err = 0;
	bool eof = false, tp;

	ret = ds_parse_dept(argc, argv, &p, stderr);
	if (ret)
		return ret;
	if (p.help) {
		ds_cli_help(&ds_help_dept, stdout);
		return 0;
	}
	ds_log_init("deptscope dept", p.verbose);
	d.p = &p;
	proc = p.proc_deps;
	tp = p.tracepoints || p.input;
	if (!tp && !p.kmsg && !p.kmsg_file && !proc) {
		if (ds_tracepoint_exists("dept", "dept_dep_new")) {
			tp = true;
		} else if (access(PROC_DEPT_DEPS, R_OK)) {
			ds_err("this kernel has no DEPT (neither its tracepoints nor %s): give "
			       "-i FILE, --kmsg-file FILE or --proc-deps FILE to read captures",
			       PROC_DEPT_DEPS);
			return DS_EXIT_ERROR;
		} else {
			proc = PROC_DEPT_DEPS;
			p.kmsg = true;
		}
	}
	if (ds_graph__new(&d.g) || ds_dept_parser__new(on_report, on_health, &d, &d.parser)) {
		ds_err("out of memory");
		ret = DS_EXIT_ERROR;
		goto out;
	}
	if (tp) {
		struct ds_symbolizer_opts so = { .no_dwarf = 1 };
		struct ds_dept_live_cbs cbs = {
			.edge = live_edge, .circle = live_circle, .health = live_health, .ctx = &d,
		};

		/*
		 * Stacks by name when kallsyms can be read and is the one the
		 * addresses came from: live, or a recording of this boot.
		 */
		if (p.input && !ds_replay_this_boot(p.input))
			ds_info("%s was not recorded on this boot: DEPT stacks stay addresses",
				p.input);
		else if (ds_symbolizer__new(&so, &sym))
			ds_dbg("no kallsyms: stacks stay addresses");
		if (ds_dept_live__new(d.g, &cbs, sym, &d.live)) {
			ds_err("out of memory");
			ret = DS_EXIT_ERROR;
			goto out;
		}
		ds_dept_live__set_max_classes(d.live, p.max_classes ?: DS_MAX_CLASSES);
		sa.sa_handler = on_signal;
		sigaction(SIGUSR1, &sa, NULL);
		ret = run_tracepoints(&d, &p);
		if (ret == DS_EXIT_ERROR && !live_fed(d.live))
			goto out;	/* nothing to sum up: the error line says it all */
		goto summary;
	}
	ds_dept_parser__set_file(d.parser, p.kmsg_file ? p.kmsg_file : KMSG);
	if ((p.kmsg || p.kmsg_file) && open_kmsg(&p, &fd)) {
		ret = DS_EXIT_ERROR;
		goto out;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	fprintf(stderr, "Watching the DEPT graph (%s%s%s)... Hit Ctrl-C to end.\n",
		fd >= 0 ? (p.kmsg_file ? p.kmsg_file : KMSG) : "",
		fd >= 0 && proc ? ", " : "", proc ? proc : "");
	start = last_input = ds_now_mono_ns();
	while (!stop) {
		uint64_t now = ds_now_mono_ns();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = 100;

		if (p.duration_ns && now - start >= p.duration_ns)
			break;
		if (proc && now >= next_poll) {
			err = poll_proc(&d, proc);
			if (err) {
				ds_err("%s: %s", proc, strerror(-err));
				break;
			}
			next_poll = now + p.poll_ns;
		}
		if (snapshot) {
			snapshot = 0;
			write_snapshots(&d);
		}
		if (fd < 0 || eof) {
			if (!proc)
				break;
			usleep(100000);
			continue;
		}
		if (poll(&pfd, 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (pfd.revents & (POLLIN | POLLHUP)) {
			char buf[LINE_CAP];
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			/* /dev/kmsg: records were overwritten before we read them */
			if (n < 0 && errno == EPIPE)
				continue;
			if (n < 0) {
				err = -errno;
				break;
			}
			if (!n) {
				eof = true;
				err = take(&d, "\n", d.line_len ? 1 : 0);
				if (!err)
					err = ds_dept_parser__finish(d.parser);
				if (err)
					break;
				continue;
			}
			last_input = ds_now_mono_ns();
			/* /dev/kmsg gives one record per read, without its newline at times */
			err = take(&d, buf, (size_t)n);
			if (!err && d.kmsg_records && buf[n - 1] != '\n')
				err = take(&d, "\n", 1);
			if (err)
				break;
		} else if (ds_now_mono_ns() - last_input > QUIET_NS) {
			err = ds_dept_parser__quiet(d.parser);
			if (err)
				break;
		}
	}
	if (!err && !eof && fd >= 0)
		err = ds_dept_parser__finish(d.parser);
	if (err) {
		ds_err("stopped: %s", strerror(-err));
		ret = DS_EXIT_ERROR;
	}
summary:
	if (p.json) {
		struct ds_json j;

		json_open(&j, "dept_summary");
		ds_json__kv_u64(&j, "classes", ds_graph__nr_classes(d.g));
		ds_json__kv_u64(&j, "edges", ds_graph__nr_edges(d.g));
		ds_json__kv_u64(&j, "reports", d.reports);
		ds_json__kv_u64(&j, "cycles", d.cycles);
		ds_json__kv_u64(&j, "proc_polls", d.proc_polls);
		if (d.live) {
			struct ds_dept_live_stats st;

			ds_dept_live__stats(d.live, &st);
			ds_json__kv_u64(&j, "records", st.records);
			ds_json__kv_u64(&j, "graph_cycles", d.graph_cycles);
			ds_json__kv_u64(&j, "unknown_keys", st.unknown_keys);
			ds_json__kv_u64(&j, "malformed", st.malformed);
			ds_json__kv_u64(&j, "evictions", st.evictions);
			ds_json__kv_u64(&j, "classes_evicted", st.classes_evicted);
		}
		json_close(&j);
	} else {
		printf("\nDEPT graph: %u classes, %u edges; %" PRIu64 " %s, %" PRIu64
		       " cycle(s)\n", ds_graph__nr_classes(d.g), ds_graph__nr_edges(d.g),
		       d.live ? d.graph_cycles : d.reports,
		       d.live ? "edge(s) closing a cycle" : "report(s)", d.cycles);
		if (d.live) {
			struct ds_dept_live_stats st;

			ds_dept_live__stats(d.live, &st);
			if (st.evictions)
				printf("The class cap (--max-classes %u) forgot the oldest %" PRIu64
				       " classes in %" PRIu64 " step(s)\n",
				       p.max_classes ?: DS_MAX_CLASSES, st.classes_evicted,
				       st.evictions);
		}
	}
	if (write_snapshots(&d))
		ret = DS_EXIT_ERROR;
	if (!ret && (d.cycles || d.graph_cycles))
		ret = DS_EXIT_HANG;
out:
	ds_dept_live__free(d.live);
	ds_symbolizer__free(sym);
	if (fd > 0)
		close(fd);
	ds_dept_parser__free(d.parser);
	ds_graph__free(d.g);
	return ret;
}
