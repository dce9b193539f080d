// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Chrome Trace Event Format export, written while events stream in.
 *
 * Trace events go out as soon as they are complete; only what is needed
 * later is kept: one entry per fence timeline, per name record, per waiter
 * thread and per waiter process (each with its pending wait, if any).  So
 * memory grows with the number of timelines and threads, never with the
 * number of events.  Metadata ("M") events come last, at finish, because
 * fence names can arrive after the first events of their timeline and
 * viewers accept metadata anywhere in the array.
 *
 * Tegra VPR resizes follow the same rule: a step is drawn when its record
 * arrives (it carries its own duration), a resize when it ends; in between
 * only a few open resizes are kept, since the driver runs one at a time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "deptscope/chrome.h"
#include "deptscope/dmabuf.h"
#include "deptscope/json.h"
#include "deptscope/version.h"
#include "internal.h"

/* Far above real pids (at most 2^22), so timelines never meet a process. */
#define CHROME_TL_PID_BASE	0x7f000000u
/* The one thread of a timeline process: signal instants and wait slices. */
#define CHROME_TL_TID		1
#define CHROME_DMABUF_PID	0x7e000000u	/* every dma-buf track lives here */
#define CHROME_VPR_PID		0x7d000000u	/* the Tegra VPR group */
/* resizes with their steps nested by time, so one track for all of them */
#define CHROME_VPR_TID		1
/* the freeze window overlaps several steps: it cannot nest, so its own row */
#define CHROME_VPR_FROZEN_TID	2
/* one resize runs at a time; the rest are resizes whose end was lost */
#define CHROME_VPR_OPEN		8
#define CHROME_MIB		(1ULL << 20)

/* Sized so that no label or event name is ever truncated. */
#define CHROME_LABEL_LEN	(2 * DS_NAME_LEN + 32)	/* "driver/timeline" */
#define CHROME_NAME_LEN		(CHROME_LABEL_LEN + 64)	/* label and its words */

struct chrome_timeline {
	uint64_t context;
	uint32_t index;
	struct chrome_timeline *next;
};

struct chrome_name {
	char driver[DS_NAME_LEN + 1];
	char timeline[DS_NAME_LEN + 1];
	struct chrome_name *next;
};

struct chrome_proc {
	uint32_t pid;
	char comm[TASK_COMM_LEN + 1];
	struct chrome_proc *next;
};

struct chrome_thread {
	uint32_t pid;
	uint32_t tid;
	char comm[TASK_COMM_LEN + 1];
	/* the wait_start not yet matched by a wait_end */
	bool pending;
	uint64_t wait_ts;
	uint64_t wait_context;
	uint64_t wait_seqno;
	uint32_t wait_flags;
	struct chrome_thread *next;
};

/* A dma-buf's own track in the "dma-buf" process: one per inode. */
struct chrome_buf {
	uint64_t ino;
	uint64_t size;
	char exp_name[32];
	uint64_t vfio_start;	/* pending vfio-pci status change, 0: none */
	struct chrome_buf *next;
};

/* A resize not yet drawn: by seq (ours) or by task (inferred from v3's events). */
struct chrome_vpr {
	bool used;
	bool inferred;
	bool begin_seen;
	bool grow_known;
	bool grow;
	bool target_known;	/* the range the SMC was asked for */
	bool rolled_back;
	bool saw_activate, saw_deactivate;	/* inferred: the chunk changes seen */
	uint32_t seq;
	uint32_t pid;
	uint32_t tid;
	uint32_t nr_changes;	/* inferred: chunk changes seen */
	int step_err;
	const char *failed_step;
	uint64_t begin_ts;	/* resize_begin, or an inferred run's first chunk change */
	uint64_t first_ts, last_ts;	/* all its records, steps from their start */
	uint64_t step_first;	/* the first step slice's start, UINT64_MAX: none */
	uint64_t buf_start, buf_size;
	uint64_t old_base, old_size;
	bool old_known;
	uint64_t target_base, target_size;
	uint64_t failed_chunks;
	uint64_t freeze_ns;
};

struct ds_chrome {
	FILE *f;
	struct ds_json j;
	struct ds_map timelines;	/* context -> chrome_timeline */
	struct ds_map names;		/* context32 -> chrome_name */
	struct ds_map procs;		/* pid -> chrome_proc */
	struct ds_map threads;		/* pid << 32 | tid -> chrome_thread */
	/* each kind is also chained in order of first sight, for finish */
	struct chrome_timeline *tl_head, **tl_tail;
	struct chrome_name *name_head, **name_tail;
	struct chrome_proc *proc_head, **proc_tail;
	struct chrome_thread *thr_head, **thr_tail;
	struct ds_map bufs;		/* ino -> chrome_buf */
	struct chrome_buf *buf_head, **buf_tail;
	struct chrome_vpr vpr[CHROME_VPR_OPEN];
	char vpr_heap[33];		/* the first resize_begin's heap */
	bool vpr_seen;
	bool vpr_ours;			/* records of kernel/patches/tegra-vpr seen */
	bool vpr_frozen_drawn;
	bool vpr_known;			/* the VPR as last programmed */
	uint64_t vpr_base, vpr_size;
	bool vpr_counted;		/* the size counter has a value */
	uint64_t vpr_counter;
	uint32_t nr_timelines;
	uint64_t next_wait_id;
	uint64_t last_ts;
	uint64_t events;
	bool finished;
};

/* What the slices of one wait are made of, finished or not. */
struct chrome_wait {
	uint64_t start;
	uint64_t end;
	uint64_t context;
	uint64_t seqno;
	uint64_t duration_ns;
	uint32_t pid;
	uint32_t tid;
	uint32_t flags;
	const char *comm;	/* TASK_COMM_LEN bytes, maybe not terminated */
	bool unfinished;
};

static struct chrome_timeline *chrome__timeline(struct ds_chrome *c, uint64_t context)
{
	struct chrome_timeline *tl = ds_map__get(&c->timelines, context);

	if (tl)
		return tl;
	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return NULL;
	tl->context = context;
	tl->index = c->nr_timelines;
	if (ds_map__set(&c->timelines, context, tl)) {
		free(tl);
		return NULL;
	}
	c->nr_timelines++;
	*c->tl_tail = tl;
	c->tl_tail = &tl->next;
	return tl;
}

static uint32_t chrome__tl_pid(const struct chrome_timeline *tl)
{
	/* wraps only after 16M timelines; a shared track beats an abort */
	return CHROME_TL_PID_BASE + (tl->index & 0x00ffffffu);
}

