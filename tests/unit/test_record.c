// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "test.h"
#include "deptscope/record.h"

#define NREC 24

/* Mixed records of several sizes; returns sizes in @sizes. */
static int write_sample(const char *path, size_t *sizes, unsigned char (*bytes)[512])
{
	struct ds_recorder *r;
	struct ds_fence_event e;
	struct ds_fence_name_event n;
	int i, err;

	err = ds_recorder__open(path, 0, &r);
	if (err)
		return err;
	for (i = 0; i < NREC; i++) {
		const struct ds_event_hdr *h;

		if (i % 5 == 4) {
			memset(&n, 0, sizeof(n));
			n.hdr.type = DS_EV_FENCE_NAME;
			n.hdr.size = sizeof(n);
			n.hdr.ts = 100 + i;
			n.context32 = i;
			snprintf(n.driver, sizeof(n.driver), "drv%d", i);
			h = &n.hdr;
		} else {
			memset(&e, 0, sizeof(e));
			e.hdr.type = DS_EV_FENCE_INIT + i % 7;
			e.hdr.ts = 100 + i;
			e.hdr.tid = i;
			e.nr_frames = i % 4;
			e.hdr.size = DS_FENCE_EVENT_BASE_SIZE + e.nr_frames * 8;
			e.stack[0] = 0xffffffff81000000ULL + i;
			e.fence = i * 1000;
			h = &e.hdr;
		}
		sizes[i] = h->size;
		memcpy(bytes[i], h, h->size);
		err = ds_recorder__write(r, h);
		if (err)
			return err;
	}
	return ds_recorder__close(r, 12345);
}

static int read_all(const char *path, int *nread, enum ds_reader_state *st, size_t *sizes,
		    unsigned char (*bytes)[512])
{
	const struct ds_event_hdr *ev;
	struct ds_reader *r;
	int err, n = 0;

	err = ds_reader__open(path, &r);
	if (err)
		return err;
	while ((err = ds_reader__next(r, &ev)) == 1) {
		if (n < NREC && sizes && (ev->size != sizes[n] || memcmp(ev, bytes[n], ev->size))) {
			ds_reader__close(r);
			return -EILSEQ;
		}
		n++;
	}
	*nread = n;
	*st = ds_reader__state(r);
	ds_reader__close(r);
	return err;
}

TEST(test_record_round_trip)
{
	static unsigned char bytes[NREC][512];
	size_t sizes[NREC];
	enum ds_reader_state st;
	char path[256];
	struct stat sb;
	int n = -1;

	snprintf(path, sizeof(path), "%s/rt.dsr", ds_test_tmpdir());
	REQUIRE(write_sample(path, sizes, bytes) == 0);
	REQUIRE(stat(path, &sb) == 0);
	CHECK_EQ_U64(sb.st_mode & 0777, 0600);
	CHECK(read_all(path, &n, &st, sizes, bytes) == 0);
	CHECK_EQ_U64(n, NREC);
	CHECK(st == DS_READER_END);
}

/* A recorder killed mid-write: every prefix of the file must read cleanly. */
TEST(test_record_truncated_at_every_offset)
{
	static unsigned char bytes[NREC][512];
	size_t sizes[NREC], hdr = sizeof(struct ds_rec_header), boundary;
	char path[256], cut[256];
	enum ds_reader_state st;
	struct stat sb;
	int n, err, i, expect, bad = 0;
	off_t off;
	unsigned char *buf;
	int fd;

	snprintf(path, sizeof(path), "%s/full.dsr", ds_test_tmpdir());
	snprintf(cut, sizeof(cut), "%s/cut.dsr", ds_test_tmpdir());
	REQUIRE(write_sample(path, sizes, bytes) == 0);
	REQUIRE(stat(path, &sb) == 0);
	buf = malloc(sb.st_size);
	REQUIRE(buf);
	fd = open(path, O_RDONLY);
	REQUIRE(fd >= 0 && read(fd, buf, sb.st_size) == sb.st_size);
	close(fd);

	for (off = 0; off < sb.st_size; off++) {
		fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		REQUIRE(fd >= 0 && write(fd, buf, off) == off);
		close(fd);
		n = -1;
		err = read_all(cut, &n, &st, sizes, bytes);
		if ((size_t)off < hdr) {
			/* too short for a header: a clear error, never a crash */
			if (err != -EBADMSG && err != -ENODATA)
				bad++;
			continue;
		}
		/* complete records that fit in the prefix */
		boundary = hdr;
		expect = 0;
		for (i = 0; i < NREC && boundary + sizes[i] <= (size_t)off; i++) {
			boundary += sizes[i];
			expect++;
		}
		if (err || n != expect || st != DS_READER_TRUNCATED) {
			if (bad++ < 5)
				ds_test_fail(__FILE__, __LINE__,
					     "cut at %lld: err %d, %d records (want %d), state %d",
					     (long long)off, err, n, expect, st);
		}
	}
	CHECK_EQ_U64(bad, 0);
	free(buf);
}

