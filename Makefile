# clinicgen: build, test, install. `make site` and `make check` install the
# Debian packages they need (tools/deps.sh) before anything else.

PREFIX ?= /usr/local
DESTDIR ?=
DATADIR = $(PREFIX)/share/clinicgen
VERSION = 0.1.0

CC ?= cc
# -O3 and link-time optimisation: 3.9% fewer instructions for a build of
# 1,000 pages than -O2 (either alone gives 1.3-1.4%: most of it is inlining
# across modules).
CFLAGS ?= -O3 -g -flto=auto
DEPS_PACKAGES = build-essential pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev \
	liblua5.4-dev libxml2-dev libyaml-dev libstemmer-dev libmicrohttpd-dev libmimalloc-dev
# libmicrohttpd is not linked: clinicgen serve opens it (src/mhd_lib.h), so
# that no other command loads it and the nine libraries it brings.
PKGS_LINKED = libcmark-gfm lua5.4 libxml-2.0 yaml-0.1
PKGS = $(PKGS_LINKED) libmicrohttpd
BASE_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -pthread \
	-DCLINICGEN_VERSION='"$(VERSION)"' -DCLINICGEN_DATADIR='"$(DATADIR)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS_LINKED) 2>/dev/null) -lcmark-gfm-extensions -lstemmer -lm

