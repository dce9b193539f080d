/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the libFuzzer targets of tests/fuzz share. */
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* A broken promise of the code under test is a bug like a crash: abort, so libFuzzer keeps it. */
#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "CHECK failed: %s\n", #c);	\
			abort();					\
		}							\
	} while (0)

/*
 * The library opens paths: an input goes to a memfd, opened by the path
 * written to @path.  Returns the memfd; aborts when there is none.
 */
static inline int fuzz_memfd(const char *name, char *path, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