static const struct chrome_name *chrome__name(const struct ds_chrome *c, uint64_t context)
{
	const struct chrome_name *n = ds_map__get(&c->names, (uint32_t)context);

	if (n && (n->driver[0] || n->timeline[0]))
		return n;
	return NULL;
}

/* "driver/timeline" when the names are known, else "ctx N". */
static void chrome__label(const struct ds_chrome *c, uint64_t context, char *buf, size_t len)
{
	const struct chrome_name *n = chrome__name(c, context);

	if (n)
		snprintf(buf, len, "%s/%s", n->driver, n->timeline);
	else
		snprintf(buf, len, "ctx %" PRIu64, context);
}

/* Register the waiter's thread and process, so finish can name them. */
static struct chrome_thread *chrome__thread(struct ds_chrome *c, const struct ds_event_hdr *h,
					    const char *comm)
{
	uint64_t key = (uint64_t)h->pid << 32 | h->tid;
	struct chrome_thread *t = ds_map__get(&c->threads, key);
	struct chrome_proc *p;

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		t->pid = h->pid;
		t->tid = h->tid;
		if (ds_map__set(&c->threads, key, t)) {
			free(t);
			return NULL;
		}
		*c->thr_tail = t;
		c->thr_tail = &t->next;
	}
	/* a thread's latest comm: it may have exec'd or been renamed */
	ds_copy_field(t->comm, sizeof(t->comm), comm, TASK_COMM_LEN);

	if (ds_map__get(&c->procs, h->pid))
		return t;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = h->pid;
	ds_copy_field(p->comm, sizeof(p->comm), comm, TASK_COMM_LEN);
	if (ds_map__set(&c->procs, h->pid, p)) {
		free(p);
		return NULL;
	}
	*c->proc_tail = p;
	c->proc_tail = &p->next;
	return t;
}

/* Opens one trace event; the caller adds its fields and closes it. */
static void chrome__event(struct ds_chrome *c, const char *ph, uint64_t ts_ns, uint32_t pid,
			  uint32_t tid)
{
	struct ds_json *j = &c->j;

	ds_json__begin_object(j);
	ds_json__kv_str(j, "ph", ph);
	ds_json__key(j, "ts");
	ds_json__fixed(j, ts_ns, 3);
	ds_json__kv_u64(j, "pid", pid);
	ds_json__kv_u64(j, "tid", tid);
	c->events++;
}

static void chrome__wait_args(struct ds_chrome *c, const struct chrome_wait *w)
{
	struct ds_json *j = &c->j;

	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__key(j, "comm");
	ds_json__strn(j, w->comm, TASK_COMM_LEN);
	ds_json__kv_u64(j, "pid", w->pid);
	ds_json__kv_u64(j, "tid", w->tid);
	ds_json__kv_u64(j, "context", w->context);
	ds_json__kv_u64(j, "seqno", w->seqno);
	ds_json__kv_u64(j, "duration_ns", w->duration_ns);
	if (w->unfinished)
		ds_json__kv_bool(j, "unfinished", true);
	else
		ds_json__kv_bool(j, "signaled", w->flags & DS_FENCE_F_SIGNALED);
	ds_json__end_object(j);
}

/*
 * One wait, twice: an async slice on the fence's timeline (who waited on
 * this timeline, overlaps allowed) and a complete slice on the waiter's own
 * thread (what the thread was blocked on).
 */
static int chrome__wait_slices(struct ds_chrome *c, const struct chrome_wait *w)
{
	struct ds_json *j = &c->j;
	struct chrome_timeline *tl;
	char name[CHROME_NAME_LEN], label[CHROME_LABEL_LEN], id[24];
	uint32_t tl_pid;

	tl = chrome__timeline(c, w->context);
	if (!tl)
		return -ENOMEM;
	tl_pid = chrome__tl_pid(tl);
	snprintf(id, sizeof(id), "0x%" PRIx64, ++c->next_wait_id);
	snprintf(name, sizeof(name), "wait %" PRIu64 ":%" PRIu64, w->context, w->seqno);

	chrome__event(c, "b", w->start, tl_pid, CHROME_TL_TID);
	ds_json__kv_str(j, "cat", "fence");
	ds_json__kv_str(j, "name", name);
	ds_json__kv_str(j, "id", id);
	chrome__wait_args(c, w);
	ds_json__end_object(j);

	chrome__event(c, "e", w->end, tl_pid, CHROME_TL_TID);
	ds_json__kv_str(j, "cat", "fence");
	ds_json__kv_str(j, "name", name);
	ds_json__kv_str(j, "id", id);
	ds_json__end_object(j);

	chrome__label(c, w->context, label, sizeof(label));
	snprintf(name, sizeof(name), "fence wait %s", label);
	chrome__event(c, "X", w->start, w->pid, w->tid);
	ds_json__key(j, "dur");
	ds_json__fixed(j, w->end - w->start, 3);
	ds_json__kv_str(j, "cat", "fence");
	ds_json__kv_str(j, "name", name);
	chrome__wait_args(c, w);
	ds_json__end_object(j);
	return 0;
}

/*
 * An instant event with the fence's identity in args; the args object is
 * left open so callers can add to it, then they close it and the event.
 */
static void chrome__instant_begin(struct ds_chrome *c, const struct ds_fence_event *e,
				  uint32_t pid, uint32_t tid, const char *name)
{
	struct ds_json *j = &c->j;

	chrome__event(c, "i", e->hdr.ts, pid, tid);
	ds_json__kv_str(j, "s", "t");
	ds_json__kv_str(j, "cat", "fence");
	ds_json__kv_str(j, "name", name);
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__key(j, "comm");
	ds_json__strn(j, e->comm, sizeof(e->comm));
	ds_json__kv_u64(j, "pid", e->hdr.pid);
	ds_json__kv_u64(j, "tid", e->hdr.tid);
	ds_json__kv_u64(j, "context", e->context);
	ds_json__kv_u64(j, "seqno", e->seqno);
}

/* emit, enable_signal, signaled: an instant on the fence's timeline. */
static int chrome__fence_instant(struct ds_chrome *c, const struct ds_fence_event *e,
				 const char *what)
{
	struct ds_json *j = &c->j;
	struct chrome_timeline *tl;
	char name[CHROME_NAME_LEN];

	tl = chrome__timeline(c, e->context);
	if (!tl)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s seqno %" PRIu64, what, (uint64_t)e->seqno);
	chrome__instant_begin(c, e, chrome__tl_pid(tl), CHROME_TL_TID, name);
	ds_json__end_object(j);
	ds_json__end_object(j);
	return 0;
}

