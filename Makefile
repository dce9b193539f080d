# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deptscope top-level build.  Quiet by default (V=1 shows commands), output
# under O= (default build/), never into the source tree.

# SAN=1 (ASan, UBSan, LeakSanitizer) builds into its own directory: its
# objects never mix with the normal build's.
SAN ?=
ifeq ($(SAN),1)
O ?= build-san
endif
O ?= build
OUT := $(abspath $(O))
# the sanitizer build of `make san-test` and `make test`: build-san/ next to build/
SAN_O ?= $(if $(filter 1,$(SAN)),$(O),$(O)-san)
SRC := $(abspath .)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
WERROR ?= 1

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
			       -e 's/riscv64/riscv/' -e 's/s390x/s390/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VENDORED_VMLINUX_H := $(SRC)/bpf/vmlinux/$(ARCH)/vmlinux.h

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(OUT)/%,%,$(2))";
endif

# Recursive (=) so pkg-config runs after `deps` installed what it needs.
PKG_LIBS = libbpf libdw libelf zlib sqlite3 libgvc libcgraph libtracecmd libtraceevent
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKG_LIBS) 2>/dev/null)
PKG_LDLIBS = $(shell $(PKG_CONFIG) --libs $(PKG_LIBS) 2>/dev/null)

WARNFLAGS := -Wall -Wextra -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes \
	     -Wshadow -Wformat=2 -Wundef -Wmissing-field-initializers
ifeq ($(WERROR),1)
WARNFLAGS += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) $(WARNFLAGS) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE -MMD -MP \
	     -I$(SRC)/lib/include -I$(SRC)/bpf -I$(OUT)/bpf $(PKG_CFLAGS)
LDFLAGS ?=
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LDLIBS_ALL = $(OUT)/libdeptscope.a $(PKG_LDLIBS) -lm

# 7.x kernels are built with -fms-extensions and their BTF has anonymous
# members of named struct types; vmlinux.h needs the same to lay them out.
BPF_CFLAGS := -g -O2 --target=bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -fms-extensions \
	      -Wno-microsoft-anon-tag -I$(OUT)/bpf -I$(SRC)/bpf
# Where clang finds asm/types.h and friends on Debian/Ubuntu multiarch.
CLANG_BPF_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

