// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dependency graph as text: Graphviz DOT and JSON.  Written here, not
 * by Graphviz, so the output is the same on every machine and testable
 * byte for byte; the CLI hands the DOT to libgvc when asked for SVG/PNG
 * (lib/ links no Graphviz, see docs/architecture.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/graph.h"
#include "deptscope/json.h"

#define LABEL_LINES	4	/* detail lines on an edge, then "+N more" */
#define LABEL_MAX	1200	/* a class label: name, subclass, key */

/* ---- escaping ---- */

struct esc_out {
	char *buf;
	size_t len, pos;	/* pos counts what was needed, even past len */
};

static void esc_put(struct esc_out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, o->pos++)
		if (o->pos + 1 < o->len)
			o->buf[o->pos] = s[i];
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates, beyond U+10FFFF */
	if (len == 3) {
		unsigned int cp = (s[0] & 0x0f) << 12 | (s[1] & 0x3f) << 6 | (s[2] & 0x3f);

		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	} else if (len == 4) {
		unsigned int cp = (s[0] & 0x07) << 18 | (s[1] & 0x3f) << 12 |
				  (s[2] & 0x3f) << 6 | (s[3] & 0x3f);

		if (cp < min || cp > 0x10ffff)
			return 0;
	}
	return len;
}

/* "&name;", "&#123;" or "&#x1f;" at @s: Graphviz would turn it into a character. */
static bool looks_like_entity(const char *s)
{
	size_t i = 1;

	if (s[i] == '#') {
		i++;
		if (s[i] == 'x' || s[i] == 'X')
			i++;
	}
	if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	      (s[i] >= '0' && s[i] <= '9')))
		return false;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	       (s[i] >= '0' && s[i] <= '9'))
		i++;
	return s[i] == ';';
}

