# zdbench — see README.md. GNU make.
VERSION := 0.1.0
BUILD := build
CC ?= gcc
PKGS := json-c inih libpcre2-8 libcrypto gsl
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Iworkloads -Iharness -Iharness/backend -Iharness/builtin $(WARN) -DZDBENCH_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS))
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# harness/: the library; harness/backend/: the boot backends; harness/builtin/:
# one file per command (git's builtin/), main.c holds the command table.
HARNESS_SRCS := $(wildcard harness/*.c harness/backend/*.c) \
	$(filter-out harness/builtin/main.c,$(wildcard harness/builtin/*.c))
HARNESS_HDRS := $(wildcard harness/*.h harness/backend/*.h harness/builtin/*.h)
HARNESS_OBJS := $(HARNESS_SRCS:harness/%.c=$(BUILD)/harness/%.o) $(BUILD)/harness/config_blob.o \
	$(BUILD)/workloads/kinds.o $(BUILD)/workloads/ndctl.o $(BUILD)/workloads/media.o
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
E2E_TESTS := $(patsubst tests/e2e/%.c,$(BUILD)/tests/%,$(wildcard tests/e2e/test_*.c))

.PHONY: all deps run check unit e2e bench agent clean format fuzz
all: $(BUILD)/zdbench agent

deps:
	scripts/install-deps.sh

$(BUILD)/harness/%.o: harness/%.c $(HARNESS_HDRS) workloads/kinds.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Shared with the agent: the kind tables, ndctl JSON reading.
$(BUILD)/workloads/%.o: workloads/%.c workloads/%.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/harness/config_blob.o: harness/config_blob.S config.example
	@mkdir -p $(@D)
	$(CC) -I. -c -o $@ $<

$(BUILD)/zdbench: $(BUILD)/harness/builtin/main.o $(HARNESS_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The agent links libperf built from the kernel tree zdbench imports.
agent: $(BUILD)/zdbench
	$(MAKE) -C workloads/agent O=$(CURDIR)/$(BUILD)/agent \
		KSRC="$$($(BUILD)/zdbench source -q)" WERROR=$(WERROR)

$(BUILD)/tests/%: tests/unit/%.c $(HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/%: tests/e2e/%.c tests/e2e/e2e.h $(HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -o $@ $(filter-out %.h,$^) $(LDLIBS) $(CMOCKA_LIBS)

# make run: set up everything on a fresh machine, then the main job.
run: deps
	$(MAKE) all
	$(BUILD)/zdbench run $(RUN_ARGS)

unit: $(UNIT_TESTS) $(BUILD)/zdbench
	tests/run-tests.sh $(UNIT_TESTS)

e2e: all $(E2E_TESTS)
	tests/run-tests.sh $(E2E_TESTS)

check: all $(UNIT_TESTS) $(E2E_TESTS)
	tests/run-tests.sh $(UNIT_TESTS) $(E2E_TESTS)

bench: all
	scripts/bench.sh
	scripts/bench-classify.sh
	scripts/bench-compare.sh
	scripts/bench-variants.sh
	scripts/bench-workloads.sh
	scripts/bench-media.sh
	scripts/bench-bisect.sh

format:
	clang-format -i harness/*.[ch] harness/*/*.[ch] workloads/agent/*.c workloads/agent/*.h tests/*/*.c

clean:
	rm -rf $(BUILD)

# libFuzzer target for the console classifier (clang). The corpus seeds are
# the console logs in tests/data/console.
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/fuzz_classify: tests/fuzz/fuzz_classify.c harness/classify.c harness/util.c
	@mkdir -p $(@D)
	clang -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -Iharness \
		$(shell pkg-config --cflags libpcre2-8) -o $@ $^ \
		$(shell pkg-config --libs libpcre2-8 libcrypto)

fuzz: $(BUILD)/fuzz/fuzz_classify
	@mkdir -p $(BUILD)/fuzz/corpus
	cp tests/data/console/*.log $(BUILD)/fuzz/corpus/
	$(BUILD)/fuzz/fuzz_classify -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-timeout=10 -rss_limit_mb=512 $(BUILD)/fuzz/corpus
