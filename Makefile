# chatarc: one non-recursive Makefile. `make` builds ./chatarc, `make check`
# runs the tests, `make bench` the benchmarks, `make SANITIZE=1 check` the
# tests under AddressSanitizer + UBSan.
PREFIX ?= /usr/local
VERSION := 0.1.0
CC ?= cc
PKGS := yajl zlib libdeflate libzstd libxml-2.0 libxslt xapian-core libcurl libcrypto libutf8proc libical libmicrohttpd libwebsockets
CXX ?= g++

# What a user sets (CFLAGS, CXXFLAGS, CPPFLAGS, LDFLAGS, LDLIBS on the command
# line) and what the code needs (ALL_*) are kept apart, as git's Makefile does,
# so `make CFLAGS=-O0` keeps -std=c11 and the feature macros. -Werror only in
# the developers' and CI's mode: `make DEVELOPER=1` (.ci/run sets it).
CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
BASIC_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra
BASIC_CXXFLAGS := -std=c++17 -Wall -Wextra
ifeq ($(DEVELOPER),1)
BASIC_CFLAGS += -Werror
BASIC_CXXFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
BUILD := build/sanitize
else
BUILD := build/release
endif
# Deferred (=), so `make check` and `make demo` can install the packages
# first and a sub-make then reads their flags.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
ALL_CPPFLAGS = $(CPPFLAGS) $(PKG_CFLAGS) \
	-DCHATARC_VERSION='"$(VERSION)"' -DCHATARC_SHAREDIR='"$(PREFIX)/share/chatarc"' \
	-DCHATARC_LIBEXECDIR='"$(PREFIX)/libexec/chatarc"'
ALL_CFLAGS = $(CFLAGS) $(BASIC_CFLAGS) $(SANITIZE_FLAGS) -pthread
ALL_CXXFLAGS = $(CXXFLAGS) $(BASIC_CXXFLAGS) $(SANITIZE_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE_FLAGS)
ALL_LDLIBS = $(LDLIBS) $(PKG_LIBS) -lm -pthread

