/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_UTIL_H
#define DEPTSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

uint64_t ds_now_mono_ns(void);

/*
 * Room for one more element in the array *@arrp of *@cap elements of
 * @size bytes, @nr in use: doubled when full, @first on the first call.
 * -ENOMEM leaves the array as it was.
 */
int ds_grow(void *arrp, size_t *cap, size_t nr, size_t size, size_t first);
uint64_t ds_now_real_ns(void);

/*
 * Where an output file goes (docs/reliability.md, "Privileges and files").
 * In a sticky directory others may write in (/tmp), what is at @path is
 * never followed nor written into: @where is @path, and a new file is to be
 * renamed over it.  Elsewhere a symbolic link is followed to the file it
 * names, and a device, FIFO or socket (/dev/null, /dev/stdout) is written
 * into: @direct.  Without @links a symbolic link outside /tmp is -ELOOP
 * (recordings).  -EISDIR for a directory.  @where is malloc'd.
 */
int ds_out_resolve(const char *path, bool links, char **where, bool *direct);
/*
 * rename(@tmp, @where), but not over a recording another deptscope is
 * writing (-EBUSY), nor over a file that appears meanwhile unchecked.
 */
int ds_out_publish(const char *tmp, const char *where);

/*
 * Output files appear whole or not at all: written to a temporary file in
 * the same directory, fsynced, then renamed over the place ds_out_resolve
 * gives; a device or a pipe is written into (@tmp NULL).
 */
struct ds_atomic_file {
	FILE *f;
	char *path;
	char *tmp;
};

int ds_atomic_file__open(struct ds_atomic_file *af, const char *path);
int ds_atomic_file__commit(struct ds_atomic_file *af);
void ds_atomic_file__abort(struct ds_atomic_file *af);

/* ---- the running system ---- */

/* tracefs mount point, or NULL when tracefs is not mounted. */
/*
 * Fault injection for the tests, from DEPTSCOPE_TEST_FAULTS
 * ("attach=EVENT,poll=N", see docs/reliability.md): does fault @key apply
 * to @what ("*" matches all), and fault @key's number (0 when unset).
 */
bool ds_test_fault(const char *key, const char *what);
long ds_test_fault_num(const char *key);
const char *ds_tracefs_dir(void);
bool ds_tracepoint_exists(const char *sys, const char *event);
/* Offset and size of @field in the event's format file; -ENOENT if absent. */
int ds_tracepoint_field(const char *sys, const char *event, const char *field,
			int *offset, int *size);
/*
 * 0 when the live commands can work: CAP_BPF and CAP_PERFMON (or
 * CAP_SYS_ADMIN), and tracefs readable (CAP_DAC_READ_SEARCH, or tracefs
 * mounted for the user).  Else -EPERM and a one-line reason naming what is
 * missing in @why.
 */
int ds_check_bpf_privileges(char *why, size_t len);
bool ds_have_kernel_btf(void);

#endif
