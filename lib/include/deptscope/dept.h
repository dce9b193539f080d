/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * DEPT and lockdep reports as QA finds them in console logs: the parser,
 * the normalised model and the cycle signature.  Formats of every DEPT era
 * are in docs/triage.md.
 */
#ifndef DEPTSCOPE_DEPT_H
#define DEPTSCOPE_DEPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_DEPT_NAME_LEN	128
#define DS_DEPT_MAX_CONTEXTS	16
#define DS_DEPT_SIG_LEN		1024
#define DS_DEPT_MAX_FRAMES	4096	/* frames kept per report */
#define DS_DEPT_BUCKET_LEN	16	/* "D-" or "L-" and 12 hex digits */

enum ds_report_kind {
	DS_RK_DEPT = 1,		/* "DEPT: Circular dependency has been detected." */
	DS_RK_DEPT_RECOVER,	/* "DEPT: Circular recover dependency ..." (v14-v18) */
	DS_RK_LOCKDEP,		/* "WARNING: possible circular locking dependency detected" */
};

enum ds_verdict {
	DS_V_NONE,		/* not printed (lockdep, fragments without a summary) */
	DS_V_DEADLOCK,		/* *** DEADLOCK *** */
	DS_V_AA,		/* *** AA DEADLOCK *** */
	DS_V_TIMEOUT,		/* NOT A DEADLOCK BUT A CIRCULAR DEPENDENCY */
};

enum ds_irq {
	DS_IRQ_NONE,
	DS_IRQ_SOFTIRQ,
	DS_IRQ_HARDIRQ,
	DS_IRQ_UNKNOWN,		/* "<(unknown) interrupt>" */
};

/* One of [S], [W], [E]: "fn(class:sub)" and its stack. */
struct ds_dept_point {
	char fn[DS_DEPT_NAME_LEN];	/* as printed; "" when absent */
	char cls[DS_DEPT_NAME_LEN];	/* class name as printed */
	int sub;			/* subclass as printed, -1 if none */
	uint32_t stack_first;		/* frames[stack_first .. + stack_nr] */
	uint32_t stack_nr;
};

/*
 * A context of the cycle.  DEPT: [S] and [E] name the event class, [W] the
 * class waited for; context i's wait class is context i+1's event class.
 * lockdep: one context per chain entry "-> #N (class)", the class in
 * wait.cls and the stack of the dependency in wait.
 */
struct ds_dept_context {
	char id;			/* 'A' + i as printed; lockdep: '0' + N */
	struct ds_dept_point start, wait, event;
	bool timeout;			/* "--- >8 timeout ---" */
	enum ds_irq irq;
	uint32_t wake_first, wake_nr;	/* "(wait to wake up)" stack */
};

struct ds_dept_report {
	enum ds_report_kind kind;
	enum ds_verdict verdict;
	char kernel[64];		/* release, "" if not printed */
	char header[16];		/* "DEPT" or "Dept" (RFC 2020) or "lockdep" */
	bool complete;			/* every part a full report has */
	bool parsed;			/* false: unparseable, only the line range is known */
	char problem[128];		/* why incomplete or unparseable */
	unsigned int nr_contexts;
	struct ds_dept_context ctx[DS_DEPT_MAX_CONTEXTS];
	char **frames;			/* normalised frame function names */
	uint32_t nr_frames, cap_frames;
	char signature[DS_DEPT_SIG_LEN];
	char bucket[DS_DEPT_BUCKET_LEN];
	const char *file;		/* set by the caller of the parser */
	uint64_t first_line, last_line;	/* 1-based, in the input */
	char *text;			/* the report's lines as read (quoting removed) */
	size_t text_len;
};

/* DEPT_INFO / DEPT_WARN / DEPT_STOP console messages: the tracker's health. */
enum ds_health_kind { DS_H_INFO = 1, DS_H_WARN, DS_H_STOP };

struct ds_dept_health {
	enum ds_health_kind kind;
	char macro[24];			/* "DEPT_INFO_ONCE", "DEPT_WARN_ON", ... */
	char message[256];
	const char *file;
	uint64_t line;
};

