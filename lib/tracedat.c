// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace.dat import; see tracedat.h.  Each known event gets a table of
 * field bindings, resolved once against the format stored in the file:
 * the offsets on the board that recorded it are the ones that count, so
 * nothing here assumes a layout.  Every read is checked against the
 * record's size, because the file may be truncated or damaged anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <trace-cmd/trace-cmd.h>
#include "deptscope/event.h"
#include "deptscope/tracedat.h"
#include "internal.h"

#define MAX_BUFFERS	16
#define MAX_BINDS	14

enum bind_kind {
	B_NUM,		/* integer field into an integer member */
	B_STR,		/* string or char array into a char array member */
	B_END,
};

struct bind_spec {
	const char *field;
	uint16_t off;		/* in the DS_EV_* record */
	uint8_t size;		/* member size; for B_STR, the array's */
	uint8_t kind;
};

/* What a known event becomes. */
enum rec_kind { K_FENCE, K_DMABUF, K_VFIO, K_VPR };

struct ev_spec {
	const char *sys, *name;
	uint16_t type;		/* DS_EV_* */
	uint8_t kind;
	const struct bind_spec *binds;
};

#define NUM(f, st, m)	{ f, offsetof(st, m), sizeof(((st *)0)->m), B_NUM }
#define STR(f, st, m)	{ f, offsetof(st, m), sizeof(((st *)0)->m), B_STR }
#define END		{ NULL, 0, 0, B_END }

/* dma_fence: the record has 32-bit context and seqno and the two names. */
static const struct bind_spec fence_binds[] = {
	NUM("context", struct ds_fence_event, context),
	NUM("seqno", struct ds_fence_event, seqno),
	END
};

/* dma_buf, upstream and kernel/patches: every field, where the event has it */
static const struct bind_spec dmabuf_binds[] = {
	NUM("size", struct ds_dmabuf_event, size),
	NUM("ino", struct ds_dmabuf_event, ino),
	NUM("fd", struct ds_dmabuf_event, fd),
	NUM("attach", struct ds_dmabuf_event, attach),
	NUM("is_dynamic", struct ds_dmabuf_event, flags),
	NUM("duration_ns", struct ds_dmabuf_event, duration_ns),
	NUM("wait_ns", struct ds_dmabuf_event, duration_ns),
	NUM("ret", struct ds_dmabuf_event, ret),
	NUM("dir", struct ds_dmabuf_event, dir),
	NUM("nents", struct ds_dmabuf_event, nents),
	NUM("nr_notified", struct ds_dmabuf_event, nr_notified),
	STR("exp_name", struct ds_dmabuf_event, exp_name),
	STR("dev_name", struct ds_dmabuf_event, dev_name),
	END
};

static const struct bind_spec vfio_binds[] = {
	NUM("size", struct ds_vfio_dmabuf_event, db.size),
	NUM("ino", struct ds_vfio_dmabuf_event, db.ino),
	STR("exp_name", struct ds_vfio_dmabuf_event, db.exp_name),
	STR("dev_name", struct ds_vfio_dmabuf_event, db.dev_name),
	NUM("bar", struct ds_vfio_dmabuf_event, bar),
	NUM("nr_ranges", struct ds_vfio_dmabuf_event, nr_ranges),
	NUM("status", struct ds_vfio_dmabuf_event, new_status),
	NUM("old_status", struct ds_vfio_dmabuf_event, old_status),
	NUM("new_status", struct ds_vfio_dmabuf_event, new_status),
	NUM("cause", struct ds_vfio_dmabuf_event, cause),
	NUM("fence_wait_ns", struct ds_vfio_dmabuf_event, fence_wait_ns),
	NUM("unmap_wait_ns", struct ds_vfio_dmabuf_event, unmap_wait_ns),
	END
};

