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
	int err;

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