static int chrome__wait_start(struct ds_chrome *c, const struct ds_fence_event *e)
{
	struct chrome_thread *t = chrome__thread(c, &e->hdr, e->comm);

	if (!t)
		return -ENOMEM;
	/* claim the timeline's pid now so indexes follow first sight */
	if (!chrome__timeline(c, e->context))
		return -ENOMEM;
	/*
	 * A pending wait replaced here lost its wait_end (ring buffer drop);
	 * its end time is unknown, so no slice is better than a made-up one.
	 */
	t->pending = true;
	t->wait_ts = e->hdr.ts;
	t->wait_context = e->context;
	t->wait_seqno = e->seqno;
	t->wait_flags = e->flags;
	return 0;
}

static int chrome__wait_end(struct ds_chrome *c, const struct ds_fence_event *e)
{
	struct ds_json *j = &c->j;
	struct chrome_thread *t = chrome__thread(c, &e->hdr, e->comm);
	char label[CHROME_LABEL_LEN], name[CHROME_NAME_LEN];
	struct chrome_wait w = {
		.start = e->start_ts,
		.end = e->hdr.ts,
		.context = e->context,
		.seqno = e->seqno,
		.duration_ns = e->duration_ns,
		.pid = e->hdr.pid,
		.tid = e->hdr.tid,
		.flags = e->flags,
		.comm = e->comm,
	};

	if (!t)
		return -ENOMEM;
	t->pending = false;
	if (e->start_ts && !(e->flags & DS_FENCE_F_NO_START)) {
		/* clock oddities must not produce a negative duration */
		if (w.start > w.end)
			w.start = w.end;
		return chrome__wait_slices(c, &w);
	}

	/* no start: the end is all that is known, on the waiter alone */
	chrome__label(c, e->context, label, sizeof(label));
	snprintf(name, sizeof(name), "fence wait end %s (no start)", label);
	chrome__instant_begin(c, e, e->hdr.pid, e->hdr.tid, name);
	ds_json__kv_bool(j, "signaled", e->flags & DS_FENCE_F_SIGNALED);
	ds_json__end_object(j);
	ds_json__end_object(j);
	return 0;
}

static int chrome__name_event(struct ds_chrome *c, const struct ds_fence_name_event *e)
{
	struct chrome_name *n = ds_map__get(&c->names, e->context32);

	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n)
			return -ENOMEM;
		if (ds_map__set(&c->names, e->context32, n)) {
			free(n);
			return -ENOMEM;
		}
		*c->name_tail = n;
		c->name_tail = &n->next;
	}
	/* the latest record wins: names are sent once, a repeat is a fix-up */
	ds_copy_field(n->driver, sizeof(n->driver), e->driver, sizeof(e->driver));
	ds_copy_field(n->timeline, sizeof(n->timeline), e->timeline, sizeof(e->timeline));
	return 0;
}

static struct chrome_buf *chrome__buf(struct ds_chrome *c, const struct ds_dmabuf_event *e)
{
	struct chrome_buf *b = ds_map__get(&c->bufs, e->ino);

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->ino = e->ino;
		if (ds_map__set(&c->bufs, e->ino, b)) {
			free(b);
			return NULL;
		}
		*c->buf_tail = b;
		c->buf_tail = &b->next;
	}
	b->size = e->size;
	ds_copy_field(b->exp_name, sizeof(b->exp_name), e->exp_name, sizeof(e->exp_name));
	return b;
}

/* Track of buffer @ino: tids are 32 bits, inodes rarely are more. */
static uint32_t chrome__buf_tid(uint64_t ino)
{
	return (uint32_t)ino;
}

static void chrome__dmabuf_args(struct ds_chrome *c, const struct ds_dmabuf_event *e)
{
	const struct ds_vfio_dmabuf_event *v;
	struct ds_json *j = &c->j;

	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "ino", e->ino);
	ds_json__key(j, "exp_name");
	ds_json__strn(j, e->exp_name, sizeof(e->exp_name));
	ds_json__kv_u64(j, "size", e->size);
	ds_json__key(j, "comm");
	ds_json__strn(j, e->comm, sizeof(e->comm));
	ds_json__kv_u64(j, "pid", e->hdr.pid);
	ds_json__kv_u64(j, "tid", e->hdr.tid);
	if (e->dev_name[0]) {
		ds_json__key(j, "dev_name");
		ds_json__strn(j, e->dev_name, sizeof(e->dev_name));
	}
	if (e->hdr.type == DS_EV_DMABUF_INVALIDATE)
		ds_json__kv_u64(j, "nr_notified", e->nr_notified);
	if (e->hdr.type >= DS_EV_VFIO_DMABUF_EXPORT && e->hdr.size >= sizeof(*v)) {
		v = (const void *)e;
		ds_json__kv_str(j, "old_status", ds_vfio_status_name(v->old_status));
		ds_json__kv_str(j, "new_status", ds_vfio_status_name(v->new_status));
		ds_json__kv_str(j, "cause", ds_vfio_cause_name(v->cause));
		if (e->hdr.type == DS_EV_VFIO_DMABUF_STATE_END) {
			ds_json__kv_u64(j, "fence_wait_ns", v->fence_wait_ns);
			ds_json__kv_u64(j, "unmap_wait_ns", v->unmap_wait_ns);
		}
	}
	if (e->ret) {
		ds_json__key(j, "ret");
		ds_json__i64(j, e->ret);
	}
	ds_json__end_object(j);
}

static void chrome__dmabuf_slice(struct ds_chrome *c, const struct ds_dmabuf_event *e,
				 uint64_t start, uint64_t dur, uint32_t pid, uint32_t tid,
				 const char *name)
{
	struct ds_json *j = &c->j;

	chrome__event(c, "X", start, pid, tid);
	ds_json__key(j, "dur");
	ds_json__fixed(j, dur, 3);
	ds_json__kv_str(j, "cat", "dma-buf");
	ds_json__kv_str(j, "name", name);
	chrome__dmabuf_args(c, e);
	ds_json__end_object(j);
}

/*
 * Each dma-buf event is an instant on the buffer's track.  Waits that
 * the kernel timed (a CPU-access fence wait, a map) are slices, both on
 * the buffer's track and on the thread that waited.
 */
