// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "deptscope/symbolize.h"

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static const char fixture_kallsyms[] =
	"0000000000000000 T hidden_from_nonroot\n"
	"ffffffff81000000 T first_func\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81000040 t second_func\n"
	"ffffffff81000100 W weak_func\n"
	"ffffffff81000180 D some_data\n"
	"ffffffff81000200 T last_vmlinux_func\n"
	"ffffffff81000200 A absolute_ignored\n"
	"ffffffffc0001000 t mod_func\t[mymod]\n"
	"ffffffffc0001080 T mod_func2\t[mymod]\n"
	"ffffffffc0002000 t other_mod_func\t[other]\n"
	"0000000000000000 t zero_again\t[mymod]\n";

static struct ds_symbolizer *open_fixture(char *path, size_t len)
{
	struct ds_symbolizer_opts o = { .no_dwarf = 1 };
	struct ds_symbolizer *s = NULL;
	int err;

	snprintf(path, len, "%s/kallsyms.fixture", ds_test_tmpdir());
	if (write_file(path, fixture_kallsyms))
		return NULL;
	o.kallsyms = path;
	err = ds_symbolizer__new(&o, &s);
	CHECK_EQ_U64(err, 0);
	return err ? NULL : s;
}

TEST(test_symbolize_kallsyms_lookup)
{
	struct ds_symbolizer *s;
	struct ds_frame f;
	char path[512], src[600];

	s = open_fixture(path, sizeof(path));
	REQUIRE(s);
	snprintf(src, sizeof(src), "kallsyms:%s", path);
	CHECK_EQ_STR(ds_symbolizer__source(s), src);

	/* aliases: the kernel lists its preferred name first, so file order wins */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81000000ull, &f), 0);
	CHECK_EQ_STR(f.func, "first_func");
	CHECK_EQ_U64(f.addr, 0xffffffff81000000ull);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81000010ull, &f), 0);
	CHECK_EQ_STR(f.func, "first_func");
	CHECK_EQ_U64(f.offset, 0x10);
	CHECK_EQ_U64(f.size, 0x40);
	CHECK(f.module == NULL);
	CHECK(f.file == NULL);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81000045ull, &f), 0);
	CHECK_EQ_STR(f.func, "second_func");
	CHECK_EQ_U64(f.offset, 5);
	CHECK_EQ_U64(f.size, 0xc0);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff8100017full, &f), 0);
	CHECK_EQ_STR(f.func, "weak_func");
	CHECK_EQ_U64(f.offset, 0x7f);
	CHECK_EQ_U64(f.size, 0x80);

	/* in data: no function owns it */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81000190ull, &f), -ENOENT);
	CHECK(f.func == NULL);
	CHECK_EQ_U64(f.addr, 0xffffffff81000190ull);

	/* next symbol is in a module far away: size unknown, small offsets still resolve */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81000208ull, &f), 0);
	CHECK_EQ_STR(f.func, "last_vmlinux_func");
	CHECK_EQ_U64(f.offset, 8);
	CHECK_EQ_U64(f.size, 0);
	/* ...but not megabytes past it */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81800000ull, &f), -ENOENT);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffffc0001004ull, &f), 0);
	CHECK_EQ_STR(f.func, "mod_func");
	CHECK_EQ_STR(f.module, "mymod");
	CHECK_EQ_U64(f.offset, 4);
	CHECK_EQ_U64(f.size, 0x80);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffffc0001090ull, &f), 0);
	CHECK_EQ_STR(f.func, "mod_func2");
	CHECK_EQ_STR(f.module, "mymod");
	/* the next symbol belongs to another module: no size */
	CHECK_EQ_U64(f.size, 0);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffffc0002001ull, &f), 0);
	CHECK_EQ_STR(f.func, "other_mod_func");
	CHECK_EQ_STR(f.module, "other");

	/* before the first symbol; zero-address lines must not count */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff80ffffffull, &f), -ENOENT);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0x10, &f), -ENOENT);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0, &f), -ENOENT);

	ds_symbolizer__free(s);
}