TEST(test_record_corrupt_and_foreign)
{
	static unsigned char bytes[NREC][512];
	size_t sizes[NREC];
	enum ds_reader_state st;
	char path[256];
	struct ds_reader *r;
	int n = -1, fd;
	__u16 bad = 3;	/* size 3: can never be a record */

	snprintf(path, sizeof(path), "%s/corrupt.dsr", ds_test_tmpdir());
	REQUIRE(write_sample(path, sizes, bytes) == 0);
	fd = open(path, O_WRONLY);
	REQUIRE(fd >= 0);
	/* corrupt the size field of the third record */
	REQUIRE(pwrite(fd, &bad, 2, sizeof(struct ds_rec_header) + sizes[0] + sizes[1] + 10) == 2);
	close(fd);
	CHECK(read_all(path, &n, &st, sizes, bytes) == 0);
	CHECK_EQ_U64(n, 2);
	CHECK(st == DS_READER_CORRUPT);

	snprintf(path, sizeof(path), "%s/foreign", ds_test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	{
		static const char text[] = "this is not a recording, just a long line of text "
					   "that is longer than any recording header is .....\n"
					   "and a second line of it, to be sure of that......\n";

		REQUIRE(write(fd, text, sizeof(text) - 1) == sizeof(text) - 1);
	}
	close(fd);
	CHECK(ds_reader__open(path, &r) == -EBADMSG);
}

TEST(test_record_newer_version_refused)
{
	struct ds_rec_header h = {};
	struct ds_reader *r;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/v99.dsr", ds_test_tmpdir());
	memcpy(h.magic, DS_REC_MAGIC, 8);
	h.version = 99;
	h.header_size = sizeof(h);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0 && write(fd, &h, sizeof(h)) == sizeof(h));
	close(fd);
	CHECK(ds_reader__open(path, &r) == -EPROTONOSUPPORT);
}

TEST(test_record_refuses_symlink)
{
	struct ds_recorder *r = NULL;
	char target[256], link[256];

	snprintf(target, sizeof(target), "%s/victim", ds_test_tmpdir());
	snprintf(link, sizeof(link), "%s/link.dsr", ds_test_tmpdir());
	REQUIRE(symlink(target, link) == 0);
	CHECK(ds_recorder__open(link, 0, &r) == -ELOOP);
	CHECK(access(target, F_OK) != 0);
}

TEST(test_record_link_in_shared_dir_replaced)
{
	struct ds_recorder *r = NULL;
	char dir[256], target[256], link[300];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/sticky", ds_test_tmpdir());
	snprintf(target, sizeof(target), "%s/victim2", ds_test_tmpdir());
	snprintf(link, sizeof(link), "%s/link.dsr", dir);
	REQUIRE(mkdir(dir, 0700) == 0 && chmod(dir, 01777) == 0);
	REQUIRE(symlink(target, link) == 0);
	/* in a sticky directory anyone writes in, the link is replaced, not followed */
	CHECK(ds_recorder__open(link, 0, &r) == 0);
	CHECK(ds_recorder__close(r, 0) == 0);
	CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK(access(target, F_OK) != 0);
}

TEST(test_record_second_recorder_refused)
{
	struct ds_recorder *a = NULL, *b = NULL;
	struct ds_reader *rd;
	char path[256];

	snprintf(path, sizeof(path), "%s/busy.dsr", ds_test_tmpdir());
	REQUIRE(ds_recorder__open(path, 0, &a) == 0);
	/* the file being written is neither replaced nor truncated */
	CHECK(ds_recorder__open(path, 0, &b) == -EBUSY);
	CHECK(b == NULL);
	CHECK(ds_recorder__close(a, 0) == 0);
	REQUIRE(ds_reader__open(path, &rd) == 0);
	ds_reader__close(rd);
	/* once it is closed, the name can be recorded to again */
	CHECK(ds_recorder__open(path, 0, &b) == 0);
	CHECK(ds_recorder__close(b, 0) == 0);
}
