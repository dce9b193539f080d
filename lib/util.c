// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include "deptscope/util.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t ds_now_mono_ns(void)
{
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: keep user stamps comparable */
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t ds_now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int ds_grow(void *arrp, size_t *cap, size_t nr, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *arr, *p;

	if (nr < *cap)
		return 0;
	memcpy(&arr, arrp, sizeof(arr));
	p = realloc(arr, ncap * size);
	if (!p)
		return -ENOMEM;
	memcpy(arrp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

/* ---- output files ---- */

/* A sticky directory others may write in (/tmp): the names in it may be anyone's. */
static bool in_shared_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct stat st;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return true;
	if (stat(dir, &st))
		return true;
	return (st.st_mode & S_ISVTX) && (st.st_mode & (S_IWGRP | S_IWOTH));
}

int ds_out_resolve(const char *path, bool links, char **where, bool *direct)
{
	char *cur, *next, target[PATH_MAX];
	const char *slash;
	struct stat st;
	int hops, err;
	ssize_t n;

	*where = NULL;
	*direct = false;
	cur = strdup(path);
	if (!cur)
		return -ENOMEM;
	for (hops = 0; ; hops++) {
		if (hops == 40) {
			err = -ELOOP;
			goto err;
		}
		if (lstat(cur, &st)) {
			if (errno != ENOENT) {
				err = -errno;
				goto err;
			}
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			err = -EISDIR;
			goto err;
		}
		/*
		 * A file is replaced; in /tmp so is anything else (a link or a
		 * FIFO there may be a trap), never followed nor written into.
		 */
		if (S_ISREG(st.st_mode) || in_shared_dir(cur))
			break;
		if (S_ISLNK(st.st_mode) && !links) {
			err = -ELOOP;
			goto err;
		}
		/* /dev/null, a terminal, a pipe (/dev/stdout): written into */
		if (!S_ISLNK(st.st_mode) || (!stat(cur, &st) && !S_ISREG(st.st_mode))) {
			if (S_ISDIR(st.st_mode)) {
				err = -EISDIR;
				goto err;
			}
			*direct = true;
			break;
		}
		/* a link of our own: the file it names is the one to replace */
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0) {
			err = -errno;
			goto err;
		}
		target[n] = '\0';
		slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash)
			next = strdup(target);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur, target) < 0)
			next = NULL;
		if (!next) {
			err = -ENOMEM;
			goto err;
		}
		free(cur);
		cur = next;
	}
	*where = cur;
	return 0;
err:
	free(cur);
	return err;
}

int ds_out_publish(const char *tmp, const char *where)
{
	struct stat st;
	int fd, tries, err;

	for (tries = 0; tries < 8; tries++) {
		fd = -1;
		if (lstat(where, &st)) {
			if (errno != ENOENT)
				return -errno;
			/* what another process creates meanwhile is checked on the next turn */
			if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, where, RENAME_NOREPLACE))
				return 0;
			if (errno == EEXIST)
				continue;
			if (errno != EINVAL && errno != ENOSYS)
				return -errno;
		} else if (S_ISREG(st.st_mode)) {
			/* a recording being written holds a lock on it (ds_recorder__open) */
			fd = open(where, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) {
				close(fd);
				return -EBUSY;
			}
		}
		err = rename(tmp, where) ? -errno : 0;
		if (fd >= 0)
			close(fd);
		return err;
	}
	return -EEXIST;
}

int ds_atomic_file__open(struct ds_atomic_file *af, const char *path)
{
	bool direct;
	int fd, err;

	memset(af, 0, sizeof(*af));
	err = ds_out_resolve(path, true, &af->path, &direct);
	if (err)
		return err;
	if (direct) {
		fd = open(af->path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	} else if (asprintf(&af->tmp, "%s.tmp.XXXXXX", af->path) < 0) {
		af->tmp = NULL;
		err = -ENOMEM;
		goto err;
	} else {
		fd = mkostemp(af->tmp, O_CLOEXEC);
	}
	if (fd < 0) {
		err = -errno;
		goto err;
	}
	af->f = fdopen(fd, "w");
	if (!af->f) {
		err = -errno;
		close(fd);
		if (af->tmp)
			unlink(af->tmp);
		goto err;
	}
	return 0;
err:
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof(*af));
	return err;
}

int ds_atomic_file__commit(struct ds_atomic_file *af)
{
	int err = 0;

	if (fflush(af->f))
		err = -errno;
	else if (ferror(af->f))
		err = -EIO;
	/* mkostemp made it 0600: give it the mode a plain creat() would have */
	if (!err && af->tmp) {
		mode_t um = umask(0);

		umask(um);
		if (fchmod(fileno(af->f), 0666 & ~um))
			err = -errno;
	}
	if (!err && af->tmp && fsync(fileno(af->f)))
		err = -errno;
	if (fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	if (!err && af->tmp)
		err = ds_out_publish(af->tmp, af->path);
	if (err && af->tmp)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	return err;
}

void ds_atomic_file__abort(struct ds_atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof(*af));
}

