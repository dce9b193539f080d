/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_SYMBOLIZE_H
#define DEPTSCOPE_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

struct ds_symbolizer_opts {
	/* vmlinux with DWARF; NULL: search the usual places for the running kernel */
	const char *vmlinux;
	/* kallsyms file; NULL: /proc/kallsyms */
	const char *kallsyms;
	/* skip DWARF even if found (kallsyms only) */
	int no_dwarf;
};

struct ds_frame {
	uint64_t addr;
	const char *func;	/* NULL when unknown; owned by the symbolizer */
	uint64_t offset;	/* addr - function start */
	uint64_t size;		/* function size, 0 if unknown */
	const char *module;	/* NULL for vmlinux */
	const char *file;	/* NULL without DWARF */
	int line;
};

struct ds_symbolizer;

int ds_symbolizer__new(const struct ds_symbolizer_opts *o, struct ds_symbolizer **out);
void ds_symbolizer__free(struct ds_symbolizer *s);
/* 0 and *f filled, or -ENOENT when the address is unknown (f->addr still set). */
int ds_symbolizer__resolve(struct ds_symbolizer *s, uint64_t addr, struct ds_frame *f);
/* "func+0x1a/0x80 [mod] (file.c:123)" or "0xffff..."; returns buf. */
const char *ds_symbolizer__format(struct ds_symbolizer *s, uint64_t addr, char *buf, size_t len);
/* Where symbols come from, for -v and --json: "dwarf:/path" or "kallsyms:/proc/kallsyms". */
const char *ds_symbolizer__source(const struct ds_symbolizer *s);

#endif
