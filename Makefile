# sockcheck: GNU make build. Everything lands in build/.
#   make            build the harness, the reference peers and the preload library
#   make check      unit tests (Criterion), shell tests and the self-test
#   make demo       run the suite on the bundled correct fixture and one mutant
#   make bench      speed and memory figures, written to build/bench/
#   make mutants    mutation score of the suite (slow; MUTATE=path/to/mutate)
#   make stress     the harness under a CPU hog: STRESS_CASES cases, no error, no flake
#   make unprivileged  the whole self-test as an unprivileged user, with and without namespaces
#   make install    PREFIX=/usr/local (DESTDIR=... for packaging)
#   make deps       installs the Debian packages it needs (apt-get); plain make never does
#   make SANITIZE=1 builds with ASan/UBSan

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS    := yaml-0.1 jansson libxml-2.0 libcrypto libxxhash libpcap libdw
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Dependencies. Plain `make` (and install, clean, ...) never installs
# anything: when a library is missing it stops with one message naming the
# Debian packages and `make deps`, which installs them (.ci/install-deps,
# apt-get, as root or with sudo). `make demo` and `make check` run `make deps`
# first when something they use is missing, as README promises.
PKG_CONFIG ?= pkg-config
DEB_yaml-0.1    := libyaml-dev
DEB_jansson     := libjansson-dev
DEB_libxml-2.0  := libxml2-dev
DEB_libcrypto   := libssl-dev
DEB_libxxhash   := libxxhash-dev
DEB_libpcap     := libpcap-dev
DEB_libdw       := libdw-dev
DEB_criterion   := libcriterion-dev
GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out clean deps uninstall,$(GOALS)),)
  # demo, check: what the tests use too (Criterion, xxhsum, mandoc, ...)
  ifneq ($(filter demo check,$(GOALS)),)
    ifneq ($(shell $(PKG_CONFIG) --exists $(PKGS) criterion 2>/dev/null && command -v xxhsum >/dev/null && command -v mandoc >/dev/null && echo yes),yes)
      $(info make: installing what $(filter demo check,$(GOALS)) needs (make deps))
      DEPS_RC := $(shell sh .ci/install-deps >&2; echo $$?)
      ifneq ($(DEPS_RC),0)
        $(error make deps failed (exit $(DEPS_RC)); see the messages above)
      endif
    endif
  endif
  NEED := $(PKGS) $(if $(filter tests check,$(GOALS)),criterion)
  MISSING := $(if $(shell command -v $(CC) >/dev/null 2>&1 && command -v make >/dev/null 2>&1 && echo y),,build-essential)
  ifeq ($(shell command -v $(PKG_CONFIG) >/dev/null 2>&1 && echo y),)
    MISSING += pkg-config $(foreach p,$(NEED),$(DEB_$p))
  else
    MISSING += $(foreach p,$(NEED),$(if $(shell $(PKG_CONFIG) --exists $p 2>/dev/null && echo y),,$(DEB_$p)))
  endif
  MISSING := $(strip $(MISSING))
  ifneq ($(MISSING),)
    $(error missing $(MISSING): run 'make deps' (installs them with apt-get, as root or with sudo) or install them with your package manager)
  endif
endif

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  += $(shell $(PKG_CONFIG) --cflags $(PKGS)) -Iharness -Ireference
CFLAGS  += -DSOCKCHECK_VERSION='"$(VERSION)"'
LDLIBS  := $(shell $(PKG_CONFIG) --libs $(PKGS)) -lutil -lm -lpthread
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

