// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The DEPT tracepoints of kernel/patches/dept (include/trace/events/dept.h).
 * They take plain values, so tp_btf programs read their arguments without
 * any DEPT type in BTF.  DEPT calls them with IRQs off under its arch
 * spinlock: nothing here may sleep, and nothing does.
 *
 * Dependency records carry class keys only.  A class record goes out the
 * first time a key is seen, from dept_class_new or from the names a
 * dependency event passes, so a consumer that starts after the classes
 * were created still gets their names.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "deptscope_events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct ds_bpf_stats stats;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/*
 * Keys whose class record was sent.  DEPT's class pool starts at 4096 and
 * grows by refills; past this size classes are simply sent again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} sent SEC(".maps");

static __always_inline void *reserve(__u64 size, __u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ds_event_hdr *h;

	if (stats.stopped)
		return NULL;
	h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return NULL;
	}
	h->ts = bpf_ktime_get_ns();
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	return h;
}

static __always_inline void submit(void *e)
{
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
}

static __always_inline void send_class(const void *key, const char *name, int sub, bool sched)
{
	__u64 k = (__u64)key;
	struct ds_dept_class_event *e;
	__u8 one = 1;

	e = reserve(sizeof(*e), DS_EV_DEPT_CLASS);
	if (!e)
		return;
	e->key = k;
	e->sub_id = sub;
	e->flags = sched ? DS_DEPT_CLASS_F_SCHED : 0;
	if (!name || bpf_probe_read_kernel_str(e->name, sizeof(e->name), name) < 0)
		__builtin_memcpy(e->name, "(unknown)", 10);
	submit(e);
	if (bpf_map_update_elem(&sent, &k, &one, BPF_ANY))
		__sync_fetch_and_add(&stats.names_dropped, 1);
}

static __always_inline void ensure_class(const void *key, const char *name, int sub)
{
	__u64 k = (__u64)key;

	if (!bpf_map_lookup_elem(&sent, &k))
		send_class(key, name, sub, false);
}

static __always_inline void copy_fn(char *dst, const char *src)
{
	if (!src || bpf_probe_read_kernel_str(dst, DS_DEPT_FN_LEN, src) < 0)
		__builtin_memcpy(dst, "(unknown)", 10);
}

static __always_inline int send_dep(__u16 type, unsigned int circle, unsigned int idx,
				    const void *fkey, const char *fname, int fsub,
				    const void *tkey, const char *tname, int tsub,
				    const char *ecxt_fn, const char *event_fn,
				    const char *wait_fn, unsigned int flags)
{
	struct ds_dept_dep_event *e;

	ensure_class(fkey, fname, fsub);
	ensure_class(tkey, tname, tsub);
	e = reserve(sizeof(*e), type);
	if (!e)
		return 0;
	e->fkey = (__u64)fkey;
	e->tkey = (__u64)tkey;
	e->circle = circle;
	e->idx = idx;
	e->fsub = fsub;
	e->tsub = tsub;
	e->flags = flags;
	e->pad = 0;
	copy_fn(e->ecxt_fn, ecxt_fn);
	copy_fn(e->event_fn, event_fn);
	copy_fn(e->wait_fn, wait_fn);
	submit(e);
	return 0;
}

SEC("tp_btf/dept_class_new")
int BPF_PROG(ds_dept_class, const void *key, const char *name, int sub_id, bool sched)
{
	send_class(key, name, sub_id, sched);
	return 0;
}

SEC("tp_btf/dept_dep_new")
int BPF_PROG(ds_dept_dep, unsigned int circle, unsigned int idx,
	     const void *fkey, const char *fname, int fsub,
	     const void *tkey, const char *tname, int tsub,
	     const char *ecxt_fn, const char *event_fn, const char *wait_fn, unsigned int flags)
{
	return send_dep(DS_EV_DEPT_DEP, circle, idx, fkey, fname, fsub, tkey, tname, tsub,
			ecxt_fn, event_fn, wait_fn, flags);
}

SEC("tp_btf/dept_circle_dep")
int BPF_PROG(ds_dept_circle_dep, unsigned int circle, unsigned int idx,
	     const void *fkey, const char *fname, int fsub,
	     const void *tkey, const char *tname, int tsub,
	     const char *ecxt_fn, const char *event_fn, const char *wait_fn, unsigned int flags)
{
	return send_dep(DS_EV_DEPT_CIRCLE_DEP, circle, idx, fkey, fname, fsub, tkey, tname,
			tsub, ecxt_fn, event_fn, wait_fn, flags);
}

SEC("tp_btf/dept_circle")
int BPF_PROG(ds_dept_circle, unsigned int circle, unsigned int nr, int verdict)
{
	struct ds_dept_circle_event *e = reserve(sizeof(*e), DS_EV_DEPT_CIRCLE);

	if (!e)
		return 0;
	e->circle = circle;
	e->nr = nr;
	e->verdict = verdict;
	e->pad = 0;
	submit(e);
	return 0;
}

SEC("tp_btf/dept_circle_stack")
int BPF_PROG(ds_dept_stack, unsigned int circle, unsigned int idx, int point,
	     unsigned long ip, const unsigned long *entries, unsigned int nr)
{
	struct ds_dept_stack_event *e = reserve(sizeof(*e), DS_EV_DEPT_STACK);
	/*
	 * The mask bounds the very register the read uses: a plain clamp of
	 * the 32-bit argument let clang test one copy and use another.
	 */
	__u64 n = nr & 0x1f;

	if (!e)
		return 0;
	e->circle = circle;
	e->idx = idx;
	e->point = point;
	e->ip = ip;
	if (n > DS_DEPT_MAX_STACK)
		n = DS_DEPT_MAX_STACK;
	if (!entries || bpf_probe_read_kernel(e->entries, n * sizeof(__u64), entries) < 0)
		n = 0;
	e->nr = n;
	e->hdr.size = DS_DEPT_STACK_BASE_SIZE + n * sizeof(__u64);
	submit(e);
	return 0;
}

