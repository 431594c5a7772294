# clinicgen: build, test, install. `make site` and `make check` install the
# Debian packages they need (tools/deps.sh) before anything else.

PREFIX ?= /usr/local
DESTDIR ?=
DATADIR = $(PREFIX)/share/clinicgen
VERSION = 0.1.0

CC ?= cc
CFLAGS ?= -O2 -g
DEPS_PACKAGES = build-essential pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev \
	liblua5.4-dev libxml2-dev libyaml-dev libstemmer-dev
PKGS = libcmark-gfm lua5.4 libxml-2.0 yaml-0.1
BASE_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -pthread \
	-DCLINICGEN_VERSION='"$(VERSION)"' -DCLINICGEN_DATADIR='"$(DATADIR)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lstemmer -lm

SRC = $(sort $(wildcard src/*.c))
LIB_SRC = $(filter-out src/main.c,$(SRC))
TEST_SRC = $(sort $(wildcard tests/unit/*.c))

OBJ = $(SRC:src/%.c=build/obj/%.o)
ASAN_OBJ = $(SRC:src/%.c=build/asan/obj/%.o)
ASAN_LIB_OBJ = $(LIB_SRC:src/%.c=build/asan/obj/%.o)
ASAN_TEST_OBJ = $(TEST_SRC:tests/unit/%.c=build/asan/tests/%.o)
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all deps site check install uninstall clean bench format FORCE

all: build/clinicgen

build/deps.stamp: tools/deps.sh Makefile
	@tools/deps.sh $(DEPS_PACKAGES)
	@mkdir -p build && touch $@

deps: build/deps.stamp

build/obj/%.o: src/%.c $(wildcard src/*.h) | build/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# Rebuild what embeds the install folder whenever PREFIX changes.
build/datadir.stamp: FORCE
	@mkdir -p build
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
build/obj/project.o build/asan/obj/project.o: build/datadir.stamp

build/clinicgen: $(OBJ)
	$(CC) $(CFLAGS) -pthread $(OBJ) $(PKG_LIBS) -o $@

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

# The demo site, from content/ into site/.
site: build/clinicgen
	build/clinicgen build

# Every test, with the sanitizers on; ends with "N passed, N failed".
check: build/asan/clinicgen build/asan/unit-tests build/clinicgen
	@tests/run.sh

bench: build/clinicgen
	bench/run.sh build/clinicgen

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
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build site
