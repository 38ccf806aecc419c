# zdbench — see README.md. GNU make.
VERSION := 0.1.0
BUILD := build
CC ?= gcc
PKGS := json-c inih libpcre2-8 libcrypto gsl yaml-0.1
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif
# CFLAGS is the user's (make CFLAGS=-O1 replaces it whole); what every
# build needs is in ZD_CFLAGS, which the command line does not touch.
CFLAGS ?= -O2 -g
ZD_CFLAGS := -std=c11 -Iworkloads -Iharness -Iharness/backend -Iharness/builtin -Iharness/report $(WARN) -DZDBENCH_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS))
ALL_CFLAGS = $(ZD_CFLAGS) $(CFLAGS)
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# harness/: the library; harness/backend/: the boot backends; harness/report/:
# the report formats; harness/builtin/: one file per command (git's
# builtin/), main.c holds the command table.
HARNESS_SRCS := $(wildcard harness/*.c harness/backend/*.c harness/report/*.c) \
	$(filter-out harness/builtin/main.c,$(wildcard harness/builtin/*.c))
HARNESS_HDRS := $(wildcard harness/*.h harness/backend/*.h harness/builtin/*.h harness/report/*.h)
HARNESS_OBJS := $(HARNESS_SRCS:harness/%.c=$(BUILD)/harness/%.o) $(BUILD)/harness/config_blob.o \
	$(BUILD)/workloads/kinds.o $(BUILD)/workloads/ndctl.o $(BUILD)/workloads/media.o
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
E2E_TESTS := $(patsubst tests/e2e/%.c,$(BUILD)/tests/%,$(wildcard tests/e2e/test_*.c))

.PHONY: all deps run check unit e2e bench agent clean format fuzz sanitize
all: $(BUILD)/zdbench agent

deps:
	scripts/install-deps.sh

$(BUILD)/harness/%.o: harness/%.c $(HARNESS_HDRS) workloads/kinds.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Shared with the agent: the kind tables, ndctl JSON reading.
$(BUILD)/workloads/%.o: workloads/%.c workloads/%.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/harness/config_blob.o: harness/config_blob.S config.example
	@mkdir -p $(@D)
	$(CC) -I. -c -o $@ $<

$(BUILD)/zdbench: $(BUILD)/harness/builtin/main.o $(HARNESS_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The agent links libperf built from the kernel tree zdbench imports.
agent: $(BUILD)/zdbench
	$(MAKE) -C workloads/agent O=$(CURDIR)/$(BUILD)/agent \
		KSRC="$$($(BUILD)/zdbench source -q)" WERROR=$(WERROR)

$(BUILD)/tests/%: tests/unit/%.c $(HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -D_GNU_SOURCE -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/%: tests/e2e/%.c $(wildcard tests/e2e/*.h) $(HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -D_GNU_SOURCE -o $@ $(filter-out %.h,$^) $(LDLIBS) $(CMOCKA_LIBS)

# make run: set up everything on a fresh machine, then the main job.
run: deps
	$(MAKE) all
	$(BUILD)/zdbench run $(RUN_ARGS)

unit: $(UNIT_TESTS) $(BUILD)/zdbench
	tests/run-tests.sh $(UNIT_TESTS)

e2e: all $(E2E_TESTS)
	tests/run-tests.sh $(E2E_TESTS)

check: all $(UNIT_TESTS) $(E2E_TESTS) sanitize
	tests/run-tests.sh $(UNIT_TESTS) $(E2E_TESTS)

# The unit tests again, built with AddressSanitizer and UBSan in a folder of
# their own (only the unit tests: they take seconds, the e2e tests boot).
# Any report fails the test that caused it.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) BUILD=$(BUILD)/sanitize CFLAGS="$(SAN_FLAGS)" WERROR=$(WERROR) \
		$(patsubst $(BUILD)/%,$(BUILD)/sanitize/%,$(UNIT_TESTS))
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-tests.sh $(patsubst $(BUILD)/%,$(BUILD)/sanitize/%,$(UNIT_TESTS))

bench: all
	scripts/bench.sh
	scripts/bench-classify.sh
	scripts/bench-compare.sh
	scripts/bench-variants.sh
	scripts/bench-workloads.sh
	scripts/bench-media.sh
	scripts/bench-bisect.sh
	scripts/bench-byo.sh
	scripts/bench-jobs.sh

format:
	clang-format -i harness/*.[ch] harness/*/*.[ch] workloads/agent/*.c workloads/agent/*.h tests/*/*.c

clean:
	rm -rf $(BUILD)

# libFuzzer targets (clang, ASan, UBSan): the console classifier, seeded
# with tests/data/console; the config reader, the result reader, the
# history reader, the bisect state reader and merge's run folder check,
# seeded with the files of tests/fuzz/seeds/NAME. `make fuzz` runs each for FUZZ_SECONDS;
# docs/fuzzing.md records how long each ran clean.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := classify config result history bisect_state merge
FUZZ_CFLAGS := -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined \
	-Iworkloads -Iharness -Iharness/backend -Iharness/builtin \
	-DZDBENCH_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS))
$(BUILD)/fuzz/fuzz_classify: tests/fuzz/fuzz_classify.c harness/classify.c harness/util.c
	@mkdir -p $(@D)
	clang -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -Iharness \
		$(shell pkg-config --cflags libpcre2-8) -o $@ $^ \
		$(shell pkg-config --libs libpcre2-8 libcrypto)

# The others link the whole library (built again with the fuzzer's flags).
FUZZ_LIB_SRCS := $(HARNESS_SRCS) workloads/kinds.c workloads/ndctl.c workloads/media.c
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRCS) $(HARNESS_HDRS) $(BUILD)/harness/config_blob.o
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS) $(BUILD)/harness/config_blob.o $(LDLIBS)

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
		c=$(BUILD)/fuzz/corpus-$$t; mkdir -p $$c; \
		if [ $$t = classify ]; then cp tests/data/console/*.log $$c/; \
		else cp tests/fuzz/seeds/$$t/* $$c/; fi; \
		echo "=== fuzz_$$t $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-timeout=10 -rss_limit_mb=1024 -artifact_prefix=$(BUILD)/fuzz/ $$c || exit 1; \
	done
