// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dma-fence wait profiling.
 *
 * tp_btf programs see the struct dma_fence itself, so they key everything
 * by the fence pointer and read the full 64-bit context/seqno (the trace
 * record truncates both to 32 bits).  They cannot call ops->get_*_name(),
 * so three classic tracepoint programs pick the driver/timeline strings
 * the kernel already formatted into the record and send them once per
 * context.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "deptscope_events.h"
#include "common/wait.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_tgid;		/* 0: all waiters */
const volatile __u32 targ_ping_tid;	/* self-test: thread to follow */
const volatile __u32 targ_ping_nr;	/* self-test: syscall number */
const volatile __u32 targ_ping_tgid;	/* self-test: every syscall of this process */

struct ds_bpf_stats stats;
__u64 ping_seq;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* Contexts whose names were already sent; LRU so a long run cannot fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} names SEC(".maps");

static __always_inline void fill_hdr(struct ds_event_hdr *h, __u16 type, __u16 size, __u64 now)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->ts = now;
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->pid = id >> 32;
	h->tid = (__u32)id;
}

/*
 * The signalled bit moved between kernels (bit 0 in 6.12, 1 in 6.18, 3 in
 * 7.3): let CO-RE relocate the enum value instead of hard-coding it.
 */
static __always_inline __u32 fence_flags(struct dma_fence *f, const void *ops)
{
	unsigned long fl = BPF_CORE_READ(f, flags);
	int bit = bpf_core_enum_value(enum dma_fence_flag_bits, DMA_FENCE_FLAG_SIGNALED_BIT);
	__u32 r = 0;

	if (fl & (1UL << (bit & 63)))
		r |= DS_FENCE_F_SIGNALED;
	if (!ops)
		r |= DS_FENCE_F_OPS_NULL;
	return r;
}

static __always_inline int emit_fence(void *ctx, struct dma_fence *f, __u16 type,
				      __u64 now, __u64 start, __s64 dur, bool with_stack)
{
	__u32 size = with_stack ? sizeof(struct ds_fence_event) : DS_FENCE_EVENT_BASE_SIZE;
	struct ds_fence_event *e;
	const void *ops;
	long n;

	if (stats.stopped)
		return 0;
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return 0;
	}
	fill_hdr(&e->hdr, type, DS_FENCE_EVENT_BASE_SIZE, now);
	/* 7.x made ops __rcu and NULL after signalling: read, never call. */
	ops = BPF_CORE_READ(f, ops);
	e->fence = (__u64)f;
	e->context = BPF_CORE_READ(f, context);
	e->seqno = BPF_CORE_READ(f, seqno);
	e->ops = (__u64)ops;
	e->start_ts = start;
	e->duration_ns = dur > 0 ? dur : 0;
	e->flags = fence_flags(f, ops);
	if (type == DS_EV_FENCE_WAIT_END && dur < 0)
		e->flags |= DS_FENCE_F_NO_START;
	e->nr_frames = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (with_stack) {
		n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
		if (n > 0) {
			e->nr_frames = n / sizeof(__u64);
			e->hdr.size = DS_FENCE_EVENT_BASE_SIZE + n;
		}
	}
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

static __always_inline bool waiter_filtered(void)
{
	return targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid;
}

SEC("tp_btf/dma_fence_init")
int BPF_PROG(ds_fence_init, struct dma_fence *fence)
{
	return emit_fence(ctx, fence, DS_EV_FENCE_INIT, bpf_ktime_get_ns(), 0, 0, false);
}

SEC("tp_btf/dma_fence_emit")
int BPF_PROG(ds_fence_emit, struct dma_fence *fence)
{
	return emit_fence(ctx, fence, DS_EV_FENCE_EMIT, bpf_ktime_get_ns(), 0, 0, false);
}

SEC("tp_btf/dma_fence_enable_signal")
int BPF_PROG(ds_fence_enable, struct dma_fence *fence)
{
	return emit_fence(ctx, fence, DS_EV_FENCE_ENABLE_SIGNAL, bpf_ktime_get_ns(), 0, 0,
			  false);
}

SEC("tp_btf/dma_fence_signaled")
int BPF_PROG(ds_fence_signal, struct dma_fence *fence)
{
	return emit_fence(ctx, fence, DS_EV_FENCE_SIGNALED, bpf_ktime_get_ns(), 0, 0, false);
}

