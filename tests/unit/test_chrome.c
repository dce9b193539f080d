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

/*
 * Free @c, then let the python3 script check the trace at @path (it asserts
 * the structure and the event count); SKIP without python3.  A macro
 * because SKIP returns from the test.
 */
#define PARSE_BACK(c, tag, script, path)					\
	do {								\
		uint64_t written_ = ds_chrome__events_written(c);		\
									\
		ds_chrome__free(c);					\
		if (!have_python3())					\
			SKIP("python3 not found: trace not parsed back");	\
		CHECK(run_python(tag, script, path, written_) == 0);	\
	} while (0)

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
	PARSE_BACK(c, "fence", trace_py, path);
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
	PARSE_BACK(c, "odd", odd_py, path);
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

/* Tegra VPR resizes: ours (by seq, every step timed) and v3's only (inferred). */
#define MIB		(1ULL << 20)
#define VPR_T0		1000000000ULL	/* 1 s: JSON ts 1000000.000 */
#define VPR_BASE	0x80000000ULL
#define VPR_CHUNK(i)	(VPR_BASE + (i) * 32 * MIB)

/* A record at VPR_T0 + @at_us microseconds, from task @tid of process @tid - 1. */
static void vpr_ev(struct ds_chrome *c, uint16_t type, uint64_t at_us, uint32_t tid,
		   struct ds_vpr_event e)
{
	e.hdr.ts = VPR_T0 + at_us * 1000;
	e.hdr.type = type;
	e.hdr.size = sizeof(e);
	e.hdr.pid = tid - 1;
	e.hdr.tid = tid;
	if (ds_chrome__consume(c, &e.hdr))
		ds_test_fail(__FILE__, __LINE__, "record type %u at %" PRIu64 " us refused", type,
			     at_us);
}

#define US(x)	((uint64_t)(x) * 1000)

/* seq 1: a grow from 32 to 96 MiB over chunks 1 and 2, every step traced. */
static void vpr_grow(struct ds_chrome *c)
{
	vpr_ev(c, DS_EV_VPR_RESIZE_BEGIN, 0, 501, (struct ds_vpr_event){ .seq = 1, .grow = 1,
	       .name = "tegra-vpr", .base = VPR_CHUNK(1), .size = 64 * MIB,
	       .old_base = VPR_BASE, .old_size = 32 * MIB });
	/* v3's own events come too; the seq-grouped ones already tell it */
	vpr_ev(c, DS_EV_VPR_CHUNK_ACTIVATE, 100, 501, (struct ds_vpr_event){
	       .base = VPR_CHUNK(1), .size = 32 * MIB });
	vpr_ev(c, DS_EV_VPR_CMA_ALLOC, 5000, 501, (struct ds_vpr_event){ .seq = 1, .chunk = 1,
	       .base = VPR_CHUNK(1), .size = 32 * MIB, .duration_ns = US(4800) });
	vpr_ev(c, DS_EV_VPR_MAP_DEVICE, 6000, 501, (struct ds_vpr_event){ .seq = 1, .chunk = 1,
	       .base = VPR_CHUNK(1), .size = 32 * MIB, .duration_ns = US(900) });
	vpr_ev(c, DS_EV_VPR_CHUNK_ACTIVATE, 6200, 501, (struct ds_vpr_event){
	       .base = VPR_CHUNK(2), .size = 32 * MIB });
	vpr_ev(c, DS_EV_VPR_CMA_ALLOC, 12000, 501, (struct ds_vpr_event){ .seq = 1, .chunk = 2,
	       .base = VPR_CHUNK(2), .size = 32 * MIB, .duration_ns = US(5500) });
	vpr_ev(c, DS_EV_VPR_MAP_DEVICE, 13000, 501, (struct ds_vpr_event){ .seq = 1, .chunk = 2,
	       .base = VPR_CHUNK(2), .size = 32 * MIB, .duration_ns = US(900) });
	vpr_ev(c, DS_EV_VPR_FREEZE, 40000, 501, (struct ds_vpr_event){ .seq = 1,
	       .duration_ns = US(26500) });
	vpr_ev(c, DS_EV_VPR_DEV_FREEZE, 43000, 501, (struct ds_vpr_event){ .seq = 1,
	       .name = "17000000.gpu", .duration_ns = US(2900) });
	vpr_ev(c, DS_EV_VPR_SET, 43100, 501, (struct ds_vpr_event){ .base = VPR_BASE,
	       .size = 96 * MIB });
	vpr_ev(c, DS_EV_VPR_SMC, 44000, 501, (struct ds_vpr_event){ .seq = 1, .base = VPR_BASE,
	       .size = 96 * MIB, .duration_ns = US(800) });
	vpr_ev(c, DS_EV_VPR_DEV_THAW, 46000, 501, (struct ds_vpr_event){ .seq = 1,
	       .name = "17000000.gpu", .duration_ns = US(1900) });
	vpr_ev(c, DS_EV_VPR_THAW, 50000, 501, (struct ds_vpr_event){ .seq = 1,
	       .duration_ns = US(3900), .frozen_ns = US(36500) });
	vpr_ev(c, DS_EV_VPR_RESIZE_END, 50500, 501, (struct ds_vpr_event){ .seq = 1, .grow = 1,
	       .old_base = VPR_BASE, .old_size = 32 * MIB, .new_base = VPR_BASE,
	       .new_size = 96 * MIB, .mask = 0x6, .duration_ns = US(50500) });
}