static int chrome__dmabuf(struct ds_chrome *c, const struct ds_dmabuf_event *e)
{
	static const char *const names[] = {
		"export", "fd", "get", "put", "mmap (user)", "mmap (kernel)", "attach", "detach",
		"invalidate", "map", "unmap", "begin CPU access", "end CPU access", "release",
		"vfio export", "vfio status change", "vfio status changed",
	};
	const char *what = names[e->hdr.type - DS_EV_DMABUF_EXPORT];
	const struct ds_vfio_dmabuf_event *v = (const void *)e;
	struct ds_json *j = &c->j;
	char name[CHROME_NAME_LEN];
	struct chrome_buf *b;
	uint64_t start;

	b = chrome__buf(c, e);
	if (!b)
		return -ENOMEM;
	if (e->hdr.type == DS_EV_VFIO_DMABUF_STATE_START)
		b->vfio_start = e->hdr.ts;
	/* the whole status change, both waits included, on the buffer and the thread */
	if (e->hdr.type == DS_EV_VFIO_DMABUF_STATE_END && b->vfio_start &&
	    b->vfio_start <= e->hdr.ts) {
		if (!chrome__thread(c, &e->hdr, e->comm))
			return -ENOMEM;
		snprintf(name, sizeof(name), "vfio %s ino %llu (%s)",
			 v->new_status == DS_VFIO_DMABUF_OK ? "restore" : "revoke",
			 (unsigned long long)e->ino, ds_vfio_cause_name(v->cause));
		start = b->vfio_start;
		b->vfio_start = 0;
		chrome__dmabuf_slice(c, e, start, e->hdr.ts - start, e->hdr.pid, e->hdr.tid, name);
		chrome__dmabuf_slice(c, e, start, e->hdr.ts - start, CHROME_DMABUF_PID,
				     chrome__buf_tid(e->ino), name);
		return 0;
	}
	if ((e->hdr.type == DS_EV_DMABUF_BEGIN_CPU || e->hdr.type == DS_EV_DMABUF_MAP) &&
	    e->duration_ns) {
		if (!chrome__thread(c, &e->hdr, e->comm))
			return -ENOMEM;
		start = e->duration_ns < e->hdr.ts ? e->hdr.ts - e->duration_ns : 0;
		snprintf(name, sizeof(name), "dma-buf %s ino %llu",
			 e->hdr.type == DS_EV_DMABUF_MAP ? "map" : "CPU access wait",
			 (unsigned long long)e->ino);
		chrome__dmabuf_slice(c, e, start, e->duration_ns, e->hdr.pid, e->hdr.tid, name);
		chrome__dmabuf_slice(c, e, start, e->duration_ns, CHROME_DMABUF_PID,
				     chrome__buf_tid(e->ino), what);
		return 0;
	}
	chrome__event(c, "i", e->hdr.ts, CHROME_DMABUF_PID, chrome__buf_tid(e->ino));
	ds_json__kv_str(j, "s", "t");
	ds_json__kv_str(j, "cat", "dma-buf");
	ds_json__kv_str(j, "name", what);
	chrome__dmabuf_args(c, e);
	ds_json__end_object(j);
	return 0;
}

/* "96 MiB", or KiB or bytes when the size is not a whole number of MiB. */
static void chrome__size(char *buf, size_t len, uint64_t size)
{
	if (!(size % CHROME_MIB))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(size / CHROME_MIB));
	else if (!(size % 1024))
		snprintf(buf, len, "%llu KiB", (unsigned long long)(size / 1024));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)size);
}

/* Addresses and masks as hex strings: readable, and no double rounds them past 2^53. */
static void chrome__kv_hex(struct ds_json *j, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	ds_json__kv_str(j, key, buf);
}

/* The VPR's size counter; the same value twice in a row (set, then resize_end) draws once. */
static void chrome__vpr_counter(struct ds_chrome *c, uint64_t ts, uint64_t size)
{
	struct ds_json *j = &c->j;

	if (c->vpr_counted && c->vpr_counter == size)
		return;
	c->vpr_counted = true;
	c->vpr_counter = size;
	chrome__event(c, "C", ts, CHROME_VPR_PID, CHROME_VPR_TID);
	ds_json__kv_str(j, "cat", "vpr");
	/* Perfetto names a counter track "<name> <arg>": here "VPR size (MiB)" */
	ds_json__kv_str(j, "name", "VPR");
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__key(j, "size (MiB)");
	/* thousandths of a MiB in integers: exact for whole MiB, no overflow for any size */
	ds_json__fixed(j, size / CHROME_MIB * 1000 + size % CHROME_MIB * 1000 / CHROME_MIB, 3);
	ds_json__end_object(j);
	ds_json__end_object(j);
}

static struct chrome_vpr *chrome__vpr_find(struct ds_chrome *c, bool inferred, uint32_t seq,
					   uint32_t tid)
{
	struct chrome_vpr *r;

	for (r = c->vpr; r < c->vpr + CHROME_VPR_OPEN; r++)
		if (r->used && r->inferred == inferred &&
		    (inferred ? r->tid == tid : r->seq == seq))
			return r;
	return NULL;
}

/* How a resize ended; all zero (but ts) when its end was never seen. */
struct chrome_vpr_end {
	uint64_t ts;
	uint64_t duration_ns;
	uint64_t new_base, new_size;
	uint64_t chunks;
	int err;
	bool complete;		/* resize_end, or tegra_vpr_set for an inferred one */
};

static void chrome__vpr_name(const struct chrome_vpr *r, const struct chrome_vpr_end *e,
			     char *buf, size_t len)
{
	const char *kind = !r->grow_known ? "resize" : r->grow ? "grow" : "shrink";
	char from[32], to[32];

	chrome__size(from, sizeof(from), r->old_size);
	chrome__size(to, sizeof(to), e->new_size);
	if (!e->complete && r->inferred)
		snprintf(buf, len, "%s (inferred, unfinished)", kind);
	else if (r->inferred && r->rolled_back)
		snprintf(buf, len, "%s rolled back, VPR not programmed (inferred)", kind);
	else if (!e->complete)
		snprintf(buf, len, "%s seq %u (unfinished)", kind, r->seq);
	else if (e->err && r->target_known && r->old_known) {
		/* after a rollback the new size is the old one: show what was tried */
		chrome__size(to, sizeof(to), r->target_size);
		snprintf(buf, len, "%s %s -> %s (failed)", kind, from, to);
	} else if (e->err)
		snprintf(buf, len, "%s seq %u (failed)", kind, r->seq);
	else if (r->inferred && r->old_known)
		snprintf(buf, len, "%s %s -> %s (inferred)", kind, from, to);
	else if (r->inferred)
		snprintf(buf, len, "%s to %s (inferred)", kind, to);
	else
		snprintf(buf, len, "%s %s -> %s", kind, from, to);
}

