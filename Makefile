# mcz — Linux containerizer. `make help` lists the targets.
#
# Variants build into their own directories with the same rules:
#   build/        normal build (no fault points)
#   build/fiu/    FIU=1: libfiu points compiled into sys/real.c
#   build/asan/   ASan + UBSan
#   build/cov/    --coverage
# A variant is this Makefile run again with BUILD= and CFLAGS=/LDFLAGS= (or FIU=1) on the
# command line; the flags mcz needs are added with `override`, so they survive that.

CC      ?= cc
BUILD   ?= build
FIU     ?= 0
VERSION := 0.1.0

PKGS    := jansson
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wmissing-declarations -Wpointer-arith -Wformat=2 -Wundef -Wvla \
           -Wimplicit-fallthrough -Wcast-align -Wwrite-strings -Wnull-dereference \
           -Werror=implicit-function-declaration -Werror=incompatible-pointer-types
CFLAGS  ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -I. -D_GNU_SOURCE -DMCZ_VERSION='"$(VERSION)"' \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# jansson is linked statically: loading one more shared library costs ~0.15 ms per mcz start,
# a tenth of a container launch (bench/README.md).
override LDLIBS += -l:libjansson.a
ifeq ($(FIU),1)
override CFLAGS += -DFIU_ENABLE=1
override LDLIBS += -lfiu
endif
# Variants pass their own flags explicitly; an inherited, already-extended CFLAGS would
# carry this build's -D options into them.
unexport CFLAGS LDFLAGS LDLIBS

