// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
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
	struct bpf_link *link;

	/* a tracepoint that went away between the load and the attach */
	if (ds_test_fault("attach", event)) {
		link = NULL;
		errno = ENOENT;
	} else {
		link = bpf_program__attach(p);
	}
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
				struct bpf_link **links, struct ds_bpf_stats *kstats,
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
	if (bs->stream) {
		int err = ds_stream__dispatch(bs->stream, data);

		if (err)
			return err;
	}
	/* the record is consumed even when we stop here: libbpf moved past it */
	if (bs->budget && !--bs->budget) {
		bs->budget_spent = true;
		return -ECANCELED;
	}
	return 0;
}

int ds_bpf_source__start(struct ds_bpf_source *bs, struct ds_bpf_stats *kstats,
			 int map_fd)
{
	if (!bs->nr_attached)
		return -ENOENT;
	bs->kstats = kstats;
	/* read once here, not on every poll */
	bs->fail_poll_at = ds_test_fault_num("poll");
	bs->rb = ring_buffer__new(map_fd, handle_event, bs, NULL);
	return bs->rb ? 0 : -errno;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Each detach waits for an RCU grace period (16-90 ms here, the classic
 * tracepoints the longest), and one after another they made Ctrl-C take a
 * third of a second: in parallel the grace periods overlap.
 */
static void destroy_links(struct bpf_link **links, unsigned int n)
{
	pthread_t th[32];
	bool started[32] = {};
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!links[i])
			continue;
		if (i < DS_ARRAY_SIZE(th) && n > 1 &&
		    !pthread_create(&th[i], NULL, destroy_link, links[i]))
			started[i] = true;
		else
			bpf_link__destroy(links[i]);
	}
	for (i = 0; i < n && i < DS_ARRAY_SIZE(th); i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (i = 0; i < n; i++)
		links[i] = NULL;
}

void ds_bpf_source__exit(struct ds_bpf_source *bs)
{
	/* never expected: a BPF/user ABI mismatch; say so rather than lose it silently */
	if (bs->malformed)
		ds_warn("%llu malformed records from the ring buffer were ignored",
			(unsigned long long)bs->malformed);
	ring_buffer__free(bs->rb);
	bs->rb = NULL;
	if (bs->links)
		destroy_links(bs->links, bs->nr_links);
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
	uint64_t before = bs->received;
	int n;

	if (bs->fail_poll_at && ++bs->polls >= bs->fail_poll_at)
		return -EIO;
	bs->stream = s;
	bs->budget = DS_BPF_POLL_BUDGET;
	bs->budget_spent = false;
	n = ring_buffer__poll(bs->rb, timeout_ms);
	bs->budget = 0;
	if (n == -EINTR || (n == -ECANCELED && bs->budget_spent))
		n = (int)(bs->received - before);
	return n;
}

/* Stop the producer: what is in the ring is still drained afterwards. */
static int source_quiesce(void *src)
{
	struct ds_bpf_source *bs = src;

	if (bs->kstats)
		__atomic_store_n(&bs->kstats->stopped, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Has every record the BPF side counted as emitted reached us? */
static bool source_drained(void *src)
{
	struct ds_bpf_source *bs = src;

	return !bs->kstats ||
	       bs->received >= __atomic_load_n(&bs->kstats->emitted, __ATOMIC_ACQUIRE);
}

static unsigned int source_bit(void *src)
{
	return ((struct ds_bpf_source *)src)->src_bit;
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
	.quiesce = source_quiesce,
	.drained = source_drained,
	.source = source_bit,
};