/* tegra_vpr: kernel/patches/tegra-vpr/README.md, table 1; as bpf/vpr.bpf.c */
#define VPR(f, m)	NUM(f, struct ds_vpr_event, m)
static const struct bind_spec vpr_range_binds[] = {
	VPR("start", base), VPR("limit", size), END
};
static const struct bind_spec vpr_begin_binds[] = {
	VPR("seq", seq), VPR("grow", grow), STR("heap", struct ds_vpr_event, name),
	VPR("buf_start", base), VPR("buf_size", size), VPR("old_base", old_base),
	VPR("old_size", old_size), END
};
static const struct bind_spec vpr_end_binds[] = {
	VPR("seq", seq), VPR("grow", grow), VPR("old_base", old_base),
	VPR("old_size", old_size), VPR("new_base", new_base), VPR("new_size", new_size),
	VPR("chunks", mask), VPR("duration_ns", duration_ns), VPR("err", err), END
};
static const struct bind_spec vpr_chunk_binds[] = {
	VPR("seq", seq), VPR("chunk", chunk), VPR("start", base), VPR("size", size),
	VPR("duration_ns", duration_ns), VPR("err", err), END
};
static const struct bind_spec vpr_freeze_binds[] = {
	VPR("seq", seq), VPR("duration_ns", duration_ns), VPR("err", err), END
};
static const struct bind_spec vpr_thaw_binds[] = {
	VPR("seq", seq), VPR("duration_ns", duration_ns), VPR("frozen_ns", frozen_ns), END
};
static const struct bind_spec vpr_dev_binds[] = {
	VPR("seq", seq), STR("dev", struct ds_vpr_event, name),
	VPR("duration_ns", duration_ns), VPR("err", err), END
};
static const struct bind_spec vpr_smc_binds[] = {
	VPR("seq", seq), VPR("base", base), VPR("size", size),
	VPR("duration_ns", duration_ns), VPR("ret", err), END
};
static const struct bind_spec vpr_rollback_binds[] = {
	VPR("seq", seq), VPR("grow", grow), VPR("chunks", mask), VPR("failed", failed),
	VPR("duration_ns", duration_ns), END
};

static const struct ev_spec specs[] = {
	{ "dma_fence", "dma_fence_init", DS_EV_FENCE_INIT, K_FENCE, fence_binds },
	{ "dma_fence", "dma_fence_emit", DS_EV_FENCE_EMIT, K_FENCE, fence_binds },
	{ "dma_fence", "dma_fence_enable_signal", DS_EV_FENCE_ENABLE_SIGNAL, K_FENCE,
	  fence_binds },
	{ "dma_fence", "dma_fence_signaled", DS_EV_FENCE_SIGNALED, K_FENCE, fence_binds },
	{ "dma_fence", "dma_fence_wait_start", DS_EV_FENCE_WAIT_START, K_FENCE, fence_binds },
	{ "dma_fence", "dma_fence_wait_end", DS_EV_FENCE_WAIT_END, K_FENCE, fence_binds },
	{ "dma_fence", "dma_fence_destroy", DS_EV_FENCE_DESTROY, K_FENCE, fence_binds },
	{ "dma_buf", "dma_buf_export", DS_EV_DMABUF_EXPORT, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_fd", DS_EV_DMABUF_FD, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_get", DS_EV_DMABUF_GET, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_put", DS_EV_DMABUF_PUT, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_mmap_internal", DS_EV_DMABUF_MMAP_INTERNAL, K_DMABUF,
	  dmabuf_binds },
	{ "dma_buf", "dma_buf_mmap", DS_EV_DMABUF_MMAP, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_dynamic_attach", DS_EV_DMABUF_ATTACH, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_detach", DS_EV_DMABUF_DETACH, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_invalidate_mappings", DS_EV_DMABUF_INVALIDATE, K_DMABUF,
	  dmabuf_binds },
	{ "dma_buf", "dma_buf_map_attachment", DS_EV_DMABUF_MAP, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_unmap_attachment", DS_EV_DMABUF_UNMAP, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_begin_cpu_access", DS_EV_DMABUF_BEGIN_CPU, K_DMABUF,
	  dmabuf_binds },
	{ "dma_buf", "dma_buf_end_cpu_access", DS_EV_DMABUF_END_CPU, K_DMABUF, dmabuf_binds },
	{ "dma_buf", "dma_buf_release", DS_EV_DMABUF_RELEASE, K_DMABUF, dmabuf_binds },
	{ "vfio_pci", "vfio_pci_dma_buf_export", DS_EV_VFIO_DMABUF_EXPORT, K_VFIO, vfio_binds },
	{ "vfio_pci", "vfio_pci_dma_buf_state_start", DS_EV_VFIO_DMABUF_STATE_START, K_VFIO,
	  vfio_binds },
	{ "vfio_pci", "vfio_pci_dma_buf_state_end", DS_EV_VFIO_DMABUF_STATE_END, K_VFIO,
	  vfio_binds },
	{ "tegra_vpr", "tegra_vpr_chunk_activate", DS_EV_VPR_CHUNK_ACTIVATE, K_VPR,
	  vpr_range_binds },
	{ "tegra_vpr", "tegra_vpr_chunk_deactivate", DS_EV_VPR_CHUNK_DEACTIVATE, K_VPR,
	  vpr_range_binds },
	{ "tegra_vpr", "tegra_vpr_set", DS_EV_VPR_SET, K_VPR, vpr_range_binds },
	{ "tegra_vpr", "tegra_vpr_resize_begin", DS_EV_VPR_RESIZE_BEGIN, K_VPR, vpr_begin_binds },
	{ "tegra_vpr", "tegra_vpr_resize_end", DS_EV_VPR_RESIZE_END, K_VPR, vpr_end_binds },
	{ "tegra_vpr", "tegra_vpr_cma_alloc", DS_EV_VPR_CMA_ALLOC, K_VPR, vpr_chunk_binds },
	{ "tegra_vpr", "tegra_vpr_map_device", DS_EV_VPR_MAP_DEVICE, K_VPR, vpr_chunk_binds },
	{ "tegra_vpr", "tegra_vpr_map_normal", DS_EV_VPR_MAP_NORMAL, K_VPR, vpr_chunk_binds },
	{ "tegra_vpr", "tegra_vpr_cma_release", DS_EV_VPR_CMA_RELEASE, K_VPR, vpr_chunk_binds },
	{ "tegra_vpr", "tegra_vpr_freeze", DS_EV_VPR_FREEZE, K_VPR, vpr_freeze_binds },
	{ "tegra_vpr", "tegra_vpr_thaw", DS_EV_VPR_THAW, K_VPR, vpr_thaw_binds },
	{ "tegra_vpr", "tegra_vpr_dev_freeze", DS_EV_VPR_DEV_FREEZE, K_VPR, vpr_dev_binds },
	{ "tegra_vpr", "tegra_vpr_dev_thaw", DS_EV_VPR_DEV_THAW, K_VPR, vpr_dev_binds },
	{ "tegra_vpr", "tegra_vpr_smc", DS_EV_VPR_SMC, K_VPR, vpr_smc_binds },
	{ "tegra_vpr", "tegra_vpr_rollback", DS_EV_VPR_ROLLBACK, K_VPR, vpr_rollback_binds },
};

