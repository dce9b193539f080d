// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Streaming parser of DEPT and lockdep circular-dependency reports in
 * console logs.  Each input line is first reduced to its content: mail
 * quoting, syslog/journal prefixes, printk timestamps and caller ids and
 * any indentation go, so pasted, quoted and indented copies parse alike.
 * The content then drives a small state machine per report kind.  Formats
 * of every DEPT era are described in docs/triage.md.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "deptscope/dept.h"

#define LINE_MAX_LEN	4096	/* longer lines are cut: no report line is that long */
#define TEXT_MAX	(256 * 1024)
#define UNKNOWN_MAX	40	/* unknown lines in a row that end a DEPT report */
#define LOCKDEP_UNKNOWN_MAX 200	/* the same for lockdep, whose reports have much prose */

enum state { ST_IDLE, ST_DEPT, ST_RECOVER, ST_LOCKDEP };
enum section { SEC_HEAD, SEC_SUMMARY, SEC_DETAIL, SEC_TRAILER };
/* what the stack lines that follow belong to */
enum target { T_NONE, T_START, T_WAIT, T_EVENT, T_WAKE, T_ENIRQ };

struct ds_dept_parser {
	ds_dept_report_fn on_report;
	ds_dept_health_fn on_health;
	void *ctx;
	const char *file;
	uint64_t lineno;
	enum state st;
	enum section sec;
	struct ds_dept_report r;
	int cur;			/* context being filled, -1: none */
	enum target tgt;
	bool in_stack;			/* after "stacktrace:" */
	bool tgt_has_ip;		/* an ip line came before any stacktrace */
	uint32_t unknown_run;
	char caller[16];		/* printk caller id of the report's header */
	bool have_kernel, have_legend, have_trailer, have_backtrace;
	uint32_t detail_seen;		/* bit per context */
	uint64_t points_seen;		/* detail [S]/[W]/[E] blocks: 3 bits per context (16 x 3) */
	/* the last "=====" rule, which a report header follows */
	uint64_t rule_line;
	char rule_raw[160];
	size_t rule_len;
	size_t text_cap;
	/* a DEPT_INFO whose message continues on the next lines */
	struct ds_dept_health pending_health;
	bool health_open;
	char line[LINE_MAX_LEN];
};

int ds_dept_parser__new(ds_dept_report_fn on_report, ds_dept_health_fn on_health, void *ctx,
			struct ds_dept_parser **out)
{
	struct ds_dept_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->on_report = on_report;
	p->on_health = on_health;
	p->ctx = ctx;
	p->cur = -1;
	*out = p;
	return 0;
}

static void report_reset(struct ds_dept_parser *p)
{
	struct ds_dept_report *r = &p->r;
	char **frames = r->frames;
	uint32_t i, cap = r->cap_frames;
	char *text = r->text;

	for (i = 0; i < r->nr_frames; i++)
		free(frames[i]);
	memset(r, 0, sizeof(*r));
	r->frames = frames;
	r->cap_frames = cap;
	r->text = text;
	if (text)
		text[0] = '\0';
	p->cur = -1;
	p->tgt = T_NONE;
	p->in_stack = p->tgt_has_ip = false;
	p->unknown_run = 0;
	p->caller[0] = '\0';
	p->have_kernel = p->have_legend = p->have_trailer = p->have_backtrace = false;
	p->detail_seen = p->points_seen = 0;
	p->sec = SEC_HEAD;
	p->st = ST_IDLE;
}

void ds_dept_parser__free(struct ds_dept_parser *p)
{
	if (!p)
		return;
	report_reset(p);
	free(p->r.frames);
	free(p->r.text);
	free(p);
}

void ds_dept_parser__set_file(struct ds_dept_parser *p, const char *file)
{
	p->file = file;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool all_of(const char *s, char ch, size_t min)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (*s != ch)
			return false;
	return n >= min;
}

/* "[ 1538.533315]" */
static const char *skip_timestamp(const char *s)
{
	const char *q = s + 1;

	if (*s != '[')
		return s;
	while (*q == ' ')
		q++;
	if (!isdigit((unsigned char)*q))
		return s;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q != '.')
		return s;
	q++;
	while (isdigit((unsigned char)*q))
		q++;
	/* "[    6.881473][  T628]" and "[    6.881473 T628]" */
	if (*q == ' ' && (q[1] == 'T' || q[1] == 'C')) {
		q += 2;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q != ']')
			return s;
		return q + 1;
	}
	return *q == ']' ? q + 1 : s;
}

/* "[T42160]", "[ T3416]", "[    C1]": the printk caller id, copied to @id */
static const char *skip_caller(const char *s, char *id, size_t len)
{
	const char *q = s + 1, *start;

	if (*s != '[')
		return s;
	while (*q == ' ')
		q++;
	if (*q != 'T' && *q != 'C')
		return s;
	start = q++;
	if (!isdigit((unsigned char)*q))
		return s;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q != ']')
		return s;
	if (len) {
		size_t n = (size_t)(q - start) < len - 1 ? (size_t)(q - start) : len - 1;

		memcpy(id, start, n);
		id[n] = '\0';
	}
	return q + 1;
}

