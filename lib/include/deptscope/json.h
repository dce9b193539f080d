/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_JSON_H
#define DEPTSCOPE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DS_JSON_MAX_DEPTH 32

/* Streaming JSON writer: commas, escaping and nesting handled here only. */
struct ds_json {
	FILE *f;
	int depth;
	bool pretty;
	bool need_comma[DS_JSON_MAX_DEPTH];
	bool after_key;
};

void ds_json__init(struct ds_json *j, FILE *f, bool pretty);
void ds_json__begin_object(struct ds_json *j);
void ds_json__end_object(struct ds_json *j);
void ds_json__begin_array(struct ds_json *j);
void ds_json__end_array(struct ds_json *j);
void ds_json__key(struct ds_json *j, const char *k);
void ds_json__str(struct ds_json *j, const char *s);
void ds_json__strn(struct ds_json *j, const char *s, size_t n);
void ds_json__u64(struct ds_json *j, uint64_t v);
void ds_json__i64(struct ds_json *j, int64_t v);
void ds_json__double(struct ds_json *j, double v);
/*
 * @v / 10^@decimals with exactly @decimals fraction digits, done in integers
 * so nanosecond timestamps survive the trip to microseconds (1234567, 3 ->
 * 1234.567) where a double would round them.  @decimals is capped at 19.
 */
void ds_json__fixed(struct ds_json *j, uint64_t v, unsigned int decimals);
void ds_json__bool(struct ds_json *j, bool v);
void ds_json__null(struct ds_json *j);
/* ends the document with a newline */
void ds_json__finish(struct ds_json *j);

static inline void ds_json__kv_str(struct ds_json *j, const char *k, const char *v)
{
	ds_json__key(j, k);
	ds_json__str(j, v);
}

static inline void ds_json__kv_u64(struct ds_json *j, const char *k, uint64_t v)
{
	ds_json__key(j, k);
	ds_json__u64(j, v);
}

static inline void ds_json__kv_i64(struct ds_json *j, const char *k, int64_t v)
{
	ds_json__key(j, k);
	ds_json__i64(j, v);
}

static inline void ds_json__kv_bool(struct ds_json *j, const char *k, bool v)
{
	ds_json__key(j, k);
	ds_json__bool(j, v);
}

#endif