SRC = $(sort $(wildcard src/*.c))
LIB_SRC = $(filter-out src/main.c,$(SRC))
TEST_SRC = $(sort $(wildcard tests/unit/*.c))

OBJ = $(SRC:src/%.c=build/obj/%.o)
ASAN_OBJ = $(SRC:src/%.c=build/asan/obj/%.o)
ASAN_LIB_OBJ = $(LIB_SRC:src/%.c=build/asan/obj/%.o)
ASAN_TEST_OBJ = $(TEST_SRC:tests/unit/%.c=build/asan/tests/%.o)
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all deps site check check-valgrind fuzz fuzz-corpus install uninstall clean bench format \
	FORCE

all: build/clinicgen

build/deps.stamp: tools/deps.sh Makefile
	@tools/deps.sh $(DEPS_PACKAGES)
	@mkdir -p build && touch $@

deps: build/deps.stamp

# The release binary leaves a finished build's memory to the process's exit
# (as clang's -disable-free does); the sanitizer and valgrind builds free
# it all, so their leak checks see every allocation (src/build.c).
RELEASE_DEFS = -DCLINICGEN_LEAVE_MEMORY_AT_EXIT

build/obj/%.o: src/%.c $(wildcard src/*.h) build/cflags.stamp | build/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(MALLOC_CFLAGS) $(RELEASE_DEFS) $(PKG_CFLAGS) -c $< -o $@

# Rebuild the release objects and binary whenever their flags change.
build/cflags.stamp: FORCE
	@mkdir -p build
	@echo '$(CC) $(BASE_CFLAGS) $(CFLAGS) $(RELEASE_DEFS) $(MALLOC_LIBS)' | cmp -s - $@ || \
		echo '$(CC) $(BASE_CFLAGS) $(CFLAGS) $(RELEASE_DEFS) $(MALLOC_LIBS)' >$@

# Rebuild what embeds the install folder whenever PREFIX changes.
build/datadir.stamp: FORCE
	@mkdir -p build
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
build/obj/project.o build/asan/obj/project.o build/fuzz/obj/project.o \
	build/valgrind/obj/project.o: build/datadir.stamp

# The release binary allocates with mimalloc: a build makes and frees
# millions of small strings and tables, and glibc's malloc cost 7-10% more
# CPU on the 10,000-page benchmark (bench/README.md). Linked first and kept
# when unreferenced, so that it serves every library's malloc; the
# sanitizer and valgrind builds keep the system allocator their checks
# need. `make MALLOC_LIBS=` builds without it.
MALLOC_LIBS ?= -Wl,--push-state,--no-as-needed -lmimalloc -Wl,--pop-state
# main.c tunes mimalloc (large pages, committed at once) when it is linked.
MALLOC_CFLAGS = $(if $(findstring mimalloc,$(MALLOC_LIBS)),-DCLINICGEN_MIMALLOC)

build/clinicgen: $(OBJ) build/cflags.stamp
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -pthread $(OBJ) $(MALLOC_LIBS) $(PKG_LIBS) -o $@

build/asan/obj/%.o: src/%.c $(wildcard src/*.h) | build/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SANITIZE) $(PKG_CFLAGS) -c $< -o $@

build/asan/tests/%.o: tests/unit/%.c $(wildcard src/*.h) tests/unit/test.h | build/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SANITIZE) $(PKG_CFLAGS) -Isrc -c $< -o $@

build/asan/clinicgen: $(ASAN_OBJ)
	$(CC) $(SANITIZE) -pthread $(ASAN_OBJ) $(PKG_LIBS) -o $@

build/asan/unit-tests: $(ASAN_LIB_OBJ) $(ASAN_TEST_OBJ)
	$(CC) $(SANITIZE) -pthread $^ $(PKG_LIBS) -o $@

# ---- fuzzing: libFuzzer harnesses (tests/fuzz/fuzz_NAME.c), built with
# clang against the library objects (all of src/ but main.c) compiled with
# the fuzzer's coverage and the sanitizers.
FUZZ_CC = clang
FUZZ_PACKAGES = clang libclang-rt-14-dev llvm
FUZZ_NAMES = front_matter template page
FUZZ_SECONDS ?= 60
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
FUZZ_LIB_OBJ = $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
FUZZ_BIN = $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
# The harnesses without libFuzzer (tests/fuzz/replay.c), to replay the
# inputs that once broke them: with gcc's sanitizers, and under valgrind.
ASAN_REPLAY = $(FUZZ_NAMES:%=build/asan/fuzz-replay-%)
VALGRIND_REPLAY = $(FUZZ_NAMES:%=build/valgrind/fuzz-replay-%)
FUZZ_DEFS = -DFUZZ_PROJECT_DIR='"$(CURDIR)"'

build/fuzz/deps.stamp: tools/deps.sh Makefile
	@tools/deps.sh $(FUZZ_PACKAGES)
	@mkdir -p build/fuzz && touch $@

build/fuzz/obj/%.o: src/%.c $(wildcard src/*.h) | build/deps.stamp build/fuzz/deps.stamp
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) $(PKG_CFLAGS) \
		-c $< -o $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ) $(wildcard src/*.h)
	$(FUZZ_CC) $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer $(FUZZ_SANITIZE) $(PKG_CFLAGS) -Isrc \
		$(FUZZ_DEFS) $< $(FUZZ_LIB_OBJ) $(PKG_LIBS) -o $@

# Seeds build/fuzz/corpus-NAME from the tests and the demo (never committed).
fuzz-corpus: | build/deps.stamp
	@tests/fuzz/seed.sh build/fuzz

# Each harness for FUZZ_SECONDS; prints executions, exec/s and findings.
fuzz: $(FUZZ_BIN) fuzz-corpus
	tests/fuzz/run.sh $(FUZZ_SECONDS)

build/asan/fuzz-replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(ASAN_LIB_OBJ) \
		$(wildcard src/*.h)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SANITIZE) $(PKG_CFLAGS) -Isrc $(FUZZ_DEFS) \
		$< tests/fuzz/replay.c $(ASAN_LIB_OBJ) $(PKG_LIBS) -o $@

# ---- valgrind: a plain debug build (no sanitizers: they and memcheck
# exclude each other), and the test suites under memcheck.
VALGRIND_CFLAGS = -O0 -g
VALGRIND_OBJ = $(SRC:src/%.c=build/valgrind/obj/%.o)
VALGRIND_LIB_OBJ = $(LIB_SRC:src/%.c=build/valgrind/obj/%.o)
VALGRIND_TEST_OBJ = $(TEST_SRC:tests/unit/%.c=build/valgrind/tests/%.o)
# Only pattern rules name these objects: keep them between builds.
.SECONDARY: $(FUZZ_LIB_OBJ) $(VALGRIND_LIB_OBJ)

build/valgrind/deps.stamp: tools/deps.sh Makefile
	@tools/deps.sh valgrind
	@mkdir -p build/valgrind && touch $@

build/valgrind/obj/%.o: src/%.c $(wildcard src/*.h) | build/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(VALGRIND_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

build/valgrind/tests/%.o: tests/unit/%.c $(wildcard src/*.h) tests/unit/test.h | build/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(VALGRIND_CFLAGS) $(PKG_CFLAGS) -Isrc -c $< -o $@

build/valgrind/clinicgen: $(VALGRIND_OBJ)
	$(CC) -pthread $(VALGRIND_OBJ) $(PKG_LIBS) -o $@

build/valgrind/unit-tests: $(VALGRIND_LIB_OBJ) $(VALGRIND_TEST_OBJ)
	$(CC) -pthread $^ $(PKG_LIBS) -o $@

build/valgrind/fuzz-replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(VALGRIND_LIB_OBJ) \
		$(wildcard src/*.h)
	$(CC) $(BASE_CFLAGS) $(VALGRIND_CFLAGS) $(PKG_CFLAGS) -Isrc $(FUZZ_DEFS) \
		$< tests/fuzz/replay.c $(VALGRIND_LIB_OBJ) $(PKG_LIBS) -o $@

# The unit, golden, error, check and demo suites and the fuzz regressions
# under valgrind's memcheck: no errors, no leaks. Ends with "N passed, N failed".
check-valgrind: build/valgrind/deps.stamp build/valgrind/clinicgen build/valgrind/unit-tests \
		$(VALGRIND_REPLAY)
	@tests/valgrind.sh

# The demo site, from content/ into site/.
site: build/clinicgen
	build/clinicgen build

# Every test, with the sanitizers on; ends with "N passed, N failed".
check: build/asan/clinicgen build/asan/unit-tests build/clinicgen $(ASAN_REPLAY) $(FUZZ_BIN) \
		fuzz-corpus
	@tests/run.sh

BENCH_SIZES = 1000 10000 50000
bench: build/clinicgen
	bench/run.sh build/clinicgen $(BENCH_SIZES)

install: build/clinicgen
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 build/clinicgen $(DESTDIR)$(PREFIX)/bin/clinicgen
	cp -R themes/clinic $(DESTDIR)$(DATADIR)/themes/
	install -m 644 man/clinicgen.1 $(DESTDIR)$(PREFIX)/share/man/man1/clinicgen.1
	if [ -d filters ]; then install -d $(DESTDIR)$(DATADIR)/filters && \
		cp -R filters/. $(DESTDIR)$(DATADIR)/filters/; fi

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/clinicgen $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(PREFIX)/share/man/man1/clinicgen.1

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c

clean:
	rm -rf build site
