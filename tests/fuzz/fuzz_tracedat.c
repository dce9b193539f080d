// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for trace.dat import (lib/tracedat.c), our code only.
 *
 * The import parses the file in a forked child through libtracecmd, which
 * crashes on damaged headers: fuzzing whole files in process would find
 * libtracecmd's bugs, and forking per input would hide our code's
 * coverage (and its sanitizer reports) in the child.  So the two halves
 * that are ours are fuzzed on their own, chosen by the low bit of the
 * first byte:
 *
 * 0, the converter (child side): event formats and trace records, as a
 * board's kernel may have them, into DS_EV_* records.  The rest of the
 * input describes up to 8 events of the known systems (or a foreign one)
 * with arbitrary fields: name, type, offset, size, signedness.  The
 * harness writes their format text, has libtraceevent parse it, as
 * libtracecmd does with the formats stored in a file, binds the specs of
 * tracedat.c to it and runs trace records (arbitrary bytes, exactly
 * allocated) through convert(), as td_next() does.  Every record made
 * must be one ds_event__check() accepts, its strings terminated.
 *
 *   u8 flags (bits 0-3: events, bit 7: big-endian file)
 *   per event: u8 spec (index into specs[], NR_SPECS: sched_process_exec),
 *     u16 id, u8 fields, per field: u8 name, u8 type, u32 offset,
 *     u32 size, u8 signed
 *   then records: u16 length, u8 cpu, u32 time delta, the data
 *
 * 1, the pipe (parent side): the rest of the input is the stream of
 * frames the child writes, read by td_attach() and ds_tracedat__next()
 * through ds_tracedat_source_ops into a stream, as a replay does.  The
 * child is ours, but it can die at any byte (libtracecmd crashing, the
 * OOM killer), and its memory can be corrupted before it dies.
 *
 * The file is included rather than linked, to reach its static parts.
 *
 * Seeds: with DS_FUZZ_SEED_DIR set, the binary writes seeds there and
 * exits instead of fuzzing: synthetic ones for every known event (laid out
 * as the specs say) and for the pipe, and, with DS_FUZZ_TRACEDAT=FILE, the
 * formats and first records of a real trace.dat and the stream the child
 * sends for it (tests/fuzz/run.sh makes one with trace-cmd).
 */
#include "../../lib/tracedat.c"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_EVENTS	8
#define MAX_FIELDS	12
#define MAX_NAMES	96

/* C types of a format line; T_CHARS and the arrays get their length from the size. */
enum ftype {
	T_UINT, T_INT, T_U64, T_UCHAR, T_SHORT, T_CHARS, T_DATA_LOC, T_REL_LOC, T_ULONG,
	T_PTR, T_U32_ARRAY, T_S64, NR_TYPES
};

static const char *const type_name[NR_TYPES] = {
	[T_UINT] = "unsigned int", [T_INT] = "int", [T_U64] = "u64",
	[T_UCHAR] = "unsigned char", [T_SHORT] = "short", [T_CHARS] = "char",
	[T_DATA_LOC] = "__data_loc char[]", [T_REL_LOC] = "__rel_loc char[]",
	[T_ULONG] = "unsigned long", [T_PTR] = "void *", [T_U32_ARRAY] = "u32", [T_S64] = "s64",
};

struct gen_field {
	const char *name;
	uint8_t type;
	uint32_t offset, size;
	bool is_signed;
};

struct gen_event {
	const char *sys, *name;
	uint16_t id;
	unsigned int nr;
	struct gen_field f[MAX_FIELDS];
};

/* Every field name the specs bind, and a few of other events. */
static const char *names[MAX_NAMES];
static unsigned int nr_names;
static int memfd = -1;
static char memfd_path[64];

static void add_name(const char *n)
{
	unsigned int i;

	for (i = 0; i < nr_names; i++)
		if (!strcmp(names[i], n))
			return;
	if (nr_names < MAX_NAMES)
		names[nr_names++] = n;
}