/* seq 2: a grow to 128 MiB whose SMC fails (-1): thaw, rollback of chunk 3, err. */
static void vpr_failed_grow(struct ds_chrome *c)
{
	vpr_ev(c, DS_EV_VPR_RESIZE_BEGIN, 100000, 501, (struct ds_vpr_event){ .seq = 2,
	       .grow = 1, .name = "tegra-vpr", .base = VPR_CHUNK(3), .size = 16 * MIB,
	       .old_base = VPR_BASE, .old_size = 96 * MIB });
	vpr_ev(c, DS_EV_VPR_CMA_ALLOC, 105000, 501, (struct ds_vpr_event){ .seq = 2, .chunk = 3,
	       .base = VPR_CHUNK(3), .size = 32 * MIB, .duration_ns = US(4500) });
	vpr_ev(c, DS_EV_VPR_MAP_DEVICE, 106000, 501, (struct ds_vpr_event){ .seq = 2,
	       .chunk = 3, .base = VPR_CHUNK(3), .size = 32 * MIB, .duration_ns = US(800) });
	vpr_ev(c, DS_EV_VPR_FREEZE, 120000, 501, (struct ds_vpr_event){ .seq = 2,
	       .duration_ns = US(13500) });
	vpr_ev(c, DS_EV_VPR_DEV_FREEZE, 122000, 501, (struct ds_vpr_event){ .seq = 2,
	       .name = "17000000.gpu", .duration_ns = US(1500) });
	vpr_ev(c, DS_EV_VPR_SET, 122100, 501, (struct ds_vpr_event){ .base = VPR_BASE,
	       .size = 128 * MIB });
	vpr_ev(c, DS_EV_VPR_SMC, 123000, 501, (struct ds_vpr_event){ .seq = 2, .base = VPR_BASE,
	       .size = 128 * MIB, .duration_ns = US(700), .err = -1 });
	vpr_ev(c, DS_EV_VPR_DEV_THAW, 125000, 501, (struct ds_vpr_event){ .seq = 2,
	       .name = "17000000.gpu", .duration_ns = US(1800) });
	vpr_ev(c, DS_EV_VPR_THAW, 128000, 501, (struct ds_vpr_event){ .seq = 2,
	       .duration_ns = US(2800), .frozen_ns = US(21500) });
	vpr_ev(c, DS_EV_VPR_MAP_NORMAL, 130000, 501, (struct ds_vpr_event){ .seq = 2,
	       .chunk = 3, .base = VPR_CHUNK(3), .size = 32 * MIB, .duration_ns = US(900) });
	vpr_ev(c, DS_EV_VPR_CMA_RELEASE, 132000, 501, (struct ds_vpr_event){ .seq = 2,
	       .chunk = 3, .base = VPR_CHUNK(3), .size = 32 * MIB, .duration_ns = US(1500) });
	vpr_ev(c, DS_EV_VPR_ROLLBACK, 132500, 501, (struct ds_vpr_event){ .seq = 2, .grow = 1,
	       .mask = 0x8, .duration_ns = US(4000) });
	vpr_ev(c, DS_EV_VPR_RESIZE_END, 133000, 501, (struct ds_vpr_event){ .seq = 2,
	       .grow = 1, .old_base = VPR_BASE, .old_size = 96 * MIB, .new_base = VPR_BASE,
	       .new_size = 96 * MIB, .mask = 0x8, .duration_ns = US(33000), .err = -1 });
}

