// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel address -> "func+off/size [mod] (file:line)".
 *
 * Two sources: kallsyms (always tried; the only one that knows modules and
 * the KASLR slide) and, when a vmlinux with DWARF is around, libdwfl for
 * source lines.  Results are memoised per address because the same few
 * hundred stacks repeat millions of times in a trace.
 *
 * Not thread-safe: resolve() fills the cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <elfutils/libdwfl.h>

#include "deptscope/log.h"
#include "deptscope/symbolize.h"
#include "deptscope/util.h"

#define DEFAULT_KALLSYMS	"/proc/kallsyms"

/*
 * The biggest real kernel functions are ~20 KiB; a larger gap to the next
 * symbol means the next one is a section marker far away (entry text end,
 * end of text before module space), so the size is unknown rather than huge.
 */
#define MAX_FUNC_SIZE		(256 * 1024)

#define CACHE_BITS		12
#define CACHE_SIZE		(1u << CACHE_BITS)
#define CACHE_PROBE		4

struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset into the arena; 0 ("") for non-text */
	uint32_t mod : 31;	/* index into mods[], 0 for vmlinux */
	uint32_t text : 1;
};

struct cache_ent {
	bool used;
	int err;
	struct ds_frame f;
};

struct ds_symbolizer {
	/* kallsyms, sorted by address, one entry per distinct address */
	struct ksym *syms;
	size_t nr_syms;
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *mods;		/* arena offsets of module names; [0] unused */
	size_t nr_mods, mods_cap;
	uint64_t ks_stext;	/* 0 when unknown */

	/* DWARF */
	Dwfl *dwfl;
	/* runtime address - address as libdwfl sees it */
	uint64_t dwfl_slide;

	struct cache_ent *cache;
	char *source;
};

/* ---- kallsyms ---- */

/* Copies @str into the arena; *off is where.  Offset 0 is always "". */
static int arena_add(struct ds_symbolizer *s, const char *str, size_t len, uint32_t *off)
{
	size_t need = s->arena_len + len + 1;

	if (need > UINT32_MAX)
		return -E2BIG;
	if (need > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap : 1 << 20;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(s->arena, cap);
		if (!p)
			return -ENOMEM;
		s->arena = p;
		s->arena_cap = cap;
	}
	*off = s->arena_len;
	memcpy(s->arena + *off, str, len);
	s->arena[*off + len] = '\0';
	s->arena_len = need;
	return 0;
}

/* Module index for @name; symbols of one module are contiguous, so check the last one first. */
static int module_id(struct ds_symbolizer *s, const char *name, size_t len, uint32_t *id)
{
	size_t i;
	uint32_t off;
	int err;

	for (i = s->nr_mods; i-- > 1;) {
		const char *m = s->arena + s->mods[i];

		if (!strncmp(m, name, len) && m[len] == '\0') {
			*id = i;
			return 0;
		}
	}
	if (s->nr_mods >= (1u << 31) - 1)
		return -E2BIG;
	if (ds_grow(&s->mods, &s->mods_cap, s->nr_mods, sizeof(*s->mods), 64))
		return -ENOMEM;
	if (!s->nr_mods)
		s->mods[s->nr_mods++] = 0;
	err = arena_add(s, name, len, &off);
	if (err)
		return err;
	s->mods[s->nr_mods] = off;
	*id = s->nr_mods++;
	return 0;
}

