// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report model around the parser: class normalisation, the cycle
 * signature and bucket, and the small helpers the front ends share.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/dept.h"

const char *ds_report_kind_name(enum ds_report_kind k)
{
	switch (k) {
	case DS_RK_DEPT:
		return "dept";
	case DS_RK_DEPT_RECOVER:
		return "dept-recover";
	case DS_RK_LOCKDEP:
		return "lockdep";
	}
	return "unknown";
}

const char *ds_verdict_name(enum ds_verdict v)
{
	switch (v) {
	case DS_V_DEADLOCK:
		return "deadlock";
	case DS_V_AA:
		return "aa-deadlock";
	case DS_V_TIMEOUT:
		return "circular-dependency-timeout";
	case DS_V_NONE:
		break;
	}
	return NULL;
}

const char *ds_irq_name(enum ds_irq irq)
{
	switch (irq) {
	case DS_IRQ_SOFTIRQ:
		return "softirq";
	case DS_IRQ_HARDIRQ:
		return "hardirq";
	case DS_IRQ_UNKNOWN:
		return "unknown";
	case DS_IRQ_NONE:
		break;
	}
	return NULL;
}

const char *ds_health_kind_name(enum ds_health_kind k)
{
	switch (k) {
	case DS_H_INFO:
		return "info";
	case DS_H_WARN:
		return "warn";
	case DS_H_STOP:
		return "stop";
	}
	return "unknown";
}

static void copy_str(char *out, size_t len, const char *s, size_t n)
{
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Page-flag names as DEPT's eras print them: "pglocked", "PG_locked_map", "pg_locked_map". */
static bool page_flag(const char *s, size_t n, char *out, size_t len)
{
	static const char *const flags[] = { "locked", "writeback" };
	char low[DS_DEPT_NAME_LEN];
	size_t i, k;

	if (n >= sizeof(low))
		return false;
	for (i = 0; i < n; i++)
		low[i] = tolower((unsigned char)s[i]);
	low[n] = '\0';
	if (n > 4 && !strcmp(low + n - 4, "_map"))
		low[n - 4] = '\0';
	if (low[0] != 'p' || low[1] != 'g')
		return false;
	k = low[2] == '_' ? 3 : 2;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!strcmp(low + k, flags[i])) {
			snprintf(out, len, "PG_%s", flags[i]);
			return true;
		}
	}
	return false;
}

void ds_dept_class_norm(const char *cls, char *out, size_t len)
{
	size_t n = strlen(cls), hash;
	const char *s = cls;

	if (!len)
		return;
	if (page_flag(s, n, out, len))
		return;
	/* 2022 waitqueue/completion maps: "&(&x->wait)->dmap" names the object "&x->wait" */
	if (n > 10 && !strncmp(s, "&(", 2) && !strcmp(s + n - 7, ")->dmap")) {
		s += 2;
		n -= 9;
	}
	/* lockdep's "#N" instance suffix changes from boot to boot */
	hash = n;
	while (hash > 0 && isdigit((unsigned char)s[hash - 1]))
		hash--;
	if (hash > 1 && hash < n && s[hash - 1] == '#')
		n = hash - 1;
	copy_str(out, len, s, n);
}

void ds_dept_class_label(const struct ds_dept_point *pt, char *out, size_t len)
{
	char sub[16] = "";
	size_t n = strlen(pt->cls), k;

	if (!len)
		return;
	if (pt->sub >= 0)
		snprintf(sub, sizeof(sub), ":%d", pt->sub);
	k = strlen(sub);
	/* the subclass survives a cut: it tells classes of one name apart */
	if (n + k >= len)
		n = len > k ? len - k - 1 : 0;
	memcpy(out, pt->cls, n);
	copy_str(out + n, len - n, sub, k);
}

/* The class a context's dependency starts from: DEPT's event class, lockdep's lock. */
static const struct ds_dept_point *from_point(const struct ds_dept_report *r,
					      const struct ds_dept_context *c)
{
	if (r->kind == DS_RK_LOCKDEP)
		return &c->wait;
	if (c->event.cls[0])
		return &c->event;
	if (c->start.cls[0])
		return &c->start;
	return &c->wait;
}

/*
 * The cycle as a sequence of normalised classes.  DEPT contexts are
 * chained by following each wait class to the context whose event class
 * it is, so the order printed does not matter; lockdep's chain is already
 * a ring.  Returns how many classes went into @seq.
 */
static size_t cycle_seq(const struct ds_dept_report *r, char (*seq)[DS_DEPT_NAME_LEN])
{
	char from[DS_DEPT_MAX_CONTEXTS][DS_DEPT_NAME_LEN];
	char to[DS_DEPT_MAX_CONTEXTS][DS_DEPT_NAME_LEN];
	bool used[DS_DEPT_MAX_CONTEXTS] = { false };
	size_t n = r->nr_contexts, i, k, cur = 0;

	if (n > DS_DEPT_MAX_CONTEXTS)
		n = DS_DEPT_MAX_CONTEXTS;
	for (i = 0; i < n; i++) {
		ds_dept_class_norm(from_point(r, &r->ctx[i])->cls, from[i], DS_DEPT_NAME_LEN);
		ds_dept_class_norm(r->ctx[i].wait.cls, to[i], DS_DEPT_NAME_LEN);
	}
	if (r->kind == DS_RK_LOCKDEP || r->kind == DS_RK_DEPT_RECOVER) {
		for (i = 0; i < n; i++)
			memcpy(seq[i], from[i], DS_DEPT_NAME_LEN);
		return n;
	}
	for (i = 0; i < n; i++) {
		memcpy(seq[i], from[cur], DS_DEPT_NAME_LEN);
		used[cur] = true;
		for (k = 0; k < n; k++)
			if (!used[k] && !strcmp(from[k], to[cur]))
				break;
		if (k == n) {
			/* not a chain (a partial report): the rest in printed order */
			for (k = 0; k < n && i + 1 < n; k++)
				if (!used[k]) {
					memcpy(seq[++i], from[k], DS_DEPT_NAME_LEN);
					used[k] = true;
				}
			return n;
		}
		cur = k;
	}
	return n;
}