/* syslog and journal prefixes: "Nov 21 12:00:00 host kernel: ", "2026-...T... host kernel: " */
static const char *skip_syslog(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *k;
	bool dated = false;
	int i;

	for (i = 0; i < 12; i++)
		if (!strncmp(s, months + i * 3, 3) && s[3] == ' ')
			dated = true;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[3]) && s[4] == '-')
		dated = true;
	if (starts(s, "kernel: "))
		return s + 8;
	if (!dated)
		return s;
	k = strstr(s, " kernel: ");
	if (!k || k - s > 96)
		return s;
	return k + 9;
}

/*
 * Reduce a raw line to its content in p->line: trimmed, with quoting and
 * every known prefix removed.  The caller id found, if any, goes to @caller.
 */
static char *clean(struct ds_dept_parser *p, const char *in, size_t len, char *caller,
		   size_t clen)
{
	char *s = p->line, *e;
	const char *q;
	size_t i;

	if (len >= sizeof(p->line))
		len = sizeof(p->line) - 1;
	for (i = 0; i < len; i++)
		s[i] = in[i] ? in[i] : ' ';
	s[len] = '\0';
	caller[0] = '\0';
	q = s;
	for (;;) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '>') {
			q++;
			continue;
		}
		break;
	}
	if (q[0] == '<' && isdigit((unsigned char)q[1]) && q[2] == '>')
		q += 3;
	q = skip_syslog(q);
	q = skip_timestamp(q);
	q = skip_caller(q, caller, clen);
	while (*q == ' ' || *q == '\t')
		q++;
	e = s + strlen(s);
	while (e > q && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	return (char *)q;
}