/*
 * The resize as one slice.  It is stretched to enclose every step drawn for
 * it: step times are the record time minus the driver's duration, a little
 * off from the begin record's time, and a step poking out would not nest.
 * It also starts at least 1 ns before its first step: Perfetto may order X
 * events of equal ts by file order, and the steps are written first.
 */
static void chrome__vpr_resize(struct ds_chrome *c, struct chrome_vpr *r,
			       const struct chrome_vpr_end *e)
{
	struct ds_json *j = &c->j;
	uint64_t start, end;
	char name[128];

	if (r->begin_seen)
		start = r->begin_ts;
	else if (e->complete)
		start = e->duration_ns < e->ts ? e->ts - e->duration_ns : 0;
	else
		start = r->first_ts;
	if (r->step_first <= start)
		start = r->step_first ? r->step_first - 1 : 0;
	end = e->ts > r->last_ts ? e->ts : r->last_ts;
	if (end < start)
		end = start;
	chrome__vpr_name(r, e, name, sizeof(name));

	chrome__event(c, "X", start, CHROME_VPR_PID, CHROME_VPR_TID);
	ds_json__key(j, "dur");
	ds_json__fixed(j, end - start, 3);
	ds_json__kv_str(j, "cat", "vpr");
	ds_json__kv_str(j, "name", name);
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	if (!r->inferred)
		ds_json__kv_u64(j, "seq", r->seq);
	ds_json__kv_str(j, "kind", !r->grow_known ? "unknown" : r->grow ? "grow" : "shrink");
	if (r->old_known) {
		chrome__kv_hex(j, "old_base", r->old_base);
		chrome__kv_hex(j, "old_size", r->old_size);
	}
	if (e->complete) {
		chrome__kv_hex(j, "new_base", e->new_base);
		chrome__kv_hex(j, "new_size", e->new_size);
	}
	if (e->complete && !r->inferred) {
		chrome__kv_hex(j, "chunks", e->chunks);
		ds_json__kv_i64(j, "err", e->err);
		ds_json__kv_bool(j, "rolled_back", r->rolled_back);
	}
	if (r->rolled_back && r->failed_chunks)
		chrome__kv_hex(j, "failed_chunks", r->failed_chunks);
	if (r->failed_step) {
		ds_json__kv_str(j, "failed_step", r->failed_step);
		ds_json__kv_i64(j, "step_err", r->step_err);
	}
	/* the kernel's own figure when there is one */
	ds_json__kv_u64(j, "duration_ns",
			e->complete && !r->inferred ? e->duration_ns : end - start);
	if (r->begin_seen && !r->inferred) {
		chrome__kv_hex(j, "buf_start", r->buf_start);
		chrome__kv_hex(j, "buf_size", r->buf_size);
	}
	ds_json__kv_u64(j, "pid", r->pid);
	ds_json__kv_u64(j, "tid", r->tid);
	if (r->inferred) {
		ds_json__kv_bool(j, "inferred", true);
		ds_json__kv_u64(j, "chunk_changes", r->nr_changes);
	}
	if (!e->complete)
		ds_json__kv_bool(j, "unfinished", true);
	ds_json__end_object(j);
	ds_json__end_object(j);

	if (e->complete && e->err) {
		chrome__event(c, "i", e->ts, CHROME_VPR_PID, CHROME_VPR_TID);
		ds_json__kv_str(j, "s", "t");
		ds_json__kv_str(j, "cat", "vpr");
		ds_json__kv_str(j, "name", "resize failed");
		ds_json__key(j, "args");
		ds_json__begin_object(j);
		ds_json__kv_u64(j, "seq", r->seq);
		ds_json__kv_i64(j, "err", e->err);
		ds_json__kv_bool(j, "rolled_back", r->rolled_back);
		if (r->failed_step) {
			ds_json__kv_str(j, "failed_step", r->failed_step);
			ds_json__kv_i64(j, "step_err", r->step_err);
		}
		ds_json__end_object(j);
		ds_json__end_object(j);
	}
	r->used = false;
}

/* A new open resize; when all are taken, the oldest is drawn as unfinished. */
static struct chrome_vpr *chrome__vpr_open(struct ds_chrome *c, const struct ds_event_hdr *h,
					   bool inferred, uint32_t seq)
{
	struct chrome_vpr *r, *oldest = c->vpr;

	for (r = c->vpr; r < c->vpr + CHROME_VPR_OPEN; r++) {
		if (!r->used)
			break;
		if (r->first_ts < oldest->first_ts)
			oldest = r;
	}
	if (r == c->vpr + CHROME_VPR_OPEN) {
		struct chrome_vpr_end e = { .ts = oldest->last_ts };

		r = oldest;
		chrome__vpr_resize(c, r, &e);
	}
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->inferred = inferred;
	r->seq = seq;
	r->pid = h->pid;
	r->tid = h->tid;
	r->first_ts = h->ts;
	r->last_ts = h->ts;
	r->step_first = UINT64_MAX;
	/* until resize_begin or resize_end says, the VPR as last programmed */
	r->old_known = c->vpr_known;
	r->old_base = c->vpr_base;
	r->old_size = c->vpr_size;
	return r;
}

/*
 * Resizes hold vpr->lock: another task's chunk change or programming ends
 * an open inferred resize that never programmed the VPR (v3's rollback),
 * as lib/vpr_model.c decides too.
 */
static void chrome__vpr_unprogrammed(struct ds_chrome *c, uint32_t tid)
{
	struct chrome_vpr *r;

	for (r = c->vpr; r < c->vpr + CHROME_VPR_OPEN; r++) {
		struct chrome_vpr_end end = {
			.ts = r->last_ts,
			.new_base = r->old_base,
			.new_size = r->old_size,
			.complete = true,
		};

		if (!r->used || !r->inferred || r->tid == tid)
			continue;
		r->rolled_back = r->saw_activate && r->saw_deactivate;
		chrome__vpr_resize(c, r, &end);
	}
}

