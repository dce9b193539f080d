// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "test.h"
#include "deptscope/chrome.h"
#include "deptscope/version.h"

#define CTX_A	((1ULL << 32) | 5)	/* named through context32 == 5 */
#define CTX_B	9ULL			/* never named */

static void fence_ev(struct ds_fence_event *e, uint16_t type, uint64_t ts, uint32_t pid,
		     uint32_t tid, const char *comm, uint64_t context, uint64_t seqno)
{
	memset(e, 0, sizeof(*e));
	e->hdr.ts = ts;
	e->hdr.type = type;
	e->hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	e->hdr.pid = pid;
	e->hdr.tid = tid;
	e->fence = 0xffff888012345678ULL;
	e->context = context;
	e->seqno = seqno;
	e->ops = 0xffffffff82000000ULL;
	memcpy(e->comm, comm, strnlen(comm, sizeof(e->comm)));
}

static int feed(struct ds_chrome *c, const struct ds_fence_event *e)
{
	return ds_chrome__consume(c, &e->hdr);
}

static bool have_python3(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

/* Exit status of `python3 <script> <json> <count> <version>`, -1 if not run. */
static int run_python(const char *tag, const char *script, const char *json, uint64_t count)
{
	char path[256], cmd[1024];
	FILE *f;
	int st;

	snprintf(path, sizeof(path), "%s/%s.py", ds_test_tmpdir(), tag);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(script, f);
	if (fclose(f))
		return -1;
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' %llu '%s'", path, json,
		 (unsigned long long)count, DS_VERSION);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Whole file as a string (caller frees), NULL on error. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static const char trace_py[] =
	"import json, sys\n"
	"fail = []\n"
	"def check(cond, what):\n"
	"    if not cond:\n"
	"        fail.append(what)\n"
	"d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
	"ev = d[\"traceEvents\"]\n"
	"check(len(ev) == int(sys.argv[2]), \"count %d != %s\" % (len(ev), sys.argv[2]))\n"
	"check(d[\"displayTimeUnit\"] == \"ns\", \"displayTimeUnit\")\n"
	"check(d[\"otherData\"] == {\"tool\": \"deptscope\", \"version\": sys.argv[3]},\n"
	"      \"otherData\")\n"
	"TL = 0x7f000000\n"
	"xs = [e for e in ev if e[\"ph\"] == \"X\"]\n"
	"done = [e for e in xs if \"unfinished\" not in e[\"args\"]]\n"
	"check(len(done) == 1, \"finished X: %d\" % len(done))\n"
	"x = done[0] if done else {\"args\": {}}\n"
	"check(x.get(\"ts\") == 1500.0 and x.get(\"dur\") == 1501.234, \"X ts/dur\")\n"
	"check(x.get(\"pid\") == 200 and x.get(\"tid\") == 201, \"X pid/tid\")\n"
	"check(x.get(\"name\") == \"fence wait ctx 4294967301\", \"X name\")\n"
	"check(x[\"args\"] == {\"comm\": \"glxgears\", \"pid\": 200, \"tid\": 201,\n"
	"                    \"context\": 4294967301, \"seqno\": 7, \"duration_ns\": 1501234,\n"
	"                    \"signaled\": True}, \"X args %s\" % x[\"args\"])\n"
	"un = [e for e in xs if e[\"args\"].get(\"unfinished\") is True]\n"
	"check(len(un) == 1, \"unfinished X: %d\" % len(un))\n"
	"u = un[0] if un else {\"args\": {}}\n"
	"check(u.get(\"pid\") == 200 and u.get(\"tid\") == 202, \"unfinished pid/tid\")\n"
	"check(u.get(\"ts\") == 3200.0 and u.get(\"dur\") == 800.0, \"unfinished ts/dur\")\n"
	"check(u[\"args\"].get(\"seqno\") == 8 and u[\"args\"].get(\"duration_ns\") == 800000,\n"
	"      \"unfinished args\")\n"
	"check(u.get(\"name\") == \"fence wait i915/rcs0\", \"unfinished name (named by now)\")\n"
	"bs = [e for e in ev if e[\"ph\"] == \"b\"]\n"
	"es = [e for e in ev if e[\"ph\"] == \"e\"]\n"
	"check(len(bs) == 2 and len(es) == 2, \"b/e counts %d %d\" % (len(bs), len(es)))\n"
	"check(len(set(b[\"id\"] for b in bs)) == len(bs), \"b ids unique\")\n"
	"for b in bs:\n"
	"    m = [e for e in es if e[\"id\"] == b[\"id\"]]\n"
	"    check(len(m) == 1, \"one e per b\")\n"
	"    if m:\n"
	"        e = m[0]\n"
	"        check(e[\"pid\"] == b[\"pid\"] == TL and e[\"tid\"] == b[\"tid\"] == 1,\n"
	"              \"b/e on the timeline\")\n"
	"        check(e[\"name\"] == b[\"name\"] and e[\"cat\"] == b[\"cat\"] == \"fence\",\n"
	"              \"b/e name/cat\")\n"
	"        check(e[\"ts\"] >= b[\"ts\"], \"e after b\")\n"
	"b7 = [b for b in bs if b[\"args\"][\"seqno\"] == 7]\n"
	"check(len(b7) == 1, \"b for seqno 7\")\n"
	"if b7:\n"
	"    e7 = [e for e in es if e[\"id\"] == b7[0][\"id\"]]\n"
	"    check(b7[0][\"name\"] == \"wait 4294967301:7\", \"b name\")\n"
	"    check(b7[0][\"ts\"] == 1500.0 and e7 and e7[0][\"ts\"] == 3001.234, \"b/e ts\")\n"
	"    check(b7[0][\"args\"][\"signaled\"] is True, \"b signaled\")\n"
	"ins = [e for e in ev if e[\"ph\"] == \"i\"]\n"
	"check(all(e.get(\"s\") == \"t\" for e in ins), \"instants thread scoped\")\n"
	"sig = [e for e in ins if e[\"name\"].startswith(\"signal \")]\n"
	"check(len(sig) == 2, \"signals: %d\" % len(sig))\n"
	"sa = [e for e in sig if e[\"pid\"] == TL]\n"
	"check(len(sa) == 1 and sa[0][\"name\"] == \"signal seqno 7\" and sa[0][\"tid\"] == 1\n"
	"      and sa[0][\"ts\"] == 3000.5 and sa[0][\"args\"][\"comm\"] == \"kworker/u8:1\"\n"
	"      and sa[0][\"args\"][\"pid\"] == 300, \"signal on timeline A\")\n"
	"sb = [e for e in sig if e[\"pid\"] == TL + 1]\n"
	"check(len(sb) == 1 and sb[0][\"args\"][\"comm\"] == \"swapper/1\"\n"
	"      and sb[0][\"args\"][\"pid\"] == 0, \"signal on timeline B\")\n"
	"em = [e for e in ins if e[\"name\"] == \"emit seqno 7\" and e[\"pid\"] == TL]\n"
	"check(len(em) == 1, \"emit instant\")\n"
	"ns = [e for e in ins if e[\"pid\"] == 400]\n"
	"check(len(ns) == 1 and ns[0][\"tid\"] == 401\n"
	"      and ns[0][\"name\"] == \"fence wait end ctx 9 (no start)\", \"no-start instant\")\n"
	"meta = {}\n"
	"for e in ev:\n"
	"    if e[\"ph\"] == \"M\":\n"
	"        k = (e[\"name\"], e[\"pid\"], e[\"tid\"])\n"
	"        check(k not in meta, \"duplicate metadata %s\" % (k,))\n"
	"        meta[k] = e[\"args\"]\n"
	"def m(name, pid, tid=0):\n"
	"    return meta.get((name, pid, tid), {})\n"
	"check(m(\"process_name\", TL).get(\"name\")\n"
	"      == \"fence timeline i915/rcs0 (ctx 4294967301)\", \"timeline A name\")\n"
	"check(m(\"process_name\", TL + 1).get(\"name\") == \"fence timeline ctx 9\",\n"
	"      \"timeline B name\")\n"
	"check(m(\"process_sort_index\", TL).get(\"sort_index\") == 0, \"sort index A\")\n"
	"check(m(\"process_sort_index\", TL + 1).get(\"sort_index\") == 1, \"sort index B\")\n"
	"check(m(\"process_name\", 200).get(\"name\") == \"glxgears\", \"waiter process\")\n"
	"check(m(\"thread_name\", 200, 201).get(\"name\") == \"glxgears\", \"thread 201\")\n"
	"check(m(\"thread_name\", 200, 202).get(\"name\") == \"glxgears:cs0\", \"thread 202\")\n"
	"check(m(\"thread_name\", 400, 401).get(\"name\") == \"weston\", \"thread 401\")\n"
	"check(len(meta) == 11, \"metadata count %d\" % len(meta))\n"
	"check(all(e[\"ph\"] == \"M\" or \"ts\" in e for e in ev), \"ts everywhere\")\n"
	"if fail:\n"
	"    print(\"\\n\".join(fail))\n"
	"    sys.exit(1)\n";

TEST(test_chrome_fence_trace)
{
	struct ds_fence_event e;
	struct ds_fence_name_event n;
	struct ds_ping_event ping;
	struct ds_event_hdr unknown;
	struct ds_chrome *c = NULL;
	char path[256], *text;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/fence.json", ds_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f);
	err = ds_chrome__new(f, &c);
	if (err) {
		fclose(f);
		REQUIRE(err == 0);
	}

	/* init draws nothing */
	fence_ev(&e, DS_EV_FENCE_INIT, 1000000, 100, 100, "Xorg", CTX_A, 7);
	CHECK(feed(c, &e) == 0);
	/* with a stack: the consumer must ignore it */
	fence_ev(&e, DS_EV_FENCE_WAIT_START, 1500000, 200, 201, "glxgears", CTX_A, 7);
	e.nr_frames = 2;
	e.stack[0] = 0xffffffff81000000ULL;
	e.stack[1] = 0xffffffff81000100ULL;
	e.hdr.size = DS_FENCE_EVENT_BASE_SIZE + 2 * sizeof(e.stack[0]);
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_EMIT, 1600000, 100, 100, "Xorg", CTX_A, 7);
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_SIGNALED, 3000500, 300, 300, "kworker/u8:1", CTX_A, 7);
	e.flags = DS_FENCE_F_SIGNALED;
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_WAIT_END, 3001234, 200, 201, "glxgears", CTX_A, 7);
	e.start_ts = 1500000;
	e.duration_ns = 1501234;
	e.flags = DS_FENCE_F_SIGNALED;
	CHECK(feed(c, &e) == 0);

	/* names after the first events of their timeline */
	memset(&n, 0, sizeof(n));
	n.hdr.ts = 3100000;
	n.hdr.type = DS_EV_FENCE_NAME;
	n.hdr.size = sizeof(n);
	n.context32 = (uint32_t)CTX_A;
	n.seqno32 = 7;
	strcpy(n.driver, "i915");
	strcpy(n.timeline, "rcs0");
	CHECK(ds_chrome__consume(c, &n.hdr) == 0);

	/* a wait that never ends */
	fence_ev(&e, DS_EV_FENCE_WAIT_START, 3200000, 200, 202, "glxgears:cs0", CTX_A, 8);
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_SIGNALED, 3250000, 0, 0, "swapper/1", CTX_B, 2);
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_WAIT_END, 3300000, 400, 401, "weston", CTX_B, 3);
	e.flags = DS_FENCE_F_NO_START;
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_DESTROY, 3400000, 300, 300, "kworker/u8:1", CTX_A, 7);
	CHECK(feed(c, &e) == 0);

	memset(&unknown, 0, sizeof(unknown));
	unknown.ts = 3500000;
	unknown.type = 0x7777;
	unknown.size = sizeof(unknown);
	CHECK(ds_chrome__consume(c, &unknown) == 0);
	/* the last record seen closes the unfinished wait, whatever its type */
	memset(&ping, 0, sizeof(ping));
	ping.hdr.ts = 4000000;
	ping.hdr.type = DS_EV_PING;
	ping.hdr.size = sizeof(ping);
	CHECK(ds_chrome__consume(c, &ping.hdr) == 0);

	/* emit, 2 signals, b/e/X, no-start instant: all out before finish */
	CHECK_EQ_U64(ds_chrome__events_written(c), 7);
	CHECK(ds_chrome__finish(c) == 0);
	/* + unfinished b/e/X, 2 timelines x 3 metadata, 2 processes, 3 threads */
	CHECK_EQ_U64(ds_chrome__events_written(c), 7 + 3 + 6 + 2 + 3);
	CHECK(fclose(f) == 0);

	text = slurp(path);
	CHECK(text != NULL);
	if (text) {
		/* microseconds with exactly three decimals, from integers */
		CHECK(strstr(text, "\"ph\":\"X\",\"ts\":1500.000,") != NULL);
		CHECK(strstr(text, "\"dur\":1501.234,") != NULL);
		CHECK(strstr(text, "\"ts\":3000.500,") != NULL);
		CHECK(strstr(text, "0xffff888012345678") == NULL);
		free(text);
	}
	if (!have_python3()) {
		ds_chrome__free(c);
		SKIP("python3 not found: trace not parsed back");
	}
	CHECK(run_python("fence", trace_py, path, ds_chrome__events_written(c)) == 0);
	ds_chrome__free(c);
}