BPF_PROGS := fence dmabuf dept vpr
BPF_OBJS := $(patsubst %,$(OUT)/bpf/%.bpf.o,$(BPF_PROGS))
BPF_SKELS := $(patsubst %,$(OUT)/bpf/%.skel.h,$(BPF_PROGS))

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRCS))
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_OBJS := $(patsubst %.c,$(OUT)/%.o,$(TOOL_SRCS))
# the curses viewer (deptscope top): linked into the one binary
VIEWER_SRCS := $(wildcard viewer/*.c)
VIEWER_OBJS := $(patsubst %.c,$(OUT)/%.o,$(VIEWER_SRCS))
CURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LDLIBS = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(OUT)/%.o,$(UNIT_SRCS))
LIVE_SRCS := $(wildcard tests/live/*.c)
LIVE_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIVE_SRCS))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

DEPS_STAMP := $(OUT)/.deps-ok

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test unit-test live-test cli-test san-test san-build vmtest demo bench soak install \
	uninstall clean help fuzz \
	check-style

all: $(OUT)/deptscope

help:
	@echo 'Targets:'
	@echo '  all        build build/deptscope (default)'
	@echo '  deps       install the Debian packages the build and tests need'
	@echo '  test       unit, CLI, triage, fuzz, live BPF and VM tests (live ones SKIP without root),'
	@echo '             and san-test'
	@echo '  san-test   unit, CLI and live BPF tests on a SAN=1 build in build-san/ (ASan, UBSan, LSan)'
	@echo '  vmtest     boot 6.12 and 7.3 kernels under QEMU and run the scenarios'
	@echo '  demo       quick look: live fence capture, record, report, export'
	@echo '  bench      BPF cost vs bpftrace, guest dma-buf BPF cost, replay, triage, graph, DEPT ingest,'
	@echo '             trace.dat import, the top viewer (DS_BENCH_PARTS="2 9" runs some)'
	@echo '  fuzz       libFuzzer on every parser, DS_FUZZ_SECONDS (300) each'
	@echo '  soak       live commands side by side for DS_SOAK_SECONDS (1800): RSS, fds, BPF objects'
	@echo '  install    install deptscope to $$(PREFIX)/bin'
	@echo 'Variables: O=DIR V=1 WERROR=0 SAN=1 CC= CLANG= BPFTOOL= VMLINUX_BTF='

deps:
	$(Q)$(SRC)/scripts/deps.sh install

# Checked once per build dir; re-run when the package list changes.
$(DEPS_STAMP): $(SRC)/scripts/deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)$(SRC)/scripts/deps.sh ensure
	$(Q)touch $@

# vmlinux.h: from the running kernel's BTF when there is one, else vendored.
$(OUT)/bpf/vmlinux.h: | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)if [ -r $(VMLINUX_BTF) ] && command -v $(BPFTOOL) >/dev/null; then \
		printf '  %-8s %s\n' GEN "bpf/vmlinux.h (from $(VMLINUX_BTF))"; \
		$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@; \
	else \
		printf '  %-8s %s\n' CP "bpf/vmlinux.h (vendored: no BTF at $(VMLINUX_BTF))"; \
		cp $(VENDORED_VMLINUX_H) $@; \
	fi

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/bpf/vmlinux.h | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(CLANG_BPF_SYS_INCLUDES) -MMD -MP -MF $(@:.o=.d) -MT $@ \
		-c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o
	$(Q)rm -f $@.tmp.o

$(OUT)/bpf/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Only lib/<feature>_bpf.c files include skeletons.
$(OUT)/lib/fence_bpf.o: $(OUT)/bpf/fence.skel.h
$(OUT)/lib/dmabuf_bpf.o: $(OUT)/bpf/dmabuf.skel.h
$(OUT)/lib/dept_bpf.o: $(OUT)/bpf/dept.skel.h
$(OUT)/lib/vpr_bpf.o: $(OUT)/bpf/vpr.skel.h

$(OUT)/%.o: %.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUT)/libdeptscope.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/viewer/%.o: ALL_CFLAGS += -I$(SRC)/tools $(CURSES_CFLAGS)

$(OUT)/deptscope: $(TOOL_OBJS) $(VIEWER_OBJS) $(OUT)/libdeptscope.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TOOL_OBJS) $(VIEWER_OBJS) $(LDLIBS_ALL) $(CURSES_LDLIBS)

# CLI parsing is side-effect free and unit-tested: link those two objects in.
UNIT_TOOL_OBJS := $(OUT)/tools/cli.o $(OUT)/tools/opts.o

$(OUT)/tests/unit/unit: $(UNIT_OBJS) $(UNIT_TOOL_OBJS) $(OUT)/libdeptscope.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJS) $(UNIT_TOOL_OBJS) $(LDLIBS_ALL)

$(OUT)/tests/live/live: $(LIVE_OBJS) $(OUT)/tests/unit/main.o $(OUT)/libdeptscope.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(LIVE_OBJS) $(OUT)/tests/unit/main.o $(LDLIBS_ALL)

$(OUT)/tests/live/%.o: ALL_CFLAGS += -I$(SRC)/tests/unit

$(OUT)/bench/%: bench/%.c $(OUT)/libdeptscope.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LDLIBS_ALL)

unit-test: $(OUT)/tests/unit/unit
	$(Q)cd $(SRC) && DS_SRCDIR=$(SRC) $(OUT)/tests/unit/unit

cli-test: $(OUT)/deptscope $(BENCH_BINS)
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/run.sh
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/triage_db.sh
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/graph.sh
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/dept.sh
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/import.sh
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/top.sh
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/cli/privs.sh

live-test: $(OUT)/tests/live/live $(OUT)/deptscope
	$(Q)cd $(SRC) && DS_SRCDIR=$(SRC) OUT=$(OUT) $(OUT)/tests/live/live
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/tests/live/detach.sh

# libFuzzer targets, one per parser (tests/fuzz, docs/reliability.md): clang with ASan and
# UBSan, their own objects under $(OUT)/fuzz, each linked from only the sources it needs.
# clang's -Wformat=2 also flags vprintf-style wrappers, which gcc accepts: lib/log.c.
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all $(WARNFLAGS) -Wno-unknown-warning-option -Wno-format-nonliteral \
	-std=gnu11 -D_GNU_SOURCE -MMD -MP -I$(SRC)/lib/include -I$(SRC)/bpf -I$(SRC)/tools \
	$(PKG_CFLAGS)
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS := fuzz_dept fuzz_deps fuzz_rec fuzz_cli fuzz_tracedat
FUZZ_BINS := $(patsubst %,$(OUT)/tests/fuzz/%,$(FUZZ_TARGETS))
FUZZ_SRCS_fuzz_dept := lib/dept_parse.c lib/dept_report.c
FUZZ_SRCS_fuzz_deps := lib/dept_proc.c lib/graph.c lib/graph_dot.c lib/json.c \
	lib/dept_parse.c lib/dept_report.c
FUZZ_SRCS_fuzz_rec := lib/record.c lib/event.c lib/stream.c lib/util.c lib/map.c lib/hist.c \
	lib/fence_model.c lib/dmabuf_model.c lib/vpr_model.c lib/dept_live.c lib/graph.c \
	lib/history.c lib/chrome.c lib/json.c lib/dept_parse.c lib/dept_report.c \
	lib/symbolize.c lib/log.c
FUZZ_SRCS_fuzz_cli := tools/cli.c tools/opts.c
# tracedat.c itself is included by the harness, which reaches its static parts
FUZZ_SRCS_fuzz_tracedat := lib/map.c lib/event.c lib/stream.c
FUZZ_LIBS_fuzz_dept := -lz
FUZZ_LIBS_fuzz_deps := -lz
FUZZ_LIBS_fuzz_rec = $(PKG_LDLIBS) -lm
FUZZ_LIBS_fuzz_cli := -lm
FUZZ_LIBS_fuzz_tracedat = $(PKG_LDLIBS)

$(OUT)/fuzz/%.o: %.c | $(DEPS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(foreach t,$(FUZZ_TARGETS),$(eval $(OUT)/tests/fuzz/$(t): \
	$(patsubst %.c,$(OUT)/fuzz/%.o,$(FUZZ_SRCS_$(t)))))
$(FUZZ_BINS): $(OUT)/tests/fuzz/%: $(OUT)/fuzz/tests/fuzz/%.o
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_LDFLAGS) -o $@ $^ $(FUZZ_LIBS_$*)

# Seeds for fuzz_rec that dsgen does not write: VPR resizes (tests/fuzz/run.sh).
$(OUT)/tests/fuzz/vprgen: tests/fuzz/vprgen.c $(OUT)/libdeptscope.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LDLIBS_ALL)

FUZZ_DEPS := $(FUZZ_BINS) $(OUT)/tests/fuzz/vprgen $(OUT)/bench/dsgen

fuzz: $(FUZZ_DEPS)
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) DS_FUZZ_SECONDS=$${DS_FUZZ_SECONDS:-300} \
		$(SRC)/tests/fuzz/run.sh

# Long form of the soak (tests/soak/soak.sh; make test runs it for 30 s).
soak: $(OUT)/deptscope $(OUT)/bench/dsgen
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) DS_SOAK_SECONDS=$${DS_SOAK_SECONDS:-1800} \
		DS_SOAK_OUT=$${DS_SOAK_OUT:-$(OUT)/soak.jsonl} $(SRC)/tests/soak/soak.sh

# Sanitizers: the unit, CLI and live tests on SAN=1 builds of all they run, in $(SAN_O).
SAN_BINS = $(OUT)/deptscope $(OUT)/tests/unit/unit $(OUT)/tests/live/live $(OUT)/bench/dsgen
ifeq ($(SAN),1)
san-build: $(SAN_BINS)
san-test: san-build
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/scripts/run-tests.sh san
else
san-build san-test:
	$(Q)$(MAKE) --no-print-directory SAN=1 O=$(abspath $(SAN_O)) $@
endif

# Every suite runs even when one fails; scripts/run-tests.sh prints the totals.
ifeq ($(SAN),1)
test: san-test
else
test: $(OUT)/deptscope $(OUT)/tests/unit/unit $(OUT)/tests/live/live $(BENCH_BINS) $(FUZZ_DEPS) san-build
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) SAN_OUT=$(abspath $(SAN_O)) \
		$(SRC)/scripts/run-tests.sh
endif

# Real kernels under QEMU: VMTEST_KERNELS="6.12 7.3" (default), or KSRC=/path/to/linux
vmtest: $(OUT)/deptscope
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) KSRC=$(KSRC) $(SRC)/tests/vm/vmtest.sh

check-style:
	$(Q)$(SRC)/scripts/check-style.sh

demo: $(OUT)/deptscope $(BENCH_BINS)
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/scripts/demo.sh

bench: $(OUT)/deptscope $(BENCH_BINS)
	$(Q)DS_SRCDIR=$(SRC) OUT=$(OUT) $(SRC)/bench/run.sh

install: $(OUT)/deptscope
	install -D -m 0755 $(OUT)/deptscope $(DESTDIR)$(PREFIX)/bin/deptscope

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/deptscope

clean:
	rm -rf $(sort $(OUT) $(abspath $(SAN_O)))

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