/* v3's events: chunk changes as instants, the programming closes an inferred resize. */
static void chrome__vpr_upstream(struct ds_chrome *c, const struct ds_vpr_event *e)
{
	const struct ds_event_hdr *h = &e->hdr;
	struct chrome_vpr *r = chrome__vpr_find(c, true, 0, h->tid);
	struct ds_json *j = &c->j;

	if (h->type == DS_EV_VPR_SET) {
		if (!c->vpr_ours)
			chrome__vpr_unprogrammed(c, h->tid);
		chrome__vpr_counter(c, h->ts, e->size);
		if (r) {
			struct chrome_vpr_end end = {
				.ts = h->ts,
				.new_base = e->base,
				.new_size = e->size,
				.complete = true,
			};

			chrome__vpr_resize(c, r, &end);
		}
		c->vpr_known = true;
		c->vpr_base = e->base;
		c->vpr_size = e->size;
		return;
	}
	/* with our events the seq-grouped steps tell the same story, better */
	if (c->vpr_ours)
		return;
	chrome__vpr_unprogrammed(c, h->tid);
	if (!r) {
		r = chrome__vpr_open(c, h, true, 0);
		r->begin_seen = true;
		r->begin_ts = h->ts;
		r->grow_known = true;
		r->grow = h->type == DS_EV_VPR_CHUNK_ACTIVATE;
	}
	r->nr_changes++;
	if (h->ts > r->last_ts)
		r->last_ts = h->ts;
	if (h->type == DS_EV_VPR_CHUNK_ACTIVATE)
		r->saw_activate = true;
	else
		r->saw_deactivate = true;

	chrome__event(c, "i", h->ts, CHROME_VPR_PID, CHROME_VPR_TID);
	ds_json__kv_str(j, "s", "t");
	ds_json__kv_str(j, "cat", "vpr");
	ds_json__kv_str(j, "name", h->type == DS_EV_VPR_CHUNK_ACTIVATE ?
			"chunk_activate" : "chunk_deactivate");
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	chrome__kv_hex(j, "start", e->base);
	chrome__kv_hex(j, "size", e->size);
	ds_json__kv_u64(j, "pid", h->pid);
	ds_json__kv_u64(j, "tid", h->tid);
	ds_json__end_object(j);
	ds_json__end_object(j);
}

/* "user space frozen": from the call of freeze_processes() to the return of thaw. */
static void chrome__vpr_frozen(struct ds_chrome *c, const struct chrome_vpr *r,
			       const struct ds_vpr_event *e)
{
	uint64_t start = e->frozen_ns < e->hdr.ts ? e->hdr.ts - e->frozen_ns : 0;
	struct ds_json *j = &c->j;

	c->vpr_frozen_drawn = true;
	chrome__event(c, "X", start, CHROME_VPR_PID, CHROME_VPR_FROZEN_TID);
	ds_json__key(j, "dur");
	ds_json__fixed(j, e->hdr.ts - start, 3);
	ds_json__kv_str(j, "cat", "vpr");
	ds_json__kv_str(j, "name", "user space frozen");
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "seq", e->seq);
	ds_json__kv_u64(j, "frozen_ns", e->frozen_ns);
	ds_json__kv_u64(j, "thaw_ns", e->duration_ns);
	if (r->freeze_ns) {
		ds_json__kv_u64(j, "freeze_ns", r->freeze_ns);
		/* the README's "time fully frozen" */
		if (e->frozen_ns >= r->freeze_ns + e->duration_ns)
			ds_json__kv_u64(j, "fully_frozen_ns",
					e->frozen_ns - r->freeze_ns - e->duration_ns);
	}
	ds_json__kv_u64(j, "pid", e->hdr.pid);
	ds_json__kv_u64(j, "tid", e->hdr.tid);
	ds_json__end_object(j);
	ds_json__end_object(j);
}

/* A step returned: its slice is [ts - duration_ns, ts], inside its resize's. */
static void chrome__vpr_step(struct ds_chrome *c, struct chrome_vpr *r,
			     const struct ds_vpr_event *e)
{
	static const char *const names[] = {
		"cma_alloc", "map_device", "map_normal", "cma_release", "freeze", "thaw",
		"dev_freeze", "dev_thaw", "smc", "rollback",
	};
	uint16_t type = e->hdr.type;
	const char *what = names[type - DS_EV_VPR_CMA_ALLOC];
	uint64_t start = e->duration_ns < e->hdr.ts ? e->hdr.ts - e->duration_ns : 0;
	struct ds_json *j = &c->j;
	bool chunk_op = type <= DS_EV_VPR_CMA_RELEASE;
	bool dev_op = type == DS_EV_VPR_DEV_FREEZE || type == DS_EV_VPR_DEV_THAW;
	char name[96];
	bool failed;

	/* v3 takes only a negative SMC result as failure; a rollback fails by what it left */
	if (type == DS_EV_VPR_SMC)
		failed = e->err < 0;
	else if (type == DS_EV_VPR_ROLLBACK)
		failed = e->failed != 0;
	else
		failed = e->err != 0;
	if (chunk_op)
		snprintf(name, sizeof(name), "%s chunk %u", what, e->chunk);
	else if (dev_op)
		snprintf(name, sizeof(name), "%s %.*s", what,
			 (int)strnlen(e->name, sizeof(e->name)), e->name);
	else
		snprintf(name, sizeof(name), "%s", what);
	if (failed)
		strcat(name, " (failed)");

	if (start < r->first_ts)
		r->first_ts = start;
	if (start < r->step_first)
		r->step_first = start;
	if (e->hdr.ts > r->last_ts)
		r->last_ts = e->hdr.ts;
	if (failed && type != DS_EV_VPR_ROLLBACK && !r->failed_step) {
		r->failed_step = what;
		r->step_err = e->err;
	}
	if (type == DS_EV_VPR_FREEZE)
		r->freeze_ns = e->duration_ns;
	if (type == DS_EV_VPR_SMC) {
		r->target_known = true;
		r->target_base = e->base;
		r->target_size = e->size;
	}
	if (type == DS_EV_VPR_ROLLBACK) {
		r->rolled_back = true;
		r->failed_chunks |= e->failed;
		if (!r->grow_known) {
			r->grow_known = true;
			r->grow = e->grow;
		}
	}

	chrome__event(c, "X", start, CHROME_VPR_PID, CHROME_VPR_TID);
	ds_json__key(j, "dur");
	ds_json__fixed(j, e->hdr.ts - start, 3);
	ds_json__kv_str(j, "cat", "vpr");
	ds_json__kv_str(j, "name", name);
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "seq", e->seq);
	ds_json__kv_u64(j, "duration_ns", e->duration_ns);
	if (chunk_op) {
		ds_json__kv_u64(j, "chunk", e->chunk);
		chrome__kv_hex(j, "start", e->base);
		chrome__kv_hex(j, "size", e->size);
	}
	if (dev_op) {
		ds_json__key(j, "dev");
		ds_json__strn(j, e->name, sizeof(e->name));
	}
	if (type == DS_EV_VPR_SMC) {
		chrome__kv_hex(j, "base", e->base);
		chrome__kv_hex(j, "size", e->size);
		ds_json__kv_i64(j, "ret", e->err);
	}
	if (type == DS_EV_VPR_THAW)
		ds_json__kv_u64(j, "frozen_ns", e->frozen_ns);
	if (type == DS_EV_VPR_ROLLBACK) {
		chrome__kv_hex(j, "chunks", e->mask);
		chrome__kv_hex(j, "failed", e->failed);
	}
	if (failed && type != DS_EV_VPR_ROLLBACK)
		ds_json__kv_i64(j, "err", e->err);
	ds_json__kv_u64(j, "pid", e->hdr.pid);
	ds_json__kv_u64(j, "tid", e->hdr.tid);
	ds_json__end_object(j);
	ds_json__end_object(j);

	if (type == DS_EV_VPR_THAW && e->frozen_ns)
		chrome__vpr_frozen(c, r, e);
}