static void text_add(struct ds_dept_parser *p, const char *raw, size_t len)
{
	struct ds_dept_report *r = &p->r;
	size_t need;
	char *t;

	while (len && (raw[len - 1] == '\r' || raw[len - 1] == '\n'))
		len--;
	if (r->text_len + len + 2 > TEXT_MAX)
		return;
	need = r->text_len + len + 2;
	if (need > p->text_cap) {
		size_t cap = p->text_cap ? p->text_cap : 4096;

		while (cap < need)
			cap *= 2;
		t = realloc(r->text, cap);
		if (!t)
			return;
		r->text = t;
		p->text_cap = cap;
	}
	memcpy(r->text + r->text_len, raw, len);
	r->text_len += len;
	r->text[r->text_len++] = '\n';
	r->text[r->text_len] = '\0';
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

/*
 * A stack frame line: "func+0x57/0xd0", "? func+0x..", syzkaller's
 * "func+0x1/0x2 file.c:12 [inline]" and "func (file.c:12)", arm64's
 * "func+0x../0x.. (C)".  The function name, without compiler suffixes
 * (.isra.0, .constprop.0, .part.0) that change between builds, goes to @out.
 */
static bool frame_name(const char *s, char *out, size_t len)
{
	const char *e;
	size_t n;

	if (starts(s, "? "))
		s += 2;
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (e = s; ident_char((unsigned char)*e); e++)
		;
	if (!(starts(e, "+0x") || starts(e, " (") || starts(e, " [inline]") ||
	      (*e == ' ' && strstr(e, ".c:")) || (*e == ' ' && strstr(e, ".h:"))))
		return false;
	n = (size_t)(e - s);
	for (const char *d = s; d < e; d++) {
		if (*d == '.') {
			n = (size_t)(d - s);
			break;
		}
	}
	if (!n || !len)
		return false;
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/*
 * "fn(class:sub)" with an optional tail (":" or " in softirq context:").
 * Both fn and class may hold parentheses: "(unknown)(&(&x->wq)->dmap:0)",
 * so the class is the last balanced group.
 */
static bool parse_point(const char *s, struct ds_dept_point *pt, bool *detail)
{
	const char *end = s + strlen(s), *close, *open, *colon;
	int depth = 0;
	size_t n;

	*detail = false;
	if (end > s && end[-1] == ':') {
		*detail = true;
		end--;
	}
	close = end;
	/* "[W] fn(cls:0) in softirq context:" */
	if (*detail) {
		const char *in = strstr(s, ") in ");

		if (in && in + 1 < end)
			close = in + 1;
	}
	if (close <= s || close[-1] != ')')
		return false;
	close--;
	for (open = close; open >= s; open--) {
		if (*open == ')')
			depth++;
		else if (*open == '(' && --depth == 0)
			break;
	}
	if (open < s)
		return false;
	n = (size_t)(open - s);
	if (n >= sizeof(pt->fn))
		n = sizeof(pt->fn) - 1;
	memcpy(pt->fn, s, n);
	pt->fn[n] = '\0';
	pt->sub = -1;
	colon = NULL;
	for (const char *c = close - 1; c > open; c--) {
		if (*c == ':') {
			colon = c;
			break;
		}
		if (!isdigit((unsigned char)*c))
			break;
	}
	if (colon && colon + 1 < close) {
		pt->sub = atoi(colon + 1);
		n = (size_t)(colon - open - 1);
	} else {
		n = (size_t)(close - open - 1);
	}
	if (n >= sizeof(pt->cls))
		n = sizeof(pt->cls) - 1;
	memcpy(pt->cls, open + 1, n);
	pt->cls[n] = '\0';
	return true;
}

static struct ds_dept_context *ctx_at(struct ds_dept_parser *p, int i, char id)
{
	struct ds_dept_report *r = &p->r;

	if (i < 0 || i >= DS_DEPT_MAX_CONTEXTS)
		return NULL;
	while ((int)r->nr_contexts <= i) {
		struct ds_dept_context *c = &r->ctx[r->nr_contexts];

		memset(c, 0, sizeof(*c));
		c->id = (char)('A' + r->nr_contexts);
		c->start.sub = c->wait.sub = c->event.sub = -1;
		r->nr_contexts++;
	}
	r->ctx[i].id = id;
	return &r->ctx[i];
}

static struct ds_dept_point *target_point(struct ds_dept_parser *p)
{
	struct ds_dept_context *c;

	if (p->cur < 0 || p->cur >= (int)p->r.nr_contexts)
		return NULL;
	c = &p->r.ctx[p->cur];
	switch (p->tgt) {
	case T_START:
		return &c->start;
	case T_WAIT:
		return &c->wait;
	case T_EVENT:
		return &c->event;
	default:
		return NULL;
	}
}

/*
 * A frame of the current target.  DEPT prints an ip line, then maybe a
 * "stacktrace:": the stacktrace replaces the lone ip when it comes.
 */
static void target_frame(struct ds_dept_parser *p, const char *name, bool is_ip)
{
	struct ds_dept_report *r = &p->r;
	struct ds_dept_context *c = p->cur >= 0 && p->cur < (int)r->nr_contexts ?
				    &r->ctx[p->cur] : NULL;
	struct ds_dept_point *pt = target_point(p);
	uint32_t *first, *nr;

	if (!c)
		return;
	if (pt) {
		first = &pt->stack_first;
		nr = &pt->stack_nr;
	} else if (p->tgt == T_WAKE) {
		first = &c->wake_first;
		nr = &c->wake_nr;
	} else {
		return;		/* "softirq has been enabled:" stacks are not kept */
	}
	if (is_ip || p->tgt_has_ip)
		*nr = 0;
	p->tgt_has_ip = is_ip;
	if (!*nr)
		*first = r->nr_frames;
	else if (*first + *nr != r->nr_frames)
		return;		/* not contiguous: a repeated block; keep the first */
	if (!ds_dept_report__add_frame(r, name))
		(*nr)++;
}

static void emit_health(struct ds_dept_parser *p)
{
	if (p->health_open && p->on_health)
		p->on_health(p->ctx, &p->pending_health);
	p->health_open = false;
}

static bool health_line(struct ds_dept_parser *p, const char *c)
{
	static const struct {
		const char *macro;
		enum ds_health_kind kind;
	} macros[] = {
		{ "DEPT_INFO_ONCE", DS_H_INFO }, { "DEPT_INFO", DS_H_INFO },
		{ "DEPT_WARN_ON_ONCE", DS_H_WARN }, { "DEPT_WARN_ON", DS_H_WARN },
		{ "DEPT_WARN_ONCE", DS_H_WARN }, { "DEPT_WARN", DS_H_WARN },
		{ "DEPT_STOP", DS_H_STOP },
	};
	struct ds_dept_health *h = &p->pending_health;
	size_t i, n;

	for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		n = strlen(macros[i].macro);
		if (strncmp(c, macros[i].macro, n) || c[n] != ':')
			continue;
		emit_health(p);
		memset(h, 0, sizeof(*h));
		h->kind = macros[i].kind;
		snprintf(h->macro, sizeof(h->macro), "%s", macros[i].macro);
		c += n + 1;
		while (*c == ' ')
			c++;
		/* pool exhaustion prints a rule, then the message on indented lines */
		if (!all_of(c, '-', 3))
			snprintf(h->message, sizeof(h->message), "%s", c);
		h->file = p->file;
		h->line = p->lineno;
		p->health_open = true;
		if (h->message[0])
			emit_health(p);
		return true;
	}
	return false;
}

static void health_continue(struct ds_dept_parser *p, const char *c)
{
	struct ds_dept_health *h = &p->pending_health;
	size_t used = strlen(h->message);

	if (!*c || all_of(c, '-', 3)) {
		if (used)
			emit_health(p);
		return;
	}
	snprintf(h->message + used, sizeof(h->message) - used, "%s%s", used ? " " : "", c);
}

static void finish_report(struct ds_dept_parser *p, int *ret)
{
	struct ds_dept_report *r = &p->r;
	const char *why = NULL;
	unsigned int i;

	if (p->st == ST_IDLE)
		return;
	r->parsed = r->nr_contexts > 0;
	if (!r->parsed) {
		why = "no context could be read";
	} else if (r->kind == DS_RK_LOCKDEP) {
		if (!p->have_kernel)
			why = "no kernel release line";
		else if (!p->have_backtrace)
			why = "cut off before the stack backtrace";
	} else if (r->kind == DS_RK_DEPT_RECOVER) {
		if (!p->have_trailer)
			why = "cut off before the trailer";
	} else if (!r->header[0]) {
		why = "summary fragment: no header";
	} else if (!p->have_kernel) {
		why = "no kernel release line";
	} else if (r->verdict == DS_V_NONE) {
		why = "no verdict";
	} else {
		for (i = 0; i < r->nr_contexts && !why; i++) {
			const struct ds_dept_context *c = &r->ctx[i];

			if (!c->start.cls[0] || !c->wait.cls[0] || !c->event.cls[0])
				why = "a context lacks [S], [W] or [E]";
			else if (!(p->detail_seen & (1u << i)))
				why = "a context's detail is missing";
			else if (((p->points_seen >> (3 * i)) & 7) != 7)
				why = "a context's detail lacks [S], [W] or [E]";
		}
		if (!why && !p->have_trailer)
			why = "cut off before \"information that might be helpful\"";
	}
	r->complete = !why;
	if (why)
		snprintf(r->problem, sizeof(r->problem), "%s", why);
	r->file = p->file;
	if (r->parsed)
		ds_dept_report__sign(r);
	if (p->on_report && !*ret)
		*ret = p->on_report(p->ctx, r);
	report_reset(p);
}

static void begin_report(struct ds_dept_parser *p, enum state st, enum ds_report_kind kind,
			 const char *header, const char *caller, const char *raw, size_t len,
			 int *ret)
{
	struct ds_dept_report *r = &p->r;

	finish_report(p, ret);
	p->st = st;
	r->kind = kind;
	snprintf(r->header, sizeof(r->header), "%s", header);
	snprintf(p->caller, sizeof(p->caller), "%s", caller);
	r->first_line = p->lineno;
	if (p->rule_line && p->rule_line + 1 == p->lineno) {
		r->first_line = p->rule_line;
		text_add(p, p->rule_raw, p->rule_len);
	}
	text_add(p, raw, len);
	r->last_line = p->lineno;
}

static bool verdict_line(const char *c, enum ds_verdict *v)
{
	if (!strcmp(c, "*** DEADLOCK ***"))
		*v = DS_V_DEADLOCK;
	else if (!strcmp(c, "*** AA DEADLOCK ***"))
		*v = DS_V_AA;
	else if (!strcmp(c, "NOT A DEADLOCK BUT A CIRCULAR DEPENDENCY"))
		*v = DS_V_TIMEOUT;
	else
		return false;
	return true;
}

/* "context A" or "context A's detail"; returns the index, -1 if not one */
static int context_line(const char *c, bool *detail)
{
	*detail = false;
	if (!starts(c, "context ") || !isupper((unsigned char)c[8]))
		return -1;
	if (!c[9])
		return c[8] - 'A';
	if (!strcmp(c + 9, "'s detail")) {
		*detail = true;
		return c[8] - 'A';
	}
	return -1;
}

static void kernel_line(struct ds_dept_parser *p, const char *c)
{
	size_t n = strcspn(c, " ");

	if (n >= sizeof(p->r.kernel))
		n = sizeof(p->r.kernel) - 1;
	memcpy(p->r.kernel, c, n);
	p->r.kernel[n] = '\0';
	p->have_kernel = true;
}

static bool looks_like_release(const char *c)
{
	/* "6.15.0-rc6+ #31 Not tainted", "5.17.0-rc1-0001-g... #2 Tainted: G W" */
	return isdigit((unsigned char)c[0]) && strchr(c, '.') && strstr(c, " #") &&
	       (strstr(c, "ainted") || strchr(c, '#'));
}

/* "RIP: 0033:..", "RSP: 002b:..", "R13: ..", "Code: ..": user registers after a syscall frame */
static bool register_line(const char *c)
{
	size_t n = strcspn(c, ": ");

	if (starts(c, "Code: ") || starts(c, "FS: ") || starts(c, "CS: "))
		return true;
	if (!n || n > 4 || c[n] != ':')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)c[i]) && !isdigit((unsigned char)c[i]))
			return false;
	return true;
}