/* Index of the rotation of @seq that sorts first: the cycle's canonical start. */
static size_t min_rotation(char (*seq)[DS_DEPT_NAME_LEN], size_t n)
{
	size_t best = 0, r, i;
	int c;

	for (r = 1; r < n; r++) {
		for (i = 0, c = 0; i < n && !c; i++)
			c = strcmp(seq[(r + i) % n], seq[(best + i) % n]);
		if (c < 0)
			best = r;
	}
	return best;
}

void ds_dept_report__cycle(const struct ds_dept_report *r, char *out, size_t len)
{
	char seq[DS_DEPT_MAX_CONTEXTS][DS_DEPT_NAME_LEN];
	size_t n = cycle_seq(r, seq), start, i, used = 0;

	if (!len)
		return;
	out[0] = '\0';
	if (!n)
		return;
	start = min_rotation(seq, n);
	for (i = 0; i <= n && used < len; i++) {
		int w = snprintf(out + used, len - used, "%s%s", i ? " -> " : "",
				 seq[(start + i) % n]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * kind + the canonical cycle over normalised classes.  Subclasses, function
 * names, verdict and stacks stay out: they change with the DEPT version
 * (lock wrappers became "lock"/"unlock", timeouts became a verdict) while
 * the cycle of classes is the bug.
 */
void ds_dept_report__sign(struct ds_dept_report *r)
{
	static const char prefix[] = { [DS_RK_DEPT] = 'D', [DS_RK_DEPT_RECOVER] = 'R',
				       [DS_RK_LOCKDEP] = 'L' };
	char cycle[DS_DEPT_SIG_LEN - 32];

	ds_dept_report__cycle(r, cycle, sizeof(cycle));
	snprintf(r->signature, sizeof(r->signature), "%s: %s", ds_report_kind_name(r->kind),
		 cycle);
	snprintf(r->bucket, sizeof(r->bucket), "%c-%012llx",
		 r->kind < sizeof(prefix) && prefix[r->kind] ? prefix[r->kind] : 'X',
		 (unsigned long long)(fnv1a(r->signature) & 0xffffffffffffULL));
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

size_t ds_dept_report__classes(const struct ds_dept_report *r, char (*out)[DS_DEPT_NAME_LEN],
			       size_t max)
{
	const struct ds_dept_point *pts[3];
	size_t n = 0, i, k, j;

	for (i = 0; i < r->nr_contexts && i < DS_DEPT_MAX_CONTEXTS; i++) {
		const struct ds_dept_context *c = &r->ctx[i];

		pts[0] = &c->start;
		pts[1] = &c->wait;
		pts[2] = &c->event;
		for (k = 0; k < 3; k++) {
			char label[DS_DEPT_NAME_LEN];

			if (!pts[k]->cls[0])
				continue;
			ds_dept_class_label(pts[k], label, sizeof(label));
			for (j = 0; j < n; j++)
				if (!strcmp(out[j], label))
					break;
			if (j == n && n < max)
				memcpy(out[n++], label, sizeof(label));
		}
	}
	qsort(out, n, sizeof(out[0]), cmp_name);
	return n;
}

int ds_dept_report__add_frame(struct ds_dept_report *r, const char *name)
{
	char **f;

	if (r->nr_frames >= DS_DEPT_MAX_FRAMES)
		return -E2BIG;
	if (r->nr_frames == r->cap_frames) {
		uint32_t cap = r->cap_frames ? r->cap_frames * 2 : 64;

		f = realloc(r->frames, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		r->frames = f;
		r->cap_frames = cap;
	}
	r->frames[r->nr_frames] = strdup(name);
	if (!r->frames[r->nr_frames])
		return -ENOMEM;
	r->nr_frames++;
	return 0;
}

const char *ds_dept_report__frame(const struct ds_dept_report *r, uint32_t i)
{
	return r && i < r->nr_frames ? r->frames[i] : NULL;
}

struct ds_dept_report *ds_dept_report__dup(const struct ds_dept_report *r)
{
	struct ds_dept_report *d = malloc(sizeof(*d));
	uint32_t i;

	if (!d)
		return NULL;
	*d = *r;
	d->frames = NULL;
	d->text = NULL;
	d->cap_frames = 0;
	if (r->nr_frames) {
		d->frames = calloc(r->nr_frames, sizeof(*d->frames));
		if (!d->frames)
			goto err;
		d->cap_frames = r->nr_frames;
		for (i = 0; i < r->nr_frames; i++) {
			d->frames[i] = strdup(r->frames[i]);
			if (!d->frames[i]) {
				d->nr_frames = i;
				goto err;
			}
		}
	}
	if (r->text) {
		d->text = malloc(r->text_len + 1);
		if (!d->text)
			goto err;
		memcpy(d->text, r->text, r->text_len);
		d->text[r->text_len] = '\0';
	}
	return d;
err:
	ds_dept_report__free(d);
	return NULL;
}

void ds_dept_report__free(struct ds_dept_report *r)
{
	uint32_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_frames; i++)
		free(r->frames[i]);
	free(r->frames);
	free(r->text);
	free(r);
}