#define NR_SPECS	(sizeof(specs) / sizeof(specs[0]))

/* A spec resolved against one buffer's formats. */
struct ev_bound {
	const struct ev_spec *spec;
	const struct tep_format_field *f[MAX_BINDS];
	const struct tep_format_field *driver, *timeline;	/* dma_fence */
	int id;
};

#define BY_ID_SLOTS	1024

struct tdbuf {
	struct tracecmd_input *in;
	struct tep_handle *tep;
	struct ev_bound ev[NR_SPECS];
	/* event id -> bound spec, direct-mapped: the lookup of every record */
	const struct ev_bound *by_id[BY_ID_SLOTS];
	int nr_cpus;
	struct tep_record **head;	/* per CPU: the next record, NULL when done */
};

/* A wait_start waiting for its end, per task (one wait at a time). */
struct wait_start {
	uint64_t fence;
	uint64_t ts;
};

union ds_any_event {
	struct ds_event_hdr hdr;
	struct ds_fence_event fence;
	struct ds_fence_name_event name;
	struct ds_dmabuf_event dmabuf;
	struct ds_vfio_dmabuf_event vfio;
	struct ds_vpr_event vpr;
	struct ds_meta_source src;
};

struct td_reader {
	struct tdbuf buf[MAX_BUFFERS];
	int nr_bufs;
	struct ds_map waits;		/* tid -> struct wait_start */
	struct ds_map named;		/* fence contexts with a DS_EV_FENCE_NAME sent */
	struct ds_map signaled;		/* fences whose dma_fence_signaled was seen */
	union ds_any_event out;
	union ds_any_event pending;	/* a record due after the one in out */
	bool have_pending;
	bool sent_source;
	bool eof;
	struct ds_tracedat_stats st;
};

static void td_close(struct td_reader *t);

static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };

int ds_tracedat__probe(const char *path)
{
	char b[sizeof(magic)];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n < 0)
		return -EIO;
	return n == (ssize_t)sizeof(b) && !memcmp(b, magic, sizeof(b));
}

static void bind_buffer(struct tdbuf *b)
{
	size_t i, j;

	for (i = 0; i < NR_SPECS; i++) {
		const struct ev_spec *s = &specs[i];
		struct ev_bound *eb = &b->ev[i];
		struct tep_event *e = tep_find_event_by_name(b->tep, s->sys, s->name);

		eb->spec = s;
		eb->id = -1;
		if (!e)
			continue;
		eb->id = e->id;
		if (e->id >= 0 && !b->by_id[e->id % BY_ID_SLOTS])
			b->by_id[e->id % BY_ID_SLOTS] = eb;
		for (j = 0; s->binds[j].kind != B_END && j < MAX_BINDS; j++)
			eb->f[j] = tep_find_field(e, s->binds[j].field);
		if (s->kind == K_FENCE) {
			eb->driver = tep_find_field(e, "driver");
			eb->timeline = tep_find_field(e, "timeline");
		}
	}
}

static const struct ev_bound *lookup(const struct tdbuf *b, int id)
{
	const struct ev_bound *eb;
	size_t i;

	if (id < 0)
		return NULL;
	eb = b->by_id[id % BY_ID_SLOTS];
	if (eb && eb->id == id)
		return eb;
	/* a slot shared by two ids, or not a known event: the slow way */
	for (i = 0; i < NR_SPECS; i++)
		if (b->ev[i].id == id)
			return &b->ev[i];
	return NULL;
}

