// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "test.h"
#include "deptscope/json.h"
#include "deptscope/util.h"

/* A writer over a memory buffer, so tests compare exact bytes. */
struct cap {
	FILE *f;
	char *buf;
	size_t len;
	struct ds_json j;
};

static bool cap_open(struct cap *c, bool pretty)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		return false;
	ds_json__init(&c->j, c->f, pretty);
	return true;
}

/* Ends the document; returns its text (caller frees) or NULL. */
static char *cap_close(struct cap *c)
{
	ds_json__finish(&c->j);
	if (fclose(c->f)) {
		free(c->buf);
		return NULL;
	}
	return c->buf;
}

static bool have_python3(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) ? -1 : 0;
}

/*
 * Save @script and each of @docs under the scratch dir, then run python3 on
 * them: the exit status, or -1 when that could not even be tried.
 */
static int run_python(const char *tag, const char *script, const char *const *docs, int nr)
{
	char path[256], cmd[2048];
	size_t len;
	int i, st;

	snprintf(path, sizeof(path), "%s/%s.py", ds_test_tmpdir(), tag);
	if (write_file(path, script))
		return -1;
	len = (size_t)snprintf(cmd, sizeof(cmd), "python3 '%s'", path);
	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/%s.%d.json", ds_test_tmpdir(), tag, i);
		if (write_file(path, docs[i]))
			return -1;
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " '%s'", path);
		if (len >= sizeof(cmd))
			return -1;
	}
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void nested_doc(struct ds_json *j)
{
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "a", 1);
	ds_json__key(j, "b");
	ds_json__begin_array(j);
	ds_json__u64(j, 1);
	ds_json__i64(j, -2);
	ds_json__begin_object(j);
	ds_json__end_object(j);
	ds_json__begin_array(j);
	ds_json__begin_array(j);
	ds_json__null(j);
	ds_json__end_array(j);
	ds_json__end_array(j);
	ds_json__end_array(j);
	ds_json__key(j, "c");
	ds_json__begin_object(j);
	ds_json__kv_bool(j, "t", true);
	ds_json__kv_bool(j, "f", false);
	ds_json__end_object(j);
	ds_json__key(j, "e");
	ds_json__begin_array(j);
	ds_json__end_array(j);
	ds_json__kv_str(j, "s", "x");
	ds_json__end_object(j);
}

static const char nested_compact[] =
	"{\"a\":1,\"b\":[1,-2,{},[[null]]],\"c\":{\"t\":true,\"f\":false},\"e\":[],\"s\":\"x\"}\n";

static const char nested_pretty[] =
	"{\n"
	"  \"a\": 1,\n"
	"  \"b\": [\n"
	"    1,\n"
	"    -2,\n"
	"    {},\n"
	"    [\n"
	"      [\n"
	"        null\n"
	"      ]\n"
	"    ]\n"
	"  ],\n"
	"  \"c\": {\n"
	"    \"t\": true,\n"
	"    \"f\": false\n"
	"  },\n"
	"  \"e\": [],\n"
	"  \"s\": \"x\"\n"
	"}\n";

static const char nested_py[] =
	"import json, sys\n"
	"exp = {\"a\": 1, \"b\": [1, -2, {}, [[None]]], \"c\": {\"t\": True, \"f\": False},\n"
	"       \"e\": [], \"s\": \"x\"}\n"
	"for p in sys.argv[1:]:\n"
	"    d = json.load(open(p, encoding=\"utf-8\"))\n"
	"    if d != exp:\n"
	"        print(p, d)\n"
	"        sys.exit(1)\n";

TEST(test_json_nesting_compact_pretty)
{
	struct cap c;
	char *compact, *pretty;
	const char *docs[2];

	REQUIRE(cap_open(&c, false));
	nested_doc(&c.j);
	compact = cap_close(&c);
	REQUIRE(compact);
	CHECK_EQ_STR(compact, nested_compact);

	REQUIRE(cap_open(&c, true));
	nested_doc(&c.j);
	pretty = cap_close(&c);
	REQUIRE(pretty);
	CHECK_EQ_STR(pretty, nested_pretty);

	docs[0] = compact;
	docs[1] = pretty;
	if (have_python3())
		CHECK(run_python("nested", nested_py, docs, 2) == 0);
	free(compact);
	free(pretty);
	if (!have_python3())
		SKIP("python3 not found: JSON not parsed back");
}