TEST(test_symbolize_format)
{
	struct ds_symbolizer *s;
	char path[512], buf[128], small[8];
	const char *ret;

	s = open_fixture(path, sizeof(path));
	REQUIRE(s);

	ret = ds_symbolizer__format(s, 0xffffffff81000045ull, buf, sizeof(buf));
	CHECK(ret == buf);
	CHECK_EQ_STR(buf, "second_func+0x5/0xc0");
	ds_symbolizer__format(s, 0xffffffff81000208ull, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "last_vmlinux_func+0x8");
	ds_symbolizer__format(s, 0xffffffffc0001004ull, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "mod_func+0x4/0x80 [mymod]");
	ds_symbolizer__format(s, 0xffffffff80ffffffull, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0xffffffff80ffffff");
	ds_symbolizer__format(s, 0x1234, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0x0000000000001234");

	/* truncation keeps a terminated prefix */
	memset(small, 'X', sizeof(small));
	ds_symbolizer__format(s, 0xffffffffc0001004ull, small, sizeof(small));
	CHECK_EQ_STR(small, "mod_fun");
	memset(small, 'X', sizeof(small));
	ds_symbolizer__format(s, 0x1234, small, sizeof(small));
	CHECK_EQ_STR(small, "0x00000");
	memset(small, 'X', sizeof(small));
	ds_symbolizer__format(s, 0x1234, small, 1);
	CHECK_EQ_U64(small[0], 0);
	CHECK_EQ_U64(small[1], 'X');

	ds_symbolizer__free(s);
}

TEST(test_symbolize_cache)
{
	struct ds_symbolizer *s;
	struct ds_frame a, b;
	char path[512];
	uint64_t i;

	s = open_fixture(path, sizeof(path));
	REQUIRE(s);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffffc0001004ull, &a), 0);
	/* churn far more addresses than the cache holds */
	for (i = 0; i < 20000; i++)
		ds_symbolizer__resolve(s, 0xffffffff81000000ull + (i % 0x200), &b);
	for (i = 0; i < 20000; i++)
		ds_symbolizer__resolve(s, 0xffff000000000000ull + i * 64, &b);
	/* strings handed out earlier are still valid and the answer unchanged */
	CHECK_EQ_STR(a.func, "mod_func");
	CHECK_EQ_STR(a.module, "mymod");
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffffc0001004ull, &b), 0);
	CHECK(a.func == b.func);
	CHECK_EQ_U64(b.offset, 4);
	/* a cached miss stays a miss and still reports the address */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0x42, &b), -ENOENT);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0x42, &b), -ENOENT);
	CHECK_EQ_U64(b.addr, 0x42);
	ds_symbolizer__free(s);
}

TEST(test_symbolize_errors)
{
	struct ds_symbolizer_opts o = { .no_dwarf = 1 };
	struct ds_symbolizer *s = (struct ds_symbolizer *)&o;
	struct ds_frame f;
	char path[512], ks[512], buf[64];

	/* unreadable kallsyms and no DWARF: the open error */
	snprintf(path, sizeof(path), "%s/does-not-exist", ds_test_tmpdir());
	o.kallsyms = path;
	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), -ENOENT);
	CHECK(s == NULL);

	/* a vmlinux the caller named but which is missing */
	snprintf(ks, sizeof(ks), "%s/kallsyms.zero", ds_test_tmpdir());
	REQUIRE(!write_file(ks, "0000000000000000 T schedule\n0000000000000000 t foo\t[m]\n"));
	o.kallsyms = ks;
	o.vmlinux = path;
	o.no_dwarf = 0;
	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), -ENOENT);
	CHECK(s == NULL);

	/* a vmlinux that is not an ELF file */
	o.vmlinux = ks;
	CHECK(ds_symbolizer__new(&o, &s) < 0);
	CHECK(s == NULL);

	/* what non-root sees: loads, knows nothing, does not crash */
	o.vmlinux = NULL;
	o.no_dwarf = 1;
	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), 0);
	REQUIRE(s);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0, &f), -ENOENT);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, 0xffffffff81000000ull, &f), -ENOENT);
	CHECK(f.func == NULL);
	ds_symbolizer__format(s, 0xffffffff81000000ull, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0xffffffff81000000");
	ds_symbolizer__free(s);
}

/* ---- DWARF ---- */

static const char fixture_c[] =
	"/* deptscope symbolizer fixture */\n"		/* 1 */
	"int ds_fix_mul(int a, int b) {\n"		/* 2 */
	"\tint c = a * b;\n"				/* 3 */
	"\treturn c + 1;\n"				/* 4 */
	"}\n"						/* 5 */
	"int ds_fix_add(int a, int b) {\n"		/* 6 */
	"\treturn ds_fix_mul(a, 2) + b;\n"		/* 7 */
	"}\n"						/* 8 */
	"void _stext(void) {\n"				/* 9: what the bias is taken from */
	"\tfor (;;)\n"
	"\t\t;\n"
	"}\n";

