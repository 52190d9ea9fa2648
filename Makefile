# tracepkt: one build for every tool. `make help` lists the targets.
#
# Each tool <t> is bpf/<t>.bpf.c (kernel side, optional), bpf/<t>.h (structs
# shared with user space) and <t>/*.c (user space). Tools are found by their
# <t>/main.c, so a new tool needs no edit here unless it links more libraries.

VERSION     ?= 0.1.0
PREFIX      ?= /usr/local
DESTDIR     ?=
BUILD       ?= build
CC          ?= cc
CLANG       ?= clang
BPFTOOL     ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH        := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
MULTIARCH   := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS      ?= -O2 -g
CFLAGS      += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -DTRACEPKT_VERSION='"$(VERSION)"'
CPPFLAGS    += -I$(BUILD) -Ibpf -Ilib
LDLIBS      += -lbpf -lelf -lz

# SANITIZE=1: ASan + UBSan user space in its own folder (build-san/, so build/
# stays as it is), and `make check` runs the whole suite under it with any
# report fatal (but for SAN_SKIP's files, run with the plain build). The kernel matrix is skipped: its guests run build-static/.
ifneq ($(filter-out 0,$(SANITIZE)),)
ifeq ($(origin BUILD),file)
BUILD       := build-san
endif
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS      += $(SAN_FLAGS)
LDFLAGS     += $(SAN_FLAGS)
SKIP_MATRIX := 1
export TPK_SANITIZE := 1
# A test that expects a command to fail would not notice a sanitizer's abort:
# every report (ASan's log_path) or abort (lib/util.c) also leaves a file in
# $(SAN_LOGS), and any file there fails the run (SAN_BEFORE and SAN_AFTER).
SAN_LOGS    := $(abspath $(BUILD))/sanitizer
export TPK_SANITIZE_DIR := $(SAN_LOGS)
export ASAN_OPTIONS ?= halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$(SAN_LOGS)/asan
export UBSAN_OPTIONS ?= halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan
SAN_BEFORE  = rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
SAN_AFTER   = @if [ -n "$$(ls -A $(SAN_LOGS))" ]; then cat $(SAN_LOGS)/*; echo "sanitizer reports or aborts in $(SAN_LOGS):" $$(ls $(SAN_LOGS)) >&2; exit 1; fi; echo "no sanitizer reports"
# Files that test packaging, run valgrind (which ASan cannot run beside),
# kill under strace (LeakSanitizer cannot run there), or run only what the
# plain build runs anyway (fuzzers, fixtures, bench's sender): nothing
# there for the sanitizers. `make check` runs them last
# with the plain build (build/), so that it still runs every file, once.
SAN_SKIP    := deb.t static.t install.t fuzz.t bench-smoke.t fixtures.t memcheck.t progdump-memcheck.t \
               tcdrop-kills.t
SAN_PLAIN   = $(MAKE) SANITIZE=0 all unit-bins && env -u TPK_SANITIZE -u TPK_SANITIZE_DIR -u ASAN_OPTIONS -u UBSAN_OPTIONS TPK_BUILD=$(abspath build) prove $(PROVE_FLAGS) --exec '' $(addprefix tests/integration/,$(SAN_SKIP))
endif
# STATIC=1: self-contained binaries in build-static/ for hosts without our
# libraries (and for the kernel matrix's guests): libbpf, libelf, zlib,
# zstd and libpcap linked in, and glibc too (-static). The tools call no NSS
# function themselves; only progdump's pcap filters resolve names (host,
# port, proto names), and static glibc still does that from /etc/hosts,
# /etc/services, /etc/protocols and DNS; the link warns about it.
ifneq ($(filter-out 0,$(STATIC)),)
ifeq ($(origin BUILD),file)
BUILD       := build-static
endif
LDFLAGS     += -static
LDLIBS      += -lzstd -pthread
STATIC_OBJS := $(BUILD)/obj/lib/static/shims.o
endif
# LIBBPF_STATIC=1: libbpf.a linked in, libelf, zlib, libpcap and glibc still
# shared, in build-deb/: what `make deb` packages (scripts/mkdeb), so that the
# package needs no libbpf1 from bookworm-backports.
ifneq ($(filter-out 0,$(LIBBPF_STATIC)),)
ifeq ($(origin BUILD),file)
BUILD       := build-deb
endif
LDLIBS      := $(patsubst -lbpf,-l:libbpf.a,$(LDLIBS))
endif
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
               -Wno-unused-parameter -Ivmlinux -Ibpf \
               $(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH))

TOOLS       := $(patsubst %/main.c,%,$(wildcard */main.c))
# tracepkt's object is linked from two units by libbpf's static linker, for
# one skeleton: its device side (bpf/tracepkt.bpf.c) and its netfilter side.
TPK_BPF_UNITS := $(BUILD)/bpf/tracepkt.unit.o $(BUILD)/bpf/tracepkt_nf.unit.o
BPF_SRCS    := $(filter-out bpf/tracepkt_nf.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS       := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LIB_SRCS    := $(wildcard lib/*.c)
LIB_OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
UNIT_SRCS   := $(wildcard tests/unit/*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PROGS       := $(addprefix $(BUILD)/,$(TOOLS))

# progdump and tracepkt compile pcap filters.
$(BUILD)/progdump $(BUILD)/tracepkt: LDLIBS += -lpcap
ifneq ($(STATIC_OBJS),)
$(BUILD)/progdump $(BUILD)/tracepkt: LDLIBS += -ldbus-1
endif

# --version names the options a build was made with (lib/version.c).
yesno = $(if $(filter-out 0,$(1)),yes,no)
$(BUILD)/obj/lib/version.o: CPPFLAGS += -DTPK_BUILD_OPTS='"static=$(call yesno,$(STATIC)) sanitize=$(call yesno,$(SANITIZE))"'

.PHONY: all check check-unit check-integration check-matrix check-guests demo install uninstall bench clean help
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PROGS)

# Before the archives they stand in for (lib/static/shims.c).
$(PROGS): $(STATIC_OBJS)

help:
	@echo "make [all]          build $(TOOLS) into $(BUILD)/"
	@echo "make check          unit and integration tests (as root), TAP via prove,"
	@echo "                    then the kernel matrix (SKIP_MATRIX=1 skips it)"
	@echo "make check-unit     unit tests only (no root needed)"
	@echo "make check SANITIZE=1  the same under ASan+UBSan, built in build-san/"
	@echo "make check-matrix   integration tests on the host and other kernels (qemu),"
	@echo "                    the guests running the STATIC=1 build"
	@echo "make check-guests   the other kernels only"
	@echo "make STATIC=1       self-contained binaries (libbpf, libelf, zlib, libpcap"
	@echo "                    and glibc linked in) in build-static/"
	@echo "make demo           run tracepkt on a demo topology"
	@echo "make install        install into DESTDIR/PREFIX (default $(PREFIX))"
	@echo "make deb            Debian package build/tracepkt_$(VERSION)-1_ARCH.deb (libbpf"
	@echo "                    linked in, built in build-deb/; scripts/mkdeb --help)"
	@echo "make bench          benchmarks; writes bench/RESULTS.md"
	@echo "make fuzz          libFuzzer harnesses, FUZZ_SECONDS (default 10) each"
	@echo "make clean          remove $(BUILD)/ and vmlinux/vmlinux.h"

vmlinux/vmlinux.h: | vmlinux
	@test -r $(VMLINUX_BTF) || { echo "no BTF at $(VMLINUX_BTF); set VMLINUX_BTF=" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

vmlinux $(BUILD) $(BUILD)/bpf $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c vmlinux/vmlinux.h $(wildcard bpf/*.h) | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.unit.o: bpf/%.bpf.c vmlinux/vmlinux.h $(wildcard bpf/*.h) | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/tracepkt.bpf.o: $(TPK_BPF_UNITS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# Every object waits for every skeleton: simple, and the BPF side is small.
# -MMD: each object also depends on the headers it includes.
$(BUILD)/obj/%.o: %.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -I$(<D) -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(BUILD)/obj/libtpk.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

# Objects of tool $(1); with or without its main.c.
tool_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c))
tool_lib_objs = $(filter-out %/main.o,$(call tool_objs,$(1)))
unit_tool = $(firstword $(subst _, ,$(1)))

.SECONDEXPANSION:
$(PROGS): $(BUILD)/%: $$(call tool_objs,$$*) $(BUILD)/obj/libtpk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A unit test tests/unit/<t>_x.c links the objects of tool <t> except main.
$(UNIT_BINS): $(BUILD)/tests/%: tests/unit/%.c \
		$$(call tool_lib_objs,$$(call unit_tool,$$*)) $(BUILD)/obj/libtpk.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -I$(call unit_tool,$*) -o $@ $^ $(LDLIBS) -lpcap

# libFuzzer harnesses (clang): tests/fuzz/<t>_<x>.c is built with tool <t>'s
# sources except main.c (<t> = lib: lib/ alone) and lib/, all instrumented.
# `make fuzz` runs each for FUZZ_SECONDS on its corpus tests/fuzz/corpus/<t>_<x>/.
# -Wno-sign-compare: clang, unlike gcc, warns inside glibc's NLMSG_OK.
FUZZ_SRCS   := $(wildcard tests/fuzz/*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 10
FUZZ_CFLAGS := -g -O1 -Wall -Wextra -Werror -Wno-sign-compare -std=gnu11 -D_GNU_SOURCE -DTRACEPKT_VERSION='"$(VERSION)"' \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz_srcs = $(sort $(filter-out %/main.c,$(wildcard $(call unit_tool,$(1))/*.c)) $(LIB_SRCS))

$(FUZZ_BINS): $(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $$(call fuzz_srcs,$$*) $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -I$(call unit_tool,$*) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS) -lpcap

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)

.PHONY: unit-bins
unit-bins: $(UNIT_BINS)

check-unit: $(UNIT_BINS)
	prove --exec '' $(UNIT_BINS)

# prove shows each file's time (what CI's budget is made of).
PROVE_FLAGS ?= --timer
INTEGRATION_TESTS = $(filter-out $(addprefix tests/integration/,$(SAN_SKIP)),$(wildcard tests/integration/*.t))

# Integration tests need root; they find the tools through TPK_BUILD. Then
# the same integration tests on the kernel matrix, unless SKIP_MATRIX=1.
# The static build comes first, so that static.t tests it here too.
check: all $(UNIT_BINS)
	$(if $(filter-out 0,$(SKIP_MATRIX)),,$(VM_MAKE))
	$(SAN_BEFORE)
	TPK_BUILD=$(abspath $(BUILD)) prove $(PROVE_FLAGS) --exec '' $(UNIT_BINS) $(INTEGRATION_TESTS)
	$(SAN_AFTER)
	$(SAN_PLAIN)
	$(if $(filter-out 0,$(SKIP_MATRIX)),@echo "kernel matrix skipped (SKIP_MATRIX=$(SKIP_MATRIX))",TPK_BUILD=$(abspath $(BUILD)) TPK_VM_BUILD=$(abspath $(VM_BUILD)) tests/vm/matrix --no-host $(MATRIX_KERNELS))

check-integration: all
	TPK_BUILD=$(abspath $(BUILD)) prove $(PROVE_FLAGS) --exec '' tests/integration/*.t

# The host kernel, then each of MATRIX_KERNELS (default: Debian's 6.1 and
# 6.12) under qemu: integration tests and feature probe (tracepkt --probe).
# tests/vm/run -h. The guests run the STATIC=1 build (VM_BUILD): what a user
# copies to another host is what is tested on other kernels.
VM_BUILD    ?= build-static
VM_MAKE      = $(MAKE) STATIC=1 SANITIZE=0 BUILD=$(VM_BUILD) all
check-matrix: all $(UNIT_BINS)
	$(VM_MAKE)
	TPK_BUILD=$(abspath $(BUILD)) TPK_VM_BUILD=$(abspath $(VM_BUILD)) TPK_UNIT_TESTS="$(UNIT_BINS)" tests/vm/matrix $(MATRIX_KERNELS)

# The matrix's guests alone (CI: its fresh root has just run the host suite).
check-guests: all
	$(VM_MAKE)
	TPK_BUILD=$(abspath $(BUILD)) TPK_VM_BUILD=$(abspath $(VM_BUILD)) tests/vm/matrix --no-host $(MATRIX_KERNELS)

demo: all
	netns-fixtures/demo $(BUILD)/tracepkt

bench: all
	bench/run

# Man pages and one bash completion script, linked under each tool's name so
# bash-completion's on-demand loader finds it for any of them.
MAN8DIR     ?= $(PREFIX)/share/man/man8
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/tracepkt/bpf
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/tracepkt/bpf/
	install -d $(DESTDIR)$(MAN8DIR) $(DESTDIR)$(BASHCOMPDIR)
	for m in $(TOOLS); do sed '/^\.TH /s/"tracepkt [^"]*"/"tracepkt $(VERSION)"/' man/$$m.8 > $(DESTDIR)$(MAN8DIR)/$$m.8 && chmod 0644 $(DESTDIR)$(MAN8DIR)/$$m.8 || exit 1; done
	install -m 0644 completion/tracepkt.bash $(DESTDIR)$(BASHCOMPDIR)/tracepkt
	for t in $(filter-out tracepkt,$(TOOLS)); do ln -sf tracepkt $(DESTDIR)$(BASHCOMPDIR)/$$t || exit 1; done

# A binary package from a LIBBPF_STATIC=1 build; prints its path.
.PHONY: deb
deb:
	scripts/mkdeb --make '$(MAKE)' --version $(VERSION) --out build

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/sbin/,$(TOOLS))
	rm -rf $(DESTDIR)$(PREFIX)/lib/tracepkt
	rm -f $(addprefix $(DESTDIR)$(MAN8DIR)/,$(addsuffix .8,$(TOOLS))) $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(TOOLS))

clean:
	rm -rf $(BUILD) vmlinux/vmlinux.h