size_t ds_graph_dot_escape(const char *s, char *out, size_t len)
{
	struct esc_out o = { out, len, 0 };
	const unsigned char *base = (const unsigned char *)(s ? s : ""), *p = base;
	size_t n = strlen((const char *)base), k;
	bool trailing_backslash = false;

	while (*p) {
		trailing_backslash = false;
		if (*p == '"') {
			esc_put(&o, "\\\"", 2);
		} else if (*p == '\\') {
			esc_put(&o, "\\\\", 2);
			trailing_backslash = true;
		} else if (*p == '\n') {
			esc_put(&o, "\\n", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			esc_put(&o, "?", 1);
		} else if (*p == '&' && looks_like_entity((const char *)p)) {
			esc_put(&o, "&amp;", 5);
		} else if (*p >= 0x80) {
			k = utf8_len(p, n - (size_t)(p - base));
			if (!k) {
				esc_put(&o, "?", 1);
			} else {
				esc_put(&o, (const char *)p, k);
				p += k;
				continue;
			}
		} else {
			esc_put(&o, (const char *)p, 1);
		}
		p++;
	}
	/*
	 * Graphviz's scanner reads \" even after an escaped backslash, so a
	 * string must not end in one: a space after it renders the same.
	 */
	if (trailing_backslash)
		esc_put(&o, " ", 1);
	if (len)
		out[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}

static void dot_str(FILE *f, const char *s)
{
	char small[256], *big = NULL, *buf = small;
	size_t n = ds_graph_dot_escape(s, small, sizeof(small));

	if (n >= sizeof(small)) {
		big = malloc(n + 1);
		if (!big) {
			fputs("?", f);	/* out of memory: a placeholder, never a broken file */
			return;
		}
		ds_graph_dot_escape(s, big, n + 1);
		buf = big;
	}
	fputc('"', f);
	fputs(buf, f);
	fputc('"', f);
	free(big);
}

/* ---- shared ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The edges among the selected classes, by edge id (creation order). */
static int sel_edges(const struct ds_graph *g, const struct ds_graph_sel *sel, uint32_t **out,
		     uint32_t *nr)
{
	uint32_t i, k, x, y, n = 0, cap = 64, *v, *q;

	*out = NULL;
	*nr = 0;
	v = malloc(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < sel->nr; i++) {
		x = sel->ids[i];
		for (k = 0; k < ds_graph__out_nr(g, x); k++) {
			y = ds_graph__out_to(g, x, k);
			if (!ds_graph_sel__has(sel, y))
				continue;
			if (n == cap) {
				cap *= 2;
				q = realloc(v, cap * sizeof(*v));
				if (!q) {
					free(v);
					return -ENOMEM;
				}
				v = q;
			}
			v[n++] = ds_graph__edge_find(g, x, y);
		}
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	*out = v;
	*nr = n;
	return 0;
}

static bool class_on_cycle(const struct ds_graph_sccs *s, uint32_t id)
{
	return s && id < s->nr_classes && s->scc_of[id] != DS_GRAPH_NONE;
}

static bool edge_on_cycle(const struct ds_graph *g, const struct ds_graph_sccs *s, uint32_t e)
{
	uint32_t a = ds_graph__edge_from(g, e), b = ds_graph__edge_to(g, e);

	return class_on_cycle(s, a) && class_on_cycle(s, b) && s->scc_of[a] == s->scc_of[b];
}

/* "name", "name:8", and the key under it when another class has the same name. */
static void class_label(const struct ds_graph *g, uint32_t id, char *buf, size_t len)
{
	const char *key = ds_graph__class_key(g, id);
	int sub = ds_graph__class_sub(g, id), n;

	n = snprintf(buf, len, "%s", ds_graph__class_name(g, id));
	if (sub >= 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ":%d", sub);
	if (*key && ds_graph__class_ambiguous(g, id) && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "\n[%s]", key);
}

/* One line of an edge label: "A: wait_fn / event_fn", "#1: wait_fn", ... */
static void detail_line(const struct ds_graph_dep *d, char *buf, size_t len)
{
	char ctx[8] = "";

	if (d->ctx >= '0' && d->ctx <= '9')
		snprintf(ctx, sizeof(ctx), "#%c", d->ctx);
	else if (d->ctx == '+')
		snprintf(ctx, sizeof(ctx), "#10+");
	else if (d->ctx)
		snprintf(ctx, sizeof(ctx), "%c", d->ctx);
	if (*d->wait_fn && *d->event_fn)
		snprintf(buf, len, "%s%s%s / %s", ctx, *ctx ? ": " : "", d->wait_fn, d->event_fn);
	else if (*d->wait_fn || *d->event_fn)
		snprintf(buf, len, "%s%s%s", ctx, *ctx ? ": " : "",
			 *d->wait_fn ? d->wait_fn : d->event_fn);
	else
		snprintf(buf, len, "%s", ctx);
}

/*
 * The label of edge @e: one line per distinct detail text (a detail seen
 * from several sources is one line), "(xN)" when seen N > 1 times.
 */
static char *edge_label(const struct ds_graph *g, uint32_t e)
{
	char lines[LABEL_LINES][300], line[300], *out;
	uint64_t counts[LABEL_LINES] = { 0 };
	struct ds_graph_dep d;
	uint32_t i, k, nl = 0, more = 0, cnt;
	size_t size = 1, pos = 0;

	for (i = 0; !ds_graph__edge_detail(g, e, i, &d, &cnt); i++) {
		detail_line(&d, line, sizeof(line));
		if (!*line)
			continue;
		for (k = 0; k < nl && strcmp(lines[k], line); k++)
			;
		if (k < nl) {
			counts[k] += cnt;
		} else if (nl < LABEL_LINES) {
			memcpy(lines[nl], line, sizeof(line));
			counts[nl++] = cnt;
		} else {
			more++;
		}
	}
	if (!nl)
		return NULL;
	size += (size_t)nl * (sizeof(line) + 32) + 32;
	out = malloc(size);
	if (!out)
		return NULL;
	for (k = 0; k < nl; k++) {
		pos += snprintf(out + pos, size - pos, "%s%s", k ? "\n" : "", lines[k]);
		if (counts[k] > 1)
			pos += snprintf(out + pos, size - pos, " (x%llu)",
					(unsigned long long)counts[k]);
	}
	if (more)
		snprintf(out + pos, size - pos, "\n+%u more", more);
	return out;
}

/* ---- DOT ---- */

int ds_graph__write_dot(const struct ds_graph *g, const struct ds_graph_sccs *s,
			const struct ds_graph_sel *sel, FILE *f)
{
	char label[LABEL_MAX], summary[256];
	uint32_t *edges, nr_edges, i, e;
	char *el;
	int err;

	if (!g || !sel || !f)
		return -EINVAL;
	err = sel_edges(g, sel, &edges, &nr_edges);
	if (err)
		return err;
	fputs("digraph deptscope {\n", f);
	if (sel->omitted || sel->cycles_cut || sel->cycles_left) {
		ds_graph_sel__summary(g, sel, summary, sizeof(summary));
		fputs("\tgraph [labelloc=\"t\", label=", f);
		dot_str(f, summary);
		fputs("];\n", f);
	}
	fputs("\tnode [shape=\"box\"];\n", f);
	for (i = 0; i < sel->nr; i++) {
		class_label(g, sel->ids[i], label, sizeof(label));
		fprintf(f, "\tn%u [label=", sel->ids[i]);
		dot_str(f, label);
		if (class_on_cycle(s, sel->ids[i]))
			fputs(", color=\"red\", fontcolor=\"red\"", f);
		fputs("];\n", f);
	}
	for (i = 0; i < nr_edges; i++) {
		e = edges[i];
		fprintf(f, "\tn%u -> n%u", ds_graph__edge_from(g, e), ds_graph__edge_to(g, e));
		el = edge_label(g, e);
		if (el || edge_on_cycle(g, s, e)) {
			fputs(" [", f);
			if (el) {
				fputs("label=", f);
				dot_str(f, el);
			}
			if (edge_on_cycle(g, s, e))
				fprintf(f, "%scolor=\"red\"", el ? ", " : "");
			fputc(']', f);
		}
		free(el);
		fputs(";\n", f);
	}
	fputs("}\n", f);
	free(edges);
	return ferror(f) ? -EIO : 0;
}

/* ---- JSON ---- */

int ds_graph__write_json(const struct ds_graph *g, const struct ds_graph_sccs *s,
			 const struct ds_graph_sel *sel, FILE *f, bool pretty)
{
	uint32_t *edges, nr_edges, i, k, c, e, cnt;
	struct ds_graph_dep d;
	struct ds_json j;
	char ctx[2] = "";
	int err;

	if (!g || !sel || !f)
		return -EINVAL;
	err = sel_edges(g, sel, &edges, &nr_edges);
	if (err)
		return err;
	ds_json__init(&j, f, pretty);
	ds_json__begin_object(&j);
	ds_json__kv_u64(&j, "classes", ds_graph__nr_classes(g));
	ds_json__kv_u64(&j, "dependencies", ds_graph__nr_edges(g));

	ds_json__key(&j, "nodes");
	ds_json__begin_array(&j);
	for (i = 0; i < sel->nr; i++) {
		ds_json__begin_object(&j);
		ds_json__kv_u64(&j, "id", sel->ids[i]);
		ds_json__kv_str(&j, "name", ds_graph__class_name(g, sel->ids[i]));
		ds_json__kv_str(&j, "key", ds_graph__class_key(g, sel->ids[i]));
		ds_json__key(&j, "sub");
		ds_json__i64(&j, ds_graph__class_sub(g, sel->ids[i]));
		ds_json__kv_bool(&j, "cycle", class_on_cycle(s, sel->ids[i]));
		ds_json__end_object(&j);
	}
	ds_json__end_array(&j);

	ds_json__key(&j, "edges");
	ds_json__begin_array(&j);
	for (i = 0; i < nr_edges; i++) {
		e = edges[i];
		ds_json__begin_object(&j);
		ds_json__kv_u64(&j, "from", ds_graph__edge_from(g, e));
		ds_json__kv_u64(&j, "to", ds_graph__edge_to(g, e));
		ds_json__kv_u64(&j, "count", ds_graph__edge_count(g, e));
		ds_json__kv_bool(&j, "cycle", edge_on_cycle(g, s, e));
		ds_json__key(&j, "details");
		ds_json__begin_array(&j);
		for (k = 0; !ds_graph__edge_detail(g, e, k, &d, &cnt); k++) {
			ds_json__begin_object(&j);
			ds_json__kv_str(&j, "wait_fn", d.wait_fn);
			ds_json__kv_str(&j, "event_fn", d.event_fn);
			ctx[0] = d.ctx;
			ds_json__kv_str(&j, "context", ctx);
			ds_json__kv_str(&j, "source", d.source);
			ds_json__kv_u64(&j, "count", cnt);
			ds_json__end_object(&j);
		}
		ds_json__end_array(&j);
		ds_json__end_object(&j);
	}
	ds_json__end_array(&j);

	/* each cyclic component with a class in the selection: those classes */
	ds_json__key(&j, "cycles");
	ds_json__begin_array(&j);
	for (c = 0; s && c < s->nr; c++) {
		bool open = false;

		for (k = s->first[c]; k < s->first[c + 1]; k++) {
			if (!ds_graph_sel__has(sel, s->members[k]))
				continue;
			if (!open)
				ds_json__begin_array(&j);
			open = true;
			ds_json__u64(&j, s->members[k]);
		}
		if (open)
			ds_json__end_array(&j);
	}
	ds_json__end_array(&j);
	ds_json__kv_u64(&j, "omitted_nodes", sel->omitted);
	ds_json__end_object(&j);
	ds_json__finish(&j);
	free(edges);
	return ferror(f) ? -EIO : 0;
}
