// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dsgen: write a synthetic fence recording in the documented format, for
 * tests and the replay benchmark.  The pattern is deterministic so tests
 * can compute the exact expected report:
 *
 *   per timeline t (t = 0..T-1): one fence_name record (driver "dsgen",
 *   timeline "tl<t>"), context 1000 + t;
 *   then cycles c = 0..: fence f on timeline c % T, seqno c / T + 1:
 *     init, wait_start (tid 2000 + c % 7), signaled, wait_end, destroy
 *   wait duration = ((c % 1000) + 1) * 1000 ns.
 *   Cycle c starts 2 us * c after the first (5 events per 2 us: 2.5 M events
 *   per second of record time).  -r RATE starts it 5 s * c / RATE after the
 *   first instead (integer nanoseconds, no drift), so the fence events come
 *   at RATE per second of record time; the replay benchmark paces them.
 *
 * --hang adds one wait on timeline 0 that never ends, started 5 s before
 * the last event.
 *
 * -D N appends N dma-bufs (inode 5000 + i, exporter "system", size
 * 4096 * (i + 1)), each living: export, fd, mmap_internal, get, attach
 * (device "vgem"), map (2 entries, 2 us), begin_cpu_access (waits
 * 5 us * (i + 1)), end_cpu_access, invalidate (1 importer), unmap, put,
 * detach, put, release.
 *
 * -R appends one more buffer (inode 6000) that is mapped and invalidated
 * but never unmapped, then a put 2 s later: an importer that missed its
 * unmap deadline.
 *
 * -V appends a vfio-pci buffer (inode 7000, BAR 0, one 4096-byte range at
 * +0x1000, device 0000:00:04.0) with one importer: export, vfio export,
 * fd, attach, map; a revocation by PCI_COMMAND (state start, invalidate,
 * unmap 50 us later, state end: fence wait 10 us, unmap wait 50 us); a map
 * refused with -ENODEV; a restore (start, invalidate, end); map; the
 * revocation by close (start, invalidate, unmap, end: unmap wait 1 us);
 * detach, release.  Events are 1 us apart unless said otherwise.
 *
 * -A appends a misbehaving one (inode 7001): export, vfio export, attach,
 * a revocation by VFIO_DEVICE_RESET that starts, an invalidate, a map that
 * succeeds although the buffer is revoked, and a put 2 s later with the
 * revocation still unfinished.
 *
 * -G ADDR appends DEPT records: classes K1 "&ei->i_data_sem", K2
 * "PG_locked", K3 "&journal->j_wait_commit", K4 "&sbi->s_lock" (keys
 * 0xa1..0xa4, subclass 0), the dependencies K1 -> K2, K2 -> K3, K4 -> K1
 * and K3 -> K1, which closes the cycle, then DEPT's circle 1 (a deadlock)
 * with three contexts A (K1 waits on K2), B (K2 on K3) and C (K3 on K1):
 * [S] down_write, [W] folio_wait_bit_common / jbd2_log_wait_commit /
 * down_write, [E] up_write / folio_unlock / wake_up, each point a stack of
 * three frames at ADDR (hex; 0: 0x1000 + point, which no kernel symbol
 * covers).  Then a second circle (2), of two contexts, K1 <-> K2.
 *
 * -C N appends a DEPT graph that only grows: classes "chain1".."chainN"
 * (keys 0x100001..), each the event of a dependency on the next, then
 * chainN -> chain(N-9), which closes a cycle of ten.  -S SEC spreads
 * the DEPT records over SEC seconds of record time (a paced replay of
 * them lasts that long: the soak's graph that grows for its whole run).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/record.h"

/* record time between DEPT records: -S spreads a -C graph over a soak */
static __u64 dept_step = 1000;

static void fill(struct ds_fence_event *e, __u16 type, __u64 ts, __u64 c, unsigned int ntl)
{
	memset(e, 0, DS_FENCE_EVENT_BASE_SIZE);
	e->hdr.ts = ts;
	e->hdr.type = type;
	e->hdr.size = DS_FENCE_EVENT_BASE_SIZE;
	e->hdr.cpu = c % 2;
	e->hdr.pid = 2000;
	e->hdr.tid = 2000 + c % 7;
	e->fence = 0xffff888000000000ULL + c * 64;
	e->context = 1000 + c % ntl;
	e->seqno = c / ntl + 1;
	e->ops = 0xffffffff82000000ULL;
	snprintf(e->comm, sizeof(e->comm), "gen%llu", (unsigned long long)(c % 7));
}

static int gen_dmabufs(struct ds_recorder *rec, unsigned int n, __u64 *ts)
{
	static const __u16 life[] = {
		DS_EV_DMABUF_EXPORT, DS_EV_DMABUF_FD, DS_EV_DMABUF_MMAP_INTERNAL,
		DS_EV_DMABUF_GET, DS_EV_DMABUF_ATTACH, DS_EV_DMABUF_MAP,
		DS_EV_DMABUF_BEGIN_CPU, DS_EV_DMABUF_END_CPU, DS_EV_DMABUF_INVALIDATE,
		DS_EV_DMABUF_UNMAP, DS_EV_DMABUF_PUT, DS_EV_DMABUF_DETACH, DS_EV_DMABUF_PUT,
		DS_EV_DMABUF_RELEASE,
	};
	struct ds_dmabuf_event d;
	unsigned int i, k;
	int err;

	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(life) / sizeof(life[0]); k++) {
			memset(&d, 0, sizeof(d));
			d.hdr.ts = (*ts += 1000);
			d.hdr.type = life[k];
			d.hdr.size = sizeof(d);
			d.hdr.pid = 3000;
			d.hdr.tid = 3000;
			d.dmabuf = 0xffff888100000000ULL + i * 4096;
			d.ino = 5000 + i;
			d.size = 4096ULL * (i + 1);
			d.fd = life[k] == DS_EV_DMABUF_FD || life[k] == DS_EV_DMABUF_GET ? 3 : -1;
			snprintf(d.comm, sizeof(d.comm), "dsgen");
			snprintf(d.exp_name, sizeof(d.exp_name), "system");
			switch (life[k]) {
			case DS_EV_DMABUF_MAP:
				d.duration_ns = 2000;
				/* fall through */
			case DS_EV_DMABUF_UNMAP:
				d.nents = 2;
				/* fall through */
			case DS_EV_DMABUF_ATTACH:
			case DS_EV_DMABUF_DETACH:
				snprintf(d.dev_name, sizeof(d.dev_name), "vgem");
				break;
			case DS_EV_DMABUF_BEGIN_CPU:
				d.duration_ns = 5000ULL * (i + 1);
				break;
			case DS_EV_DMABUF_INVALIDATE:
				d.nr_notified = 1;
				break;
			}
			err = ds_recorder__write(rec, &d.hdr);
			if (err)
				return err;
		}
	}
	return 0;
}