/* An integer field, sign-extended if the format says signed; false if outside the record. */
static bool read_num(struct tep_handle *tep, const struct tep_format_field *f,
		     const struct tep_record *r, uint64_t *v)
{
	int size = f->size;

	if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC))
		return false;
	if (f->offset < 0 || size <= 0 || size > 8 || (int64_t)f->offset + size > r->size)
		return false;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	*v = tep_read_number(tep, (const char *)r->data + f->offset, size);
	if ((f->flags & TEP_FIELD_IS_SIGNED) && size < 8 && (*v >> (size * 8 - 1)) & 1)
		*v |= ~0ULL << (size * 8);
	return true;
}

/* A __string, __rel_loc or char[] field into @dst (NUL-terminated, cut to fit). */
static bool read_str(struct tep_handle *tep, const struct tep_format_field *f,
		     const struct tep_record *r, char *dst, size_t len)
{
	unsigned int off, n;
	uint64_t loc;

	dst[0] = '\0';
	/* 64-bit: a format may say any int (found by tests/fuzz) */
	if (f->offset < 0 || f->size <= 0 || (int64_t)f->offset + f->size > r->size)
		return false;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		if (f->size != 4)
			return false;
		loc = tep_read_number(tep, (const char *)r->data + f->offset, 4);
		off = loc & 0xffff;
		n = (loc >> 16) & 0xffff;
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += f->offset + f->size;
	} else {
		off = f->offset;
		n = f->size;
	}
	if ((uint64_t)off + n > (uint64_t)r->size)
		return false;
	n = strnlen((const char *)r->data + off, n);
	if (n >= len)
		n = len - 1;
	memcpy(dst, (const char *)r->data + off, n);
	dst[n] = '\0';
	return true;
}