/*
 * Tegra VPR: with kernel/patches/tegra-vpr, a resize is all the records of
 * its seq (the begin may be missing: resize_end's duration dates it); with
 * v3's three events only, it is one task's chunk changes up to tegra_vpr_set.
 */
static void chrome__vpr(struct ds_chrome *c, const struct ds_vpr_event *e)
{
	const struct ds_event_hdr *h = &e->hdr;
	struct chrome_vpr_end end;
	struct chrome_vpr *r;
	uint64_t start;

	c->vpr_seen = true;
	if (h->type <= DS_EV_VPR_SET) {
		chrome__vpr_upstream(c, e);
		return;
	}
	c->vpr_ours = true;
	r = chrome__vpr_find(c, false, e->seq, 0);
	if (!r)
		r = chrome__vpr_open(c, h, false, e->seq);

	switch (h->type) {
	case DS_EV_VPR_RESIZE_BEGIN:
		r->begin_seen = true;
		r->begin_ts = h->ts;
		if (h->ts < r->first_ts)
			r->first_ts = h->ts;
		r->grow_known = true;
		r->grow = e->grow;
		r->buf_start = e->base;
		r->buf_size = e->size;
		r->old_known = true;
		r->old_base = e->old_base;
		r->old_size = e->old_size;
		if (!c->vpr_heap[0])
			ds_copy_field(c->vpr_heap, sizeof(c->vpr_heap), e->name, sizeof(e->name));
		/* the size before the first resize, so the counter does not start late */
		if (!c->vpr_counted)
			chrome__vpr_counter(c, h->ts, e->old_size);
		break;
	case DS_EV_VPR_RESIZE_END:
		r->grow_known = true;
		r->grow = e->grow;
		r->old_known = true;
		r->old_base = e->old_base;
		r->old_size = e->old_size;
		end = (struct chrome_vpr_end){
			.ts = h->ts,
			.duration_ns = e->duration_ns,
			.new_base = e->new_base,
			.new_size = e->new_size,
			.chunks = e->mask,
			.err = e->err,
			.complete = true,
		};
		start = e->duration_ns < h->ts ? h->ts - e->duration_ns : 0;
		if (!c->vpr_counted)
			chrome__vpr_counter(c, r->begin_seen ? r->begin_ts : start, e->old_size);
		chrome__vpr_resize(c, r, &end);
		chrome__vpr_counter(c, h->ts, e->new_size);
		c->vpr_known = true;
		c->vpr_base = e->new_base;
		c->vpr_size = e->new_size;
		break;
	default:
		chrome__vpr_step(c, r, e);
		break;
	}
}

int ds_chrome__consume(void *ctx, const struct ds_event_hdr *ev)
{
	struct ds_chrome *c = ctx;
	const struct ds_fence_event *fe = (const void *)ev;
	int err;

	if (!c || !ev || c->finished)
		return -EINVAL;
	if (ev->ts > c->last_ts)
		c->last_ts = ev->ts;

	switch (ev->type) {
	case DS_EV_FENCE_EMIT:
	case DS_EV_FENCE_ENABLE_SIGNAL:
	case DS_EV_FENCE_SIGNALED:
	case DS_EV_FENCE_WAIT_START:
	case DS_EV_FENCE_WAIT_END:
		/* validated upstream; a short record is still never read past */
		if (ev->size < DS_FENCE_EVENT_BASE_SIZE)
			return 0;
		break;
	case DS_EV_FENCE_NAME:
		if (ev->size < sizeof(struct ds_fence_name_event))
			return 0;
		break;
	case DS_EV_DMABUF_EXPORT ... DS_EV_DMABUF_LAST:
		if (ev->size < sizeof(struct ds_dmabuf_event) ||
		    (ev->type >= DS_EV_VFIO_DMABUF_EXPORT &&
		     ev->size < sizeof(struct ds_vfio_dmabuf_event)))
			return 0;
		err = chrome__dmabuf(c, (const void *)ev);
		return err ? err : (ferror(c->f) ? -EIO : 0);
	case DS_EV_VPR_FIRST ... DS_EV_VPR_LAST:
		if (ev->size < sizeof(struct ds_vpr_event))
			return 0;
		chrome__vpr(c, (const void *)ev);
		return ferror(c->f) ? -EIO : 0;
	default:
		/* init/destroy draw nothing; unknown types are newer than us */
		return 0;
	}

	switch (ev->type) {
	case DS_EV_FENCE_EMIT:
		err = chrome__fence_instant(c, fe, "emit");
		break;
	case DS_EV_FENCE_ENABLE_SIGNAL:
		err = chrome__fence_instant(c, fe, "enable_signal");
		break;
	case DS_EV_FENCE_SIGNALED:
		err = chrome__fence_instant(c, fe, "signal");
		break;
	case DS_EV_FENCE_WAIT_START:
		err = chrome__wait_start(c, fe);
		break;
	case DS_EV_FENCE_WAIT_END:
		err = chrome__wait_end(c, fe);
		break;
	default:
		err = chrome__name_event(c, (const void *)ev);
		break;
	}
	if (err)
		return err;
	/* a full disk should stop the stream, not be found out at the end */
	return ferror(c->f) ? -EIO : 0;
}

static void chrome__meta_name(struct ds_chrome *c, const char *what, uint32_t pid, uint32_t tid,
			      const char *name)
{
	struct ds_json *j = &c->j;

	ds_json__begin_object(j);
	ds_json__kv_str(j, "ph", "M");
	ds_json__kv_str(j, "name", what);
	ds_json__kv_u64(j, "pid", pid);
	ds_json__kv_u64(j, "tid", tid);
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__kv_str(j, "name", name);
	ds_json__end_object(j);
	ds_json__end_object(j);
	c->events++;
}