static int gen_stuck(struct ds_recorder *rec, __u64 *ts)
{
	static const __u16 life[] = {
		DS_EV_DMABUF_EXPORT, DS_EV_DMABUF_ATTACH, DS_EV_DMABUF_MAP,
		DS_EV_DMABUF_INVALIDATE, DS_EV_DMABUF_PUT,
	};
	struct ds_dmabuf_event d;
	unsigned int k;
	int err;

	for (k = 0; k < sizeof(life) / sizeof(life[0]); k++) {
		memset(&d, 0, sizeof(d));
		/* the last event comes 2 s later: the importer never unmapped */
		*ts += life[k] == DS_EV_DMABUF_PUT ? 2000000000ULL : 1000;
		d.hdr.ts = *ts;
		d.hdr.type = life[k];
		d.hdr.size = sizeof(d);
		d.hdr.pid = 3001;
		d.hdr.tid = 3001;
		d.dmabuf = 0xffff888200000000ULL;
		d.ino = 6000;
		d.size = 65536;
		d.fd = -1;
		d.nr_notified = life[k] == DS_EV_DMABUF_INVALIDATE;
		snprintf(d.comm, sizeof(d.comm), "dsgen");
		snprintf(d.exp_name, sizeof(d.exp_name), "vfio-pci");
		snprintf(d.dev_name, sizeof(d.dev_name), "iommu");
		err = ds_recorder__write(rec, &d.hdr);
		if (err)
			return err;
	}
	return 0;
}