static bool is_text_type(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

/*
 * Absolute symbols are not addresses and 'U'/'N' never take space; every
 * other type is kept as a boundary so an address in data after a function
 * does not resolve to that function with a giant offset.
 */
static bool is_boundary_type(char t)
{
	return t != 'a' && t != 'A' && t != 'U' && t != 'N' && t != '?';
}

/* Parses one "addr type name[\t[mod]]" line into @k; 1 kept, 0 skipped, <0 error. */
static int parse_line(struct ds_symbolizer *s, char *line, struct ksym *k)
{
	char *p = line, *end, *name, *mod;
	size_t name_len;
	uint64_t addr;
	uint32_t id = 0;
	char type;
	int err;

	addr = strtoull(p, &end, 16);
	if (end == p || (*end != ' ' && *end != '\t'))
		return 0;
	/* non-root sees zeros: no information, and they would all collide */
	if (!addr)
		return 0;
	p = end + strspn(end, " \t");
	type = *p;
	if (!type || !is_boundary_type(type))
		return 0;
	p++;
	p += strspn(p, " \t");
	name = p;
	name_len = strcspn(p, " \t\r\n");
	if (!name_len)
		return 0;
	p += name_len;
	p += strspn(p, " \t");
	if (*p == '[') {
		mod = ++p;
		p += strcspn(p, "]\r\n");
		if (p > mod) {
			err = module_id(s, mod, p - mod, &id);
			if (err)
				return err;
		}
	}

	if (name_len == 6 && !memcmp(name, "_stext", 6) && !id)
		s->ks_stext = addr;

	k->addr = addr;
	k->mod = id;
	k->text = is_text_type(type);
	k->name = 0;
	/* data names are never printed: only their addresses matter */
	if (k->text) {
		err = arena_add(s, name, name_len, &k->name);
		if (err)
			return err;
	}
	return 1;
}

/*
 * Same address: text before data, then file order (arena offsets grow in
 * file order).  scripts/kallsyms already lists the name the kernel itself
 * prints first (strong before weak, real functions before linker-script
 * markers such as _stext), so keeping the first agrees with the kernel.
 */
static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->text != y->text)
		return x->text ? -1 : 1;
	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	return 0;
}

static int kallsyms__load(struct ds_symbolizer *s, const char *path)
{
	size_t cap = 0, n = 0, i, j;
	struct ksym *syms = NULL, *p;
	char *line = NULL;
	size_t line_cap = 0;
	uint32_t empty;
	FILE *f;
	int err;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* offset 0 of the arena is the empty name */
	err = arena_add(s, "", 0, &empty);
	if (err)
		goto out;

	while (getline(&line, &line_cap, f) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16384;
			p = realloc(syms, cap * sizeof(*syms));
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			syms = p;
		}
		err = parse_line(s, line, &syms[n]);
		if (err < 0)
			goto out;
		n += err;
		err = 0;
	}
	if (ferror(f)) {
		err = -EIO;
		goto out;
	}

	if (n)
		qsort(syms, n, sizeof(*syms), ksym_cmp);
	/* one entry per address: sizes are then just the distance to the next one */
	for (i = j = 0; i < n; i++) {
		if (j && syms[j - 1].addr == syms[i].addr)
			continue;
		syms[j++] = syms[i];
	}
	n = j;
	if (n && n < cap) {
		p = realloc(syms, n * sizeof(*syms));
		if (p)
			syms = p;
	}
	s->syms = syms;
	s->nr_syms = n;
	syms = NULL;
	ds_dbg("symbolize: %zu kallsyms addresses from %s (%zu KiB of names)",
	       n, path, s->arena_len / 1024);
out:
	free(line);
	free(syms);
	fclose(f);
	return err;
}

static int kallsyms__lookup(const struct ds_symbolizer *s, uint64_t addr, struct ds_frame *f)
{
	size_t lo = 0, hi = s->nr_syms;
	const struct ksym *k, *next;
	uint64_t size = 0;

	/* first entry above addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	k = &s->syms[lo - 1];
	if (!k->text)
		return -ENOENT;
	next = lo < s->nr_syms ? &s->syms[lo] : NULL;
	/* modules are not laid out back to back: the next one bounds nothing */
	if (next && next->mod == k->mod && next->addr - k->addr <= MAX_FUNC_SIZE)
		size = next->addr - k->addr;
	/* past the last symbol of a region: not this function any more */
	if (!size && addr - k->addr > MAX_FUNC_SIZE)
		return -ENOENT;

	f->func = s->arena + k->name;
	f->offset = addr - k->addr;
	f->size = size;
	f->module = k->mod ? s->arena + s->mods[k->mod] : NULL;
	return 0;
}

/* ---- DWARF ---- */

/*
 * Only the DWARF inside the given file is used: the standard callback could
 * go to debuginfod over the network in the middle of a report.
 */
static int no_separate_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
				 Dwarf_Addr base, const char *file_name,
				 const char *debuglink_file, GElf_Word debuglink_crc,
				 char **debuginfo_file_name)
{
	return -1;
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_debuginfo = no_separate_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* Link-time address of _stext from the ELF symtab; 0 when absent. */
static uint64_t elf_stext(int fd)
{
	Elf_Scn *scn = NULL;
	uint64_t val = 0;
	Elf *elf;

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return 0;
	while (!val && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t i, nr;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		nr = shdr.sh_size / shdr.sh_entsize;
		for (i = 0; i < nr; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, i, &sym))
				break;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (name && !strcmp(name, "_stext")) {
				val = sym.st_value;
				break;
			}
		}
	}
	elf_end(elf);
	return val;
}

