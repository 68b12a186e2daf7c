# chatarc: one non-recursive Makefile. `make` builds ./chatarc, `make check`
# runs the tests, `make bench` the benchmarks, `make SANITIZE=1 check` the
# tests under AddressSanitizer + UBSan.
PREFIX ?= /usr/local
VERSION := 0.1.0
CC ?= cc
PKGS := yajl zlib libxml-2.0 libxslt xapian-core libcurl
CXX ?= g++

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror
# Deferred (=), so `make check` and `make demo` can install the packages
# first and a sub-make then reads their flags.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CPPFLAGS += $(PKG_CFLAGS) \
	-DCHATARC_VERSION='"$(VERSION)"' -DCHATARC_SHAREDIR='"$(PREFIX)/share/chatarc"'
LDLIBS += $(PKG_LIBS) -lm

ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD := build/sanitize
else
BUILD := build/release
endif

COMMON_SRC := $(wildcard common/*.c)
FETCH_SRC := $(wildcard fetch/*.c)
SUMMARISE_SRC := $(wildcard summarise/*.c)
INDEX_SRC := $(wildcard index/*.c)
PUBLISH_SRC := $(wildcard publish/*.c)
# The Xapian shim: the one C++ file, the only one that sees Xapian's headers.
SHIM_OBJ := $(BUILD)/index/xapian-shim.o
CLI_SRC := $(wildcard cli/*.c)
LIB_SRC := $(COMMON_SRC) $(filter-out fetch/cmd-%.c,$(FETCH_SRC)) \
	$(filter-out summarise/cmd-%.c,$(SUMMARISE_SRC)) $(filter-out index/cmd-%.c,$(INDEX_SRC)) \
	$(filter-out publish/cmd-%.c,$(PUBLISH_SRC))
PROGRAM_SRC := $(LIB_SRC) $(filter fetch/cmd-%.c,$(FETCH_SRC)) \
	$(filter summarise/cmd-%.c,$(SUMMARISE_SRC)) $(filter index/cmd-%.c,$(INDEX_SRC)) \
	$(filter publish/cmd-%.c,$(PUBLISH_SRC)) $(CLI_SRC)

PROGRAM_OBJ := $(PROGRAM_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC := $(wildcard tools/*.c)

all: chatarc

chatarc: $(BUILD)/chatarc
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/chatarc: $(PROGRAM_OBJ) $(SHIM_OBJ)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror
ifeq ($(SANITIZE),1)
CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
endif
$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit-tests: $(UNIT_OBJ) $(LIB_OBJ) $(SHIM_OBJ)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/unit-tests: $(BUILD)/tests/unit-tests
	cp $< $@.tmp && mv -f $@.tmp $@

tools/gen-posts: $(BUILD)/tools/gen-posts.o $(BUILD)/common/timeutil.o $(BUILD)/common/status.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The README's two commands: each installs what it needs, builds, runs.
deps:
	@tools/install-deps

check: deps
	@$(MAKE) --no-print-directory chatarc tests/unit-tests tools/gen-posts >/dev/null
	tests/run

demo: deps
	@$(MAKE) --no-print-directory chatarc >/dev/null
	./chatarc demo

bench: deps
	@$(MAKE) --no-print-directory chatarc tools/gen-posts >/dev/null
	tools/bench

install: chatarc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/chatarc
	install -m 755 chatarc $(DESTDIR)$(PREFIX)/bin/chatarc
	cp -R share/. $(DESTDIR)$(PREFIX)/share/chatarc/

format:
	clang-format -i $(PROGRAM_SRC) index/xapian-shim.cc $(wildcard */*.h) $(UNIT_SRC) $(TOOL_SRC)

clean:
	rm -rf build chatarc tests/unit-tests tools/gen-posts

# chatarc and tests/unit-tests are copies of the current build (release or
# SANITIZE=1): always refreshed, so a sanitizer binary never lingers.
.PHONY: all deps check demo bench install format clean chatarc tests/unit-tests
-include $(PROGRAM_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(SHIM_OBJ:.o=.d)