static const char *find_cc(void)
{
	static const char *const ccs[] = { "cc", "gcc", "clang" };
	char cmd[64];
	size_t i;

	for (i = 0; i < sizeof(ccs) / sizeof(ccs[0]); i++) {
		snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", ccs[i]);
		if (!system(cmd))
			return ccs[i];
	}
	return NULL;
}

/* Address and size of @sym in @elf from `nm -S`; 0 when absent. */
static int nm_symbol(const char *elf, const char *sym, uint64_t *addr, uint64_t *size)
{
	char cmd[1024], line[512], name[256], type;
	unsigned long long a, sz;
	int found = -ENOENT;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm -S '%s' 2>/dev/null", elf);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%llx %llx %c %255s", &a, &sz, &type, name) == 4 &&
		    !strcmp(name, sym)) {
			*addr = a;
			*size = sz;
			found = 0;
		}
	}
	pclose(p);
	return found;
}

TEST(test_symbolize_dwarf)
{
	struct ds_symbolizer_opts o = { 0 };
	struct ds_symbolizer *s = NULL;
	char src[512], so[512], ks[512], cmd[2048], buf[1024], want[700];
	uint64_t mul, mul_size, add, add_size;
	const char *cc = find_cc();
	struct ds_frame f;
	size_t n;

	if (!cc)
		SKIP("no C compiler (cc, gcc, clang) to build the DWARF fixture");
	if (system("command -v nm >/dev/null 2>&1"))
		SKIP("no nm to read the fixture's symbol table");

	snprintf(src, sizeof(src), "%s/dwfix.c", ds_test_tmpdir());
	snprintf(so, sizeof(so), "%s/dwfix.so", ds_test_tmpdir());
	snprintf(ks, sizeof(ks), "%s/kallsyms.empty", ds_test_tmpdir());
	REQUIRE(!write_file(src, fixture_c));
	REQUIRE(!write_file(ks, ""));
	snprintf(cmd, sizeof(cmd), "%s -g -O0 -shared -fPIC -o '%s' '%s'", cc, so, src);
	REQUIRE(!system(cmd));
	REQUIRE(!nm_symbol(so, "ds_fix_mul", &mul, &mul_size));
	REQUIRE(!nm_symbol(so, "ds_fix_add", &add, &add_size));
	REQUIRE(mul_size > 1);

	o.vmlinux = so;
	o.kallsyms = ks;
	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), 0);
	REQUIRE(s);
	snprintf(buf, sizeof(buf), "dwarf:%s", so);
	CHECK_EQ_STR(ds_symbolizer__source(s), buf);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, mul, &f), 0);
	CHECK_EQ_STR(f.func, "ds_fix_mul");
	CHECK_EQ_U64(f.offset, 0);
	CHECK_EQ_U64(f.size, mul_size);
	CHECK(f.module == NULL);
	REQUIRE(f.file);
	n = strlen(f.file);
	CHECK(n >= strlen("dwfix.c") && !strcmp(f.file + n - strlen("dwfix.c"), "dwfix.c"));
	CHECK_EQ_U64(f.line, 2);

	/* the last byte of the body is still this function, somewhere in lines 2..5 */
	CHECK_EQ_U64(ds_symbolizer__resolve(s, mul + mul_size - 1, &f), 0);
	CHECK_EQ_STR(f.func, "ds_fix_mul");
	CHECK_EQ_U64(f.offset, mul_size - 1);
	CHECK(f.line >= 2 && f.line <= 5);

	CHECK_EQ_U64(ds_symbolizer__resolve(s, add, &f), 0);
	CHECK_EQ_STR(f.func, "ds_fix_add");
	CHECK_EQ_U64(f.line, 6);

	ds_symbolizer__resolve(s, mul, &f);
	snprintf(want, sizeof(want), "ds_fix_mul+0x0/0x%llx (%s:2)",
		 (unsigned long long)mul_size, f.file ? f.file : "?");
	CHECK_EQ_STR(ds_symbolizer__format(s, mul, buf, sizeof(buf)), want);

	ds_symbolizer__free(s);
}

/* ---- the running kernel ---- */