static int dwarf__load(struct ds_symbolizer *s, const char *path)
{
	uint64_t stext, bias = 0;
	Dwfl_Module *mod;
	GElf_Addr applied = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	elf_version(EV_CURRENT);
	stext = elf_stext(fd);
	if (stext && s->ks_stext)
		bias = s->ks_stext - stext;
	else
		ds_dbg("symbolize: no _stext in %s, assuming no KASLR slide",
		       stext ? "kallsyms" : path);

	s->dwfl = dwfl_begin(&dwfl_callbacks);
	if (!s->dwfl) {
		close(fd);
		return -ENOMEM;
	}
	dwfl_report_begin(s->dwfl);
	/* on success libdwfl owns fd and closes it in dwfl_end() */
	mod = dwfl_report_elf(s->dwfl, "kernel", path, fd, bias, true);
	if (!mod) {
		ds_dbg("symbolize: %s: %s", path, dwfl_errmsg(-1));
		close(fd);
		err = -ENOEXEC;
		goto err;
	}
	if (dwfl_report_end(s->dwfl, NULL, NULL)) {
		err = -ENOEXEC;
		goto err;
	}
	/*
	 * libdwfl ignores the base for ET_EXEC (vmlinux): whatever part of the
	 * bias it did not apply, apply ourselves before each lookup.
	 */
	if (!dwfl_module_getelf(mod, &applied)) {
		ds_dbg("symbolize: %s: %s", path, dwfl_errmsg(-1));
		err = -ENOEXEC;
		goto err;
	}
	s->dwfl_slide = bias - applied;
	ds_dbg("symbolize: DWARF from %s, bias 0x%" PRIx64, path, bias);
	return 0;
err:
	dwfl_end(s->dwfl);
	s->dwfl = NULL;
	return err;
}

/* 0 when DWARF filled anything in @f. */
static int dwarf__lookup(struct ds_symbolizer *s, uint64_t addr, struct ds_frame *f)
{
	Dwarf_Addr a = addr - s->dwfl_slide;
	Dwfl_Module *mod;
	Dwfl_Line *line;
	GElf_Off off;
	GElf_Sym sym;
	const char *name, *file;
	int lineno = 0, found = -ENOENT;

	mod = dwfl_addrmodule(s->dwfl, a);
	if (!mod)
		return -ENOENT;
	name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL);
	if (name && *name) {
		f->func = name;
		f->offset = off;
		f->size = sym.st_size;
		f->module = NULL;
		found = 0;
	}
	line = dwfl_module_getsrc(mod, a);
	if (line) {
		file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (file && lineno > 0) {
			f->file = file;
			f->line = lineno;
			found = 0;
		}
	}
	return found;
}

/* ---- API ---- */