typedef int (*ds_dept_report_fn)(void *ctx, struct ds_dept_report *r);
typedef int (*ds_dept_health_fn)(void *ctx, const struct ds_dept_health *h);

struct ds_dept_parser;

/*
 * A streaming parser: feed it lines, it calls @on_report for each report
 * once it ends and @on_health for each health message.  The report is the
 * parser's and valid during the call only (ds_dept_report__dup() keeps
 * one).  A non-zero return from a callback stops parsing and is returned.
 * Memory is bounded by the largest report, never by the input.
 */
int ds_dept_parser__new(ds_dept_report_fn on_report, ds_dept_health_fn on_health, void *ctx,
			struct ds_dept_parser **out);
void ds_dept_parser__free(struct ds_dept_parser *p);
/* Name used in reports' file and health messages' file; not copied. */
void ds_dept_parser__set_file(struct ds_dept_parser *p, const char *file);
/* One line, without its newline; a trailing \r is ignored.  Any bytes. */
int ds_dept_parser__feed(struct ds_dept_parser *p, const char *line, size_t len);
/*
 * The input went quiet (a live log): a report in its trailing stack dump
 * is delivered now rather than at the next line, which may be far off.
 */
int ds_dept_parser__quiet(struct ds_dept_parser *p);
/* Nothing open: no line can matter until one that may start a report. */
bool ds_dept_parser__idle(const struct ds_dept_parser *p);
/* Account for @n lines the caller skipped while the parser was idle. */
void ds_dept_parser__skip_lines(struct ds_dept_parser *p, uint64_t n);
/* End of input: a report still open is delivered (as incomplete). */
int ds_dept_parser__finish(struct ds_dept_parser *p);

/*
 * Parse a file (gzip-compressed or plain; "-" is stdin) with a new parser.
 * Returns 0 or -errno.
 */
int ds_dept_parse_file(const char *path, ds_dept_report_fn on_report,
		       ds_dept_health_fn on_health, void *ctx);

struct ds_dept_report *ds_dept_report__dup(const struct ds_dept_report *r);
void ds_dept_report__free(struct ds_dept_report *r);
/* The frames of a stack as stored; NULL-safe. */
const char *ds_dept_report__frame(const struct ds_dept_report *r, uint32_t i);
/* Append a frame (a function name) to r->frames; -E2BIG past DS_DEPT_MAX_FRAMES. */
int ds_dept_report__add_frame(struct ds_dept_report *r, const char *name);

/*
 * The normalised class name used by signatures and graphs: era spellings
 * of the same class made equal (pglocked, PG_locked_map and pg_locked_map
 * are all "PG_locked"; "&(&x->wait)->dmap" is "&x->wait").  Writes at most
 * @len bytes, NUL-terminated.
 */
void ds_dept_class_norm(const char *cls, char *out, size_t len);
/* "name:sub" as printed, or "name" without a subclass. */
void ds_dept_class_label(const struct ds_dept_point *pt, char *out, size_t len);
/* Fill r->signature and r->bucket from the contexts (the parser does it). */
void ds_dept_report__sign(struct ds_dept_report *r);
/* The cycle in one line: "A -> B -> A" over normalised classes. */
void ds_dept_report__cycle(const struct ds_dept_report *r, char *out, size_t len);
/* Sorted distinct classes of the cycle, "name:sub" as printed; returns how many. */
size_t ds_dept_report__classes(const struct ds_dept_report *r, char (*out)[DS_DEPT_NAME_LEN],
			       size_t max);

const char *ds_report_kind_name(enum ds_report_kind k);	/* "dept", "dept-recover", "lockdep" */
const char *ds_verdict_name(enum ds_verdict v);		/* NULL for DS_V_NONE */
const char *ds_irq_name(enum ds_irq irq);		/* NULL for DS_IRQ_NONE */
const char *ds_health_kind_name(enum ds_health_kind k);	/* "info", "warn", "stop" */

#endif