static void setup(void)
{
	size_t i, j;

	for (i = 0; i < NR_SPECS; i++)
		for (j = 0; specs[i].binds[j].kind != B_END; j++)
			add_name(specs[i].binds[j].field);
	add_name("driver");
	add_name("timeline");
	add_name("filename");
	add_name("pid");
	add_name("old_pid");
	memfd = fuzz_memfd("fuzz_tracedat", memfd_path, sizeof(memfd_path));
	tep_set_loglevel(TEP_LOG_NONE);
}

/* ---- input decoding ---- */

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct cursor *c, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n && c->left; i++, c->left--)
		v |= (uint64_t)*c->p++ << (8 * i);
	return v;
}

/* The format text tracefs would show for @e. */
static int format_text(const struct gen_event *e, char *buf, size_t len)
{
	size_t n;
	unsigned int i;

	n = snprintf(buf, len, "name: %s\nID: %u\nformat:\n"
		     "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		     "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		     "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		     "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n", e->name, e->id);
	for (i = 0; i < e->nr && n < len; i++) {
		const struct gen_field *f = &e->f[i];
		char decl[160];

		if (f->type == T_CHARS)
			snprintf(decl, sizeof(decl), "char %s[%u]", f->name,
				 f->size && f->size < 65536 ? f->size : 16);
		else if (f->type == T_U32_ARRAY)
			snprintf(decl, sizeof(decl), "u32 %s[4]", f->name);
		else
			snprintf(decl, sizeof(decl), "%s %s", type_name[f->type], f->name);
		n += snprintf(buf + n, len - n, "\tfield:%s;\toffset:%u;\tsize:%u;\tsigned:%d;\n",
			      decl, f->offset, f->size, f->is_signed);
	}
	if (n < len)
		n += snprintf(buf + n, len - n, "\nprint fmt: \"x\"\n");
	return n < len ? (int)n : -1;
}

static void decode_events(struct cursor *c, struct gen_event *ev, unsigned int nr)
{
	unsigned int i, k, s;

	for (i = 0; i < nr; i++) {
		struct gen_event *e = &ev[i];

		s = take(c, 1) % (NR_SPECS + 1);
		e->sys = s < NR_SPECS ? specs[s].sys : "sched";
		e->name = s < NR_SPECS ? specs[s].name : "sched_process_exec";
		e->id = take(c, 2) & 0x7fff;
		e->nr = take(c, 1) % (MAX_FIELDS + 1);
		for (k = 0; k < e->nr; k++) {
			e->f[k].name = names[take(c, 1) % nr_names];
			e->f[k].type = take(c, 1) % NR_TYPES;
			e->f[k].offset = take(c, 4);
			e->f[k].size = take(c, 4);
			e->f[k].is_signed = take(c, 1) & 1;
		}
	}
}

/* ---- mode 0: the converter ---- */

static void check_str(const char *s, size_t len)
{
	CHECK(memchr(s, '\0', len));
}

/* What td_next() hands to the pipe: a record every reader accepts. */
static void emit(const struct ds_event_hdr *h)
{
	const union ds_any_event *e = (const void *)h;

	CHECK(h->size <= sizeof(union ds_any_event));
	CHECK(ds_event__check(h, h->size) == h->size);
	if (h->type >= DS_EV_FENCE_INIT && h->type <= DS_EV_FENCE_DESTROY) {
		check_str(e->fence.comm, sizeof(e->fence.comm));
	} else if (h->type == DS_EV_FENCE_NAME) {
		check_str(e->name.driver, sizeof(e->name.driver));
		check_str(e->name.timeline, sizeof(e->name.timeline));
	} else if (h->type >= DS_EV_DMABUF_EXPORT && h->type <= DS_EV_VFIO_DMABUF_STATE_END) {
		check_str(e->dmabuf.comm, sizeof(e->dmabuf.comm));
		check_str(e->dmabuf.exp_name, sizeof(e->dmabuf.exp_name));
		check_str(e->dmabuf.dev_name, sizeof(e->dmabuf.dev_name));
	} else if (h->type >= DS_EV_VPR_FIRST && h->type <= DS_EV_VPR_LAST) {
		check_str(e->vpr.name, sizeof(e->vpr.name));
	}
}

static struct tep_handle *make_tep(const struct gen_event *ev, unsigned int nr, bool big)
{
	struct tep_handle *tep = tep_alloc();
	char text[4096];
	unsigned int i;
	int n;

	if (!tep)
		return NULL;
	tep_set_long_size(tep, 8);
	tep_set_page_size(tep, 4096);
	tep_set_file_bigendian(tep, big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_register_comm(tep, "fuzz-task", 1);
	for (i = 0; i < nr; i++) {
		n = format_text(&ev[i], text, sizeof(text));
		if (n > 0)
			tep_parse_event(tep, text, n, ev[i].sys);
	}
	return tep;
}

static void run_converter(struct cursor *c)
{
	struct gen_event ev[MAX_EVENTS];
	struct tep_handle *tep;
	struct td_reader *t;
	struct tep_record r;
	unsigned int flags = take(c, 1), nr = flags & 15;
	uint64_t ts = 0;
	size_t len;
	int ret = 0;

	if (nr > MAX_EVENTS)
		nr = MAX_EVENTS;
	memset(ev, 0, sizeof(ev));
	decode_events(c, ev, nr);
	tep = make_tep(ev, nr, flags & 0x80);
	if (!tep)
		return;
	t = calloc(1, sizeof(*t));
	if (!t || ds_map__init(&t->waits, 64) || ds_map__init(&t->named, 64) ||
	    ds_map__init(&t->signaled, 64))
		abort();
	/* one buffer, no libtracecmd handle: the records come from the input */
	t->buf[0].tep = tep;
	t->nr_bufs = 1;
	bind_buffer(&t->buf[0]);
	source_record(t);
	emit(&t->out.hdr);
	while (c->left >= 7) {
		memset(&r, 0, sizeof(r));
		len = take(c, 2);
		r.cpu = take(c, 1);
		ts += take(c, 4);
		r.ts = ts;
		if (len > c->left)
			len = c->left;
		/* exactly the record's bytes: reading past them is caught */
		r.data = malloc(len ? len : 1);
		if (!r.data)
			abort();
		memcpy(r.data, c->p, len);
		c->p += len;
		c->left -= len;
		r.size = len;
		t->st.records++;
		ret = convert(t, &t->buf[0], &r);
		free(r.data);
		if (ret < 0)
			break;	/* -ENOMEM: the record is lost, as in td_next() */
		if (!ret)
			continue;
		t->st.imported++;
		emit(&t->out.hdr);
		if (t->have_pending) {
			/* td_next() sends the fence record after its name */
			t->have_pending = false;
			t->out = t->pending;
			t->st.imported++;
			emit(&t->out.hdr);
		}
	}
	/* every record is imported (a fence one maybe with its name), skipped or malformed */
	CHECK(ret < 0 || t->st.imported + t->st.skipped + t->st.malformed >= t->st.records);
	t->nr_bufs = 0;		/* nothing of libtracecmd's to close */
	td_close(t);
	tep_free(tep);
}

/* ---- mode 1: the pipe ---- */

static int touch(void *ctx, const struct ds_event_hdr *ev)
{
	static char copy[65536];

	/* a consumer (the recorder of 'import') copies hdr.size bytes */
	memcpy(copy, ev, ev->size);
	*(uint64_t *)ctx += copy[0];
	return 0;
}

static void run_pipe(struct cursor *c)
{
	struct ds_tracedat_stats st;
	struct ds_tracedat *t, *out;
	struct ds_stream *s;
	const char *why = "";
	uint64_t sink = 0;
	int fd, err;

	if (ftruncate(memfd, 0) || pwrite(memfd, c->p, c->left, 0) != (ssize_t)c->left)
		abort();
	fd = open(memfd_path, O_RDONLY | O_CLOEXEC);
	t = calloc(1, sizeof(*t));
	if (fd < 0 || !t)
		abort();
	t->buf = malloc(PIPE_BUF_SIZE);
	if (!t->buf)
		abort();
	err = td_attach(t, fd, 0, &out, &why);
	CHECK(strlen(why) < sizeof(t->why));
	if (err)
		return;
	if (ds_stream__new(&s) || ds_stream__add_consumer(s, touch, &sink) ||
	    ds_stream__add_source(s, &ds_tracedat_source_ops, out))
		abort();
	while (!ds_stream__eof(s))
		if (ds_stream__poll(s, 0) < 0)
			break;
	ds_tracedat__stats(out, &st);
	CHECK(strlen(ds_tracedat__strerror(out)) < sizeof(out->why));
	ds_stream__free(s);
	ds_tracedat__close(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data + 1, size ? size - 1 : 0 };

	if (memfd < 0)
		setup();
	if (!size)
		return 0;
	if (data[0] & 1)
		run_pipe(&c);
	else
		run_converter(&c);
	return 0;
}

/* ---- seeds (DS_FUZZ_SEED_DIR) ---- */

struct seed {
	uint8_t b[65536];
	size_t n;
};

static void put(struct seed *s, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && s->n < sizeof(s->b); i++)
		s->b[s->n++] = v >> (8 * i);
}

static void put_bytes(struct seed *s, const void *p, size_t n)
{
	if (n > sizeof(s->b) - s->n)
		n = sizeof(s->b) - s->n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void save(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f)) {
		fprintf(stderr, "fuzz_tracedat: cannot write %s\n", path);
		exit(1);
	}
}

