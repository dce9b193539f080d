// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Recording format (docs/recording-format.md): a fixed header, then event
 * records back to back exactly as they travel on the ring buffer, then an
 * end trailer.  Records are self-delimiting (hdr.size), so a file cut at any
 * byte is readable up to its last complete record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "deptscope/event.h"
#include "deptscope/record.h"
#include "deptscope/util.h"

_Static_assert(sizeof(struct ds_rec_header) == 168, "ds_rec_header");

#define REC_BUF_SIZE	(256 << 10)
#define READ_BUF_SIZE	(1 << 20)
#define DEFAULT_FLUSH_MS 200
#define WRITEBACK_CHUNK	(4u << 20)

struct ds_recorder {
	int fd;
	unsigned char *buf;
	size_t used;
	uint64_t records;
	uint64_t bytes;
	uint64_t flush_ns;
	uint64_t last_flush;
	uint64_t written;	/* bytes written by flushes */
	uint64_t wb_start;	/* writeback started up to here */
	int error;
};

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;
	ssize_t w;

	while (n) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= w;
	}
	return 0;
}

int ds_recorder__open(const char *path, unsigned int flush_ms, struct ds_recorder **out)
{
	struct ds_rec_header h = {};
	char *where = NULL, *tmp = NULL;
	struct ds_recorder *r;
	struct utsname u;
	bool direct;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->buf = malloc(REC_BUF_SIZE);
	if (!r->buf) {
		err = -ENOMEM;
		goto err_free;
	}
	/*
	 * Recordings hold kernel addresses: a new 0600 file of ours, renamed
	 * over @path once it has its header (over a link too, in /tmp); never
	 * written through a symbolic link nor into someone else's file (but
	 * into /dev/null or a FIFO outside /tmp).
	 */
	err = ds_out_resolve(path, false, &where, &direct);
	if (err)
		goto err_free;
	if (direct) {
		r->fd = open(where, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	} else if (asprintf(&tmp, "%s.tmp.XXXXXX", where) < 0) {
		tmp = NULL;
		err = -ENOMEM;
		goto err_free;
	} else {
		r->fd = mkostemp(tmp, O_CLOEXEC);
	}
	if (r->fd < 0) {
		err = -errno;
		free(tmp);
		tmp = NULL;
		goto err_free;
	}
	/*
	 * Held until close: another recorder does not replace this file
	 * meanwhile.  Where there are no locks (some NFS), it records unguarded.
	 */
	if (tmp)
		flock(r->fd, LOCK_EX | LOCK_NB);
	memcpy(h.magic, DS_REC_MAGIC, sizeof(h.magic));
	h.version = DS_REC_VERSION;
	h.header_size = sizeof(h);
	h.start_realtime_ns = ds_now_real_ns();
	h.start_mono_ns = ds_now_mono_ns();
	if (!uname(&u)) {
		/* utsname fields are 65 bytes: keep 63 chars and the NUL */
		memcpy(h.release, u.release, sizeof(h.release) - 1);
		memcpy(h.hostname, u.nodename, sizeof(h.hostname) - 1);
	}
	err = write_all(r->fd, &h, sizeof(h));
	if (!err && tmp)
		err = ds_out_publish(tmp, where);
	if (err)
		goto err_close;
	free(tmp);
	free(where);
	r->bytes = sizeof(h);
	r->flush_ns = (uint64_t)(flush_ms ? flush_ms : DEFAULT_FLUSH_MS) * 1000000ULL;
	r->last_flush = ds_now_mono_ns();
	*out = r;
	return 0;

err_close:
	close(r->fd);
	if (tmp)
		unlink(tmp);
err_free:
	free(tmp);
	free(where);
	free(r->buf);
	free(r);
	return err;
}

int ds_recorder__flush(struct ds_recorder *r)
{
	int err;

	if (r->error)
		return r->error;
	if (r->used) {
		err = write_all(r->fd, r->buf, r->used);
		if (err) {
			/* keep failing: the file must not get a hole */
			r->error = err;
			return err;
		}
		r->written += r->used;
		r->used = 0;
	}
	/*
	 * Start writeback every few MiB: the fsync at close then finds little
	 * dirty data, and Ctrl-C is answered in milliseconds even after a storm
	 * (a pipe says ESPIPE; nothing to do then).
	 */
	if (r->written - r->wb_start >= WRITEBACK_CHUNK) {
		sync_file_range(r->fd, r->wb_start, r->written - r->wb_start,
				SYNC_FILE_RANGE_WRITE);
		r->wb_start = r->written;
	}
	r->last_flush = ds_now_mono_ns();
	return 0;
}

int ds_recorder__write(struct ds_recorder *r, const struct ds_event_hdr *ev)
{
	size_t n = ev->size;
	int err;

	if (r->error)
		return r->error;
	if (r->used + n > REC_BUF_SIZE) {
		err = ds_recorder__flush(r);
		if (err)
			return err;
	}
	memcpy(r->buf + r->used, ev, n);
	r->used += n;
	r->records++;
	r->bytes += n;
	/* time-based flush bounds what a SIGKILL can lose */
	if ((r->records & 63) == 0 && ds_now_mono_ns() - r->last_flush > r->flush_ns)
		return ds_recorder__flush(r);
	return 0;
}

int ds_recorder__consume(void *r, const struct ds_event_hdr *ev)
{
	/* the stream's END is written by close, not copied from a replay */
	if (ev->type == DS_EV_META_END)
		return 0;
	return ds_recorder__write(r, ev);
}

uint64_t ds_recorder__records(const struct ds_recorder *r)
{
	return r->records;
}

uint64_t ds_recorder__bytes(const struct ds_recorder *r)
{
	return r->bytes;
}

int ds_recorder__close(struct ds_recorder *r, uint64_t duration_ns)
{
	struct ds_meta_end end = {};
	int err;

	if (!r)
		return 0;
	end.hdr.type = DS_EV_META_END;
	end.hdr.size = sizeof(end);
	end.hdr.ts = ds_now_mono_ns();
	end.records = r->records;
	end.duration_ns = duration_ns;
	err = ds_recorder__write(r, &end.hdr);
	if (!err)
		err = ds_recorder__flush(r);
	/* EINVAL: a pipe or /dev/null, nothing to sync */
	if (!err && fsync(r->fd) && errno != EINVAL)
		err = -errno;
	if (close(r->fd) && !err)
		err = -errno;
	free(r->buf);
	free(r);
	return err;
}

struct ds_reader {
	int fd;
	struct ds_rec_header hdr;
	unsigned char *buf;
	size_t len;		/* valid bytes in buf */
	size_t pos;		/* next record in buf */
	uint64_t buf_off;	/* file offset of buf[0] */
	uint64_t records;
	bool eof;
	enum ds_reader_state state;
	char status[160];
};

int ds_reader__open(const char *path, struct ds_reader **out)
{
	struct ds_reader *r;
	struct stat st;
	ssize_t n;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->buf = malloc(READ_BUF_SIZE);
	if (!r->buf) {
		err = -ENOMEM;
		goto err_free;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		err = -errno;
		goto err_free;
	}
	n = pread(r->fd, &r->hdr, sizeof(r->hdr), 0);
	if (n < 0) {
		err = -errno;
		goto err_close;
	}
	if (n < 8 || memcmp(r->hdr.magic, DS_REC_MAGIC, 8)) {
		err = -EBADMSG;	/* not a recording */
		goto err_close;
	}
	if ((size_t)n < sizeof(r->hdr) || r->hdr.header_size < sizeof(r->hdr)) {
		err = -ENODATA;	/* header itself truncated */
		goto err_close;
	}
	/* a header_size past the end: offsets in messages would point beyond the file */
	if (fstat(r->fd, &st)) {
		err = -errno;
		goto err_close;
	}
	if ((uint64_t)st.st_size < r->hdr.header_size) {
		err = -ENODATA;
		goto err_close;
	}
	if (r->hdr.version > DS_REC_VERSION) {
		err = -EPROTONOSUPPORT;
		goto err_close;
	}
	r->buf_off = r->hdr.header_size;
	r->state = DS_READER_OK;
	*out = r;
	return 0;

err_close:
	close(r->fd);
err_free:
	free(r->buf);
	free(r);
	return err;
}

void ds_reader__close(struct ds_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	free(r->buf);
	free(r);
}

bool ds_rec_header__this_boot(const struct ds_rec_header *h)
{
	uint64_t mono = ds_now_mono_ns(), real = ds_now_real_ns(), off_now, off_rec;
	struct utsname u;

	if (uname(&u) || strncmp(h->release, u.release, sizeof(h->release) - 1) ||
	    strncmp(h->hostname, u.nodename, sizeof(h->hostname) - 1))
		return false;
	if (!h->start_mono_ns || h->start_mono_ns > mono || h->start_realtime_ns < h->start_mono_ns)
		return false;
	off_now = real - mono;
	off_rec = h->start_realtime_ns - h->start_mono_ns;
	return (off_now > off_rec ? off_now - off_rec : off_rec - off_now) < 10000000000ULL;
}

const struct ds_rec_header *ds_reader__header(const struct ds_reader *r)
{
	return &r->hdr;
}

/* Keep the unconsumed tail and read more behind it. */
static int refill(struct ds_reader *r)
{
	size_t keep = r->len - r->pos;
	ssize_t n;

	memmove(r->buf, r->buf + r->pos, keep);
	r->buf_off += r->pos;
	r->pos = 0;
	r->len = keep;
	while (r->len < READ_BUF_SIZE) {
		n = pread(r->fd, r->buf + r->len, READ_BUF_SIZE - r->len, r->buf_off + r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			r->eof = true;
			break;
		}
		r->len += n;
	}
	return 0;
}

const char *ds_reader_strerror(int err)
{
	switch (err) {
	case -EBADMSG:
		return "not a deptscope recording";
	case -ENODATA:
		return "file ends inside the header";
	case -EPROTONOSUPPORT:
		return "recording format is newer than this deptscope";
	default:
		return strerror(-err);
	}
}

static void set_state(struct ds_reader *r, enum ds_reader_state st)
{
	uint64_t off = r->buf_off + r->pos;

	r->state = st;
	switch (st) {
	case DS_READER_END:
		snprintf(r->status, sizeof(r->status), "complete: %llu records",
			 (unsigned long long)r->records);
		break;
	case DS_READER_TRUNCATED:
		snprintf(r->status, sizeof(r->status),
			 "truncated at byte %llu (recorder killed?): %llu complete records read",
			 (unsigned long long)off, (unsigned long long)r->records);
		break;
	case DS_READER_CORRUPT:
		snprintf(r->status, sizeof(r->status),
			 "corrupt record at byte %llu: %llu complete records read before it",
			 (unsigned long long)off, (unsigned long long)r->records);
		break;
	default:
		break;
	}
}

int ds_reader__next(struct ds_reader *r, const struct ds_event_hdr **ev)
{
	const struct ds_event_hdr *h;
	int n, err;

	if (r->state != DS_READER_OK)
		return 0;
	for (;;) {
		n = ds_event__check(r->buf + r->pos, r->len - r->pos);
		if (n > 0)
			break;
		if (n == -EINVAL) {
			set_state(r, DS_READER_CORRUPT);
			return 0;
		}
		if (r->eof) {
			set_state(r, DS_READER_TRUNCATED);
			return 0;
		}
		err = refill(r);
		if (err)
			return err;
	}
	h = (const struct ds_event_hdr *)(r->buf + r->pos);
	r->pos += n;
	if (h->type == DS_EV_META_END) {
		set_state(r, DS_READER_END);
		return 0;
	}
	r->records++;
	*ev = h;
	return 1;
}

enum ds_reader_state ds_reader__state(const struct ds_reader *r)
{
	return r->state;
}

uint64_t ds_reader__offset(const struct ds_reader *r)
{
	return r->buf_off + r->pos;
}

uint64_t ds_reader__records(const struct ds_reader *r)
{
	return r->records;
}

const char *ds_reader__status_str(const struct ds_reader *r)
{
	return r->state == DS_READER_OK ? "reading" : r->status;
}

static int reader_poll(void *src, struct ds_stream *s, int timeout_ms)
{
	const struct ds_event_hdr *ev;
	int i, n, err;

	for (i = 0; i < 4096; i++) {
		n = ds_reader__next(src, &ev);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		err = ds_stream__dispatch(s, ev);
		if (err)
			return err;
	}
	return i;
}

static bool reader_eof(void *src)
{
	return ds_reader__state(src) != DS_READER_OK;
}

const struct ds_source_ops ds_reader_source_ops = {
	.name = "recording",
	.poll = reader_poll,
	.eof = reader_eof,
};