static const char vpr_py[] =
	"import json, sys\n"
	"fail = []\n"
	"def check(cond, what):\n"
	"    if not cond:\n"
	"        fail.append(what)\n"
	"d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
	"ev = d['traceEvents']\n"
	"check(len(ev) == int(sys.argv[2]), 'count %d != %s' % (len(ev), sys.argv[2]))\n"
	"V = 0x7d000000\n"
	"NO = {'args': {}, 'ts': -1, 'dur': -1, 'name': ''}\n"
	"vx = [e for e in ev if e['ph'] == 'X' and e['pid'] == V]\n"
	"check(all(e['cat'] == 'vpr' for e in vx), 'cat')\n"
	"rs = {}\n"
	"steps = {}\n"
	"for e in vx:\n"
	"    if e['tid'] == 1 and 'kind' in e['args']:\n"
	"        check(e['args']['seq'] not in rs, 'one slice per resize')\n"
	"        rs[e['args']['seq']] = e\n"
	"    elif e['tid'] == 1:\n"
	"        steps.setdefault(e['args']['seq'], []).append(e)\n"
	"check(sorted(rs) == [1, 2, 3, 4], 'resizes %s' % sorted(rs))\n"
	"def names(seq):\n"
	"    return sorted(e['name'] for e in steps.get(seq, []))\n"
	"def step(seq, name):\n"
	"    m = [e for e in steps.get(seq, []) if e['name'] == name]\n"
	"    check(len(m) == 1, 'step %s of seq %d: %d' % (name, seq, len(m)))\n"
	"    return m[0] if m else NO\n"
	"def inside(a, b):\n"
	"    return b['ts'] <= a['ts'] and a['ts'] + a['dur'] <= b['ts'] + b['dur'] + 1e-6\n"
	"r1 = rs.get(1, NO)\n"
	"check(r1['ts'] == 1000000.0 and r1['dur'] == 50500.0, 'r1 ts/dur %s %s'\n"
	"      % (r1['ts'], r1['dur']))\n"
	"check(r1['name'] == 'grow 32 MiB -> 96 MiB', 'r1 name %r' % r1['name'])\n"
	"check(r1['args'] == {'seq': 1, 'kind': 'grow', 'old_base': '0x80000000',\n"
	"      'old_size': '0x2000000', 'new_base': '0x80000000', 'new_size': '0x6000000',\n"
	"      'chunks': '0x6', 'err': 0, 'rolled_back': False, 'duration_ns': 50500000,\n"
	"      'buf_start': '0x82000000', 'buf_size': '0x4000000', 'pid': 500, 'tid': 501},\n"
	"      'r1 args %s' % r1['args'])\n"
	"check(names(1) == sorted(['cma_alloc chunk 1', 'map_device chunk 1',\n"
	"      'cma_alloc chunk 2', 'map_device chunk 2', 'freeze', 'dev_freeze 17000000.gpu',\n"
	"      'smc', 'dev_thaw 17000000.gpu', 'thaw']), 'r1 steps %s' % names(1))\n"
	"for seq, ss in steps.items():\n"
	"    for s in ss:\n"
	"        check(inside(s, rs.get(seq, NO)),\n"
	"              'step %s of seq %d outside' % (s['name'], seq))\n"
	"stack = []\n"
	"for e in sorted((e for e in vx if e['tid'] == 1), key=lambda e: (e['ts'], -e['dur'])):\n"
	"    while stack and stack[-1]['ts'] + stack[-1]['dur'] <= e['ts']:\n"
	"        stack.pop()\n"
	"    check(not stack or inside(e, stack[-1]), '%s overlaps %s' % (e['name'],\n"
	"          stack[-1]['name'] if stack else ''))\n"
	"    stack.append(e)\n"
	"ca = step(1, 'cma_alloc chunk 2')\n"
	"check(ca['ts'] == 1006500.0 and ca['dur'] == 5500.0, 'cma_alloc ts/dur')\n"
	"check(ca['args'] == {'seq': 1, 'duration_ns': 5500000, 'chunk': 2,\n"
	"      'start': '0x84000000', 'size': '0x2000000', 'pid': 500, 'tid': 501},\n"
	"      'cma_alloc args %s' % ca['args'])\n"
	"df = step(1, 'dev_freeze 17000000.gpu')\n"
	"check(df['ts'] == 1040100.0 and df['dur'] == 2900.0\n"
	"      and df['args'].get('dev') == '17000000.gpu', 'dev_freeze %s' % df)\n"
	"th = step(1, 'thaw')\n"
	"check(th['ts'] == 1046100.0 and th['dur'] == 3900.0, 'thaw ts/dur')\n"
	"fz = [e for e in vx if e['tid'] == 2]\n"
	"check(len(fz) == 2 and all(e['name'] == 'user space frozen' for e in fz),\n"
	"      'frozen slices %s' % fz)\n"
	"f1 = [e for e in fz if e['args']['seq'] == 1]\n"
	"f1 = f1[0] if f1 else NO\n"
	"check(f1['ts'] == 1013500.0 and f1['dur'] == 36500.0, 'frozen 1 ts/dur')\n"
	"check(f1['args'].get('frozen_ns') == 36500000\n"
	"      and f1['args'].get('fully_frozen_ns') == 36500000 - 26500000 - 3900000,\n"
	"      'frozen 1 args %s' % f1['args'])\n"
	"r2 = rs.get(2, NO)\n"
	"check(r2['ts'] == 1100000.0 and r2['dur'] == 33000.0, 'r2 ts/dur')\n"
	"check(r2['name'] == 'grow 96 MiB -> 128 MiB (failed)', 'r2 name %r' % r2['name'])\n"
	"a = r2['args']\n"
	"check(a.get('err') == -1 and a.get('rolled_back') is True and a.get('chunks') == '0x8'\n"
	"      and a.get('failed_step') == 'smc' and a.get('step_err') == -1\n"
	"      and a.get('new_size') == '0x6000000', 'r2 args %s' % a)\n"
	"check(names(2) == sorted(['cma_alloc chunk 3', 'map_device chunk 3', 'freeze',\n"
	"      'dev_freeze 17000000.gpu', 'smc (failed)', 'dev_thaw 17000000.gpu', 'thaw',\n"
	"      'map_normal chunk 3', 'cma_release chunk 3', 'rollback']),\n"
	"      'r2 steps %s' % names(2))\n"
	"smc = step(2, 'smc (failed)')\n"
	"check(smc['args'].get('ret') == -1 and smc['args'].get('err') == -1\n"
	"      and smc['args'].get('size') == '0x8000000', 'smc args %s' % smc['args'])\n"
	"rb = step(2, 'rollback')\n"
	"check(rb['ts'] == 1128500.0 and rb['dur'] == 4000.0, 'rollback ts/dur')\n"
	"check(inside(step(2, 'map_normal chunk 3'), rb)\n"
	"      and inside(step(2, 'cma_release chunk 3'), rb), 'undo steps inside the rollback')\n"
	"ins = [e for e in ev if e['ph'] == 'i' and e['pid'] == V]\n"
	"check(len(ins) == 1, 'instants %s' % ins)\n"
	"i = ins[0] if ins else NO\n"
	"check(i['name'] == 'resize failed' and i['ts'] == 1133000.0 and i.get('tid') == 1\n"
	"      and i.get('s') == 't' and i['args'].get('seq') == 2\n"
	"      and i['args'].get('err') == -1, 'failure instant %s' % i)\n"
	"r3 = rs.get(3, NO)\n"
	"check(r3['ts'] == 1200000.0 and r3['dur'] == 10000.0, 'r3 ts/dur (end - duration)')\n"
	"check(r3['name'] == 'shrink 96 MiB -> 64 MiB' and r3['args'].get('tid') == 601\n"
	"      and 'buf_start' not in r3['args'], 'r3 %s' % r3)\n"
	"r4 = rs.get(4, NO)\n"
	"check(r4['name'] == 'grow seq 4 (unfinished)' and r4['ts'] == 1299499.999\n"
	"      and r4['dur'] == 100500.001 and r4['args'].get('unfinished') is True,\n"
	"      'r4 %s' % r4)\n"
	"cs = sorted((e['ts'], e['args']['size (MiB)']) for e in ev if e['ph'] == 'C')\n"
	"check(cs == [(1000000.0, 32.0), (1043100.0, 96.0), (1122100.0, 128.0),\n"
	"             (1133000.0, 96.0), (1210000.0, 64.0)], 'counter %s' % cs)\n"
	"check(all(e['name'] == 'VPR' and e['pid'] == V for e in ev if e['ph'] == 'C'),\n"
	"      'counter name')\n"
	"meta = {(e['name'], e['pid'], e['tid']): e['args'] for e in ev if e['ph'] == 'M'}\n"
	"check(meta == {('process_name', V, 0): {'name': 'Tegra VPR (tegra-vpr)'},\n"
	"               ('thread_name', V, 1): {'name': 'resizes'},\n"
	"               ('thread_name', V, 2): {'name': 'user space frozen'}}, 'meta %s' % meta)\n"
	"if fail:\n"
	"    print('\\n'.join(fail))\n"
	"    sys.exit(1)\n";

