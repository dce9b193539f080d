// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdgen: write a trace-cmd file (trace.dat version 6, uncompressed, little
 * endian, 8-byte longs, 4096-byte pages, one CPU) full of tegra_vpr
 * resizes, for the import benchmark (bench/run.sh part 8).
 *
 *   tdgen FORMAT_DIR OUT.dat EVENTS
 *
 * FORMAT_DIR holds the tracefs format files of the 15 tegra_vpr events as
 * the VM harness saves them (vpr_format_tegra_vpr_<event>).  Records are
 * laid out from those files, not from a built-in table, and the format
 * text goes into OUT.dat verbatim: the file is what trace-cmd would have
 * written on the kernel that produced the formats.
 *
 * The pattern (kernel/patches/tegra-vpr/README.md, "Reconstructing a
 * resize"), one task, seq from 1, events 1-5 us apart, 50-250 us between
 * resizes, durations inside those gaps:
 *
 *   grow of chunks 0 and 1 (base 0x90000000, 0x2000000 each):
 *     resize_begin; per chunk chunk_activate, cma_alloc, map_device;
 *     freeze, dev_freeze x2, set, smc, dev_thaw x2, thaw; resize_end
 *   the matching shrink:
 *     resize_begin; per chunk chunk_deactivate, map_normal, cma_release;
 *     freeze .. thaw as above; resize_end
 *   every 50th grow fails at its second cma_alloc (-ENOMEM): chunk 0 is
 *     rolled back (chunk_deactivate, map_normal, cma_release), rollback,
 *     resize_end err -12; no freeze, no set, and no shrink follows.
 *
 * Whole resizes (a grow and its shrink) are written until at least EVENTS
 * events are out.  OUT.dat appears atomically (a temporary file, renamed).
 * Prints "events N resizes R failed F".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#define PAGE_SIZE	4096
#define PAGE_HDR	16		/* u64 timestamp, u64 commit */
#define PAGE_DATA	(PAGE_SIZE - PAGE_HDR)
#define MAX_SMALL	112		/* type_len 28: the longest payload without a length word */
#define DELTA_BITS	27
#define MAX_FIELDS	16
#define MAX_REC		(MAX_SMALL + 16)	/* room for our strings, 15 bytes at most */

#define VPR_BASE	0x90000000ULL
#define VPR_CHUNK	0x2000000ULL
#define FAIL_EVERY	50
#define ENOMEM_ERR	(-12)
#define TASK_PID	2417
#define TASK_COMM	"gst-launch-1.0"
#define HEAP		"vpr"
#define DEV_GPU		"17000000.gpu"
#define DEV_NVDEC	"15480000.nvdec"

/* this host's tracefs events/header_page and header_event (x86_64, 6.18) */
static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
static const char header_event[] =
	"# compressed entry header\n"
	"\ttype_len    :    5 bits\n"
	"\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n"
	"\n"
	"\tpadding     : type == 29\n"
	"\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n"
	"\tdata max type_len  == 28\n";

enum ev {
	E_CHUNK_ACTIVATE, E_CHUNK_DEACTIVATE, E_SET, E_RESIZE_BEGIN, E_RESIZE_END,
	E_CMA_ALLOC, E_MAP_DEVICE, E_MAP_NORMAL, E_CMA_RELEASE, E_FREEZE, E_THAW,
	E_DEV_FREEZE, E_DEV_THAW, E_SMC, E_ROLLBACK, NR_EV
};

/* Per event, its name after "tegra_vpr_" and the fields written below. */
static const struct {
	const char *name;
	const char *fields;
} evdef[NR_EV] = {
	[E_CHUNK_ACTIVATE]	= { "chunk_activate", "start limit" },
	[E_CHUNK_DEACTIVATE]	= { "chunk_deactivate", "start limit" },
	[E_SET]			= { "set", "start limit" },
	[E_RESIZE_BEGIN]	= { "resize_begin",
				    "seq grow heap buf_start buf_size old_base old_size" },
	[E_RESIZE_END]		= { "resize_end", "seq grow old_base old_size new_base new_size "
				    "chunks duration_ns err" },
	[E_CMA_ALLOC]		= { "cma_alloc", "seq chunk start size duration_ns err" },
	[E_MAP_DEVICE]		= { "map_device", "seq chunk start size duration_ns err" },
	[E_MAP_NORMAL]		= { "map_normal", "seq chunk start size duration_ns err" },
	[E_CMA_RELEASE]		= { "cma_release", "seq chunk start size duration_ns err" },
	[E_FREEZE]		= { "freeze", "seq duration_ns err" },
	[E_THAW]		= { "thaw", "seq duration_ns frozen_ns" },
	[E_DEV_FREEZE]		= { "dev_freeze", "seq dev duration_ns err" },
	[E_DEV_THAW]		= { "dev_thaw", "seq dev duration_ns err" },
	[E_SMC]			= { "smc", "seq base size duration_ns ret" },
	[E_ROLLBACK]		= { "rollback", "seq grow chunks failed duration_ns" },
};

struct field {
	char name[48];
	int off, size;
	bool dyn;		/* __data_loc: u32 (len << 16 | offset) */
};

struct fmt {
	int id;
	char *text;
	size_t len;
	struct field f[MAX_FIELDS];
	int nf;
	int fixed;		/* the record's fixed part; strings follow it */
};

static struct fmt fmts[NR_EV];

struct rec {
	const struct fmt *fmt;
	int len;
	uint8_t b[MAX_REC];
};

struct writer {
	FILE *f;
	uint8_t page[PAGE_SIZE];
	int used;		/* bytes of event data in page */
	uint64_t page_ts, last_ts;
	uint64_t pages;
};

struct gen {
	struct writer w;
	uint64_t ts, rng;
	uint32_t seq;
	uint64_t events, resizes, failed, grows;
};

static void put_le(uint8_t *p, uint64_t v, int size)
{
	int i;

	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

static int wr(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

static int wr_le(FILE *f, uint64_t v, int size)
{
	uint8_t b[8];

	put_le(b, v, size);
	return wr(f, b, size);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k);
	fclose(f);
	*len = n;
	return buf;
}

/* "\tfield:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;", NAME possibly with [N] */
static int parse_field(const char *line, struct field *fd)
{
	const char *semi = strchr(line, ';'), *name;
	size_t n;

	if (!semi || sscanf(semi, "; offset:%d; size:%d;", &fd->off, &fd->size) != 2)
		return -EINVAL;
	for (name = semi; name > line && name[-1] != ' '; name--)
		;
	n = strcspn(name, "[;");
	if (n == 0 || n >= sizeof(fd->name))
		return -EINVAL;
	memcpy(fd->name, name, n);
	fd->name[n] = '\0';
	fd->dyn = strstr(line, "__data_loc") && strstr(line, "__data_loc") < name;
	return 0;
}

static bool is_str(const char *name)
{
	return !strcmp(name, "heap") || !strcmp(name, "dev");
}

static const struct field *find_field(const struct fmt *m, const char *name)
{
	int i;

	for (i = 0; i < m->nf; i++)
		if (!strcmp(m->f[i].name, name))
			return &m->f[i];
	return NULL;
}

static int load_fmt(const char *dir, enum ev e)
{
	struct fmt *m = &fmts[e];
	char path[4096], want[64], word[48], *line, *save = NULL, *copy;
	char fields[160];
	const char *p, *q;
	int i, align = 1, end = 0;

	snprintf(path, sizeof(path), "%s/vpr_format_tegra_vpr_%s", dir, evdef[e].name);
	snprintf(want, sizeof(want), "name: tegra_vpr_%s", evdef[e].name);
	m->text = slurp(path, &m->len);
	if (!m->text) {
		fprintf(stderr, "tdgen: %s: %s\n", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	copy = strndup(m->text, m->len);
	if (!copy)
		return -1;
	m->id = -1;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "name:", 5) && strcmp(line, want)) {
			fprintf(stderr, "tdgen: %s: '%s', expected '%s'\n", path, line, want);
			free(copy);
			return -1;
		}
		if (!strncmp(line, "ID:", 3))
			m->id = atoi(line + 3);
		if (strncmp(line, "\tfield:", 7))
			continue;
		if (m->nf == MAX_FIELDS || parse_field(line, &m->f[m->nf])) {
			fprintf(stderr, "tdgen: %s: cannot use '%s'\n", path, line);
			free(copy);
			return -1;
		}
		m->nf++;
	}
	free(copy);
	if (m->id < 0 || m->id > 0xffff) {
		fprintf(stderr, "tdgen: %s: no usable ID line\n", path);
		return -1;
	}
	/*
	 * The kernel puts the string data after sizeof(struct trace_event_raw_*),
	 * which is the last field's end rounded up to the largest field alignment.
	 */
	for (i = 0; i < m->nf; i++) {
		const struct field *f = &m->f[i];

		if (f->off < 0 || f->size <= 0 || f->off + f->size > MAX_SMALL) {
			fprintf(stderr, "tdgen: %s: field %s out of range\n", path, f->name);
			return -1;
		}
		if (f->off + f->size > end)
			end = f->off + f->size;
		if ((f->size == 2 || f->size == 4 || f->size == 8) && f->size > align)
			align = f->size;
	}
	m->fixed = (end + align - 1) / align * align;
	snprintf(fields, sizeof(fields), "common_type common_pid %s", evdef[e].fields);
	if (m->fixed > MAX_SMALL) {
		fprintf(stderr, "tdgen: %s: records of %d bytes are not supported\n", path,
			m->fixed);
		return -1;
	}
	/* fail here, not a million events in, if a format lacks what we write */
	for (p = fields; *p; p = q + strspn(q, " ")) {
		const struct field *f;

		q = p + strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", (int)(q - p), p);
		f = find_field(m, word);
		if (!f || f->size > 8 || (is_str(word) && (!f->dyn || f->size != 4))) {
			fprintf(stderr, "tdgen: %s: no usable field %s\n", path, word);
			return -1;
		}
	}
	return 0;
}

static void rec_start(struct rec *r, enum ev e)
{
	r->fmt = &fmts[e];
	memset(r->b, 0, sizeof(r->b));
	r->len = r->fmt->fixed;
	put_le(r->b + find_field(r->fmt, "common_type")->off, r->fmt->id, 2);
	put_le(r->b + find_field(r->fmt, "common_pid")->off, TASK_PID, 4);
}

/* load_fmt checked that every field named here exists */
static void put(struct rec *r, const char *name, uint64_t v)
{
	const struct field *f = find_field(r->fmt, name);

	put_le(r->b + f->off, v, f->size);
}

static void put_str(struct rec *r, const char *name, const char *s)
{
	const struct field *f = find_field(r->fmt, name);
	size_t n = strlen(s) + 1;

	put_le(r->b + f->off, (uint64_t)n << 16 | r->len, 4);
	memcpy(r->b + r->len, s, n);
	r->len += n;
}

static int flush_page(struct writer *w)
{
	if (!w->used)
		return 0;
	put_le(w->page, w->page_ts, 8);
	put_le(w->page + 8, w->used, 8);
	memset(w->page + PAGE_HDR + w->used, 0, PAGE_DATA - w->used);
	w->used = 0;
	w->pages++;
	return wr(w->f, w->page, PAGE_SIZE);
}

static int write_event(struct gen *g, const struct rec *r)
{
	struct writer *w = &g->w;
	int len = (r->len + 3) & ~3;
	uint64_t delta;
	int err;

	if (len > MAX_SMALL) {
		fprintf(stderr, "tdgen: a %d-byte record needs a length word\n", len);
		return -EINVAL;
	}
	/* a new page instead of a time-extend record: the pattern never needs one */
	if (w->used && (w->used + 4 + len > PAGE_DATA ||
			g->ts - w->last_ts >= (1ULL << DELTA_BITS))) {
		err = flush_page(w);
		if (err)
			return err;
	}
	if (!w->used)
		w->page_ts = w->last_ts = g->ts;
	delta = g->ts - w->last_ts;
	put_le(w->page + PAGE_HDR + w->used, (uint32_t)(delta << 5 | len / 4), 4);
	memcpy(w->page + PAGE_HDR + w->used + 4, r->b, len);
	w->used += 4 + len;
	w->last_ts = g->ts;
	g->events++;
	return 0;
}

/* The next event 1-5 us on; the gap, which a step's duration must fit in. */
static uint64_t tick(struct gen *g)
{
	uint64_t gap = 1000 + bench_rnd(&g->rng) % 4000;

	g->ts += gap;
	return gap;
}

/* a step that returns now: it started inside the gap since the last event */
static uint64_t dur(struct gen *g, uint64_t gap)
{
	return gap - 200 - bench_rnd(&g->rng) % (gap / 2);
}

static int ev_range(struct gen *g, enum ev e, uint64_t start, uint64_t limit)
{
	struct rec r;

	tick(g);
	rec_start(&r, e);
	put(&r, "start", start);
	put(&r, "limit", limit);
	return write_event(g, &r);
}

static int ev_chunk(struct gen *g, enum ev e, uint32_t chunk, int err)
{
	uint64_t gap = tick(g);
	struct rec r;

	rec_start(&r, e);
	put(&r, "seq", g->seq);
	put(&r, "chunk", chunk);
	put(&r, "start", VPR_BASE + chunk * VPR_CHUNK);
	put(&r, "size", VPR_CHUNK);
	put(&r, "duration_ns", dur(g, gap));
	put(&r, "err", (uint32_t)err);
	return write_event(g, &r);
}

static int ev_dev(struct gen *g, enum ev e, const char *dev)
{
	uint64_t gap = tick(g);
	struct rec r;

	rec_start(&r, e);
	put(&r, "seq", g->seq);
	put_str(&r, "dev", dev);
	put(&r, "duration_ns", dur(g, gap));
	put(&r, "err", 0);
	return write_event(g, &r);
}

static int ev_begin(struct gen *g, bool grow, uint64_t buf_size, uint64_t old_size)
{
	struct rec r;

	/* the task was doing something else in between */
	g->ts += 50000 + bench_rnd(&g->rng) % 200000;
	rec_start(&r, E_RESIZE_BEGIN);
	put(&r, "seq", g->seq);
	put(&r, "grow", grow);
	put_str(&r, "heap", HEAP);
	put(&r, "buf_start", VPR_BASE);
	put(&r, "buf_size", buf_size);
	put(&r, "old_base", old_size ? VPR_BASE : 0);
	put(&r, "old_size", old_size);
	return write_event(g, &r);
}

static int ev_end(struct gen *g, bool grow, uint64_t old_size, uint64_t new_size,
		  uint64_t t_begin, int err)
{
	struct rec r;

	tick(g);
	rec_start(&r, E_RESIZE_END);
	put(&r, "seq", g->seq);
	put(&r, "grow", grow);
	put(&r, "old_base", old_size ? VPR_BASE : 0);
	put(&r, "old_size", old_size);
	put(&r, "new_base", new_size ? VPR_BASE : 0);
	put(&r, "new_size", new_size);
	put(&r, "chunks", 0x3);
	put(&r, "duration_ns", g->ts - t_begin);
	put(&r, "err", (uint32_t)err);
	return write_event(g, &r);
}

/* chunk 0 given back after chunk 1 failed: its steps count in the duration */
static int ev_rollback(struct gen *g, uint64_t t_fail)
{
	struct rec r;

	tick(g);
	rec_start(&r, E_ROLLBACK);
	put(&r, "seq", g->seq);
	put(&r, "grow", 1);
	put(&r, "chunks", 0x1);
	put(&r, "failed", 0);
	put(&r, "duration_ns", g->ts - t_fail);
	return write_event(g, &r);
}

/* freeze .. thaw around programming the VPR to [VPR_BASE, + size) or empty */
static int freeze_set_thaw(struct gen *g, uint64_t size)
{
	uint64_t gap, d, t_freeze;
	struct rec r;
	int err;

	gap = tick(g);
	d = dur(g, gap);
	t_freeze = g->ts - d;
	rec_start(&r, E_FREEZE);
	put(&r, "seq", g->seq);
	put(&r, "duration_ns", d);
	put(&r, "err", 0);
	err = write_event(g, &r);
	err = err ?: ev_dev(g, E_DEV_FREEZE, DEV_GPU);
	err = err ?: ev_dev(g, E_DEV_FREEZE, DEV_NVDEC);
	err = err ?: ev_range(g, E_SET, size ? VPR_BASE : 0, size ? VPR_BASE + size : 0);
	if (err)
		return err;
	gap = tick(g);
	rec_start(&r, E_SMC);
	put(&r, "seq", g->seq);
	put(&r, "base", size ? VPR_BASE : 0);
	put(&r, "size", size);
	put(&r, "duration_ns", dur(g, gap));
	put(&r, "ret", 0);
	err = write_event(g, &r);
	/* thawed in reverse order of freezing */
	err = err ?: ev_dev(g, E_DEV_THAW, DEV_NVDEC);
	err = err ?: ev_dev(g, E_DEV_THAW, DEV_GPU);
	if (err)
		return err;
	gap = tick(g);
	rec_start(&r, E_THAW);
	put(&r, "seq", g->seq);
	put(&r, "duration_ns", dur(g, gap));
	put(&r, "frozen_ns", g->ts - t_freeze);
	return write_event(g, &r);
}

/* A grow to two chunks; false in *ok if it failed and was rolled back. */
static int grow(struct gen *g, uint64_t buf_size, bool *ok)
{
	bool fail = ++g->grows % FAIL_EVERY == 0;
	uint64_t t_begin, t_fail;
	uint32_t i;
	int err;

	g->seq++;
	g->resizes++;
	err = ev_begin(g, true, buf_size, 0);
	t_begin = g->ts;
	for (i = 0; !err && i < 2; i++) {
		err = ev_range(g, E_CHUNK_ACTIVATE, VPR_BASE + i * VPR_CHUNK,
			       VPR_BASE + (i + 1) * VPR_CHUNK);
		err = err ?: ev_chunk(g, E_CMA_ALLOC, i, fail && i == 1 ? ENOMEM_ERR : 0);
		if (fail && i == 1)
			break;
		err = err ?: ev_chunk(g, E_MAP_DEVICE, i, 0);
	}
	if (err)
		return err;
	*ok = !fail;
	if (!fail) {
		err = freeze_set_thaw(g, 2 * VPR_CHUNK);
		return err ?: ev_end(g, true, 0, 2 * VPR_CHUNK, t_begin, 0);
	}
	g->failed++;
	t_fail = g->ts;
	err = ev_range(g, E_CHUNK_DEACTIVATE, VPR_BASE, VPR_BASE + VPR_CHUNK);
	err = err ?: ev_chunk(g, E_MAP_NORMAL, 0, 0);
	err = err ?: ev_chunk(g, E_CMA_RELEASE, 0, 0);
	if (err)
		return err;
	err = ev_rollback(g, t_fail);
	return err ?: ev_end(g, true, 0, 0, t_begin, ENOMEM_ERR);
}

static int shrink(struct gen *g, uint64_t buf_size)
{
	uint64_t t_begin;
	uint32_t i;
	int err;

	g->seq++;
	g->resizes++;
	err = ev_begin(g, false, buf_size, 2 * VPR_CHUNK);
	t_begin = g->ts;
	for (i = 0; !err && i < 2; i++) {
		err = ev_range(g, E_CHUNK_DEACTIVATE, VPR_BASE + i * VPR_CHUNK,
			       VPR_BASE + (i + 1) * VPR_CHUNK);
		err = err ?: ev_chunk(g, E_MAP_NORMAL, i, 0);
		err = err ?: ev_chunk(g, E_CMA_RELEASE, i, 0);
	}
	err = err ?: freeze_set_thaw(g, 0);
	return err ?: ev_end(g, false, 2 * VPR_CHUNK, 0, t_begin, 0);
}

static int write_headers(FILE *f, long *cpu_off_pos)
{
	static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	static const char cmdlines[] = "2417 " TASK_COMM "\n";
	int err, e;

	err = wr(f, magic, sizeof(magic));
	err = err ?: wr(f, "6", 2);
	err = err ?: wr_le(f, 0, 1);		/* little endian */
	err = err ?: wr_le(f, 8, 1);		/* long size */
	err = err ?: wr_le(f, PAGE_SIZE, 4);
	err = err ?: wr(f, "header_page", 12);
	err = err ?: wr_le(f, sizeof(header_page) - 1, 8);
	err = err ?: wr(f, header_page, sizeof(header_page) - 1);
	err = err ?: wr(f, "header_event", 13);
	err = err ?: wr_le(f, sizeof(header_event) - 1, 8);
	err = err ?: wr(f, header_event, sizeof(header_event) - 1);
	err = err ?: wr_le(f, 0, 4);		/* ftrace event formats */
	err = err ?: wr_le(f, 1, 4);		/* systems */
	err = err ?: wr(f, "tegra_vpr", 10);
	err = err ?: wr_le(f, NR_EV, 4);
	for (e = 0; !err && e < NR_EV; e++) {
		err = wr_le(f, fmts[e].len, 8);
		err = err ?: wr(f, fmts[e].text, fmts[e].len);
	}
	err = err ?: wr_le(f, 0, 4);		/* kallsyms */
	err = err ?: wr_le(f, 0, 4);		/* trace_printk formats */
	err = err ?: wr_le(f, sizeof(cmdlines) - 1, 8);
	err = err ?: wr(f, cmdlines, sizeof(cmdlines) - 1);
	err = err ?: wr_le(f, 1, 4);		/* CPUs */
	err = err ?: wr(f, "options  ", 10);
	err = err ?: wr_le(f, 0, 2);		/* no options: the end marker */
	err = err ?: wr(f, "flyrecord", 10);
	if (err)
		return err;
	*cpu_off_pos = ftell(f);
	return wr_le(f, 0, 8) ?: wr_le(f, 0, 8);	/* CPU 0's offset and size, patched later */
}

static int generate(struct gen *g, uint64_t want, long cpu_off_pos)
{
	FILE *f = g->w.f;
	long data;
	bool ok;
	int err = 0;

	/* the reader maps the data by pages */
	data = (ftell(f) + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	if (fseek(f, data, SEEK_SET))
		return -errno;
	g->ts = 1000000000000ULL;	/* 1000 s after boot */
	while (!err && g->events < want) {
		/* a buffer that needs both chunks, page-aligned */
		uint64_t buf_size = VPR_CHUNK + PAGE_SIZE +
				    bench_rnd(&g->rng) % (VPR_CHUNK / PAGE_SIZE) * PAGE_SIZE;

		err = grow(g, buf_size, &ok);
		if (!err && ok)
			err = shrink(g, buf_size);
	}
	err = err ?: flush_page(&g->w);
	if (err)
		return err;
	if (fseek(f, cpu_off_pos, SEEK_SET))
		return -errno;
	return wr_le(f, data, 8) ?: wr_le(f, g->w.pages * PAGE_SIZE, 8);
}

int main(int argc, char **argv)
{
	static struct gen g;
	char *tmp, *end;
	unsigned long long want;
	long cpu_off_pos;
	int e, err;

	if (argc != 4) {
		fprintf(stderr, "usage: tdgen FORMAT_DIR OUT.dat EVENTS\n");
		return 2;
	}
	errno = 0;
	want = strtoull(argv[3], &end, 0);
	if (errno || *end || !want) {
		fprintf(stderr, "tdgen: EVENTS must be a positive number\n");
		return 2;
	}
	for (e = 0; e < NR_EV; e++)
		if (load_fmt(argv[1], e))
			return 1;
	if (asprintf(&tmp, "%s.tmp.%d", argv[2], (int)getpid()) < 0)
		return 1;
	g.w.f = fopen(tmp, "w");
	if (!g.w.f) {
		fprintf(stderr, "tdgen: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return 1;
	}
	g.rng = 0x7d6e;
	err = write_headers(g.w.f, &cpu_off_pos);
	err = err ?: generate(&g, want, cpu_off_pos);
	if (fclose(g.w.f) && !err)
		err = -errno;
	if (!err && rename(tmp, argv[2]))
		err = -errno;
	if (err) {
		fprintf(stderr, "tdgen: %s: %s\n", argv[2], strerror(-err));
		unlink(tmp);
	}
	free(tmp);
	if (err)
		return 1;
	printf("events %llu resizes %llu failed %llu\n", (unsigned long long)g.events,
	       (unsigned long long)g.resizes, (unsigned long long)g.failed);
	return 0;
}