LIB_SRC   := $(wildcard lib/*.c)
CORE_SRC  := $(LIB_SRC) $(shell find core -name "*.c" | sort)
SYS_SRC   := $(wildcard sys/*.c)
FAKE_SRC  := $(wildcard fakes/*.c)
SCEN_SRC  := $(filter-out scenarios/real_%.c scenarios/harness_real.c,$(wildcard scenarios/*.c))
REAL_SRC  := $(wildcard scenarios/real_*.c) scenarios/harness_real.c
CLI_SRC   := $(wildcard cli/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB       := $(BUILD)/libmcz.a
FAKELIB   := $(BUILD)/libmczfake.a

.PHONY: all
all: $(BUILD)/mcz $(BUILD)/scenarios $(BUILD)/realtests ## build build/mcz, build/scenarios, build/realtests

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(call obj,$(CORE_SRC) $(SYS_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FAKELIB): $(call obj,$(FAKE_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/mcz: $(call obj,$(CLI_SRC)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/scenarios: $(call obj,$(SCEN_SRC)) $(FAKELIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/realtests: $(call obj,$(sort $(REAL_SRC))) $(FAKELIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- dependencies -------------------------------------------------------------------------

DEPS_PKGS := build-essential pkg-config libcmocka-dev libfiu-dev fiu-utils libjansson-dev procps \
             lcov gcovr valgrind user-mode-linux clang libclang-rt-14-dev

.PHONY: deps
deps: ## install the Debian packages the build and checks need (only those missing)
	@missing=; \
	for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed \
			|| missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make deps: missing packages:$$missing" >&2; \
		echo "make deps: as root run: apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "make deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && \
	apt-get install -y -qq --no-install-recommends $$missing >/dev/null

# ---- checks -------------------------------------------------------------------------------

SUBMAKE    = $(MAKE) --no-print-directory
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
COV_FLAGS  := -O0 -g --coverage
VALGRIND   := valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=1

# The steps of `make check`, in order. Each runs even when an earlier one failed, so one
# run reports every failure; the build comes first and a broken build stops everything.
CHECK_STEPS := check-scenarios check-asan memcheck check-real check-uml check-fiu check-crash check-campaign check-fuzz coverage check-inventory

.PHONY: check
check: deps ## everything CI runs: scenarios (plain, ASan/UBSan, valgrind), real-kernel tests, UML cgroup v2, fiu points, crash at every step + a short fault campaign, fuzz corpora replayed, coverage gate, inventory
	+@echo "==> make all"; \
	if ! $(SUBMAKE) all; then echo "check: FAILED: build"; exit 1; fi; \
	failed=; \
	for step in $(CHECK_STEPS); do \
		printf '\n==> make %s\n' $$step; \
		$(SUBMAKE) $$step || failed="$$failed $$step"; \
	done; \
	echo; \
	if [ -n "$$failed" ]; then echo "check: FAILED:$$failed"; exit 1; fi; \
	echo "check: OK ($(words $(CHECK_STEPS)) steps: $(CHECK_STEPS))"

.PHONY: check-scenarios
check-scenarios: $(BUILD)/scenarios ## run the scenarios against the fake
	$(BUILD)/scenarios

.PHONY: asan check-asan
asan: ## build the scenarios with ASan+UBSan into build/asan/ and run them
	+@$(SUBMAKE) BUILD=build/asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		build/asan/scenarios
	$(ASAN_ENV) build/asan/scenarios
check-asan: asan

.PHONY: check-real
check-real: $(BUILD)/realtests ## run the real-kernel tests (root-only ones skip when not root)
	$(BUILD)/realtests

.PHONY: fiu check-fiu
fiu: ## build everything with libfiu points (FIU=1) into build/fiu/
	+@$(SUBMAKE) BUILD=build/fiu FIU=1 all
check-fiu: fiu ## run the fault-point tests of sys/real.c in the FIU=1 build
	build/fiu/realtests --run 'sys_fiu__*'

.PHONY: coverage
coverage: ## coverage of the scenarios (build/cov/), HTML in build/coverage/, gate on coverage/thresholds
	@find build/cov -name '*.gcda' -delete 2>/dev/null || true
	+@$(SUBMAKE) BUILD=build/cov CFLAGS="$(COV_FLAGS)" LDFLAGS="--coverage" \
		build/cov/scenarios build/cov/realtests
	coverage/gate.sh build/cov build/coverage

.PHONY: check-inventory
check-inventory: ## every SYS_OPS entry has a fiu point in sys/real.c and a fake handler
	coverage/check-inventory.sh

.PHONY: memcheck
memcheck: $(BUILD)/scenarios ## run the scenarios under valgrind: no errors, no leaks
	$(VALGRIND) $(BUILD)/scenarios

.PHONY: demo
demo: deps ## build build/mcz and run ci/demo.sh
	+@$(SUBMAKE) $(BUILD)/mcz
	MCZ=$(BUILD)/mcz ci/demo.sh

# ---- benchmark (never part of `make check`) -------------------------------------------------

BENCH_PKGS := hyperfine bubblewrap runc busybox-static conmon

.PHONY: bench-deps
bench-deps: ## install hyperfine, bubblewrap, runc, busybox-static and conmon for `make bench` (only those missing)
	@missing=; \
	for p in $(BENCH_PKGS); do \
		dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed \
			|| missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make bench-deps: missing packages:$$missing" >&2; \
		echo "make bench-deps: as root run: apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "make bench-deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && \
	apt-get install -y -qq --no-install-recommends $$missing >/dev/null

$(BUILD)/bench/floor: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/bench/lap: bench/lap.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

.PHONY: bench
bench: bench-deps $(BUILD)/mcz $(BUILD)/bench/floor $(BUILD)/bench/lap ## launch latency: mcz vs the floor vs bwrap, with and without cgroups; `mcz usage` (BENCH_RUNS=N); 200 detached containers (SCALE_N=N), then the same with runc run -d (and conmon if installed)
	MCZ=$(BUILD)/mcz FLOOR=$(BUILD)/bench/floor LAP=$(BUILD)/bench/lap bench/run.sh
	MCZ=$(BUILD)/mcz bench/scale.sh
	bench/runc.sh

# ---- real cgroup v2 under user-mode Linux (`make check` runs check-uml) ---------------------
# The host kernel mounts cgroups v1 (hybrid); UML (Debian's user-mode-linux, kernel 6.1) boots
# with the host filesystem as root and a real cgroup2 hierarchy. ci/uml/run.sh runs one command
# in it and exits with its status, or 77 with "SKIP: uml: <why>" when UML cannot start.

UML_PKGS      := user-mode-linux
# the real tests run inside UML: sys_*, `mcz run` end to end, the detached life cycle
# (launch/wait/destroy/status/list), the cgroups isolators with `mcz usage` / `mcz update`
# (space-separated globs)
UML_REAL_GLOB ?= sys_* run__* lifecycle__* recover__* cgroups_* usage__* update__*
UML_REQUIRED  ?= 0

.PHONY: uml-deps
uml-deps: ## install user-mode-linux for `make check-uml` (only when missing)
	@missing=; \
	for p in $(UML_PKGS); do \
		dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed \
			|| missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make uml-deps: missing packages:$$missing" >&2; \
		echo "make uml-deps: as root run: apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "make uml-deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && \
	apt-get install -y -qq --no-install-recommends $$missing >/dev/null

# A SKIP (77: UML cannot start here) passes unless UML_REQUIRED=1.
.PHONY: check-uml
check-uml: uml-deps $(BUILD)/mcz $(BUILD)/realtests ## real cgroup v2: realtests (UML_REAL_GLOB) + a cgroup2 probe inside user-mode Linux
	@MCZ_BIN=$(BUILD)/mcz ci/uml/check.sh $(BUILD)/realtests $(foreach g,$(UML_REAL_GLOB),'$(g)') || { rc=$$?; \
		[ $$rc = 77 ] && [ "$(UML_REQUIRED)" != 1 ] || exit $$rc; }

.PHONY: clean
clean: ## remove build/
	rm -rf build

.PHONY: help
help: ## list the targets
	@echo "usage: make [TARGET] [FIU=1] [BUILD=dir] [CFLAGS=...]"
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# ---- fuzzing (fuzz/fuzz.mk: libFuzzer targets built with clang into build/fuzz/) ----------

include fuzz/fuzz.mk

# ---- fault campaigns and crash tests against the real binary (ci/faults/, as root) ----------
# Both use build/fiu/mcz (FIU=1: libfiu points and the crash hook of sys/real.c) for the
# command under test and $(BUILD)/mcz for recover and the cleanup; exit 77 (not root) is a SKIP.

CAMPAIGN_RUNS        ?= 200
CAMPAIGN_PROBABILITY ?= 0.02
CAMPAIGN_SEED        ?=
# `make check` runs a short campaign with a fixed seed: the same faults every time.
CHECK_CAMPAIGN_RUNS  ?= 30
CHECK_CAMPAIGN_SEED  ?= 1

.PHONY: fiu-mcz
fiu-mcz:
	+@$(SUBMAKE) BUILD=build/fiu FIU=1 build/fiu/mcz

.PHONY: check-crash
check-crash: $(BUILD)/mcz fiu-mcz ## crash mcz at every sys call of launch, destroy (supervisor, adopted) and recover; after recover the host must be clean
	@ci/faults/crash.sh $(BUILD)/mcz build/fiu/mcz || { rc=$$?; [ $$rc = 77 ] || exit $$rc; }

.PHONY: campaign
campaign: $(BUILD)/mcz fiu-mcz ## random sys/* faults (fiu-run) in CAMPAIGN_RUNS launch/exit/destroy cycles (CAMPAIGN_PROBABILITY, CAMPAIGN_SEED); no leak after recover
	@CAMPAIGN_RUNS=$(CAMPAIGN_RUNS) CAMPAIGN_PROBABILITY=$(CAMPAIGN_PROBABILITY) \
		CAMPAIGN_SEED=$(CAMPAIGN_SEED) ci/faults/campaign.sh $(BUILD)/mcz build/fiu/mcz || \
		{ rc=$$?; [ $$rc = 77 ] || exit $$rc; }

.PHONY: check-campaign
check-campaign: $(BUILD)/mcz fiu-mcz ## the short campaign of `make check`: CHECK_CAMPAIGN_RUNS runs, seed CHECK_CAMPAIGN_SEED
	@CAMPAIGN_RUNS=$(CHECK_CAMPAIGN_RUNS) CAMPAIGN_PROBABILITY=$(CAMPAIGN_PROBABILITY) \
		CAMPAIGN_SEED=$(CHECK_CAMPAIGN_SEED) ci/faults/campaign.sh $(BUILD)/mcz build/fiu/mcz || \
		{ rc=$$?; [ $$rc = 77 ] || exit $$rc; }