static unsigned int name_index(const char *n)
{
	unsigned int i;

	for (i = 0; i < nr_names; i++)
		if (!strcmp(names[i], n))
			return i;
	return MAX_NAMES;
}

static void put_events(struct seed *s, const struct gen_event *ev, unsigned int nr,
		       const uint8_t *spec)
{
	unsigned int i, k;

	put(s, nr, 1);
	for (i = 0; i < nr; i++) {
		put(s, spec[i], 1);
		put(s, ev[i].id, 2);
		put(s, ev[i].nr, 1);
		for (k = 0; k < ev[i].nr; k++) {
			put(s, name_index(ev[i].f[k].name), 1);
			put(s, ev[i].f[k].type, 1);
			put(s, ev[i].f[k].offset, 4);
			put(s, ev[i].f[k].size, 4);
			put(s, ev[i].f[k].is_signed, 1);
		}
	}
}

/*
 * A record of @e as the kernel would write it: numbers @v, strings the
 * field's name, or for an odd @v one longer than any member it goes to.
 */
static void put_record(struct seed *s, const struct gen_event *e, uint64_t v, uint32_t dt)
{
	static const char long_str[] = "a-name-longer-than-every-char-array-of-a-deptscope-"
				       "record-so-that-it-is-cut";
	uint8_t d[2048];
	uint32_t end = 8, loc, i;
	size_t n = 0;

	memset(d, 0, sizeof(d));
	for (i = 0; i < e->nr; i++)
		if (e->f[i].offset + e->f[i].size > end && e->f[i].offset + e->f[i].size < 256)
			end = e->f[i].offset + e->f[i].size;
	memcpy(d, &e->id, 2);
	memcpy(d + 4, &(uint32_t){ 1000 + (uint32_t)(v % 3) }, 4);
	for (i = 0; i < e->nr; i++) {
		const struct gen_field *f = &e->f[i];
		const char *str = v & 1 ? long_str : f->name;

		if (f->offset + f->size > end)
			continue;
		if (f->type == T_DATA_LOC || f->type == T_REL_LOC) {
			n = strlen(str) + 1;
			loc = (uint32_t)(n << 16) |
			      (f->type == T_REL_LOC ? end - f->offset - f->size : end);
			memcpy(d + f->offset, &loc, 4);
			memcpy(d + end, str, n);
			end += n;
		} else if (f->type == T_CHARS) {
			snprintf((char *)d + f->offset, f->size, "%s", str);
		} else {
			memcpy(d + f->offset, &v, f->size < 8 ? f->size : 8);
		}
	}
	put(s, end, 2);
	put(s, v % 4, 1);
	put(s, dt, 4);
	put_bytes(s, d, end);
}