/* The value of @key in DEPTSCOPE_TEST_FAULTS, into @val; false if absent. */
static bool test_fault_value(const char *key, char *val, size_t len)
{
	const char *env = getenv("DEPTSCOPE_TEST_FAULTS"), *p, *end;
	size_t klen = strlen(key), n;

	if (!env || !*env)
		return false;
	for (p = env; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ',');
		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		n = end - (p + klen + 1);
		if (n >= len)
			n = len - 1;
		memcpy(val, p + klen + 1, n);
		val[n] = '\0';
		return true;
	}
	return false;
}

bool ds_test_fault(const char *key, const char *what)
{
	char val[128];

	if (!test_fault_value(key, val, sizeof(val)))
		return false;
	return !strcmp(val, "*") || !strcmp(val, what);
}

long ds_test_fault_num(const char *key)
{
	char val[32], *end;
	long n;

	if (!test_fault_value(key, val, sizeof(val)))
		return 0;
	n = strtol(val, &end, 10);
	return *end || n < 0 ? 0 : n;
}

const char *ds_tracefs_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	struct statfs sf;
	unsigned int i;

	for (i = 0; i < DS_ARRAY_SIZE(dirs); i++) {
		if (statfs(dirs[i], &sf))
			continue;
		if ((unsigned long)sf.f_type == TRACEFS_MAGIC)
			return dirs[i];
		/* old kernels: tracefs auto-mounted under debugfs */
		if ((unsigned long)sf.f_type == DEBUGFS_MAGIC &&
		    !access("/sys/kernel/debug/tracing/events", F_OK))
			return dirs[i];
	}
	return NULL;
}

bool ds_tracepoint_exists(const char *sys, const char *event)
{
	const char *dir = ds_tracefs_dir();
	char path[512];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, sys, event);
	/* AT_EACCESS: access() ignores the capabilities of a non-root user */
	return faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0;
}

int ds_tracepoint_field(const char *sys, const char *event, const char *field,
			int *offset, int *size)
{
	const char *dir = ds_tracefs_dir();
	char path[512], line[512], *p, *q, *name_end;
	size_t flen = strlen(field);
	int err = -ENOENT;
	FILE *f;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, sys, event);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "\tfield:unsigned int context;\toffset:16;\tsize:4;\tsigned:0;" */
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "field:");
		name_end = p ? strchr(p, ';') : NULL;
		if (!name_end)
			continue;
		/* the name is the last word of the declaration, before any [] */
		for (q = name_end; q > p && q[-1] != ' ' && q[-1] != ':'; q--)
			;
		if (strncmp(q, field, flen) || (q[flen] != ';' && q[flen] != '['))
			continue;
		p = strstr(name_end, "offset:");
		if (!p || sscanf(p, "offset:%d;\tsize:%d;", offset, size) != 2)
			continue;
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif
#define CAP_BIT(c)	(1ULL << (c))

/* The effective capabilities of this thread. */
static int cap_eff(uint64_t *caps)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -errno;
	*caps = d[0].effective | (uint64_t)d[1].effective << 32;
	return 0;
}

int ds_check_bpf_privileges(char *why, size_t len)
{
	const char *tracefs = ds_tracefs_dir();
	char missing[160] = "", file[64];
	uint64_t caps = 0;
	size_t n = 0;

	if (cap_eff(&caps))
		caps = geteuid() == 0 ? ~0ULL : 0;
	/* CAP_SYS_ADMIN stands for both, as before Linux 5.8 */
	if (!(caps & (CAP_BIT(CAP_BPF) | CAP_BIT(CAP_SYS_ADMIN))))
		n += snprintf(missing + n, sizeof(missing) - n, "CAP_BPF");
	if (!(caps & (CAP_BIT(CAP_PERFMON) | CAP_BIT(CAP_SYS_ADMIN))))
		n += snprintf(missing + n, sizeof(missing) - n, "%sCAP_PERFMON", n ? ", " : "");
	/*
	 * The classic tracepoints' ids and formats are in tracefs, root's alone
	 * (0700, files 0440) unless mounted with gid=.  AT_EACCESS: access()
	 * would ignore the capabilities of a user other than root.
	 */
	snprintf(file, sizeof(file), "%s/events/header_page", tracefs ? tracefs : "");
	if (tracefs && faccessat(AT_FDCWD, file, R_OK, AT_EACCESS))
		n += snprintf(missing + n, sizeof(missing) - n,
			      "%sCAP_DAC_READ_SEARCH (to read %s)", n ? ", " : "", tracefs);
	if (!n)
		return 0;
	snprintf(why, len, "needs CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH (or root): "
		 "missing %s", missing);
	return -EPERM;
}

bool ds_have_kernel_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}
