/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Private to lib/: nothing here is API. */
#ifndef DS_INTERNAL_H
#define DS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Copy a fixed-size kernel string, which may lack its NUL, into @dst:
 * at most @dst_size - 1 bytes and never past @src_size; always terminated.
 */
static inline void ds_copy_field(char *dst, size_t dst_size, const char *src, size_t src_size)
{
	size_t len = strnlen(src, src_size < dst_size - 1 ? src_size : dst_size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * u64 -> pointer map, open addressing with linear probing and backward-shift
 * deletion (no tombstones, so lookups stay short however many deletes).
 * A stored key of 0 marks an empty slot, so key 0 itself lives aside.
 */
struct ds_map {
	uint64_t *keys;
	void **vals;
	size_t cap;	/* power of two */
	size_t len;
	void *zero_val;	/* value of key 0, NULL if absent */
};

int ds_map__init(struct ds_map *m, size_t cap_hint);
void ds_map__exit(struct ds_map *m);
void *ds_map__get(const struct ds_map *m, uint64_t key);
/* Insert or replace; -ENOMEM on failure. */
int ds_map__set(struct ds_map *m, uint64_t key, void *val);
/* Remove and return the value, NULL if absent. */
void *ds_map__del(struct ds_map *m, uint64_t key);

/* Iterate: zero_val, then for (i = 0; i < m->cap; i++) if (m->keys[i]) m->vals[i]. */

#endif