struct vfio_step {
	__u16 type;
	__u8 old_status, new_status, cause;
	__s32 ret;
	__u64 gap;		/* ns since the previous event */
	__u64 fence_ns, unmap_ns;
};

static int gen_vfio_life(struct ds_recorder *rec, __u64 *ts, __u64 ino,
			 const struct vfio_step *steps, unsigned int n)
{
	struct ds_vfio_dmabuf_event v;
	unsigned int k;
	int err;

	for (k = 0; k < n; k++) {
		const struct vfio_step *s = &steps[k];
		bool vfio = s->type >= DS_EV_VFIO_DMABUF_EXPORT;

		memset(&v, 0, sizeof(v));
		v.db.hdr.ts = (*ts += s->gap ? s->gap : 1000);
		v.db.hdr.type = s->type;
		v.db.hdr.size = vfio ? sizeof(v) : sizeof(v.db);
		v.db.hdr.pid = 3100;
		v.db.hdr.tid = 3100;
		v.db.dmabuf = 0xffff888300000000ULL + ino;
		v.db.ino = ino;
		v.db.size = 4096;
		v.db.fd = s->type == DS_EV_DMABUF_FD ? 5 : -1;
		v.db.ret = s->ret;
		snprintf(v.db.comm, sizeof(v.db.comm), "dsgen");
		snprintf(v.db.exp_name, sizeof(v.db.exp_name), "vfio_pci_core");
		if (vfio)
			snprintf(v.db.dev_name, sizeof(v.db.dev_name), "0000:00:04.0");
		else if (s->type != DS_EV_DMABUF_EXPORT && s->type != DS_EV_DMABUF_FD &&
			 s->type != DS_EV_DMABUF_PUT && s->type != DS_EV_DMABUF_RELEASE)
			snprintf(v.db.dev_name, sizeof(v.db.dev_name), "rdma0");
		if (s->type == DS_EV_DMABUF_MAP || s->type == DS_EV_DMABUF_UNMAP)
			v.db.nents = s->ret ? 0 : 1;
		if (s->type == DS_EV_DMABUF_INVALIDATE)
			v.db.nr_notified = 1;
		v.bar = 0;
		v.nr_ranges = 1;
		v.range_offset = s->type == DS_EV_VFIO_DMABUF_EXPORT ? 0x1000 : 0;
		v.range_len = s->type == DS_EV_VFIO_DMABUF_EXPORT ? 4096 : 0;
		v.old_status = s->old_status;
		v.new_status = s->new_status;
		v.cause = s->cause;
		v.fence_wait_ns = s->fence_ns;
		v.unmap_wait_ns = s->unmap_ns;
		err = ds_recorder__write(rec, &v.db.hdr);
		if (err)
			return err;
	}
	return 0;
}