static void store(void *rec, const struct bind_spec *b, uint64_t v)
{
	char *p = (char *)rec + b->off;

	switch (b->size) {
	case 1: { uint8_t x = v; memcpy(p, &x, 1); break; }
	case 2: { uint16_t x = v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static size_t rec_size(uint8_t kind)
{
	switch (kind) {
	case K_FENCE:
		return DS_FENCE_EVENT_BASE_SIZE;
	case K_DMABUF:
		return sizeof(struct ds_dmabuf_event);
	case K_VFIO:
		return sizeof(struct ds_vfio_dmabuf_event);
	default:
		return sizeof(struct ds_vpr_event);
	}
}

static uint32_t src_bit(uint8_t kind)
{
	switch (kind) {
	case K_FENCE:
		return DS_SRC_FENCE;
	case K_DMABUF:
	case K_VFIO:
		return DS_SRC_DMABUF;
	default:
		return DS_SRC_VPR;
	}
}

/*
 * A trace record cannot name the struct dma_fence: context and seqno stand
 * for it (unique while the fence lives, as the kernel's own events assume).
 */
static uint64_t fence_key(const struct ds_fence_event *e)
{
	return (e->context << 32) | (e->seqno & 0xffffffffULL);
}

static int fence_fixup(struct td_reader *t, struct tdbuf *b, const struct ev_bound *eb,
		       const struct tep_record *r)
{
	struct ds_fence_event *e = &t->out.fence;
	struct ds_fence_name_event name, *n = &name;
	struct wait_start *w;
	int err;

	e->fence = fence_key(e);
	/*
	 * The BPF side reads the fence's signalled bit at every event; here
	 * it is set by the fence's dma_fence_signaled record (the kernel sets
	 * the bit before it fires the event) and forgotten at its destroy.
	 */
	if (e->hdr.type == DS_EV_FENCE_SIGNALED) {
		err = ds_map__set(&t->signaled, e->fence, (void *)1);
		if (err)
			return err;
	}
	if (ds_map__get(&t->signaled, e->fence))
		e->flags |= DS_FENCE_F_SIGNALED;
	if (e->hdr.type == DS_EV_FENCE_DESTROY)
		ds_map__del(&t->signaled, e->fence);
	if (e->hdr.type == DS_EV_FENCE_WAIT_START) {
		w = ds_map__get(&t->waits, e->hdr.tid);
		if (!w) {
			w = malloc(sizeof(*w));
			if (!w)
				return -ENOMEM;
			err = ds_map__set(&t->waits, e->hdr.tid, w);
			if (err) {
				free(w);
				return err;
			}
		}
		w->fence = e->fence;
		w->ts = e->hdr.ts;
	} else if (e->hdr.type == DS_EV_FENCE_WAIT_END) {
		w = ds_map__get(&t->waits, e->hdr.tid);
		if (w && w->fence == e->fence && w->ts <= e->hdr.ts) {
			e->start_ts = w->ts;
			e->duration_ns = e->hdr.ts - w->ts;
			free(ds_map__del(&t->waits, e->hdr.tid));
		} else {
			e->flags |= DS_FENCE_F_NO_START;
			t->st.waits_unmatched++;
		}
	}
	/* the names once per context, before its first event, as the BPF side does */
	if (ds_map__get(&t->named, e->context + 1) || !eb->driver || !eb->timeline)
		return 0;
	memset(n, 0, sizeof(*n));
	n->hdr = e->hdr;
	n->hdr.type = DS_EV_FENCE_NAME;
	n->hdr.size = sizeof(*n);
	n->context32 = (uint32_t)e->context;
	n->seqno32 = (uint32_t)e->seqno;
	if (!read_str(b->tep, eb->driver, r, n->driver, sizeof(n->driver)) ||
	    !read_str(b->tep, eb->timeline, r, n->timeline, sizeof(n->timeline)))
		return 0;
	err = ds_map__set(&t->named, e->context + 1, (void *)1);
	if (err)
		return err;
	/* the name goes out first, the fence record after it */
	t->pending = t->out;
	memset(&t->out, 0, sizeof(t->out));
	t->out.name = *n;
	t->have_pending = true;
	return 0;
}

/* Make t->out from a trace record; 1 if made, 0 if skipped, or -errno. */
static int convert(struct td_reader *t, struct tdbuf *b, struct tep_record *r)
{
	const struct ev_bound *eb;
	const struct bind_spec *bs;
	struct ds_event_hdr *h = &t->out.hdr;
	const char *comm;
	char *comm_dst = NULL;
	uint64_t v;
	int id, pid, ret;
	size_t i;
	bool ok = true;

	if (r->size < 8) {
		t->st.malformed++;
		return 0;
	}
	id = tep_data_type(b->tep, r);
	eb = lookup(b, id);
	if (!eb) {
		t->st.skipped++;
		return 0;
	}
	memset(&t->out, 0, sizeof(t->out));
	pid = tep_data_pid(b->tep, r);
	h->ts = r->ts;
	h->type = eb->spec->type;
	h->size = rec_size(eb->spec->kind);
	h->cpu = r->cpu;
	/* the record has the thread only; the tgid is not in a trace.dat */
	h->pid = pid;
	h->tid = pid;
	if (eb->spec->kind == K_DMABUF)
		t->out.dmabuf.fd = -1;	/* only dma_buf_fd and _get have one */
	for (i = 0; eb->spec->binds[i].kind != B_END; i++) {
		bs = &eb->spec->binds[i];
		if (!eb->f[i])
			continue;
		if (bs->kind == B_STR)
			ok &= read_str(b->tep, eb->f[i], r, (char *)&t->out + bs->off, bs->size);
		else if (read_num(b->tep, eb->f[i], r, &v))
			store(&t->out, bs, v);
		else
			ok = false;
	}
	if (!ok) {
		t->st.malformed++;
		return 0;
	}
	if (eb->spec->kind == K_FENCE)
		comm_dst = t->out.fence.comm;
	else if (eb->spec->kind != K_VPR)
		comm_dst = t->out.dmabuf.comm;
	if (comm_dst) {
		comm = tep_data_comm_from_pid(b->tep, pid);
		snprintf(comm_dst, TASK_COMM_LEN, "%s", comm ? comm : "<...>");
	}
	if (eb->spec->kind == K_DMABUF || eb->spec->kind == K_VFIO) {
		/* the buffer's pointer is not in the record: the inode stands for it */
		t->out.dmabuf.dmabuf = t->out.dmabuf.ino;
		t->out.dmabuf.flags = t->out.dmabuf.flags ? DS_DMABUF_F_DYNAMIC : 0;
	}
	/* v3's records hold start and limit; the BPF side sends base and size */
	if (eb->spec->binds == vpr_range_binds) {
		if (t->out.vpr.size < t->out.vpr.base) {
			t->st.malformed++;
			return 0;
		}
		t->out.vpr.size -= t->out.vpr.base;
	}
	t->st.sources |= src_bit(eb->spec->kind);
	if (eb->spec->kind == K_FENCE) {
		ret = fence_fixup(t, b, eb, r);
		if (ret < 0)
			return ret;
	}
	return 1;
}

static int open_buffer(struct td_reader *t, struct tracecmd_input *in)
{
	struct tdbuf *b = &t->buf[t->nr_bufs];
	int cpu;

	b->in = in;
	b->tep = tracecmd_get_tep(in);
	if (!b->tep)
		return -EINVAL;
	b->nr_cpus = tep_get_cpus(b->tep);
	if (b->nr_cpus < 0 || b->nr_cpus > 4096)
		return -EINVAL;
	b->head = calloc(b->nr_cpus ? b->nr_cpus : 1, sizeof(*b->head));
	if (!b->head)
		return -ENOMEM;
	t->nr_bufs++;
	bind_buffer(b);
	for (cpu = 0; cpu < b->nr_cpus; cpu++)
		b->head[cpu] = tracecmd_read_data(in, cpu);
	if (b->nr_cpus > (int)t->st.cpus)
		t->st.cpus = b->nr_cpus;
	return 0;
}

static int td_open(const char *path, struct td_reader **out, const char **why)
{
	struct tracecmd_input *in, *sub;
	struct td_reader *t;
	int err, i, n;

	*out = NULL;
	*why = "";
	/* the library's messages would come without the file's name: ours say it */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	in = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!in) {
		*why = "truncated or damaged headers (libtracecmd cannot open it)";
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		tracecmd_close(in);
		return -ENOMEM;
	}
	err = ds_map__init(&t->waits, 64);
	if (!err)
		err = ds_map__init(&t->named, 64);
	if (!err)
		err = ds_map__init(&t->signaled, 64);
	if (!err)
		err = open_buffer(t, in);
	else
		tracecmd_close(in);
	n = err ? 0 : tracecmd_buffer_instances(in);
	for (i = 0; !err && i < n; i++) {
		if (t->nr_bufs == MAX_BUFFERS) {
			err = -E2BIG;
			*why = "more buffer instances than deptscope reads (16)";
			break;
		}
		sub = tracecmd_buffer_instance_handle(in, i);
		if (!sub) {
			err = -EINVAL;
			*why = "a buffer instance cannot be read (truncated or damaged)";
			break;
		}
		err = open_buffer(t, sub);
		if (err)
			tracecmd_close(sub);
	}
	if (err) {
		if (!**why)
			*why = "the trace data cannot be read (truncated or damaged)";
		td_close(t);
		return err;
	}
	t->st.buffers = t->nr_bufs;
	*out = t;
	return 0;
}

static void td_close(struct td_reader *t)
{
	int i, cpu;
	size_t k;

	if (!t)
		return;
	/* instances first: they share the top handle's state */
	for (i = t->nr_bufs - 1; i >= 0; i--) {
		for (cpu = 0; cpu < t->buf[i].nr_cpus; cpu++)
			if (t->buf[i].head[cpu])
				tracecmd_free_record(t->buf[i].head[cpu]);
		free(t->buf[i].head);
		tracecmd_close(t->buf[i].in);
	}
	if (t->waits.keys) {
		free(t->waits.zero_val);
		for (k = 0; k < t->waits.cap; k++)
			if (t->waits.keys[k])
				free(t->waits.vals[k]);
	}
	ds_map__exit(&t->waits);
	ds_map__exit(&t->named);
	ds_map__exit(&t->signaled);
	free(t);
}

static void source_record(struct td_reader *t)
{
	struct ds_meta_source *s = &t->out.src;
	size_t i;
	int j;

	memset(&t->out, 0, sizeof(t->out));
	s->hdr.type = DS_EV_META_SOURCE;
	s->hdr.size = sizeof(*s);
	/* the systems the file has formats for: what "attached" means here */
	for (j = 0; j < t->nr_bufs; j++)
		for (i = 0; i < NR_SPECS; i++)
			if (t->buf[j].ev[i].id >= 0)
				s->sources |= src_bit(specs[i].kind);
	t->st.sources |= s->sources;
	s->hdr.ts = 0;
}

static int td_next(struct td_reader *t, const struct ds_event_hdr **ev)
{
	struct tep_record *r;
	struct tdbuf *best;
	int j, cpu, bcpu, ret;

	if (!t->sent_source) {
		t->sent_source = true;
		source_record(t);
		*ev = &t->out.hdr;
		return 0;
	}
	if (t->have_pending) {
		t->have_pending = false;
		t->out = t->pending;
		t->st.imported++;
		*ev = &t->out.hdr;
		return 0;
	}
	for (;;) {
		best = NULL;
		bcpu = 0;
		for (j = 0; j < t->nr_bufs; j++) {
			for (cpu = 0; cpu < t->buf[j].nr_cpus; cpu++) {
				r = t->buf[j].head[cpu];
				if (r && (!best || r->ts < best->head[bcpu]->ts)) {
					best = &t->buf[j];
					bcpu = cpu;
				}
			}
		}
		if (!best) {
			t->eof = true;
			return -ENODATA;
		}
		r = best->head[bcpu];
		best->head[bcpu] = tracecmd_read_data(best->in, bcpu);
		t->st.records++;
		if (r->missed_events > 0)
			t->st.lost += r->missed_events;
		ret = convert(t, best, r);
		tracecmd_free_record(r);
		if (ret < 0)
			return ret;
		if (ret) {
			t->st.imported++;
			*ev = &t->out.hdr;
			return 0;
		}
	}
}


/*
 * libtracecmd is not hardened against damaged files: a corrupt header can
 * crash it inside tracecmd_open() (found by tests/fuzz on 3.1.6).  So the
 * file is parsed in a child process that sends the finished records down a
 * pipe.  A crash then costs the records after it, not the caller; and on
 * two CPUs the parse and the consumers run side by side.
 */
enum frame_kind {
	F_OPENED = 1,	/* payload: int err, then the why string */
	F_RECORD,	/* payload: one DS_EV_* record */
	F_STATS,	/* payload: struct ds_tracedat_stats */
	F_END,		/* payload: struct ds_tracedat_stats, the final ones */
};

struct frame {
	uint32_t kind;
	uint32_t len;
};

#define PIPE_BUF_SIZE	(256 * 1024)

struct ds_tracedat {
	pid_t child;
	int fd;
	char *buf;
	size_t pos, end;
	union ds_any_event rec;
	struct ds_tracedat_stats st;
	bool eof;
	char why[160];
};

/* Child side: buffered writes; on a closed pipe the child just ends. */
struct wbuf {
	int fd;
	size_t n;
	char b[PIPE_BUF_SIZE];
};

static int wflush(struct wbuf *w)
{
	size_t off = 0;
	ssize_t k;

	while (off < w->n) {
		k = write(w->fd, w->b + off, w->n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EPIPE;
		off += k;
	}
	w->n = 0;
	return 0;
}

static int wframe(struct wbuf *w, uint32_t kind, const void *p, uint32_t len)
{
	struct frame f = { kind, len };

	if (w->n + sizeof(f) + len > sizeof(w->b) && wflush(w))
		return -EPIPE;
	memcpy(w->b + w->n, &f, sizeof(f));
	memcpy(w->b + w->n + sizeof(f), p, len);
	w->n += sizeof(f) + len;
	return 0;
}

static int child_run(const char *path, int fd)
{
	static struct wbuf w;
	const struct ds_event_hdr *ev;
	struct td_reader *t = NULL;
	char msg[sizeof(int) + 160];
	const char *why = "";
	int err, n = 0;

	w.fd = fd;
	err = td_open(path, &t, &why);
	memcpy(msg, &err, sizeof(err));
	snprintf(msg + sizeof(err), sizeof(msg) - sizeof(err), "%s", why);
	if (wframe(&w, F_OPENED, msg, sizeof(msg)) || err)
		goto out;
	for (;;) {
		err = td_next(t, &ev);
		if (err)
			break;
		if (wframe(&w, F_RECORD, ev, ev->size))
			goto out;
		/* progress for a caller that shows it, every 64k records */
		if (!(++n & 0xffff) && wframe(&w, F_STATS, &t->st, sizeof(t->st)))
			goto out;
	}
	if (err == -ENODATA)
		wframe(&w, F_END, &t->st, sizeof(t->st));
out:
	wflush(&w);
	td_close(t);
	return 0;
}

/* Parent side: the next frame, or -ENODATA when the pipe ends. */
static int rframe(struct ds_tracedat *t, struct frame *f, const void **payload)
{
	ssize_t k;

	for (;;) {
		if (t->end - t->pos >= sizeof(*f)) {
			memcpy(f, t->buf + t->pos, sizeof(*f));
			if (f->len > sizeof(union ds_any_event) + 256)
				return -EPROTO;
			if (t->end - t->pos >= sizeof(*f) + f->len) {
				*payload = t->buf + t->pos + sizeof(*f);
				t->pos += sizeof(*f) + f->len;
				return 0;
			}
		}
		memmove(t->buf, t->buf + t->pos, t->end - t->pos);
		t->end -= t->pos;
		t->pos = 0;
		k = read(t->fd, t->buf + t->end, PIPE_BUF_SIZE - t->end);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ENODATA;
		t->end += k;
	}
}

/* The child is gone without its last frame: say why, once. */
static int child_died(struct ds_tracedat *t)
{
	int status = 0;

	if (t->child > 0 && waitpid(t->child, &status, 0) == t->child) {
		t->child = 0;
		if (WIFSIGNALED(status))
			snprintf(t->why, sizeof(t->why), "libtracecmd crashed (signal %d) on "
				 "damaged data after %" PRIu64 " trace records",
				 WTERMSIG(status), t->st.records);
	}
	if (!t->why[0])
		snprintf(t->why, sizeof(t->why), "the reader stopped after %" PRIu64
			 " trace records", t->st.records);
	return -EBADMSG;
}

/*
 * The parent's half of an open, on the read end @fd of the child @child's
 * pipe: the F_OPENED frame says whether the child could open the file.
 * Frees @t on failure.  On its own so that tests/fuzz/fuzz_tracedat.c can
 * give it any stream (child 0: none to wait for).
 */
static int td_attach(struct ds_tracedat *t, int fd, pid_t child, struct ds_tracedat **out,
		     const char **why)
{
	/* *why of a failed open: @t is freed by then (found by tests/fuzz) */
	static char failed_why[sizeof(t->why)];
	const void *pl;
	struct frame f;
	int err;

	t->child = child;
	t->fd = fd;
	err = rframe(t, &f, &pl);
	if (!err && (f.kind != F_OPENED || f.len < sizeof(int)))
		err = -EPROTO;
	if (err) {
		child_died(t);
		snprintf(t->why, sizeof(t->why), "%s", t->why[0] && strstr(t->why, "crashed") ?
			 "damaged headers (libtracecmd crashed opening it)" :
			 "the reader process failed");
		memcpy(failed_why, t->why, sizeof(failed_why));
		*why = failed_why;
		ds_tracedat__close(t);
		return -EINVAL;
	}
	memcpy(&err, pl, sizeof(err));
	if (err) {
		/* the child terminates its message; a damaged frame may not */
		snprintf(failed_why, sizeof(failed_why), "%.*s", (int)(f.len - sizeof(err)),
			 (const char *)pl + sizeof(err));
		*why = failed_why;
		ds_tracedat__close(t);
		return err;
	}
	*out = t;
	return 0;
}

int ds_tracedat__open(const char *path, struct ds_tracedat **out, const char **why)
{
	struct ds_tracedat *t;
	int fds[2], err;
	pid_t pid;

	*out = NULL;
	*why = "";
	err = ds_tracedat__probe(path);
	if (err < 0) {
		*why = strerror(-err);
		return err;
	}
	if (!err) {
		*why = "not a trace-cmd file (no trace.dat magic)";
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->buf = malloc(PIPE_BUF_SIZE);
	if (!t->buf || pipe2(fds, O_CLOEXEC)) {
		err = t->buf ? -errno : -ENOMEM;
		free(t->buf);
		free(t);
		return err;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fds[0]);
		close(fds[1]);
		free(t->buf);
		free(t);
		return err;
	}
	if (pid == 0) {
		/* the parent decides when to stop; the child must not outlive it */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		child_run(path, fds[1]);
		_exit(0);	/* forked child: its own end, never the caller's */
	}
	close(fds[1]);
	return td_attach(t, fds[0], pid, out, why);
}

void ds_tracedat__close(struct ds_tracedat *t)
{
	if (!t)
		return;
	if (t->fd > 0)
		close(t->fd);
	if (t->child > 0) {
		kill(t->child, SIGKILL);
		waitpid(t->child, NULL, 0);
	}
	free(t->buf);
	free(t);
}

int ds_tracedat__next(struct ds_tracedat *t, const struct ds_event_hdr **ev)
{
	const void *pl;
	struct frame f;
	int err;

	if (t->eof)
		return -ENODATA;
	for (;;) {
		err = rframe(t, &f, &pl);
		if (err == -ENODATA) {
			t->eof = true;
			return child_died(t);
		}
		if (err)
			return err;
		switch (f.kind) {
		case F_RECORD:
			if (f.len < sizeof(struct ds_event_hdr) || f.len > sizeof(t->rec))
				return -EPROTO;
			memcpy(&t->rec, pl, f.len);
			/*
			 * Consumers trust hdr.size (the recorder copies that much): it
			 * must be the frame's, and the record whole (found by tests/fuzz).
			 */
			if (ds_event__check(&t->rec, f.len) != (int)f.len)
				return -EPROTO;
			*ev = &t->rec.hdr;
			return 0;
		case F_STATS:
		case F_END:
			if (f.len != sizeof(t->st))
				return -EPROTO;
			memcpy(&t->st, pl, sizeof(t->st));
			if (f.kind == F_END) {
				t->eof = true;
				if (t->child > 0)
					waitpid(t->child, NULL, 0);
				t->child = 0;
				return -ENODATA;
			}
			break;
		default:
			return -EPROTO;
		}
	}
}

void ds_tracedat__stats(const struct ds_tracedat *t, struct ds_tracedat_stats *st)
{
	*st = t->st;
}

const char *ds_tracedat__strerror(const struct ds_tracedat *t)
{
	return t->why;
}

/* ds_source_ops: a file, delivered in batches so that the caller can tick. */
static int td_poll(void *src, struct ds_stream *s, int timeout_ms)
{
	struct ds_tracedat *t = src;
	const struct ds_event_hdr *ev;
	int n = 0, err;

	(void)timeout_ms;
	while (n < 4096) {
		err = ds_tracedat__next(t, &ev);
		if (err == -ENODATA)
			break;
		if (err)
			return err;
		err = ds_stream__dispatch(s, ev);
		if (err)
			return err;
		n++;
	}
	return n;
}

static int td_fd(void *src)
{
	(void)src;
	return -1;
}

static bool td_eof(void *src)
{
	return ((struct ds_tracedat *)src)->eof;
}

const struct ds_source_ops ds_tracedat_source_ops = {
	.name = "trace.dat",
	.poll = td_poll,
	.fd = td_fd,
	.eof = td_eof,
};