static int set_source(struct ds_symbolizer *s, const char *kind, const char *path)
{
	if (asprintf(&s->source, "%s:%s", kind, path) < 0) {
		s->source = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The running kernel's vmlinux in the places distributions put it, or NULL. */
static char *find_default_vmlinux(void)
{
	/* prefix, release, suffix */
	static const char *const where[][2] = {
		{ "/usr/lib/debug/boot/vmlinux-", "" },
		{ "/usr/lib/debug/lib/modules/", "/vmlinux" },
		{ "/boot/vmlinux-", "" },
		{ "/lib/modules/", "/build/vmlinux" },
	};
	struct utsname u;
	size_t i;

	if (uname(&u))
		return NULL;
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		char *path;

		if (asprintf(&path, "%s%s%s", where[i][0], u.release, where[i][1]) < 0)
			return NULL;
		if (!access(path, R_OK))
			return path;
		free(path);
	}
	return NULL;
}

int ds_symbolizer__new(const struct ds_symbolizer_opts *o, struct ds_symbolizer **out)
{
	static const struct ds_symbolizer_opts defaults;
	const char *kallsyms, *vmlinux;
	struct ds_symbolizer *s;
	char *found = NULL;
	int ks_err, err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!o)
		o = &defaults;
	kallsyms = o->kallsyms ? o->kallsyms : DEFAULT_KALLSYMS;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cache = calloc(CACHE_SIZE, sizeof(*s->cache));
	if (!s->cache) {
		err = -ENOMEM;
		goto err;
	}

	/* first: the DWARF bias needs kallsyms' _stext */
	ks_err = kallsyms__load(s, kallsyms);
	if (ks_err == -ENOMEM) {
		err = ks_err;
		goto err;
	}
	if (ks_err)
		ds_dbg("symbolize: %s: %s", kallsyms, strerror(-ks_err));

	vmlinux = o->vmlinux;
	if (!vmlinux && !o->no_dwarf)
		vmlinux = found = find_default_vmlinux();
	if (vmlinux) {
		err = dwarf__load(s, vmlinux);
		if (err && o->vmlinux) {
			ds_dbg("symbolize: %s: %s", vmlinux, strerror(-err));
			/* the caller named the file: "not there" is what it reports */
			if (err != -ENOEXEC && err != -ENOMEM)
				err = -ENOENT;
			goto err;
		}
		if (err)
			ds_dbg("symbolize: ignoring %s: %s", vmlinux, strerror(-err));
	}

	if (s->dwfl)
		err = set_source(s, "dwarf", vmlinux);
	else if (!ks_err)
		err = set_source(s, "kallsyms", kallsyms);
	else
		err = ks_err;
	if (err)
		goto err;

	free(found);
	*out = s;
	return 0;
err:
	free(found);
	ds_symbolizer__free(s);
	return err;
}

void ds_symbolizer__free(struct ds_symbolizer *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->syms);
	free(s->arena);
	free(s->mods);
	free(s->cache);
	free(s->source);
	free(s);
}

static uint32_t cache_hash(uint64_t addr)
{
	return (uint32_t)((addr * 0x9e3779b97f4a7c15ull) >> (64 - CACHE_BITS));
}

int ds_symbolizer__resolve(struct ds_symbolizer *s, uint64_t addr, struct ds_frame *f)
{
	struct cache_ent *e, *victim = NULL;
	uint32_t h, i;
	int err = -ENOENT;

	memset(f, 0, sizeof(*f));
	f->addr = addr;
	if (!s)
		return -EINVAL;

	h = cache_hash(addr);
	for (i = 0; i < CACHE_PROBE; i++) {
		e = &s->cache[(h + i) & (CACHE_SIZE - 1)];
		/* slots are never emptied, so nothing lies past a free one */
		if (!e->used) {
			victim = e;
			break;
		}
		if (e->f.addr == addr) {
			*f = e->f;
			return e->err;
		}
	}
	/* full neighbourhood: the home slot goes */
	if (!victim)
		victim = &s->cache[h];

	if (s->dwfl)
		err = dwarf__lookup(s, addr, f);
	/* modules, and vmlinux addresses DWARF has no symbol for */
	if (!f->func && !kallsyms__lookup(s, addr, f)) {
		err = 0;
	} else if (f->func && !f->size) {
		struct ds_frame k = { 0 };

		/* asm symbols have no st_size; kallsyms still knows where the next one starts */
		if (!kallsyms__lookup(s, addr, &k) && k.offset == f->offset &&
		    !strcmp(k.func, f->func))
			f->size = k.size;
	}

	victim->used = true;
	victim->err = err;
	victim->f = *f;
	return err;
}

/* snprintf at *pos, never past len - 1, always terminated. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*pos += (size_t)n;
	if (*pos > len - 1)
		*pos = len - 1;
}

const char *ds_symbolizer__format(struct ds_symbolizer *s, uint64_t addr, char *buf, size_t len)
{
	struct ds_frame f;
	size_t pos = 0;
	int err;

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	err = ds_symbolizer__resolve(s, addr, &f);
	if (err || !f.func) {
		append(buf, len, &pos, "0x%016llx", (unsigned long long)addr);
	} else {
		append(buf, len, &pos, "%s+0x%llx", f.func, (unsigned long long)f.offset);
		if (f.size)
			append(buf, len, &pos, "/0x%llx", (unsigned long long)f.size);
		if (f.module)
			append(buf, len, &pos, " [%s]", f.module);
	}
	if (!err && f.file)
		append(buf, len, &pos, " (%s:%d)", f.file, f.line);
	return buf;
}

const char *ds_symbolizer__source(const struct ds_symbolizer *s)
{
	return s && s->source ? s->source : "none";
}