static bool trailer_line(const char *c)
{
	char fn[DS_DEPT_NAME_LEN];

	return all_of(c, '-', 20) || starts(c, "CPU: ") || starts(c, "Hardware name:") ||
	       starts(c, "Call Trace:") ||
	       starts(c, "Call trace:") || !strcmp(c, "<TASK>") || !strcmp(c, "</TASK>") ||
	       !strcmp(c, "<IRQ>") || register_line(c) ||
	       !strcmp(c, "</IRQ>") || starts(c, "Workqueue:") || starts(c, "RIP:") ||
	       starts(c, "Sched_ext:") || starts(c, "pstate:") || frame_name(c, fn, sizeof(fn));
}

/* One content line of a DEPT circular-dependency report. */
static bool dept_line(struct ds_dept_parser *p, const char *c)
{
	struct ds_dept_report *r = &p->r;
	struct ds_dept_context *ctx;
	struct ds_dept_point pt, *dst;
	char fn[DS_DEPT_NAME_LEN];
	enum ds_verdict v;
	bool detail;
	int i;

	if (!p->have_kernel && p->sec == SEC_HEAD && looks_like_release(c)) {
		kernel_line(p, c);
		return true;
	}
	if (!strcmp(c, "summary")) {
		p->sec = SEC_SUMMARY;
		return true;
	}
	if (verdict_line(c, &v)) {
		r->verdict = v;
		if (p->sec == SEC_HEAD)
			p->sec = SEC_SUMMARY;
		return true;
	}
	if (!strcmp(c, "CHECK IF THE TIMEOUT IS INTENDED") || all_of(c, '-', 20) || !*c)
		return true;
	i = context_line(c, &detail);
	if (i >= 0) {
		if (detail) {
			p->sec = SEC_DETAIL;
			if (i < DS_DEPT_MAX_CONTEXTS)
				p->detail_seen |= 1u << i;
		}
		p->cur = i;
		p->tgt = T_NONE;
		p->in_stack = false;
		ctx_at(p, i, c[8]);
		return true;
	}
	if (starts(c, "[S]: ") || starts(c, "[W]: ") || starts(c, "[E]: ")) {
		p->have_legend = true;
		return true;
	}
	if (!strcmp(c, "information that might be helpful")) {
		p->sec = SEC_TRAILER;
		p->have_trailer = true;
		return true;
	}
	ctx = p->cur >= 0 && p->cur < (int)r->nr_contexts ? &r->ctx[p->cur] : NULL;
	if (ctx && strstr(c, ">8 timeout")) {
		ctx->timeout = true;
		return true;
	}
	if (ctx && c[0] == '<' && strstr(c, " interrupt>")) {
		ctx->irq = starts(c, "<softirq") ? DS_IRQ_SOFTIRQ :
			   starts(c, "<hardirq") ? DS_IRQ_HARDIRQ : DS_IRQ_UNKNOWN;
		return true;
	}
	if (ctx && (c[0] == '[') && (c[1] == 'S' || c[1] == 'W' || c[1] == 'E') && c[2] == ']' &&
	    c[3] == ' ' && parse_point(c + 4, &pt, &detail)) {
		dst = c[1] == 'S' ? &ctx->start : c[1] == 'W' ? &ctx->wait : &ctx->event;
		/* the summary's line is authoritative; a detail block fills a gap */
		if (!dst->cls[0]) {
			snprintf(dst->fn, sizeof(dst->fn), "%s", pt.fn);
			snprintf(dst->cls, sizeof(dst->cls), "%s", pt.cls);
			dst->sub = pt.sub;
		}
		if (detail && p->sec == SEC_DETAIL) {
			p->tgt = c[1] == 'S' ? T_START : c[1] == 'W' ? T_WAIT : T_EVENT;
			p->in_stack = false;
			p->tgt_has_ip = false;
			if (p->cur < DS_DEPT_MAX_CONTEXTS)
				p->points_seen |= 1ULL << (3 * p->cur + (p->tgt - T_START));
			if (strstr(c, " in softirq context:"))
				ctx->irq = DS_IRQ_SOFTIRQ;
			else if (strstr(c, " in hardirq context:"))
				ctx->irq = DS_IRQ_HARDIRQ;
		}
		return true;
	}
	if (ctx && p->sec == SEC_DETAIL) {
		if (!strcmp(c, "(wait to wake up)")) {
			p->tgt = T_WAKE;
			p->in_stack = p->tgt_has_ip = false;
			return true;
		}
		if (strstr(c, " has been enabled:")) {
			p->tgt = T_ENIRQ;
			p->in_stack = false;
			return true;
		}
		if (!strcmp(c, "stacktrace:")) {
			p->in_stack = true;
			return true;
		}
		if (!strcmp(c, "(N/A)") || starts(c, "stack is NULL") ||
		    starts(c, "stack->nr is 0") || starts(c, "stack ref is "))
			return true;
		/* "[<ffffffff8133cd87>] start_this_handle+0xa7/0x5e0" */
		if (starts(c, "[<") && strstr(c, ">] ")) {
			if (frame_name(strstr(c, ">] ") + 3, fn, sizeof(fn)))
				target_frame(p, fn, true);
			return true;
		}
		if (frame_name(c, fn, sizeof(fn))) {
			target_frame(p, fn, false);
			return true;
		}
	}
	return false;
}