TEST(test_chrome_vpr_resizes)
{
	struct ds_vpr_event shortrec = {};
	struct ds_ping_event ping;
	struct ds_chrome *c = NULL;
	char path[256], *text;
	uint64_t before;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/vpr.json", ds_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f);
	err = ds_chrome__new(f, &c);
	if (err) {
		fclose(f);
		REQUIRE(err == 0);
	}
	vpr_grow(c);
	/* slices 9 steps + resize + freeze window, counter 32 and 96 MiB (not twice) */
	CHECK_EQ_U64(ds_chrome__events_written(c), 13);
	vpr_failed_grow(c);
	/* 10 steps, resize, window, failure instant, counter 128 and back to 96 */
	CHECK_EQ_U64(ds_chrome__events_written(c), 13 + 15);

	/* seq 3: a shrink traced from its middle, dated by resize_end's duration */
	vpr_ev(c, DS_EV_VPR_MAP_NORMAL, 202000, 601, (struct ds_vpr_event){ .seq = 3,
	       .chunk = 2, .base = VPR_CHUNK(2), .size = 32 * MIB, .duration_ns = US(1000) });
	vpr_ev(c, DS_EV_VPR_CMA_RELEASE, 203000, 601, (struct ds_vpr_event){ .seq = 3,
	       .chunk = 2, .base = VPR_CHUNK(2), .size = 32 * MIB, .duration_ns = US(800) });
	vpr_ev(c, DS_EV_VPR_RESIZE_END, 210000, 601, (struct ds_vpr_event){ .seq = 3,
	       .old_base = VPR_BASE, .old_size = 96 * MIB, .new_base = VPR_BASE,
	       .new_size = 64 * MIB, .mask = 0x4, .duration_ns = US(10000) });
	/* seq 4: never ends (an SMC that traps), drawn up to the last record */
	vpr_ev(c, DS_EV_VPR_RESIZE_BEGIN, 300000, 501, (struct ds_vpr_event){ .seq = 4,
	       .grow = 1, .name = "other-heap", .base = VPR_CHUNK(2), .size = 32 * MIB,
	       .old_base = VPR_BASE, .old_size = 64 * MIB });
	/* a step timed from before its begin record: the resize starts 1 ns before it */
	vpr_ev(c, DS_EV_VPR_CMA_ALLOC, 304000, 501, (struct ds_vpr_event){ .seq = 4, .chunk = 2,
	       .base = VPR_CHUNK(2), .size = 32 * MIB, .duration_ns = US(4500) });

	/* a record shorter than its type is never read */
	before = ds_chrome__events_written(c);
	shortrec.hdr.ts = VPR_T0 + US(350000);
	shortrec.hdr.type = DS_EV_VPR_RESIZE_END;
	shortrec.hdr.size = sizeof(shortrec.hdr);
	shortrec.seq = 4;
	CHECK(ds_chrome__consume(c, &shortrec.hdr) == 0);
	CHECK_EQ_U64(ds_chrome__events_written(c), before);

	memset(&ping, 0, sizeof(ping));
	ping.hdr.ts = VPR_T0 + US(400000);
	ping.hdr.type = DS_EV_PING;
	ping.hdr.size = sizeof(ping);
	CHECK(ds_chrome__consume(c, &ping.hdr) == 0);
	CHECK_EQ_U64(ds_chrome__events_written(c), 13 + 15 + 4 + 1);
	CHECK(ds_chrome__finish(c) == 0);
	/* + the unfinished resize, process name, two thread names */
	CHECK_EQ_U64(ds_chrome__events_written(c), 13 + 15 + 4 + 1 + 1 + 3);
	CHECK(fclose(f) == 0);

	/* the same figures as text, so they are checked without python3 too */
	text = slurp(path);
	REQUIRE(text);
	CHECK(strstr(text, "{\"ph\":\"X\",\"ts\":1000000.000,\"pid\":2097152000,\"tid\":1,"
			   "\"dur\":50500.000,\"cat\":\"vpr\","
			   "\"name\":\"grow 32 MiB -> 96 MiB\","));
	CHECK(strstr(text, "{\"ph\":\"X\",\"ts\":1006500.000,\"pid\":2097152000,\"tid\":1,"
			   "\"dur\":5500.000,\"cat\":\"vpr\",\"name\":\"cma_alloc chunk 2\","));
	CHECK(strstr(text, "{\"ph\":\"X\",\"ts\":1013500.000,\"pid\":2097152000,\"tid\":2,"
			   "\"dur\":36500.000,\"cat\":\"vpr\",\"name\":\"user space frozen\","));
	CHECK(strstr(text, "{\"ph\":\"X\",\"ts\":1100000.000,\"pid\":2097152000,\"tid\":1,"
			   "\"dur\":33000.000,\"cat\":\"vpr\","
			   "\"name\":\"grow 96 MiB -> 128 MiB (failed)\","));
	CHECK(strstr(text, "{\"ph\":\"i\",\"ts\":1133000.000,\"pid\":2097152000,\"tid\":1,"
			   "\"s\":\"t\",\"cat\":\"vpr\",\"name\":\"resize failed\","
			   "\"args\":{\"seq\":2,\"err\":-1,"));
	CHECK(strstr(text, "{\"ph\":\"X\",\"ts\":1200000.000,\"pid\":2097152000,\"tid\":1,"
			   "\"dur\":10000.000,\"cat\":\"vpr\","
			   "\"name\":\"shrink 96 MiB -> 64 MiB\","));
	CHECK(strstr(text, "{\"ph\":\"C\",\"ts\":1122100.000,\"pid\":2097152000,\"tid\":1,"
			   "\"cat\":\"vpr\",\"name\":\"VPR\",\"args\":{\"size (MiB)\":128.000}}"));
	CHECK(strstr(text, "\"args\":{\"name\":\"Tegra VPR (tegra-vpr)\"}"));
	CHECK(!strstr(text, "chunk_activate"));
	free(text);
	PARSE_BACK(c, "vpr", vpr_py, path);
}

