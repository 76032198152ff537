# fuzz.mk — libFuzzer targets (fuzz/README.md); included by the Makefile.
#
# The targets and the mcz sources they cover are built with clang into build/fuzz/, with
# coverage instrumentation and ASan + UBSan; the rest of the build (gcc) is untouched.

FUZZ_CC            ?= clang
FUZZ_BUILD         := build/fuzz
FUZZ_SECONDS       ?= 60
FUZZ_CHECK_SECONDS ?= 3
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# clang (unlike gcc) takes a va_list vasprintf for a non-literal format: -Wno-format-nonliteral
FUZZ_FLAGS         := -O1 -g -fno-omit-frame-pointer -std=gnu11 $(WARN) -Wno-format-nonliteral -I. -D_GNU_SOURCE \
                      -DMCZ_VERSION='"$(VERSION)"' $(shell pkg-config --cflags jansson 2>/dev/null)
FUZZ_TARGETS       := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS          := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))
# What the targets run: core, the sys inventory and tracer, the fake (never sys/real.c).
FUZZ_LIB_SRC       := $(wildcard lib/*.c) $(shell find core -name "*.c" | sort) sys/inventory.c sys/trace.c $(wildcard fakes/*.c)
FUZZ_LIB_OBJ       := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRC))

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libmczfuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/fuzz/fuzz_%.o $(FUZZ_BUILD)/libmczfuzz.a
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -l:libjansson.a

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

.PHONY: fuzz-build fuzz check-fuzz
fuzz-build: $(FUZZ_BINS) ## build the libFuzzer targets into build/fuzz/ (clang, ASan + UBSan)

fuzz: $(FUZZ_BINS) ## run each fuzz target FUZZ_SECONDS (60) on a copy of its corpus; prints execs, cov, ft
	@fuzz/run.sh fuzz $(FUZZ_SECONDS) $(FUZZ_BUILD) $(FUZZ_TARGETS)

check-fuzz: $(FUZZ_BINS) ## replay every fuzz corpus file, then fuzz each target FUZZ_CHECK_SECONDS (3); fails on a crash
	@fuzz/run.sh check $(FUZZ_CHECK_SECONDS) $(FUZZ_BUILD) $(FUZZ_TARGETS)