/* "event site(name@func)" and "-> event site(name@func)" of a recover report */
static void recover_line(struct ds_dept_parser *p, const char *c)
{
	struct ds_dept_context *ctx;
	const char *at, *end;
	size_t n;

	if (!p->have_kernel && looks_like_release(c)) {
		kernel_line(p, c);
		return;
	}
	if (!strcmp(c, "information that might be helpful")) {
		p->sec = SEC_TRAILER;
		p->have_trailer = true;
		return;
	}
	if (starts(c, "-> "))
		c += 3;
	if (!starts(c, "event site(") || !(end = strrchr(c, ')')) || !(at = strchr(c, '@')) ||
	    at > end) {
		p->unknown_run++;
		return;
	}
	n = (size_t)(at - c - 11);
	/* the circle is printed closed: its last site is its first again */
	if (p->r.nr_contexts > 1 && strlen(p->r.ctx[0].event.cls) == n &&
	    !strncmp(p->r.ctx[0].event.cls, c + 11, n))
		return;
	ctx = ctx_at(p, (int)p->r.nr_contexts, (char)('A' + p->r.nr_contexts));
	if (!ctx)
		return;
	snprintf(ctx->event.cls, sizeof(ctx->event.cls), "%.*s", (int)n, c + 11);
	snprintf(ctx->event.fn, sizeof(ctx->event.fn), "%.*s", (int)(end - at - 1), at + 1);
	memcpy(ctx->wait.cls, ctx->event.cls, sizeof(ctx->wait.cls));
}