SEC("tp_btf/dma_fence_wait_start")
int BPF_PROG(ds_fence_wstart, struct dma_fence *fence)
{
	__u64 now = bpf_ktime_get_ns();

	if (waiter_filtered())
		return 0;
	wait_begin(bpf_get_current_task_btf(), (__u64)fence, now);
	return emit_fence(ctx, fence, DS_EV_FENCE_WAIT_START, now, 0, 0, true);
}

SEC("tp_btf/dma_fence_wait_end")
int BPF_PROG(ds_fence_wend, struct dma_fence *fence)
{
	__u64 now = bpf_ktime_get_ns(), start = 0;
	__s64 dur;

	if (waiter_filtered())
		return 0;
	dur = wait_finish(bpf_get_current_task_btf(), (__u64)fence, now, &start);
	if (dur < 0)
		__sync_fetch_and_add(&stats.waits_unmatched, 1);
	return emit_fence(ctx, fence, DS_EV_FENCE_WAIT_END, now, start, dur, false);
}

SEC("tp_btf/dma_fence_destroy")
int BPF_PROG(ds_fence_free, struct dma_fence *fence)
{
	return emit_fence(ctx, fence, DS_EV_FENCE_DESTROY, bpf_ktime_get_ns(), 0, 0, false);
}

/*
 * Classic tracepoint record of every dma_fence event, identical in 6.12 and
 * 7.x.  User space checks these offsets against the tracefs format file
 * before loading the name programs.
 */
struct fence_rec {
	__u64 common;
	__u32 loc_driver;
	__u32 loc_timeline;
	__u32 context;
	__u32 seqno;
};

/* 7.x replaces the names of signalled fences with these placeholders. */
static __always_inline bool placeholder(const char *s)
{
	return (s[0] == 'd' && s[1] == 'e' && s[2] == 't' && s[8] == '-') ||
	       (s[0] == 's' && s[1] == 'i' && s[2] == 'g' && s[8] == '-');
}

static __always_inline int emit_name(struct fence_rec *rec)
{
	struct ds_fence_name_event *e;
	__u32 key = rec->context;
	__u8 one = 1;

	if (stats.stopped || bpf_map_lookup_elem(&names, &key))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return 0;
	}
	bpf_probe_read_kernel_str(e->driver, sizeof(e->driver),
				  (void *)rec + (rec->loc_driver & 0xffff));
	bpf_probe_read_kernel_str(e->timeline, sizeof(e->timeline),
				  (void *)rec + (rec->loc_timeline & 0xffff));
	if (placeholder(e->driver) || placeholder(e->timeline)) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	if (bpf_map_update_elem(&names, &key, &one, BPF_NOEXIST)) {
		/* Another CPU won the race: it sends the names. */
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	fill_hdr(&e->hdr, DS_EV_FENCE_NAME, sizeof(*e), bpf_ktime_get_ns());
	e->context32 = rec->context;
	e->seqno32 = rec->seqno;
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

SEC("tracepoint/dma_fence/dma_fence_init")
int ds_fnm_init(struct fence_rec *rec)
{
	return emit_name(rec);
}

SEC("tracepoint/dma_fence/dma_fence_wait_start")
int ds_fnm_wait(struct fence_rec *rec)
{
	return emit_name(rec);
}

SEC("tracepoint/dma_fence/dma_fence_signaled")
int ds_fnm_signal(struct fence_rec *rec)
{
	return emit_name(rec);
}

/*
 * Self-test source: one event per chosen syscall of one thread, or per
 * syscall of one process (targ_ping_tgid), to load the ring buffer at a
 * known rate.  The sequence number is taken before the reservation, so the
 * gaps in what user space receives are exactly the drops.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(ds_ping, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ds_ping_event *e;
	__u64 seq;

	if (targ_ping_tgid) {
		if (pid_tgid >> 32 != targ_ping_tgid)
			return 0;
	} else if ((__u32)pid_tgid != targ_ping_tid || id != targ_ping_nr) {
		return 0;
	}
	if (stats.stopped)
		return 0;
	seq = __sync_fetch_and_add(&ping_seq, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return 0;
	}
	fill_hdr(&e->hdr, DS_EV_PING, sizeof(*e), bpf_ktime_get_ns());
	e->seq = seq;
	e->syscall_nr = id;
	bpf_ringbuf_submit(e, 0);
	__sync_fetch_and_add(&stats.emitted, 1);
	return 0;
}

/*
 * Benchmark probe: the exact per-event work of a fence wait (pair start and
 * end per thread, log2 histogram) driven by sched_switch, which fires
 * thousands of times a second on any machine.  Never loaded by the tools.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(ds_bench_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), start;

	wait_begin(prev, 0, now);
	wait_finish(next, 0, now, &start);
	return 0;
}