TEST(test_json_toplevel_and_unbalanced)
{
	struct cap c;
	char *s;

	/* two top-level values without finish: one per line, never a comma */
	REQUIRE(cap_open(&c, false));
	ds_json__u64(&c.j, 1);
	ds_json__u64(&c.j, 2);
	ds_json__finish(&c.j);
	ds_json__str(&c.j, "z");
	s = cap_close(&c);
	REQUIRE(s);
	CHECK_EQ_STR(s, "1\n2\n\"z\"\n");
	free(s);

	/* a close without an open is ignored, not an out-of-bounds write */
	REQUIRE(cap_open(&c, true));
	ds_json__end_object(&c.j);
	ds_json__end_array(&c.j);
	ds_json__begin_array(&c.j);
	ds_json__end_array(&c.j);
	s = cap_close(&c);
	REQUIRE(s);
	CHECK_EQ_STR(s, "[]\n");
	CHECK(c.j.depth == 0);
	free(s);
}

/* Render one string value written with strn(@s, @n). */
static char *one_strn(const char *s, size_t n)
{
	struct cap c;

	if (!cap_open(&c, false))
		return NULL;
	ds_json__strn(&c.j, s, n);
	return cap_close(&c);
}

struct esc_case {
	const char *in;
	size_t n;
	const char *out;	/* without the final newline */
};