/* "-> #2 (&q->q_usage_counter(io)#10){++++}-{0:0}:" */
static bool lockdep_chain(struct ds_dept_parser *p, const char *c)
{
	struct ds_dept_context *ctx;
	const char *open, *close;
	char id;
	int n;

	if (!starts(c, "-> #") || !isdigit((unsigned char)c[4]))
		return false;
	n = atoi(c + 4);
	open = strchr(c + 4, '(');
	close = strstr(c, "){");
	if (!open || !close || close < open)
		close = strrchr(c, ')');
	if (!open || !close || close <= open)
		return false;
	id = n < 10 ? (char)('0' + n) : '+';
	ctx = ctx_at(p, (int)p->r.nr_contexts, id);
	if (!ctx)
		return true;
	snprintf(ctx->wait.cls, sizeof(ctx->wait.cls), "%.*s", (int)(close - open - 1), open + 1);
	p->cur = (int)p->r.nr_contexts - 1;
	p->tgt = T_WAIT;
	p->tgt_has_ip = false;
	return true;
}

static void lockdep_line(struct ds_dept_parser *p, const char *c)
{
	char fn[DS_DEPT_NAME_LEN];
	enum ds_verdict v;

	if (!p->have_kernel && looks_like_release(c)) {
		kernel_line(p, c);
		return;
	}
	if (lockdep_chain(p, c)) {
		p->unknown_run = 0;
		return;
	}
	if (verdict_line(c, &v)) {
		p->r.verdict = v;
		p->tgt = T_NONE;
		return;
	}
	if (!strcmp(c, "stack backtrace:")) {
		p->have_backtrace = true;
		p->sec = SEC_TRAILER;
		p->tgt = T_NONE;
		return;
	}
	if (p->tgt == T_WAIT && frame_name(c, fn, sizeof(fn))) {
		target_frame(p, fn, false);
		p->unknown_run = 0;
		return;
	}
	/*
	 * "other info that might help us debug this:" ends the chain's
	 * stacks; another task's line in between does not
	 */
	if (starts(c, "other info") || starts(c, "Chain exists of"))
		p->tgt = T_NONE;
	p->unknown_run++;
}

/* Whether a report of @st ends before this line, which then belongs to no report. */
static bool trailer_ends(struct ds_dept_parser *p, const char *c)
{
	if (p->sec != SEC_TRAILER)
		return false;
	return !trailer_line(c);
}

