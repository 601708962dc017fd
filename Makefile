# sockcheck: GNU make build. Everything lands in build/.
#   make            build the harness, the reference peers and the preload library
#   make check      unit tests (Criterion), shell tests and the self-test
#   make demo       run the suite on the bundled correct fixture and one mutant
#   make bench      speed and memory figures, written to build/bench/
#   make install    PREFIX=/usr/local
#   make SANITIZE=1 builds with ASan/UBSan

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS    := yaml-0.1 jansson libxml-2.0 libcrypto libxxhash
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Missing -dev packages are installed first (Debian, as root); see .ci/install-deps.
DEPS_OK := $(shell pkg-config --exists $(PKGS) criterion 2>/dev/null && command -v xxhsum >/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
  $(shell sh .ci/install-deps >&2)
endif

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  += $(shell pkg-config --cflags $(PKGS)) -Iharness -Ireference
CFLAGS  += -DSOCKCHECK_VERSION='"$(VERSION)"'
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lutil -lm -lpthread
SAN_FLAGS := -fsanitize=address,undefined
ifeq ($(SANITIZE),1)
  CFLAGS  += $(SAN_FLAGS) -fno-omit-frame-pointer
  LDFLAGS += $(SAN_FLAGS)
endif

# The reference peers' shared code: everything in reference/ that is not a program.
REF_PROGS := echo_server echo_client file_server file_client udp_echo_server udp_echo_client
REF_LIB_SRC := $(filter-out $(REF_PROGS:%=reference/%.c),$(wildcard reference/*.c))
REF_LIB_OBJ := $(REF_LIB_SRC:%.c=$(BUILD)/obj/%.o)
REF_BINS := $(patsubst reference/%.c,$(BUILD)/reference/%,$(wildcard $(REF_PROGS:%=reference/%.c)))

# The harness: every module but main.c goes into a library the tests link.
HAR_SRC := $(filter-out harness/main.c,$(wildcard harness/*.c))
HAR_OBJ := $(HAR_SRC:%.c=$(BUILD)/obj/%.o)

# The fault-injection preload library (LD_PRELOAD), one .so.
INJ_SRC := $(wildcard harness/preload/*.c)
INJ_LIB := $(if $(INJ_SRC),$(BUILD)/lib/libscinject.so)

TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

all: $(BUILD)/sockcheck $(REF_BINS) $(INJ_LIB)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libref.a: $(REF_LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libsockcheck.a: $(HAR_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/reference/%: $(BUILD)/obj/reference/%.o $(BUILD)/libref.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/sockcheck: $(BUILD)/obj/harness/main.o $(BUILD)/libsockcheck.a $(BUILD)/libref.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/lib/libscinject.so: $(INJ_SRC)
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -fPIC -shared -o $@ $(INJ_SRC) -ldl

$(BUILD)/tests/%: tests/%.c $(BUILD)/libsockcheck.a $(BUILD)/libref.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(BUILD)/libsockcheck.a $(BUILD)/libref.a $(LDLIBS) -lcriterion

tests: $(TEST_BINS)

# Unit tests, then the shell tests (tests/*.sh, each self-contained and
# bounded in time), then the self-test of the suite against the fixtures.
check: all tests
	@sh tests/run-all.sh $(BUILD)

demo: all
	@sh tests/demo.sh $(BUILD)

bench: all
	@sh tests/bench.sh $(BUILD)

# The installed layout, as harness/main.c (find_layout) looks for it next to
# PREFIX/bin/sockcheck: the reference peers and the preload library in
# libexec/sockcheck, the suite and the example assignments in share/sockcheck,
# the documentation in share/doc/sockcheck. DESTDIR is honoured.
INST_SHARE := $(DESTDIR)$(PREFIX)/share/sockcheck
INST_DOC := $(DESTDIR)$(PREFIX)/share/doc/sockcheck
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/sockcheck $(INST_SHARE) $(INST_DOC)
	install -m 755 $(BUILD)/sockcheck $(DESTDIR)$(PREFIX)/bin/sockcheck
	install -m 755 $(REF_BINS) $(DESTDIR)$(PREFIX)/libexec/sockcheck/
	$(if $(INJ_LIB),install -m 755 $(INJ_LIB) $(DESTDIR)$(PREFIX)/libexec/sockcheck/)
	rm -rf $(INST_SHARE)/scenarios $(INST_SHARE)/assignments $(INST_SHARE)/reports
	cp -R scenarios assignments $(INST_SHARE)/
	install -d $(INST_SHARE)/reports
	install -m 644 $(wildcard reports/*.json reports/*.xsd reports/*.md) $(INST_SHARE)/reports/
	chmod -R u=rwX,go=rX $(INST_SHARE)
	install -m 644 README.md $(wildcard docs/*.md) $(INST_DOC)/
	$(if $(wildcard examples/*),install -d $(INST_DOC)/examples && install -m 644 $(wildcard examples/*) $(INST_DOC)/examples/)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sockcheck
	rm -rf $(DESTDIR)$(PREFIX)/libexec/sockcheck $(INST_SHARE) $(INST_DOC)

clean:
	rm -rf $(BUILD)

.PHONY: all tests check demo bench install uninstall clean
.DELETE_ON_ERROR:
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
