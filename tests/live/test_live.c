// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live BPF tests on the running kernel: programs load and attach, events
 * cross the ring buffer end to end, drops are counted exactly.  The event
 * source is the self-test program on sys_enter, driven by this process, so
 * the tests do not depend on a GPU or sw_sync (no fence fires on a plain VM).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "test.h"
#include "deptscope/dept_live.h"
#include "deptscope/dmabuf.h"
#include "deptscope/fence.h"
#include "deptscope/record.h"
#include "deptscope/util.h"

static bool can_bpf(void)
{
	char why[128];

	if (ds_check_bpf_privileges(why, sizeof(why))) {
		ds_test_skip("%s", why);
		return false;
	}
	if (!ds_have_kernel_btf()) {
		ds_test_skip("kernel has no BTF");
		return false;
	}
	return true;
}

/* Count loaded programs whose name starts with @prefix. */
static int count_progs(const char *prefix)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int n = 0, fd;

	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, prefix, strlen(prefix)))
			n++;
		close(fd);
	}
	return n;
}

TEST(test_live_fence_programs_attach)
{
	static const char *const events[] = {
		"dma_fence_init", "dma_fence_emit", "dma_fence_enable_signal",
		"dma_fence_signaled", "dma_fence_wait_start", "dma_fence_wait_end",
		"dma_fence_destroy",
	};
	struct ds_fence_bpf_opts o = { .fence = true };
	struct ds_fence_bpf *b;
	struct btf *btf;
	unsigned int expect = 0, before, i;
	char name[96];

	if (!can_bpf())
		return;
	if (!ds_tracefs_dir())
		SKIP("tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	if (!ds_tracepoint_exists("dma_fence", "dma_fence_init"))
		SKIP("no dma_fence tracepoints in this kernel");
	btf = btf__load_vmlinux_btf();
	REQUIRE(btf);
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", events[i]);
		expect += btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
	}
	btf__free(btf);
	/* three name programs on the classic tracepoints */
	expect += ds_tracepoint_exists("dma_fence", "dma_fence_init");
	expect += ds_tracepoint_exists("dma_fence", "dma_fence_wait_start");
	expect += ds_tracepoint_exists("dma_fence", "dma_fence_signaled");

	/* another deptscope may be running: count relative to what is there */
	before = count_progs("ds_fence_") + count_progs("ds_fnm_");
	REQUIRE(ds_fence_bpf__open(&o, &b) == 0);
	CHECK_EQ_U64(ds_fence_bpf__nr_attached(b), expect);
	CHECK_EQ_STR(ds_fence_bpf__missing(b), "");
	/* ds_fence_* (7) and ds_fnm_* (3) really are in the kernel */
	CHECK_EQ_U64(count_progs("ds_fence_") + count_progs("ds_fnm_"), before + expect);
	ds_fence_bpf__destroy(b);
	CHECK_EQ_U64(count_progs("ds_fence_") + count_progs("ds_fnm_"), before);
}

struct ping_seen {
	uint64_t n;
	uint64_t bad;
	uint32_t tid;
	uint8_t *seen;		/* optional: one byte per sequence number < nr_seen */
	uint64_t nr_seen;
	uint64_t dup_or_out;	/* with @seen: repeated or out-of-range numbers */
};

static int ping_consumer(void *ctx, const struct ds_event_hdr *ev)
{
	const struct ds_ping_event *p = (const void *)ev;
	struct ping_seen *s = ctx;

	if (ev->type != DS_EV_PING)
		return 0;
	if (p->seq != s->n || ev->tid != s->tid || ev->pid != (uint32_t)getpid() ||
	    p->syscall_nr != SYS_getppid)
		s->bad++;
	if (s->seen) {
		if (p->seq >= s->nr_seen || s->seen[p->seq]++)
			s->dup_or_out++;
	}
	s->n++;
	return 0;
}

static struct ds_fence_bpf *open_ping(uint32_t ringbuf_kb)
{
	struct ds_fence_bpf_opts o = {
		.ping = true,
		.ping_tid = (uint32_t)syscall(SYS_gettid),
		.ping_nr = SYS_getppid,
		.ringbuf_kb = ringbuf_kb,
	};
	struct ds_fence_bpf *b = NULL;

	return ds_fence_bpf__open(&o, &b) ? NULL : b;
}

TEST(test_live_ring_buffer_end_to_end)
{
	const int N = 5000;
	struct ping_seen seen = { .tid = (uint32_t)syscall(SYS_gettid) };
	const struct ds_event_hdr *ev;
	struct ds_recorder *rec = NULL;
	struct ds_reader *rd = NULL;
	struct ds_meta_stats st;
	struct ds_stream *s = NULL;
	struct ds_fence_bpf *b;
	uint64_t deadline, pings = 0;
	char path[256];
	int i;

	if (!can_bpf())
		return;
	b = open_ping(0);
	REQUIRE(b);
	snprintf(path, sizeof(path), "%s/ping.dsr", ds_test_tmpdir());
	REQUIRE(ds_recorder__open(path, 0, &rec) == 0);
	REQUIRE(ds_stream__new(&s) == 0);
	ds_stream__add_source(s, &ds_bpf_source_ops, b);
	CHECK(ds_stream__add_consumer(s, ping_consumer, &seen) == 0);
	CHECK(ds_stream__add_consumer(s, ds_recorder__consume, rec) == 0);

	for (i = 0; i < N; i++)
		syscall(SYS_getppid);
	deadline = ds_now_mono_ns() + 5000000000ULL;
	while (seen.n < (uint64_t)N && ds_now_mono_ns() < deadline)
		CHECK(ds_stream__poll(s, 100) >= 0);
	CHECK_EQ_U64(seen.n, N);
	CHECK_EQ_U64(seen.bad, 0);
	REQUIRE(ds_stream__stats(s, &st) == 0);
	CHECK_EQ_U64(st.emitted, N);
	CHECK_EQ_U64(st.received, N);
	CHECK_EQ_U64(st.dropped, 0);
	CHECK(ds_stream__dispatch(s, &st.hdr) == 0);
	CHECK(ds_recorder__close(rec, 1) == 0);
	ds_stream__free(s);
	ds_fence_bpf__destroy(b);

	/* the same events come back from the recording, in order */
	REQUIRE(ds_reader__open(path, &rd) == 0);
	seen.n = 0;
	while (ds_reader__next(rd, &ev) == 1) {
		ping_consumer(&seen, ev);
		pings += ev->type == DS_EV_PING;
	}
	CHECK(ds_reader__state(rd) == DS_READER_END);
	CHECK_EQ_U64(pings, N);
	CHECK_EQ_U64(seen.bad, 0);
	ds_reader__close(rd);
}