COMMON_SRC := $(wildcard common/*.c)
FETCH_SRC := $(wildcard fetch/*.c)
SUMMARISE_SRC := $(wildcard summarise/*.c)
INDEX_SRC := $(wildcard index/*.c)
PUBLISH_SRC := $(wildcard publish/*.c)
SERVE_SRC := $(wildcard serve/*.c)
# The Xapian shim: the C++ file, the only one that sees Xapian's headers.
SHIM_OBJ := $(BUILD)/index/xapian-shim.o
CLI_SRC := $(wildcard cli/*.c)
# The stages are libraries: no command lives in them and none includes
# cli/, where every command is (git's builtin/ over libgit.a).
LIB_SRC := $(COMMON_SRC) $(FETCH_SRC) $(SUMMARISE_SRC) $(INDEX_SRC) $(PUBLISH_SRC) $(SERVE_SRC)
PROGRAM_SRC := $(LIB_SRC) $(CLI_SRC)

# The manual: one page a command and a few more, in doc/*.md, built into
# the program (`chatarc help CMD`) and made into man pages (`make man`).
DOC_SRC := $(sort $(wildcard doc/chatarc*.md))
MANUAL_OBJ := $(BUILD)/gen/manual.o

PROGRAM_OBJ := $(PROGRAM_SRC:%.c=$(BUILD)/%.o) $(MANUAL_OBJ)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC := $(wildcard tools/*.c)

all: chatarc

# Two programs from one library of objects. chatarc-full runs every command.
# chatarc is the front end a user runs: it runs search itself and hands
# the other commands to chatarc-full. Linked from the same archive with
# --as-needed, it takes only the objects search needs and so does not load
# libcurl, libxml2, libxslt, libical or ICU: a search, one process a
# query, starts in a third of the time (BENCHMARKS.md).
chatarc: $(BUILD)/chatarc $(BUILD)/chatarc-full
	cp $(BUILD)/chatarc-full chatarc-full.tmp && mv -f chatarc-full.tmp chatarc-full
	cp $(BUILD)/chatarc $@.tmp && mv -f $@.tmp $@

CHATARC_AR := $(BUILD)/libchatarc.a
$(CHATARC_AR): $(filter-out $(BUILD)/cli/chatarc.o,$(PROGRAM_OBJ)) $(SHIM_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/chatarc-full: $(BUILD)/cli/chatarc.o $(CHATARC_AR)
	$(CXX) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/chatarc: $(BUILD)/cli/chatarc-front.o $(CHATARC_AR)
	$(CXX) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(ALL_LDLIBS)

# Every object depends on the flags it was built with (git's GIT-CFLAGS): a
# change of PREFIX, DEVELOPER or CFLAGS rebuilds, so `make install
# PREFIX=/opt/x` after `make` never installs a binary that looks in
# /usr/local. Defined before the first rule that names it: make expands a
# rule's prerequisites as it reads the rule.
BUILD_FLAGS = $(BUILD)/BUILD-FLAGS

$(BUILD)/cli/chatarc-front.o: cli/chatarc.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -DCHATARC_FRONT -MMD -MP -c -o $@ $<

$(BUILD_FLAGS): FORCE
	@mkdir -p $(BUILD)
	@flags='$(subst ','\'',$(CC) $(CXX) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_CXXFLAGS))'; \
	if [ x"$$flags" != x"$$(cat $@ 2>/dev/null)" ]; then printf '%s\n' "$$flags" >$@; fi

$(BUILD)/gen/manual.c: $(DOC_SRC) tools/md2man
	@mkdir -p $(dir $@)
	tools/md2man c $(DOC_SRC) >$@.tmp && mv -f $@.tmp $@

$(MANUAL_OBJ): $(BUILD)/gen/manual.c cli/manual.h $(BUILD_FLAGS)
	$(CC) $(ALL_CPPFLAGS) -I. $(ALL_CFLAGS) -c -o $@ $<

# Man pages from the same pages; a command's page opens with its --help.
MAN_DIR := build/man
man: chatarc
	@rm -rf $(MAN_DIR) && tools/make-man $(MAN_DIR) ./chatarc-full $(VERSION)

$(BUILD)/%.o: %.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.cc $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit-tests: $(UNIT_OBJ) $(LIB_OBJ) $(SHIM_OBJ)
	$(CXX) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(ALL_LDLIBS)

tests/unit-tests: $(BUILD)/tests/unit-tests
	cp $< $@.tmp && mv -f $@.tmp $@

tools/gen-posts: $(BUILD)/tools/gen-posts.o $(BUILD)/common/timeutil.o $(BUILD)/common/status.o
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(ALL_LDLIBS)

# Fuzzing (libFuzzer, with AddressSanitizer and UBSan): one harness each for
# the importers, the archive line reader, the HTTP header parsers and the
# config reader. `make fuzz` runs each for FUZZ_SECONDS on a corpus seeded
# from tests/fixtures; a crash leaves its input in build/fuzz/ and fails.
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/index/xapian-shim.o
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(ALL_CPPFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_BUILD)/index/%.o: index/%.cc
	@mkdir -p $(dir $@)
	clang++ $(ALL_CPPFLAGS) -std=c++17 $(FUZZ_FLAGS) -c -o $@ $<
$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/tests/fuzz/fuzz-%.o $(FUZZ_LIB_OBJ)
	clang++ $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(ALL_LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%) >/dev/null
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The README's two commands: each installs what it needs, builds, runs.
# demo takes only the run-time set; the tests, fuzzers and benchmarks all.
deps:
	@tools/install-deps test

deps-run:
	@tools/install-deps run

check: deps
	@$(MAKE) --no-print-directory chatarc tests/unit-tests tools/gen-posts >/dev/null
	tests/run

demo: deps-run
	@$(MAKE) --no-print-directory chatarc >/dev/null
	./chatarc demo

bench: deps
	@$(MAKE) --no-print-directory chatarc tools/gen-posts >/dev/null
	tools/bench

install: chatarc man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/chatarc \
		$(DESTDIR)$(PREFIX)/share/chatarc $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 chatarc $(DESTDIR)$(PREFIX)/bin/chatarc
	install -m 755 chatarc-full $(DESTDIR)$(PREFIX)/libexec/chatarc/chatarc-full
	cp -R share/. $(DESTDIR)$(PREFIX)/share/chatarc/
	for page in $(MAN_DIR)/*.[157]; do \
		install -m 644 $$page $(DESTDIR)$(PREFIX)/share/man/man$${page##*.}/ || exit 1; done

# Every C, C++ and header file, formatted by .clang-format; CI checks it.
FORMAT_SRC = $(sort $(PROGRAM_SRC) $(wildcard index/*.cc) $(wildcard */*.h tests/*/*.h) $(UNIT_SRC) \
	$(TOOL_SRC) $(wildcard tests/fuzz/*.c))
format:
	clang-format -i $(FORMAT_SRC)

check-format: deps
	clang-format --dry-run -Werror $(FORMAT_SRC)

clean:
	rm -rf build chatarc chatarc-full tests/unit-tests tools/gen-posts

# chatarc and tests/unit-tests are copies of the current build (release or
# SANITIZE=1): always refreshed, so a sanitizer binary never lingers.
.PHONY: all deps deps-run check check-format demo bench fuzz install man format clean chatarc tests/unit-tests FORCE
-include $(PROGRAM_OBJ:.o=.d) $(BUILD)/cli/chatarc-front.d $(UNIT_OBJ:.o=.d) $(SHIM_OBJ:.o=.d)