int ds_dept_parser__feed(struct ds_dept_parser *p, const char *raw, size_t len)
{
	char caller[16], *c;
	int ret = 0;

	p->lineno++;
	c = clean(p, raw, len, caller, sizeof(caller));

	if (p->health_open) {
		if (starts(c, "Dept object(") || starts(c, "Dept is ") ||
		    starts(c, "Nevertheless") || starts(c, "Some of Dept") ||
		    all_of(c, '-', 3) || starts(c, "Ask ")) {
			health_continue(p, c);
			return 0;
		}
		emit_health(p);
	}
	/* a line from another task inside a report carrying caller ids */
	if (p->st != ST_IDLE && p->caller[0] && caller[0] && strcmp(caller, p->caller))
		return 0;

	if (starts(c, "DEPT") || starts(c, "Dept") || starts(c, "WARNING: possible circular")) {
		if (!strcmp(c, "DEPT: Circular dependency has been detected.") ||
		    !strcmp(c, "Dept: Circular dependency has been detected.")) {
			begin_report(p, ST_DEPT, DS_RK_DEPT, c[1] == 'E' ? "DEPT" : "Dept", caller,
				     raw, len, &ret);
			return ret;
		}
		if (!strcmp(c, "DEPT: Circular recover dependency has been detected.")) {
			begin_report(p, ST_RECOVER, DS_RK_DEPT_RECOVER, "DEPT", caller, raw, len,
				     &ret);
			return ret;
		}
		if (!strcmp(c, "WARNING: possible circular locking dependency detected")) {
			begin_report(p, ST_LOCKDEP, DS_RK_LOCKDEP, "lockdep", caller, raw, len,
				     &ret);
			return ret;
		}
		if (health_line(p, c))
			return 0;
	}
	if (all_of(c, '=', 20)) {
		size_t n = len < sizeof(p->rule_raw) ? len : sizeof(p->rule_raw);

		p->rule_line = p->lineno;
		memcpy(p->rule_raw, raw, n);
		p->rule_len = n;
	}

	switch (p->st) {
	case ST_IDLE: {
		enum ds_verdict v;

		/* a summary pasted on its own (commit messages): verdict, then contexts */
		if (verdict_line(c, &v)) {
			begin_report(p, ST_DEPT, DS_RK_DEPT, "", caller, raw, len, &ret);
			p->r.verdict = v;
			p->sec = SEC_SUMMARY;
		}
		return ret;
	}
	case ST_DEPT: {
		enum ds_verdict v;

		/* a second summary: the report before was cut off, this one starts */
		if (p->sec != SEC_TRAILER && p->r.verdict != DS_V_NONE && p->r.nr_contexts &&
		    verdict_line(c, &v)) {
			begin_report(p, ST_DEPT, DS_RK_DEPT, "", caller, raw, len, &ret);
			p->r.verdict = v;
			p->sec = SEC_SUMMARY;
			return ret;
		}
		if (trailer_ends(p, c)) {
			finish_report(p, &ret);
			return ret;
		}
		if (p->sec == SEC_TRAILER) {
			text_add(p, raw, len);
			p->r.last_line = p->lineno;
			if (!strcmp(c, "</TASK>"))
				finish_report(p, &ret);
			return ret;
		}
		if (dept_line(p, c)) {
			p->unknown_run = 0;
			text_add(p, raw, len);
			p->r.last_line = p->lineno;
			return ret;
		}
		p->unknown_run++;
		/* a fragment that never shows a context was not a DEPT summary */
		if (!p->r.header[0] && !p->r.nr_contexts && p->unknown_run > 2)
			report_reset(p);
		else if (p->unknown_run > UNKNOWN_MAX)
			finish_report(p, &ret);
		return ret;
	}
	case ST_RECOVER:
		if (trailer_ends(p, c)) {
			finish_report(p, &ret);
			return ret;
		}
		if (p->sec != SEC_TRAILER)
			recover_line(p, c);
		text_add(p, raw, len);
		p->r.last_line = p->lineno;
		if (p->unknown_run > UNKNOWN_MAX || !strcmp(c, "</TASK>"))
			finish_report(p, &ret);
		return ret;
	case ST_LOCKDEP:
		if (trailer_ends(p, c) && !starts(c, "stack backtrace")) {
			finish_report(p, &ret);
			return ret;
		}
		if (p->sec != SEC_TRAILER)
			lockdep_line(p, c);
		text_add(p, raw, len);
		p->r.last_line = p->lineno;
		/* a report cut off before its backtrace must not swallow the log */
		if (!strcmp(c, "</TASK>") || p->unknown_run > LOCKDEP_UNKNOWN_MAX)
			finish_report(p, &ret);
		return ret;
	}
	return ret;
}

int ds_dept_parser__finish(struct ds_dept_parser *p)
{
	int ret = 0;

	emit_health(p);
	finish_report(p, &ret);
	return ret;
}

int ds_dept_parser__quiet(struct ds_dept_parser *p)
{
	int ret = 0;

	emit_health(p);
	if (p->st != ST_IDLE && p->sec == SEC_TRAILER)
		finish_report(p, &ret);
	return ret;
}

bool ds_dept_parser__idle(const struct ds_dept_parser *p)
{
	return p->st == ST_IDLE && !p->health_open;
}

void ds_dept_parser__skip_lines(struct ds_dept_parser *p, uint64_t n)
{
	p->lineno += n;
}