static void chrome__timeline_meta(struct ds_chrome *c, const struct chrome_timeline *tl)
{
	struct ds_json *j = &c->j;
	const struct chrome_name *n = chrome__name(c, tl->context);
	uint32_t pid = chrome__tl_pid(tl);
	char name[CHROME_NAME_LEN];

	if (n)
		snprintf(name, sizeof(name), "fence timeline %s/%s (ctx %" PRIu64 ")",
			 n->driver, n->timeline, tl->context);
	else
		snprintf(name, sizeof(name), "fence timeline ctx %" PRIu64, tl->context);
	chrome__meta_name(c, "process_name", pid, 0, name);
	chrome__meta_name(c, "thread_name", pid, CHROME_TL_TID, "fence events");

	ds_json__begin_object(j);
	ds_json__kv_str(j, "ph", "M");
	ds_json__kv_str(j, "name", "process_sort_index");
	ds_json__kv_u64(j, "pid", pid);
	ds_json__kv_u64(j, "tid", 0);
	ds_json__key(j, "args");
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "sort_index", tl->index);
	ds_json__end_object(j);
	ds_json__end_object(j);
	c->events++;
}

int ds_chrome__finish(struct ds_chrome *c)
{
	struct chrome_buf *b;
	struct ds_json *j;
	struct chrome_timeline *tl;
	struct chrome_thread *t;
	struct chrome_proc *p;
	int err, i;

	if (!c)
		return -EINVAL;
	if (c->finished)
		return 0;
	j = &c->j;

	for (t = c->thr_head; t; t = t->next) {
		struct chrome_wait w = {
			.start = t->wait_ts,
			.end = c->last_ts > t->wait_ts ? c->last_ts : t->wait_ts,
			.context = t->wait_context,
			.seqno = t->wait_seqno,
			.pid = t->pid,
			.tid = t->tid,
			.flags = t->wait_flags,
			.comm = t->comm,
			.unfinished = true,
		};

		if (!t->pending)
			continue;
		w.duration_ns = w.end - w.start;
		err = chrome__wait_slices(c, &w);
		if (err)
			return err;
		t->pending = false;
	}

	for (i = 0; i < CHROME_VPR_OPEN; i++) {
		struct chrome_vpr_end e = { .ts = c->last_ts };

		if (c->vpr[i].used)
			chrome__vpr_resize(c, &c->vpr[i], &e);
	}

	for (tl = c->tl_head; tl; tl = tl->next)
		chrome__timeline_meta(c, tl);
	for (p = c->proc_head; p; p = p->next)
		chrome__meta_name(c, "process_name", p->pid, 0, p->comm);
	if (c->buf_head)
		chrome__meta_name(c, "process_name", CHROME_DMABUF_PID, 0, "dma-buf");
	for (b = c->buf_head; b; b = b->next) {
		char label[96];

		snprintf(label, sizeof(label), "%s ino %llu (%llu bytes)", b->exp_name,
			 (unsigned long long)b->ino, (unsigned long long)b->size);
		chrome__meta_name(c, "thread_name", CHROME_DMABUF_PID, chrome__buf_tid(b->ino),
				  label);
	}
	for (t = c->thr_head; t; t = t->next)
		chrome__meta_name(c, "thread_name", t->pid, t->tid, t->comm);
	if (c->vpr_seen) {
		char label[64];

		snprintf(label, sizeof(label), "Tegra VPR (%s)",
			 c->vpr_heap[0] ? c->vpr_heap : "vpr");
		chrome__meta_name(c, "process_name", CHROME_VPR_PID, 0, label);
		chrome__meta_name(c, "thread_name", CHROME_VPR_PID, CHROME_VPR_TID, "resizes");
		if (c->vpr_frozen_drawn)
			chrome__meta_name(c, "thread_name", CHROME_VPR_PID, CHROME_VPR_FROZEN_TID,
					  "user space frozen");
	}

	ds_json__end_array(j);
	ds_json__kv_str(j, "displayTimeUnit", "ns");
	ds_json__key(j, "otherData");
	ds_json__begin_object(j);
	ds_json__kv_str(j, "tool", "deptscope");
	ds_json__kv_str(j, "version", DS_VERSION);
	ds_json__end_object(j);
	ds_json__end_object(j);
	ds_json__finish(j);
	c->finished = true;
	return ferror(c->f) ? -EIO : 0;
}

int ds_chrome__new(FILE *f, struct ds_chrome **out)
{
	struct ds_chrome *c;
	int err;

	if (!f || !out)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->f = f;
	c->tl_tail = &c->tl_head;
	c->name_tail = &c->name_head;
	c->proc_tail = &c->proc_head;
	c->thr_tail = &c->thr_head;
	c->buf_tail = &c->buf_head;
	err = ds_map__init(&c->timelines, 16);
	if (!err)
		err = ds_map__init(&c->names, 16);
	if (!err)
		err = ds_map__init(&c->procs, 16);
	if (!err)
		err = ds_map__init(&c->threads, 16);
	if (!err)
		err = ds_map__init(&c->bufs, 16);
	if (err)
		goto err_free;

	ds_json__init(&c->j, f, false);
	ds_json__begin_object(&c->j);
	ds_json__key(&c->j, "traceEvents");
	ds_json__begin_array(&c->j);
	if (ferror(f)) {
		err = -EIO;
		goto err_free;
	}
	*out = c;
	return 0;

err_free:
	ds_chrome__free(c);
	return err;
}

void ds_chrome__free(struct ds_chrome *c)
{
	struct chrome_timeline *tl, *tl_next;
	struct chrome_name *n, *n_next;
	struct chrome_proc *p, *p_next;
	struct chrome_thread *t, *t_next;
	struct chrome_buf *b, *b_next;

	if (!c)
		return;
	for (b = c->buf_head; b; b = b_next) {
		b_next = b->next;
		free(b);
	}
	for (tl = c->tl_head; tl; tl = tl_next) {
		tl_next = tl->next;
		free(tl);
	}
	for (n = c->name_head; n; n = n_next) {
		n_next = n->next;
		free(n);
	}
	for (p = c->proc_head; p; p = p_next) {
		p_next = p->next;
		free(p);
	}
	for (t = c->thr_head; t; t = t_next) {
		t_next = t->next;
		free(t);
	}
	ds_map__exit(&c->timelines);
	ds_map__exit(&c->names);
	ds_map__exit(&c->procs);
	ds_map__exit(&c->threads);
	ds_map__exit(&c->bufs);
	free(c);
}

uint64_t ds_chrome__events_written(const struct ds_chrome *c)
{
	return c ? c->events : 0;
}
