// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

int ds_atomic_file__open(struct ds_atomic_file *af, const char *path)
{
	int fd, err;

	memset(af, 0, sizeof(*af));
	af->path = strdup(path);
	if (!af->path || asprintf(&af->tmp, "%s.tmp.XXXXXX", path) < 0) {
		af->tmp = NULL;
		err = -ENOMEM;
		goto err;
	}
	fd = mkostemp(af->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto err;
	}
	af->f = fdopen(fd, "w");
	if (!af->f) {
		err = -errno;
		close(fd);
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

	if (fflush(af->f) || ferror(af->f))
		err = -EIO;
	/* mkostemp made it 0600: give it the mode a plain creat() would have */
	if (!err) {
		mode_t um = umask(0);

		umask(um);
		if (fchmod(fileno(af->f), 0666 & ~um))
			err = -errno;
	}
	if (!err && fsync(fileno(af->f)))
		err = -errno;
	if (fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	if (!err && rename(af->tmp, af->path))
		err = -errno;
	if (err)
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
	return access(path, R_OK) == 0;
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

static int cap_eff(uint64_t *caps)
{
	char line[256];
	unsigned long long v;
	int err = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &v) == 1) {
			*caps = v;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int ds_check_bpf_privileges(char *why, size_t len)
{
	const uint64_t sys_admin = 1ULL << 21, perfmon = 1ULL << 38, bpf = 1ULL << 39;
	uint64_t caps = 0;

	if (cap_eff(&caps))
		caps = geteuid() == 0 ? ~0ULL : 0;
	if (caps & sys_admin)
		return 0;
	if ((caps & bpf) && (caps & perfmon))
		return 0;
	snprintf(why, len, "%s: run as root or with CAP_BPF and CAP_PERFMON",
		 geteuid() ? "not root" : "missing capabilities");
	return -EPERM;
}

bool ds_have_kernel_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}
