// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "deptscope/event.h"
#include "deptscope/log.h"
#include "deptscope/util.h"
#include "bpf_source.h"

void ds_bpf_source__add_missing(struct ds_bpf_source *bs, const char *what)
{
	size_t len = strlen(bs->missing);

	snprintf(bs->missing + len, sizeof(bs->missing) - len, "%s%s", len ? "," : "", what);
}

struct bpf_link *ds_bpf_source__attach(struct ds_bpf_source *bs, struct bpf_program *p,
				       const char *event)
{
	struct bpf_link *link = bpf_program__attach(p);

	if (!link) {
		ds_dbg("attaching %s failed: %s", bpf_program__name(p), strerror(errno));
		ds_bpf_source__add_missing(bs, event);
		return NULL;
	}
	bs->nr_attached++;
	return link;
}

int ds_bpf_source__select_btf(struct ds_bpf_source *bs, struct bpf_object *obj,
			      const struct ds_bpf_prog_ref *refs, unsigned int n,
			      struct bpf_program **progs)
{
	struct btf *btf;
	unsigned int i;
	int nr = 0;

	for (i = 0; i < n; i++) {
		progs[i] = bpf_object__find_program_by_name(obj, refs[i].prog);
		if (!progs[i])
			return -ENOENT;
	}
	btf = btf__load_vmlinux_btf();
	for (i = 0; i < n; i++) {
		bool have = ds_btf_has_tp(btf, refs[i].event);

		if (!have)
			ds_bpf_source__add_missing(bs, refs[i].event);
		bpf_program__set_autoload(progs[i], have);
		nr += have;
	}
	btf__free(btf);
	return nr;
}

int ds_bpf_source__attach_start(struct ds_bpf_source *bs, const struct ds_bpf_prog_ref *refs,
				unsigned int n, struct bpf_program **progs,
				struct bpf_link **links, const struct ds_bpf_stats *kstats,
				int map_fd)
{
	unsigned int i;

	bs->links = links;
	bs->nr_links = n;
	for (i = 0; i < n; i++)
		if (progs[i] && bpf_program__autoload(progs[i]))
			links[i] = ds_bpf_source__attach(bs, progs[i], refs[i].event);
	return ds_bpf_source__start(bs, kstats, map_fd);
}

int ds_bpf_source__size_ring(struct bpf_map *events, unsigned int kb, unsigned int default_kb)
{
	return bpf_map__set_max_entries(events, (kb ? kb : default_kb) << 10);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct ds_bpf_source *bs = ctx;

	if (ds_event__check(data, size) < 0) {
		bs->malformed++;
		return 0;
	}
	bs->received++;
	return bs->stream ? ds_stream__dispatch(bs->stream, data) : 0;
}

int ds_bpf_source__start(struct ds_bpf_source *bs, const struct ds_bpf_stats *kstats,
			 int map_fd)
{
	if (!bs->nr_attached)
		return -ENOENT;
	bs->kstats = kstats;
	bs->rb = ring_buffer__new(map_fd, handle_event, bs, NULL);
	return bs->rb ? 0 : -errno;
}

void ds_bpf_source__exit(struct ds_bpf_source *bs)
{
	unsigned int i;

	/* never expected: a BPF/user ABI mismatch; say so rather than lose it silently */
	if (bs->malformed)
		ds_warn("%llu malformed records from the ring buffer were ignored",
			(unsigned long long)bs->malformed);
	ring_buffer__free(bs->rb);
	bs->rb = NULL;
	for (i = 0; i < bs->nr_links; i++) {
		bpf_link__destroy(bs->links[i]);
		bs->links[i] = NULL;
	}
}

bool ds_btf_has_tp(const struct btf *btf, const char *event)
{
	char name[128];

	if (!btf)
		return false;
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

static int source_poll(void *src, struct ds_stream *s, int timeout_ms)
{
	struct ds_bpf_source *bs = src;
	int n;

	bs->stream = s;
	n = ring_buffer__poll(bs->rb, timeout_ms);
	return n == -EINTR ? 0 : n;
}

static int source_fd(void *src)
{
	return ring_buffer__epoll_fd(((struct ds_bpf_source *)src)->rb);
}

static int source_stats(void *src, struct ds_meta_stats *st)
{
	struct ds_bpf_source *bs = src;
	const struct ds_bpf_stats *k = bs->kstats;

	memset(st, 0, sizeof(*st));
	st->hdr.type = DS_EV_META_STATS;
	st->hdr.size = sizeof(*st);
	st->hdr.ts = ds_now_mono_ns();
	st->received = bs->received;
	/* bss is mmapped: read each counter once, the BPF side keeps adding */
	st->emitted = __atomic_load_n(&k->emitted, __ATOMIC_RELAXED);
	st->dropped = __atomic_load_n(&k->dropped, __ATOMIC_RELAXED);
	st->names_dropped = __atomic_load_n(&k->names_dropped, __ATOMIC_RELAXED);
	st->waits_unmatched = __atomic_load_n(&k->waits_unmatched, __ATOMIC_RELAXED);
	return 0;
}

const struct ds_source_ops ds_bpf_source_ops = {
	.name = "bpf",
	.poll = source_poll,
	.fd = source_fd,
	.stats = source_stats,
};