static const char odd_py[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
	"ev = d[\"traceEvents\"]\n"
	"bad = []\n"
	"if len(ev) != int(sys.argv[2]):\n"
	"    bad.append(\"count %d\" % len(ev))\n"
	"tl = [e for e in ev if e[\"ph\"] == \"M\" and e[\"name\"] == \"process_name\"\n"
	"      and 0x7f000000 <= e[\"pid\"] < 0x80000000]\n"
	"if len(set(e[\"pid\"] for e in tl)) != 3003:\n"
	"    bad.append(\"timelines %d\" % len(tl))\n"
	"big = [e[\"args\"][\"name\"] for e in tl\n"
	"       if \"18446744073709551615\" in e[\"args\"][\"name\"]]\n"
	"if len(big) != 1 or \"d\" * 63 + chr(0xfffd) + \"/\" + \"t\" * 64 not in big[0]:\n"
	"    bad.append(\"unterminated names %s\" % big)\n"
	"xs = [e for e in ev if e[\"ph\"] == \"X\"]\n"
	"back = [e for e in xs if e[\"tid\"] == 4294967295]\n"
	"if len(back) != 1 or back[0][\"dur\"] != 0 or back[0][\"args\"][\"seqno\"] != 2**64 - 1:\n"
	"    bad.append(\"backwards wait %s\" % back)\n"
	"if len(back) == 1 and not back[0][\"args\"][\"comm\"].startswith(\"a\" + chr(34)\n"
	"                                                             + chr(10)):\n"
	"    bad.append(\"comm %r\" % back[0][\"args\"][\"comm\"])\n"
	"un = [e for e in xs if e[\"args\"].get(\"unfinished\")]\n"
	"if len(un) != 1 or un[0][\"ts\"] != 50.0 or un[0][\"args\"][\"seqno\"] != 2:\n"
	"    bad.append(\"replaced wait %s\" % un)\n"
	"if bad:\n"
	"    print(bad)\n"
	"    sys.exit(1)\n";

TEST(test_chrome_odd_values)
{
	struct ds_fence_event e;
	struct ds_fence_name_event n;
	struct ds_chrome *c = NULL;
	char path[256];
	uint64_t i, before;
	FILE *f;
	int err;

	CHECK(ds_chrome__new(NULL, &c) == -EINVAL);
	snprintf(path, sizeof(path), "%s/odd.json", ds_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f);
	err = ds_chrome__new(f, &c);
	if (err) {
		fclose(f);
		REQUIRE(err == 0);
	}

	/* names filling their arrays, no NUL, a UTF-8 sequence cut at the end */
	memset(&n, 0, sizeof(n));
	n.hdr.ts = 10;
	n.hdr.type = DS_EV_FENCE_NAME;
	n.hdr.size = sizeof(n);
	n.context32 = UINT32_MAX;
	memset(n.driver, 'd', sizeof(n.driver));
	n.driver[DS_NAME_LEN - 1] = (char)0xc3;
	memset(n.timeline, 't', sizeof(n.timeline));
	CHECK(ds_chrome__consume(c, &n.hdr) == 0);

	/* extreme ids, a comm with quotes, controls and bad bytes, ts backwards */
	fence_ev(&e, DS_EV_FENCE_WAIT_END, 4000, UINT32_MAX, UINT32_MAX, "", UINT64_MAX,
		 UINT64_MAX);
	memcpy(e.comm, "a\"\n\\\xff\xfe\x01zzzzzzzzz", sizeof(e.comm));
	e.start_ts = 5000;
	e.duration_ns = UINT64_MAX;
	CHECK(feed(c, &e) == 0);

	/* pid/tid 0 and context 0: key 0 in every map */
	fence_ev(&e, DS_EV_FENCE_WAIT_START, 20, 0, 0, "swapper/0", 0, 1);
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_WAIT_END, 30, 0, 0, "swapper/0", 0, 1);
	e.start_ts = 20;
	e.duration_ns = 10;
	CHECK(feed(c, &e) == 0);

	/* a wait_start whose wait_end was lost is replaced by the next one */
	fence_ev(&e, DS_EV_FENCE_WAIT_START, 40, 7, 7, "lost", 1, 1);
	CHECK(feed(c, &e) == 0);
	fence_ev(&e, DS_EV_FENCE_WAIT_START, 50000, 7, 7, "lost", 1, 2);
	CHECK(feed(c, &e) == 0);

	/* a record shorter than its type: never read, nothing written */
	before = ds_chrome__events_written(c);
	fence_ev(&e, DS_EV_FENCE_SIGNALED, 60, 1, 1, "short", 2, 1);
	e.hdr.size = sizeof(e.hdr);
	CHECK(feed(c, &e) == 0);
	CHECK_EQ_U64(ds_chrome__events_written(c), before);

	/* many timelines: the maps must grow */
	for (i = 0; i < 3000; i++) {
		fence_ev(&e, DS_EV_FENCE_SIGNALED, 100 + i, 1, 1, "irq", 1000 + i, i);
		if (feed(c, &e)) {
			ds_test_fail(__FILE__, __LINE__, "signal %" PRIu64 " refused", i);
			break;
		}
	}

	CHECK(ds_chrome__finish(c) == 0);
	/* finish twice is harmless; feeding after it is refused */
	CHECK(ds_chrome__finish(c) == 0);
	CHECK(feed(c, &e) == -EINVAL);
	CHECK(fclose(f) == 0);
	if (!have_python3()) {
		ds_chrome__free(c);
		SKIP("python3 not found: trace not parsed back");
	}
	CHECK(run_python("odd", odd_py, path, ds_chrome__events_written(c)) == 0);
	ds_chrome__free(c);
}

TEST(test_chrome_streams_before_finish)
{
	struct ds_fence_event e;
	struct ds_chrome *c = NULL;
	char path[256], *text;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/stream.json", ds_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f);
	err = ds_chrome__new(f, &c);
	if (err) {
		fclose(f);
		REQUIRE(err == 0);
	}
	fence_ev(&e, DS_EV_FENCE_SIGNALED, 1000, 1, 1, "irq/1", 3, 4);
	CHECK(feed(c, &e) == 0);
	CHECK_EQ_U64(ds_chrome__events_written(c), 1);
	CHECK(fflush(f) == 0);

	/* the event is in the file already, not held back until finish */
	text = slurp(path);
	CHECK(text && !strncmp(text, "{\"traceEvents\":[{", 17) &&
	      strstr(text, "\"name\":\"signal seqno 4\"") && !strstr(text, "otherData"));
	free(text);

	CHECK(ds_chrome__finish(c) == 0);
	CHECK(fclose(f) == 0);
	text = slurp(path);
	CHECK(text && strstr(text, "\"otherData\":{\"tool\":\"deptscope\",\"version\":\""
			     DS_VERSION "\"}}\n"));
	free(text);
	ds_chrome__free(c);
}