/* @e laid out as the spec binds it: numbers their member's size, strings __data_loc. */
static void synth_event(struct gen_event *e, size_t spec, uint16_t id)
{
	const struct bind_spec *b = specs[spec].binds;
	uint32_t off = 8;
	unsigned int i;

	memset(e, 0, sizeof(*e));
	e->sys = specs[spec].sys;
	e->name = specs[spec].name;
	e->id = id;
	if (specs[spec].kind == K_FENCE) {
		e->f[e->nr++] = (struct gen_field){ "driver", T_DATA_LOC, off, 4, false };
		e->f[e->nr++] = (struct gen_field){ "timeline", T_DATA_LOC, off + 4, 4, false };
		off += 8;
	}
	for (i = 0; b[i].kind != B_END && e->nr < MAX_FIELDS; i++) {
		struct gen_field *f = &e->f[e->nr++];

		f->name = b[i].field;
		f->offset = off;
		if (b[i].kind == B_STR) {
			f->type = T_DATA_LOC;
			f->size = 4;
		} else {
			f->size = specs[spec].kind == K_FENCE ? 4 : b[i].size;
			f->type = f->size == 1 ? T_UCHAR : f->size == 2 ? T_SHORT :
				  f->size == 4 ? T_UINT : T_U64;
		}
		off += f->size;
	}
}