/* a dma-buf event, and a vfio status event: old and new status, cause */
#define EV(t, ...)	{ .type = DS_EV_DMABUF_##t, __VA_ARGS__ }
#define ST(t, o, n, c, ...)						\
	{ .type = DS_EV_VFIO_DMABUF_##t, .old_status = DS_VFIO_DMABUF_##o,	\
	  .new_status = DS_VFIO_DMABUF_##n, .cause = DS_VFIO_CAUSE_##c, __VA_ARGS__ }

static int gen_vfio(struct ds_recorder *rec, __u64 *ts)
{
	static const struct vfio_step life[] = {
		EV(EXPORT), ST(EXPORT, OK, OK, NONE), EV(FD), EV(ATTACH), EV(MAP),
		ST(STATE_START, OK, TEMP_REVOKED, COMMAND), EV(INVALIDATE),
		EV(UNMAP, .gap = 50000),
		ST(STATE_END, OK, TEMP_REVOKED, COMMAND, .fence_ns = 10000, .unmap_ns = 50000),
		EV(MAP, .ret = -19),
		ST(STATE_START, TEMP_REVOKED, OK, COMMAND), EV(INVALIDATE),
		ST(STATE_END, TEMP_REVOKED, OK, COMMAND),
		EV(MAP),
		ST(STATE_START, OK, TEMP_REVOKED, CLOSE), EV(INVALIDATE), EV(UNMAP),
		ST(STATE_END, OK, TEMP_REVOKED, CLOSE, .unmap_ns = 1000),
		EV(DETACH), EV(RELEASE),
	};

	return gen_vfio_life(rec, ts, 7000, life, sizeof(life) / sizeof(life[0]));
}

static int gen_vfio_bad(struct ds_recorder *rec, __u64 *ts)
{
	static const struct vfio_step life[] = {
		EV(EXPORT), ST(EXPORT, OK, OK, NONE), EV(ATTACH),
		ST(STATE_START, OK, TEMP_REVOKED, RESET), EV(INVALIDATE), EV(MAP),
		EV(PUT, .gap = 2000000000ULL),
	};

	return gen_vfio_life(rec, ts, 7001, life, sizeof(life) / sizeof(life[0]));
}

static int dept_class(struct ds_recorder *rec, __u64 *ts, __u64 key, const char *name)
{
	struct ds_dept_class_event c = {};

	c.hdr.ts = (*ts += dept_step);
	c.hdr.type = DS_EV_DEPT_CLASS;
	c.hdr.size = sizeof(c);
	c.hdr.pid = c.hdr.tid = 1;
	c.key = key;
	snprintf(c.name, sizeof(c.name), "%s", name);
	return ds_recorder__write(rec, &c.hdr);
}

struct dept_ctx {
	__u64 fkey, tkey;
	const char *ecxt_fn, *wait_fn, *event_fn;
};

static int dept_dep(struct ds_recorder *rec, __u64 *ts, __u16 type, __u32 circle, __u32 idx,
		    const struct dept_ctx *x)
{
	struct ds_dept_dep_event d = {};

	d.hdr.ts = (*ts += dept_step);
	d.hdr.type = type;
	d.hdr.size = sizeof(d);
	d.hdr.pid = d.hdr.tid = 4000;
	d.fkey = x->fkey;
	d.tkey = x->tkey;
	d.circle = circle;
	d.idx = idx;
	snprintf(d.ecxt_fn, sizeof(d.ecxt_fn), "%s", x->ecxt_fn);
	snprintf(d.wait_fn, sizeof(d.wait_fn), "%s", x->wait_fn);
	snprintf(d.event_fn, sizeof(d.event_fn), "%s", x->event_fn);
	return ds_recorder__write(rec, &d.hdr);
}

/* A circle as DEPT emits it: the circle, then per context its dependency and stacks. */
static int dept_circle(struct ds_recorder *rec, __u64 *ts, __u32 circle,
		       const struct dept_ctx *x, unsigned int n, __u64 addr)
{
	struct ds_dept_circle_event c = {};
	struct ds_dept_stack_event st;
	unsigned int i, p, f;
	int err;

	c.hdr.ts = (*ts += dept_step);
	c.hdr.type = DS_EV_DEPT_CIRCLE;
	c.hdr.size = sizeof(c);
	c.circle = circle;
	c.nr = n;
	c.verdict = DS_DEPT_DEADLOCK;
	err = ds_recorder__write(rec, &c.hdr);
	for (i = 0; i < n && !err; i++) {
		err = dept_dep(rec, ts, DS_EV_DEPT_CIRCLE_DEP, circle, i, &x[i]);
		for (p = DS_DEPT_POINT_S; p <= DS_DEPT_POINT_E && !err; p++) {
			memset(&st, 0, sizeof(st));
			st.hdr.ts = *ts;
			st.hdr.type = DS_EV_DEPT_STACK;
			st.hdr.size = DS_DEPT_STACK_BASE_SIZE + 3 * sizeof(__u64);
			st.circle = circle;
			st.idx = i;
			st.point = (__s32)p;
			st.nr = 3;
			for (f = 0; f < 3; f++)
				st.entries[f] = addr ? addr : 0x1000 + p * 0x10 + f;
			err = ds_recorder__write(rec, &st.hdr);
		}
	}
	return err;
}

static int gen_dept(struct ds_recorder *rec, __u64 *ts, __u64 addr)
{
	static const struct dept_ctx ring[] = {
		{ 0xa1, 0xa2, "down_write", "folio_wait_bit_common", "up_write" },
		{ 0xa2, 0xa3, "down_write", "jbd2_log_wait_commit", "folio_unlock" },
		{ 0xa3, 0xa1, "down_write", "down_write", "wake_up" },
	};
	static const struct dept_ctx pair[] = {
		{ 0xa1, 0xa2, "down_write", "folio_wait_bit_common", "up_write" },
		{ 0xa2, 0xa1, "folio_lock", "down_write", "folio_unlock" },
	};
	static const struct dept_ctx k4 = {
		0xa4, 0xa1, "mutex_lock", "down_write", "mutex_unlock"
	};
	int err;

	err = dept_class(rec, ts, 0xa1, "&ei->i_data_sem");
	err = err ?: dept_class(rec, ts, 0xa2, "PG_locked");
	err = err ?: dept_class(rec, ts, 0xa3, "&journal->j_wait_commit");
	err = err ?: dept_class(rec, ts, 0xa4, "&sbi->s_lock");
	err = err ?: dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &ring[0]);
	err = err ?: dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &ring[1]);
	err = err ?: dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &k4);
	err = err ?: dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &ring[2]);
	err = err ?: dept_circle(rec, ts, 1, ring, 3, addr);
	/* another CPU's record ends the first circle, as in a live stream */
	err = err ?: dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &pair[1]);
	err = err ?: dept_circle(rec, ts, 2, pair, 2, addr);
	return err;
}