static const char vpr_v3_py[] =
	"import json, sys\n"
	"fail = []\n"
	"def check(cond, what):\n"
	"    if not cond:\n"
	"        fail.append(what)\n"
	"d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
	"ev = d['traceEvents']\n"
	"check(len(ev) == int(sys.argv[2]), 'count %d != %s' % (len(ev), sys.argv[2]))\n"
	"V = 0x7d000000\n"
	"xs = [e for e in ev if e['ph'] == 'X']\n"
	"check([(e['name'], e['ts'], e['dur'], e['pid'], e['tid']) for e in xs] ==\n"
	"      [('grow to 64 MiB (inferred)', 1000000.0, 20000.0, V, 1),\n"
	"       ('shrink 64 MiB -> 32 MiB (inferred)', 1100000.0, 10000.0, V, 1)],\n"
	"      'inferred slices %s' % xs)\n"
	"if len(xs) == 2:\n"
	"    check(xs[0]['args'] == {'kind': 'grow', 'new_base': '0x80000000',\n"
	"          'new_size': '0x4000000', 'duration_ns': 20000000, 'pid': 700, 'tid': 701,\n"
	"          'inferred': True, 'chunk_changes': 2}, 'grow args %s' % xs[0]['args'])\n"
	"    check(xs[1]['args'].get('old_size') == '0x4000000'\n"
	"          and xs[1]['args'].get('inferred') is True, 'shrink args %s' % xs[1]['args'])\n"
	"ins = [(e['name'], e['ts'], e['tid'], e['args']['start']) for e in ev if e['ph'] == 'i']\n"
	"check(ins == [('chunk_activate', 1000000.0, 1, '0x80000000'),\n"
	"              ('chunk_activate', 1005000.0, 1, '0x82000000'),\n"
	"              ('chunk_deactivate', 1100000.0, 1, '0x82000000')], 'instants %s' % ins)\n"
	"cs = [(e['ts'], e['args']['size (MiB)']) for e in ev if e['ph'] == 'C']\n"
	"check(cs == [(1020000.0, 64.0), (1110000.0, 32.0)], 'counter %s' % cs)\n"
	"meta = {(e['name'], e['pid'], e['tid']): e['args'] for e in ev if e['ph'] == 'M'}\n"
	"check(meta == {('process_name', V, 0): {'name': 'Tegra VPR (vpr)'},\n"
	"               ('thread_name', V, 1): {'name': 'resizes'}}, 'meta %s' % meta)\n"
	"if fail:\n"
	"    print('\\n'.join(fail))\n"
	"    sys.exit(1)\n";

