// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

static size_t slot_of(const struct ds_map *m, uint64_t key)
{
	/* Fibonacci hashing: fence pointers and contexts share low bits */
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (m->cap - 1);
}

int ds_map__init(struct ds_map *m, size_t cap_hint)
{
	size_t cap = 16;

	while (cap < cap_hint * 2)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		m->keys = NULL;
		m->vals = NULL;
		return -ENOMEM;
	}
	m->cap = cap;
	m->len = 0;
	m->zero_val = NULL;
	return 0;
}

void ds_map__exit(struct ds_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->len = 0;
}

void *ds_map__get(const struct ds_map *m, uint64_t key)
{
	size_t i;

	if (!key)
		return m->zero_val;
	for (i = slot_of(m, key); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static void put(struct ds_map *m, uint64_t hkey, void *val)
{
	size_t i;

	for (i = slot_of(m, hkey); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == hkey) {
			m->vals[i] = val;
			return;
		}
	}
	m->keys[i] = hkey;
	m->vals[i] = val;
	m->len++;
}

static int grow(struct ds_map *m)
{
	struct ds_map n;
	size_t i;

	n.cap = m->cap * 2;
	n.len = 0;
	n.zero_val = m->zero_val;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++)
		if (m->keys[i])
			put(&n, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

int ds_map__set(struct ds_map *m, uint64_t key, void *val)
{
	int err;

	if (!key) {
		m->zero_val = val;
		return 0;
	}
	if ((m->len + 1) * 2 > m->cap) {
		err = grow(m);
		if (err)
			return err;
	}
	put(m, key, val);
	return 0;
}

void *ds_map__del(struct ds_map *m, uint64_t key)
{
	size_t i, j, home;
	void *val;

	if (!key) {
		val = m->zero_val;
		m->zero_val = NULL;
		return val;
	}
	for (i = slot_of(m, key); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			break;
	if (!m->keys[i])
		return NULL;
	val = m->vals[i];
	/* shift back later entries of the probe run that may move into the hole */
	for (j = (i + 1) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1)) {
		home = slot_of(m, m->keys[j]);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = 0;
	m->vals[i] = NULL;
	m->len--;
	return val;
}
