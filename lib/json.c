// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Streaming JSON writer.  Every byte of JSON the suite produces goes through
 * here, so this is the one place that has to get commas, escaping and number
 * formatting right; callers only say what comes next.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/json.h"

void ds_json__init(struct ds_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

/*
 * Nesting deeper than the comma bookkeeping can track is a caller bug; the
 * deepest levels then share one slot so brackets still balance and nothing
 * is written out of bounds.
 */
static int json__level(const struct ds_json *j)
{
	return j->depth < DS_JSON_MAX_DEPTH ? j->depth : DS_JSON_MAX_DEPTH - 1;
}

static void json__newline(struct ds_json *j)
{
	int i;

	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Whatever must precede a value or a key at the current position. */
static void json__sep(struct ds_json *j)
{
	int lvl = json__level(j);

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[lvl]) {
		/* several top-level values: one per line, JSON Lines style */
		fputc(j->depth ? ',' : '\n', j->f);
	}
	if (j->pretty && j->depth)
		json__newline(j);
	j->need_comma[lvl] = true;
}

static void json__open(struct ds_json *j, char c)
{
	json__sep(j);
	fputc(c, j->f);
	j->depth++;
	j->need_comma[json__level(j)] = false;
}

static void json__close(struct ds_json *j, char c)
{
	bool empty;

	/* unbalanced close: refuse rather than index need_comma[-1] */
	if (j->depth <= 0)
		return;
	empty = !j->need_comma[json__level(j)];
	j->depth--;
	j->after_key = false;
	if (j->pretty && !empty)
		json__newline(j);
	fputc(c, j->f);
}

void ds_json__begin_object(struct ds_json *j)
{
	json__open(j, '{');
}

void ds_json__end_object(struct ds_json *j)
{
	json__close(j, '}');
}

void ds_json__begin_array(struct ds_json *j)
{
	json__open(j, '[');
}

void ds_json__end_array(struct ds_json *j)
{
	json__close(j, ']');
}

/*
 * Length of the well-formed UTF-8 sequence at @s (first byte >= 0x80), or 0
 * when it is ill-formed; *skip then says how many bytes one U+FFFD replaces
 * (the "maximal subpart" of Unicode's recommended practice, which is also
 * what Python and browsers do, so tools agree on the repaired text).
 * Overlongs, surrogates and code points above U+10FFFF are ill-formed.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *skip)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*skip = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*skip = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

static void json__string(struct ds_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0, len, skip;
	char ubuf[8];
	const char *esc;

	fputc('"', j->f);
	while (i < n) {
		unsigned char c = s[i];

		len = 1;
		if (c >= 0x80) {
			len = utf8_seq(s + i, n - i, &skip);
			if (len) {
				i += len;
				continue;
			}
			esc = "\\ufffd";
			len = skip;
		} else if (c == '"') {
			esc = "\\\"";
		} else if (c == '\\') {
			esc = "\\\\";
		} else if (c >= 0x20) {
			i++;
			continue;
		} else if (c == '\n') {
			esc = "\\n";
		} else if (c == '\t') {
			esc = "\\t";
		} else if (c == '\r') {
			esc = "\\r";
		} else if (c == '\b') {
			esc = "\\b";
		} else if (c == '\f') {
			esc = "\\f";
		} else {
			snprintf(ubuf, sizeof(ubuf), "\\u%04x", c);
			esc = ubuf;
		}
		/* plain runs go out in one write: names are mostly plain */
		fwrite(s + start, 1, i - start, j->f);
		fputs(esc, j->f);
		i += len;
		start = i;
	}
	fwrite(s + start, 1, i - start, j->f);
	fputc('"', j->f);
}

void ds_json__key(struct ds_json *j, const char *k)
{
	json__sep(j);
	json__string(j, k ? k : "", k ? strlen(k) : 0);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void ds_json__str(struct ds_json *j, const char *s)
{
	if (!s) {
		ds_json__null(j);
		return;
	}
	json__sep(j);
	json__string(j, s, strlen(s));
}

void ds_json__strn(struct ds_json *j, const char *s, size_t n)
{
	if (!s) {
		ds_json__null(j);
		return;
	}
	json__sep(j);
	json__string(j, s, strnlen(s, n));
}

void ds_json__u64(struct ds_json *j, uint64_t v)
{
	json__sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void ds_json__i64(struct ds_json *j, int64_t v)
{
	json__sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void ds_json__double(struct ds_json *j, double v)
{
	char buf[40], *p;

	/* JSON has no NaN or Infinity; null is what JSON.stringify writes */
	if (!isfinite(v)) {
		ds_json__null(j);
		return;
	}
	/* shortest of the two that reads back as the same double */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	/* a program that called setlocale() may have a decimal comma */
	for (p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	json__sep(j);
	fputs(buf, j->f);
}

void ds_json__fixed(struct ds_json *j, uint64_t v, unsigned int decimals)
{
	uint64_t scale = 1;
	unsigned int i;

	if (decimals > 19)
		decimals = 19;
	for (i = 0; i < decimals; i++)
		scale *= 10;
	json__sep(j);
	if (!decimals)
		fprintf(j->f, "%" PRIu64, v);
	else
		fprintf(j->f, "%" PRIu64 ".%0*" PRIu64, v / scale, (int)decimals, v % scale);
}

void ds_json__bool(struct ds_json *j, bool v)
{
	json__sep(j);
	fputs(v ? "true" : "false", j->f);
}

void ds_json__null(struct ds_json *j)
{
	json__sep(j);
	fputs("null", j->f);
}

void ds_json__finish(struct ds_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	/* the next top-level value starts a fresh document */
	j->need_comma[0] = false;
	j->after_key = false;
}