/* A ring buffer too small for the burst: every event is received or counted. */
TEST(test_live_drops_are_counted)
{
	const int N = 20000;
	struct ping_seen seen = { .tid = (uint32_t)syscall(SYS_gettid) };
	struct ds_meta_stats st;
	struct ds_stream *s = NULL;
	struct ds_fence_bpf *b;
	int i, n;

	if (!can_bpf())
		return;
	seen.nr_seen = N;
	seen.seen = calloc(N, 1);
	REQUIRE(seen.seen);
	b = open_ping(4);	/* one page: ~80 events */
	REQUIRE(b);
	REQUIRE(ds_stream__new(&s) == 0);
	ds_stream__add_source(s, &ds_bpf_source_ops, b);
	CHECK(ds_stream__add_consumer(s, ping_consumer, &seen) == 0);
	for (i = 0; i < N; i++)
		syscall(SYS_getppid);
	do {
		n = ds_stream__poll(s, 0);
	} while (n > 0);
	REQUIRE(ds_stream__stats(s, &st) == 0);
	CHECK(st.dropped > 0);
	CHECK_EQ_U64(st.received + st.dropped, N);
	CHECK_EQ_U64(st.received, seen.n);
	/* every attempt is numbered before the reservation: gaps are the drops */
	CHECK_EQ_U64(seen.dup_or_out, 0);
	for (i = 0, n = 0; i < N; i++)
		n += !seen.seen[i];
	CHECK_EQ_U64((uint64_t)n, st.dropped);
	free(seen.seen);
	ds_stream__free(s);
	ds_fence_bpf__destroy(b);
}

/* The benchmark probe runs the fence wait-pairing code on sched_switch. */
TEST(test_live_wait_pairing_histogram)
{
	struct ds_fence_bpf_opts o = { .bench = true };
	uint64_t slots[DS_HIST_SLOTS], total = 0;
	struct ds_fence_bpf *b;
	int i;

	if (!can_bpf())
		return;
	REQUIRE(ds_fence_bpf__open(&o, &b) == 0);
	CHECK_EQ_U64(ds_fence_bpf__nr_attached(b), 1);
	for (i = 0; i < 50; i++)
		usleep(1000);	/* each sleep is a switch out and back in */
	REQUIRE(ds_fence_bpf__read_hist(b, slots) == 0);
	for (i = 0; i < DS_HIST_SLOTS; i++)
		total += slots[i];
	/* at least our own 50 wake-ups were paired and bucketed */
	CHECK(total >= 50);
	ds_fence_bpf__destroy(b);
}

/* dma_buf programs: all eight attach on 7.x, a clean -ENOENT before. */
TEST(test_live_dmabuf_programs)
{
	struct ds_dmabuf_bpf_opts o = {};
	struct ds_dmabuf_bpf *b = NULL;
	struct btf *btf;
	bool have;
	int err;

	if (!can_bpf())
		return;
	btf = btf__load_vmlinux_btf();
	REQUIRE(btf);
	have = btf__find_by_name_kind(btf, "btf_trace_dma_buf_export", BTF_KIND_TYPEDEF) >= 0;
	btf__free(btf);
	err = ds_dmabuf_bpf__open(&o, &b);
	if (!have) {
		CHECK_EQ_U64(-err, ENOENT);
		CHECK(b == NULL);
		return;
	}
	REQUIRE(err == 0);
	CHECK_EQ_U64(ds_dmabuf_bpf__nr_attached(b), 8);
	CHECK_EQ_STR(ds_dmabuf_bpf__missing(b), "");
	ds_dmabuf_bpf__destroy(b);
}

/*
 * The DEPT tracepoints exist only on a DEPT kernel with our series (or the
 * VM fixture), where the VM test attaches both program kinds.  Here the
 * classic programs are at least loaded, so the verifier judges them on the
 * running kernel; the tp_btf ones need the events in BTF to load at all.
 */
TEST(test_live_dept_classic_programs_verify)
{
	struct ds_dept_bpf_opts o = { .load_only = true };
	struct ds_dept_bpf *b = NULL;
	int before, err;

	if (!can_bpf())
		return;
	before = count_progs("ds_dept_");
	err = ds_dept_bpf__open(&o, &b);
	CHECK_EQ_U64(err, 0);
	CHECK_EQ_U64(count_progs("ds_dept_") - before, 6);
	ds_dept_bpf__destroy(b);
	CHECK_EQ_U64(count_progs("ds_dept_"), before);
}