/* A DEPT graph that only grows: N classes, each waiting on the next, then a cycle. */
static int gen_chain(struct ds_recorder *rec, __u64 *ts, unsigned long long n)
{
	struct dept_ctx x = { 0, 0, "down_write", "folio_wait_bit_common", "up_write" };
	unsigned long long k;
	char name[32];
	int err = 0;

	for (k = 1; k <= n && !err; k++) {
		snprintf(name, sizeof(name), "chain%llu", k);
		err = dept_class(rec, ts, 0x100000 + k, name);
		x.fkey = 0x100000 + k - 1;
		x.tkey = 0x100000 + k;
		if (!err && k > 1)
			err = dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &x);
	}
	/* the newest ten classes close a cycle: found even after the oldest went */
	x.fkey = 0x100000 + n;
	x.tkey = 0x100000 + (n > 10 ? n - 9 : 1);
	return err ?: dept_dep(rec, ts, DS_EV_DEPT_DEP, 0, 0, &x);
}

int main(int argc, char **argv)
{
	unsigned long long events = 1000, rate = 0, cycles, c;
	unsigned int ntl = 4, ndmabuf = 0, stuck = 0, vfio = 0, vfio_bad = 0, t, i;
	const char *out = NULL;
	struct ds_fence_event e;
	struct ds_fence_name_event n;
	struct ds_recorder *rec;
	int hang = 0, dept = 0, opt, err;
	unsigned long long chain = 0, spread = 0;
	__u64 dept_addr = 0;
	__u64 ts0 = 1000000000ULL, ts = ts0, dur;
	char *end;

	while ((opt = getopt(argc, argv, "o:n:t:HD:RVAG:r:C:S:")) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			events = strtoull(optarg, NULL, 10);
			break;
		case 't':
			ntl = strtoul(optarg, NULL, 10);
			break;
		case 'H':
			hang = 1;
			break;
		case 'D':
			ndmabuf = strtoul(optarg, NULL, 10);
			break;
		case 'R':
			stuck = 1;
			break;
		case 'V':
			vfio = 1;
			break;
		case 'A':
			vfio_bad = 1;
			break;
		case 'G':
			dept = 1;
			dept_addr = strtoull(optarg, NULL, 16);
			break;
		case 'C':
			chain = strtoull(optarg, NULL, 10);
			break;
		case 'S':
			spread = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			/* up to one cycle per nanosecond */
			errno = 0;
			rate = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || !rate || rate > 5000000000ULL)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (!out || !ntl || ntl > 100000)
		goto usage;
	err = ds_recorder__open(out, 1000, &rec);
	if (err) {
		fprintf(stderr, "dsgen: cannot create %s: %s\n", out, strerror(-err));
		return 1;
	}
	for (t = 0; t < ntl; t++) {
		memset(&n, 0, sizeof(n));
		n.hdr.ts = ts;
		n.hdr.type = DS_EV_FENCE_NAME;
		n.hdr.size = sizeof(n);
		n.context32 = 1000 + t;
		snprintf(n.driver, sizeof(n.driver), "dsgen");
		snprintf(n.timeline, sizeof(n.timeline), "tl%u", t);
		err = ds_recorder__write(rec, &n.hdr);
		if (err)
			goto fail;
	}
	cycles = events > ntl ? (events - ntl) / 5 : 0;
	for (c = 0; c < cycles; c++) {
		/* c * 5e9 stays below 2^64 up to 3.6e9 cycles, 18e9 events */
		ts = ts0 + (rate ? c * 5000000000ULL / rate : c * 2000);
		dur = ((c % 1000) + 1) * 1000;
		fill(&e, DS_EV_FENCE_INIT, ts, c, ntl);
		err = ds_recorder__write(rec, &e.hdr);
		fill(&e, DS_EV_FENCE_WAIT_START, ts + 100, c, ntl);
		e.hdr.size = DS_FENCE_EVENT_BASE_SIZE + 4 * sizeof(__u64);
		e.nr_frames = 4;
		for (i = 0; i < 4; i++)
			e.stack[i] = 0xffffffff81000000ULL + i * 0x100;
		err = err ?: ds_recorder__write(rec, &e.hdr);
		fill(&e, DS_EV_FENCE_SIGNALED, ts + 100 + dur - 10, c, ntl);
		err = err ?: ds_recorder__write(rec, &e.hdr);
		fill(&e, DS_EV_FENCE_WAIT_END, ts + 100 + dur, c, ntl);
		e.start_ts = ts + 100;
		e.duration_ns = dur;
		e.flags = DS_FENCE_F_SIGNALED;
		err = err ?: ds_recorder__write(rec, &e.hdr);
		fill(&e, DS_EV_FENCE_DESTROY, ts + 200 + dur, c, ntl);
		err = err ?: ds_recorder__write(rec, &e.hdr);
		if (err)
			goto fail;
	}
	ts = ts0 + (rate ? cycles * 5000000000ULL / rate : cycles * 2000);
	if (hang) {
		fill(&e, DS_EV_FENCE_WAIT_START, ts, cycles, ntl);
		e.hdr.tid = 4242;
		e.context = 1000;
		err = ds_recorder__write(rec, &e.hdr);
		fill(&e, DS_EV_FENCE_SIGNALED, ts + 5000000000ULL, cycles + 1, ntl);
		err = err ?: ds_recorder__write(rec, &e.hdr);
		if (err)
			goto fail;
	}
	err = gen_dmabufs(rec, ndmabuf, &ts);
	if (!err && stuck)
		err = gen_stuck(rec, &ts);
	if (!err && vfio)
		err = gen_vfio(rec, &ts);
	if (!err && vfio_bad)
		err = gen_vfio_bad(rec, &ts);
	if (!err && dept)
		err = gen_dept(rec, &ts, dept_addr);
	if (!err && chain) {
		if (spread)
			dept_step = spread * 1000000000ULL / (2 * chain + 1) ?: 1;
		err = gen_chain(rec, &ts, chain);
	}
	if (err)
		goto fail;
	err = ds_recorder__close(rec, ts - 1000000000ULL);
	if (err) {
		fprintf(stderr, "dsgen: closing %s: %s\n", out, strerror(-err));
		return 1;
	}
	return 0;
fail:
	fprintf(stderr, "dsgen: writing %s: %s\n", out, strerror(-err));
	ds_recorder__close(rec, 0);
	return 1;
usage:
	fprintf(stderr, "usage: dsgen -o FILE [-n EVENTS] [-t TIMELINES] [-H] [-D DMABUFS] [-R]"
		" [-V] [-A] [-G ADDR] [-C N [-S SEC]] [-r EVENTS_PER_SEC]\n");
	return 2;
}
