/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-thread wait pairing and the in-kernel wait histogram, shared by every
 * program that times "a thread starts waiting ... the same thread stops
 * waiting".  Task local storage instead of a pid-keyed hash: no hash
 * lookup, no stale entries when a thread exits mid-wait (storage dies with
 * the task), and no map-full failures.
 */
#ifndef DS_WAIT_BPF_H
#define DS_WAIT_BPF_H

#include "hist.bpf.h"

struct wait_slot {
	__u64 ts;
	__u64 key;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct wait_slot);
} waits SEC(".maps");

/*
 * Log2 histogram of every completed wait.  Per-CPU so the hot path needs no
 * atomics; user space sums the CPUs.  It counts waits even when the ring
 * buffer is full, which is how user space proves it lost nothing.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} wait_hist SEC(".maps");

static __always_inline void wait_begin(struct task_struct *t, __u64 key, __u64 now)
{
	struct wait_slot *s;

	s = bpf_task_storage_get(&waits, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return;
	s->ts = now;
	s->key = key;
}

/* Returns the wait duration, or -1 when no matching wait_begin was seen. */
static __always_inline __s64 wait_finish(struct task_struct *t, __u64 key, __u64 now,
					 __u64 *start)
{
	struct wait_slot *s;
	__u64 *cnt, delta;
	__u32 slot;

	s = bpf_task_storage_get(&waits, t, 0, 0);
	if (!s || !s->ts || s->key != key)
		return -1;
	delta = now - s->ts;
	*start = s->ts;
	s->ts = 0;
	slot = ds_log2_slot(delta);
	cnt = bpf_map_lookup_elem(&wait_hist, &slot);
	if (cnt)
		*cnt += 1;
	return delta;
}

#endif /* DS_WAIT_BPF_H */