/*
 * Every line that can start something holds a 'D' ("DEPT", "Dept:",
 * "DEADLOCK", "DEPT_INFO") or a 'W' ("WARNING: possible circular").  Logs
 * are mostly lines without either, so an idle parser skips ahead to the
 * next candidate 16 bytes at a time, counting the newlines it passes.
 */
typedef unsigned char v16 __attribute__((vector_size(16), aligned(1)));

static bool trigger_at(const char *s, const char *end)
{
	size_t n = (size_t)(end - s);

	if (*s == 'D')
		return (n >= 4 && !memcmp(s, "DEPT", 4)) || (n >= 5 && !memcmp(s, "Dept:", 5)) ||
		       (n >= 8 && !memcmp(s, "DEADLOCK", 8));
	return n >= 26 && !memcmp(s, "WARNING: possible circular", 26);
}

static const char *scan_idle(const char *b, const char *end, uint64_t *lines)
{
	const char *s = b, *line = b, *q;
	v16 vd, vw, vn;
	uint64_t nl = 0;

	memset(&vd, 'D', sizeof(vd));
	memset(&vw, 'W', sizeof(vw));
	memset(&vn, '\n', sizeof(vn));

	while (s + 16 <= end) {
		v16 v, hit;
		uint64_t w[2];

		memcpy(&v, s, 16);
		hit = (v == vd) | (v == vw);
		memcpy(w, &hit, 16);
		if (w[0] | w[1]) {
			for (q = s; q < s + 16; q++) {
				if (*q == '\n') {
					nl++;
					line = q + 1;
				} else if ((*q == 'D' || *q == 'W') && trigger_at(q, end)) {
					*lines = nl;
					return line;
				}
			}
		} else {
			v16 n = (v == vn);

			memcpy(w, &n, 16);
			if (w[0] | w[1]) {
				for (q = s; q < s + 16; q++)
					if (*q == '\n') {
						nl++;
						line = q + 1;
					}
			}
		}
		s += 16;
	}
	for (; s < end; s++) {
		if (*s == '\n') {
			nl++;
			line = s + 1;
		} else if ((*s == 'D' || *s == 'W') && trigger_at(s, end)) {
			*lines = nl;
			return line;
		}
	}
	*lines = nl;
	return end;
}

/* Feed the complete lines of [b, end); a parser gone idle skips ahead. */
static int feed_block(struct ds_dept_parser *p, const char *b, const char *end)
{
	const char *s = b, *nl, *prev = NULL;
	uint64_t lines;
	int err;

	while (s < end) {
		if (ds_dept_parser__idle(p)) {
			const char *t = scan_idle(s, end, &lines);

			if (t == end) {
				p->lineno += lines;
				return 0;
			}
			/* the line before may be the "=====" rule a header follows */
			if (lines) {
				for (prev = t - 1; prev > s && prev[-1] != '\n'; prev--)
					;
				p->lineno += lines - 1;
				s = prev;
			}
		}
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		err = ds_dept_parser__feed(p, s, (size_t)(nl - s));
		if (err)
			return err;
		s = nl + 1;
	}
	return 0;
}

#define READ_BLOCK	(1024 * 1024)

/*
 * gzip or plain, by content: zlib reads both.  A line longer than the
 * block is fed in pieces: no report line is anywhere near that long.
 */
int ds_dept_parse_file(const char *path, ds_dept_report_fn on_report,
		       ds_dept_health_fn on_health, void *ctx)
{
	struct ds_dept_parser *p = NULL;
	size_t have = 0;
	char *buf = NULL;
	int fd = -1, err;
	gzFile gz = NULL;

	err = ds_dept_parser__new(on_report, on_health, ctx, &p);
	if (err)
		return err;
	ds_dept_parser__set_file(p, path);
	buf = malloc(READ_BLOCK);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		err = -ENOMEM;
		goto out;
	}
	gzbuffer(gz, 256 * 1024);
	for (;;) {
		int n = gzread(gz, buf + have, READ_BLOCK - have);
		const char *last;

		if (n < 0) {
			int zerr;

			gzerror(gz, &zerr);
			/* a damaged gzip still gave every line before the damage */
			if (zerr == Z_DATA_ERROR || zerr == Z_BUF_ERROR)
				break;
			err = zerr == Z_ERRNO ? -errno : -EIO;
			goto out;
		}
		if (!n)
			break;
		have += (size_t)n;
		last = memrchr(buf, '\n', have);
		if (!last) {
			if (have < READ_BLOCK)
				continue;
			last = buf + have - 1;	/* one over-long line: cut it here */
		}
		err = feed_block(p, buf, last + 1);
		if (err)
			goto out;
		have -= (size_t)(last + 1 - buf);
		memmove(buf, last + 1, have);
	}
	if (have) {
		err = feed_block(p, buf, buf + have);
		if (err)
			goto out;
	}
	err = ds_dept_parser__finish(p);
out:
	if (gz)
		gzclose(gz);
	free(buf);
	ds_dept_parser__free(p);
	return err;
}
