/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DS_HIST_BPF_H
#define DS_HIST_BPF_H

/*
 * Slot of v in a log2 histogram: 0 for 0 and 1, n for [2^n, 2^(n+1)).
 * Branch-free binary search because BPF has no count-leading-zeros; the
 * same mapping is used by lib/hist.c so in-kernel and user-space buckets
 * agree.
 */
static __always_inline __u32 ds_log2_slot(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xFFFFFFFFULL) << 5; v >>= r;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

#endif /* DS_HIST_BPF_H */