static void synth_seeds(const char *dir)
{
	struct gen_event ev[MAX_EVENTS];
	uint8_t spec[MAX_EVENTS];
	struct seed *s = calloc(1, sizeof(*s));
	char name[64];
	size_t i, k;

	if (!s)
		exit(1);
	/* each known event on its own: two records */
	for (i = 0; i < NR_SPECS; i++) {
		s->n = 0;
		put(s, 0, 1);
		synth_event(&ev[0], i, 100 + i);
		spec[0] = i;
		put_events(s, ev, 1, spec);
		put_record(s, &ev[0], 7, 1000);
		put_record(s, &ev[0], 8, 1000);
		snprintf(name, sizeof(name), "conv-%s", specs[i].name);
		save(dir, name, s);
	}
	/* the seven dma_fence events: a wait of one fence, start to destroy */
	s->n = 0;
	put(s, 0, 1);
	for (i = 0; i < 7; i++) {
		synth_event(&ev[i], i, 200 + i);
		spec[i] = i;
	}
	put_events(s, ev, 7, spec);
	for (k = 0; k < 2; k++) {
		static const uint8_t order[] = { 0, 1, 2, 4, 3, 5, 6 };

		for (i = 0; i < sizeof(order); i++)
			put_record(s, &ev[order[i]], 42 + k, 500);
	}
	save(dir, "conv-fence-wait", s);
	free(s);
}

/* The pipe as the child writes it, into @dir/@name with the mode byte first. */
static void pipe_seed(const char *dir, const char *name, const char *tracedat)
{
	struct wbuf *w = calloc(1, sizeof(*w));
	union ds_any_event e;
	struct ds_tracedat_stats st = { .records = 3, .imported = 2, .cpus = 1, .buffers = 1 };
	char msg[sizeof(int) + 160] = {};
	char path[4096];
	int fd, err = -EINVAL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!w || fd < 0 || write(fd, "\x01", 1) != 1)
		exit(1);
	if (tracedat) {
		child_run(tracedat, fd);
	} else if (!strcmp(name, "pipe-refused")) {
		w->fd = fd;
		memcpy(msg, &err, sizeof(err));
		snprintf(msg + sizeof(err), sizeof(msg) - sizeof(err), "not a trace");
		wframe(w, F_OPENED, msg, sizeof(msg));
		wflush(w);
	} else {
		w->fd = fd;
		wframe(w, F_OPENED, msg, sizeof(msg));
		memset(&e, 0, sizeof(e));
		e.src.hdr.type = DS_EV_META_SOURCE;
		e.src.hdr.size = sizeof(e.src);
		e.src.sources = DS_SRC_FENCE | DS_SRC_VPR;
		wframe(w, F_RECORD, &e, e.hdr.size);
		memset(&e, 0, sizeof(e));
		e.fence.hdr.type = DS_EV_FENCE_WAIT_START;
		e.fence.hdr.size = DS_FENCE_EVENT_BASE_SIZE;
		e.fence.hdr.ts = 1000;
		wframe(w, F_RECORD, &e, e.hdr.size);
		wframe(w, F_STATS, &st, sizeof(st));
		memset(&e, 0, sizeof(e));
		e.vpr.hdr.type = DS_EV_VPR_RESIZE_BEGIN;
		e.vpr.hdr.size = sizeof(e.vpr);
		e.vpr.hdr.ts = 2000;
		snprintf(e.vpr.name, sizeof(e.vpr.name), "vpr");
		wframe(w, F_RECORD, &e, e.hdr.size);
		wframe(w, F_END, &st, sizeof(st));
		wflush(w);
	}
	close(fd);
	free(w);
}