/* Only v3's chunk_activate/chunk_deactivate/set: one inferred slice per task's run. */
TEST(test_chrome_vpr_inferred)
{
	struct ds_chrome *c = NULL;
	char path[256], *text;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/vpr3.json", ds_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f);
	err = ds_chrome__new(f, &c);
	if (err) {
		fclose(f);
		REQUIRE(err == 0);
	}
	vpr_ev(c, DS_EV_VPR_CHUNK_ACTIVATE, 0, 701, (struct ds_vpr_event){
	       .base = VPR_CHUNK(0), .size = 32 * MIB });
	vpr_ev(c, DS_EV_VPR_CHUNK_ACTIVATE, 5000, 701, (struct ds_vpr_event){
	       .base = VPR_CHUNK(1), .size = 32 * MIB });
	vpr_ev(c, DS_EV_VPR_SET, 20000, 701, (struct ds_vpr_event){ .base = VPR_BASE,
	       .size = 64 * MIB });
	vpr_ev(c, DS_EV_VPR_CHUNK_DEACTIVATE, 100000, 701, (struct ds_vpr_event){
	       .base = VPR_CHUNK(1), .size = 32 * MIB });
	vpr_ev(c, DS_EV_VPR_SET, 110000, 701, (struct ds_vpr_event){ .base = VPR_BASE,
	       .size = 32 * MIB });
	/* 3 chunk instants, 2 slices, 2 counter values */
	CHECK_EQ_U64(ds_chrome__events_written(c), 7);
	CHECK(ds_chrome__finish(c) == 0);
	CHECK_EQ_U64(ds_chrome__events_written(c), 7 + 2);
	CHECK(fclose(f) == 0);

	text = slurp(path);
	REQUIRE(text);
	CHECK(strstr(text, "{\"ph\":\"X\",\"ts\":1000000.000,\"pid\":2097152000,\"tid\":1,"
			   "\"dur\":20000.000,\"cat\":\"vpr\","
			   "\"name\":\"grow to 64 MiB (inferred)\","));
	CHECK(strstr(text, "\"name\":\"shrink 64 MiB -> 32 MiB (inferred)\","));
	CHECK(strstr(text, "\"inferred\":true,\"chunk_changes\":2}"));
	CHECK(strstr(text, "{\"ph\":\"i\",\"ts\":1005000.000,\"pid\":2097152000,\"tid\":1,"
			   "\"s\":\"t\",\"cat\":\"vpr\",\"name\":\"chunk_activate\","));
	free(text);
	PARSE_BACK(c, "vpr3", vpr_v3_py, path);
}