# The harness: every module but main.c goes into a library the tests link;
# the commands (harness/cli/, one file each) go into the executable only.
HAR_SRC := $(filter-out harness/main.c,$(wildcard harness/*.c))
HAR_OBJ := $(HAR_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,harness/main.c $(wildcard harness/cli/*.c))

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

$(BUILD)/sockcheck: $(CLI_OBJ) $(BUILD)/libsockcheck.a $(BUILD)/libref.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/lib/libscinject.so: $(INJ_SRC) $(wildcard harness/preload/*.h)
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

# Mutation testing of the suite (tests/mutants.py): universalmutator's mutants
# of fixtures/textbook and fixtures/correct, MUTANTS_SAMPLE per program (0: all)
# drawn with a fixed seed, each run against its role's cases; the score per
# program to BUILD/bench/mutants.txt. Slow (about 10 s a mutant on 2 cores):
# not part of `make check`. MUTATE names universalmutator's `mutate` (from
# source: /work/shared/tools/mutate); it needs python3-tabulate,
# python3-levenshtein and python3-pkg-resources (.ci/install-deps --mutants).
MUTATE ?= $(or $(shell command -v mutate 2>/dev/null),/work/shared/tools/mutate)
MUTANTS_SAMPLE ?= 15
MUTANTS_SEED ?= 27
mutants: all
	@test -x "$(MUTATE)" || { echo "make mutants: no universalmutator at $(MUTATE): make mutants MUTATE=/path/to/mutate" >&2; exit 2; }
	@"$(MUTATE)" --help >/dev/null 2>&1 || sh .ci/install-deps --mutants
	@"$(MUTATE)" --help >/dev/null 2>&1 || { echo "make mutants: $(MUTATE) does not run (its Python modules?)" >&2; exit 2; }
	@python3 tests/mutants.py --build $(BUILD) --mutate "$(MUTATE)" --sample $(MUTANTS_SAMPLE) --seed $(MUTANTS_SEED) $(if $(MUTANTS_ONLY),--only $(MUTANTS_ONLY))

# The harness under a CPU hog on every core: STRESS_CASES (default 10000)
# cases of the correct fixture with no harness error and no flaky verdict,
# then the self-test and the memcheck fixtures (tests/stress.sh).
stress: all
	@sh tests/stress.sh $(BUILD)

# The whole self-test as an unprivileged user (uid 65534 when run as root),
# in user namespaces and with them refused as Docker's seccomp profile does:
# the verdicts root gets (tests/unprivileged.sh; make check runs a subset).
unprivileged: all
	@sh tests/unprivileged.sh $(BUILD) all

# The textbook fixture (BUF_SIZE 30) passes every must-case 20 times in a row
# with a busy loop on every core (about 6 minutes on 2 cores).
textbook-load: all
	@sh tests/textbook-load.sh $(BUILD) 20

# The installed layout, as harness/cli/cli_util.c (cli_find_layout) looks for it next to
# PREFIX/bin/sockcheck: the reference peers and the preload library in
# libexec/sockcheck, the suite and the example assignments in share/sockcheck,
# the documentation in share/doc/sockcheck, the manual page in share/man/man1,
# the correct fixture (to try it on) in share/sockcheck/fixtures. DESTDIR is
# honoured; nothing is downloaded or installed from the network.
INST_SHARE := $(DESTDIR)$(PREFIX)/share/sockcheck
INST_DOC := $(DESTDIR)$(PREFIX)/share/doc/sockcheck
INST_MAN := $(DESTDIR)$(PREFIX)/share/man/man1
FIXTURE_FILES := $(wildcard fixtures/correct/*.c fixtures/correct/*.h fixtures/correct/Makefile fixtures/correct/sockcheck.yaml)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/sockcheck $(INST_SHARE) $(INST_DOC) $(INST_MAN)
	install -m 755 $(BUILD)/sockcheck $(DESTDIR)$(PREFIX)/bin/sockcheck
	install -m 755 $(REF_BINS) $(DESTDIR)$(PREFIX)/libexec/sockcheck/
	$(if $(INJ_LIB),install -m 755 $(INJ_LIB) $(DESTDIR)$(PREFIX)/libexec/sockcheck/)
	rm -rf $(INST_SHARE)/scenarios $(INST_SHARE)/assignments $(INST_SHARE)/reports $(INST_SHARE)/fixtures
	cp -R scenarios assignments $(INST_SHARE)/
	install -d $(INST_SHARE)/fixtures/correct
	install -m 644 $(FIXTURE_FILES) $(INST_SHARE)/fixtures/correct/
	install -m 755 .ci/install-deps $(INST_SHARE)/install-deps
	install -d $(INST_SHARE)/reports
	install -m 644 $(wildcard reports/*.json reports/*.xsd reports/*.md) $(INST_SHARE)/reports/
	chmod -R u=rwX,go=rX $(INST_SHARE)
	install -m 644 README.md $(wildcard docs/*.md) $(INST_DOC)/
	install -m 644 docs/sockcheck.1 $(INST_MAN)/sockcheck.1
	$(if $(wildcard examples/*),install -d $(INST_DOC)/examples && install -m 644 $(wildcard examples/*) $(INST_DOC)/examples/)

# Installs what building, running and `make check` need (Debian, apt-get).
deps:
	sh .ci/install-deps

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sockcheck
	rm -f $(INST_MAN)/sockcheck.1
	rm -rf $(DESTDIR)$(PREFIX)/libexec/sockcheck $(INST_SHARE) $(INST_DOC)

clean:
	rm -rf $(BUILD)

.PHONY: all tests check demo bench mutants stress unprivileged textbook-load install uninstall clean deps
.DELETE_ON_ERROR:
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