/* Field type of a real format field, as format_text() would write it. */
static uint8_t type_of(const struct tep_format_field *f)
{
	if (f->flags & TEP_FIELD_IS_DYNAMIC)
		return f->flags & TEP_FIELD_IS_RELATIVE ? T_REL_LOC : T_DATA_LOC;
	if (f->flags & TEP_FIELD_IS_ARRAY)
		return f->flags & TEP_FIELD_IS_STRING ? T_CHARS : T_U32_ARRAY;
	if (f->flags & TEP_FIELD_IS_POINTER)
		return T_PTR;
	switch (f->size) {
	case 1: return T_UCHAR;
	case 2: return T_SHORT;
	case 4: return f->flags & TEP_FIELD_IS_SIGNED ? T_INT : T_UINT;
	default: return f->flags & TEP_FIELD_IS_SIGNED ? T_S64 : T_U64;
	}
}

/* The formats of the known events in a real file, its first records and one of each. */
static void file_seeds(const char *dir, const char *path)
{
	struct gen_event ev[MAX_EVENTS];
	uint8_t spec[MAX_EVENTS];
	struct td_reader *t;
	struct seed *s = calloc(1, sizeof(*s));
	const char *why;
	char name[64];
	int j, cpu, nrec;
	unsigned int nr, i;
	size_t k;

	if (!s || td_open(path, &t, &why)) {
		fprintf(stderr, "fuzz_tracedat: cannot read %s\n", path);
		exit(1);
	}
	for (j = 0; j < t->nr_bufs; j++) {
		struct tdbuf *b = &t->buf[j];

		nr = 0;
		for (k = 0; k <= NR_SPECS && nr < MAX_EVENTS; k++) {
			const char *sys = k < NR_SPECS ? specs[k].sys : "sched";
			const char *en = k < NR_SPECS ? specs[k].name : "sched_process_exec";
			struct tep_event *e = tep_find_event_by_name(b->tep, sys, en);
			struct tep_format_field *f;

			if (!e)
				continue;
			memset(&ev[nr], 0, sizeof(ev[nr]));
			ev[nr].sys = sys;
			ev[nr].name = en;
			ev[nr].id = e->id;
			for (f = e->format.fields; f && ev[nr].nr < MAX_FIELDS; f = f->next) {
				if (name_index(f->name) == MAX_NAMES)
					continue;
				ev[nr].f[ev[nr].nr++] = (struct gen_field){
					names[name_index(f->name)], type_of(f), f->offset, f->size,
					!!(f->flags & TEP_FIELD_IS_SIGNED) };
			}
			spec[nr++] = k;
		}
		s->n = 0;
		put(s, 0, 1);
		put_events(s, ev, nr, spec);
		for (i = 0; i < nr; i++)
			put_record(s, &ev[i], 5 + i, 100);
		nrec = 0;
		for (cpu = 0; cpu < b->nr_cpus; cpu++) {
			struct tep_record *r;

			while (nrec < 64 && (r = b->head[cpu])) {
				put(s, r->size, 2);
				put(s, r->cpu, 1);
				put(s, 10, 4);
				put_bytes(s, r->data, r->size);
				b->head[cpu] = tracecmd_read_data(b->in, cpu);
				tracecmd_free_record(r);
				nrec++;
			}
		}
		snprintf(name, sizeof(name), "conv-file-%d", j);
		save(dir, name, s);
	}
	td_close(t);
	free(s);
	pipe_seed(dir, "pipe-file", path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("DS_FUZZ_SEED_DIR"), *file = getenv("DS_FUZZ_TRACEDAT");

	setup();
	if (!dir)
		return 0;
	synth_seeds(dir);
	pipe_seed(dir, "pipe-synthetic", NULL);
	pipe_seed(dir, "pipe-refused", NULL);
	if (file && *file)
		file_seeds(dir, file);
	/* seeds written, nothing to fuzz; _exit: what libtracecmd leaks is not ours */
	_exit(0);
}