/* First non-zero address of a text symbol called @name (module ones too) in @path. */
static int kallsyms_find(const char *path, const char *name, uint64_t *addr, char *mod,
			 size_t mod_len)
{
	char line[512], sym[256], m[128];
	unsigned long long a;
	char type;
	FILE *f;
	int n;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		m[0] = '\0';
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &a, &type, sym, m);
		if (n < 3 || !a || !strchr("tT", type))
			continue;
		if (name ? !strcmp(sym, name) : n == 4) {
			*addr = a;
			if (mod)
				snprintf(mod, mod_len, "%s", m);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

TEST(test_symbolize_proc_kallsyms)
{
	struct ds_symbolizer_opts o = { .no_dwarf = 1 };
	struct ds_symbolizer *s = NULL;
	uint64_t addr, maddr;
	char mod[128], buf[256];
	struct ds_frame f;

	if (kallsyms_find("/proc/kallsyms", "schedule", &addr, NULL, 0))
		SKIP("not root: kallsyms addresses hidden");

	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), 0);
	REQUIRE(s);
	CHECK_EQ_STR(ds_symbolizer__source(s), "kallsyms:/proc/kallsyms");
	CHECK_EQ_U64(ds_symbolizer__resolve(s, addr, &f), 0);
	CHECK_EQ_STR(f.func, "schedule");
	CHECK_EQ_U64(f.offset, 0);
	CHECK(f.size > 0);
	CHECK(f.module == NULL);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, addr + 1, &f), 0);
	CHECK_EQ_STR(f.func, "schedule");
	CHECK_EQ_U64(f.offset, 1);
	ds_symbolizer__format(s, addr + 1, buf, sizeof(buf));
	CHECK(!strncmp(buf, "schedule+0x1/0x", strlen("schedule+0x1/0x")));

	/* a module symbol, when any module is loaded: its module is named */
	if (!kallsyms_find("/proc/kallsyms", NULL, &maddr, mod, sizeof(mod))) {
		CHECK_EQ_U64(ds_symbolizer__resolve(s, maddr, &f), 0);
		CHECK_EQ_STR(f.module, mod);
	}
	ds_symbolizer__free(s);

	/* the default search path (DWARF if a vmlinux is installed) agrees on the name */
	o.no_dwarf = 0;
	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), 0);
	REQUIRE(s);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, addr, &f), 0);
	CHECK_EQ_STR(f.func, "schedule");
	ds_symbolizer__free(s);
}

/*
 * vmlinux is ET_EXEC, which libdwfl places at its link address whatever base
 * it is given: the KASLR slide measured from _stext must still be applied.
 */
TEST(test_symbolize_dwarf_exec_slide)
{
	const uint64_t slide = 0x3a00000;
	struct ds_symbolizer_opts o = { 0 };
	struct ds_symbolizer *s = NULL;
	char src[512], exe[512], ks[512], cmd[2048], line[128];
	uint64_t mul, mul_size, stext, stext_size;
	const char *cc = find_cc();
	struct ds_frame f;

	if (!cc)
		SKIP("no C compiler (cc, gcc, clang) to build the DWARF fixture");
	if (system("command -v nm >/dev/null 2>&1"))
		SKIP("no nm to read the fixture's symbol table");

	snprintf(src, sizeof(src), "%s/dwfix_exec.c", ds_test_tmpdir());
	snprintf(exe, sizeof(exe), "%s/dwfix.exe", ds_test_tmpdir());
	snprintf(ks, sizeof(ks), "%s/kallsyms.slid", ds_test_tmpdir());
	REQUIRE(!write_file(src, fixture_c));
	snprintf(cmd, sizeof(cmd),
		 "%s -g -O0 -static -nostdlib -no-pie -Wl,-e,_stext -o '%s' '%s' 2>/dev/null",
		 cc, exe, src);
	if (system(cmd))
		SKIP("%s cannot link a static -nostdlib executable", cc);
	REQUIRE(!nm_symbol(exe, "ds_fix_mul", &mul, &mul_size));
	REQUIRE(!nm_symbol(exe, "_stext", &stext, &stext_size));
	snprintf(line, sizeof(line), "%016llx T _stext\n", (unsigned long long)(stext + slide));
	REQUIRE(!write_file(ks, line));

	o.vmlinux = exe;
	o.kallsyms = ks;
	CHECK_EQ_U64(ds_symbolizer__new(&o, &s), 0);
	REQUIRE(s);
	CHECK_EQ_U64(ds_symbolizer__resolve(s, mul + slide + 1, &f), 0);
	CHECK_EQ_STR(f.func, "ds_fix_mul");
	CHECK_EQ_U64(f.offset, 1);
	CHECK_EQ_U64(f.size, mul_size);
	CHECK_EQ_U64(f.line, 2);
	/* the link-time address is not where this kernel has it */
	CHECK(ds_symbolizer__resolve(s, mul, &f) == -ENOENT || !f.func ||
	      strcmp(f.func, "ds_fix_mul"));
	ds_symbolizer__free(s);
}