static const struct esc_case esc_cases[] = {
	{ "say \"hi\"\\", 9, "\"say \\\"hi\\\"\\\\\"" },
	{ "\n\t\r\b\f/", 6, "\"\\n\\t\\r\\b\\f/\"" },
	{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"" },
	/* stray byte, then valid 2, 3 and 4 byte sequences kept as they are */
	{ "a\xff" "b", 3, "\"a\\ufffdb\"" },
	{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
	/* truncated sequence: one replacement for the maximal subpart */
	{ "\xe2\x82", 2, "\"\\ufffd\"" },
	{ "\xe2\x82x", 3, "\"\\ufffdx\"" },
	/* cut by n, not by a NUL: the writer must not look past n */
	{ "\xe2\x82\xac", 2, "\"\\ufffd\"" },
	/* overlong, surrogate, above U+10FFFF, lone continuation */
	{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },
	{ "\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "\xf0\x8f\xbf\xbf", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\x80", 1, "\"\\ufffd\"" },
	/* strn stops at the first NUL within n */
	{ "abc\0def", 7, "\"abc\"" },
	{ "abcdef", 3, "\"abc\"" },
	{ "", 0, "\"\"" },
};

static const char escape_py[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
	"q, bs, r = chr(34), chr(92), chr(0xfffd)\n"
	"exp = [\"say \" + q + \"hi\" + q + bs, \"\\n\\t\\r\\b\\f/\",\n"
	"       chr(1) + chr(0x1f) + chr(0x7f),\n"
	"       \"a\" + r + \"b\", chr(0xe9) + chr(0x20ac) + chr(0x1f600), r, r + \"x\", r,\n"
	"       r * 2, r * 3, r * 4, r * 3, r * 4, r, \"abc\", \"abc\", \"\"]\n"
	"if (d[\"s\"] != exp or d[\"k\" + q] != 1 or d[\"comm\"] != \"k\" * 16\n"
	"        or d[\"nul\"] is not None):\n"
	"    print(d)\n"
	"    sys.exit(1)\n";

TEST(test_json_escape_utf8)
{
	struct {
		char comm[16];
		char after[8];
	} t = { .after = "OVERRUN" };
	struct cap c;
	size_t i;
	char *s, want[128];
	const char *docs[1];

	for (i = 0; i < DS_ARRAY_SIZE(esc_cases); i++) {
		s = one_strn(esc_cases[i].in, esc_cases[i].n);
		REQUIRE(s);
		snprintf(want, sizeof(want), "%s\n", esc_cases[i].out);
		if (strcmp(s, want))
			ds_test_fail(__FILE__, __LINE__, "case %zu: got %s want %s", i, s, want);
		free(s);
	}

	/* the same strings inside a document python must accept as UTF-8 */
	memset(t.comm, 'k', sizeof(t.comm));
	REQUIRE(cap_open(&c, false));
	ds_json__begin_object(&c.j);
	ds_json__key(&c.j, "s");
	ds_json__begin_array(&c.j);
	for (i = 0; i < DS_ARRAY_SIZE(esc_cases); i++)
		ds_json__strn(&c.j, esc_cases[i].in, esc_cases[i].n);
	ds_json__end_array(&c.j);
	ds_json__kv_u64(&c.j, "k\"", 1);
	/* a comm filling its array has no NUL: bounded by n, not by luck */
	ds_json__key(&c.j, "comm");
	ds_json__strn(&c.j, t.comm, sizeof(t.comm));
	ds_json__key(&c.j, "nul");
	ds_json__str(&c.j, NULL);
	ds_json__end_object(&c.j);
	s = cap_close(&c);
	REQUIRE(s);
	CHECK(strstr(s, "\"kkkkkkkkkkkkkkkk\"") != NULL);
	CHECK(strstr(s, "OVERRUN") == NULL);
	CHECK(strstr(s, "\"k\\\"\":1") != NULL);

	docs[0] = s;
	if (have_python3())
		CHECK(run_python("escape", escape_py, docs, 1) == 0);
	free(s);
	if (!have_python3())
		SKIP("python3 not found: JSON not parsed back");
}

static const char numbers_py[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
	"exp = [2**64 - 1, -2**63, 2**63 - 1, 0, 0.1, 1.5, 1e300, 1.0 / 3, None, None, None,\n"
	"       1234.567, 0.005, 18446744073709551.615, 42]\n"
	"if d != exp or type(d[0]) is not int:\n"
	"    print(d)\n"
	"    sys.exit(1)\n";

TEST(test_json_numbers)
{
	struct cap c;
	char *s;
	const char *docs[1], *p;
	double third = 1.0 / 3;
	const char *head = "[18446744073709551615,-9223372036854775808,9223372036854775807,0,"
			   "0.1,1.5,1e+300,";

	REQUIRE(cap_open(&c, false));
	ds_json__begin_array(&c.j);
	ds_json__u64(&c.j, UINT64_MAX);
	ds_json__i64(&c.j, INT64_MIN);
	ds_json__i64(&c.j, INT64_MAX);
	ds_json__u64(&c.j, 0);
	ds_json__double(&c.j, 0.1);
	ds_json__double(&c.j, 1.5);
	ds_json__double(&c.j, 1e300);
	ds_json__double(&c.j, third);
	ds_json__double(&c.j, NAN);
	ds_json__double(&c.j, INFINITY);
	ds_json__double(&c.j, -INFINITY);
	ds_json__fixed(&c.j, 1234567, 3);
	ds_json__fixed(&c.j, 5, 3);
	ds_json__fixed(&c.j, UINT64_MAX, 3);
	ds_json__fixed(&c.j, 42, 0);
	ds_json__end_array(&c.j);
	s = cap_close(&c);
	REQUIRE(s);
	CHECK(!strncmp(s, head, strlen(head)));
	CHECK(strstr(s, ",null,null,null,1234.567,0.005,18446744073709551.615,42]\n") != NULL);
	/* 1/3 needs all 17 digits to come back as the same double */
	p = strstr(s, "1e+300,");
	REQUIRE(p);
	CHECK(strtod(p + 7, NULL) == third);

	docs[0] = s;
	if (have_python3())
		CHECK(run_python("numbers", numbers_py, docs, 1) == 0);
	free(s);

	/* decimals beyond u64 range are capped, not overflowed */
	REQUIRE(cap_open(&c, false));
	ds_json__fixed(&c.j, 1, 25);
	s = cap_close(&c);
	REQUIRE(s);
	CHECK_EQ_STR(s, "0.0000000000000000001\n");
	free(s);
	if (!have_python3())
		SKIP("python3 not found: JSON not parsed back");
}