SEC("tp_btf/dept_health")
int BPF_PROG(ds_dept_health, int what, const char *pool, unsigned long bytes)
{
	struct ds_dept_health_event *e = reserve(sizeof(*e), DS_EV_DEPT_HEALTH);

	if (!e)
		return 0;
	e->what = what;
	e->pad = 0;
	e->bytes = bytes;
	if (!pool || bpf_probe_read_kernel_str(e->pool, sizeof(e->pool), pool) < 0)
		e->pool[0] = '\0';
	submit(e);
	return 0;
}

/*
 * The same events as classic tracepoints, for a kernel whose BTF lacks
 * them.  The layouts are the records of include/trace/events/dept.h:
 * struct trace_entry (8 bytes), then TP_STRUCT__entry in order, naturally
 * aligned; strings and the stack are __data_loc (offset in the low 16
 * bits, length in the high 16).
 */
struct tp_dept_class {
	__u64 common;
	__u64 key;
	__u32 name;
	__s32 sub_id;
	__u8 sched;
};

struct tp_dept_dep {
	__u64 common;
	__u32 circle;
	__u32 idx;
	__u64 fkey;
	__u64 tkey;
	__s32 fsub;
	__s32 tsub;
	__u32 flags;
	__u32 fname;
	__u32 tname;
	__u32 ecxt_fn;
	__u32 event_fn;
	__u32 wait_fn;
};

struct tp_dept_circle {
	__u64 common;
	__u32 circle;
	__u32 nr;
	__s32 verdict;
};

struct tp_dept_stack {
	__u64 common;
	__u32 circle;
	__u32 idx;
	__s32 point;
	__u64 ip;
	__u32 entries;
};

struct tp_dept_health {
	__u64 common;
	__s32 what;
	__u32 pool;
	__u64 bytes;
};

/* A __data_loc string of the record at @ctx, as a kernel pointer. */
static __always_inline const char *loc_str(void *ctx, __u32 loc)
{
	return (const char *)ctx + (loc & 0xffff);
}

SEC("tracepoint/dept/dept_class_new")
int ds_dept_class_tp(struct tp_dept_class *ctx)
{
	send_class((const void *)ctx->key, loc_str(ctx, ctx->name), ctx->sub_id, ctx->sched);
	return 0;
}

static __always_inline int send_dep_tp(__u16 type, struct tp_dept_dep *ctx)
{
	return send_dep(type, ctx->circle, ctx->idx, (const void *)ctx->fkey,
			loc_str(ctx, ctx->fname), ctx->fsub, (const void *)ctx->tkey,
			loc_str(ctx, ctx->tname), ctx->tsub, loc_str(ctx, ctx->ecxt_fn),
			loc_str(ctx, ctx->event_fn), loc_str(ctx, ctx->wait_fn), ctx->flags);
}

SEC("tracepoint/dept/dept_dep_new")
int ds_dept_dep_tp(struct tp_dept_dep *ctx)
{
	return send_dep_tp(DS_EV_DEPT_DEP, ctx);
}

SEC("tracepoint/dept/dept_circle_dep")
int ds_dept_circle_dep_tp(struct tp_dept_dep *ctx)
{
	return send_dep_tp(DS_EV_DEPT_CIRCLE_DEP, ctx);
}

SEC("tracepoint/dept/dept_circle")
int ds_dept_circle_tp(struct tp_dept_circle *ctx)
{
	struct ds_dept_circle_event *e = reserve(sizeof(*e), DS_EV_DEPT_CIRCLE);

	if (!e)
		return 0;
	e->circle = ctx->circle;
	e->nr = ctx->nr;
	e->verdict = ctx->verdict;
	e->pad = 0;
	submit(e);
	return 0;
}

SEC("tracepoint/dept/dept_circle_stack")
int ds_dept_stack_tp(struct tp_dept_stack *ctx)
{
	struct ds_dept_stack_event *e = reserve(sizeof(*e), DS_EV_DEPT_STACK);
	__u32 loc = ctx->entries;
	/* bytes to frames, bounded in the register the read uses (see above) */
	__u64 n = (loc >> 19) & 0x1f;

	if (!e)
		return 0;
	e->circle = ctx->circle;
	e->idx = ctx->idx;
	e->point = ctx->point;
	e->ip = ctx->ip;
	if (n > DS_DEPT_MAX_STACK)
		n = DS_DEPT_MAX_STACK;
	if (bpf_probe_read_kernel(e->entries, n * sizeof(__u64), loc_str(ctx, loc)) < 0)
		n = 0;
	e->nr = n;
	e->hdr.size = DS_DEPT_STACK_BASE_SIZE + n * sizeof(__u64);
	submit(e);
	return 0;
}

SEC("tracepoint/dept/dept_health")
int ds_dept_health_tp(struct tp_dept_health *ctx)
{
	struct ds_dept_health_event *e = reserve(sizeof(*e), DS_EV_DEPT_HEALTH);

	if (!e)
		return 0;
	e->what = ctx->what;
	e->pad = 0;
	e->bytes = ctx->bytes;
	if (bpf_probe_read_kernel_str(e->pool, sizeof(e->pool), loc_str(ctx, ctx->pool)) < 0)
		e->pool[0] = '\0';
	submit(e);
	return 0;
}
